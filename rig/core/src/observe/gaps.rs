//! Gaps in a run's samples long enough to hide a short run of the other state (a bus
//! stall, lost samples): where each ended and how long it was.
//!
//! A run keeps its latest [`GAPS_KEPT`] (enough for one settle time on any bench that can
//! judge a light at all) and how many it had in all. The cadence matcher asks two things
//! of them: how many and how long (could they hide as many runs as a blink shows), and
//! how long the light was sampled without one (a blink shows a run of each state in
//! every period, so a stretch seen whole for longer than a period would have shown one).

/// A run remembers this many of its latest gaps.
const GAPS_KEPT: usize = 16;

/// A run's latest gaps (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gaps {
    /// (end, length) in ms, a ring; unused slots end at −∞.
    ring: [(f64, f64); GAPS_KEPT],
    /// How many were noted in all.
    noted: u32,
    /// Whether gaps older than the ring's (dropped from it) may belong to this view.
    older_unknown: bool,
}

impl Default for Gaps {
    fn default() -> Self {
        Self {
            ring: [(f64::NEG_INFINITY, 0.0); GAPS_KEPT],
            noted: 0,
            older_unknown: false,
        }
    }
}

impl Gaps {
    /// A gap of `gap_ms` ending at `end_ms` (gaps are noted in time order).
    pub(crate) fn note(&mut self, end_ms: f64, gap_ms: f64) {
        self.ring[self.noted as usize % GAPS_KEPT] = (end_ms, gap_ms);
        self.noted = self.noted.saturating_add(1);
    }

    /// The kept gaps, oldest first.
    fn kept(&self) -> impl Iterator<Item = (f64, f64)> {
        let mut kept = self.ring;
        kept.sort_by(|a, b| a.0.total_cmp(&b.0));
        kept.into_iter().filter(|g| g.0.is_finite())
    }

    /// Add the gaps of the samples after these (the same run continued).
    pub(crate) fn absorb(&mut self, later: &Gaps) {
        if later.noted == 0 {
            return;
        }
        self.older_unknown |= later.older_unknown;
        for (end, len) in later.kept() {
            self.note(end, len);
        }
    }

    /// The gaps that ended at or after `since_ms`.
    pub(crate) fn since(&self, since_ms: f64) -> Gaps {
        // Most runs have none: skip the ring (asked of every run at every reading).
        if self.noted == 0 {
            return *self;
        }
        let mut view = Gaps {
            // Gaps the ring dropped are older than all it holds: they may be in view only
            // if all it holds are.
            older_unknown: self.older_unknown
                || self.noted as usize > GAPS_KEPT && self.kept().all(|(end, _)| end >= since_ms),
            ..Gaps::default()
        };
        for (end, len) in self.kept().filter(|&(end, _)| end >= since_ms) {
            view.note(end, len);
        }
        view
    }

    /// How many are known.
    pub(crate) fn count(&self) -> u32 {
        self.noted.min(GAPS_KEPT as u32)
    }

    /// The longest (0 without any).
    pub(crate) fn longest_ms(&self) -> f64 {
        self.kept().map(|(_, len)| len).fold(0.0, f64::max)
    }

    /// Whether the samples between `from_ms` and `to_ms` ran on without a gap for longer
    /// than `stretch_ms` somewhere (where gaps dropped from the ring may be, nothing is
    /// claimed).
    pub(crate) fn seen_whole_for(&self, stretch_ms: f64, from_ms: f64, to_ms: f64) -> bool {
        let mut seen_from = (!self.older_unknown).then_some(from_ms);
        for (end, len) in self.kept().filter(|&(end, _)| end > from_ms) {
            if seen_from.is_some_and(|from| end - len - from > stretch_ms) {
                return true;
            }
            seen_from = Some(seen_from.map_or(end, |from| from.max(end)));
        }
        seen_from.is_some_and(|from| to_ms - from > stretch_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaps(list: &[(f64, f64)]) -> Gaps {
        let mut g = Gaps::default();
        for &(end, len) in list {
            g.note(end, len);
        }
        g
    }

    #[test]
    fn counts_and_longest_are_of_the_gaps_in_view() {
        let g = gaps(&[(100.0, 30.0), (400.0, 45.0), (700.0, 25.0)]);
        assert_eq!((g.count(), g.longest_ms()), (3, 45.0));
        let recent = g.since(300.0);
        assert_eq!((recent.count(), recent.longest_ms()), (2, 45.0));
        assert_eq!(g.since(800.0).count(), 0);
    }

    #[test]
    fn a_stretch_between_gaps_longer_than_asked_is_seen_whole() {
        // Gaps at 70–100, 355–400 and 675–700: stretches 0–70, 100–355, 400–675, 700–1000.
        let g = gaps(&[(100.0, 30.0), (400.0, 45.0), (700.0, 25.0)]);
        assert!(g.seen_whole_for(299.0, 0.0, 1000.0));
        assert!(!g.seen_whole_for(300.0, 0.0, 1000.0));
        assert!(g.seen_whole_for(250.0, 0.0, 700.0));
        assert!(!g.seen_whole_for(280.0, 0.0, 700.0));
        // With no gap at all, the whole span is one stretch.
        assert!(Gaps::default().seen_whole_for(999.0, 0.0, 1000.0));
        assert!(!Gaps::default().seen_whole_for(1000.0, 0.0, 1000.0));
    }

    #[test]
    fn where_dropped_gaps_may_be_nothing_is_claimed() {
        // Twenty gaps 10 ms long every 50 ms: the ring keeps the last 16 (from 250 ms on).
        let list: Vec<(f64, f64)> = (1..=20).map(|i| (f64::from(i) * 50.0, 10.0)).collect();
        let g = gaps(&list);
        assert_eq!(g.count(), 16);
        // Before 250 ms the ring knows nothing; after 1000 ms the samples ran on whole.
        let view = g.since(0.0);
        assert!(!view.seen_whole_for(200.0, 0.0, 1100.0));
        assert!(view.seen_whole_for(90.0, 0.0, 1100.0));
        // A view of only what the ring holds knows its start.
        assert!(!g.since(600.0).seen_whole_for(45.0, 560.0, 1000.0));
        assert!(g.since(600.0).seen_whole_for(35.0, 600.0, 1000.0));
    }

    #[test]
    fn absorbing_keeps_the_latest_in_time_order() {
        let mut a = gaps(&[(10.0, 20.0)]);
        a.absorb(&gaps(&[(60.0, 25.0), (90.0, 22.0)]));
        assert_eq!((a.count(), a.longest_ms()), (3, 25.0));
        assert!(a.seen_whole_for(60.0, 0.0, 200.0));
        assert!(!a.seen_whole_for(110.0, 0.0, 200.0));
    }
}
