//! Joining report folders from several benches into one report set (`rig report merge`):
//! every row of every input, as written, and one run record listing the inputs'.

use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

use super::csv_file::CSV_COLUMNS;
use super::read::{distinct, ms_since, parse_time, ReportFolder, ReportRow};
use super::run_json::{Counts, RunRecord, Source, GIT_REVISION};
use crate::runner::Tally;
use crate::source::{InputError, InputErrors};

/// Conflicts reported in full before the rest are only counted.
const MAX_CONFLICTS: usize = 10;

/// The merged report set, ready to write.
#[derive(Debug, Clone)]
pub struct Merged {
    pub record: RunRecord,
    /// Every input's rows in input order, `started_ms` counted from the merged start.
    pub rows: Vec<ReportRow>,
}

/// Merge `inputs`. The same run given twice, or two inputs with a row for the same bench,
/// position, case and attempt, is bad input: which row to keep is not ours to guess.
pub fn merge(inputs: &[ReportFolder]) -> Result<Merged, InputErrors> {
    same_run_twice(inputs)?;
    same_suite_spec_and_firmware(inputs)?;
    conflicting_rows(inputs)?;
    let records: Vec<RunRecord> = inputs.iter().map(record_of).collect();
    let mut rows: Vec<ReportRow> = inputs.iter().flat_map(|f| f.rows.clone()).collect();
    let mut record = merged_record(records, &rows);
    let mut first_row = 1;
    for f in inputs {
        record.sources.push(Source {
            bench: record_of(f).bench,
            folder: f.dir.clone(),
            run_id: f.run_id(),
            rows: f.rows.len(),
            first_row,
        });
        first_row += f.rows.len();
    }
    // One clock for the whole set: each row's start from the earliest run's.
    if let Some(origin) = parse_time(&record.started_at) {
        for r in &mut rows {
            r.result.started_ms = parse_time(r.started_at()).map_or(0.0, |t| ms_since(origin, t));
        }
    }
    Ok(Merged { record, rows })
}

/// The runs a folder holds: its rows' run ids, and its own unless it is a merged set
/// (whose `merged-<n>-runs` id names no run).
fn run_ids(f: &ReportFolder) -> Vec<String> {
    let mut ids = distinct(f.rows.iter().map(ReportRow::run_id));
    if let Some(r) = f.record.as_ref().filter(|r| r.merged_from.is_empty()) {
        if !ids.contains(&r.run_id) {
            ids.push(r.run_id.clone());
        }
    }
    ids
}

fn same_run_twice(inputs: &[ReportFolder]) -> Result<(), InputError> {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for f in inputs {
        for id in run_ids(f) {
            if let Some(first) = seen.get(&id) {
                return Err(InputError {
                    path: f.dir.clone(),
                    line: None,
                    message: format!(
                        "run `{id}` is also in {}: the same run is given twice",
                        first.display()
                    ),
                });
            }
            seen.insert(id, &f.dir);
        }
    }
    Ok(())
}

