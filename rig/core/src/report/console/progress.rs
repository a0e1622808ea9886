//! Where a run is, for the live console: each position's current case and step, the rows
//! done, and the ETA from the suite's expected durations (the scheduler's forecast).
//!
//! All times are bench time (ms since the run started): in virtual time the display shows
//! how far the simulated bench has got, on a lab bench it is the wall clock.
//!
//! The ETA: the forecast is what the scheduler expects the whole run to take
//! ([`crate::schedule::forecast`]); the work done is the expected duration of every case
//! finished plus, for each case running, the time it has run so far (at most its expected
//! duration). The forecast not yet covered by that work is what remains, scaled by the
//! pace so far (bench time spent over the forecast's time for the work done, between ½
//! and 3, once a twentieth of the work is done): a bench slower than its estimates gets a
//! later ETA as it goes.

use std::collections::HashMap;

use crate::runner::{CaseResult, Forecast, StepAt, Tally};

/// The run as far as the console knows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// The scheduler's forecast of the whole run, ms (0 before `Scheduled`).
    pub(crate) forecast_ms: f64,
    /// Every planned attempt's expected duration, summed, ms.
    total_ms: f64,
    /// Expected durations of the attempts finished, ms.
    done_ms: f64,
    /// Expected duration per (position, case).
    estimates: HashMap<(String, String), f64>,
    /// The positions, in the order the scheduler lists their work.
    pub(crate) positions: Vec<PositionProgress>,
    /// Rows finished.
    pub(crate) rows_done: usize,
    pub(crate) tally: Tally,
    /// The latest bench time an event carried, ms.
    pub(crate) last_ms: f64,
}

/// One position of the bench.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PositionProgress {
    pub(crate) id: String,
    pub(crate) planned: usize,
    pub(crate) done: usize,
    pub(crate) current: Option<Running>,
}

/// The case a position is running.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Running {
    pub(crate) case: String,
    pub(crate) attempt: u32,
    pub(crate) started_ms: f64,
    pub(crate) estimate_ms: f64,
    pub(crate) step: Option<StepAt>,
}

impl Progress {
    /// The scheduler's forecast and every planned attempt.
    pub(crate) fn scheduled(&mut self, f: &Forecast) {
        self.forecast_ms = f.forecast_ms;
        for j in &f.jobs {
            self.total_ms += j.estimate_ms;
            self.estimates
                .insert((j.position.clone(), j.case.clone()), j.estimate_ms);
            match self.positions.iter_mut().find(|p| p.id == j.position) {
                Some(p) => p.planned += 1,
                None => self.positions.push(PositionProgress {
                    id: j.position.clone(),
                    planned: 1,
                    done: 0,
                    current: None,
                }),
            }
        }
    }

    fn position(&mut self, id: &str) -> Option<&mut PositionProgress> {
        self.positions.iter_mut().find(|p| p.id == id)
    }

    fn at(&mut self, ms: f64) {
        if ms > self.last_ms {
            self.last_ms = ms;
        }
    }

    pub(crate) fn case_started(&mut self, position: &str, case: &str, attempt: u32, at_ms: f64) {
        self.at(at_ms);
        let estimate_ms = self.estimate(position, case);
        if let Some(p) = self.position(position) {
            p.current = Some(Running {
                case: case.to_string(),
                attempt,
                started_ms: at_ms,
                estimate_ms,
                step: None,
            });
        }
    }

    pub(crate) fn step(&mut self, position: &str, step: &StepAt, at_ms: f64) {
        self.at(at_ms);
        if let Some(r) = self.position(position).and_then(|p| p.current.as_mut()) {
            r.step = Some(step.clone());
        }
    }

    pub(crate) fn case_finished(&mut self, r: &CaseResult) {
        self.at(r.started_ms + r.bench_time_ms);
        self.rows_done += 1;
        self.tally.add(r.verdict);
        if r.position.is_empty() {
            return;
        }
        self.done_ms += self.estimate(&r.position, &r.case);
        if let Some(p) = self.position(&r.position) {
            p.done += 1;
            p.current = None;
        }
    }

