//! The stream: one sensor's samples turned into runs as they arrive, O(1) amortised work
//! per sample and bounded memory. [`super::Watch`] and [`super::Classifier::classify`]
//! both feed it, so a live watch and a recorded trace are judged by the same code.
//!
//! Per sample, or at 500 Hz and more per block of the samples read within 4 ms, averaged
//! ([`Conditioner`]; "sample" below is either):
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
//!    judged sample by sample: their own integration window is the only filter. At every
//!    rate the mains flicker is first fitted and taken off ([`super::flicker`]; the box
//!    leaves an eighth of a 120 Hz flicker's swing, more with jitter or lost samples);
//!    every noise figure below is then of the cleaned signal. One sample's noise is
//!    read off its changes, or off its changes of changes where those read far less: a
//!    slow display read at 100 Hz is on a ramp at every sample ([`ChangeNoise`]).
//! 3. **Levels** ([`super::levels`]): the unlit level (the highest of the calibrated
//!    dark, the latest unlit runs' settled mean, and the light's level while it has been
//!    dark for a while; else the lowest value of the last two slowest periods), the lit
//!    level (the latest lit runs', else, or if they make no band below it, the envelope's
//!    highest), and the floor a lit level must clear: the noise of the smoothed signal
//!    (4σ between run levels, of a run mean when judged sample by sample; 7σ off an
//!    envelope), what a light adds at least (emissive, [`Stream::least_light`]: 4σ of
//!    one value's noise, 12 to 20 counts) or
//!    [`MIN_DARKENING_COUNTS`](super::levels::MIN_DARKENING_COUNTS) (reflective), and,
//!    given a dark level, what a drift of the room light since it was measured can add
//!    ([`DRIFT_SHARE`] of it; not while the light is seen at that dark within the
//!    envelope: the room has then not drifted up). Levels read off an envelope must also
//!    clear 5% of the level and 1.5 × how far the light, dark, was seen to wander.
//! 4. **Edges.** Crossing the band (up past `on`, down past `off`) opens a *pending* edge;
//!    it is decided once the signal had time to finish the step (a smoothing box and a
//!    sample more) or when it crosses back. An LED switches within one sample (its step
//!    reaches the other level within one integration window), while flicker beating with
//!    the sample rate, or PWM beating with the integration window, moves the level
//!    gradually: an edge is accepted only if the signal moved at least [`SHARPNESS`] of
//!    the contrast between the two levels across that short span. A crossing that did
//!    not is a *drift*, held until the signal comes back (no change), steps back (the
//!    drift was a change after all) or stays past the band's middle for half a settle
//!    time; until then, like a pending edge, it ends the evidence. Each run also counts
//!    how often its settled signal turned back by [`SWING_SHARE`] of the band's contrast
//!    (and [`SWING_SIGMAS`] of the dark's noise): a slow display's flutter that its band
//!    cut only into bursts turns at the flutter's rate ([`RunStats::swings`]).
//!
//!    **Jumps** (emissive, judged sample by sample). A free-running sensor converts on
//!    its own clock (a few percent off the host's), so the room's flicker reaches its
//!    readings aliased to a wander of a few hertz that no fit at the stamps' times can
//!    take off. That wander adds to both levels alike and may swing by most of the LED's
//!    step: a dark light's readings then reach above the turn-on threshold and a dip
//!    stays above the turn-off one. But the LED still steps within a sample or two,
//!    while the wander moves a little each sample. So a step from the last two values
//!    of [`JUMP_SHARE`] of the band's contrast, and [`JUMP_SIGMAS`] of both states'
//!    sample-to-sample change within runs ([`MeanChange`]: noise and wander), opens a
//!    pending edge too, crossing or not. It comes back when the signal goes back past
//!    the jump's middle, and the run it opens is confirmed against that middle, not the
//!    band's; while such a run sits across the band, only a crossing from its own side
//!    or another jump ends it. A jump the drift's way ends a drift: the drift was the
//!    wander, the jump the change. (Smoothed signals have no jump: their box ramps every
//!    step over 20 ms, and the box holds the flicker's whole periods anyway.)
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
//! alike and durations stay unbiased. Raw samples further apart than a window (reads
//! lost, a stall shorter than one that could hide a run) leave a span no window saw: an
//! edge neither sample shows a part of is in it, at its middle. Half the gap across an
//! edge is its slack. A reflective indicator's edges are placed where the signal crossed
//! halfway between the levels instead: an LCD segment's liquid crystal takes up to tens
//! of milliseconds to turn, clearing slower than it darkens, and the band's two
//! thresholds would cut its two ramps at different heights.
//!
//! The pass has two stages. The first, [`signal`] (steps 1 and 2, and the envelope and
//! raw noise of step 3), depends on the samples alone, never on the runs: its first half
//! ([`Conditioner`]: which samples are taken, their blocks, and the flicker lock-in) can
//! run ahead on another thread; its second half (the box, the noise, the envelope) and
//! the second stage, here, take what it hands on ([`Conditioned`]). [`band`]
//! draws the lit/unlit band from the levels, [`edges`] segments the signal into runs at
//! its edges, [`labels`] names a lit run's colour and cuts the run where the colour
//! changes.

