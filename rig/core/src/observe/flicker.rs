//! Mains flicker, estimated and removed sample by sample, at every sample rate.
//!
//! A room lamp flickers at twice the mains frequency: 100 or 120 Hz, within a fraction of
//! a percent. A sensor sampling at 100 or 125 Hz is judged sample by sample, and its own
//! short integration window passes most of the flicker: with jitter in the sample
//! instants, the flicker is ALIASED, no longer a fast ripple but noise, or a slow wander,
//! bounded by its peak-to-peak swing. Left in, it inflates every noise figure the floors
//! are built from (a 30%-deep flicker on a reflective indicator swings as far as its
//! darkening), and no band is drawn. A faster sensor is averaged over 20 ms (`stream/`),
//! which holds whole periods of 100 Hz but 2.4 of 120 Hz: the box leaves an eighth of a
//! 120 Hz flicker's swing, and more where samples are jittered, lost or bunched after a
//! stall (the box then weighs the phases unevenly). Under a 30%-deep flicker that is as
//! large as an LED a tenth as bright as the room, which a person still sees plainly
//! blink: the flicker is taken off before the box too.
//!
//! But its frequency is known to a fraction of a percent and every sample's instant is
//! known, so its phase at each sample is known up to a slowly turning constant: it is a
//! sinusoid `a·cos(ωt) + b·sin(ωt)` whose `a` and `b` drift slowly. A lock-in finds them
//! by least squares with a forgetting time ([`TAU_MS`], short enough for a ±0.3% frequency
//! error to turn the phase by little while it is averaged), on the sample-to-sample
//! CHANGES of the signal: a blink adds a step to a level, and a step is one large change
//! among many small ones, which the fit refuses as an outlier (more than [`REJECT_SIGMA`]
//! of the fit's own residual scale), while the flicker is in every change. Both 100 and
//! 120 Hz are fitted; the one that explains more of the changes is subtracted. Once one has
//! plainly been the room's ([`Flicker::mains_hz`]), only it is fitted: a room is on one
//! mains. The second harmonic (a rectified lamp's waveform has one a fifth of the
//! fundamental) is fitted the same way on what the fundamental leaves.
//!
//! - **Emissive**: the ambient light adds to the LED's, so its flicker is the same number
//!   of counts whether the light is lit or not: the fit is on the counts and subtracted.
//! - **Reflective**: the segment reflects a share of the room light, so the flicker
//!   multiplies the level, lit or bare: the fit is on the logarithm of the counts, and the
//!   counts are divided by the fitted waveform.
//!
//! When the sample instants alias the flicker to (almost) a constant (100 Hz sampled at
//! 100 Hz without jitter), the changes carry no flicker and the fit is singular: it is
//! held at zero (a ridge), and the flicker stays a slow wander, which the segmenter
//! already treats as one (no step, no edge). On a light with no flicker the fit finds
//! amplitudes of the order of the noise over the samples averaged: it adds a few percent
//! of noise.

use std::f64::consts::TAU;
use std::sync::LazyLock;

use super::levels::{NoiseScale, MIN_SIGMA};

/// Mains flicker (Hz): twice the mains frequency, for 50 and 60 Hz mains (the lock-in's
/// candidates, and the judge's for locks and beats).
pub(super) const FLICKER_HZ: [f64; 2] = [100.0, 120.0];
/// The fit's forgetting time, ms: a ±0.3% error at 120 Hz turns the phase by 0.36 Hz ×
/// 150 ms = 19° over it, while it still averages 15 samples at 100 Hz.
const TAU_MS: f64 = 150.0;
/// A change this many of the fit's residual sigmas off the fit is a step, not flicker.
const REJECT_SIGMA: f64 = 4.0;
/// Ridge: a direction whose regressor carries less than this share of the weight is held
/// at zero (the flicker aliased to a constant shows no change).
const RIDGE_SHARE: f64 = 0.1;
/// The share of the changes a fit to noise alone may explain (see [`Flicker::clean`]).
const EXPLAINED_NOISE: f64 = 0.2;
/// The share of the changes a fit must explain for its flicker to be the room's (while
/// the other explains no more than noise).
const SEEN_SHARE: f64 = 0.5;
/// Changes seen before a fit may name the room's mains: a fit of four numbers to 50
/// changes of noise explains about a twelfth of them, far from [`SEEN_SHARE`].
const MAINS_WARMUP: u32 = 50;
/// Changes seen before the fit is used.
const WARMUP: u32 = 20;
/// The least residual scale in logarithms (reflective): half a count of a 100-count
/// level. (In counts it is [`MIN_SIGMA`]; a floor in counts on logarithms, whose changes
/// are a few tenths, would have refused no step at all.)
const MIN_LOG_SIGMA: f32 = 0.005;

