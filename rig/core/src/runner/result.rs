//! Verdicts and what a finished case reports.

use std::fmt;

use crate::suite::Case;

/// ARCHITECTURE.md, "Verdicts: whose fault": ERROR is the rig's own fault and is never blamed on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// The phone met the clause.
    Pass,
    /// The phone broke the clause.
    Fail,
    /// The rig itself failed (sensor silent, modem not answering, relay fault).
    Error,
    /// Not applicable, blocked, or not specified — always with the reason.
    Skip,
    /// An operator judged it.
    Manual,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
            Verdict::Skip => "SKIP",
            Verdict::Manual => "MANUAL",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One case on one position, as the reports show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub position: String,
    pub(crate) model: String,
    pub family: String,
    pub case: String,
    pub clauses: Vec<String>,
    pub verdict: Verdict,
    /// What the deciding expectation wanted, in words (`twinning light: green steady`).
    pub expected: String,
    /// What the rig saw for it.
    pub observed: String,
    /// A measured interval, if the case measures one.
    pub measured: Option<f64>,
    pub unit: String,
    pub attempt: u32,
    /// Bench clock at the case's start, ms since the run started.
    pub started_ms: f64,
    /// The case's duration on the bench clock.
    pub(crate) bench_time_ms: f64,
    pub message: String,
    /// For a FAIL: the light trace that decided it (the light of a failed light
    /// expectation, else the Twinning light while the failed modem state was watched).
    pub trace: Option<DecidingTrace>,
}

/// The samples of one light around a FAIL, with what was expected and what was seen,
/// so a report can plot what the light did.
#[derive(Debug, Clone, PartialEq)]
pub struct DecidingTrace {
    /// `twinning` or `call`.
    pub light: String,
    /// The sensor's name in the bench file.
    pub(crate) sensor: String,
    /// The samples (bench time, ms since the run started) with how to read them.
    pub trace: crate::trace::Trace,
    /// Bench time the deciding expectation started watching.
    pub window_from_ms: f64,
    /// Bench time the verdict was reached.
    pub decided_ms: f64,
    /// What the deciding expectation wanted.
    pub expected: String,
    /// What the rig saw for it.
    pub observed: String,
    /// In a report merged from several benches, the bench whose row this is: the trace is
    /// filed under `traces/<bench>/`, so two benches' positions of one name never share a
    /// file. `None` in a single run's report.
    pub bench: Option<String>,
}

impl CaseResult {
    /// A row with no expectation, observation or measurement (skips, rig faults); the
    /// rest is filled in by the caller where it has more to say.
    pub(crate) fn bare(
        position: &str,
        model: &str,
        family: &str,
        case: &Case,
        verdict: Verdict,
        started_ms: f64,
        message: String,
    ) -> Self {
        Self {
            position: position.into(),
            model: model.into(),
            family: family.into(),
            case: case.id.clone(),
            clauses: case.clauses.clone(),
            verdict,
            expected: String::new(),
            observed: String::new(),
            measured: None,
            unit: String::new(),
            attempt: 1,
            started_ms,
            bench_time_ms: 0.0,
            message,
            trace: None,
        }
    }
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub(crate) pass: usize,
    pub fail: usize,
    pub error: usize,
    pub(crate) skip: usize,
    pub(crate) manual: usize,
}

impl Tally {
    pub fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Error => self.error += 1,
            Verdict::Skip => self.skip += 1,
            Verdict::Manual => self.manual += 1,
        }
    }

    /// Add `other`'s counts.
    pub(crate) fn merge(&mut self, other: &Tally) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.skip += other.skip;
        self.manual += other.manual;
    }

    pub(crate) fn total(&self) -> usize {
        self.pass + self.fail + self.error + self.skip + self.manual
    }

    /// The run's verdict, as its exit code says it (ARCHITECTURE.md, "Verdicts: whose
    /// fault"): FAIL if the phone failed anything, else ERROR if the rig erred, else PASS
    /// (SKIP and MANUAL rows fail nothing). `rig run`'s exit code and report.html's banner
    /// both come from it.
    pub fn verdict(&self) -> Verdict {
        if self.fail > 0 {
            Verdict::Fail
        } else if self.error > 0 {
            Verdict::Error
        } else {
            Verdict::Pass
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pass, {} fail, {} error, {} skip, {} manual",
            self.pass, self.fail, self.error, self.skip, self.manual
        )
    }
}

#[cfg(test)]
mod tally_tests {
    use super::*;

    #[test]
    fn a_fail_outranks_an_error_and_skips_fail_nothing() {
        let t = |pass, fail, error, skip| Tally {
            pass,
            fail,
            error,
            skip,
            manual: 0,
        };
        assert_eq!(t(5, 1, 1, 0).verdict(), Verdict::Fail);
        assert_eq!(t(5, 0, 1, 0).verdict(), Verdict::Error);
        assert_eq!(t(5, 0, 0, 3).verdict(), Verdict::Pass);
        assert_eq!(Tally::default().verdict(), Verdict::Pass);
    }
}
