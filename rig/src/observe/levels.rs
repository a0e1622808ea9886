//! Levels: the signal judged, where "dark" is in a window, how far dark wanders, and the
//! lit/unlit thresholds.
//!
//! **The signal.** Each sample's clear (or level) reading. Where the sensor samples fast
//! enough to put three samples in `SMOOTH_MS` (≥ 150 Hz), the signal is first averaged over
//! a centred `SMOOTH_MS` = 20 ms box: that removes the 100 Hz mains ripple exactly and the
//! 120 Hz one to an eighth, averages PWM ripple (≥ 200 Hz) over four periods or more (and
//! the pulses a short window misses), while the fastest real blink (a 42.5 ms flutter run
//! at −15%) still reaches its full level. Slower sensors are judged sample by sample:
//! their own integration window is the only filter there is.
//!
//! **Intensity.** Every value is mapped to an intensity `x` that is ≈0 when the light is off
//! and grows when it is on: `clear − dark` for emissive lights, `bare − level` for the
//! reflective LCD indicator (darker when on). A sample turns lit above `on` and stays lit
//! until it falls below `off` (hysteresis, so noise on a slow edge cannot chatter).
//!
//! **Emissive thresholds.** `on` must clear everything a dark light can read. The dark
//! side of the window (values below `zone`, see below) is measured on its own, never the
//! lit samples (whose PWM ripple and shot noise say nothing about dark):
//! - where the dark samples sit, plus read and shot noise: `K_SIGMA` × σ, σ from the median
//!   difference of consecutive raw readings that are both dark (scaled to the box when
//!   smoothed), 4.5σ: a dark sample crosses once in ~3·10⁵, and a lone crossing is a glitch
//!   the runs stage merges away; but at most `NOISE_DEPTH_CAP` × how far the dark samples
//!   reach below their level (a flicker sampled at random phases looks like noise to σ, yet
//!   its reach is bounded and measured);
//! - `zone`, the floor no measurement lowers: `K_DEPTH` × the deepest level held below
//!   dark (room-light flicker swings a dark light both ways; a full-wave rectified flicker
//!   rises only 0.57 × as far above its mean as it dips below), `DARK_ALIAS` × the dark
//!   level itself (a sensor sampling in step with the mains sees the flicker at one phase,
//!   up to π/2 − 1 = 57% above its mean, for as long as it stays in step; and ambient light
//!   drifts after a calibration), and `MIN_LIT_COUNTS`.
//!
//! When the window holds a light well above that floor (`CAP_MARGIN` ×), `on` is capped at
//! `CAP_FRACTION` of it and at the Otsu cut between the window's dark and lit levels (a
//! threshold nearer the light than the dark would cut a dimmed, rippling light), and raised
//! to `LIT_FRACTION` of it (a partial edge sample or a neighbour's glow stays dark; the grey
//! icon is a quarter of an LED, so a window showing both still reads the icon lit). `off`
//! is `HYSTERESIS` × `on`.
//!
//! **Reflective thresholds** work alike on `bare − level`: at least `1 − REFLECTIVE_ON` of the
//! bare level (the indicator darkens by more than that), above where the bare display's
//! samples sit plus their noise, and above `K_DEPTH_REFLECTIVE` × its highest rise (its
//! flicker dips it up to 1.75 × as far as it lifts it); capped at the cut between the two
//! levels when both are in view.
//!
//! **Without a dark calibration** (emissive) the window is split into two levels when it
//! clearly has two: Otsu's split of its histogram leaves a gap of at least `GAP_SHARE` of the
//! range between the dark level's top (80th percentile) and the bright level's bottom (20th),
//! and the bright level is at least `SPLIT_RATIO` × the dark one (PWM ripple on a steady LED
//! swings at most 2:1 when the integration window covers a PWM period). Otherwise a single
//! level is dark when its mean is below `UNCALIBRATED_LIT_MIN` counts (a sensor's own
//! offset); above it, it is lit if its chromaticity is saturated (room light never is) or
//! if it is steady; an unsaturated level whose raw readings swing more than
//! `AMBIENT_SWING_MAX` of its mean is ambiguous (bare room light with mains flicker on a
//! dark light, or a rippling grey icon): no answer. This is a fallback: wiring should give
//! `dark`.
//!
//! **Saturation.** A channel whose highest value recurs exactly (`CLIP_REPEATS`, and at
//! least half the readings near it), while another channel carries noise across those
//! samples (or at a full-scale level: 1024 × cycles, 2ⁿ − 1), is clipped there: its reading
//! is only a lower bound of the light. The clip levels go to the runs stage, which names
//! colours from unclipped samples or from what the bounds allow.

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};

use super::colour::GREY_MAX_SATURATION;
use super::{Calibration, Polarity};

