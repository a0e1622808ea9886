//! Runs: stretches of one state (unlit, or lit in one colour) as the stream accumulates
//! them ([`RunStats`], O(1) per sample), and as the cadence matcher reads them ([`Run`]).
//!
//! A run keeps sums, never samples: its raw r, g, b, c (for its colour and its level), how
//! many samples it holds, each colour channel's highest reading and how often it recurs
//! (clipping), and the longest gap in its samples (what a stall could hide).
//!
//! Colour is named when the run is read, from its mean chromaticity above a reference: the
//! calibrated dark level, else the mean of the unlit runs in view (the room light the LED
//! adds to), else nothing (one lit level and no calibration: the raw reading).
//!
//! Saturation: a channel whose highest reading recurs on most of the run's samples, or
//! recurs where another channel's does (one exact ceiling), or at a full-scale value
//! (65535, 32767, 1024 × n), is clipped there: its mean is only a lower bound, and the
//! run is named only if every value the bounds allow has the same name
//! ([`colour_within_bounds`]); otherwise it is lit in a colour the sensor cannot tell,
//! `On`, unless the light's runs that never clipped name it ([`RunStats::may_be_named`]
//! says whether the bounds allow their name; the judge pools them).

use crate::hw::Sample;
use crate::spec::Colour;

use super::colour::{
    colour_of, colour_of_diluted, colour_within_bounds, may_be_within_bounds, one_name,
};
use super::gaps::{Gaps, GapsInView};

/// A channel's highest value recurring this often in a run may be a clip level...
const CLIP_REPEATS: u32 = 3;
/// ...if it is at least this high (counts)...
const CLIP_MIN: f32 = 255.0;
/// Settled values a run's variance is told from: the variance of ten noisy values is
/// within a factor of two of the noise's nine times in ten.
const VARIANCE_MIN_VALUES: u32 = 10;
/// Pairs a run's lag correlation is told from: noise alone reads within ±0.1 of none
/// (a standard deviation of `1/√100`).
const LAG_MIN_PAIRS: u32 = 100;

/// Settled values a run paired with its own a lag before ([`RunStats::lag_correlation`]):
/// how many pairs, their lags summed, the earlier and the later values summed, and their
/// products.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct LagPairs {
    n: u32,
    lag_ms: f64,
    earlier: f64,
    later: f64,
    product: f64,
}

impl LagPairs {
    fn add(&mut self, lag_ms: f64, earlier: f32, later: f32) {
        self.n += 1;
        self.lag_ms += lag_ms;
        self.earlier += f64::from(earlier);
        self.later += f64::from(later);
        self.product += f64::from(earlier) * f64::from(later);
    }

    fn absorb(&mut self, next: &LagPairs) {
        self.n += next.n;
        self.lag_ms += next.lag_ms;
        self.earlier += next.earlier;
        self.later += next.later;
        self.product += next.product;
    }

    /// The pairs' covariance, once there are [`LAG_MIN_PAIRS`].
    fn covariance(&self) -> Option<f64> {
        (self.n >= LAG_MIN_PAIRS).then(|| {
            let n = f64::from(self.n);
            self.product / n - (self.earlier / n) * (self.later / n)
        })
    }

    fn mean_lag_ms(&self) -> f64 {
        self.lag_ms / f64::from(self.n.max(1))
    }
}

/// A block of samples as the stream takes it (one sample, or at high rates a few
/// averaged: see [`Conditioner`](super::stream::Conditioner)): their mean at their mean
/// time, and each channel's top reading among them, which a mean would hide (a clipped
/// channel holds one exact top, read on a run's samples, not on their means).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SampleBlock {
    pub(crate) mean: Sample,
    top: [Top; 4],
    /// The samples it averages.
    samples: u32,
}

impl SampleBlock {
    /// `s` counted in the block's tops (the mean is the gatherer's).
    #[inline(always)]
    pub(crate) fn count(&mut self, s: &Sample) {
        for (top, v) in self.top.iter_mut().zip([s.r, s.g, s.b, s.c]) {
            top.push(v);
        }
        self.samples += 1;
    }

    /// The samples it averages.
    pub(crate) fn samples(&self) -> u32 {
        self.samples
    }

    /// The same tops, with `mean` as the samples' mean.
    pub(crate) fn with_mean(self, mean: Sample) -> Self {
        Self { mean, ..self }
    }
}

impl From<Sample> for SampleBlock {
    fn from(s: Sample) -> Self {
        let mut block = SampleBlock {
            mean: s,
            ..SampleBlock::default()
        };
        block.count(&s);
        block
    }
}

/// One colour channel's top reading in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Top {
    max: f32,
    at_max: u32,
}

