//! A rig that passes broken firmware is broken. Each test flips one thing of the
//! reference profile — an indication or a behaviour switch — and checks that the suite
//! reports FAIL on the clause that change breaks, on exactly the families it touches,
//! and that nothing else fails or errs.

use std::collections::BTreeSet;

use rig::bench::{Position, TwinningMode};
use rig::runner::{RunSummary, Verdict};
use rig::sim::{FirmwareProfile, Scope};
use rig::spec::{Cadence, Colour, Expected, Indication, TwinningState};

use crate::common::{fixtures, rows, run, Fixtures};

/// The clause each indication state stands for.
fn clause_of(state: TwinningState) -> &'static str {
    match state {
        TwinningState::TwinningOn | TwinningState::TwinningOff => "S4",
        TwinningState::TwinnedCallAtSecondary => "S5",
        TwinningState::HandoverPending => "S10",
    }
}

/// A plausible wrong indication: a steady light blinks, a blinking one goes steady, a dark
/// one lights amber.
fn broken(i: Indication) -> Indication {
    match (i.colour, i.cadence) {
        (Colour::Off, _) => Indication::new(Colour::Amber, Cadence::Steady),
        (c, Cadence::Steady) => Indication::new(c, Cadence::Flash),
        (c, _) => Indication::new(c, Cadence::Steady),
    }
}

/// FAIL rows must all be on `families` and name `clause`; each of `families` must have one.
fn assert_caught(s: &RunSummary, what: &str, clause: &str, families: &BTreeSet<String>) {
    assert_caught_also(s, what, clause, &[], families)
}

/// As [`assert_caught`], where a FAIL may also name one of `also` (a fault that breaks a
/// second clause as a user sees it).
fn assert_caught_also(
    s: &RunSummary,
    what: &str,
    clause: &str,
    also: &[&str],
    families: &BTreeSet<String>,
) {
    let errors = rows(s, Verdict::Error);
    assert!(
        errors.is_empty(),
        "{what}: rig ERRORs:\n{}",
        errors.join("\n")
    );
    for r in s.results.iter().filter(|r| r.verdict == Verdict::Fail) {
        assert!(
            families.contains(&r.family)
                && r.clauses
                    .iter()
                    .any(|c| c == clause || also.contains(&c.as_str())),
            "{what}: unexpected FAIL on {}/{} [{}]: {}",
            r.position,
            r.case,
            r.clauses.join(" "),
            r.message
        );
    }
    for fam in families {
        assert!(
            s.results.iter().any(|r| &r.family == fam
                && r.verdict == Verdict::Fail
                && r.clauses.iter().any(|c| c == clause)),
            "{what}: not caught on family {fam}; FAIL rows:\n{}",
            rows(s, Verdict::Fail).join("\n")
        );
    }
}

fn mobile_families(f: &Fixtures, keep: impl Fn(&Position) -> bool) -> BTreeSet<String> {
    f.bench
        .positions
        .iter()
        .filter(|p| p.twinning.mode == TwinningMode::Mobile && keep(p))
        .map(|p| p.family.clone())
        .collect()
}

