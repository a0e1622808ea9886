//! The physical model: a light, the ambient light around it, a sensor and its sampling,
//! rendered into samples (see the module docs of [`crate::tracegen`] for the noise model).

use std::f64::consts::{FRAC_PI_2, PI};

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::Polarity;
#[cfg(test)]
use crate::spec::Indication;
use crate::spec::{Cadence, Colour};

use super::{Header, Trace};

/// When a light is lit, as a function of the time since its pattern began (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pattern {
    Off,
    Steady,
    /// `on_ms` lit, then `off_ms` dark, repeated (starting lit).
    Blink {
        on_ms: f64,
        off_ms: f64,
    },
    /// Bursts of `on_ms`/`off_ms` blinking lasting `group_on_ms`, then `group_off_ms` dark.
    Grouped {
        on_ms: f64,
        off_ms: f64,
        group_on_ms: f64,
        group_off_ms: f64,
    },
}

impl Pattern {
    /// The lab's nominal timings, written out independently of `fixtures/cadences.csv`
    /// (the corpus is the truth a lab's table is checked against, not derived from it).
    pub fn nominal(cadence: Cadence) -> Pattern {
        match cadence {
            Cadence::Steady => Pattern::Steady,
            Cadence::Flash => Pattern::Blink {
                on_ms: 500.0,
                off_ms: 500.0,
            },
            Cadence::Wink => Pattern::Blink {
                on_ms: 200.0,
                off_ms: 50.0,
            },
            Cadence::Flutter => Pattern::Blink {
                on_ms: 50.0,
                off_ms: 50.0,
            },
            Cadence::BrokenFlutter => Pattern::Grouped {
                on_ms: 50.0,
                off_ms: 50.0,
                group_on_ms: 500.0,
                group_off_ms: 500.0,
            },
        }
    }

    /// Every time of the pattern times `k` (a phone whose blink clock runs slow or fast).
    pub(crate) fn scaled(self, k: f64) -> Pattern {
        match self {
            Pattern::Off | Pattern::Steady => self,
            Pattern::Blink { on_ms, off_ms } => Pattern::Blink {
                on_ms: on_ms * k,
                off_ms: off_ms * k,
            },
            Pattern::Grouped {
                on_ms,
                off_ms,
                group_on_ms,
                group_off_ms,
            } => Pattern::Grouped {
                on_ms: on_ms * k,
                off_ms: off_ms * k,
                group_on_ms: group_on_ms * k,
                group_off_ms: group_off_ms * k,
            },
        }
    }

    /// The repeat period (the group period for a grouped pattern); `None` when still.
    pub(crate) fn period_ms(&self) -> Option<f64> {
        match *self {
            Pattern::Off | Pattern::Steady => None,
            Pattern::Blink { on_ms, off_ms } => Some(on_ms + off_ms),
            Pattern::Grouped {
                group_on_ms,
                group_off_ms,
                ..
            } => Some(group_on_ms + group_off_ms),
        }
    }

    pub(crate) fn lit_at(&self, t_ms: f64) -> bool {
        let blink = |t: f64, on: f64, off: f64| t.rem_euclid(on + off) < on;
        match *self {
            Pattern::Off => false,
            Pattern::Steady => true,
            Pattern::Blink { on_ms, off_ms } => blink(t_ms, on_ms, off_ms),
            Pattern::Grouped {
                on_ms,
                off_ms,
                group_on_ms,
                group_off_ms,
            } => {
                let in_group = t_ms.rem_euclid(group_on_ms + group_off_ms);
                in_group < group_on_ms && blink(in_group, on_ms, off_ms)
            }
        }
    }
}

/// Pulse-width modulation of an LED's drive (dimming).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pwm {
    pub(crate) hz: f64,
    /// Share of each PWM period the LED is driven, 0..=1.
    pub(crate) duty: f64,
    /// Where in its period the PWM is at t = 0, 0..1.
    pub(crate) phase: f64,
}

impl Pwm {
    #[inline]
    fn on_at(&self, t_ms: f64) -> bool {
        (t_ms * self.hz / 1000.0 + self.phase).rem_euclid(1.0) < self.duty
    }

    pub(crate) fn period_ms(&self) -> f64 {
        1000.0 / self.hz
    }
}