/// Steps of a whole turn in [`TURN`]: a phase is a step's cosine and sine turned by at
/// most 1.4° more, whose own cosine and sine three terms of their series give to 1e-10.
const TURN_STEPS: usize = 256;
/// The cosine and sine of each step of a turn.
static TURN: LazyLock<[(f64, f64); TURN_STEPS]> = LazyLock::new(|| {
    std::array::from_fn(|k| {
        let a = TAU * k as f64 / TURN_STEPS as f64;
        (a.cos(), a.sin())
    })
});

/// `cos` and `sin` of `cycles` whole turns. Two of these a sample were the lock-in's
/// largest cost through the library's `sin_cos` (its argument reduction is general); a
/// flicker's phase is known in turns, so a table of a turn's steps and a short series
/// for what is left do it in a few multiplications.
#[inline(always)]
fn cos_sin(cycles: f64) -> (f64, f64) {
    // The whole steps below, by an integer conversion (the library's `floor` is a call
    // on a processor without SSE4.1, the build's baseline): exact for the turns of any
    // time a trace may have (|t| < 10¹² ms).
    let steps = cycles * TURN_STEPS as f64;
    let mut whole = steps as i64;
    if (whole as f64) > steps {
        whole -= 1;
    }
    let r = (steps - whole as f64) * (TAU / TURN_STEPS as f64);
    let (c0, s0) = TURN[(whole & (TURN_STEPS as i64 - 1)) as usize];
    let r2 = r * r;
    let cr = 1.0 - r2 * (0.5 - r2 / 24.0);
    let sr = r * (1.0 - r2 / 6.0 * (1.0 - r2 / 20.0));
    (c0 * cr - s0 * sr, s0 * cr + c0 * sr)
}

/// The forgetting `exp(-dt / TAU_MS)` of a change spanning `dt` ms. A sensor's
/// interval is a small share of [`TAU_MS`], where seven terms of the series give the
/// exponential to 1e-10 in a few multiplications. (The library's `exp` ran at nearly
/// every sample: jittered stamps span a new interval each time, and a cache of the last
/// span missed. `rig classify` on a 10 M-sample trace: 1.06 s → 1.02 s, timed as the
/// `observe` module docs' throughput figures are.)
fn decay_over(dt: f64) -> f64 {
    let x = dt * (1.0 / TAU_MS);
    if (0.0..=SERIES_MAX).contains(&x) {
        // (Horner's rule on the coefficients: no division in the chain.)
        const C: [f64; 7] = [
            1.0,
            -1.0,
            1.0 / 2.0,
            -1.0 / 6.0,
            1.0 / 24.0,
            -1.0 / 120.0,
            1.0 / 720.0,
        ];
        C.iter().rev().fold(0.0, |acc, &c| acc * x + c)
    } else {
        (-x).exp()
    }
}

/// The largest `dt / TAU_MS` [`decay_over`] takes by its series (15 ms: past the
/// slowest sensor's 10 ms interval and its jitter; a span with a lost sample takes the
/// library's `exp`): the first term left out is then at most 0.1⁷/7! = 2e-11.
const SERIES_MAX: f64 = 0.1;

