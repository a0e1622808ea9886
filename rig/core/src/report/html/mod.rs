//! `report.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched)
//! for a person reading a run: what ran, the family × case matrix, the pass rates of a
//! repeated run, clause coverage, every FAIL and ERROR, and a plot of each FAIL's light.
//!
//! The page is also well-formed XML (every element closed, all text escaped), so tests
//! can read it back with an XML parser.

mod svg;

use std::fmt::Write as _;
use std::path::Path;

use super::escape_xml as esc;
use super::matrix::{first_appearance, Matrix};
use super::pass_rate::{yes_no, PassRates};
use super::run_json::RunRecord;
use super::traces::trace_file;
use crate::runner::{CaseResult, Tally, Verdict};
use crate::spec::Spec;

pub use svg::trace_plot;

/// Write `dir/report.html`.
pub fn write_html(
    dir: &Path,
    spec: &Spec,
    record: &RunRecord,
    results: &[CaseResult],
) -> Result<(), super::ReportError> {
    let path = dir.join("report.html");
    super::write_whole(&path, report_html(spec, record, results).as_bytes())
}

/// The whole page.
pub fn report_html(spec: &Spec, record: &RunRecord, results: &[CaseResult]) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>rig run {}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        esc(&record.run_id)
    );
    header(&mut h, record);
    matrix(&mut h, &Matrix::of(spec, results));
    if record.repeat > 1 || record.certification.is_some() {
        pass_rates(&mut h, &PassRates::of(results), record);
    }
    coverage(&mut h, spec, results);
    problems(&mut h, results);
    plots(&mut h, results);
    h.push_str("</body>\n</html>\n");
    h
}

/// The CSS class of a verdict, as the matrix and the lists use it.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "v-pass",
        Verdict::Fail => "v-fail",
        Verdict::Error => "v-error",
        Verdict::Skip => "v-skip",
        Verdict::Manual => "v-manual",
    }
}