/// Lit needs this many noise sigmas above dark.
const K_SIGMA: f32 = 4.5;
/// Lit needs this many times the deepest dip below dark above it.
const K_DEPTH: f32 = 1.5;
/// The noise term never exceeds this many times the deepest dip seen.
const NOISE_DEPTH_CAP: f32 = 3.0;
/// Lit needs this fraction of the window's brightest level above dark...
const LIT_FRACTION: f32 = 0.1;
/// ...and never needs more than this fraction of it, once it is this many times the
/// floor (a light, not the noise's own top).
const CAP_FRACTION: f32 = 0.4;
const CAP_MARGIN: f32 = 2.0;
/// A dark light can read this fraction of its (calibrated) dark level above it: a sensor
/// sampling in step with the mains sees the flicker at one phase, up to π/2 − 1 = 57% above
/// its mean, plus drift since the calibration.
const DARK_ALIAS: f32 = 0.6;
/// An emissive light turns unlit below this fraction of the turn-on threshold.
const HYSTERESIS: f32 = 0.6;
/// Lit needs at least this many counts above dark.
const MIN_LIT_COUNTS: f32 = 4.0;
/// Noise floor (counts): keeps thresholds finite on noise-free inputs.
const MIN_SIGMA: f32 = 0.5;
/// Fewer dark pairs than this give no noise estimate.
const MIN_PAIRS: u32 = 8;
/// A window holds two levels only if they are this many sigmas apart...
const SPLIT_SIGMA: f32 = 4.0;
/// ...the bright one at least this many times the dark one...
const SPLIT_RATIO: f32 = 2.5;
/// ...with a gap between them of at least this share of the window's range (a continuum
/// split in two, such as room light sweeping through its flicker, leaves at most 0.25).
const GAP_SHARE: f32 = 0.3;
/// Uncalibrated: a single level above this (counts) may be a lit light.
const UNCALIBRATED_LIT_MIN: f32 = 48.0;
/// Uncalibrated: an unsaturated single level swinging more than this share of itself is
/// ambiguous.
const AMBIENT_SWING_MAX: f32 = 0.5;
/// Reflective: "on" once the level drops below this fraction of the bare display...
const REFLECTIVE_ON: f32 = 0.65;
/// ...and "off" again once it climbs back above this one.
const REFLECTIVE_OFF: f32 = 0.75;
/// Reflective: lit needs this many times the bare display's highest rise above its level
/// (its flicker dips are up to 1.75 × its rises).
const K_DEPTH_REFLECTIVE: f32 = 2.0;
/// Reflective: a window showing "on" never needs more than this fraction of its darkening.
const REFLECTIVE_CAP: f32 = 0.6;
/// median |Δ| of two N(0, σ²) reads is 0.954 σ.
const MEDIAN_ABS_DIFF_PER_SIGMA: f32 = 0.954;
/// Width of the smoothing box, ms (two periods of 100 Hz mains ripple, 2.4 of 120 Hz).
pub(super) const SMOOTH_MS: f64 = 20.0;
/// Smooth when the box holds at least this many samples on average.
const SMOOTH_MIN_SAMPLES: f64 = 3.0;
/// A channel's maximum recurring in this many samples (and 1% of them) is a clip level.
const CLIP_REPEATS: u32 = 3;
/// Clip levels are at least this high (counts).
const CLIP_MIN: f32 = 255.0;
/// Readings within this fraction of a channel's maximum are "near" it.
const CLIP_NEAR: f32 = 0.97;

/// The signal a window is judged on: the clear (or level) channel, smoothed when the
/// sensor is fast (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Signal {
    pub x: Vec<f32>,
    /// Width of the smoothing box (ms); 0: raw samples.
    pub smooth_ms: f64,
    /// The typical interval between samples (ms).
    pub gap_ms: f64,
}

impl Signal {
    pub fn of(samples: &[Sample]) -> Signal {
        let n = samples.len();
        let gap_ms = match (samples.first(), samples.last()) {
            (Some(a), Some(b)) if n > 1 => (b.t_ms - a.t_ms) / (n - 1) as f64,
            _ => 0.0,
        };
        if n < 3 || gap_ms <= 0.0 || gap_ms > SMOOTH_MS / SMOOTH_MIN_SAMPLES {
            return Signal {
                x: samples.iter().map(|s| s.c).collect(),
                smooth_ms: 0.0,
                gap_ms,
            };
        }
        // Centred box: the mean of the samples within ±SMOOTH_MS/2 (two pointers); within
        // half a box of either end of the window it is cut short (see `Signal::box_span`).
        let half = SMOOTH_MS / 2.0;
        // Reciprocals of the counts a box holds (no division per sample).
        let mut inv = [0.0f64; 65];
        for (k, v) in inv.iter_mut().enumerate().skip(1) {
            *v = 1.0 / k as f64;
        }
        let mut x = Vec::with_capacity(n);
        let (mut lo, mut hi) = (0usize, 0usize);
        let mut sum = 0.0f64;
        for s in samples {
            let (from, to) = (s.t_ms - half, s.t_ms + half);
            while hi < n && samples[hi].t_ms < to {
                sum += f64::from(samples[hi].c);
                hi += 1;
            }
            while samples[lo].t_ms < from {
                sum -= f64::from(samples[lo].c);
                lo += 1;
            }
            let k = hi - lo;
            let mean = match inv.get(k) {
                Some(r) => sum * r,
                None => sum / k as f64,
            };
            x.push(mean as f32);
        }
        Signal {
            x,
            smooth_ms: SMOOTH_MS,
            gap_ms,
        }
    }
}