/// A least-squares fit of `Δx ≈ a·Δcos(ωt) + b·Δsin(ωt)` with forgetting.
#[derive(Debug, Clone, Default)]
struct LockIn {
    scc: f64,
    sss: f64,
    scs: f64,
    sxc: f64,
    sxs: f64,
    sw: f64,
    a: f64,
    b: f64,
    /// The residual's scale (of changes left once the fit is taken off)...
    resid: NoiseScale,
    /// ...and its floor, in the signal's units.
    min_sigma: f32,
    /// How much of the changes the fit leaves (forgetting sum of squared residuals)...
    left: f64,
    /// ...of this much (the same of the changes themselves).
    total: f64,
    /// The latest block's regressors: the next change starts there and the value is
    /// asked there.
    last: Option<(f64, f64)>,
}

impl LockIn {
    fn new(min_sigma: f32) -> Self {
        Self {
            min_sigma,
            ..Self::default()
        }
    }

    /// The fit's flicker over the latest block (its regressors: the mean cosine and
    /// sine of the phase over the block's samples).
    fn value(&self) -> f64 {
        let (cos, sin) = self.last.unwrap_or((0.0, 0.0));
        self.a * cos + self.b * sin
    }

    /// Begin at a block whose regressors are `cs` (no change to fit yet).
    fn start(&mut self, cs: (f64, f64)) {
        self.last = Some(cs);
    }

    /// Fit one change `dx` from the latest block to one whose regressors are `cs1` (the
    /// mean cosine and sine of the phase over its samples: a block's mean of a sinusoid
    /// is exactly `a·mean cos + b·mean sin`); `decay` the forgetting of this step.
    /// Returns the residual of the change against the fit before it.
    fn push(&mut self, cs1: (f64, f64), dx: f64, decay: f64, settled: bool) -> f64 {
        let (c0, s0) = self.last.unwrap_or(cs1);
        let (c1, s1) = cs1;
        self.last = Some(cs1);
        let dc = c1 - c0;
        let ds = s1 - s0;
        let e = dx - (self.a * dc + self.b * ds);
        let sigma = self.resid.sigma_at_least(self.min_sigma);
        let limit = REJECT_SIGMA * std::f64::consts::SQRT_2 * f64::from(sigma);
        let outlier = settled && self.resid.settled() && e.abs() > limit;
        self.resid.push(e as f32);
        // (A step is neither flicker nor noise: it counts in neither.)
        let (e2, dx2) = if outlier {
            (0.0, 0.0)
        } else {
            (e * e, dx * dx)
        };
        self.left = decay * self.left + e2;
        self.total = decay * self.total + dx2;
        for s in [
            &mut self.scc,
            &mut self.sss,
            &mut self.scs,
            &mut self.sxc,
            &mut self.sxs,
            &mut self.sw,
        ] {
            *s *= decay;
        }
        if !outlier {
            self.scc += dc * dc;
            self.sss += ds * ds;
            self.scs += dc * ds;
            self.sxc += dx * dc;
            self.sxs += dx * ds;
            self.sw += 1.0;
        }
        // A change of a sinusoid's phase by a random amount has E[Δcos²] = 1: the ridge
        // is a share of the number of changes fitted.
        let ridge = RIDGE_SHARE * self.sw;
        let (m11, m22, m12) = (self.scc + ridge, self.sss + ridge, self.scs);
        let det = m11 * m22 - m12 * m12;
        if det > 0.0 {
            let inv = 1.0 / det;
            self.a = (m22 * self.sxc - m12 * self.sxs) * inv;
            self.b = (m11 * self.sxs - m12 * self.sxc) * inv;
        }
        e
    }
}

/// The flicker remover (see the module docs).
#[derive(Debug, Clone)]
pub(super) struct Flicker {
    fundamental: [LockIn; 2],
    harmonic: [LockIn; 2],
    /// Whether the signal is in logarithms (reflective: the flicker multiplies it).
    log: bool,
    prev: Option<(f64, f64)>,
    seen: u32,
    /// The index in [`FLICKER_HZ`] of the mains the room shows, once it clearly does
    /// ([`Self::mains_hz`]).
    mains: Option<usize>,
    /// The amplitude of the flicker taken off the latest sample ([`Self::taken_off`]).
    taken_off: f64,
}

