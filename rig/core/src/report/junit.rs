//! `junit.xml`, for Jenkins and GitLab: a `<testsuite>` per bench position (and one named
//! `off-bench` for the catalog entries that cannot stand on a bench), a `<testcase>` per
//! case and attempt. It follows the JUnit schema of Jenkins' xUnit plugin (junit-10.xsd):
//! suites hold `properties`, `testcase`*, then `system-out`; a testcase holds at most one
//! of `skipped`, `error`, `failure`, then `system-out`; times are seconds with at most
//! three decimals; the suite timestamp is ISO 8601 with no zone (UTC is meant).
//!
//! Verdicts: FAIL → `<failure type="FAIL">` (the phone broke a clause), ERROR →
//! `<error type="ERROR">` (the rig failed, never the phone), SKIP → `<skipped>`, MANUAL →
//! passed, with the operator's note in `<system-out>`.
//!
//! Written here rather than with `quick-junit` (0.8, checked 2026-12): its serializer
//! always writes a `skipped` count on `<testsuites>`, which junit-10.xsd does not declare
//! (a validating reader rejects the file; rig/tests/reports.rs checks for it), and it
//! writes timestamps with a zone, which the schema's readers do not take.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::matrix::{first_appearance, OFF_BENCH};
use super::run_json::RunRecord;
use super::traces::trace_file;
use super::{escape_xml as esc, escape_xml_text as esc_text};
use crate::runner::{CaseResult, Tally, Verdict};

/// Write `dir/junit.xml`.
pub(crate) fn write_junit(
    dir: &Path,
    record: &RunRecord,
    results: &[CaseResult],
) -> Result<(), super::ReportError> {
    let path = dir.join("junit.xml");
    super::write_whole(&path, junit_xml(record, results).as_bytes())
}

/// The whole document.
pub(crate) fn junit_xml(record: &RunRecord, results: &[CaseResult]) -> String {
    let all = tally(results.iter());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // junit-10.xsd declares no `skipped` on <testsuites> (a validating reader rejects an
    // undeclared attribute): the skipped counts are on each <testsuite>.
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
        esc(&format!("rig run {}", record.run_id)),
        all.total(),
        all.fail,
        all.error,
        seconds(record.bench_time_ms),
    );
    let positions = first_appearance(results.iter().map(|r| r.position.as_str()));
    for (id, position) in positions.iter().enumerate() {
        let rows: Vec<&CaseResult> = results.iter().filter(|r| &r.position == position).collect();
        write_suite(&mut out, record, id, position, &rows);
    }
    out.push_str("</testsuites>\n");
    out
}

/// One `<testsuite>`: the rows of one position.
fn write_suite(
    out: &mut String,
    record: &RunRecord,
    id: usize,
    position: &str,
    rows: &[&CaseResult],
) {
    let t = tally(rows.iter().copied());
    let name = if position.is_empty() {
        OFF_BENCH
    } else {
        position
    };
    let time_ms: f64 = rows.iter().map(|r| r.bench_time_ms).sum();
    let _ = write!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
        esc(name),
        t.total(),
        t.fail,
        t.error,
        t.skip,
        seconds(time_ms),
    );
    let first_ms = rows.first().map_or(0.0, |r| r.started_ms);
    if let Some(ts) = timestamp(&record.started_at, first_ms) {
        let _ = write!(out, " timestamp=\"{ts}\"");
    }
    let _ = writeln!(
        out,
        " hostname=\"{}\" id=\"{id}\" package=\"twinning\">",
        esc(&record.host)
    );
    write_properties(out, record, rows);
    for r in rows {
        write_case(out, record.repeat, name, r);
    }
    out.push_str("  </testsuite>\n");
}