impl Top {
    #[inline(always)]
    fn push(&mut self, v: f32) {
        // (Without branches: a noisy channel's top moves unpredictably.)
        let above = v > self.max;
        self.at_max = if above {
            1
        } else {
            self.at_max + u32::from(v == self.max)
        };
        self.max = if above { v } else { self.max };
    }

    fn merge(&mut self, other: Top) {
        if other.max > self.max {
            *self = other;
        } else if other.max == self.max {
            self.at_max += other.at_max;
        }
    }

    fn full_scale(&self) -> bool {
        self.max == 65535.0
            || self.max == 32767.0
            || (self.max >= 1024.0 && self.max % 1024.0 == 0.0)
    }

    /// Held at its top: at a full-scale value, at a top another channel holds too
    /// (`shared`), or on most of the run's samples.
    fn held(&self, samples: u32, shared: bool) -> bool {
        self.at_max >= CLIP_REPEATS
            && self.max >= CLIP_MIN
            && (self.full_scale() || shared || 2 * self.at_max >= samples)
    }
}

/// What the stream knows of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RunStats {
    pub(crate) lit: bool,
    /// Begins at an edge the stream saw (else at the start of the evidence: whether it is
    /// lit is then judged from its level alone).
    pub(crate) edged: bool,
    /// Its edge was seen as a step (an LED switching), not a drift outlasting its limit.
    pub(crate) stepped: bool,
    pub(crate) start_ms: f64,
    pub(crate) start_slack_ms: f64,
    /// The edge that ended it, or its latest sample while open.
    pub(crate) end_ms: f64,
    pub(crate) end_slack_ms: f64,
    /// The blocks it holds (samples, or at high rates their means)...
    pub(crate) samples: u32,
    /// ...and the samples those average.
    read: u32,
    /// Raw r, g, b, c summed.
    pub(crate) sum: [f64; 4],
    /// The judged (smoothed) signal summed, and its highest and lowest value.
    pub(crate) sum_v: f64,
    top_v: f32,
    bottom_v: f32,
    /// The signal summed over samples a smoothing box after the run began (off its ramp),
    /// and their squares.
    settled_v: f64,
    settled_v2: f64,
    settled_n: u32,
    /// Settled values paired with the run's own half the fastest blink's period before,
    /// and with its own a whole period before.
    half_period_pairs: LagPairs,
    period_pairs: LagPairs,
    /// r, g, b and c.
    top: [Top; 4],
    /// The latest gaps in the samples long enough to hide a short run.
    gaps: Gaps,
    /// How often its settled signal turned back by a swing ([`Swings`]).
    pub(crate) swings: Swings,
    /// Its stretches of samples reading as a dark LED does ([`DarkDips`]).
    pub(crate) dips: DarkDips,
}

/// Samples in a row this many or more...
const DIP_SAMPLES: u32 = 3;
/// ...spanning this long (ms) or more, that read as a dark LED does, are a dip: an LED
/// held off for a blink's shortest dark time (a wink's or a flutter's 50 ms, less their
/// tolerance and the windows of the samples on its edges).
const DIP_MS: f64 = 15.0;

/// A run's dips to the dark: stretches of blocks in a row reading no brighter than a
/// dark LED does ([`DIP_SAMPLES`] or more, over [`DIP_MS`] or more). A lit LED dimmed by
/// PWM reads dark only where an integration window falls wholly in the PWM's off time,
/// which the shortest window (1 ms) and the longest off time (1.3 ms: 500 Hz at 35%
/// duty) leave a fraction of a millisecond of the PWM's phase: crossed within a sample,
/// or, beating slowly with the sample rate, only on samples read partly lit either side.
/// Blocks in a row that read dark are the LED off. (A beat that slow could still read
/// dark a few samples in a row, now and then: a steady light would then be no answer,
/// never another answer. Asking the blocks either side to read well lit, to tell such a
/// beat, lost the dips of dim LEDs whose dark's own noise crossed the bound.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DarkDips {
    /// The dark blocks in a row ending at the latest, the first's time and the latest's.
    streak: u32,
    streak_from_ms: f64,
    streak_to_ms: f64,
    /// When the latest dip seen whole ended (the block after it); `-∞` for none.
    ended_ms: f64,
}

impl Default for DarkDips {
    fn default() -> Self {
        Self {
            streak: 0,
            streak_from_ms: 0.0,
            streak_to_ms: 0.0,
            ended_ms: f64::NEG_INFINITY,
        }
    }
}

impl DarkDips {
    /// The next block, at `t_ms`, `dark` or not.
    #[inline(always)]
    fn push(&mut self, t_ms: f64, dark: bool) {
        if dark {
            if self.streak == 0 {
                self.streak_from_ms = t_ms;
            }
            self.streak += 1;
            self.streak_to_ms = t_ms;
        } else if self.streak > 0 {
            if self.streak >= DIP_SAMPLES && self.streak_to_ms - self.streak_from_ms >= DIP_MS {
                self.ended_ms = t_ms;
            }
            self.streak = 0;
        }
    }

