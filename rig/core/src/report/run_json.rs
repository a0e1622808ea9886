//! `run.json`: what produced a report set, so an archived report can be trusted and
//! reproduced: the rig's version and git revision, the host, start and end, the firmware
//! labels, and a SHA-256 of every input file (bench, suite, profile, calibration, spec).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReportError;
use crate::runner::{RunInfo, ScheduleFigures, Tally};

/// The rig's git revision at build time (`-dirty` with uncommitted changes).
pub(crate) const GIT_REVISION: &str = env!("RIG_GIT_REVISION");

/// The contents of `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    pub(crate) rig_version: String,
    pub(crate) git_revision: String,
    pub(crate) host: String,
    pub(crate) bench: String,
    /// The firmware under test as labelled (`--firmware`, else `sim:<profile>`).
    pub firmware: String,
    /// `--label KEY=VALUE` pairs.
    pub(crate) labels: BTreeMap<String, String>,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub(crate) ended_at: String,
    /// Bench time the run covered (virtual on a simulated bench), ms.
    pub(crate) bench_time_ms: f64,
    pub(crate) virtual_time: bool,
    /// The simulated sensors' noise seed; `None` on real hardware.
    pub(crate) seed: Option<u64>,
    pub(crate) repeat: u32,
    pub interrupted: bool,
    pub(crate) files: Vec<InputFile>,
    pub tally: Counts,
    /// The run's bench time against its lower bound (absent for a run that did not end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schedule: Option<ScheduleRecord>,
    /// The certification of a run that certifies (`--repeat N`, `--certify`): what was
    /// checked and whether it passed (`super::certify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification: Option<super::certify::Certification>,
    /// For a merged report set (`rig report merge`): the runs it joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<RunRecord>,
    /// For a merged report set: which bench's folder produced which rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// A run's bench time against the least any order of its cases could take (run.json
/// `schedule`; `crate::schedule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScheduleRecord {
    /// The lower bound from the expected durations, computed before the run, ms.
    pub(crate) planned_bound_ms: f64,
    pub(crate) planned_limited_by: String,
    /// The bench time the scheduler expected, ms.
    pub(crate) forecast_ms: f64,
    /// The lower bound from the durations the run measured, ms, and what set it.
    pub(crate) bound_ms: f64,
    pub(crate) limited_by: String,
    /// The run's bench time over `bound_ms`.
    pub(crate) ratio: f64,
}

impl ScheduleRecord {
    /// The record of a run that ended after `bench_time_ms`; `None` without its bounds.
    pub(crate) fn of(figures: &ScheduleFigures, bench_time_ms: f64) -> Option<ScheduleRecord> {
        let planned = figures.planned_bound.as_ref()?;
        let measured = figures.measured_bound.as_ref()?;
        Some(ScheduleRecord {
            planned_bound_ms: planned.ms(),
            planned_limited_by: planned.limited_by(),
            forecast_ms: figures.forecast_ms,
            bound_ms: measured.ms(),
            limited_by: measured.limited_by(),
            ratio: if measured.ms() > 0.0 {
                bench_time_ms / measured.ms()
            } else {
                1.0
            },
        })
    }
}

/// One input of a merged report set: its bench, its folder and the rows it gave (the
/// rows of results.csv whose `bench` column names it, from `first_row`, 1-based, on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub(crate) bench: String,
    pub folder: PathBuf,
    pub(crate) run_id: String,
    pub rows: usize,
    pub first_row: usize,
}

/// One input file of a run and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InputFile {
    /// `bench`, `suite`, `profile`, `calibration`, or `spec:<file>`.
    pub(crate) role: String,
    pub(crate) path: PathBuf,
    /// Hex SHA-256 of the contents; `None` when the file could not be read.
    pub(crate) sha256: Option<String>,
}

/// Verdict counts, as run.json spells them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub skip: usize,
    pub manual: usize,
}

