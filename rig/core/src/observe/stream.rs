//! The stream: one sensor's samples turned into runs as they arrive, O(1) amortised work
//! per sample and bounded memory. [`super::Watch`] and [`super::Classifier::classify`]
//! both feed it, so a live watch and a recorded trace are judged by the same code.
//!
//! Per sample:
//! 1. **Time.** A sample older than the newest is ignored. A gap longer than
//!    `max_gap_ms` (the shortest run the table has, less its tolerance) could hide a
//!    short run: the run it falls in remembers it ([`RunStats::note_gap`]). A gap longer
//!    than [`VOID_GAP_MS`] could hide a flash's whole off time: everything before it is
//!    forgotten.
//! 2. **The signal** `v`: the clear (or level) channel, negated for a reflective indicator
//!    so that "lit" is always higher. When at least three samples fit in
//!    [`SMOOTH_MS`] (≥ 150 Hz) it is averaged over the trailing 20 ms: two periods of
//!    100 Hz mains flicker, 2.4 of 120 Hz, four or more of any PWM, while the shortest
//!    run (a flutter's 50 ms less 15%) still reaches its full level. Slower sensors are
//!    judged sample by sample: their own integration window is the only filter, so the
//!    mains flicker it passes is first fitted and taken off ([`super::flicker`]); every
//!    noise figure below is then of the cleaned signal.
//! 3. **Levels** ([`super::levels`]): the unlit level (the highest of the calibrated dark,
//!    the latest unlit runs' settled mean, and the light's level while it has been dark
//!    for a while; else the lowest value of the last two slowest periods), the lit level
//!    (the latest lit runs', else the envelope's highest), and the floor a lit level must
//!    clear: the noise of the smoothed signal (5σ between run levels, 7σ off an envelope),
//!    [`MIN_LIT_COUNTS`] (emissive) or [`MIN_DARKENING_COUNTS`] (reflective), and, given a
//!    dark level, what a drift of the room light since it was measured can add
//!    ([`DRIFT_SHARE`] of it). Levels read off an envelope must also clear 5% of the level
//!    and 1.5 × how far the light, dark, was seen to wander.
//! 4. **Edges.** Crossing the band (up past `on`, down past `off`) opens a *pending* edge;
//!    it is decided once the signal had time to finish the step (a smoothing box and a
//!    sample more) or when it crosses back. An LED switches within one sample (its step
//!    reaches the other level within one integration window), while flicker beating with
//!    the sample rate, or PWM beating with the integration window, moves the level
//!    gradually: an edge is accepted only if the signal moved at least [`SHARPNESS`] of
//!    the contrast between the two levels across that short span. A rejected crossing
//!    changes nothing (the light has not changed state).
//! 5. **Glitches.** A run shorter than `glitch_ms` (half the shortest allowed run) or
//!    resting on one sample, between two runs of the other state, is merged away: a spike,
//!    a PWM pulse a short window missed, a noisy sample beside a lost one.
//! 6. **Colour changes** (RGB, emissive): a lit run is cut where a new colour label (from
//!    the last [`LABEL_SAMPLES`] samples above the reference) has held
//!    [`COLOUR_HOLD_SAMPLES`] samples and [`COLOUR_HOLD_MS`].
//!
//! Edge times are placed from how lit the samples around the crossing are (a share `f` of
//! the contrast): on the smoothed signal the box ramps linearly across an edge, so the
//! edge is `f` of a box before a rising crossing; raw samples integrate a window as long
//! as the typical interval `W` before their timestamp, so a rising edge is
//! `W·(f_cur + f_prev)` before the first lit sample. Either way both edges of a run move
//! alike and durations stay unbiased. Half the gap across an edge is its slack.

use std::collections::VecDeque;

use crate::bench::DarkLevel;
use crate::hw::Sample;
use crate::spec::Colour;

use super::colour::colour_of;
use super::flicker::Flicker;
use super::levels::{Band, Extremes, NoiseScale, MIN_DARKENING_COUNTS, MIN_LIT_COUNTS};
use super::runs::RunStats;
use super::{Calibration, Polarity};

