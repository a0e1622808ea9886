//! `rig run --rerun-failed DIR`: which position × case pairs an earlier run failed.

use super::*;

/// The position × case pairs with a FAIL or ERROR row in `dir/results.csv`, among the
/// `cases` and `positions` the run's filters kept. A row naming a position or case this
/// bench or suite does not have is bad input (the earlier run was of another bench or
/// suite); an ERROR row of a position whose task died (case `-`) reruns all its cases.
pub(super) fn failed_pairs(
    dir: &Path,
    l: &Loaded,
    cases: &[crate::suite::Case],
    positions: &[String],
) -> Result<BTreeSet<(String, String)>, CliError> {
    let csv = dir.join("results.csv");
    if !csv.is_file() {
        return Err(CliError::Usage(format!(
            "--rerun-failed: {} is not a report folder (no results.csv)",
            dir.display()
        )));
    }
    let rows = crate::report::read::read_results(&csv, None)?;
    let mut pairs = BTreeSet::new();
    for row in &rows {
        let r = &row.result;
        if !matches!(r.verdict, Verdict::Fail | Verdict::Error) || r.position.is_empty() {
            continue;
        }
        let unknown = |what: &str, id: &str, of: &Path| {
            CliError::Usage(format!(
                "--rerun-failed: {}:{}: {what} `{id}` is not in {} (give the earlier run's --bench and --suite)",
                csv.display(),
                row.line,
                of.display()
            ))
        };
        if l.bench.position(&r.position).is_none() {
            return Err(unknown("position", &r.position, &l.bench.path));
        }
        if r.case != "-" && l.suite.case(&r.case).is_none() {
            return Err(unknown("case", &r.case, &l.suite.path));
        }
        if !positions.contains(&r.position) {
            continue;
        }
        for c in cases.iter().filter(|c| r.case == "-" || c.id == r.case) {
            pairs.insert((r.position.clone(), c.id.clone()));
        }
    }
    Ok(pairs)
}
