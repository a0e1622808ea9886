//! The segmenter: crossings of the band become pending edges, decided as steps or drifts;
//! accepted edges close runs, glitches and unconfirmed spikes are merged away (module docs,
//! steps 4 and 5).

use super::labels::Labels;
use super::{
    Stream, CONFIRM_VALUES, JUMP_SHARE, JUMP_SIGMAS, LEVEL_MIN_SAMPLES, LEVEL_WEIGHT, SHARPNESS,
};
use crate::observe::levels::Band;
use crate::observe::runs::{RunStats, SampleBlock};
use crate::observe::Polarity;

/// An edge crossed but not yet decided.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pending {
    rising: bool,
    pub(super) edge_ms: f64,
    slack_ms: f64,
    /// The signal before the step began.
    pre_v: f32,
    /// How far it has gone since, in the edge's direction.
    extreme: f32,
    decide_at_ms: f64,
    contrast: f32,
    /// The samples since the crossing: the new run's if the edge is accepted.
    tail: RunStats,
    /// Opened by a jump, not by crossing the band.
    jump: bool,
}

impl Stream {
    /// One sample through the segmenter.
    pub(super) fn step(&mut self, s: &SampleBlock, v: f32, prev_t: f64, band: Option<Band>) {
        // (A change within the open run counts a sample late: see `MeanChange`.)
        let last_change = self.uncounted_change.take();
        // A long gap (one that could hide a run) past the time the edge was to be
        // decided: it is judged
        // on the samples before the gap (those after it may show the light's next state).
        let long_gap = self.box_ms().max(self.settings.max_gap_ms - self.box_ms());
        if self.pending.is_some_and(|p| {
            prev_t < p.decide_at_ms
                && s.mean.t_ms > p.decide_at_ms
                && s.mean.t_ms - prev_t > long_gap
        }) {
            self.decide();
        }
        let dark_at = self.dark_at();
        if let Some(p) = &mut self.pending {
            p.tail.add(s, v, dark_at);
            p.extreme = if p.rising {
                p.extreme.max(v)
            } else {
                p.extreme.min(v)
            };
            // Back across the band, or a jump back past its own middle.
            let back = if p.jump {
                (v > 0.5 * (p.pre_v + p.extreme)) != p.rising
            } else {
                band.is_some_and(|b| if p.rising { v < b.off } else { v > b.on })
            };
            if s.mean.t_ms >= p.decide_at_ms || back {
                self.decide();
            }
            return;
        }
        // A jump the drift's way: the drift was a wander, the jump the change.
        if let Some(b) = self.drift.is_some().then(|| self.jumped(v)).flatten() {
            let d = self.drift.take().expect("checked");
            self.open.absorb(&d.tail);
            self.pending = Some(self.jump(s, v, prev_t, &b));
            return;
        }
        if let Some(d) = &mut self.drift {
            // The signal went to the other side without a step: it comes back to the
            // light's side (a step back proves it had changed), or stays long enough to
            // be believed.
            d.tail.add(s, v, dark_at);
            let returned = band.filter(|b| if self.lit { v > b.on } else { v < b.off });
            if let Some(b) = returned {
                self.pending = Some(self.crossing(s, v, prev_t, self.lit, &b));
            } else if s.mean.t_ms - d.edge_ms > self.settings.drift_limit_ms {
                // Long enough to be a change if it sits clearly on the other side (its
                // mean past the band's middle); a wander about a threshold is none.
                let d = self.drift.take().expect("checked");
                let middle = band.map(|b| b.lo + 0.5 * b.contrast);
                let level = d.tail.level_mean();
                let changed = match (middle, level) {
                    (Some(m), Some(l)) => (l > m) == d.rising,
                    _ => false,
                };
                if changed {
                    self.accept(d);
                } else {
                    self.open.absorb(&d.tail);
                }
            }
            return;
        }
        // A run opened by a jump may sit across the band (a wander carried both levels):
        // only a crossing from its own side, or another jump, ends it.
        let prev_v = self.prev_v;
        let lit = self.lit;
        let from_jump = self.jump_middle.is_some();
        let crossed = band.filter(|b| {
            (if lit { v < b.off } else { v > b.on })
                && (!from_jump || if lit { prev_v >= b.off } else { prev_v <= b.on })
        });
        if let Some(b) = crossed.is_none().then(|| self.jumped(v)).flatten() {
            self.pending = Some(self.jump(s, v, prev_t, &b));
            return;
        }
        let Some(b) = crossed else {
            if let Some(change) = last_change {
                let state = usize::from(self.lit);
                // (The noise's σ is worked out: only where it can matter.)
                let least = if self.run_changes[state].clips(change) {
                    self.sigma()
                } else {
                    0.0
                };
                self.run_changes[state].push(change, least);
            }
            if self.open.samples >= 1 {
                self.uncounted_change = Some(v - prev_v);
            }
            self.open.add(s, v, dark_at);
            self.settle(s.mean.t_ms, v);
            self.confirm(band);
            if self.lit {
                self.label(s, v);
            }
            return;
        };
        self.pending = Some(self.crossing(s, v, prev_t, !self.lit, &b));
    }