/// `<properties>`: what was under test on the position.
fn write_properties(out: &mut String, record: &RunRecord, rows: &[&CaseResult]) {
    let models = first_appearance(rows.iter().map(|r| r.model.as_str())).join(", ");
    let families = first_appearance(rows.iter().map(|r| r.family.as_str())).join(", ");
    let mut props: Vec<(String, &str)> = vec![
        ("model".into(), &models),
        ("family".into(), &families),
        ("firmware".into(), &record.firmware),
        ("run_id".into(), &record.run_id),
        ("bench".into(), &record.bench),
    ];
    for (k, v) in &record.labels {
        props.push((format!("label.{k}"), v));
    }
    out.push_str("    <properties>\n");
    for (k, v) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            esc(&k),
            esc(v)
        );
    }
    out.push_str("    </properties>\n");
}

/// One `<testcase>`: a case's attempt on the suite's position. Off-bench entries are
/// never attempted (one SKIP row per case), so their names carry no attempt.
fn write_case(out: &mut String, repeat: u32, suite: &str, r: &CaseResult) {
    let name = if repeat > 1 && !r.position.is_empty() {
        format!("{} (attempt {} of {repeat})", r.case, r.attempt)
    } else {
        r.case.clone()
    };
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        esc(&name),
        esc(&format!("twinning.{}.{suite}", r.family)),
        seconds(r.bench_time_ms)
    );
    let body = case_body(r);
    if body.is_empty() {
        out.push_str("/>\n");
    } else {
        let _ = writeln!(out, ">\n{body}    </testcase>");
    }
}

/// The children of a testcase, in the schema's order: the verdict element, then
/// `system-out`.
fn case_body(r: &CaseResult) -> String {
    let mut body = String::new();
    let mut notes = String::new();
    match r.verdict {
        Verdict::Fail => {
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"FAIL\">{}</failure>",
                esc(headline(r)),
                esc_text(&details(r))
            );
        }
        Verdict::Error => {
            let _ = writeln!(
                body,
                "      <error message=\"{}\" type=\"ERROR\">{}</error>",
                esc(headline(r)),
                esc_text(&format!("a rig fault, not the phone's\n{}", details(r)))
            );
        }
        Verdict::Skip => {
            let _ = writeln!(body, "      <skipped message=\"{}\"/>", esc(&r.message));
        }
        Verdict::Manual => notes = format!("MANUAL: judged by the operator\n{}", details(r)),
        Verdict::Pass => {
            if !r.message.is_empty() || r.measured.is_some() {
                notes = details(r);
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(body, "      <system-out>{}</system-out>", esc_text(&notes));
    }
    body
}

/// A one-line reason: the row's message, else what was observed.
fn headline(r: &CaseResult) -> &str {
    if r.message.is_empty() {
        &r.observed
    } else {
        &r.message
    }
}

/// What a reader needs to judge a row: clauses, expected, observed, measured, message,
/// and the trace file of a FAIL.
fn details(r: &CaseResult) -> String {
    let mut s = format!("clauses: {}\n", r.clauses.join(" "));
    if !r.expected.is_empty() || !r.observed.is_empty() {
        let _ = writeln!(s, "expected: {}\nobserved: {}", r.expected, r.observed);
    }
    if let Some(m) = r.measured {
        let _ = writeln!(s, "measured: {m:.0} {}", r.unit);
    }
    if !r.message.is_empty() {
        let _ = writeln!(s, "message: {}", r.message);
    }
    if r.trace.is_some() {
        let _ = writeln!(s, "trace: {}", trace_file(r).display());
    }
    s
}

fn tally<'a>(rows: impl Iterator<Item = &'a CaseResult>) -> Tally {
    let mut t = Tally::default();
    for r in rows {
        t.add(r.verdict);
    }
    t
}

/// Seconds with three decimals, as the schema's time type allows (never negative, never
/// `NaN`).
fn seconds(ms: f64) -> String {
    let s = if ms.is_finite() {
        ms.max(0.0) / 1000.0
    } else {
        0.0
    };
    format!("{s:.3}")
}

