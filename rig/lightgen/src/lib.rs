//! lightgen: a second, independent generator of labelled light-sensor traces, written from
//! the physical model in `MODEL.md` (not from the rig's reader or its first generator), to
//! judge the rig's light reader on data it was never tuned on.
//!
//! A trace is 3–4 s of one indicator in one state (colour × cadence), read by an RGB+clear
//! sensor (TCS34725-like) or a photodiode (ADS1115-like), under flickering room light,
//! with PWM dimming, window integration, noise, clipping, clock error, jitter, drops and bus
//! stalls. Its [`Truth`] is what a reader should answer.
//!
//! ```
//! let table = lightgen::CadenceTable::parse(
//!     "cadence,on_ms,off_ms,group_on_ms,group_off_ms\nsteady,,,,\nflash,500,500,,\n",
//! ).unwrap();
//! let trace = lightgen::generate(&table, 7);
//! assert!(trace.to_file_text().contains("# truth: "));
//! ```

mod cadence;
mod optics;
mod scenario;
mod sensor;
mod spectra;
mod timing;

use std::fmt::Write as _;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

pub use cadence::{CadenceTable, CadenceTableError};
use optics::lit_time;
use scenario::Scenario;

/// What the sensor measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorKind {
    /// Red, green, blue and clear channels.
    Rgbc,
    /// One level (a photodiode); it cannot tell colours.
    Level,
}

/// Whether "on" is brighter (an LED or backlit icon) or darker (a reflective LCD segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Emissive,
    Reflective,
}

/// One sample: its timestamp (ms) and integer counts. Level sensors: the value in `c`,
/// `r = g = b = 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenSample {
    pub t_ms: f64,
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub c: f32,
}

/// The expected answer of a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truth {
    /// `green red blue amber grey` (RGB emissive, lit), `on` (photodiode or reflective,
    /// lit) or `off` (dark).
    pub colour: &'static str,
    /// `steady flash wink flutter broken-flutter` or `off`.
    pub cadence: &'static str,
    /// A colour channel (r, g or b) clipped on a lit sample: a reader may answer `on`
    /// instead of the colour.
    pub colour_clipped: bool,
}

/// One generated trace with its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedTrace {
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// The `# dark:` line: 4 values (r g b c) or 1; `None` on 30% of traces.
    pub dark: Option<Vec<f32>>,
    pub samples: Vec<GenSample>,
    pub truth: Truth,
    /// Which channels `[r, g, b, c]` read full scale on some sample (level: `c`).
    pub clipped: [bool; 4],
    /// One line: every drawn parameter, for failure reports.
    pub scenario: String,
}

/// Draw a trace from `seed` (deterministic per seed). Colours and cadences are roughly
/// uniform; see `MODEL.md` for every distribution.
pub fn generate(table: &CadenceTable, seed: u64) -> GeneratedTrace {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let scenario = Scenario::draw(table, &mut rng);
    render(&scenario, &mut rng)
}

/// Sample a drawn scenario: exact window integrals, then the sensor's reading.
fn render<R: Rng>(sc: &Scenario, rng: &mut R) -> GeneratedTrace {
    let w = sc.window_ms;
    let emissive = sc.polarity == Polarity::Emissive;
    // The LED's instantaneous level: its lit level over the PWM duty.
    let peak = sc.led_level / sc.pwm.map_or(1.0, |p| p.duty);
    let mut intervals = Vec::new();
    let mut samples = Vec::new();
    let (mut clipped, mut colour_clipped) = ([false; 4], false);
    for t in sc.sampling.instants(rng) {
        let a = t - w;
        intervals.clear();
        sc.gate.on_intervals(a, t, &mut intervals);
        let amb = sc.flicker.integral(a, t) / w;
        // The light's share above (emissive) or below (reflective) the ambient, per clear count.
        let (amb, extra) = if emissive {
            (amb, peak * lit_time(&intervals, sc.pwm.as_ref()) / w)
        } else {
            let lit: f64 = intervals
                .iter()
                .map(|&(x, y)| sc.flicker.integral(x, y))
                .sum();
            (amb - (1.0 - sc.reflectance) * lit / w, 0.0)
        };
        let x: [f64; 4] = std::array::from_fn(|i| {
            sc.sensor.offset[i] + sc.ambient * sc.k_amb[i] * amb + extra * sc.k_led[i]
        });
        let (y, clip) = sc.sensor.read(x, rng);
        for i in 0..4 {
            clipped[i] |= clip[i];
        }
        colour_clipped |= !intervals.is_empty() && clip[..3].iter().any(|&c| c);
        samples.push(GenSample {
            t_ms: t,
            r: y[0],
            g: y[1],
            b: y[2],
            c: y[3],
        });
    }
    let lit = sc.gate.is_lit_ever();
    let colour = match (lit, sc.kind, sc.polarity) {
        (false, _, _) => "off",
        (true, SensorKind::Rgbc, Polarity::Emissive) => sc.colour,
        _ => "on",
    };
    GeneratedTrace {
        kind: sc.kind,
        polarity: sc.polarity,
        dark: sc.dark(),
        samples,
        truth: Truth {
            colour,
            cadence: if lit { sc.cadence } else { "off" },
            colour_clipped,
        },
        clipped,
        scenario: format!("{} clipped={}", sc.describe(), clipped_names(clipped)),
    }
}

/// `"gc"` for clipped green and clear channels, `"none"` when nothing clipped.
fn clipped_names(clipped: [bool; 4]) -> String {
    let s: String = "rgbc"
        .chars()
        .zip(clipped)
        .filter_map(|(c, k)| k.then_some(c))
        .collect();
    if s.is_empty() {
        "none".into()
    } else {
        s
    }
}

impl GeneratedTrace {
    /// The trace file (the rig's trace format), with `# truth: colour cadence`,
    /// `# colour_clipped: true|false` and `# scenario: ...` comment lines before the header.
    pub fn to_file_text(&self) -> String {
        let mut out = String::with_capacity(self.samples.len() * 32 + 1024);
        let polarity = match self.polarity {
            Polarity::Emissive => "emissive",
            Polarity::Reflective => "reflective",
        };
        let _ = writeln!(out, "# polarity: {polarity}");
        if let Some(d) = &self.dark {
            let words: Vec<String> = d.iter().map(|v| format!("{v:.1}")).collect();
            let _ = writeln!(out, "# dark: {}", words.join(" "));
        }
        let t = &self.truth;
        let _ = writeln!(out, "# truth: {} {}", t.colour, t.cadence);
        let _ = writeln!(out, "# colour_clipped: {}", t.colour_clipped);
        let _ = writeln!(out, "# scenario: {}", self.scenario);
        match self.kind {
            SensorKind::Rgbc => {
                out.push_str("t_ms,r,g,b,c\n");
                for s in &self.samples {
                    let _ = writeln!(out, "{:.2},{},{},{},{}", s.t_ms, s.r, s.g, s.b, s.c);
                }
            }
            SensorKind::Level => {
                out.push_str("t_ms,level\n");
                for s in &self.samples {
                    let _ = writeln!(out, "{:.2},{}", s.t_ms, s.c);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
