//! The console of `rig run`: what an engineer watches and what a CI log keeps.
//!
//! - On a terminal ([`ConsoleOptions::live`]): a live display ([`live`]) with each running
//!   position's case, step and time, and the run's bench time and ETA
//!   ([`progress`]); FAIL and ERROR rows are printed above it as they finish (every row
//!   with `-v`, every step with `-vv`).
//! - Elsewhere (a pipe, a file, CI): one plain line per finished case (`-vv`: per step).
//! - `-q`: only the end.
//!
//! At the end, always: the summary per family, every FAIL and ERROR (position, case,
//! clauses, expected and observed, the trace file), a certifying run's certification
//! ([`super::certify`]), and the paths of results.csv and report.html. Verdicts are in
//! colour when [`ConsoleOptions::colour`] says (`--color`, `NO_COLOR`).
//!
//! The console is a view, the report files are the record: when stdout cannot be written
//! (closed by `rig run | head`, a full disk under `> log`) the console goes quiet with
//! one note on stderr, and the run goes on; its exit code is the run's.

mod live;
pub mod progress;

use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};

pub use live::Live;

use super::certify::Certification;
use super::pass_rate::PassRates;
use super::run_json::ScheduleRecord;
use super::traces::trace_file;
use super::ReportError;
use crate::runner::{Aside, CaseResult, Event, Reporter, RunInfo, StepAt, Tally, Verdict};
use progress::clock_time;

/// How much the console says while the run goes (`-q`, default, `-v`, `-vv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Only the end: summary, failures, certification, paths.
    Quiet,
    /// A line per case when not on a terminal; FAIL and ERROR above the live display.
    Normal,
    /// Every case's line with its message, also above the live display.
    Cases,
    /// And every step as it starts.
    Steps,
}

/// How the console shows a run.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub verbosity: Verbosity,
    /// Verdicts in colour (ANSI escapes).
    pub colour: bool,
    /// Draw the live display (stdout is a terminal that takes escape codes).
    pub live: bool,
    /// The report folder: results.csv, report.html and the traces are named from it.
    pub out_dir: PathBuf,
}

impl ConsoleOptions {
    /// Plain lines, no colour: what a pipe gets.
    #[cfg(test)]
    pub(crate) fn plain(out_dir: impl Into<PathBuf>, verbosity: Verbosity) -> Self {
        Self {
            verbosity,
            colour: false,
            live: false,
            out_dir: out_dir.into(),
        }
    }
}

pub struct Console<W: Write + Send> {
    out: W,
    opts: ConsoleOptions,
    /// Rows finished.
    done: usize,
    /// Tallies per family, in order of first appearance.
    families: Vec<(String, Tally)>,
    /// Every row (without its trace samples), for the failures list and certification.
    rows: Vec<CaseResult>,
    /// Whether each row of `rows` had a deciding trace (written to `traces/`).
    traced: Vec<bool>,
    /// The live display, while the run goes (on a terminal).
    live: Option<Live>,
    /// Stdout could not be written: print nothing more.
    gone: bool,
}

impl<W: Write + Send> Console<W> {
    pub fn new(out: W, opts: ConsoleOptions) -> Self {
        let live = (opts.live && opts.verbosity > Verbosity::Quiet).then(Live::new);
        Self {
            out,
            opts,
            done: 0,
            families: Vec::new(),
            rows: Vec::new(),
            traced: Vec::new(),
            live,
            gone: false,
        }
    }

    /// What the operator's prompts move aside (the live display), if there is one.
    pub fn aside(&self) -> Option<std::sync::Arc<dyn Aside>> {
        self.live.as_ref().map(Live::aside)
    }

    fn family(&mut self, f: &str) -> &mut Tally {
        if let Some(i) = self.families.iter().position(|(n, _)| n == f) {
            &mut self.families[i].1
        } else {
            self.families.push((f.to_string(), Tally::default()));
            &mut self.families.last_mut().expect("just pushed").1
        }
    }

    /// A line: above the live display while there is one, else on stdout.
    fn line(&mut self, text: impl AsRef<str>) -> std::io::Result<()> {
        match &self.live {
            Some(l) => l.println(text.as_ref()),
            None => writeln!(self.out, "{}", text.as_ref()),
        }
    }