impl Signal {
    /// How many samples a smoothed value averages (1 when not smoothed).
    pub fn per_box(&self) -> usize {
        if self.smooth_ms > 0.0 && self.gap_ms > 0.0 {
            (self.smooth_ms / self.gap_ms).round().max(1.0) as usize
        } else {
            1
        }
    }

    /// The span of time a smoothed value at `t_ms` averages: its box, cut short at the
    /// window's first and last samples.
    pub fn box_span(&self, t_ms: f64, first_ms: f64, last_ms: f64) -> (f64, f64) {
        let half = 0.5 * self.smooth_ms;
        ((t_ms - half).max(first_ms), (t_ms + half).min(last_ms))
    }
}

/// How one window's samples map to lit/unlit and to chromaticity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Levels {
    reflective: bool,
    /// Dark level (emissive) or bare-display level (reflective), on the clear channel.
    reference: f32,
    /// Per-channel dark level removed before naming a colour.
    pub dark_rgb: [f32; 3],
    /// Turn lit when the intensity rises above this.
    pub on: f32,
    /// Turn unlit when the intensity falls below this.
    pub off: f32,
    /// The mean intensity of a lit sample: a partial sample's share of it says how much of
    /// its window the light was on.
    pub lit: f32,
    /// Per colour channel: readings at or above this are clipped (∞: never).
    pub clip: [f32; 3],
}

impl Levels {
    /// Intensity of a signal value: ≈0 off, large when on.
    #[inline]
    pub fn intensity(&self, x: f32) -> f32 {
        if self.reflective {
            self.reference - x
        } else {
            x - self.reference
        }
    }

    /// Estimate the levels of a window; `None` when it cannot be judged (a reflective
    /// indicator without a bare level showing one level; an uncalibrated unsaturated level
    /// that swings like room light).
    pub fn estimate(
        samples: &[Sample],
        signal: &Signal,
        calibration: &Calibration,
    ) -> Option<Levels> {
        let x = &signal.x;
        let stats = Stats::of(samples, x);
        let per_box = signal.per_box();
        let mut levels = match calibration.polarity {
            Polarity::Emissive => emissive(samples, x, per_box, calibration, &stats)?,
            Polarity::Reflective => reflective(samples, x, per_box, calibration.dark, &stats)?,
        };
        levels.clip = if calibration.kind == SensorKind::Rgbc {
            stats.clip
        } else {
            [f32::INFINITY; 3]
        };
        levels.lit = lit_level(x, &levels);
        Some(levels)
    }
}

fn emissive(
    samples: &[Sample],
    x: &[f32],
    per_box: usize,
    calibration: &Calibration,
    stats: &Stats,
) -> Option<Levels> {
    let (reference, dark_rgb) = match calibration.dark {
        Some(DarkLevel::Rgbc([r, g, b, c])) => (c, [r, g, b]),
        // One level for an RGB sensor: the colour channels' dark is unknown; it is small
        // against a lit LED, so ignoring it only tilts dim colours slightly.
        Some(DarkLevel::Level(c)) => (c, [0.0; 3]),
        None => estimate_dark(samples, x, calibration.kind, stats)?,
    };
    let on = emissive_on(samples, x, per_box, reference, stats);
    Some(Levels {
        reflective: false,
        reference,
        dark_rgb,
        on,
        off: HYSTERESIS * on,
        lit: 0.0,
        clip: [f32::INFINITY; 3],
    })
}

/// The turn-on threshold above `reference` (see the module docs).
fn emissive_on(
    samples: &[Sample],
    x: &[f32],
    per_box: usize,
    reference: f32,
    stats: &Stats,
) -> f32 {
    let peak = stats.peak - reference;
    let depth = (reference - stats.trough).max(0.0);
    let zone = (DARK_ALIAS * reference.max(0.0))
        .max(K_DEPTH * depth)
        .max(MIN_LIT_COUNTS);
    let floor = dark_side(x, samples, per_box, |v| v - reference, zone)
        .floor()
        .max(zone);
    if peak <= CAP_MARGIN * floor {
        return floor;
    }
    let mut on = floor.min(CAP_FRACTION * peak);
    // A window with a dark and a lit level: never above the cut between them. (The dark
    // level must be within the zone a dark light can reach, the lit one beyond it: the
    // noise term may overstate, the zone does not.)
    if let Some(split) = two_levels(x, stats) {
        if split.low - reference < zone && split.high - reference > zone {
            on = on.min(split.threshold - reference);
        }
    }
    on.max(LIT_FRACTION * peak)
}

/// The samples that may be a dark light (intensity below `zone`): where they sit and how
/// far noise takes them.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DarkSide {
    /// Mean intensity (0 when there are none).
    level: f32,
    /// Sample-to-sample noise, one sigma.
    sigma: f32,
    /// Lowest intensity.
    low: f32,
}

impl DarkSide {
    /// Where noise can take a dark sample: the level plus the noise term (see
    /// [`noise_floor`]), the spread below the level bounding it.
    fn floor(&self) -> f32 {
        self.level + noise_floor(self.sigma, self.level - self.low)
    }
}

