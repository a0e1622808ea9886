//! The runner: executes a suite on every position of a bench, in parallel where the
//! devices allow (each position has its own relays and sensors; the two modems are shared
//! and leased by one case at a time), and emits events for the reporters.
//!
//! It sees only what hardware shows: it drives [`crate::hw`] trait objects and never the
//! simulator behind them.

mod case;
mod devices;
mod driver;
mod events;
mod operator;
mod plan;
mod result;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

pub use devices::{DeviceSet, Lease, LightDevice, Modems, PositionDevices};
pub use driver::{Context, Driver, LightSeen, LightWant, RigFault, Stop};
pub use events::{Event, EventBus, Reporter, RunInfo};
pub use operator::Operator;
pub use plan::not_applicable;
pub use result::DecidingTrace;
pub use result::{CaseResult, Tally, Verdict};

use crate::spec::Family;
use crate::suite::Case;

/// Everything a run produced.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub results: Vec<CaseResult>,
    pub tally: Tally,
    /// Bench time the whole run covered, ms.
    pub bench_time_ms: f64,
}

impl RunSummary {
    /// Tallies per family, in result order of first appearance.
    pub fn per_family(&self) -> Vec<(String, Tally)> {
        let mut order: Vec<String> = Vec::new();
        let mut map: BTreeMap<String, Tally> = BTreeMap::new();
        for r in &self.results {
            if !map.contains_key(&r.family) {
                order.push(r.family.clone());
            }
            map.entry(r.family.clone()).or_default().add(r.verdict);
        }
        order.into_iter().map(|f| (f.clone(), map[&f])).collect()
    }
}

/// What a run executes.
#[derive(Debug, Clone)]
pub struct Plan {
    pub cases: Vec<Case>,
    /// Position ids of the context's bench, in bench order.
    pub positions: Vec<String>,
    /// Catalog entries that cannot stand on a bench: one SKIP row per case.
    pub off_bench: Vec<Family>,
    /// Attempts per case and position (`--repeat`); at least 1.
    pub repeat: u32,
}

impl Plan {
    /// Rows the plan will write.
    pub fn rows(&self) -> usize {
        let attempts = self.repeat.max(1) as usize;
        self.cases.len() * (self.positions.len() * attempts + self.off_bench.len())
    }
}

/// Run the plan's cases on its positions of the context's bench, each case `repeat` times
/// in a row (attempt 1..=N, every attempt a row), plus a SKIP row per case for every
/// catalog entry that cannot stand on a bench. Once a report cannot be written
/// ([`EventBus::failed`]) no further case starts.
pub async fn run(
    ctx: Arc<Context>,
    plan: Plan,
    mut devices: DeviceSet,
    bus: EventBus,
    operator: Arc<Operator>,
) -> RunSummary {
    let Plan {
        cases,
        positions,
        off_bench,
        repeat,
    } = plan;
    let attempts = repeat.max(1);
    // The watchdog releases any relay held past its board's max_hold_ms (a rig fault the
    // relay reports on its next use); it stops when the run ends.
    let _watchdog = devices.relays.spawn_watchdog();
    let relays = devices.relays.clone();
    let cases = Arc::new(cases);
    // Rows are kept as they finish, so a position that dies keeps the ones it finished.
    let finished: Arc<Mutex<Vec<CaseResult>>> = Arc::default();
    let mut tasks = JoinSet::new();
    let mut task_position = BTreeMap::new();
    for id in positions {
        let position = ctx
            .bench
            .position(&id)
            .expect("positions come from the bench")
            .clone();
        let Some(devs) = devices.positions.remove(&id) else {
            continue;
        };
        let (ctx, cases, bus, modems, operator, finished) = (
            ctx.clone(),
            cases.clone(),
            bus.clone(),
            devices.modems.clone(),
            operator.clone(),
            finished.clone(),
        );
        let task = tasks.spawn(async move {
            let mut driver = Driver::new(ctx.clone(), position, devs);
            for c in cases.iter() {
                for attempt in 1..=attempts {
                    // A report that cannot be written stops the run: no case starts whose
                    // row could not be kept.
                    if bus.failed() {
                        return;
                    }
                    bus.emit(Event::CaseStarted {
                        position: driver.position.id.clone(),
                        case: c.id.clone(),
                        attempt,
                    });
                    let mut row = match not_applicable(&ctx.bench, &driver.position, c) {
                        Some(reason) => skipped(&driver, c, reason),
                        None => case::run_case(&mut driver, &modems, c, &operator).await,
                    };
                    row.attempt = attempt;
                    bus.emit(Event::CaseFinished(row.clone()));
                    finished.lock().unwrap_or_else(|p| p.into_inner()).push(row);
                }
            }
        });
        task_position.insert(task.id(), id);
    }
    for f in &off_bench {
        for c in cases.iter().take_while(|_| !bus.failed()) {
            let row = off_bench_row(f, c, ctx.clock.now_ms());
            bus.emit(Event::CaseFinished(row.clone()));
            finished.lock().unwrap_or_else(|p| p.into_inner()).push(row);
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
            finished.lock().unwrap_or_else(|p| p.into_inner()).push(row);
        }
    }
    let mut summary = RunSummary {
        results: std::mem::take(&mut *finished.lock().unwrap_or_else(|p| p.into_inner())),
        ..RunSummary::default()
    };
    for r in &summary.results {
        summary.tally.add(r.verdict);
    }
    summary.bench_time_ms = ctx.clock.now_ms();
    relays.release_all();
    summary
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