mod band;
mod edges;
mod labels;
mod lags;
mod signal;

use std::collections::VecDeque;

use crate::bench::DarkLevel;
use crate::hw::Sample;

use super::judge::{mains_lock, SHROUDED_DARK_MAX};
use super::levels::{ChangeNoise, MeanChange, NoiseScale, MIN_LIT_COUNTS};
use super::runs::RunStats;
use super::{Calibration, Polarity};
use edges::Pending;
use labels::Labels;
use lags::LagWindow;
#[cfg(test)]
pub(crate) use signal::BLOCK_MS;
pub use signal::{Conditioned, Conditioner};
use signal::{Noise, Shaper, Signal};

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
/// darkening needs this share of the bare level before it can be an edge. (The flicker is
/// taken off first, and a drift makes no edge: a little below the room's drift bound of
/// twice [`DRIFT_SHARE`], so that a worn segment darkening by 13% blinks in runs. At 15%
/// such a blink was read as one level, "on steady" for a wink.)
const REFLECTIVE_FLOOR_SHARE: f32 = 0.10;
/// A run's settled signal turns back by this share of the band's contrast, and
/// [`SWING_SIGMAS`] of its noise, before the turn counts as a swing of the light
/// ([`RunStats::swings`]): a slow display's flutter swings across most of its depth...
const SWING_SHARE: f32 = 0.3;
/// ...noise by a few σ.
const SWING_SIGMAS: f32 = 6.0;
/// A jump is a step of this share of the band's contrast (whose levels a wander's
/// troughs and crests spread: a wander as deep as the step halves the step's share)...
const JUMP_SHARE: f32 = 0.5;
/// ...and this many σ of the changes within runs: a change of two samples' noise this
/// large is 5.7 of its own σ, about once in 10⁸ changes.
const JUMP_SIGMAS: f32 = 8.0;
/// A run begun at an edge is confirmed by this many settled values.
const CONFIRM_VALUES: u32 = 3;
/// Two levels read off an envelope must be this many times further apart than the light,
/// dark, was seen to wander over an envelope...
const DARK_SPREAD_FACTOR: f32 = 1.5;
/// ...and at least this share of the brighter apart.
const ENVELOPE_MIN_SHARE: f32 = 0.05;
/// Each run moves the level of its state this share of the way to its own...
const LEVEL_WEIGHT: f32 = 0.3;
/// ...if it has at least this many samples.
const LEVEL_MIN_SAMPLES: u32 = 3;
/// Colour labels are named from the mean of this many latest lit samples...
const LABEL_SAMPLES: usize = 4;
/// ...and a new one must hold this many samples in a row...
const COLOUR_HOLD_SAMPLES: u32 = 3;
/// ...and this long (ms) before a lit run is cut at it.
const COLOUR_HOLD_MS: f64 = 30.0;
/// A run's settled values are paired with theirs [`Settings::lag_ms`] before within this
/// (ms): a mains flicker's fundamental, whose whole periods the lag holds (50 ms: five of
/// 100 Hz, six of 120), goes with itself across it whatever the sample rate (see
/// `judge::shows_a_missed_blink`).
pub(super) const LAG_PAIR_TOLERANCE_MS: f64 = 2.0;
/// The recent history always keeps this many samples, however old.
const HISTORY_LEAST: usize = 3;
/// The unlit runs' mean r, g, b (the colour reference without a calibration) stands for
/// at most this many samples: newer runs move it as the room light drifts.
const UNLIT_RGB_MEMORY: f64 = 100.0;
/// At most this many closed runs are kept, whatever the time they span.
const MAX_RUNS: usize = 4096;
/// The envelope spans this many slowest periods: both levels of any blink are in it.
const ENVELOPE_PERIODS: f64 = 2.0;

