//! Proof of the rig (`rig selftest`): the suite against firmware that is known to be
//! broken, and against the reference firmware under many noise seeds.
//!
//! A fault profile (`fixtures/firmware/faults/*.toml`) names the clauses it breaks
//! (`[profile] breaks`) and, optionally, the only families it shows on (`families`). It
//! is **caught** when the suite, run on the simulated matrix against it:
//! - reports no ERROR (a fault in the phone is never the rig's own fault);
//! - FAILs at least one row naming each clause it breaks;
//! - FAILs no row that names none of them (a fault is not blamed on another clause);
//! - with `families`, FAILs only rows of those families, and each of them at least once.
//!
//! The reference profile **passes** when no run of any seed has a FAIL or an ERROR.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::bench::Bench;
use crate::factory::{simulate, OpenError};
use crate::runner::{CaseResult, RunSummary, Verdict};
use crate::sim::FirmwareProfile;
use crate::source::InputErrors;
use crate::spec::Spec;
use crate::suite::Suite;

/// How one fault profile fared.
#[derive(Debug, Clone)]
pub struct FaultCheck {
    pub name: String,
    pub path: PathBuf,
    pub description: String,
    pub breaks: Vec<String>,
    pub families: Vec<String>,
    /// The cases with a FAIL row, in suite order, each with the families it failed on.
    pub caught_by: Vec<(String, BTreeSet<String>)>,
    /// Why the fault does not count as caught; empty when it does.
    pub problems: Vec<String>,
}

