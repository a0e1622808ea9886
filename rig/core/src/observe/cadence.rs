//! Cadence: the trailing runs matched against the cadence table, with evidence rules.
//!
//! The question is always "what does the light show at the END of the window", so every
//! judgement walks the runs backwards from the last one and stops at the first run that
//! does not fit: whatever the light did before a change is never mixed into the answer.
//!
//! - Steady (or off): the last run has lasted `steady_settle_ms` (≥ 1.2 × the slowest
//!   period, so no blink can hide in it).
//! - A blinking cadence: a chain of alternating runs, each within the row's tolerance of
//!   its on/off time (plus the edges' sampling slack), the runs' means within tolerance
//!   too (strict: averaging removes the sampling error), at least one complete lit and one
//!   complete unlit run, the last (ongoing) run not yet longer than allowed, and the chain
//!   spanning 1.5 periods. The window's first run started before the window: it counts
//!   when it is no longer than allowed (a trace may start mid-period).
//! - A grouped cadence (broken flutter): runs are first merged into bursts (separated by
//!   gaps longer than the geometric mean of the inner off time and the group off time);
//!   a burst is regular when its inner runs fit; bursts and gaps are then matched like a
//!   simple blink against what the group on/off times show: a burst ends with its last lit
//!   run, so 500 ms of flutter then 500 ms off measure 450 ms lit and 550 ms dark, or up to
//!   500 and 500 where the group's gate cuts a pulse (its timer apart from the pulses').
//! - A cadence whose runs can also be the inside of a grouped cadence (flutter inside
//!   broken flutter) needs a chain longer than the longest allowed burst: otherwise the
//!   first burst of a broken flutter would be reported as flutter.
//! - A reflective indicator's runs read longer or shorter than its driver held them, all
//!   alike: an LCD segment reaches halfway sooner one way than the other. Its runs and
//!   their mean on share are allowed [`LCD_SKEW_MS`] beside the row's tolerances; its
//!   period, which the skew does not move, is not.
//! - A regular blink (2+ lit and 2+ unlit runs within 25% of each other, over 1.5 of its
//!   periods) that fits no row is `NoCadenceFits`; one that fits a row is only waiting for
//!   evidence.

use crate::spec::{Cadence, CadenceTable, Colour, Indication};

use super::runs::Run;
use super::{Observation, Polarity, Reading};

/// Evidence for a blink: this many periods of consistent edges.
const EVIDENCE_PERIODS: f64 = 1.5;
/// A blink's on share may be this far (absolute) from its row's: wink's 0.8 and the
/// half-on cadences' 0.5 stay apart.
const DUTY_TOLERANCE: f64 = 0.1;
/// The longest timer tick a phone's firmware toggles an LED on (ms)...
const FIRMWARE_TICK_MS: f64 = 20.0;
/// ...and what placing a blink's edges adds to its mean on share.
const SHARE_PLACING: f64 = 0.03;
/// A regular blink's runs are within this fraction of each other.
const REGULAR_TOLERANCE: f64 = 0.25;
/// A gap in the samples longer than this fraction of the shortest run voids the evidence
/// before it: the gap could hide a whole run (a wink's 50 ms off).
const MAX_GAP_FRACTION: f64 = 0.8;
/// A reflective indicator's runs may read this much (ms) longer or shorter than its
/// driver held them. An LCD segment's liquid crystal turns in 5–40 ms (10–90%), driven
/// when it darkens and relaxing when it clears, so the two ramps reach halfway (where
/// its edges are placed) at different times: every dark run reads long or short by the
/// difference, the same in every period, which averaging over runs does not remove. Its
/// driver's duty is known only give or take that much; its period is not moved.
const LCD_SKEW_MS: f64 = 25.0;

/// What the cadence table says, precomputed for matching.
#[derive(Debug, Clone)]
pub(super) struct Model {
    settle_ms: f64,
    slowest_period_ms: f64,
    fastest_half_period_ms: f64,
    glitch_ms: f64,
    shortest_on_ms: f64,
    max_gap_ms: f64,
    blinks: Vec<Blink>,
}

/// One blinking row of the table.
#[derive(Debug, Clone)]
struct Blink {
    cadence: Cadence,
    /// Lit and unlit run lengths (the inner runs of a grouped cadence).
    on_ms: f64,
    off_ms: f64,
    group: Option<Group>,
    tolerance: f64,
    evidence_ms: f64,
    /// A chain must also outlast this (flutter: the longest burst of broken flutter).
    outlast_ms: f64,
    /// The inner runs' expected times, for an indicator of its skew.
    inner: Expect,
    /// The times this row is matched with (see [`Blink::outer_expect`]).
    outer: Expect,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    on_ms: f64,
    /// What a burst and the gap after it measure: a burst ends with its last lit run, so
    /// its last inner off time belongs to the gap (broken flutter: 450 ms and 550 ms).
    burst_ms: f64,
    gap_ms: f64,
    /// An unlit run at least this long separates bursts.
    split_ms: f64,
}