/// A merged report is one certification only if every bench ran the same suite, the same
/// spec files and the same firmware: the first input is the reference, and every other
/// that differs is named with the file (or label) that differs. Files are compared by the
/// digests in run.json (an input without one is compared by its rows' firmware only).
fn same_suite_spec_and_firmware(inputs: &[ReportFolder]) -> Result<(), InputErrors> {
    let Some(first) = inputs.first() else {
        return Ok(());
    };
    let name = |f: &ReportFolder| format!("bench `{}` ({})", record_of(f).bench, f.dir.display());
    let digests = |f: &ReportFolder| -> Vec<(String, Option<String>)> {
        f.record
            .iter()
            .flat_map(|r| &r.files)
            .filter(|i| i.role == "suite" || i.role.starts_with("spec:"))
            .map(|i| (i.role.clone(), i.sha256.clone()))
            .collect()
    };
    let (first_fw, first_files) = (first.firmware(), digests(first));
    let mut problems = Vec::new();
    for f in &inputs[1..] {
        let fw = f.firmware();
        if fw != first_fw {
            problems.push(InputError {
                path: f.dir.join("results.csv"),
                line: None,
                message: format!(
                    "{} tested firmware `{fw}`, {} tested `{first_fw}`: one certification covers one firmware",
                    name(f),
                    name(first)
                ),
            });
        }
        for (role, digest) in digests(f) {
            let Some((_, theirs)) = first_files.iter().find(|(r, _)| *r == role) else {
                continue;
            };
            if digest.is_some() && theirs.is_some() && digest != *theirs {
                let file = f
                    .record
                    .iter()
                    .flat_map(|r| &r.files)
                    .find(|i| i.role == role)
                    .map(|i| i.path.display().to_string())
                    .unwrap_or_default();
                problems.push(InputError {
                    path: f.dir.join("run.json"),
                    line: None,
                    message: format!(
                        "{} ran another {} ({file}, sha256 {}…) than {} ({}…): a merged report rests on one suite and one spec",
                        name(f),
                        role.replace("spec:", "spec file "),
                        short(digest.as_deref()),
                        name(first),
                        short(theirs.as_deref())
                    ),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(problems))
    }
}

fn short(digest: Option<&str>) -> &str {
    digest.map_or("?", |d| &d[..d.len().min(12)])
}

/// A row's identity across benches.
type RowKey<'a> = (&'a str, &'a str, &'a str, u32);

fn conflicting_rows(inputs: &[ReportFolder]) -> Result<(), InputErrors> {
    let mut seen: HashMap<RowKey, (&Path, usize)> = HashMap::new();
    let mut problems = Vec::new();
    let mut more = 0;
    for f in inputs {
        let path = f.dir.join("results.csv");
        for row in &f.rows {
            let r = &row.result;
            let key = (row.bench(), r.position.as_str(), r.case.as_str(), r.attempt);
            let Some((first, line)) = seen.get(&key) else {
                seen.insert(key, (&f.dir, row.line));
                continue;
            };
            if problems.len() == MAX_CONFLICTS {
                more += 1;
                continue;
            }
            let position = if r.position.is_empty() {
                "off-bench".to_string()
            } else {
                format!("position `{}`", r.position)
            };
            problems.push(InputError {
                path: path.clone(),
                line: Some(row.line),
                message: format!(
                    "bench `{}` {position} case `{}` attempt {} is also in {}:{line}",
                    row.bench(),
                    r.case,
                    r.attempt,
                    first.join("results.csv").display()
                ),
            });
        }
    }
    if more > 0 {
        problems.push(InputError {
            path: inputs.last().map(|f| f.dir.clone()).unwrap_or_default(),
            line: None,
            message: format!("{more} more rows in conflict"),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(problems))
    }
}

/// A folder's run record: its run.json, else what its rows say (a run killed before it
/// could write run.json, or one from before run.json existed). What the rows cannot say
/// is `unknown`.
pub(crate) fn record_of(f: &ReportFolder) -> RunRecord {
    if let Some(r) = &f.record {
        return r.clone();
    }
    let times = f.rows.iter().map(ReportRow::started_at);
    let mut tally = Tally::default();
    for r in &f.rows {
        tally.add(r.result.verdict);
    }
    RunRecord {
        run_id: f.run_id(),
        rig_version: "unknown".into(),
        git_revision: "unknown".into(),
        host: "unknown".into(),
        bench: one_or_mixed(distinct(f.rows.iter().map(ReportRow::bench))),
        firmware: f.firmware(),
        labels: Default::default(),
        started_at: earliest(times.clone()).unwrap_or_default(),
        ended_at: latest(times).unwrap_or_default(),
        bench_time_ms: 0.0,
        virtual_time: false,
        seed: None,
        repeat: f.rows.iter().map(|r| r.result.attempt).max().unwrap_or(1),
        interrupted: false,
        files: Vec::new(),
        tally: tally.into(),
        schedule: None,
        certification: None,
        merged_from: Vec::new(),
        sources: Vec::new(),
    }
}

/// The record of the merged set: `merged-<n>-runs`, spanning the earliest start to the
/// latest end, with the inputs' records in `merged_from`. Version and revision are this
/// rig's (it wrote the set); the rest is the inputs' where they agree.
pub(crate) fn merged_record(records: Vec<RunRecord>, rows: &[ReportRow]) -> RunRecord {
    let mut tally = Tally::default();
    for r in rows {
        tally.add(r.result.verdict);
    }
    let mut files = Vec::new();
    for f in records.iter().flat_map(|r| &r.files) {
        if !files.contains(f) {
            files.push(f.clone());
        }
    }
    let first = records.first();
    let labels = first
        .map(|r| r.labels.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| records.iter().all(|r| r.labels.get(k) == Some(v)))
        .collect();
    let seed = first
        .and_then(|r| r.seed)
        .filter(|s| records.iter().all(|r| r.seed == Some(*s)));
    let each = |f: fn(&RunRecord) -> &str| one_or_mixed(distinct(records.iter().map(f)));
    RunRecord {
        run_id: format!("merged-{}-runs", records.len()),
        rig_version: env!("CARGO_PKG_VERSION").into(),
        git_revision: GIT_REVISION.into(),
        host: each(|r| &r.host),
        bench: each(|r| &r.bench),
        firmware: each(|r| &r.firmware),
        labels,
        started_at: earliest(records.iter().map(|r| r.started_at.as_str())).unwrap_or_default(),
        ended_at: latest(records.iter().map(|r| r.ended_at.as_str())).unwrap_or_default(),
        bench_time_ms: records.iter().map(|r| r.bench_time_ms).sum(),
        virtual_time: !records.is_empty() && records.iter().all(|r| r.virtual_time),
        seed,
        repeat: records.iter().map(|r| r.repeat).max().unwrap_or(1),
        interrupted: records.iter().any(|r| r.interrupted),
        files,
        tally: Counts::from(tally),
        schedule: None,
        certification: None,
        merged_from: records,
        sources: Vec::new(),
    }
}

/// The one value, or `mixed: a, b` when the inputs differ.
fn one_or_mixed(values: Vec<String>) -> String {
    match values.len() {
        0 => "unknown".into(),
        1 => values[0].clone(),
        _ => format!("mixed: {}", values.join(", ")),
    }
}

fn earliest<'a>(times: impl Iterator<Item = &'a str>) -> Option<String> {
    extreme(times, |a, b| a < b)
}

fn latest<'a>(times: impl Iterator<Item = &'a str>) -> Option<String> {
    extreme(times, |a, b| a > b)
}

/// The time string whose time beats every other's; unreadable times are passed over.
fn extreme<'a>(
    times: impl Iterator<Item = &'a str>,
    beats: fn(SystemTime, SystemTime) -> bool,
) -> Option<String> {
    let mut best: Option<(SystemTime, &str)> = None;
    for s in times {
        let Some(t) = parse_time(s) else { continue };
        if best.is_none_or(|(b, _)| beats(t, b)) {
            best = Some((t, s));
        }
    }
    best.map(|(_, s)| s.to_string())
}

