//! Simulated optics: from a light's indication timeline to noisy sensor samples.
//!
//! - [`Timeline`]: what a light showed and since when (bench ms). The system appends to it
//!   at the exact time of each change; it only grows.
//! - [`BlinkTimings`]: the cadence table as "is the light lit `x` ms into its pattern".
//!   A pattern starts (lit) when its indication begins.
//! - [`Response`]: what a sensor reads for each colour: emissive LEDs and icons add
//!   light over the sensor's dark counts; the reflective LCD indicator darkens the
//!   ambient light it reflects.
//! - [`SampleStream`]: one sensor's sampling: a fixed-rate grid from its cursor, small
//!   timestamp jitter, Gaussian read noise, from a seeded PRNG of its own. It keeps an
//!   index into the timeline so a sample costs a few flops and no allocation.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};

use crate::bench::SensorBank;
use crate::hw::{Sample, SensorKind};
use crate::spec::{Cadence, CadenceTable, Colour, Indication};

/// Sample timestamps wander this much (ms) around the nominal grid.
pub(crate) const JITTER_MS: f64 = 0.3;

/// Share of the ambient level a lit reflective indicator still reflects.
const REFLECTIVE_LIT: f32 = 0.35;

/// A light's indications over time: `(since_ms, indication)`, in time order.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    entries: Vec<(f64, Indication)>,
}

impl Timeline {
    pub(crate) fn new(t_ms: f64, ind: Indication) -> Self {
        Self {
            entries: vec![(t_ms, ind)],
        }
    }

    pub(crate) fn current(&self) -> Indication {
        self.entries
            .last()
            .expect("a timeline starts with an entry")
            .1
    }

    /// Record that the light shows `ind` from `t_ms` on. No entry for "no change", so a
    /// blink keeps its phase; a second change at the same instant replaces the first.
    pub(crate) fn set(&mut self, t_ms: f64, ind: Indication) {
        if self.current() == ind {
            return;
        }
        if self.entries.len() > 1 && self.entries.last().is_some_and(|e| e.0 >= t_ms) {
            self.entries.pop();
            if self.current() == ind {
                return;
            }
        }
        self.entries.push((t_ms, ind));
    }

    #[cfg(test)]
    pub(crate) fn entries(&self) -> &[(f64, Indication)] {
        &self.entries
    }
}

/// One cadence's timing. `period == 0`: steady. `group_period == 0`: not grouped.
#[derive(Debug, Clone, Copy, Default)]
struct Blink {
    on: f64,
    period: f64,
    group_on: f64,
    group_period: f64,
}

impl Blink {
    fn lit_at(&self, phase_ms: f64) -> bool {
        let mut p = phase_ms.max(0.0);
        if self.group_period > 0.0 {
            p %= self.group_period;
            if p >= self.group_on {
                return false;
            }
        }
        self.period <= 0.0 || p % self.period < self.on
    }
}

/// The cadence table, ready for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct BlinkTimings {
    by_cadence: [Blink; 5],
}

impl BlinkTimings {
    pub(crate) fn new(table: &CadenceTable) -> Self {
        let mut by_cadence = [Blink::default(); 5];
        for c in Cadence::ALL {
            let row = table.get(c);
            let (on, off) = (row.on_ms.unwrap_or(0.0), row.off_ms.unwrap_or(0.0));
            let (gon, goff) = (
                row.group_on_ms.unwrap_or(0.0),
                row.group_off_ms.unwrap_or(0.0),
            );
            by_cadence[cadence_index(c)] = if c == Cadence::Steady {
                Blink::default()
            } else {
                Blink {
                    on,
                    period: on + off,
                    group_on: gon,
                    group_period: gon + goff,
                }
            };
        }
        Self { by_cadence }
    }

    /// Whether a light showing `ind` since `since_ms` is lit at `t_ms`.
    pub(crate) fn is_lit(&self, ind: Indication, since_ms: f64, t_ms: f64) -> bool {
        ind.colour.is_lit() && self.by_cadence[cadence_index(ind.cadence)].lit_at(t_ms - since_ms)
    }
}

fn cadence_index(c: Cadence) -> usize {
    match c {
        Cadence::Steady => 0,
        Cadence::Flash => 1,
        Cadence::Wink => 2,
        Cadence::Flutter => 3,
        Cadence::BrokenFlutter => 4,
    }
}

