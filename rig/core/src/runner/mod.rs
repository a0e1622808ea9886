//! The runner: executes a suite on every position of a bench, in parallel where the
//! devices allow (each position has its own relays and sensors; the phone lines are
//! shared: a case that touches them holds its position's mobile line and one caller line,
//! granted by the scheduler, [`crate::schedule`]), and emits events for the reporters.
//!
//! It sees only what hardware shows: it drives [`crate::hw`] trait objects and never the
//! simulator behind them.

mod case;
mod devices;
mod driver;
mod events;
mod operator;
mod plan;
mod queue;
mod result;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

pub use devices::{DeviceSet, Lease, LightDevice, Lines, NumberedLine, PositionDevices};
pub use driver::{Context, Driver, LightSeen, LightWant, RigFault, Stop};
pub use events::{Event, EventBus, ExpectedCase, Forecast, Reporter, RunInfo, StepAt};
pub use operator::{Aside, Operator};
pub use plan::not_applicable;
pub use result::DecidingTrace;
pub use result::{CaseResult, Tally, Verdict};

use crate::schedule::estimate::{Estimator, History};
use crate::schedule::{forecast, Bound, Job, Work};
use crate::spec::Family;
use crate::suite::Case;
pub(crate) use queue::Queue;

/// Everything a run produced.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub results: Vec<CaseResult>,
    pub tally: Tally,
    /// Bench time the whole run covered, ms.
    pub bench_time_ms: f64,
    /// The schedule: its bound and forecast before the run, its bound from what the run
    /// measured.
    pub schedule: ScheduleFigures,
    /// `--fail-fast` stopped the run at its first FAIL or ERROR: cases not started then
    /// have no row.
    pub stopped_at_failure: bool,
}

/// How the run's bench time compares with what any order of its cases could do.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFigures {
    /// The lower bound from the expected durations, before the run, ms.
    pub planned_bound: Option<Bound>,
    /// The bench time the scheduler's rule takes with the expected durations, ms.
    pub(crate) forecast_ms: f64,
    /// The lower bound from the durations the run measured (every case that ran), ms.
    pub measured_bound: Option<Bound>,
}

/// What a run executes.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub cases: Vec<Case>,
    /// Position ids of the context's bench, in bench order.
    pub positions: Vec<String>,
    /// Catalog entries that cannot stand on a bench: one SKIP row per case.
    pub off_bench: Vec<Family>,
    /// Attempts per case and position (`--repeat`); at least 1.
    pub repeat: u32,
    /// Measured durations of an earlier run (`--history`), for the expected durations.
    pub history: History,
    /// Only these (position, case) pairs run (`--rerun-failed`); `None`: every pair.
    pub pairs: Option<BTreeSet<(String, String)>>,
    /// Start no case after the first FAIL or ERROR (`--fail-fast`); cases already running
    /// finish, so every row is whole and every phone left idle.
    pub fail_fast: bool,
}

impl Plan {
    /// The jobs of the plan (every case attempt on every position) with their expected
    /// durations, and the lines they share.
    pub fn work(&self, ctx: &Context) -> Work {
        let mut work = Work::new(&ctx.bench, &self.positions);
        let estimator = Estimator {
            bench: &ctx.bench,
            settings: &ctx.settings,
            cadences: &ctx.spec.cadences,
            history: &self.history,
        };
        for (p, id) in self.positions.iter().enumerate() {
            let position = ctx
                .bench
                .position(id)
                .expect("positions come from the bench");
            for (c, case) in self.cases.iter().enumerate() {
                if !self.runs(id, &case.id) {
                    continue;
                }
                let runs = not_applicable(&ctx.bench, position, case).is_none();
                for _ in 0..self.repeat.max(1) {
                    work.jobs.push(Job {
                        position: p,
                        case: c,
                        estimate_ms: estimator.case_ms(position, case),
                        needs_lines: runs && case.needs_modems(),
                    });
                }
            }
        }
        work
    }

