//! A physically-motivated generator of light-sensor traces, and the labelled corpus in
//! `fixtures/traces/` (issue 3). Its trace files are [`crate::trace`] files, read and
//! written by that module.
//!
//! The simulated bench ([`crate::sim`]) and the classifier's own unit tests use simple
//! instantaneous samples with Gaussian noise. This generator models what a real sensor over
//! a real light reads, so that the classifier ([`crate::observe`]) is judged on the physics:
//! `cargo run --release --example gen_traces -- fixtures/traces` writes the corpus from fixed
//! seeds, and `cargo bench --bench classifier` scores the classifier on it.
//!
//! # The model
//!
//! A [`Scene`] is a light, the room's light, a sensor and the host reading it.
//!
//! **The light.** An emissive light ([`Light::Emissive`]: an LED or the 9621/9641 touch-screen
//! icon) adds light over whatever else the sensor sees. Each lit state is an [`Emitter`]: a
//! response per channel `[r, g, b, c]` in counts per ms of integration at gain 1×. LED
//! colours follow representative spectra (green 0.12:1:0.25, red 1:0.10:0.06, blue
//! 0.10:0.30:1, amber 1:0.55:0.05) with each channel varied ±15% per trace (LED binning,
//! sensor filter tolerance); the grey icon is an unsaturated 0.85:1:0.9 (±8%) and dimmer.
//! The clear channel sees 1.0–1.2 × (r + g + b). An LED may be PWM-dimmed ([`Pwm`],
//! 200 Hz–2 kHz, duty 10–100%): it is then driven at its peak for `duty` of each PWM
//! period. The blink [`Pattern`] (the lab's nominal timings) is scaled per trace by a factor in
//! 0.85–1.15 (a phone's blink clock off by up to ±15%) and starts anywhere in its period.
//! A reflective light ([`Light::Reflective`], the M/T-Series LCD indicator) reflects a share
//! of the room's light: all of it bare, 12–45% of it when "on".
//!
//! **The room.** [`Ambient`] light reaches the sensor: for an emissive light the part that
//! leaks past the sensor's shroud (0 or 0.5–30% of the lit level, warm-white spectrum
//! 1:0.85:0.55 with extra infrared on the clear channel); for a reflective indicator the
//! light it reflects. Mains lighting flickers at twice the mains frequency, 100 or 120 Hz,
//! as a full-wave rectified sine ([`Flicker`]): `1 − m + m·(π/2)·|sin(π f t + φ)|`, mean 1,
//! modulation depth `m` 5–100% (fluorescent tubes ~30%, cheap LED lamps up to 100%).
//!
//! **The sensor** ([`SensorModel`]), TCS34725-like for RGB+clear: each sample integrates
//! the light over its integration time before the read (2.4 ms × n cycles, as long as the
//! sample period allows, short ones likelier; a shorter window, 50–95% of the period,
//! above ~400 Hz), times the gain (1×, 4×, 16×, 60×), plus a small offset (0–6 counts).
//! The lit level is drawn as a share of full scale (LEDs 4–70%, the grey icon 2–30%, at
//! least 60 counts), so every gain sees lights it can read; a few traces overdrive it
//! (1.3–2.5 × full scale). Counts clip at min(65535, 1024 × cycles): a
//! bright LED at high gain saturates some channels. Noise: shot noise with variance
//! `signal × gain / electrons_per_count` (15–60 e⁻ per count at 1×, so 60× is far noisier
//! relative to its signal), plus Gaussian read noise 0.5–3 counts; readings are rounded to
//! integers. A photodiode on an ADS1115-like ADC ([`SensorKind::Level`]) is the same with one
//! channel, gain 1–8×, an offset up to 50 counts and a 16-bit signed full scale (32767).
//! Because the window is short, a PWM-dimmed LED reads a different number of PWM pulses in
//! each sample (ripple), and the mains flicker on the ambient part shows through.
//!
//! **The host** ([`Sampling`]) reads at 100 Hz–1 kHz; each read comes 0–3 ms late
//! (scheduling), up to 2% of reads come later still, up to 3% are lost, and rarely a burst
//! of two or three is lost. Timestamps have 0.1 ms resolution and stay in order.
//!
//! **Where the bench is sane.** Below 400 Hz the drawn PWM period fits in the integration
//! window (a window shorter than a PWM period can miss every pulse, and at a low rate that
//! cannot be averaged out); above it, windows may miss whole pulses. The reflective
//! indicator's room light flickers at most 35% deep below 300 Hz (80% above, where the
//! classifier can average it out): it darkens the bare display the way "on" does.
//!
//! **Calibration.** Most traces carry the bench's `# dark:` line: the mean reading with the
//! light dark (emissive: offset + mean ambient, per channel) or of the bare display
//! (reflective), measured with a 1% error. A trace without it models a well-shrouded
//! sensor: ambient leak of at most 20 counts, a lit level of at least 100 counts. That is the
//! only setting where "dark" can be told from "dim and lit" without a calibration; a
//! deliberate edge case shows the classifier refusing to guess outside it.
//!
//! # The corpus
//!
//! [`draw`] picks a scene at random (seeded) for a wanted (colour, cadence, sensor) from the
//! ranges above; [`corpus`] reads and writes `fixtures/traces/labels.csv` and scores a
//! classifier on the corpus (accuracy, confusion matrices, decision latency).

pub mod corpus;
mod draw;
mod file;
mod scene;

pub use draw::{draw, nominal_rgb, Drawn, Knobs, Setup, Want};
pub use scene::{
    Act, Ambient, Emitter, Flicker, Light, Pattern, Pwm, Sampling, Scene, SensorModel,
};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::{Calibration, Polarity};

/// What a trace file says about its sensor besides the samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub(crate) kind: SensorKind,
    pub(crate) polarity: Polarity,
    /// The `# dark:` line, if any.
    pub(crate) dark: Option<DarkLevel>,
}

/// One trace: header and samples (sorted by time).
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub header: Header,
    pub samples: Vec<Sample>,
}

impl Trace {
    /// How the classifier should read this trace.
    pub fn calibration(&self) -> Calibration {
        Calibration {
            kind: self.header.kind,
            polarity: self.header.polarity,
            dark: self.header.dark,
        }
    }

    /// Span of the samples, ms.
    pub fn duration_ms(&self) -> f64 {
        match (self.samples.first(), self.samples.last()) {
            (Some(a), Some(b)) => b.t_ms - a.t_ms,
            _ => 0.0,
        }
    }

    /// The longest interval between two samples, ms.
    pub fn max_gap_ms(&self) -> f64 {
        self.samples
            .windows(2)
            .map(|w| w[1].t_ms - w[0].t_ms)
            .fold(0.0, f64::max)
    }
}