    fn estimate(&self, position: &str, case: &str) -> f64 {
        self.estimates
            .get(&(position.to_string(), case.to_string()))
            .copied()
            .unwrap_or(0.0)
    }

    /// The expected work done by bench time `now_ms`, ms: every finished case's expected
    /// duration, and each running case's time so far up to its expected duration.
    pub(crate) fn work_done_ms(&self, now_ms: f64) -> f64 {
        let running: f64 = self
            .positions
            .iter()
            .filter_map(|p| p.current.as_ref())
            .map(|r| (now_ms - r.started_ms).clamp(0.0, r.estimate_ms))
            .sum();
        (self.done_ms + running).min(self.total_ms)
    }

    /// The bench time still to go at `now_ms`, ms; `None` before the forecast is known or
    /// when nothing is expected to take any time.
    pub(crate) fn eta_ms(&self, now_ms: f64) -> Option<f64> {
        if self.total_ms <= 0.0 || self.forecast_ms <= 0.0 {
            return None;
        }
        let share = self.work_done_ms(now_ms) / self.total_ms;
        let planned_elapsed = self.forecast_ms * share;
        let pace = if share >= 0.05 && planned_elapsed > 0.0 {
            (now_ms / planned_elapsed).clamp(0.5, 3.0)
        } else {
            1.0
        };
        Some(((self.forecast_ms - planned_elapsed) * pace).max(0.0))
    }

    /// The run's line: the ETA (in virtual time, of bench time), the bench time so far
    /// of the time expected, and the verdicts so far. The ETA comes first: a narrow
    /// terminal cuts the line's end.
    pub(crate) fn overall_line(&self, now_ms: f64, virtual_time: bool) -> String {
        let eta = match self.eta_ms(now_ms) {
            Some(ms) => clock_time(ms),
            None => "-".to_string(),
        };
        let of_bench = if virtual_time { " of bench time" } else { "" };
        let expected = if self.forecast_ms > 0.0 {
            format!(" / ~{}", clock_time(self.forecast_ms))
        } else {
            String::new()
        };
        let t = &self.tally;
        let mut counts = format!("{} pass", t.pass);
        for (n, word) in [(t.fail, "FAIL"), (t.error, "ERROR")] {
            if n > 0 {
                counts.push_str(&format!(", {n} {word}"));
            }
        }
        format!(
            "ETA {eta}{of_bench} · bench {}{expected} · {counts}",
            clock_time(now_ms)
        )
    }

    /// One line per position: its case, step and time, or what it waits for.
    pub(crate) fn position_lines(&self, now_ms: f64, repeat: u32) -> Vec<String> {
        let width = self.positions.iter().map(|p| p.id.len()).max().unwrap_or(0);
        self.positions
            .iter()
            .map(|p| {
                let what = match &p.current {
                    Some(r) => {
                        let attempt = if repeat > 1 {
                            format!(" #{}", r.attempt)
                        } else {
                            String::new()
                        };
                        let step = r
                            .step
                            .as_ref()
                            .map_or("starting".to_string(), |s| s.to_string());
                        format!(
                            "{:>8} / ~{:<7} {}{attempt}  {step}",
                            clock_time((now_ms - r.started_ms).max(0.0)),
                            clock_time(r.estimate_ms),
                            r.case
                        )
                    }
                    None if p.done >= p.planned => format!("done ({} cases)", p.done),
                    None => format!("waiting ({} of {} cases done)", p.done, p.planned),
                };
                format!("{:<width$}  {what}", p.id)
            })
            .collect()
    }
}

