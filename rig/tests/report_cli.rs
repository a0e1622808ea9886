//! `rig report diff` and `rig report merge` on real runs of the `rig` binary.

use std::collections::BTreeSet;
use std::path::Path;

use rig::report::RunRecord;

use crate::common::{printed, rig};

/// The cases the tests run: enough for faults to show, few enough to be quick.
const CASES: &str = "toggle,shows-on,retrieve";

/// `rig run` on the simulated matrix into `out`; the exit code.
fn run(out: &Path, extra: &[&str]) -> i32 {
    let mut args = vec!["run", "--only", CASES, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = rig(&args);
    let code = o.status.code().unwrap_or(-1);
    // 5: a repeated run of three cases certifies nothing (README "Exit codes").
    assert!(code == 0 || code == 1 || code == 5, "{}", printed(&o));
    code
}

/// The reference firmware with one change, as a profile file in `dir`.
fn faulty_profile(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let reference =
        std::fs::read_to_string(rig::workspace_path("fixtures/firmware/reference.toml")).unwrap();
    assert!(reference.contains(from), "the reference has `{from}`");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, reference.replacen(from, to, 1)).unwrap();
    path.to_str().unwrap().to_string()
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

/// (family, position, case).
type Key = (String, String, String);

/// (family, position, case) of a run's rows with this verdict.
fn rows_with(dir: &Path, verdict: &str) -> BTreeSet<Key> {
    let text = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    csv_rows(&text)
        .iter()
        .filter(|r| &r[8] == verdict)
        .map(|r| (r[4].to_string(), r[2].to_string(), r[6].to_string()))
        .collect()
}

/// `rig report diff --format csv`: the exit code and (family, position, case) per change.
fn diff_csv(base: &Path, candidate: &Path) -> (i32, Vec<(String, Key)>) {
    let o = rig(&[
        "report",
        "diff",
        base.to_str().unwrap(),
        candidate.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout
            .starts_with("change,family,position,case,clauses,base,candidate,candidate_message\n"),
        "{}",
        printed(&o)
    );
    let listed = csv_rows(&stdout)
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                (r[1].to_string(), r[2].to_string(), r[3].to_string()),
            )
        })
        .collect();
    (o.status.code().unwrap_or(-1), listed)
}

fn of_change(listed: &[(String, Key)], change: &str) -> BTreeSet<Key> {
    listed
        .iter()
        .filter(|(c, _)| c == change)
        .map(|(_, k)| k.clone())
        .collect()
}

