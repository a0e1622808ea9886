//! Streaming: keep a live sensor's trailing samples and judge them on demand.

use crate::hw::Sample;

use super::{Classifier, Reading};

/// The runner pushes samples as they arrive (every ~50 ms) and asks what the light shows
/// NOW, judged from the trailing samples ([`Classifier::classify`] on them).
///
/// Memory is bounded: samples older than [`Classifier::retain_ms`] before the newest are
/// dropped (3 × the slowest period + the steady settle time: more than any cadence needs).
/// The buffer is compacted once half of it is stale, so each sample is moved at most once.
#[derive(Debug, Clone)]
pub struct Watch {
    classifier: Classifier,
    buf: Vec<Sample>,
    /// Index of the oldest retained sample in `buf`.
    start: usize,
    retain_ms: f64,
}

impl Watch {
    pub fn new(classifier: Classifier) -> Self {
        let retain_ms = classifier.retain_ms();
        Self {
            classifier,
            buf: Vec::new(),
            start: 0,
            retain_ms,
        }
    }

    /// Append samples (oldest first). A sample older than the newest one held is ignored:
    /// the classifier needs time order.
    pub fn push(&mut self, samples: &[Sample]) {
        let mut newest = self.buf.last().map_or(f64::NEG_INFINITY, |s| s.t_ms);
        for s in samples {
            if s.t_ms >= newest {
                self.buf.push(*s);
                newest = s.t_ms;
            }
        }
        self.trim(newest);
    }

    /// What the light shows now.
    pub fn current(&self) -> Reading {
        self.classifier.classify(self.samples())
    }

    /// The retained trailing samples, oldest first.
    pub fn samples(&self) -> &[Sample] {
        &self.buf[self.start..]
    }

    /// Forget every sample (e.g. after pressing a button: judge only what follows).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    fn trim(&mut self, newest: f64) {
        let oldest = newest - self.retain_ms;
        let stale = self.buf[self.start..].partition_point(|s| s.t_ms < oldest);
        self.start += stale;
        if self.start > 0 && 2 * self.start >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::testgen::{cadence_pattern, table, Light, Sensor};
    use crate::observe::{Calibration, Polarity};
    use crate::spec::{Cadence, Colour, Indication};

    fn watch() -> Watch {
        Watch::new(Classifier::new(
            &table(),
            Calibration {
                kind: crate::hw::SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: None,
            },
        ))
    }

    #[test]
    fn memory_stays_bounded_to_the_trailing_window() {
        let mut w = watch();
        let retain = w.classifier().retain_ms();
        assert_eq!(retain, 3.0 * 1000.0 + 1200.0);
        let light = Light::new(Colour::Green, cadence_pattern(Cadence::Flash));
        let trace = Sensor::rgbc(1000.0).trace(&light, 0.0, 20_000.0, 1);
        for chunk in trace.chunks(50) {
            w.push(chunk);
            let kept = w.samples();
            let span = kept.last().unwrap().t_ms - kept[0].t_ms;
            assert!(span <= retain, "{span}");
            assert!(
                w.buf.len() <= 2 * (retain as usize + 100),
                "{}",
                w.buf.len()
            );
        }
        // The newest samples are all there, in order.
        let kept = w.samples();
        assert_eq!(kept.last(), trace.last());
        assert!(kept.windows(2).all(|p| p[0].t_ms <= p[1].t_ms));
        assert!(kept[0].t_ms >= trace.last().unwrap().t_ms - retain);
        assert!(kept.len() > 4000);
        assert_eq!(
            w.current().indication(),
            Some(Indication::new(Colour::Green, Cadence::Flash))
        );
    }

    #[test]
    fn clear_forgets_everything() {
        let mut w = watch();
        let light = Light::new(Colour::Red, cadence_pattern(Cadence::Steady));
        w.push(&Sensor::rgbc(100.0).trace(&light, 0.0, 2000.0, 1));
        assert!(w.current().indication().is_some());
        w.clear();
        assert!(w.samples().is_empty());
        assert_eq!(w.current(), Reading::NotEnoughEvidence);
    }

    #[test]
    fn samples_out_of_time_order_are_ignored() {
        let mut w = watch();
        let s = |t_ms| Sample {
            t_ms,
            ..Sample::default()
        };
        w.push(&[s(10.0), s(20.0)]);
        w.push(&[s(15.0), s(30.0), s(25.0)]);
        let times: Vec<f64> = w.samples().iter().map(|s| s.t_ms).collect();
        assert_eq!(times, vec![10.0, 20.0, 30.0]);
    }
}
