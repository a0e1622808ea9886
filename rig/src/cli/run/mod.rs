//! `rig run`: the full suite on a bench, with the CSV report.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context as _;
use clap::Args;

mod dry_run;
mod rerun;

use dry_run::dry_run;
use rerun::failed_pairs;

use super::bench_args::BenchArgs;
use super::{ArgError, CliError, ExitCode};
use crate::bench::Bench;
use crate::calibration::BenchCalibration;
use crate::hw::BenchClock;
use crate::ownership::{ClaimError, Holder};
use crate::report::certify::{Certification, Scope};
use crate::report::{Console, ConsoleOptions, CsvReport, ReportSet, Verbosity};
use crate::runner::{
    self, Context, DeviceSet, Event, EventBus, Operator, Reporter, RunInfo, RunSummary, Tally,
    Verdict,
};
use crate::schedule::estimate::History;
use crate::schedule::Bound;
use crate::sim::{FirmwareProfile, SimBench};
use crate::spec::Spec;
use crate::suite::Suite;

/// `say!` unless `-q` asked for only the end.
macro_rules! note {
    ($quiet:expr, $($arg:tt)*) => {
        if !$quiet {
            say!($($arg)*);
        }
    };
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    bench: BenchArgs,
    /// The suite file.
    #[arg(long, default_value = "fixtures/twinning.toml")]
    suite: PathBuf,
    /// The firmware under test, as written in the report (default: the sim profile's name).
    #[arg(long)]
    firmware: Option<String>,
    /// Label what is under test, for the reports (repeatable): `--label ipo=12.1.0.1
    /// --label 9611-fw=7.1.15`.
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    labels: Vec<(String, String)>,
    /// Run each case this many times in a row on each position; every attempt is a row.
    /// A repeated run certifies: only when every attempt passes and every clause was
    /// checked (README "Certifying a firmware").
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
    /// Certify even a single run: pass only when every clause of the suite was checked on
    /// every family where the spec defines it, and every case passed; else exit 5.
    #[arg(long)]
    certify: bool,
    /// Where to write the reports (default: results/<run-id>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only these cases (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Only cases that name one of these clauses (comma-separated, `S3,S4`).
    #[arg(long, value_delimiter = ',', value_name = "CLAUSE")]
    clause: Vec<String>,
    /// Only positions of these families (comma-separated ids, as `rig list phones`).
    #[arg(long, value_delimiter = ',')]
    family: Vec<String>,
    /// Only these positions (comma-separated ids of the bench).
    #[arg(long, value_delimiter = ',')]
    position: Vec<String>,
    /// Run again only the position × case pairs with a FAIL or ERROR row in this earlier
    /// run's report folder (its results.csv), on the same bench and suite.
    #[arg(long, value_name = "DIR")]
    rerun_failed: Option<PathBuf>,
    /// Start no case after the first FAIL or ERROR (cases already running finish).
    #[arg(long)]
    fail_fast: bool,
    /// Run a simulated bench on the wall clock instead of in virtual time.
    #[arg(long)]
    realtime: bool,
    /// Ask the operator the manual checks (S2, S15) on the terminal.
    #[arg(long)]
    operator: bool,
    /// More while the run goes: `-v` every case (with its message) also on a terminal,
    /// `-vv` every step as it starts.
    #[arg(long, short, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Only the end: the summary, every FAIL and ERROR, the certification, the paths.
    #[arg(long, short)]
    quiet: bool,
    /// Colour the verdicts: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    /// The light calibration to use (default: `<bench stem>.calibration.toml` next to the
    /// bench file, if there is one).
    #[arg(long, conflicts_with = "no_calibration")]
    calibration: Option<PathBuf>,
    /// Ignore any calibration file: use the bench file's dark levels.
    #[arg(long)]
    no_calibration: bool,
    /// Everything but energising relays and dialling: probe every device, show the plan
    /// (the order of the cases, the lower bound on bench time and the time expected).
    #[arg(long)]
    dry_run: bool,
    /// An earlier run's results.csv: expect each case to take as long as it took there
    /// (its median per model and case), to order the cases and forecast the bench time.
    #[arg(long, value_name = "RESULTS_CSV")]
    history: Option<PathBuf>,
    /// For the rig's own tests: write every simulated relay change to this file.
    #[arg(long, hide = true)]
    sim_relay_log: Option<PathBuf>,
}

/// Everything a bench command (`run`, `calibrate`) needs, loaded and checked before
/// anything is touched.
pub(super) struct Loaded {
    pub(super) spec: Spec,
    pub(super) bench: Bench,
    pub(super) suite: Suite,
    /// The firmware profile the simulated system follows, when any device is simulated.
    pub(super) profile: Option<FirmwareProfile>,
}