/// Width of the smoothing box, ms (two periods of 100 Hz mains ripple, 2.4 of 120 Hz).
pub(super) const SMOOTH_MS: f64 = 20.0;
/// Smooth when the box holds at least this many samples on average.
const SMOOTH_MIN_SAMPLES: f64 = 3.0;
/// A gap this long could hide a flash's off time: the evidence before it is void.
pub(super) const VOID_GAP_MS: f64 = 300.0;
/// An edge must move the signal this share of the contrast between its two levels within
/// a box and a sample and a half either side of its crossing.
const SHARPNESS: f32 = 0.5;
/// The room light can drift by this share of a calibrated dark level (lamps warming up,
/// people moving, a calibration error): a lit level must clear it.
pub(super) const DRIFT_SHARE: f32 = 0.06;
/// A reflective indicator's bare display flickers and drifts with the room light: a
/// darkening needs this share of the bare level before it can be an edge.
const REFLECTIVE_FLOOR_SHARE: f32 = 0.15;
/// A run begun at an edge is confirmed by this many settled values.
const CONFIRM_VALUES: u32 = 3;
/// Two levels read off an envelope must be this many times further apart than the light,
/// dark, was seen to wander over an envelope...
const DARK_SPREAD_FACTOR: f32 = 1.5;
/// ...and at least this share of the brighter apart.
const ENVELOPE_MIN_SHARE: f32 = 0.05;
/// Each run moves the level of its state this share of the way to its own.
const LEVEL_WEIGHT: f32 = 0.3;
/// The typical interval follows changes of rate with this weight per sample.
const DT_WEIGHT: f64 = 0.05;
/// Colour labels are named from the mean of this many latest lit samples...
const LABEL_SAMPLES: usize = 4;
/// ...and a new one must hold this many samples in a row...
const COLOUR_HOLD_SAMPLES: u32 = 3;
/// ...and this long (ms) before a lit run is cut at it.
const COLOUR_HOLD_MS: f64 = 30.0;
/// At most this many closed runs are kept, whatever the time they span.
const MAX_RUNS: usize = 4096;
/// The envelope spans this many slowest periods: both levels of any blink are in it.
const ENVELOPE_PERIODS: f64 = 2.0;

/// The higher of two levels, either of which may be unknown. (Written out: the band is
/// drawn on every sample, and an iterator chain over the options cost more than the rest
/// of it.)
fn max_known(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The levels a band is drawn between.
#[derive(Debug, Clone, Copy)]
struct Levels {
    lo: f32,
    hi: f32,
    /// The envelope's highest value.
    top: f32,
    lo_from_envelope: bool,
    hi_from_envelope: bool,
}

/// The stream's settings, from the classifier.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub calibration: Calibration,
    /// A gap longer than this can hide a run.
    pub max_gap_ms: f64,
    /// Runs shorter than this between two of the other state are glitches.
    pub glitch_ms: f64,
    /// Closed runs older than this before the newest sample are forgotten.
    pub retain_ms: f64,
    pub slowest_period_ms: f64,
    /// A drift lasting this long is a change of state all the same.
    pub drift_limit_ms: f64,
}

/// An edge crossed but not yet decided.
#[derive(Debug, Clone, Copy)]
struct Pending {
    rising: bool,
    edge_ms: f64,
    slack_ms: f64,
    /// The signal before the step began.
    pre_v: f32,
    /// How far it has gone since, in the edge's direction.
    extreme: f32,
    decide_at_ms: f64,
    contrast: f32,
    /// The samples since the crossing: the new run's if the edge is accepted.
    tail: RunStats,
}

/// Colour labels of the open lit run's latest samples.
#[derive(Debug, Clone, Copy, Default)]
struct Labels {
    recent: [[f64; 3]; LABEL_SAMPLES],
    len: usize,
    /// The label the run has held, once one has.
    held: Option<Colour>,
    /// The latest label and since when (first sample time, and the sums of its samples).
    streak: Option<Streak>,
}

#[derive(Debug, Clone, Copy)]
struct Streak {
    colour: Colour,
    count: u32,
    first_ms: f64,
    /// The sums of its samples (raw r, g, b, c, and v), to move them to a new run.
    sum: [f64; 4],
    sum_v: f64,
}