fn colour_index(c: Colour) -> usize {
    match c {
        Colour::Off => 0,
        Colour::Green => 1,
        Colour::Red => 2,
        Colour::Blue => 3,
        Colour::Grey => 4,
        Colour::Amber => 5,
        Colour::On => 6,
    }
}

/// Relative r:g:b of each colour, and its intensity against a fully lit LED.
fn spectrum(c: Colour) -> ([f32; 3], f32) {
    match c {
        Colour::Off => ([0.0; 3], 0.0),
        Colour::Green => ([0.12, 1.0, 0.25], 1.0),
        Colour::Red => ([1.0, 0.10, 0.06], 1.0),
        Colour::Blue => ([0.10, 0.30, 1.0], 1.0),
        Colour::Amber => ([1.0, 0.55, 0.05], 1.0),
        // The touch-screen's idle icon: lit, unsaturated, dim.
        Colour::Grey => ([0.85, 1.0, 0.9], 0.25),
        // A lit light of no particular colour: white-ish.
        Colour::On => ([1.0, 1.0, 0.95], 1.0),
    }
}

/// Mean counts `[r, g, b, c]` a sensor reads for each colour while it is lit, and while dark.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    lit: [[f32; 4]; 7],
}

impl Response {
    /// `reflective`: the light is an LCD indicator that darkens the ambient light.
    pub(crate) fn new(bank: &SensorBank, reflective: bool) -> Self {
        let o = &bank.sim;
        let mut lit = [[0.0; 4]; 7];
        for c in Colour::ALL {
            let (rgb, intensity) = spectrum(c);
            lit[colour_index(c)] = match (reflective, bank.kind) {
                (false, SensorKind::Rgbc) => {
                    // Clear sees the whole light: r+g+b share it, a full LED reads `full`.
                    let sum: f32 = rgb.iter().sum::<f32>().max(f32::EPSILON);
                    let share = |x: f32| o.dark + o.full * intensity * x / sum;
                    [
                        share(rgb[0]),
                        share(rgb[1]),
                        share(rgb[2]),
                        o.dark + o.full * intensity,
                    ]
                }
                (false, SensorKind::Level) => [0.0, 0.0, 0.0, o.dark + o.full * intensity],
                (true, kind) => {
                    let level = if c.is_lit() {
                        o.ambient * REFLECTIVE_LIT
                    } else {
                        o.ambient
                    };
                    match kind {
                        SensorKind::Rgbc => {
                            let third = o.dark + level / 3.0;
                            [third, third, third, o.dark + level]
                        }
                        SensorKind::Level => [0.0, 0.0, 0.0, level],
                    }
                }
            };
        }
        Self { lit }
    }

    fn mean(&self, colour: Colour) -> [f32; 4] {
        self.lit[colour_index(colour)]
    }
}

/// One sensor's sampling state.
#[derive(Debug)]
pub(crate) struct SampleStream {
    kind: SensorKind,
    period_ms: f64,
    /// Nominal time of sample 0 of the current grid; sample k is at `start + k·period`.
    start_ms: f64,
    k: u64,
    /// Index of the timeline entry in force at the last sample (timelines only grow).
    seg: usize,
    rng: SmallRng,
    noise: Option<Normal<f32>>,
    response: Response,
}

impl SampleStream {
    pub(crate) fn new(bank: &SensorBank, reflective: bool, seed: u64, start_ms: f64) -> Self {
        // The bench loader keeps noise finite (rig::limits); no noise rather than a panic
        // for a bank built some other way.
        let noise = (bank.sim.noise > 0.0)
            .then(|| Normal::new(0.0, bank.sim.noise).ok())
            .flatten();
        Self {
            kind: bank.kind,
            period_ms: 1000.0 / bank.sample_hz,
            start_ms,
            k: 0,
            seg: 0,
            rng: SmallRng::seed_from_u64(seed),
            noise,
            response: Response::new(bank, reflective),
        }
    }

    /// Restart the grid at `now_ms` without producing the samples before it.
    pub(crate) fn skip_to(&mut self, now_ms: f64) {
        self.start_ms = now_ms;
        self.k = 0;
    }

