//! Random scenes: a wanted light, everything else drawn from the model's ranges.

use std::f64::consts::TAU;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use crate::hw::SensorKind;
use crate::spec::{Cadence, Colour, Indication};

use super::scene::{
    Act, Ambient, Emitter, Flicker, Light, Pattern, Pwm, Sampling, Scene, SensorModel,
};

/// The sensor and light arrangement of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// An RGB+clear sensor over an LED or a touch-screen icon.
    RgbcLed,
    /// A photodiode over an LED: lit or not, no colour.
    LevelLed,
    /// A photodiode over the reflective LCD indicator.
    LcdLevel,
    /// An RGB+clear sensor over the reflective LCD indicator.
    LcdRgbc,
}

impl Setup {
    pub fn name(self) -> &'static str {
        match self {
            Setup::RgbcLed => "rgbc",
            Setup::LevelLed => "level",
            Setup::LcdLevel => "lcd-level",
            Setup::LcdRgbc => "lcd-rgbc",
        }
    }

    pub(crate) fn kind(self) -> SensorKind {
        match self {
            Setup::RgbcLed | Setup::LcdRgbc => SensorKind::Rgbc,
            Setup::LevelLed | Setup::LcdLevel => SensorKind::Level,
        }
    }

    pub(crate) fn reflective(self) -> bool {
        matches!(self, Setup::LcdLevel | Setup::LcdRgbc)
    }

    /// Whether a lit light has a colour to name.
    pub(crate) fn reads_colour(self) -> bool {
        self == Setup::RgbcLed
    }
}

/// The light a trace should show (the label).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Want {
    /// `Colour::Off` for a dark light. Ignored (`on`) where the setup reads no colour.
    pub colour: Colour,
    pub cadence: Cadence,
    pub setup: Setup,
    /// Write the `# dark:` line.
    pub calibrated: bool,
}

impl Want {
    /// The indication a correct classifier reports.
    pub fn indication(&self) -> Indication {
        if self.colour == Colour::Off {
            Indication::OFF
        } else if self.setup.reads_colour() {
            Indication::new(self.colour, self.cadence)
        } else {
            Indication::new(Colour::On, self.cadence)
        }
    }
}

/// Overrides of the random draws (for hand-made edge cases); `None`: draw it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Knobs {
    pub rate_hz: Option<f64>,
    pub duration_ms: Option<f64>,
    /// Blink period factor (1 = the table's).
    pub period_scale: Option<f64>,
    /// Where the pattern starts, as a share of its period.
    pub phase: Option<f64>,
    pub gain: Option<f64>,
    /// The lit level's mean clear counts as a share of full scale (> 1: saturating).
    pub level: Option<f64>,
    /// Ambient leak (emissive) as a share of the lit level.
    pub ambient: Option<f64>,
    /// `Some(None)`: no flicker; `Some(Some((hz, depth)))`: this flicker.
    pub flicker: Option<Option<(f64, f64)>>,
    /// `Some(None)`: no PWM; `Some(Some((hz, duty)))`: this PWM on every emitter.
    pub pwm: Option<Option<(f64, f64)>>,
    pub integration_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    pub drop_p: Option<f64>,
}

/// A drawn scene and the tags that describe its disturbances (for `labels.csv`).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub scene: Scene,
    pub tags: Vec<String>,
}

/// Representative r:g:b of each lit colour (representative LED spectra).
pub fn nominal_rgb(colour: Colour) -> [f64; 3] {
    match colour {
        Colour::Green => [0.12, 1.0, 0.25],
        Colour::Red => [1.0, 0.10, 0.06],
        Colour::Blue => [0.10, 0.30, 1.0],
        Colour::Amber => [1.0, 0.55, 0.05],
        Colour::Grey => [0.85, 1.0, 0.9],
        Colour::On | Colour::Off => [1.0, 1.0, 0.95],
    }
}

/// Sample rates and how often each is drawn.
const RATES: [(f64, u32); 9] = [
    (100.0, 24),
    (125.0, 8),
    (160.0, 8),
    (200.0, 20),
    (250.0, 10),
    (400.0, 8),
    (500.0, 8),
    (800.0, 4),
    (1000.0, 6),
];