    /// Whether a dip seen whole ended after `since_ms`.
    pub(crate) fn ended_since(&self, since_ms: f64) -> bool {
        self.ended_ms > since_ms
    }

    /// `next`'s blocks follow. (A streak across the two is judged by its part in
    /// `next` alone: a dip may be missed, never one made.)
    fn absorb(&mut self, next: &DarkDips) {
        *self = DarkDips {
            ended_ms: self.ended_ms.max(next.ended_ms),
            ..*next
        };
    }
}

/// Turns of a run's settled signal: each time it comes back from its furthest point by
/// at least the least a swing must be (a share of the band's contrast when seen, and
/// well above the noise: the stream's `least_swing`). A burst of flutter that a slow
/// display smears into one run turns twice a flutter period; a held level turns only
/// with noise far smaller than that, and a ramp not at all.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Swings {
    /// The furthest point since the last turn, and the way the signal went to it
    /// (`None` until it first moved by a swing: `low` and `high` bound it until then).
    furthest: f32,
    rising: Option<bool>,
    low: f32,
    high: f32,
    pub(crate) turns: u32,
}

impl Default for Swings {
    /// Nothing seen: `low` above `high`.
    fn default() -> Self {
        Self {
            furthest: 0.0,
            rising: None,
            low: f32::INFINITY,
            high: f32::NEG_INFINITY,
            turns: 0,
        }
    }
}

impl Swings {
    /// The next settled value `v`; `least` the least swing (infinite: none counts).
    fn push(&mut self, v: f32, least: f32) {
        match self.rising {
            None if self.low > self.high => (self.low, self.high) = (v, v),
            None => {
                self.low = self.low.min(v);
                self.high = self.high.max(v);
                if v - self.low >= least {
                    (self.rising, self.furthest) = (Some(true), v);
                } else if self.high - v >= least {
                    (self.rising, self.furthest) = (Some(false), v);
                }
            }
            Some(true) if self.furthest - v >= least => {
                (self.rising, self.furthest) = (Some(false), v);
                self.turns += 1;
            }
            Some(false) if v - self.furthest >= least => {
                (self.rising, self.furthest) = (Some(true), v);
                self.turns += 1;
            }
            Some(true) => self.furthest = self.furthest.max(v),
            Some(false) => self.furthest = self.furthest.min(v),
        }
    }
}

impl RunStats {
    pub(crate) fn open(lit: bool, edged: bool, start_ms: f64, start_slack_ms: f64) -> Self {
        Self {
            lit,
            edged,
            stepped: false,
            start_ms,
            start_slack_ms,
            end_ms: start_ms,
            end_slack_ms: 0.0,
            samples: 0,
            read: 0,
            sum: [0.0; 4],
            sum_v: 0.0,
            top_v: f32::NEG_INFINITY,
            bottom_v: f32::INFINITY,
            settled_v: 0.0,
            settled_v2: 0.0,
            settled_n: 0,
            half_period_pairs: LagPairs::default(),
            period_pairs: LagPairs::default(),
            top: [Top::default(); 4],
            gaps: Gaps::default(),
            swings: Swings::default(),
            dips: DarkDips::default(),
        }
    }

    /// A block whose judged value is `v`, read as dark at or below `dark_at`.
    pub(crate) fn add(&mut self, block: &SampleBlock, v: f32, dark_at: f32) {
        let s = &block.mean;
        self.dips.push(s.t_ms, v <= dark_at);
        self.samples += 1;
        self.read += block.samples;
        self.sum_v += f64::from(v);
        self.top_v = self.top_v.max(v);
        self.bottom_v = self.bottom_v.min(v);
        for (sum, v) in self.sum.iter_mut().zip([s.r, s.g, s.b, s.c]) {
            *sum += f64::from(v);
        }
        for (top, block_top) in self.top.iter_mut().zip(block.top) {
            top.merge(block_top);
        }
        self.end_ms = self.end_ms.max(s.t_ms);
    }

    /// A gap of `gap_ms` in the samples, ending at `end_ms`.
    pub(crate) fn note_gap(&mut self, end_ms: f64, gap_ms: f64) {
        self.gaps.note(end_ms, gap_ms);
    }

