//! The full twinning suite on the simulated full-matrix bench, in virtual time.
//!
//! `cargo bench --bench matrix` reports criterion's wall-time estimate of one whole run
//! and prints the bench time that run covers and the median ratio (bench time / wall
//! time). Target (issue 2): the whole matrix in under 2 s of wall time.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use rig::bench::Bench;
use rig::factory::simulate;
use rig::runner::RunSummary;
use rig::sim::FirmwareProfile;
use rig::spec::Spec;
use rig::suite::Suite;

struct Inputs {
    spec: Spec,
    bench: Bench,
    suite: Suite,
    profile: FirmwareProfile,
}

fn inputs() -> Inputs {
    let spec = Spec::load(Spec::default_dir()).unwrap();
    let bench = Bench::load(rig::workspace_path("wiring/sim-matrix.toml"), &spec.catalog).unwrap();
    let suite = Suite::load(Suite::default_path(), &spec).unwrap();
    let profile = FirmwareProfile::load(
        rig::workspace_path("fixtures/firmware/reference.toml"),
        &spec,
    )
    .unwrap();
    Inputs {
        spec,
        bench,
        suite,
        profile,
    }
}

/// One whole run on a fresh virtual-time runtime, as `rig run` does it.
fn run_once(i: &Inputs, seed: u64) -> RunSummary {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(simulate(
        &i.spec,
        &i.bench,
        &i.suite,
        i.profile.clone(),
        seed,
    ))
    .unwrap()
}

fn full_matrix(c: &mut Criterion) {
    let i = inputs();
    // The ratio, from our own median over a few runs (criterion's estimate is printed too).
    let mut walls = Vec::new();
    let mut bench_ms = 0.0;
    for seed in 0..7 {
        let t = Instant::now();
        let s = run_once(&i, seed);
        walls.push(t.elapsed().as_secs_f64());
        bench_ms = s.bench_time_ms;
        assert_eq!(
            s.tally.fail + s.tally.error,
            0,
            "the reference run must pass"
        );
    }
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    println!(
        "full matrix: {} case rows, bench time covered {:.1} s, wall median {:.3} s over {} runs, ratio {:.0}x",
        run_once(&i, 99).results.len(),
        bench_ms / 1000.0,
        median,
        walls.len(),
        bench_ms / 1000.0 / median
    );
    let mut group = c.benchmark_group("matrix");
    group.sample_size(10);
    group.bench_function("full-matrix-virtual-time", |b| b.iter(|| run_once(&i, 1)));
    group.finish();
}

criterion_group!(benches, full_matrix);
criterion_main!(benches);
