//! `report.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched:
//! labs open it offline) for a person reading a run, most important first:
//!
//! 1. the **banner**: the run's verdict ([`Tally::verdict`], the rule of `rig run`'s exit
//!    code), for a certifying run its certification (run.json `certification`, the
//!    console's line), the firmware, the bench and the counts;
//! 2. the **case × family matrix** (the family × case matrix of `matrix.csv`, turned so a
//!    family is a column: thirteen families fit a 1366 px screen where seventeen cases did
//!    not), the case column sticky, in a box that scrolls by itself if a catalogue grows;
//! 3. for `--repeat N`, the (position, case) pairs **below N of N** only, and how many
//!    pairs were all-pass;
//! 4. the **failures, grouped** ([`groups`]): one folded `<details>` per case and symptom
//!    (a FAIL's expected and observed; an ERROR's message) listing its positions and
//!    attempts, with one plot shown and the group's other plots folded again;
//! 5. clause coverage, then the run's record.
//!
//! Markup comes from askama templates (`templates/`), text escaped by [`Xml`]
//! ([`crate::report::escape_xml`]): the page is also well-formed XML, so tests read it
//! back with an XML parser.

pub(crate) mod groups;
mod svg;
pub(crate) mod ticks;

use std::path::Path;

use askama::Template;

use super::matrix::{first_appearance, Matrix};
use super::pass_rate::PassRates;
use super::run_json::RunRecord;
use super::traces::trace_file;
use crate::runner::{CaseResult, Tally, Verdict};
use crate::spec::Spec;

pub(crate) use groups::{groups, Group};
pub(crate) use svg::trace_plot;

/// The page's escaper (askama.toml names it): [`crate::report::escape_xml`], so text and
/// attribute values keep no markup and no character XML forbids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        dest.write_str(&super::escape_xml(s))
    }
}

/// Write `dir/report.html`.
pub(crate) fn write_html(
    dir: &Path,
    spec: &Spec,
    record: &RunRecord,
    results: &[CaseResult],
) -> Result<(), super::ReportError> {
    let path = dir.join("report.html");
    let html = report_html(spec, record, results).map_err(|reason| super::ReportError::Render {
        path: path.clone(),
        reason,
    })?;
    super::write_whole(&path, html.as_bytes())
}

/// The whole page.
pub(crate) fn report_html(
    spec: &Spec,
    record: &RunRecord,
    results: &[CaseResult],
) -> Result<String, askama::Error> {
    Page::of(spec, record, results).render()
}

/// The CSS class of a verdict, as the matrix and the lists use it.
pub(crate) fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "v-pass",
        Verdict::Fail => "v-fail",
        Verdict::Error => "v-error",
        Verdict::Skip => "v-skip",
        Verdict::Manual => "v-manual",
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    css: &'static str,
    record: &'a RunRecord,
    banner: Banner,
    matrix: MatrixView,
    pass_rate: Option<PassRateView>,
    fail_groups: Vec<GroupView>,
    error_groups: Vec<GroupView>,
    fail_rows: usize,
    error_rows: usize,
    coverage: Vec<Coverage>,
    details: Vec<(&'static str, String)>,
}

impl<'a> Page<'a> {
    fn of(spec: &Spec, record: &'a RunRecord, results: &[CaseResult]) -> Self {
        let mut tally = Tally::default();
        for r in results {
            tally.add(r.verdict);
        }
        let rates = PassRates::of(results);
        let certification = CertView::of(record, &rates);
        let all = groups(results);
        let (fails, errors): (Vec<_>, Vec<_>) =
            all.iter().partition(|g| g.verdict == Verdict::Fail);
        let banner = Banner::of(record, tally, certification, fails.len(), errors.len());
        Page {
            css: CSS,
            record,
            banner,
            matrix: MatrixView::of(&Matrix::of(spec, results)),
            pass_rate: (record.repeat > 1).then(|| PassRateView::of(&rates, record)),
            fail_groups: fails
                .iter()
                .enumerate()
                .map(|(i, g)| GroupView::of(g, i))
                .collect(),
            error_groups: errors
                .iter()
                .enumerate()
                .map(|(i, g)| GroupView::of(g, i))
                .collect(),
            fail_rows: tally.fail,
            error_rows: tally.error,
            coverage: clause_coverage(spec, results),
            details: details(record),
        }
    }
}