    /// Extend this run over `next` (the samples after it, in the same state after all).
    pub(crate) fn absorb(&mut self, next: &RunStats) {
        self.samples += next.samples;
        self.read += next.read;
        self.sum_v += next.sum_v;
        self.top_v = self.top_v.max(next.top_v);
        self.bottom_v = self.bottom_v.min(next.bottom_v);
        self.settled_v += next.settled_v;
        self.settled_v2 += next.settled_v2;
        self.settled_n += next.settled_n;
        self.half_period_pairs.absorb(&next.half_period_pairs);
        self.period_pairs.absorb(&next.period_pairs);
        for (a, b) in self.sum.iter_mut().zip(next.sum) {
            *a += b;
        }
        for (a, b) in self.top.iter_mut().zip(next.top) {
            a.merge(b);
        }
        self.gaps.absorb(&next.gaps);
        self.dips.absorb(&next.dips);
        // (The turns add up; where the next run's signal was heading goes on.)
        let turns = self.swings.turns + next.swings.turns;
        self.swings = Swings {
            turns,
            ..next.swings
        };
        self.end_ms = self.end_ms.max(next.end_ms);
        self.end_slack_ms = next.end_slack_ms;
    }

    pub(crate) fn duration_ms(&self) -> f64 {
        self.end_ms - self.start_ms
    }

    /// How many settled values the run has.
    pub(crate) fn settled_count(&self) -> u32 {
        self.settled_n
    }

    /// How far the judged signal ranged over the run.
    pub(crate) fn spread_v(&self) -> f32 {
        (self.top_v - self.bottom_v).max(0.0)
    }

    /// Mean of the judged signal over the run.
    pub(crate) fn level_mean(&self) -> Option<f32> {
        (self.samples > 0).then(|| (self.sum_v / f64::from(self.samples)) as f32)
    }

    /// Count `v` towards the run's settled level (it came a smoothing box after the run
    /// began: the box's ramp is behind it), and towards its swings: `least_swing` is the
    /// least a turn of the signal must come back by to count ([`Swings`]).
    pub(crate) fn add_settled(&mut self, v: f32, least_swing: f32) {
        self.settled_v += f64::from(v);
        self.settled_v2 += f64::from(v) * f64::from(v);
        self.settled_n += 1;
        self.swings.push(v, least_swing);
    }

    /// The variance of the settled values about their mean, once there are
    /// [`VARIANCE_MIN_VALUES`] of them (fewer scatter too widely by chance to say how
    /// steady the run was).
    pub(crate) fn settled_variance(&self) -> Option<f32> {
        (self.settled_n >= VARIANCE_MIN_VALUES).then(|| {
            let n = f64::from(self.settled_n);
            let mean = self.settled_v / n;
            ((self.settled_v2 / n - mean * mean).max(0.0) * n / (n - 1.0)) as f32
        })
    }

    /// Two settled values `lag_ms` apart, `earlier` first: about half the fastest blink's
    /// period (`whole`: false) or a whole one.
    pub(crate) fn add_lagged_pair(&mut self, whole: bool, lag_ms: f64, earlier: f32, later: f32) {
        let pairs = if whole {
            &mut self.period_pairs
        } else {
            &mut self.half_period_pairs
        };
        pairs.add(lag_ms, earlier, later);
    }

    /// How the settled values go with their own half the fastest blink's period before:
    /// their covariance over the run's variance, once [`LAG_MIN_PAIRS`] pairs are in.
    /// Noise goes with nothing (0, give or take `1/√pairs`); a flutter the band missed is
    /// at its other level then (a square wave -1, still below -0.6 at the ends of the
    /// table's tolerance on its period, less as noise dilutes it).
    pub(crate) fn lag_correlation(&self) -> Option<f32> {
        let variance = f64::from(self.settled_variance()?);
        let covariance = self.half_period_pairs.covariance()?;
        (variance > 0.0).then(|| (covariance / variance) as f32)
    }

    /// How much of the run's variance swings at the fastest blink's period: half the
    /// covariance a whole period apart less that half a period apart, over the variance,
    /// with the pairs' mean lags `(half, whole)`, once both have [`LAG_MIN_PAIRS`]. A
    /// flutter 1, a broken one (half its time flutter, half dark) over 0.6; noise 0, give
    /// or take `1/√pairs`; a drift or a slower blink less than 0 (it goes with itself
    /// less the further apart).
    pub(crate) fn blink_swing(&self) -> Option<(f32, (f64, f64))> {
        let variance = f64::from(self.settled_variance()?);
        let half = self.half_period_pairs.covariance()?;
        let whole = self.period_pairs.covariance()?;
        let lags = (
            self.half_period_pairs.mean_lag_ms(),
            self.period_pairs.mean_lag_ms(),
        );
        (variance > 0.0).then(|| ((0.5 * (whole - half) / variance) as f32, lags))
    }

    /// The level a smoothed run settled at: the mean off its ramp, or for a run shorter
    /// than a box, its highest value if lit, its lowest if not (the ramps at both ends
    /// would drag a mean towards the other level).
    pub(crate) fn plateau(&self) -> Option<f32> {
        if self.settled_n >= 2 {
            return Some((self.settled_v / f64::from(self.settled_n)) as f32);
        }
        (self.samples > 0).then_some(if self.lit { self.top_v } else { self.bottom_v })
    }

