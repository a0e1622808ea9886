//! Drawing one trace's parameters from the seed (MODEL.md §1–§6).

use std::f64::consts::PI;
use std::fmt::Write as _;

use rand::Rng;
use rand::RngExt;

use crate::cadence::{CadenceTable, Gate, Pattern};
use crate::optics::{Flicker, Pwm, Shape};
use crate::sensor::{full_scale, Sensor};
use crate::spectra::Spectrum;
use crate::timing::Sampling;
use crate::{Polarity, SensorKind};

/// Probability that a lit emissive coloured (not grey) trace is overdriven: ≈ 8% of all
/// lit traces (MODEL.md §3.2).
pub(crate) const P_OVERDRIVE: f64 = 0.115;
/// Non-overdriven traces keep their brightest possible sample below this share of FS.
const HEADROOM: f64 = 0.85;
/// A bench without a dark calibration is valid only with its sensor shrouded: the room light
/// reaching it stays below this (counts)...
const SHROUDED_AMBIENT_MAX: f64 = 30.0;
/// ...and its lights are at least this bright (counts), so one level tells lit from dark.
const SHROUDED_LED_MIN: f64 = 100.0;
pub(crate) const RATES_HZ: [f64; 6] = [100.0, 125.0, 200.0, 250.0, 500.0, 1000.0];

/// Every drawn parameter of one trace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scenario {
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// The physical light: `green red blue amber grey`, or `lcd` (reflective).
    pub colour: &'static str,
    /// A table cadence or `off`.
    pub cadence: &'static str,
    pub period_factor: f64,
    pub duty_factor: f64,
    pub phase: f64,
    pub gate: Gate,
    pub window_ms: f64,
    pub sensor: Sensor,
    pub sampling: Sampling,
    /// Ambient mean on the clear channel (reflective: the bare display), counts.
    pub ambient: f64,
    pub ambient_spectrum: String,
    /// Ambient per channel `[r, g, b, c]`, clear = 1.
    pub k_amb: [f64; 4],
    pub flicker: Flicker,
    /// Emissive: the LED's lit level on clear (long-window average over PWM), counts.
    pub led_level: f64,
    pub led_spectrum: String,
    pub k_led: [f64; 4],
    pub pwm: Option<Pwm>,
    /// Overdriven: the peak clear reading as a multiple of full scale.
    pub overdrive: Option<f64>,
    /// Reflective: the lit segment's share of the bare display.
    pub reflectance: f64,
    /// The `# dark:` line's per-channel measurement error factors, if it has one.
    pub dark_error: Option<[f64; 4]>,
}

fn log_uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    if hi <= lo {
        return lo;
    }
    (rng.random_range(lo.ln()..hi.ln())).exp()
}

fn uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// A light's spectrum (a description, its channels `[r, g, b, c]`).
fn light_spectrum<R: Rng>(rng: &mut R, colour: &str) -> (String, [f64; 4]) {
    let (spec, desc) = match colour {
        "grey" => {
            let (ph, w) = (uniform(rng, 550.0, 575.0), uniform(rng, 0.4, 0.9));
            let d = format!("white-icon pump450x{w:.2}+phosphor{ph:.0}");
            (Spectrum::white(450.0, w, ph, 120.0), d)
        }
        _ => {
            let ((lo, hi), (flo, fhi)) = match colour {
                "green" => ((518.0, 530.0), (30.0, 38.0)),
                "red" => ((619.0, 632.0), (16.0, 22.0)),
                "amber" => ((588.0, 596.0), (14.0, 18.0)),
                _ => ((463.0, 472.0), (20.0, 26.0)), // blue
            };
            let (peak, fwhm) = (uniform(rng, lo, hi), uniform(rng, flo, fhi));
            (
                Spectrum::led(peak, fwhm),
                format!("{peak:.0}nm/fwhm{fwhm:.0}"),
            )
        }
    };
    (desc, spec.channels())
}

fn ambient_spectrum<R: Rng>(rng: &mut R) -> (String, [f64; 4]) {
    let warm = rng.random_bool(0.5);
    let pump = uniform(rng, 445.0, 455.0);
    let fwhm = uniform(rng, 110.0, 130.0);
    let (ph, w) = if warm {
        (uniform(rng, 592.0, 605.0), uniform(rng, 0.12, 0.25))
    } else {
        (uniform(rng, 548.0, 560.0), uniform(rng, 0.45, 0.8))
    };
    let desc = format!(
        "{}(pump{pump:.0}x{w:.2}+phosphor{ph:.0}/{fwhm:.0})",
        if warm { "warm" } else { "cool" }
    );
    (desc, Spectrum::white(pump, w, ph, fwhm).channels())
}

