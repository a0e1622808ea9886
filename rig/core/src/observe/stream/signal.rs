//! The stream's first stage: a sample turned into the judged signal (module docs, steps 1
//! and 2, and the envelope and raw noise of step 3). It knows nothing of runs or of the
//! light's state, only the samples. It has two halves: the [`Conditioner`] takes the
//! mains flicker off (most of the work), the [`Shaper`] smooths and measures what is
//! left. The first can run ahead on a thread of its own: `rig classify` conditions a file
//! on its reading thread while the watch shapes and segments what came before; the split
//! puts about as much work on each thread.

use std::collections::VecDeque;

use crate::hw::Sample;
use crate::observe::flicker::Flicker;
use crate::observe::levels::{ChangeNoise, Extremes};
use crate::observe::Polarity;

use super::{ENVELOPE_PERIODS, SMOOTH_MIN_SAMPLES, SMOOTH_MS, VOID_GAP_MS};

/// Width of the smoothing box (0: raw samples) for a typical interval `dt_ms`.
pub(super) fn box_ms(dt_ms: f64) -> f64 {
    if dt_ms > 0.0 && dt_ms <= SMOOTH_MS / SMOOTH_MIN_SAMPLES {
        SMOOTH_MS
    } else {
        0.0
    }
}

/// The typical interval follows changes of rate with this weight per sample.
const DT_WEIGHT: f64 = 0.05;

/// The sensor's own sampling period (ms): the median interval between samples. Every
/// sample lost lengthens a mean interval (4% lost at 100 Hz read as 96 Hz, which no
/// longer locks to 100 Hz mains flicker), a median only once half are; jitter around
/// regular instants moves neither. A running median: that of the first
/// [`PERIOD_WARMUP`] intervals, then a step towards each new one of [`PERIOD_STEP`] of
/// itself over the intervals seen (a stochastic approximation, as precise as the median
/// of all of them), never below [`PERIOD_STEP_LEAST`] (a rate changed is followed).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SamplingPeriod {
    median: f64,
    seen: usize,
    first: [f64; PERIOD_WARMUP],
}

/// Intervals whose median starts the running one.
const PERIOD_WARMUP: usize = 9;
/// The n-th interval moves the median by this share of itself over n: about the best
/// gain for intervals spread ±20% about their median.
const PERIOD_STEP: f64 = 0.2;
/// ...and at least this share: a rate changed is followed within a few hundred samples.
const PERIOD_STEP_LEAST: f64 = 0.0005;

impl SamplingPeriod {
    fn push(&mut self, dt: f64) {
        if self.seen < PERIOD_WARMUP {
            self.first[self.seen] = dt;
            self.seen += 1;
            let mut sorted = self.first;
            sorted[..self.seen].sort_by(f64::total_cmp);
            self.median = sorted[self.seen / 2];
            return;
        }
        // (The gain reaches its least after PERIOD_STEP / PERIOD_STEP_LEAST intervals:
        // no division per sample from then on.)
        let step = if (self.seen as f64) < PERIOD_STEP / PERIOD_STEP_LEAST {
            self.seen += 1;
            PERIOD_STEP / self.seen as f64
        } else {
            PERIOD_STEP_LEAST
        };
        if dt > self.median {
            self.median *= 1.0 + step;
        } else if dt < self.median {
            self.median *= 1.0 - step;
        }
    }

    /// The period (ms), 0 before two samples.
    pub(super) fn ms(&self) -> f64 {
        self.median
    }
}

/// What the second stage needs of the raw noise: whether it is known yet, and its σ.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Noise {
    pub(super) settled: bool,
    pub(super) sigma: f32,
}

impl Noise {
    fn of(scale: &ChangeNoise) -> Self {
        Self {
            settled: scale.settled(),
            sigma: scale.sigma(),
        }
    }
}

/// One sample as the first stage hands it on: the sample, and its clear channel with the
/// mains flicker taken off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditioned {
    /// The sample as read (runs sum its raw channels).
    pub(super) sample: Sample,
    /// Its counts, the flicker taken off.
    pub(super) clean: f32,
    /// The mains flicker the room shows, once the lock-in has seen it
    /// ([`Flicker::mains_hz`]).
    pub(super) mains_hz: Option<f64>,
    /// How much flicker was taken off ([`Flicker::taken_off`]).
    pub(super) flicker_taken_off: f32,
}

