//! Levels: what the stream knows about the signal's levels, kept up to date as samples
//! arrive (O(1) amortised work per sample, bounded memory).
//!
//! - [`NoiseScale`]: how much the raw signal moves from one sample to the next while the
//!   light holds still (read and shot noise, PWM ripple, flicker sampled at random phases).
//!   A running median of `|Δv|`, so the rare edges do not inflate it.
//! - [`Extremes`]: the highest and lowest smoothed value over the last
//!   [`ENVELOPE_PERIODS`] slowest periods (monotonic deques). Until the stream has seen both
//!   a lit and an unlit run, they say where the two levels may be.
//! - [`Band`]: the lit/unlit thresholds the segmenter uses, from the levels and the floor
//!   no measurement lowers (see [`Band::new`]).

/// The running median moves by this share of itself per sample: it follows a change of
/// noise within ~100 samples and an edge moves it by 3%.
const MEDIAN_STEP: f32 = 0.03;
/// median |Δ| of two independent N(0, σ²) reads is 0.954 σ.
const MEDIAN_ABS_DIFF_PER_SIGMA: f32 = 0.954;
/// Noise floor (counts): integer readings of a noiseless light still differ by rounding.
pub(super) const MIN_SIGMA: f32 = 0.5;
/// A deque never holds more than this many points, whatever the sample rate claimed.
const MAX_POINTS: usize = 16_384;

/// Robust scale of sample-to-sample change.
#[derive(Debug, Clone, Default)]
pub(super) struct NoiseScale {
    median: f32,
    seen: u32,
    /// The first changes, whose median starts the running one.
    first: [f32; WARMUP],
}

/// Changes before the running median starts (their median is its start).
const WARMUP: usize = 9;

impl NoiseScale {
    pub(crate) fn push(&mut self, delta: f32) {
        let d = delta.abs();
        if !d.is_finite() {
            return;
        }
        if (self.seen as usize) < WARMUP {
            self.first[self.seen as usize] = d;
            self.seen += 1;
            if self.seen as usize == WARMUP {
                let mut sorted = self.first;
                sorted.sort_by(f32::total_cmp);
                self.median = sorted[WARMUP / 2];
            }
            return;
        }
        self.seen = self.seen.saturating_add(1);
        let m = self.median.max(MIN_SIGMA * 0.1);
        // (Without branches: a change is above or below the median at random.)
        let step = if d > m { MEDIAN_STEP } else { -MEDIAN_STEP };
        self.median = m * (1.0 + step);
    }

    /// Whether it has seen enough changes to be believed.
    pub(crate) fn settled(&self) -> bool {
        self.seen as usize >= WARMUP
    }

    /// σ of one raw sample (read noise as if Gaussian), at least [`MIN_SIGMA`].
    pub(crate) fn sigma(&self) -> f32 {
        self.sigma_at_least(MIN_SIGMA)
    }

    /// The same, at least `floor` (for a signal not in counts).
    pub(crate) fn sigma_at_least(&self, floor: f32) -> f32 {
        if !self.settled() {
            let k = self.seen as usize;
            let mut sorted = self.first;
            sorted[..k].sort_by(f32::total_cmp);
            let m = if k == 0 { 0.0 } else { sorted[k / 2] };
            return (m / MEDIAN_ABS_DIFF_PER_SIGMA).max(floor);
        }
        (self.median / MEDIAN_ABS_DIFF_PER_SIGMA).max(floor)
    }
}

/// The mean `|Δv|` between consecutive samples within one state's runs, as σ: what a
/// sharp step must stand clear of. A mean, not [`NoiseScale`]'s median: a lit run's
/// changes are often heavy-tailed (a PWM beating with the window, channels converted in
/// turn), and a step must clear their large changes, not the typical one. (Each change
/// is clipped at thrice the mean so far, and the stream counts it a sample late: the
/// change into an edge's straddled sample is no measure of the run.)
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct MeanChange {
    mean: f32,
    seen: u32,
}

