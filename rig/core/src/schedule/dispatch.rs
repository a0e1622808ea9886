//! The rule that picks which case starts next, and where.
//!
//! Greedy list scheduling (Graham, 1966): whenever a position is idle it starts a case if
//! one can start, so a free line never waits beside a case that could use it (the rule is
//! work-conserving). Idle positions choose in order of the estimated work they still have
//! ahead, counting the work queued on their mobile line as well (the longest remaining
//! chain first, the critical-path rule), and each takes its
//! longest case that needs lines while its mobile line and a caller line are free, else its
//! longest case that needs none (LED-only cases fill the time a position waits for lines).
//!
//! Why this rule: for independent jobs on `k` identical machines (the caller pool) any
//! work-conserving list schedule ends within (2 − 1/k) of the optimum, and longest-first
//! within 4/3 − 1/(3k) (Graham, 1969); serving the longest chain first keeps the position
//! that sets the bound busy from the start. The bench adds chains and private mobile lines,
//! for which no constant factor is proven, so every run reports its bench time against the
//! [`super::Bound`] computed from the durations it measured.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::Work;

/// A job started: which job, and the lines it holds (indices into the work's
/// `mobile_lines` and `caller_lines`; `None` for a case that touches no line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub(crate) job: usize,
    pub(crate) position: usize,
    pub(crate) lines: Option<(usize, usize)>,
}

/// Which job starts next on which position, as lines and positions free up.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    work: Work,
    /// Jobs not yet started, per position.
    pending: Vec<Vec<usize>>,
    /// Estimated work not yet started, per position, ms.
    remaining_ms: Vec<f64>,
    /// Estimated work not yet started that holds each mobile line, ms.
    line_remaining_ms: Vec<f64>,
    position_busy: Vec<bool>,
    mobile_busy: Vec<bool>,
    caller_busy: Vec<bool>,
}

impl Dispatcher {
    pub(crate) fn new(work: Work) -> Dispatcher {
        let n = work.positions.len();
        let mut pending = vec![Vec::new(); n];
        let mut remaining_ms = vec![0.0; n];
        let mut line_remaining_ms = vec![0.0; work.mobile_lines.len()];
        for (i, job) in work.jobs.iter().enumerate() {
            pending[job.position].push(i);
            remaining_ms[job.position] += job.estimate_ms;
            if job.needs_lines {
                line_remaining_ms[work.mobile_of[job.position]] += job.estimate_ms;
            }
        }
        Dispatcher {
            position_busy: vec![false; n],
            mobile_busy: vec![false; work.mobile_lines.len()],
            caller_busy: vec![false; work.caller_lines.len()],
            pending,
            remaining_ms,
            line_remaining_ms,
            work,
        }
    }

    pub(crate) fn work(&self) -> &Work {
        &self.work
    }

    /// Whether `position` has nothing running and nothing left to start.
    pub(crate) fn position_done(&self, position: usize) -> bool {
        !self.position_busy[position] && self.pending[position].is_empty()
    }

    /// Start every job that can start now, at most one per idle position.
    pub(crate) fn dispatch(&mut self) -> Vec<Grant> {
        let mut idle: Vec<usize> = (0..self.pending.len())
            .filter(|&p| !self.position_busy[p] && !self.pending[p].is_empty())
            .collect();
        idle.sort_by(|&a, &b| {
            self.urgency(b)
                .partial_cmp(&self.urgency(a))
                .unwrap_or(Ordering::Equal)
                .then(a.cmp(&b))
        });
        idle.into_iter().filter_map(|p| self.start_on(p)).collect()
    }

    /// How much work still waits on `p`: its own chain, or the work queued on its mobile
    /// line (positions sharing a line form one chain), whichever is longer.
    fn urgency(&self, p: usize) -> f64 {
        self.remaining_ms[p].max(self.line_remaining_ms[self.work.mobile_of[p]])
    }

