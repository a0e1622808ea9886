//! Runs: a window cut into stretches of one state (unlit, or lit in one colour).
//!
//! One pass, O(1) work per sample, no allocation but the output. Decisions:
//! - An edge is placed from how lit the samples either side of it are. A sample integrates
//!   the light over a window before its timestamp (assumed as long as the typical sample
//!   interval `W`); reading a share `f` of the lit level, it was lit for `f·W` of it. A
//!   rising edge is therefore `W·(f_cur + f_prev)` before the first lit sample, a falling
//!   edge `W·(f_prev + f_cur)` after the start of the last lit sample's window. Samples
//!   that are all-or-nothing (a short window, or instantaneous readings) put both edges of a
//!   run at the last sample before them, so durations stay unbiased either way; midway
//!   placement would lengthen every lit run by most of a sample interval. On a smoothed
//!   signal (fast sensors) the box of width `W` is centred on the sample instead. Half the
//!   gap across an edge is its uncertainty ("slack"), which the cadence matcher allows for.
//! - A run shorter than `glitch_ms`, or resting on a single sample, between two runs of the
//!   other state is a glitch (a spike, a PWM pulse missed by a short window, timestamps
//!   jittering across an edge, a noisy sample beside a lost one) and is merged away. `glitch_ms` is half the shortest run the cadence table allows, so
//!   no real blink is lost.
//! - A lit run changes colour only when a new colour label (named from the mean of the last
//!   `LABEL_SAMPLES` samples) holds for `COLOUR_HOLD_SAMPLES` samples and `COLOUR_HOLD_MS`
//!   (one noisy sample cannot split it); the run is then cut where the new colour began. A
//!   run's colour is named from its mean chromaticity, which is far less noisy than any
//!   single sample's; two neighbouring lit runs that end up with the same name are one, and
//!   so is a piece shorter than `COLOUR_EXCURSION_MS` between two pieces of one colour.
//! - Saturation: a sample with a clipped colour channel gives only a lower bound of that
//!   channel, so it is left out of the colour labels and the run's mean. A run is named from
//!   its unclipped samples when it has `MIN_UNCLIPPED` of them (edge samples, ripple
//!   troughs); otherwise from its clipped samples if every value the bounds allow gets the
//!   same name (a green LED with green clipped is still green); otherwise it is lit in an
//!   unknown colour, `On` (amber with red clipped might be red: the rig does not guess).

use crate::hw::Sample;
use crate::spec::Colour;

use super::colour::{colour_of, colour_within_bounds};
use super::levels::{Levels, Signal};

/// A new colour must hold this many samples in a row...
const COLOUR_HOLD_SAMPLES: u32 = 3;
/// ...and for this long (ms) before a lit run is split at it. A state shows for longer
/// than the shortest blink run (50 ms − 15%); a shorter excursion is noise on a dim light.
const COLOUR_HOLD_MS: f64 = 30.0;
/// A run with this many unclipped lit samples is named from them alone.
const MIN_UNCLIPPED: u32 = 2;
/// A lit piece of another colour shorter than this between two pieces of one colour is
/// noise, not a state (a state shows for a settle time, or blinks with unlit gaps).
const COLOUR_EXCURSION_MS: f64 = 200.0;
/// Colour labels are named from the mean of this many latest samples.
const LABEL_SAMPLES: usize = 4;

/// A stretch of samples in one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Run {
    pub lit: bool,
    /// `Off` when unlit; `On` when lit and the sensor gives no colour (or saturated).
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
    /// Builder state: sum of dark-removed r, g, b over the run's unclipped lit samples.
    rgb: [f64; 3],
    n: u32,
    /// Builder state: the same over samples with a clipped channel, and which channels.
    clipped_rgb: [f64; 3],
    clipped_n: u32,
    clipped: [bool; 3],
    /// Builder state: sum of the intensities of the run's samples, and the highest.
    intensity: f64,
    samples: u32,
    top: f32,
    /// Builder state: the colour the run has held (debounced).
    held: Option<Colour>,
}

