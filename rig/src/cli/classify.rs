//! `rig classify TRACE.csv [--format text|csv]`: what a recorded light trace shows at its end.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{CliError, ExitCode};
use crate::observe::{Classifier, Reading};
use crate::spec::Spec;
use crate::trace::Trace;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line in words.
    Text,
    /// A header and one row: colour,cadence,period_ms,on_ms,off_ms,confidence.
    Csv,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The trace: a CSV with header `t_ms,r,g,b,c` or `t_ms,level` (see README, "Light traces").
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
        let trace = Trace::load(&path)?;
        let reading = Classifier::new(&spec.cadences, trace.calibration()).classify(&trace.samples);
        match self.format {
            Format::Text => println!("{}", text(&reading)),
            Format::Csv => println!("{CSV_HEADER}\n{}", csv_row(&reading)),
        }
        Ok(ExitCode::Ok)
    }
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