/// mean |Δ| of two independent N(0, σ²) reads is 2σ/√π.
const MEAN_ABS_DIFF_PER_SIGMA: f32 = 1.128;
/// Changes a [`MeanChange`] must see to be believed...
const MEAN_CHANGE_WARMUP: u32 = 8;
/// ...after which each moves it this share of the way (a plain mean before).
const MEAN_CHANGE_WEIGHT: f32 = 0.125;

impl MeanChange {
    /// The next change; `least_sigma` is the least σ it is clipped against (asked only
    /// where the change is more than thrice the mean: see [`Self::clips`]).
    pub(crate) fn push(&mut self, delta: f32, least_sigma: f32) {
        let d = delta.abs();
        if !d.is_finite() {
            return;
        }
        let weight = if self.seen >= MEAN_CHANGE_WARMUP {
            MEAN_CHANGE_WEIGHT
        } else {
            self.seen += 1;
            1.0 / self.seen as f32
        };
        let clip = 3.0 * self.mean.max(MEAN_ABS_DIFF_PER_SIGMA * least_sigma);
        self.mean += weight * (d.min(clip) - self.mean);
    }

    /// Whether `delta` is more than thrice the mean: only then does the least σ it is
    /// clipped against matter.
    pub(crate) fn clips(&self, delta: f32) -> bool {
        delta.abs() > 3.0 * self.mean
    }

    /// Whether it has seen enough changes to be believed.
    pub(crate) fn settled(&self) -> bool {
        self.seen >= MEAN_CHANGE_WARMUP
    }

    /// σ of one sample, were the changes Gaussian noise.
    pub(crate) fn sigma(&self) -> f32 {
        self.mean / MEAN_ABS_DIFF_PER_SIGMA
    }
}

/// The σ of one raw sample from its changes, robust to a light that moves smoothly
/// between samples: two [`NoiseScale`]s, one of the changes and one of the changes of
/// changes. A ramp (a liquid crystal turning over tens of ms, read at 100 Hz) moves every
/// change by its slope, which the changes' scale takes for noise, but its changes of
/// changes only by its curvature; a step (an LED switching) moves one change and two
/// changes of changes, so a fast blink read a few samples a run inflates the second
/// more. Noise alone gives both the same σ (a change of changes of independent noise has
/// √3 times a change's: it is scaled by [`SECOND_DIFFERENCE_SCALE`]). The second stands
/// in only where it reads far less ([`RAMP_RATIO`]).
#[derive(Debug, Clone, Default)]
pub(super) struct ChangeNoise {
    first: NoiseScale,
    second: NoiseScale,
    /// The change before the latest, while the changes are consecutive.
    before: Option<f32>,
}

/// The changes of changes read below this share of the changes only where smooth
/// movement fills the changes: independent noise reads 1, noise that wanders as a
/// random walk (each change independent) 0.82, a ramp far less. (Taking the lower of the
/// two always would take the lower of two noisy estimates of one σ, biased low.)
const RAMP_RATIO: f32 = 0.7;

/// Until this many changes of changes are seen, they stand in only below
/// [`RAMP_RATIO_EARLY`] of the changes: medians of a few changes of one noise differ
/// widely by chance, and a noise figure read a third low cuts noise into runs for the
/// second its running median takes to grow back. (Pure noise read after 10 to 26
/// changes, 500 times: under [`RAMP_RATIO`] the lower was taken in 547 of 8500 reads,
/// under [`RAMP_RATIO_EARLY`] in 88; `noise_alone_rarely_passes_for_a_ramp_in_its_first_changes`.)
const RAMP_WARMUP: u32 = 3 * WARMUP as u32;
/// (A slow display's ramps read about 0.6 of their changes early on, in
/// `the_change_noise_reads_the_noise_through_a_slow_display_s_ramps`: the second stands
/// in for them once it has seen [`RAMP_WARMUP`].)
const RAMP_RATIO_EARLY: f32 = 0.5;

/// `1/√3`: a change of changes of independent noise read as a change is.
const SECOND_DIFFERENCE_SCALE: f32 = 0.577_350_3;

impl ChangeNoise {
    /// The next change, following the one pushed before.
    pub(crate) fn push(&mut self, delta: f32) {
        self.first.push(delta);
        if let Some(before) = self.before {
            self.second.push((delta - before) * SECOND_DIFFERENCE_SCALE);
        }
        self.before = Some(delta);
    }