/// Write `dir/results.csv` with every row as it was written: the contract columns, then
/// any later columns the inputs had (empty where an input had not).
pub fn write_results(dir: &Path, rows: &[ReportRow]) -> Result<(), super::ReportError> {
    let path = dir.join("results.csv");
    let extra = distinct(
        rows.iter()
            .flat_map(|r| r.extra.iter().map(|(n, _)| n.as_str())),
    );
    let write = || -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(
            CSV_COLUMNS
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str)),
        )?;
        for r in rows {
            let extras = extra.iter().map(|name| {
                r.extra
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or("", |(_, v)| v.as_str())
            });
            w.write_record(r.columns.iter().map(String::as_str).chain(extras))?;
        }
        super::csv_file::into_bytes(w)
    };
    let bytes = write().map_err(|reason| super::ReportError::Csv {
        path: path.clone(),
        reason,
    })?;
    super::write_whole(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::read::read_results;

    const HEADER: &str = "run_id,bench,position,model,family,firmware,case,clauses,verdict,expected,observed,measured,unit,attempt,started_at,bench_time_ms,message";

    /// A report folder of `run` on `bench` with rows `position/case/attempt VERDICT`.
    fn folder(
        tmp: &tempfile::TempDir,
        run: &str,
        bench: &str,
        fw: &str,
        start: &str,
        rows: &[&str],
    ) -> ReportFolder {
        let dir = tmp.path().join(run);
        std::fs::create_dir(&dir).unwrap();
        let mut csv = HEADER.to_string();
        for r in rows {
            let (id, verdict) = r.split_once(' ').unwrap();
            let p: Vec<&str> = id.split('/').collect();
            csv += &format!(
                "\n{run},{bench},{},M,9611,{fw},{},S4,{verdict},,,12.5,ms,{},{start},10,msg",
                p[0], p[1], p[2]
            );
        }
        std::fs::write(dir.join("results.csv"), csv + "\n").unwrap();
        ReportFolder::load(&dir).unwrap()
    }

    fn with_record(mut f: ReportFolder, labels: &[(&str, &str)], end: &str) -> ReportFolder {
        let mut r = record_of(&f);
        r.host = "h".into();
        r.ended_at = end.into();
        r.bench_time_ms = 1000.0;
        r.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r.files = vec![crate::report::run_json::InputFile {
            role: "suite".into(),
            path: "s.toml".into(),
            sha256: Some("ab".into()),
        }];
        f.record = Some(r);
        f
    }

    #[test]
    fn the_merged_record_spans_the_runs_and_lists_them() {
        let tmp = tempfile::tempdir().unwrap();
        let a = with_record(
            folder(
                &tmp,
                "ra",
                "lab1",
                "fw1",
                "2026-12-01T10:00:05Z",
                &["p1/a/1 PASS", "p1/b/1 FAIL"],
            ),
            &[("ipo", "12.1"), ("who", "ann")],
            "2026-12-01T11:00:00Z",
        );
        let b = with_record(
            folder(
                &tmp,
                "rb",
                "lab2",
                "fw1",
                "2026-12-01T09:00:00Z",
                &["p1/a/1 PASS"],
            ),
            &[("ipo", "12.1"), ("who", "bob")],
            "2026-12-01T10:30:00Z",
        );
        let m = merge(&[a.clone(), b.clone()]).unwrap();
        let r = &m.record;
        assert_eq!(r.run_id, "merged-2-runs");
        assert_eq!(r.firmware, "fw1");
        assert_eq!(r.bench, "mixed: lab1, lab2");
        assert_eq!(r.host, "h");
        assert_eq!(r.started_at, "2026-12-01T09:00:00Z");
        assert_eq!(r.ended_at, "2026-12-01T11:00:00Z");
        assert_eq!((r.tally.pass, r.tally.fail), (2, 1));
        assert_eq!(r.files.len(), 1, "the same file once");
        assert_eq!(
            r.labels.len(),
            1,
            "only the labels all runs share: {:?}",
            r.labels
        );
        assert_eq!(r.bench_time_ms, 2000.0);
        assert_eq!(r.merged_from, [a.record.unwrap(), b.record.unwrap()]);
        assert_eq!(m.rows.len(), 3);
        // Rows on the merged clock: run a started an hour and 5 s after run b.
        assert_eq!(m.rows[0].result.started_ms, 3_605_000.0);
        assert_eq!(m.rows[2].result.started_ms, 0.0);
    }

    #[test]
    fn the_same_firmware_everywhere_is_named_once() {
        let tmp = tempfile::tempdir().unwrap();
        let a = folder(
            &tmp,
            "ra",
            "lab1",
            "fw",
            "2026-12-01T10:00:00Z",
            &["p1/a/1 PASS"],
        );
        let b = folder(
            &tmp,
            "rb",
            "lab2",
            "fw",
            "2026-12-01T10:00:00Z",
            &["p1/a/1 PASS"],
        );
        let r = merge(&[a, b]).unwrap().record;
        assert_eq!(r.firmware, "fw");
        assert_eq!(
            r.merged_from[0].host, "unknown",
            "no run.json: rebuilt from the rows"
        );
        assert_eq!(r.merged_from[0].run_id, "ra");
    }

    #[test]
    fn a_row_in_two_inputs_is_a_conflict_naming_both() {
        let tmp = tempfile::tempdir().unwrap();
        let a = folder(
            &tmp,
            "ra",
            "lab",
            "fw",
            "2026-12-01T10:00:00Z",
            &["p1/a/1 PASS", "p1/a/2 PASS"],
        );
        let b = folder(
            &tmp,
            "rb",
            "lab",
            "fw",
            "2026-12-01T10:00:00Z",
            &["p2/a/1 PASS", "p1/a/2 FAIL"],
        );
        let e = merge(&[a.clone(), b.clone()]).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}:3: bench `lab` position `p1` case `a` attempt 2 is also in {}:3",
                b.dir.join("results.csv").display(),
                a.dir.join("results.csv").display()
            )
        );
        // The same run twice is said to be so.
        let e = merge(&[a.clone(), a.clone()]).unwrap_err().to_string();
        let want = format!(
            "run `ra` is also in {}: the same run is given twice",
            a.dir.display()
        );
        assert!(e.ends_with(&want), "{e}");
    }

    #[test]
    fn rows_are_written_back_as_read_with_later_columns_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = folder(
            &tmp,
            "ra",
            "lab",
            "fw",
            "2026-12-01T10:00:00.123Z",
            &["p1/a/1 PASS"],
        );
        a.rows[0].extra = vec![("later".into(), "x".into())];
        let b = folder(
            &tmp,
            "rb",
            "lab",
            "fw",
            "2026-12-01T10:00:00Z",
            &["p2/a/1 FAIL"],
        );
        let m = merge(&[a.clone(), b]).unwrap();
        let out = tempfile::tempdir().unwrap();
        write_results(out.path(), &m.rows).unwrap();
        let text = std::fs::read_to_string(out.path().join("results.csv")).unwrap();
        assert!(text.starts_with(&format!("{HEADER},later\n")), "{text}");
        assert!(
            text.contains(",12.5,ms,1,2026-12-01T10:00:00.123Z,10,msg,x\n"),
            "{text}"
        );
        assert!(text.ends_with(",10,msg,\n"), "{text}");
        let back = read_results(&out.path().join("results.csv"), None).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].columns, a.rows[0].columns);
    }
}