impl Blink {
    fn from_row(row: &crate::spec::CadenceSpec, skew_ms: f64) -> Option<Blink> {
        if row.cadence == Cadence::Steady {
            return None;
        }
        let tolerance = row.tolerance_pct / 100.0;
        let group = match (row.group_on_ms, row.group_off_ms) {
            (Some(on_ms), Some(off_ms)) => Some((on_ms, off_ms)),
            _ => None,
        };
        // A grouped row without inner times is matched as a simple blink of its groups.
        let (on_ms, off_ms) = match (row.on_ms, row.off_ms) {
            (Some(on), Some(off)) => (on, off),
            _ => group?,
        };
        let group = group
            .filter(|_| row.on_ms.is_some() && row.off_ms.is_some())
            .map(|(g_on, g_off)| {
                let inner = on_ms + off_ms;
                let last_start = ((g_on / inner) * (1.0 - 1e-9)).floor() * inner;
                let burst_ms = (last_start + on_ms).min(g_on);
                Group {
                    on_ms: g_on,
                    burst_ms,
                    gap_ms: g_on + g_off - burst_ms,
                    split_ms: (off_ms * g_off).sqrt(),
                }
            });
        let period = row.period_ms()?;
        let inner = Expect::new(on_ms, off_ms, tolerance, DUTY_TOLERANCE, skew_ms);
        Some(Blink {
            cadence: row.cadence,
            on_ms,
            off_ms,
            group,
            tolerance,
            evidence_ms: EVIDENCE_PERIODS * period,
            outlast_ms: 0.0,
            inner,
            outer: Self::outer_expect(group, inner),
        })
    }

    /// The on/off times a row is matched with: its inner ones, or the bursts' and gaps'
    /// for a grouped row (with the inner ones' tolerance and skew). A burst ends with its
    /// last lit run: with the pulses begun at the group's start, the last whole pulse's
    /// end (`burst_ms`); with a group timer apart from the pulse timer, anywhere up to
    /// the group's end, where the gate cuts a pulse, or a whole inner period before
    /// `burst_ms`, where the gate cut the last pulse to a sliver the segmenter merged away
    /// (a group a little shorter than its pulses: 489 ms of 108 ms pulses holds four and
    /// a 5 ms sliver). Its expected share is the middle of the shortest and the longest,
    /// give or take half the span between them besides the blink's own duty tolerance.
    fn outer_expect(group: Option<Group>, inner: Expect) -> Expect {
        match group {
            Some(g) => {
                let period = g.burst_ms + g.gap_ms;
                let shortest = (g.burst_ms - inner.period()).max(inner.on_ms);
                let burst = 0.5 * (shortest + g.on_ms);
                let slack = 0.5 * (g.on_ms - shortest) / period;
                Expect::new(
                    burst,
                    period - burst,
                    inner.tolerance,
                    DUTY_TOLERANCE + slack,
                    inner.skew_ms,
                )
            }
            None => inner,
        }
    }

    /// Whether measured inner times fit this row.
    fn fits_times(&self, on_ms: f64, off_ms: f64) -> bool {
        self.inner.deviation(on_ms, off_ms) <= 1.0
    }

    /// Whether a run of this simple row could also be the inside of `grouped`'s bursts.
    fn overlaps_inside_of(&self, grouped: &Blink) -> bool {
        let overlap = |a: f64, ta: f64, b: f64, tb: f64| {
            a * (1.0 - ta) <= b * (1.0 + tb) && b * (1.0 - tb) <= a * (1.0 + ta)
        };
        self.group.is_none()
            && grouped.group.is_some()
            && overlap(self.on_ms, self.tolerance, grouped.on_ms, grouped.tolerance)
            && overlap(
                self.off_ms,
                self.tolerance,
                grouped.off_ms,
                grouped.tolerance,
            )
    }
}

impl Model {
    /// The table, matched against a light of `polarity` (a reflective indicator's runs are
    /// allowed its skew: [`LCD_SKEW_MS`]).
    pub(crate) fn new(table: &CadenceTable, polarity: Polarity) -> Model {
        let skew_ms = match polarity {
            Polarity::Emissive => 0.0,
            Polarity::Reflective => LCD_SKEW_MS,
        };
        let mut blinks: Vec<Blink> = table
            .rows
            .iter()
            .filter_map(|row| Blink::from_row(row, skew_ms))
            .collect();
        // Flutter inside broken flutter: outlast the longest burst before saying flutter.
        let longest_burst: Vec<(usize, f64)> = blinks
            .iter()
            .enumerate()
            .flat_map(|(i, b)| {
                blinks.iter().filter_map(move |g| {
                    let group = g.group?;
                    b.overlaps_inside_of(g).then(|| {
                        let burst = group.on_ms * (1.0 + g.tolerance);
                        (i, burst + b.off_ms * (1.0 + b.tolerance))
                    })
                })
            })
            .collect();
        for (i, ms) in longest_burst {
            blinks[i].evidence_ms = blinks[i].evidence_ms.max(ms);
            blinks[i].outlast_ms = ms;
        }
        let shortest_nominal = blinks
            .iter()
            .map(|b| b.on_ms.min(b.off_ms))
            .fold(f64::INFINITY, f64::min);
        let shortest_allowed = blinks
            .iter()
            .map(|b| b.on_ms.min(b.off_ms) * (1.0 - b.tolerance))
            .fold(f64::INFINITY, f64::min);
        Model {
            settle_ms: table.steady_settle_ms(),
            slowest_period_ms: table.slowest_period_ms(),
            fastest_half_period_ms: finite_or(
                blinks
                    .iter()
                    .map(|b| 0.5 * (b.on_ms + b.off_ms))
                    .fold(f64::INFINITY, f64::min),
                0.0,
            ),
            glitch_ms: finite_or(0.5 * shortest_allowed, 0.0),
            shortest_on_ms: finite_or(
                blinks
                    .iter()
                    .map(|b| b.on_ms * (1.0 - b.tolerance))
                    .fold(f64::INFINITY, f64::min),
                0.0,
            ),
            max_gap_ms: finite_or(MAX_GAP_FRACTION * shortest_nominal, f64::INFINITY),
            blinks,
        }
    }

