//! `rig classify TRACE.csv [--format text|csv]`: what a recorded light trace shows at its end.
//!
//! The trace is streamed: [`TraceReader`] hands over chunks of samples that a streaming
//! [`Watch`] takes in, so memory stays bounded whatever the file's size. With a second
//! core, the file is parsed on a thread of its own, the watch's first half (the
//! [`Conditioner`](crate::observe::Conditioner): the samples' blocks, their mains flicker
//! phases and the lock-in) runs on another, and the rest of the watch shapes, segments
//! and judges on this one (bounded channels of [`PIPELINE`] chunks between them): the
//! time is about the slowest stage's, or the work shared over the cores, rather than the
//! sum. See [`crate::trace`] for how to measure it, and the module docs of
//! [`crate::observe`] ("Figures") for what it measured.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};

use clap::{Args, ValueEnum};

use super::{CliError, ExitCode};
use crate::hw::Sample;
use crate::observe::{Classifier, Conditioned, Reading, Watch};
use crate::source::InputError;
use crate::spec::Spec;
use crate::trace::{TraceReader, CHUNK};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line in words.
    Text,
    /// A header and one row: colour,cadence,period_ms,on_ms,off_ms,confidence.
    Csv,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The trace: a CSV with header `t_ms,r,g,b,c` or `t_ms,level` (see docs/formats.md, "Light traces").
    trace: PathBuf,
    /// How to print the answer.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[arg(long, hide = true)]
    fixtures: Option<PathBuf>,
}

/// The CSV header of `--format csv`.
pub const CSV_HEADER: &str = "colour,cadence,period_ms,on_ms,off_ms,confidence";

impl ClassifyArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        let spec = Spec::load(self.fixtures.unwrap_or_else(Spec::default_dir))?;
        // A relative path missing here is looked up from the workspace (like other inputs);
        // if it is in neither place, the error names the path as given.
        let resolved = super::run::resolve(&self.trace);
        let path = if resolved.exists() {
            resolved
        } else {
            self.trace.clone()
        };
        let trace = TraceReader::open(&path)?;
        let mut watch = Watch::new(Classifier::new(&spec.cadences, trace.calibration()));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores > 1 {
            feed_in_parallel(trace, &mut watch)?;
        } else {
            feed(trace, &mut watch)?;
        }
        let reading = watch.current();
        match self.format {
            Format::Text => println!("{}", text(&reading)),
            Format::Csv => println!("{CSV_HEADER}\n{}", csv_row(&reading)),
        }
        Ok(ExitCode::Ok)
    }
}

/// Chunks in flight between the reading thread and the watch (each [`CHUNK`] samples).
pub const PIPELINE: usize = 4;

/// Every sample of the trace into the watch, on this thread.
fn feed<R: BufRead>(mut trace: TraceReader<R>, watch: &mut Watch) -> Result<(), InputError> {
    let mut chunk = Vec::with_capacity(CHUNK);
    while trace.next_chunk(&mut chunk)? {
        watch.push(&chunk);
    }
    Ok(())
}

/// [`feed`] in three stages on threads of their own: the reading (parsing), the watch's
/// first stage (blocks, flicker phases and the lock-in), and, on this thread, the rest of
/// the watch. Chunks go over bounded channels and come back empty to be filled again, so
/// at most `2 × PIPELINE + 2` chunks of each kind exist. At 1 kHz the first two cost
/// about as much as each other and as the third; on two cores the three share them.
/// An error of the reader ends every stage and is returned.
fn feed_in_parallel<R: BufRead + Send>(
    mut trace: TraceReader<R>,
    watch: &mut Watch,
) -> Result<(), InputError> {
    let (raw_tx, raw_rx) = sync_channel::<Vec<Sample>>(PIPELINE);
    let (raw_back_tx, raw_back_rx) = sync_channel::<Vec<Sample>>(PIPELINE);
    let (full_tx, full_rx) = sync_channel::<Vec<Conditioned>>(PIPELINE);
    let (empty_tx, empty_rx) = sync_channel::<Vec<Conditioned>>(PIPELINE);
    let mut first = watch.detach_conditioner();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<(), InputError> {
            loop {
                let mut samples = recycled(&raw_back_rx);
                if !trace.next_chunk(&mut samples)? {
                    return Ok(());
                }
                if raw_tx.send(samples).is_err() {
                    return Ok(());
                }
            }
        });
        scope.spawn(move || {
            for samples in raw_rx {
                let mut chunk = recycled(&empty_rx);
                first.condition_into(&samples, &mut chunk);
                let _ = raw_back_tx.try_send(samples);
                if full_tx.send(chunk).is_err() {
                    return;
                }
            }
        });
        for chunk in full_rx {
            watch.take(&chunk);
            // A full return channel: the reader has enough; let this one go.
            let _ = empty_tx.try_send(chunk);
        }
        reader
            .join()
            .expect("the trace reading thread does not panic")
    })
}

/// A chunk sent back empty by the stage after, if one is waiting, else a new one:
/// emptied, to be filled.
fn recycled<T>(back: &Receiver<Vec<T>>) -> Vec<T> {
    let mut chunk = back
        .try_recv()
        .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
    chunk.clear();
    chunk
}

