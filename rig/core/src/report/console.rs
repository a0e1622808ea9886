//! Console progress: a line per finished case (failures and errors in full), then a
//! summary per family and the path of the CSV. A repeated run (`--repeat N`) also ends
//! with the position × case pairs below N of N and the certification line — unless a
//! report could not be written: a certification of rows that were not all kept is none.
//!
//! The console is a view, the report files are the record: when stdout cannot be written
//! (closed by `rig run | head`, a full disk under `> log`) the console goes quiet with
//! one note on stderr, and the run goes on; its exit code is the run's.

use std::io::Write;
use std::path::PathBuf;

use super::pass_rate::PassRates;
use super::run_json::ScheduleRecord;
use super::ReportError;
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
    /// Stdout could not be written: print nothing more.
    quiet: bool,
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
            quiet: false,
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
    fn event(&mut self, info: &RunInfo, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(r) = event {
            // Counted whether or not it is shown: the summary counts every row.
            self.done += 1;
            self.family(&r.family).add(r.verdict);
            self.rates.add(r);
        }
        if self.quiet {
            return Ok(());
        }
        if let Err(e) = self.show(info, event).and_then(|()| self.out.flush()) {
            self.quiet = true;
            let _ = writeln!(
                std::io::stderr(),
                "rig: console output stopped ({e}); the run goes on and writes its reports"
            );
        }
        Ok(())
    }
}

impl<W: Write + Send> Console<W> {
    fn show(&mut self, info: &RunInfo, event: &Event) -> std::io::Result<()> {
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
                bench_time_ms,
                interrupted,
                report_failed,
                schedule,
                ..
            } => {
                writeln!(
                    self.out,
                    "\nSummary per family ({}):",
                    if *report_failed {
                        "STOPPED: a report could not be written"
                    } else if *interrupted {
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
                // The total is the rows counted here, as the family lines are (an
                // interrupted run's own tally is empty).
                let mut tally = Tally::default();
                for (f, t) in &self.families {
                    writeln!(
                        self.out,
                        "  {:<10} {:>5} {:>5} {:>5} {:>5} {:>6}",
                        f, t.pass, t.fail, t.error, t.skip, t.manual
                    )?;
                    tally.merge(t);
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
                if let Some(s) = ScheduleRecord::of(schedule, *bench_time_ms) {
                    writeln!(
                        self.out,
                        "lower bound: {:.1} s (set by {}); bench time / bound = {:.3}\n\
                         planned before the run: bound {:.1} s, expected {:.1} s",
                        s.bound_ms / 1000.0,
                        s.limited_by,
                        s.ratio,
                        s.planned_bound_ms / 1000.0,
                        s.forecast_ms / 1000.0
                    )?;
                }
                if info.repeat > 1 && !*report_failed {
                    self.certification(info.repeat, *interrupted)?;
                }
                writeln!(self.out, "results: {}", self.csv_path.display())?;
            }
        }
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

    /// Everything the console prints for these rows, ended as `end` says.
    fn output_ended(repeat: u32, rows: &[CaseResult], end: Event) -> String {
        let mut c = Console::new(Vec::new(), "out/results.csv".into(), false);
        let i = info(repeat);
        for r in rows {
            c.event(&i, &Event::CaseFinished(r.clone())).unwrap();
        }
        c.event(&i, &end).unwrap();
        String::from_utf8(c.out).unwrap()
    }

    /// Everything the console prints for these rows of a run that ended.
    fn output(repeat: u32, rows: &[CaseResult]) -> String {
        let mut tally = Tally::default();
        for r in rows {
            tally.add(r.verdict);
        }
        let end = Event::RunFinished {
            schedule: Default::default(),
            tally,
            bench_time_ms: 1000.0,
            interrupted: false,
            report_failed: false,
        };
        output_ended(repeat, rows, end)
    }

    /// The summary line of `name`.
    fn summary_line<'a>(text: &'a str, name: &str) -> &'a str {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no `{name}` line in:\n{text}"))
    }

    #[test]
    fn an_interrupted_run_totals_what_its_families_count() {
        let rows = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p2", "1400", "toggle", 1, Fail),
            row("p3", "1400", "toggle", 1, Pass),
        ];
        // Interrupted: the runner's summary (and so the event's tally) is empty.
        let end = Event::RunFinished {
            schedule: Default::default(),
            tally: Tally::default(),
            bench_time_ms: 1000.0,
            interrupted: true,
            report_failed: false,
        };
        let text = output_ended(1, &rows, end);
        assert!(text.contains("Summary per family (INTERRUPTED)"), "{text}");
        let numbers =
            |l: &str| -> Vec<String> { l.split_whitespace().skip(1).map(String::from).collect() };
        assert_eq!(
            numbers(summary_line(&text, "9611")),
            ["1", "0", "0", "0", "0"]
        );
        assert_eq!(
            numbers(summary_line(&text, "1400")),
            ["1", "1", "0", "0", "0"]
        );
        assert_eq!(
            numbers(summary_line(&text, "total")),
            ["2", "1", "0", "0", "0"]
        );
    }

    #[test]
    fn a_run_whose_report_failed_certifies_nothing() {
        let rows = [
            row("p1", "9611", "toggle", 1, Pass),
            row("p1", "9611", "toggle", 2, Pass),
        ];
        let end = Event::RunFinished {
            schedule: Default::default(),
            tally: Tally::default(),
            bench_time_ms: 1000.0,
            interrupted: false,
            report_failed: true,
        };
        let text = output_ended(2, &rows, end);
        assert!(
            text.contains("Summary per family (STOPPED: a report could not be written)"),
            "{text}"
        );
        assert!(!text.contains("certification"), "{text}");
    }

    /// Stdout that a reader closed after `room` bytes (`rig run | head -c N`).
    struct ClosedPipe {
        room: usize,
    }

    impl Write for ClosedPipe {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_stdout_quiets_the_console_but_fails_nothing() {
        let mut c = Console::new(ClosedPipe { room: 10 }, "r.csv".into(), true);
        let i = info(1);
        for k in 1..=3 {
            let r = row("p1", "9611", "toggle", k, Fail);
            c.event(&i, &Event::CaseFinished(r)).unwrap();
        }
        assert!(c.quiet);
        assert_eq!(c.done, 3, "rows are counted while quiet");
        let end = Event::RunFinished {
            schedule: Default::default(),
            tally: Tally::default(),
            bench_time_ms: 1.0,
            interrupted: false,
            report_failed: false,
        };
        c.event(&i, &end).unwrap();
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
