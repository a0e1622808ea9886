//! The order cases run in, and the least bench time a run can take.
//!
//! Positions are independent phones; only the phone lines are shared. A case that touches
//! a line (a call, a twinning probe, a modem expectation) holds its position's mobile line
//! and one line of the caller pool from its start to the end of its cleanup: a call one
//! step places may be what a later light step watches, and a case granted every line at
//! its start never waits half set up with a phone mid-call. So a run is a scheduling
//! problem with one chain of jobs per position (a position runs one case at a time), one
//! resource per mobile line, and a pool of identical caller lines.
//!
//! - [`estimate`]: each case's expected duration, from the suite's timers, or learnt from
//!   an earlier run's `results.csv`.
//! - [`Bound`]: the lower bound no order can beat.
//! - [`Dispatcher`]: the rule that picks the next case of an idle position; the runner
//!   follows it with the real clock, and [`forecast`] follows it with the estimates (the
//!   expected bench time `rig run --dry-run` prints).

mod bound;
mod dispatch;
pub mod estimate;

pub use bound::Bound;
pub use dispatch::{forecast, forecast_starts, Dispatcher, Grant};

use crate::bench::{Bench, ModemRole};

/// One case attempt to run on one position.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Index into `Work::positions`.
    pub position: usize,
    /// Index into the run's case list.
    pub case: usize,
    /// Expected duration, ms.
    pub estimate_ms: f64,
    /// Whether it holds its position's mobile line and a caller line.
    pub needs_lines: bool,
}

/// The jobs of a run and the lines they share.
#[derive(Debug, Clone, Default)]
pub struct Work {
    /// Position ids, in run order.
    pub(crate) positions: Vec<String>,
    /// The mobile line (index into `mobile_lines`) each position's cases hold.
    pub mobile_of: Vec<usize>,
    /// Mobile line numbers, in bench order.
    pub mobile_lines: Vec<String>,
    /// Caller line numbers, in bench order.
    pub caller_lines: Vec<String>,
    pub jobs: Vec<Job>,
}

impl Work {
    /// The lines of `bench` and the mobile line of each of `positions` (ids of the bench).
    pub(crate) fn new(bench: &Bench, positions: &[String]) -> Work {
        let numbers = |role| {
            bench
                .modems_of(role)
                .map(|m| m.number.clone())
                .collect::<Vec<_>>()
        };
        let mobile_lines = numbers(ModemRole::Mobile);
        let per_position = bench.mobile_line_per_position();
        let mobile_of = positions
            .iter()
            .map(|id| {
                let i = bench
                    .positions
                    .iter()
                    .position(|p| p.id == *id)
                    .expect("positions come from the bench");
                let line = per_position[i].expect("a loaded bench has a mobile line");
                mobile_lines
                    .iter()
                    .position(|n| *n == line.number)
                    .expect("the line is one of the bench's")
            })
            .collect();
        Work {
            positions: positions.to_vec(),
            mobile_of,
            mobile_lines,
            caller_lines: numbers(ModemRole::Caller),
            jobs: Vec::new(),
        }
    }
}

/// A work for tests: position `p` (named `p<p>`) on mobile line `mobile_of[p]` (`m<i>`),
/// `callers` caller lines, jobs as (position, ms, needs lines), each its own case.
#[cfg(test)]
pub(crate) fn test_work(mobile_of: &[usize], callers: usize, jobs: &[(usize, f64, bool)]) -> Work {
    let lines = mobile_of.iter().max().map_or(0, |m| m + 1);
    Work {
        positions: (0..mobile_of.len()).map(|p| format!("p{p}")).collect(),
        mobile_of: mobile_of.to_vec(),
        mobile_lines: (0..lines).map(|m| format!("m{m}")).collect(),
        caller_lines: (0..callers).map(|c| format!("c{c}")).collect(),
        jobs: jobs
            .iter()
            .enumerate()
            .map(|(case, &(position, estimate_ms, needs_lines))| Job {
                position,
                case,
                estimate_ms,
                needs_lines,
            })
            .collect(),
    }
}