/// The verdict banner: what a person reads first.
struct Banner {
    /// `PASS`, `FAIL` or `ERROR`.
    verdict: &'static str,
    /// `b-pass`, `b-fail`, `b-error`.
    class: &'static str,
    /// What the verdict means, in a few words.
    meaning: String,
    certification: Option<CertView>,
    firmware: String,
    bench: String,
    counts: String,
    /// The run id, when it started, the bench time it covered.
    when: String,
    interrupted: bool,
}

impl Banner {
    fn of(
        r: &RunRecord,
        t: Tally,
        certification: Option<CertView>,
        fail_groups: usize,
        error_groups: usize,
    ) -> Self {
        let verdict = t.verdict();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let meaning = match verdict {
            Verdict::Fail => format!(
                "the phones failed {} in {}",
                plural(t.fail, "case run", "case runs"),
                plural(fail_groups, "group", "groups")
            ),
            Verdict::Error => format!(
                "no phone failed, but the rig erred in {} ({}): not a pass",
                plural(t.error, "case run", "case runs"),
                plural(error_groups, "group", "groups")
            ),
            _ if t.pass == 0 => "nothing failed, but no case passed either".to_string(),
            _ => "every case that ran passed".to_string(),
        };
        Banner {
            verdict: verdict.name(),
            class: match verdict {
                Verdict::Fail => "b-fail",
                Verdict::Error => "b-error",
                _ => "b-pass",
            },
            meaning,
            certification,
            firmware: r.firmware.clone(),
            bench: r.bench.clone(),
            counts: format!(
                "{} PASS · {} FAIL · {} ERROR · {} SKIP · {} MANUAL ({} case runs{})",
                t.pass,
                t.fail,
                t.error,
                t.skip,
                t.manual,
                t.total(),
                if r.repeat > 1 {
                    format!(", each case {} times", r.repeat)
                } else {
                    String::new()
                }
            ),
            when: format!(
                "run {} · started {} · {:.1} s of bench time{}",
                r.run_id,
                r.started_at,
                r.bench_time_ms / 1000.0,
                if r.virtual_time { " (virtual)" } else { "" }
            ),
            interrupted: r.interrupted,
        }
    }
}

/// The matrix with a column per family and a row per case.
struct MatrixView {
    /// Family id and the catalog's name.
    families: Vec<(String, String)>,
    rows: Vec<MatrixRow>,
}

struct MatrixRow {
    case: String,
    /// Class, tooltip and text of each family's cell.
    cells: Vec<(&'static str, String, &'static str)>,
}

impl MatrixView {
    fn of(m: &Matrix) -> Self {
        let rows = m
            .cases
            .iter()
            .enumerate()
            .map(|(i, case)| MatrixRow {
                case: case.clone(),
                cells: m
                    .families
                    .iter()
                    .map(|f| match &f.cells[i] {
                        Some(c) => (verdict_class(c.verdict), c.detail(), c.verdict.name()),
                        None => ("v-none", String::new(), ""),
                    })
                    .collect(),
            })
            .collect();
        MatrixView {
            families: m
                .families
                .iter()
                .map(|f| (f.family.clone(), f.name.clone()))
                .collect(),
            rows,
        }
    }
}

/// A certification as the page shows it: the run's own (run.json `certification`, the
/// rule of `report::certify` the console prints), else for a repeated run without one (a
/// merged set) the pass-rate line, which is not a certification and says so.
struct CertView {
    passed: bool,
    line: String,
}

impl CertView {
    fn of(r: &RunRecord, rates: &PassRates) -> Option<CertView> {
        match &r.certification {
            Some(c) => Some(CertView {
                passed: c.certified,
                line: c.line.clone(),
            }),
            None => (r.repeat > 1).then(|| CertView::n_of_n(r, rates)),
        }
    }

    fn n_of_n(r: &RunRecord, rates: &PassRates) -> CertView {
        CertView {
            passed: !r.interrupted && rates.below(r.repeat).count() == 0,
            line: rates.n_of_n(r.repeat, r.interrupted),
        }
    }
}

/// The pass rates of a repeated run: the certification, the census, and only the pairs
/// below N of N.
struct PassRateView {
    repeat: u32,
    certification: CertView,
    summary: String,
    below: Vec<BelowRow>,
}

struct BelowRow {
    position: String,
    family: String,
    case: String,
    passed: String,
    fail: usize,
    error: usize,
    skip: usize,
    manual: usize,
    rate: String,
}

