//! `pass-rate.csv`, the flakiness summary of `--repeat N`: per position and case, how
//! many of the attempts passed, and whether the pair is certified (N of N). The console
//! and report.html show the same numbers.

use std::path::Path;

use super::matrix::first_appearance;
use super::ReportError;
use crate::runner::{CaseResult, Tally};

/// The columns of `pass-rate.csv`, in order.
pub(crate) const PASS_RATE_COLUMNS: [&str; 11] = [
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
    "certified",
];

/// The attempts of one case on one position (or one off-bench family).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PairRate {
    /// Empty for catalog entries that cannot be on a bench.
    pub(crate) position: String,
    pub(crate) family: String,
    pub(crate) case: String,
    pub(crate) counts: Tally,
}

impl PairRate {
    pub(crate) fn attempts(&self) -> usize {
        self.counts.total()
    }

    /// Attempts that reached an automated verdict (not SKIP, not MANUAL).
    pub(crate) fn ran(&self) -> usize {
        self.counts.pass + self.counts.fail + self.counts.error
    }

    /// pass / (attempts − skip − manual); `None` when nothing ran.
    pub(crate) fn pass_rate(&self) -> Option<f64> {
        (self.ran() > 0).then(|| self.counts.pass as f64 / self.ran() as f64)
    }

    /// Certified when all of at least `repeat` attempts passed (N of N, so no FAIL, no
    /// ERROR and none skipped); `None` when no attempt ran, as for a case not applicable
    /// to the phone: there is nothing to certify, and nothing below N of N either.
    pub(crate) fn certified(&self, repeat: u32) -> Option<bool> {
        if self.ran() == 0 {
            return None;
        }
        Some(self.counts.pass == self.attempts() && self.attempts() >= repeat as usize)
    }
}

/// Pass rates of every position × case pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PassRates {
    pub(crate) pairs: Vec<PairRate>,
}

impl PassRates {
    pub(crate) fn of(results: &[CaseResult]) -> Self {
        let mut rates = Self::default();
        for r in results {
            rates.add(r);
        }
        rates
    }

    /// Count one more row.
    pub(crate) fn add(&mut self, r: &CaseResult) {
        let i = self
            .pairs
            .iter()
            .position(|p| p.position == r.position && p.family == r.family && p.case == r.case)
            .unwrap_or_else(|| {
                self.pairs.push(PairRate {
                    position: r.position.clone(),
                    family: r.family.clone(),
                    case: r.case.clone(),
                    counts: Tally::default(),
                });
                self.pairs.len() - 1
            });
        self.pairs[i].counts.add(r.verdict);
    }

    /// The pairs by position (in order of first appearance: positions run in parallel, so
    /// their rows interleave), then case (suite order).
    pub(crate) fn ordered(&self) -> Vec<&PairRate> {
        let positions = first_appearance(self.pairs.iter().map(|p| p.position.as_str()));
        let cases = first_appearance(self.pairs.iter().map(|p| p.case.as_str()));
        let index = |list: &[String], x: &str| list.iter().position(|y| y == x);
        let mut v: Vec<&PairRate> = self.pairs.iter().collect();
        v.sort_by_key(|p| (index(&positions, &p.position), index(&cases, &p.case)));
        v
    }

    /// The pairs that ran but are not N of N, in [`Self::ordered`] order.
    pub(crate) fn below(&self, repeat: u32) -> impl Iterator<Item = &PairRate> {
        self.ordered()
            .into_iter()
            .filter(move |p| p.certified(repeat) == Some(false))
    }

    /// The pass rates in one line: whether every pair that ran passed N of N. Not a
    /// certification, which also asks what was checked ([`super::certify`]).
    pub(crate) fn n_of_n(&self, repeat: u32, interrupted: bool) -> String {
        let below = self.below(repeat).count();
        let passed = self
            .pairs
            .iter()
            .filter(|p| p.certified(repeat) == Some(true))
            .count();
        if interrupted {
            format!("pass rate: run interrupted; {below} cases below {repeat} of {repeat}")
        } else if below > 0 {
            format!("pass rate: {below} cases below {repeat} of {repeat}")
        } else if passed == 0 {
            "pass rate: no case ran".to_string()
        } else {
            format!("pass rate: every case that ran passed {repeat} of {repeat}")
        }
    }

    /// How many pairs passed N of N, are below N of N, and had no attempt that ran
    /// (SKIP or MANUAL only: nothing to pass).
    pub(crate) fn census(&self, repeat: u32) -> Census {
        let mut c = Census::default();
        for p in &self.pairs {
            match p.certified(repeat) {
                Some(true) => c.certified += 1,
                Some(false) => c.below += 1,
                None => c.not_run += 1,
            }
        }
        c
    }