/// Draw a scene showing `want`. Deterministic for a seed: the parts below draw from one
/// generator in a fixed order (sampling, sensor, blink, then the light).
pub fn draw(want: &Want, knobs: &Knobs, seed: u64) -> Drawn {
    let mut rng = SmallRng::seed_from_u64(seed);
    let r = &mut rng;
    let mut tags = Vec::new();
    let sampling = draw_sampling(r, want, knobs, &mut tags);
    let sensor = draw_sensor(r, want, knobs, sampling.rate_hz, &mut tags);
    let acts = draw_acts(r, want, knobs, &mut tags);
    let (light, emitters, ambient) = if want.setup.reflective() {
        draw_reflective(r, knobs, &sensor, sampling.rate_hz, acts, &mut tags)
    } else {
        draw_emissive(r, want, knobs, &sensor, sampling.rate_hz, acts, &mut tags)
    };
    if !want.calibrated {
        tags.push("nodark".to_string());
    }
    Drawn {
        scene: Scene {
            light,
            emitters,
            ambient,
            sensor,
            sampling,
            dark_line: want.calibrated.then_some(0.01),
        },
        tags,
    }
}

/// The sample times: rate, length, jitter, late and dropped samples, bursts.
fn draw_sampling(r: &mut SmallRng, want: &Want, knobs: &Knobs, tags: &mut Vec<String>) -> Sampling {
    let rate = knobs.rate_hz.unwrap_or_else(|| weighted(r, &RATES));
    let long = matches!(want.cadence, Cadence::Flash | Cadence::BrokenFlutter);
    let duration = knobs.duration_ms.unwrap_or_else(|| {
        let d = if long {
            uniform(r, 3500.0, 5500.0)
        } else {
            uniform(r, 3000.0, 4500.0)
        };
        // Short traces at high rates keep the corpus small.
        if rate >= 400.0 {
            d.min(if long { 3300.0 } else { 3000.0 })
        } else if rate >= 200.0 {
            d.min(if long { 4500.0 } else { 3600.0 })
        } else {
            d
        }
    });
    let jitter = knobs.jitter_ms.unwrap_or_else(|| uniform(r, 0.0, 3.0));
    let drop_p = knobs.drop_p.unwrap_or_else(|| uniform(r, 0.0, 0.03));
    let sampling = Sampling {
        rate_hz: rate,
        start_ms: (uniform(r, 0.0, 1000.0) * 10.0).round() / 10.0,
        duration_ms: duration,
        jitter_ms: jitter,
        late_p: uniform(r, 0.0, 0.02),
        drop_p,
        burst_p: uniform(r, 0.0, 0.002),
    };
    tags.push(format!("rate={rate:.0}Hz"));
    if jitter > 0.5 {
        tags.push(format!("jitter={jitter:.1}ms"));
    }
    if drop_p > 0.002 {
        tags.push(format!("drop={:.1}%", drop_p * 100.0));
    }
    sampling
}

