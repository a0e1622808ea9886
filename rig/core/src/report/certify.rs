//! The certification of a run (`rig run --repeat N`, or `--certify`): honest about what was
//! checked, not only about what passed.
//!
//! A run certifies only when both hold:
//!
//! 1. **Every clause was checked where it must be.** The clauses are those the suite's
//!    cases name (the whole suite file, whatever `--only` or `--clause` selected). The
//!    families are the catalog's bench families (`fixtures/phones.toml`; an entry with
//!    `bench = false`, the VCE, is outside any bench's reach and is only named), or those
//!    `--family` gives. A clause *must be checked* on a family when some case naming it
//!    - applies to a position of that family on the bench (its `applies` conditions and
//!      the bench's inbound routes, as the runner decides), and
//!    - is specified for the family: the indication table (`fixtures/indications.toml`)
//!      has an entry for every Twinning-light state the case expects. Where it has none
//!      (1100 and 1200: no indication group) the spec does not define the clause's
//!      indication for the family, and the case's SKIP "not specified" is not a gap.
//!
//!    A clause counts as *checked* on a family when a row of that family naming it is
//!    PASS, FAIL or MANUAL (an operator judged it); SKIP and ERROR rows check nothing. A
//!    clause that must be checked nowhere, although the spec defines it for a family in
//!    scope (no position meets its cases' conditions: S1 on a bench with no user set up
//!    for internal twinning), is not checked either. A family in scope with no position
//!    on the bench has nothing checked.
//! 2. **Every case passed N of N** on every position it ran on
//!    (`super::pass_rate::PassRates`), and the run was not interrupted.
//!
//! So manual clauses (S2, S15: `[not_automatable]` in the suite) certify only with an
//! operator's answers (`--operator`): without one their rows are SKIP and the run is
//! NOT CERTIFIED, with an exit code of its own (5, README "Exit codes").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::pass_rate::PassRates;
use super::read::distinct;
use crate::bench::Bench;
use crate::runner::{not_applicable, CaseResult, Verdict};
use crate::spec::{Family, Spec, TwinningState};
use crate::suite::{Case, Step, Suite, Target};

/// What a certification must see checked, decided before the run from the suite, the
/// spec and the bench.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// The suite's clauses, in the spec's order (then any the spec does not list).
    pub clauses: Vec<String>,
    /// The families certified, in catalog order.
    pub families: Vec<String>,
    /// Families certified that have no position on the bench.
    pub absent: Vec<String>,
    /// Catalog entries no bench can hold (named in the report, never required).
    pub off_bench: Vec<String>,
    /// Each clause's status on each family of `families`.
    pub status: BTreeMap<(String, String), Need>,
    /// Why a clause needs a person (`[not_automatable]` of the suite), by clause.
    pub(crate) manual: BTreeMap<String, String>,
}

/// Whether a clause must be checked on a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Need {
    /// A case naming it applies to these positions of the family and is specified for it.
    Required(Vec<String>),
    /// The spec defines no indication the clause's cases expect for this family.
    NotSpecified,
    /// Specified, but no position of the family meets the conditions of the clause's
    /// cases (the reason of one of them).
    NotApplicable(String),
    /// No position of the family on the bench.
    Absent,
}