/// What the first stage says of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Signal {
    /// The judged signal: the level, flicker removed, negated if reflective, and smoothed
    /// over the box when the box is used.
    pub(super) v: f32,
    /// The change of `raw` since the previous sample; `None` for the first.
    pub(super) delta: Option<f32>,
    /// The previous sample's time; `None` for the first.
    pub(super) prev_t: Option<f64>,
    /// A gap before this sample that, with the box around it, could hide a run.
    pub(super) hiding_gap_ms: Option<f64>,
    /// Everything before this sample is void (a gap that could hide a whole off time).
    pub(super) void: bool,
    /// The typical interval, this sample included.
    pub(super) dt_ms: f64,
    /// The sensor's sampling period ([`SamplingPeriod`]), this sample included.
    pub(super) period_ms: f64,
    pub(super) noise: Noise,
    /// The envelope's (highest, lowest) before this sample, and with it.
    pub(super) envelope_before: Option<(f32, f32)>,
    pub(super) envelope: (f32, f32),
}

/// The first stage's first half: which samples the stream takes, and the mains flicker
/// taken off them (the lock-in, most of the first stage's work). It can run on a thread
/// of its own ([`Watch::detach_conditioner`](crate::observe::Watch::detach_conditioner)).
#[derive(Debug, Clone)]
pub struct Conditioner {
    polarity: Polarity,
    flicker: Flicker,
    prev_t: Option<f64>,
}

impl Conditioner {
    pub(super) fn new(polarity: Polarity) -> Self {
        Self {
            polarity,
            flicker: Flicker::new(polarity == Polarity::Reflective),
            prev_t: None,
        }
    }

    /// `s` conditioned, or `None` if the stream ignores it (not finite, or older than the
    /// newest sample: the stream needs time order).
    // (Inlined into the stream's push, and the sample left where it is: a value built
    // and returned through memory is stored in parts and read back whole, which the
    // store buffer cannot forward.)
    #[inline(always)]
    pub fn condition(&mut self, s: &Sample) -> Option<Conditioned> {
        if !s.t_ms.is_finite() || ![s.r, s.g, s.b, s.c].iter().all(|v| v.is_finite()) {
            return None;
        }
        if let Some(prev) = self.prev_t {
            if s.t_ms < prev {
                return None;
            }
            if is_void(prev, s.t_ms) {
                *self = Self::new(self.polarity);
            }
        }
        self.prev_t = Some(s.t_ms);
        // The mains flicker is taken off first (`flicker.rs`), at every rate: what a
        // smoothing box of 20 ms leaves of it (an eighth of a 120 Hz flicker, and more where
        // samples are jittered or lost) can be as large as a dim LED.
        let clean = self.flicker.clean(s.t_ms, s.c);
        Some(Conditioned {
            sample: *s,
            clean,
            mains_hz: self.flicker.mains_hz(),
            flicker_taken_off: self.flicker.taken_off() as f32,
        })
    }
}

/// A gap from `prev` to `t_ms` that could hide a whole off time: everything before is void.
fn is_void(prev: f64, t_ms: f64) -> bool {
    t_ms - prev > VOID_GAP_MS
}

/// The first stage's second half: the cleaned counts shaped into the judged signal
/// (module docs, step 2, and the envelope and raw noise of step 3). Cheap: it runs
/// beside the segmenter, on the thread that judges.
#[derive(Debug, Clone)]
pub(super) struct Shaper {
    polarity: Polarity,
    max_gap_ms: f64,
    slowest_period_ms: f64,
    prev_t: Option<f64>,
    dt_ms: f64,
    period: SamplingPeriod,
    prev_raw: f32,
    noise: ChangeNoise,
    smooth: VecDeque<(f64, f32)>,
    smooth_sum: f64,
    envelope: Extremes,
}

