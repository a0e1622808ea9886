//! The report set written beside `results.csv` when a run ends (finished or
//! interrupted): the reports built from every row of the run, and `run.json`.
//! `rig report merge` writes the same set from several runs' rows.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::certify::Certification;
use super::html::write_html;
use super::junit::write_junit;
use super::matrix::write_matrix;
use super::pass_rate::write_pass_rate;
use super::run_json::{RunRecord, ScheduleRecord};
use super::traces::write_traces;
use super::ReportError;
use crate::runner::{CaseResult, Event, Reporter, RunInfo};
use crate::spec::Spec;

/// Write every end-of-run report of `results` into `dir` (which exists): `traces/` with
/// the deciding trace of every FAIL, `junit.xml`, `matrix.csv`, `pass-rate.csv`,
/// `report.html`, and `run.json`. The spec gives the reports the family order of the
/// catalog and the clauses' texts. Each file is written whole or not at all, and one
/// that cannot be written does not keep the others from being tried (a full disk may
/// still take the small ones); the error names every file that failed, one a line.
pub fn write_report_set(
    dir: &Path,
    spec: &Spec,
    record: &RunRecord,
    results: &[CaseResult],
) -> Result<(), ReportError> {
    let failed: Vec<ReportError> = [
        write_traces(dir, results),
        write_junit(dir, record, results),
        write_matrix(dir, spec, results),
        write_pass_rate(dir, record.repeat, results),
        write_html(dir, spec, record, results),
        record.write(dir),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    match failed.len() {
        0 => Ok(()),
        1 => Err(failed.into_iter().next().expect("one")),
        _ => Err(ReportError::Files(failed)),
    }
}

/// Keeps every finished row and writes the report set when the run ends.
pub struct ReportSet {
    dir: PathBuf,
    spec: Spec,
    results: Vec<CaseResult>,
}

impl ReportSet {
    pub fn new(dir: &Path, spec: &Spec) -> Self {
        Self {
            dir: dir.to_path_buf(),
            spec: spec.clone(),
            results: Vec::new(),
        }
    }
}

impl Reporter for ReportSet {
    fn event(&mut self, info: &RunInfo, event: &Event) -> Result<(), ReportError> {
        match event {
            Event::CaseFinished(r) => self.results.push(r.clone()),
            Event::RunFinished {
                bench_time_ms,
                interrupted,
                report_failed,
                schedule,
                ..
            } => {
                // Counted from the rows kept: an interrupted run's summary is empty, its
                // rows are not.
                let mut tally = crate::runner::Tally::default();
                for r in &self.results {
                    tally.add(r.verdict);
                }
                // A run stopped by a report it could not write did not end either.
                let ended_early = *interrupted || *report_failed;
                let mut record =
                    RunRecord::of_run(info, SystemTime::now(), *bench_time_ms, ended_early, tally);
                if !ended_early {
                    record.schedule = ScheduleRecord::of(schedule, *bench_time_ms);
                }
                record.certification = info.certify.as_ref().map(|scope| {
                    Certification::judge(scope, &self.results, info.repeat, ended_early)
                });
                write_report_set(&self.dir, &self.spec, &record, &self.results)?;
            }
            _ => {}
        }
        Ok(())
    }
}
