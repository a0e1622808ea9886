//! The input fuzz harness: mutated bench, suite, firmware profile, calibration, light trace
//! and report files through the library entry points the CLI uses, in-process.
//!
//! Seeds are the real files (`wiring/`, `fixtures/twinning.toml`, `fixtures/firmware/`,
//! a sample of `fixtures/traces/`), a calibration of the sim bench and a results.csv built
//! here. The mutator below knows nothing of the parsers: byte flips, numbers swapped for
//! interesting ones (inf, nan, -1, 0, 1e308, 2^32, 2^63-1, 2^64-1…), values swapped for
//! other TOML values, huge strings, deleted, duplicated and swapped lines, truncation.
//! Each input runs on a worker thread under `catch_unwind`; the harness asserts for every
//! input: no panic, an answer within [`TIME_BOUND`], at most [`ALLOC_BOUND`] bytes live at
//! once (a counting global allocator: this test is its own binary), and every rejection
//! names the input's file and, where it gives a line, a line of the file.
//!
//! What each kind goes through (the CLI's code paths):
//! - bench: `bench::parse` (`rig validate`, and `Bench::load` for run/doctor/calibrate),
//!   then for an accepted sim bench the simulated system and every light's sensor stream;
//! - suite: `suite::parse`; profile: `FirmwareProfile::parse`;
//! - calibration: `BenchCalibration::parse` against the sim bench (`rig run`);
//! - trace: `Trace::parse` (`rig classify`'s reader), then the classifier on it;
//! - report: `report::read::read_results` (`rig report diff/merge`) from a file.
//!
//! `cargo test -p rig --test fuzz` runs [`DEFAULT_INPUTS`] inputs (CI). For the big run:
//!
//! ```sh
//! RIG_FUZZ=100000 cargo test --release -p rig --test fuzz -- --nocapture
//! ```
//!
//! Recorded once (this shared 2-core machine, the command above, 4 min 21 s of build):
//! `fuzz: 100000 inputs, 87225 rejected, 12775 accepted, slowest 12.1 ms, peak 4.8 MiB,
//! panics=0, unnamed=0` (25 s). The default 3000 take under a second in the dev profile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rig::bench::{Bench, DarkLevel, Light};
use rig::calibration::{BenchCalibration, LightCalibration, Measurement};
use rig::hw::{BenchClock, SensorKind};
use rig::observe::{Classifier, Watch};
use rig::sim::{FirmwareProfile, SimBench};
use rig::source::{InputError, SourceText};
use rig::spec::{Indication, Spec};
use rig::trace::{TraceReader, CHUNK};

/// Inputs of a plain `cargo test` run.
const DEFAULT_INPUTS: usize = 3000;
/// Longest one input may take (debug build, shared machine: generous).
const TIME_BOUND: Duration = Duration::from_secs(10);
/// Most bytes live at once while one input runs.
const ALLOC_BOUND: usize = 512 << 20;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Refuse instead of aborting the process: the parsers must not ask for this much.
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        if live > 2 * ALLOC_BOUND {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// xorshift64*: the mutator's own, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NUMBERS: &[&str] = &[
    "inf",
    "-inf",
    "nan",
    "+nan",
    "-1",
    "0",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "4294967296",
    "4294967295",
    "65536",
    "255",
    "256",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "0x70",
    "0.5",
    "1_000",
];

const VALUES: &[&str] = &[
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "true",
    "[0x70, 0x70]",
    "{ dark = inf }",
    "1979-05-27T07:32:00Z",
    "'''\n'''",
];