/// One lit state of an emissive light: an LED colour or the touch-screen's grey icon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Emitter {
    /// The colour a correct classifier names (the label).
    pub colour: Colour,
    /// Counts per ms of integration at gain 1×, per channel `[r, g, b, c]`, while the LED
    /// is driven (the peak of a PWM pulse; the mean is `duty` times this).
    pub response: [f64; 4],
    pub pwm: Option<Pwm>,
}

impl Emitter {
    #[inline]
    fn drive_at(&self, t_ms: f64) -> bool {
        self.pwm.is_none_or(|p| p.on_at(t_ms))
    }
}

/// From `from_ms` on, the light shows `pattern` in `colour`, `phase_ms` into its period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Act {
    pub from_ms: f64,
    /// The emitter (an entry of [`Scene::emitters`] of this colour); ignored by a reflective
    /// indicator, which only darkens.
    pub colour: Colour,
    pub pattern: Pattern,
    pub phase_ms: f64,
}

/// What the sensor looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Light {
    /// LEDs or a backlit icon: light added over the ambient light the sensor also sees.
    Emissive { acts: Vec<Act> },
    /// The M/T-Series LCD indicator: reflects a share `bare` of the ambient light, and
    /// `on` (a smaller share: "on" is darker) while lit.
    Reflective { bare: f64, on: f64, acts: Vec<Act> },
}

impl Light {
    pub fn acts(&self) -> &[Act] {
        match self {
            Light::Emissive { acts } | Light::Reflective { acts, .. } => acts,
        }
    }

    pub(crate) fn polarity(&self) -> Polarity {
        match self {
            Light::Emissive { .. } => Polarity::Emissive,
            Light::Reflective { .. } => Polarity::Reflective,
        }
    }

    /// The act in force at `t_ms` (acts are in time order; the first holds before it).
    fn act_at(&self, t_ms: f64) -> &Act {
        let acts = self.acts();
        let i = acts.partition_point(|a| a.from_ms <= t_ms);
        &acts[i.saturating_sub(1)]
    }

    /// The colour lit at `t_ms`, if any (blink pattern only; PWM aside).
    pub(crate) fn lit_at(&self, t_ms: f64) -> Option<Colour> {
        let a = self.act_at(t_ms);
        // The first act has always been on: its pattern runs from t = 0.
        let since = if a.from_ms.is_finite() {
            t_ms - a.from_ms
        } else {
            t_ms
        };
        a.pattern.lit_at(since + a.phase_ms).then_some(a.colour)
    }

    /// The indication the light shows at `t_ms` (what a correct classifier says once it
    /// has seen enough of it). A reflective indicator or a level sensor shows `on`, never a
    /// colour: pass `colourless`.
    #[cfg(test)]
    pub(crate) fn indication_at(&self, t_ms: f64, colourless: bool) -> Indication {
        let a = self.act_at(t_ms);
        let cadence = match a.pattern {
            Pattern::Off => return Indication::OFF,
            p => cadence_of(p),
        };
        let colour = if colourless { Colour::On } else { a.colour };
        Indication::new(colour, cadence)
    }
}

/// The table cadence a pattern is a (possibly scaled) copy of.
#[cfg(test)]
fn cadence_of(p: Pattern) -> Cadence {
    match p {
        Pattern::Off | Pattern::Steady => Cadence::Steady,
        Pattern::Blink { on_ms, off_ms } => {
            let duty = on_ms / (on_ms + off_ms);
            if duty > 0.65 {
                Cadence::Wink
            } else if on_ms + off_ms > 400.0 {
                Cadence::Flash
            } else {
                Cadence::Flutter
            }
        }
        Pattern::Grouped { .. } => Cadence::BrokenFlutter,
    }
}

/// Mains flicker of the room's light: full-wave rectified, so at twice the mains frequency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flicker {
    /// 100 (50 Hz mains) or 120 (60 Hz mains).
    pub(crate) hz: f64,
    /// Modulation depth 0..=1: the light dips to `1 − depth` of its mean at the zero
    /// crossings and peaks at `1 + depth·(π/2 − 1)`.
    pub(crate) depth: f64,
    /// Mains phase at t = 0, radians.
    pub(crate) phase: f64,
}