impl Loaded {
    /// Load the spec, the bench, the suite and (when any device is simulated) the firmware
    /// profile. Relative default paths are found from the workspace.
    pub(super) fn load(
        fixtures: Option<&Path>,
        bench: &Path,
        suite: &Path,
        sim_firmware: &Path,
    ) -> Result<Loaded, CliError> {
        let spec = Spec::load(fixtures.map_or_else(Spec::default_dir, Path::to_path_buf))?;
        let bench = Bench::load(resolve(bench), &spec.catalog)?;
        let suite = Suite::load(resolve(suite), &spec)?;
        let profile = if !bench.uses_sim() {
            None
        } else {
            Some(FirmwareProfile::load(resolve(sim_firmware), &spec)?)
        };
        Ok(Loaded {
            spec,
            bench,
            suite,
            profile,
        })
    }

    /// Hold the bench's hardware for `command` (nothing for a simulated bench): a second
    /// command on the same relays, sensors or modems is refused, naming this one.
    pub(super) fn lock_bench(
        &self,
        command: &str,
        out: Option<&Path>,
    ) -> Result<Vec<crate::ownership::Claim>, CliError> {
        let holder = Holder::this_process(command, &self.bench.path, out);
        crate::ownership::lock_bench(&self.bench, &holder).map_err(claim_error)
    }

    /// Virtual time: every device simulated, unless `realtime` asks for the wall clock.
    pub(super) fn virtual_time(&self, realtime: bool) -> bool {
        !realtime && self.profile.is_some() && self.bench.is_simulated()
    }

    /// The firmware label of reports: as given, else `sim:<profile name>`.
    pub(super) fn firmware(&self, label: Option<&str>) -> String {
        match (label, &self.profile) {
            (Some(l), _) => l.to_string(),
            (None, Some(p)) => format!("sim:{}", p.name),
            (None, None) => "unlabelled".into(),
        }
    }

    /// The simulated system, when the bench has simulated devices (its lights start
    /// recording now, on `clock`).
    pub(super) fn sim(&self, clock: BenchClock, seed: u64) -> Option<SimBench> {
        self.profile
            .clone()
            .map(|p| SimBench::new(&self.bench, &self.spec, p, clock, seed))
    }

    /// A position of the bench by id; an unknown one is a bad invocation.
    pub(super) fn position(&self, id: &str) -> Result<&crate::bench::Position, CliError> {
        self.bench.position(id).ok_or_else(|| {
            CliError::Usage(format!(
                "no position `{id}` in {}",
                self.bench.path.display()
            ))
        })
    }

    /// Start the simulated system (if any) and open every device, with each light's dark
    /// level from `calibration` where it has one. Call inside the runtime: the simulated
    /// lights start recording now, on `clock`.
    pub(super) fn open_devices(
        &self,
        clock: BenchClock,
        seed: u64,
        calibration: Option<&BenchCalibration>,
        relay_log: Option<&Path>,
    ) -> Result<DeviceSet, CliError> {
        let sim = self.sim(clock, seed);
        if let (Some(sim), Some(path)) = (&sim, relay_log) {
            let file = std::fs::File::create(path)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            sim.log_relays_to(file);
        }
        crate::factory::open_calibrated(&self.bench, &self.spec, sim.as_ref(), clock, calibration)
            .map_err(|e| CliError::Rig(e.into()))
    }

    /// The shared, read-only context of a run on this bench.
    pub(super) fn context(self, clock: BenchClock) -> Arc<Context> {
        Arc::new(Context {
            spec: self.spec,
            bench: self.bench,
            settings: self.suite.settings,
            clock,
        })
    }
}