/// Where the dark-side samples (intensity of the signal `x` below `zone`) sit, and their
/// noise: from consecutive raw readings that are both dark-side (a smoothed signal's
/// neighbours share most of their box, and its ramps would pass for noise), scaled down by
/// √`per_box` to the smoothed signal.
fn dark_side(
    x: &[f32],
    samples: &[Sample],
    per_box: usize,
    intensity: impl Fn(f32) -> f32,
    zone: f32,
) -> DarkSide {
    let mut diffs = Histogram::default();
    let (mut sum, mut n, mut low) = (0.0f64, 0u32, f32::MAX);
    for &v in x {
        let y = intensity(v);
        if y < zone {
            sum += f64::from(y);
            n += 1;
            low = low.min(y);
        }
    }
    let mut prev: Option<f32> = None;
    for s in samples {
        let y = intensity(s.c);
        if y < zone {
            if let Some(p) = prev {
                diffs.add((y - p).abs());
            }
            prev = Some(y);
        } else {
            prev = None;
        }
    }
    if n == 0 {
        return DarkSide {
            level: 0.0,
            sigma: MIN_SIGMA,
            low: 0.0,
        };
    }
    let sigma = if diffs.total >= MIN_PAIRS {
        diffs.median().map_or(MIN_SIGMA, |m| {
            (m / MEDIAN_ABS_DIFF_PER_SIGMA / (per_box as f32).sqrt()).max(MIN_SIGMA)
        })
    } else {
        MIN_SIGMA
    };
    DarkSide {
        level: (sum / f64::from(n)) as f32,
        sigma,
        low,
    }
}

/// Dark level and per-channel dark of an uncalibrated emissive window; `None` when one
/// level cannot be told dark or lit.
fn estimate_dark(
    samples: &[Sample],
    x: &[f32],
    kind: SensorKind,
    stats: &Stats,
) -> Option<(f32, [f32; 3])> {
    if let Some(split) = two_levels(x, stats) {
        if split.high >= SPLIT_RATIO * split.low.max(0.0) {
            let [r, g, b, c] = mean_below(samples, x, split.threshold);
            return Some((c, [r, g, b]));
        }
    }
    let [r, g, b, c] = stats.mean;
    if c < UNCALIBRATED_LIT_MIN {
        // One level, near the sensor's offset: all dark.
        return Some((c, [0.0; 3]));
    }
    // One level, clearly bright: lit, unless it may be room light on a dark light.
    let saturated = kind == SensorKind::Rgbc && {
        let max = r.max(g).max(b);
        max > 0.0 && max - r.min(g).min(b) >= GREY_MAX_SATURATION * max
    };
    let swing = (stats.raw_peak - stats.raw_trough) / c.max(1.0);
    if !saturated && swing > AMBIENT_SWING_MAX {
        return None;
    }
    Some((0.0, [0.0; 3]))
}

fn reflective(
    samples: &[Sample],
    x: &[f32],
    per_box: usize,
    bare: Option<DarkLevel>,
    stats: &Stats,
) -> Option<Levels> {
    let bare = match bare {
        Some(DarkLevel::Level(v)) => v,
        Some(DarkLevel::Rgbc([.., c])) => c,
        // Uncalibrated: the brighter level is the bare display, if the window has two.
        None => {
            let split = two_levels(x, stats)?;
            if split.low >= REFLECTIVE_ON * split.high {
                return None;
            }
            split.high
        }
    };
    // As for an emissive light, the bare display's own excursions set a floor: where its
    // samples sit (aliased flicker can hold them well below the calibrated mean) plus
    // noise, and its highest rise (flicker dips it further than it lifts it, hence
    // K_DEPTH_REFLECTIVE).
    let y_peak = bare - stats.trough;
    let depth = (stats.peak - bare).max(0.0);
    let nominal = (1.0 - REFLECTIVE_ON) * bare;
    let zone = nominal.max(K_DEPTH_REFLECTIVE * depth).max(MIN_LIT_COUNTS);
    let floor = dark_side(x, samples, per_box, |v| bare - v, nominal)
        .floor()
        .max(zone);
    let mut on = if y_peak > floor {
        floor.min((REFLECTIVE_CAP * y_peak).max(nominal))
    } else {
        floor
    };
    // A window with the bare level and a darker one: never above the cut between them.
    if let Some(split) = two_levels(x, stats) {
        if bare - split.high < zone && bare - split.low > zone {
            on = on.min(bare - split.threshold).max(MIN_LIT_COUNTS);
        }
    }
    let off = on * (1.0 - REFLECTIVE_OFF) / (1.0 - REFLECTIVE_ON);
    Some(Levels {
        reflective: true,
        reference: bare,
        dark_rgb: [0.0; 3],
        on,
        off,
        lit: 0.0,
        clip: [f32::INFINITY; 3],
    })
}

/// `K_SIGMA` × σ, but no more than `NOISE_DEPTH_CAP` × the excursion actually seen: the
/// sample-to-sample σ of a flicker or PWM ripple sampled at random phases overstates how
/// far it reaches (a bounded swing, not a Gaussian tail), which the depth measures directly.
fn noise_floor(sigma: f32, depth: f32) -> f32 {
    (K_SIGMA * sigma).min(NOISE_DEPTH_CAP * depth.max(MIN_SIGMA))
}