    fn paint(&self) -> Paint {
        Paint(self.opts.colour)
    }
}

impl<W: Write + Send> Reporter for Console<W> {
    fn event(&mut self, info: &RunInfo, event: &Event) -> Result<(), ReportError> {
        if let Event::CaseFinished(r) = event {
            // Counted whether or not it is shown: the summary counts every row.
            self.done += 1;
            self.family(&r.family).add(r.verdict);
            // The samples are the trace file's; the row names the file.
            self.rows.push(CaseResult {
                trace: None,
                ..r.clone()
            });
            self.traced.push(r.trace.is_some());
        }
        if let Some(live) = &mut self.live {
            live.event(event);
        }
        if matches!(event, Event::RunFinished { .. }) {
            // Off the screen before the summary is written.
            self.live = None;
        }
        if self.gone {
            return Ok(());
        }
        if let Err(e) = self.show(info, event).and_then(|()| self.out.flush()) {
            self.gone = true;
            self.live = None;
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
        let v = self.opts.verbosity;
        match event {
            Event::RunStarted(i) if v > Verbosity::Quiet => {
                let line = format!(
                    "rig run {}: bench {} ({}), firmware {}, {} case runs{}",
                    i.run_id,
                    i.bench,
                    i.bench_path.display(),
                    i.firmware,
                    i.planned,
                    if i.virtual_time { ", virtual time" } else { "" }
                );
                self.line(line)?;
            }
            Event::Scheduled(f) if v > Verbosity::Quiet && f.forecast_ms > 0.0 => {
                let line = format!(
                    "expected bench time: {}{}",
                    seconds_and_clock(f.forecast_ms),
                    if info.virtual_time {
                        ", virtual: far less wall time"
                    } else {
                        ""
                    }
                );
                self.line(line)?;
            }
            Event::StepStarted {
                position,
                case,
                step,
                at_ms,
            } if v >= Verbosity::Steps => {
                let line = step_line(position, case, step, *at_ms);
                self.line(line)?;
            }
            Event::CaseFinished(r) => {
                let loud = matches!(r.verdict, Verdict::Fail | Verdict::Error);
                let shown = match (&self.live, v) {
                    (_, Verbosity::Quiet) => false,
                    (Some(_), Verbosity::Normal) => loud,
                    _ => true,
                };
                if shown {
                    let lines = case_lines(self.paint(), r, self.done, info, v);
                    for l in lines {
                        self.line(l)?;
                    }
                }
            }
            Event::RunFinished {
                bench_time_ms,
                interrupted,
                stopped_at_failure,
                report_failed,
                schedule,
                ..
            } => {
                let how = if *report_failed {
                    "STOPPED: a report could not be written"
                } else if *interrupted {
                    "INTERRUPTED"
                } else if *stopped_at_failure {
                    "stopped at the first FAIL or ERROR (--fail-fast)"
                } else {
                    "complete"
                };
                self.summary(how, *bench_time_ms, schedule)?;
                self.failures(info.repeat)?;
                if let Some(scope) = &info.certify {
                    if !*report_failed {
                        let c = Certification::judge(scope, &self.rows, info.repeat, *interrupted);
                        self.certification(info.repeat, &c)?;
                    }
                }
                let dir = &self.opts.out_dir;
                writeln!(self.out, "results: {}", dir.join("results.csv").display())?;
                if !*report_failed {
                    writeln!(self.out, "report: {}", dir.join("report.html").display())?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The verdicts per family, the bench time and the schedule's figures.
    fn summary(
        &mut self,
        how: &str,
        bench_time_ms: f64,
        schedule: &crate::runner::ScheduleFigures,
    ) -> std::io::Result<()> {
        let p = self.paint();
        writeln!(self.out, "\nSummary per family ({how}):")?;
        writeln!(
            self.out,
            "  {:<10} {:>5} {:>5} {:>5} {:>5} {:>6}",
            "family", "PASS", "FAIL", "ERROR", "SKIP", "MANUAL"
        )?;
        // The total is the rows counted here, as the family lines are (an interrupted
        // run's own tally is empty).
        let mut tally = Tally::default();
        for (f, t) in &self.families {
            writeln!(self.out, "  {:<10} {}", f, p.counts(t))?;
            tally.merge(t);
        }
        writeln!(self.out, "  {:<10} {}", "total", p.counts(&tally))?;
        writeln!(
            self.out,
            "bench time covered: {}",
            seconds_and_clock(bench_time_ms)
        )?;
        if let Some(s) = ScheduleRecord::of(schedule, bench_time_ms) {
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
        Ok(())
    }

    /// Every FAIL and ERROR row: where, what was expected and observed, the trace file.
    fn failures(&mut self, repeat: u32) -> std::io::Result<()> {
        let bad: Vec<(&CaseResult, bool)> = self
            .rows
            .iter()
            .zip(self.traced.iter().copied())
            .filter(|(r, _)| matches!(r.verdict, Verdict::Fail | Verdict::Error))
            .collect();
        if bad.is_empty() {
            return Ok(());
        }
        let p = self.paint();
        let mut text = format!("\nFAIL and ERROR ({}):\n", bad.len());
        for (r, traced) in bad {
            let pos = if r.position.is_empty() {
                "-"
            } else {
                &r.position
            };
            let attempt = if repeat > 1 {
                format!(" #{}", r.attempt)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "  {} {pos} {}{attempt} [{}]\n",
                p.verdict(r.verdict, 5),
                r.case,
                r.clauses.join(" ")
            ));
            if !r.message.is_empty() {
                text.push_str(&format!("        {}\n", r.message));
            }
            if !r.expected.is_empty() || !r.observed.is_empty() {
                text.push_str(&format!(
                    "        expected: {}\n        observed: {}\n",
                    r.expected, r.observed
                ));
            }
            if traced {
                text.push_str(&format!(
                    "        trace: {}\n",
                    self.opts.out_dir.join(trace_file(r)).display()
                ));
            }
        }
        write!(self.out, "{text}")
    }

    /// The pairs below N of N, the certification line and what was not checked.
    fn certification(&mut self, repeat: u32, c: &Certification) -> std::io::Result<()> {
        let rates = PassRates::of(&self.rows);
        let below: Vec<_> = rates.below(repeat).collect();
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
                let n = &p.counts;
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
                    format!("{}/{}", n.pass, p.attempts()),
                    n.fail,
                    n.error,
                    n.skip,
                    n.manual
                )?;
            }
        }
        writeln!(self.out, "{}", self.paint().certification(c))?;
        for d in c.details() {
            writeln!(self.out, "  {d}")?;
        }
        Ok(())
    }
}

/// A finished case: one line, and for FAIL and ERROR what was expected and observed.
fn case_lines(p: Paint, r: &CaseResult, done: usize, info: &RunInfo, v: Verbosity) -> Vec<String> {
    let loud = matches!(r.verdict, Verdict::Fail | Verdict::Error);
    let pos = if r.position.is_empty() {
        "-"
    } else {
        &r.position
    };
    let case = if info.repeat > 1 {
        format!("{} #{}", r.case, r.attempt)
    } else {
        r.case.clone()
    };
    let message = if r.verdict != Verdict::Pass || v >= Verbosity::Cases {
        r.message.as_str()
    } else {
        ""
    };
    let width = info.planned.max(1).to_string().len().max(4);
    let mut lines = vec![format!(
        "[{done:>width$}/{} @{:>7}] {} {pos:<8} {case:<22} {:<8} {:>8}  {message}",
        info.planned,
        clock_time(r.started_ms + r.bench_time_ms),
        p.verdict(r.verdict, 6),
        r.clauses.join(" "),
        clock_time(r.bench_time_ms),
    )
    .trim_end()
    .to_string()];
    if loud && !(r.expected.is_empty() && r.observed.is_empty()) {
        let pad = " ".repeat(width * 2 + 13);
        lines.push(format!("{pad}expected: {}", r.expected));
        lines.push(format!("{pad}observed: {}", r.observed));
    }
    lines
}

/// `2498.2 s (41:38)`; `41.8 s` alone under a minute.
fn seconds_and_clock(ms: f64) -> String {
    if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{:.1} s ({})", ms / 1000.0, clock_time(ms))
    }
}

/// A step as it starts (`-vv`).
fn step_line(position: &str, case: &str, step: &StepAt, at_ms: f64) -> String {
    format!(
        "         {:>10}  {position:<8} {case:<22} {step}",
        clock_time(at_ms)
    )
}

/// Colour, or none.
#[derive(Debug, Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn style(v: Verdict) -> Style {
        match v {
            Verdict::Pass => AnsiColor::Green.on_default(),
            Verdict::Fail => AnsiColor::Red.on_default().bold(),
            Verdict::Error => AnsiColor::Magenta.on_default().bold(),
            Verdict::Skip => AnsiColor::Yellow.on_default(),
            Verdict::Manual => AnsiColor::Cyan.on_default(),
        }
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// The verdict's name, padded to `width` (outside the colour, so columns line up).
    fn verdict(self, v: Verdict, width: usize) -> String {
        let pad = " ".repeat(width.saturating_sub(v.name().len()));
        format!("{}{pad}", self.paint(Self::style(v), v.name()))
    }