impl RunArgs {
    /// The bench file named on the command line (for the layout rule, `crate::paths`).
    pub(super) fn bench_file(&self) -> &std::path::Path {
        &self.bench.bench
    }

    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = self.load()?;
        // Before anything touches a device (a dry run probes them) or writes a file.
        let _bench = loaded.lock_bench("rig run", self.out.as_deref())?;
        let mut cases = self.cases(&loaded.suite)?;
        let mut positions = self.positions(&loaded)?;
        let pairs = match &self.rerun_failed {
            Some(dir) => {
                let pairs = failed_pairs(dir, &loaded, &cases, &positions)?;
                if pairs.is_empty() {
                    say!(
                        "--rerun-failed {}: no FAIL or ERROR row to run again (with the filters given)",
                        dir.display()
                    );
                    return Ok(ExitCode::Ok);
                }
                cases.retain(|c| pairs.iter().any(|(_, k)| *k == c.id));
                positions.retain(|p| pairs.iter().any(|(q, _)| q == p));
                Some(pairs)
            }
            None => None,
        };
        let off_bench: Vec<crate::spec::Family> = if pairs.is_some() || !self.position.is_empty() {
            // Catalog entries are no bench position: a rerun or a run of named positions
            // has none of their rows.
            Vec::new()
        } else if self.family.is_empty() {
            loaded
                .spec
                .catalog
                .families
                .iter()
                .filter(|f| !f.bench)
                .cloned()
                .collect()
        } else {
            loaded
                .spec
                .catalog
                .families
                .iter()
                .filter(|f| !f.bench && self.family.contains(&f.id))
                .cloned()
                .collect()
        };
        let firmware = loaded.firmware(self.firmware.as_deref());
        let history = match &self.history {
            Some(path) => History::read(path)?,
            None => History::default(),
        };
        let plan = runner::Plan {
            cases,
            positions,
            off_bench,
            repeat: self.repeat,
            history,
            pairs,
            fail_fast: self.fail_fast,
        };
        if self.dry_run {
            return dry_run(&loaded, &plan, self.bench.seed);
        }
        let calibration = self.calibration(&loaded)?;
        reflective_lights_have_a_level(&loaded, &plan.positions, calibration.as_ref())?;
        let started_at = SystemTime::now();
        let run_id = run_id(started_at, &loaded.bench.name);
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| crate::workspace_path("results").join(&run_id));
        let _out = crate::ownership::claim_output_folder(
            &out,
            &Holder::this_process("rig run", &loaded.bench.path, Some(&out)),
        )
        .map_err(claim_error)?;
        let csv = CsvReport::create(&out).map_err(|e| CliError::Report(e.into()))?;
        // A repeated run certifies, as does `--certify`: against the whole suite on the
        // catalog's families (or those of `--family`), whatever else was filtered.
        let certify = (self.certify || self.repeat > 1)
            .then(|| Scope::of(&loaded.spec, &loaded.suite, &loaded.bench, &self.family));
        let virtual_time = loaded.virtual_time(self.realtime);
        let info = RunInfo {
            suite_path: loaded.suite.path.clone(),
            started_at,
            planned: plan.rows(),
            virtual_time,
            profile_path: loaded.profile.as_ref().map(|p| p.path.clone()),
            calibration_path: calibration.as_ref().map(|c| c.path.clone()),
            seed: loaded.profile.as_ref().map(|_| self.bench.seed),
            repeat: self.repeat,
            labels: self.labels.clone(),
            spec_files: loaded.spec.files(),
            certify: certify.clone(),
            ..RunInfo::new(&run_id, &loaded.bench, &firmware)
        };
        let console = Console::new(std::io::stdout(), self.console_options(&out));
        let aside = console.aside();
        // results.csv first: a row it cannot write reaches no other report.
        let reporters: Vec<Box<dyn Reporter>> = vec![
            Box::new(csv),
            Box::new(ReportSet::new(&out, &loaded.spec)),
            Box::new(console),
        ];
        let bus = EventBus::new(info.clone(), reporters);
        let operator = Arc::new(match (self.operator, aside) {
            (false, _) => Operator::none(),
            (true, None) => Operator::terminal(),
            // The live display stands aside while a question is on the terminal.
            (true, Some(display)) => Operator::terminal().beside(display),
        });

        let rt = build_runtime(virtual_time).map_err(CliError::Rig)?;
        let seed = self.bench.seed;
        let relay_log = self.sim_relay_log.clone();
        let run_bus = bus.clone();
        let (summary, interrupted) = rt.block_on(async move {
            let clock = BenchClock::start();
            let devices =
                loaded.open_devices(clock, seed, calibration.as_ref(), relay_log.as_deref())?;
            let relays = devices.relays.clone();
            let ctx = loaded.context(clock);
            let bus = run_bus;
            bus.emit(Event::RunStarted(info));
            let run = runner::run(ctx.clone(), plan, devices, bus.clone(), operator);
            // On SIGINT or SIGTERM, or when a report cannot be written, the run is dropped:
            // every position's driver releases its relays as it is dropped; the rows already
            // written stay in the CSV.
            let stop = shutdown_signal().map_err(CliError::Rig)?;
            let (summary, interrupted) = tokio::select! {
                s = run => (s, None),
                code = stop => (RunSummary::default(), Some(code)),
                () = bus.stopped() => (RunSummary::default(), None),
            };
            // Whatever ended the run, no relay stays energised.
            relays.release_all();
            bus.emit(Event::RunFinished {
                tally: summary.tally,
                bench_time_ms: ctx.clock.now_ms(),
                schedule: summary.schedule.clone(),
                interrupted: interrupted.is_some(),
                stopped_at_failure: summary.stopped_at_failure,
                report_failed: false,
            });
            Ok::<_, CliError>((summary, interrupted))
        })?;
        // Shutting the runtime down drops any task still holding a device: all relays
        // released. An operator prompt's blocking read may outlive the run; it is left
        // behind rather than waited for (the process is about to exit).
        rt.shutdown_timeout(std::time::Duration::from_millis(200));
        if let Some(failure) = bus.failure() {
            return Err(CliError::Report(anyhow::anyhow!(failure)));
        }
        if let Some(code) = interrupted {
            return Ok(code);
        }
        let certified = certify.map(|scope| {
            Certification::judge(&scope, &summary.results, self.repeat, false).certified
        });
        Ok(exit_code(&summary.tally, certified))
    }

    /// How the console shows the run: the live display on a terminal that takes escape
    /// codes (not with `NO_COLOR`, `TERM=dumb` or `-q`), plain lines elsewhere; colour as
    /// `--color` says, by default as the environment does (`NO_COLOR`, `CLICOLOR`…).
    fn console_options(&self, out: &Path) -> ConsoleOptions {
        let verbosity = match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Cases,
            (false, _) => Verbosity::Steps,
        };
        let stdout = std::io::stdout();
        let colour = match self.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never
            }
        };
        ConsoleOptions {
            verbosity,
            colour,
            live: super::live_terminal(),
            out_dir: out.to_path_buf(),
        }
    }

    fn load(&self) -> Result<Loaded, CliError> {
        self.bench.load_with_suite(&self.suite)
    }

    /// The light calibration: `--calibration FILE` (which must exist), else the file next
    /// to the bench if there is one. Either is checked against the bench; a stale one is a
    /// bad input (exit 2), never silently used or dropped.
    fn calibration(&self, loaded: &Loaded) -> Result<Option<BenchCalibration>, CliError> {
        if self.no_calibration {
            note!(
                self.quiet,
                "light calibration: none (--no-calibration): dark levels from the bench file"
            );
            return Ok(None);
        }
        let path = match &self.calibration {
            Some(p) => p.clone(),
            None => {
                let p = BenchCalibration::default_path(&loaded.bench.path);
                if !p.exists() {
                    note!(
                        self.quiet,
                        "light calibration: none ({} not found): dark levels from the bench file",
                        p.display()
                    );
                    return Ok(None);
                }
                p
            }
        };
        let c = BenchCalibration::load(&path, &loaded.bench, &loaded.spec)?;
        note!(
            self.quiet,
            "light calibration: {} (measured {}; {} of {} lights with a dark level)",
            path.display(),
            c.measured_at,
            c.lights.iter().filter(|l| l.dark.is_some()).count(),
            c.lights.len()
        );
        Ok(Some(c))
    }

    fn cases(&self, suite: &Suite) -> Result<Vec<crate::suite::Case>, CliError> {
        for c in &self.clause {
            if !suite.cases.iter().any(|k| k.clauses.contains(c)) {
                let mut known: Vec<&str> = Vec::new();
                for k in &suite.cases {
                    for c in &k.clauses {
                        if !known.contains(&c.as_str()) {
                            known.push(c);
                        }
                    }
                }
                return Err(CliError::Usage(format!(
                    "--clause: no case of {} names `{c}` (clauses: {})",
                    suite.path.display(),
                    known.join(", ")
                )));
            }
        }
        for id in &self.only {
            if suite.case(id).is_none() {
                let known: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
                return Err(CliError::Usage(format!(
                    "--only: no case `{id}` in {} (cases: {})",
                    suite.path.display(),
                    known.join(", ")
                )));
            }
        }
        Ok(suite
            .cases
            .iter()
            .filter(|c| self.only.is_empty() || self.only.contains(&c.id))
            .filter(|c| self.clause.is_empty() || c.clauses.iter().any(|k| self.clause.contains(k)))
            .cloned()
            .collect())
    }

    fn positions(&self, l: &Loaded) -> Result<Vec<String>, CliError> {
        for f in &self.family {
            if l.spec.catalog.family(f).is_none() {
                let known: Vec<&str> = l
                    .spec
                    .catalog
                    .families
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect();
                return Err(CliError::Usage(format!(
                    "--family: no family `{f}` (families: {})",
                    known.join(", ")
                )));
            }
        }
        for id in &self.position {
            l.position(id).map_err(|e| match e {
                CliError::Usage(m) => CliError::Usage(format!("--position: {m}")),
                other => other,
            })?;
        }
        Ok(l.bench
            .positions
            .iter()
            .filter(|p| self.family.is_empty() || self.family.contains(&p.family))
            .filter(|p| self.position.is_empty() || self.position.contains(&p.id))
            .map(|p| p.id.clone())
            .collect())
    }
}

