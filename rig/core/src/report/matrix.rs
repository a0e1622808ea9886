//! `matrix.csv`: one row per phone family (catalog order), one column per case (suite
//! order), each cell the verdict of every row of that family and case combined over all
//! positions and attempts ([`combine`]). `report.html` colours the same matrix.

use std::path::Path;

use super::ReportError;
use crate::runner::{CaseResult, Verdict};
use crate::spec::Spec;

/// The label of rows with no bench position (catalog entries that cannot be on a bench).
pub(crate) const OFF_BENCH: &str = "off-bench";

/// The one rule that sums several verdicts of a family and case into one: FAIL if any
/// FAIL, else ERROR if any ERROR, else PASS if any PASS, else MANUAL if any MANUAL, else
/// SKIP; `None` when there is no verdict at all. A phone's failure outranks a rig fault,
/// which outranks any pass: one broken attempt is never hidden by the others.
pub(crate) fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
    verdicts.into_iter().max_by_key(|v| rank(*v))
}

/// Precedence of a verdict in [`combine`].
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 4,
        Verdict::Error => 3,
        Verdict::Pass => 2,
        Verdict::Manual => 1,
        Verdict::Skip => 0,
    }
}

/// The family × case matrix of a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    /// Case ids, in order of first appearance in the rows (the suite's order).
    pub(crate) cases: Vec<String>,
    /// Families with at least one row: catalog order, then any family the catalog does
    /// not know (rows merged from another spec) in order of first appearance.
    pub(crate) families: Vec<FamilyRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FamilyRow {
    /// Family id, as in the catalog and the `family` column of results.csv.
    pub(crate) family: String,
    /// The catalog's name for it (the id when the catalog does not know it).
    pub(crate) name: String,
    /// One per case of [`Matrix::cases`]; `None` when the family has no row of that case.
    pub(crate) cells: Vec<Option<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    /// The combined verdict.
    pub(crate) verdict: Verdict,
    /// What it combines: each position (or [`OFF_BENCH`]) with its verdicts in attempt order.
    pub(crate) positions: Vec<(String, Vec<Verdict>)>,
}