    /// A tally's columns, the FAIL and ERROR counts in colour when not zero.
    fn counts(self, t: &Tally) -> String {
        let col = |n: usize, w: usize, v: Verdict| {
            let text = format!("{n:>w$}");
            if n > 0 && matches!(v, Verdict::Fail | Verdict::Error) {
                self.paint(Self::style(v), &text)
            } else {
                text
            }
        };
        format!(
            "{} {} {} {} {}",
            col(t.pass, 5, Verdict::Pass),
            col(t.fail, 5, Verdict::Fail),
            col(t.error, 5, Verdict::Error),
            col(t.skip, 5, Verdict::Skip),
            col(t.manual, 6, Verdict::Manual)
        )
    }

    /// The certification line, its verdict in colour.
    fn certification(self, c: &Certification) -> String {
        let (word, style) = if c.certified {
            ("CERTIFIED", AnsiColor::Green.on_default().bold())
        } else {
            ("NOT CERTIFIED", AnsiColor::Red.on_default().bold())
        };
        c.line.replacen(word, &self.paint(style, word), 1)
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
            certify: (repeat > 1).then(scope),
        }
    }

    /// S4 on the 9611, as the rows of `row` name it.
    fn scope() -> crate::report::certify::Scope {
        use crate::report::certify::{Need, Scope};
        Scope {
            clauses: vec!["S4".into()],
            families: vec!["9611".into()],
            status: [(
                ("S4".to_string(), "9611".to_string()),
                Need::Required(vec!["p1".into()]),
            )]
            .into(),
            ..Scope::default()
        }
    }

    /// Everything the console prints for these rows, ended as `end` says.
    fn output_ended(repeat: u32, rows: &[CaseResult], end: Event) -> String {
        let mut c = Console::new(Vec::new(), ConsoleOptions::plain("out", Verbosity::Normal));
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
            stopped_at_failure: false,
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
            stopped_at_failure: false,
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
            stopped_at_failure: false,
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
        let mut c = Console::new(
            ClosedPipe { room: 10 },
            ConsoleOptions::plain("out", Verbosity::Cases),
        );
        let i = info(1);
        for k in 1..=3 {
            let r = row("p1", "9611", "toggle", k, Fail);
            c.event(&i, &Event::CaseFinished(r)).unwrap();
        }
        assert!(c.gone);
        assert_eq!(c.done, 3, "rows are counted while quiet");
        let end = Event::RunFinished {
            schedule: Default::default(),
            tally: Tally::default(),
            bench_time_ms: 1.0,
            interrupted: false,
            stopped_at_failure: false,
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
                "certification: NOT CERTIFIED (1 cases below 2 of 2)\nresults: out/results.csv"
            ),
            "{text}"
        );
        let all_pass = output(2, &[rows[0].clone(), rows[2].clone()]);
        assert!(!all_pass.contains("Below"), "{all_pass}");
        assert!(
            all_pass.contains("certification: CERTIFIED (every clause checked on every family where the spec defines it; every case passed 2 of 2)"),
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
