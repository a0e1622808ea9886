//! Runs: a window cut into stretches of one state (unlit, or lit in one colour).
//!
//! One pass, O(1) work per sample, no allocation but the output. Decisions:
//! - An edge lies midway between the two samples either side of it; half their gap is the
//!   edge's uncertainty ("slack"), which the cadence matcher allows for.
//! - A run shorter than `glitch_ms` between two runs of the other state is a glitch (a
//!   spike, or timestamps jittering across an edge) and is merged away. `glitch_ms` is
//!   half the shortest run the cadence table allows, so no real blink is lost.
//! - A lit run changes colour only when a new colour label holds for
//!   `COLOUR_HOLD_SAMPLES` samples and `COLOUR_HOLD_MS` (one noisy sample cannot split
//!   it); the run is then cut where the new colour began. A run's colour is named from its
//!   mean chromaticity, which is far less noisy than any single sample's.

use crate::hw::Sample;
use crate::spec::Colour;

use super::colour::colour_of;
use super::levels::Levels;

/// A new colour must hold this many samples in a row...
const COLOUR_HOLD_SAMPLES: u32 = 3;
/// ...and for this long (ms) before a lit run is split at it.
const COLOUR_HOLD_MS: f64 = 8.0;

/// A stretch of samples in one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Run {
    pub lit: bool,
    /// `Off` when unlit; `On` when lit and the sensor gives no colour.
    pub colour: Colour,
    /// Edge times (ms). The window's first run starts at its first sample and its last
    /// run ends at its last sample: both are open (truncated) runs.
    pub start_ms: f64,
    pub end_ms: f64,
    /// How far each edge may be off (half the sample gap across it).
    pub start_slack_ms: f64,
    pub end_slack_ms: f64,
    /// False for a grouped run whose inner runs do not fit (set by the cadence matcher).
    pub regular: bool,
    /// Builder state: sum of dark-removed r, g, b over the run's lit samples.
    rgb: [f64; 3],
    n: u32,
    /// Builder state: the colour the run has held (debounced).
    held: Option<Colour>,
}

impl Run {
    pub fn new(lit: bool, colour: Colour, start_ms: f64, end_ms: f64) -> Self {
        Self {
            lit,
            colour,
            start_ms,
            end_ms,
            start_slack_ms: 0.0,
            end_slack_ms: 0.0,
            regular: true,
            rgb: [0.0; 3],
            n: 0,
            held: None,
        }
    }

    fn open(lit: bool, start_ms: f64, slack_ms: f64) -> Self {
        let colour = if lit { Colour::On } else { Colour::Off };
        Self {
            start_slack_ms: slack_ms,
            ..Self::new(lit, colour, start_ms, start_ms)
        }
    }

    pub fn duration_ms(&self) -> f64 {
        self.end_ms - self.start_ms
    }

    /// Uncertainty of the duration: both edges' slack.
    pub fn slack_ms(&self) -> f64 {
        self.start_slack_ms + self.end_slack_ms
    }

    fn close(mut self, end_ms: f64, slack_ms: f64, reads_colour: bool) -> Self {
        self.end_ms = end_ms;
        self.end_slack_ms = slack_ms;
        self.colour = if !self.lit {
            Colour::Off
        } else if reads_colour && self.n > 0 {
            let n = f64::from(self.n);
            let [r, g, b] = self.rgb.map(|v| (v / n) as f32);
            colour_of(r, g, b)
        } else {
            Colour::On
        };
        self
    }
}

/// Cut a window (sorted by time, at least one sample) into runs.
pub(super) fn segment(
    samples: &[Sample],
    levels: &Levels,
    reads_colour: bool,
    glitch_ms: f64,
) -> Vec<Run> {
    let Some(first) = samples.first() else {
        return Vec::new();
    };
    let x0 = levels.intensity(first.c);
    let mut seg = Segmenter {
        levels,
        reads_colour,
        glitch_ms,
        // The first sample has no history: split the hysteresis band in the middle.
        open: Run::open(x0 > 0.5 * (levels.on + levels.off), first.t_ms, 0.0),
        streak: Streak::default(),
        prev_ms: first.t_ms,
        runs: Vec::new(),
    };
    for s in samples {
        seg.push(s);
    }
    seg.finish()
}

/// The latest lit samples in a row with the same colour label.
#[derive(Debug, Clone, Copy, Default)]
struct Streak {
    colour: Option<Colour>,
    len: u32,
    first_ms: f64,
    /// The edge before its first sample, and that edge's slack.
    edge_ms: f64,
    edge_slack_ms: f64,
    rgb: [f64; 3],
}

struct Segmenter<'a> {
    levels: &'a Levels,
    reads_colour: bool,
    glitch_ms: f64,
    open: Run,
    streak: Streak,
    prev_ms: f64,
    runs: Vec<Run>,
}