/// The per-sample machine (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Stream {
    settings: Settings,
    /// The dark level in signal units, if calibrated.
    anchor: Option<f32>,
    /// The reference r, g, b a lit colour is named above, if calibrated.
    dark_rgb: Option<[f64; 3]>,
    /// The mains flicker lock-in (sample-by-sample judging only).
    flicker: Flicker,
    prev_t: Option<f64>,
    dt_ms: f64,
    prev_raw: f32,
    prev_v: f32,
    noise: NoiseScale,
    /// The same over consecutive unlit samples: what a dark light's readings do.
    dark_noise: NoiseScale,
    prev_unlit: bool,
    smooth: VecDeque<(f64, f32)>,
    smooth_sum: f64,
    envelope: Extremes,
    /// The open run's settled values back to a box ago.
    settled: VecDeque<(f64, f32)>,
    /// The judged signal's scale of change between settled unlit values a box apart.
    dark_signal_noise: NoiseScale,
    /// The open run's latest values, not yet known to be off the next edge's ramp.
    unsettled: VecDeque<(f64, f32)>,
    /// Recent (t, v): what the signal was before a crossing.
    history: VecDeque<(f64, f32)>,
    lit: bool,
    /// Whether the open run has settled on its side of the band.
    confirmed: bool,
    /// How far the signal wandered over an envelope while the light was dark.
    dark_spread: f32,
    /// Whether a band has been seen yet (until then nothing is segmented).
    banded: bool,
    open: RunStats,
    pending: Option<Pending>,
    /// A crossing that was no step: the signal is on the other side, the state unchanged.
    drift: Option<Pending>,
    labels: Labels,
    /// Closed runs, oldest first.
    runs: VecDeque<RunStats>,
    lo_level: Option<f32>,
    hi_level: Option<f32>,
    /// The latest unlit run's mean raw r, g, b (a reference for colours without a
    /// calibration).
    unlit_rgb: Option<[f64; 3]>,
}

impl Stream {
    pub fn new(settings: Settings) -> Self {
        let cal = settings.calibration;
        let anchor = cal.dark.map(|d| {
            let level = match d {
                DarkLevel::Rgbc([_, _, _, c]) => c,
                DarkLevel::Level(l) => l,
            };
            match cal.polarity {
                Polarity::Emissive => level,
                Polarity::Reflective => -level,
            }
        });
        let dark_rgb = match (cal.dark, cal.polarity) {
            (Some(DarkLevel::Rgbc([r, g, b, _])), Polarity::Emissive) => {
                Some([f64::from(r), f64::from(g), f64::from(b)])
            }
            _ => None,
        };
        Self {
            settings,
            anchor,
            dark_rgb,
            flicker: Flicker::new(cal.polarity == Polarity::Reflective),
            prev_t: None,
            dt_ms: 0.0,
            prev_raw: 0.0,
            prev_v: 0.0,
            noise: NoiseScale::default(),
            dark_noise: NoiseScale::default(),
            prev_unlit: false,
            smooth: VecDeque::new(),
            smooth_sum: 0.0,
            envelope: Extremes::new(ENVELOPE_PERIODS * settings.slowest_period_ms),
            unsettled: VecDeque::new(),
            settled: VecDeque::new(),
            dark_signal_noise: NoiseScale::default(),
            history: VecDeque::new(),
            lit: false,
            confirmed: false,
            dark_spread: 0.0,
            banded: false,
            open: RunStats::open(false, false, 0.0, 0.0),
            pending: None,
            drift: None,
            labels: Labels::default(),
            runs: VecDeque::new(),
            lo_level: None,
            hi_level: None,
            unlit_rgb: None,
        }
    }

    /// Forget everything (a new stream with the same settings).
    pub fn clear(&mut self) {
        *self = Stream::new(self.settings);
    }

    /// The typical interval between samples (ms), 0 before two samples.
    pub fn interval_ms(&self) -> f64 {
        self.dt_ms
    }

    /// The noise σ of one raw sample of a dark light (of any sample until the stream has
    /// seen the light dark for a while).
    pub fn sigma(&self) -> f32 {
        if self.dark_noise.settled() {
            self.dark_noise.sigma()
        } else {
            self.noise.sigma()
        }
    }

    /// The time of the newest sample.
    pub fn newest_ms(&self) -> Option<f64> {
        self.prev_t
    }