    /// Mean raw r, g, b, c.
    pub(crate) fn mean(&self) -> [f64; 4] {
        let n = f64::from(self.samples.max(1));
        let s = self.sum;
        [s[0] / n, s[1] / n, s[2] / n, s[3] / n]
    }

    /// The highest raw reading of the clear (or level) channel.
    pub(crate) fn top_clear(&self) -> f32 {
        self.top[3].max
    }

    /// The highest raw reading of each colour channel (r, g, b).
    pub(crate) fn top_rgb(&self) -> [f32; 3] {
        [self.top[0].max, self.top[1].max, self.top[2].max]
    }

    /// Which colour channels clipped: held at a full-scale value, or held at the highest
    /// reading of any channel (on most samples, or with another channel).
    pub(crate) fn clipped(&self) -> [bool; 3] {
        // The channels share one full scale: a channel below another's highest reading
        // cannot be clipped (a noise-free source holds every channel at its top).
        let highest = self.top.iter().map(|t| t.max).fold(f32::MIN, f32::max);
        // Two noisy channels recurring at one exact top are at that ceiling: a PWM pulse
        // caught whole by a short window clips, the samples between read dark, so the
        // top need not hold on most samples.
        let shared = |t: &Top| {
            self.top
                .iter()
                .filter(|o| o.max == t.max && o.at_max >= CLIP_REPEATS)
                .count()
                >= 2
        };
        let clipped =
            |t: &Top| t.held(self.read, shared(t)) && (t.full_scale() || t.max >= highest);
        // (Spelt out, as in `mean` and `colour`: asked of every run at every reading, and
        // an array `map` there did not inline.)
        [
            clipped(&self.top[0]),
            clipped(&self.top[1]),
            clipped(&self.top[2]),
        ]
    }

    /// The colour of this run if lit, with `reference` (r, g, b the light adds to)
    /// removed.
    #[cfg(test)]
    pub(crate) fn colour(&self, reads_colour: bool, reference: [f64; 3]) -> Colour {
        self.colour_clipped(reads_colour, reference, self.clipped())
    }

    /// [`Self::colour`], with its [`Self::clipped`] channels worked out already.
    fn colour_clipped(
        &self,
        reads_colour: bool,
        reference: [f64; 3],
        clipped: [bool; 3],
    ) -> Colour {
        if !self.lit {
            return Colour::Off;
        }
        if !reads_colour || self.samples == 0 {
            return Colour::On;
        }
        let m = self.mean();
        let rgb = [
            (m[0] - reference[0]) as f32,
            (m[1] - reference[1]) as f32,
            (m[2] - reference[2]) as f32,
        ];
        colour_within_bounds(rgb, clipped)
    }

    /// The colour of this run if lit, named above `reference` (see [`Reference`]).
    pub(crate) fn colour_against(&self, reads_colour: bool, reference: Reference) -> Colour {
        self.colour_against_clipped(reads_colour, reference, self.clipped())
    }

    /// [`Self::colour_against`], with its [`Self::clipped`] channels worked out already (a
    /// reading asks several questions of each run: the answer is worked out once).
    pub(crate) fn colour_against_clipped(
        &self,
        reads_colour: bool,
        reference: Reference,
        clipped: [bool; 3],
    ) -> Colour {
        let m = self.mean();
        match measured_under(m, reference) {
            Some(rgb) => self.colour_clipped(reads_colour, rgb, clipped),
            None if !self.lit || !reads_colour || self.samples == 0 => {
                self.colour_clipped(reads_colour, [0.0; 3], clipped)
            }
            None => colour_above_unknown_dark(m, clipped, false),
        }
    }

    /// Whether this lit run, some channels of which (`clipped`) read only lower bounds,
    /// may be `colour` above `reference`: some reading its bounds allow is named so (above
    /// every dark a shroud allows, where none was measured). A clipped run that
    /// [`Self::colour_against_clipped`] cannot name may still rule names out.
    pub(crate) fn may_be_named(
        &self,
        colour: Colour,
        reads_colour: bool,
        reference: Reference,
        clipped: [bool; 3],
    ) -> bool {
        if !self.lit || !reads_colour || self.samples == 0 {
            return false;
        }
        let m = self.mean();
        let rgb = |reference: [f32; 3]| {
            [
                m[0] as f32 - reference[0],
                m[1] as f32 - reference[1],
                m[2] as f32 - reference[2],
            ]
        };
        match measured_under(m, reference) {
            Some(dark) => may_be_within_bounds(rgb(dark.map(|v| v as f32)), clipped, colour),
            None => unknown_darks(m)
                .iter()
                .all(|&d| may_be_within_bounds(rgb(d), clipped, colour)),
        }
    }