impl Segmenter<'_> {
    fn push(&mut self, s: &Sample) {
        let x = self.levels.intensity(s.c);
        let lit = if self.open.lit {
            x > self.levels.off
        } else {
            x > self.levels.on
        };
        let edge_ms = 0.5 * (self.prev_ms + s.t_ms);
        let slack_ms = 0.5 * (s.t_ms - self.prev_ms);
        if lit != self.open.lit {
            self.edge(lit, edge_ms, slack_ms);
        }
        if self.open.lit && self.reads_colour {
            self.colour_sample(s, edge_ms, slack_ms);
        }
        self.prev_ms = s.t_ms;
    }

    /// The light turned on or off: close the open run, or undo it if it was a glitch.
    fn edge(&mut self, lit: bool, edge_ms: f64, slack_ms: f64) {
        let closed = self.open.close(edge_ms, slack_ms, self.reads_colour);
        self.streak = Streak::default();
        let is_glitch = closed.duration_ms() < self.glitch_ms
            && self.runs.last().is_some_and(|prev| prev.lit == lit);
        if is_glitch {
            // Reopen the run before the glitch; the glitch's samples are dropped.
            self.open = self.runs.pop().expect("checked above");
        } else {
            self.runs.push(closed);
            self.open = Run::open(lit, edge_ms, slack_ms);
        }
    }

    fn colour_sample(&mut self, s: &Sample, edge_ms: f64, slack_ms: f64) {
        let [dr, dg, db] = self.levels.dark_rgb;
        let (r, g, b) = (s.r - dr, s.g - dg, s.b - db);
        let label = colour_of(r, g, b);
        let rgb = [f64::from(r), f64::from(g), f64::from(b)];
        if self.streak.colour == Some(label) {
            self.streak.len += 1;
            add(&mut self.streak.rgb, rgb);
        } else {
            self.streak = Streak {
                colour: Some(label),
                len: 1,
                first_ms: s.t_ms,
                edge_ms,
                edge_slack_ms: slack_ms,
                rgb,
            };
        }
        add(&mut self.open.rgb, rgb);
        self.open.n += 1;
        let held = self.streak.len >= COLOUR_HOLD_SAMPLES
            && s.t_ms - self.streak.first_ms >= COLOUR_HOLD_MS;
        if held && self.open.held != Some(label) {
            self.colour_change(label);
        }
    }

    /// A new colour has held: cut the run where it began (unless the old colour was only a
    /// transient at the run's start, shorter than a glitch).
    fn colour_change(&mut self, colour: Colour) {
        let streak = self.streak;
        let before_ms = streak.edge_ms - self.open.start_ms;
        if self.open.held.is_none() || before_ms < self.glitch_ms {
            self.open.held = Some(colour);
            return;
        }
        let mut old = self.open;
        sub(&mut old.rgb, streak.rgb);
        old.n -= streak.len;
        self.runs
            .push(old.close(streak.edge_ms, streak.edge_slack_ms, self.reads_colour));
        let mut new = Run::open(true, streak.edge_ms, streak.edge_slack_ms);
        new.rgb = streak.rgb;
        new.n = streak.len;
        new.held = Some(colour);
        self.open = new;
    }

    fn finish(mut self) -> Vec<Run> {
        let last = self.open.close(self.prev_ms, 0.0, self.reads_colour);
        self.runs.push(last);
        self.runs
    }
}

fn add(sum: &mut [f64; 3], v: [f64; 3]) {
    for (s, v) in sum.iter_mut().zip(v) {
        *s += v;
    }
}

fn sub(sum: &mut [f64; 3], v: [f64; 3]) {
    for (s, v) in sum.iter_mut().zip(v) {
        *s -= v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::SensorKind;
    use crate::observe::{Calibration, Polarity};

    /// 1 kHz samples of an RGB light given as a function of time (counts above dark 0).
    fn trace(ms: usize, light: impl Fn(usize) -> [f32; 3]) -> Vec<Sample> {
        (0..ms)
            .map(|t| {
                let [r, g, b] = light(t);
                Sample {
                    t_ms: t as f64,
                    r,
                    g,
                    b,
                    c: r + g + b,
                }
            })
            .collect()
    }

    fn runs_of(samples: &[Sample]) -> Vec<Run> {
        let cal = Calibration {
            kind: SensorKind::Rgbc,
            polarity: Polarity::Emissive,
            dark: Some(crate::bench::DarkLevel::Rgbc([0.0; 4])),
        };
        let levels = Levels::estimate(samples, &cal).unwrap();
        segment(samples, &levels, true, 16.0)
    }

    const GREEN: [f32; 3] = [120.0, 1000.0, 250.0];
    const RED: [f32; 3] = [1000.0, 100.0, 60.0];
    const DARK: [f32; 3] = [0.0; 3];

    fn summary(runs: &[Run]) -> Vec<(Colour, f64, f64)> {
        runs.iter()
            .map(|r| (r.colour, r.start_ms, r.end_ms))
            .collect()
    }

    #[test]
    fn edges_fall_midway_between_samples_and_runs_alternate() {
        let samples = trace(300, |t| if (100..200).contains(&t) { GREEN } else { DARK });
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![
                (Colour::Off, 0.0, 99.5),
                (Colour::Green, 99.5, 199.5),
                (Colour::Off, 199.5, 299.0)
            ]
        );
    }

    #[test]
    fn glitches_shorter_than_half_the_shortest_run_are_merged() {
        // A 5 ms dropout inside a lit stretch and a 3 ms spike in the dark.
        let samples = trace(400, |t| match t {
            150..155 => DARK,
            100..300 => GREEN,
            350..353 => RED,
            _ => DARK,
        });
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![
                (Colour::Off, 0.0, 99.5),
                (Colour::Green, 99.5, 299.5),
                (Colour::Off, 299.5, 399.0)
            ]
        );
    }

    #[test]
    fn a_held_colour_change_splits_a_lit_run_but_one_odd_sample_does_not() {
        let samples = trace(400, |t| match t {
            150 => RED,
            _ if t < 200 => GREEN,
            _ => RED,
        });
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![(Colour::Green, 0.0, 199.5), (Colour::Red, 199.5, 399.0)]
        );
    }

    #[test]
    fn hysteresis_keeps_a_light_lit_through_the_band() {
        // Lit at 1000, then sagging to 8% (between off = 6% and on = 10%): still lit.
        let samples = trace(300, |t| match t {
            0..100 => DARK,
            100..200 => GREEN,
            _ => GREEN.map(|v| v * 0.08),
        });
        let runs = runs_of(&samples);
        assert_eq!(runs.len(), 2);
        assert!(runs[1].lit && runs[1].end_ms == 299.0);
    }
}
