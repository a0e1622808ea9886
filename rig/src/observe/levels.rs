//! Levels: where "dark" is in a window, how noisy it is, and the lit/unlit thresholds.
//!
//! Every sample is mapped to an intensity `x` that is ≈0 when the light is off and grows
//! when it is on: `clear − dark` for emissive lights, `bare − level` for the reflective
//! LCD indicator (darker when on). One pair of thresholds then serves both polarities:
//! a sample turns lit above `on` and stays lit until it falls below `off` (hysteresis,
//! so noise on a slow edge cannot chatter).
//!
//! Emissive thresholds are the largest of three floors, each for a reason:
//! - `K_ON_SIGMA` × read noise: a dark light must never read lit (6σ: once in ~10⁹ samples).
//!   The noise is estimated from the window itself (median of sample-to-sample
//!   differences: blink edges are a minority of pairs, so the median ignores them).
//! - `LIT_FRACTION` × the brightest level in the window: light leaking from a neighbouring
//!   LED or a partial sample on an edge stays dark. A lit state dimmer than a tenth of the
//!   brightest one seen would be missed; the grey icon is about a quarter of an LED.
//! - `MIN_LIT_COUNTS`: a floor when the noise estimate is zero (noise-free inputs).
//!
//! Without a calibrated dark level (emissive only) the window is split into two levels
//! when it clearly has two (span ≥ `SPLIT_SIGMA` noise and the bright one at least twice
//! the dark one); otherwise a single level is dark when below `UNCALIBRATED_LIT_MIN` counts
//! and lit above it. This is a fallback: wiring should give `dark`.

use crate::bench::DarkLevel;
use crate::hw::Sample;

use super::{Calibration, Polarity};

/// Lit needs this many noise sigmas above dark.
const K_ON_SIGMA: f32 = 6.0;
/// Lit needs this fraction of the window's brightest level above dark.
const LIT_FRACTION: f32 = 0.1;
/// An emissive light turns unlit below this fraction of the turn-on threshold.
const HYSTERESIS: f32 = 0.6;
/// Lit needs at least this many counts above dark.
const MIN_LIT_COUNTS: f32 = 4.0;
/// Noise floor (counts): keeps thresholds finite on noise-free inputs.
const MIN_SIGMA: f32 = 0.5;
/// Uncalibrated: a window holds two levels only if they are this many sigmas apart.
const SPLIT_SIGMA: f32 = 10.0;
/// Uncalibrated: a single level above this (counts) is a lit light. Dark reads ~12.
const UNCALIBRATED_LIT_MIN: f32 = 48.0;
/// Reflective: "on" once the level drops below this fraction of the bare display...
const REFLECTIVE_ON: f32 = 0.65;
/// ...and "off" again once it climbs back above this one ("on" reads ~35%).
const REFLECTIVE_OFF: f32 = 0.75;
/// median |Δ| of two N(0, σ²) reads is 0.954 σ.
const MEDIAN_ABS_DIFF_PER_SIGMA: f32 = 0.954;

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
}

impl Levels {
    /// Intensity of a clear-channel (or level) reading: ≈0 off, large when on.
    #[inline]
    pub fn intensity(&self, c: f32) -> f32 {
        if self.reflective {
            self.reference - c
        } else {
            c - self.reference
        }
    }

    /// Estimate the levels of a window; `None` when it cannot be judged (a reflective
    /// indicator without a bare level, showing a single level: on and off look alike).
    pub fn estimate(samples: &[Sample], calibration: &Calibration) -> Option<Levels> {
        let spread = Spread::of(samples);
        match calibration.polarity {
            Polarity::Emissive => Some(emissive(samples, calibration.dark, &spread)),
            Polarity::Reflective => reflective(calibration.dark, &spread),
        }
    }
}