/// The stream's settings, from the classifier.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub(crate) calibration: Calibration,
    /// A gap longer than this can hide a run.
    pub(crate) max_gap_ms: f64,
    /// Runs shorter than this between two of the other state are glitches.
    pub(crate) glitch_ms: f64,
    /// Closed runs older than this before the newest sample are forgotten.
    pub(crate) retain_ms: f64,
    pub(crate) slowest_period_ms: f64,
    /// A drift lasting this long is a change of state all the same.
    pub(crate) drift_limit_ms: f64,
    /// Half the fastest blink's period: a run's settled values are paired with theirs
    /// this long before ([`RunStats::lag_correlation`]).
    pub(crate) lag_ms: f64,
}

/// What a dark LED reads (emissive only): its calibrated dark level `anchor` and how
/// far above it a reading of it may be: the room's drift ([`DRIFT_SHARE`] of it) or
/// half the least a light adds however quiet the sensor ([`MIN_LIT_COUNTS`]: 6 counts,
/// 10 before it was 12), whichever is more. Without a calibration, nothing and
/// what a shrouded sensor reads dark.
fn dark_reach(anchor: Option<f32>, polarity: Polarity) -> Option<(f32, f32)> {
    if polarity != Polarity::Emissive {
        return None;
    }
    Some(match anchor {
        Some(dark) => (
            dark,
            (DRIFT_SHARE * dark.max(0.0)).max(0.5 * MIN_LIT_COUNTS),
        ),
        None => (0.0, SHROUDED_DARK_MAX as f32),
    })
}

