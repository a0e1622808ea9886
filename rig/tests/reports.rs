//! The report set of a real simulated run: every file written by `write_report_set`
//! exists and agrees with the rows; junit.xml follows the JUnit schema Jenkins' xUnit
//! plugin validates against (junit-10.xsd); report.html is self-contained.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rig::report::{write_report_set, RunRecord};
use rig::runner::{
    self, CaseResult, Context, EventBus, Operator, Plan, RunInfo, RunSummary, Tally, Verdict,
};
use rig::sim::{FirmwareProfile, Scope, SimBench};
use rig::spec::{Cadence, Colour, Indication, TwinningState};

use crate::common::{fixtures, Fixtures};

const REPEAT: u32 = 2;

/// The reference firmware with the 9608/9611/J100 group lit red for "twinning on": the
/// `shows-on` case FAILs (S4) on those three positions, with a trace.
fn red_for_on(f: &Fixtures) -> FirmwareProfile {
    let mut p = f.reference.clone();
    p.set_indication(
        Scope::Group("9608-9611-J100".into()),
        TwinningState::TwinningOn,
        Indication::new(Colour::Red, Cadence::Steady),
    );
    p
}

/// The whole suite on the simulated matrix, each case `repeat` times (as `rig run
/// --repeat`), with the run's info.
async fn run_repeated(
    f: &Fixtures,
    profile: FirmwareProfile,
    repeat: u32,
) -> (RunInfo, RunSummary) {
    let clock = rig::hw::BenchClock::start();
    let sim = SimBench::new(&f.bench, &f.spec, profile.clone(), clock, 7);
    let devices = rig::factory::open(&f.bench, &f.spec, Some(&sim), clock).expect("devices open");
    let ctx = Arc::new(Context {
        spec: f.spec.clone(),
        bench: f.bench.clone(),
        settings: f.suite.settings.clone(),
        clock,
    });
    let info = RunInfo {
        suite_path: f.suite.path.clone(),
        started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        virtual_time: true,
        profile_path: Some(profile.path.clone()),
        seed: Some(7),
        repeat,
        labels: vec![("ipo".into(), "12.1 <beta> & \"rc\"".into())],
        spec_files: f.spec.files(),
        ..RunInfo::new("reports-test", &f.bench, "sim:red-for-on")
    };
    let plan = Plan {
        cases: f.suite.cases.clone(),
        positions: f.bench.positions.iter().map(|p| p.id.clone()).collect(),
        off_bench: f
            .spec
            .catalog
            .families
            .iter()
            .filter(|x| !x.bench)
            .cloned()
            .collect(),
        repeat,
        history: Default::default(),
        ..Default::default()
    };
    let bus = EventBus::new(info.clone(), Vec::new());
    let s = runner::run(ctx, plan, devices, bus, Arc::new(Operator::none())).await;
    (info, s)
}

/// The simulated bench has no rig fault and no operator: one attempt becomes an ERROR (a
/// silent sensor) and one manual check an operator's yes (MANUAL), as the runner would
/// write them, so every verdict is in the reports.
fn with_error_and_manual(mut rows: Vec<CaseResult>) -> Vec<CaseResult> {
    let error = rows
        .iter_mut()
        .find(|r| r.position == "p1416" && r.case == "toggle" && r.attempt == 2)
        .expect("p1416 toggle attempt 2");
    error.verdict = Verdict::Error;
    error.message = "sensor rgb:1 silent for 2000 ms <i2c> & bus".into();
    let manual = rows
        .iter_mut()
        .find(|r| r.position == "p1416" && r.case == "set-destination" && r.attempt == 1)
        .expect("p1416 set-destination, a manual check");
    manual.verdict = Verdict::Manual;
    manual.message = "operator: yes, label reads \"Twinning\"".into();
    rows
}

fn record_of(info: &RunInfo, rows: &[CaseResult], bench_time_ms: f64) -> RunRecord {
    let mut tally = Tally::default();
    for r in rows {
        tally.add(r.verdict);
    }
    RunRecord::of_run(
        info,
        info.started_at + Duration::from_secs(60),
        bench_time_ms,
        false,
        tally,
    )
}