/// The intensity of a fully lit sample: the mean of the lit samples above half the lit
/// samples' mean (partial samples on edges left out); the threshold if none.
fn lit_level(x: &[f32], levels: &Levels) -> f32 {
    let mean_above = |limit: f32| {
        let (mut sum, mut n) = (0.0f64, 0u32);
        for &v in x {
            let i = levels.intensity(v);
            if i > limit {
                sum += f64::from(i);
                n += 1;
            }
        }
        (n > 0).then(|| (sum / f64::from(n)) as f32)
    };
    match mean_above(levels.on) {
        None => levels.on.max(MIN_LIT_COUNTS),
        Some(m) => mean_above(0.5 * m).unwrap_or(m),
    }
}

/// Mean r, g, b, c of the samples whose signal is below `limit`.
fn mean_below(samples: &[Sample], x: &[f32], limit: f32) -> [f32; 4] {
    let mut sum = [0.0f64; 4];
    let mut n = 0u32;
    for (s, &v) in samples.iter().zip(x) {
        if v < limit {
            sum[0] += f64::from(s.r);
            sum[1] += f64::from(s.g);
            sum[2] += f64::from(s.b);
            sum[3] += f64::from(v);
            n += 1;
        }
    }
    let n = f64::from(n.max(1));
    sum.map(|v| (v / n) as f32)
}

/// A window's two levels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    /// Mean of the dark and of the bright class.
    low: f32,
    high: f32,
    /// Signal values below this are the dark class.
    threshold: f32,
}

const SPLIT_BINS: usize = 64;

/// The window's two levels, if it clearly has two (see the module docs).
fn two_levels(x: &[f32], stats: &Stats) -> Option<Split> {
    let (lo, hi) = (stats.trough, stats.peak);
    let span = hi - lo;
    if span.partial_cmp(&MIN_LIT_COUNTS) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let scale = SPLIT_BINS as f32 / span;
    let bin_of = |v: f32| (((v - lo) * scale) as usize).min(SPLIT_BINS - 1);
    let mut counts = [0u32; SPLIT_BINS];
    for &v in x {
        counts[bin_of(v.clamp(lo, hi))] += 1;
    }
    let centre = |i: usize| lo + (i as f32 + 0.5) / scale;
    // Otsu: the split maximising the between-class variance.
    let total: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    let sum_all: f64 = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| f64::from(c) * f64::from(centre(i)))
        .sum();
    let (mut w0, mut s0) = (0.0f64, 0.0f64);
    let mut best = (0.0f64, 0usize);
    for (i, &c) in counts.iter().enumerate().take(SPLIT_BINS - 1) {
        w0 += f64::from(c);
        s0 += f64::from(c) * f64::from(centre(i));
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let d = s0 / w0 - (sum_all - s0) / w1;
        let between = w0 * w1 * d * d;
        if between > best.0 {
            best = (between, i + 1);
        }
    }
    let k = best.1;
    if k == 0 {
        return None;
    }
    let n_low: u32 = counts[..k].iter().sum();
    let n_high: u32 = counts[k..].iter().sum();
    // The dark class's 80th percentile and the bright class's 20th (a smoothed edge's
    // ramp puts a tenth or more of a fast blink's samples between the two).
    let low_top = percentile_bin(&counts[..k], n_low, 0.8);
    let high_bottom = k + percentile_bin(&counts[k..], n_high, 0.2);
    let gap = (high_bottom as f32 - low_top as f32 - 1.0) / scale;
    if gap < GAP_SHARE * span || span <= SPLIT_SIGMA * signal_sigma(x) {
        return None;
    }
    let mean = |range: std::ops::Range<usize>| {
        let (mut s, mut n) = (0.0f64, 0.0f64);
        for i in range {
            s += f64::from(counts[i]) * f64::from(centre(i));
            n += f64::from(counts[i]);
        }
        (s / n.max(1.0)) as f32
    };
    Some(Split {
        low: mean(0..k),
        high: mean(k..SPLIT_BINS),
        threshold: lo + k as f32 / scale,
    })
}

/// Sample-to-sample noise of the whole signal, one sigma (ripple included).
fn signal_sigma(x: &[f32]) -> f32 {
    let mut diffs = Histogram::default();
    for pair in x.windows(2) {
        diffs.add((pair[0] - pair[1]).abs());
    }
    diffs.median().map_or(MIN_SIGMA, |m| {
        (m / MEDIAN_ABS_DIFF_PER_SIGMA).max(MIN_SIGMA)
    })
}

/// The bin holding quantile `q` of `n` counts.
fn percentile_bin(counts: &[u32], n: u32, q: f32) -> usize {
    let want = (q * n as f32).ceil().max(1.0) as u32;
    let mut seen = 0;
    for (i, &c) in counts.iter().enumerate() {
        seen += c;
        if seen >= want {
            return i;
        }
    }
    counts.len().saturating_sub(1)
}

