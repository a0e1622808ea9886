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
        let src = SourceText::read_limited(
            super::run::resolve(&self.file),
            crate::source::MAX_TOML_BYTES,
        )?;
        // The same parsers `run`, `doctor` and `calibrate` load with: no second reading of
        // the file that could accept or refuse differently.
        let what = match first_table(&src.text) {
            Some("bench") => describe_bench(&crate::bench::parse(&src, &spec.catalog)?),
            Some("suite") => describe_suite(&crate::suite::parse(&src, &spec)?),
            Some("profile") => {
                let p = FirmwareProfile::parse(&src, &spec)?;
                format!("firmware profile `{}`", p.name)
            }
            _ => return Err(CliError::Input(
                src.error(
                    Some(0..0),
                    "not a bench ([bench]), suite ([suite]) or firmware profile ([profile]) file",
                )
                .into(),
            )),
        };
        println!("{}: ok, {what}", self.file.display());
        Ok(ExitCode::Ok)
    }
}

/// The first `[bench]`, `[suite]` or `[profile]` header of the file: its kind.
fn first_table(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find_map(|l| {
        let rest = l.strip_prefix('[')?;
        let name = rest.split(']').next()?.trim();
        (!rest.starts_with('[') && ["bench", "suite", "profile"].contains(&name)).then_some(name)
    })
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

#[cfg(test)]
mod tests {
    use super::first_table;

    #[test]
    fn the_first_table_tells_the_kind() {
        assert_eq!(
            first_table("# c\n[system]\n[bench] # x\nname = 1\n"),
            Some("bench")
        );
        assert_eq!(first_table("[[case]]\n[ suite ]\n"), Some("suite"));
        assert_eq!(first_table("a = 1\n"), None);
    }
}