fn count(rows: &[CaseResult], v: Verdict) -> usize {
    rows.iter().filter(|r| r.verdict == v).count()
}

#[tokio::test(start_paused = true)]
async fn a_repeated_run_with_fails_writes_a_consistent_report_set() {
    let f = fixtures();
    let (info, s) = run_repeated(&f, red_for_on(&f), REPEAT).await;
    let rows = with_error_and_manual(s.results);
    for v in [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Error,
        Verdict::Skip,
        Verdict::Manual,
    ] {
        assert!(count(&rows, v) > 0, "no {v} row");
    }
    let record = record_of(&info, &rows, s.bench_time_ms);
    let dir = tempfile::tempdir().unwrap();
    write_report_set(dir.path(), &f.spec, &record, &rows).expect("the report set is written");

    for name in [
        "junit.xml",
        "matrix.csv",
        "pass-rate.csv",
        "report.html",
        "run.json",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let traced: Vec<&CaseResult> = rows.iter().filter(|r| r.trace.is_some()).collect();
    assert_eq!(
        traced.len(),
        count(&rows, Verdict::Fail),
        "every FAIL has a trace"
    );
    for r in &traced {
        assert!(dir
            .path()
            .join(rig::report::traces::trace_file(r))
            .is_file());
    }
    assert_eq!(RunRecord::load(dir.path()).unwrap(), record);

    check_junit(&read(dir.path(), "junit.xml"), &rows);
    let matrix = check_matrix(&read(dir.path(), "matrix.csv"), &f, &rows);
    check_pass_rate(&read(dir.path(), "pass-rate.csv"), &rows);
    check_html(dir.path(), &read(dir.path(), "report.html"), &rows, &matrix);
}

#[tokio::test(start_paused = true)]
async fn a_single_clean_run_names_cases_plainly_and_certifies_nothing() {
    let f = fixtures();
    let (info, s) = run_repeated(&f, f.reference.clone(), 1).await;
    let record = record_of(&info, &s.results, s.bench_time_ms);
    let dir = tempfile::tempdir().unwrap();
    write_report_set(dir.path(), &f.spec, &record, &s.results).unwrap();
    let xml = read(dir.path(), "junit.xml");
    check_junit(&xml, &s.results);
    assert!(
        !xml.contains("(attempt"),
        "a single run has no attempt suffixes"
    );
    let html = read(dir.path(), "report.html");
    assert!(!html.contains("<svg"), "no FAIL, no plot");
    assert!(
        !html.contains("id=\"pass-rate\""),
        "no pass-rate table for one attempt"
    );
    assert!(!dir.path().join("traces").exists());
}

#[test]
fn a_report_that_cannot_be_written_is_an_error_naming_it() {
    let f = fixtures();
    let info = RunInfo::new("r", &f.bench, "fw");
    let record = RunRecord::of_run(&info, SystemTime::UNIX_EPOCH, 0.0, false, Tally::default());
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should go.
    std::fs::create_dir(dir.path().join("report.html")).unwrap();
    let e = write_report_set(dir.path(), &f.spec, &record, &[]).unwrap_err();
    assert!(
        format!("{e:#}").starts_with(&format!(
            "cannot write {}: ",
            dir.path().join("report.html").display()
        )),
        "{e:#}"
    );
    // What can be written still is, and nothing half-written is left behind.
    for name in ["junit.xml", "matrix.csv", "pass-rate.csv", "run.json"] {
        assert!(dir.path().join(name).is_file(), "{name} not written");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ---- junit.xml against junit-10.xsd ----

/// junit-10.xsd's SUREFIRE_TIME, strictest version: digits (optionally grouped by
/// commas), then at most three decimals.
fn is_surefire_time(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit() || c == ',')
        && frac.len() <= 3
        && frac.chars().all(|c| c.is_ascii_digit())
}

/// `YYYY-MM-DDTHH:MM:SS`, the ISO 8601 form with no zone JUnit readers want.
fn is_plain_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

fn elements<'a, 'i>(n: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    for c in n.children().filter(|c| c.is_text()) {
        assert!(
            c.text().unwrap_or("").trim().is_empty(),
            "<{}> holds text between its elements",
            n.tag_name().name()
        );
    }
    n.children().filter(|c| c.is_element()).collect()
}

/// Attributes are among `allowed` and include `required`.
fn check_attrs(n: roxmltree::Node, allowed: &[&str], required: &[&str]) {
    let tag = n.tag_name().name();
    for a in n.attributes() {
        assert!(
            allowed.contains(&a.name()),
            "<{tag}> has undeclared attribute {}",
            a.name()
        );
    }
    for r in required {
        assert!(
            n.attribute(*r).is_some(),
            "<{tag}> lacks required attribute {r}"
        );
    }
}

fn number(n: roxmltree::Node, attr: &str) -> usize {
    let v = n.attribute(attr).unwrap_or_else(|| panic!("no {attr}"));
    v.parse()
        .unwrap_or_else(|_| panic!("{attr}=\"{v}\" is not a count"))
}

/// Counts of one suite's testcases: (tests, failures, errors, skipped).
fn check_testsuite(s: roxmltree::Node) -> [usize; 4] {
    check_attrs(
        s,
        &[
            "name",
            "tests",
            "failures",
            "errors",
            "group",
            "time",
            "skipped",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
            "log",
            "url",
            "version",
        ],
        &["name", "tests", "failures", "errors"],
    );
    assert!(is_surefire_time(s.attribute("time").unwrap()));
    assert!(is_plain_timestamp(
        s.attribute("timestamp").expect("a timestamp")
    ));
    let kids = elements(s);
    let order: Vec<&str> = kids.iter().map(|k| k.tag_name().name()).collect();
    // properties?, testcase*, system-out?, system-err?
    let rank = |t: &str| match t {
        "properties" => 0,
        "testcase" => 1,
        "system-out" => 2,
        "system-err" => 3,
        other => panic!("<{other}> in a testsuite"),
    };
    assert!(
        order.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "testsuite children out of order: {order:?}"
    );
    assert!(order.iter().filter(|t| **t == "properties").count() <= 1);
    let mut c = [0; 4];
    for k in kids {
        match k.tag_name().name() {
            "properties" => check_properties(k),
            "testcase" => {
                c[0] += 1;
                match check_testcase(k) {
                    Some("failure") => c[1] += 1,
                    Some("error") => c[2] += 1,
                    Some("skipped") => c[3] += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        [
            number(s, "tests"),
            number(s, "failures"),
            number(s, "errors"),
            number(s, "skipped")
        ],
        c,
        "suite {} counts",
        s.attribute("name").unwrap()
    );
    c
}

fn check_properties(p: roxmltree::Node) {
    check_attrs(p, &[], &[]);
    for prop in elements(p) {
        assert_eq!(prop.tag_name().name(), "property");
        check_attrs(prop, &["name", "value"], &["name", "value"]);
        assert!(elements(prop).is_empty());
    }
}

/// The verdict element of a testcase, if any.
fn check_testcase(t: roxmltree::Node) -> Option<&'static str> {
    check_attrs(t, &["name", "time", "classname", "group"], &["name"]);
    assert!(is_surefire_time(t.attribute("time").unwrap()));
    let kids = elements(t);
    let rank = |n: &str| match n {
        "skipped" | "error" | "failure" => 0,
        "system-out" => 1,
        "system-err" => 2,
        other => panic!("<{other}> in a testcase"),
    };
    let names: Vec<&str> = kids.iter().map(|k| k.tag_name().name()).collect();
    assert!(
        names.windows(2).all(|w| rank(w[0]) < rank(w[1])),
        "testcase children: {names:?}"
    );
    for k in &kids {
        // Text only, and only type/message on the verdict elements.
        assert!(
            k.children().all(|c| !c.is_element()),
            "<{}> holds elements",
            k.tag_name().name()
        );
        if rank(k.tag_name().name()) == 0 {
            check_attrs(*k, &["type", "message"], &[]);
        } else {
            check_attrs(*k, &[], &[]);
        }
    }
    names
        .first()
        .and_then(|n| ["failure", "error", "skipped"].into_iter().find(|v| v == n))
}

fn check_junit(xml: &str, rows: &[CaseResult]) {
    let doc = roxmltree::Document::parse(xml).expect("junit.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    check_attrs(root, &["name", "time", "tests", "failures", "errors"], &[]);
    assert!(is_surefire_time(root.attribute("time").unwrap()));
    let mut sum = [0; 4];
    let suites = elements(root);
    for s in &suites {
        assert_eq!(s.tag_name().name(), "testsuite");
        let c = check_testsuite(*s);
        for i in 0..4 {
            sum[i] += c[i];
        }
    }
    assert_eq!(
        [
            number(root, "tests"),
            number(root, "failures"),
            number(root, "errors")
        ],
        sum[..3]
    );
    // Rows ↔ testcases: MANUAL counts as passed, SKIP as skipped.
    assert_eq!(
        sum,
        [
            rows.len(),
            count(rows, Verdict::Fail),
            count(rows, Verdict::Error),
            count(rows, Verdict::Skip)
        ]
    );
    // One suite per position, plus off-bench; each holds exactly that position's rows.
    let mut per_suite: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        let name = if r.position.is_empty() {
            "off-bench"
        } else {
            r.position.as_str()
        };
        *per_suite.entry(name).or_default() += 1;
    }
    let got: BTreeMap<&str, usize> = suites
        .iter()
        .map(|s| (s.attribute("name").unwrap(), number(*s, "tests")))
        .collect();
    assert_eq!(got, per_suite);
    // Testcases in row order within each suite, named and classed after their row.
    let repeat = rows.iter().map(|r| r.attempt).max().unwrap_or(1) > 1;
    let testcases = suites.iter().flat_map(|s| {
        let suite = s.attribute("name").unwrap();
        elements(*s)
            .into_iter()
            .filter(|t| t.has_tag_name("testcase"))
            .map(move |t| (suite, t))
    });
    let ordered = rows_in_suite_order(rows);
    assert_eq!(testcases.clone().count(), ordered.len());
    for ((suite, t), r) in testcases.zip(ordered) {
        let name = t.attribute("name").unwrap();
        // Off-bench entries are never attempted: no attempt in their names.
        let want = if repeat && !r.position.is_empty() {
            format!("{} (attempt {} of {})", r.case, r.attempt, REPEAT)
        } else {
            r.case.clone()
        };
        assert_eq!(name, want);
        assert_eq!(
            t.attribute("classname").unwrap(),
            format!("twinning.{}.{suite}", r.family)
        );
    }
}

/// Rows grouped by position in order of first appearance, as junit.xml lists them.
fn rows_in_suite_order(rows: &[CaseResult]) -> Vec<&CaseResult> {
    let mut order: Vec<&str> = Vec::new();
    for r in rows {
        if !order.contains(&r.position.as_str()) {
            order.push(&r.position);
        }
    }
    order
        .iter()
        .flat_map(|p| rows.iter().filter(move |r| r.position == *p))
        .collect()
}

// ---- matrix.csv ----

/// The matrix rule, spelled out independently of the rig's.
fn expected_cell(rows: &[CaseResult], family: &str, case: &str) -> &'static str {
    let vs: Vec<Verdict> = rows
        .iter()
        .filter(|r| r.family == family && r.case == case)
        .map(|r| r.verdict)
        .collect();
    let has = |v| vs.contains(&v);
    if vs.is_empty() {
        ""
    } else if has(Verdict::Fail) {
        "FAIL"
    } else if has(Verdict::Error) {
        "ERROR"
    } else if has(Verdict::Pass) {
        "PASS"
    } else if has(Verdict::Manual) {
        "MANUAL"
    } else {
        "SKIP"
    }
}

/// The cells by (family, case).
fn check_matrix(
    text: &str,
    f: &Fixtures,
    rows: &[CaseResult],
) -> BTreeMap<(String, String), String> {
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "family");
    let cases: Vec<String> = f.suite.cases.iter().map(|c| c.id.clone()).collect();
    assert_eq!(header[1..], cases[..], "cases in suite order");
    let families: Vec<String> = f
        .spec
        .catalog
        .families
        .iter()
        .filter(|x| rows.iter().any(|r| r.family == x.id))
        .map(|x| x.id.clone())
        .collect();
    let mut cells = BTreeMap::new();
    let mut seen = Vec::new();
    for rec in rd.records() {
        let rec = rec.unwrap();
        let family = rec[0].to_string();
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(
                &rec[i + 1],
                expected_cell(rows, &family, case),
                "{family} × {case}"
            );
            cells.insert((family.clone(), case.clone()), rec[i + 1].to_string());
        }
        seen.push(family);
    }
    assert_eq!(seen, families, "families in catalog order");
    // The flipped group FAILs shows-on; the reference families pass it.
    assert_eq!(cells[&("9611".to_string(), "shows-on".to_string())], "FAIL");
    assert_eq!(cells[&("1400".to_string(), "shows-on".to_string())], "PASS");
    cells
}

// ---- pass-rate.csv ----

fn check_pass_rate(text: &str, rows: &[CaseResult]) {
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rd.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "position",
            "family",
            "case",
            "attempts",
            "pass",
            "fail",
            "error",
            "skip",
            "manual",
            "pass_rate",
            "certified"
        ]
    );
    let mut pairs = 0;
    let mut certified = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        pairs += 1;
        let mine: Vec<&CaseResult> = rows
            .iter()
            .filter(|r| r.position == rec[0] && r.family == rec[1] && r.case == rec[2])
            .collect();
        let n = |v| mine.iter().filter(|r| r.verdict == v).count().to_string();
        assert_eq!(rec[3], mine.len().to_string());
        assert_eq!(
            [&rec[4], &rec[5], &rec[6], &rec[7], &rec[8]],
            [
                n(Verdict::Pass),
                n(Verdict::Fail),
                n(Verdict::Error),
                n(Verdict::Skip),
                n(Verdict::Manual)
            ]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()[..]
        );
        let all_pass = mine.iter().all(|r| r.verdict == Verdict::Pass);
        let ran = mine
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Pass | Verdict::Fail | Verdict::Error));
        let want = match (ran, all_pass && mine.len() >= REPEAT as usize) {
            (false, _) => "",
            (true, true) => "yes",
            (true, false) => "no",
        };
        assert_eq!(&rec[10], want, "{:?}", rec);
        if want == "yes" {
            certified += 1;
            assert_eq!(&rec[9], "1.000");
        }
        if !ran {
            assert_eq!(&rec[9], "");
        }
    }
    let distinct: std::collections::BTreeSet<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.position.as_str(), r.family.as_str(), r.case.as_str()))
        .collect();
    assert_eq!(pairs, distinct.len(), "one row per position × case");
    assert!(certified > 0);
    let shows_on = text
        .lines()
        .find(|l| l.starts_with("p9611,9611,shows-on,"))
        .expect("p9611 shows-on");
    assert_eq!(shows_on, "p9611,9611,shows-on,2,0,2,0,0,0,0.000,no");
}