impl Scenario {
    /// Draw a scenario; colours and cadences are uniform (MODEL.md §1).
    pub fn draw<R: Rng>(table: &CadenceTable, rng: &mut R) -> Scenario {
        let kind = if rng.random_bool(0.6) {
            SensorKind::Rgbc
        } else {
            SensorKind::Level
        };
        let polarity = if rng.random_bool(0.2) {
            Polarity::Reflective
        } else {
            Polarity::Emissive
        };
        let i = rng.random_range(0..=table.rows.len());
        let (cadence, pattern): (&'static str, Option<Pattern>) = match table.rows.get(i) {
            Some(&(name, p)) => (name, Some(p)),
            None => ("off", None),
        };
        let colours: &[&'static str] = match (polarity, kind) {
            (Polarity::Reflective, _) => &["lcd"],
            (_, SensorKind::Rgbc) => &["green", "red", "blue", "amber", "grey"],
            (_, SensorKind::Level) => &["green", "red", "blue", "amber"],
        };
        let colour = colours[rng.random_range(0..colours.len())];
        let (period_factor, duty_factor, phase) = (
            uniform(rng, 0.86, 1.14),
            uniform(rng, 0.94, 1.06),
            rng.random::<f64>(),
        );
        let gate = Gate::new(pattern, period_factor, duty_factor, phase);

        // Sampling and sensor.
        let rate_hz = RATES_HZ[rng.random_range(0..RATES_HZ.len())];
        let window_ms = uniform(rng, 1.0, (1000.0 / rate_hz).min(10.0));
        let fs = full_scale(kind, window_ms);
        let mut offset = [0.0; 4];
        offset.iter_mut().for_each(|o| *o = uniform(rng, 1.0, 8.0));
        let sensor = Sensor {
            kind,
            full_scale: fs,
            offset,
            shot_k: log_uniform(rng, 0.1, 1.0),
            read_sd: uniform(rng, 0.5, 3.0),
        };
        let clock_err = uniform(rng, -0.005, 0.005);
        let duration_ms = uniform(rng, 3000.0, 4000.0);
        let start_ms = 10.0 + uniform(rng, 0.0, 1000.0 / rate_hz);
        let stalls = (0..rng.random_range(0..=3usize))
            .map(|_| {
                let len = uniform(rng, 15.0, 40.0);
                (uniform(rng, start_ms, start_ms + duration_ms - len), len)
            })
            .collect();
        let sampling = Sampling {
            rate_hz,
            clock_err,
            start_ms,
            duration_ms,
            jitter_sd_ms: uniform(rng, 0.0, 2.5),
            drop_rate: uniform(rng, 0.0, 0.05),
            stalls,
        };

        // Light.
        let level_only = [0.0, 0.0, 0.0, 1.0];
        let (ambient_spectrum, mut k_amb) = ambient_spectrum(rng);
        let (led_spectrum, mut k_led) = match polarity {
            Polarity::Emissive => light_spectrum(rng, colour),
            Polarity::Reflective => ("none".into(), [0.0; 4]),
        };
        if kind == SensorKind::Level {
            (k_amb, k_led) = (level_only, level_only);
        }
        let flicker = Flicker {
            shape: if rng.random_bool(0.5) {
                Shape::Rectified
            } else {
                Shape::Sine
            },
            freq_hz: [100.0, 120.0][rng.random_range(0..2)] * (1.0 + uniform(rng, -0.003, 0.003)),
            depth: uniform(rng, 0.0, 0.3),
            phase: uniform(rng, 0.0, 2.0 * PI),
        };
        let pwm = (polarity == Polarity::Emissive && rng.random_bool(0.5)).then(|| {
            let period_ms = 1000.0 / uniform(rng, 500.0, 2000.0);
            Pwm {
                period_ms,
                duty: uniform(rng, 0.35, 1.0),
                t0: uniform(rng, 0.0, period_ms),
            }
        });
        let lit_emissive = polarity == Polarity::Emissive && gate.is_lit_ever();
        let overdrive = (lit_emissive && colour != "grey" && rng.random_bool(P_OVERDRIVE))
            .then(|| log_uniform(rng, 1.1, 4.0));
        let reflectance = uniform(rng, 0.15, 0.5);
        let grey_share = uniform(rng, 0.1, 0.4);

        // Calibration (MODEL.md §5): 70% of emissive traces carry the dark level; a
        // reflective indicator always carries its bare level (one level of an LCD segment
        // says nothing without it). An uncalibrated emissive bench is a shrouded one.
        let calibrated = polarity == Polarity::Reflective || rng.random_bool(1.0 - 0.3 / 0.8);
        let dark_error = calibrated.then(|| {
            let mut e = [1.0; 4];
            e.iter_mut()
                .for_each(|x| *x = 1.0 + uniform(rng, -0.02, 0.02));
            e
        });

        // Brightness (MODEL.md §3.2): ambient, then an LED level that fits above it.
        let duty = pwm.map_or(1.0, |p| p.duty);
        let max_frac = pwm.map_or(1.0, |p| p.max_on_time(window_ms) / window_ms);
        let (w_lo, w_hi) = flicker.range();
        let o = offset[3];
        let a_hi = if calibrated {
            (0.4 * fs).min(3000.0)
        } else {
            SHROUDED_AMBIENT_MAX
        };
        let (mut ambient, mut led_level) = (20.0, 0.0);
        for attempt in 0..=100 {
            ambient = if attempt < 100 {
                log_uniform(rng, 20.0, a_hi)
            } else {
                20.0
            };
            let floor = if calibrated { 40.0 } else { SHROUDED_LED_MIN };
            let l_min = (1.5 * ambient * (w_hi - w_lo))
                .max(0.3 * ambient)
                .max(floor);
            let l_max = (HEADROOM * fs - o - ambient * w_hi) * duty / max_frac;
            if let Some(u) = overdrive {
                led_level = (u * fs - o - ambient) * duty / max_frac;
                break;
            }
            if polarity == Polarity::Reflective || l_max >= 1.2 * l_min || attempt == 100 {
                let top = if colour == "grey" {
                    l_min.max(grey_share * l_max)
                } else {
                    l_max
                };
                led_level = log_uniform(rng, l_min, top);
                break;
            }
        }
        if polarity == Polarity::Reflective {
            led_level = 0.0;
        }
        Scenario {
            kind,
            polarity,
            colour,
            cadence,
            period_factor,
            duty_factor,
            phase,
            gate,
            window_ms,
            sensor,
            sampling,
            ambient,
            ambient_spectrum,
            k_amb,
            flicker,
            led_level,
            led_spectrum,
            k_led,
            pwm,
            overdrive,
            reflectance,
            dark_error,
        }
    }