/// `KEY=VALUE` of `--label`: a non-empty key of letters, digits, `-`, `_` and `.`.
fn parse_label(s: &str) -> Result<(String, String), ArgError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| ArgError::LabelNotKeyValue(s.to_string()))?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(ArgError::LabelKey(s.to_string()));
    }
    Ok((k.to_string(), v.trim().to_string()))
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (a service manager stopping the rig),
/// with the exit code that reports it — also for one that came since `main` started and
/// was held back until now ([`super::hold_stop_signals`]).
pub(super) fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ExitCode>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    super::release_stop_signals();
    Ok(async move {
        tokio::select! {
            _ = int.recv() => ExitCode::Interrupted,
            _ = term.recv() => ExitCode::Terminated,
        }
    })
}

/// A refused claim: someone else's folder or bench, or an output path that cannot be a
/// folder, is bad input (exit 2); a bench lock that cannot be taken at all is the rig's
/// environment failing (exit 3).
pub(super) fn claim_error(e: ClaimError) -> CliError {
    match e {
        ClaimError::Busy { .. } | ClaimError::NotEmpty { .. } | ClaimError::Folder { .. } => {
            CliError::Usage(e.to_string())
        }
        ClaimError::Io { .. } => CliError::Rig(anyhow::Error::new(e)),
    }
}