    /// The next change follows none pushed: no change of changes spans the break.
    pub(crate) fn break_chain(&mut self) {
        self.before = None;
    }

    /// Settled with the changes' scale: the second, a change behind, joins when it is.
    pub(crate) fn settled(&self) -> bool {
        self.first.settled()
    }

    /// Whether it has seen [`RAMP_WARMUP`] changes: enough to stand for one state's
    /// noise in place of a figure read from every change (see `Stream::sigma`).
    pub(crate) fn believed(&self) -> bool {
        self.first.seen >= RAMP_WARMUP
    }

    /// σ of one raw sample, at least [`MIN_SIGMA`]: the changes' scale, unless the
    /// changes of changes read less than [`RAMP_RATIO`] of it ([`RAMP_RATIO_EARLY`]
    /// until they are [`RAMP_WARMUP`]; once the changes' has settled, the second, a
    /// change behind, reads the median of what it has).
    pub(crate) fn sigma(&self) -> f32 {
        let first = self.first.sigma();
        if !self.first.settled() {
            return first;
        }
        let second = self.second.sigma();
        let ratio = if self.second.seen < RAMP_WARMUP {
            RAMP_RATIO_EARLY
        } else {
            RAMP_RATIO
        };
        if second < ratio * first {
            second
        } else {
            first
        }
    }
}

/// Sliding maximum and minimum of a signal over a time window.
#[derive(Debug, Clone)]
pub(super) struct Extremes {
    window_ms: f64,
    max: Points,
    min: Points,
    /// The latest samples' highest and lowest, not yet in the deques: (first time, last
    /// time, highest, lowest). A block of [`BLOCK_MS`] enters them as one point.
    block: Option<(f64, f64, f32, f32)>,
}

/// Samples this close together enter the envelope as one point (its highest and lowest):
/// the deques then do their work once per block, and the window's edge moves by less than
/// 0.5% of the shortest envelope.
const BLOCK_MS: f64 = 4.0;

/// A deque of (t, v) points kept as a vector and the index of its front. The envelope
/// pushes and pops at both ends on every sample: this makes each a compare and a step
/// (no ring to wrap around). The dead front is dropped once it is most of the vector.
#[derive(Debug, Clone, Default)]
struct Points {
    buf: Vec<(f64, f32)>,
    head: usize,
}

impl Points {
    fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    fn front(&self) -> Option<&(f64, f32)> {
        self.buf.get(self.head)
    }

    fn back(&self) -> Option<&(f64, f32)> {
        self.buf.last().filter(|_| self.buf.len() > self.head)
    }

    fn push_back(&mut self, p: (f64, f32)) {
        self.buf.push(p);
    }

    fn pop_back(&mut self) {
        if self.buf.len() > self.head {
            self.buf.pop();
        }
    }

    fn pop_front(&mut self) {
        if self.head < self.buf.len() {
            self.head += 1;
        }
        if self.head >= 64 && 2 * self.head >= self.buf.len() {
            self.buf.drain(..self.head);
            self.head = 0;
        }
    }
}

impl Extremes {
    pub(crate) fn new(window_ms: f64) -> Self {
        Self {
            window_ms,
            max: Points::default(),
            min: Points::default(),
            block: None,
        }
    }

    pub(crate) fn push(&mut self, t_ms: f64, v: f32) {
        match &mut self.block {
            Some((first, last, hi, lo)) if t_ms - *first < BLOCK_MS => {
                *last = t_ms;
                *hi = hi.max(v);
                *lo = lo.min(v);
            }
            _ => {
                if let Some((_, last, hi, lo)) = self.block.take() {
                    self.enter(last, hi, lo, t_ms);
                }
                self.block = Some((t_ms, t_ms, v, v));
            }
        }
    }