impl Scope {
    /// The scope of certifying `suite` on `bench`: every bench family of the catalog, or
    /// only `families` when given.
    pub fn of(spec: &Spec, suite: &Suite, bench: &Bench, families: &[String]) -> Scope {
        let mut clauses: Vec<String> = spec
            .clauses
            .clause
            .iter()
            .map(|c| c.id.clone())
            .filter(|id| suite.cases.iter().any(|k| k.clauses.contains(id)))
            .collect();
        for k in &suite.cases {
            for c in &k.clauses {
                if !clauses.contains(c) {
                    clauses.push(c.clone());
                }
            }
        }
        let in_scope = |f: &Family| families.is_empty() || families.contains(&f.id);
        let catalog = &spec.catalog.families;
        let mut scope = Scope {
            clauses,
            families: catalog
                .iter()
                .filter(|f| f.bench && in_scope(f))
                .map(|f| f.id.clone())
                .collect(),
            off_bench: catalog
                .iter()
                .filter(|f| !f.bench && in_scope(f))
                .map(|f| f.id.clone())
                .collect(),
            manual: suite.not_automatable.clone(),
            ..Scope::default()
        };
        for f in catalog.iter().filter(|f| f.bench && in_scope(f)) {
            let positions: Vec<_> = bench
                .positions
                .iter()
                .filter(|p| p.family == f.id)
                .collect();
            if positions.is_empty() {
                scope.absent.push(f.id.clone());
            }
            for clause in &scope.clauses {
                let cases = suite.covering(clause);
                let specified: Vec<&Case> = cases
                    .iter()
                    .copied()
                    .filter(|k| specified_for(spec, k, f))
                    .collect();
                let applies: Vec<String> = positions
                    .iter()
                    .filter(|p| {
                        specified
                            .iter()
                            .any(|k| not_applicable(bench, p, k).is_none())
                    })
                    .map(|p| p.id.clone())
                    .collect();
                let need = if positions.is_empty() {
                    Need::Absent
                } else if specified.is_empty() {
                    Need::NotSpecified
                } else if !applies.is_empty() {
                    Need::Required(applies)
                } else {
                    let why = not_applicable(bench, positions[0], specified[0]).unwrap_or_default();
                    Need::NotApplicable(why)
                };
                scope.status.insert((clause.clone(), f.id.clone()), need);
            }
        }
        scope
    }

    fn need(&self, clause: &str, family: &str) -> Option<&Need> {
        self.status.get(&(clause.to_string(), family.to_string()))
    }

    /// The positions where `clause` must be checked on `family`; `None` where it need not.
    fn required(&self, clause: &str, family: &str) -> Option<&[String]> {
        match self.need(clause, family) {
            Some(Need::Required(positions)) => Some(positions),
            _ => None,
        }
    }
}

/// Whether the indication table has an entry, for `family`, of every Twinning-light
/// state `case` expects (a case with no such expectation always is).
pub(crate) fn specified_for(spec: &Spec, case: &Case, family: &Family) -> bool {
    let has = |s: TwinningState| spec.indications.twinning(family, s).is_some();
    case.steps.iter().all(|step| match step {
        Step::Expect(e) => match &e.target {
            Target::Twinning(s) | Target::TwinningNot(s) => has(*s),
            Target::TwinningAsProbed => {
                has(TwinningState::TwinningOn) && has(TwinningState::TwinningOff)
            }
            _ => true,
        },
        _ => true,
    })
}

/// A clause not checked on some families, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NotChecked {
    pub(crate) clause: String,
    /// Families, catalog order; empty when the clause could be checked on none.
    pub(crate) families: Vec<String>,
    pub(crate) why: String,
}

/// A run's certification (run.json `certification`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    pub certified: bool,
    /// The console's and report.html's line: `certification: CERTIFIED (…)` or
    /// `certification: NOT CERTIFIED (…)`.
    pub line: String,
    /// The clauses that were not checked where they must be.
    pub(crate) not_checked: Vec<NotChecked>,
    /// Position × case pairs below N of N.
    pub(crate) below: usize,
    /// Each clause and the families it was checked on.
    pub(crate) checked: BTreeMap<String, Vec<String>>,
    /// Families certified with no position on the bench.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) absent: Vec<String>,
}