    /// A run that began at an edge must settle clearly on its side of the band's middle;
    /// one that does not was a spike the edge test took for a step (noise that happened to
    /// be sharp), and is merged back into the run before it.
    fn confirm(&mut self, band: Option<Band>) {
        if self.confirmed || !self.open.edged || self.open.settled_count() < CONFIRM_VALUES {
            return;
        }
        let (Some(b), Some(level)) = (band, self.open.plateau()) else {
            return;
        };
        self.confirmed = true;
        let middle = self.jump_middle.unwrap_or(b.lo + 0.5 * b.contrast);
        if (level > middle) == self.open.lit {
            return;
        }
        self.merge_back(None);
    }

    /// The open run (and `tail`, samples after it) was no change of state: merge it into
    /// the run before it, which goes on (confirmed: it was one already).
    fn merge_back(&mut self, tail: Option<&RunStats>) {
        let Some(mut prev) = self.runs.pop_back() else {
            return;
        };
        prev.absorb(&self.open);
        if let Some(t) = tail {
            prev.absorb(t);
        }
        self.lit = prev.lit;
        self.open = prev;
        self.jump_middle = None;
        self.confirmed = true;
        self.labels = Labels::default();
        self.settled.clear();
        self.lagged.clear();
        self.unsettled.clear();
    }

    /// Count a value towards the open run's level once it is off both edges' ramps: a
    /// box (and the sample that straddled the edge) after the run began, and a box before
    /// any crossing that ends it (values wait in `unsettled` until then).
    fn settle(&mut self, t_ms: f64, v: f32) {
        let guard = self.box_ms() + 1.5 * self.dt_ms;
        if t_ms >= self.open.start_ms + guard - self.dt_ms {
            self.unsettled.push_back((t_ms, v));
        }
        while let Some(&(t, v)) = self.unsettled.front() {
            if t > t_ms - guard && self.unsettled.len() <= 256 {
                break;
            }
            self.open.add_settled(v, self.least_swing);
            self.unsettled.pop_front();
            self.pair_lagged(t, v);
            // The settled signal's own scale of change, between values a box apart
            // (independent boxes): what noise and flicker do to the judged signal.
            self.settled.push_back((t, v));
            let lag_ms = self.box_ms().max(self.dt_ms);
            while self.settled.len() > 2 && self.settled[1].0 <= t - lag_ms
                || self.settled.len() > 1024
            {
                self.settled.pop_front();
            }
            if let Some(&(_, v0)) = self.settled.front().filter(|&&(t0, _)| t0 <= t - lag_ms) {
                // Only an unlit run between edges is known to be dark (before the first
                // edge the level may be anything, a blink included).
                if !self.open.lit && self.open.edged && self.open_could_be_the_dark() {
                    self.dark_signal_noise.push(v - v0);
                }
            }
        }
    }

    /// Pair the open run's settled value `v` at `t` with its own nearest to
    /// [`Settings::lag_ms`](super::Settings::lag_ms) and twice that before
    /// ([`LagWindow::pair`](super::lags::LagWindow::pair)). (Judged unsmoothed only, see
    /// `judge::shows_a_missed_blink`: smoothed, it is not worked out.)
    fn pair_lagged(&mut self, t: f64, v: f32) {
        let lag = self.settings.lag_ms;
        if lag <= 0.0 || self.box_ms() > 0.0 {
            return;
        }
        let [half, whole] = self.lagged.pair(t, v, lag);
        for (whole_period, pair) in [(false, half), (true, whole)] {
            if let Some((lag_ms, earlier)) = pair {
                self.open.add_lagged_pair(whole_period, lag_ms, earlier, v);
            }
        }
    }