impl PassRateView {
    fn of(rates: &PassRates, r: &RunRecord) -> Self {
        let n = r.repeat;
        let c = rates.census(n);
        let below = rates
            .below(n)
            .map(|p| BelowRow {
                position: if p.position.is_empty() {
                    super::matrix::OFF_BENCH.to_string()
                } else {
                    p.position.clone()
                },
                family: p.family.clone(),
                case: p.case.clone(),
                passed: format!("{} of {}", p.counts.pass, p.attempts()),
                fail: p.counts.fail,
                error: p.counts.error,
                skip: p.counts.skip,
                manual: p.counts.manual,
                rate: p
                    .pass_rate()
                    .map(|x| format!("{:.0} %", x * 100.0))
                    .unwrap_or_default(),
            })
            .collect();
        PassRateView {
            repeat: n,
            certification: CertView::of(r, rates).unwrap_or_else(|| CertView::n_of_n(r, rates)),
            summary: format!(
                "{} of {} (position, case) pairs passed {n} of {n}; {} below; {} had nothing to certify (SKIP or MANUAL only). pass-rate.csv has every pair.",
                c.certified,
                c.certified + c.below + c.not_run,
                c.below,
                c.not_run
            ),
            below,
        }
    }
}

/// One group of FAILs or ERRORs as the page shows it.
struct GroupView {
    id: String,
    verdict: &'static str,
    class: &'static str,
    case: String,
    clauses: String,
    expected: String,
    observed: String,
    message: String,
    /// `3 runs on 2 positions: p1, p2`.
    extent: String,
    rows: Vec<GroupRow>,
    shown: Option<PlotView>,
    folded: Vec<PlotView>,
}

struct GroupRow {
    position: String,
    family: String,
    model: String,
    attempt: u32,
    message: String,
    /// The anchor of the row's plot, if it has one.
    plot: Option<String>,
}

struct PlotView {
    id: String,
    svg: String,
    position: String,
    attempt: u32,
    light: String,
    sensor: String,
    file: String,
    /// Set when the trace has no dark level (no calibration): the plot cannot show one.
    no_dark: bool,
}

impl GroupView {
    fn of(g: &Group, n: usize) -> Self {
        let kind = if g.verdict == Verdict::Fail {
            "fail"
        } else {
            "error"
        };
        let positions = g.positions();
        let runs = g.rows.len();
        let extent = format!(
            "{runs} {} on {} {}: {}",
            if runs == 1 { "run" } else { "runs" },
            positions.len(),
            if positions.len() == 1 {
                "position"
            } else {
                "positions"
            },
            positions.join(", ")
        );
        let mut plots: Vec<PlotView> = g
            .traced()
            .filter_map(|(i, r)| {
                let t = r.trace.as_ref()?;
                Some(PlotView {
                    id: format!("plot-{i}"),
                    svg: trace_plot(t),
                    position: r.position.clone(),
                    attempt: r.attempt,
                    light: t.light.clone(),
                    sensor: t.sensor.clone(),
                    file: trace_file(r).to_string_lossy().replace('\\', "/"),
                    no_dark: t.trace.dark.is_none(),
                })
            })
            .collect();
        let shown = (!plots.is_empty()).then(|| plots.remove(0));
        GroupView {
            id: format!("{kind}-{}", n + 1),
            verdict: g.verdict.name(),
            class: verdict_class(g.verdict),
            case: g.case.to_string(),
            clauses: g.clauses().join(" "),
            expected: g.expected.to_string(),
            observed: g.observed.to_string(),
            message: g.message.to_string(),
            extent,
            rows: g
                .rows
                .iter()
                .map(|(i, r)| GroupRow {
                    position: if r.position.is_empty() {
                        super::matrix::OFF_BENCH.to_string()
                    } else {
                        r.position.clone()
                    },
                    family: r.family.clone(),
                    model: r.model.clone(),
                    attempt: r.attempt,
                    message: r.message.clone(),
                    plot: r.trace.is_some().then(|| format!("plot-{i}")),
                })
                .collect(),
            shown,
            folded: plots,
        }
    }
}

/// The run's record, key by key.
fn details(r: &RunRecord) -> Vec<(&'static str, String)> {
    let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let seed = r.seed.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
    let t = &r.tally;
    let mut rows = vec![
        ("run", r.run_id.clone()),
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
    if !r.merged_from.is_empty() {
        let ids: Vec<&str> = r.merged_from.iter().map(|m| m.run_id.as_str()).collect();
        rows.push(("merged from", ids.join(", ")));
    }
    rows
}

/// One clause's coverage: the cases naming it and the verdicts of their rows.
struct Coverage {
    id: String,
    text: String,
    cases: String,
    counts: Tally,
    /// `covered`, `not covered` or `skipped only`.
    status: &'static str,
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
            let cases = first_appearance(rows.iter().map(|r| r.case.as_str())).join(" ");
            let status = if counts.total() == 0 {
                "not covered"
            } else if counts.total() == counts.skip {
                "skipped only"
            } else {
                "covered"
            };
            Coverage {
                id,
                text,
                cases,
                counts,
                status,
            }
        })
        .collect()
}