fn emissive(samples: &[Sample], dark: Option<DarkLevel>, spread: &Spread) -> Levels {
    let (reference, dark_rgb) = match dark {
        Some(DarkLevel::Rgbc([r, g, b, c])) => (c, [r, g, b]),
        // One level for an RGB sensor: the colour channels' dark is unknown; it is small
        // against a lit LED, so ignoring it only tilts dim colours slightly.
        Some(DarkLevel::Level(c)) => (c, [0.0; 3]),
        None => estimate_dark(samples, spread),
    };
    let on = (K_ON_SIGMA * spread.sigma)
        .max(LIT_FRACTION * (spread.peak - reference))
        .max(MIN_LIT_COUNTS);
    Levels {
        reflective: false,
        reference,
        dark_rgb,
        on,
        off: HYSTERESIS * on,
    }
}

/// Dark level and per-channel dark of an uncalibrated emissive window.
fn estimate_dark(samples: &[Sample], spread: &Spread) -> (f32, [f32; 3]) {
    let span = spread.peak - spread.trough;
    let two_levels =
        span > (SPLIT_SIGMA * spread.sigma).max(MIN_LIT_COUNTS) && span > spread.trough;
    if two_levels {
        let mid = 0.5 * (spread.peak + spread.trough);
        let [r, g, b, c] = mean_below(samples, mid);
        (c, [r, g, b])
    } else if spread.peak < UNCALIBRATED_LIT_MIN {
        // One level, near zero: all dark.
        (0.5 * (spread.peak + spread.trough), [0.0; 3])
    } else {
        // One level, clearly bright: all lit; the true dark is small against it.
        (0.0, [0.0; 3])
    }
}

fn reflective(bare: Option<DarkLevel>, spread: &Spread) -> Option<Levels> {
    let bare = match bare {
        Some(DarkLevel::Level(v)) => v,
        Some(DarkLevel::Rgbc([.., c])) => c,
        // Uncalibrated: the brighter level is the bare display, if the window has two.
        None if spread.trough < REFLECTIVE_ON * spread.peak => spread.peak,
        None => return None,
    };
    let on = ((1.0 - REFLECTIVE_ON) * bare).max(K_ON_SIGMA * spread.sigma);
    let off = (1.0 - REFLECTIVE_OFF) * bare;
    Some(Levels {
        reflective: true,
        reference: bare,
        dark_rgb: [0.0; 3],
        on,
        off,
    })
}

/// Mean r, g, b, c of the samples whose clear channel is below `limit`.
fn mean_below(samples: &[Sample], limit: f32) -> [f32; 4] {
    let mut sum = [0.0f64; 4];
    let mut n = 0u32;
    for s in samples.iter().filter(|s| s.c < limit) {
        sum[0] += f64::from(s.r);
        sum[1] += f64::from(s.g);
        sum[2] += f64::from(s.b);
        sum[3] += f64::from(s.c);
        n += 1;
    }
    let n = f64::from(n.max(1));
    sum.map(|v| (v / n) as f32)
}

/// The range and noise of a window's clear channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Spread {
    /// Highest level held for two samples in a row (a lone spike does not count).
    pub peak: f32,
    /// Lowest level held for two samples in a row.
    pub trough: f32,
    /// Read noise, one sigma, in counts.
    pub sigma: f32,
}

impl Spread {
    pub fn of(samples: &[Sample]) -> Spread {
        let Some(first) = samples.first() else {
            return Spread {
                peak: 0.0,
                trough: 0.0,
                sigma: MIN_SIGMA,
            };
        };
        let mut peak = first.c;
        let mut trough = first.c;
        let mut diffs = Histogram::default();
        if samples.len() > 1 {
            peak = f32::MIN;
            trough = f32::MAX;
        }
        for pair in samples.windows(2) {
            let (a, b) = (pair[0].c, pair[1].c);
            peak = peak.max(a.min(b));
            trough = trough.min(a.max(b));
            diffs.add((a - b).abs());
        }
        let sigma = diffs.median().map_or(MIN_SIGMA, |m| {
            (m / MEDIAN_ABS_DIFF_PER_SIGMA).max(MIN_SIGMA)
        });
        Spread {
            peak,
            trough,
            sigma,
        }
    }
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
    use crate::hw::SensorKind;