    /// The grouped row whose bursts and gaps `on_ms` and `off_ms` fit, and its inner
    /// period: what a blink of those times is if each of its lit runs is a burst.
    pub(crate) fn grouped_fitting(&self, on_ms: f64, off_ms: f64) -> Option<(Cadence, f64)> {
        self.blinks
            .iter()
            .find(|b| b.group.is_some() && b.outer.deviation(on_ms, off_ms) <= 1.0)
            .map(|b| (b.cadence, b.inner.period()))
    }

    pub(crate) fn settle_ms(&self) -> f64 {
        self.settle_ms
    }

    pub(crate) fn slowest_period_ms(&self) -> f64 {
        self.slowest_period_ms
    }

    /// Half the period of the fastest blink (its inner one, for a grouped row), nominal: 0
    /// for a table without blinks.
    pub(crate) fn fastest_half_period_ms(&self) -> f64 {
        self.fastest_half_period_ms
    }

    /// The shortest on time any blink's clock can show (nominal, at its tolerance).
    pub(crate) fn shortest_on_ms(&self) -> f64 {
        self.shortest_on_ms
    }

    pub(crate) fn glitch_ms(&self) -> f64 {
        self.glitch_ms
    }

    pub(crate) fn max_gap_ms(&self) -> f64 {
        self.max_gap_ms
    }

    /// How long a cadence must be watched before it can be reported.
    #[cfg(test)]
    pub(crate) fn evidence_ms(&self, cadence: Cadence) -> Option<f64> {
        if cadence == Cadence::Steady {
            return Some(self.settle_ms);
        }
        self.blinks
            .iter()
            .find(|b| b.cadence == cadence)
            .map(|b| b.evidence_ms)
    }

    /// What the runs of a window (ending at `t_end`) show at its end.
    pub(crate) fn judge(&self, runs: &[Run], t_end: f64) -> Reading {
        let (runs, t_end) = self.believed(runs, t_end);
        let Some(last) = runs.last() else {
            return Reading::NotEnoughEvidence;
        };
        let held_ms = t_end - last.start_ms;
        if held_ms >= self.settle_ms && !self.gaps_could_hide_a_blink(last, held_ms) {
            return Reading::Seen(self.steady(last, held_ms));
        }
        let best = self
            .blinks
            .iter()
            .filter_map(|b| self.blink(b, runs, t_end))
            .max_by(|a, b| a.window_ms.total_cmp(&b.window_ms));
        if let Some(observation) = best {
            return Reading::Seen(observation);
        }
        self.unfitting_blink(runs, t_end)
            .unwrap_or(Reading::NotEnoughEvidence)
    }