    pub fn push(&mut self, s: &Sample) {
        if !s.t_ms.is_finite() || ![s.r, s.g, s.b, s.c].iter().all(|v| v.is_finite()) {
            return;
        }
        if self.prev_t.is_some_and(|prev| s.t_ms < prev) {
            return;
        }
        if self.prev_t.is_some_and(|prev| s.t_ms - prev > VOID_GAP_MS) {
            self.clear();
        }
        // Judged sample by sample, the aliased mains flicker is taken off first
        // (`flicker.rs`); a smoothing box holds whole flicker periods.
        let c = if self.box_ms() == 0.0 {
            self.flicker.clean(s.t_ms, s.c)
        } else {
            self.flicker.clear();
            s.c
        };
        let raw = match self.settings.calibration.polarity {
            Polarity::Emissive => c,
            Polarity::Reflective => -c,
        };
        // The raw change since the previous sample, where there is one to compare with.
        let mut delta = None;
        if let Some(prev) = self.prev_t {
            let dt = s.t_ms - prev;
            {
                if dt > self.settings.max_gap_ms {
                    self.open.note_gap(s.t_ms, dt);
                } else {
                    self.dt_ms = if self.dt_ms == 0.0 {
                        dt
                    } else {
                        self.dt_ms + DT_WEIGHT * (dt - self.dt_ms)
                    };
                }
                delta = Some(raw - self.prev_raw);
                self.noise.push(raw - self.prev_raw);
            }
        }
        let first = self.prev_t.is_none();
        let prev_t = self.prev_t.unwrap_or(s.t_ms);
        self.prev_t = Some(s.t_ms);
        self.prev_raw = raw;
        let v = self.smoothed(s.t_ms, raw);
        // How far a light that has been dark for a whole envelope wanders on its own.
        let dark_for_long = !self.lit
            && self.pending.is_none()
            && self.drift.is_none()
            && self.open.duration_ms() >= self.envelope_ms();
        if let (true, Some(hi), Some(lo)) =
            (dark_for_long, self.envelope.max(), self.envelope.min())
        {
            self.dark_spread = hi - lo;
        }
        self.envelope.push(s.t_ms, v);
        // (None stands in for a band that could not change this sample's fate.)
        let moot = self.band_is_moot(v);
        debug_assert!(!moot || self.band().is_none_or(|b| b.holds(v, self.lit)));
        let band = if moot { None } else { self.band() };
        if first {
            self.open = RunStats::open(false, false, s.t_ms, 0.0);
        }
        if let (false, Some(b)) = (self.banded, band) {
            // The first band: the first run is in whatever state the level says.
            self.banded = true;
            if !self.open.edged && self.runs.is_empty() {
                self.lit = v > b.on;
                self.open.lit = self.lit;
            }
        }
        self.step(s, v, prev_t, band);
        let unlit = !self.lit && self.pending.is_none() && self.drift.is_none();
        if let (true, true, Some(d)) = (unlit, self.prev_unlit, delta) {
            self.dark_noise.push(d);
        }
        self.prev_unlit = unlit;
        self.remember(s.t_ms, v);
        self.prev_v = v;
        self.prune(s.t_ms);
    }

