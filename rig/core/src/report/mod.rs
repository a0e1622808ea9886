//! Reporters: they consume the runner's events. `results.csv` is written row by row and
//! flushed as each case finishes, so a killed run keeps every finished row; the rest of
//! the report set (traces, junit.xml, matrix.csv, pass-rate.csv, report.html, run.json)
//! is written from every row when the run ends ([`write_report_set`]).

pub mod certify;
pub(crate) mod console;
mod csv_file;
pub mod diff;
mod error;
pub(crate) mod html;
pub(crate) mod junit;
pub(crate) mod matrix;
pub mod merge;
pub(crate) mod pass_rate;
pub mod read;
pub(crate) mod run_json;
mod set;
pub mod traces;
mod whole_file;

pub use console::{progress, Console, ConsoleOptions, Live, Verbosity};
pub use csv_file::{CsvReport, CSV_COLUMNS};
pub use error::ReportError;
pub use run_json::RunRecord;
pub use set::{write_report_set, ReportSet};
pub(crate) use whole_file::{write_whole, write_whole_with};

use std::time::{Duration, SystemTime};

/// RFC 3339 UTC time (ms precision) of a bench time, given the wall time of bench time 0.
pub(crate) fn wall_time(origin: SystemTime, bench_ms: f64) -> String {
    let t = origin + Duration::from_micros((bench_ms.max(0.0) * 1000.0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// `s` made safe as XML or HTML text and as a double-quoted attribute value: markup
/// characters escaped; tab and line breaks as character references (an attribute value
/// would otherwise turn them into spaces); characters XML 1.0 forbids even escaped (most
/// control characters) replaced by U+FFFD, so no row text can make a report unreadable.
pub(crate) fn escape_xml(s: &str) -> String {
    escape(s, false)
}

/// As [`escape_xml`], for element text only: tabs and newlines stay as they are, so a
/// multi-line message reads as lines in the file too.
pub(crate) fn escape_xml_text(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, keep_breaks: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' if keep_breaks => out.push(c),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// A character XML 1.0 allows in a document (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Rows for the reports' unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::hw::{Sample, SensorKind};
    use crate::observe::Polarity;
    use crate::runner::{CaseResult, DecidingTrace, Verdict};
    use crate::trace::Trace;

    /// A run record whose texts need escaping in XML and HTML.
    pub(crate) fn record(repeat: u32) -> crate::report::RunRecord {
        crate::report::RunRecord {
            run_id: "r<1>".into(),
            rig_version: "0.1.0".into(),
            git_revision: "abc".into(),
            host: "bench-pi".into(),
            bench: "sim & co".into(),
            firmware: "fw <1>".into(),
            labels: [("ipo".to_string(), "12.1".to_string())].into(),
            started_at: "2026-12-01T19:17:08.403Z".into(),
            ended_at: "2026-12-01T19:18:08.403Z".into(),
            bench_time_ms: 60_000.0,
            virtual_time: true,
            seed: Some(1),
            repeat,
            interrupted: false,
            files: Vec::new(),
            tally: crate::report::run_json::Counts::default(),
            schedule: None,
            certification: None,
            merged_from: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// A row with no expectation, measurement, message or trace.
    pub(crate) fn row(
        position: &str,
        family: &str,
        case: &str,
        attempt: u32,
        v: Verdict,
    ) -> CaseResult {
        CaseResult {
            position: position.into(),
            model: format!("model-{family}"),
            family: family.into(),
            case: case.into(),
            clauses: vec!["S4".into()],
            verdict: v,
            expected: String::new(),
            observed: String::new(),
            measured: None,
            unit: String::new(),
            attempt,
            started_ms: 0.0,
            bench_time_ms: 0.0,
            message: String::new(),
            trace: None,
        }
    }

    /// A deciding trace of `n` samples every 5 ms from `from_ms`: a light blinking
    /// between dark and bright each 100 ms.
    pub(crate) fn trace(kind: SensorKind, from_ms: f64, n: usize) -> DecidingTrace {
        let samples = (0..n)
            .map(|i| {
                let t_ms = from_ms + i as f64 * 5.0;
                let on = (i / 20) % 2 == 0;
                let level = if on { 4000.0 } else { 20.0 } + (i % 7) as f32;
                Sample {
                    t_ms,
                    r: level * 0.8,
                    g: level * 0.1,
                    b: level * 0.05,
                    c: level,
                }
            })
            .collect();
        DecidingTrace {
            light: "twinning".into(),
            sensor: "rgb:1".into(),
            trace: Trace {
                kind,
                polarity: Polarity::Emissive,
                dark: None,
                samples,
            },
            window_from_ms: from_ms + n as f64 * 2.0,
            decided_ms: from_ms + n as f64 * 4.0,
            expected: "twinning light: green steady".into(),
            observed: "twinning light: red <flash> & \"more\"".into(),
            bench: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_forbidden_character() {
        assert_eq!(
            escape_xml("a<b>&\"c\" 'd'\n\u{1}\u{FFFF}é"),
            "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;&#10;\u{FFFD}\u{FFFD}é"
        );
        assert_eq!(escape_xml(""), "");
        assert_eq!(escape_xml_text("a\tb\nc\r<"), "a\tb\nc&#13;&lt;");
    }
}
