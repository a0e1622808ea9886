//! What the runner tells reporters. The engine and the reporters are separate: the runner
//! emits events, reporters (console, CSV, …) consume them, in order, as they happen.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::result::{CaseResult, Tally};

/// What a run is, for reports' headers and rows.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub run_id: String,
    pub bench: String,
    pub bench_path: PathBuf,
    pub suite_path: PathBuf,
    /// The firmware under test, as the operator labels it (or the simulated profile's name).
    pub firmware: String,
    /// Wall-clock time at bench time 0: `started_at` of a case is this plus its bench time.
    pub started_at: SystemTime,
    /// Rows planned: (positions × attempts + off-bench entries) × cases.
    pub planned: usize,
    pub virtual_time: bool,
    /// The firmware profile the simulated devices followed (`None` on real hardware).
    pub profile_path: Option<PathBuf>,
    /// The light calibration file used, if any.
    pub calibration_path: Option<PathBuf>,
    /// The seed of the simulated sensors' noise (`None` on real hardware).
    pub seed: Option<u64>,
    /// Attempts per case and position (`--repeat`).
    pub repeat: u32,
    /// The operator's labels of what is under test (`--label ipo=12.1.0.1`), in order.
    pub labels: Vec<(String, String)>,
    /// The spec's files (fixtures/), for run.json's digests.
    pub spec_files: Vec<PathBuf>,
    /// What the run must check to certify (`--repeat N`, `--certify`); `None`: the run
    /// certifies nothing.
    pub certify: Option<crate::report::certify::Scope>,
}

impl RunInfo {
    /// A run of `bench` with no files, labels or repeats: fill in what the caller knows.
    pub fn new(run_id: &str, bench: &crate::bench::Bench, firmware: &str) -> Self {
        Self {
            run_id: run_id.into(),
            bench: bench.name.clone(),
            bench_path: bench.path.clone(),
            suite_path: PathBuf::new(),
            firmware: firmware.into(),
            started_at: SystemTime::UNIX_EPOCH,
            planned: 0,
            virtual_time: false,
            profile_path: None,
            calibration_path: None,
            seed: None,
            repeat: 1,
            labels: Vec::new(),
            spec_files: Vec::new(),
            certify: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    RunStarted(RunInfo),
    /// What the runner expects before its first case: the scheduler's forecast of the
    /// run's bench time and each case attempt's expected duration (for progress and an ETA).
    Scheduled(Forecast),
    CaseStarted {
        position: String,
        case: String,
        attempt: u32,
        /// Bench time the case started, ms since the run started.
        at_ms: f64,
    },
    /// A case moved on to its next step (its setup, a step of the suite, its cleanup).
    StepStarted {
        position: String,
        case: String,
        step: StepAt,
        /// Bench time the step started, ms.
        at_ms: f64,
    },
    CaseFinished(CaseResult),
    RunFinished {
        tally: Tally,
        bench_time_ms: f64,
        /// The schedule's bounds (empty for a run that did not finish).
        schedule: super::ScheduleFigures,
        interrupted: bool,
        /// `--fail-fast` stopped the run at its first FAIL or ERROR.
        stopped_at_failure: bool,
        /// A report could not be written (the run stopped early): set by the bus as it
        /// hands the event on, so a reporter after the one that failed knows it too.
        report_failed: bool,
    },
}

/// Where a case is: its setup, one of its steps, or its cleanup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAt {
    /// Bringing the phone and the lines to the case's known state.
    Setup,
    /// Step `index` (1-based) of `of`, in a few words (`expect twinning twinning-on`).
    Step {
        index: usize,
        of: usize,
        what: String,
    },
    /// Hanging up and settling idle after the steps.
    Cleanup,
}

impl std::fmt::Display for StepAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepAt::Setup => f.write_str("setup"),
            StepAt::Step { index, of, what } => write!(f, "step {index}/{of}: {what}"),
            StepAt::Cleanup => f.write_str("cleanup"),
        }
    }
}

/// The run as the scheduler expects it, before it starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forecast {
    /// The bench time the scheduler's rule takes with the expected durations, ms.
    pub(crate) forecast_ms: f64,
    /// Every planned case attempt on a position, with its expected duration (0 for a
    /// case that does not apply there).
    pub(crate) jobs: Vec<ExpectedCase>,
}

/// One planned case attempt and how long it is expected to take.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedCase {
    pub(crate) position: String,
    pub(crate) case: String,
    pub(crate) estimate_ms: f64,
}

/// A consumer of events. An error means the report could not be written: the run stops
/// (a lab must never believe a report that silently lost rows).
pub trait Reporter: Send {
    fn event(&mut self, info: &RunInfo, event: &Event) -> Result<(), crate::report::ReportError>;
}

/// Fans events out to every reporter, in order, and keeps their failures.
///
/// The first failure stops the run: from then on no case starts ([`EventBus::failed`],
/// [`EventBus::stopped`]) and only `RunFinished` is handed on, so the reports written at
/// the end hold exactly the rows that reached the file of record. Put that file's
/// reporter first: a row it fails to write is handed to no later reporter.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Mutex<BusInner>>,
    /// `true` once a reporter failed.
    stop: tokio::sync::watch::Sender<bool>,
}

struct BusInner {
    info: RunInfo,
    reporters: Vec<Box<dyn Reporter>>,
    failures: Vec<String>,
}

impl EventBus {
    pub fn new(info: RunInfo, reporters: Vec<Box<dyn Reporter>>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(BusInner {
                info,
                reporters,
                failures: Vec::new(),
            })),
            stop: tokio::sync::watch::Sender::new(false),
        }
    }

    pub fn emit(&self, mut event: Event) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let BusInner {
            info,
            reporters,
            failures,
        } = &mut *inner;
        let end = matches!(event, Event::RunFinished { .. });
        if !failures.is_empty() && !end {
            return;
        }
        for r in reporters.iter_mut() {
            if let Event::RunFinished { report_failed, .. } = &mut event {
                *report_failed = !failures.is_empty();
            }
            if let Err(e) = r.event(info, &event) {
                failures.push(e.to_string());
                self.stop.send_replace(true);
                // The row did not reach the file of record: no other report shows it.
                if !end {
                    break;
                }
            }
        }
    }

    /// Whether a reporter failed: no case may start.
    pub fn failed(&self) -> bool {
        *self.stop.borrow()
    }

    /// Resolves when a reporter fails (at once if one has).
    pub async fn stopped(&self) {
        let mut rx = self.stop.subscribe();
        // The sender lives as long as `self`: the wait ends only on a failure.
        let _ = rx.wait_for(|failed| *failed).await;
    }

    /// Every reporter failure, in order, one a line (the first is what stopped the run).
    pub fn failure(&self) -> Option<String> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (!inner.failures.is_empty()).then(|| inner.failures.join("\n"))
    }
}