    /// The trailing-box average of the signal (or the raw value for slow sensors).
    fn smoothed(&mut self, t_ms: f64, raw: f32) -> f32 {
        if self.box_ms() == 0.0 {
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

    fn envelope_ms(&self) -> f64 {
        ENVELOPE_PERIODS * self.settings.slowest_period_ms
    }

    /// Width of the smoothing box (0: raw samples).
    pub fn box_ms(&self) -> f64 {
        if self.dt_ms > 0.0 && self.dt_ms <= SMOOTH_MS / SMOOTH_MIN_SAMPLES {
            SMOOTH_MS
        } else {
            0.0
        }
    }

    /// Samples one smoothed value averages.
    fn per_box(&self) -> f32 {
        if self.box_ms() > 0.0 {
            (SMOOTH_MS / self.dt_ms) as f32
        } else {
            1.0
        }
    }

    /// The floor a lit level must clear above the unlit one (`envelope`: the levels are
    /// an envelope's extremes).
    fn floor(&self, envelope: bool) -> f32 {
        if !self.noise.settled() {
            return f32::INFINITY;
        }
        // The raw noise averaged over a box (a dark light's, between run levels; every
        // sample's, between an envelope's extremes: a steady lit light's shot noise is in
        // its envelope), or what the judged signal of a dark light was seen to do, if
        // more (flicker the box left, clustered samples).
        let raw = if envelope {
            self.noise.sigma().max(self.sigma())
        } else {
            self.sigma()
        };
        let mut sigma = raw / self.per_box().sqrt();
        if self.dark_signal_noise.settled() {
            sigma = sigma.max(self.dark_signal_noise.sigma());
        }
        let least = match self.settings.calibration.polarity {
            Polarity::Emissive => MIN_LIT_COUNTS,
            Polarity::Reflective => MIN_DARKENING_COUNTS,
        };
        let noise = Band::noise_floor(sigma, envelope).max(least);
        let anchored = match (self.anchor, self.settings.calibration.polarity) {
            (Some(d), Polarity::Emissive) => DRIFT_SHARE * d.max(0.0),
            (Some(d), Polarity::Reflective) => REFLECTIVE_FLOOR_SHARE * (-d).max(0.0),
            (None, _) => 0.0,
        };
        noise.max(anchored)
    }

    /// The lit/unlit band now. The unlit level is the calibrated dark level, or the latest
    /// unlit runs' if the room has brightened since (never below the calibration: flicker
    /// troughs taken for unlit runs must not widen the band), else the envelope's lowest
    /// value. The lit level is the latest lit runs', else the envelope's highest.
    fn band(&self) -> Option<Band> {
        let Levels {
            lo,
            hi,
            top,
            lo_from_envelope,
            hi_from_envelope,
        } = self.levels()?;
        let envelope = lo_from_envelope || hi_from_envelope;
        let mut floor = self.floor(envelope);
        if envelope {
            // Before runs prove two levels, a wiggle of a few percent of the level is the
            // level's own noise or drift, whatever the noise estimate says.
            floor = floor.max(ENVELOPE_MIN_SHARE * lo.abs().max(hi.abs()));
            // Nor may it be less than what this light, dark, was seen to wander by.
            floor = floor.max(DARK_SPREAD_FACTOR * self.dark_spread);
            // And the envelope must span two levels, or sit wholly above the unlit one: a
            // dark light reading a little above its calibration (the room brightened) is
            // one level, however its noise wanders.
            let bottom = self.envelope.min()?;
            if hi_from_envelope && top - bottom <= floor && bottom - lo <= floor {
                return None;
            }
        }
        if !floor.is_finite() {
            return None;
        }
        Band::new(lo, hi, floor)
    }

    /// The unlit and lit levels the band is drawn between (see [`Self::band`]).
    fn levels(&self) -> Option<Levels> {
        let top = self.envelope.max()?;
        // The light dark right now shows where dark is, whatever was learnt before.
        // (A dark that has held for a drift limit: not the short off time of a blink.)
        let dark_now = (!self.lit
            && self.open.settled_count() >= CONFIRM_VALUES
            && self.open.duration_ms() >= self.settings.drift_limit_ms)
            .then(|| self.open.plateau())
            .flatten();
        let lo = max_known(max_known(self.anchor, self.lo_level), dark_now);
        let lo_from_envelope = lo.is_none();
        let lo = lo.or_else(|| self.envelope.min())?;
        // A lit level the envelope no longer reaches is stale (the light dimmed or went
        // dark): the envelope's top stands in, and it must then clear the stricter floor
        // (two seconds of noise alone have a top).
        let (hi, hi_from_envelope) = match self.hi_level {
            Some(h) if h <= top => (h, false),
            _ => (top, true),
        };
        Some(Levels {
            lo,
            hi,
            top,
            lo_from_envelope,
            hi_from_envelope,
        })
    }

    /// Whether the band cannot change what sample `v` does, so [`Self::band`] (its floor
    /// is most of the work per sample) need not be drawn: the first band has been seen, no
    /// edge is pending or drifting, the open run needs no confirming, and `v` is on the
    /// open run's side of every band the levels allow, whatever the floor.
    fn band_is_moot(&self, v: f32) -> bool {
        let quiet = self.banded
            && self.pending.is_none()
            && self.drift.is_none()
            && (self.confirmed || !self.open.edged);
        quiet
            && self
                .levels()
                .is_some_and(|l| Band::holds_for_any_floor(l.lo, l.hi, v, self.lit))
    }

    /// One sample through the segmenter.
    fn step(&mut self, s: &Sample, v: f32, prev_t: f64, band: Option<Band>) {
        if let Some(p) = &mut self.pending {
            p.tail.add(s, v);
            p.extreme = if p.rising {
                p.extreme.max(v)
            } else {
                p.extreme.min(v)
            };
            let back = band.is_some_and(|b| if p.rising { v < b.off } else { v > b.on });
            if s.t_ms >= p.decide_at_ms || back {
                self.decide();
            }
            return;
        }
        if let Some(d) = &mut self.drift {
            // The signal went to the other side without a step: it comes back to the
            // light's side (a step back proves it had changed), or stays long enough to
            // be believed.
            d.tail.add(s, v);
            let returned = band.filter(|b| if self.lit { v > b.on } else { v < b.off });
            if let Some(b) = returned {
                self.pending = Some(self.crossing(s, v, prev_t, self.lit, &b));
            } else if s.t_ms - d.edge_ms > self.settings.drift_limit_ms {
                // Long enough to be a change if it sits clearly on the other side (its
                // mean past the band's middle); a wander about a threshold is none.
                let d = self.drift.take().expect("checked");
                let middle = band.map(|b| b.lo + 0.5 * b.contrast);
                let level = d.tail.level_mean();
                let changed = match (middle, level) {
                    (Some(m), Some(l)) => (l > m) == d.rising,
                    _ => false,
                };
                if changed {
                    self.accept(d);
                } else {
                    self.open.absorb(&d.tail);
                }
            }
            return;
        }
        let crossed = band.filter(|b| if self.lit { v < b.off } else { v > b.on });
        let Some(b) = crossed else {
            self.open.add(s, v);
            self.settle(s.t_ms, v);
            self.confirm(band);
            if self.lit {
                self.label(s, v);
            }
            return;
        };
        self.pending = Some(self.crossing(s, v, prev_t, !self.lit, &b));
    }

    /// A run that began at an edge must settle clearly on its side of the band's middle;
    /// one that does not was a spike the edge test took for a step (noise that happened to
    /// be sharp), and is merged back into the run before it.
    fn confirm(&mut self, band: Option<Band>) {
        if self.confirmed || !self.open.edged || self.open.settled_count() < CONFIRM_VALUES {
            return;
        }
        let (Some(b), Some(level)) = (band, self.open.plateau()) else {
            return;
        };
        self.confirmed = true;
        let middle = b.lo + 0.5 * b.contrast;
        if (level > middle) == self.open.lit {
            return;
        }
        self.merge_back(None);
    }

    /// The open run (and `tail`, samples after it) was no change of state: merge it into
    /// the run before it, which goes on (confirmed: it was one already).
    fn merge_back(&mut self, tail: Option<&RunStats>) {
        let Some(mut prev) = self.runs.pop_back() else {
            return;
        };
        prev.absorb(&self.open);
        if let Some(t) = tail {
            prev.absorb(t);
        }
        self.lit = prev.lit;
        self.open = prev;
        self.confirmed = true;
        self.labels = Labels::default();
        self.settled.clear();
        self.unsettled.clear();
    }

    /// Count a value towards the open run's level once it is off both edges' ramps: a
    /// box (and the sample that straddled the edge) after the run began, and a box before
    /// any crossing that ends it (values wait in `unsettled` until then).
    fn settle(&mut self, t_ms: f64, v: f32) {
        let guard = self.box_ms() + 1.5 * self.dt_ms;
        if t_ms >= self.open.start_ms + guard - self.dt_ms {
            self.unsettled.push_back((t_ms, v));
        }
        while let Some(&(t, v)) = self.unsettled.front() {
            if t > t_ms - guard && self.unsettled.len() <= 256 {
                break;
            }
            self.open.add_settled(v);
            self.unsettled.pop_front();
            // The settled signal's own scale of change, between values a box apart
            // (independent boxes): what noise and flicker do to the judged signal.
            self.settled.push_back((t, v));
            let lag_ms = self.box_ms().max(self.dt_ms);
            while self.settled.len() > 2 && self.settled[1].0 <= t - lag_ms
                || self.settled.len() > 1024
            {
                self.settled.pop_front();
            }
            if let Some(&(_, v0)) = self.settled.front().filter(|&&(t0, _)| t0 <= t - lag_ms) {
                // Only an unlit run between edges is known to be dark (before the first
                // edge the level may be anything, a blink included).
                if !self.open.lit && self.open.edged {
                    self.dark_signal_noise.push(v - v0);
                }
            }
        }
    }

    /// A crossing of the band at sample `s`: an edge to decide.
    fn crossing(&self, s: &Sample, v: f32, prev_t: f64, rising: bool, b: &Band) -> Pending {
        let (edge_ms, slack_ms) = self.edge_at(s.t_ms, prev_t, v, rising, b);
        let mut tail = RunStats::open(rising, true, edge_ms, slack_ms);
        tail.add(s, v);
        let box_ms = self.box_ms();
        // How far the signal was on the old side just before: the plateau of a real step,
        // the peak of a short pulse, but only the slope's top of a slow drift. Raw samples
        // integrate a window: the one before the crossing may straddle the edge.
        let pre_gap = box_ms + 2.5 * self.dt_ms;
        let recent = self
            .history
            .iter()
            .rev()
            .take_while(|&&(t, _)| t >= s.t_ms - pre_gap)
            .map(|&(_, v)| v);
        let pre_v = if rising {
            recent.fold(self.prev_v, f32::min)
        } else {
            recent.fold(self.prev_v, f32::max)
        };
        Pending {
            rising,
            edge_ms,
            slack_ms,
            pre_v,
            extreme: v,
            decide_at_ms: s.t_ms + box_ms + 1.5 * self.dt_ms,
            contrast: b.contrast,
            tail,
        }
    }

    /// Where the light turned on (`rising`) or off, between the previous sample and this
    /// one (see the module docs), and how uncertain that is.
    fn edge_at(&self, t_ms: f64, prev_t: f64, v: f32, rising: bool, b: &Band) -> (f64, f64) {
        let box_ms = self.box_ms();
        let (f_cur, f_prev) = (b.share(v), b.share(self.prev_v));
        let w = self.dt_ms;
        let at = if box_ms > 0.0 {
            if rising {
                t_ms - f_cur * box_ms
            } else {
                t_ms - (1.0 - f_cur) * box_ms
            }
        } else if rising {
            t_ms - w * (f_cur + f_prev)
        } else {
            prev_t - w + w * (f_prev + f_cur)
        };
        let lo = self.open.start_ms.max(prev_t - w - box_ms);
        if t_ms - prev_t > self.settings.max_gap_ms {
            // The edge is somewhere in a gap that could hide a run: its middle, give or
            // take half of it.
            let mid = 0.5 * (prev_t + t_ms);
            return (mid.max(lo), 0.5 * (t_ms - prev_t));
        }
        (at.clamp(lo, t_ms.max(lo)), 0.5 * (t_ms - prev_t))
    }

    /// Decide the pending edge: a step, or a drift (see the module docs).
    fn decide(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        let moved = if p.rising {
            p.extreme - p.pre_v
        } else {
            p.pre_v - p.extreme
        };
        let sharp = moved >= SHARPNESS * p.contrast;
        let middle = self.band().map(|b| b.lo + 0.5 * b.contrast);
        let never_crossed_middle = match (middle, self.open.level_mean()) {
            (Some(m), Some(l)) => (l > m) != self.open.lit,
            _ => false,
        };
        let back_from_unconfirmed = !self.confirmed
            && self.open.edged
            && never_crossed_middle
            && self.runs.back().is_some_and(|r| r.lit == p.rising);
        match self.drift.take() {
            None if sharp => self.accept(p),
            // Back to the old state, gradually, before the new one settled: the edge that
            // began it was a sharp spike of noise, not a step.
            None if back_from_unconfirmed => self.merge_back(Some(&p.tail)),
            None => self.drift = Some(p),
            // A step back from a drift: the drift was a change after all.
            Some(d) if sharp => {
                self.accept(d);
                self.accept(p);
            }
            Some(d) => {
                self.open.absorb(&d.tail);
                self.open.absorb(&p.tail);
            }
        }
    }

    /// The light changed state at `p`'s edge: close the open run (or merge it away as a
    /// glitch) and go on with the samples since.
    fn accept(&mut self, p: Pending) {
        self.confirmed = false;
        self.unsettled.clear();
        self.settled.clear();
        let mut closed = self.open;
        closed.end_ms = p.edge_ms.max(closed.start_ms);
        closed.end_slack_ms = p.slack_ms;
        let glitch = closed.edged
            && (closed.duration_ms() < self.settings.glitch_ms || closed.samples < 2)
            && self.runs.back().is_some_and(|r| r.lit == p.rising);
        self.labels = Labels::default();
        if glitch {
            let mut prev = self.runs.pop_back().expect("checked");
            prev.absorb(&closed);
            prev.absorb(&p.tail);
            self.open = prev;
        } else {
            // Only a run with an edge at both ends shows one level (the first may mix);
            // each moves the level a share of the way, so one odd run cannot unsettle it.
            // A run teaches its state's level only if it sat clearly in that state (runs
            // cut from noise around a threshold would otherwise confirm that threshold).
            let band = self.band();
            let clear = |level: f32| {
                band.is_some_and(|b| {
                    if closed.lit {
                        level >= b.on
                    } else {
                        level <= b.off
                    }
                })
            };
            let level = closed
                .plateau()
                .filter(|&l| closed.samples >= 3 && closed.edged && clear(l));
            if let Some(level) = level {
                let slot = if closed.lit {
                    &mut self.hi_level
                } else {
                    &mut self.lo_level
                };
                *slot = Some(slot.map_or(level, |old| old + LEVEL_WEIGHT * (level - old)));
            }
            if !closed.lit && closed.edged {
                let m = closed.mean();
                self.unlit_rgb = Some([m[0], m[1], m[2]]);
            }
            self.runs.push_back(closed);
            self.open = p.tail;
        }
        self.lit = p.rising;
    }

    /// A lit sample's colour label; cut the run where a new colour has held.
    fn label(&mut self, s: &Sample, v: f32) {
        if !self.settings.calibration.reads_colour() {
            return;
        }
        let reference = self.reference_rgb();
        let rgb = [
            f64::from(s.r) - reference[0],
            f64::from(s.g) - reference[1],
            f64::from(s.b) - reference[2],
        ];
        let l = &mut self.labels;
        l.recent[l.len % LABEL_SAMPLES] = rgb;
        l.len += 1;
        let k = l.len.min(LABEL_SAMPLES);
        let m = l.recent[..k]
            .iter()
            .fold([0.0f64; 3], |a, v| [a[0] + v[0], a[1] + v[1], a[2] + v[2]]);
        let label = colour_of(m[0] as f32, m[1] as f32, m[2] as f32);
        let raw = [s.r, s.g, s.b, s.c].map(f64::from);
        match &mut l.streak {
            Some(st) if st.colour == label => {
                st.count += 1;
                for (a, b) in st.sum.iter_mut().zip(raw) {
                    *a += b;
                }
                st.sum_v += f64::from(v);
            }
            _ => {
                l.streak = Some(Streak {
                    colour: label,
                    count: 1,
                    first_ms: s.t_ms,
                    sum: raw,
                    sum_v: f64::from(v),
                })
            }
        }
        let st = l.streak.expect("set above");
        let held = st.count >= COLOUR_HOLD_SAMPLES && s.t_ms - st.first_ms >= COLOUR_HOLD_MS;
        if !held || l.held == Some(label) {
            return;
        }
        if l.held.is_none() || st.count >= self.open.samples {
            l.held = Some(label);
            return;
        }
        // A new colour: the streak's samples start a new lit run.
        l.held = Some(label);
        let mut old = self.open;
        old.samples -= st.count;
        for (a, b) in old.sum.iter_mut().zip(st.sum) {
            *a -= b;
        }
        old.sum_v -= st.sum_v;
        old.end_ms = st.first_ms;
        old.end_slack_ms = 0.5 * self.dt_ms;
        let mut new = RunStats::open(true, true, st.first_ms, 0.5 * self.dt_ms);
        new.samples = st.count;
        new.sum = st.sum;
        new.sum_v = st.sum_v;
        new.end_ms = s.t_ms;
        self.runs.push_back(old);
        self.open = new;
    }

    /// What a lit colour is named above: the calibrated dark, else the latest unlit run,
    /// else nothing.
    pub fn reference_rgb(&self) -> [f64; 3] {
        self.dark_rgb.or(self.unlit_rgb).unwrap_or([0.0; 3])
    }

    fn remember(&mut self, t_ms: f64, v: f32) {
        self.history.push_back((t_ms, v));
        let keep_ms = 2.0 * self.box_ms() + 4.0 * self.dt_ms;
        while self.history.len() > 256
            || self
                .history
                .front()
                .is_some_and(|&(t, _)| t < t_ms - keep_ms)
        {
            self.history.pop_front();
        }
    }

    fn prune(&mut self, t_ms: f64) {
        let oldest = t_ms - self.settings.retain_ms;
        while self.runs.len() > MAX_RUNS || self.runs.front().is_some_and(|r| r.end_ms < oldest) {
            self.runs.pop_front();
        }
    }

    /// The closed runs (oldest first), the open run, and the pending edge's time if one
    /// is undecided (the evidence then ends there).
    pub fn runs(&self) -> (&VecDeque<RunStats>, &RunStats, Option<f64>) {
        (&self.runs, &self.open, self.pending.map(|p| p.edge_ms))
    }
}