    /// Append the samples due up to `now_ms`. `light`: the watched light's timeline and
    /// the cadence timings; `None` for an unwired channel, which sees darkness.
    pub(crate) fn fill(
        &mut self,
        light: Option<(&Timeline, &BlinkTimings)>,
        now_ms: f64,
        out: &mut Vec<Sample>,
    ) {
        // The last sample's jittered time must not pass `now`.
        let last_ok = now_ms - JITTER_MS;
        let first = self.start_ms + self.k as f64 * self.period_ms;
        if first > last_ok {
            return;
        }
        out.reserve(((last_ok - first) / self.period_ms) as usize + 1);
        loop {
            let nominal = self.start_ms + self.k as f64 * self.period_ms;
            if nominal > last_ok {
                break;
            }
            let t = nominal + self.rng.random_range(-JITTER_MS..=JITTER_MS);
            let colour = match light {
                Some((timeline, blink)) => {
                    let (since, ind) = self.entry_at(timeline, t);
                    if blink.is_lit(ind, since, t) {
                        ind.colour
                    } else {
                        Colour::Off
                    }
                }
                None => Colour::Off,
            };
            out.push(self.read(t, self.response.mean(colour)));
            self.k += 1;
        }
    }

    /// The timeline entry in force at `t`, moving the index forward only.
    fn entry_at(&mut self, timeline: &Timeline, t: f64) -> (f64, Indication) {
        let e = &timeline.entries;
        while self.seg + 1 < e.len() && e[self.seg + 1].0 <= t {
            self.seg += 1;
        }
        e[self.seg]
    }

    fn read(&mut self, t_ms: f64, mean: [f32; 4]) -> Sample {
        let mut v = mean;
        if let Some(n) = self.noise {
            let channels = if self.kind == SensorKind::Rgbc {
                0..4
            } else {
                3..4
            };
            for x in &mut v[channels] {
                *x = (*x + n.sample(&mut self.rng)).max(0.0);
            }
        }
        Sample {
            t_ms,
            r: v[0],
            g: v[1],
            b: v[2],
            c: v[3],
        }
    }
}

