//! Axis ticks a person reads at a glance: a step of 1, 2 or 5 times a power of ten
//! (0.5 s, 2 s, 200 counts, 5000 counts), ticks on the step's multiples, labels with just
//! the decimals the step needs (`0.5`, `1`, `1.5`; never `359.01`).

/// How many ticks an axis aims for; the step chosen gives at most this many intervals.
pub(crate) const TARGET_TICKS: usize = 6;

/// The smallest step of 1, 2 or 5 × 10^k that cuts `span` into at most `target`
/// intervals. A span that is zero, negative or not finite gets a step of 1.
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    if !span.is_finite() || span <= 0.0 {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    // Rounding may leave raw / magnitude a hair under 1 or over 10.
    let norm = raw / magnitude;
    let factor = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|f| norm <= f * (1.0 + 1e-9))
        .unwrap_or(10.0);
    factor * magnitude
}

/// An axis' ticks: the step and the values, multiples of the step, in increasing order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    pub(crate) step: f64,
    pub(crate) values: Vec<f64>,
}

impl Ticks {
    /// Ticks on the multiples of [`nice_step`] that lie within `[lo, hi]` (an edge that is
    /// within a millionth of a step of a multiple counts as one).
    pub(crate) fn within(lo: f64, hi: f64, target: usize) -> Self {
        let (lo, hi) = ordered(lo, hi);
        on_multiples(lo, hi, nice_step(hi - lo, target))
    }

    /// The bounds `[lo, hi]` widened out to multiples of the step, with the ticks between:
    /// an axis that starts and ends on a tick.
    pub(crate) fn covering(lo: f64, hi: f64, target: usize) -> (f64, f64, Self) {
        let (lo, hi) = ordered(lo, hi);
        let step = nice_step(hi - lo, target);
        let eps = step * 1e-6;
        let a = tidy(((lo + eps) / step).floor() * step);
        let mut b = tidy(((hi - eps) / step).ceil() * step);
        if b <= a {
            b = tidy(a + step);
        }
        (a, b, on_multiples(a, b, step))
    }

    /// The label of a tick value: the decimals its step needs, and no `-0`.
    pub(crate) fn label(&self, v: f64) -> String {
        label(v, self.step)
    }
}

/// `v` with as many decimals as a step of `step` needs (`0.5` → 1, `0.25` → 2, `5` → 0).
pub(crate) fn label(v: f64, step: f64) -> String {
    let decimals = if step.is_finite() && step > 0.0 && step < 1.0 {
        // 1, 2 or 5 × 10^-k needs k decimals.
        ((-step.log10()).ceil() as usize).min(12)
    } else {
        0
    };
    let text = format!("{v:.decimals$}");
    if text.chars().all(|c| matches!(c, '-' | '0' | '.')) {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// The multiples of `step` within `[lo, hi]` (an edge within a millionth of a step of a
/// multiple counts as one).
fn on_multiples(lo: f64, hi: f64, step: f64) -> Ticks {
    let eps = step * 1e-6;
    let first = ((lo - eps) / step).ceil() as i64;
    let last = ((hi + eps) / step).floor() as i64;
    let values = (first..=last).map(|k| tidy(k as f64 * step)).collect();
    Ticks { step, values }
}

/// `(lo, hi)` in order, non-finite bounds replaced so the result is a usable span.
fn ordered(lo: f64, hi: f64) -> (f64, f64) {
    let lo = if lo.is_finite() { lo } else { 0.0 };
    let hi = if hi.is_finite() { hi } else { lo + 1.0 };
    if hi < lo {
        (hi, lo)
    } else {
        (lo, hi)
    }
}

/// `x` with the last bits of rounding noise taken off (k × 0.1 is 0.30000000000000004).
fn tidy(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(12 - x.abs().log10().ceil() as i32);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(10.0, 10), 1.0);
        assert_eq!(nice_step(14.05, 6), 5.0);
        assert_eq!(nice_step(2.3, 6), 0.5);
        assert_eq!(nice_step(0.9, 6), 0.2);
        assert_eq!(nice_step(1800.0, 6), 500.0);
        assert_eq!(nice_step(4100.0, 6), 1000.0);
        assert_eq!(nice_step(60_000.0, 6), 10_000.0);
        // Exactly on a boundary: 12 / 6 is 2, not 5.
        assert_eq!(nice_step(12.0, 6), 2.0);
        for bad in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(nice_step(bad, 6), 1.0);
        }
        for span in [0.013, 0.7, 3.3, 47.0, 359.01, 1234.5, 98_765.0] {
            let s = nice_step(span, TARGET_TICKS);
            let mantissa = s / 10f64.powf(s.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9),
                "{span}: step {s}"
            );
            assert!(span / s <= TARGET_TICKS as f64 + 1e-9, "{span}: step {s}");
            assert!(
                span / s > TARGET_TICKS as f64 / 5.0 - 1e-9,
                "{span}: step {s}"
            );
        }
    }

    #[test]
    fn ticks_fall_on_multiples_of_the_step_inside_the_span() {
        let t = Ticks::within(0.0, 14.05, 6);
        assert_eq!(t.step, 5.0);
        assert_eq!(t.values, [0.0, 5.0, 10.0]);
        let labels: Vec<String> = t.values.iter().map(|v| t.label(*v)).collect();
        assert_eq!(labels, ["0", "5", "10"]);
        // The span of the old plots: 359.01 s to 371.77 s of bench time.
        let t = Ticks::within(359.01, 371.77, 6);
        assert_eq!(t.step, 5.0);
        assert_eq!(t.values, [360.0, 365.0, 370.0]);
        let t = Ticks::within(0.0, 2.3, 6);
        let labels: Vec<String> = t.values.iter().map(|v| t.label(*v)).collect();
        assert_eq!(labels, ["0.0", "0.5", "1.0", "1.5", "2.0"]);
        let t = Ticks::within(0.0, 0.3, 6);
        assert_eq!(t.values, [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
        assert_eq!(t.label(0.15), "0.15");
        assert_eq!(t.label(0.1), "0.10");
        // Negative and reversed spans.
        let t = Ticks::within(5.0, -5.0, 6);
        assert_eq!(t.values, [-4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!(t.label(-0.0), "0");
        let t = Ticks::within(f64::NAN, f64::NAN, 6);
        assert!(!t.values.is_empty() && t.values.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_covering_axis_starts_and_ends_on_ticks() {
        // An M-Series trace: readings 614..646, its dark (bare) level 1800.
        let (lo, hi, t) = Ticks::covering(0.0, 1800.0 * 1.05, 6);
        assert_eq!((lo, hi), (0.0, 2000.0));
        assert_eq!(t.values, [0.0, 500.0, 1000.0, 1500.0, 2000.0]);
        let (lo, hi, t) = Ticks::covering(12.3, 4021.0, 6);
        assert_eq!((lo, hi), (0.0, 5000.0));
        assert_eq!(t.values.first(), Some(&lo));
        assert_eq!(t.values.last(), Some(&hi));
        let (lo, hi, _) = Ticks::covering(7.0, 7.0, 6);
        assert!(hi > lo);
        // Widening does not coarsen the step: 1.5..12.5 is 0..14 in steps of 2.
        let (lo, hi, t) = Ticks::covering(1.5, 12.5, 6);
        assert_eq!((lo, hi, t.step), (0.0, 14.0, 2.0));
        assert_eq!(t.values.last(), Some(&14.0));
    }
}
