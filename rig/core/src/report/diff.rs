//! Comparing two report sets (`rig report diff`): what changed between a base run (the
//! firmware in service) and a candidate (the firmware to roll out), per family and case,
//! and per position where both runs have it.
//!
//! Only PASS → FAIL is a regression: an ERROR is the rig's fault (ARCHITECTURE.md, "Verdicts: whose fault"), never the
//! phone's, so any change to or from ERROR, SKIP or MANUAL is listed apart as "changed".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::matrix::combine;
use super::read::ReportRow;
use crate::runner::{CaseResult, Verdict};

/// How one (family, position, case) differs between the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// PASS in base, FAIL in candidate.
    Regression,
    /// FAIL in base, PASS in candidate.
    Fix,
    /// Any other change of verdict.
    Changed,
    /// In the candidate only.
    Added,
    /// In the base only.
    Removed,
}

impl Change {
    pub(crate) const ALL: [Change; 5] = [
        Change::Regression,
        Change::Fix,
        Change::Changed,
        Change::Added,
        Change::Removed,
    ];

    /// The `change` column of `--format csv`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Change::Regression => "regression",
            Change::Fix => "fix",
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }

    /// The section title of the text table.
    fn title(self) -> &'static str {
        match self {
            Change::Regression => "regressions (PASS in base, FAIL in candidate)",
            Change::Fix => "fixes (FAIL in base, PASS in candidate)",
            Change::Changed => "changed (other verdict changes; ERROR is the rig's fault)",
            Change::Added => "added (in the candidate only)",
            Change::Removed => "removed (in the base only)",
        }
    }

    /// The change from `base` to `candidate`; `None` when the verdict is the same.
    fn of(base: Verdict, candidate: Verdict) -> Option<Change> {
        match (base, candidate) {
            _ if base == candidate => None,
            (Verdict::Pass, Verdict::Fail) => Some(Change::Regression),
            (Verdict::Fail, Verdict::Pass) => Some(Change::Fix),
            _ => Some(Change::Changed),
        }
    }
}

/// One side of an entry: the combined verdict of its rows and what the deciding row said.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Side {
    pub(crate) verdict: Verdict,
    /// Rows combined (attempts × positions).
    pub(crate) rows: usize,
    /// How many of them have the combined verdict.
    pub(crate) deciding: usize,
    /// The message of the first row with the combined verdict.
    pub(crate) message: String,
    pub(crate) positions: Vec<String>,
}

impl Side {
    fn of(rows: &[&CaseResult], positions: Vec<String>) -> Option<Side> {
        let verdict = combine(rows.iter().map(|r| r.verdict))?;
        let mut deciding = rows.iter().filter(|r| r.verdict == verdict);
        let message = deciding.next().map(|r| r.message.clone());
        Some(Side {
            verdict,
            rows: rows.len(),
            deciding: 1 + deciding.count(),
            message: message.unwrap_or_default(),
            positions,
        })
    }

    /// `FAIL`, or `FAIL 2/5` when it combines several rows.
    fn label(&self) -> String {
        if self.rows > 1 {
            format!("{} {}/{}", self.verdict, self.deciding, self.rows)
        } else {
            self.verdict.to_string()
        }
    }
}

/// One listed difference.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) change: Change,
    pub(crate) family: String,
    pub(crate) case: String,
    pub(crate) clauses: Vec<String>,
    pub(crate) base: Option<Side>,
    pub(crate) candidate: Option<Side>,
}

impl Entry {
    /// The positions compared: one shared position, or the family's positions in each
    /// run (`p1 -> p2`) when the runs name them differently. Empty for off-bench rows.
    pub(crate) fn position(&self) -> String {
        let join = |s: &Option<Side>| s.as_ref().map(|s| s.positions.join(" "));
        match (join(&self.base), join(&self.candidate)) {
            (Some(b), Some(c)) if b != c => format!("{b} -> {c}"),
            (Some(p), _) | (None, Some(p)) => p,
            (None, None) => String::new(),
        }
    }
}

/// Everything that differs between two runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// In section order ([`Change::ALL`]), then family, case and position in run order.
    pub(crate) entries: Vec<Entry>,
    /// Compared with the same verdict.
    pub(crate) unchanged: usize,
    /// Of those, FAIL in both.
    pub(crate) still_failing: usize,
}

