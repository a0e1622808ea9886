//! Console progress: a line per finished case (failures and errors in full), then a
//! summary per family and the path of the CSV.

use std::io::Write;
use std::path::PathBuf;

use crate::runner::{Event, Reporter, RunInfo, Tally, Verdict};

pub struct Console<W: Write + Send> {
    out: W,
    csv_path: PathBuf,
    done: usize,
    /// Tallies per family, in order of first appearance.
    families: Vec<(String, Tally)>,
    /// Show every case, not just the ones that did not pass.
    verbose: bool,
}

impl<W: Write + Send> Console<W> {
    pub fn new(out: W, csv_path: PathBuf, verbose: bool) -> Self {
        Self {
            out,
            csv_path,
            done: 0,
            families: Vec::new(),
            verbose,
        }
    }

    fn family(&mut self, f: &str) -> &mut Tally {
        if let Some(i) = self.families.iter().position(|(n, _)| n == f) {
            &mut self.families[i].1
        } else {
            self.families.push((f.to_string(), Tally::default()));
            &mut self.families.last_mut().expect("just pushed").1
        }
    }
}

impl<W: Write + Send> Reporter for Console<W> {
    fn event(&mut self, info: &RunInfo, event: &Event) -> anyhow::Result<()> {
        match event {
            Event::RunStarted(i) => {
                writeln!(
                    self.out,
                    "rig run {}: bench {} ({}), firmware {}, {} case runs{}",
                    i.run_id,
                    i.bench,
                    i.bench_path.display(),
                    i.firmware,
                    i.planned,
                    if i.virtual_time { ", virtual time" } else { "" }
                )?;
            }
            Event::CaseStarted { .. } => {}
            Event::CaseFinished(r) => {
                self.done += 1;
                self.family(&r.family).add(r.verdict);
                let loud = matches!(r.verdict, Verdict::Fail | Verdict::Error);
                if loud || self.verbose {
                    let pos = if r.position.is_empty() {
                        "-"
                    } else {
                        &r.position
                    };
                    writeln!(
                        self.out,
                        "[{:>4}/{}] {:<6} {:<8} {:<22} {} {}",
                        self.done,
                        info.planned,
                        r.verdict.name(),
                        pos,
                        r.case,
                        r.clauses.join(" "),
                        r.message
                    )?;
                    if loud && !r.expected.is_empty() {
                        writeln!(
                            self.out,
                            "               expected: {}\n               observed: {}",
                            r.expected, r.observed
                        )?;
                    }
                } else if self.done.is_multiple_of(25) {
                    writeln!(self.out, "[{:>4}/{}] …", self.done, info.planned)?;
                }
            }
            Event::RunFinished {
                tally,
                bench_time_ms,
                interrupted,
            } => {
                writeln!(
                    self.out,
                    "\nSummary per family ({}):",
                    if *interrupted {
                        "INTERRUPTED"
                    } else {
                        "complete"
                    }
                )?;
                writeln!(
                    self.out,
                    "  {:<10} {:>5} {:>5} {:>5} {:>5} {:>6}",
                    "family", "PASS", "FAIL", "ERROR", "SKIP", "MANUAL"
                )?;
                for (f, t) in &self.families {
                    writeln!(
                        self.out,
                        "  {:<10} {:>5} {:>5} {:>5} {:>5} {:>6}",
                        f, t.pass, t.fail, t.error, t.skip, t.manual
                    )?;
                }
                writeln!(
                    self.out,
                    "  {:<10} {:>5} {:>5} {:>5} {:>5} {:>6}",
                    "total", tally.pass, tally.fail, tally.error, tally.skip, tally.manual
                )?;
                writeln!(
                    self.out,
                    "bench time covered: {:.1} s",
                    bench_time_ms / 1000.0
                )?;
                writeln!(self.out, "results: {}", self.csv_path.display())?;
            }
        }
        self.out.flush()?;
        Ok(())
    }
}