/// The room's light as the sensor sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ambient {
    /// Mean counts per ms at gain 1×, per channel `[r, g, b, c]`: for an emissive light the
    /// ambient leaking past the shroud; for a reflective indicator the light falling on it.
    pub response: [f64; 4],
    pub(crate) flicker: Option<Flicker>,
}

impl Ambient {
    #[cfg(test)]
    pub(crate) const NONE: Ambient = Ambient {
        response: [0.0; 4],
        flicker: None,
    };

    /// The ambient level at `t_ms` relative to its mean (mean 1 over a flicker period).
    #[inline]
    fn factor(&self, t_ms: f64) -> f64 {
        match self.flicker {
            None => 1.0,
            Some(f) => {
                // |sin| of the mains: period 1/f_flicker = half a mains period.
                let s = (PI * f.hz * t_ms / 1000.0 + f.phase).sin().abs();
                1.0 - f.depth + f.depth * FRAC_PI_2 * s
            }
        }
    }
}

/// A light sensor: a TCS34725-like RGB+clear sensor or a photodiode on an ADS1115-like ADC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensorModel {
    pub(crate) kind: SensorKind,
    /// Analogue gain (TCS34725: 1, 4, 16, 60; the ADC's PGA for a photodiode).
    pub gain: f64,
    /// Each sample integrates the light over this long before its timestamp (ms).
    pub integration_ms: f64,
    /// Counts clip here (TCS34725: min(65535, 1024 × integration cycles of 2.4 ms)).
    pub full_scale: f64,
    /// Counts with no light at all, per channel `[r, g, b, c]`.
    pub(crate) offset: [f64; 4],
    /// Read noise, counts (1σ).
    pub(crate) read_noise: f64,
    /// Photo-electrons per count at gain 1×: shot noise variance = signal × gain / this.
    pub(crate) electrons_per_count: f64,
}

impl SensorModel {
    /// The TCS34725's clip level for an integration time.
    pub(crate) fn tcs_full_scale(integration_ms: f64) -> f64 {
        (1024.0 * (integration_ms / 2.4).max(1.0 / 1024.0))
            .floor()
            .min(65535.0)
    }
}

/// When the host reads the sensor, and which reads are lost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    pub(crate) rate_hz: f64,
    /// Bench time of the first nominal read (ms).
    pub start_ms: f64,
    pub(crate) duration_ms: f64,
    /// Each read comes up to this late (uniform), ms: the host's scheduling latency.
    pub(crate) jitter_ms: f64,
    /// Share of reads that come later still (up to 3 × jitter more): a busy bus.
    pub(crate) late_p: f64,
    /// Share of reads lost (I2C error, buffer overrun).
    pub(crate) drop_p: f64,
    /// Share of reads that start a burst of 2 or 3 lost reads.
    pub(crate) burst_p: f64,
}

/// Everything that makes one trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub light: Light,
    /// One per colour the acts use (emissive lights).
    pub emitters: Vec<Emitter>,
    pub ambient: Ambient,
    pub sensor: SensorModel,
    pub sampling: Sampling,
    /// Write the `# dark:` line (the bench's calibration), measured with this relative
    /// error (1σ): a calibration taken a while ago under slightly different light.
    pub(crate) dark_line: Option<f64>,
}

impl Scene {
    /// The light's mean reading with the light dark (emissive) or of the bare display
    /// (reflective), per channel: what a careful calibration measures.
    pub(crate) fn true_dark(&self) -> [f64; 4] {
        let s = &self.sensor;
        let share = match self.light {
            Light::Emissive { .. } => 1.0,
            Light::Reflective { bare, .. } => bare,
        };
        let mut d = [0.0; 4];
        for (ch, v) in d.iter_mut().enumerate() {
            *v = (s.offset[ch] + s.gain * s.integration_ms * self.ambient.response[ch] * share)
                .min(s.full_scale);
        }
        d
    }

