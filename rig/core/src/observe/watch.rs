//! Streaming: a live sensor's samples judged as they arrive.

use crate::hw::Sample;

use super::stream::{Conditioned, Conditioner, Stream};
use super::{judge, Classifier, Reading};

/// The runner pushes samples as they arrive (every ~50 ms) and asks what the light shows
/// NOW. Each sample costs O(1) work (the stream keeps edges, runs and level statistics as
/// they come); asking walks only the runs in view. Memory is bounded: runs older than
/// `Classifier::retain_ms` before the newest sample are forgotten.
///
/// [`Classifier::classify`] is a fresh `Watch` fed a whole trace, so both decide exactly
/// the same on the same samples.
///
/// The stream begins with a [`Conditioner`]: it picks the samples the stream takes,
/// averages them in blocks at 500 Hz and more (the newest wait, at most 4 ms, for their
/// block to be whole) and takes the mains flicker off them (it knows nothing of runs,
/// and it is most of the per-sample work); the watch shapes, segments and judges what it
/// hands on. A reader with a second core can run the conditioner ahead on
/// its own thread ([`Watch::detach_conditioner`], then [`Watch::take`]); `rig classify`
/// does.
#[derive(Debug, Clone)]
pub struct Watch {
    classifier: Classifier,
    stream: Stream,
    /// The first stage runs elsewhere: samples come only through [`Watch::take`].
    detached: bool,
}

impl Watch {
    pub fn new(classifier: Classifier) -> Self {
        let stream = Stream::new(classifier.stream_settings());
        Self {
            classifier,
            stream,
            detached: false,
        }
    }

    /// Append samples (oldest first). A sample older than the newest one seen is ignored:
    /// the classifier needs time order.
    pub fn push(&mut self, samples: &[Sample]) {
        // (One branch per chunk: a stale copy of the first stage would judge silently
        // wrong.)
        assert!(
            !self.detached,
            "a watch whose first stage runs elsewhere takes only what it hands on"
        );
        for s in samples {
            self.stream.push(s);
        }
    }

    /// The first stage as it stands, to condition the next samples on another thread and
    /// hand them to [`Watch::take`]. From then on the watch takes samples only that way
    /// (its own first stage no longer sees them).
    pub fn detach_conditioner(&mut self) -> Conditioner {
        self.detached = true;
        self.stream.conditioner()
    }

    /// Append blocks conditioned by this watch's detached [`Conditioner`] (oldest first,
    /// each once, as [`Conditioner::condition_into`] hands them on): the same as pushing
    /// the samples they came from.
    pub fn take(&mut self, values: &[Conditioned]) {
        for c in values {
            self.stream.take(c);
        }
    }

    /// What the light shows now.
    pub fn current(&self) -> Reading {
        judge::current(
            &self.stream,
            self.classifier.model(),
            self.classifier.calibration(),
        )
    }

    /// Forget every sample (e.g. after pressing a button: judge only what follows). For a
    /// watch fed by [`Watch::push`]: a detached first stage would not forget with it.
    pub(crate) fn clear(&mut self) {
        assert!(
            !self.detached,
            "a watch whose first stage runs elsewhere cannot forget it"
        );
        self.stream.clear();
    }

    #[cfg(test)]
    pub(crate) fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    #[cfg(test)]
    pub(super) fn stream(&self) -> &Stream {
        &self.stream
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
        let light = Light::new(Colour::Green, cadence_pattern(Cadence::Flutter));
        let trace = Sensor::rgbc(1000.0).trace(&light, 0.0, 60_000.0, 1);
        let mut most = 0;
        for chunk in trace.chunks(50) {
            w.push(chunk);
            let (closed, _, _) = w.stream.runs();
            let newest = w.stream.newest_ms().unwrap();
            assert!(closed.iter().all(|r| r.end_ms >= newest - retain));
            most = most.max(closed.len());
        }
        // Flutter: twenty runs a second, so at most ~84 runs in 4.2 s whatever the length.
        assert!((60..=90).contains(&most), "{most}");
        assert_eq!(
            w.current().indication(),
            Some(Indication::new(Colour::Green, Cadence::Flutter))
        );
    }

