//! Reporters: they consume the runner's events. `results.csv` is written row by row and
//! flushed as each case finishes, so a killed run keeps every finished row; the rest of
//! the report set (traces, matrix.csv, pass-rate.csv, run.json) is written from every
//! row when the run ends ([`write_report_set`]).

mod console;
mod csv_file;
pub mod diff;
pub mod merge;
pub mod read;
pub mod matrix;
pub mod pass_rate;
pub mod run_json;
mod set;
pub mod traces;

pub use console::Console;
pub use csv_file::{CsvReport, CSV_COLUMNS};
pub use run_json::RunRecord;
pub use set::{write_report_set, ReportSet};

use std::time::{Duration, SystemTime};

/// RFC 3339 UTC time (ms precision) of a bench time, given the wall time of bench time 0.
pub fn wall_time(origin: SystemTime, bench_ms: f64) -> String {
    let t = origin + Duration::from_micros((bench_ms.max(0.0) * 1000.0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}

/// `s` made safe as XML or HTML text and as a double-quoted attribute value: markup
/// characters escaped; tab and line breaks as character references (an attribute value
/// would otherwise turn them into spaces); characters XML 1.0 forbids even escaped (most
/// control characters) replaced by U+FFFD, so no row text can make a report unreadable.
pub fn escape_xml(s: &str) -> String {
    escape(s, false)
}

/// As [`escape_xml`], for element text only: tabs and newlines stay as they are, so a
/// multi-line message reads as lines in the file too.
pub fn escape_xml_text(s: &str) -> String {
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
    use crate::runner::{CaseResult, Verdict};

    /// A row with no expectation, measurement, message or trace.
    pub fn row(position: &str, family: &str, case: &str, attempt: u32, v: Verdict) -> CaseResult {
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