    fn start_on(&mut self, p: usize) -> Option<Grant> {
        let mobile = self.work.mobile_of[p];
        let caller = self.caller_busy.iter().position(|busy| !busy);
        let lines = match caller {
            Some(c) if !self.mobile_busy[mobile] => Some((mobile, c)),
            _ => None,
        };
        let longest = |needs_lines: bool| {
            self.pending[p]
                .iter()
                .enumerate()
                .filter(|(_, &j)| self.work.jobs[j].needs_lines == needs_lines)
                .max_by(|(_, &a), (_, &b)| {
                    let (ea, eb) = (self.work.jobs[a].estimate_ms, self.work.jobs[b].estimate_ms);
                    // Longest first; among equals, the earliest in suite order.
                    ea.partial_cmp(&eb)
                        .unwrap_or(Ordering::Equal)
                        .then(b.cmp(&a))
                })
                .map(|(slot, _)| slot)
        };
        let (slot, lines) = match lines.and_then(|l| longest(true).map(|s| (s, Some(l)))) {
            Some(pick) => pick,
            None => (longest(false)?, None),
        };
        let job = self.pending[p].remove(slot);
        self.remaining_ms[p] -= self.work.jobs[job].estimate_ms;
        if lines.is_some() {
            self.line_remaining_ms[mobile] -= self.work.jobs[job].estimate_ms;
        }
        self.position_busy[p] = true;
        if let Some((m, c)) = lines {
            self.mobile_busy[m] = true;
            self.caller_busy[c] = true;
        }
        Some(Grant {
            job,
            position: p,
            lines,
        })
    }

    /// A granted job ended: its position and lines are free again.
    pub(crate) fn finish(&mut self, grant: &Grant) {
        self.position_busy[grant.position] = false;
        if let Some((m, c)) = grant.lines {
            self.mobile_busy[m] = false;
            self.caller_busy[c] = false;
        }
    }

    /// Drop every job of `position` not yet started (its task ended early).
    pub(crate) fn abandon(&mut self, position: usize) -> usize {
        self.remaining_ms[position] = 0.0;
        let line = self.work.mobile_of[position];
        for &j in &self.pending[position] {
            if self.work.jobs[j].needs_lines {
                self.line_remaining_ms[line] -= self.work.jobs[j].estimate_ms;
            }
        }
        std::mem::take(&mut self.pending[position]).len()
    }
}

/// The bench time the rule takes if every job lasts its estimate, ms.
pub fn forecast(work: &Work) -> f64 {
    replay(work, |i| work.jobs[i].estimate_ms).0
}

/// When the rule starts each job if every job lasts its estimate: (job, start ms), in
/// start order.
pub fn forecast_starts(work: &Work) -> Vec<(usize, f64)> {
    let (_, log) = replay(work, |i| work.jobs[i].estimate_ms);
    log.into_iter()
        .map(|(g, start, _)| (g.job, start))
        .collect()
}