async fn flip_indications(scope: fn(&Fixtures) -> Vec<Scope>) {
    let f = fixtures();
    let mut seed = 100;
    for sc in scope(&f) {
        for state in TwinningState::ALL {
            let mut profile = f.reference.clone();
            let family_in_scope = |fam: &str| match &sc {
                Scope::Family(x) => x == fam,
                Scope::Group(g) => {
                    f.spec.catalog.family(fam).and_then(|x| x.group.as_deref()) == Some(g.as_str())
                }
            };
            let Some(sample_family) = f
                .bench
                .positions
                .iter()
                .map(|p| p.family.clone())
                .find(|fam| family_in_scope(fam))
            else {
                continue;
            };
            let new = broken(f.reference.indication(&sample_family, state));
            profile.set_indication(sc.clone(), state, new);
            // The families this change touches, and of them those whose spec rejects it.
            let touched: BTreeSet<String> = f
                .bench
                .positions
                .iter()
                .filter(|p| {
                    profile.indication(&p.family, state) != f.reference.indication(&p.family, state)
                })
                .map(|p| p.family.clone())
                .collect();
            assert!(
                !touched.is_empty(),
                "{sc:?} {state}: the flip touched nothing"
            );
            let expected: BTreeSet<String> = touched
                .iter()
                .filter(|fam| {
                    let family = f.spec.catalog.family(fam).unwrap();
                    f.spec
                        .indications
                        .twinning(family, state)
                        .is_some_and(|e: Expected| !e.accepts(new))
                })
                .filter(|fam| mobile_families(&f, |_| true).contains(*fam))
                .cloned()
                .collect();
            seed += 1;
            let s = run(&f, profile, seed).await;
            let what = format!("{sc:?} {state} -> {new}");
            assert_caught(&s, &what, clause_of(state), &expected);
            if expected.is_empty() {
                // Not specified for these families: the new light must still be recorded.
                for fam in &touched {
                    assert!(
                        s.results.iter().any(|r| &r.family == fam
                            && r.verdict == Verdict::Skip
                            && r.observed.contains(&new.to_string())),
                        "{what}: {fam} does not record the light it saw"
                    );
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn each_group_indication_flipped_alone_is_caught_on_its_clause_and_group() {
    flip_indications(|f| {
        f.spec
            .indications
            .twinning
            .keys()
            .map(|g| Scope::Group(g.clone()))
            .collect()
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_single_family_indication_flipped_alone_is_caught_on_that_family_only() {
    // One family of a shared group, and the families the spec gives no indication.
    flip_indications(|f| {
        let mut v = vec![Scope::Family("9611".into())];
        v.extend(
            f.spec
                .catalog
                .families
                .iter()
                .filter(|x| x.bench && x.group.is_none())
                .map(|x| Scope::Family(x.id.clone())),
        );
        v
    })
    .await;
}

/// (what, the flip, the clause it breaks, other clauses it may break, the positions it touches)
type Flip = (
    &'static str,
    fn(&mut FirmwareProfile),
    &'static str,
    &'static [&'static str],
    fn(&Position) -> bool,
);

const ALL: fn(&Position) -> bool = |_| true;

fn behaviour_flips() -> Vec<Flip> {
    vec![
        ("toggle off", |p| p.behaviour.toggle = false, "S3", &[], ALL),
        // Twinning "on" that twins no call: to a user the button then shows "on" while
        // twinning does nothing, so S4 (shows-off) fails too where the flag starts on.
        (
            "calls not twinned",
            |p| p.behaviour.twin_calls = false,
            "S3",
            &["S4"],
            ALL,
        ),
        (
            "no handover when twinning is off",
            |p| p.behaviour.handover_when_twinning_off = false,
            "S9",
            &[],
            ALL,
        ),
        (
            "second press does not cancel",
            |p| p.behaviour.second_press_cancels = false,
            "S11",
            &[],
            ALL,
        ),
        (
            "retrieve does nothing",
            |p| p.behaviour.retrieve = false,
            "S6",
            &[],
            ALL,
        ),
        (
            "no return when unreachable",
            |p| p.behaviour.return_when_unreachable = false,
            "S12",
            &[],
            ALL,
        ),
        (
            "no return when unanswered",
            |p| p.behaviour.return_when_unanswered = false,
            "S13",
            &[],
            ALL,
        ),
        (
            "user return time ignored",
            |p| p.behaviour.honour_user_return_time = false,
            "S13",
            &[],
            |pos| pos.twinning.transfer_return_s.is_some(),
        ),
        (
            "default return after 20 s",
            |p| p.timers.default_transfer_return_s = 20,
            "S14",
            &[],
            |pos| pos.twinning.transfer_return_s.is_none(),
        ),
    ]
}

#[tokio::test(start_paused = true)]
async fn each_behaviour_switch_flipped_alone_is_caught_on_its_clause() {
    let f = fixtures();
    for (i, (what, flip, clause, also, applies)) in behaviour_flips().into_iter().enumerate() {
        let mut profile = f.reference.clone();
        flip(&mut profile);
        let s = run(&f, profile, 200 + i as u64).await;
        assert_caught_also(&s, what, clause, also, &mobile_families(&f, applies));
    }
}

#[tokio::test(start_paused = true)]
async fn the_button_acting_for_internal_twinning_is_caught_on_s1() {
    let f = fixtures();
    let mut profile = f.reference.clone();
    profile.behaviour.internal_twinning_ignores_button = false;
    let s = run(&f, profile, 300).await;
    let internal: BTreeSet<String> = f
        .bench
        .positions
        .iter()
        .filter(|p| p.twinning.mode == TwinningMode::Internal)
        .map(|p| p.family.clone())
        .collect();
    assert!(!internal.is_empty());
    assert_caught(&s, "button acts for internal twinning", "S1", &internal);
}

#[tokio::test(start_paused = true)]
async fn retrieve_over_ip_to_ip_either_way_is_not_a_failure() {
    // S7 lets an IP-to-IP retrieve fail; one that works is fine too. Neither is a FAIL,
    // and the report says which happened.
    let f = fixtures();
    for (works, seed) in [(true, 400), (false, 401)] {
        let mut profile = f.reference.clone();
        profile.behaviour.retrieve_over_ip_to_ip = works;
        let s = run(&f, profile, seed).await;
        assert!(
            rows(&s, Verdict::Fail).is_empty(),
            "{works}: {}",
            rows(&s, Verdict::Fail).join("\n")
        );
        for r in s
            .results
            .iter()
            .filter(|r| r.case == "retrieve-ip-to-ip" && r.verdict == Verdict::Pass)
        {
            assert_eq!(r.message.contains("known limitation"), !works, "{r:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_fail_carries_the_light_trace_that_decided_it() {
    let f = fixtures();
    let mut profile = f.reference.clone();
    profile.set_indication(
        Scope::Family("9611".into()),
        TwinningState::TwinningOn,
        "red steady".parse().unwrap(),
    );
    profile.behaviour.retrieve = false;
    let s = run(&f, profile, 500).await;
    let fails: Vec<_> = s
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .collect();
    assert!(fails.iter().any(|r| r.case == "shows-on"));
    assert!(fails.iter().any(|r| r.case == "retrieve"));
    for r in fails {
        let t = r
            .trace
            .as_ref()
            .unwrap_or_else(|| panic!("{}/{}: no trace", r.position, r.case));
        assert_eq!(t.expected, r.expected);
        assert_eq!(t.observed, r.observed);
        assert!(t.window_from_ms <= t.decided_ms);
        let samples = &t.trace.samples;
        assert!(
            samples.len() > 10,
            "{}/{}: {} samples",
            r.position,
            r.case,
            samples.len()
        );
        // The samples cover the deciding window and lie within the case.
        assert!(samples.first().unwrap().t_ms <= t.window_from_ms + 500.0);
        assert!(samples.last().unwrap().t_ms <= t.decided_ms + 1.0);
        assert!(samples.first().unwrap().t_ms >= r.started_ms - 1.0);
        if r.case == "shows-on" {
            // Decided by the Twinning light itself: the trace is that light's.
            assert_eq!(t.light, "twinning");
            assert!(r.observed.contains("red"), "{}", r.observed);
        }
    }
    // Rows that did not fail carry none.
    assert!(s
        .results
        .iter()
        .filter(|r| r.verdict != Verdict::Fail)
        .all(|r| r.trace.is_none()));
}

#[tokio::test(start_paused = true)]
async fn a_toggle_decided_by_a_probe_is_plotted_with_the_twinning_light() {
    let f = fixtures();
    let mut profile = f.reference.clone();
    profile.behaviour.toggle = false;
    let s = run(&f, profile, 501).await;
    let r = s
        .results
        .iter()
        .find(|r| r.case == "toggle" && r.verdict == Verdict::Fail)
        .expect("a toggle FAIL");
    let t = r.trace.as_ref().expect("a trace");
    assert_eq!(t.light, "twinning");
    // The window is the probe's ring watch, and the samples cover it.
    let samples = &t.trace.samples;
    assert!(samples.len() > 10, "{} samples", samples.len());
    assert!(samples.iter().any(|s| s.t_ms >= t.window_from_ms));
    assert!(t.window_from_ms < t.decided_ms);
}
