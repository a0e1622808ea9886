//! The reference firmware on the full simulated matrix: everything applicable passes, and
//! the report covers every position, case, family and clause.

use std::collections::BTreeSet;

use rig::runner::Verdict;

use crate::common::{fixtures, rows, run};

#[tokio::test(start_paused = true)]
async fn the_reference_firmware_passes_the_whole_matrix() {
    let f = fixtures();
    let s = run(&f, f.reference.clone(), 1).await;
    assert!(
        rows(&s, Verdict::Fail).is_empty(),
        "FAIL rows:\n{}",
        rows(&s, Verdict::Fail).join("\n")
    );
    assert!(
        rows(&s, Verdict::Error).is_empty(),
        "ERROR rows:\n{}",
        rows(&s, Verdict::Error).join("\n")
    );

    // A row for every position and case, and for the off-bench entries.
    for p in &f.bench.positions {
        for c in &f.suite.cases {
            let n = s
                .results
                .iter()
                .filter(|r| r.position == p.id && r.case == c.id)
                .count();
            assert_eq!(n, 1, "{} × {}", p.id, c.id);
        }
    }
    // Every family of the catalog appears, and every bench family has passing cases.
    let families: BTreeSet<&str> = s.results.iter().map(|r| r.family.as_str()).collect();
    for fam in &f.spec.catalog.families {
        assert!(
            families.contains(fam.id.as_str()),
            "family {} missing",
            fam.id
        );
        if fam.bench {
            assert!(
                s.results
                    .iter()
                    .any(|r| r.family == fam.id && r.verdict == Verdict::Pass),
                "no PASS on {}",
                fam.id
            );
        }
    }
    // Every clause is named by some row, and automatable ones pass somewhere.
    for cl in &f.spec.clauses.clause {
        assert!(
            s.results.iter().any(|r| r.clauses.contains(&cl.id)),
            "clause {} named by no row",
            cl.id
        );
        if !f.suite.not_automatable.contains_key(&cl.id) {
            assert!(
                s.results
                    .iter()
                    .any(|r| r.clauses.contains(&cl.id) && r.verdict == Verdict::Pass),
                "clause {} never passes",
                cl.id
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn families_without_a_specified_indication_report_not_specified_with_what_was_seen() {
    let f = fixtures();
    let s = run(&f, f.reference.clone(), 2).await;
    let unspecified: Vec<_> = f
        .spec
        .catalog
        .families
        .iter()
        .filter(|x| x.bench && x.group.is_none())
        .map(|x| x.id.clone())
        .collect();
    assert!(!unspecified.is_empty());
    for fam in &unspecified {
        let led = s
            .results
            .iter()
            .find(|r| &r.family == fam && r.case == "shows-on")
            .expect("shows-on row");
        assert_eq!(led.verdict, Verdict::Skip, "{led:?}");
        assert!(led.message.contains("not specified"), "{}", led.message);
        assert!(
            led.observed.contains("green steady"),
            "the light seen is recorded: {}",
            led.observed
        );
        // Behaviour is still tested on these families.
        let toggle = s
            .results
            .iter()
            .find(|r| &r.family == fam && r.case == "toggle")
            .expect("toggle row");
        assert_eq!(toggle.verdict, Verdict::Pass, "{toggle:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn measured_return_times_follow_the_user_setting_or_the_enforced_15_s() {
    let f = fixtures();
    let s = run(&f, f.reference.clone(), 3).await;
    for p in f
        .bench
        .positions
        .iter()
        .filter(|p| p.twinning.mode == rig::bench::TwinningMode::Mobile)
    {
        let (case, expect_s) = match p.twinning.transfer_return_s {
            Some(t) => ("return-user-time", t as f64),
            None => ("return-enforced-15s", 15.0),
        };
        let r = s
            .results
            .iter()
            .find(|r| r.position == p.id && r.case == case)
            .expect("row");
        assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
        let m = r.measured.expect("a measured interval");
        assert!(
            (m - expect_s * 1000.0).abs() <= 1000.0,
            "{}: measured {m} ms, expected {expect_s} s",
            p.id
        );
        assert_eq!(r.unit, "ms");
    }
}

#[tokio::test(start_paused = true)]
async fn the_lcd_families_say_how_s5_was_proven() {
    let f = fixtures();
    let s = run(&f, f.reference.clone(), 4).await;
    for fam in ["M-Series", "T-Series"] {
        let r = s
            .results
            .iter()
            .find(|r| r.family == fam && r.case == "secondary-indication")
            .expect("row");
        assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
        assert!(r.message.contains("proven by the modems"), "{}", r.message);
    }
}