/// The per-sample machine (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Stream {
    settings: Settings,
    /// The dark level in signal units, if calibrated.
    anchor: Option<f32>,
    /// What a dark LED reads, in signal units (see [`dark_reach`]).
    dark_reach: Option<(f32, f32)>,
    /// The reference r, g, b a lit colour is named above, if calibrated.
    dark_rgb: Option<[f64; 3]>,
    /// The first stage, for samples pushed here (see [`Stream::push`])...
    conditioner: Conditioner,
    /// ...and its second half, for every sample.
    shaper: Shaper,
    /// The newest sample's time.
    newest: Option<f64>,
    /// What the first stage said with the newest sample: the typical interval, the raw
    /// noise, and the envelope's (highest, lowest).
    dt_ms: f64,
    /// The sensor's sampling period (see [`signal::SamplingPeriod`]).
    period_ms: f64,
    /// The mains flicker the room shows, once seen.
    mains_hz: Option<f64>,
    /// How much flicker the first stage took off the newest sample.
    flicker_taken_off: f32,
    noise: Noise,
    envelope: Option<(f32, f32)>,
    prev_v: f32,
    /// The same over consecutive unlit samples: what a dark light's readings do.
    dark_noise: ChangeNoise,
    prev_unlit: bool,
    /// The open run's settled values back to a box ago.
    settled: VecDeque<(f64, f32)>,
    /// The judged signal's scale of change between settled unlit values a box apart.
    dark_signal_noise: NoiseScale,
    /// The open run's settled values back to twice [`Settings::lag_ms`] ago.
    lagged: LagWindow,
    /// The open run's latest values, not yet known to be off the next edge's ramp.
    unsettled: VecDeque<(f64, f32)>,
    /// Recent (t, v): what the signal was before a crossing.
    history: VecDeque<(f64, f32)>,
    lit: bool,
    /// Whether the open run has settled on its side of the band.
    confirmed: bool,
    /// The open run began at a jump: halfway between the values before and after it.
    jump_middle: Option<f32>,
    /// The change between consecutive samples within runs, unlit and lit: the noise and
    /// any wander, no edge...
    run_changes: [MeanChange; 2],
    /// ...and the open run's latest, not yet counted.
    uncounted_change: Option<f32>,
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
    /// The unlit runs' mean raw r, g, b, by their samples (a reference for colours
    /// without a calibration; see [`Stream::note_unlit_rgb`]).
    unlit_rgb: Option<[f64; 3]>,
    /// The samples that mean stands for (at most [`UNLIT_RGB_MEMORY`]).
    unlit_rgb_samples: f64,
    /// The least a run's settled signal must turn back by to count as a swing: a share of
    /// the latest band's contrast, and some σ of its noise ([`RunStats::swings`]).
    least_swing: f32,
}

