//! Time waveforms of the light (MODEL.md §3), each with an exact integral over a window:
//! the room's mains flicker and the LED's PWM dimming.

use std::f64::consts::PI;

/// The flicker's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A lamp on a full-wave rectifier with a DC floor: `α + β|sin|`.
    Rectified,
    /// `1 + m sin`.
    Sine,
}

/// Mains flicker `w(t)`, normalised to mean 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Flicker {
    pub shape: Shape,
    /// Flicker (not mains) frequency: 100 or 120 Hz ± 0.3%.
    pub freq_hz: f64,
    /// Michelson depth `(max−min)/(max+min)`, 0..0.3.
    pub depth: f64,
    /// Phase in radians.
    pub phase: f64,
}

impl Flicker {
    #[cfg(test)]
    pub fn steady() -> Flicker {
        Flicker {
            shape: Shape::Sine,
            freq_hz: 100.0,
            depth: 0.0,
            phase: 0.0,
        }
    }

    /// `(α, β, mean)` of the rectified shape, `max = 1` before normalising.
    fn rectified(&self) -> (f64, f64, f64) {
        let a = (1.0 - self.depth) / (1.0 + self.depth);
        let b = 1.0 - a;
        (a, b, a + 2.0 * b / PI)
    }

    /// `w(t)` (t in ms).
    #[cfg(test)]
    pub fn level(&self, t: f64) -> f64 {
        match self.shape {
            Shape::Sine => {
                1.0 + self.depth * (2.0 * PI * self.freq_hz * t / 1000.0 + self.phase).sin()
            }
            Shape::Rectified => {
                let (a, b, mean) = self.rectified();
                (a + b * (PI * self.freq_hz * t / 1000.0 + self.phase).sin().abs()) / mean
            }
        }
    }

    /// `(min w, max w)`.
    pub fn range(&self) -> (f64, f64) {
        match self.shape {
            Shape::Sine => (1.0 - self.depth, 1.0 + self.depth),
            Shape::Rectified => {
                let (a, _, mean) = self.rectified();
                (a / mean, 1.0 / mean)
            }
        }
    }

    /// An antiderivative of `w` (t in ms).
    fn antiderivative(&self, t: f64) -> f64 {
        match self.shape {
            Shape::Sine => {
                let w = 2.0 * PI * self.freq_hz / 1000.0;
                t - self.depth / w * (w * t + self.phase).cos()
            }
            Shape::Rectified => {
                let (a, b, mean) = self.rectified();
                let k = PI * self.freq_hz / 1000.0;
                let x = k * t + self.phase;
                let n = (x / PI).floor();
                // ∫|sin x| dx = 2⌊x/π⌋ + 1 − cos(x mod π)
                let h = 2.0 * n + 1.0 - (x - n * PI).cos();
                (a * t + b * h / k) / mean
            }
        }
    }

    /// `∫_a^b w(t) dt`.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        self.antiderivative(b) - self.antiderivative(a)
    }
}

/// PWM dimming: on for `duty·period` from `t0 + k·period`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pwm {
    pub period_ms: f64,
    pub duty: f64,
    pub t0: f64,
}

impl Pwm {
    /// How long the PWM is on from `t0` to `t` (a nondecreasing function of `t`).
    fn on_time_until(&self, t: f64) -> f64 {
        let x = t - self.t0;
        let n = (x / self.period_ms).floor();
        n * self.duty * self.period_ms + (x - n * self.period_ms).min(self.duty * self.period_ms)
    }

    /// How long the PWM is on within `[a, b]`.
    pub fn on_time(&self, a: f64, b: f64) -> f64 {
        (self.on_time_until(b) - self.on_time_until(a)).max(0.0)
    }

    /// The largest on-time any window of length `w` can catch.
    pub fn max_on_time(&self, w: f64) -> f64 {
        let on = self.duty * self.period_ms;
        let n = (w / self.period_ms).floor();
        n * on + (w - n * self.period_ms).min(on)
    }
}

/// The on-time of `pwm` (DC if `None`) summed over `intervals`.
pub(crate) fn lit_time(intervals: &[(f64, f64)], pwm: Option<&Pwm>) -> f64 {
    intervals
        .iter()
        .map(|&(a, b)| pwm.map_or(b - a, |p| p.on_time(a, b)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(f: &Flicker, a: f64, b: f64) -> f64 {
        let n = 200_000;
        let h = (b - a) / n as f64;
        (0..n).map(|i| f.level(a + (i as f64 + 0.5) * h) * h).sum()
    }

    #[test]
    fn flicker_integrals_are_exact_and_mean_one() {
        for shape in [Shape::Rectified, Shape::Sine] {
            let f = Flicker {
                shape,
                freq_hz: 119.7,
                depth: 0.3,
                phase: 1.1,
            };
            for (a, b) in [(0.0, 1.0), (3.3, 13.3), (1234.5, 1236.0)] {
                let (x, y) = (f.integral(a, b), numeric(&f, a, b));
                assert!((x - y).abs() < 1e-6, "{shape:?} {a} {b}: {x} vs {y}");
            }
            // Mean 1 over many periods; Michelson depth as drawn.
            let period = 1000.0 / 119.7;
            assert!((f.integral(0.0, 50.0 * period) / (50.0 * period) - 1.0).abs() < 1e-9);
            let (lo, hi) = f.range();
            assert!(((hi - lo) / (hi + lo) - 0.3).abs() < 1e-9);
        }
    }

    #[test]
    fn a_10ms_window_averages_out_100hz_flicker() {
        for shape in [Shape::Rectified, Shape::Sine] {
            let f = Flicker {
                shape,
                freq_hz: 100.0,
                depth: 0.3,
                phase: 0.4,
            };
            let reads: Vec<f64> = (0..50)
                .map(|i| f.integral(i as f64 * 0.37, i as f64 * 0.37 + 10.0) / 10.0)
                .collect();
            let spread = reads.iter().cloned().fold(f64::MIN, f64::max)
                - reads.iter().cloned().fold(f64::MAX, f64::min);
            assert!(spread < 1e-9, "{shape:?}: {spread}");
            // ...while a 1 ms window sees most of the swing.
            let short: Vec<f64> = (0..100)
                .map(|i| f.integral(i as f64 * 0.1, i as f64 * 0.1 + 1.0))
                .collect();
            let s = short.iter().cloned().fold(f64::MIN, f64::max)
                - short.iter().cloned().fold(f64::MAX, f64::min);
            assert!(s > 0.3, "{shape:?}: {s}");
        }
    }

    #[test]
    fn a_1ms_window_can_miss_a_500hz_35pct_pulse() {
        let p = Pwm {
            period_ms: 2.0,
            duty: 0.35,
            t0: 0.0,
        };
        let reads: Vec<f64> = (0..200)
            .map(|i| {
                let t = 10.0 + i as f64 * 0.01;
                p.on_time(t - 1.0, t)
            })
            .collect();
        assert!(reads.contains(&0.0));
        assert!(reads.iter().any(|&r| (r - 0.7).abs() < 1e-9));
        assert!((p.max_on_time(1.0) - 0.7).abs() < 1e-12);
        // A long window reads the duty.
        assert!((p.on_time(3.1, 3.1 + 200.0) - 70.0).abs() < 1e-9);
        assert!((lit_time(&[(0.0, 1.0), (2.0, 2.5)], Some(&p)) - 1.2).abs() < 1e-12);
    }
}