impl Cell {
    /// `p9608: PASS FAIL; p9608b: PASS PASS`, for a tooltip.
    pub(crate) fn detail(&self) -> String {
        self.positions
            .iter()
            .map(|(p, vs)| {
                let names: Vec<&str> = vs.iter().map(|v| v.name()).collect();
                format!("{p}: {}", names.join(" "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Matrix {
    /// The matrix of `results`, families in the order of `spec`'s catalog.
    pub(crate) fn of(spec: &Spec, results: &[CaseResult]) -> Self {
        let cases = first_appearance(results.iter().map(|r| r.case.as_str()));
        let families = family_order(spec, results)
            .into_iter()
            .map(|family| {
                let name = spec
                    .catalog
                    .family(&family)
                    .map_or_else(|| family.clone(), |f| f.name.clone());
                let cells = cases
                    .iter()
                    .map(|case| cell(results, &family, case))
                    .collect();
                FamilyRow {
                    family,
                    name,
                    cells,
                }
            })
            .collect();
        Self { cases, families }
    }

    /// `matrix.csv`: header `family,<case ids>`, a row per family, a verdict name per
    /// cell (empty when the family has no row of that case).
    pub(crate) fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["family"];
        header.extend(self.cases.iter().map(String::as_str));
        w.write_record(&header)?;
        for f in &self.families {
            let mut rec = vec![f.family.as_str()];
            rec.extend(
                f.cells
                    .iter()
                    .map(|c| c.as_ref().map_or("", |c| c.verdict.name())),
            );
            w.write_record(&rec)?;
        }
        super::csv_file::into_bytes(w)
    }
}

/// Write `dir/matrix.csv`.
pub(crate) fn write_matrix(
    dir: &Path,
    spec: &Spec,
    results: &[CaseResult],
) -> Result<(), ReportError> {
    let path = dir.join("matrix.csv");
    let bytes = Matrix::of(spec, results)
        .to_csv()
        .map_err(|reason| ReportError::Csv {
            path: path.clone(),
            reason,
        })?;
    super::write_whole(&path, &bytes)
}

/// The distinct items in order of first appearance.
pub(crate) fn first_appearance<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        if !seen.iter().any(|s| s == i) {
            seen.push(i.to_string());
        }
    }
    seen
}

/// Families with rows: catalog order first, then unknown ones as they appear.
fn family_order(spec: &Spec, results: &[CaseResult]) -> Vec<String> {
    let present = first_appearance(results.iter().map(|r| r.family.as_str()));
    let mut order: Vec<String> = spec
        .catalog
        .families
        .iter()
        .filter(|f| present.contains(&f.id))
        .map(|f| f.id.clone())
        .collect();
    for f in present {
        if !order.contains(&f) {
            order.push(f);
        }
    }
    order
}

/// The cell of one family and case, `None` when no row has both.
fn cell(results: &[CaseResult], family: &str, case: &str) -> Option<Cell> {
    let rows: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.family == family && r.case == case)
        .collect();
    let verdict = combine(rows.iter().map(|r| r.verdict))?;
    let positions = first_appearance(rows.iter().map(|r| r.position.as_str()))
        .into_iter()
        .map(|p| {
            let mut attempts: Vec<(u32, Verdict)> = rows
                .iter()
                .filter(|r| r.position == p)
                .map(|r| (r.attempt, r.verdict))
                .collect();
            attempts.sort_by_key(|(a, _)| *a);
            let label = if p.is_empty() {
                OFF_BENCH.to_string()
            } else {
                p
            };
            (label, attempts.into_iter().map(|(_, v)| v).collect())
        })
        .collect();
    Some(Cell { verdict, positions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::Verdict::*;

    #[test]
    fn a_fail_outranks_an_error_which_outranks_a_pass_then_manual_then_skip() {
        assert_eq!(combine([]), None);
        assert_eq!(combine([Skip]), Some(Skip));
        assert_eq!(combine([Skip, Manual, Skip]), Some(Manual));
        assert_eq!(combine([Manual, Pass, Skip]), Some(Pass));
        assert_eq!(combine([Pass, Error, Pass]), Some(Error));
        assert_eq!(combine([Error, Pass, Fail, Manual]), Some(Fail));
        assert_eq!(combine([Fail, Error]), Some(Fail));
        // Order does not matter.
        assert_eq!(combine([Pass, Fail]), combine([Fail, Pass]));
    }

    #[test]
    fn families_follow_the_catalog_and_cases_their_first_appearance() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let results = vec![
            row("p9611", "9611", "toggle", 1, Pass),
            row("p9611", "9611", "shows-on", 1, Fail),
            row("p9611", "9611", "toggle", 2, Pass),
            row("p9611", "9611", "shows-on", 2, Pass),
            row("p1400", "1400", "shows-on", 1, Pass),
            row("p1400b", "1400", "shows-on", 1, Error),
            row("", "VCE", "toggle", 1, Skip),
            row("x1", "not-in-catalog", "toggle", 1, Manual),
        ];
        let m = Matrix::of(&spec, &results);
        assert_eq!(m.cases, ["toggle", "shows-on"]);
        let ids: Vec<&str> = m.families.iter().map(|f| f.family.as_str()).collect();
        // Catalog order: 1400, …, 9611, …, VCE; the unknown family last.
        assert_eq!(ids, ["1400", "9611", "VCE", "not-in-catalog"]);
        assert_eq!(m.families[2].name, "Vantage Connect Expansion");
        let text = String::from_utf8(m.to_csv().unwrap()).unwrap();
        assert_eq!(
            text,
            "family,toggle,shows-on\n\
             1400,,ERROR\n\
             9611,PASS,FAIL\n\
             VCE,SKIP,\n\
             not-in-catalog,MANUAL,\n"
        );
        let c = m.families[1].cells[1].as_ref().unwrap();
        assert_eq!(c.detail(), "p9611: FAIL PASS");
        let vce = m.families[2].cells[0].as_ref().unwrap();
        assert_eq!(vce.detail(), "off-bench: SKIP");
        assert_eq!(
            m.families[0].cells[1].as_ref().unwrap().detail(),
            "p1400: PASS; p1400b: ERROR"
        );
    }

    #[test]
    fn no_rows_is_a_header_only_matrix() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let m = Matrix::of(&spec, &[]);
        assert_eq!(String::from_utf8(m.to_csv().unwrap()).unwrap(), "family\n");
    }
}