/// The rule followed with each job lasting `duration(job)` ms: the bench time, and each
/// grant with its start and end.
fn replay(work: &Work, duration: impl Fn(usize) -> f64) -> (f64, Vec<(Grant, f64, f64)>) {
    #[derive(PartialEq)]
    struct End(f64, usize, Grant);
    impl Eq for End {}
    impl PartialOrd for End {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for End {
        // Earliest end first (a max-heap of reversed times); ties in start order.
        fn cmp(&self, o: &Self) -> Ordering {
            o.0.partial_cmp(&self.0)
                .unwrap_or(Ordering::Equal)
                .then(o.1.cmp(&self.1))
        }
    }
    let mut d = Dispatcher::new(work.clone());
    let mut running = BinaryHeap::new();
    let mut started = 0;
    let mut now = 0.0_f64;
    let mut ready: VecDeque<Grant> = d.dispatch().into();
    let mut log = Vec::new();
    loop {
        while let Some(g) = ready.pop_front() {
            let end = now + duration(g.job).max(0.0);
            log.push((g, now, end));
            running.push(End(end, started, g));
            started += 1;
        }
        let Some(End(at, _, g)) = running.pop() else {
            return (now, log);
        };
        now = at;
        d.finish(&g);
        ready.extend(d.dispatch());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Bound;

    use crate::schedule::test_work as work;

    #[test]
    fn a_shared_mobile_line_is_held_by_one_case_at_a_time() {
        let w = work(&[0, 0], 2, &[(0, 10.0, true), (1, 10.0, true)]);
        let mut d = Dispatcher::new(w);
        let first = d.dispatch();
        assert_eq!(first.len(), 1, "both need mobile line m0: {first:?}");
        assert!(d.dispatch().is_empty());
        d.finish(&first[0]);
        let second = d.dispatch();
        assert_eq!(second.len(), 1);
        assert_ne!(second[0].position, first[0].position);
    }

    #[test]
    fn a_position_waiting_for_lines_runs_its_led_only_cases_meanwhile() {
        let w = work(
            &[0, 0],
            1,
            &[
                (0, 10.0, true),
                (0, 6.0, false),
                (1, 10.0, true),
                (1, 3.0, false),
            ],
        );
        let mut d = Dispatcher::new(w);
        let g = d.dispatch();
        // p0 (16 ms ahead) takes the shared lines; p1 runs its LED-only case meanwhile.
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!((g[0].position, g[0].job, g[0].lines), (0, 0, Some((0, 0))));
        assert_eq!((g[1].position, g[1].job, g[1].lines), (1, 3, None));
    }

    #[test]
    fn the_position_with_the_most_work_ahead_gets_the_only_caller() {
        let w = work(
            &[0, 1],
            1,
            &[(0, 5.0, true), (1, 5.0, true), (1, 20.0, false)],
        );
        let mut d = Dispatcher::new(w);
        let g = d.dispatch();
        // p1 has 25 ms ahead, p0 5 ms: p1 takes the caller, p0 waits.
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].position, g[0].job), (1, 1));
    }

    #[test]
    fn the_forecast_of_independent_positions_is_their_longest_chain() {
        let w = work(
            &[0, 1, 2],
            3,
            &[
                (0, 4.0, true),
                (0, 6.0, false),
                (1, 3.0, true),
                (2, 7.0, true),
            ],
        );
        assert_eq!(forecast(&w), 10.0);
        assert_eq!(Bound::of(&w, |i| w.jobs[i].estimate_ms).ms(), 10.0);
    }

    #[test]
    fn one_shared_line_serialises_every_call_and_leaves_led_cases_in_its_shadow() {
        let w = work(
            &[0, 0, 0],
            1,
            &[
                (0, 10.0, true),
                (1, 10.0, true),
                (2, 10.0, true),
                (0, 2.0, false),
                (1, 2.0, false),
                (2, 2.0, false),
            ],
        );
        assert_eq!(Bound::of(&w, |i| w.jobs[i].estimate_ms).ms(), 30.0);
        assert_eq!(forecast(&w), 30.0);
    }

    /// Random benches (1–12 positions on 1–4 mobile lines, 1–4 caller lines, 0–8 jobs
    /// each): every job runs once; no two jobs on one position, one mobile line or one
    /// caller line overlap; and the rule never ends before the bound (nor, here, beyond
    /// twice it).
    #[test]
    fn random_benches_keep_every_exclusion_and_stay_near_the_bound() {
        use rand::rngs::SmallRng;
        use rand::{RngExt, SeedableRng};
        let mut rng = SmallRng::seed_from_u64(12);
        for _ in 0..500 {
            let positions = rng.random_range(1..=12);
            let lines = rng.random_range(1..=4);
            let mobile_of: Vec<usize> =
                (0..positions).map(|_| rng.random_range(0..lines)).collect();
            let mut jobs = Vec::new();
            for p in 0..positions {
                for _ in 0..rng.random_range(0..=8) {
                    jobs.push((p, rng.random_range(0.0..30.0), rng.random_bool(0.8)));
                }
            }
            let mut w = work(&mobile_of, rng.random_range(1..=4), &jobs);
            w.mobile_lines = (0..lines).map(|m| format!("m{m}")).collect();
            let (end, log) = replay(&w, |j| w.jobs[j].estimate_ms);
            assert_eq!(log.len(), jobs.len());
            let mut seen: Vec<usize> = log.iter().map(|(g, ..)| g.job).collect();
            seen.sort();
            assert!(seen.iter().enumerate().all(|(i, &j)| i == j));
            for (i, (a, a0, a1)) in log.iter().enumerate() {
                assert_eq!(a.lines.is_some(), w.jobs[a.job].needs_lines);
                for (b, b0, b1) in &log[i + 1..] {
                    if a0 >= b1 || b0 >= a1 {
                        continue;
                    }
                    assert_ne!(a.position, b.position, "{w:?}");
                    if let (Some((am, ac)), Some((bm, bc))) = (a.lines, b.lines) {
                        assert_ne!(am, bm, "{w:?}");
                        assert_ne!(ac, bc, "{w:?}");
                    }
                }
            }
            let bound = Bound::of(&w, |j| w.jobs[j].estimate_ms).ms();
            assert!(
                end >= bound - 1e-9 && end <= 2.0 * bound + 1e-9,
                "{end} vs {bound}: {w:?}"
            );
        }
    }

    #[test]
    fn an_abandoned_position_starts_nothing_more() {
        let w = work(&[0], 1, &[(0, 1.0, true), (0, 1.0, false)]);
        let mut d = Dispatcher::new(w);
        assert_eq!(d.abandon(0), 2);
        assert!(d.dispatch().is_empty());
        assert!(d.position_done(0));
    }
}
