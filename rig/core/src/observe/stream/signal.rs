//! The stream's first stage: samples turned into the judged signal (module docs, steps 1
//! and 2, and the envelope and raw noise of step 3). It knows nothing of runs or of the
//! light's state, only the samples. It has two halves: the [`Conditioner`] picks the
//! samples the stream takes, averages them in blocks at high rates and takes the mains
//! flicker off each block (the lock-in, on each sample's own phases); the [`Shaper`]
//! smooths and measures what is left. The first can run ahead on a thread of its own:
//! `rig classify` conditions a file on one thread while it parses on another and the
//! watch shapes and segments on a third.

use std::collections::VecDeque;

use crate::hw::Sample;
use crate::observe::flicker::{Flicker, Logs, Phases};
use crate::observe::levels::{ChangeNoise, Extremes};
use crate::observe::runs::SampleBlock;
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

/// The typical interval `typical` (0: none yet) after an interval of `dt`.
fn follow(typical: f64, dt: f64) -> f64 {
    if typical == 0.0 {
        dt
    } else {
        typical + DT_WEIGHT * (dt - typical)
    }
}

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
        // (Without branches: an interval is above or below the median at random.)
        let towards = f64::from(u8::from(dt > self.median)) - f64::from(u8::from(dt < self.median));
        self.median *= 1.0 + step * towards;
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

/// One block of samples as the first stage's first half hands it on (see
/// [`Conditioner`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditioned {
    /// The block: its mean sample (mean time, mean channels) and tops.
    pub(super) block: SampleBlock,
    /// Its mean counts, the flicker taken off.
    pub(super) clean: f32,
    /// The mains flicker the room shows, once the lock-in has seen it
    /// ([`Flicker::mains_hz`]).
    pub(super) mains_hz: Option<f64>,
    /// How much flicker was taken off ([`Flicker::taken_off`]).
    pub(super) flicker_taken_off: f32,
    /// Whether the lock-in had settled ([`Flicker::settled`]).
    pub(super) flicker_settled: bool,
    /// The sensor's sampling period ([`SamplingPeriod`], of the samples themselves).
    pub(super) period_ms: f64,
    /// The time from the last sample of the block before to the first of this one:
    /// what no sample saw. `None` for the first block.
    pub(super) gap_before_ms: Option<f64>,
}

/// A block spans about this long (ms): a sensor that reads twice or more in it has its
/// samples averaged in blocks of as many (see [`Conditioner`]).
pub(crate) const BLOCK_MS: f64 = 4.0;
/// A block never spans more than this (ms) from its first sample to its last: a gap
/// ends one.
const BLOCK_SPAN_MS: f64 = 2.0 * BLOCK_MS;
/// The most samples one block averages.
const BLOCK_MOST: u32 = 8;

/// What the first stage says of one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Signal {
    /// The judged signal: the level, flicker removed, negated if reflective, and smoothed
    /// over the box when the box is used.
    pub(super) v: f32,
    /// The change of `raw` since the previous block; `None` for the first.
    pub(super) delta: Option<f32>,
    /// The previous block's time; `None` for the first.
    pub(super) prev_t: Option<f64>,
    /// A gap before this block that, with the box around it, could hide a run.
    pub(super) hiding_gap_ms: Option<f64>,
    /// Everything before this block is void (a gap that could hide a whole off time).
    pub(super) void: bool,
    /// The typical interval between blocks, this one included.
    pub(super) dt_ms: f64,
    pub(super) noise: Noise,
    /// The envelope's (highest, lowest) before this block, and with it.
    pub(super) envelope_before: Option<(f32, f32)>,
    pub(super) envelope: (f32, f32),
}

/// Samples gathered into one block: their sums and tops.
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    t_sum: f64,
    sums: [f64; 4],
    tops: SampleBlock,
    logs: Logs,
    first_ms: f64,
    last_ms: f64,
}

impl Block {
    #[inline(always)]
    fn add(&mut self, s: &Sample) {
        if self.samples() == 0 {
            self.first_ms = s.t_ms;
        }
        self.tops.count(s);
        self.logs.gather(s.c);
        self.t_sum += s.t_ms;
        for (sum, v) in self.sums.iter_mut().zip([s.r, s.g, s.b, s.c]) {
            *sum += f64::from(v);
        }
        self.last_ms = s.t_ms;
    }

    /// The samples it holds.
    fn samples(&self) -> u32 {
        self.tops.samples()
    }