impl Diff {
    pub(crate) fn count(&self, change: Change) -> usize {
        self.entries.iter().filter(|e| e.change == change).count()
    }

    pub(crate) fn of(&self, change: Change) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.change == change)
    }

    pub fn has_regressions(&self) -> bool {
        self.count(Change::Regression) > 0
    }
}

/// A position's identity: the same id on another bench is another phone.
type PositionKey<'a> = (&'a str, &'a str);

/// One run's rows of a (family, case), by position.
type ByPosition<'a> = BTreeMap<PositionKey<'a>, Vec<&'a CaseResult>>;

/// The rows of one run by (family, case), keeping the order they first appear in.
struct Grouped<'a> {
    keys: Vec<(&'a str, &'a str)>,
    rows: BTreeMap<(&'a str, &'a str), ByPosition<'a>>,
}

impl<'a> Grouped<'a> {
    fn of(rows: &'a [ReportRow]) -> Self {
        let mut g = Grouped {
            keys: Vec::new(),
            rows: BTreeMap::new(),
        };
        for row in rows {
            let r = &row.result;
            let key = (r.family.as_str(), r.case.as_str());
            let slot = g.rows.entry(key).or_insert_with(|| {
                g.keys.push(key);
                BTreeMap::new()
            });
            slot.entry((row.bench(), r.position.as_str()))
                .or_default()
                .push(r);
        }
        g
    }
}

/// Compare `candidate` against `base`.
pub fn diff(base: &[ReportRow], candidate: &[ReportRow]) -> Diff {
    let b = Grouped::of(base);
    let c = Grouped::of(candidate);
    let labels = PositionLabels::of(base, candidate);
    let mut out = Diff::default();
    for key in run_order(&b, &c) {
        let empty = ByPosition::new();
        let bp = b.rows.get(&key).unwrap_or(&empty);
        let cp = c.rows.get(&key).unwrap_or(&empty);
        for (bs, cs) in pair_positions(bp, cp, &labels) {
            let clauses = cs
                .first()
                .or(bs.first())
                .map(|r| r.clauses.clone())
                .unwrap_or_default();
            let base = Side::of(&bs.rows, bs.positions);
            let candidate = Side::of(&cs.rows, cs.positions);
            let change = match (&base, &candidate) {
                (Some(b), Some(c)) => Change::of(b.verdict, c.verdict),
                (None, Some(_)) => Some(Change::Added),
                (Some(_), None) => Some(Change::Removed),
                // pair_positions never pairs two empty sides.
                (None, None) => continue,
            };
            let Some(change) = change else {
                out.unchanged += 1;
                if base.is_some_and(|s| s.verdict == Verdict::Fail) {
                    out.still_failing += 1;
                }
                continue;
            };
            out.entries.push(Entry {
                change,
                family: key.0.to_string(),
                case: key.1.to_string(),
                clauses,
                base,
                candidate,
            });
        }
    }
    // Stable: within a section, run order stays.
    out.entries.sort_by_key(|e| e.change);
    out
}

/// The (family, case) keys of both runs: the base's order, then what only the
/// candidate has.
fn run_order<'a>(b: &Grouped<'a>, c: &Grouped<'a>) -> Vec<(&'a str, &'a str)> {
    let mut keys = b.keys.clone();
    keys.extend(c.keys.iter().filter(|k| !b.rows.contains_key(*k)));
    // Group by family (first appearance), keeping case order within it.
    let family_rank = |f: &str| keys.iter().position(|k| k.0 == f).unwrap_or_default();
    let mut ordered = keys.clone();
    ordered.sort_by_key(|k| family_rank(k.0));
    ordered
}

/// The rows of one side of an entry.
struct Rows<'a> {
    rows: Vec<&'a CaseResult>,
    positions: Vec<String>,
}

impl<'a> Rows<'a> {
    fn first(&self) -> Option<&&'a CaseResult> {
        self.rows.first()
    }

    fn gather(from: &ByPosition<'a>, keys: &[PositionKey<'a>], labels: &PositionLabels) -> Self {
        let mut out = Rows {
            rows: Vec::new(),
            positions: Vec::new(),
        };
        for k in keys {
            if let Some(rows) = from.get(k) {
                out.rows.extend(rows);
                out.positions.push(labels.label(*k));
            }
        }
        out
    }
}