impl Run {
    /// A finished run (as the cadence matcher sees runs: supported by samples enough).
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
            clipped_rgb: [0.0; 3],
            clipped_n: 0,
            clipped: [false; 3],
            intensity: 0.0,
            samples: 2,
            top: 0.0,
            held: None,
        }
    }

    fn open(lit: bool, start_ms: f64, slack_ms: f64) -> Self {
        let colour = if lit { Colour::On } else { Colour::Off };
        Self {
            start_slack_ms: slack_ms,
            samples: 0,
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

    /// Colour evidence, for debugging: unclipped mean and count, clipped mean, count, mask.
    #[cfg(test)]
    pub fn debug_colour(&self) -> ([f32; 3], u32, [f32; 3], u32, [bool; 3]) {
        (
            mean(self.rgb, self.n),
            self.n,
            mean(self.clipped_rgb, self.clipped_n),
            self.clipped_n,
            self.clipped,
        )
    }

    /// Extend a lit run over the lit run after it (keeping its colour).
    fn absorb(&mut self, next: &Run) {
        self.end_ms = next.end_ms;
        self.end_slack_ms = next.end_slack_ms;
        add(&mut self.rgb, next.rgb);
        self.n += next.n;
        add(&mut self.clipped_rgb, next.clipped_rgb);
        self.clipped_n += next.clipped_n;
        for (m, c) in self.clipped.iter_mut().zip(next.clipped) {
            *m |= c;
        }
        self.intensity += next.intensity;
        self.samples += next.samples;
        self.top = self.top.max(next.top);
    }

    /// How many samples the run holds.
    pub fn sample_count(&self) -> u32 {
        self.samples
    }

    /// The intensity of the run fully lit, if it has samples enough to say: on a smoothed
    /// signal its top (the box average over its plateau: its ramps would drag a mean down
    /// and stretch the run), else its mean.
    fn level(&self, smoothed: bool) -> Option<f32> {
        (self.samples >= 2).then(|| {
            if smoothed {
                self.top
            } else {
                (self.intensity / f64::from(self.samples)) as f32
            }
        })
    }

    fn close(mut self, end_ms: f64, slack_ms: f64, reads_colour: bool) -> Self {
        self.end_ms = end_ms.max(self.start_ms);
        self.end_slack_ms = slack_ms;
        self.colour = if !self.lit {
            Colour::Off
        } else if !reads_colour {
            Colour::On
        } else if self.n >= MIN_UNCLIPPED || (self.n > 0 && self.clipped_n == 0) {
            let [r, g, b] = mean(self.rgb, self.n);
            colour_of(r, g, b)
        } else if self.clipped_n > 0 {
            colour_within_bounds(mean(self.clipped_rgb, self.clipped_n), self.clipped)
        } else {
            Colour::On
        };
        self
    }
}

fn mean(sum: [f64; 3], n: u32) -> [f32; 3] {
    let n = f64::from(n.max(1));
    sum.map(|v| (v / n) as f32)
}

/// Cut a window (sorted by time, at least one sample) into runs. `signal` is the window's
/// signal ([`Signal::of`] the same samples).
pub(super) fn segment(
    samples: &[Sample],
    signal: &Signal,
    levels: &Levels,
    reads_colour: bool,
    glitch_ms: f64,
) -> Vec<Run> {
    let (Some(first), Some(&x0)) = (samples.first(), signal.x.first()) else {
        return Vec::new();
    };
    let y0 = levels.intensity(x0);
    let window_ms = signal.gap_ms;
    let mut seg = Segmenter {
        levels,
        reads_colour,
        glitch_ms,
        signal,
        span_ms: (first.t_ms, samples[samples.len() - 1].t_ms),
        window_ms,
        tail_from_ms: samples[samples.len() - 1].t_ms - (0.5 * signal.smooth_ms).max(glitch_ms),
        // The first sample has no history: split the hysteresis band in the middle.
        open: Run::open(y0 > 0.5 * (levels.on + levels.off), first.t_ms, 0.0),
        streak: Streak::default(),
        prev_ms: first.t_ms,
        prev_y: y0,
        lit_level: levels.lit,
        recent: [Recent::default(); LABEL_SAMPLES],
        recent_len: 0,
        runs: Vec::new(),
    };
    // Within half a box of the window's end the box is cut short and a late edge would
    // show only slowly: the last samples are judged raw (a ripple there makes runs too
    // short to believe, never a false blink).
    let raw_from_ms = samples[samples.len() - 1].t_ms - 0.5 * signal.smooth_ms;
    for (s, &x) in samples.iter().zip(&signal.x) {
        let raw = signal.smooth_ms > 0.0 && s.t_ms > raw_from_ms;
        seg.push(s, levels.intensity(if raw { s.c } else { x }), raw);
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

/// One lit sample as the colour labelling remembers it.
#[derive(Debug, Clone, Copy, Default)]
struct Recent {
    /// Dark removed.
    rgb: [f64; 3],
    t_ms: f64,
    /// The edge before it, and its slack.
    edge_ms: f64,
    slack_ms: f64,
}

struct Segmenter<'a> {
    levels: &'a Levels,
    reads_colour: bool,
    glitch_ms: f64,
    signal: &'a Signal,
    /// First and last sample times.
    span_ms: (f64, f64),
    /// How long a raw sample's window is (the typical gap).
    window_ms: f64,
    /// Runs starting after this are too near the window's end to be called glitches: what
    /// follows them is not known yet (the cadence matcher does not believe them yet).
    tail_from_ms: f64,
    open: Run,
    streak: Streak,
    prev_ms: f64,
    /// The previous sample's intensity.
    prev_y: f32,
    /// The latest lit run's level (the window's lit level before there is one).
    lit_level: f32,
    /// The open run's latest unclipped lit samples, a ring.
    recent: [Recent; LABEL_SAMPLES],
    recent_len: usize,
    runs: Vec<Run>,
}

impl Segmenter<'_> {
    /// One sample of intensity `y`; `raw`: not smoothed though the window is.
    fn push(&mut self, s: &Sample, y: f32, raw: bool) {
        let lit = if self.open.lit {
            y > self.levels.off
        } else {
            y > self.levels.on
        };
        if lit != self.open.lit {
            let (edge_ms, slack_ms) = self.edge_at(s.t_ms, y, lit, raw);
            self.edge(lit, edge_ms, slack_ms);
        }
        self.open.intensity += f64::from(y);
        self.open.samples += 1;
        self.open.top = self.open.top.max(y);
        // Colour from samples that are lit in their own right (on a smoothed signal, the
        // samples just inside an edge may themselves be dark).
        if self.open.lit && self.reads_colour && self.levels.intensity(s.c) > self.levels.on {
            let edge_ms = 0.5 * (self.prev_ms + s.t_ms);
            let slack_ms = 0.5 * (s.t_ms - self.prev_ms);
            self.colour_sample(s, edge_ms, slack_ms);
        }
        self.prev_ms = s.t_ms;
        self.prev_y = y;
    }

    /// Where the light turned on (`rising`) or off between the previous sample and this
    /// one (see the module docs), and how uncertain that is.
    fn edge_at(&self, t_ms: f64, y: f32, rising: bool, raw: bool) -> (f64, f64) {
        let smoothed = self.signal.smooth_ms > 0.0 && !raw;
        let level = if rising {
            self.lit_level
        } else {
            self.open.level(smoothed).unwrap_or(self.lit_level)
        };
        let share = |v: f32| f64::from((v / level.max(f32::MIN_POSITIVE)).clamp(0.0, 1.0));
        let (f_prev, f_cur) = (share(self.prev_y), share(y));
        let (first, last) = self.span_ms;
        let (at, lo, hi) = if smoothed {
            // The box is centred: a sample on the ramp (the first lit one of a rising edge,
            // the last lit one of a falling edge) reads the share of its box that was lit.
            let (t, f) = if rising {
                (t_ms, 1.0 - f_cur)
            } else {
                (self.prev_ms, f_prev)
            };
            let (lo, hi) = self.signal.box_span(t, first, last);
            (lo + f * (hi - lo), lo, hi)
        } else {
            let w = self.window_ms;
            let at = if rising {
                t_ms - w * (f_cur + f_prev)
            } else {
                self.prev_ms - w + w * (f_prev + f_cur)
            };
            (at, self.prev_ms - w, t_ms)
        };
        let lo = lo.max(self.open.start_ms);
        // Within half a box of the end the box is cut short (or the samples are raw): the
        // edge may be found up to half a box late.
        let late_ms = if t_ms >= last - 0.5 * self.signal.smooth_ms {
            0.5 * self.signal.smooth_ms
        } else {
            0.0
        };
        (
            at.clamp(lo, hi.max(lo)),
            0.5 * (t_ms - self.prev_ms) + late_ms,
        )
    }

    /// The light turned on or off: close the open run, or undo it if it was a glitch.
    fn edge(&mut self, lit: bool, edge_ms: f64, slack_ms: f64) {
        let closed = self.open.close(edge_ms, slack_ms, self.reads_colour);
        self.streak = Streak::default();
        self.recent_len = 0;
        let is_glitch = (closed.duration_ms() < self.glitch_ms || closed.samples < 2)
            && closed.start_ms < self.tail_from_ms
            && self.runs.last().is_some_and(|prev| prev.lit == lit);
        if is_glitch {
            // Reopen the run before the glitch; the glitch's samples are dropped.
            self.open = self.runs.pop().expect("checked above");
        } else {
            if closed.lit {
                if let Some(level) = closed.level(self.signal.smooth_ms > 0.0) {
                    self.lit_level = level;
                }
            }
            self.runs.push(closed);
            self.open = Run::open(lit, edge_ms, slack_ms);
        }
    }

    fn colour_sample(&mut self, s: &Sample, edge_ms: f64, slack_ms: f64) {
        let [dr, dg, db] = self.levels.dark_rgb;
        let (r, g, b) = (s.r - dr, s.g - dg, s.b - db);
        let rgb = [f64::from(r), f64::from(g), f64::from(b)];
        let [cr, cg, cb] = self.levels.clip;
        let clipped = [s.r >= cr, s.g >= cg, s.b >= cb];
        if clipped.iter().any(|&c| c) {
            add(&mut self.open.clipped_rgb, rgb);
            self.open.clipped_n += 1;
            for (m, c) in self.open.clipped.iter_mut().zip(clipped) {
                *m |= c;
            }
            return;
        }
        // Label from the mean of the last few samples: a dim light's single samples are
        // too noisy to name (a run's colour comes from its whole mean anyway).
        let slot = self.recent_len % LABEL_SAMPLES;
        self.recent[slot] = Recent {
            rgb,
            t_ms: s.t_ms,
            edge_ms,
            slack_ms,
        };
        self.recent_len += 1;
        let k = self.recent_len.min(LABEL_SAMPLES);
        let m = self.recent[..k].iter().fold([0.0f64; 3], |a, v| {
            [a[0] + v.rgb[0], a[1] + v.rgb[1], a[2] + v.rgb[2]]
        });
        let label = colour_of(m[0] as f32, m[1] as f32, m[2] as f32);
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
            // The averaged label turns late: the samples just before that already read the
            // new colour on their own belong to it.
            for back in 1..k {
                let i = (self.recent_len - 1 - back) % LABEL_SAMPLES;
                let prev = self.recent[i];
                if colour_of(prev.rgb[0] as f32, prev.rgb[1] as f32, prev.rgb[2] as f32) != label {
                    break;
                }
                self.streak.len += 1;
                self.streak.first_ms = prev.t_ms;
                self.streak.edge_ms = prev.edge_ms;
                self.streak.edge_slack_ms = prev.slack_ms;
                add(&mut self.streak.rgb, prev.rgb);
            }
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
        // The streak's samples move to the new run (their intensity at the run's mean).
        let moved = streak.len.min(old.samples);
        let moved_intensity = old.intensity * f64::from(moved) / f64::from(old.samples.max(1));
        old.samples -= moved;
        old.intensity -= moved_intensity;
        self.runs
            .push(old.close(streak.edge_ms, streak.edge_slack_ms, self.reads_colour));
        let mut new = Run::open(true, streak.edge_ms, streak.edge_slack_ms);
        new.rgb = streak.rgb;
        new.n = streak.len;
        new.samples = moved;
        new.intensity = moved_intensity;
        new.top = old.top;
        new.held = Some(colour);
        self.open = new;
    }

    fn finish(mut self) -> Vec<Run> {
        let last = self.open.close(self.prev_ms, 0.0, self.reads_colour);
        self.runs.push(last);
        // A colour split whose two sides got the same name after all was noise, and so is
        // a short piece of another colour between two pieces of one: undo them.
        let mut out: Vec<Run> = Vec::with_capacity(self.runs.len());
        for run in self.runs {
            if let [.., a, b] = out.as_slice() {
                let sandwiched = a.lit
                    && b.lit
                    && run.lit
                    && a.colour == run.colour
                    && b.duration_ms() < COLOUR_EXCURSION_MS;
                if sandwiched {
                    let b = out.pop().expect("two runs");
                    let a = out.last_mut().expect("two runs");
                    a.absorb(&b);
                    a.absorb(&run);
                    continue;
                }
            }
            match out.last_mut() {
                Some(prev) if prev.lit && run.lit && prev.colour == run.colour => {
                    prev.absorb(&run);
                }
                _ => out.push(run),
            }
        }
        out
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

    /// 100 Hz samples (raw, not smoothed) of an RGB light given as its colour in each ms
    /// (counts above dark 0). `integrating`: each sample averages the 10 ms before it;
    /// otherwise it reads the instant.
    fn trace(ms: usize, integrating: bool, light: impl Fn(usize) -> [f32; 3]) -> Vec<Sample> {
        sampled(10, ms, integrating, light)
    }

    fn sampled(
        step: usize,
        ms: usize,
        integrating: bool,
        light: impl Fn(usize) -> [f32; 3],
    ) -> Vec<Sample> {
        (0..ms / step)
            .map(|k| {
                let t = step * k;
                let [r, g, b] = if integrating && t >= step {
                    let n = step as f32;
                    (t - step..t).map(&light).fold([0.0; 3], |a, v| {
                        [a[0] + v[0] / n, a[1] + v[1] / n, a[2] + v[2] / n]
                    })
                } else {
                    light(t)
                };
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
        let signal = Signal::of(samples);
        let levels = Levels::estimate(samples, &signal, &cal).unwrap();
        segment(samples, &signal, &levels, true, 16.0)
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
    fn instant_samples_put_both_edges_of_a_run_at_the_sample_before_them() {
        let samples = trace(300, false, |t| {
            if (102..203).contains(&t) {
                GREEN
            } else {
                DARK
            }
        });
        // Lit samples 110..=200: edges at 100 and 200, 100 ms apart (101 in truth).
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![
                (Colour::Off, 0.0, 100.0),
                (Colour::Green, 100.0, 200.0),
                (Colour::Off, 200.0, 290.0)
            ]
        );
    }

    #[test]
    fn integrating_samples_place_edges_by_how_lit_they_are() {
        let samples = trace(300, true, |t| {
            if (102..203).contains(&t) {
                GREEN
            } else {
                DARK
            }
        });
        let runs = runs_of(&samples);
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert!((runs[1].start_ms - 102.0).abs() < 0.5, "{runs:?}");
        assert!((runs[1].end_ms - 203.0).abs() < 0.5, "{runs:?}");
        assert_eq!(runs[1].colour, Colour::Green);
    }

    #[test]
    fn a_smoothed_signal_places_edges_from_its_ramps() {
        // 1 kHz, integrating 1 ms each: smoothed over 20 ms; edges within a sample.
        let samples = sampled(1, 400, true, |t| {
            if (102..203).contains(&t) {
                GREEN
            } else {
                DARK
            }
        });
        let runs = runs_of(&samples);
        assert_eq!(runs.len(), 3, "{runs:?}");
        // Times of the samples' windows' ends: 1 ms after the light's.
        assert!((runs[1].start_ms - 103.0).abs() < 1.0, "{runs:?}");
        assert!((runs[1].end_ms - 204.0).abs() < 1.0, "{runs:?}");
    }

    #[test]
    fn glitches_shorter_than_half_the_shortest_run_are_merged() {
        // A one-sample dropout inside a lit stretch and a one-sample spike in the dark.
        let samples = trace(400, false, |t| match t {
            150..155 => DARK,
            100..300 => GREEN,
            350..360 => RED,
            _ => DARK,
        });
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![
                (Colour::Off, 0.0, 90.0),
                (Colour::Green, 90.0, 290.0),
                (Colour::Off, 290.0, 390.0)
            ]
        );
    }

    #[test]
    fn a_held_colour_change_splits_a_lit_run_but_one_odd_sample_does_not() {
        let samples = trace(400, false, |t| match t {
            150 => RED,
            _ if t < 200 => GREEN,
            _ => RED,
        });
        assert_eq!(
            summary(&runs_of(&samples)),
            vec![(Colour::Green, 0.0, 195.0), (Colour::Red, 195.0, 390.0)]
        );
    }

    #[test]
    fn hysteresis_keeps_a_light_lit_through_the_band() {
        // Lit at 1000, then sagging to 8% (between off = 6% and on = 10%): still lit.
        let samples = trace(300, false, |t| match t {
            0..100 => DARK,
            100..200 => GREEN,
            _ => GREEN.map(|v| v * 0.08),
        });
        let runs = runs_of(&samples);
        assert_eq!(runs.len(), 2);
        assert!(runs[1].lit && runs[1].end_ms == 290.0);
    }

    #[test]
    fn clipped_samples_name_the_colour_from_what_the_bounds_allow() {
        // Green clipped at 1023 with noise on the other channels: still green.
        let samples: Vec<Sample> = (0..200)
            .map(|k| {
                let (r, b) = (300.0 + (k * 7 % 11) as f32, 600.0 + (k * 3 % 13) as f32);
                let lit = (50..150).contains(&k);
                let [r, g, b] = if lit { [r, 1023.0, b] } else { [1.0, 2.0, 1.0] };
                Sample {
                    t_ms: 10.0 * k as f64,
                    r,
                    g,
                    b,
                    c: (r + g + b).min(1023.0),
                }
            })
            .collect();
        let runs = runs_of(&samples);
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert_eq!(runs[1].colour, Colour::Green);
    }
}
