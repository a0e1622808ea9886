//! A report that cannot be written stops the run (docs/user-guide.md "Exit codes": 4): results.csv
//! keeps only whole rows, no case starts after the failed write, the rest of the report
//! set is written whole or not at all, and no certification is claimed. A closed stdout
//! is not a report failure.

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rig::report::ReportError;
use rig::runner::{self, Context, Event, EventBus, Operator, Plan, Reporter, RunInfo};
use rig::sim::SimBench;

use crate::common::fixtures;

/// The largest file the child may write (RLIMIT_FSIZE): about fifty rows.
const FILE_LIMIT: u64 = 16 * 1024;

/// `rig run` with every file it writes limited to `FILE_LIMIT` bytes: a write past it
/// fails with EFBIG, as one on a full disk fails with ENOSPC.
fn run_with_file_limit(out: &Path) -> (std::process::Output, SystemTime) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rig"));
    cmd.args(["run", "--family", "9611,1400", "--repeat", "20", "--out"])
        .arg(out)
        .current_dir(rig::workspace_path("."));
    // SAFETY: only setrlimit, async-signal-safe, between fork and exec. SIGXFSZ is left
    // at its default (killing the process): the rig must turn it into an error itself.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: FILE_LIMIT,
                rlim_max: FILE_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().expect("rig runs");
    (o, SystemTime::now())
}

#[test]
fn a_write_that_fails_stops_the_run_with_whole_rows_and_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (o, ended) = run_with_file_limit(&out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{stdout}\n{stderr}");
    let csv_path = out.join("results.csv");
    // The message names the file and the system's reason.
    let want = format!(
        "rig: cannot write the report: cannot write {}: File too large",
        csv_path.display()
    );
    assert!(stderr.starts_with(&want), "wanted `{want}` in:\n{stderr}");
    assert!(!stdout.contains("certification"), "{stdout}");
    assert!(
        stdout.contains("Summary per family (STOPPED: a report could not be written)"),
        "{stdout}"
    );

    // Only whole rows: each record has the header's column count, the last its line end.
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(
        text.ends_with('\n'),
        "a row cut short: {:?}",
        &text[text.len() - 80..]
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns = reader.headers().unwrap().len();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(rows.iter().all(|r| r.len() == columns));
    let planned = 17 * 2 * 20;
    assert!(
        !rows.is_empty() && rows.len() < planned / 4,
        "{} rows",
        rows.len()
    );
    // `rig report diff` reads it back: every row is whole and written once.
    assert!(rig::report::read::ReportFolder::load(&out).is_ok_and(|f| f.rows.len() == rows.len()));

    // The console counted exactly the rows the file holds: none after the failure.
    let total: usize = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("total "))
        .expect("a total line")
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, rows.len(), "{stdout}");

    // The rest of the set: each file whole or absent, and each absent one named.
    for name in [
        "junit.xml",
        "matrix.csv",
        "pass-rate.csv",
        "report.html",
        "run.json",
    ] {
        let path = out.join(name);
        if !path.exists() {
            assert!(
                stderr.contains(&format!("cannot write {}: File too large", path.display())),
                "{name} missing and not named:\n{stderr}"
            );
        }
    }
    if let Ok(xml) = std::fs::read_to_string(out.join("junit.xml")) {
        roxmltree::Document::parse(&xml).expect("junit.xml whole");
    }
    if let Ok(json) = std::fs::read_to_string(out.join("run.json")) {
        let r: rig::report::RunRecord = serde_json::from_str(&json).expect("run.json whole");
        assert!(r.interrupted, "the run did not end");
        assert_eq!(
            r.tally.pass + r.tally.fail + r.tally.error + r.tally.skip + r.tally.manual,
            rows.len()
        );
    }
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The run ended within a second of the failed write (the last change to results.csv:
    // the part-written row cut off).
    let failed_at = std::fs::metadata(&csv_path).unwrap().modified().unwrap();
    let after = ended.duration_since(failed_at).unwrap_or_default();
    assert!(
        after < Duration::from_secs(1),
        "{after:?} after the failed write"
    );
}