/// A reflective LCD indicator reads darker when on: without the bare display's level
/// (from `rig calibrate` or the bench's `dark`) a steady state cannot be read at all.
fn reflective_lights_have_a_level(
    l: &Loaded,
    positions: &[String],
    calibration: Option<&BenchCalibration>,
) -> Result<(), CliError> {
    let mut missing = Vec::new();
    for p in l
        .bench
        .positions
        .iter()
        .filter(|p| positions.contains(&p.id))
    {
        let family = l.bench.family(p, &l.spec.catalog);
        if !family.indicator.is_some_and(|k| k.is_reflective()) {
            continue;
        }
        for (light, w) in &p.lights {
            if w.dark.is_none() && calibration.and_then(|c| c.dark(&p.id, *light)).is_none() {
                missing.push(format!("{}: position `{}`: the {} light is a reflective LCD indicator with no bare-display level", l.bench.path.display(), p.id, light.name()));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{}\nrun `rig calibrate --bench {}` first, or give the light's `dark` in the bench file",
        missing.join("\n"),
        l.bench.path.display()
    )))
}

pub(super) use crate::paths::resolve;

/// Virtual time: a single-threaded runtime whose clock jumps to the next timer whenever
/// every task waits, so a 15 s transfer return takes microseconds.
pub(super) fn build_runtime(virtual_time: bool) -> anyhow::Result<tokio::runtime::Runtime> {
    let rt = if virtual_time {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    };
    rt.context("cannot start the async runtime")
}

/// `20261201T153000Z-sim-matrix`: sortable, and names the bench.
fn run_id(t: SystemTime, bench: &str) -> String {
    let stamp = humantime::format_rfc3339_millis(t)
        .to_string()
        .replace(['-', ':', '.'], "");
    let safe: String = bench
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stamp}-{safe}")
}

/// The run's exit code: the verdict's ([`Tally::verdict`], the rule report.html's banner
/// shows too: FAIL before ERROR), then a certification not passed (`certified`: `None`
/// when the run does not certify).
pub fn exit_code(t: &Tally, certified: Option<bool>) -> ExitCode {
    match t.verdict() {
        Verdict::Fail => ExitCode::Fail,
        Verdict::Error => ExitCode::RigError,
        _ if certified == Some(false) => ExitCode::NotCertified,
        Verdict::Pass | Verdict::Skip | Verdict::Manual => ExitCode::Ok,
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_key_equals_value_with_a_plain_key() {
        assert_eq!(
            parse_label(" lab = bench 2 "),
            Ok(("lab".to_string(), "bench 2".to_string()))
        );
        assert_eq!(
            parse_label("lab"),
            Err(ArgError::LabelNotKeyValue("lab".into()))
        );
        assert_eq!(
            parse_label("my lab=2"),
            Err(ArgError::LabelKey("my lab=2".into()))
        );
        assert_eq!(parse_label("=2"), Err(ArgError::LabelKey("=2".into())));
    }
}