    /// A crossing of the band at sample `s`: an edge to decide.
    fn crossing(&self, s: &SampleBlock, v: f32, prev_t: f64, rising: bool, b: &Band) -> Pending {
        let (edge_ms, slack_ms) = self.edge_at(s.mean.t_ms, prev_t, v, rising, b);
        let mut tail = RunStats::open(rising, true, edge_ms, slack_ms);
        tail.add(s, v, self.dark_at());
        let box_ms = self.box_ms();
        // How far the signal was on the old side just before: the plateau of a real step,
        // the peak of a short pulse, but only the slope's top of a slow drift. Raw samples
        // integrate a window: the one before the crossing may straddle the edge, so the
        // one before that is always looked at, however late jitter or a lost sample made
        // it.
        let pre_gap = box_ms + 2.5 * self.dt_ms;
        let recent = self
            .history
            .iter()
            .rev()
            .enumerate()
            .take_while(|&(i, &(t, _))| i < 2 || t >= s.mean.t_ms - pre_gap)
            .map(|(_, &(_, v))| v);
        let pre_v = if rising {
            recent.fold(self.prev_v, f32::min)
        } else {
            recent.fold(self.prev_v, f32::max)
        };
        Pending {
            rising,
            edge_ms,
            slack_ms,
            pre_v,
            extreme: v,
            decide_at_ms: s.mean.t_ms + box_ms + 1.5 * self.dt_ms,
            contrast: b.contrast,
            tail,
            jump: false,
        }
    }

    /// A jump at sample `s`: an edge to decide, as a crossing is.
    fn jump(&self, s: &SampleBlock, v: f32, prev_t: f64, b: &Band) -> Pending {
        Pending {
            jump: true,
            ..self.crossing(s, v, prev_t, !self.lit, b)
        }
    }

    /// The band, if `v` jumps from the last two values towards the other state (module
    /// docs, step 4), once both states' changes within runs are known.
    fn jumped(&self, v: f32) -> Option<Band> {
        // (By the sampling period too, not only the typical interval, which a stall may
        // lengthen past the box's bound for a while.)
        if self.box_ms() > 0.0
            || super::signal::box_ms(self.period_ms) > 0.0
            || self.history.len() < 2
            || self.settings.calibration.polarity != Polarity::Emissive
        {
            return None;
        }
        let [unlit, lit] = &self.run_changes;
        if !(unlit.settled() && lit.settled()) {
            return None;
        }
        // (The newest in the history is the previous sample.)
        let (a, b) = (self.history[self.history.len() - 2].1, self.prev_v);
        let step = if self.lit { a.max(b) - v } else { v - a.min(b) };
        // (The stored figures first: the noise's is worked out.)
        let changes = unlit.sigma().max(lit.sigma());
        if step < JUMP_SIGMAS * changes || step < JUMP_SIGMAS * self.sigma() {
            return None;
        }
        self.band().filter(|b| step >= JUMP_SHARE * b.contrast)
    }

    /// Where the light turned on (`rising`) or off, between the previous sample and this
    /// one (see the module docs), and how uncertain that is.
    fn edge_at(&self, t_ms: f64, prev_t: f64, v: f32, rising: bool, b: &Band) -> (f64, f64) {
        if self.settings.calibration.polarity == Polarity::Reflective {
            if let Some(at) = self.halfway(t_ms, v, rising, b) {
                return at;
            }
        }
        let box_ms = self.box_ms();
        let (f_cur, f_prev) = (b.share(v), b.share(self.prev_v));
        let w = self.dt_ms;
        // Raw samples further apart than a window leave a span no window saw: where the
        // samples either side show no edge (the lit one wholly lit, the dark one dark), it
        // is in that span, at its middle; where one shows part of it, in that one's
        // window. Both shares at once weigh how far across the span it is placed.
        let unseen = (t_ms - prev_t - w).max(0.0) * 0.5 * (f_prev + f_cur);
        let at = if box_ms > 0.0 {
            if rising {
                t_ms - f_cur * box_ms
            } else {
                t_ms - (1.0 - f_cur) * box_ms
            }
        } else if rising {
            t_ms - w * (f_cur + f_prev) - unseen
        } else {
            prev_t - w + w * (f_prev + f_cur) + unseen
        };
        let lo = self.open.start_ms.max(prev_t - w - box_ms);
        if t_ms - prev_t > self.settings.max_gap_ms {
            // The edge is somewhere in a gap that could hide a run: its middle, give or
            // take half of it.
            let mid = 0.5 * (prev_t + t_ms);
            return (mid.max(lo), 0.5 * (t_ms - prev_t));
        }
        (at.clamp(lo, t_ms.max(lo)), 0.5 * (t_ms - prev_t))
    }