/// `green wink (period 250 ms, on 200 ms, off 50 ms, confidence 0.93)`.
fn text(r: &Reading) -> String {
    match r {
        Reading::NotEnoughEvidence => {
            "not enough evidence: the trace does not show one state long enough to judge its end"
                .into()
        }
        Reading::NoCadenceFits {
            colour,
            period_ms,
            on_ms,
            off_ms,
        } => format!(
            "{colour} blinking (period {period_ms:.0} ms, on {on_ms:.0} ms, off {off_ms:.0} ms): no cadence fits"
        ),
        Reading::Seen(o) => {
            let mut parts = Vec::new();
            if let Some(p) = o.period_ms {
                parts.push(format!("period {p:.0} ms"));
            }
            if let Some(on) = o.on_ms {
                parts.push(format!("on {on:.0} ms"));
            }
            if let Some(off) = o.off_ms {
                parts.push(format!("off {off:.0} ms"));
            }
            parts.push(format!("confidence {:.2}", o.confidence));
            format!("{} ({})", o.indication, parts.join(", "))
        }
    }
}

/// One row under [`CSV_HEADER`]: empty cells where a value does not apply; cadence `none`
/// for not enough evidence, `no-fit` for a blink no cadence fits; an off light is `off,steady`.
fn csv_row(r: &Reading) -> String {
    let ms = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_default();
    match r {
        Reading::NotEnoughEvidence => ",none,,,,".into(),
        Reading::NoCadenceFits {
            colour,
            period_ms,
            on_ms,
            off_ms,
        } => format!(
            "{colour},no-fit,{},{},{},",
            ms(Some(*period_ms)),
            ms(Some(*on_ms)),
            ms(Some(*off_ms))
        ),
        Reading::Seen(o) => format!(
            "{},{},{},{},{},{:.2}",
            o.indication.colour,
            o.indication.cadence,
            ms(o.period_ms),
            ms(o.on_ms),
            ms(o.off_ms),
            o.confidence
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Observation;
    use crate::spec::{Cadence, Colour, Indication};

    fn seen(ind: Indication, times: Option<(f64, f64, f64)>) -> Reading {
        Reading::Seen(Observation {
            indication: ind,
            period_ms: times.map(|t| t.0),
            on_ms: times.map(|t| t.1),
            off_ms: times.map(|t| t.2),
            confidence: 0.934,
            window_ms: 1000.0,
        })
    }

    /// A green blink at 1 kHz, and a watch for it.
    fn blink_and_watch(rows: usize) -> (String, Watch) {
        let mut text = String::from("# dark: 12 12 12 12\nt_ms,r,g,b,c\n");
        for i in 0..rows {
            let lit = i % 1000 < 500;
            let (g, c) = if lit { (2900, 4000) } else { (12, 12) };
            text.push_str(&format!("{i},12,{g},12,{c}\n"));
        }
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let calibration = TraceReader::new(text.as_bytes(), "t.csv")
            .unwrap()
            .calibration();
        let watch = Watch::new(Classifier::new(&spec.cadences, calibration));
        (text, watch)
    }

    #[test]
    fn reading_on_a_second_thread_feeds_the_watch_the_same() {
        let (text, mut alone) = blink_and_watch(20_000);
        let mut parallel = alone.clone();
        feed(
            TraceReader::new(text.as_bytes(), "t.csv").unwrap(),
            &mut alone,
        )
        .unwrap();
        feed_in_parallel(
            TraceReader::new(text.as_bytes(), "t.csv").unwrap(),
            &mut parallel,
        )
        .unwrap();
        assert_eq!(alone.current(), parallel.current());
        assert!(
            alone.current().indication().is_some(),
            "{:?}",
            alone.current()
        );
        // A bad row far into the file: both ways, the same error.
        let bad = text.replace("\n15000,", "\n14000,");
        let e = feed(
            TraceReader::new(bad.as_bytes(), "t.csv").unwrap(),
            &mut alone,
        );
        let f = feed_in_parallel(
            TraceReader::new(bad.as_bytes(), "t.csv").unwrap(),
            &mut parallel,
        );
        assert_eq!(e, f);
        let e = e.unwrap_err();
        assert_eq!(e.line, Some(15003), "{e}");
        assert!(e.message.contains("t_ms goes backwards"), "{e}");
    }

    #[test]
    fn text_and_csv_say_the_same_thing() {
        let wink = seen(
            Indication::new(Colour::Green, Cadence::Wink),
            Some((249.6, 200.2, 49.4)),
        );
        assert_eq!(
            text(&wink),
            "green wink (period 250 ms, on 200 ms, off 49 ms, confidence 0.93)"
        );
        assert_eq!(csv_row(&wink), "green,wink,249.6,200.2,49.4,0.93");
        let off = seen(Indication::OFF, None);
        assert_eq!(text(&off), "off (confidence 0.93)");
        assert_eq!(csv_row(&off), "off,steady,,,,0.93");
        let red = seen(Indication::new(Colour::Red, Cadence::Steady), None);
        assert_eq!(text(&red), "red steady (confidence 0.93)");
        assert_eq!(csv_row(&red), "red,steady,,,,0.93");
        assert_eq!(csv_row(&Reading::NotEnoughEvidence), ",none,,,,");
        assert!(text(&Reading::NotEnoughEvidence).starts_with("not enough evidence"));
        let odd = Reading::NoCadenceFits {
            colour: Colour::Amber,
            period_ms: 730.24,
            on_ms: 365.0,
            off_ms: 365.24,
        };
        assert_eq!(csv_row(&odd), "amber,no-fit,730.2,365.0,365.2,");
        assert_eq!(
            text(&odd),
            "amber blinking (period 730 ms, on 365 ms, off 365 ms): no cadence fits"
        );
        for r in [wink, off, red, odd, Reading::NotEnoughEvidence] {
            assert_eq!(
                csv_row(&r).split(',').count(),
                CSV_HEADER.split(',').count()
            );
        }
    }
}