/// One pass over a window: the signal's range and noise, the mean reading and clip levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stats {
    /// Highest signal level held for two samples in a row (a lone spike does not count).
    pub peak: f32,
    /// Lowest signal level held for two samples in a row.
    pub trough: f32,
    /// Mean r, g, b and signal.
    pub mean: [f32; 4],
    /// The raw clear (or level) readings' highest and lowest levels held for two samples:
    /// how far the sensor itself sees the light swing, before any smoothing.
    pub raw_peak: f32,
    pub raw_trough: f32,
    /// Per colour channel: its clip level, or ∞.
    pub clip: [f32; 3],
}

impl Stats {
    pub fn of(samples: &[Sample], x: &[f32]) -> Stats {
        let mut stats = Stats {
            peak: x.first().copied().unwrap_or(0.0),
            trough: x.first().copied().unwrap_or(0.0),
            mean: [0.0; 4],
            raw_peak: 0.0,
            raw_trough: 0.0,
            clip: [f32::INFINITY; 3],
        };
        if x.len() > 1 {
            stats.peak = f32::MIN;
            stats.trough = f32::MAX;
        }
        for pair in x.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            stats.peak = stats.peak.max(a.min(b));
            stats.trough = stats.trough.min(a.max(b));
        }
        let (mut raw_peak, mut raw_trough) = (stats.peak, stats.trough);
        if samples.len() > 1 {
            (raw_peak, raw_trough) = (f32::MIN, f32::MAX);
        }
        let mut sum = [0.0f64; 4];
        let mut max = [f32::MIN; 3];
        let mut at_max = [0u32; 3];
        let mut prev_c: Option<f32> = None;
        for (s, &v) in samples.iter().zip(x) {
            if let Some(p) = prev_c {
                raw_peak = raw_peak.max(p.min(s.c));
                raw_trough = raw_trough.min(p.max(s.c));
            }
            prev_c = Some(s.c);
            for (ch, c) in [s.r, s.g, s.b].into_iter().enumerate() {
                if c > max[ch] {
                    max[ch] = c;
                    at_max[ch] = 1;
                } else if c == max[ch] {
                    at_max[ch] += 1;
                }
                sum[ch] += f64::from(c);
            }
            sum[3] += f64::from(v);
        }
        if samples.len() > 1 {
            stats.raw_peak = raw_peak;
            stats.raw_trough = raw_trough;
        } else {
            (stats.raw_peak, stats.raw_trough) = (stats.peak, stats.trough);
        }
        let n = samples.len().max(1);
        stats.mean = sum.map(|v| (v / n as f64) as f32);
        let repeats = CLIP_REPEATS.max((n / 100) as u32);
        let candidate: [bool; 3] =
            std::array::from_fn(|ch| at_max[ch] >= repeats && max[ch] >= CLIP_MIN);
        if candidate.iter().any(|&c| c) {
            let (plateau, noisy) = clip_evidence(samples, max, candidate);
            for ch in 0..3 {
                if candidate[ch] && plateau[ch] && (noisy[ch] || is_clip_level(max[ch])) {
                    stats.clip[ch] = max[ch];
                }
            }
        }
        stats
    }
}

/// For each candidate channel (its maximum recurs): whether it is a plateau (at least half
/// the readings near the maximum sit exactly on it, where noise would spread them), and
/// whether another channel reads differently across the samples where it sits there. A real
/// clipped channel sits still while the others carry noise; noise-free synthetic input sits
/// still everywhere and is not taken for clipped.
fn clip_evidence(
    samples: &[Sample],
    max: [f32; 3],
    candidate: [bool; 3],
) -> ([bool; 3], [bool; 3]) {
    let mut lo = [[f32::MAX; 4]; 3];
    let mut hi = [[f32::MIN; 4]; 3];
    let mut near = [0u32; 3];
    let mut at = [0u32; 3];
    for s in samples {
        let v = [s.r, s.g, s.b, s.c];
        for ch in 0..3 {
            if !candidate[ch] || v[ch] < CLIP_NEAR * max[ch] {
                continue;
            }
            near[ch] += 1;
            if v[ch] == max[ch] {
                at[ch] += 1;
                for k in 0..4 {
                    lo[ch][k] = lo[ch][k].min(v[k]);
                    hi[ch][k] = hi[ch][k].max(v[k]);
                }
            }
        }
    }
    (
        std::array::from_fn(|ch| 2 * at[ch] >= near[ch]),
        std::array::from_fn(|ch| (0..4).any(|k| k != ch && hi[ch][k] > lo[ch][k])),
    )
}

/// Full-scale levels of the sensors a rig uses: 1024 × integration cycles (TCS34725),
/// 2ⁿ − 1 (an n-bit ADC: 1023, 4095, 32767 for the ADS1115, 65535).
fn is_clip_level(v: f32) -> bool {
    let n = v as u32;
    v.fract() == 0.0 && (n.is_multiple_of(1024) || (n + 1).is_power_of_two())
}

const BINS: usize = 128;

/// Quarter-octave histogram of non-negative values: an O(1)-memory median, good to ±12%,
/// which is plenty for a noise scale.
struct Histogram {
    counts: [u32; BINS],
    total: u32,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: [0; BINS],
            total: 0,
        }
    }
}

impl Histogram {
    fn add(&mut self, v: f32) {
        self.counts[bin(v)] += 1;
        self.total += 1;
    }

    fn median(&self) -> Option<f32> {
        let half = self.total.div_ceil(2);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if n > 0 && seen >= half {
                return Some(bin_value(i));
            }
        }
        None
    }
}

