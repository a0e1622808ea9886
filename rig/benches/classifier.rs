//! The LED classifier's figures (issue 3), on the labelled corpus in `fixtures/traces/`.
//!
//! `cargo bench --bench classifier` prints:
//! - accuracy on the corpus for (colour, cadence) together, with a confusion matrix per
//!   colour and per cadence (and every mistake);
//! - decision latency of a streaming `Watch` polled every 50 ms, per cadence, in ms and in
//!   periods of the cadence (steady: in settle times);
//! - throughput of `Classifier::classify` and of a `Watch` polled every 50 ms, in samples
//!   per second on one core: our own medians over the whole corpus, then criterion groups
//!   (`Throughput::Elements(samples)`).
//!
//! Targets: accuracy ≥ 99.5% with no steady↔wink and no off↔lit confusion; a watch at
//! ≥ 20 million samples/s per core (release). `cargo bench --bench classifier -- --test` runs everything
//! once, quickly.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput};
use rig::observe::{Classifier, Watch};
use rig::spec::{CadenceTable, Spec};
use rig_core::tracegen::corpus::{self, latency, latency_report, Case, Evaluation};

fn table() -> CadenceTable {
    Spec::load(Spec::default_dir())
        .expect("fixtures load")
        .cadences
}

/// Classify every trace once; returns the samples classified.
fn classify_all(cases: &[(Classifier, &Case)]) -> u64 {
    let mut n = 0;
    for (classifier, case) in cases {
        black_box(classifier.classify(black_box(&case.trace.samples)));
        n += case.trace.samples.len() as u64;
    }
    n
}

fn report(cases: &[Case], table: &CadenceTable) {
    let eval = Evaluation::run(cases, table);
    println!("== accuracy on fixtures/traces ({} traces)", cases.len());
    println!("{}", eval.report());
    println!("== latency");
    println!("{}", latency_report(&latency(cases, table, 50.0)));

    // Our own throughput median: the whole corpus, several passes.
    let classifiers: Vec<(Classifier, &Case)> = cases
        .iter()
        .map(|c| (Classifier::new(table, c.trace.calibration()), c))
        .collect();
    let (median, min, max) = median_rate(|| classify_all(&classifiers));
    let total: usize = cases.iter().map(|c| c.trace.samples.len()).sum();
    println!(
        "== throughput: classify over the whole corpus ({total} samples), median of {PASSES} passes: {median:.1} M samples/s (min {min:.1}, max {max:.1}), one core"
    );
    // Streaming as the runner does it: 50 ms of samples pushed, then a reading asked for.
    let (median, min, max) = median_rate(|| watch_all(&classifiers, 50.0));
    println!(
        "== throughput: watch polled every 50 ms over the whole corpus, median of {PASSES} passes: {median:.1} M samples/s (min {min:.1}, max {max:.1}), one core\n"
    );
}

/// Passes of a throughput measurement.
const PASSES: usize = 15;

/// `pass` (returning the samples it processed) timed [`PASSES`] times: the median,
/// lowest and highest rate in million samples per second.
fn median_rate(mut pass: impl FnMut() -> u64) -> (f64, f64, f64) {
    let mut rates: Vec<f64> = (0..PASSES)
        .map(|_| {
            let t = Instant::now();
            let n = pass();
            n as f64 / t.elapsed().as_secs_f64() / 1e6
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    (rates[PASSES / 2], rates[0], rates[PASSES - 1])
}

/// Feed every trace to a fresh `Watch` in `poll_ms` chunks, reading it after each; returns
/// the samples pushed.
fn watch_all(cases: &[(Classifier, &Case)], poll_ms: f64) -> u64 {
    let mut n = 0;
    for (classifier, case) in cases {
        let samples = &case.trace.samples;
        let mut watch = Watch::new(classifier.clone());
        let mut next = samples.first().map_or(0.0, |s| s.t_ms) + poll_ms;
        let mut i = 0;
        while i < samples.len() {
            let j = i + samples[i..].partition_point(|s| s.t_ms < next);
            watch.push(black_box(&samples[i..j]));
            black_box(watch.current());
            i = j;
            next += poll_ms;
        }
        n += samples.len() as u64;
    }
    n
}

/// A representative trace of each kind for the criterion groups.
fn pick<'c>(cases: &'c [Case], prefix: &str) -> Option<&'c Case> {
    cases.iter().find(|c| c.label.file.starts_with(prefix))
}

fn throughput(c: &mut Criterion, cases: &[Case], table: &CadenceTable) {
    let classifiers: Vec<(Classifier, &Case)> = cases
        .iter()
        .map(|c| (Classifier::new(table, c.trace.calibration()), c))
        .collect();
    let total: u64 = cases.iter().map(|c| c.trace.samples.len() as u64).sum();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(total));
    group.bench_function("whole-corpus", |b| b.iter(|| classify_all(&classifiers)));
    for prefix in [
        "rgbc-green-flash-0",
        "rgbc-red-flutter-1",
        "rgbc-grey-steady-0",
        "rgbc-amber-broken-flutter-3",
        "level-on-wink-0",
        "lcd-level-on-flash-0",
        "edge-pwm-dropouts-1khz",
    ] {
        let Some(case) = pick(cases, prefix) else {
            continue;
        };
        let classifier = Classifier::new(table, case.trace.calibration());
        let n = case.trace.samples.len() as u64;
        let hz = (n.saturating_sub(1)) as f64 / case.trace.duration_ms() * 1000.0;
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(
            BenchmarkId::new(prefix, format!("{n}-samples-{hz:.0}Hz")),
            &case.trace.samples,
            |b, samples| b.iter(|| classifier.classify(black_box(samples))),
        );
    }
    group.finish();

    // Streaming as the runner does it: push 50 ms of samples, ask, repeat. Each sample is
    // taken in once (O(1)); each reading walks only the runs in view.
    let mut group = c.benchmark_group("watch-50ms-polls");
    group.sample_size(30);
    if let Some(case) = pick(cases, "rgbc-green-flash-0") {
        let classifier = Classifier::new(table, case.trace.calibration());
        let samples = &case.trace.samples;
        group.throughput(Throughput::Elements(samples.len() as u64));
        group.bench_function("rgbc-green-flash-0", |b| {
            b.iter(|| {
                let mut watch = Watch::new(classifier.clone());
                let t0 = samples[0].t_ms;
                let mut next = t0 + 50.0;
                let mut i = 0;
                while i < samples.len() {
                    let j = i + samples[i..].partition_point(|s| s.t_ms < next);
                    watch.push(&samples[i..j]);
                    black_box(watch.current());
                    i = j;
                    next += 50.0;
                }
            })
        });
    }
    group.finish();
}

fn main() {
    let cases = corpus::load(rig::workspace_path("fixtures/traces")).expect("the corpus loads");
    let table = table();
    report(&cases, &table);
    let mut c = Criterion::default().configure_from_args();
    throughput(&mut c, &cases, &table);
    c.final_summary();
}