    /// As [`Self::colour_against_clipped`] with nothing measured under it, for an unclipped
    /// lit level that held steady (its values' standard deviation within its noise): no
    /// blink's mean, for a blink swings by its whole light. Named as a diluted colour
    /// however faint (see [`DILUTED_LEAST_DARKS`]): only a blink's mean had to be bright
    /// to be named so.
    pub(crate) fn colour_of_a_steady_level(&self) -> Colour {
        colour_above_unknown_dark(self.mean(), [false; 3], true)
    }

    /// As the cadence matcher reads it; its gaps are those since `gaps_since_ms`.
    pub(crate) fn view(&self, colour: Colour, gaps_since_ms: f64) -> Run {
        let seen_from = self.start_ms.max(gaps_since_ms);
        Run {
            lit: self.lit,
            colour,
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            start_slack_ms: self.start_slack_ms,
            end_slack_ms: self.end_slack_ms,
            regular: true,
            samples: self.samples,
            gaps: self.gaps.in_view(seen_from, self.end_ms.max(seen_from)),
        }
    }
}

/// A lit reading `m` (mean raw r, g, b, c) named above a dark no one measured (a
/// shrouded sensor's: its offset, about even across channels, and leaked room light,
/// white, warm or cool; together at most
/// [`SHROUDED_DARK_MAX`](super::judge::SHROUDED_DARK_MAX) counts across r, g and b): only
/// if every such dark gives one name; otherwise lit in a colour the sensor cannot be
/// sure of, `On`. An unclipped reading that is a coloured light diluted by white (the
/// room's, where no shroud keeps it out: [`colour_of_diluted`] names the reading
/// otherwise than [`colour_of`]) is named above each dark as a diluted colour where it is
/// four times such a dark or more, or `held_steady` (no blink's mean).
fn colour_above_unknown_dark(m: [f64; 4], clipped: [bool; 3], held_steady: bool) -> Colour {
    let rgb = [m[0] as f32, m[1] as f32, m[2] as f32];
    // A reading more saturated than any white at a hue none has is a coloured light
    // with room light in it, whatever dark is under it (see `colour_of_diluted`):
    // where the reading is mostly light, [`DILUTED_LEAST_DARKS`] times as much as a
    // shroud lets in. (Fainter, the dark under it is much of it: a dim blue wink's
    // mean, too noisy to cut, names no colour of its own.)
    let diluted = clipped == [false; 3]
        && (held_steady || mostly_light(rgb))
        && colour_of_diluted(rgb[0], rgb[1], rgb[2]) != colour_of(rgb[0], rgb[1], rgb[2]);
    one_name(unknown_darks(m).iter().map(|d| {
        let above = [rgb[0] - d[0], rgb[1] - d[1], rgb[2] - d[2]];
        if diluted {
            colour_of_diluted(above[0], above[1], above[2])
        } else {
            colour_within_bounds(above, clipped)
        }
    }))
}

/// The r, g, b measured under a run reading `m` (mean raw r, g, b, c) that its colour is
/// named above: the calibrated dark, or the unlit runs' where the run stands clear
/// of them ([`stands_clear_of`]); `None` where nothing measured is under it.
fn measured_under(m: [f64; 4], reference: Reference) -> Option<[f64; 3]> {
    match reference {
        Reference::Dark(rgb) => Some(rgb),
        Reference::Unlit(rgb) if stands_clear_of(m, rgb) => Some(rgb),
        Reference::Unlit(_) | Reference::Unknown => None,
    }
}

/// The darks a shrouded sensor may read under a run reading `m` (mean raw r, g, b,
/// c): none, and [`SHROUDED_DARK_MAX`](super::judge::SHROUDED_DARK_MAX) counts of
/// even, warm or cool light, each channel at most what was read.
fn unknown_darks(m: [f64; 4]) -> [[f32; 3]; 4] {
    let total = super::judge::SHROUDED_DARK_MAX as f32;
    let rgb = [m[0] as f32, m[1] as f32, m[2] as f32];
    // A dark is at most what was read, channel by channel.
    let dark = |shares: [f32; 3]| {
        let mut d = [0.0f32; 3];
        for i in 0..3 {
            d[i] = (shares[i] * total).min(rgb[i].max(0.0));
        }
        d
    };
    [
        [0.0; 3],
        dark([1.0 / 3.0; 3]),
        dark(WARM_WHITE_SHARES),
        dark(COOL_WHITE_SHARES),
    ]
}

/// Whether a run reading `m` (mean raw r, g, b, c) stands clear enough above unlit runs
/// reading `unlit` to be named above them: by [`NAMED_ABOVE_UNLIT_LEAST`] (a run no
/// brighter is the same light cut at a false edge, its excess noise), or half that
/// where the unlit runs read more than a shrouded sensor's dark. The room light then
/// reaches the sensor, and no dark a shroud allows is under this light (named above one,
/// a dim green over halogen light read amber).
fn stands_clear_of(m: [f64; 4], unlit: [f64; 3]) -> bool {
    let above: f64 = (0..3).map(|i| m[i] - unlit[i]).sum();
    let room_reaches = unlit.iter().sum::<f64>() > super::judge::SHROUDED_DARK_MAX;
    let least = if room_reaches { 0.5 } else { 1.0 } * NAMED_ABOVE_UNLIT_LEAST;
    above >= least
}