impl Stream {
    pub(crate) fn new(settings: Settings) -> Self {
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
            dark_reach: dark_reach(anchor, cal.polarity),
            dark_rgb,
            conditioner: Conditioner::new(cal.polarity, settings.max_gap_ms),
            shaper: Shaper::new(
                cal.polarity,
                settings.max_gap_ms,
                settings.slowest_period_ms,
            ),
            newest: None,
            dt_ms: 0.0,
            period_ms: 0.0,
            mains_hz: None,
            flicker_taken_off: 0.0,
            noise: Noise::default(),
            envelope: None,
            prev_v: 0.0,
            dark_noise: ChangeNoise::default(),
            prev_unlit: false,
            unsettled: VecDeque::new(),
            settled: VecDeque::new(),
            lagged: LagWindow::default(),
            dark_signal_noise: NoiseScale::default(),
            history: VecDeque::new(),
            lit: false,
            confirmed: false,
            jump_middle: None,
            run_changes: Default::default(),
            uncounted_change: None,
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
            unlit_rgb_samples: 0.0,
            least_swing: f32::INFINITY,
        }
    }

    /// Forget everything (a new stream with the same settings).
    pub(crate) fn clear(&mut self) {
        *self = Stream::new(self.settings);
    }

    /// The typical interval between samples (ms), 0 before two samples.
    #[cfg(test)]
    pub(crate) fn interval_ms(&self) -> f64 {
        self.dt_ms
    }

    /// The sensor's sampling period (ms), 0 before two samples: the median interval,
    /// which samples lost do not lengthen (what the mains flicker beats with).
    pub(crate) fn sampling_period_ms(&self) -> f64 {
        self.period_ms
    }

    /// What a dark LED reads, in signal units: its level (the calibrated dark, or
    /// nothing without one) and how far above it a reading of a dark LED may be (see
    /// [`dark_reach`]). `None` for a reflective indicator, whose dark is its bare level.
    pub(crate) fn dark_reach(&self) -> Option<(f32, f32)> {
        self.dark_reach
    }

    /// The most a dark LED reads, in signal units: what a run's dips to the dark are
    /// read against; `-∞` for a reflective indicator (no dip is looked for).
    fn dark_at(&self) -> f32 {
        self.dark_reach
            .map_or(f32::NEG_INFINITY, |(dark, most)| dark + most)
    }

    /// The amplitude of the mains flicker the first stage takes off the signal now (counts;
    /// logarithms if reflective), 0 where it sees none.
    pub(crate) fn flicker_taken_off(&self) -> f32 {
        self.flicker_taken_off
    }

    /// How much of the room's mains flicker this sensor may see at one phase for a
    /// whole trace ([`mains_lock`]): from its sampling period, and the mains the room
    /// was seen to flicker at, if it was.
    pub(crate) fn mains_lock(&self) -> f64 {
        mains_lock(self.period_ms, self.mains_hz)
    }

    /// How far apart the values a run pairs are ([`RunStats::lag_correlation`]): from
    /// [`Settings::lag_ms`] less [`LAG_PAIR_TOLERANCE_MS`] to as much more.
    pub(crate) fn pair_lags_ms(&self) -> (f64, f64) {
        let lag = self.settings.lag_ms;
        (lag - LAG_PAIR_TOLERANCE_MS, lag + LAG_PAIR_TOLERANCE_MS)
    }

    /// The mains the room was seen to flicker at, once seen.
    pub(crate) fn mains_hz(&self) -> Option<f64> {
        self.mains_hz
    }

    /// The noise σ of one raw sample of a dark light (of any sample until the stream has
    /// seen the light dark for a while).
    ///
    /// A while is [`ChangeNoise::believed`], three times what a noise figure needs to
    /// settle. The stream takes its first samples as unlit until a band says otherwise,
    /// and a band needs a settled noise figure, so a settled dark noise may be of
    /// nothing but those first samples, which may be a lit light's. A darkened LCD
    /// segment reflects less light than the bare display, so its shot noise is less:
    /// read as the dark's, it drew the band's floors under the bare display's noise and
    /// cut it into false edges (`a_faint_lcd_s_quieter_segment_is_no_measure_of_its_bare_noise`).
    /// An off light whose first nine changes happened to be small read a noise of 2.1
    /// where its samples' is 5, and kept it: under a band floor of 12 counts (tried) it
    /// was lit from then on, and a lit light's changes teach the dark noise nothing.
    pub(crate) fn sigma(&self) -> f32 {
        if self.dark_noise.believed() {
            self.dark_noise.sigma()
        } else {
            self.noise.sigma
        }
    }

    /// The time of the newest sample.
    pub(crate) fn newest_ms(&self) -> Option<f64> {
        self.newest
    }

    /// One sample through both stages.
    pub(crate) fn push(&mut self, s: &Sample) {
        if let Some(c) = self.conditioner.condition(s) {
            self.take(&c);
            if let Some(c) = self.conditioner.second() {
                self.take(&c);
            }
        }
    }

    /// A copy of the first stage as it stands, to condition the next samples elsewhere
    /// (see [`Conditioner`]).
    pub(crate) fn conditioner(&self) -> Conditioner {
        self.conditioner.clone()
    }

    /// One conditioned sample through the second stage.
    #[inline(always)]
    pub(crate) fn take(&mut self, c: &Conditioned) {
        let signal = self.shaper.signal(c);
        self.segment(c, &signal);
    }

    /// A sample `taken` by the conditioner, as the shaper said it (`c`), through the
    /// second stage: levels, band, edges and runs.
    // (Inlined into `push`, as the first stage is: what it says then never goes through
    // memory between the two.)
    #[inline(always)]
    fn segment(&mut self, taken: &Conditioned, c: &Signal) {
        let s = &taken.block;
        if c.void {
            // A gap that could hide a whole off time: everything before it is forgotten
            // (the first stage has forgotten its part already).
            let settings = self.settings;
            let before = std::mem::replace(self, Stream::new(settings));
            self.conditioner = before.conditioner;
            self.shaper = before.shaper;
        }
        if let Some(dt) = c.hiding_gap_ms {
            self.open.note_gap(s.mean.t_ms, dt);
        }
        self.dt_ms = c.dt_ms;
        self.period_ms = taken.period_ms;
        self.mains_hz = taken.mains_hz;
        self.flicker_taken_off = taken.flicker_taken_off;
        self.noise = c.noise;
        self.newest = Some(s.mean.t_ms);
        let first = c.prev_t.is_none();
        let prev_t = c.prev_t.unwrap_or(s.mean.t_ms);
        let v = c.v;
        // How far a light that has been dark for a whole envelope wanders on its own.
        let dark_for_long = !self.lit
            && self.pending.is_none()
            && self.drift.is_none()
            && self.open.duration_ms() >= self.envelope_ms()
            && self.open_could_be_the_dark();
        if let (true, Some((hi, lo))) = (dark_for_long, c.envelope_before) {
            self.dark_spread = hi - lo;
        }
        self.envelope = Some(c.envelope);
        // (None stands in for a band that could not change this sample's fate.)
        let band = self.band_for(v);
        if let Some(b) = band {
            // (The raw noise standing in for the judged dark's until it is seen is of
            // every change, a blink's swings too: it only errs high.)
            self.least_swing =
                (SWING_SHARE * b.contrast).max(SWING_SIGMAS * self.judged_dark_sigma());
        }
        debug_assert!(band.is_some() || self.band().is_none_or(|b| b.holds(v, self.lit)));
        if first {
            self.open = RunStats::open(false, false, s.mean.t_ms, 0.0);
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
        match (unlit, self.prev_unlit, c.delta) {
            (true, true, Some(d)) => self.dark_noise.push(d),
            _ => self.dark_noise.break_chain(),
        }
        self.prev_unlit = unlit;
        self.remember(s.mean.t_ms, v);
        self.prev_v = v;
        self.prune(s.mean.t_ms);
    }

    /// An unlit run of `samples` reading `rgb` on average joins the unlit runs' mean,
    /// by its samples. A short run carries its edges' straddled samples (a red blink's
    /// three-sample gap read 71, 31, 14 where the room reads 57, 33, 12): taken alone as
    /// the reference, it named the red light amber.
    fn note_unlit_rgb(&mut self, rgb: [f64; 3], samples: u32) {
        let n = f64::from(samples);
        let (old, w) = (self.unlit_rgb.unwrap_or(rgb), self.unlit_rgb_samples);
        self.unlit_rgb = Some(std::array::from_fn(|i| {
            (old[i] * w + rgb[i] * n) / (w + n).max(1.0)
        }));
        self.unlit_rgb_samples = (w + n).min(UNLIT_RGB_MEMORY);
    }

    fn envelope_ms(&self) -> f64 {
        ENVELOPE_PERIODS * self.settings.slowest_period_ms
    }

    /// Width of the smoothing box (0: raw samples).
    pub(crate) fn box_ms(&self) -> f64 {
        signal::box_ms(self.dt_ms)
    }

    /// Samples one smoothed value averages.
    fn per_box(&self) -> f32 {
        if self.box_ms() > 0.0 {
            (SMOOTH_MS / self.dt_ms) as f32
        } else {
            1.0
        }
    }

    fn remember(&mut self, t_ms: f64, v: f32) {
        self.history.push_back((t_ms, v));
        let keep_ms = 2.0 * self.box_ms() + 4.0 * self.dt_ms;
        // (The last few are kept however old: a crossing always looks at the two samples
        // before it, a gap between them or not.)
        while self.history.len() > 256
            || self.history.len() > HISTORY_LEAST
                && self
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
    /// is undecided (the evidence then ends there). A drift going on is an undecided
    /// change too: the evidence ends where it began.
    pub(crate) fn runs(&self) -> (&VecDeque<RunStats>, &RunStats, Option<f64>) {
        let undecided = self.pending.or(self.drift).map(|p| p.edge_ms);
        (&self.runs, &self.open, undecided)
    }
}