    /// Whether the plan runs `case` on `position` (every pair, unless `pairs` says).
    pub(crate) fn runs(&self, position: &str, case: &str) -> bool {
        self.pairs
            .as_ref()
            .is_none_or(|p| p.contains(&(position.to_string(), case.to_string())))
    }

    /// Rows the plan will write.
    pub fn rows(&self) -> usize {
        let attempts = self.repeat.max(1) as usize;
        let pairs = self
            .positions
            .iter()
            .map(|p| self.cases.iter().filter(|c| self.runs(p, &c.id)).count())
            .sum::<usize>();
        pairs * attempts + self.cases.len() * self.off_bench.len()
    }
}

/// Run the plan's cases on its positions of the context's bench, each case `repeat` times
/// (attempt 1..=N, every attempt a row), plus a SKIP row per case for every catalog entry
/// that cannot stand on a bench. Positions run in parallel; the scheduler
/// ([`crate::schedule`]) picks each position's next case and grants the lines it holds.
/// Once a report cannot be written ([`EventBus::failed`]) no further case starts.
pub async fn run(
    ctx: Arc<Context>,
    plan: Plan,
    mut devices: DeviceSet,
    bus: EventBus,
    operator: Arc<Operator>,
) -> RunSummary {
    let work = plan.work(&ctx);
    let planned = Bound::of(&work, |j| work.jobs[j].estimate_ms);
    let forecast_ms = forecast(&work);
    bus.emit(Event::Scheduled(Forecast {
        forecast_ms,
        jobs: work
            .jobs
            .iter()
            .map(|j| ExpectedCase {
                position: plan.positions[j.position].clone(),
                case: plan.cases[j.case].id.clone(),
                estimate_ms: j.estimate_ms,
            })
            .collect(),
    }));
    let Plan {
        cases,
        positions,
        off_bench,
        fail_fast,
        ..
    } = plan;
    // Set by the first FAIL or ERROR of a `--fail-fast` run: no case starts after it.
    let failed_fast = Arc::new(AtomicBool::new(false));
    // The watchdog releases any relay held past its board's max_hold_ms (a rig fault the
    // relay reports on its next use); it stops when the run ends.
    let _watchdog = devices.relays.spawn_watchdog();
    let relays = devices.relays.clone();
    let cases = Arc::new(cases);
    let queue = Queue::new(work.clone(), devices.lines.clone());
    // Rows are kept as they finish, so a position that dies keeps the ones it finished;
    // each with the job it ran, for the bound from measured durations.
    let finished: Arc<Mutex<Vec<FinishedRow>>> = Arc::default();
    let mut tasks = JoinSet::new();
    let mut task_position = BTreeMap::new();
    for (index, id) in positions.iter().enumerate() {
        let position = ctx
            .bench
            .position(id)
            .expect("positions come from the bench")
            .clone();
        let Some(devs) = devices.positions.remove(id) else {
            queue.abandon(index);
            continue;
        };
        let (ctx, cases, bus, queue, operator, finished, failed_fast) = (
            ctx.clone(),
            cases.clone(),
            bus.clone(),
            queue.clone(),
            operator.clone(),
            finished.clone(),
            failed_fast.clone(),
        );
        let task = tasks.spawn(async move {
            // However the task ends (a report failed, a panic), its position starts nothing
            // more and its lines go back to the others.
            let _abandon = Abandon(&queue, index);
            let mut driver = Driver::new(ctx.clone(), position, devs);
            let mut attempts = vec![0u32; cases.len()];
            while let Some(mut turn) = queue.next(index).await {
                // A report that cannot be written stops the run: no case starts whose
                // row could not be kept.
                if bus.failed() || failed_fast.load(Ordering::SeqCst) {
                    return;
                }
                let job = queue.job(&turn.grant);
                let c = &cases[job.case];
                attempts[job.case] += 1;
                let attempt = attempts[job.case];
                bus.emit(Event::CaseStarted {
                    position: driver.position.id.clone(),
                    case: c.id.clone(),
                    attempt,
                    at_ms: driver.now_ms(),
                });
                let mut row = match not_applicable(&ctx.bench, &driver.position, c) {
                    Some(reason) => skipped(&driver, c, reason),
                    None => {
                        case::run_case(&mut driver, turn.lease.take(), c, &operator, &bus).await
                    }
                };
                row.attempt = attempt;
                if fail_fast && matches!(row.verdict, Verdict::Fail | Verdict::Error) {
                    failed_fast.store(true, Ordering::SeqCst);
                }
                bus.emit(Event::CaseFinished(row.clone()));
                lock(&finished).push((Some(turn.grant.job), row));
            }
        });
        task_position.insert(task.id(), id.clone());
    }
    for f in &off_bench {
        for c in cases.iter().take_while(|_| !bus.failed()) {
            let row = off_bench_row(f, c, ctx.clock.now_ms());
            bus.emit(Event::CaseFinished(row.clone()));
            lock(&finished).push((None, row));
        }
    }
    while let Some(done) = tasks.join_next_with_id().await {
        if let Err(e) = done {
            // A position whose task died (a bug, not the phone) gets an ERROR row naming it;
            // the other positions carry on.
            let id = task_position.get(&e.id()).cloned().unwrap_or_default();
            let position = ctx.bench.position(&id);
            let row = CaseResult {
                position: id.clone(),
                model: position.map(|p| p.model.clone()).unwrap_or_default(),
                family: position.map(|p| p.family.clone()).unwrap_or_default(),
                case: "-".into(),
                clauses: Vec::new(),
                verdict: Verdict::Error,
                expected: String::new(),
                observed: String::new(),
                measured: None,
                unit: String::new(),
                attempt: 1,
                started_ms: ctx.clock.now_ms(),
                bench_time_ms: 0.0,
                message: format!("rig fault: the task of position {id} ended abnormally ({e}); its remaining cases did not run"),
                trace: None,
            };
            bus.emit(Event::CaseFinished(row.clone()));
            lock(&finished).push((None, row));
        }
    }
    let rows = std::mem::take(&mut *lock(&finished));
    let mut measured = vec![0.0; work.jobs.len()];
    for (job, row) in &rows {
        if let Some(j) = job {
            measured[*j] = row.bench_time_ms;
        }
    }
    let mut summary = RunSummary {
        results: rows.into_iter().map(|(_, r)| r).collect(),
        schedule: ScheduleFigures {
            planned_bound: Some(planned),
            forecast_ms,
            measured_bound: Some(Bound::of(&work, |j| measured[j])),
        },
        ..RunSummary::default()
    };
    for r in &summary.results {
        summary.tally.add(r.verdict);
    }
    summary.stopped_at_failure = failed_fast.load(Ordering::SeqCst);
    summary.bench_time_ms = ctx.clock.now_ms();
    relays.release_all();
    summary
}

/// A row as it finished, with the job it ran (`None`: a row no job ran, e.g. off-bench).
type FinishedRow = (Option<usize>, CaseResult);

/// Abandons a position's remaining cases when its task ends, however it ends.
struct Abandon<'q>(&'q Arc<Queue>, usize);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        self.0.abandon(self.1);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn skipped(driver: &Driver, case: &Case, reason: String) -> CaseResult {
    let p = &driver.position;
    CaseResult::bare(
        &p.id,
        &p.model,
        &driver.family.id,
        case,
        Verdict::Skip,
        driver.now_ms(),
        format!("not applicable: {reason}"),
    )
}

fn off_bench_row(family: &Family, case: &Case, now_ms: f64) -> CaseResult {
    let reason = family.reason.as_deref().unwrap_or("not a bench phone");
    CaseResult::bare(
        "",
        &family.name,
        &family.id,
        case,
        Verdict::Skip,
        now_ms,
        format!("not testable on this rig: {reason}"),
    )
}