impl From<Tally> for Counts {
    fn from(t: Tally) -> Self {
        Self {
            pass: t.pass,
            fail: t.fail,
            error: t.error,
            skip: t.skip,
            manual: t.manual,
        }
    }
}

impl RunRecord {
    /// The record of a finished (or interrupted) run.
    pub fn of_run(
        info: &RunInfo,
        ended_at: SystemTime,
        bench_time_ms: f64,
        interrupted: bool,
        tally: Tally,
    ) -> Self {
        let mut files = vec![
            InputFile::of("bench", &info.bench_path),
            InputFile::of("suite", &info.suite_path),
        ];
        if let Some(p) = &info.profile_path {
            files.push(InputFile::of("profile", p));
        }
        if let Some(p) = &info.calibration_path {
            files.push(InputFile::of("calibration", p));
        }
        for p in &info.spec_files {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            files.push(InputFile::of(
                &format!("spec:{}", name.unwrap_or_default()),
                p,
            ));
        }
        Self {
            run_id: info.run_id.clone(),
            rig_version: env!("CARGO_PKG_VERSION").into(),
            git_revision: GIT_REVISION.into(),
            host: host_name(),
            bench: info.bench.clone(),
            firmware: info.firmware.clone(),
            labels: info.labels.iter().cloned().collect(),
            started_at: humantime::format_rfc3339_millis(info.started_at).to_string(),
            ended_at: humantime::format_rfc3339_millis(ended_at).to_string(),
            bench_time_ms,
            virtual_time: info.virtual_time,
            seed: info.seed,
            repeat: info.repeat,
            interrupted,
            files,
            tally: tally.into(),
            schedule: None,
            certification: None,
            merged_from: Vec::new(),
            sources: Vec::new(),
        }
    }

    pub(crate) fn write(&self, dir: &Path) -> Result<(), ReportError> {
        let path = dir.join("run.json");
        let text = serde_json::to_string_pretty(self).expect("a run record serialises");
        super::write_whole(&path, (text + "\n").as_bytes())
    }

    pub fn load(dir: &Path) -> Result<Self, ReportError> {
        let path = dir.join("run.json");
        // Read with the input files' size bound: a run record is a few kilobytes.
        let src = crate::source::SourceText::read(&path)?;
        serde_json::from_str(&src.text)
            .map_err(|reason| ReportError::NotARunRecord { path, reason })
    }
}

impl InputFile {
    fn of(role: &str, path: &Path) -> Self {
        Self {
            role: role.into(),
            path: path.to_path_buf(),
            sha256: sha256_file(path),
        }
    }
}

/// Hex SHA-256 of a regular file's contents; `None` for anything else. A FIFO or a device
/// given as an input was read once already and would block (or give other bytes) now.
pub(crate) fn sha256_file(path: &Path) -> Option<String> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// The machine's host name (`gethostname(2)`), `unknown` if it cannot be read.
fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_through_run_json() {
        let dir = tempfile::tempdir().unwrap();
        let bench = dir.path().join("b.toml");
        std::fs::write(&bench, "abc").unwrap();
        let spec = crate::spec::Spec::load(crate::spec::Spec::default_dir()).unwrap();
        let b = crate::bench::Bench::load(
            crate::workspace_path("wiring/sim-matrix.toml"),
            &spec.catalog,
        )
        .unwrap();
        let mut info = RunInfo::new("r1", &b, "fw");
        info.bench_path = bench.clone();
        info.labels = vec![("ipo".into(), "12.1".into())];
        let r = RunRecord::of_run(&info, SystemTime::UNIX_EPOCH, 5.0, false, Tally::default());
        // sha256("abc")
        assert_eq!(
            r.files[0].sha256.as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            r.files[1].sha256, None,
            "the empty suite path cannot be read"
        );
        assert_eq!(r.labels["ipo"], "12.1");
        assert!(!r.host.is_empty());
        r.write(dir.path()).unwrap();
        assert_eq!(RunRecord::load(dir.path()).unwrap(), r);
    }
}