    /// Where the signal crossed halfway between the levels on its way to this sample, and
    /// how uncertain that is (half the interval around it), if the samples kept show it.
    ///
    /// A reflective indicator's edges are placed so. An LCD segment is no LED: its liquid
    /// crystal takes milliseconds to tens of milliseconds to turn, and darkens (driven)
    /// faster than it clears (relaxing). The band's thresholds sit at different heights
    /// for the two directions (hysteresis), so a slow clearing crosses its own late, and
    /// each lit run would be read long by most of a clearing time. Halfway, both ramps are
    /// cut at the same point of the contrast: a run is read long only by the difference
    /// of the two ramps' halfway times. (A step the window integrates is cut halfway too:
    /// both edges move alike and durations stay unbiased.) Where the turn-off threshold
    /// sits above halfway (a faint LCD, whose floor is most of its contrast), a falling
    /// edge is not yet past halfway at its crossing and is placed by the window rule,
    /// which puts a step half a box earlier than halfway does: such lit runs read short by
    /// up to half a box, well within every cadence's tolerance. (Taking that half box off
    /// every halfway edge too was tried: it turned a faint LCD's abstention into "off".)
    fn halfway(&self, t_ms: f64, v: f32, rising: bool, b: &Band) -> Option<(f64, f64)> {
        let mid = b.lo + 0.5 * b.contrast;
        let past = |x: f32| if rising { x >= mid } else { x <= mid };
        let mut newer = (t_ms, v);
        for &older in self.history.iter().rev() {
            if older.0 < self.open.start_ms || newer.0 - older.0 > self.settings.max_gap_ms {
                return None;
            }
            if !past(older.1) {
                if !past(newer.1) {
                    return None;
                }
                let share = f64::from((mid - older.1) / (newer.1 - older.1));
                let at = older.0 + share.clamp(0.0, 1.0) * (newer.0 - older.0);
                return Some((at, 0.5 * (newer.0 - older.0)));
            }
            newer = older;
        }
        None
    }

    /// Decide the pending edge: a step, or a drift (see the module docs).
    fn decide(&mut self) {
        let Some(mut p) = self.pending.take() else {
            return;
        };
        let moved = if p.rising {
            p.extreme - p.pre_v
        } else {
            p.pre_v - p.extreme
        };
        let sharp = moved >= SHARPNESS * p.contrast;
        let middle = self.band().map(|b| b.lo + 0.5 * b.contrast);
        let never_crossed_middle = match (middle, self.open.level_mean()) {
            (Some(m), Some(l)) => (l > m) != self.open.lit,
            _ => false,
        };
        let back_from_unconfirmed = !self.confirmed
            && self.open.edged
            && never_crossed_middle
            && self.runs.back().is_some_and(|r| r.lit == p.rising);
        p.tail.stepped = sharp;
        match self.drift.take() {
            None if sharp => self.accept(p),
            // Back to the old state, gradually, before the new one settled: the edge that
            // began it was a sharp spike of noise, not a step.
            None if back_from_unconfirmed => self.merge_back(Some(&p.tail)),
            None => self.drift = Some(p),
            // A step back from a drift: the drift was a change after all.
            Some(d) if sharp => {
                self.accept(d);
                self.accept(p);
            }
            Some(d) => {
                self.open.absorb(&d.tail);
                self.open.absorb(&p.tail);
            }
        }
    }

    /// The light changed state at `p`'s edge: close the open run (or merge it away as a
    /// glitch) and go on with the samples since.
    fn accept(&mut self, p: Pending) {
        self.confirmed = false;
        self.unsettled.clear();
        self.settled.clear();
        self.lagged.clear();
        let mut closed = self.open;
        closed.end_ms = p.edge_ms.max(closed.start_ms);
        closed.end_slack_ms = p.slack_ms;
        let glitch = closed.edged
            && (closed.duration_ms() < self.settings.glitch_ms || closed.samples < 2)
            && self.runs.back().is_some_and(|r| r.lit == p.rising);
        self.labels = Labels::default();
        if glitch {
            let mut prev = self.runs.pop_back().expect("checked");
            prev.absorb(&closed);
            prev.absorb(&p.tail);
            self.open = prev;
            self.jump_middle = None;
        } else {
            // Only a run with an edge at both ends shows one level (the first may mix);
            // each moves the level a share of the way, so one odd run cannot unsettle it.
            // A run teaches its state's level only if it sat clearly in that state (runs
            // cut from noise around a threshold would otherwise confirm that threshold).
            let band = self.band();
            let clear = |level: f32| {
                band.is_some_and(|b| {
                    if closed.lit {
                        level >= b.on
                    } else {
                        level <= b.off
                    }
                })
            };
            let level = closed.plateau().filter(|&l| {
                closed.samples >= LEVEL_MIN_SAMPLES
                    && closed.edged
                    && clear(l)
                    && (closed.lit || self.could_be_the_dark(&closed))
            });
            if let Some(level) = level {
                let slot = if closed.lit {
                    &mut self.hi_level
                } else {
                    &mut self.lo_level
                };
                *slot = Some(slot.map_or(level, |old| old + LEVEL_WEIGHT * (level - old)));
            }
            if !closed.lit && closed.edged {
                let m = closed.mean();
                self.note_unlit_rgb([m[0], m[1], m[2]], closed.samples);
            }
            self.runs.push_back(closed);
            self.open = p.tail;
            self.jump_middle = p.jump.then_some(0.5 * (p.pre_v + p.extreme));
        }
        self.lit = p.rising;
    }
}