/// A PRNG seed for one sensor channel: the bench seed mixed with the channel's name.
pub(crate) fn channel_seed(seed: u64, device: &str, channel: u32) -> u64 {
    // FNV-1a over the name, then splitmix64: stable across Rust versions (unlike std's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.bytes().chain(channel.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{Backend, SimOptics};
    use crate::spec::Spec;

    fn bank(kind: SensorKind) -> SensorBank {
        SensorBank {
            id: "s".into(),
            backend: Backend::Sim,
            driver: crate::bench::SensorDriver::Sim,
            kind,
            channels: 1,
            sample_hz: 200.0,
            sim: SimOptics::default(),
        }
    }

    fn blink() -> BlinkTimings {
        BlinkTimings::new(&Spec::load(Spec::default_dir()).unwrap().cadences)
    }

    fn ind(s: &str) -> Indication {
        s.parse().unwrap()
    }

    /// Samples of one light showing `s` from t=0, over `ms`.
    fn samples(kind: SensorKind, reflective: bool, s: &str, ms: f64) -> Vec<Sample> {
        let timeline = Timeline::new(0.0, ind(s));
        let mut stream = SampleStream::new(&bank(kind), reflective, 7, 0.0);
        let mut out = Vec::new();
        stream.fill(Some((&timeline, &blink())), ms, &mut out);
        out
    }

    fn lit_share(samples: &[Sample]) -> f64 {
        let lit = samples.iter().filter(|s| s.c > 1000.0).count();
        lit as f64 / samples.len() as f64
    }

    #[test]
    fn cadences_have_their_duty_cycle() {
        let b = blink();
        let share = |s: &str| {
            let i = ind(s);
            (0..10_000)
                .filter(|&ms| b.is_lit(i, 0.0, ms as f64 + 0.5))
                .count() as f64
                / 10_000.0
        };
        assert_eq!(share("green steady"), 1.0);
        assert_eq!(share("off"), 0.0);
        assert_eq!(share("green flash"), 0.5);
        assert_eq!(share("green wink"), 0.8);
        assert_eq!(share("green flutter"), 0.5);
        assert_eq!(share("green broken-flutter"), 0.25);
        // A blink starts lit when its indication begins.
        assert!(b.is_lit(ind("red flash"), 1000.0, 1000.1));
        assert!(!b.is_lit(ind("red flash"), 1000.0, 1500.1));
    }

    #[test]
    fn samples_follow_the_grid_with_small_jitter_and_never_pass_now() {
        let s = samples(SensorKind::Rgbc, false, "green steady", 1000.0);
        assert_eq!(s.len(), 200);
        for (k, x) in s.iter().enumerate() {
            assert!(
                (x.t_ms - k as f64 * 5.0).abs() <= JITTER_MS + 1e-9,
                "{k}: {}",
                x.t_ms
            );
            assert!(x.t_ms <= 1000.0);
        }
    }

    #[test]
    fn rgb_samples_carry_the_colour_and_a_full_clear_level() {
        let mean = |s: &[Sample]| {
            let n = s.len() as f32;
            let sum = s.iter().fold([0.0f32; 4], |a, x| {
                [a[0] + x.r, a[1] + x.g, a[2] + x.b, a[3] + x.c]
            });
            sum.map(|v| v / n)
        };
        let green = mean(&samples(SensorKind::Rgbc, false, "green steady", 500.0));
        assert!(
            green[1] > 3.0 * green[0] && green[1] > 3.0 * green[2],
            "{green:?}"
        );
        assert!((green[3] - 4012.0).abs() < 20.0, "{green:?}");
        let red = mean(&samples(SensorKind::Rgbc, false, "red steady", 500.0));
        assert!(red[0] > 5.0 * red[1], "{red:?}");
        let grey = mean(&samples(SensorKind::Rgbc, false, "grey steady", 500.0));
        assert!(grey[3] > 500.0 && grey[3] < 1500.0, "dim but lit: {grey:?}");
        let off = mean(&samples(SensorKind::Rgbc, false, "off", 500.0));
        assert!(off.iter().all(|&v| (v - 12.0).abs() < 3.0), "{off:?}");
    }

    #[test]
    fn a_reflective_indicator_reads_darker_when_on() {
        let off = samples(SensorKind::Level, true, "off", 500.0);
        let on = samples(SensorKind::Level, true, "on steady", 500.0);
        assert!(off
            .iter()
            .all(|s| (s.c - 1800.0).abs() < 30.0 && s.r == 0.0));
        assert!(on.iter().all(|s| (s.c - 630.0).abs() < 30.0));
    }

    #[test]
    fn a_blink_is_seen_in_the_samples() {
        assert!(
            (lit_share(&samples(SensorKind::Rgbc, false, "green flash", 10_000.0)) - 0.5).abs()
                < 0.02
        );
        assert!(
            (lit_share(&samples(SensorKind::Rgbc, false, "red wink", 10_000.0)) - 0.8).abs() < 0.02
        );
    }

    #[test]
    fn samples_switch_at_the_timeline_change_and_discard_skips() {
        let mut timeline = Timeline::new(0.0, Indication::OFF);
        timeline.set(100.0, ind("green steady"));
        let (b, bank) = (blink(), bank(SensorKind::Rgbc));
        let mut stream = SampleStream::new(&bank, false, 1, 0.0);
        let mut out = Vec::new();
        stream.fill(Some((&timeline, &b)), 200.0, &mut out);
        for s in &out {
            assert_eq!(s.c > 1000.0, s.t_ms >= 100.0, "{s:?}");
        }
        stream.skip_to(1000.0);
        out.clear();
        stream.fill(Some((&timeline, &b)), 1100.0, &mut out);
        assert_eq!(out.len(), 20);
        assert!(out[0].t_ms >= 1000.0 - JITTER_MS);
    }

    #[test]
    fn the_same_seed_gives_the_same_samples() {
        assert_eq!(
            samples(SensorKind::Rgbc, false, "red flash", 300.0),
            samples(SensorKind::Rgbc, false, "red flash", 300.0)
        );
        assert_ne!(channel_seed(1, "rgb", 0), channel_seed(1, "rgb", 1));
        assert_ne!(channel_seed(1, "rgb", 0), channel_seed(2, "rgb", 0));
    }

    #[test]
    fn timeline_records_changes_only() {
        let mut t = Timeline::new(0.0, Indication::OFF);
        t.set(10.0, Indication::OFF);
        t.set(20.0, ind("green"));
        t.set(20.0, ind("red"));
        t.set(30.0, ind("red"));
        assert_eq!(t.entries(), &[(0.0, Indication::OFF), (20.0, ind("red"))]);
        t.set(40.0, ind("green"));
        t.set(40.0, ind("red"));
        assert_eq!(t.entries().len(), 2);
    }
}