    /// The block as the stream takes it: the mean sample (at the mean time), and tops.
    fn taken(&self) -> SampleBlock {
        let n = f64::from(self.samples().max(1));
        let [r, g, b, c] = self.sums.map(|v| (v / n) as f32);
        self.tops.with_mean(Sample {
            t_ms: self.t_sum / n,
            r,
            g,
            b,
            c,
        })
    }
}

/// The first stage's first half: which samples the stream takes, their blocks, and the
/// mains flicker taken off them (the lock-in). It can run on a thread of its own
/// ([`Watch::detach_conditioner`](crate::observe::Watch::detach_conditioner)).
///
/// A sensor that reads twice or more every `BLOCK_MS` (500 Hz and up) has its samples
/// averaged in blocks of as many as its typical interval fits in it (two at 500 Hz, four
/// at 1 kHz): the stream then judges about 250 values a second whatever the rate, at
/// 1 kHz a quarter of the work. Nothing a light does is lost: the stream judges a 20 ms
/// box of the signal at such rates anyway (five blocks), and a cadence's shortest run is
/// about ten blocks. The mains flicker is fitted on the blocks exactly: the mean of a sinusoid
/// over a block's samples is `a·mean cos + b·mean sin` of their own phases, so each
/// sample's phase is gathered, jittered or not (`Phases::gather`), and a reflective
/// block's mean logarithm is its samples'. Each channel's top reading is kept
/// (`SampleBlock`): a clipped channel holds one exact top. A sample more than
/// `BLOCK_SPAN_MS` after a block's first (a gap) ends it early, and each block says how
/// long no sample saw before it: the gaps the runs remember are the samples' own. The
/// newest samples wait for their block to be whole (at most `BLOCK_MS`).
#[derive(Debug, Clone)]
pub struct Conditioner {
    polarity: Polarity,
    max_gap_ms: f64,
    flicker: Flicker,
    prev_t: Option<f64>,
    period: SamplingPeriod,
    /// The typical (mean) interval between samples.
    mean_dt_ms: f64,
    block: Block,
    /// The samples the block being gathered is to average.
    block_length: u32,
    phases: Phases,
    /// A second block the latest sample completed ([`Conditioner::second`]).
    second: Option<Conditioned>,
    /// The last sample of the latest block handed on.
    handed_last_ms: Option<f64>,
}

impl Conditioner {
    pub(super) fn new(polarity: Polarity, max_gap_ms: f64) -> Self {
        Self {
            polarity,
            max_gap_ms,
            flicker: Flicker::new(polarity == Polarity::Reflective),
            prev_t: None,
            period: SamplingPeriod::default(),
            mean_dt_ms: 0.0,
            block: Block::default(),
            block_length: 1,
            phases: Phases::default(),
            second: None,
            handed_last_ms: None,
        }
    }

    /// The samples a block begun now averages: as many as the typical interval fits in
    /// [`BLOCK_MS`] (the mean interval, not the sensor's period: the median of heavily
    /// jittered intervals reads short), at most [`BLOCK_MOST`].
    fn block_samples(&self) -> u32 {
        // (Most sensors read once a block: told without a division.)
        if self.mean_dt_ms > 0.0 && self.mean_dt_ms < BLOCK_MS / 1.5 {
            // (Rounded by adding a half: the library's `round` is a call here.)
            ((BLOCK_MS / self.mean_dt_ms + 0.5) as u32).clamp(1, BLOCK_MOST)
        } else {
            1
        }
    }

    /// `s` taken in, and the block it completes, conditioned, if it completes one. A
    /// sample is ignored if not finite, or older than the newest (the stream needs time
    /// order). A block is handed on once it holds its samples; a sample more than
    /// `BLOCK_SPAN_MS` after a block's first (a gap) ends it early and begins the next
    /// (the second of two blocks one sample completes waits in
    /// [`Conditioner::second`], to be taken at once).
    // (Inlined into the stream's push: a value built and returned through memory is
    // stored in parts and read back whole, which the store buffer cannot forward.)
    #[inline(always)]
    pub(super) fn condition(&mut self, s: &Sample) -> Option<Conditioned> {
        if !s.t_ms.is_finite() || ![s.r, s.g, s.b, s.c].iter().all(|v| v.is_finite()) {
            return None;
        }
        let mut ended = None;
        if let Some(prev) = self.prev_t {
            if s.t_ms < prev {
                return None;
            }
            if is_void(prev, s.t_ms) {
                // (What was gathered is forgotten with the rest; the stream learns of the
                // gap from the next block's.)
                let handed = self.handed_last_ms;
                *self = Self::new(self.polarity, self.max_gap_ms);
                self.handed_last_ms = handed;
            } else {
                let dt = s.t_ms - prev;
                if dt <= self.max_gap_ms {
                    self.period.push(dt);
                    self.mean_dt_ms = follow(self.mean_dt_ms, dt);
                }
                if self.block.samples() > 0 && s.t_ms - self.block.first_ms > BLOCK_SPAN_MS {
                    ended = Some(self.hand_on());
                }
            }
        }
        self.prev_t = Some(s.t_ms);
        if self.block.samples() == 0 {
            self.block_length = self.block_samples();
            if self.block_length == 1 {
                // A block of one sample: itself, without the sums (most sensors).
                let own = self.hand_on_one(s);
                return self.after(ended, own);
            }
        }
        self.block.add(s);
        self.phases.gather(s.t_ms, self.flicker.mains());
        if self.block.samples() < self.block_length {
            return ended;
        }
        let filled = self.hand_on();
        self.after(ended, filled)
    }