    /// A block's extremes into the deques, stamped with its last sample's time; what left
    /// the window by `now` leaves them.
    fn enter(&mut self, t_ms: f64, hi: f32, lo: f32, now: f64) {
        while self.max.back().is_some_and(|&(_, m)| m <= hi) {
            self.max.pop_back();
        }
        while self.min.back().is_some_and(|&(_, m)| m >= lo) {
            self.min.pop_back();
        }
        self.max.push_back((t_ms, hi));
        self.min.push_back((t_ms, lo));
        let oldest = now - self.window_ms;
        for q in [&mut self.max, &mut self.min] {
            while q.len() > MAX_POINTS || q.front().is_some_and(|&(t, _)| t < oldest) {
                q.pop_front();
            }
        }
    }

    pub(crate) fn max(&self) -> Option<f32> {
        let block = self.block.map(|b| b.2);
        match (self.max.front().map(|&(_, v)| v), block) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub(crate) fn min(&self) -> Option<f32> {
        let block = self.block.map(|b| b.3);
        match (self.min.front().map(|&(_, v)| v), block) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Two levels known from runs (or a calibrated dark level) must be this many noise sigmas
/// (of the smoothed signal) apart: a dark sample crosses once in ~30 000, and a crossing
/// on one sample is a glitch anyway. (It is also the one-sided floor of an envelope's top
/// above a known unlit level.)
const K_SIGMA: f32 = 4.0;
/// Two levels read off an envelope (its highest and lowest values) must be this many:
/// the extremes of two seconds of Gaussian noise are ±3.3σ apart (6.6σ), and noise alone
/// must never look like two levels (integer readings of a few counts, which wander
/// further than their median change says, are kept apart by the count floors).
const K_SIGMA_ENVELOPE: f32 = 7.0;
/// ...and at least this many counts above an emissive light's dark (its `# dark:` line,
/// or the unlit runs'), however quiet the sensor: integer readings of a few counts
/// wander by a count or two more than their median change says...
pub(super) const MIN_LIT_COUNTS: f32 = 12.0;
/// ...and at least this many σ of one judged value's noise (the band cuts on single
/// values: a dark one reaches that far up about once in 30 000). A dim room's faint
/// LED, five σ clear of its dark of 20-40 counts (10-20 counts), is plain to see in its
/// trace; a fixed floor of 20 counts refused it, and without a dark line read it "off"...
pub(super) const LIT_NOISE_SIGMAS: f32 = 4.0;
/// ...but never more than this many counts, a light's contrast enough whatever the noise
/// (the fixed floor before `Stream::least_light`); this many too before the noise is
/// known.
pub(super) const LIT_COUNTS_ENOUGH: f32 = 20.0;
/// ...or this many below a reflective indicator's bare level (its contrast is the room
/// light's: a dim room gives a few tens of counts, which its own floor, a share of the
/// bare level, guards).
pub(super) const MIN_DARKENING_COUNTS: f32 = 4.0;
/// The turn-on threshold sits this share of the way from the unlit to the lit level: low,
/// because a PWM-dimmed LED read through a short integration window ripples far below its
/// mean (a 1 ms window can miss a 500 Hz pulse), while an unlit light only moves by its
/// noise and flicker, which the floor covers.
pub(super) const LIT_SHARE: f32 = 0.3;
/// A reflective indicator has no PWM: it darkens or not, and what moves its readings is
/// the room light's flicker and drift, which move the bare level (the unlit one) most.
/// Its turn-on threshold sits halfway, so the bare level's wander stays well below it.
pub(super) const REFLECTIVE_LIT_SHARE: f32 = 0.5;
/// An emissive light turns unlit below this share of the turn-on threshold's height.
const HYSTERESIS: f32 = 0.6;

/// Thresholds on the (smoothed) signal: lit above `on`, unlit again below `off`. `None`
/// when the signal shows no contrast above its floor (one level: nothing to segment).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Band {
    pub(crate) lo: f32,
    pub(crate) contrast: f32,
    pub(crate) on: f32,
    pub(crate) off: f32,
}

impl Band {
    /// From the unlit level `lo`, the lit level `hi` and the floor a lit level must clear
    /// (noise, and what the dark light's own flicker can reach: see the segmenter).
    pub(crate) fn new(lo: f32, hi: f32, floor: f32, lit_share: f32) -> Option<Band> {
        let contrast = hi - lo;
        // (NaN contrast or floor: no band either.)
        if contrast.partial_cmp(&floor) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let height = floor.max(lit_share * contrast);
        Some(Band {
            lo,
            contrast,
            on: lo + height,
            off: lo + HYSTERESIS * height,
        })
    }

    /// The floor from noise alone, `sigma` being the judged signal's; `two_sided`: both
    /// levels are an envelope's extremes (its span is noise both ways), not means.
    pub(crate) fn noise_floor(sigma: f32, two_sided: bool) -> f32 {
        let k = if two_sided { K_SIGMA_ENVELOPE } else { K_SIGMA };
        k * sigma
    }

    /// Whether `v` stays on its side: not below `off` when `lit`, not above `on` when not.
    pub(crate) fn holds(&self, v: f32, lit: bool) -> bool {
        if lit {
            v >= self.off
        } else {
            v <= self.on
        }
    }

    /// Whether `v` [holds](Self::holds) in every band [`Band::new`] can draw between `lo`
    /// and `hi`, whatever the floor (a band needs a floor below the contrast, so its
    /// height is from `lit_share` of the contrast to all of it; rounding is monotonic).
    pub(crate) fn holds_for_any_floor(lo: f32, hi: f32, v: f32, lit: bool, lit_share: f32) -> bool {
        let contrast = hi - lo;
        // (NaN levels: no answer here either.)
        if contrast.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return false;
        }
        if lit {
            v >= lo + HYSTERESIS * contrast
        } else {
            v <= lo + lit_share * contrast
        }
    }

    /// How lit `v` is: 0 at the unlit level, 1 at the lit one.
    pub(crate) fn share(&self, v: f32) -> f64 {
        f64::from(((v - self.lo) / self.contrast).clamp(0.0, 1.0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `signal` plus Gaussian noise of `sigma`, sample by sample (drawn from `seed`): its
    /// changes read by a [`ChangeNoise`] and by a [`NoiseScale`] alone.
    pub(crate) fn changes_read(signal: &[f32], sigma: f32, seed: u64) -> (ChangeNoise, NoiseScale) {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let noise = Normal::new(0.0f32, sigma).unwrap();
        let (mut both, mut changes) = (ChangeNoise::default(), NoiseScale::default());
        let mut prev = None;
        for &v in signal {
            let x = v + noise.sample(&mut rng);
            if let Some(p) = prev {
                both.push(x - p);
                changes.push(x - p);
            }
            prev = Some(x);
        }
        (both, changes)
    }

    /// The σ [`changes_read`] reads through `signal` with noise of σ 10.
    fn noise_read_through(signal: &[f32]) -> (f32, f32) {
        let (both, changes) = changes_read(signal, 10.0, 5);
        (both.sigma(), changes.sigma())
    }

    #[test]
    fn a_mean_change_reads_gaussian_noise_and_barely_moves_for_one_step() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        let noise = Normal::new(0.0f32, 10.0).unwrap();
        let mut mean = MeanChange::default();
        let mut prev = noise.sample(&mut rng);
        let mut reads = Vec::new();
        for i in 0..2000 {
            assert_eq!(mean.settled(), i >= MEAN_CHANGE_WARMUP as usize);
            let x = noise.sample(&mut rng);
            mean.push(x - prev, MIN_SIGMA);
            prev = x;
            reads.push(mean.sigma());
        }
        // A running mean of the last eight or so changes: near σ on average, never far.
        let average = reads[100..].iter().sum::<f32>() / (reads.len() - 100) as f32;
        assert!((9.0..11.0).contains(&average), "{average}");
        assert!(reads[100..].iter().all(|&s| (4.0..20.0).contains(&s)));
        // A step of 100σ counts as three times the mean so far, no more.
        let before = mean.sigma();
        mean.push(1000.0, MIN_SIGMA);
        assert!(mean.sigma() <= before * (1.0 + 2.0 * MEAN_CHANGE_WEIGHT) + 0.01);
    }

    #[test]
    fn noise_alone_rarely_passes_for_a_ramp_in_its_first_changes() {
        // Noise alone, 500 times, read after its first 10 to 26 changes: the changes'
        // and their changes' medians of so few differ widely by chance, and the lower
        // must not stand in for the noise without a ramp plainly in the changes. Taking
        // the changes of changes wherever they read under 0.7 of the changes did so in
        // 6.4% of these reads (547 of 8500; now 1%, 88), and a figure read low cuts noise
        // into runs.
        let mut lower = 0;
        let mut reads = 0;
        for seed in 0..500 {
            for n in (WARMUP + 2)..=(RAMP_WARMUP as usize) {
                let (both, changes) = changes_read(&vec![0.0; n], 10.0, seed);
                reads += 1;
                lower += usize::from(both.sigma() < changes.sigma());
            }
        }
        assert!(lower * 40 < reads, "{lower} of {reads} took the lower");
    }

    #[test]
    fn the_change_noise_reads_the_noise_through_a_slow_display_s_ramps() {
        // Noise alone: both scales read it (a running median wanders by a tenth or so),
        // and the changes' stands (the lower of the two would be biased low).
        let (alone, changes) = noise_read_through(&[0.0; 4000]);
        assert_eq!(alone, changes);
        assert!((7.5..13.5).contains(&alone), "{alone}");
        // A 300-count flutter (five samples a state) through a display that turns with a
        // time constant of 4.5 samples: every change moves by the ramp, and the changes
        // read it as noise; their changes see only its curvature.
        let mut x = 0.0f32;
        let ramps: Vec<f32> = (0..4000)
            .map(|k| {
                let target = if (k / 5) % 2 == 0 { 0.0 } else { 300.0 };
                x = target + (x - target) * (-1.0f32 / 4.5).exp();
                x
            })
            .collect();
        let (through, changes) = noise_read_through(&ramps);
        assert!(changes > 25.0, "{changes}");
        assert!(through < 16.0, "{through}");
        // Changes that stop soon after (an unlit run's, when the run ends): the second,
        // a change behind, not yet settled, still stands in once it has seen enough not
        // to read low by chance.
        let (through, changes) = noise_read_through(&ramps[..RAMP_WARMUP as usize + 3]);
        assert!(through < RAMP_RATIO * changes, "{through} of {changes}");
        // An LED's steps, five samples a state: the changes of changes, which each step
        // moves twice, stand aside. (A step every five changes lifts the changes' median
        // a little.)
        let steps: Vec<f32> = (0..4000)
            .map(|k| if (k / 5) % 2 == 0 { 0.0 } else { 300.0 })
            .collect();
        let (through, changes) = noise_read_through(&steps);
        assert_eq!(through, changes);
        assert!((7.5..16.0).contains(&through), "{through}");
    }

    #[test]
    fn the_noise_scale_follows_gaussian_noise_and_ignores_rare_edges() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        let noise = Normal::new(0.0f32, 10.0).unwrap();
        let mut scale = NoiseScale::default();
        let mut prev = 0.0;
        for i in 0..5000 {
            let edge = if (i / 50) % 2 == 0 { 0.0 } else { 1000.0 };
            let v = edge + noise.sample(&mut rng);
            scale.push(v - prev);
            prev = v;
        }
        let s = scale.sigma();
        assert!((8.0..12.5).contains(&s), "{s}");
    }

    #[test]
    fn extremes_forget_what_left_the_window() {
        let mut e = Extremes::new(100.0);
        for (t, v) in [(0.0, 5.0), (50.0, 1.0), (90.0, 3.0), (160.0, 2.0)] {
            e.push(t, v);
        }
        // 5 at t=0 and 1 at t=50 have left the window (60..160).
        assert_eq!(e.max(), Some(3.0));
        assert_eq!(e.min(), Some(2.0));
    }

    #[test]
    fn a_band_needs_contrast_above_its_floor_and_sits_low() {
        assert_eq!(Band::new(100.0, 140.0, 50.0, LIT_SHARE), None);
        let b = Band::new(100.0, 1100.0, 50.0, LIT_SHARE).unwrap();
        assert_eq!(b.on, 100.0 + 300.0);
        assert_eq!(b.off, 100.0 + 180.0);
        assert_eq!(b.share(600.0), 0.5);
        // A floor above the share wins.
        let b = Band::new(0.0, 200.0, 100.0, LIT_SHARE).unwrap();
        assert_eq!(b.on, 100.0);
    }
}
