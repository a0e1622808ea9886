//! Gaps in a run's samples long enough to hide a short run of the other state (a bus
//! stall, lost samples): where each ended and how long it was.
//!
//! A run keeps its latest [`GAPS_KEPT`] (enough for one settle time on any bench that can
//! judge a light at all) and how many it had in all ([`Gaps`]). The cadence matcher asks
//! two things of those in view ([`GapsInView`]): how many and how long (could they hide
//! as many runs as a blink shows), and how long the light was sampled without one (a
//! blink shows a run of each state in every period, so a stretch seen whole for longer
//! than a period would have shown one).

/// A run remembers this many of its latest gaps.
const GAPS_KEPT: usize = 16;

/// A run's latest gaps (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gaps {
    /// (end, length) in ms, a ring filled in time order.
    ring: [(f64, f64); GAPS_KEPT],
    /// How many were noted in all.
    noted: u32,
    /// Where the newest gap the ring dropped ended (−∞: none dropped).
    lost_until_ms: f64,
}

impl Default for Gaps {
    fn default() -> Self {
        Self {
            ring: [(f64::NEG_INFINITY, 0.0); GAPS_KEPT],
            noted: 0,
            lost_until_ms: f64::NEG_INFINITY,
        }
    }
}

impl Gaps {
    /// A gap of `gap_ms` ending at `end_ms` (gaps are noted in time order).
    pub(crate) fn note(&mut self, end_ms: f64, gap_ms: f64) {
        let slot = &mut self.ring[self.noted as usize % GAPS_KEPT];
        self.lost_until_ms = self.lost_until_ms.max(slot.0);
        *slot = (end_ms, gap_ms);
        self.noted = self.noted.saturating_add(1);
    }

    /// The kept gaps, oldest first (the ring, read from its oldest slot round).
    fn kept(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let count = (self.noted as usize).min(GAPS_KEPT);
        let start = if count < GAPS_KEPT {
            0
        } else {
            self.noted as usize % GAPS_KEPT
        };
        (0..count).map(move |i| self.ring[(start + i) % GAPS_KEPT])
    }

    /// Add the gaps of the samples after these (the same run continued).
    pub(crate) fn absorb(&mut self, later: &Gaps) {
        self.lost_until_ms = self.lost_until_ms.max(later.lost_until_ms);
        for (end, len) in later.kept() {
            self.note(end, len);
        }
    }

    /// The gaps that ended after `from_ms`, for samples seen from then to `to_ms`.
    pub(crate) fn in_view(&self, from_ms: f64, to_ms: f64) -> GapsInView {
        let span = (to_ms - from_ms).max(0.0);
        // Most runs have none (asked of every run at every reading).
        if self.noted == 0 {
            return GapsInView::whole(span);
        }
        // Gaps the ring dropped are older than all it holds: up to the newest of them,
        // nothing is known of how long the light was seen whole.
        let dropped = self.lost_until_ms > from_ms;
        let mut view = GapsInView::default();
        let mut seen_from = (!dropped).then_some(from_ms);
        for (end, len) in self.kept().filter(|&(end, _)| end > from_ms) {
            let stretch = seen_from.map_or(0.0, |from| (end - len - from).max(0.0));
            if view.count == 0 {
                view.leading_ms = stretch;
            } else {
                view.widest_ms = view.widest_ms.max(stretch);
            }
            view.count += 1;
            view.longest_ms = view.longest_ms.max(len);
            seen_from = Some(seen_from.map_or(end, |from| from.max(end)));
        }
        if view.count == 0 {
            return GapsInView::whole(span);
        }
        view.trailing_ms = seen_from.map_or(0.0, |from| (to_ms - from).max(0.0));
        view
    }
}

/// A run's gaps over the part of it in view: how many, the longest, and the longest
/// stretches of samples without one (before the first, between two, after the last).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct GapsInView {
    pub(crate) count: u32,
    pub(crate) longest_ms: f64,
    leading_ms: f64,
    widest_ms: f64,
    trailing_ms: f64,
}

impl GapsInView {
    /// No gap: seen whole for all `span_ms`.
    fn whole(span_ms: f64) -> Self {
        Self {
            leading_ms: span_ms,
            widest_ms: span_ms,
            trailing_ms: span_ms,
            ..Self::default()
        }
    }