    /// Render the trace: deterministic for a seed.
    pub fn render(&self, seed: u64) -> Trace {
        let mut rng = SmallRng::seed_from_u64(seed);
        let unit = Normal::new(0.0f64, 1.0).expect("a valid normal");
        let sp = &self.sampling;
        let period = 1000.0 / sp.rate_hz;
        let count = (sp.duration_ms / period).floor() as usize + 1;
        let mut samples = Vec::with_capacity(count);
        let mut last_t = f64::NEG_INFINITY;
        let mut lost = 0u32;
        for k in 0..count {
            let nominal = sp.start_ms + k as f64 * period;
            let mut t = nominal + rng.random::<f64>() * sp.jitter_ms;
            if rng.random::<f64>() < sp.late_p {
                t += rng.random::<f64>() * 3.0 * sp.jitter_ms.max(1.0);
            }
            // Reads are sequential; timestamps have 0.1 ms resolution.
            t = (t * 10.0).round() / 10.0;
            if t <= last_t {
                t = last_t + 0.1;
            }
            last_t = t;
            if lost > 0 {
                lost -= 1;
                continue;
            }
            if rng.random::<f64>() < sp.burst_p {
                lost = rng.random_range(1..3);
                continue;
            }
            if rng.random::<f64>() < sp.drop_p {
                continue;
            }
            let mean = self.mean_counts(t);
            let mut v = [0.0f32; 4];
            let channels = match self.sensor.kind {
                SensorKind::Rgbc => 0..4,
                SensorKind::Level => 3..4,
            };
            for ch in channels {
                v[ch] = self.read(mean[ch], ch, unit.sample(&mut rng));
            }
            samples.push(Sample {
                t_ms: (t * 10.0).round() / 10.0,
                r: v[0],
                g: v[1],
                b: v[2],
                c: v[3],
            });
        }
        Trace {
            header: self.header(&mut rng),
            samples,
        }
    }

    fn header(&self, rng: &mut SmallRng) -> Header {
        let dark = self.dark_line.map(|err| {
            let noise = Normal::new(0.0f64, err.max(0.0)).expect("a valid normal");
            let d = self
                .true_dark()
                .map(|v| ((v * (1.0 + noise.sample(rng))).max(0.0) * 10.0).round() as f32 / 10.0);
            match self.sensor.kind {
                SensorKind::Rgbc => DarkLevel::Rgbc(d),
                SensorKind::Level => DarkLevel::Level(d[3]),
            }
        });
        Header {
            kind: self.sensor.kind,
            polarity: self.light.polarity(),
            dark,
        }
    }

    /// A noisy, quantised, clipped reading of channel `ch` whose mean is `mean` counts.
    fn read(&self, mean: f64, ch: usize, z: f64) -> f32 {
        let s = &self.sensor;
        let signal = (mean - s.offset[ch]).max(0.0);
        let var = s.read_noise * s.read_noise + signal * s.gain / s.electrons_per_count;
        (mean + z * var.sqrt()).round().clamp(0.0, s.full_scale) as f32
    }

    /// Mean counts of a read at `t_ms`: the light integrated over the window before it.
    fn mean_counts(&self, t_ms: f64) -> [f64; 4] {
        let s = &self.sensor;
        let t_int = s.integration_ms;
        // Fine enough for the fastest PWM and the mains ripple.
        let mut dt_max: f64 = 0.05;
        for e in &self.emitters {
            if let Some(p) = e.pwm {
                dt_max = dt_max.min(p.period_ms() / 40.0);
            }
        }
        let steps = (t_int / dt_max).ceil().max(1.0) as usize;
        let dt = t_int / steps as f64;
        let mut sum = [0.0f64; 4];
        for i in 0..steps {
            let tau = t_ms - t_int + (i as f64 + 0.5) * dt;
            let amb = self.ambient.factor(tau);
            match &self.light {
                Light::Emissive { .. } => {
                    for (ch, acc) in sum.iter_mut().enumerate() {
                        *acc += self.ambient.response[ch] * amb;
                    }
                    if let Some(colour) = self.light.lit_at(tau) {
                        if let Some(e) = self.emitter(colour) {
                            if e.drive_at(tau) {
                                for (ch, acc) in sum.iter_mut().enumerate() {
                                    *acc += e.response[ch];
                                }
                            }
                        }
                    }
                }
                Light::Reflective { bare, on, .. } => {
                    let share = if self.light.lit_at(tau).is_some() {
                        *on
                    } else {
                        *bare
                    };
                    for (ch, acc) in sum.iter_mut().enumerate() {
                        *acc += self.ambient.response[ch] * amb * share;
                    }
                }
            }
        }
        let mut out = [0.0; 4];
        for ch in 0..4 {
            out[ch] = s.offset[ch] + s.gain * sum[ch] * dt;
        }
        out
    }