impl Certification {
    /// Judge `results` of a run of `repeat` attempts against `scope`.
    pub fn judge(
        scope: &Scope,
        results: &[CaseResult],
        repeat: u32,
        interrupted: bool,
    ) -> Certification {
        let rates = PassRates::of(results);
        let below = rates.below(repeat).count();
        let any_ran = rates.pairs.iter().any(|p| p.certified(repeat).is_some())
            || results.iter().any(|r| r.verdict == Verdict::Manual);
        let checks = |v: Verdict| matches!(v, Verdict::Pass | Verdict::Fail | Verdict::Manual);
        let mut checked: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for clause in &scope.clauses {
            let families = scope
                .families
                .iter()
                .filter(|f| {
                    results
                        .iter()
                        .any(|r| r.family == **f && checks(r.verdict) && r.clauses.contains(clause))
                })
                .cloned()
                .collect();
            checked.insert(clause.clone(), families);
        }
        let mut not_checked = Vec::new();
        for clause in &scope.clauses {
            let done = &checked[clause];
            let missing: Vec<&String> = scope
                .families
                .iter()
                .filter(|f| scope.required(clause, f).is_some() && !done.contains(f))
                .collect();
            // Grouped by why, in catalog order of the first family of each group.
            let mut groups: Vec<(String, Vec<String>)> = Vec::new();
            for f in missing {
                let why = why_not_checked(scope, clause, f, results);
                match groups.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, fs)) => fs.push(f.clone()),
                    None => groups.push((why, vec![f.clone()])),
                }
            }
            let required_somewhere = scope
                .families
                .iter()
                .any(|f| scope.required(clause, f).is_some());
            if !required_somewhere && done.is_empty() {
                let not_applicable =
                    scope
                        .families
                        .iter()
                        .find_map(|f| match scope.need(clause, f) {
                            Some(Need::NotApplicable(why)) => Some(why.clone()),
                            _ => None,
                        });
                if let Some(why) = not_applicable {
                    groups.push((
                        format!("no position of the bench meets its cases' conditions ({why})"),
                        Vec::new(),
                    ));
                }
            }
            for (why, families) in groups {
                not_checked.push(NotChecked {
                    clause: clause.clone(),
                    families,
                    why,
                });
            }
        }
        let mut reasons = Vec::new();
        if interrupted {
            reasons.push("run interrupted".to_string());
        }
        if !scope.absent.is_empty() {
            reasons.push(format!(
                "no position of {} on the bench",
                scope.absent.join(", ")
            ));
        }
        if !not_checked.is_empty() {
            let ids = distinct(not_checked.iter().map(|n| n.clause.as_str()));
            let whys = distinct(not_checked.iter().map(|n| n.why.as_str()));
            let why = if whys.len() == 1 {
                whys[0].to_string()
            } else {
                "see below".to_string()
            };
            reasons.push(format!("{} not checked: {why}", ids.join(", ")));
        }
        if below > 0 {
            reasons.push(format!("{below} cases below {repeat} of {repeat}"));
        }
        if !any_ran {
            reasons.push("no case ran".to_string());
        }
        let certified = reasons.is_empty();
        let line = if certified {
            format!(
                "certification: CERTIFIED (every clause checked on every family where the spec defines it; every case passed {repeat} of {repeat})"
            )
        } else {
            format!("certification: NOT CERTIFIED ({})", reasons.join("; "))
        };
        Certification {
            certified,
            line,
            not_checked,
            below,
            checked,
            absent: scope.absent.clone(),
        }
    }

    /// The lines under the certification line: each clause not checked, where and why.
    pub fn details(&self) -> Vec<String> {
        self.not_checked
            .iter()
            .map(|n| {
                if n.families.is_empty() {
                    format!("{:<4} not checked on any family: {}", n.clause, n.why)
                } else {
                    format!(
                        "{:<4} not checked on {}: {}",
                        n.clause,
                        n.families.join(", "),
                        n.why
                    )
                }
            })
            .collect()
    }
}

/// One bench of a lab, as the lab's certification sees it.
pub struct LabBench<'a> {
    /// The bench job's name or folder, as the lab job was given it.
    pub name: String,
    /// Its run's own certification (run.json), if its report is there and has one.
    pub report: Option<BenchReport<'a>>,
}

/// What a bench's report says, for the lab.
pub struct BenchReport<'a> {
    pub certification: Option<&'a Certification>,
    pub interrupted: bool,
}