impl FaultCheck {
    pub fn caught(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How the reference profile fared over many seeds.
#[derive(Debug, Clone)]
pub struct ReferenceCheck {
    pub seeds: Vec<u64>,
    /// Rows run (not SKIP) over all seeds.
    pub rows_run: usize,
    /// `seed: position/case [clauses]: message` of every FAIL and ERROR row.
    pub bad_rows: Vec<String>,
}

impl ReferenceCheck {
    pub fn passed(&self) -> bool {
        self.bad_rows.is_empty()
    }
}

/// The fault profiles of a folder, in file-name order. Any bad file is an error.
pub fn load_faults(dir: &Path, spec: &Spec) -> Result<Vec<FirmwareProfile>, InputErrors> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            InputErrors::from(crate::source::InputError {
                path: dir.to_path_buf(),
                line: None,
                message: format!("cannot read the folder: {e}"),
            })
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut all = InputErrors(Vec::new());
    let mut out = Vec::new();
    for p in paths {
        match FirmwareProfile::load(&p, spec) {
            Ok(f) if f.breaks.is_empty() => all.0.push(crate::source::InputError {
                path: p,
                line: None,
                message: "a fault profile must name the clauses it breaks: `breaks = [\"S…\"]` under [profile]".into(),
            }),
            Ok(f) => out.push(f),
            Err(e) => all.0.extend(e.0),
        }
    }
    if all.0.is_empty() {
        Ok(out)
    } else {
        Err(all)
    }
}

/// Run the suite against one fault profile (inside a paused runtime) and judge it.
pub async fn check_fault(
    spec: &Spec,
    bench: &Bench,
    suite: &Suite,
    fault: &FirmwareProfile,
    seed: u64,
) -> Result<FaultCheck, OpenError> {
    let run = simulate(spec, bench, suite, fault.clone(), seed).await?;
    Ok(judge_fault(fault, suite, &run))
}

/// Judge a fault run by the rules of the module docs.
pub fn judge_fault(fault: &FirmwareProfile, suite: &Suite, run: &RunSummary) -> FaultCheck {
    let names_a_broken_clause = |r: &CaseResult| r.clauses.iter().any(|c| fault.breaks.contains(c));
    let fails: Vec<&CaseResult> = run
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .collect();
    let mut problems = Vec::new();
    for r in run.results.iter().filter(|r| r.verdict == Verdict::Error) {
        problems.push(format!("ERROR (the rig blamed itself): {}", line(r)));
    }
    for clause in &fault.breaks {
        if !fails.iter().any(|r| r.clauses.contains(clause)) {
            problems.push(format!("not caught on {clause}: no FAIL row names it"));
        }
    }
    for r in fails.iter().filter(|r| !names_a_broken_clause(r)) {
        problems.push(format!(
            "FAIL on a clause the fault does not break: {}",
            line(r)
        ));
    }
    if !fault.fault_families.is_empty() {
        for r in fails
            .iter()
            .filter(|r| !fault.fault_families.contains(&r.family))
        {
            problems.push(format!(
                "FAIL on a family the fault does not touch: {}",
                line(r)
            ));
        }
        for fam in &fault.fault_families {
            if !fails.iter().any(|r| &r.family == fam) {
                problems.push(format!("not caught on family {fam}"));
            }
        }
    }
    let caught_by = suite
        .cases
        .iter()
        .filter_map(|c| {
            let fams: BTreeSet<String> = fails
                .iter()
                .filter(|r| r.case == c.id)
                .map(|r| r.family.clone())
                .collect();
            (!fams.is_empty()).then(|| (c.id.clone(), fams))
        })
        .collect();
    FaultCheck {
        name: fault.name.clone(),
        path: fault.path.clone(),
        description: fault.description.clone(),
        breaks: fault.breaks.clone(),
        families: fault.fault_families.clone(),
        caught_by,
        problems,
    }
}

/// Run the suite against the reference profile once per seed (inside a paused runtime).
pub async fn check_reference(
    spec: &Spec,
    bench: &Bench,
    suite: &Suite,
    reference: &FirmwareProfile,
    seeds: impl IntoIterator<Item = u64>,
) -> Result<ReferenceCheck, OpenError> {
    check_reference_with(spec, bench, suite, reference, seeds, |_, _| {}).await
}

/// [`check_reference`], telling `progress` after each seed's run (the seed, the check so
/// far): `rig selftest` shows its progress with it.
pub async fn check_reference_with(
    spec: &Spec,
    bench: &Bench,
    suite: &Suite,
    reference: &FirmwareProfile,
    seeds: impl IntoIterator<Item = u64>,
    mut progress: impl FnMut(u64, &ReferenceCheck),
) -> Result<ReferenceCheck, OpenError> {
    let mut check = ReferenceCheck {
        seeds: Vec::new(),
        rows_run: 0,
        bad_rows: Vec::new(),
    };
    for seed in seeds {
        let run = simulate(spec, bench, suite, reference.clone(), seed).await?;
        check.seeds.push(seed);
        for r in &run.results {
            match r.verdict {
                Verdict::Fail | Verdict::Error => {
                    check.bad_rows.push(format!("seed {seed}: {}", line(r)))
                }
                Verdict::Skip => {}
                _ => check.rows_run += 1,
            }
        }
        progress(seed, &check);
    }
    Ok(check)
}

fn line(r: &CaseResult) -> String {
    format!(
        "{} {}/{} [{}]: {} (expected {}; observed {})",
        r.verdict,
        r.position,
        r.case,
        r.clauses.join(" "),
        r.message,
        r.expected,
        r.observed
    )
}

/// The fault-detection table of docs/user-guide.md (Markdown): fault → the clauses it breaks → the
/// cases that caught it, with the families they caught it on.
pub fn markdown_table(checks: &[FaultCheck], all_families: usize) -> String {
    let mut out = String::from(
        "| fault profile | what the firmware does wrong | breaks | caught by (families) | result |\n|---|---|---|---|---|\n",
    );
    for c in checks {
        let by: Vec<String> = c
            .caught_by
            .iter()
            .map(|(case, fams)| {
                if fams.len() >= all_families {
                    format!("`{case}` (all)")
                } else {
                    format!(
                        "`{case}` ({})",
                        fams.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                }
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.name,
            c.description,
            c.breaks.join(", "),
            if by.is_empty() {
                "—".into()
            } else {
                by.join("; ")
            },
            if c.caught() { "caught" } else { "**MISSED**" }
        ));
    }
    out
}