/// A block's clear counts in logarithms, gathered cheaply: their product (each at least
/// 1), and the logarithms of those multiplied before it could grow too large. Their mean
/// logarithm is worked out only where it is wanted (a reflective indicator's flicker,
/// which multiplies the counts, is fitted in logarithms): one logarithm a block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logs {
    product: f64,
    logs: f64,
    samples: u32,
}

/// The product is taken into logarithms past this (a few hundred 16-bit counts).
const PRODUCT_MOST: f64 = 1e250;

impl Default for Logs {
    fn default() -> Self {
        Self {
            product: 1.0,
            logs: 0.0,
            samples: 0,
        }
    }
}

impl Logs {
    /// One sample's clear counts.
    #[inline(always)]
    pub(crate) fn gather(&mut self, c: f32) {
        self.product *= f64::from(c.max(1.0));
        self.samples += 1;
        if self.product > PRODUCT_MOST {
            self.logs += self.product.ln();
            self.product = 1.0;
        }
    }

    /// The mean logarithm.
    fn mean(&self) -> f64 {
        (self.logs + self.product.ln()) / f64::from(self.samples.max(1))
    }
}

/// Whether the candidate mains `i` ([`FLICKER_HZ`]) is fitted: every one until the
/// room's `mains` is known, then only it (a room is on one mains).
#[inline(always)]
fn fitted(mains: Option<usize>, i: usize) -> bool {
    mains.is_none_or(|m| m == i)
}

/// For each candidate mains ([`FLICKER_HZ`]): the cosine and sine of its flicker's
/// phase, and of its harmonic's, summed over a block's samples ([`Phases::gather`]).
/// Their means are a block's regressors: the mean of a sinusoid over the samples is
/// exactly `a·mean cos + b·mean sin` of their own phases, jittered or not.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    sums: [[f64; 4]; 2],
    samples: u32,
}

impl Phases {
    /// One sample read at `t_ms`; of the room's `mains` only, once it is known (the
    /// other's fit no longer goes on).
    #[inline(always)]
    pub(crate) fn gather(&mut self, t_ms: f64, mains: Option<usize>) {
        for (i, (hz, sums)) in FLICKER_HZ.iter().zip(&mut self.sums).enumerate() {
            if !fitted(mains, i) {
                continue;
            }
            let (cos, sin) = cos_sin(hz / 1000.0 * t_ms);
            // The harmonic's phase is twice the fundamental's.
            sums[0] += cos;
            sums[1] += sin;
            sums[2] += cos * cos - sin * sin;
            sums[3] += 2.0 * sin * cos;
        }
        self.samples += 1;
    }

    /// The mean cosines and sines.
    fn means(&self) -> [[f64; 4]; 2] {
        let n = f64::from(self.samples.max(1));
        self.sums.map(|s| s.map(|v| v / n))
    }
}

impl Flicker {
    pub(crate) fn new(log: bool) -> Self {
        let min_sigma = if log { MIN_LOG_SIGMA } else { MIN_SIGMA };
        Self {
            fundamental: [LockIn::new(min_sigma), LockIn::new(min_sigma)],
            harmonic: [LockIn::new(min_sigma), LockIn::new(min_sigma)],
            log,
            prev: None,
            seen: 0,
            mains: None,
            taken_off: 0.0,
        }
    }

    /// The counts `c` read at `t_ms` with the flicker removed: one sample as a block of
    /// its own.
    #[cfg(test)]
    pub(crate) fn clean(&mut self, t_ms: f64, c: f32) -> f32 {
        let mut phases = Phases::default();
        phases.gather(t_ms, self.mains);
        let mut logs = Logs::default();
        logs.gather(c);
        self.clean_block(t_ms, c, &logs, &phases)
    }