    /// Whether the samples ran on without a gap for longer than `stretch_ms` somewhere.
    pub(crate) fn seen_whole_for(&self, stretch_ms: f64) -> bool {
        self.leading_ms.max(self.widest_ms).max(self.trailing_ms) > stretch_ms
    }

    /// The same over this run and the one right after it (one state across an edge).
    pub(crate) fn absorb(&mut self, later: &GapsInView) {
        let joined = self.trailing_ms + later.leading_ms;
        *self = match (self.count, later.count) {
            (0, 0) => Self::whole(joined),
            (0, _) => Self {
                leading_ms: joined,
                ..*later
            },
            (_, 0) => Self {
                trailing_ms: joined,
                ..*self
            },
            _ => Self {
                count: self.count + later.count,
                longest_ms: self.longest_ms.max(later.longest_ms),
                leading_ms: self.leading_ms,
                widest_ms: self.widest_ms.max(later.widest_ms).max(joined),
                trailing_ms: later.trailing_ms,
            },
        };
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
        let all = g.in_view(0.0, 1000.0);
        assert_eq!((all.count, all.longest_ms), (3, 45.0));
        let recent = g.in_view(300.0, 1000.0);
        assert_eq!((recent.count, recent.longest_ms), (2, 45.0));
        assert_eq!(g.in_view(800.0, 1000.0).count, 0);
    }

    #[test]
    fn a_stretch_between_gaps_longer_than_asked_is_seen_whole() {
        // Gaps at 70–100, 355–400 and 675–700: stretches 0–70, 100–355, 400–675, 700–1000.
        let g = gaps(&[(100.0, 30.0), (400.0, 45.0), (700.0, 25.0)]);
        assert!(g.in_view(0.0, 1000.0).seen_whole_for(299.0));
        assert!(!g.in_view(0.0, 1000.0).seen_whole_for(300.0));
        assert!(g.in_view(0.0, 700.0).seen_whole_for(250.0));
        assert!(!g.in_view(0.0, 700.0).seen_whole_for(280.0));
        // With no gap at all, the whole span is one stretch.
        assert!(Gaps::default().in_view(0.0, 1000.0).seen_whole_for(999.0));
        assert!(!Gaps::default().in_view(0.0, 1000.0).seen_whole_for(1000.0));
    }

    #[test]
    fn where_dropped_gaps_may_be_nothing_is_claimed() {
        // Twenty gaps 10 ms long every 50 ms: the ring keeps the last 16 (from 250 ms on).
        let list: Vec<(f64, f64)> = (1..=20).map(|i| (f64::from(i) * 50.0, 10.0)).collect();
        let g = gaps(&list);
        // Before 250 ms the ring knows nothing; after 1000 ms the samples ran on whole.
        let all = g.in_view(0.0, 1100.0);
        assert_eq!(all.count, 16);
        assert!(!all.seen_whole_for(200.0));
        assert!(all.seen_whole_for(90.0));
        // From 560 ms on, all the gaps are known: stretches of 40 ms, and 30 at the start.
        assert!(!g.in_view(560.0, 1000.0).seen_whole_for(45.0));
        assert!(g.in_view(560.0, 1000.0).seen_whole_for(35.0));
        // A run without gaps of its own that takes these in still knows what was lost.
        let mut joined = Gaps::default();
        joined.absorb(&g);
        assert!(!joined.in_view(0.0, 1100.0).seen_whole_for(200.0));
    }

    #[test]
    fn runs_joined_join_their_stretches() {
        let mut a = gaps(&[(10.0, 20.0)]).in_view(0.0, 100.0);
        // 10–100 seen whole, then 100–150 with no gap, then a gap 150–160.
        a.absorb(&Gaps::default().in_view(100.0, 150.0));
        a.absorb(&gaps(&[(160.0, 10.0), (190.0, 5.0)]).in_view(150.0, 200.0));
        assert_eq!((a.count, a.longest_ms), (3, 20.0));
        assert!(a.seen_whole_for(139.0));
        assert!(!a.seen_whole_for(140.0));
        // Absorbing into a run without gaps carries its span into the stretch.
        let mut b = Gaps::default().in_view(0.0, 60.0);
        b.absorb(&gaps(&[(100.0, 20.0)]).in_view(60.0, 120.0));
        assert_eq!(b.count, 1);
        assert!(b.seen_whole_for(79.0));
        assert!(!b.seen_whole_for(80.0));
    }
}