impl Certification {
    /// The certification of a lab from its benches' own ([`Certification::judge`] on each
    /// bench, run with `--certify` or `--repeat`): a clause counts as checked on a family
    /// if some bench checked it there, so each bench needs to cover only its part of the
    /// matrix. NOT CERTIFIED when a bench left no report or its report has no
    /// certification (named), a bench was interrupted, a family of `families` (the
    /// catalog's bench families) has no position on any bench, a clause was not checked
    /// where some bench required it and no bench checked it, or a case passed fewer than N
    /// of N anywhere.
    pub fn of_lab(benches: &[LabBench], families: &[String]) -> Certification {
        let mut reasons = Vec::new();
        let mut missing = Vec::new();
        let mut uncertified = Vec::new();
        let mut interrupted = Vec::new();
        let mut judged = Vec::new();
        for b in benches {
            match &b.report {
                None => missing.push(b.name.as_str()),
                Some(r) => {
                    if r.interrupted {
                        interrupted.push(b.name.as_str());
                    }
                    match r.certification {
                        Some(c) => judged.push(c),
                        None => uncertified.push(b.name.as_str()),
                    }
                }
            }
        }
        if !missing.is_empty() {
            reasons.push(format!("no report from {}", missing.join(", ")));
        }
        if !uncertified.is_empty() {
            reasons.push(format!(
                "{} ran without --certify or --repeat: its report says nothing of what it checked",
                uncertified.join(", ")
            ));
        }
        if !interrupted.is_empty() {
            reasons.push(format!("{} interrupted", interrupted.join(", ")));
        }
        // Checked anywhere counts everywhere.
        let mut checked: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in &judged {
            for (clause, fams) in &c.checked {
                let all = checked.entry(clause.clone()).or_default();
                for f in fams {
                    if !all.contains(f) {
                        all.push(f.clone());
                    }
                }
            }
        }
        for fams in checked.values_mut() {
            fams.sort_by_key(|f| families.iter().position(|x| x == f));
        }
        let covered = |f: &String| judged.iter().any(|c| !c.absent.contains(f));
        let absent: Vec<String> = if judged.is_empty() {
            Vec::new()
        } else {
            families.iter().filter(|f| !covered(f)).cloned().collect()
        };
        if !absent.is_empty() {
            reasons.push(format!("no position of {} on any bench", absent.join(", ")));
        }
        let mut not_checked: Vec<NotChecked> = Vec::new();
        for c in &judged {
            for n in &c.not_checked {
                let done = checked.get(&n.clause).cloned().unwrap_or_default();
                let here: Vec<String> = n
                    .families
                    .iter()
                    .filter(|f| !done.contains(f))
                    .cloned()
                    .collect();
                let gap = if n.families.is_empty() {
                    done.is_empty()
                } else {
                    !here.is_empty()
                };
                if !gap {
                    continue;
                }
                // One line per clause and reason, its families joined across benches.
                match not_checked
                    .iter_mut()
                    .find(|x| x.clause == n.clause && x.why == n.why)
                {
                    Some(x) => {
                        for f in here {
                            if !x.families.contains(&f) {
                                x.families.push(f);
                            }
                        }
                        x.families
                            .sort_by_key(|f| families.iter().position(|y| y == f));
                    }
                    None => not_checked.push(NotChecked {
                        clause: n.clause.clone(),
                        families: here,
                        why: n.why.clone(),
                    }),
                }
            }
        }
        if !not_checked.is_empty() {
            let ids = distinct(not_checked.iter().map(|n| n.clause.as_str()));
            reasons.push(format!(
                "{} not checked on any bench where required",
                ids.join(", ")
            ));
        }
        let below: usize = judged.iter().map(|c| c.below).sum();
        if below > 0 {
            reasons.push(format!("{below} cases below N of N"));
        }
        if benches.is_empty() {
            reasons.push("no bench".into());
        }
        let certified = reasons.is_empty();
        let line = if certified {
            format!(
                "lab certification: CERTIFIED ({} benches: every family covered, every clause checked where the spec defines it, every case passed everywhere it ran)",
                benches.len()
            )
        } else {
            format!("lab certification: NOT CERTIFIED ({})", reasons.join("; "))
        };
        Certification {
            certified,
            line,
            not_checked,
            below,
            checked,
            absent,
        }
    }
}