    /// `filled` handed on after the block a gap `ended`, if one did (which then goes
    /// first, `filled` waiting in [`Conditioner::second`]).
    #[inline(always)]
    fn after(&mut self, ended: Option<Conditioned>, filled: Conditioned) -> Option<Conditioned> {
        if ended.is_some() {
            self.second = Some(filled);
            return ended;
        }
        Some(filled)
    }

    /// Every sample of `samples` taken in, and the blocks they complete, conditioned,
    /// appended to `out` in order (for a first stage run on a thread of its own).
    pub fn condition_into(&mut self, samples: &[Sample], out: &mut Vec<Conditioned>) {
        for s in samples {
            if let Some(c) = self.condition(s) {
                out.push(c);
                out.extend(self.second());
            }
        }
    }

    /// The second block the latest sample completed, if it completed two.
    #[inline(always)]
    pub(super) fn second(&mut self) -> Option<Conditioned> {
        self.second.take()
    }

    /// `s` as a block of its own, conditioned.
    #[inline(always)]
    fn hand_on_one(&mut self, s: &Sample) -> Conditioned {
        let mut phases = Phases::default();
        phases.gather(s.t_ms, self.flicker.mains());
        let mut logs = Logs::default();
        logs.gather(s.c);
        let gap_before_ms = self.handed_last_ms.map(|last| s.t_ms - last);
        self.handed_last_ms = Some(s.t_ms);
        self.conditioned(SampleBlock::from(*s), &logs, &phases, gap_before_ms)
    }

    /// The block gathered, conditioned (and a new one begun).
    #[inline(always)]
    fn hand_on(&mut self) -> Conditioned {
        let block = std::mem::take(&mut self.block);
        let gap_before_ms = self.handed_last_ms.map(|last| block.first_ms - last);
        self.handed_last_ms = Some(block.last_ms);
        let phases = std::mem::take(&mut self.phases);
        self.conditioned(block.taken(), &block.logs, &phases, gap_before_ms)
    }

    /// A block as the stream takes it, the mains flicker taken off.
    #[inline(always)]
    fn conditioned(
        &mut self,
        block: SampleBlock,
        logs: &Logs,
        phases: &Phases,
        gap_before_ms: Option<f64>,
    ) -> Conditioned {
        // The mains flicker is taken off first (`flicker.rs`), at every rate: what a
        // smoothing box of 20 ms leaves of it (an eighth of a 120 Hz flicker, and more
        // where samples are jittered or lost) can be as large as a dim LED.
        let clean = self
            .flicker
            .clean_block(block.mean.t_ms, block.mean.c, logs, phases);
        Conditioned {
            block,
            clean,
            mains_hz: self.flicker.mains_hz(),
            flicker_taken_off: self.flicker.taken_off() as f32,
            flicker_settled: self.flicker.settled(),
            period_ms: self.period.ms(),
            gap_before_ms,
        }
    }
}

