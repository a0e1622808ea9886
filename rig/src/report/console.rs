//! Console progress: a line per finished case (failures and errors in full), then a
//! summary per family and the path of the CSV. A repeated run (`--repeat N`) also ends
//! with the position × case pairs below N of N and the certification line.

use std::io::Write;
use std::path::PathBuf;

use super::pass_rate::PassRates;
use crate::runner::{Event, Reporter, RunInfo, Tally, Verdict};

pub struct Console<W: Write + Send> {
    out: W,
    csv_path: PathBuf,
    done: usize,
    /// Tallies per family, in order of first appearance.
    families: Vec<(String, Tally)>,
    /// Show every case, not just the ones that did not pass.
    verbose: bool,
    /// Attempts per position and case, for the certification of a repeated run.
    rates: PassRates,
}

impl<W: Write + Send> Console<W> {
    pub fn new(out: W, csv_path: PathBuf, verbose: bool) -> Self {
        Self {
            out,
            csv_path,
            done: 0,
            families: Vec::new(),
            verbose,
            rates: PassRates::default(),
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

impl<W: Write + Send> Console<W> {
    /// The pairs that are not N of N, then the certification line.
    fn certification(&mut self, repeat: u32, interrupted: bool) -> std::io::Result<()> {
        let below: Vec<_> = self.rates.below(repeat).collect();
        if !below.is_empty() {
            writeln!(
                self.out,
                "\nBelow {repeat} of {repeat} (pass-rate.csv has every pair):"
            )?;
            writeln!(
                self.out,
                "  {:<8} {:<22} {:>7} {:>5} {:>5} {:>5} {:>6}",
                "position", "case", "passed", "FAIL", "ERROR", "SKIP", "MANUAL"
            )?;
            for p in below {
                let c = &p.counts;
                let pos = if p.position.is_empty() {
                    "-"
                } else {
                    &p.position
                };
                writeln!(
                    self.out,
                    "  {:<8} {:<22} {:>7} {:>5} {:>5} {:>5} {:>6}",
                    pos,
                    p.case,
                    format!("{}/{}", c.pass, p.attempts()),
                    c.fail,
                    c.error,
                    c.skip,
                    c.manual
                )?;
            }
        }
        writeln!(
            self.out,
            "{}",
            self.rates.certification(repeat, interrupted)
        )
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
                self.rates.add(r);
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
                if info.repeat > 1 {
                    self.certification(info.repeat, *interrupted)?;
                }
                writeln!(self.out, "results: {}", self.csv_path.display())?;
            }
        }
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::{CaseResult, Verdict::*};

    fn info(repeat: u32) -> RunInfo {
        RunInfo {
            run_id: "r1".into(),
            bench: "b".into(),
            bench_path: "b.toml".into(),
            suite_path: "s.toml".into(),
            firmware: "fw".into(),
            started_at: std::time::SystemTime::UNIX_EPOCH,
            planned: 4,
            virtual_time: true,
            profile_path: None,
            calibration_path: None,
            seed: None,
            repeat,
            labels: Vec::new(),
            spec_files: Vec::new(),
        }
    }

    /// Everything the console prints for these rows.
    fn output(repeat: u32, rows: &[CaseResult]) -> String {
        let mut c = Console::new(Vec::new(), "out/results.csv".into(), false);
        let i = info(repeat);
        let mut tally = Tally::default();
        for r in rows {
            tally.add(r.verdict);
            c.event(&i, &Event::CaseFinished(r.clone())).unwrap();
        }
        let end = Event::RunFinished {
            tally,
            bench_time_ms: 1000.0,
            interrupted: false,
        };
        c.event(&i, &end).unwrap();
        String::from_utf8(c.out).unwrap()
    }

    #[test]
    fn a_repeated_run_lists_the_pairs_below_n_of_n_and_certifies() {
        let rows = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "shows-on", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
            row("p1", "9611", "shows-on", 2, Fail),
        ];
        let text = output(2, &rows);
        assert!(text.contains("\nBelow 2 of 2"), "{text}");
        let below: Vec<&str> = text.lines().filter(|l| l.starts_with("  p1 ")).collect();
        assert_eq!(below.len(), 1, "{text}");
        assert!(
            below[0].contains("shows-on") && below[0].contains("1/2"),
            "{text}"
        );
        assert!(
            text.contains(
                "certification: NOT PASSED (1 cases below 2 of 2)\nresults: out/results.csv"
            ),
            "{text}"
        );
        let all_pass = output(2, &[rows[0].clone(), rows[2].clone()]);
        assert!(!all_pass.contains("Below"), "{all_pass}");
        assert!(
            all_pass.contains("certification: PASS (every case passed 2 of 2)"),
            "{all_pass}"
        );
    }

    #[test]
    fn a_single_run_prints_no_certification() {
        let text = output(1, &[row("p1", "9611", "toggle", 1, Fail)]);
        assert!(
            !text.contains("certification") && !text.contains("Below"),
            "{text}"
        );
    }
}
