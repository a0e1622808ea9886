//! Line pools: positions run their calls at the same time, and two cases that could
//! disturb each other never do.
//!
//! The rule (docs/design.md, "Line pools"): a case that touches the lines holds its position's
//! mobile line and one caller line from its start to the end of its cleanup, so two
//! positions twinned to one mobile line never have calls up at once (a call to one would
//! ring the mobile the other is watching), and no caller line carries two calls.

use std::collections::BTreeMap;

use rig::bench::Bench;
use rig::factory::simulate_on;
use rig::hw::BenchClock;
use rig::runner::Verdict;
use rig::sim::SimBench;

use crate::common::{fixtures, rows, Fixtures};

/// `wiring/sim-lab.toml` with its mobile-mode positions twinned in turn to `mobiles`
/// mobile lines and `callers` caller lines: several positions share each line.
fn shared_lines_bench(f: &Fixtures, mobiles: usize, callers: usize) -> Bench {
    let lab = std::fs::read_to_string(rig::workspace_path("wiring/sim-lab.toml")).unwrap();
    let mut out = String::new();
    let mut n = 0;
    // Drop the lab's modems; keep everything else, renumbering the twinned numbers.
    for block in lab.split("\n[[").enumerate().map(|(i, b)| {
        if i == 0 {
            b.to_string()
        } else {
            format!("\n[[{b}")
        }
    }) {
        if block.starts_with("\n[[modem]]") {
            continue;
        }
        if block.starts_with("\n[[position]]") && block.contains("mode = \"mobile\"") {
            let at = block.find("number = \"").unwrap() + "number = \"".len();
            let end = at + block[at..].find('"').unwrap();
            out.push_str(&block[..at]);
            out.push_str(&format!("0770090050{}", n % mobiles));
            out.push_str(&block[end..]);
            n += 1;
        } else {
            out.push_str(&block);
        }
    }
    for m in 0..mobiles {
        out.push_str(&format!("\n[[modem]]\nid = \"m{m}\"\nrole = \"mobile\"\nnumber = \"0770090050{m}\"\nbackend = \"sim\"\n"));
    }
    for c in 0..callers {
        out.push_str(&format!("\n[[modem]]\nid = \"c{c}\"\nrole = \"caller\"\nnumber = \"0770090060{c}\"\nbackend = \"sim\"\n"));
    }
    let path = std::env::temp_dir().join(format!(
        "rig-shared-lines-{}-{mobiles}-{callers}.toml",
        std::process::id()
    ));
    std::fs::write(&path, out).unwrap();
    let bench = Bench::load(&path, &f.spec.catalog).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&path);
    bench
}

/// Intervals overlap (a call still up at the end overlaps everything after it).
fn overlap(a: (f64, Option<f64>), b: (f64, Option<f64>)) -> bool {
    let end = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
    a.0 < end(b.1) && b.0 < end(a.1)
}

#[tokio::test(start_paused = true)]
async fn positions_sharing_a_mobile_line_never_have_calls_up_at_once() {
    let f = fixtures();
    let bench = shared_lines_bench(&f, 3, 4);
    let clock = BenchClock::start();
    let sim = SimBench::new(&bench, &f.spec, f.reference.clone(), clock, 7);
    let s = simulate_on(&sim, &f.spec, &bench, &f.suite, &f.reference, 7, clock)
        .await
        .unwrap();
    assert!(
        rows(&s, Verdict::Fail).is_empty(),
        "{:#?}",
        rows(&s, Verdict::Fail)
    );
    assert!(
        rows(&s, Verdict::Error).is_empty(),
        "{:#?}",
        rows(&s, Verdict::Error)
    );

    let line_of: BTreeMap<&str, &str> = bench
        .positions
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                bench.mobile_line_of(p).unwrap().number.as_str(),
            )
        })
        .collect();
    let calls = sim.calls_placed();
    assert!(calls.len() > 100, "{} calls", calls.len());
    let mut parallel = 0;
    // Calls up at once: at each call's start, those started before and not yet ended.
    let max_at_once = calls
        .iter()
        .map(|a| {
            calls
                .iter()
                .filter(|b| b.1 <= a.1 && b.2.is_none_or(|end| end > a.1))
                .count()
        })
        .max()
        .unwrap_or(0);
    for (i, a) in calls.iter().enumerate() {
        for b in &calls[i + 1..] {
            if a.0 == b.0 || !overlap((a.1, a.2), (b.1, b.2)) {
                continue;
            }
            assert_ne!(
                line_of[a.0.as_str()],
                line_of[b.0.as_str()],
                "calls to {} ({:.0}–{:?} ms) and {} ({:.0}–{:?} ms) were up at once on shared mobile line {}",
                a.0,
                a.1,
                a.2,
                b.0,
                b.1,
                b.2,
                line_of[a.0.as_str()]
            );
            parallel += 1;
        }
    }
    // The pool was used: calls on different lines did run together, never more than there
    // are caller lines.
    assert!(parallel > 0, "no two calls ever overlapped");
    assert!(
        max_at_once <= 4,
        "{max_at_once} calls up at once on 4 caller lines"
    );
}

#[tokio::test(start_paused = true)]
async fn a_line_pool_shortens_the_run_to_its_bound() {
    let f = fixtures();
    let lab = Bench::load(rig::workspace_path("wiring/sim-lab.toml"), &f.spec.catalog).unwrap();
    let one = rig::factory::simulate(&f.spec, &f.bench, &f.suite, f.reference.clone(), 3)
        .await
        .unwrap();
    let pool = rig::factory::simulate(&f.spec, &lab, &f.suite, f.reference.clone(), 3)
        .await
        .unwrap();
    assert!(
        rows(&pool, Verdict::Fail).is_empty(),
        "{:#?}",
        rows(&pool, Verdict::Fail)
    );
    let bound = pool.schedule.measured_bound.as_ref().unwrap().ms();
    assert!(
        pool.bench_time_ms <= 1.10 * bound,
        "{} ms against a bound of {bound} ms",
        pool.bench_time_ms
    );
    assert!(
        pool.bench_time_ms * 8.0 <= one.bench_time_ms,
        "sim-lab {} ms, sim-matrix {} ms",
        pool.bench_time_ms,
        one.bench_time_ms
    );
    let one_bound = one.schedule.measured_bound.as_ref().unwrap().ms();
    assert!(one.bench_time_ms <= 1.10 * one_bound);
}
