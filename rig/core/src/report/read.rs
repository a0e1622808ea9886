//! Reading a report folder back (`rig report diff` and `merge`): `results.csv` into rows,
//! `run.json` if there is one, and the FAIL rows' traces from `traces/`.
//!
//! Every fault is bad input naming the file and the line: a report folder may have been
//! archived, edited in a spreadsheet, or cut short by a killed run.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::csv_file::CSV_COLUMNS;
use super::run_json::RunRecord;
use super::traces::{bench_trace_file, read_trace_file, trace_file};
use crate::runner::{CaseResult, Verdict};
use crate::source::{InputError, InputErrors, SourceText};

/// Bad rows reported in full before the rest are only counted (a file that is not a
/// report at all would otherwise print one error per line).
const MAX_ROW_ERRORS: usize = 20;

/// One row of a `results.csv` as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// The contract columns as written, in [`CSV_COLUMNS`] order: a merge writes them
    /// back unchanged.
    pub(crate) columns: Vec<String>,
    /// Columns after the contract's (added by later versions), name and value.
    pub(crate) extra: Vec<(String, String)>,
    /// The 1-based line the row starts on.
    pub line: usize,
    pub result: CaseResult,
}

impl ReportRow {
    pub(crate) fn run_id(&self) -> &str {
        self.column("run_id")
    }

    pub fn bench(&self) -> &str {
        self.column("bench")
    }

    pub(crate) fn firmware(&self) -> &str {
        self.column("firmware")
    }

    pub(crate) fn started_at(&self) -> &str {
        self.column("started_at")
    }

    /// A contract column's text as written.
    pub(crate) fn column(&self, name: &str) -> &str {
        CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.columns.get(i))
            .map_or("", String::as_str)
    }
}

/// A report folder read back.
#[derive(Debug, Clone)]
pub struct ReportFolder {
    pub dir: PathBuf,
    /// `run.json`, when the run got far enough to write it.
    pub record: Option<RunRecord>,
    pub rows: Vec<ReportRow>,
}

impl ReportFolder {
    /// Read `dir/results.csv`, `dir/run.json` if present, and the traces of `dir/traces/`.
    pub fn load(dir: &Path) -> Result<Self, InputErrors> {
        if !dir.is_dir() {
            return Err(InputError {
                path: dir.to_path_buf(),
                line: None,
                message: "no such report folder".into(),
            }
            .into());
        }
        let record = load_record(dir)?;
        let origin = match &record {
            Some(r) => Some(record_start(dir, r)?),
            None => None,
        };
        let mut rows = read_results(&dir.join("results.csv"), origin)?;
        attach_traces(dir, &mut rows)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            record,
            rows,
        })
    }

    /// The firmware under test: run.json's label, else the rows' (all of them, if they
    /// differ), else `unknown`.
    pub fn firmware(&self) -> String {
        if let Some(r) = &self.record {
            return r.firmware.clone();
        }
        let names = distinct(self.rows.iter().map(ReportRow::firmware));
        if names.is_empty() {
            "unknown".into()
        } else {
            names.join(", ")
        }
    }

    /// The run id: run.json's, else the rows' (all of them, if they differ).
    pub fn run_id(&self) -> String {
        match &self.record {
            Some(r) => r.run_id.clone(),
            None => distinct(self.rows.iter().map(ReportRow::run_id)).join(", "),
        }
    }
}

/// The distinct non-empty values, in order of first appearance.
pub fn distinct<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

/// `dir/run.json` if it exists; a file that is there but unreadable is bad input.
fn load_record(dir: &Path) -> Result<Option<RunRecord>, InputError> {
    let path = dir.join("run.json");
    if !path.exists() {
        return Ok(None);
    }
    let src = SourceText::read(&path)?;
    serde_json::from_str(&src.text)
        .map(Some)
        .map_err(|e| InputError {
            path,
            line: Some(e.line()).filter(|&l| l > 0),
            message: format!("not a run record: {e}"),
        })
}

