//! The FAIL and ERROR rows grouped by what went wrong, so twenty positions failing a case
//! the same way read as one finding: a FAIL group is one case and one symptom (what was
//! expected and what was observed, as results.csv words them); an ERROR group is one case
//! and one message (an ERROR has no expectation: its message says which device failed).
//! report.html shows each group once, with the positions and attempts it covers.

use super::super::matrix::first_appearance;
use crate::runner::{CaseResult, Verdict};

/// The rows of one case that went wrong the same way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group<'a> {
    /// [`Verdict::Fail`] or [`Verdict::Error`].
    pub(crate) verdict: Verdict,
    pub(crate) case: &'a str,
    pub(crate) expected: &'a str,
    pub(crate) observed: &'a str,
    /// An ERROR group's message (every row has it); a FAIL group's, if every row has the
    /// same one, else empty.
    pub(crate) message: &'a str,
    /// The rows, in results order, each with its index in the results.
    pub(crate) rows: Vec<(usize, &'a CaseResult)>,
}

impl<'a> Group<'a> {
    /// The positions of the rows, in order of first appearance (`off-bench` for rows with
    /// none).
    pub(crate) fn positions(&self) -> Vec<String> {
        first_appearance(self.rows.iter().map(|(_, r)| r.position.as_str()))
            .into_iter()
            .map(|p| {
                if p.is_empty() {
                    super::super::matrix::OFF_BENCH.to_string()
                } else {
                    p
                }
            })
            .collect()
    }

    /// The clauses the rows check, in order of first appearance.
    pub(crate) fn clauses(&self) -> Vec<String> {
        first_appearance(
            self.rows
                .iter()
                .flat_map(|(_, r)| r.clauses.iter().map(String::as_str)),
        )
    }

    /// The rows with a deciding trace (the plots of the group).
    pub(crate) fn traced(&self) -> impl Iterator<Item = &(usize, &'a CaseResult)> {
        self.rows.iter().filter(|(_, r)| r.trace.is_some())
    }
}

/// The FAIL groups, then the ERROR groups; each by case in order of first appearance in
/// `results` (the suite's order), then by first appearance of its symptom.
pub(crate) fn groups(results: &[CaseResult]) -> Vec<Group<'_>> {
    let cases = first_appearance(results.iter().map(|r| r.case.as_str()));
    let mut out: Vec<Group> = Vec::new();
    for verdict in [Verdict::Fail, Verdict::Error] {
        let start = out.len();
        for (i, r) in results.iter().enumerate() {
            if r.verdict != verdict {
                continue;
            }
            let same = |g: &Group| {
                g.case == r.case
                    && g.expected == r.expected
                    && g.observed == r.observed
                    && (verdict == Verdict::Fail || g.message == r.message)
            };
            match out[start..].iter_mut().find(|g| same(g)) {
                Some(g) => {
                    if g.message != r.message {
                        g.message = "";
                    }
                    g.rows.push((i, r));
                }
                None => out.push(Group {
                    verdict,
                    case: &r.case,
                    expected: &r.expected,
                    observed: &r.observed,
                    message: &r.message,
                    rows: vec![(i, r)],
                }),
            }
        }
        // Stable: groups of one case keep their order of first appearance.
        out[start..].sort_by_key(|g| cases.iter().position(|c| c == g.case));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::Verdict::*;

    fn failed(position: &str, case: &str, attempt: u32, observed: &str) -> CaseResult {
        let mut r = row(position, "9611", case, attempt, Fail);
        r.expected = "twinning light: off".into();
        r.observed = observed.into();
        r.message = format!("{position} did not show that");
        r
    }

    #[test]
    fn one_group_per_case_and_symptom_over_positions_and_attempts() {
        let mut err1 = row("p2", "1400", "toggle", 1, Error);
        err1.message = "sensor rgb:2 silent".into();
        let mut err2 = row("p3", "1400", "toggle", 1, Error);
        err2.message = "sensor rgb:2 silent".into();
        let mut err3 = row("p3", "1400", "toggle", 2, Error);
        err3.message = "modem did not answer".into();
        let rows = vec![
            row("p1", "9611", "toggle", 1, Pass),
            failed("p1", "shows-off", 1, "green steady"),
            err1,
            failed("p2", "shows-follow", 1, "green steady"),
            failed("p2", "shows-off", 1, "green steady"),
            failed("p1", "shows-off", 2, "green steady"),
            // The same case, another symptom: a group of its own.
            failed("p3", "shows-off", 1, "red steady"),
            err2,
            err3,
            row("p3", "1400", "shows-off", 2, Pass),
        ];
        let g = groups(&rows);
        let keys: Vec<(Verdict, &str, &str, usize)> = g
            .iter()
            .map(|g| (g.verdict, g.case, g.observed, g.rows.len()))
            .collect();
        // Cases in order of first appearance: toggle, shows-off, shows-follow.
        assert_eq!(
            keys,
            [
                (Fail, "shows-off", "green steady", 3),
                (Fail, "shows-off", "red steady", 1),
                (Fail, "shows-follow", "green steady", 1),
                (Error, "toggle", "", 2),
                (Error, "toggle", "", 1),
            ]
        );
        let first = &g[0];
        assert_eq!(first.positions(), ["p1", "p2"]);
        let attempts: Vec<(usize, u32)> = first.rows.iter().map(|(i, r)| (*i, r.attempt)).collect();
        assert_eq!(attempts, [(1, 1), (4, 1), (5, 2)]);
        // The positions' messages differ: the group names none.
        assert_eq!(first.message, "");
        assert_eq!(g[1].message, "p3 did not show that");
        assert_eq!(g[3].message, "sensor rgb:2 silent");
        assert_eq!(g[4].message, "modem did not answer");
        assert_eq!(first.clauses(), ["S4"]);
        assert_eq!(first.traced().count(), 0);
    }

    #[test]
    fn no_fail_or_error_is_no_group() {
        let rows = [
            row("p1", "9611", "toggle", 1, Pass),
            row("", "VCE", "toggle", 1, Skip),
        ];
        assert!(groups(&rows).is_empty());
        let off = Group {
            verdict: Skip,
            case: "toggle",
            expected: "",
            observed: "",
            message: "",
            rows: vec![(1, &rows[1])],
        };
        assert_eq!(off.positions(), ["off-bench"]);
    }
}