    /// The `# dark:` values: the mean dark (emissive) or bare-display (reflective) reading.
    pub fn dark(&self) -> Option<Vec<f32>> {
        let e = self.dark_error?;
        let v = self.sensor.channels().map(|i| {
            let x = (self.sensor.offset[i] + self.ambient * self.k_amb[i]) * e[i];
            ((x * 10.0).round() / 10.0) as f32
        });
        Some(v.collect())
    }

    /// One line with every drawn parameter.
    pub fn describe(&self) -> String {
        let s = &self.sensor;
        let t = &self.sampling;
        let f = &self.flicker;
        let mut out = format!(
            "sensor={:?} polarity={:?} light={} cadence={} period_x={:.3} duty_x={:.3} phase={:.3} gate={} \
             rate={}Hz clock_err={:+.4} window={:.2}ms fs={} offset={:.1?} shot_k={:.3} read_sd={:.2} \
             duration={:.0}ms start={:.2}ms jitter_sd={:.2}ms drop={:.3} stalls={:.1?} \
             ambient={:.1} amb_spectrum={} k_amb={:.3?} flicker={:?}/{:.2}Hz/depth{:.3}/phase{:.2}",
            s.kind, self.polarity, self.colour, self.cadence, self.period_factor,
            self.duty_factor, self.phase, self.gate.describe(), t.rate_hz, t.clock_err, self.window_ms,
            s.full_scale, &s.offset[s.channels()], s.shot_k, s.read_sd, t.duration_ms,
            t.start_ms, t.jitter_sd_ms, t.drop_rate, t.stalls, self.ambient,
            self.ambient_spectrum, self.k_amb, f.shape, f.freq_hz, f.depth, f.phase,
        );
        match self.polarity {
            Polarity::Reflective => {
                let _ = write!(out, " reflectance={:.3}", self.reflectance);
            }
            Polarity::Emissive => {
                let _ = write!(
                    out,
                    " led_level={:.1} led_spectrum={} k_led={:.3?}",
                    self.led_level, self.led_spectrum, self.k_led
                );
                let _ = match self.pwm {
                    Some(p) => write!(
                        out,
                        " pwm={:.0}Hz/duty{:.3}/t0{:.3}",
                        1000.0 / p.period_ms,
                        p.duty,
                        p.t0
                    ),
                    None => write!(out, " pwm=none"),
                };
                if let Some(u) = self.overdrive {
                    let _ = write!(out, " overdrive={u:.2}xFS");
                }
            }
        }
        let _ = match self.dark_error {
            Some(e) => write!(out, " dark_error={:.4?}", &e[s.channels()]),
            None => write!(out, " dark=none"),
        };
        out
    }
}