    fn level_trace(levels: impl Fn(usize) -> f32, n: usize, sigma: f32) -> Vec<Sample> {
        let mut rng = SmallRng::seed_from_u64(7);
        let noise = Normal::new(0.0f32, sigma).unwrap();
        (0..n)
            .map(|i| Sample {
                t_ms: i as f64,
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
            // Flutter at 1 kHz: an edge every 50 samples, 2% of the pairs.
            let trace = level_trace(
                |i| if (i / 50) % 2 == 0 { 12.0 } else { 2000.0 },
                4000,
                sigma,
            );
            let spread = Spread::of(&trace);
            assert!(
                (spread.sigma / sigma - 1.0).abs() < 0.25,
                "sigma {sigma} estimated {}",
                spread.sigma
            );
            assert!((spread.peak - 2000.0).abs() < 5.0 * sigma);
            assert!((spread.trough - 12.0).abs() < 5.0 * sigma);
        }
    }

    #[test]
    fn calibrated_emissive_thresholds_sit_between_noise_and_light() {
        let trace = level_trace(|i| if i < 500 { 12.0 } else { 512.0 }, 1000, 4.0);
        let cal = calibration(Polarity::Emissive, Some(DarkLevel::Level(12.0)));
        let levels = Levels::estimate(&trace, &cal).unwrap();
        // 6σ = 24 counts vs a tenth of the 500-count light: the light sets it.
        assert!((levels.on - 50.0).abs() < 3.0, "on {}", levels.on);
        assert!(levels.off < levels.on && levels.off > 20.0);
        assert!(levels.intensity(12.0).abs() < 1e-3);
    }

    #[test]
    fn uncalibrated_emissive_finds_dark_from_two_levels_or_judges_one_by_size() {
        let cal = calibration(Polarity::Emissive, None);
        let blink = level_trace(|i| if (i / 100) % 2 == 0 { 12.0 } else { 300.0 }, 1000, 4.0);
        let levels = Levels::estimate(&blink, &cal).unwrap();
        assert!((levels.intensity(12.0)).abs() < 2.0);
        assert!(levels.intensity(300.0) > levels.on);

        let dark = level_trace(|_| 12.0, 1000, 4.0);
        let levels = Levels::estimate(&dark, &cal).unwrap();
        assert!(dark.iter().all(|s| levels.intensity(s.c) < levels.on));

        let grey = level_trace(|_| 150.0, 1000, 4.0);
        let levels = Levels::estimate(&grey, &cal).unwrap();
        assert!(grey.iter().all(|s| levels.intensity(s.c) > levels.on));
    }

    #[test]
    fn reflective_turns_on_below_65_and_off_above_75_percent_of_bare() {
        let trace = level_trace(|_| 1800.0, 100, 4.0);
        let cal = calibration(Polarity::Reflective, Some(DarkLevel::Level(1800.0)));
        let levels = Levels::estimate(&trace, &cal).unwrap();
        assert!(levels.intensity(0.64 * 1800.0) > levels.on);
        assert!(levels.intensity(0.66 * 1800.0) < levels.on);
        assert!(levels.intensity(0.74 * 1800.0) > levels.off);
        assert!(levels.intensity(0.76 * 1800.0) < levels.off);
    }

    #[test]
    fn uncalibrated_reflective_needs_both_levels_in_view() {
        let cal = calibration(Polarity::Reflective, None);
        let steady_on = level_trace(|_| 630.0, 500, 4.0);
        assert_eq!(Levels::estimate(&steady_on, &cal), None);
        let flash = level_trace(
            |i| if (i / 100) % 2 == 0 { 1800.0 } else { 630.0 },
            500,
            4.0,
        );
        let levels = Levels::estimate(&flash, &cal).unwrap();
        assert!(levels.intensity(630.0) > levels.on);
        assert!(levels.intensity(1800.0) < levels.off);
    }
}