impl Shaper {
    pub(super) fn new(polarity: Polarity, max_gap_ms: f64, slowest_period_ms: f64) -> Self {
        Self {
            polarity,
            max_gap_ms,
            slowest_period_ms,
            prev_t: None,
            dt_ms: 0.0,
            period: SamplingPeriod::default(),
            prev_raw: 0.0,
            noise: ChangeNoise::default(),
            smooth: VecDeque::new(),
            smooth_sum: 0.0,
            envelope: Extremes::new(ENVELOPE_PERIODS * slowest_period_ms),
        }
    }

    /// Forget every sample.
    fn clear(&mut self) {
        *self = Self::new(self.polarity, self.max_gap_ms, self.slowest_period_ms);
    }

    /// What the sample `c` (taken by the [`Conditioner`], in time order) says.
    #[inline(always)]
    pub(super) fn signal(&mut self, c: &Conditioned) -> Signal {
        let t_ms = c.sample.t_ms;
        let void = self.prev_t.is_some_and(|prev| is_void(prev, t_ms));
        if void {
            self.clear();
        }
        let box_before = box_ms(self.dt_ms);
        let raw = match self.polarity {
            Polarity::Emissive => c.clean,
            Polarity::Reflective => -c.clean,
        };
        let mut delta = None;
        let mut hiding_gap_ms = None;
        if let Some(prev) = self.prev_t {
            let dt = t_ms - prev;
            // A gap and the smoothing box around it together can hide a run as long as
            // both: the run it falls in remembers such a gap.
            if dt > self.max_gap_ms - box_before {
                hiding_gap_ms = Some(dt);
            }
            if dt <= self.max_gap_ms {
                self.dt_ms = if self.dt_ms == 0.0 {
                    dt
                } else {
                    self.dt_ms + DT_WEIGHT * (dt - self.dt_ms)
                };
                self.period.push(dt);
            }
            let change = raw - self.prev_raw;
            delta = Some(change);
            self.noise.push(change);
        }
        let prev_t = self.prev_t;
        self.prev_t = Some(t_ms);
        self.prev_raw = raw;
        let v = self.smoothed(t_ms, raw);
        let envelope_before = self.envelope.max().zip(self.envelope.min());
        self.envelope.push(t_ms, v);
        let envelope = (
            self.envelope.max().unwrap_or(v),
            self.envelope.min().unwrap_or(v),
        );
        Signal {
            v,
            delta,
            prev_t,
            hiding_gap_ms,
            void,
            dt_ms: self.dt_ms,
            period_ms: self.period.ms(),
            noise: Noise::of(&self.noise),
            envelope_before,
            envelope,
        }
    }

    /// The trailing-box average of the signal (or the raw value for slow sensors).
    fn smoothed(&mut self, t_ms: f64, raw: f32) -> f32 {
        if box_ms(self.dt_ms) == 0.0 {
            self.smooth.clear();
            self.smooth_sum = 0.0;
            return raw;
        }
        self.smooth.push_back((t_ms, raw));
        self.smooth_sum += f64::from(raw);
        while self
            .smooth
            .front()
            .is_some_and(|&(t, _)| t <= t_ms - SMOOTH_MS)
        {
            let (_, old) = self.smooth.pop_front().expect("checked");
            self.smooth_sum -= f64::from(old);
        }
        (self.smooth_sum / self.smooth.len() as f64) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::testgen::uniform;

    #[test]
    fn the_sampling_period_is_the_median_interval_whatever_is_lost() {
        // 125 Hz, stamps jittered ±1.7 ms around the sensor's instants, one read in 20
        // lost: the mean interval is 5% long; the median is moved only by the lost
        // reads' share of the intervals' spread (to the 0.526 quantile, 1.1% long).
        let mut next = uniform(3);
        let stamps: Vec<f64> = (0..500)
            .filter(|k| k % 20 != 3)
            .map(|k| 8.0 * f64::from(k) + 3.4 * (next() - 0.5))
            .collect();
        let mut period = SamplingPeriod::default();
        let intervals: Vec<f64> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
        for &dt in &intervals {
            period.push(dt);
        }
        let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
        assert!(mean > 8.3, "{mean}");
        assert!((period.ms() - 8.0).abs() < 0.12, "{}", period.ms());
    }
}