/// Pair one (family, case)'s rows: each position both runs have, on its own; the rest of
/// each side as one (the family as a whole), or added/removed when one side has none.
fn pair_positions<'a>(
    b: &ByPosition<'a>,
    c: &ByPosition<'a>,
    labels: &PositionLabels,
) -> Vec<(Rows<'a>, Rows<'a>)> {
    let mut pairs = Vec::new();
    for k in b.keys().filter(|k| c.contains_key(*k)) {
        pairs.push((
            Rows::gather(b, &[*k], labels),
            Rows::gather(c, &[*k], labels),
        ));
    }
    let b_rest: Vec<_> = b.keys().filter(|k| !c.contains_key(*k)).copied().collect();
    let c_rest: Vec<_> = c.keys().filter(|k| !b.contains_key(*k)).copied().collect();
    if !b_rest.is_empty() || !c_rest.is_empty() {
        pairs.push((
            Rows::gather(b, &b_rest, labels),
            Rows::gather(c, &c_rest, labels),
        ));
    }
    pairs
}

/// How a position is named in the listing: its id, with the bench when the same id is on
/// several benches (merged report sets).
struct PositionLabels {
    ambiguous: Vec<String>,
}

impl PositionLabels {
    fn of(base: &[ReportRow], candidate: &[ReportRow]) -> Self {
        let mut benches: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for row in base.iter().chain(candidate) {
            let seen = benches.entry(row.result.position.as_str()).or_default();
            if !seen.contains(&row.bench()) {
                seen.push(row.bench());
            }
        }
        Self {
            ambiguous: benches
                .into_iter()
                .filter(|(p, b)| !p.is_empty() && b.len() > 1)
                .map(|(p, _)| p.to_string())
                .collect(),
        }
    }

    fn label(&self, (bench, position): PositionKey) -> String {
        if self.ambiguous.iter().any(|p| p == position) {
            format!("{bench}:{position}")
        } else {
            position.to_string()
        }
    }
}

/// What the header says of each run.
#[derive(Debug, Clone)]
pub struct RunName {
    pub dir: String,
    pub run_id: String,
    pub firmware: String,
}

/// The text table: a header naming both runs, a section per kind of change with its
/// count, and a summary line.
pub fn render_text(base: &RunName, candidate: &RunName, d: &Diff) -> String {
    let mut out = String::new();
    for (role, run) in [("base", base), ("candidate", candidate)] {
        let _ = writeln!(
            out,
            "{role:<10} {}  firmware {}  (run {})",
            run.dir, run.firmware, run.run_id
        );
    }
    for change in Change::ALL {
        let entries: Vec<&Entry> = d.of(change).collect();
        let _ = writeln!(out, "\n{}: {}", change.title(), entries.len());
        if !entries.is_empty() {
            out.push_str(&table(&entries));
        }
    }
    let _ = writeln!(
        out,
        "\n{} regressions, {} fixes, {} changed, {} added, {} removed; {} unchanged ({} still FAIL)",
        d.count(Change::Regression),
        d.count(Change::Fix),
        d.count(Change::Changed),
        d.count(Change::Added),
        d.count(Change::Removed),
        d.unchanged,
        d.still_failing
    );
    out
}