/// The quarter-octave bin of `v + 1`: the float's exponent and top two mantissa bits
/// (no logarithm needed). NaN and huge values land in the last bin.
fn bin(v: f32) -> usize {
    let bits = (v.max(0.0) + 1.0).to_bits();
    ((bits >> 21).saturating_sub(127 << 2) as usize).min(BINS - 1)
}

/// The middle of a bin, back on the value scale.
fn bin_value(i: usize) -> f32 {
    let octave = (i / 4) as i32;
    let quarter = (i % 4) as f32;
    2f32.powi(octave) * (1.0 + (quarter + 0.5) / 4.0) - 1.0
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    use super::*;

    fn level_trace(levels: impl Fn(usize) -> f32, n: usize, sigma: f32) -> Vec<Sample> {
        let mut rng = SmallRng::seed_from_u64(7);
        let noise = Normal::new(0.0f32, sigma).unwrap();
        (0..n)
            .map(|i| Sample {
                t_ms: i as f64 * 10.0,
                c: levels(i) + noise.sample(&mut rng),
                ..Sample::default()
            })
            .collect()
    }

    fn calibration(polarity: Polarity, dark: Option<DarkLevel>) -> Calibration {
        Calibration {
            kind: SensorKind::Level,
            polarity,
            dark,
        }
    }

    fn estimate(trace: &[Sample], cal: &Calibration) -> Option<Levels> {
        let signal = Signal::of(trace);
        Levels::estimate(trace, &signal, cal)
    }

    #[test]
    fn bins_hold_their_values() {
        for v in [0.0f32, 0.3, 1.0, 3.0, 4.2, 17.0, 250.0, 9000.0] {
            let mid = bin_value(bin(v));
            // A quarter octave of (v + 1) wide: the middle is within 12.5% of it.
            assert!(
                ((mid + 1.0) / (v + 1.0) - 1.0).abs() <= 0.125,
                "{v} -> {mid}"
            );
        }
        assert_eq!(bin(f32::INFINITY), BINS - 1);
        assert!(bin(2.0) < bin(3.0));
    }

    #[test]
    fn noise_is_estimated_from_the_window_despite_blink_edges() {
        for sigma in [2.0f32, 4.0, 30.0] {
            // An edge every 50 samples, 2% of the pairs.
            let trace = level_trace(
                |i| if (i / 50) % 2 == 0 { 12.0 } else { 2000.0 },
                4000,
                sigma,
            );
            let x: Vec<f32> = trace.iter().map(|s| s.c).collect();
            let stats = Stats::of(&trace, &x);
            let whole = signal_sigma(&x);
            assert!(
                (whole / sigma - 1.0).abs() < 0.25,
                "sigma {sigma} estimated {whole}"
            );
            assert!((stats.peak - 2000.0).abs() < 5.0 * sigma);
            assert!((stats.trough - 12.0).abs() < 5.0 * sigma);
            // The dark side alone gives the same noise.
            let dark = dark_side(&x, &trace, 1, |v| v - 12.0, 100.0);
            assert!((dark.sigma / sigma - 1.0).abs() < 0.25, "{dark:?}");
            assert!(dark.level.abs() < sigma, "{dark:?}");
        }
    }

    #[test]
    fn calibrated_emissive_thresholds_sit_between_noise_and_light() {
        let trace = level_trace(|i| if i < 500 { 12.0 } else { 512.0 }, 1000, 4.0);
        let cal = calibration(Polarity::Emissive, Some(DarkLevel::Level(12.0)));
        let levels = estimate(&trace, &cal).unwrap();
        // 4.5σ = 18, 1.5 × the deepest dip ≈ 15 counts vs a tenth of the 500-count light:
        // the light sets it.
        assert!((levels.on - 50.0).abs() < 3.0, "on {}", levels.on);
        assert!(levels.off < levels.on && levels.off > 20.0);
        assert!(levels.intensity(12.0).abs() < 1e-3);
        assert!((levels.lit - 500.0).abs() < 5.0, "lit {}", levels.lit);
    }

    #[test]
    fn a_flickering_dark_level_stays_below_the_threshold() {
        // Dark with room light swinging ±60 counts around the calibrated 300, as a
        // full-wave rectified flicker does: never lit.
        let dark = level_trace(
            |i| {
                let s = (i as f32 * 1.3).sin().abs();
                300.0 - 60.0 + 60.0 * std::f32::consts::FRAC_PI_2 * s
            },
            800,
            2.0,
        );
        let cal = calibration(Polarity::Emissive, Some(DarkLevel::Level(300.0)));
        let levels = estimate(&dark, &cal).unwrap();
        // No two samples in a row (a lone one is a glitch the runs stage merges).
        assert!(
            dark.windows(2)
                .all(|w| levels.intensity(w[0].c.min(w[1].c)) < levels.on),
            "on {}",
            levels.on
        );
        // A grey icon of 400 counts over it is lit throughout. (A light dimmer than 60% of
        // the room light it sits in can be aliased flicker: not told apart.)
        let grey: Vec<Sample> = dark
            .iter()
            .map(|s| Sample {
                c: s.c + 400.0,
                ..*s
            })
            .collect();
        let levels = estimate(&grey, &cal).unwrap();
        assert!(grey.iter().all(|s| levels.intensity(s.c) > levels.on));
    }

    #[test]
    fn uncalibrated_emissive_finds_dark_from_two_levels_or_judges_one_by_size() {
        let cal = calibration(Polarity::Emissive, None);
        let blink = level_trace(|i| if (i / 100) % 2 == 0 { 12.0 } else { 300.0 }, 1000, 4.0);
        let levels = estimate(&blink, &cal).unwrap();
        assert!((levels.intensity(12.0)).abs() < 2.0);
        assert!(levels.intensity(300.0) > levels.on);

        let dark = level_trace(|_| 12.0, 1000, 4.0);
        let levels = estimate(&dark, &cal).unwrap();
        assert!(dark.iter().all(|s| levels.intensity(s.c) < levels.on));

        let grey = level_trace(|_| 150.0, 1000, 4.0);
        let levels = estimate(&grey, &cal).unwrap();
        assert!(grey.iter().all(|s| levels.intensity(s.c) > levels.on));

        // PWM ripple of 2:1 on a steady light is not two levels.
        let ripple = level_trace(|i| if i % 3 == 0 { 300.0 } else { 600.0 }, 1000, 4.0);
        let levels = estimate(&ripple, &cal).unwrap();
        assert!(ripple.iter().all(|s| levels.intensity(s.c) > levels.on));

        // Room light swinging with the mains, no dark level: no answer.
        let room = level_trace(|i| 100.0 + 600.0 * (i as f32 * 0.9).sin().abs(), 1000, 4.0);
        assert_eq!(estimate(&room, &cal), None);
    }

    #[test]
    fn reflective_turns_on_below_65_and_off_above_75_percent_of_bare() {
        let trace = level_trace(|_| 1800.0, 100, 4.0);
        let cal = calibration(Polarity::Reflective, Some(DarkLevel::Level(1800.0)));
        let levels = estimate(&trace, &cal).unwrap();
        assert!(levels.intensity(0.64 * 1800.0) > levels.on);
        assert!(levels.intensity(0.66 * 1800.0) < levels.on);
        assert!(levels.intensity(0.74 * 1800.0) > levels.off);
        assert!(levels.intensity(0.76 * 1800.0) < levels.off);
    }

    #[test]
    fn uncalibrated_reflective_needs_both_levels_in_view() {
        let cal = calibration(Polarity::Reflective, None);
        let steady_on = level_trace(|_| 630.0, 500, 4.0);
        assert_eq!(estimate(&steady_on, &cal), None);
        let flash = level_trace(
            |i| if (i / 100) % 2 == 0 { 1800.0 } else { 630.0 },
            500,
            4.0,
        );
        let levels = estimate(&flash, &cal).unwrap();
        assert!(levels.intensity(630.0) > levels.on);
        assert!(levels.intensity(1800.0) < levels.off);
    }

    #[test]
    fn fast_samples_are_smoothed_over_10ms() {
        // 1 kHz samples of a 100 Hz ripple: the box removes it.
        let trace: Vec<Sample> = (0..500)
            .map(|i| Sample {
                t_ms: i as f64,
                c: 100.0 + 50.0 * ((i % 10) as f32 - 4.5),
                ..Sample::default()
            })
            .collect();
        let signal = Signal::of(&trace);
        assert_eq!(signal.smooth_ms, SMOOTH_MS);
        for &v in &signal.x[10..490] {
            assert!((v - 100.0).abs() < 30.0, "{v}");
        }
        // 100 Hz samples are left alone.
        let slow: Vec<Sample> = trace.iter().step_by(10).copied().collect();
        let slow: Vec<Sample> = slow
            .into_iter()
            .enumerate()
            .map(|(i, s)| Sample {
                t_ms: i as f64 * 10.0,
                ..s
            })
            .collect();
        assert_eq!(Signal::of(&slow).smooth_ms, 0.0);
    }

    #[test]
    fn clipped_channels_are_found() {
        let trace: Vec<Sample> = (0..100)
            .map(|i| Sample {
                t_ms: i as f64 * 5.0,
                r: 200.0 + (i % 7) as f32,
                g: 1000.0,
                b: 400.0 + (i % 5) as f32,
                c: 1024.0,
            })
            .collect();
        let x: Vec<f32> = trace.iter().map(|s| s.c).collect();
        let stats = Stats::of(&trace, &x);
        assert_eq!(stats.clip, [f32::INFINITY, 1000.0, f32::INFINITY]);
        // Noise-free input (every channel still) is not clipped, unless at a full scale.
        let still: Vec<Sample> = trace
            .iter()
            .map(|s| Sample {
                r: 200.0,
                b: 400.0,
                ..*s
            })
            .collect();
        assert_eq!(Stats::of(&still, &x).clip, [f32::INFINITY; 3]);
        let full: Vec<Sample> = still.iter().map(|s| Sample { g: 4095.0, ..*s }).collect();
        assert_eq!(
            Stats::of(&full, &x).clip,
            [f32::INFINITY, 4095.0, f32::INFINITY]
        );
    }
}