    /// The runs and end time, without the last runs too short to believe yet (each may be
    /// a glitch: the runs stage does not merge glitches at the window's very end, where
    /// what follows is unknown): the window is then judged as ending at their first edge.
    fn believed<'r>(&self, mut runs: &'r [Run], mut t_end: f64) -> (&'r [Run], f64) {
        while let [rest @ .., last] = runs {
            let short = t_end - last.start_ms < self.glitch_ms || last.sample_count() < 2;
            if rest.is_empty() || !short {
                break;
            }
            t_end = last.start_ms;
            runs = rest;
        }
        (runs, t_end)
    }

    /// Whether the gaps in a run's samples could have hidden every short run of some
    /// blink over `held_ms`: each gap can hide one run no longer than itself, and a blink
    /// of period P shows at least `held_ms / P` of each kind of run, one in every P. A
    /// 40 ms stall can hide one wink, never the four a wink shows in a settle time; nor
    /// can four stalls, if the light was seen whole for longer than a wink's period
    /// between two of them.
    fn gaps_could_hide_a_blink(&self, run: &Run, held_ms: f64) -> bool {
        let gaps = &run.gaps;
        gaps.count > 0
            && self.blinks.iter().any(|b| {
                let (on, off) = match b.group {
                    Some(g) => (g.burst_ms, g.gap_ms),
                    None => (b.on_ms, b.off_ms),
                };
                let hidden = if run.lit { off } else { on } * (1.0 - b.tolerance);
                let period = (on + off) * (1.0 + b.tolerance);
                // The gaps counted are those of the last settle time (a light may have
                // begun blinking anywhere before): what it shows there.
                let shown = (held_ms.min(self.settle_ms) / period).floor().max(1.0);
                gaps.longest_ms >= hidden
                    && f64::from(gaps.count) >= shown
                    && !gaps.seen_whole_for(period)
            })
    }

    fn steady(&self, last: &Run, held_ms: f64) -> Observation {
        let colour = if last.lit { last.colour } else { Colour::Off };
        Observation {
            indication: Indication::new(colour, Cadence::Steady),
            period_ms: None,
            on_ms: None,
            off_ms: None,
            confidence: evidence_factor(held_ms, self.settle_ms),
            window_ms: held_ms,
        }
    }

    fn blink(&self, blink: &Blink, runs: &[Run], t_end: f64) -> Option<Observation> {
        let expect = blink.outer;
        let chain = match blink.group {
            None => trailing_chain(runs, t_end, &expect)?,
            Some(group) => {
                let bursts = bursts(runs, t_end, blink, group);
                trailing_chain(&bursts, t_end, &expect)?
            }
        };
        let (on_ms, off_ms) = chain.means()?;
        let deviation = expect.deviation(on_ms, off_ms);
        let window_ms = t_end - chain.start_ms;
        // 1.5 periods as measured (a phone's clock may run fast), and the outlasting rule.
        let needed_ms = (EVIDENCE_PERIODS * (on_ms + off_ms)).max(blink.outlast_ms);
        if deviation > 1.0 || window_ms < needed_ms {
            return None;
        }
        Some(Observation {
            indication: Indication::new(chain.colour, blink.cadence),
            period_ms: Some(on_ms + off_ms),
            on_ms: Some(on_ms),
            off_ms: Some(off_ms),
            confidence: evidence_factor(window_ms, needed_ms) * (1.0 - 0.5 * deviation),
            window_ms,
        })
    }

    /// Whether lit and unlit runs of these mean times fit a row (a grouped row by its
    /// bursts' inside).
    pub(super) fn fits_a_row(&self, on_ms: f64, off_ms: f64) -> bool {
        self.blinks.iter().any(|b| b.fits_times(on_ms, off_ms))
    }

    /// A regular blink that no row fits.
    fn unfitting_blink(&self, runs: &[Run], t_end: f64) -> Option<Reading> {
        // References: the latest complete runs (the first and last runs are open).
        let complete = runs.get(1..runs.len().checked_sub(1)?)?;
        let ref_on = complete.iter().rev().find(|r| r.lit)?.duration_ms();
        let ref_off = complete.iter().rev().find(|r| !r.lit)?.duration_ms();
        let expect = Expect::new(ref_on, ref_off, REGULAR_TOLERANCE, DUTY_TOLERANCE, 0.0);
        let chain = trailing_chain(runs, t_end, &expect)?;
        if chain.on.n < 2 || chain.off.n < 2 {
            return None;
        }
        let (on_ms, off_ms) = chain.means()?;
        let period_ms = on_ms + off_ms;
        if self.fits_a_row(on_ms, off_ms) || t_end - chain.start_ms < EVIDENCE_PERIODS * period_ms {
            return None;
        }
        Some(Reading::NoCadenceFits {
            colour: chain.colour,
            period_ms,
            on_ms,
            off_ms,
        })
    }
}

fn finite_or(v: f64, fallback: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        fallback
    }
}

/// 0.5 with just enough evidence, rising to 1 with twice as much.
fn evidence_factor(have_ms: f64, need_ms: f64) -> f64 {
    if need_ms <= 0.0 {
        return 1.0;
    }
    (have_ms / (2.0 * need_ms)).clamp(0.5, 1.0)
}

/// Expected run lengths and their tolerance.
#[derive(Debug, Clone, Copy)]
struct Expect {
    on_ms: f64,
    off_ms: f64,
    tolerance: f64,
    /// How far (absolute) a run's on share may be from the row's (its bounds); the mean
    /// on share may be further off for a fast blink ([`Self::mean_share_tolerance`]).
    duty_tolerance: f64,
    /// How much longer or shorter than its driver held them the indicator makes lit runs
    /// read (unlit runs the other way): beside both tolerances.
    skew_ms: f64,
    /// [`Self::bounds`] of unlit and of lit runs, worked out once: every run walked asks.
    bounds: [(f64, f64); 2],
}

impl Expect {
    /// `on_ms` and `off_ms` within `tolerance` (of the period) and `duty_tolerance` (of
    /// the on share), for an indicator that makes lit runs read up to `skew_ms` longer or
    /// shorter.
    fn new(on_ms: f64, off_ms: f64, tolerance: f64, duty_tolerance: f64, skew_ms: f64) -> Self {
        let mut expect = Self {
            on_ms,
            off_ms,
            tolerance,
            duty_tolerance,
            skew_ms,
            bounds: [(0.0, 0.0); 2],
        };
        expect.bounds = [expect.work_out_bounds(false), expect.work_out_bounds(true)];
        expect
    }

    fn period(&self) -> f64 {
        self.on_ms + self.off_ms
    }

    /// The on share of a period.
    fn duty(&self) -> f64 {
        self.on_ms / self.period()
    }

    /// The shortest and longest a run may be.
    fn bounds(&self, lit: bool) -> (f64, f64) {
        self.bounds[usize::from(lit)]
    }