// ---- report.html ----

fn check_html(
    dir: &Path,
    html: &str,
    rows: &[CaseResult],
    matrix: &BTreeMap<(String, String), String>,
) {
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "<iframe", "url(",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    let fails_with_trace = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Fail && r.trace.is_some())
        .count();
    assert_eq!(html.matches("<svg").count(), fails_with_trace);
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("report.html is well-formed");
    // The banner comes first: the verdict, the certification, the firmware, the counts.
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name("body"))
        .expect("a body");
    let banner = body.first_element_child().expect("something in the body");
    assert_eq!(banner.attribute("id"), Some("verdict"));
    let banner_text = text_of(banner);
    for want in [
        "FAIL",
        // The record built here has no certification (the CLI judges one): the page says
        // only the pass rate, and never calls it a certification.
        "pass rate: ",
        "sim:red-for-on",
        &format!("{} FAIL", count(rows, Verdict::Fail)),
        &format!("{} ERROR", count(rows, Verdict::Error)),
    ] {
        assert!(
            banner_text.contains(want),
            "{want:?} not in {banner_text:?}"
        );
    }
    assert!(html.contains("<meta name=\"viewport\""));
    // Matrix cells (a row per case, a column per family): class and text match matrix.csv.
    let table = doc
        .descendants()
        .find(|n| n.has_tag_name("table") && n.attribute("class") == Some("matrix"))
        .expect("a matrix table");
    let trs: Vec<_> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .collect();
    let families: Vec<&str> = trs[0]
        .children()
        .filter(|n| n.is_element())
        .skip(1)
        .filter_map(|n| n.text())
        .collect();
    let mut checked = 0;
    for tr in &trs[1..] {
        let cells: Vec<_> = tr.children().filter(|n| n.is_element()).collect();
        let case = cells[0].text().unwrap();
        for (family, td) in families.iter().zip(&cells[1..]) {
            let want = &matrix[&(family.to_string(), case.to_string())];
            let class = if want.is_empty() {
                "v-none".to_string()
            } else {
                format!("v-{}", want.to_lowercase())
            };
            assert_eq!(
                td.attribute("class"),
                Some(class.as_str()),
                "{family} × {case}"
            );
            assert_eq!(td.text().unwrap_or(""), want);
            checked += 1;
        }
    }
    assert_eq!(checked, matrix.len());
    // One folded group per FAIL case and symptom, per ERROR case and message; together
    // they list every such row once.
    let distinct = |v: Verdict| {
        rows.iter()
            .filter(|r| r.verdict == v)
            .map(|r| {
                let message = if v == Verdict::Error {
                    &r.message[..]
                } else {
                    ""
                };
                (&r.case[..], &r.expected[..], &r.observed[..], message)
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let groups = |class: &str| -> Vec<roxmltree::Node> {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name("details")
                    && n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|c| c == class))
            })
            .collect()
    };
    let (fail_groups, error_groups) = (groups("fail-group"), groups("error-group"));
    assert_eq!(fail_groups.len(), distinct(Verdict::Fail));
    assert_eq!(error_groups.len(), distinct(Verdict::Error));
    assert!(
        fail_groups
            .iter()
            .chain(&error_groups)
            .all(|g| g.attribute("open").is_none()),
        "groups are folded"
    );
    let listed: usize = fail_groups
        .iter()
        .chain(&error_groups)
        .map(|g| {
            let table = g
                .children()
                .find(|n| n.has_tag_name("table"))
                .expect("a group lists its rows");
            table.children().filter(|n| n.has_tag_name("tr")).count() - 1
        })
        .sum();
    let bad = count(rows, Verdict::Fail) + count(rows, Verdict::Error);
    assert_eq!(listed, bad);
    assert!(html.contains(&format!(
        "Failures: {} FAIL in {} groups, {} ERROR in {} groups",
        count(rows, Verdict::Fail),
        fail_groups.len(),
        count(rows, Verdict::Error),
        error_groups.len()
    )));
    // Each FAIL group shows one plot; the rest are folded in it.
    for g in &fail_groups {
        let shown = g.children().filter(|n| n.has_tag_name("figure")).count();
        assert_eq!(shown, 1, "one plot shown per group");
    }
    // Every plot links a trace file that exists.
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href"))
        .filter(|h| h.starts_with("traces/"))
        .collect();
    assert_eq!(links.len(), fails_with_trace);
    for l in links {
        assert!(dir.join(l).is_file(), "{l} does not exist");
    }
    // The pass-rate table lists only the pairs below N of N.
    let below: std::collections::BTreeSet<(&str, &str)> = rows
        .iter()
        .filter(|r| !r.position.is_empty())
        .filter(|r| {
            let mine: Vec<&CaseResult> = rows
                .iter()
                .filter(|x| x.position == r.position && x.case == r.case)
                .collect();
            let ran = mine
                .iter()
                .any(|x| matches!(x.verdict, Verdict::Pass | Verdict::Fail | Verdict::Error));
            ran && mine.iter().any(|x| x.verdict != Verdict::Pass)
        })
        .map(|r| (&r.position[..], &r.case[..]))
        .collect();
    let table = doc
        .descendants()
        .find(|n| n.has_tag_name("table") && n.attribute("class") == Some("pass-rate"))
        .expect("a pass-rate table");
    let listed: std::collections::BTreeSet<(String, String)> = table
        .children()
        .filter(|n| n.has_tag_name("tr"))
        .skip(1)
        .map(|tr| {
            let c: Vec<String> = tr
                .children()
                .filter(|n| n.is_element())
                .map(|n| n.text().unwrap_or("").to_string())
                .collect();
            (c[0].clone(), c[2].clone())
        })
        .collect();
    let want: std::collections::BTreeSet<(String, String)> = below
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    assert_eq!(listed, want);
    // Every clause is listed; the silent-sensor text is escaped, not markup.
    for id in ["S1", "S4", "S16"] {
        assert!(
            html.contains(&format!("<tr><th>{id}</th>")),
            "{id} missing from coverage"
        );
    }
    assert!(html.contains("sensor rgb:1 silent for 2000 ms &lt;i2c&gt; &amp; bus"));
    assert!(html.contains("12.1 &lt;beta&gt; &amp; &quot;rc&quot;"));
    // Written without a certification scope (as `rig report merge` does): the pass
    // rates only, never a certification.
    assert!(html.contains("pass rate: "), "the N-of-N line");
    assert!(!html.contains("CERTIFIED"));
}