const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; margin: 1em 1.5em 3em; color: #222; line-height: 1.35; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; font-size: 0.85em; vertical-align: top; overflow-wrap: break-word; }
table.run td, table.rows td { overflow-wrap: anywhere; }
th { background: #f0f0f0; text-align: left; }
p, li, summary { overflow-wrap: anywhere; }
nav { font-size: 0.9em; margin: 0.5em 0 1em; } nav a { margin-right: 1.2em; }
.banner { border: 2px solid; border-radius: 6px; padding: 0.6em 1.2em; margin-bottom: 0.8em; }
.banner p { margin: 0.25em 0; }
.banner .verdict { font-size: 1.9em; font-weight: bold; margin: 0; }
.banner .meaning { font-size: 1.1em; } .banner .when { font-size: 0.85em; color: #555; }
.b-pass { background: #e8f5e9; border-color: #2e7d32; } .b-pass .verdict { color: #1b5e20; }
.b-fail { background: #ffebee; border-color: #c62828; } .b-fail .verdict { color: #b71c1c; }
.b-error { background: #fff3e0; border-color: #ef6c00; } .b-error .verdict { color: #e65100; }
.cert-pass { color: #1b5e20; font-weight: bold; } .cert-fail { color: #b71c1c; font-weight: bold; }
.warn { background: #ffcdd2; border: 1px solid #c62828; padding: 0.4em; font-weight: bold; }
.scroll { max-width: 100%; overflow-x: auto; }
table.matrix td { text-align: center; white-space: nowrap; min-width: 3.6em; }
table.matrix th { white-space: nowrap; }
table.matrix thead th { position: sticky; top: 0; z-index: 1; }
table.matrix tbody th { position: sticky; left: 0; background: #f0f0f0; z-index: 2; }
.v-pass { background: #c8e6c9; } .v-fail { background: #ef9a9a; font-weight: bold; }
.v-error { background: #ffcc80; font-weight: bold; } .v-skip { background: #eeeeee; color: #777; }
.v-manual { background: #b3e5fc; } .v-none { background: #fff; }
details.group { border: 1px solid #ccc; border-left: 6px solid #c62828; border-radius: 4px; margin: 0.5em 0; padding: 0.3em 0.8em; }
details.error-group { border-left-color: #ef6c00; }
details.group > summary { cursor: pointer; }
details.group[open] > summary { margin-bottom: 0.4em; }
.tag { display: inline-block; padding: 0 0.4em; border-radius: 3px; font-size: 0.85em; font-weight: bold; }
.symptom { display: block; margin-left: 1.5em; font-size: 0.9em; }
.exp { color: #1b5e20; } .obs { color: #b71c1c; }
.extent { display: block; margin-left: 1.5em; font-size: 0.85em; color: #555; }
details.more { margin: 0.5em 0; } details.more > summary { cursor: pointer; color: #1565c0; }
.uncovered { color: #b71c1c; font-weight: bold; }
figure { margin: 0.8em 0; } figcaption { font-size: 0.85em; }
svg.trace { border: 1px solid #ccc; background: #fff; max-width: 100%; height: auto; }
svg .frame { fill: none; stroke: #888; } svg .window { fill: #fff2b3; }
svg .band { fill: #2e7d32; fill-opacity: 0.13; stroke: #2e7d32; stroke-opacity: 0.5; stroke-dasharray: 2 2; }
svg .band-label, svg .dark-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .band-label { font-size: 11px; fill: #1b5e20; font-weight: bold; }
svg .dark { stroke: #6a1b9a; stroke-width: 1.5; stroke-dasharray: 6 3; } svg .dark-label { font-size: 11px; fill: #6a1b9a; }
svg .xgrid, svg .ygrid { stroke: #eee; } svg .decided { stroke: #000; stroke-dasharray: 4 3; }
svg .ch { fill: none; stroke-width: 1; }
svg .xtick, svg .ytick { font-size: 10px; fill: #444; } svg .axis { font-size: 10px; fill: #444; }
svg .legend { font-size: 10px; font-weight: bold; } svg .note { font-size: 12px; fill: #888; }
svg .expected { font-size: 12px; fill: #1b5e20; } svg .observed { font-size: 12px; fill: #b71c1c; }
";

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
        let html = report_html(&spec, &record(1, false), &rows).unwrap();
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
        let html = report_html(&spec, &record(2, true), &rows).unwrap();
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
        )
        .unwrap();
        assert!(!html.contains("id=\"pass-rate\""));
        assert!(!html.contains("class=\"warn\""));
        assert!(!html.contains("<svg"));
    }

    /// The page's banner text and the rows of its pass-rate table.
    fn read_page(html: &str) -> (String, Vec<Vec<String>>) {
        let doc = roxmltree::Document::parse_with_options(
            html,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("well-formed");
        let text = |n: roxmltree::Node| -> String {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect()
        };
        let banner = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("verdict"))
            .map(|n| text(n).trim().to_string())
            .expect("a banner");
        let rates = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("pass-rate"))
            .map(|t| {
                t.children()
                    .filter(|r| r.has_tag_name("tr"))
                    .skip(1)
                    .map(|r| r.children().filter(|c| c.is_element()).map(text).collect())
                    .collect()
            })
            .unwrap_or_default();
        (banner, rates)
    }

    #[test]
    fn the_banner_says_what_the_exit_code_says_and_the_console_certifies() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let banner = |repeat, rows: &[CaseResult]| {
            read_page(&report_html(&spec, &record(repeat, false), rows).unwrap()).0
        };
        let pass = [
            row("p1", "9611", "toggle", 1, Pass),
            row("", "VCE", "toggle", 1, Skip),
        ];
        let b = banner(1, &pass);
        assert!(b.starts_with("PASS"), "{b}");
        assert!(b.contains("every case that ran passed"), "{b}");
        assert!(b.contains("firmware fw <1> on bench sim & co"), "{b}");
        assert!(b.contains("1 PASS · 0 FAIL · 0 ERROR · 1 SKIP · 0 MANUAL (2 case runs)"));
        assert!(!b.contains("certification"), "{b}");
        let error = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "shows-on", 1, Error),
        ];
        let b = banner(1, &error);
        assert!(b.starts_with("ERROR"), "{b}");
        assert!(b.contains("not a pass"), "{b}");
        let mut fail = error.to_vec();
        fail.push(failed("p2", 1, 10));
        assert!(banner(1, &fail).starts_with("FAIL"));
        // A repeated run with no certification of its own (a merged set): the pass-rate
        // line, which does not call itself a certification.
        let twice = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
        ];
        let b = banner(2, &twice);
        let line = PassRates::of(&twice).n_of_n(2, false);
        assert!(b.contains(&line), "{b}");
        assert!(
            b.contains("pass rate: every case that ran passed 2 of 2"),
            "{b}"
        );
    }

    #[test]
    fn the_pass_rate_table_lists_only_the_pairs_below_n_of_n() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let rows = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
            row("p1", "9611", "shows-on", 1, Pass),
            row("p1", "9611", "shows-on", 2, Fail),
            row("p2", "1100", "shows-on", 1, Skip),
            row("p2", "1100", "shows-on", 2, Skip),
        ];
        let html = report_html(&spec, &record(2, false), &rows).unwrap();
        let (banner, table) = read_page(&html);
        assert_eq!(table.len(), 1, "{table:?}");
        assert_eq!(table[0][..4], ["p1", "9611", "shows-on", "1 of 2"]);
        assert!(html.contains(
            "1 of 3 (position, case) pairs passed 2 of 2; 1 below; 1 had nothing to certify"
        ));
        assert!(
            banner.contains("pass rate: 1 cases below 2 of 2"),
            "{banner}"
        );
        // All pass: no table, the census says so.
        let html = report_html(&spec, &record(2, false), &rows[..2]).unwrap();
        assert!(read_page(&html).1.is_empty());
        assert!(html.contains("1 of 1 (position, case) pairs passed 2 of 2; 0 below"));
    }

    #[test]
    fn a_group_shows_one_plot_and_folds_the_rest() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let rows: Vec<CaseResult> = (1..=3).map(|i| failed(&format!("p{i}"), 1, 50)).collect();
        let html = report_html(&spec, &record(1, false), &rows).unwrap();
        assert_eq!(
            html.matches("<details class=\"group fail-group\"").count(),
            1
        );
        assert_eq!(html.matches("<svg").count(), 3);
        assert!(html.contains("2 more plots of this group"));
        assert!(html.contains("3 runs on 3 positions: p1, p2, p3"));
        let first_plot = html.find("<svg").unwrap();
        let fold = html.find("<details class=\"more\"").unwrap();
        assert!(first_plot < fold, "the first plot is shown, not folded");
    }
}