#[test]
fn diff_names_exactly_the_fail_rows_of_a_seeded_fault_as_regressions() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("reference");
    assert_eq!(run(&base, &[]), 0);
    let faults = [
        (
            "red-on",
            "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"green steady\"",
            "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"red steady\"",
        ),
        ("no-retrieve", "retrieve = true", "retrieve = false"),
    ];
    for (name, from, to) in faults {
        let profile = faulty_profile(tmp.path(), name, from, to);
        let cand = tmp.path().join(name);
        let label = format!("fw-{name}");
        assert_eq!(
            run(&cand, &["--sim-firmware", &profile, "--firmware", &label]),
            1
        );
        let fails = rows_with(&cand, "FAIL");
        assert!(!fails.is_empty(), "{name}: the fault shows");

        let (code, listed) = diff_csv(&base, &cand);
        assert_eq!(code, 1, "{name}: a regression exits 1");
        assert_eq!(of_change(&listed, "regression"), fails, "{name}");
        assert_eq!(
            listed.len(),
            fails.len(),
            "{name}: nothing else changed: {listed:?}"
        );

        // Swapped, the same rows are fixes, and nothing regresses.
        let (code, listed) = diff_csv(&cand, &base);
        assert_eq!(code, 0, "{name}");
        assert_eq!(of_change(&listed, "fix"), fails, "{name}");
        assert_eq!(listed.len(), fails.len(), "{name}: {listed:?}");

        // The text table names both runs' firmware and counts the section.
        let o = rig(&[
            "report",
            "diff",
            base.to_str().unwrap(),
            cand.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", printed(&o));
        let t = printed(&o);
        assert!(t.contains("firmware sim:reference"), "{t}");
        assert!(t.contains(&format!("firmware {label}")), "{t}");
        assert!(
            t.contains(&format!(
                "regressions (PASS in base, FAIL in candidate): {}\n",
                fails.len()
            )),
            "{t}"
        );
    }
}

#[test]
fn a_run_against_itself_or_its_repeat_lists_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let once = tmp.path().join("once");
    let twice = tmp.path().join("twice");
    assert_eq!(run(&once, &[]), 0);
    // Every case passed 2 of 2, but three cases do not check the whole suite.
    assert_eq!(run(&twice, &["--repeat", "2"]), 5);
    for (a, b) in [(&once, &once), (&once, &twice), (&twice, &once)] {
        let (code, listed) = diff_csv(a, b);
        assert_eq!(code, 0);
        assert!(listed.is_empty(), "{listed:?}");
    }
    let o = rig(&[
        "report",
        "diff",
        once.to_str().unwrap(),
        once.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains("0 regressions, 0 fixes, 0 changed, 0 added, 0 removed;"),
        "{}",
        printed(&o)
    );
}

#[test]
fn diff_of_a_missing_or_damaged_report_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    assert_eq!(run(&good, &["--family", "9611"]), 0);
    let missing = tmp.path().join("missing");
    let o = rig(&[
        "report",
        "diff",
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains(&format!("{}: no such report folder", missing.display())));

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = rig(&[
        "report",
        "diff",
        empty.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains(&format!(
        "{}: cannot read",
        empty.join("results.csv").display()
    )));

    // A verdict edited by hand on the third line.
    let damaged = tmp.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    let csv = std::fs::read_to_string(good.join("results.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",PASS,", ",OK,", 1);
    std::fs::write(damaged.join("results.csv"), lines.join("\n")).unwrap();
    let o = rig(&[
        "report",
        "diff",
        good.to_str().unwrap(),
        damaged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let want = format!(
        "{}:3: verdict `OK` is not PASS, FAIL, ERROR, SKIP or MANUAL",
        damaged.join("results.csv").display()
    );
    assert!(
        printed(&o).contains(&want),
        "wanted `{want}` in {}",
        printed(&o)
    );
}

#[test]
fn diff_and_merge_refuse_a_cut_last_row_and_rows_written_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    assert_eq!(run(&good, &["--family", "9611"]), 0);
    let csv = std::fs::read_to_string(good.join("results.csv")).unwrap();
    let lines = csv.lines().count();
    assert!(lines > 2, "{csv}");
    let copy = |name: &str, text: &str| {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("results.csv"), text).unwrap();
        dir
    };
    // Cut inside the last field (the message): the column count is still right.
    let cut = copy("cut", &csv[..csv.len() - 4]);
    // Every row twice, as if the rows were appended again.
    let data: String = csv.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let twice = copy("twice", &format!("{csv}{data}"));
    let want_cut = format!(
        "{}:{lines}: the last line has no line end",
        cut.join("results.csv").display()
    );
    let want_twice = format!(
        "{}:{}: bench `sim-matrix` position `p9611` case `toggle` attempt 1 is also on line 2: a row written twice",
        twice.join("results.csv").display(),
        lines + 1
    );
    for (dir, want) in [(&cut, &want_cut), (&twice, &want_twice)] {
        let o = rig(&[
            "report",
            "diff",
            good.to_str().unwrap(),
            dir.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
        assert!(
            printed(&o).contains(want.as_str()),
            "wanted `{want}` in {}",
            printed(&o)
        );
        let out = tmp.path().join("merged");
        let o = rig(&[
            "report",
            "merge",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
        assert!(
            printed(&o).contains(want.as_str()),
            "wanted `{want}` in {}",
            printed(&o)
        );
        assert!(!out.join("results.csv").exists(), "nothing merged");
    }
}

/// Two benches with a position of the same id, both failing: the merged report keeps both
/// traces, each under its bench, and reads them back.
#[test]
fn merge_keeps_every_bench_s_trace_under_its_bench() {
    let tmp = tempfile::tempdir().unwrap();
    let red = faulty_profile(
        tmp.path(),
        "red-on",
        "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"green steady\"",
        "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"red steady\"",
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let fault = [
        "--family",
        "9611",
        "--sim-firmware",
        red.as_str(),
        "--firmware",
        "fw",
    ];
    assert_eq!(run(&a, &fault), 1);
    let mut on_lab = vec!["--bench", "wiring/sim-lab.toml"];
    on_lab.extend(fault);
    assert_eq!(run(&b, &on_lab), 1);
    let out = tmp.path().join("merged");
    let o = merge(&[&a, &b], &out);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect()
    };
    let (ta, tb) = (names(&a.join("traces")), names(&b.join("traces")));
    assert!(
        !ta.is_empty() && ta == tb,
        "{ta:?} {tb:?}: the same position ids"
    );
    for (bench, traces) in [("sim-matrix", &ta), ("sim-lab", &tb)] {
        for t in traces.iter() {
            let f = out.join("traces").join(bench).join(t);
            assert!(f.is_file(), "{} missing", f.display());
        }
    }
    // Read back: a diff of the merged set against itself sees every row and no change.
    let (code, listed) = diff_csv(&out, &out);
    assert_eq!((code, listed.len()), (0, 0));
}

/// A merged report is one certification: benches that tested other firmware, or ran
/// another suite, are refused (exit 2) with the bench and the file named.
#[test]
fn merge_refuses_benches_that_ran_another_firmware_or_suite() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    assert_eq!(run(&a, &["--family", "9611", "--firmware", "fw-1"]), 0);
    assert_eq!(run(&b, &["--family", "J100", "--firmware", "fw-2"]), 0);
    // The same suite with one more comment: another digest.
    let suite = tmp.path().join("suite.toml");
    let text = std::fs::read_to_string(rig::workspace_path("fixtures/twinning.toml")).unwrap();
    std::fs::write(&suite, format!("# edited\n{text}")).unwrap();
    let suite = suite.to_str().unwrap();
    assert_eq!(
        run(
            &c,
            &["--family", "1600", "--firmware", "fw-1", "--suite", suite]
        ),
        0
    );
    let merge_pair = |x: &Path, y: &Path| {
        let out = tmp.path().join(format!(
            "m-{}-{}",
            x.file_name().unwrap().to_string_lossy(),
            y.file_name().unwrap().to_string_lossy()
        ));
        merge(&[x, y], &out)
    };
    let o = merge_pair(&a, &b);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let t = printed(&o);
    assert!(t.contains(&format!("({})", b.display())), "{t}");
    assert!(t.contains("tested firmware `fw-2`"), "{t}");
    let o = merge_pair(&a, &c);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let t = printed(&o);
    assert!(
        t.contains(&format!("({}) ran another suite", c.display())),
        "{t}"
    );
    assert!(t.contains("suite.toml"), "{t}");
}

/// `rig report merge DIRS… --out OUT`.
fn merge(dirs: &[&Path], out: &Path) -> std::process::Output {
    let mut args = vec!["report", "merge"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    rig(&args)
}

/// The data lines of a results.csv.
fn data_lines(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    text.lines().skip(1).map(String::from).collect()
}

#[test]
fn merge_joins_two_benches_runs_into_one_report_set() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    // A fault on the 9611 run, so it has a trace to carry over.
    let red = faulty_profile(
        tmp.path(),
        "red-on",
        "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"green steady\"",
        "[indications.group.\"9608-9611-J100\"]\ntwinning-on = \"red steady\"",
    );
    assert_eq!(
        run(
            &a,
            &[
                "--family",
                "9611",
                "--sim-firmware",
                &red,
                "--firmware",
                "fw"
            ]
        ),
        1
    );
    assert_eq!(run(&b, &["--family", "J100", "--firmware", "fw"]), 0);
    let out = tmp.path().join("merged");
    let o = merge(&[&a, &b], &out);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));

    // Every row of both, as written, and nothing else.
    let (la, lb) = (data_lines(&a), data_lines(&b));
    assert!(!la.is_empty() && !lb.is_empty());
    let both: BTreeSet<String> = la.union(&lb).cloned().collect();
    assert_eq!(data_lines(&out), both);
    assert_eq!(both.len(), la.len() + lb.len());

    let record = RunRecord::load(&out).unwrap();
    let (ra, rb) = (RunRecord::load(&a).unwrap(), RunRecord::load(&b).unwrap());
    assert_eq!(record.run_id, "merged-2-runs");
    assert_eq!(record.merged_from, [ra.clone(), rb.clone()]);
    assert_eq!(record.firmware, "fw");
    // Which bench's folder gave which rows.
    let sources: Vec<(usize, usize)> = record
        .sources
        .iter()
        .map(|s| (s.first_row, s.rows))
        .collect();
    assert_eq!(sources, [(1, la.len()), (1 + la.len(), lb.len())]);
    assert_eq!(record.sources[1].folder, b);
    assert_eq!(record.started_at, ra.started_at.min(rb.started_at));
    assert_eq!(record.tally.fail, ra.tally.fail + rb.tally.fail);
    assert_eq!(record.tally.pass, ra.tally.pass + rb.tally.pass);

    // The FAIL's trace is in the merged set, and the merged set reads back as a report.
    let traces: Vec<_> = std::fs::read_dir(a.join("traces")).unwrap().collect();
    assert!(!traces.is_empty());
    for t in traces {
        let name = t.unwrap().file_name();
        assert!(out.join("traces").join(&name).is_file(), "{name:?}");
    }
    let (code, listed) = diff_csv(&out, &out);
    assert_eq!((code, listed.len()), (0, 0));
}

#[test]
fn merge_refuses_conflicting_rows_the_same_run_twice_and_an_input_as_out() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    assert_eq!(run(&a, &["--family", "9611"]), 0);
    assert_eq!(run(&b, &["--family", "9611,J100"]), 0);
    let out = tmp.path().join("out");

    let o = merge(&[&a, &b], &out);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let t = printed(&o);
    let (ca, cb) = (a.join("results.csv"), b.join("results.csv"));
    assert!(
        t.contains(&format!("{}:", cb.display()))
            && t.contains(&format!("is also in {}:", ca.display()))
            && t.contains("bench `sim-matrix` position `p9611` case `shows-on` attempt 1"),
        "{t}"
    );
    assert!(!out.exists(), "nothing written");

    let o = merge(&[&a, &a], &out);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(
        printed(&o).contains("the same run is given twice"),
        "{}",
        printed(&o)
    );

    let o = merge(&[&a, &b], &a);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains("that is the input"), "{}", printed(&o));
}