    /// `pass-rate.csv` ([`PASS_RATE_COLUMNS`]); `pass_rate` with three decimals,
    /// `certified` `yes`, `no`, or empty when no attempt ran.
    pub(crate) fn to_csv(&self, repeat: u32) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(PASS_RATE_COLUMNS)?;
        for p in self.ordered() {
            let c = &p.counts;
            w.write_record([
                p.position.clone(),
                p.family.clone(),
                p.case.clone(),
                p.attempts().to_string(),
                c.pass.to_string(),
                c.fail.to_string(),
                c.error.to_string(),
                c.skip.to_string(),
                c.manual.to_string(),
                p.pass_rate().map(|x| format!("{x:.3}")).unwrap_or_default(),
                yes_no(p.certified(repeat)).to_string(),
            ])?;
        }
        super::csv_file::into_bytes(w)
    }
}

/// Pairs by what their attempts say ([`PassRates::census`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Census {
    pub(crate) certified: usize,
    pub(crate) below: usize,
    /// No attempt reached PASS, FAIL or ERROR (not applicable, or manual only).
    pub(crate) not_run: usize,
}

/// `yes`, `no`, or empty for "nothing to certify".
pub(crate) fn yes_no(certified: Option<bool>) -> &'static str {
    match certified {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// Write `dir/pass-rate.csv`.
pub(crate) fn write_pass_rate(
    dir: &Path,
    repeat: u32,
    results: &[CaseResult],
) -> Result<(), ReportError> {
    let path = dir.join("pass-rate.csv");
    let bytes = PassRates::of(results)
        .to_csv(repeat)
        .map_err(|reason| ReportError::Csv {
            path: path.clone(),
            reason,
        })?;
    super::write_whole(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::Verdict::*;

    fn rates() -> PassRates {
        PassRates::of(&[
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "shows-on", 1, Fail),
            row("p1", "9611", "toggle", 2, Pass),
            row("p1", "9611", "shows-on", 2, Pass),
            row("p1", "9611", "toggle", 3, Pass),
            row("p1", "9611", "shows-on", 3, Pass),
            row("p2", "1100", "shows-on", 1, Skip),
            row("p2", "1100", "shows-on", 2, Skip),
            row("p2", "1100", "shows-on", 3, Skip),
            row("p2", "1100", "retrieve", 1, Pass),
            row("p2", "1100", "retrieve", 2, Skip),
            row("p2", "1100", "retrieve", 3, Error),
            row("", "VCE", "toggle", 1, Skip),
        ])
    }

    #[test]
    fn each_pair_counts_its_attempts_and_is_certified_only_n_of_n() {
        let r = rates();
        let text = String::from_utf8(r.to_csv(3).unwrap()).unwrap();
        assert_eq!(
            text,
            "position,family,case,attempts,pass,fail,error,skip,manual,pass_rate,certified\n\
             p1,9611,toggle,3,3,0,0,0,0,1.000,yes\n\
             p1,9611,shows-on,3,2,1,0,0,0,0.667,no\n\
             p2,1100,shows-on,3,0,0,0,3,0,,\n\
             p2,1100,retrieve,3,1,0,1,1,0,0.500,no\n\
             ,VCE,toggle,1,0,0,0,1,0,,\n"
        );
        let below: Vec<&str> = r.below(3).map(|p| p.case.as_str()).collect();
        assert_eq!(below, ["shows-on", "retrieve"]);
        assert_eq!(r.n_of_n(3, false), "pass rate: 2 cases below 3 of 3");
        assert_eq!(
            r.census(3),
            Census {
                certified: 1,
                below: 2,
                not_run: 2
            }
        );
    }

    #[test]
    fn pairs_are_listed_by_position_then_case_whatever_order_rows_came_in() {
        // Two positions running in parallel interleave their rows.
        let r = PassRates::of(&[
            row("p1", "9611", "toggle", 1, Pass),
            row("p2", "1100", "toggle", 1, Pass),
            row("p2", "1100", "shows-on", 1, Skip),
            row("p1", "9611", "shows-on", 1, Fail),
        ]);
        let order: Vec<(&str, &str)> = r
            .ordered()
            .iter()
            .map(|p| (p.position.as_str(), p.case.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("p1", "toggle"),
                ("p1", "shows-on"),
                ("p2", "toggle"),
                ("p2", "shows-on")
            ]
        );
    }

    #[test]
    fn fewer_attempts_than_asked_is_not_certified() {
        // An interrupted run: 2 of 3 attempts, both passed.
        let r = PassRates::of(&[
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
        ]);
        assert_eq!(r.pairs[0].certified(3), Some(false));
        assert_eq!(r.pairs[0].certified(2), Some(true));
        assert_eq!(
            r.n_of_n(2, false),
            "pass rate: every case that ran passed 2 of 2"
        );
        assert_eq!(
            r.n_of_n(2, true),
            "pass rate: run interrupted; 0 cases below 2 of 2"
        );
        assert_eq!(
            PassRates::default().n_of_n(2, false),
            "pass rate: no case ran"
        );
    }
}
