//! Line pools and the scheduler at lab scale, in virtual time.
//!
//! `cargo bench -p rig --bench lab` runs the whole suite with the reference firmware on:
//! - `wiring/sim-matrix.toml` (two modems, every call in turn),
//! - `wiring/sim-lab.toml` (a mobile line per position, 12 caller lines),
//! - that lab ×4 and ×16 (generated here: positions, relay boards, sensor banks and lines
//!   all scaled together),
//!
//! and prints, for each: positions, rows, bench time, its lower bound (from the durations
//! the run measured) and their ratio, the bound planned before the run, and the median wall
//! time of the simulated run over a few runs (with wall time per row). Every run must pass.
//!
//! `LAB_REALTIME=1 cargo bench -p rig --bench lab` also runs `rig run --realtime` on
//! sim-lab (about 4 minutes of wall time) and prints its wall time against its bench time
//! and the CPU it used, (user + sys) / wall.

use std::time::Instant;

use rig::bench::Bench;
use rig::factory::simulate;
use rig::runner::RunSummary;
use rig::sim::FirmwareProfile;
use rig::spec::Spec;
use rig::suite::Suite;

/// `sim-lab.toml` with everything on it `n` times: replica `r` gets its own relay board
/// and sensor banks (ids suffixed `-r`), positions (`p…-r`, extensions prefixed by `r`),
/// mobile lines and caller lines (numbers with `r` in them).
fn scaled_lab(n: usize) -> String {
    let lab = std::fs::read_to_string(rig::workspace_path("wiring/sim-lab.toml")).unwrap();
    let blocks: Vec<&str> = lab.split("\n[[").collect();
    let mut out = blocks[0].replace("name = \"sim-lab\"", &format!("name = \"sim-lab-x{n}\""));
    for r in 0..n {
        for b in &blocks[1..] {
            let b = format!("[[{b}");
            let replica = if b.starts_with("[[relays]]") || b.starts_with("[[sensors]]") {
                b.replacen("id = \"", &format!("id = \"r{r}-"), 1)
            } else if b.starts_with("[[modem]]") {
                b.replacen("id = \"", &format!("id = \"r{r}-"), 1)
                    .replace("number = \"077009", &format!("number = \"07{r:02}09"))
            } else if b.starts_with("[[position]]") {
                b.replacen("id = \"", &format!("id = \"r{r}-"), 1)
                    .replacen("extension = \"", &format!("extension = \"{}", r + 1), 1)
                    .replace("number = \"077009", &format!("number = \"07{r:02}09"))
                    .replace("number = \"214\"", &format!("number = \"{}214\"", r + 1))
                    .replace("= \"relays:", &format!("= \"r{r}-relays:"))
                    .replace("= \"rgb:", &format!("= \"r{r}-rgb:"))
                    .replace("= \"level:", &format!("= \"r{r}-level:"))
            } else {
                // [[system.inbound]] and the like: once.
                if r > 0 {
                    continue;
                }
                b
            };
            out.push('\n');
            out.push_str(&replica);
        }
    }
    out
}

struct Inputs {
    spec: Spec,
    suite: Suite,
    profile: FirmwareProfile,
}

fn load_bench(spec: &Spec, name: &str, text: Option<String>) -> Bench {
    match text {
        None => Bench::load(rig::workspace_path(name), &spec.catalog).unwrap(),
        Some(t) => {
            let path = std::env::temp_dir().join(format!("rig-bench-{}.toml", std::process::id()));
            std::fs::write(&path, t).unwrap();
            let b = Bench::load(&path, &spec.catalog).unwrap_or_else(|e| panic!("{e}"));
            let _ = std::fs::remove_file(&path);
            b
        }
    }
}

fn run_once(i: &Inputs, bench: &Bench, seed: u64) -> RunSummary {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(simulate(&i.spec, bench, &i.suite, i.profile.clone(), seed))
        .unwrap()
}

