//! The open run's settled values kept for pairing each new one with the run's own half
//! the fastest blink's period and a whole period before ([`RunStats::lag_correlation`],
//! [`RunStats::blink_swing`](crate::observe::runs::RunStats::blink_swing)).
//!
//! [`RunStats::lag_correlation`]: crate::observe::runs::RunStats::lag_correlation

use std::collections::VecDeque;

use super::LAG_PAIR_TOLERANCE_MS;

/// At most this many values are kept, whatever the rate claimed.
const MOST_VALUES: usize = 1024;

/// The open run's settled values back to twice the lag, and where in them the value
/// nearest half a period before the next one may be.
#[derive(Debug, Clone, Default)]
pub(super) struct LagWindow {
    values: VecDeque<(f64, f32)>,
    /// The index of the first value that may be paired a lag before the next.
    half: usize,
}

/// A value paired with a later one: how long before it was read, and what it read.
pub(super) type Earlier = (f64, f32);

impl LagWindow {
    /// Forget every value (a new run begins).
    pub(super) fn clear(&mut self) {
        self.values.clear();
        self.half = 0;
    }

    /// Take `v` read at `t`, and return the values nearest `lag_ms` and twice that
    /// before it, each if within [`LAG_PAIR_TOLERANCE_MS`] of it. O(1) amortised: times
    /// only grow, so the value nearest a lag before is at or after the one nearest last
    /// time.
    pub(super) fn pair(&mut self, t: f64, v: f32, lag_ms: f64) -> [Option<Earlier>; 2] {
        let (half, whole) = (t - lag_ms, t - 2.0 * lag_ms);
        while self
            .values
            .front()
            .is_some_and(|&(t0, _)| t0 < whole - LAG_PAIR_TOLERANCE_MS)
            || self.values.len() > MOST_VALUES
        {
            self.values.pop_front();
            self.half = self.half.saturating_sub(1);
        }
        while self
            .values
            .get(self.half)
            .is_some_and(|&(t0, _)| t0 < half - LAG_PAIR_TOLERANCE_MS)
        {
            self.half += 1;
        }
        let pairs = [
            self.nearest(half, self.half).map(|(t0, v0)| (t - t0, v0)),
            self.nearest(whole, 0).map(|(t0, v0)| (t - t0, v0)),
        ];
        self.values.push_back((t, v));
        pairs
    }

    /// Of the values at `from` and the one after, the nearer to `then` within the
    /// tolerance (earlier ones are further off, see [`Self::pair`]; a third within it
    /// would need three values in 4 ms, and runs are paired only under 150 Hz).
    fn nearest(&self, then: f64, from: usize) -> Option<(f64, f32)> {
        let near = |i: usize| {
            self.values
                .get(i)
                .copied()
                .filter(|&(t0, _)| (t0 - then).abs() <= LAG_PAIR_TOLERANCE_MS)
        };
        match (near(from), near(from + 1)) {
            (Some(a), Some(b)) if (b.0 - then).abs() < (a.0 - then).abs() => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_paired_with_the_nearest_a_lag_and_two_before() {
        let mut w = LagWindow::default();
        // Every 10 ms, jittered by up to 1.5 ms; the value is its index.
        let times: Vec<f64> = (0..40)
            .map(|k| 10.0 * f64::from(k) + [0.0, 1.5, -1.0, 0.5][k as usize % 4])
            .collect();
        for (k, &t) in times.iter().enumerate() {
            let [half, whole] = w.pair(t, k as f32, 50.0);
            // (Brute force: the nearest within the tolerance among all before.)
            let expect = |lag: f64| {
                times[..k]
                    .iter()
                    .enumerate()
                    .filter(|&(_, &t0)| (t - lag - t0).abs() <= LAG_PAIR_TOLERANCE_MS)
                    .min_by(|a, b| (t - lag - a.1).abs().total_cmp(&(t - lag - b.1).abs()))
                    .map(|(i, &t0)| (t - t0, i as f32))
            };
            assert_eq!(half, expect(50.0), "at {t}");
            assert_eq!(whole, expect(100.0), "at {t}");
        }
    }

    #[test]
    fn nothing_further_off_than_the_tolerance_is_paired_and_clear_forgets() {
        // Every 8 ms (125 Hz): 48 and 56 ms before, 96 and 104: only 48 is within 2 ms of
        // 50, and nothing of 100.
        let mut w = LagWindow::default();
        let mut paired = [0, 0];
        for k in 0..30 {
            let pairs = w.pair(8.0 * f64::from(k), 0.0, 50.0);
            for (n, p) in paired.iter_mut().zip(pairs) {
                if let Some((lag, _)) = p {
                    assert!((lag - 48.0).abs() < 1e-9, "{lag}");
                    *n += 1;
                }
            }
        }
        assert_eq!(paired, [24, 0]);
        w.clear();
        assert_eq!(w.pair(300.0, 0.0, 50.0), [None, None]);
    }
}