/// `2026-12-01T19:17:08`: the run's start (RFC 3339) plus `bench_ms`, to the second, with
/// no zone as the schema's readers want; `None` if the start cannot be read.
pub(crate) fn timestamp(started_at: &str, bench_ms: f64) -> Option<String> {
    let start: SystemTime = humantime::parse_rfc3339(started_at).ok()?;
    let ms = if bench_ms.is_finite() {
        bench_ms.max(0.0)
    } else {
        0.0
    };
    let t = start.checked_add(Duration::from_millis(ms as u64))?;
    let text = humantime::format_rfc3339_seconds(t).to_string();
    Some(text.trim_end_matches('Z').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::SensorKind;
    use crate::report::fixture::{self, row, trace};
    use crate::runner::Verdict::*;

    fn record(repeat: u32) -> RunRecord {
        fixture::record(repeat)
    }

    #[test]
    fn the_timestamp_is_the_run_start_plus_bench_time_without_zone() {
        assert_eq!(
            timestamp("2026-12-01T19:17:08.403Z", 2_000.0).as_deref(),
            Some("2026-12-01T19:17:10")
        );
        assert_eq!(timestamp("not a time", 0.0), None);
        assert_eq!(seconds(1234.5678), "1.235");
        assert_eq!(seconds(f64::NAN), "0.000");
        assert_eq!(seconds(-5.0), "0.000");
    }

    #[test]
    fn verdicts_map_to_the_junit_elements() {
        let mut fail = row("p1", "9611", "shows-on", 1, Fail);
        fail.expected = "green steady".into();
        fail.observed = "red steady".into();
        fail.message = "wrong <colour>".into();
        fail.trace = Some(trace(SensorKind::Rgbc, 0.0, 10));
        let mut manual = row("p1", "9611", "programming", 1, Manual);
        manual.message = "operator: label ok".into();
        let mut skip = row("", "VCE", "toggle", 1, Skip);
        skip.message = "not testable".into();
        let rows = vec![
            fail,
            row("p1", "9611", "toggle", 1, Error),
            manual,
            row("p1", "9611", "retrieve", 1, Pass),
            skip,
        ];
        let xml = junit_xml(&record(1), &rows);
        assert!(xml.contains("<failure message=\"wrong &lt;colour&gt;\" type=\"FAIL\">clauses: S4\nexpected: green steady\nobserved: red steady\nmessage: wrong &lt;colour&gt;\ntrace: traces/p1_shows-on_1.csv\n</failure>"), "{xml}");
        assert!(
            xml.contains("<error message=\"\" type=\"ERROR\">a rig fault"),
            "{xml}"
        );
        assert!(xml.contains("<system-out>MANUAL: judged by the operator\nclauses: S4\nmessage: operator: label ok\n</system-out>"), "{xml}");
        assert!(
            xml.contains(
                "<testcase name=\"retrieve\" classname=\"twinning.9611.p1\" time=\"0.000\"/>"
            ),
            "{xml}"
        );
        assert!(xml.contains("<testsuite name=\"off-bench\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("<skipped message=\"not testable\"/>"), "{xml}");
        assert!(
            xml.contains("<property name=\"firmware\" value=\"fw &lt;1&gt;\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains("<property name=\"label.ipo\" value=\"12.1\"/>"),
            "{xml}"
        );
        assert!(xml.contains("<testsuites name=\"rig run r&lt;1&gt;\" tests=\"5\" failures=\"1\" errors=\"1\" time=\"60.000\">"), "{xml}");
    }

    #[test]
    fn repeats_name_their_attempt() {
        let rows = vec![
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
            row("", "VCE", "toggle", 1, Skip),
        ];
        let xml = junit_xml(&record(2), &rows);
        assert!(xml.contains("name=\"toggle (attempt 1 of 2)\""));
        assert!(xml.contains("name=\"toggle (attempt 2 of 2)\""));
        assert!(xml.contains("<testcase name=\"toggle\" classname=\"twinning.VCE.off-bench\""));
        let single = junit_xml(&record(1), &rows[..1]);
        assert!(single.contains("<testcase name=\"toggle\" "));
    }
}