/// The sensor: gain, integration window, offsets and noise of its kind.
fn draw_sensor(
    r: &mut SmallRng,
    want: &Want,
    knobs: &Knobs,
    rate: f64,
    tags: &mut Vec<String>,
) -> SensorModel {
    let kind = want.setup.kind();
    let period_ms = 1000.0 / rate;
    let sensor = match kind {
        SensorKind::Rgbc => {
            let gain = knobs
                .gain
                .unwrap_or_else(|| [1.0, 4.0, 16.0, 60.0][r.random_range(0..4)]);
            let t_int = knobs.integration_ms.unwrap_or_else(|| {
                let max_cycles = (0.95 * period_ms / 2.4).floor();
                if max_cycles >= 1.0 {
                    // Short windows are the common (and harder) case.
                    let u: f64 = r.random();
                    2.4 * (1.0 + (u * u * max_cycles).floor()).min(max_cycles)
                } else {
                    uniform(r, 0.5, 0.95) * period_ms
                }
            });
            tags.push(format!("gain={gain:.0}x"));
            SensorModel {
                kind,
                gain,
                integration_ms: t_int,
                full_scale: SensorModel::tcs_full_scale(t_int),
                offset: [
                    uniform(r, 0.0, 4.0),
                    uniform(r, 0.0, 4.0),
                    uniform(r, 0.0, 4.0),
                    uniform(r, 0.0, 6.0),
                ],
                read_noise: uniform(r, 0.5, 3.0),
                electrons_per_count: uniform(r, 15.0, 60.0),
            }
        }
        SensorKind::Level => {
            let gain = knobs
                .gain
                .unwrap_or_else(|| [1.0, 2.0, 4.0, 8.0][r.random_range(0..4)]);
            let t_int = knobs
                .integration_ms
                .unwrap_or_else(|| uniform(r, 0.3, 0.95) * period_ms);
            tags.push(format!("gain={gain:.0}x"));
            // Without a dark line the sensor's own offset must be small (module docs).
            let offset = uniform(r, 0.0, if want.calibrated { 50.0 } else { 20.0 });
            SensorModel {
                kind,
                gain,
                integration_ms: t_int,
                full_scale: 32767.0,
                offset: [0.0, 0.0, 0.0, offset],
                read_noise: uniform(r, 1.0, 6.0),
                electrons_per_count: uniform(r, 2.0, 10.0),
            }
        }
    };
    tags.push(format!("int={:.1}ms", sensor.integration_ms));
    sensor
}

/// The light's one act: its colour and blink, the blink clock off by up to ±15%.
fn draw_acts(r: &mut SmallRng, want: &Want, knobs: &Knobs, tags: &mut Vec<String>) -> Vec<Act> {
    let scale = knobs.period_scale.unwrap_or_else(|| uniform(r, 0.85, 1.15));
    let pattern = if want.colour == Colour::Off {
        Pattern::Off
    } else {
        Pattern::nominal(want.cadence).scaled(scale)
    };
    let phase_ms = pattern.period_ms().map_or(0.0, |p| {
        knobs.phase.unwrap_or_else(|| r.random::<f64>()) * p
    });
    if pattern.period_ms().is_some() {
        tags.push(format!("period={:+.0}%", (scale - 1.0) * 100.0));
    }
    vec![Act {
        from_ms: f64::NEG_INFINITY,
        colour: want.colour,
        pattern,
        phase_ms,
    }]
}

/// Counts per ms of exposure that read as `counts` through this sensor.
fn counts_per_ms(sensor: &SensorModel, counts: f64) -> f64 {
    counts / (sensor.gain * sensor.integration_ms)
}

/// A reflective LCD segment: the bare display lit by room light, darker when "on".
fn draw_reflective(
    r: &mut SmallRng,
    knobs: &Knobs,
    sensor: &SensorModel,
    rate: f64,
    acts: Vec<Act>,
    tags: &mut Vec<String>,
) -> (Light, Vec<Emitter>, Ambient) {
    let bare_counts = knobs.level.unwrap_or_else(|| uniform(r, 0.1, 0.7)) * sensor.full_scale;
    let on_share = uniform(r, 0.12, 0.45);
    let depth_max = if rate >= 300.0 { 0.8 } else { 0.35 };
    let flicker = flicker(r, knobs, 0.8, depth_max, tags);
    let spectrum = warm_white(r);
    let per_ms = counts_per_ms(sensor, bare_counts);
    let response = spectrum.map(|v| v * per_ms / spectrum[3]);
    tags.push(format!("lcd-on={:.0}%", on_share * 100.0));
    (
        Light::Reflective {
            bare: 1.0,
            on: on_share,
            acts,
        },
        Vec::new(),
        Ambient { response, flicker },
    )
}

