//! `DIR/results.csv`: one row per case and attempt, fixed leading columns.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::runner::{Event, Reporter, RunInfo};

/// The leading columns, in order (the contract; later columns may be added after).
pub const CSV_COLUMNS: [&str; 17] = [
    "run_id",
    "bench",
    "position",
    "model",
    "family",
    "firmware",
    "case",
    "clauses",
    "verdict",
    "expected",
    "observed",
    "measured",
    "unit",
    "attempt",
    "started_at",
    "bench_time_ms",
    "message",
];

pub struct CsvReport {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl CsvReport {
    /// Create `dir/results.csv` (and `dir`), writing the header at once.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("results.csv");
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(CSV_COLUMNS)?;
        writer.flush()?;
        Ok(Self { path, writer })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Reporter for CsvReport {
    fn event(&mut self, info: &RunInfo, event: &Event) -> anyhow::Result<()> {
        let Event::CaseFinished(r) = event else {
            return Ok(());
        };
        let measured = r.measured.map(|m| format!("{m:.0}")).unwrap_or_default();
        self.writer
            .write_record([
                info.run_id.as_str(),
                info.bench.as_str(),
                &r.position,
                &r.model,
                &r.family,
                &info.firmware,
                &r.case,
                &r.clauses.join(" "),
                r.verdict.name(),
                &r.expected,
                &r.observed,
                &measured,
                &r.unit,
                &r.attempt.to_string(),
                &super::wall_time(info.started_at, r.started_ms),
                &format!("{:.0}", r.bench_time_ms),
                &r.message,
            ])
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        // Flushed per row: a killed run keeps every finished case.
        self.writer
            .flush()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{CaseResult, Verdict};

    fn info() -> RunInfo {
        RunInfo {
            run_id: "r1".into(),
            bench: "b".into(),
            bench_path: "b.toml".into(),
            suite_path: "s.toml".into(),
            firmware: "fw, with comma".into(),
            started_at: std::time::SystemTime::UNIX_EPOCH,
            planned: 1,
            virtual_time: true,
            profile_path: None,
            calibration_path: None,
            seed: None,
            repeat: 1,
            labels: Vec::new(),
            spec_files: Vec::new(),
        }
    }

    fn row(case: &str) -> CaseResult {
        CaseResult {
            position: "p1".into(),
            model: "9611G".into(),
            family: "9611".into(),
            case: case.into(),
            clauses: vec!["S3".into(), "S4".into()],
            verdict: Verdict::Fail,
            expected: "twinning light: green steady".into(),
            observed: "twinning light: \"off\"".into(),
            measured: Some(10012.4),
            unit: "ms".into(),
            attempt: 1,
            started_ms: 1500.0,
            bench_time_ms: 2500.0,
            message: "m".into(),
            trace: None,
        }
    }

    #[test]
    fn every_finished_case_is_on_disk_before_the_next_event() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = CsvReport::create(dir.path()).unwrap();
        let path = r.path().to_path_buf();
        r.event(&info(), &Event::CaseFinished(row("a"))).unwrap();
        // The writer is still open (as in a run that is then killed): the row must be there.
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            rd.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_COLUMNS
        );
        let rows: Vec<_> = rd.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        let r0 = &rows[0];
        assert_eq!(&r0[5], "fw, with comma");
        assert_eq!(&r0[7], "S3 S4");
        assert_eq!(&r0[8], "FAIL");
        assert_eq!(&r0[10], "twinning light: \"off\"");
        assert_eq!(&r0[11], "10012");
        assert_eq!(&r0[14], "1970-01-01T00:00:01.500Z");
        assert_eq!(&r0[15], "2500");
        r.event(&info(), &Event::CaseFinished(row("b"))).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
    }
}