/// The least a lit run must read above the unlit runs, across r, g and b, to be named
/// above them ([`stands_clear_of`]). Both are read in the same trace, so the room's drift
/// since a calibration and a sensor's offset do not come into it, as they do above a
/// `# dark:` line: what a false edge leaves is its run's excess noise, a few counts of a
/// mean. (At 20, a dim
/// amber wink whose runs stood 17 clear was `on`:
/// `a_faint_amber_blink_in_a_dim_room_is_named_above_the_unlit_runs`.)
const NAMED_ABOVE_UNLIT_LEAST: f64 = 12.0;

/// A reading with room light in it is named as a diluted colour
/// ([`colour_of_diluted`]) only where it reads this many times a shrouded sensor's dark
/// across r, g and b ([`mostly_light`]).
const DILUTED_LEAST_DARKS: f32 = 4.0;

/// Whether a reading `rgb` (no dark removed) is mostly light: [`DILUTED_LEAST_DARKS`]
/// times what a shroud lets in across r, g and b. Fainter, the dark under it (an offset
/// uneven across the channels, leaked room light) moves its proportions too far for its
/// saturation to say what light is in it.
pub(super) fn mostly_light(rgb: [f32; 3]) -> bool {
    rgb.iter().sum::<f32>() >= DILUTED_LEAST_DARKS * super::judge::SHROUDED_DARK_MAX as f32
}

/// How warm and cool white room light (phosphor lamps) divides between an RGB sensor's
/// r, g and b filters.
const WARM_WHITE_SHARES: [f32; 3] = [0.53, 0.37, 0.10];
const COOL_WHITE_SHARES: [f32; 3] = [0.24, 0.50, 0.26];

/// What a lit run's colour is named above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Reference {
    /// The calibrated dark r, g, b.
    Dark([f64; 3]),
    /// The unlit runs' mean r, g, b, by their samples (no calibration).
    Unlit([f64; 3]),
    /// Nothing measured: no calibration and no unlit run.
    Unknown,
}

/// A run as the cadence matcher reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Run {
    pub(crate) lit: bool,
    /// `Off` when unlit; `On` when lit and the sensor gives no colour (or saturated).
    pub(crate) colour: Colour,
    /// Edge times (ms). The first run of the evidence starts at its first sample and the
    /// last run ends at the latest sample: both are open (truncated) runs.
    pub(crate) start_ms: f64,
    pub(crate) end_ms: f64,
    /// How far each edge may be off.
    pub(crate) start_slack_ms: f64,
    pub(crate) end_slack_ms: f64,
    /// False for a grouped run whose inner runs do not fit (set by the cadence matcher).
    pub(crate) regular: bool,
    pub(crate) samples: u32,
    /// Gaps in its samples long enough to hide a short run, over the last settle time.
    pub(crate) gaps: GapsInView,
}

impl Run {
    /// A finished run (as the cadence matcher sees runs: supported by samples enough).
    #[cfg(test)]
    pub(crate) fn new(lit: bool, colour: Colour, start_ms: f64, end_ms: f64) -> Self {
        Self {
            lit,
            colour,
            start_ms,
            end_ms,
            start_slack_ms: 0.0,
            end_slack_ms: 0.0,
            regular: true,
            samples: 2,
            gaps: GapsInView::default(),
        }
    }

    pub(crate) fn duration_ms(&self) -> f64 {
        self.end_ms - self.start_ms
    }

    /// Uncertainty of the duration: both edges' slack.
    pub(crate) fn slack_ms(&self) -> f64 {
        self.start_slack_ms + self.end_slack_ms
    }