/// `12.3 s` under a minute, `4:05` under an hour, `1:02:05` beyond.
pub(crate) fn clock_time(ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms < 60_000.0 {
        return format!("{:.1} s", ms / 1000.0);
    }
    let s = (ms / 1000.0).round() as u64;
    if s < 3600 {
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::row;
    use crate::runner::{ExpectedCase, Verdict};

    fn forecast() -> Forecast {
        // Two positions, two cases each of 10 s and 30 s: 40 s each, run side by side.
        let mut jobs = Vec::new();
        for p in ["p1", "p2"] {
            for (c, ms) in [("short", 10_000.0), ("long", 30_000.0)] {
                jobs.push(ExpectedCase {
                    position: p.into(),
                    case: c.into(),
                    estimate_ms: ms,
                });
            }
        }
        Forecast {
            forecast_ms: 40_000.0,
            jobs,
        }
    }

    fn finished(p: &str, case: &str, started_ms: f64, took_ms: f64) -> CaseResult {
        let mut r = row(p, "9611", case, 1, Verdict::Pass);
        r.started_ms = started_ms;
        r.bench_time_ms = took_ms;
        r
    }

    #[test]
    fn the_eta_is_the_forecast_at_the_start_and_follows_the_work() {
        let mut p = Progress::default();
        assert_eq!(p.eta_ms(0.0), None, "no forecast yet");
        p.scheduled(&forecast());
        assert_eq!(p.eta_ms(0.0), Some(40_000.0));
        p.case_started("p1", "short", 1, 0.0);
        p.case_started("p2", "long", 1, 0.0);
        // On time: at 10 s both have run 10 s of their expected work (20 of 80 s).
        assert_eq!(p.eta_ms(10_000.0), Some(30_000.0));
        p.case_finished(&finished("p1", "short", 0.0, 10_000.0));
        p.case_started("p1", "long", 1, 10_000.0);
        assert_eq!(p.eta_ms(10_000.0), Some(30_000.0));
        assert_eq!(p.rows_done, 1);
        assert_eq!(p.positions[0].done, 1);
    }

    #[test]
    fn a_bench_slower_than_its_estimates_gets_a_later_eta() {
        let mut p = Progress::default();
        p.scheduled(&forecast());
        p.case_started("p1", "short", 1, 0.0);
        p.case_started("p2", "short", 1, 0.0);
        // The short cases took 20 s instead of 10: half the pace expected.
        p.case_finished(&finished("p1", "short", 0.0, 20_000.0));
        p.case_finished(&finished("p2", "short", 0.0, 20_000.0));
        // 20 of 80 s of work done: the forecast's remaining 30 s at pace 2.
        assert_eq!(p.eta_ms(20_000.0), Some(60_000.0));
    }

    #[test]
    fn lines_name_each_positions_case_step_and_time() {
        let mut p = Progress::default();
        p.scheduled(&forecast());
        p.case_started("p1", "long", 2, 1_000.0);
        p.step(
            "p1",
            &StepAt::Step {
                index: 2,
                of: 5,
                what: "expect twinning twinning-on".into(),
            },
            3_000.0,
        );
        let lines = p.position_lines(13_500.0, 3);
        assert_eq!(
            lines[0],
            "p1    12.5 s / ~30.0 s  long #2  step 2/5: expect twinning twinning-on"
        );
        assert_eq!(lines[1], "p2  waiting (0 of 2 cases done)");
        // 12.5 of 80 s of work in 13.5 s (p2 waits): the pace is behind the forecast's.
        assert_eq!(
            p.overall_line(13_500.0, true),
            "ETA 1:13 of bench time · bench 13.5 s / ~40.0 s · 0 pass"
        );
    }

    #[test]
    fn clock_times_read_as_seconds_minutes_or_hours() {
        assert_eq!(clock_time(12_345.0), "12.3 s");
        assert_eq!(clock_time(245_000.0), "4:05");
        assert_eq!(clock_time(3_725_000.0), "1:02:05");
        assert_eq!(clock_time(-5.0), "0.0 s");
    }
}
