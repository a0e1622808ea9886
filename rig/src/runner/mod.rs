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
use std::sync::Arc;

use tokio::task::JoinSet;

pub use devices::{open, DeviceSet, Lease, Modems, PositionDevices};
pub use driver::{Context, Driver, Stop};
pub use events::{Event, EventBus, Reporter, RunInfo};
pub use operator::Operator;
pub use plan::not_applicable;
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

/// Run `cases` on every position of the context's bench (`positions` filters them), plus a
/// SKIP row per case for every catalog entry that cannot stand on a bench (`off_bench`).
pub async fn run(
    ctx: Arc<Context>,
    cases: Vec<Case>,
    positions: Vec<String>,
    off_bench: Vec<Family>,
    mut devices: DeviceSet,
    bus: EventBus,
    operator: Arc<Operator>,
) -> RunSummary {
    let cases = Arc::new(cases);
    let mut tasks = JoinSet::new();
    for id in positions {
        let position = ctx
            .bench
            .position(&id)
            .expect("positions come from the bench")
            .clone();
        let Some(devs) = devices.positions.remove(&id) else {
            continue;
        };
        let (ctx, cases, bus, modems, operator) = (
            ctx.clone(),
            cases.clone(),
            bus.clone(),
            devices.modems.clone(),
            operator.clone(),
        );
        tasks.spawn(async move {
            let mut driver = Driver::new(ctx.clone(), position, devs);
            let mut rows = Vec::new();
            for c in cases.iter() {
                bus.emit(Event::CaseStarted {
                    position: driver.position.id.clone(),
                    case: c.id.clone(),
                });
                let row = match not_applicable(&ctx.bench, &driver.position, c) {
                    Some(reason) => skipped(&driver, c, reason),
                    None => case::run_case(&mut driver, &modems, c, &operator).await,
                };
                bus.emit(Event::CaseFinished(row.clone()));
                rows.push(row);
            }
            rows
        });
    }
    let mut summary = RunSummary::default();
    for f in &off_bench {
        for c in cases.iter() {
            let row = off_bench_row(f, c, ctx.clock.now_ms());
            bus.emit(Event::CaseFinished(row.clone()));
            summary.results.push(row);
        }
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(rows) => summary.results.extend(rows),
            Err(e) => {
                // A panicking position must not take the others' results with it.
                let row = CaseResult {
                    position: "?".into(),
                    model: String::new(),
                    family: String::new(),
                    case: "?".into(),
                    clauses: Vec::new(),
                    verdict: Verdict::Error,
                    expected: String::new(),
                    observed: String::new(),
                    measured: None,
                    unit: String::new(),
                    attempt: 1,
                    started_ms: 0.0,
                    bench_time_ms: 0.0,
                    message: format!("rig fault: a position's task ended abnormally: {e}"),
                };
                bus.emit(Event::CaseFinished(row.clone()));
                summary.results.push(row);
            }
        }
    }
    for r in &summary.results {
        summary.tally.add(r.verdict);
    }
    summary.bench_time_ms = ctx.clock.now_ms();
    summary
}

fn skipped(driver: &Driver, case: &Case, reason: String) -> CaseResult {
    CaseResult {
        position: driver.position.id.clone(),
        model: driver.position.model.clone(),
        family: driver.family.id.clone(),
        case: case.id.clone(),
        clauses: case.clauses.clone(),
        verdict: Verdict::Skip,
        expected: String::new(),
        observed: String::new(),
        measured: None,
        unit: String::new(),
        attempt: 1,
        started_ms: driver.now_ms(),
        bench_time_ms: 0.0,
        message: format!("not applicable: {reason}"),
    }
}

fn off_bench_row(family: &Family, case: &Case, now_ms: f64) -> CaseResult {
    CaseResult {
        position: String::new(),
        model: family.name.clone(),
        family: family.id.clone(),
        case: case.id.clone(),
        clauses: case.clauses.clone(),
        verdict: Verdict::Skip,
        expected: String::new(),
        observed: String::new(),
        measured: None,
        unit: String::new(),
        attempt: 1,
        started_ms: now_ms,
        bench_time_ms: 0.0,
        message: format!(
            "not testable on this rig: {}",
            family.reason.as_deref().unwrap_or("not a bench phone")
        ),
    }
}

/// Run a whole suite on a simulated bench, in-process, on the current tokio clock (virtual
/// under `start_paused`). For tests and benchmarks; `rig run` adds files and signals.
pub async fn simulate(
    spec: &crate::spec::Spec,
    bench: &crate::bench::Bench,
    suite: &crate::suite::Suite,
    profile: crate::sim::FirmwareProfile,
    seed: u64,
) -> anyhow::Result<RunSummary> {
    let clock = crate::hw::BenchClock::start();
    let sim = crate::sim::SimBench::new(bench, spec, profile.clone(), clock, seed);
    let devices = open(bench, spec, Some(&sim))?;
    let ctx = Arc::new(Context {
        spec: spec.clone(),
        bench: bench.clone(),
        settings: suite.settings.clone(),
        clock,
    });
    let info = RunInfo {
        run_id: format!("sim-{seed}"),
        bench: bench.name.clone(),
        bench_path: bench.path.clone(),
        suite_path: suite.path.clone(),
        firmware: format!("sim:{}", profile.name),
        started_at: std::time::SystemTime::UNIX_EPOCH,
        planned: 0,
        virtual_time: true,
    };
    let bus = EventBus::new(info, Vec::new());
    let positions = bench.positions.iter().map(|p| p.id.clone()).collect();
    let off_bench = spec
        .catalog
        .families
        .iter()
        .filter(|f| !f.bench)
        .cloned()
        .collect();
    Ok(run(
        ctx,
        suite.cases.clone(),
        positions,
        off_bench,
        devices,
        bus,
        Arc::new(Operator::none()),
    )
    .await)
}
