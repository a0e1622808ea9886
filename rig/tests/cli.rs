//! The `rig` binary: exit codes, the CSV contract, and errors that name file and line.

use std::path::Path;

use crate::common::{printed, rig};

#[test]
fn validate_accepts_the_shipped_files() {
    for f in [
        "wiring/sim-matrix.toml",
        "fixtures/twinning.toml",
        "fixtures/firmware/reference.toml",
    ] {
        let o = rig(&["validate", f]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", printed(&o));
        assert!(printed(&o).contains(": ok"), "{}", printed(&o));
    }
}

#[test]
fn a_bad_bench_exits_2_naming_file_line_and_fault() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(rig::workspace_path("wiring/sim-matrix.toml")).unwrap();
    let bad = good.replacen("call = \"relays:1\"", "call = \"relays:0\"", 1);
    let line = bad
        .lines()
        .position(|l| l.contains("call = \"relays:0\""))
        .unwrap()
        + 1;
    let path = dir.path().join("bench.toml");
    std::fs::write(&path, bad).unwrap();
    for args in [
        vec!["validate", path.to_str().unwrap()],
        vec![
            "run",
            "--bench",
            path.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let o = rig(&args);
        assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
        let want = format!(
            "{}:{line}: channel relays:0 is already wired to p1416.twinning",
            path.display()
        );
        assert!(
            printed(&o).contains(&want),
            "wanted `{want}` in:\n{}",
            printed(&o)
        );
    }
}

#[test]
fn a_bad_suite_step_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(rig::workspace_path("fixtures/twinning.toml")).unwrap();
    let bad = good.replacen(
        "{ press = \"twinning\" },",
        "{ press = \"twinning\", dial = \"primary\" },",
        1,
    );
    let line = bad
        .lines()
        .position(|l| l.contains("dial = \"primary\" },"))
        .unwrap()
        + 1;
    let path = dir.path().join("suite.toml");
    std::fs::write(&path, bad).unwrap();
    let o = rig(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains(&format!("suite.toml:{line}: case `toggle`: a step takes one action, this one has press and dial")), "{}", printed(&o));
}

#[test]
fn a_run_writes_the_csv_with_the_contract_columns_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let o = rig(&[
        "run",
        "--only",
        "toggle,shows-on",
        "--family",
        "9611,M-Series",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let csv = std::fs::read_to_string(dir.path().join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run_id,bench,position,model,family,firmware,case,clauses,verdict,expected,observed,measured,unit,attempt,started_at,bench_time_ms,message"
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 4, "{csv}");
    for r in &rows {
        assert_eq!(&r[1], "sim-matrix");
        assert_eq!(&r[5], "sim:reference");
        assert_eq!(&r[8], "PASS", "{r:?}");
        assert!(r[14].ends_with('Z'), "started_at is UTC: {}", &r[14]);
        assert!(r[15].parse::<f64>().unwrap() > 0.0);
    }
    assert!(
        printed(&o).contains("results.csv"),
        "the console names the CSV: {}",
        printed(&o)
    );
}

#[test]
fn faulty_firmware_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let reference =
        std::fs::read_to_string(rig::workspace_path("fixtures/firmware/reference.toml")).unwrap();
    assert!(reference.contains("toggle = true"));
    let faulty = reference.replacen("toggle = true", "toggle = false", 1);
    let path = dir.path().join("no-toggle.toml");
    std::fs::write(&path, faulty).unwrap();
    let out = dir.path().join("out");
    let o = rig(&[
        "run",
        "--sim-firmware",
        path.to_str().unwrap(),
        "--only",
        "toggle",
        "--family",
        "9611",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", printed(&o));
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(csv.contains(",FAIL,"), "{csv}");
}

#[test]
fn unknown_case_or_family_is_a_bad_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let o = rig(&[
        "run",
        "--only",
        "nosuch",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains("no case `nosuch`"));
    let o = rig(&[
        "run",
        "--family",
        "9999",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
}

#[test]
fn list_clauses_covers_every_clause_or_says_why_not() {
    let o = rig(&["list", "clauses"]);
    assert_eq!(o.status.code(), Some(0));
    let t = printed(&o);
    for i in 1..=16 {
        assert!(t.contains(&format!("S{i} ")), "S{i} missing");
    }
    assert!(!t.contains("NOT COVERED"), "{t}");
    assert!(t.contains("not automatable"), "{t}");
    let phones = printed(&rig(&["list", "phones"]));
    assert!(phones.contains("Vantage Connect Expansion") && phones.contains("not testable"));
    let _ = Path::new(".");
}

#[test]
fn doctor_passes_the_simulated_bench_and_fails_cleanly_without_hardware() {
    let o = rig(&["doctor"]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains("all 67 checks good"),
        "{}",
        printed(&o)
    );
    assert!(
        printed(&o).contains("p9621 twinning light") && printed(&o).contains("grey steady"),
        "{}",
        printed(&o)
    );
    // The lab bench on a machine without its Pi hardware: every device fails, clearly, exit 3.
    let o = rig(&["doctor", "--bench", "wiring/lab-example.toml"]);
    assert_eq!(o.status.code(), Some(3), "{}", printed(&o));
    assert!(printed(&o).contains("FAIL"), "{}", printed(&o));
}

#[test]
fn dry_run_shows_the_plan_without_running_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let o = rig(&[
        "run",
        "--dry-run",
        "--family",
        "M-Series",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let t = printed(&o);
    assert!(t.contains("  pm7310 (mobile line 07700900001):"), "{t}");
    assert!(
        t.contains("s  toggle                 would run (about"),
        "{t}"
    );
    assert!(
        t.contains("lower bound: ") && t.contains("expected bench time: "),
        "{t}"
    );
    assert!(
        t.contains("would skip: applies to users set up for internal twinning"),
        "{t}"
    );
    assert!(t.contains("nothing was pressed or dialled"), "{t}");
    assert!(
        !dir.path().join("results.csv").exists(),
        "a dry run writes no results"
    );
}

#[test]
fn history_gives_each_case_the_duration_it_took_before() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("before");
    let o = rig(&[
        "run",
        "--family",
        "M-Series",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let csv = out.join("results.csv");
    let o = rig(&[
        "run",
        "--dry-run",
        "--family",
        "M-Series",
        "--history",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let t = printed(&o);
    // The run took its bench time; the plan learnt from it expects exactly that.
    let record = std::fs::read_to_string(out.join("run.json")).unwrap();
    let took: f64 = record
        .split("\"bench_time_ms\": ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(
        t.contains(&format!("expected bench time: {:.1} s", took / 1000.0)),
        "took {took} ms:\n{t}"
    );
    assert!(t.contains("durations learnt from"), "{t}");

    // A file that is no results.csv is refused with its line.
    std::fs::write(dir.path().join("bad.csv"), "a,b\n1,2\n").unwrap();
    let bad = dir.path().join("bad.csv");
    let o = rig(&["run", "--dry-run", "--history", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains("bad.csv:1: "), "{}", printed(&o));
}

#[test]
fn press_and_watch_reach_one_device() {
    let o = rig(&["press", "p9611", "twinning"]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains("pressed twinning on p9611 (relays:12) for 150 ms, released"),
        "{}",
        printed(&o)
    );
    let o = rig(&["press", "p9611", "volume"]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let o = rig(&["watch", "p9621", "twinning", "--for", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains("grey steady"),
        "the idle touch icon reads grey: {}",
        printed(&o)
    );
}
