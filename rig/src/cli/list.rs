//! `rig list phones|cases|clauses`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{CliError, ExitCode};
use crate::spec::Spec;
use crate::suite::Suite;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    Phones,
    Cases,
    Clauses,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    what: What,
    /// The suite whose cases and clause coverage to list.
    #[arg(long)]
    suite: Option<PathBuf>,
    #[arg(long, hide = true)]
    fixtures: Option<PathBuf>,
}

impl ListArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        let spec = Spec::load(self.fixtures.unwrap_or_else(Spec::default_dir))?;
        let suite = || {
            Suite::load(
                self.suite.clone().unwrap_or_else(Suite::default_path),
                &spec,
            )
        };
        match self.what {
            What::Phones => list_phones(&spec),
            What::Cases => list_cases(&suite()?),
            What::Clauses => list_clauses(&spec, &suite()?),
        }
        Ok(ExitCode::Ok)
    }
}

fn list_phones(spec: &Spec) {
    println!(
        "{:<9} {:<26} {:<15} {:<14} models",
        "family", "name", "group", "indicator"
    );
    for f in &spec.catalog.families {
        if !f.bench {
            println!(
                "{:<9} {:<26} not testable on this rig: {}",
                f.id,
                f.name,
                f.reason.as_deref().unwrap_or("")
            );
            continue;
        }
        let group = f.group.as_deref().unwrap_or("(not specified)");
        let indicator = f.indicator.map(|i| i.name()).unwrap_or("-");
        println!(
            "{:<9} {:<26} {:<15} {:<14} {}",
            f.id,
            f.name,
            group,
            indicator,
            f.models.join(" ")
        );
    }
}

fn list_cases(suite: &Suite) {
    println!("{:<22} {:<9} title", "case", "clauses");
    for c in &suite.cases {
        println!("{:<22} {:<9} {}", c.id, c.clauses.join(" "), c.title);
    }
}

fn list_clauses(spec: &Spec, suite: &Suite) {
    for cl in &spec.clauses.clause {
        let cases: Vec<&str> = suite
            .covering(&cl.id)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let manual: Vec<&str> = suite
            .covering(&cl.id)
            .iter()
            .filter(|c| c.is_manual())
            .map(|c| c.id.as_str())
            .collect();
        let coverage = match (suite.not_automatable.get(&cl.id), cases.is_empty()) {
            (Some(reason), _) => format!("not automatable: {reason}"),
            (None, false) if manual.len() == cases.len() => {
                format!("manual only: {}", cases.join(", "))
            }
            (None, false) => format!("cases: {}", cases.join(", ")),
            (None, true) => "NOT COVERED by this suite".into(),
        };
        println!("{:<4} {}\n     {coverage}", cl.id, cl.text);
    }
}