/// The wall time a run started, from its record.
fn record_start(dir: &Path, r: &RunRecord) -> Result<SystemTime, InputError> {
    parse_time(&r.started_at).ok_or_else(|| InputError {
        path: dir.join("run.json"),
        line: None,
        message: format!("started_at `{}` is not an RFC 3339 time", r.started_at),
    })
}

/// An RFC 3339 time as the reports write it (`2026-12-01T15:30:00.123Z`).
pub(crate) fn parse_time(s: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(s.trim()).ok()
}

/// Milliseconds from `origin` to `t` (negative when `t` is earlier).
pub(crate) fn ms_since(origin: SystemTime, t: SystemTime) -> f64 {
    match t.duration_since(origin) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        Err(e) => -e.duration().as_secs_f64() * 1000.0,
    }
}

/// Read a `results.csv`. Columns are found by name, so later versions may add some;
/// `origin` is the run's start, for each row's `started_ms` (0 when unknown). Refused,
/// each as `FILE:LINE: reason`: a row with another column count than the header's, a bad
/// value, a last line without its line end (cut short), and a row whose bench, position,
/// family, case and attempt an earlier row already has (written twice).
pub fn read_results(
    path: &Path,
    origin: Option<SystemTime>,
) -> Result<Vec<ReportRow>, InputErrors> {
    let src = SourceText::read(path)?;
    let (whole, cut) = whole_lines(&src);
    if let (true, Some(e)) = (whole.is_empty(), &cut) {
        return Err(e.clone().into());
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(whole.as_bytes());
    let header = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    let columns = Columns::find(&header).map_err(|m| InputError {
        path: path.to_path_buf(),
        line: Some(1),
        message: m.to_string(),
    })?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut more = 0;
    for record in reader.records() {
        let row = record.map_err(|e| csv_error(path, &e)).and_then(|rec| {
            columns
                .row(&rec, origin)
                .map_err(|m| row_error(path, &rec, m))
        });
        match row {
            Ok(r) => rows.push(r),
            Err(e) if problems.len() < MAX_ROW_ERRORS => problems.push(e),
            Err(_) => more += 1,
        }
    }
    for e in written_twice(path, &rows).into_iter().chain(cut) {
        if problems.len() < MAX_ROW_ERRORS {
            problems.push(e);
        } else {
            more += 1;
        }
    }
    if more > 0 {
        problems.push(InputError {
            path: path.to_path_buf(),
            line: None,
            message: format!("{more} more bad rows"),
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(InputErrors(problems))
    }
}

/// The file up to its last line end, and an error for a last line without one: the rig
/// ends every row with a line end, so a file that does not end with one was cut short
/// mid-row (a killed or failed write) and its last row cannot be trusted.
fn whole_lines(src: &SourceText) -> (&str, Option<InputError>) {
    let text = src.text.as_str();
    if text.is_empty() || text.ends_with('\n') {
        return (text, None);
    }
    let end = text.rfind('\n').map_or(0, |i| i + 1);
    let e = src.error(
        Some(end..end),
        "the last line has no line end: the file was cut short mid-row (a killed run or a failed write)",
    );
    (&text[..end], Some(e))
}

/// A row's identity in one results.csv: bench, position, family (off-bench rows have no
/// position), case and attempt.
type RowKey<'a> = (&'a str, &'a str, &'a str, &'a str, u32);

/// Rows whose identity an earlier row already has: the rig writes each case and attempt
/// once, so a second one is a file written twice (or two files joined), and which row
/// is the truth is not ours to guess.
fn written_twice(path: &Path, rows: &[ReportRow]) -> Vec<InputError> {
    let mut seen: std::collections::HashMap<RowKey, usize> = Default::default();
    let mut problems = Vec::new();
    for row in rows {
        let r = &row.result;
        let key = (
            row.bench(),
            r.position.as_str(),
            r.family.as_str(),
            r.case.as_str(),
            r.attempt,
        );
        let Some(first) = seen.get(&key) else {
            seen.insert(key, row.line);
            continue;
        };
        let position = if r.position.is_empty() {
            format!("off-bench family `{}`", r.family)
        } else {
            format!("position `{}`", r.position)
        };
        problems.push(InputError {
            path: path.to_path_buf(),
            line: Some(row.line),
            message: format!(
                "bench `{}` {position} case `{}` attempt {} is also on line {first}: a row written twice",
                row.bench(),
                r.case,
                r.attempt
            ),
        });
    }
    problems
}

fn row_error(path: &Path, rec: &csv::StringRecord, e: FieldError) -> InputError {
    InputError {
        path: path.to_path_buf(),
        line: rec.position().map(|p| p.line() as usize),
        message: e.to_string(),
    }
}

/// What is wrong with a results.csv header or row (reported as `FILE:LINE: …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FieldError {
    /// The header lacks contract columns.
    #[error("not a results.csv header: no column {}", .0.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))]
    MissingColumns(Vec<&'static str>),
    #[error("`{0}` is empty")]
    Empty(&'static str),
    #[error("verdict `{0}` is not PASS, FAIL, ERROR, SKIP or MANUAL")]
    Verdict(String),
    #[error("attempt `{0}` is not a whole number from 1")]
    Attempt(String),
    #[error("{column} `{text}` is not a number")]
    Number { column: &'static str, text: String },
    #[error("started_at `{0}` is not an RFC 3339 time")]
    StartedAt(String),
}

/// A CSV syntax error (a row with the wrong number of fields, bytes that are not UTF-8).
fn csv_error(path: &Path, e: &csv::Error) -> InputError {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields, the header has {expected_len}"),
        _ => e.to_string(),
    };
    InputError {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Where each column is in a file's header.
struct Columns {
    /// Index of each contract column, in [`CSV_COLUMNS`] order.
    contract: Vec<usize>,
    /// Later columns: index and name.
    extra: Vec<(usize, String)>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, FieldError> {
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        let missing: Vec<&'static str> = CSV_COLUMNS
            .iter()
            .copied()
            .filter(|c| !names.contains(c))
            .collect();
        if !missing.is_empty() {
            return Err(FieldError::MissingColumns(missing));
        }
        let contract = CSV_COLUMNS
            .iter()
            .map(|c| names.iter().position(|n| n == c).unwrap_or_default())
            .collect();
        let extra = names
            .iter()
            .enumerate()
            .filter(|(i, n)| !CSV_COLUMNS.contains(n) && names[..*i].iter().all(|m| m != *n))
            .map(|(i, n)| (i, n.to_string()))
            .collect();
        Ok(Self { contract, extra })
    }

    fn row(
        &self,
        rec: &csv::StringRecord,
        origin: Option<SystemTime>,
    ) -> Result<ReportRow, FieldError> {
        let columns: Vec<String> = self
            .contract
            .iter()
            .map(|&i| rec.get(i).unwrap_or_default().to_string())
            .collect();
        let get = |name: &str| -> &str {
            CSV_COLUMNS
                .iter()
                .position(|c| *c == name)
                .map_or("", |i| columns[i].as_str())
        };
        let result = CaseResult {
            position: get("position").to_string(),
            model: get("model").to_string(),
            family: required(get("family"), "family")?,
            case: required(get("case"), "case")?,
            clauses: get("clauses")
                .split_whitespace()
                .map(String::from)
                .collect(),
            verdict: parse_verdict(get("verdict"))?,
            expected: get("expected").to_string(),
            observed: get("observed").to_string(),
            measured: optional_number(get("measured"), "measured")?,
            unit: get("unit").to_string(),
            attempt: parse_attempt(get("attempt"))?,
            started_ms: started_ms(get("started_at"), origin)?,
            bench_time_ms: number(get("bench_time_ms"), "bench_time_ms")?,
            message: get("message").to_string(),
            trace: None,
        };
        let extra = self
            .extra
            .iter()
            .map(|(i, n)| (n.clone(), rec.get(*i).unwrap_or_default().to_string()))
            .collect();
        Ok(ReportRow {
            columns,
            extra,
            line: rec.position().map_or(0, |p| p.line() as usize),
            result,
        })
    }
}

fn required(v: &str, name: &'static str) -> Result<String, FieldError> {
    if v.trim().is_empty() {
        Err(FieldError::Empty(name))
    } else {
        Ok(v.to_string())
    }
}

pub(crate) fn parse_verdict(v: &str) -> Result<Verdict, FieldError> {
    [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Error,
        Verdict::Skip,
        Verdict::Manual,
    ]
    .into_iter()
    .find(|x| x.name() == v.trim())
    .ok_or_else(|| FieldError::Verdict(v.to_string()))
}

fn parse_attempt(v: &str) -> Result<u32, FieldError> {
    match v.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(FieldError::Attempt(v.to_string())),
    }
}

fn number(v: &str, name: &'static str) -> Result<f64, FieldError> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(FieldError::Number {
            column: name,
            text: v.to_string(),
        }),
    }
}

/// An empty `measured` is a case that measures nothing.
fn optional_number(v: &str, name: &'static str) -> Result<Option<f64>, FieldError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        number(v, name).map(Some)
    }
}

/// Bench ms since the run's start; 0 when the run's start is unknown.
fn started_ms(v: &str, origin: Option<SystemTime>) -> Result<f64, FieldError> {
    let t = parse_time(v).ok_or_else(|| FieldError::StartedAt(v.to_string()))?;
    Ok(origin.map_or(0.0, |o| ms_since(o, t)))
}

/// Attach each FAIL row's trace from `dir/traces/`, if it has one (only FAIL rows have
/// one: a file named like another row's is not its). A trace file that is there but
/// unreadable is bad input: the rig wrote it, so something damaged it.
fn attach_traces(dir: &Path, rows: &mut [ReportRow]) -> Result<(), InputError> {
    for row in rows
        .iter_mut()
        .filter(|r| r.result.verdict == Verdict::Fail)
    {
        // A merged report files each bench's traces under its own folder.
        let merged = dir.join(bench_trace_file(row.bench(), &row.result));
        let path = if merged.is_file() {
            merged
        } else {
            dir.join(trace_file(&row.result))
        };
        if path.is_file() {
            let trace = read_trace_file(&path)?;
            row.result.trace = Some(trace);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "run_id,bench,position,model,family,firmware,case,clauses,verdict,expected,observed,measured,unit,attempt,started_at,bench_time_ms,message";

    fn folder(csv: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("results.csv"), csv).unwrap();
        dir
    }

    fn row(verdict: &str, measured: &str, started_at: &str) -> String {
        format!("r1,b,p1,9611G,9611,fw,shows-on,S4 S16,{verdict},e,o,{measured},ms,1,{started_at},2500,\"a, message\"")
    }

    fn errors(dir: &Path) -> String {
        ReportFolder::load(dir).unwrap_err().to_string()
    }

    #[test]
    fn a_bad_field_says_which_and_why() {
        assert_eq!(parse_verdict(" FAIL "), Ok(Verdict::Fail));
        assert_eq!(parse_verdict("OK"), Err(FieldError::Verdict("OK".into())));
        assert_eq!(parse_attempt("0"), Err(FieldError::Attempt("0".into())));
        assert_eq!(
            number("inf", "bench_time_ms"),
            Err(FieldError::Number {
                column: "bench_time_ms",
                text: "inf".into()
            })
        );
        let header = csv::StringRecord::from(vec!["run_id", "bench", "verdict"]);
        let Err(FieldError::MissingColumns(missing)) = Columns::find(&header) else {
            panic!("a header without the contract columns is refused");
        };
        assert!(
            missing.contains(&"case") && !missing.contains(&"verdict"),
            "{missing:?}"
        );
    }

    #[test]
    fn rows_read_back_with_extra_columns_in_any_order() {
        // Columns matched by name: reordered, and one added by a later version.
        let csv = format!(
            "later,{}\nx,{}\n",
            HEADER.replace("run_id,bench", "bench,run_id"),
            row("FAIL", "10012", "1970-01-01T00:00:01.500Z").replacen("r1,b", "b,r1", 1)
        );
        let dir = folder(&csv);
        let f = ReportFolder::load(dir.path()).unwrap();
        assert!(f.record.is_none());
        let r = &f.rows[0];
        assert_eq!((r.run_id(), r.bench(), r.firmware()), ("r1", "b", "fw"));
        assert_eq!(r.extra, vec![("later".to_string(), "x".to_string())]);
        assert_eq!(r.line, 2);
        let c = &r.result;
        assert_eq!(c.clauses, ["S4", "S16"]);
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.measured, Some(10012.0));
        assert_eq!(c.started_ms, 0.0, "no run.json: the start is unknown");
        assert_eq!(c.bench_time_ms, 2500.0);
        assert_eq!(c.message, "a, message");
        assert_eq!(f.firmware(), "fw");
    }

    #[test]
    fn started_ms_counts_from_run_json_and_empty_measured_is_none() {
        let dir = folder(&format!(
            "{HEADER}\n{}\n",
            row("PASS", "", "2026-12-01T10:00:02.250Z")
        ));
        let json = serde_json::json!({
            "run_id": "r1", "rig_version": "0.1.0", "git_revision": "x", "host": "h",
            "bench": "b", "firmware": "from-json", "labels": {},
            "started_at": "2026-12-01T10:00:00.000Z", "ended_at": "2026-12-01T10:01:00.000Z",
            "bench_time_ms": 1.0, "virtual_time": true, "seed": 1, "repeat": 1,
            "interrupted": false, "files": [],
            "tally": {"pass": 1, "fail": 0, "error": 0, "skip": 0, "manual": 0}
        });
        std::fs::write(dir.path().join("run.json"), json.to_string()).unwrap();
        let f = ReportFolder::load(dir.path()).unwrap();
        assert_eq!(f.rows[0].result.started_ms, 2250.0);
        assert_eq!(f.rows[0].result.measured, None);
        assert_eq!(f.firmware(), "from-json");
        assert_eq!(f.run_id(), "r1");
    }

    #[test]
    fn every_bad_row_is_named_by_file_line_and_fault() {
        let csv = [
            HEADER.to_string(),
            row("PASS", "", "1970-01-01T00:00:00Z"),
            row("GOOD", "", "1970-01-01T00:00:00Z"),
            row("PASS", "12x", "1970-01-01T00:00:00Z"),
            row("PASS", "", "yesterday"),
            row("PASS", "", "1970-01-01T00:00:00Z").replace(",1,1970", ",0,1970"),
            "r1,b,p1,short".to_string(),
            row("PASS", "", "1970-01-01T00:00:00Z").replace("9611,fw,shows-on", "9611,fw,"),
        ]
        .join("\n")
            + "\n";
        let dir = folder(&csv);
        let e = errors(dir.path());
        let p = dir.path().join("results.csv");
        let p = p.display();
        for want in [
            format!("{p}:3: verdict `GOOD` is not PASS, FAIL, ERROR, SKIP or MANUAL"),
            format!("{p}:4: measured `12x` is not a number"),
            format!("{p}:5: started_at `yesterday` is not an RFC 3339 time"),
            format!("{p}:6: attempt `0` is not a whole number from 1"),
            format!("{p}:7: the row has 4 fields, the header has 17"),
            format!("{p}:8: `case` is empty"),
        ] {
            assert!(e.contains(&want), "wanted `{want}` in:\n{e}");
        }
        assert_eq!(e.lines().count(), 6, "{e}");
    }

    #[test]
    fn a_folder_that_is_not_a_report_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let e = errors(&dir.path().join("nope"));
        assert!(e.ends_with("nope: no such report folder"), "{e}");
        let e = errors(dir.path());
        assert!(e.contains("results.csv: cannot read"), "{e}");
        let dir = folder("a,b\n1,2\n");
        let e = errors(dir.path());
        assert!(
            e.contains("results.csv:1: not a results.csv header: no column `run_id`"),
            "{e}"
        );
        let dir = folder("");
        assert!(errors(dir.path()).contains("results.csv:1: not a results.csv header"));
        let dir = folder(&format!("{HEADER}\n"));
        std::fs::write(dir.path().join("run.json"), "{\n\"run_id\": 3\n}").unwrap();
        let e = errors(dir.path());
        assert!(e.contains("run.json:2: not a run record"), "{e}");
    }

    #[test]
    fn a_last_row_without_its_line_end_is_refused_as_cut_short() {
        let whole = row("PASS", "", "1970-01-01T00:00:00Z");
        // Cut in the last field: every column is there, only the line end is missing.
        let cut = &whole[..whole.len() - 3];
        let dir = folder(&format!("{HEADER}\n{whole}\n{cut}"));
        let p = dir.path().join("results.csv");
        assert_eq!(
            errors(dir.path()),
            format!(
                "{}:3: the last line has no line end: the file was cut short mid-row (a killed run or a failed write)",
                p.display()
            )
        );
        // Cut in the header: the same fault, not a header of the wrong shape.
        let dir = folder(&HEADER[..20]);
        assert!(errors(dir.path()).contains("results.csv:1: the last line has no line end"));
        // Whole rows, and the header alone, read.
        let dir = folder(&format!("{HEADER}\n{whole}\n"));
        assert_eq!(ReportFolder::load(dir.path()).unwrap().rows.len(), 1);
        let dir = folder(&format!("{HEADER}\n"));
        assert!(ReportFolder::load(dir.path()).unwrap().rows.is_empty());
    }

    #[test]
    fn a_row_written_twice_is_refused_naming_both_lines() {
        let a = row("PASS", "", "1970-01-01T00:00:00Z");
        let b = a.replace("shows-on", "toggle");
        let off = a.replacen(",p1,9611G,9611,", ",,1100,1100,", 1);
        let off2 = a.replacen(",p1,9611G,9611,", ",,1200,1200,", 1);
        // Two off-bench families (no position) with the same case are two rows.
        let once = format!("{HEADER}\n{a}\n{b}\n{off}\n{off2}\n");
        assert_eq!(
            ReportFolder::load(folder(&once).path()).unwrap().rows.len(),
            4
        );
        // The whole file twice: every row of the second copy is named.
        let twice = format!("{once}{a}\n{b}\n{off}\n{off2}\n");
        let dir = folder(&twice);
        let e = errors(dir.path());
        let p = dir.path().join("results.csv");
        let p = p.display();
        assert_eq!(
            e,
            [
                format!("{p}:6: bench `b` position `p1` case `shows-on` attempt 1 is also on line 2: a row written twice"),
                format!("{p}:7: bench `b` position `p1` case `toggle` attempt 1 is also on line 3: a row written twice"),
                format!("{p}:8: bench `b` off-bench family `1100` case `shows-on` attempt 1 is also on line 4: a row written twice"),
                format!("{p}:9: bench `b` off-bench family `1200` case `shows-on` attempt 1 is also on line 5: a row written twice"),
            ]
            .join("\n")
        );
    }

    #[test]
    fn many_bad_rows_are_cut_short() {
        let bad = row("NO", "", "1970-01-01T00:00:00Z");
        let csv = format!("{HEADER}\n{}\n", vec![bad; 50].join("\n"));
        let dir = folder(&csv);
        let e = errors(dir.path());
        assert_eq!(e.lines().count(), MAX_ROW_ERRORS + 1, "{e}");
        assert!(e.ends_with("30 more bad rows"), "{e}");
    }

    #[test]
    fn a_damaged_trace_is_bad_input_naming_it() {
        let dir = folder(&format!(
            "{HEADER}\n{}\n",
            row("FAIL", "", "1970-01-01T00:00:00Z")
        ));
        let traces = dir.path().join("traces");
        std::fs::create_dir(&traces).unwrap();
        std::fs::write(
            traces.join("p1_shows-on_1.csv"),
            "# light: twinning\nnot a trace\n",
        )
        .unwrap();
        let e = errors(dir.path());
        assert!(
            e.starts_with(&traces.join("p1_shows-on_1.csv").display().to_string()),
            "{e}"
        );
        assert_eq!(
            e.matches("p1_shows-on_1.csv").count(),
            1,
            "the file is named once: {e}"
        );
    }
}
