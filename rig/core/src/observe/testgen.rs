//! Test-only synthetic traces: a light (colour, blink pattern, changes over time) seen by
//! a sensor with dark offset, Gaussian read noise, timing jitter and dropped samples.
//! Seeded, so every failure replays.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

use crate::hw::{Sample, SensorKind};
use crate::source::SourceText;
use crate::spec::{Cadence, CadenceTable, Colour, Indication, Spec};

use super::{Classifier, Reading, Watch};

/// A seeded uniform [0, 1) stream (a 64-bit LCG) for traces built by hand.
pub(crate) fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / f64::from(1u32 << 31)
    }
}

/// A seeded N(0, 1) stream (Box–Muller on [`uniform`]) for noise added by hand.
pub(crate) fn gaussian(seed: u64) -> impl FnMut() -> f64 {
    let mut next = uniform(seed);
    move || {
        let (u, v) = (next().max(1e-12), next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The shipped cadence table.
pub(crate) fn table() -> CadenceTable {
    let path = Spec::default_dir().join("cadences.csv");
    CadenceTable::parse(&SourceText::read(path).expect("fixtures/cadences.csv"))
        .expect("cadences.csv parses")
}

/// Every colour an RGB sensor can name on a lit light.
pub(crate) const ALL_LIT: [Colour; 5] = [
    Colour::Green,
    Colour::Red,
    Colour::Blue,
    Colour::Amber,
    Colour::Grey,
];

/// When a light is lit, as a function of time since its pattern began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pattern {
    Off,
    Steady,
    Blink {
        on: f64,
        off: f64,
    },
    /// Bursts of `on`/`off` blinking lasting `group_on`, then `group_off` dark.
    Grouped {
        on: f64,
        off: f64,
        group_on: f64,
        group_off: f64,
    },
}

impl Pattern {
    fn lit_at(&self, t: f64) -> bool {
        let blink = |t: f64, on: f64, off: f64| t.rem_euclid(on + off) < on;
        match *self {
            Pattern::Off => false,
            Pattern::Steady => true,
            Pattern::Blink { on, off } => blink(t, on, off),
            Pattern::Grouped {
                on,
                off,
                group_on,
                group_off,
            } => blink(t, group_on, group_off) && blink(t, on, off),
        }
    }

    fn period(&self) -> f64 {
        match *self {
            Pattern::Off | Pattern::Steady => 1.0,
            Pattern::Blink { on, off } => on + off,
            Pattern::Grouped {
                group_on,
                group_off,
                ..
            } => group_on + group_off,
        }
    }

    /// The cadence this pattern is (by the lab's nominal timings).
    fn cadence(&self) -> Option<Cadence> {
        [
            Cadence::Steady,
            Cadence::Flash,
            Cadence::Wink,
            Cadence::Flutter,
            Cadence::BrokenFlutter,
        ]
        .into_iter()
        .find(|&c| cadence_pattern(c) == *self)
    }
}

/// The lab's nominal timings, written out independently of the fixtures.
pub(crate) fn cadence_pattern(cadence: Cadence) -> Pattern {
    match cadence {
        Cadence::Steady => Pattern::Steady,
        Cadence::Flash => Pattern::Blink {
            on: 500.0,
            off: 500.0,
        },
        Cadence::Wink => Pattern::Blink {
            on: 200.0,
            off: 50.0,
        },
        Cadence::Flutter => Pattern::Blink {
            on: 50.0,
            off: 50.0,
        },
        Cadence::BrokenFlutter => Pattern::Grouped {
            on: 50.0,
            off: 50.0,
            group_on: 500.0,
            group_off: 500.0,
        },
    }
}

/// Relative spectrum (r, g, b summing to 1) and brightness of each colour, as the
/// simulator models them (the grey icon is a quarter of an LED).
fn spectrum(colour: Colour) -> ([f32; 3], f32) {
    let (rgb, brightness) = match colour {
        Colour::Green => ([0.12, 1.0, 0.25], 1.0),
        Colour::Red => ([1.0, 0.10, 0.06], 1.0),
        Colour::Blue => ([0.10, 0.30, 1.0], 1.0),
        Colour::Amber => ([1.0, 0.55, 0.05], 1.0),
        Colour::Grey => ([0.85, 1.0, 0.9], 0.25),
        Colour::On | Colour::Off => ([1.0, 1.0, 1.0], 1.0),
    };
    let sum: f32 = rgb.iter().sum();
    (rgb.map(|v| v / sum), brightness)
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    from_ms: f64,
    colour: Colour,
    pattern: Pattern,
    phase_ms: f64,
}

/// A light: a colour and pattern, possibly changing at given times.
#[derive(Debug, Clone)]
pub(crate) struct Light {
    segments: Vec<Segment>,
}

impl Light {
    pub(crate) fn new(colour: Colour, pattern: Pattern) -> Self {
        Self {
            segments: vec![Segment {
                from_ms: f64::NEG_INFINITY,
                colour,
                pattern,
                phase_ms: 0.0,
            }],
        }
    }

    /// Start the first pattern at a random point of its period (traces begin mid-period).
    pub(crate) fn random_phase(mut self, seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed);
        let first = &mut self.segments[0];
        first.phase_ms = rng.random::<f64>() * first.pattern.period();
        self
    }

    /// From `at_ms`, show `pattern` in `colour`, starting `phase_ms` into its period.
    pub(crate) fn then(
        mut self,
        at_ms: f64,
        colour: Colour,
        pattern: Pattern,
        phase_ms: f64,
    ) -> Self {
        self.segments.push(Segment {
            from_ms: at_ms,
            colour,
            pattern,
            phase_ms,
        });
        self
    }

    fn segment_at(&self, t: f64) -> &Segment {
        self.segments
            .iter()
            .rev()
            .find(|s| s.from_ms <= t)
            .unwrap_or(&self.segments[0])
    }

    /// The colour lit at `t`, or `None` when dark.
    pub(crate) fn lit_at(&self, t: f64) -> Option<Colour> {
        let s = self.segment_at(t);
        let local = if s.from_ms.is_finite() {
            t - s.from_ms
        } else {
            t
        };
        s.pattern.lit_at(local + s.phase_ms).then_some(s.colour)
    }

    /// What a correct classifier should say the light shows at `t`.
    pub(crate) fn indication_at(&self, t: f64) -> Indication {
        let s = self.segment_at(t);
        if s.pattern == Pattern::Off {
            return Indication::OFF;
        }
        let cadence = s.pattern.cadence().expect("a pattern of the table");
        Indication::new(s.colour, cadence)
    }
}

/// A simulated sensor (defaults: the simulator's dark 12 counts, noise 4 counts, LED 2000).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sensor {
    hz: f64,
    kind: SensorKind,
    /// Reflective display: its bare level ("on" reads 35% of it).
    bare: Option<f32>,
    led: f32,
    dark: f32,
    noise: f32,
    jitter_ms: f64,
    drop: f64,
}

