//! `rig report`: work on report folders already written. `diff` compares a candidate
//! firmware's run with a base run.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{CliError, ExitCode};
use crate::report::diff::{self, RunName};
use crate::report::read::ReportFolder;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Compare a candidate run with a base run per family, position and case: regressions
    /// (PASS -> FAIL), fixes, other changes, cases added and removed. Exit 1 on a regression.
    Diff(DiffArgs),
}

impl ReportArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        match self.command {
            ReportCommand::Diff(a) => a.run(),
        }
    }
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The base run's report folder (e.g. the firmware in service).
    base: PathBuf,
    /// The candidate run's report folder (e.g. the firmware to roll out).
    candidate: PathBuf,
    /// `text`: a table per kind of change; `csv`: change, family, position, case, clauses,
    /// base, candidate, candidate_message.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Csv,
}

impl DiffArgs {
    fn run(self) -> Result<ExitCode, CliError> {
        let base = ReportFolder::load(&self.base)?;
        let candidate = ReportFolder::load(&self.candidate)?;
        let d = diff::diff(&base.rows, &candidate.rows);
        let out = match self.format {
            Format::Text => diff::render_text(&run_name(&base), &run_name(&candidate), &d),
            Format::Csv => diff::render_csv(&d).map_err(CliError::Rig)?,
        };
        print(&out)?;
        Ok(if d.has_regressions() {
            ExitCode::Fail
        } else {
            ExitCode::Ok
        })
    }
}

fn run_name(f: &ReportFolder) -> RunName {
    RunName {
        dir: f.dir.display().to_string(),
        run_id: f.run_id(),
        firmware: f.firmware(),
    }
}

/// Write to stdout; a reader that went away (`| head`) is not an error.
fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Report(
            anyhow::anyhow!("cannot write to stdout: {e}"),
        )),
        _ => Ok(()),
    }
}
