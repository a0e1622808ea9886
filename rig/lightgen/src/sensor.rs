//! The sensor's reading of an exact window average: offset, shot and read noise, rounding
//! and clipping at full scale (MODEL.md §5).

use rand::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

use crate::SensorKind;

/// RGB: 1024 counts per 2.4 ms integration cycle (TCS34725); photodiode: ADS1115's 32767.
pub(crate) fn full_scale(kind: SensorKind, window_ms: f64) -> f64 {
    match kind {
        SensorKind::Rgbc => (1024.0 * (window_ms / 2.4).ceil()).min(65535.0),
        SensorKind::Level => 32767.0,
    }
}

/// A sensor's noise and range, per trace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sensor {
    pub kind: SensorKind,
    pub full_scale: f64,
    /// Per channel `[r, g, b, c]` (a level sensor uses `c`).
    pub offset: [f64; 4],
    /// Shot-noise variance per count of signal.
    pub shot_k: f64,
    /// Read-noise SD in counts.
    pub read_sd: f64,
}

impl Sensor {
    /// The channels this sensor has.
    pub fn channels(&self) -> std::ops::Range<usize> {
        match self.kind {
            SensorKind::Rgbc => 0..4,
            SensorKind::Level => 3..4,
        }
    }

    /// Read the exact window averages `x` (offset included): integer counts in
    /// `[0, full_scale]`, and which channels clipped at full scale.
    pub fn read<R: Rng>(&self, x: [f64; 4], rng: &mut R) -> ([f32; 4], [bool; 4]) {
        let mut out = [0.0f32; 4];
        let mut clipped = [false; 4];
        for i in self.channels() {
            let signal = (x[i] - self.offset[i]).max(0.0);
            let n1: f64 = rng.sample(StandardNormal);
            let n2: f64 = rng.sample(StandardNormal);
            let y = (x[i] + n1 * (self.shot_k * signal).sqrt() + n2 * self.read_sd).round();
            let y = y.clamp(0.0, self.full_scale);
            clipped[i] = y >= self.full_scale;
            out[i] = y as f32;
        }
        (out, clipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    #[test]
    fn full_scale_rule() {
        assert_eq!(full_scale(SensorKind::Rgbc, 1.0), 1024.0);
        assert_eq!(full_scale(SensorKind::Rgbc, 2.4), 1024.0);
        assert_eq!(full_scale(SensorKind::Rgbc, 2.5), 2048.0);
        assert_eq!(full_scale(SensorKind::Rgbc, 10.0), 5120.0);
        assert_eq!(full_scale(SensorKind::Level, 3.0), 32767.0);
    }

    #[test]
    fn clips_at_full_scale_and_zero_and_rounds() {
        let s = Sensor {
            kind: SensorKind::Rgbc,
            full_scale: 1024.0,
            offset: [3.0; 4],
            shot_k: 0.5,
            read_sd: 2.0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..100 {
            let (y, c) = s.read([5000.0, 500.0, 0.0, 1030.0], &mut rng);
            assert_eq!((y[0], c[0]), (1024.0, true));
            assert!(y[1] < 1024.0 && !c[1] && y[1].fract() == 0.0);
            assert!(y[2] >= 0.0 && !c[2]);
        }
        let level = Sensor {
            kind: SensorKind::Level,
            full_scale: 32767.0,
            ..s
        };
        let (y, c) = level.read([1e9, 1e9, 1e9, 1e9], &mut rng);
        assert_eq!(y, [0.0, 0.0, 0.0, 32767.0]);
        assert_eq!(c, [false, false, false, true]);
    }

    #[test]
    fn shot_noise_grows_with_signal() {
        let s = Sensor {
            kind: SensorKind::Level,
            full_scale: 32767.0,
            offset: [0.0; 4],
            shot_k: 1.0,
            read_sd: 0.5,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let sd = |x: f64, rng: &mut Xoshiro256PlusPlus| {
            let v: Vec<f64> = (0..4000)
                .map(|_| s.read([0.0, 0.0, 0.0, x], rng).0[3] as f64)
                .collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|y| (y - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
        };
        let (lo, hi) = (sd(100.0, &mut rng), sd(10000.0, &mut rng));
        assert!(
            (lo - 10.0).abs() < 1.0 && (hi - 100.0).abs() < 6.0,
            "{lo} {hi}"
        );
    }
}
