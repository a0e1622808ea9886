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
        let mut checks = Vec::new();
        for (i, f) in faults.iter().enumerate() {
            let check = rt
                .block_on(selftest::check_fault(
                    &spec,
                    &bench,
                    &suite,
                    f,
                    1000 + i as u64,
                ))
                .map_err(|e| CliError::Rig(e.into()))?;
            print_fault(&check);
            checks.push(check);
        }
        let seeds = self.first_seed..self.first_seed + self.seeds;
        let reference_check = rt
            .block_on(selftest::check_reference(
                &spec, &bench, &suite, &reference, seeds,
            ))
            .map_err(|e| CliError::Rig(e.into()))?;
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

fn print_fault(c: &FaultCheck) {
    let by: Vec<&str> = c.caught_by.iter().map(|(case, _)| case.as_str()).collect();
    println!(
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
        println!("        {p}");
    }
}
