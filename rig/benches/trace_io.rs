//! Trace file figures (`rig::trace`): the reader's throughput alone, and `rig classify`
//! end to end.
//!
//! ```sh
//! cargo bench -p rig --bench trace_io                               # 1 M samples
//! TRACE_IO_SAMPLES=10000000 cargo bench -p rig --bench trace_io     # the 10 M-sample figures
//! TRACE_IO_KEEP=/tmp/big.csv ...                                    # keep the corpus-like file
//! ```
//!
//! Writes two traces of `TRACE_IO_SAMPLES` samples (default 1 000 000) in a temporary
//! folder with `TraceWriter`, as a 1 kHz RGB+clear sensor gives them:
//! - `corpus`: 0.1 ms times and integer counts (the labelled corpus, a TCS34725's counts);
//! - `clock`: times straight from a clock (all 15–17 digits) and fractional counts (an
//!   averaged or scaled reading): rows too long for the compact path, read field by field.
//!
//! Then prints, for each, the reader's throughput over the file (page cache, one core;
//! our median of 5 passes, then criterion's `Throughput::Elements` groups), and runs the
//! release `rig classify` on the `corpus` file three times: wall time, samples/s and the
//! child's peak RSS (`ru_maxrss` from `wait4`, what `/usr/bin/time -v` reports as "Maximum
//! resident set size"). Targets: reader ≥ 40 M samples/s; classify ≥ 15 M samples/s with
//! < 50 MB on 10 M samples. `-- --test` runs everything once, quickly.

use std::hint::black_box;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput};

#[path = "../tests/common/child.rs"]
mod child;
use rig::bench::DarkLevel;
use rig::hw::{Sample, SensorKind};
use rig::observe::Polarity;
use rig::trace::{Head, TraceReader, TraceWriter, CHUNK};

#[derive(Debug, Clone, Copy)]
enum Style {
    Corpus,
    Clock,
}

/// A cheap deterministic hash: noise without a generator's state.
fn mix(i: u64, k: u64) -> u64 {
    let mut z = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ k.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^= z >> 29;
    z = z.wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 32)
}

/// A green wink (200 ms on, 50 off) read at 1 kHz, `n` samples, written as it is made.
fn write_trace(path: &Path, n: u64, style: Style) -> u64 {
    let file = BufWriter::new(std::fs::File::create(path).expect("create the trace"));
    let head = Head {
        kind: SensorKind::Rgbc,
        polarity: Polarity::Emissive,
        dark: Some(DarkLevel::Rgbc([12.0; 4])),
        labels: vec![("label".into(), "green wink".into())],
    };
    let mut w = TraceWriter::new(file, &head).expect("write the trace");
    let mut chunk = Vec::with_capacity(CHUNK);
    for i in 0..n {
        let jitter = (mix(i, 9) % 1000) as f64 / 1000.0 * 0.5;
        let t_ms = match style {
            Style::Corpus => ((i as f64 + jitter) * 10.0).round() / 10.0,
            Style::Clock => 1_234.567_891 + i as f64 * 1.000_137 + jitter,
        };
        let on = if (t_ms % 250.0) < 200.0 { 1.0 } else { 0.0 };
        let noise = |ch: u64| (mix(i, ch) % 6000) as f32 / 1000.0 - 3.0;
        let level = |base: f32, ch: u64| {
            let v = 12.0 + on * base + noise(ch);
            match style {
                Style::Corpus => v.round(),
                Style::Clock => v / 3.0,
            }
        };
        chunk.push(Sample {
            t_ms,
            r: level(350.0, 0),
            g: level(2900.0, 1),
            b: level(730.0, 2),
            c: level(4000.0, 3),
        });
        if chunk.len() == CHUNK {
            w.push(&chunk).expect("write the trace");
            chunk.clear();
        }
    }
    w.push(&chunk).expect("write the trace");
    w.finish().expect("write the trace");
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Read every sample of the file; returns how many.
fn read_all(path: &Path) -> u64 {
    let mut r = TraceReader::open(path).expect("the trace reads");
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut n = 0;
    while r.next_chunk(&mut chunk).expect("the trace reads") {
        n += chunk.len() as u64;
        black_box(&chunk);
    }
    n
}

/// Our own figure: the median of 5 passes, samples/s.
fn reader_rate(path: &Path, n: u64) -> f64 {
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(read_all(path), n);
            n as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[2]
}

/// Run `rig classify FILE`: (stdout, wall seconds, peak RSS in KiB).
fn classify(path: &Path) -> (String, f64, i64) {
    let run = child::classify(path);
    assert_eq!(run.exit_code, 0, "rig classify failed: {}", run.stdout);
    (run.stdout, run.wall_s, run.peak_rss_kib)
}

fn main() {
    let n: u64 = std::env::var("TRACE_IO_SAMPLES")
        .ok()
        .map(|v| v.parse().expect("TRACE_IO_SAMPLES is a number"))
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let corpus: PathBuf = std::env::var_os("TRACE_IO_KEEP")
        .map_or_else(|| dir.path().join("corpus.csv"), PathBuf::from);
    let clock = dir.path().join("clock.csv");
    let mut files = Vec::new();
    for (name, path, style) in [
        ("corpus", &corpus, Style::Corpus),
        ("clock", &clock, Style::Clock),
    ] {
        let t = Instant::now();
        let bytes = write_trace(path, n, style);
        println!(
            "== {name}: {n} samples, {:.1} MB, written in {:.2} s ({:.1} M samples/s)",
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            n as f64 / t.elapsed().as_secs_f64() / 1e6
        );
        files.push((name, path.clone(), bytes));
    }
    for (name, path, bytes) in &files {
        let rate = reader_rate(path, n);
        println!(
            "== reader, {name}: median of 5 passes {:.1} M samples/s ({:.0} MB/s), one core",
            rate / 1e6,
            rate * *bytes as f64 / n as f64 / 1e6
        );
    }
    let mut runs: Vec<(String, f64, i64)> = (0..3).map(|_| classify(&corpus)).collect();
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (answer, secs, _) = &runs[1];
    let rss = runs.iter().map(|r| r.2).max().unwrap_or(0);
    println!(
        "== rig classify, corpus ({n} samples): median of 3 runs {secs:.2} s wall, {:.1} M samples/s end to end, peak RSS {:.1} MB; answer: {answer}",
        n as f64 / secs / 1e6,
        rss as f64 / 1024.0
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("trace-read");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    for (name, path, _) in &files {
        group.bench_function(*name, |b| b.iter(|| read_all(path)));
    }
    group.finish();
    c.final_summary();
}