    /// Whether the fits have seen enough changes to be taken off: until then what is
    /// read carries the room's flicker whole.
    pub(crate) fn settled(&self) -> bool {
        self.seen >= WARMUP
    }

    /// The index in [`FLICKER_HZ`] of the room's mains, once known.
    pub(crate) fn mains(&self) -> Option<usize> {
        self.mains
    }

    /// The flicker the room shows (100 or 120 Hz), once one fit has explained most of
    /// the changes while the other explained no more than a fit to noise does; `None`
    /// until then. A room is on one mains, so the other cannot flicker in it: a flicker
    /// the sample rate aliases to a constant, which no fit sees, is then ruled out too.
    /// (The first seen is kept: the lamps do not change mains.)
    pub(crate) fn mains_hz(&self) -> Option<f64> {
        self.mains.map(|i| FLICKER_HZ[i])
    }

    /// The amplitude (peak, in the signal's units: counts, or logarithms if reflective)
    /// of the fundamental's flicker taken off the latest sample, in proportion to how
    /// clearly it is more than noise: 0 where none is.
    pub(crate) fn taken_off(&self) -> f64 {
        self.taken_off
    }

    /// The mean counts `c` of a block whose mean time is `t_ms`, whose counts in
    /// logarithms are `logs` and whose samples' phases are `phases`, with the flicker
    /// removed. (In logarithms the block's mean of the flicker is the mean of each
    /// sample's logarithm, not the logarithm of their mean.)
    pub(crate) fn clean_block(&mut self, t_ms: f64, c: f32, logs: &Logs, phases: &Phases) -> f32 {
        let x = if self.log { logs.mean() } else { f64::from(c) };
        let regressors = phases.means();
        // Once the room's mains is known the other cannot flicker in it: only its own
        // fit goes on (half the lock-in's work).
        let mains = self.mains;
        // The change since the block before, and its forgetting; none at the first.
        let change = self.prev.map(|(t0, x0)| (x - x0, decay_over(t_ms - t0)));
        let settled = self.settled();
        for (i, ((f, h), r)) in self
            .fundamental
            .iter_mut()
            .zip(self.harmonic.iter_mut())
            .zip(&regressors)
            .enumerate()
        {
            if !fitted(mains, i) {
                continue;
            }
            let (fundamental, harmonic) = ((r[0], r[1]), (r[2], r[3]));
            match change {
                Some((dx, decay)) => {
                    let e = f.push(fundamental, dx, decay, settled);
                    // The harmonic is fitted on what the fundamental's fit before this
                    // change left of it.
                    h.push(harmonic, e, decay, settled);
                }
                None => {
                    f.start(fundamental);
                    h.start(harmonic);
                }
            }
        }
        if change.is_some() {
            self.seen = self.seen.saturating_add(1);
        }
        self.prev = Some((t_ms, x));
        if !self.settled() {
            return c;
        }
        let best = match self.mains {
            Some(m) => m,
            None if self.harmonic[0].left <= self.harmonic[1].left => 0,
            None => 1,
        };
        // A fit to noise alone explains about two changes of the ~TAU_MS/interval it
        // averages (a tenth or so); a flicker that matters explains most of them. The fit
        // is taken off in proportion to how clearly it is more than noise.
        let explained = |i: usize| {
            1.0 - self.harmonic[i].left / self.fundamental[i].total.max(f64::MIN_POSITIVE)
        };
        let explained = [explained(0), explained(1)];
        if self.mains.is_none()
            && self.seen >= MAINS_WARMUP
            && explained[best] >= SEEN_SHARE
            && explained[1 - best] < EXPLAINED_NOISE
        {
            self.mains = Some(best);
        }
        let (fit, harmonic) = (&self.fundamental[best], &self.harmonic[best]);
        let explained = explained[best];
        let gain = ((explained - EXPLAINED_NOISE) / EXPLAINED_NOISE).clamp(0.0, 1.0);
        self.taken_off = gain * (fit.a * fit.a + fit.b * fit.b).sqrt();
        if gain == 0.0 {
            return c;
        }
        let w = gain * (fit.value() + harmonic.value());
        if self.log {
            (f64::from(c) * (-w).exp()) as f32
        } else {
            (f64::from(c) - w) as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 500 samples at 125 Hz with ±1.5 ms of jitter and ±1 count of noise, through a
    /// flicker remover (`log`: reflective): `reading(t)` is (the light's level, the count
    /// read without noise). Returns how far the cleaned and the raw counts stray from the
    /// level after the first 100 samples (RMS; of logarithms if `log`).
    fn strays(log: bool, seed: u64, reading: impl Fn(f64) -> (f64, f64)) -> (f64, f64) {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let mut f = Flicker::new(log);
        let off = |c: f32, level: f64| {
            if log {
                (f64::from(c) / level).ln()
            } else {
                f64::from(c) - level
            }
        };
        let (mut left, mut before, mut n) = (0.0f64, 0.0f64, 0.0f64);
        for k in 0..500 {
            let t = 8.0 * f64::from(k) + rng.random_range(-1.5..1.5);
            let (level, read) = reading(t);
            let c = (read + rng.random_range(-1.0..1.0)) as f32;
            let cleaned = f.clean(t, c);
            if k > 100 {
                left += off(cleaned, level).powi(2);
                before += off(c, level).powi(2);
                n += 1.0;
            }
        }
        ((left / n).sqrt(), (before / n).sqrt())
    }

    /// The mains a flicker remover names after 500 samples at 250 Hz (jittered ±1.5 ms,
    /// ±1 count of noise) of a flat 500 counts and `depth` counts of flicker at `hz`.
    fn mains_named(hz: f64, depth: f64) -> Option<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
        let mut f = Flicker::new(false);
        for k in 0..500 {
            let t = 4.0 * f64::from(k) + rng.random_range(-1.5..1.5);
            let c = 500.0 + depth * (TAU * hz / 1000.0 * t).sin() + rng.random_range(-1.0..1.0);
            f.clean(t, c as f32);
        }
        f.mains_hz()
    }

    #[test]
    fn a_phase_in_turns_has_the_library_s_cosine_and_sine() {
        // Whole hours of stamps in ms at 100 and 120 Hz, and every step's edges.
        let worst = (0..200_000)
            .map(|k| f64::from(k) * 17.371 + 0.5)
            .flat_map(|t_ms| [0.1, 0.12].map(|per_ms| per_ms * t_ms))
            .chain((0..=2 * TURN_STEPS).map(|k| k as f64 / TURN_STEPS as f64 - 1e-12))
            // (A stamp before the trace's zero turns backwards.)
            .chain((0..1000).map(|k| -0.0137 * f64::from(k)))
            .map(|turns| {
                let (c, s) = cos_sin(turns);
                let (ls, lc) = (TAU * turns).sin_cos();
                (c - lc).abs().max((s - ls).abs())
            })
            .fold(0.0, f64::max);
        assert!(worst < 1e-9, "{worst}");
    }

    #[test]
    fn the_forgetting_is_the_exponential_at_every_span() {
        // Every interval a sensor's stamps can show, to 0.01 ms, and gaps far past them.
        let worst = (0..100_000)
            .map(|k| f64::from(k) * 0.01)
            .map(|dt| (decay_over(dt) - (-dt / TAU_MS).exp()).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-10, "{worst}");
    }

    #[test]
    fn the_room_s_mains_is_named_only_when_its_flicker_is_seen() {
        assert_eq!(mains_named(120.2, 30.0), Some(120.0));
        assert_eq!(mains_named(99.8, 30.0), Some(100.0));
        // Noise alone names none: either mains may still flicker at one phase.
        assert_eq!(mains_named(100.0, 0.0), None);
    }

    #[test]
    fn aliased_flicker_is_removed_and_steps_survive() {
        // 125 Hz sampling with jitter, 100.2 Hz flicker of ±30 counts, a 50 ms flutter
        // of 60 counts, a little noise.
        let (left, before) = strays(false, 7, |t| {
            let lit = (t / 50.0) as u64 % 2 == 1;
            let level = if lit { 160.0 } else { 100.0 };
            (level, level + 30.0 * (TAU * 0.1002 * t + 1.0).sin())
        });
        assert!(left < 0.25 * before, "{left} of {before}");
    }

    #[test]
    fn a_reflective_blink_s_steps_are_refused_by_the_fit_in_logarithms() {
        // An LCD segment read at 125 Hz: the bare display at 150 counts, lit at 45% of it,
        // a broken flutter's 50 ms pulses, and the room's 100.2 Hz flicker 25% deep
        // multiplying both. In logarithms the steps are 0.8 and the flicker's changes a
        // few tenths: the fit must refuse the steps, or it never locks.
        let (left, before) = strays(true, 11, |t| {
            let in_group = ((t / 500.0) as u64).is_multiple_of(2);
            let lit = in_group && (t / 50.0) as u64 % 2 == 1;
            let level = if lit { 0.45 * 150.0 } else { 150.0 };
            (level, level * (1.0 + 0.25 * (TAU * 0.1002 * t + 1.0).sin()))
        });
        assert!(left < 0.35 * before, "{left} of {before}");
    }

    /// Blocks of four samples at 1 kHz, stamps jittered ±1.5 ms about their instants, a
    /// 120.2 Hz flicker 30% deep on 500 counts and a 50 ms flutter of 150 counts, through
    /// a flicker remover (`log`: reflective, the flicker multiplying). Each block's
    /// phases are its samples' own, or (`at_mean`) the phase at its mean time for all
    /// four. Returns how far the cleaned and the raw block means stray from the level
    /// (RMS, after the first 100 blocks).
    fn block_strays(log: bool, at_mean: bool) -> (f64, f64) {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(17);
        let mut f = Flicker::new(log);
        let (mut left, mut before, mut n) = (0.0f64, 0.0f64, 0.0f64);
        for block in 0..1000 {
            let stamps: Vec<f64> = (0..4)
                .map(|k| f64::from(4 * block + k) + rng.random_range(-1.5..1.5))
                .collect();
            let t_mean = stamps.iter().sum::<f64>() / 4.0;
            let level_at = |t: f64| {
                if (t / 50.0) as u64 % 2 == 1 {
                    650.0
                } else {
                    500.0
                }
            };
            let level = stamps.iter().map(|&t| level_at(t)).sum::<f64>() / 4.0;
            let reads: Vec<f64> = stamps
                .iter()
                .map(|&t| {
                    let level = level_at(t);
                    let flicker = 0.3 * (TAU * 0.1202 * t + 1.0).sin();
                    if log {
                        level * (1.0 + flicker)
                    } else {
                        level + 500.0 * flicker
                    }
                })
                .collect();
            let mut phases = Phases::default();
            for &t in &stamps {
                phases.gather(if at_mean { t_mean } else { t }, None);
            }
            let c = reads.iter().sum::<f64>() / 4.0;
            let mut logs = Logs::default();
            for &r in &reads {
                logs.gather(r as f32);
            }
            let cleaned = f.clean_block(t_mean, c as f32, &logs, &phases);
            if block > 100 {
                left += (f64::from(cleaned) - level).powi(2);
                before += (c - level).powi(2);
                n += 1.0;
            }
        }
        ((left / n).sqrt(), (before / n).sqrt())
    }

    #[test]
    fn a_block_s_flicker_is_fitted_on_its_samples_own_phases() {
        for log in [false, true] {
            let (left, before) = block_strays(log, false);
            // (What is left is mostly the fit's lag: a flicker 0.2 Hz off its nominal
            // turns by a fifth of a radian over the forgetting time, as sample by sample.)
            assert!(left < 0.3 * before, "log {log}: {left} of {before}");
            // The phase at the block's mean time alone leaves what the jitter moved.
            let (at_mean, _) = block_strays(log, true);
            assert!(
                left < 0.7 * at_mean,
                "log {log}: {left}, at the mean time {at_mean}"
            );
        }
    }
}