/// Why `clause` was not checked on `family`: what its rows say on the positions where it
/// must be checked (the first ERROR, else SKIP message), or that no row ran it there.
fn why_not_checked(scope: &Scope, clause: &str, family: &str, results: &[CaseResult]) -> String {
    let positions = scope.required(clause, family).unwrap_or_default();
    let rows: Vec<&CaseResult> = results
        .iter()
        .filter(|r| {
            r.family == family
                && positions.contains(&r.position)
                && r.clauses.iter().any(|c| c == clause)
        })
        .collect();
    let manual = scope.manual.contains_key(clause);
    match rows
        .iter()
        .find(|r| r.verdict == Verdict::Error)
        .or_else(|| rows.iter().find(|r| r.verdict == Verdict::Skip))
    {
        Some(r) if r.verdict == Verdict::Error => "ERROR: the check was not made".into(),
        Some(r) if manual => format!("a manual check: {}", r.message),
        Some(r) => r.message.clone(),
        None if rows.is_empty() => "no case naming it ran there".into(),
        None => "no row checked it".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::Verdict::*;

    /// S3 required on 9611 and 1100; S4 required on 9611, not specified on 1100; S2 a
    /// manual clause required on both.
    fn scope() -> Scope {
        let mut status = BTreeMap::new();
        for (f, p) in [("9611", "p9611"), ("1100", "p1140")] {
            let here = || Need::Required(vec![p.to_string()]);
            status.insert(("S3".to_string(), f.to_string()), here());
            status.insert(("S2".to_string(), f.to_string()), here());
        }
        status.insert(
            ("S4".into(), "9611".into()),
            Need::Required(vec!["p9611".into()]),
        );
        status.insert(("S4".into(), "1100".into()), Need::NotSpecified);
        Scope {
            clauses: vec!["S2".into(), "S3".into(), "S4".into()],
            families: vec!["9611".into(), "1100".into()],
            status,
            manual: [("S2".to_string(), "the display menu".to_string())].into(),
            ..Scope::default()
        }
    }

    fn with_clause(mut r: CaseResult, clause: &str, message: &str) -> CaseResult {
        r.clauses = vec![clause.to_string()];
        r.message = message.to_string();
        r
    }

    fn rows(manual: crate::runner::Verdict) -> Vec<CaseResult> {
        let mut v = Vec::new();
        for attempt in 1..=2 {
            v.push(with_clause(
                row("p9611", "9611", "toggle", attempt, Pass),
                "S3",
                "",
            ));
            v.push(with_clause(
                row("p1140", "1100", "toggle", attempt, Pass),
                "S3",
                "",
            ));
            v.push(with_clause(
                row("p9611", "9611", "shows-on", attempt, Pass),
                "S4",
                "",
            ));
            v.push(with_clause(
                row("p1140", "1100", "shows-on", attempt, Skip),
                "S4",
                "not specified: …",
            ));
            for (p, f) in [("p9611", "9611"), ("p1140", "1100")] {
                let msg = if manual == Skip {
                    "needs an operator: run with --operator to answer the prompt"
                } else {
                    "operator: yes"
                };
                v.push(with_clause(
                    row(p, f, "set-destination", attempt, manual),
                    "S2",
                    msg,
                ));
            }
        }
        v
    }

    #[test]
    fn a_manual_clause_only_skipped_is_not_certified() {
        let c = Certification::judge(&scope(), &rows(Skip), 2, false);
        assert!(!c.certified);
        assert_eq!(
            c.line,
            "certification: NOT CERTIFIED (S2 not checked: a manual check: needs an operator: run with --operator to answer the prompt)"
        );
        assert_eq!(
            c.details(),
            ["S2   not checked on 9611, 1100: a manual check: needs an operator: run with --operator to answer the prompt"]
        );
        assert_eq!(c.below, 0, "every pair that ran passed 2 of 2");
    }

    #[test]
    fn operators_answers_and_an_unspecified_family_certify() {
        let c = Certification::judge(&scope(), &rows(Manual), 2, false);
        assert!(c.certified, "{}", c.line);
        assert!(
            c.line.starts_with("certification: CERTIFIED ("),
            "{}",
            c.line
        );
        assert_eq!(
            c.checked["S4"],
            ["9611"],
            "1100 has no S4 indication: not required"
        );
        assert_eq!(c.checked["S2"], ["9611", "1100"]);
    }

    #[test]
    fn a_missing_family_a_failure_and_an_interruption_are_each_named() {
        let mut rows = rows(Manual);
        rows.retain(|r| !(r.family == "1100" && r.case == "toggle"));
        let c = Certification::judge(&scope(), &rows, 2, true);
        assert_eq!(
            c.line,
            "certification: NOT CERTIFIED (run interrupted; S3 not checked: no case naming it ran there)"
        );
        let mut rows = self::rows(Manual);
        rows[0].verdict = Fail;
        let c = Certification::judge(&scope(), &rows, 2, false);
        assert_eq!(
            c.line, "certification: NOT CERTIFIED (1 cases below 2 of 2)",
            "a FAIL checks its clause, and fails the pair"
        );
        let absent = Scope {
            absent: vec!["1200".into()],
            ..scope()
        };
        let c = Certification::judge(&absent, &self::rows(Manual), 2, false);
        assert_eq!(
            c.line,
            "certification: NOT CERTIFIED (no position of 1200 on the bench)"
        );
    }

    #[test]
    fn a_clause_no_position_can_check_is_not_checked() {
        let mut s = scope();
        for f in ["9611", "1100"] {
            s.status.insert(
                ("S3".into(), f.into()),
                Need::NotApplicable("applies to users set up for internal twinning".into()),
            );
        }
        let rows: Vec<CaseResult> = rows(Manual)
            .into_iter()
            .filter(|r| r.case != "toggle")
            .collect();
        let c = Certification::judge(&s, &rows, 2, false);
        assert_eq!(
            c.details(),
            ["S3   not checked on any family: no position of the bench meets its cases' conditions (applies to users set up for internal twinning)"]
        );
        assert!(!c.certified);
    }

    /// A bench's certification as run.json keeps it: what it checked, what it had to.
    fn bench_cert(
        checked: &[(&str, &[&str])],
        missing: &[(&str, &[&str])],
        absent: &[&str],
    ) -> Certification {
        Certification {
            certified: false,
            line: String::new(),
            not_checked: missing
                .iter()
                .map(|(c, fs)| NotChecked {
                    clause: c.to_string(),
                    families: fs.iter().map(|f| f.to_string()).collect(),
                    why: "why".into(),
                })
                .collect(),
            below: 0,
            checked: checked
                .iter()
                .map(|(c, fs)| (c.to_string(), fs.iter().map(|f| f.to_string()).collect()))
                .collect(),
            absent: absent.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn a_lab_certifies_when_its_benches_together_cover_and_check_everything() {
        let families: Vec<String> = ["9611", "1100"].map(String::from).to_vec();
        // Bench A holds the 9611 and cannot check S1 (no internal user); bench B holds the
        // 1100 and checks S1 there.
        let a = bench_cert(&[("S3", &["9611"]), ("S1", &[])], &[("S1", &[])], &["1100"]);
        let b = bench_cert(&[("S3", &["1100"]), ("S1", &["1100"])], &[], &["9611"]);
        let lab = |a: Option<&Certification>, b: Option<&Certification>| {
            let bench = |name: &str, c| LabBench {
                name: name.into(),
                report: Some(BenchReport {
                    certification: c,
                    interrupted: false,
                }),
            };
            Certification::of_lab(&[bench("a", a), bench("b", b)], &families)
        };
        let both = lab(Some(&a), Some(&b));
        assert!(both.certified, "{}", both.line);
        assert_eq!(both.checked["S3"], ["9611", "1100"]);

        // Without bench B: the 1100 is on no bench and S1 was checked nowhere.
        let alone = Certification::of_lab(
            &[
                LabBench {
                    name: "a".into(),
                    report: Some(BenchReport {
                        certification: Some(&a),
                        interrupted: false,
                    }),
                },
                LabBench {
                    name: "rig-reports/bench-b".into(),
                    report: None,
                },
            ],
            &families,
        );
        assert!(!alone.certified);
        assert!(
            alone.line.contains("no report from rig-reports/bench-b"),
            "{}",
            alone.line
        );
        assert!(
            alone.line.contains("no position of 1100 on any bench"),
            "{}",
            alone.line
        );
        assert!(alone.line.contains("S1 not checked"), "{}", alone.line);

        // A bench whose report has no certification says nothing of what it checked.
        let silent = lab(Some(&a), None);
        assert!(!silent.certified);
        assert!(
            silent.line.contains("b ran without --certify"),
            "{}",
            silent.line
        );

        // A clause one bench had to check on a family and no bench checked there.
        let gap = bench_cert(
            &[("S3", &["1100"]), ("S1", &["1100"])],
            &[("S2", &["1100"])],
            &["9611"],
        );
        let l = lab(Some(&a), Some(&gap));
        assert!(!l.certified);
        assert_eq!(l.not_checked.len(), 1, "{:?}", l.not_checked);
        assert_eq!(l.not_checked[0].families, ["1100"]);
    }
}