/// Aligned columns of one section.
fn table(entries: &[&Entry]) -> String {
    let side = |s: &Option<Side>| s.as_ref().map_or("-".to_string(), Side::label);
    let mut lines = vec![[
        "family".to_string(),
        "position".into(),
        "case".into(),
        "clauses".into(),
        "base".into(),
        "candidate".into(),
        "candidate message".into(),
    ]];
    for e in entries {
        let message = e.candidate.as_ref().map(|s| s.message.clone());
        lines.push([
            e.family.clone(),
            e.position(),
            e.case.clone(),
            e.clauses.join(" "),
            side(&e.base),
            side(&e.candidate),
            message.unwrap_or_default(),
        ]);
    }
    let mut widths = [0; 6];
    for l in &lines {
        for (w, cell) in widths.iter_mut().zip(l) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for l in &lines {
        let mut line = String::from("  ");
        for (w, cell) in widths.iter().zip(l) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        line.push_str(&l[6]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The `--format csv` columns.
pub(crate) const DIFF_COLUMNS: [&str; 8] = [
    "change",
    "family",
    "position",
    "case",
    "clauses",
    "base",
    "candidate",
    "candidate_message",
];

/// The listing as CSV: one row per entry, plain verdicts (combined over attempts).
pub fn render_csv(d: &Diff) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DIFF_COLUMNS)?;
    let verdict = |s: &Option<Side>| s.as_ref().map_or("", |s| s.verdict.name());
    for e in &d.entries {
        w.write_record([
            e.change.name(),
            &e.family,
            &e.position(),
            &e.case,
            &e.clauses.join(" "),
            verdict(&e.base),
            verdict(&e.candidate),
            e.candidate.as_ref().map_or("", |s| s.message.as_str()),
        ])?;
    }
    let bytes = super::csv_file::into_bytes(w)?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CSV_COLUMNS;

    /// A row of `bench`, as `family/position/case/attempt VERDICT`.
    fn row(bench: &str, spec: &str) -> ReportRow {
        let (id, verdict) = spec.split_once(' ').unwrap();
        let parts: Vec<&str> = id.split('/').collect();
        let verdict = crate::report::read::parse_verdict(verdict).unwrap();
        let mut columns = vec![String::new(); CSV_COLUMNS.len()];
        columns[1] = bench.into();
        ReportRow {
            columns,
            extra: Vec::new(),
            line: 0,
            result: CaseResult {
                position: parts[1].into(),
                model: String::new(),
                family: parts[0].into(),
                case: parts[2].into(),
                clauses: vec!["S4".into()],
                verdict,
                expected: String::new(),
                observed: String::new(),
                measured: None,
                unit: String::new(),
                attempt: parts[3].parse().unwrap(),
                started_ms: 0.0,
                bench_time_ms: 0.0,
                message: format!("{id} {verdict}"),
                trace: None,
            },
        }
    }

    fn rows(bench: &str, specs: &[&str]) -> Vec<ReportRow> {
        specs.iter().map(|s| row(bench, s)).collect()
    }

    /// Each entry as `change family position case base>candidate`.
    fn listed(d: &Diff) -> Vec<String> {
        let v = |s: &Option<Side>| {
            s.as_ref()
                .map_or("-".to_string(), |s| s.verdict.to_string())
        };
        d.entries
            .iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {}>{}",
                    e.change.name(),
                    e.family,
                    e.position(),
                    e.case,
                    v(&e.base),
                    v(&e.candidate)
                )
            })
            .collect()
    }

    #[test]
    fn each_kind_of_change_lands_in_its_section() {
        let base = rows(
            "b",
            &[
                "9611/p1/shows-on/1 PASS",
                "9611/p1/toggle/1 FAIL",
                "9611/p1/retrieve/1 PASS",
                "9611/p1/handover/1 SKIP",
                "9611/p1/gone/1 PASS",
                "9611/p1/same/1 FAIL",
                "J100/p2/shows-on/1 PASS",
            ],
        );
        let cand = rows(
            "b",
            &[
                "J100/p2/shows-on/1 PASS",
                "9611/p1/new/1 FAIL",
                "9611/p1/handover/1 PASS",
                "9611/p1/retrieve/1 ERROR",
                "9611/p1/toggle/1 PASS",
                "9611/p1/shows-on/1 FAIL",
                "9611/p1/same/1 FAIL",
            ],
        );
        let d = diff(&base, &cand);
        assert_eq!(
            listed(&d),
            [
                "regression 9611 p1 shows-on PASS>FAIL",
                "fix 9611 p1 toggle FAIL>PASS",
                "changed 9611 p1 retrieve PASS>ERROR",
                "changed 9611 p1 handover SKIP>PASS",
                "added 9611 p1 new ->FAIL",
                "removed 9611 p1 gone PASS>-",
            ]
        );
        assert_eq!((d.unchanged, d.still_failing), (2, 1));
        assert!(d.has_regressions());
        // Swapped: regressions and fixes trade places, added and removed too.
        assert_eq!(
            listed(&diff(&cand, &base)),
            [
                "regression 9611 p1 toggle PASS>FAIL",
                "fix 9611 p1 shows-on FAIL>PASS",
                "changed 9611 p1 handover PASS>SKIP",
                "changed 9611 p1 retrieve ERROR>PASS",
                "added 9611 p1 gone ->PASS",
                "removed 9611 p1 new FAIL>-",
            ]
        );
    }

    #[test]
    fn a_run_against_itself_lists_nothing() {
        let r = rows(
            "b",
            &["9611/p1/a/1 PASS", "9611/p1/b/1 FAIL", "VCE//a/1 SKIP"],
        );
        let d = diff(&r, &r);
        assert!(d.entries.is_empty());
        assert_eq!((d.unchanged, d.still_failing), (3, 1));
    }

    #[test]
    fn attempts_combine_and_one_failed_attempt_is_a_regression() {
        let base = rows(
            "b",
            &["9611/p1/a/1 PASS", "9611/p1/a/2 PASS", "9611/p1/a/3 PASS"],
        );
        let cand = rows(
            "b",
            &["9611/p1/a/1 PASS", "9611/p1/a/2 FAIL", "9611/p1/a/3 ERROR"],
        );
        let d = diff(&base, &cand);
        assert_eq!(listed(&d), ["regression 9611 p1 a PASS>FAIL"]);
        let side = d.entries[0].candidate.as_ref().unwrap();
        assert_eq!((side.rows, side.deciding), (3, 1));
        assert_eq!(
            side.message, "9611/p1/a/2 FAIL",
            "the deciding row's message"
        );
        assert_eq!(side.label(), "FAIL 1/3");
    }

    #[test]
    fn positions_pair_by_id_and_the_rest_compare_as_a_family() {
        // p1 on both; the base's p2 and the candidate's p3 are the family's other phones.
        let base = rows("b", &["9611/p1/a/1 PASS", "9611/p2/a/1 PASS"]);
        let cand = rows("b", &["9611/p1/a/1 PASS", "9611/p3/a/1 FAIL"]);
        assert_eq!(
            listed(&diff(&base, &cand)),
            ["regression 9611 p2 -> p3 a PASS>FAIL"]
        );
        // A position one run has and the other has not, with the case on both.
        let cand = rows("b", &["9611/p1/a/1 PASS"]);
        assert_eq!(listed(&diff(&base, &cand)), ["removed 9611 p2 a PASS>-"]);
    }

    #[test]
    fn the_same_position_id_on_another_bench_is_another_phone() {
        let base = rows("lab1", &["9611/p1/a/1 PASS"]);
        let mut cand = rows("lab1", &["9611/p1/a/1 PASS"]);
        cand.extend(rows("lab2", &["9611/p1/a/1 FAIL"]));
        assert_eq!(listed(&diff(&base, &cand)), ["added 9611 lab2:p1 a ->FAIL"]);
    }

    #[test]
    fn the_text_and_csv_listings() {
        let base = rows("b", &["9611/p1/a/1 PASS", "9611/p1/b/1 PASS"]);
        let cand = rows("b", &["9611/p1/a/1 FAIL", "9611/p1/b/1 PASS"]);
        let d = diff(&base, &cand);
        let name = |dir: &str, fw: &str| RunName {
            dir: dir.into(),
            run_id: format!("id-{dir}"),
            firmware: fw.into(),
        };
        let text = render_text(&name("A", "fw1"), &name("B", "fw2"), &d);
        assert!(
            text.starts_with(
                "base       A  firmware fw1  (run id-A)\ncandidate  B  firmware fw2  (run id-B)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("regressions (PASS in base, FAIL in candidate): 1\n"),
            "{text}"
        );
        assert!(
            text.contains("  9611    p1        a     S4       PASS  FAIL       9611/p1/a/1 FAIL\n"),
            "{text}"
        );
        assert!(
            text.contains("fixes (FAIL in base, PASS in candidate): 0\n"),
            "{text}"
        );
        assert!(text.ends_with("1 regressions, 0 fixes, 0 changed, 0 added, 0 removed; 1 unchanged (0 still FAIL)\n"), "{text}");
        let csv = render_csv(&d).unwrap();
        assert_eq!(
            csv,
            "change,family,position,case,clauses,base,candidate,candidate_message\n\
             regression,9611,p1,a,S4,PASS,FAIL,9611/p1/a/1 FAIL\n"
        );
    }
}
