//! `rig selftest`: proof that the suite catches broken firmware and passes good firmware
//! (rules in [`crate::selftest`]). Exit 0 when every fault is caught and the reference
//! passes under every seed, 1 otherwise, 2 on a bad input file.

use std::path::PathBuf;

use clap::Args;

use super::run::{build_runtime, resolve, Loaded};
use super::{CliError, ExitCode};
use crate::selftest::{self, FaultCheck};

#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// The simulated bench the suite runs on.
    #[arg(long, default_value = "wiring/sim-matrix.toml")]
    bench: PathBuf,
    /// The suite file.
    #[arg(long, default_value = "fixtures/twinning.toml")]
    suite: PathBuf,
    /// The reference firmware profile, which must pass under every seed.
    #[arg(long, default_value = "fixtures/firmware/reference.toml")]
    reference: PathBuf,
    /// The folder of fault profiles, each of which must be caught.
    #[arg(long, default_value = "fixtures/firmware/faults")]
    faults: PathBuf,
    /// How many differently seeded noisy runs of the reference.
    #[arg(long, default_value_t = 50)]
    seeds: u64,
    /// The first seed (runs use FIRST..FIRST+SEEDS).
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Print the fault-detection table as Markdown (for docs/user-guide.md).
    #[arg(long)]
    markdown: bool,
    #[arg(long, hide = true)]
    fixtures: Option<PathBuf>,
}

impl SelftestArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = Loaded::load(
            self.fixtures.as_deref(),
            &self.bench,
            &self.suite,
            &self.reference,
        )?;
        let Loaded {
            spec,
            bench,
            suite,
            profile,
        } = loaded;
        let reference = match profile {
            Some(p) if bench.is_simulated() => p,
            _ => {
                return Err(CliError::Usage(format!(
                "{}: selftest runs on a fully simulated bench (its faults are simulated firmware)",
                bench.path.display()
            )))
            }
        };
        let faults = selftest::load_faults(&resolve(&self.faults), &spec)?;
        if faults.is_empty() {
            return Err(CliError::Usage(format!(
                "{}: no fault profiles (*.toml)",
                self.faults.display()
            )));
        }
        let rt = build_runtime(true).map_err(CliError::Rig)?;
        let started = std::time::Instant::now();
        let progress = Progress::new(faults.len() as u64 + self.seeds);
        let mut checks = Vec::new();
        for (i, f) in faults.iter().enumerate() {
            progress.step(&format!("fault profile {}", f.name));
            let check = rt
                .block_on(selftest::check_fault(
                    &spec,
                    &bench,
                    &suite,
                    f,
                    1000 + i as u64,
                ))
                .map_err(|e| CliError::Rig(e.into()))?;
            progress.line(&fault_line(&check));
            progress.done();
            checks.push(check);
        }
        let seeds = self.first_seed..self.first_seed + self.seeds;
        let total = self.seeds;
        progress.step(&format!(
            "reference `{}`, seed {}",
            reference.name, self.first_seed
        ));
        let reference_check = rt
            .block_on(selftest::check_reference_with(
                &spec,
                &bench,
                &suite,
                &reference,
                seeds,
                |seed, so_far| {
                    let n = so_far.seeds.len() as u64;
                    progress.seed(seed, n, total, so_far.bad_rows.len());
                },
            ))
            .map_err(|e| CliError::Rig(e.into()))?;
        progress.finish();
        let caught = checks.iter().filter(|c| c.caught()).count();
        println!(
            "\nfaults: {caught} of {} caught on the clauses they break",
            checks.len()
        );
        println!(
            "reference `{}`: {} seeded runs, {} rows run, {} FAIL/ERROR rows{}",
            reference.name,
            reference_check.seeds.len(),
            reference_check.rows_run,
            reference_check.bad_rows.len(),
            if reference_check.passed() { "" } else { ":" }
        );
        for r in &reference_check.bad_rows {
            println!("  {r}");
        }
        println!("wall time: {:.1} s", started.elapsed().as_secs_f64());
        if self.markdown {
            let families = bench
                .positions
                .iter()
                .map(|p| p.family.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            println!("\n{}", selftest::markdown_table(&checks, families));
        }
        Ok(if caught == checks.len() && reference_check.passed() {
            ExitCode::Ok
        } else {
            ExitCode::Fail
        })
    }
}

/// A fault profile's result: caught or MISSED, by which cases, and why not.
fn fault_line(c: &FaultCheck) -> String {
    let by: Vec<&str> = c.caught_by.iter().map(|(case, _)| case.as_str()).collect();
    let mut text = format!(
        "{:<7} {:<34} breaks {:<8} caught by: {}",
        if c.caught() { "caught" } else { "MISSED" },
        c.name,
        c.breaks.join(","),
        if by.is_empty() {
            "-".into()
        } else {
            by.join(", ")
        }
    );
    for p in &c.problems {
        text.push_str(&format!("\n        {p}"));
    }
    text
}

/// The selftest's progress: a bar on a terminal (results printed above it), else a line
/// per fault profile and per reference seed (CI logs).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(steps: u64) -> Self {
        let bar = super::live_terminal().then(|| {
            indicatif::ProgressBar::with_draw_target(
                Some(steps),
                indicatif::ProgressDrawTarget::stdout(),
            )
            .with_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:20} {pos:>3}/{len} {elapsed:>4} {wide_msg}",
                )
                .expect("a fixed template")
                .progress_chars("=> "),
            )
        });
        Self { bar }
    }

    /// What runs now.
    fn step(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(b) => b.println(text),
            None => println!("{text}"),
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// A reference seed's run finished: `n` of `total`, `bad` FAIL/ERROR rows so far.
    fn seed(&self, seed: u64, n: u64, total: u64, bad: usize) {
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(format!(
                    "reference: {n} of {total} seeds run, {bad} FAIL/ERROR rows"
                ));
            }
            None => {
                println!("reference seed {seed} ({n} of {total}): {bad} FAIL/ERROR rows so far")
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
