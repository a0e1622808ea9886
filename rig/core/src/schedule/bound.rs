//! The least bench time any order of a run's cases can take.

use super::Work;

/// A lower bound on a run's bench time, and what sets it. No schedule beats any of its
/// three parts: a position runs its cases one after another (its chain), a mobile line is
/// held by one case at a time, and `k` caller lines carry at most `k` cases at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The longest position chain, ms, and its position.
    pub(crate) chain_ms: f64,
    pub(crate) chain_position: String,
    /// The busiest mobile line's total holding time, ms, and its number.
    pub(crate) line_ms: f64,
    pub(crate) line: String,
    /// The caller pool's total holding time over its size, ms.
    pub(crate) callers_ms: f64,
}

impl Bound {
    /// The bound of `work`, with each job lasting `duration(job index)` ms.
    pub fn of(work: &Work, duration: impl Fn(usize) -> f64) -> Bound {
        let mut chain = vec![0.0; work.positions.len()];
        let mut line = vec![0.0; work.mobile_lines.len()];
        let mut callers = 0.0;
        for (i, job) in work.jobs.iter().enumerate() {
            let d = duration(i).max(0.0);
            chain[job.position] += d;
            if job.needs_lines {
                line[work.mobile_of[job.position]] += d;
                callers += d;
            }
        }
        let (cp, chain_ms) = argmax(&chain);
        let (lp, line_ms) = argmax(&line);
        Bound {
            chain_ms,
            chain_position: work.positions.get(cp).cloned().unwrap_or_default(),
            line_ms,
            line: work.mobile_lines.get(lp).cloned().unwrap_or_default(),
            callers_ms: callers / work.caller_lines.len().max(1) as f64,
        }
    }

    /// The bound itself, ms.
    pub fn ms(&self) -> f64 {
        self.chain_ms.max(self.line_ms).max(self.callers_ms)
    }

    /// What sets the bound, in words.
    pub fn limited_by(&self) -> String {
        let ms = self.ms();
        if ms == self.chain_ms {
            format!("the cases of position {}", self.chain_position)
        } else if ms == self.line_ms {
            format!("mobile line {}", self.line)
        } else {
            "the caller lines".to_string()
        }
    }
}

fn argmax(v: &[f64]) -> (usize, f64) {
    v.iter().copied().enumerate().fold(
        (0, 0.0),
        |best, (i, x)| if x > best.1 { (i, x) } else { best },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions a, b, c; a and b on mobile line m0, c on m1.
    fn work(callers: usize, jobs: &[(usize, f64, bool)]) -> Work {
        let mut w = crate::schedule::test_work(&[0, 0, 1], callers, jobs);
        w.positions = vec!["a".into(), "b".into(), "c".into()];
        w
    }

    #[test]
    fn each_part_of_the_bound_is_the_sum_it_names() {
        let w = work(
            2,
            &[
                (0, 10.0, true),
                (0, 5.0, false),
                (1, 7.0, true),
                (2, 9.0, true),
            ],
        );
        let b = Bound::of(&w, |i| w.jobs[i].estimate_ms);
        assert_eq!((b.chain_ms, b.chain_position.as_str()), (15.0, "a"));
        // a and b share mobile line m0: 10 + 7.
        assert_eq!((b.line_ms, b.line.as_str()), (17.0, "m0"));
        assert_eq!(b.callers_ms, 13.0);
        assert_eq!(b.ms(), 17.0);
        assert_eq!(b.limited_by(), "mobile line m0");
    }

    #[test]
    fn one_caller_line_makes_the_callers_the_bound() {
        let w = work(1, &[(0, 10.0, true), (1, 0.0, false), (2, 9.0, true)]);
        let b = Bound::of(&w, |i| w.jobs[i].estimate_ms);
        assert_eq!(b.ms(), 19.0);
        assert_eq!(b.limited_by(), "the caller lines");
    }
}
