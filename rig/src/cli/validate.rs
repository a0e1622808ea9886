//! `rig validate FILE`: check a bench, suite or firmware profile, naming every fault's line.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, ExitCode};
use crate::bench::Bench;
use crate::sim::FirmwareProfile;
use crate::source::SourceText;
use crate::spec::Spec;
use crate::suite::Suite;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The file: a bench (has [bench]), a suite ([suite]) or a firmware profile ([profile]).
    file: PathBuf,
    /// The fixtures folder holding the spec (catalog, indication and cadence tables).
    #[arg(long, hide = true)]
    fixtures: Option<PathBuf>,
}

impl ValidateArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        let spec = Spec::load(self.fixtures.unwrap_or_else(Spec::default_dir))?;
        let src = SourceText::read(super::run::resolve(&self.file))?;
        let table: toml::Table = src.parse_toml()?;
        let what = if table.contains_key("bench") {
            let b = crate::bench::parse(&src, &spec.catalog)?;
            describe_bench(&b)
        } else if table.contains_key("suite") {
            let s = crate::suite::parse(&src, &spec)?;
            describe_suite(&s)
        } else if table.contains_key("profile") {
            let p = FirmwareProfile::parse(&src, &spec)?;
            format!("firmware profile `{}`", p.name)
        } else {
            return Err(CliError::Input(
                src.error(
                    Some(0..0),
                    "not a bench ([bench]), suite ([suite]) or firmware profile ([profile]) file",
                )
                .into(),
            ));
        };
        println!("{}: ok, {what}", self.file.display());
        Ok(ExitCode::Ok)
    }
}

fn describe_bench(b: &Bench) -> String {
    format!(
        "bench `{}`: {} positions, {} modems",
        b.name,
        b.positions.len(),
        b.modems.len()
    )
}

fn describe_suite(s: &Suite) -> String {
    format!("suite `{}`: {} cases", s.name, s.cases.len())
}