/// An LED (or a touch icon): its level, colour and PWM, and the room light leaking past
/// the shroud.
fn draw_emissive(
    r: &mut SmallRng,
    want: &Want,
    knobs: &Knobs,
    sensor: &SensorModel,
    rate: f64,
    acts: Vec<Act>,
    tags: &mut Vec<String>,
) -> (Light, Vec<Emitter>, Ambient) {
    let fs = sensor.full_scale;
    let (lo, hi, floor): (f64, f64, f64) = match (sensor.kind, want.colour) {
        (SensorKind::Level, _) => (0.01, 0.5, 200.0),
        (_, Colour::Grey) => (0.02, 0.3, 60.0),
        _ => (0.04, 0.7, 60.0),
    };
    let floor = if want.calibrated {
        floor
    } else {
        floor.max(100.0)
    };
    let target = match knobs.level {
        Some(l) => l * fs,
        None => log_uniform(r, lo, hi) * fs,
    }
    .max(floor);
    if target > fs {
        tags.push(format!("sat={:.1}x", target / fs));
    }
    let colour = if want.colour == Colour::Off {
        Colour::Green
    } else {
        want.colour
    };
    let pwm = draw_pwm(r, want, knobs, sensor, rate);
    if let Some(p) = pwm {
        tags.push(format!("pwm={:.0}Hz:{:.0}%", p.hz, p.duty * 100.0));
    }
    let rgb = vary(r, nominal_rgb(colour), colour == Colour::Grey);
    let c = (rgb[0] + rgb[1] + rgb[2]) * uniform(r, 1.0, 1.2);
    let peak = counts_per_ms(sensor, target) / pwm.map_or(1.0, |p| p.duty);
    let response = [rgb[0] / c, rgb[1] / c, rgb[2] / c, 1.0].map(|v| v * peak);
    let emitter = Emitter {
        colour,
        response,
        pwm,
    };
    // Ambient leak past the shroud, relative to the lit level.
    let mut leak = knobs.ambient.unwrap_or_else(|| {
        if r.random_bool(0.2) {
            0.0
        } else {
            log_uniform(r, 0.005, 0.3)
        }
    }) * target.min(fs);
    if !want.calibrated {
        // A well-shrouded sensor (see the module docs).
        leak = leak.min(20.0);
    }
    let flicker = if leak > 0.0 {
        flicker(r, knobs, 0.7, 1.0, tags)
    } else {
        None
    };
    if leak > 0.0 {
        tags.push(format!("ambient={:.0}%", 100.0 * leak / target.min(fs)));
    }
    let spectrum = warm_white(r);
    let per_ms = counts_per_ms(sensor, leak);
    let ambient = Ambient {
        response: spectrum.map(|v| v * per_ms / spectrum[3]),
        flicker,
    };
    (Light::Emissive { acts }, vec![emitter], ambient)
}

/// PWM dimming of a lit LED (40% of them), never so slow that a window could miss every
/// pulse at low sample rates.
fn draw_pwm(
    r: &mut SmallRng,
    want: &Want,
    knobs: &Knobs,
    sensor: &SensorModel,
    rate: f64,
) -> Option<Pwm> {
    match knobs.pwm {
        Some(p) => p.map(|(hz, duty)| Pwm {
            hz,
            duty,
            phase: r.random(),
        }),
        None if want.colour != Colour::Off && r.random_bool(0.4) => {
            let min_hz = if rate < 400.0 {
                (1000.0 / sensor.integration_ms).max(200.0)
            } else {
                200.0
            };
            Some(Pwm {
                hz: log_uniform(r, min_hz.min(2000.0), 2000.0),
                duty: uniform(r, 0.1, 1.0),
                phase: r.random(),
            })
        }
        None => None,
    }
}

fn flicker(
    r: &mut SmallRng,
    knobs: &Knobs,
    p: f64,
    depth_max: f64,
    tags: &mut Vec<String>,
) -> Option<Flicker> {
    let f = match knobs.flicker {
        Some(f) => f,
        None if r.random_bool(p) => {
            let hz = if r.random_bool(0.5) { 100.0 } else { 120.0 };
            Some((hz, uniform(r, 0.05, depth_max)))
        }
        None => None,
    };
    f.map(|(hz, depth)| {
        tags.push(format!("flicker={hz:.0}Hz:{:.0}%", depth * 100.0));
        Flicker {
            hz,
            depth,
            phase: r.random::<f64>() * TAU,
        }
    })
}