    /// The shortest and longest a run may be: a phone's blink clock may run `tolerance`
    /// fast or slow, and its on share may be [`DUTY_TOLERANCE`] off, both at once; the
    /// indicator may then skew it.
    fn work_out_bounds(&self, lit: bool) -> (f64, f64) {
        let share = if lit { self.duty() } else { 1.0 - self.duty() };
        let p = self.period();
        (
            (p * (1.0 - self.tolerance) * (share - self.duty_tolerance).max(0.0) - self.skew_ms)
                .max(0.0),
            p * (1.0 + self.tolerance) * (share + self.duty_tolerance).min(1.0) + self.skew_ms,
        )
    }

    /// A run with both edges seen: within bounds, give or take the edges' sampling slack.
    fn fits_complete(&self, run: &Run) -> bool {
        let (lo, hi) = self.bounds(run.lit);
        let d = run.duration_ms();
        run.regular && d >= lo - run.slack_ms() && d <= hi + run.slack_ms()
    }

    /// A run with a gap in its samples that could hide a run of the other state, no longer
    /// than two of its own runs and one of the other: it may be that, and it neither
    /// breaks a chain nor counts in its means (what its times are is unknown).
    fn may_have_hidden_a_run(&self, run: &Run) -> bool {
        run.gaps.count > 0
            && run.regular
            && run.duration_ms()
                <= 2.0 * self.bounds(run.lit).1 + self.bounds(!run.lit).1 + run.slack_ms()
    }

    /// A run with an edge unseen (it began before the window, or still goes on) that has
    /// lasted `held_ms`: not longer than allowed.
    fn fits_open(&self, run: &Run, held_ms: f64) -> bool {
        run.regular && held_ms <= self.bounds(run.lit).1 + run.slack_ms()
    }

    /// How far (absolute) the mean on share may be from the row's: the duty tolerance,
    /// or for a fast blink what a firmware's tick can do to it. A phone toggles its LED
    /// on a timer tick of up to [`FIRMWARE_TICK_MS`]: a 50 ms run on a 20 ms tick lasts
    /// 40 or 60, an on share of 0.4 or 0.6, a tick over twice the period off its
    /// row's, and the runs' edges, placed within a sample or so, add a few hundredths
    /// ([`SHARE_PLACING`]): a flutter's (and a broken flutter's pulses') 0.13. Every run
    /// of such a blink still fits its row's tolerance. A slow row (a wink, a flash, a
    /// broken flutter's bursts) keeps its duty tolerance. (The mean times of runs that
    /// fit a row this way are no mains beat's either: [`Model::fits_a_row`].)
    fn mean_share_tolerance(&self) -> f64 {
        self.duty_tolerance
            .max(SHARE_PLACING + FIRMWARE_TICK_MS / (2.0 * self.period()))
    }

    /// How far mean on and off times are from this row, in tolerances (≤ 1 fits): the
    /// period within `tolerance`, the on share within [`Self::mean_share_tolerance`] once the
    /// indicator's skew is allowed for.
    fn deviation(&self, on_ms: f64, off_ms: f64) -> f64 {
        let period = on_ms + off_ms;
        let by_period = (period / self.period() - 1.0).abs() / self.tolerance;
        let duty_off = ((on_ms / period - self.duty()).abs() - self.skew_ms / period).max(0.0);
        by_period.max(duty_off / self.mean_share_tolerance())
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    sum: f64,
    n: u32,
}

impl Mean {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }

    fn get(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / f64::from(self.n))
    }
}

/// The trailing runs that fit an expectation.
#[derive(Debug, Clone, Copy)]
struct Chain {
    colour: Colour,
    /// Where the evidence begins.
    start_ms: f64,
    /// Durations of the complete lit and unlit runs.
    on: Mean,
    off: Mean,
}

impl Chain {
    fn means(&self) -> Option<(f64, f64)> {
        Some((self.on.get()?, self.off.get()?))
    }
}

/// Walk back from the last run while runs alternate, keep one colour and fit `expect`.
/// `None` when the last run already breaks the pattern (or nothing has blinked).
fn trailing_chain(runs: &[Run], t_end: f64, expect: &Expect) -> Option<Chain> {
    let (last, earlier) = runs.split_last()?;
    if earlier.is_empty() {
        return None;
    }
    let colour = runs.iter().rev().find(|r| r.lit)?.colour;
    // The run going on may have outlasted its time only where a gap could have hidden
    // the other state's run (a stall through an off time: the blink goes on).
    if !expect.fits_open(last, t_end - last.start_ms) && !expect.may_have_hidden_a_run(last) {
        return None;
    }
    let mut chain = Chain {
        colour,
        start_ms: last.start_ms,
        on: Mean::default(),
        off: Mean::default(),
    };
    let mut later = last;
    for (i, run) in earlier.iter().enumerate().rev() {
        if run.lit == later.lit || (run.lit && run.colour != colour) {
            break;
        }
        if i == 0 {
            // Began before the window: counts if it has not outlasted its time.
            if expect.fits_open(run, run.duration_ms()) {
                chain.start_ms = run.start_ms;
            }
            break;
        }
        if expect.fits_complete(run) {
            if run.lit {
                chain.on.add(run.duration_ms());
            } else {
                chain.off.add(run.duration_ms());
            }
        } else if !expect.may_have_hidden_a_run(run) {
            break;
        }
        chain.start_ms = run.start_ms;
        later = run;
    }
    Some(chain)
}

