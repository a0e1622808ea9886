//! An honest certification: a repeated run (or `--certify`) passes only when every clause
//! of the suite was checked on every family where the spec defines it (README,
//! "Certifying a firmware"); one whose manual clauses were only SKIPped says NOT
//! CERTIFIED and exits 5.

use std::io::Write as _;
use std::process::{Command, Stdio};

use rig::report::certify::{Need, Scope};

use crate::common::{fixtures, printed};

fn run(args: &[&str], operator_answers: Option<usize>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rig"));
    cmd.arg("run")
        .args(args)
        .current_dir(rig::workspace_path("."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("rig runs");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(n) = operator_answers {
        // Every manual check answered yes, with a note; then the input ends.
        let _ = stdin.write_all("y checked at the bench\n".repeat(n).as_bytes());
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn run_json(out: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(std::path::Path::new(out).join("run.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_repeated_run_with_its_manual_clauses_unchecked_is_not_certified() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out").to_string_lossy().into_owned();
    let o = run(&["--repeat", "2", "--out", &out], None);
    let text = printed(&o);
    assert_eq!(o.status.code(), Some(5), "{text}");
    assert!(
        text.contains(
            "certification: NOT CERTIFIED (S2, S15 not checked: a manual check: needs an operator: run with --operator to answer the prompt)"
        ),
        "{text}"
    );
    assert!(
        text.contains("  S2   not checked on 1400, 1600, 9500, 9608, 9611"),
        "{text}"
    );
    let c = &run_json(&out)["certification"];
    assert_eq!(c["certified"], false);
    assert_eq!(c["not_checked"][0]["clause"], "S2");
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("certification: NOT CERTIFIED (S2, S15 not checked"));
    // `--certify` judges a single run the same way.
    let single = dir.path().join("single").to_string_lossy().into_owned();
    let o = run(&["--certify", "--out", &single], None);
    assert_eq!(o.status.code(), Some(5), "{}", printed(&o));
}

#[test]
fn the_reference_with_an_operator_answering_yes_certifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out").to_string_lossy().into_owned();
    // 12 mobile-twinning positions × 2 manual cases × 2 attempts.
    let o = run(&["--repeat", "2", "--operator", "--out", &out], Some(48));
    let text = printed(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("certification: CERTIFIED (every clause checked on every family where the spec defines it; every case passed 2 of 2)"),
        "{text}"
    );
    let c = &run_json(&out)["certification"];
    assert_eq!(c["certified"], true);
    // S2 checked (MANUAL) on every family with a mobile-twinning user; S4 not on the
    // 1100 and 1200, whose indication the spec does not define.
    let families = |clause: &str| -> Vec<String> {
        c["checked"][clause]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(families("S2").len(), 12, "{:?}", families("S2"));
    assert!(!families("S4").contains(&"1100".to_string()));
    assert!(families("S3").contains(&"1100".to_string()));
}

#[test]
fn what_must_be_checked_comes_from_the_suite_the_indication_table_and_the_bench() {
    let f = fixtures();
    let s = Scope::of(&f.spec, &f.suite, &f.bench, &[]);
    let need = |c: &str, fam: &str| s.status[&(c.to_string(), fam.to_string())].clone();
    assert_eq!(s.off_bench, ["VCE"], "named, never required");
    assert!(s.absent.is_empty());
    assert_eq!(s.clauses.len(), 16, "every clause of the suite");
    // The 1100 has no indication group: its S4, S5 and S10 are not defined by the spec.
    for c in ["S4", "S5", "S10"] {
        assert_eq!(need(c, "1100"), Need::NotSpecified, "{c}");
    }
    assert!(matches!(need("S3", "1100"), Need::Required(_)));
    // S14 is for users with no Transfer Return Time: p1140 has one.
    assert!(matches!(need("S14", "1100"), Need::NotApplicable(_)));
    assert_eq!(need("S14", "1200"), Need::Required(vec!["p1230".into()]));
    // S1 is for users set up for internal twinning: only p9608i is.
    assert_eq!(need("S1", "9608"), Need::Required(vec!["p9608i".into()]));
    assert!(matches!(need("S1", "9611"), Need::NotApplicable(_)));
    // S2 is an operator's check on the mobile-twinning user of the 9608, not p9608i.
    assert_eq!(need("S2", "9608"), Need::Required(vec!["p9608".into()]));
    // Only the families asked for.
    let two = Scope::of(&f.spec, &f.suite, &f.bench, &["9611".into(), "VCE".into()]);
    assert_eq!(two.families, ["9611"]);
    assert_eq!(two.off_bench, ["VCE"]);
}