const CSS: &str = "
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; font-size: 0.85em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
table.run th { width: 12em; }
table.matrix td { text-align: center; }
.v-pass { background: #c8e6c9; } .v-fail { background: #ef9a9a; font-weight: bold; }
.v-error { background: #ffcc80; font-weight: bold; } .v-skip { background: #e0e0e0; color: #555; }
.v-manual { background: #b3e5fc; } .v-none { background: #fff; }
tr.below td { background: #fff3e0; }
.warn { background: #ffcdd2; border: 1px solid #c62828; padding: 0.5em; font-weight: bold; }
.cert-pass { color: #1b5e20; font-weight: bold; } .cert-fail { color: #b71c1c; font-weight: bold; }
.uncovered { color: #b71c1c; font-weight: bold; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; }
svg.trace { border: 1px solid #ccc; background: #fff; }
svg .frame { fill: none; stroke: #999; } svg .window { fill: #fff2b3; }
svg .decided { stroke: #000; stroke-dasharray: 4 3; } svg .ch { fill: none; stroke-width: 1; }
svg .tick { font-size: 10px; fill: #444; } svg .legend { font-size: 10px; font-weight: bold; } svg .note { font-size: 12px; fill: #888; }
svg .expected { font-size: 12px; fill: #1b5e20; } svg .observed { font-size: 12px; fill: #b71c1c; }
";

/// Title and the run's record: what ran, where, on what, and how it ended.
fn header(h: &mut String, r: &RunRecord) {
    let _ = writeln!(h, "<h1>Twinning run {}</h1>", esc(&r.run_id));
    if r.interrupted {
        h.push_str("<p class=\"warn\">This run was interrupted: cases that had not finished have no row, so this report is incomplete.</p>\n");
    }
    let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let seed = r.seed.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
    let t = &r.tally;
    let rows: Vec<(&str, String)> = vec![
        ("bench", r.bench.clone()),
        ("firmware", r.firmware.clone()),
        ("labels", labels.join(", ")),
        ("rig", format!("{} (git {})", r.rig_version, r.git_revision)),
        ("host", r.host.clone()),
        ("started", r.started_at.clone()),
        ("ended", r.ended_at.clone()),
        (
            "bench time",
            format!(
                "{:.1} s{}",
                r.bench_time_ms / 1000.0,
                if r.virtual_time { " (virtual)" } else { "" }
            ),
        ),
        ("repeat", r.repeat.to_string()),
        ("seed", seed),
        (
            "tally",
            format!(
                "{} PASS, {} FAIL, {} ERROR, {} SKIP, {} MANUAL",
                t.pass, t.fail, t.error, t.skip, t.manual
            ),
        ),
    ];
    h.push_str("<table class=\"run\">\n");
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    if !r.merged_from.is_empty() {
        let ids: Vec<&str> = r.merged_from.iter().map(|m| m.run_id.as_str()).collect();
        let _ = writeln!(
            h,
            "<tr><th>merged from</th><td>{}</td></tr>",
            esc(&ids.join(", "))
        );
    }
    h.push_str("</table>\n");
}

/// The family × case matrix, each cell coloured by its combined verdict; the tooltip
/// lists what each position saw.
fn matrix(h: &mut String, m: &Matrix) {
    h.push_str("<h2 id=\"matrix\">Family × case</h2>\n");
    h.push_str("<p>Each cell combines every position and attempt of the family: FAIL if any FAIL, else ERROR if any ERROR, else PASS if any PASS, else MANUAL, else SKIP. Hover a cell for the positions.</p>\n");
    h.push_str("<table class=\"matrix\">\n<tr><th>family</th>");
    for c in &m.cases {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr>\n");
    for f in &m.families {
        let _ = write!(
            h,
            "<tr><th title=\"{}\">{}</th>",
            esc(&f.name),
            esc(&f.family)
        );
        for cell in &f.cells {
            match cell {
                Some(c) => {
                    let _ = write!(
                        h,
                        "<td class=\"{}\" title=\"{}\">{}</td>",
                        verdict_class(c.verdict),
                        esc(&c.detail()),
                        c.verdict.name()
                    );
                }
                None => h.push_str("<td class=\"v-none\"></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Pass rates of a repeated run, the pairs below N of N marked.
fn pass_rates(h: &mut String, rates: &PassRates, r: &RunRecord) {
    let n = r.repeat;
    let _ = writeln!(h, "<h2 id=\"pass-rate\">Pass rate over {n} attempts</h2>");
    match &r.certification {
        Some(c) => {
            let class = if c.certified {
                "cert-pass"
            } else {
                "cert-fail"
            };
            let _ = writeln!(h, "<p class=\"{class}\">{}</p>", esc(&c.line));
            if !c.details().is_empty() {
                h.push_str("<ul class=\"not-checked\">\n");
                for d in c.details() {
                    let _ = writeln!(h, "<li>{}</li>", esc(&d));
                }
                h.push_str("</ul>\n");
            }
        }
        // A merged report set certifies nothing: each bench's run.json has its own.
        None => {
            let _ = writeln!(h, "<p>{}</p>", esc(&rates.n_of_n(n, r.interrupted)));
        }
    }
    h.push_str("<table class=\"pass-rate\">\n<tr><th>position</th><th>family</th><th>case</th><th>attempts</th><th>PASS</th><th>FAIL</th><th>ERROR</th><th>SKIP</th><th>MANUAL</th><th>pass rate</th><th>certified</th></tr>\n");
    for p in rates.ordered() {
        let certified = p.certified(n);
        let class = if certified == Some(false) {
            " class=\"below\""
        } else {
            ""
        };
        let c = &p.counts;
        let _ = writeln!(
            h,
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.position),
            esc(&p.family),
            esc(&p.case),
            p.attempts(),
            c.pass,
            c.fail,
            c.error,
            c.skip,
            c.manual,
            p.pass_rate().map(|x| format!("{:.1} %", x * 100.0)).unwrap_or_default(),
            yes_no(certified)
        );
    }
    h.push_str("</table>\n");
}

/// One clause's coverage: the cases naming it and the verdicts of their rows.
struct Coverage {
    id: String,
    text: String,
    cases: Vec<String>,
    counts: Tally,
}

/// Every clause of the spec (then any clause a row names that the spec does not), with
/// the cases and rows that check it.
fn clause_coverage(spec: &Spec, results: &[CaseResult]) -> Vec<Coverage> {
    let mut ids: Vec<(String, String)> = spec
        .clauses
        .clause
        .iter()
        .map(|c| (c.id.clone(), c.text.clone()))
        .collect();
    for id in first_appearance(
        results
            .iter()
            .flat_map(|r| r.clauses.iter().map(String::as_str)),
    ) {
        if !ids.iter().any(|(i, _)| *i == id) {
            ids.push((id, "(not a clause of this spec)".into()));
        }
    }
    ids.into_iter()
        .map(|(id, text)| {
            let rows: Vec<&CaseResult> =
                results.iter().filter(|r| r.clauses.contains(&id)).collect();
            let mut counts = Tally::default();
            for r in &rows {
                counts.add(r.verdict);
            }
            let cases = first_appearance(rows.iter().map(|r| r.case.as_str()));
            Coverage {
                id,
                text,
                cases,
                counts,
            }
        })
        .collect()
}

fn coverage(h: &mut String, spec: &Spec, results: &[CaseResult]) {
    h.push_str("<h2 id=\"coverage\">Clause coverage</h2>\n<table class=\"coverage\">\n<tr><th>clause</th><th>text</th><th>cases</th><th>PASS</th><th>FAIL</th><th>ERROR</th><th>SKIP</th><th>MANUAL</th><th>status</th></tr>\n");
    for c in clause_coverage(spec, results) {
        let n = &c.counts;
        let status = if n.total() == 0 {
            "<span class=\"uncovered\">not covered</span>"
        } else if n.total() == n.skip {
            "<span class=\"uncovered\">skipped only</span>"
        } else {
            "covered"
        };
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            esc(&c.id),
            esc(&c.text),
            esc(&c.cases.join(" ")),
            n.pass,
            n.fail,
            n.error,
            n.skip,
            n.manual
        );
    }
    h.push_str("</table>\n");
}

/// Every FAIL and ERROR row, with a link to the plot of a FAIL's light.
fn problems(h: &mut String, results: &[CaseResult]) {
    let bad: Vec<(usize, &CaseResult)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .collect();
    let _ = writeln!(h, "<h2 id=\"problems\">FAIL and ERROR ({})</h2>", bad.len());
    if bad.is_empty() {
        h.push_str("<p>None.</p>\n");
        return;
    }
    h.push_str("<table class=\"problems\">\n<tr><th>verdict</th><th>position</th><th>case</th><th>attempt</th><th>clauses</th><th>expected</th><th>observed</th><th>message</th><th>trace</th></tr>\n");
    for (i, r) in bad {
        let plot = if r.trace.is_some() {
            format!("<a href=\"#plot-{i}\">plot</a>")
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{plot}</td></tr>",
            verdict_class(r.verdict),
            r.verdict.name(),
            esc(&r.position),
            esc(&r.case),
            r.attempt,
            esc(&r.clauses.join(" ")),
            esc(&r.expected),
            esc(&r.observed),
            esc(&r.message)
        );
    }
    h.push_str("</table>\n");
}

/// A plot of each FAIL's deciding light trace, with a link to its trace file.
fn plots(h: &mut String, results: &[CaseResult]) {
    let traced: Vec<(usize, &CaseResult)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.verdict == Verdict::Fail && r.trace.is_some())
        .collect();
    if traced.is_empty() {
        return;
    }
    h.push_str("<h2 id=\"traces\">Light traces of the FAILs</h2>\n<p>The shaded span is the deciding window, the dashed line the moment the verdict was reached.</p>\n");
    for (i, r) in traced {
        let Some(t) = &r.trace else { continue };
        let file = trace_file(r).to_string_lossy().replace('\\', "/");
        let _ = writeln!(
            h,
            "<figure id=\"plot-{i}\">\n{}<figcaption>{} / {} attempt {} [{}]: {} light, sensor {}; samples: <a href=\"{}\">{}</a></figcaption>\n</figure>",
            trace_plot(t),
            esc(&r.position),
            esc(&r.case),
            r.attempt,
            esc(&r.clauses.join(" ")),
            esc(&t.light),
            esc(&t.sensor),
            esc(&file),
            esc(&file)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::SensorKind;
    use crate::report::fixture::{self, row, trace};
    use crate::runner::Verdict::*;

    fn record(repeat: u32, interrupted: bool) -> RunRecord {
        RunRecord {
            interrupted,
            ..fixture::record(repeat)
        }
    }

    fn failed(position: &str, attempt: u32, samples: usize) -> CaseResult {
        let mut r = row(position, "9611", "shows-on", attempt, Fail);
        r.expected = "green steady".into();
        r.observed = "red <steady>".into();
        r.trace = Some(trace(SensorKind::Rgbc, 1000.0, samples));
        r
    }

    #[test]
    fn two_hundred_fails_with_long_traces_stay_small() {
        let rows: Vec<CaseResult> = (0..200)
            .map(|i| failed(&format!("p{i}"), 1, 20_000))
            .collect();
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let html = report_html(&spec, &record(1, false), &rows);
        assert_eq!(html.matches("<svg").count(), 200);
        assert!(html.len() < 20_000_000, "{} bytes", html.len());
    }

    #[test]
    fn the_page_is_self_contained_escaped_and_complete() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let mut err = row("p1", "9611", "toggle", 1, Error);
        err.message = "sensor <silent>".into();
        let mut fail_no_trace = failed("p1", 2, 10);
        fail_no_trace.trace = None;
        let rows = vec![
            failed("p1", 1, 100),
            fail_no_trace,
            err,
            row("p1", "9611", "toggle", 2, Pass),
            row("", "VCE", "toggle", 1, Skip),
        ];
        let html = report_html(&spec, &record(2, true), &rows);
        for bad in [
            "http://", "https://", "<script", "<link", "<img", "@import", "url(",
        ] {
            assert!(!html.contains(bad), "{bad} in the page");
        }
        // One plot: the FAIL with a trace.
        assert_eq!(html.matches("<svg").count(), 1);
        assert!(html.contains("href=\"traces/p1_shows-on_1.csv\""));
        assert!(html.contains("class=\"warn\""));
        assert!(html.contains("sensor &lt;silent&gt;"));
        assert!(html.contains("id=\"pass-rate\""));
        assert!(html.contains("pass rate: run interrupted; 2 cases below 2 of 2"));
        let doc = roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("the page is well-formed");
        // Clauses no row names are flagged.
        let s1 = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("tr") && n.first_element_child().and_then(|c| c.text()) == Some("S1")
            })
            .expect("S1 has a coverage row");
        assert!(s1.descendants().any(|n| n.text() == Some("not covered")));
        let s4 = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("tr") && n.first_element_child().and_then(|c| c.text()) == Some("S4")
            })
            .unwrap();
        let cells: Vec<&str> = s4
            .children()
            .filter(|c| c.is_element())
            .filter_map(|c| c.text())
            .collect();
        // clause, text, cases, PASS, FAIL, ERROR, SKIP, MANUAL, status
        assert_eq!(&cells[2..8], ["shows-on toggle", "1", "2", "1", "1", "0"]);
    }

    #[test]
    fn a_single_run_has_no_pass_rate_section() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let html = report_html(
            &spec,
            &record(1, false),
            &[row("p1", "9611", "toggle", 1, Pass)],
        );
        assert!(!html.contains("id=\"pass-rate\""));
        assert!(!html.contains("class=\"warn\""));
        assert!(!html.contains("<svg"));
    }
}