/// Merge runs into bursts (lit) and the gaps between them (unlit) for a grouped cadence.
/// A burst is `regular` when its inner runs fit the row's on/off times.
fn bursts(runs: &[Run], t_end: f64, blink: &Blink, group: Group) -> Vec<Run> {
    let inner = blink.inner;
    let last_i = runs.len().saturating_sub(1);
    let mut out = Vec::with_capacity(runs.len() / 4 + 2);
    let mut burst: Option<Burst> = None;
    for (i, run) in runs.iter().enumerate() {
        let held_ms = if i == last_i {
            t_end - run.start_ms
        } else {
            run.duration_ms()
        };
        // The ongoing unlit run may be an inner off time or the start of the gap: a gap
        // when it is too long for an inner one, or when the burst it would end outlasts a
        // burst.
        let burst_too_long = || {
            burst.as_ref().is_some_and(|b| {
                let mut whole = b.run;
                whole.end_ms = t_end;
                !blink.outer.fits_open(&whole, t_end - b.run.start_ms)
            })
        };
        let is_gap = !run.lit
            && if i == last_i {
                !inner.fits_open(run, held_ms) || burst_too_long()
            } else {
                held_ms >= group.split_ms
            };
        if is_gap {
            out.extend(burst.take().map(Burst::finish));
            out.push(*run);
            continue;
        }
        // The group's gate may cut its last pulse short (a burst a little longer than
        // whole pulses): a lit run that ends a burst need only not be too long.
        // (The dark after it may be the window's last run, not yet long enough to tell.)
        let ends_burst = run.lit
            && runs.get(i + 1).is_some_and(|next| {
                !next.lit && (next.duration_ms() >= group.split_ms || i + 1 == last_i)
            });
        // So may it cut the first: where the firmware's group timer runs apart from its
        // pulse timer, the gate opens in the middle of a pulse.
        let begins_burst =
            run.lit && i > 0 && !runs[i - 1].lit && runs[i - 1].duration_ms() >= group.split_ms;
        // A run with a gap in its samples that could hide a run of the other state may
        // be two runs and what the gap hid: it need only not outlast two periods.
        let hid_a_run = inner.may_have_hidden_a_run(run);
        let fits = hid_a_run
            || if i == 0 || i == last_i || ends_burst || begins_burst {
                inner.fits_open(run, held_ms)
            } else {
                inner.fits_complete(run)
            };
        match &mut burst {
            None => {
                let mut b = *run;
                b.lit = true;
                burst = Some(Burst {
                    run: b,
                    last_lit: run.lit,
                    pulses: u32::from(run.lit),
                    misfits: u32::from(!fits),
                    // Only the window's first burst may begin unlit (it began before the
                    // window).
                    sound: run.lit || i == 0,
                });
            }
            Some(b) => {
                if b.run.colour == Colour::Off {
                    b.run.colour = run.colour;
                }
                let same_colour = !run.lit || b.run.colour == run.colour;
                b.sound &= same_colour && !(run.lit && b.last_lit);
                b.misfits += u32::from(!fits);
                b.pulses += u32::from(run.lit);
                b.run.end_ms = run.end_ms;
                b.run.end_slack_ms = run.end_slack_ms;
                b.last_lit = run.lit;
            }
        }
    }
    out.extend(burst.map(Burst::finish));
    out
}

/// A burst being gathered.
struct Burst {
    run: Run,
    /// Whether its latest member is lit.
    last_lit: bool,
    pulses: u32,
    /// Inner runs that do not fit the row's on and off times.
    misfits: u32,
    /// One colour, alternating, begun lit.
    sound: bool,
}