/// Warm-white room light `[r, g, b, c]`: the clear channel also sees infrared.
fn warm_white(r: &mut SmallRng) -> [f64; 4] {
    let rgb = [
        uniform(r, 0.9, 1.1),
        0.85 * uniform(r, 0.9, 1.1),
        0.55 * uniform(r, 0.9, 1.1),
    ];
    let c = (rgb[0] + rgb[1] + rgb[2]) * uniform(r, 1.1, 1.4);
    [rgb[0], rgb[1], rgb[2], c]
}

/// Each channel of a spectrum varied ±15% (±8% for the grey icon).
fn vary(r: &mut SmallRng, rgb: [f64; 3], grey: bool) -> [f64; 3] {
    let v = if grey { 0.08 } else { 0.15 };
    rgb.map(|x| x * uniform(r, 1.0 - v, 1.0 + v))
}

fn uniform(r: &mut SmallRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * r.random::<f64>()
}

fn log_uniform(r: &mut SmallRng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * r.random::<f64>()).exp()
}

fn weighted(r: &mut SmallRng, table: &[(f64, u32)]) -> f64 {
    let total: u32 = table.iter().map(|e| e.1).sum();
    let mut pick = r.random_range(0..total);
    for &(v, w) in table {
        if pick < w {
            return v;
        }
        pick -= w;
    }
    table[table.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_scenes_show_what_was_wanted_within_the_documented_ranges() {
        let setups = [
            Setup::RgbcLed,
            Setup::LevelLed,
            Setup::LcdLevel,
            Setup::LcdRgbc,
        ];
        let colours = [Colour::Green, Colour::Grey, Colour::Amber, Colour::Off];
        let mut seed = 0;
        for setup in setups {
            for colour in colours {
                for cadence in Cadence::ALL {
                    for calibrated in [true, false] {
                        seed += 1;
                        let want = Want {
                            colour,
                            cadence: if colour == Colour::Off {
                                Cadence::Steady
                            } else {
                                cadence
                            },
                            setup,
                            calibrated,
                        };
                        let d = draw(&want, &Knobs::default(), seed);
                        let s = &d.scene;
                        assert_eq!(s.final_indication(), want.indication(), "{want:?}");
                        let period = 1000.0 / s.sampling.rate_hz;
                        assert!(s.sensor.integration_ms <= period, "{:?}", d.tags);
                        // Below 400 Hz a PWM period fits in the window: no missed pulses.
                        for e in &s.emitters {
                            if let (Some(p), true) = (e.pwm, s.sampling.rate_hz < 400.0) {
                                assert!(p.period_ms() <= s.sensor.integration_ms + 1e-9);
                            }
                        }
                        // Without a dark line: a shrouded sensor, dark below 48 counts.
                        if !calibrated && !setup.reflective() {
                            assert!(s.true_dark()[3] < 40.0, "{:?} {:?}", d.tags, s.true_dark());
                        }
                        assert_eq!(s.dark_line.is_some(), calibrated);
                    }
                }
            }
        }
    }

    #[test]
    fn knobs_override_the_draws() {
        let want = Want {
            colour: Colour::Red,
            cadence: Cadence::Wink,
            setup: Setup::RgbcLed,
            calibrated: true,
        };
        let knobs = Knobs {
            rate_hz: Some(100.0),
            gain: Some(60.0),
            level: Some(2.0),
            flicker: Some(Some((120.0, 0.5))),
            pwm: Some(None),
            ..Knobs::default()
        };
        let d = draw(&want, &knobs, 5);
        assert_eq!(d.scene.sampling.rate_hz, 100.0);
        assert_eq!(d.scene.sensor.gain, 60.0);
        assert!(d.scene.emitters[0].pwm.is_none());
        assert!(
            d.tags.iter().any(|t| t.starts_with("sat=2.0x")),
            "{:?}",
            d.tags
        );
        assert_eq!(draw(&want, &knobs, 5).scene, d.scene);
    }
}