/// Whether a sensor sampling every `period_ms` reads twice or more every [`BLOCK_MS`]
/// (its samples are averaged in blocks).
fn blocking(period_ms: f64) -> bool {
    period_ms > 0.0 && period_ms <= 0.5 * BLOCK_MS
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
        let t_ms = c.block.mean.t_ms;
        let void = c.gap_before_ms.is_some_and(|gap| gap > VOID_GAP_MS);
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
        if let (Some(prev), Some(gap)) = (self.prev_t, c.gap_before_ms) {
            // A gap and the smoothing box around it together can hide a run as long as
            // both: the run it falls in remembers such a gap.
            if gap > self.max_gap_ms - box_before {
                hiding_gap_ms = Some(gap);
            }
            if gap <= self.max_gap_ms {
                self.dt_ms = follow(self.dt_ms, t_ms - prev);
            }
            // (Blocks' changes before the lock-in has settled carry the room's flicker
            // whole, and a noise figure from them would outlast it; a few of them pass in
            // a few tens of ms. A slower sensor's noise is read from its first changes,
            // or a short trace has none.)
            if c.flicker_settled || !blocking(c.period_ms) {
                let change = raw - self.prev_raw;
                delta = Some(change);
                self.noise.push(change);
            }
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
    use crate::observe::runs::RunStats;
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

    /// Every block a conditioner hands on for `samples`, in order.
    fn blocks_of(samples: &[Sample]) -> Vec<Conditioned> {
        let mut blocks = Vec::new();
        Conditioner::new(Polarity::Emissive, 40.0).condition_into(samples, &mut blocks);
        blocks
    }

    fn grey(t_ms: f64, c: f32) -> Sample {
        Sample {
            t_ms,
            r: c / 3.0,
            g: c / 3.0,
            b: c / 3.0,
            c,
        }
    }

    #[test]
    fn samples_are_averaged_in_blocks_only_where_two_or_more_fit() {
        // 1 kHz: blocks of four, each at its samples' mean time with their mean counts.
        let fast: Vec<Sample> = (0..400)
            .map(|k| grey(f64::from(k), f64::from(k % 4) as f32 * 10.0))
            .collect();
        let blocks = blocks_of(&fast);
        let settled = &blocks[20..];
        assert!(settled
            .windows(2)
            .all(|w| (w[1].block.mean.t_ms - w[0].block.mean.t_ms - 4.0).abs() < 1e-9));
        assert!(settled.iter().all(|b| b.block.mean.c == 15.0));
        assert!(settled.iter().all(|b| b.gap_before_ms == Some(1.0)));
        // 250 Hz: every sample is a block of its own, handed on as it comes.
        let slow: Vec<Sample> = (0..100).map(|k| grey(4.0 * f64::from(k), 7.0)).collect();
        let blocks = blocks_of(&slow);
        assert_eq!(blocks.len(), slow.len());
        assert!(blocks.iter().zip(&slow).all(|(b, s)| b.block.mean == *s));
    }

    #[test]
    fn a_gap_ends_a_block_and_each_block_says_what_no_sample_saw_before_it() {
        let mut samples: Vec<Sample> = (0..200).map(|k| grey(f64::from(k), 50.0)).collect();
        // A 30 ms stall after the 201st sample (at 200 ms), two samples into a block.
        samples.extend((0..100).map(|k| grey(230.0 + f64::from(k), 50.0)));
        let blocks = blocks_of(&samples);
        let gaps: Vec<f64> = blocks.iter().filter_map(|b| b.gap_before_ms).collect();
        assert_eq!(gaps.iter().filter(|&&g| g > 1.0).count(), 1, "{gaps:?}");
        let after = blocks
            .iter()
            .position(|b| b.gap_before_ms.is_some_and(|g| g > 1.0))
            .expect("the stall");
        // The block before it holds no sample after the stall, the one after none before.
        assert!(blocks[after - 1].block.mean.t_ms < 200.0);
        assert!(blocks[after].block.mean.t_ms >= 230.0);
        assert!((blocks[after].gap_before_ms.unwrap() - 31.0).abs() < 1e-9);
    }

    #[test]
    fn a_channel_clipped_in_some_samples_of_each_block_is_still_seen_clipped() {
        // A PWM pulse a short window catches whole clips green at 1024 every other
        // sample: no block's mean is at full scale, but the run's tops say it clipped.
        let samples: Vec<Sample> = (0..400)
            .map(|k| {
                let pulse = k % 2 == 0;
                // (The dark samples read a little noise: no block mean repeats.)
                let dark = (k % 7) as f32;
                Sample {
                    t_ms: f64::from(k),
                    r: if pulse { 300.0 } else { 3.0 + dark },
                    g: if pulse { 1024.0 } else { 10.0 + dark },
                    b: if pulse { 500.0 } else { 5.0 + dark },
                    c: if pulse { 1024.0 } else { 18.0 + dark },
                }
            })
            .collect();
        let mut run = RunStats::open(true, true, 0.0, 0.0);
        // (The first sample is a block of its own: no interval is known yet.)
        for b in blocks_of(&samples).iter().skip(1) {
            assert!(b.block.mean.g < 1024.0);
            run.add(&b.block, 0.0, f32::NEG_INFINITY);
        }
        assert_eq!(run.clipped(), [false, true, false]);
    }
}