/// Fails on the `fail_at`-th finished row.
struct FailingReport {
    seen: usize,
    fail_at: usize,
}

impl Reporter for FailingReport {
    fn event(&mut self, _: &RunInfo, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(_) = event {
            self.seen += 1;
            if self.seen >= self.fail_at {
                return Err(ReportError::write(
                    "out/results.csv",
                    std::io::Error::other("disk full"),
                ));
            }
        }
        Ok(())
    }
}

/// Every event handed on to it, by kind.
struct Seen(Arc<Mutex<Vec<&'static str>>>);

impl Reporter for Seen {
    fn event(&mut self, _: &RunInfo, event: &Event) -> Result<(), ReportError> {
        let kind = match event {
            Event::RunStarted(_) => "started",
            Event::CaseStarted { .. } => "case started",
            Event::Scheduled(_) => "scheduled",
            Event::StepStarted { .. } => "step started",
            Event::CaseFinished(_) => "case finished",
            Event::RunFinished { report_failed, .. } => {
                assert!(report_failed, "the end says a report failed");
                "finished"
            }
        };
        self.0.lock().unwrap().push(kind);
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn no_case_starts_after_a_report_fails() {
    let f = fixtures();
    let clock = rig::hw::BenchClock::start();
    let sim = SimBench::new(&f.bench, &f.spec, f.reference.clone(), clock, 1);
    let devices = rig::factory::open(&f.bench, &f.spec, Some(&sim), clock).unwrap();
    let ctx = Arc::new(Context {
        spec: f.spec.clone(),
        bench: f.bench.clone(),
        settings: f.suite.settings.clone(),
        clock,
    });
    let plan = Plan {
        cases: f.suite.cases.clone(),
        positions: f.bench.positions.iter().map(|p| p.id.clone()).collect(),
        off_bench: Vec::new(),
        repeat: 3,
        history: Default::default(),
        ..Default::default()
    };
    let planned = plan.rows();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let bus = EventBus::new(
        RunInfo::new("r", &f.bench, "fw"),
        vec![
            Box::new(FailingReport {
                seen: 0,
                fail_at: 5,
            }),
            Box::new(Seen(seen.clone())),
        ],
    );
    let s = runner::run(ctx, plan, devices, bus.clone(), Arc::new(Operator::none())).await;
    assert!(bus.failed());
    assert_eq!(
        bus.failure().as_deref(),
        Some("cannot write out/results.csv: disk full")
    );
    // Only the cases already running when the write failed finish: one per position.
    let positions = f.bench.positions.len();
    assert!(
        s.results.len() < 5 + positions,
        "{} of {planned} rows ran",
        s.results.len()
    );
    bus.emit(Event::RunFinished {
        tally: s.tally,
        schedule: s.schedule.clone(),
        bench_time_ms: 0.0,
        interrupted: false,
        stopped_at_failure: false,
        report_failed: false,
    });
    // The row that failed, and everything after it but the end, reached no later reporter.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.iter().filter(|k| **k == "case finished").count(), 4);
    assert_eq!(seen.last(), Some(&"finished"));
}

#[test]
fn a_closed_stdout_does_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args([
            "run",
            "--only",
            "toggle,shows-on",
            "--family",
            "9611",
            "--out",
        ])
        .arg(&out)
        .current_dir(rig::workspace_path("."))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rig runs");
    // The reader is gone before the first line, as `rig run | head -0` leaves it.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "the run passed:\n{stderr}");
    assert!(
        stderr.contains("rig: console output stopped (Broken pipe"),
        "{stderr}"
    );
    let rows = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2, "{rows}");
    for name in [
        "junit.xml",
        "matrix.csv",
        "pass-rate.csv",
        "report.html",
        "run.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
}