impl Burst {
    /// The burst as one run: regular when sound and its inner runs fit, give or take one
    /// among three pulses or more (noise or a stall may cut one run wrong; a flash's
    /// single long pulse never passes for a flutter).
    fn finish(self) -> Run {
        let mut run = self.run;
        run.regular = self.sound && (self.misfits == 0 || (self.misfits == 1 && self.pulses >= 3));
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::testgen::table;

    /// Alternating runs from durations (first lit or not), the first and last open.
    fn runs(first_lit: bool, durations: &[f64]) -> (Vec<Run>, f64) {
        let mut t = 0.0;
        let mut lit = first_lit;
        let mut out = Vec::new();
        for &d in durations {
            let colour = if lit { Colour::Green } else { Colour::Off };
            let mut run = Run::new(lit, colour, t, t + d);
            run.start_slack_ms = 0.5;
            run.end_slack_ms = 0.5;
            out.push(run);
            t += d;
            lit = !lit;
        }
        (out, t)
    }

    fn judge(first_lit: bool, durations: &[f64]) -> Reading {
        judge_as(Polarity::Emissive, first_lit, durations)
    }

    fn judge_as(polarity: Polarity, first_lit: bool, durations: &[f64]) -> Reading {
        let (runs, t_end) = runs(first_lit, durations);
        Model::new(&table(), polarity).judge(&runs, t_end)
    }

    fn cadence_of(reading: &Reading) -> Option<Cadence> {
        match reading {
            Reading::Seen(o) => Some(o.indication.cadence),
            _ => None,
        }
    }

    #[test]
    fn evidence_needs_follow_the_table() {
        let model = Model::new(&table(), Polarity::Emissive);
        assert_eq!(model.evidence_ms(Cadence::Steady), Some(1200.0));
        assert_eq!(model.evidence_ms(Cadence::Flash), Some(1500.0));
        assert_eq!(model.evidence_ms(Cadence::Wink), Some(375.0));
        assert_eq!(model.evidence_ms(Cadence::BrokenFlutter), Some(1500.0));
        // Flutter must outlast a broken-flutter burst (500 ms + 25%) and one off time.
        assert_eq!(model.evidence_ms(Cadence::Flutter), Some(625.0 + 67.5));
        assert_eq!(model.glitch_ms(), 16.25);
        assert_eq!(model.max_gap_ms(), 40.0);
    }

    #[test]
    fn a_flutter_on_a_twenty_ms_tick_is_a_flutter() {
        // 60 ms on, 40 off (and the other way), as a 20 ms tick makes a 50/50 flutter,
        // each edge placed a millisecond or two off: an on share 0.1 off the row's and a
        // little more, every run within the row's 35%.
        for (on, off) in [(61.5, 38.5), (38.5, 61.5), (62.0, 38.0)] {
            let mut durations = vec![30.0];
            for _ in 0..10 {
                durations.extend([on, off]);
            }
            let reading = judge(true, &durations);
            assert_eq!(
                cadence_of(&reading),
                Some(Cadence::Flutter),
                "{on}/{off}: {reading:?}"
            );
        }
        // The allowance is a tick's, not the row's whole tolerance: an on share 0.2 off is
        // no flutter.
        let mut durations = vec![30.0];
        for _ in 0..10 {
            durations.extend([70.0, 30.0]);
        }
        let reading = judge(true, &durations);
        assert_ne!(cadence_of(&reading), Some(Cadence::Flutter), "{reading:?}");
        // A wink's or a flash's share keeps the general tolerance.
        let model = Model::new(&table(), Polarity::Emissive);
        let tolerances: Vec<f64> = model
            .blinks
            .iter()
            .map(|b| b.inner.mean_share_tolerance())
            .collect();
        assert!(
            tolerances.iter().any(|&t| (t - 0.13).abs() < 1e-9),
            "{tolerances:?}"
        );
        assert!(tolerances.contains(&DUTY_TOLERANCE), "{tolerances:?}");
    }

    #[test]
    fn a_chain_starting_mid_period_counts_its_first_run() {
        // 250 ms into a flash's on time: 250 + 500 + 500 + 250 = 1500 ms.
        let reading = judge(true, &[250.0, 500.0, 500.0, 250.0]);
        assert_eq!(cadence_of(&reading), Some(Cadence::Flash), "{reading:?}");
        // One ms less is not 1.5 periods yet.
        let reading = judge(true, &[250.0, 500.0, 500.0, 249.0]);
        assert_eq!(reading, Reading::NotEnoughEvidence);
    }

    #[test]
    fn a_long_first_run_is_not_evidence() {
        // Steady for 3 s, then wink: only the wink's runs count.
        let reading = judge(true, &[3000.0, 50.0, 200.0, 50.0, 74.0]);
        assert_eq!(reading, Reading::NotEnoughEvidence);
        let reading = judge(true, &[3000.0, 50.0, 200.0, 50.0, 80.0]);
        assert_eq!(cadence_of(&reading), Some(Cadence::Wink), "{reading:?}");
    }

    #[test]
    fn a_run_outlasting_its_cadence_ends_the_blink() {
        // Wink, then the light stays on: once past the longest a wink's on time can be (a
        // clock 30% slow and an on share 0.1 high: 250 × 1.3 × 0.9 = 292.5 ms) it is no
        // longer a wink.
        assert_eq!(
            cadence_of(&judge(false, &[50.0, 200.0, 50.0, 200.0, 50.0, 290.0])),
            Some(Cadence::Wink)
        );
        assert_eq!(
            judge(false, &[50.0, 200.0, 50.0, 200.0, 50.0, 300.0]),
            Reading::NotEnoughEvidence
        );
    }

    #[test]
    fn flutter_bursts_are_broken_flutter_not_flutter() {
        let burst = [50.0; 9]; // on, off, ..., on: 450 ms
        let mut durations = vec![550.0];
        for _ in 0..2 {
            durations.extend(burst);
            durations.push(550.0);
        }
        durations.extend(&burst[..5]);
        let reading = judge(false, &durations);
        assert_eq!(
            cadence_of(&reading),
            Some(Cadence::BrokenFlutter),
            "{reading:?}"
        );
        // Inside the first burst, flutter must not be claimed.
        let reading = judge(
            false,
            &[550.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 30.0],
        );
        assert_eq!(reading, Reading::NotEnoughEvidence);
    }

    /// Run durations of a grouped blink, begun unlit: `first`, then two bursts each
    /// followed by `gap`, then `tail`.
    fn two_bursts(first: f64, burst: &[f64], gap: f64, tail: &[f64]) -> Vec<f64> {
        let mut durations = vec![first];
        for _ in 0..2 {
            durations.extend(burst);
            durations.push(gap);
        }
        durations.extend(tail);
        durations
    }

    #[test]
    fn the_group_gate_may_cut_a_burst_s_first_pulse_and_its_last() {
        // A group timer apart from the pulse timer: each burst opens mid-pulse (17 ms)
        // and closes mid-pulse (35 ms), and the window ends two pulses into a burst.
        let burst = [17.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 35.0]; // 402 ms
        let mut durations = two_bursts(550.0, &burst, 610.0, &[17.0, 50.0, 48.0]);
        let reading = judge(false, &durations);
        assert_eq!(
            cadence_of(&reading),
            Some(Cadence::BrokenFlutter),
            "{reading:?}"
        );
        // A first pulse too long for a flutter's is no cut one.
        durations[1] = 120.0;
        durations[11] = 120.0;
        durations[21] = 120.0;
        assert_ne!(
            cadence_of(&judge(false, &durations)),
            Some(Cadence::BrokenFlutter)
        );
    }

    #[test]
    fn a_burst_may_end_a_whole_pulse_early_where_the_gate_cut_the_last_to_nothing() {
        // Inner 45 on, 55 off, begun with the off time; a 450 ms group holds four pulses
        // (55-100, ..., 355-400 ms) and closes as the fifth would begin: each burst is
        // 345 ms, each gap 655 ms, an on share of 0.345.
        let burst = [45.0, 55.0, 45.0, 55.0, 45.0, 55.0, 45.0]; // 345 ms
        let durations = two_bursts(600.0, &burst, 655.0, &[45.0, 55.0, 45.0, 30.0]);
        let reading = judge(false, &durations);
        assert_eq!(
            cadence_of(&reading),
            Some(Cadence::BrokenFlutter),
            "{reading:?}"
        );
        // A burst of one pulse fewer still is no broken flutter's.
        let burst = [45.0, 55.0, 45.0, 55.0, 45.0];
        let durations = two_bursts(600.0, &burst, 755.0, &[45.0, 55.0, 45.0, 30.0]);
        assert_ne!(
            cadence_of(&judge(false, &durations)),
            Some(Cadence::BrokenFlutter)
        );
    }

    #[test]
    fn a_burst_may_end_anywhere_up_to_the_group_s_end() {
        // A broken flutter 12% slow with its on shares 6 points long (inner 63 on, 49 off;
        // groups 627 on, 494 off): the gate closes as the sixth pulse ends, so each burst
        // measures the whole group on time, not the group less an inner off time.
        let mut burst = Vec::new();
        for _ in 0..5 {
            burst.extend([62.7, 49.5]);
        }
        burst.push(62.7); // 622.7 ms
        let durations = two_bursts(500.0, &burst, 498.0, &[62.7, 49.5, 40.0]);
        let reading = judge(false, &durations);
        assert_eq!(
            cadence_of(&reading),
            Some(Cadence::BrokenFlutter),
            "{reading:?}"
        );
    }

    #[test]
    fn a_reflective_indicator_s_skew_moves_its_duty_never_its_period() {
        // A flutter whose LCD makes each dark run read 22 ms long, or 20 ms short: its
        // on share is 0.72 or 0.30, where a flutter's is 0.5 ± 0.1.
        let long: Vec<f64> = [72.0, 28.0].repeat(10);
        let short: Vec<f64> = [30.0, 70.0].repeat(10);
        for durations in [&long, &short] {
            let reading = judge_as(Polarity::Reflective, true, durations);
            assert_eq!(cadence_of(&reading), Some(Cadence::Flutter), "{reading:?}");
            // An LED's runs are what its driver held: the same blink is no flutter.
            let reading = judge(true, durations);
            assert!(
                matches!(reading, Reading::NoCadenceFits { .. }),
                "{reading:?}"
            );
        }
        // The skew moves both runs of a period, not the period: 150 ms is no flutter
        // (100 ms + 35%), whatever the indicator.
        let slow: Vec<f64> = [100.0, 50.0].repeat(10);
        for polarity in [Polarity::Reflective, Polarity::Emissive] {
            let reading = judge_as(polarity, true, &slow);
            assert!(
                matches!(reading, Reading::NoCadenceFits { .. }),
                "{reading:?}"
            );
        }
    }

    #[test]
    fn a_regular_blink_no_row_fits_is_reported_with_its_times() {
        let reading = judge(true, &[100.0, 365.0, 365.0, 365.0, 365.0, 365.0, 100.0]);
        match reading {
            Reading::NoCadenceFits {
                colour,
                period_ms,
                on_ms,
                off_ms,
            } => {
                assert_eq!(colour, Colour::Green);
                assert_eq!((period_ms, on_ms, off_ms), (730.0, 365.0, 365.0));
            }
            other => panic!("{other:?}"),
        }
        // A blink that fits a row but lacks evidence is not "no cadence fits".
        assert_eq!(
            judge(true, &[100.0, 50.0, 50.0, 50.0, 50.0, 50.0, 20.0]),
            Reading::NotEnoughEvidence
        );
    }
}