/// The text of a node and everything in it.
fn text_of(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

// ---- through `rig run` ----

#[test]
fn rig_run_with_repeats_writes_the_report_set_and_prints_the_certification() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("red-for-on.toml");
    let reference =
        std::fs::read_to_string(rig::workspace_path("fixtures/firmware/reference.toml")).unwrap();
    // The 9608/9611/J100 group's first line is its twinning-on indication.
    let group = "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"green steady\"";
    assert!(reference.contains(group), "the reference profile changed");
    let broken = reference.replace(
        group,
        "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"red steady\"",
    );
    std::fs::write(&profile, broken).unwrap();
    let out = dir.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(["run", "--only", "shows-on,toggle", "--family", "9611,1400"])
        .args(["--repeat", "2", "--out"])
        .arg(&out)
        .arg("--sim-firmware")
        .arg(&profile)
        .current_dir(rig::workspace_path("."))
        .output()
        .expect("rig runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "a FAIL exits 1:\n{stdout}");
    for name in [
        "results.csv",
        "junit.xml",
        "matrix.csv",
        "pass-rate.csv",
        "report.html",
        "run.json",
        "traces/p9611_shows-on_1.csv",
        "traces/p9611_shows-on_2.csv",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    // A run of two cases checks few of the suite's clauses, and one case failed.
    assert!(
        stdout.contains("certification: NOT CERTIFIED (")
            && stdout.contains("; 1 cases below 2 of 2)"),
        "{stdout}"
    );
    let below = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("p9611"))
        .expect("p9611 listed below 2 of 2");
    assert!(
        below.contains("shows-on") && below.contains("0/2"),
        "{below}"
    );
    let pass_rate = read(&out, "pass-rate.csv");
    assert!(pass_rate.contains("\np1416,1400,toggle,2,2,0,0,0,0,1.000,yes\n"));
    assert!(pass_rate.contains("\np9611,9611,shows-on,2,0,2,0,0,0,0.000,no\n"));
    assert!(read(&out, "junit.xml").contains("name=\"shows-on (attempt 2 of 2)\""));
}