/// The mutator: 1 to 4 edits that know nothing of the format.
fn mutate(seed: &str, rng: &mut Rng) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 => {
                // A byte flipped.
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            1 | 2 => replace_token(&mut bytes, rng, NUMBERS, |b| b.is_ascii_digit()),
            3 => replace_token(&mut bytes, rng, VALUES, |b| b == b'"' || b == b'['),
            4 => {
                // A line deleted.
                let mut lines = split_lines(&bytes);
                if !lines.is_empty() {
                    lines.remove(rng.below(lines.len()));
                }
                bytes = lines.concat();
            }
            5 => {
                // A line duplicated or two lines swapped.
                let mut lines = split_lines(&bytes);
                if !lines.is_empty() {
                    let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                    if rng.below(2) == 0 {
                        let l = lines[i].clone();
                        lines.insert(j, l);
                    } else {
                        lines.swap(i, j);
                    }
                }
                bytes = lines.concat();
            }
            6 => {
                // Truncated.
                let n = rng.below(bytes.len() + 1);
                bytes.truncate(n);
            }
            7 => {
                // A huge string or number.
                let at = rng.below(bytes.len() + 1);
                let huge = if rng.below(2) == 0 {
                    "x".repeat(200_000)
                } else {
                    "9".repeat(5_000)
                };
                bytes.splice(at..at, huge.into_bytes());
            }
            _ => {
                // A run of bytes copied elsewhere.
                if !bytes.is_empty() {
                    let from = rng.below(bytes.len());
                    let len = rng.below(64).min(bytes.len() - from);
                    let run = bytes[from..from + len].to_vec();
                    let at = rng.below(bytes.len() + 1);
                    bytes.splice(at..at, run);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Replace the token starting at a random byte where `starts` holds by one of `with`.
fn replace_token(bytes: &mut Vec<u8>, rng: &mut Rng, with: &[&str], starts: fn(u8) -> bool) {
    let starts_at: Vec<usize> = (0..bytes.len())
        .filter(|&i| starts(bytes[i]) && (i == 0 || !starts(bytes[i - 1])))
        .collect();
    if starts_at.is_empty() {
        return;
    }
    let i = starts_at[rng.below(starts_at.len())];
    let end = (i + 1..bytes.len())
        .find(|&j| matches!(bytes[j], b',' | b' ' | b'\n' | b'}' | b']' | b'\r'))
        .unwrap_or(bytes.len());
    let end = if bytes[i] == b'"' {
        (i + 1..bytes.len())
            .find(|&j| bytes[j] == b'"')
            .map_or(bytes.len(), |j| j + 1)
    } else {
        end
    };
    bytes.splice(i..end, with[rng.below(with.len())].bytes());
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bench,
    Suite,
    Profile,
    Calibration,
    Trace,
    Report,
}

struct Seed {
    kind: Kind,
    name: String,
    text: String,
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seeds(spec: &Spec, sim_bench: &Bench) -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add = |kind, path: PathBuf| {
        out.push(Seed {
            kind,
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&path).unwrap(),
        })
    };
    let ws = workspace();
    add(Kind::Bench, ws.join("wiring/sim-matrix.toml"));
    add(Kind::Bench, ws.join("wiring/lab-example.toml"));
    add(Kind::Suite, ws.join("fixtures/twinning.toml"));
    add(Kind::Profile, ws.join("fixtures/firmware/reference.toml"));
    let mut faults: Vec<PathBuf> = std::fs::read_dir(ws.join("fixtures/firmware/faults"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    faults.sort();
    for f in faults.into_iter().step_by(4) {
        add(Kind::Profile, f);
    }
    let mut traces: Vec<PathBuf> = std::fs::read_dir(ws.join("fixtures/traces"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv") && !p.ends_with("labels.csv"))
        .collect();
    traces.sort();
    // The hand-made edge cases and a spread of the rest; short ones keep a debug run fast.
    for t in traces
        .into_iter()
        .filter(|p| p.metadata().unwrap().len() < 40_000)
        .step_by(6)
    {
        add(Kind::Trace, t);
    }
    out.push(Seed {
        kind: Kind::Calibration,
        name: "sim-matrix.calibration.toml".into(),
        text: calibration_text(spec, sim_bench),
    });
    out.push(Seed {
        kind: Kind::Report,
        name: "results.csv".into(),
        text: results_csv(),
    });
    out
}

/// A calibration of every light of the sim bench, as `rig calibrate` writes it.
fn calibration_text(spec: &Spec, bench: &Bench) -> String {
    let mut lights = Vec::new();
    for p in &bench.positions {
        let family = bench.family(p, &spec.catalog);
        for (light, w) in &p.lights {
            let kind = bench.sensor_bank(&w.sensor.device).unwrap().kind;
            let level = |x: f32| match kind {
                SensorKind::Rgbc => DarkLevel::Rgbc([x, x + 0.5, x - 0.25, x * 3.0]),
                SensorKind::Level => DarkLevel::Level(x),
            };
            let m = |state: &str, ind: &str, x| Measurement {
                state: state.into(),
                indication: ind.parse::<Indication>().unwrap(),
                mean: level(x),
                noise: level(4.0),
                samples: 300,
            };
            lights.push(LightCalibration {
                position: p.id.clone(),
                model: p.model.clone(),
                light: *light,
                sensor: w.sensor.to_string(),
                kind,
                polarity: family.polarity(),
                measured_at: Some("2026-01-02T03:04:05.678Z".into()),
                dark: (*light == Light::Call).then(|| m("idle", "off", 12.0)),
                dark_missing: (*light == Light::Twinning).then(|| "not known".to_string()),
                references: vec![m("twinning-on", "green steady", 900.0)],
                notes: vec!["a note".into()],
            });
        }
    }
    let cal = BenchCalibration {
        path: PathBuf::from("sim-matrix.calibration.toml"),
        bench: bench.name.clone(),
        bench_file: "wiring/sim-matrix.toml".into(),
        firmware: "sim:reference".into(),
        measured_at: "2026-01-02T03:04:05.000Z".into(),
        lights,
    };
    let mut out = Vec::new();
    cal.write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn results_csv() -> String {
    let header = "run_id,bench,position,model,family,firmware,case,clauses,verdict,expected,\
                  observed,measured,unit,attempt,started_at,bench_time_ms,message\n";
    let mut s = header.to_string();
    for (i, v) in ["PASS", "FAIL", "ERROR", "SKIP", "MANUAL"]
        .iter()
        .enumerate()
    {
        s.push_str(&format!(
            "20260102T030405Z-sim,sim-matrix,p1416,1416,1400,sim:reference,toggle,S3 S16,{v},\
             twinning light: green steady,\"observed, quoted\",{}.5,ms,{},\
             2026-01-02T03:04:0{i}.000Z,{},\"a \"\"message\"\"\"\n",
            1000 + i,
            1 + i,
            2000 * i
        ));
    }
    s
}

/// What one input came to.
enum Outcome {
    Accepted,
    Rejected(Vec<InputError>),
}

struct Context {
    spec: Spec,
    sim_bench: Bench,
    profile: FirmwareProfile,
    dir: tempfile::TempDir,
}

/// One input through its CLI entry point.
fn run_one(ctx: &Context, kind: Kind, path: &Path, text: String) -> Outcome {
    let src = SourceText::from_string(path, text);
    let result: Result<(), Vec<InputError>> = match kind {
        Kind::Bench => match rig::bench::parse(&src, &ctx.spec.catalog) {
            Err(e) => Err(e.0),
            Ok(bench) => {
                if bench.uses_sim() {
                    let sim = SimBench::new(
                        &bench,
                        &ctx.spec,
                        ctx.profile.clone(),
                        BenchClock::start(),
                        7,
                    );
                    for p in &bench.positions {
                        for w in p.lights.values() {
                            if bench.sensor_bank(&w.sensor.device).unwrap().backend
                                == rig::bench::Backend::Sim
                            {
                                let mut s = sim.sensor(&w.sensor);
                                let mut samples = Vec::new();
                                let _ = s.drain(&mut samples);
                            }
                        }
                    }
                }
                Ok(())
            }
        },
        Kind::Suite => rig::suite::parse(&src, &ctx.spec)
            .map(drop)
            .map_err(|e| e.0),
        Kind::Profile => FirmwareProfile::parse(&src, &ctx.spec)
            .map(drop)
            .map_err(|e| e.0),
        Kind::Calibration => BenchCalibration::parse(&src, &ctx.sim_bench, &ctx.spec)
            .map(drop)
            .map_err(|e| e.0),
        // As `rig classify`: streamed in chunks into the watch a run uses.
        Kind::Trace => (|| {
            let mut trace = TraceReader::new(src.text.as_bytes(), path)?;
            let mut watch = Watch::new(Classifier::new(&ctx.spec.cadences, trace.calibration()));
            let mut chunk = Vec::with_capacity(CHUNK);
            while trace.next_chunk(&mut chunk)? {
                watch.push(&chunk);
            }
            let _ = watch.current();
            Ok(())
        })()
        .map_err(|e: InputError| vec![e]),
        Kind::Report => {
            let file = ctx.dir.path().join("results.csv");
            std::fs::write(&file, &src.text).unwrap();
            rig::report::read::read_results(&file, None)
                .map(drop)
                .map_err(|e| {
                    // Name the input, not the scratch copy, in what is checked below.
                    e.0.into_iter()
                        .map(|mut x| {
                            if x.path == file {
                                x.path = path.to_path_buf();
                            }
                            x
                        })
                        .collect()
                })
        }
    };
    match result {
        Ok(()) => Outcome::Accepted,
        Err(e) => Outcome::Rejected(e),
    }
}

#[derive(Default, Debug)]
struct Tally {
    inputs: usize,
    accepted: usize,
    rejected: usize,
    panics: Vec<String>,
    unnamed: Vec<String>,
    slowest: Duration,
    peak_bytes: usize,
}

#[test]
fn mutated_inputs_never_panic_hang_or_go_unnamed() {
    let n: usize = std::env::var("RIG_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_INPUTS);
    let spec = Spec::load(workspace().join("fixtures")).unwrap();
    let sim_bench = Bench::load(workspace().join("wiring/sim-matrix.toml"), &spec.catalog).unwrap();
    let profile = FirmwareProfile::reference(&spec).unwrap();
    let seeds = seeds(&spec, &sim_bench);
    let ctx = Context {
        spec,
        sim_bench,
        profile,
        dir: tempfile::tempdir().unwrap(),
    };
    // Silence the default hook: panics are caught and counted, not printed by the thousand.
    std::panic::set_hook(Box::new(|_| {}));

    let (to_worker, inputs) = mpsc::channel::<(Kind, PathBuf, String)>();
    let (to_main, answers) = mpsc::channel::<(Result<Outcome, String>, usize)>();
    let worker = std::thread::spawn(move || {
        for (kind, path, text) in inputs {
            let before = LIVE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| run_one(&ctx, kind, &path, text)))
                .map_err(|p| {
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                });
            let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
            if to_main.send((r, peak)).is_err() {
                break;
            }
        }
    });

    let mut rng = Rng(0x005E_ED0F_u64.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut t = Tally::default();
    for i in 0..n {
        let seed = &seeds[rng.below(seeds.len())];
        // A few unmutated seeds keep the accept path honest.
        let text = if i < seeds.len() {
            seeds[i].text.clone()
        } else {
            mutate(&seed.text, &mut rng)
        };
        let seed = if i < seeds.len() { &seeds[i] } else { seed };
        let path = PathBuf::from(format!("fuzz/{i}/{}", seed.name));
        let lines = text.lines().count() + 1;
        let shown = text.chars().take(300).collect::<String>();
        let started = Instant::now();
        to_worker.send((seed.kind, path.clone(), text)).unwrap();
        let (result, peak) = match answers.recv_timeout(TIME_BOUND) {
            Ok(a) => a,
            Err(_) => panic!(
                "input {i} ({:?} {}) gave no answer within {TIME_BOUND:?}:\n{shown}",
                seed.kind, seed.name
            ),
        };
        let took = started.elapsed();
        t.slowest = t.slowest.max(took);
        t.peak_bytes = t.peak_bytes.max(peak);
        assert!(
            peak <= ALLOC_BOUND,
            "input {i} ({:?}) held {peak} bytes at once:\n{shown}",
            seed.kind
        );
        t.inputs += 1;
        match result {
            Err(msg) => t
                .panics
                .push(format!("input {i} ({:?}): {msg}\n{shown}", seed.kind)),
            Ok(Outcome::Accepted) => t.accepted += 1,
            Ok(Outcome::Rejected(errors)) => {
                t.rejected += 1;
                let named = !errors.is_empty()
                    && errors.iter().all(|e| {
                        e.path == path
                            && !e.message.trim().is_empty()
                            && e.line.is_none_or(|l| (1..=lines).contains(&l))
                    });
                if !named {
                    t.unnamed.push(format!(
                        "input {i} ({:?}): {:?}",
                        seed.kind,
                        errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    drop(to_worker);
    worker.join().unwrap();
    let _ = std::panic::take_hook();
    println!(
        "fuzz: {} inputs, {} rejected, {} accepted, slowest {:.1} ms, peak {:.1} MiB, \
         panics={}, unnamed={}",
        t.inputs,
        t.rejected,
        t.accepted,
        t.slowest.as_secs_f64() * 1000.0,
        t.peak_bytes as f64 / (1 << 20) as f64,
        t.panics.len(),
        t.unnamed.len()
    );
    assert!(t.panics.is_empty(), "panics:\n{}", t.panics.join("\n---\n"));
    assert!(t.unnamed.is_empty(), "unnamed:\n{}", t.unnamed.join("\n"));
    // The harness itself: it must reach both answers, or it tests nothing.
    assert!(
        t.accepted >= seeds.len() && t.rejected > t.inputs / 4,
        "{t:?}"
    );
}