    fn emitter(&self, colour: Colour) -> Option<&Emitter> {
        self.emitters.iter().find(|e| e.colour == colour)
    }

    /// What a correct classifier says at the end of the trace (given enough evidence).
    #[cfg(test)]
    pub(crate) fn final_indication(&self) -> Indication {
        let colourless =
            self.sensor.kind == SensorKind::Level || matches!(self.light, Light::Reflective { .. });
        self.light.indication_at(
            self.sampling.start_ms + self.sampling.duration_ms,
            colourless,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn green(pwm: Option<Pwm>) -> Emitter {
        Emitter {
            colour: Colour::Green,
            response: [10.0, 80.0, 20.0, 110.0],
            pwm,
        }
    }

    /// A quiet sensor (no noise to speak of) at 200 Hz over a steady light.
    fn scene(light: Light, emitters: Vec<Emitter>, ambient: Ambient) -> Scene {
        Scene {
            light,
            emitters,
            ambient,
            sensor: SensorModel {
                kind: SensorKind::Rgbc,
                gain: 4.0,
                integration_ms: 2.4,
                full_scale: SensorModel::tcs_full_scale(2.4),
                offset: [1.0, 1.0, 1.0, 2.0],
                read_noise: 0.0,
                electrons_per_count: 1e12,
            },
            sampling: Sampling {
                rate_hz: 200.0,
                start_ms: 0.0,
                duration_ms: 1000.0,
                jitter_ms: 0.0,
                late_p: 0.0,
                drop_p: 0.0,
                burst_p: 0.0,
            },
            dark_line: Some(0.0),
        }
    }

    fn steady(colour: Colour) -> Light {
        Light::Emissive {
            acts: vec![Act {
                from_ms: f64::NEG_INFINITY,
                colour,
                pattern: Pattern::Steady,
                phase_ms: 0.0,
            }],
        }
    }

    fn mean_c(t: &Trace) -> f64 {
        t.samples.iter().map(|s| f64::from(s.c)).sum::<f64>() / t.samples.len() as f64
    }

    #[test]
    fn patterns_have_the_table_duty_and_scale() {
        let duty = |p: Pattern| {
            (0..10_000).filter(|&ms| p.lit_at(ms as f64 + 0.5)).count() as f64 / 10_000.0
        };
        assert_eq!(duty(Pattern::nominal(Cadence::Wink)), 0.8);
        assert_eq!(duty(Pattern::nominal(Cadence::Flutter)), 0.5);
        assert_eq!(duty(Pattern::nominal(Cadence::BrokenFlutter)), 0.25);
        let slow = Pattern::nominal(Cadence::Flash).scaled(1.1);
        assert_eq!(slow.period_ms(), Some(1100.0));
        assert_eq!(cadence_of(slow), Cadence::Flash);
        assert_eq!(
            cadence_of(Pattern::nominal(Cadence::Wink).scaled(0.85)),
            Cadence::Wink
        );
    }

    #[test]
    fn a_steady_led_reads_offset_plus_gain_times_integrated_light() {
        let s = scene(steady(Colour::Green), vec![green(None)], Ambient::NONE);
        let t = s.render(1);
        assert_eq!(t.samples.len(), 201);
        // c = 2 + 4 × 2.4 ms × 110 = 1058, clipped at 1024 (one 2.4 ms cycle).
        assert!(t.samples.iter().all(|x| x.c == 1024.0));
        assert!(t
            .samples
            .iter()
            .all(|x| (x.g - (1.0 + 4.0 * 2.4 * 80.0)).abs() <= 1.0));
        assert_eq!(t.header.dark, Some(DarkLevel::Rgbc([1.0, 1.0, 1.0, 2.0])));
        assert_eq!(t, s.render(1), "deterministic for a seed");
    }

    #[test]
    fn pwm_reads_its_duty_on_average_and_ripples_within_two_to_one() {
        let pwm = Pwm {
            hz: 730.0,
            duty: 0.3,
            phase: 0.2,
        };
        let mut s = scene(steady(Colour::Green), vec![green(Some(pwm))], Ambient::NONE);
        s.emitters[0].response = [1.0, 8.0, 2.0, 11.0].map(|v| v * 5.0);
        s.sampling.jitter_ms = 2.0;
        let t = s.render(3);
        let full = 2.0 + 4.0 * 2.4 * 55.0;
        let m = mean_c(&t);
        assert!((m - 2.0 - 0.3 * (full - 2.0)).abs() < 0.03 * full, "{m}");
        // A 2.4 ms window holds one or two 1.37 ms PWM periods' pulses.
        let (lo, hi) = t.samples.iter().fold((f32::MAX, f32::MIN), |(lo, hi), x| {
            (lo.min(x.c), hi.max(x.c))
        });
        assert!(hi / lo <= 2.1 && lo > 0.0, "{lo}..{hi}");
    }

    #[test]
    fn flicker_averages_to_the_ambient_mean_and_dips_by_its_depth() {
        let amb = Ambient {
            response: [0.0, 0.0, 0.0, 50.0],
            flicker: Some(Flicker {
                hz: 100.0,
                depth: 1.0,
                phase: 0.0,
            }),
        };
        let period: f64 = 10.0;
        let n = 10_000;
        let mean = (0..n)
            .map(|i| amb.factor(i as f64 * period / n as f64))
            .sum::<f64>()
            / n as f64;
        assert!((mean - 1.0).abs() < 1e-3, "{mean}");
        assert!(amb.factor(0.0).abs() < 1e-9);
        assert!((amb.factor(5.0) - FRAC_PI_2).abs() < 1e-9);
        // A dark light under it: the trace swings, its dark line is the mean.
        let s = scene(steady(Colour::Green), vec![], amb);
        let s = Scene {
            light: Light::Emissive {
                acts: vec![Act {
                    from_ms: f64::NEG_INFINITY,
                    colour: Colour::Green,
                    pattern: Pattern::Off,
                    phase_ms: 0.0,
                }],
            },
            ..s
        };
        // Reads at random phases (else 200 Hz reads see 100 Hz flicker at two phases only).
        let mut s = s;
        s.sampling.jitter_ms = 5.0;
        s.sampling.duration_ms = 10_000.0;
        let t = s.render(2);
        let m = mean_c(&t);
        let mean = 2.0 + 4.0 * 2.4 * 50.0;
        assert!((m - mean).abs() < 0.03 * mean, "{m}");
        let spread = t.samples.iter().map(|x| x.c).fold(f32::MIN, f32::max)
            - t.samples.iter().map(|x| x.c).fold(f32::MAX, f32::min);
        assert!(f64::from(spread) > 0.9 * mean, "{spread}");
    }

    #[test]
    fn a_reflective_indicator_reads_darker_when_on() {
        let amb = Ambient {
            response: [0.0, 0.0, 0.0, 50.0],
            flicker: None,
        };
        let lcd = |pattern| Light::Reflective {
            bare: 1.0,
            on: 0.3,
            acts: vec![Act {
                from_ms: f64::NEG_INFINITY,
                colour: Colour::On,
                pattern,
                phase_ms: 0.0,
            }],
        };
        let mut s = scene(lcd(Pattern::Steady), vec![], amb);
        s.sensor.kind = SensorKind::Level;
        s.sensor.full_scale = 32767.0;
        let on = mean_c(&s.render(1));
        s.light = lcd(Pattern::Off);
        let off = mean_c(&s.render(1));
        assert!((on - 2.0 - 0.3 * (off - 2.0)).abs() < 1.0, "{on} {off}");
        assert_eq!(s.render(1).header.polarity, Polarity::Reflective);
        assert_eq!(s.final_indication(), Indication::OFF);
    }

    #[test]
    fn reads_come_late_in_order_and_some_are_lost() {
        let mut s = scene(steady(Colour::Green), vec![green(None)], Ambient::NONE);
        s.sampling.jitter_ms = 3.0;
        s.sampling.drop_p = 0.05;
        s.sampling.duration_ms = 20_000.0;
        let t = s.render(9);
        let n = t.samples.len() as f64;
        assert!((n / 4001.0 - 0.95).abs() < 0.02, "{n}");
        assert!(t.samples.windows(2).all(|w| w[0].t_ms < w[1].t_ms));
        assert!(t
            .samples
            .iter()
            .all(|x| ((x.t_ms * 10.0).round() - x.t_ms * 10.0).abs() < 1e-6));
    }
}