fn main() {
    // `cargo test --benches` runs this once too: keep it quick there.
    let quick = std::env::args().any(|a| a == "--test");
    let spec = Spec::load(Spec::default_dir()).unwrap();
    let suite = Suite::load(Suite::default_path(), &spec).unwrap();
    let profile = FirmwareProfile::load(
        rig::workspace_path("fixtures/firmware/reference.toml"),
        &spec,
    )
    .unwrap();
    let i = Inputs {
        spec,
        suite,
        profile,
    };
    let scales: &[usize] = if quick { &[1] } else { &[1, 4, 16] };
    let mut benches = vec![(
        "sim-matrix".to_string(),
        load_bench(&i.spec, "wiring/sim-matrix.toml", None),
    )];
    for &n in scales {
        let text = (n > 1).then(|| scaled_lab(n));
        let name = if n == 1 {
            "sim-lab".to_string()
        } else {
            format!("sim-lab x{n}")
        };
        benches.push((name, load_bench(&i.spec, "wiring/sim-lab.toml", text)));
    }
    println!(
        "{:<13} {:>9} {:>6} {:>12} {:>10} {:>7} {:>12} {:>10} {:>13}",
        "bench",
        "positions",
        "rows",
        "bench time",
        "bound",
        "ratio",
        "planned",
        "wall",
        "wall per row"
    );
    for (name, bench) in &benches {
        let runs = if quick { 1 } else { 5 };
        let mut walls = Vec::new();
        let mut last = None;
        for seed in 0..runs {
            let t = Instant::now();
            let s = run_once(&i, bench, seed);
            walls.push(t.elapsed().as_secs_f64());
            assert_eq!(
                s.tally.fail + s.tally.error,
                0,
                "{name}: the reference must pass"
            );
            last = Some(s);
        }
        let s = last.unwrap();
        walls.sort_by(f64::total_cmp);
        let wall = walls[walls.len() / 2];
        let bound = s.schedule.measured_bound.as_ref().unwrap();
        let planned = s.schedule.planned_bound.as_ref().unwrap();
        println!(
            "{:<13} {:>9} {:>6} {:>10.1} s {:>8.1} s {:>7.3} {:>10.1} s {:>8.3} s {:>10.1} µs",
            name,
            bench.positions.len(),
            s.results.len(),
            s.bench_time_ms / 1000.0,
            bound.ms() / 1000.0,
            s.bench_time_ms / bound.ms(),
            planned.ms() / 1000.0,
            wall,
            wall / s.results.len() as f64 * 1e6
        );
    }
    if std::env::var_os("LAB_REALTIME").is_some() && !quick {
        realtime();
    }
}

/// `rig run --realtime` on sim-lab: wall time against bench time, and (user + sys) / wall.
fn realtime() {
    let out = std::env::temp_dir().join(format!("rig-lab-realtime-{}", std::process::id()));
    let before = children_cpu_s();
    let t = Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_rig"))
        .args([
            "run",
            "--realtime",
            "--bench",
            "wiring/sim-lab.toml",
            "--out",
        ])
        .arg(&out)
        .current_dir(rig::workspace_path("."))
        .output()
        .unwrap();
    let wall = t.elapsed().as_secs_f64();
    let cpu = children_cpu_s() - before;
    let text = String::from_utf8_lossy(&o.stdout);
    let bench_s: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("bench time covered: "))
        .and_then(|l| l.trim_end_matches(" s").parse().ok())
        .unwrap_or(f64::NAN);
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "realtime sim-lab: exit {:?}, bench time {bench_s:.1} s, wall {wall:.1} s (wall / bench {:.4}), user+sys {cpu:.2} s = {:.2}% of one core",
        o.status.code(),
        wall / bench_s,
        100.0 * cpu / wall
    );
}

/// CPU seconds (user + sys) of every waited-for child so far.
fn children_cpu_s() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given.
    let u = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, u.as_mut_ptr());
        u.assume_init()
    };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(u.ru_utime) + s(u.ru_stime)
}