impl Sensor {
    pub(crate) fn rgbc(hz: f64) -> Self {
        Self {
            hz,
            kind: SensorKind::Rgbc,
            bare: None,
            led: 2000.0,
            dark: 12.0,
            noise: 4.0,
            jitter_ms: 3.0,
            drop: 0.02,
        }
    }

    /// A photodiode: the level in `c` only.
    pub(crate) fn level(hz: f64) -> Self {
        Self {
            kind: SensorKind::Level,
            ..Self::rgbc(hz)
        }
    }

    /// A photodiode over a reflective LCD indicator.
    pub(crate) fn reflective(hz: f64, bare: f32) -> Self {
        Self {
            bare: Some(bare),
            ..Self::level(hz)
        }
    }

    /// The clear-channel counts of a fully lit LED.
    pub(crate) fn with_led(mut self, led: f32) -> Self {
        self.led = led;
        self
    }

    /// What the sensor reads of a dark light in each channel: the room's light on an
    /// unshrouded sensor (12 counts of offset by default).
    pub(crate) fn with_room(mut self, counts: f32) -> Self {
        self.dark = counts;
        self
    }

    /// The σ of each channel's read noise, counts.
    pub(crate) fn with_noise(mut self, sigma: f32) -> Self {
        self.noise = sigma;
        self
    }

    /// Samples of `light` from `t0_ms` for `duration_ms`, sorted by time.
    pub(crate) fn trace(
        &self,
        light: &Light,
        t0_ms: f64,
        duration_ms: f64,
        seed: u64,
    ) -> Vec<Sample> {
        let mut rng = SmallRng::seed_from_u64(seed);
        let noise = Normal::new(0.0f32, self.noise).expect("valid sigma");
        let period = 1000.0 / self.hz;
        // Jitter below half a period keeps the samples in time order.
        let jitter = self.jitter_ms.min(0.4 * period);
        let count = (duration_ms / period).floor() as usize + 1;
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            if rng.random::<f64>() < self.drop {
                continue;
            }
            let t = t0_ms + k as f64 * period + (rng.random::<f64>() * 2.0 - 1.0) * jitter;
            let mut read = || noise.sample(&mut rng);
            out.push(self.read(light.lit_at(t), t, &mut read));
        }
        out
    }

    fn read(&self, lit: Option<Colour>, t_ms: f64, noise: &mut impl FnMut() -> f32) -> Sample {
        if let Some(bare) = self.bare {
            let level = if lit.is_some() { 0.35 * bare } else { bare };
            return Sample {
                t_ms,
                c: level + noise(),
                ..Sample::default()
            };
        }
        let (rgb, brightness) = lit.map_or(([0.0; 3], 0.0), spectrum);
        let light = rgb.map(|v| v * brightness * self.led);
        let c = self.dark + light.iter().sum::<f32>() + noise();
        match self.kind {
            SensorKind::Level => Sample {
                t_ms,
                c,
                ..Sample::default()
            },
            SensorKind::Rgbc => Sample {
                t_ms,
                r: self.dark + light[0] + noise(),
                g: self.dark + light[1] + noise(),
                b: self.dark + light[2] + noise(),
                c,
            },
        }
    }
}

/// Replay a trace into a [`Watch`] in chunks of `chunk_ms` (as the runner does), calling
/// `f(time of the newest sample, reading)` after each chunk.
pub(crate) fn watch_timeline(
    classifier: Classifier,
    trace: &[Sample],
    chunk_ms: f64,
    mut f: impl FnMut(f64, Reading),
) {
    let mut watch = Watch::new(classifier);
    let Some(first) = trace.first() else {
        return;
    };
    let mut next = first.t_ms + chunk_ms;
    let mut i = 0;
    while i < trace.len() {
        let j = i + trace[i..].partition_point(|s| s.t_ms < next);
        if j > i {
            watch.push(&trace[i..j]);
            f(trace[j - 1].t_ms, watch.current());
        }
        i = j;
        next += chunk_ms;
    }
}
