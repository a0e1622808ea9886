//! When samples are taken (MODEL.md §4): clock error, jitter, dropped samples, bus stalls.

use rand::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

/// The sampling of one trace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sampling {
    /// Nominal rate, Hz.
    pub rate_hz: f64,
    /// Relative clock error on the interval (±0.005).
    pub clock_err: f64,
    /// First nominal instant, ms.
    pub start_ms: f64,
    pub duration_ms: f64,
    pub jitter_sd_ms: f64,
    pub drop_rate: f64,
    /// `(start, length)` in ms.
    pub stalls: Vec<(f64, f64)>,
}

impl Sampling {
    pub fn interval_ms(&self) -> f64 {
        1000.0 / self.rate_hz * (1.0 + self.clock_err)
    }

    /// The sample instants (= timestamps), rounded to 0.01 ms and strictly increasing.
    pub fn instants<R: Rng>(&self, rng: &mut R) -> Vec<f64> {
        let dt = self.interval_ms();
        let n = (self.duration_ms / dt).floor() as usize + 1;
        let mut out: Vec<f64> = Vec::with_capacity(n);
        for k in 0..n {
            let nominal = self.start_ms + k as f64 * dt;
            // Draw every random number for every slot, so a drop does not shift the rest.
            let jitter: f64 = rng.sample(StandardNormal);
            let dropped = rng.random_bool(self.drop_rate);
            let stalled = self
                .stalls
                .iter()
                .any(|&(s, len)| nominal >= s && nominal < s + len);
            if dropped || stalled {
                continue;
            }
            let t = ((nominal + jitter * self.jitter_sd_ms) * 100.0).round() / 100.0;
            let floor = out
                .last()
                .map_or(0.01, |&p| ((p + 0.01) * 100.0).round() / 100.0);
            out.push(t.max(floor));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    fn sampling(jitter: f64, drop: f64, stalls: Vec<(f64, f64)>) -> Sampling {
        Sampling {
            rate_hz: 1000.0,
            clock_err: 0.004,
            start_ms: 10.0,
            duration_ms: 3000.0,
            jitter_sd_ms: jitter,
            drop_rate: drop,
            stalls,
        }
    }

    #[test]
    fn timestamps_strictly_increase_even_with_large_jitter() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let t = sampling(2.5, 0.05, vec![]).instants(&mut rng);
        assert!(
            t.windows(2).all(|w| w[1] >= w[0] + 0.0099),
            "not strictly in order"
        );
        assert!(t
            .iter()
            .all(|x| ((x * 100.0).round() - x * 100.0).abs() < 1e-6));
        assert!(t[0] > 0.0);
    }

    #[test]
    fn clock_error_drops_and_stalls() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let clean = sampling(0.0, 0.0, vec![]).instants(&mut rng);
        let span = clean.last().unwrap() - clean[0];
        assert!((span / (clean.len() - 1) as f64 - 1.004).abs() < 1e-4);
        let dropped = sampling(0.0, 0.05, vec![]).instants(&mut rng);
        let lost = 1.0 - dropped.len() as f64 / clean.len() as f64;
        assert!((0.03..0.07).contains(&lost), "{lost}");
        let stalled = sampling(0.0, 0.0, vec![(1000.0, 30.0)]).instants(&mut rng);
        assert!(!stalled.iter().any(|&t| (1000.0..1030.0).contains(&t)));
        let gap = stalled.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
        assert!((29.0..32.0).contains(&gap), "{gap}");
    }
}