    #[test]
    fn a_watch_decides_what_classify_decides_on_the_same_samples() {
        // At 200 Hz every sample is a block; at 1 kHz four are, and a poll may come
        // inside one.
        for (hz, chunk_len) in [(200.0, 10), (1000.0, 37)] {
            for (i, cadence) in Cadence::ALL.into_iter().enumerate() {
                let light =
                    Light::new(Colour::Amber, cadence_pattern(cadence)).random_phase(i as u64);
                let trace = Sensor::rgbc(hz).trace(&light, 0.0, 5000.0, i as u64);
                let mut w = watch();
                for (k, chunk) in trace.chunks(chunk_len).enumerate() {
                    w.push(chunk);
                    let upto = (k + 1) * chunk_len;
                    let batch = w.classifier().classify(&trace[..upto.min(trace.len())]);
                    assert_eq!(w.current(), batch, "{cadence:?} at {hz} Hz after {upto}");
                }
            }
        }
    }

    #[test]
    fn a_watch_decides_what_classify_decides_where_edges_come_as_jumps() {
        // At 100 Hz under a 3 Hz beat 60% of the LED's step deep (a free-running sensor's
        // alias of the room's flicker, which no lock-in at the stamps' times follows),
        // the band misses edges and the stream finds them as jumps.
        let mut read = 0;
        for (i, cadence) in Cadence::ALL.into_iter().enumerate() {
            let light = Light::new(Colour::Amber, cadence_pattern(cadence)).random_phase(i as u64);
            let mut trace = Sensor::rgbc(100.0)
                .with_room(120.0)
                .with_led(240.0)
                .with_noise(3.0)
                .trace(&light, 0.0, 5000.0, i as u64);
            for s in &mut trace {
                let beat = 72.0 * (std::f64::consts::TAU * 3.0 * s.t_ms / 1000.0 + i as f64).sin();
                let beat = beat as f32;
                (s.r, s.g, s.b, s.c) = (
                    s.r + beat / 3.0,
                    s.g + beat / 3.0,
                    s.b + beat / 3.0,
                    s.c + beat,
                );
            }
            let mut w = watch();
            for (k, chunk) in trace.chunks(7).enumerate() {
                w.push(chunk);
                let upto = ((k + 1) * 7).min(trace.len());
                let batch = w.classifier().classify(&trace[..upto]);
                assert_eq!(w.current(), batch, "{cadence:?} after {upto}");
            }
            read += usize::from(w.current().indication() == Some(light.indication_at(5000.0)));
        }
        assert!(read >= Cadence::ALL.len() - 1, "{read} read right");
    }

    #[test]
    fn a_first_stage_run_elsewhere_feeds_the_watch_the_same() {
        // Every cadence at a rate that smooths and one judged sample by sample, with a gap
        // that voids the evidence before it (both stages must forget together).
        for (i, cadence) in Cadence::ALL.into_iter().enumerate() {
            for hz in [1000.0, 100.0] {
                let light =
                    Light::new(Colour::Blue, cadence_pattern(cadence)).random_phase(i as u64);
                let mut trace = Sensor::rgbc(hz).trace(&light, 0.0, 2500.0, i as u64);
                trace.extend(Sensor::rgbc(hz).trace(&light, 3000.0, 6000.0, i as u64 + 9));
                let mut pushed = watch();
                let mut fed = watch();
                let mut first = fed.detach_conditioner();
                for chunk in trace.chunks(37) {
                    pushed.push(chunk);
                    let mut values: Vec<Conditioned> = Vec::new();
                    first.condition_into(chunk, &mut values);
                    fed.take(&values);
                    assert_eq!(fed.current(), pushed.current(), "{cadence:?} at {hz} Hz");
                }
                assert!(
                    pushed.current().indication().is_some(),
                    "{cadence:?} at {hz} Hz: {:?}",
                    pushed.current()
                );
            }
        }
    }

    #[test]
    fn clear_forgets_everything() {
        let mut w = watch();
        let light = Light::new(Colour::Red, cadence_pattern(Cadence::Steady));
        w.push(&Sensor::rgbc(100.0).trace(&light, 0.0, 2000.0, 1));
        assert!(w.current().indication().is_some());
        w.clear();
        assert_eq!(w.stream.newest_ms(), None);
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
        assert_eq!(w.stream.newest_ms(), Some(30.0));
        let (_, open, _) = w.stream.runs();
        assert_eq!(open.samples, 3);
    }
}
