//! `rig report`: work on report folders already written. `diff` compares a candidate
//! firmware's run with a base run; `merge` joins several benches' runs into one report set.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::{CliError, ExitCode};
use crate::report::certify::{BenchReport, Certification, LabBench};
use crate::report::diff::{self, RunName};
use crate::report::merge::{merge, write_results};
use crate::report::read::ReportFolder;
use crate::report::write_report_set;
use crate::runner::{CaseResult, Tally};
use crate::spec::Spec;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Compare a candidate run with a base run; exit 1 on a regression.
    ///
    /// Lists per family, position and case: regressions (PASS -> FAIL), fixes (FAIL ->
    /// PASS), other changes (ERROR is the rig's fault, never a regression), cases added
    /// and removed. Repeated attempts combine: FAIL, else ERROR, else PASS, else MANUAL,
    /// else SKIP.
    Diff(DiffArgs),
    /// Join the report folders of several benches into one report set.
    Merge(MergeArgs),
}

impl ReportArgs {
    pub fn run(self) -> Result<ExitCode, CliError> {
        match self.command {
            ReportCommand::Diff(a) => a.run(),
            ReportCommand::Merge(a) => a.run(),
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
            Format::Csv => diff::render_csv(&d).map_err(|e| CliError::Rig(e.into()))?,
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

#[derive(Debug, Args)]
struct MergeArgs {
    /// The report folders to join (each with results.csv, and run.json if the run ended).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the merged report set: a new or empty folder.
    #[arg(long)]
    out: PathBuf,
    /// Certify the lab across the benches (each bench run with `--certify` or `--repeat`):
    /// every folder is a bench that must have a report (one without is NOT CERTIFIED,
    /// named), every family covered by some bench, every clause checked where the spec
    /// defines it, every case passed everywhere it ran (docs/lab.md). Exit 5 when not.
    #[arg(long)]
    certify: bool,
    #[arg(long, hide = true)]
    fixtures: Option<PathBuf>,
}

impl MergeArgs {
    fn run(self) -> Result<ExitCode, CliError> {
        self.out_is_new()?;
        let spec = Spec::load(self.fixtures.clone().unwrap_or_else(Spec::default_dir))?;
        // Certifying a lab, a bench folder with no report is a finding (its job failed), not
        // bad input: it is named in the certification.
        let mut missing = Vec::new();
        let mut inputs = Vec::new();
        for d in &self.dirs {
            if self.certify && !d.join("results.csv").is_file() {
                eprintln!("{}: no results.csv: that bench left no report", d.display());
                missing.push(d.clone());
                continue;
            }
            inputs.push(ReportFolder::load(d)?);
        }
        let lab = self
            .certify
            .then(|| self.lab_certification(&spec, &inputs, &missing));
        if inputs.is_empty() {
            if let Some(c) = &lab {
                println!("{}", c.line);
            }
            return Ok(ExitCode::NotCertified);
        }
        let mut merged = merge(&inputs)?;
        merged.record.certification = lab.clone();
        for f in inputs.iter().filter(|f| f.record.is_none()) {
            eprintln!(
                "note: {}: no run.json; its record in merged_from is rebuilt from results.csv",
                f.dir.display()
            );
        }
        let results = results_filed_by_bench(&merged.rows);
        let write = || -> anyhow::Result<()> {
            std::fs::create_dir_all(&self.out)?;
            write_results(&self.out, &merged.rows)?;
            write_report_set(&self.out, &spec, &merged.record, &results)?;
            Ok(())
        };
        write().map_err(CliError::Report)?;
        let mut tally = Tally::default();
        for r in &results {
            tally.add(r.verdict);
        }
        println!(
            "merged {} runs ({} rows: {tally}) into {}",
            inputs.len(),
            results.len(),
            self.out.join("results.csv").display()
        );
        let Some(lab) = lab else {
            return Ok(ExitCode::Ok);
        };
        println!("{}", lab.line);
        for d in lab.details() {
            println!("  {d}");
        }
        println!("report: {}", self.out.join("report.html").display());
        Ok(super::run::exit_code(&tally, Some(lab.certified)))
    }

    /// The lab's certification from each bench's own (run.json), every folder given a
    /// bench: those in `missing` left no report.
    fn lab_certification(
        &self,
        spec: &Spec,
        inputs: &[ReportFolder],
        missing: &[PathBuf],
    ) -> Certification {
        let mut benches: Vec<LabBench> = inputs
            .iter()
            .map(|f| LabBench {
                name: f.dir.display().to_string(),
                report: Some(BenchReport {
                    certification: f.record.as_ref().and_then(|r| r.certification.as_ref()),
                    interrupted: f.record.as_ref().is_some_and(|r| r.interrupted),
                }),
            })
            .collect();
        benches.extend(missing.iter().map(|d| LabBench {
            name: d.display().to_string(),
            report: None,
        }));
        let families: Vec<String> = spec
            .catalog
            .families
            .iter()
            .filter(|f| f.bench)
            .map(|f| f.id.clone())
            .collect();
        Certification::of_lab(&benches, &families)
    }

    /// The merged set goes into a new or empty folder: never over an input (its rows
    /// would be lost while being read), nor among another run's files (its traces would
    /// be read back as the merged rows').
    fn out_is_new(&self) -> Result<(), CliError> {
        let out = &self.out;
        if let Some(d) = self.dirs.iter().find(|d| same_folder(d, out)) {
            return Err(CliError::Usage(format!(
                "--out {}: that is the input {}; merge into a new folder",
                out.display(),
                d.display()
            )));
        }
        let has_files = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
        if has_files || out.is_file() {
            return Err(CliError::Usage(format!(
                "--out {}: already exists and is not an empty folder; merge into a new folder",
                out.display()
            )));
        }
        Ok(())
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The merged rows; when they come from more than one bench, each FAIL trace is filed
/// under its bench (`traces/<bench>/…`), so no two benches' traces share a file and none
/// is lost.
fn results_filed_by_bench(rows: &[crate::report::read::ReportRow]) -> Vec<CaseResult> {
    let benches = crate::report::read::distinct(rows.iter().map(|r| r.bench()));
    rows.iter()
        .map(|r| {
            let mut result = r.result.clone();
            if benches.len() > 1 {
                if let Some(t) = result.trace.as_mut() {
                    t.bench = Some(r.bench().to_string());
                }
            }
            result
        })
        .collect()
}