    pub(crate) fn sample_count(&self) -> u32 {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(t_ms: f64, r: f32, g: f32, b: f32) -> SampleBlock {
        SampleBlock::from(Sample {
            t_ms,
            r,
            g,
            b,
            c: r + g + b,
        })
    }

    #[test]
    fn a_run_is_named_from_its_mean_above_the_reference() {
        let mut run = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..10 {
            run.add(
                &rgb(f64::from(i), 120.0, 1000.0, 250.0),
                0.0,
                f32::NEG_INFINITY,
            );
        }
        assert_eq!(run.colour(true, [100.0, 100.0, 100.0]), Colour::Green);
        assert_eq!(run.colour(false, [0.0; 3]), Colour::On);
        run.lit = false;
        assert_eq!(run.colour(true, [0.0; 3]), Colour::Off);
    }

    #[test]
    fn a_channel_held_at_its_top_is_clipped_and_bounds_decide_the_name() {
        // Amber with red clipped at full scale: could be red, so lit in an unknown colour.
        let mut amber = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..10 {
            amber.add(
                &rgb(f64::from(i), 4096.0, 2200.0 + i as f32, 200.0),
                0.0,
                f32::NEG_INFINITY,
            );
        }
        assert_eq!(amber.clipped(), [true, false, false]);
        assert_eq!(amber.colour(true, [0.0; 3]), Colour::On);
        // Green with green clipped is still green.
        let mut green = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..10 {
            green.add(
                &rgb(f64::from(i), 300.0 + i as f32, 65535.0, 900.0 - i as f32),
                0.0,
                f32::NEG_INFINITY,
            );
        }
        assert_eq!(green.colour(true, [0.0; 3]), Colour::Green);
        // A noisy channel whose top recurs only now and then is not clipped.
        let mut noisy = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..40 {
            noisy.add(
                &rgb(f64::from(i), 500.0 + (i % 7) as f32, 60.0, 30.0),
                0.0,
                f32::NEG_INFINITY,
            );
        }
        assert_eq!(noisy.clipped(), [false, false, false]);
    }

    #[test]
    fn a_top_two_channels_hold_is_a_ceiling_however_few_samples_reach_it() {
        // A PWM-dimmed blue under a short window: two samples in five catch a whole pulse
        // and clip blue and clear at 547; the rest read nearly dark.
        let mut blue = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..25 {
            let s = if i % 5 < 2 {
                SampleBlock::from(Sample {
                    t_ms: f64::from(i),
                    r: 120.0 + (i % 3) as f32,
                    g: 400.0 + (i % 4) as f32,
                    b: 547.0,
                    c: 547.0,
                })
            } else {
                rgb(f64::from(i), 3.0, 5.0 + (i % 2) as f32, 8.0)
            };
            blue.add(&s, 0.0, f32::NEG_INFINITY);
        }
        assert_eq!(blue.clipped(), [false, false, true]);
        // One channel alone recurring at its top on a few samples is no ceiling.
        let mut red = RunStats::open(true, true, 0.0, 0.0);
        for i in 0..25 {
            let r = if i % 5 == 0 {
                600.0
            } else {
                590.0 - (i % 4) as f32
            };
            red.add(
                &rgb(f64::from(i), r, 40.0, 20.0 + (i % 3) as f32),
                0.0,
                f32::NEG_INFINITY,
            );
        }
        assert_eq!(red.clipped(), [false, false, false]);
    }

    #[test]
    fn swings_count_turns_back_by_the_least_swing_only() {
        let turns = |values: &[f32]| {
            let mut run = RunStats::open(true, true, 0.0, 0.0);
            for &v in values {
                run.add_settled(v, 10.0);
            }
            run.swings.turns
        };
        // A held level whose noise turns back by less: none.
        assert_eq!(turns(&[50.0, 54.0, 47.0, 53.0, 46.0, 52.0, 48.0]), 0);
        // A ramp: none, however far it goes.
        assert_eq!(turns(&[0.0, 8.0, 17.0, 30.0, 44.0, 60.0]), 0);
        // Back and forth by 20: a turn at each way back (the first move sets the way).
        assert_eq!(turns(&[0.0, 20.0, 0.0, 20.0, 0.0, 20.0]), 4);
        // Nothing counts before a band gives a least swing.
        let mut run = RunStats::open(true, true, 0.0, 0.0);
        for v in [0.0, 20.0, 0.0, 20.0] {
            run.add_settled(v, f32::INFINITY);
        }
        assert_eq!(run.swings.turns, 0);
    }

    #[test]
    fn absorbing_keeps_sums_tops_and_gaps() {
        let mut a = RunStats::open(false, true, 0.0, 1.0);
        a.add(&rgb(1.0, 1.0, 2.0, 3.0), 0.0, f32::NEG_INFINITY);
        let mut b = RunStats::open(false, true, 5.0, 1.0);
        b.add(&rgb(6.0, 3.0, 2.0, 1.0), 0.0, f32::NEG_INFINITY);
        b.note_gap(6.0, 45.0);
        b.end_slack_ms = 2.0;
        a.absorb(&b);
        assert_eq!(a.samples, 2);
        assert_eq!(a.mean(), [2.0, 2.0, 2.0, 6.0]);
        let gaps = |since| {
            let g = a.view(Colour::On, since).gaps;
            (g.count, g.longest_ms)
        };
        assert_eq!(gaps(0.0), (1, 45.0));
        assert_eq!(gaps(7.0), (0, 0.0));
        assert_eq!((a.end_ms, a.end_slack_ms), (6.0, 2.0));
    }
}
