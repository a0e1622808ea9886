//! The lit/unlit band a sample is judged against: the unlit and lit levels it is drawn
//! between, and the floor their contrast must clear (module docs, step 3).

use super::{
    Stream, CONFIRM_VALUES, DARK_SPREAD_FACTOR, DRIFT_SHARE, ENVELOPE_MIN_SHARE, LEVEL_MIN_SAMPLES,
    REFLECTIVE_FLOOR_SHARE,
};
use crate::observe::judge::{locked_flicker_lift, LOCKED_FLICKER_SHARE, REFLECTIVE_ON_SHARE};
use crate::observe::levels::{
    Band, LIT_COUNTS_ENOUGH, LIT_NOISE_SIGMAS, LIT_SHARE, MIN_DARKENING_COUNTS, MIN_LIT_COUNTS,
    REFLECTIVE_LIT_SHARE,
};
use crate::observe::runs::RunStats;
use crate::observe::Polarity;

/// The least share of the raw noise over a box the judged signal's is taken to be off an
/// envelope, however much the box was seen to cancel of a dark light's (see
/// [`Stream::floor`]).
const BOX_CANCELLING_LEAST: f32 = 0.25;

/// The higher of two levels, either of which may be unknown. (Written out: the band is
/// drawn on every sample, and an iterator chain over the options cost more than the rest
/// of it.)
fn max_known(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The levels a band is drawn between.
#[derive(Debug, Clone, Copy)]
struct Levels {
    lo: f32,
    hi: f32,
    /// The envelope's highest value.
    top: f32,
    lo_from_envelope: bool,
    hi_from_envelope: bool,
}

impl Stream {
    /// The floor a lit level must clear above the unlit one (`envelope`: a level is an
    /// envelope's extreme; `two_sided`: both are, so the noise between them reaches both
    /// ways).
    fn floor(&self, envelope: bool, two_sided: bool) -> f32 {
        if !self.noise.settled {
            return f32::INFINITY;
        }
        // The raw noise averaged over a box (a dark light's, between run levels; every
        // sample's, between an envelope's extremes: a steady lit light's shot noise is in
        // its envelope). Between run levels, what the judged signal of a dark light was
        // seen to do stands instead once known: averaging raw noise over a box assumes
        // independent samples, but flicker the box holds whole periods of cancels
        // exactly (mains at 100 Hz sampled at 200 Hz alternates sample by sample) and
        // clustered samples do not average at all. Off an envelope, the larger of the
        // judged dark noise and the raw noise over a box, scaled by what the box was seen
        // to cancel of the dark's.
        let judged = self.judged_dark_sigma();
        let mut sigma = if envelope {
            let raw = self.noise.sigma.max(self.sigma()) / self.per_box().sqrt();
            if self.dark_signal_noise.settled() {
                // The box does to every sample's noise what it was seen to do to the
                // dark's: where it cancels (judged below the raw noise over a box), the
                // raw estimate is scaled down alike, by at most [`BOX_CANCELLING_LEAST`].
                let dark_over_box = self.sigma() / self.per_box().sqrt();
                let cancels = (judged / dark_over_box).clamp(BOX_CANCELLING_LEAST, 1.0);
                (raw * cancels).max(judged)
            } else {
                raw
            }
        } else {
            judged
        };
        if !envelope && self.box_ms() == 0.0 {
            // Judged sample by sample, a run level is the mean of at least
            // `LEVEL_MIN_SAMPLES` samples (fewer teach no level): its noise is σ/√n. A
            // smoothed value already averages as many.
            sigma /= (LEVEL_MIN_SAMPLES as f32).sqrt();
        }

        let noise = Band::noise_floor(sigma, two_sided).max(self.least_light());
        let anchored = match (self.anchor, self.settings.calibration.polarity) {
            // The light seen at its calibrated dark lately (the envelope's bottom no
            // higher): the room has not drifted up since, and a lit level stands above
            // a dark it was seen at, not one that may have moved.
            (Some(d), Polarity::Emissive) if self.envelope.is_some_and(|(_, b)| b <= d) => 0.0,
            (Some(d), Polarity::Emissive) => DRIFT_SHARE * d.max(0.0),
            (Some(d), Polarity::Reflective) => REFLECTIVE_FLOOR_SHARE * (-d).max(0.0),
            (None, _) => 0.0,
        };
        noise.max(anchored)
    }

    /// The least a light adds to its dark (emissive) or darkens its bare level by
    /// (reflective). For an LED, [`LIT_NOISE_SIGMAS`] σ of one judged value's noise (the
    /// raw noise over a box), within [`MIN_LIT_COUNTS`] and [`LIT_COUNTS_ENOUGH`]; before
    /// the noise is known, [`LIT_COUNTS_ENOUGH`]. (The raw noise, not the judged dark's as seen: a faint
    /// flutter's unlit runs carry its straddled samples, which raised the judged figure
    /// past the light's own contrast, and the band, once drawn, lost it.)
    pub(crate) fn least_light(&self) -> f32 {
        match self.settings.calibration.polarity {
            Polarity::Emissive if self.noise.settled => (LIT_NOISE_SIGMAS * self.sigma()
                / self.per_box().sqrt())
            .clamp(MIN_LIT_COUNTS, LIT_COUNTS_ENOUGH),
            Polarity::Emissive => LIT_COUNTS_ENOUGH,
            Polarity::Reflective => MIN_DARKENING_COUNTS,
        }
    }

    /// The noise σ of the judged signal of a dark light: as seen, once it has been; until
    /// then the raw noise averaged over a box.
    pub(crate) fn judged_dark_sigma(&self) -> f32 {
        if self.dark_signal_noise.settled() {
            self.dark_signal_noise.sigma()
        } else {
            self.sigma() / self.per_box().sqrt()
        }
    }

    /// Where between the levels the turn-on threshold sits (see the constants).
    fn lit_share(&self) -> f32 {
        match self.settings.calibration.polarity {
            Polarity::Emissive => LIT_SHARE,
            Polarity::Reflective => REFLECTIVE_LIT_SHARE,
        }
    }

    /// The floor two run levels must clear to be two states of the light.
    pub(crate) fn run_floor(&self) -> f32 {
        self.floor(false, false)
    }

    /// The lit/unlit band now. The unlit level is the calibrated dark level, or the latest
    /// unlit runs' if the room has brightened since (never below the calibration: flicker
    /// troughs taken for unlit runs must not widen the band), else the envelope's lowest
    /// value. The lit level is the latest lit runs', else (or if they make no band and
    /// the envelope reaches higher) the envelope's highest; an unlit level that makes no
    /// band gives way likewise to the envelope's lowest (see [`Self::band_from`]).
    pub(super) fn band(&self) -> Option<Band> {
        self.band_from(self.levels()?)
    }

    /// The band for sample `v`, or `None` where it is moot (see [`Self::band_is_moot`]):
    /// the levels are worked out once for both.
    pub(super) fn band_for(&self, v: f32) -> Option<Band> {
        let levels = self.levels()?;
        if self.band_is_moot(v, levels) {
            return None;
        }
        self.band_from(levels)
    }

    /// The band drawn from `levels` (see [`Self::band`]).
    fn band_from(&self, levels: Levels) -> Option<Band> {
        self.partly_cleared_band(levels)
            .or_else(|| self.band_between(levels))
            .or_else(|| {
                // A lit level too close to the unlit one to make a band, below an envelope
                // that reaches higher, was learnt from a false run: the light is brighter
                // than that. The envelope's top stands in, with its stricter floor.
                (!levels.hi_from_envelope && levels.top > levels.hi)
                    .then(|| {
                        self.band_between(Levels {
                            hi: levels.top,
                            hi_from_envelope: true,
                            ..levels
                        })
                    })
                    .flatten()
            })
            .or_else(|| {
                // So was an unlit level too close to the lit one, above an envelope that
                // reaches lower: a run cut from a lit light's ripple at false edges, read
                // as dark, would otherwise hold the band shut for good. The envelope's
                // bottom stands in (never below the calibrated dark).
                let lo = self.envelope_unlit_level()?;
                (!levels.lo_from_envelope && lo < levels.lo)
                    .then(|| {
                        self.band_between(Levels {
                            lo,
                            lo_from_envelope: true,
                            ..levels
                        })
                    })
                    .flatten()
            })
    }

    /// An indicator whose liquid crystal clears slower than its bare times last (a wink's
    /// 50 ms against a clearing of 40 ms) never shows its bare level between its lit runs:
    /// each bare time is a partial lightening, well clear of the lit level but short of
    /// the calibration. While the envelope's least darkened value sits above the unlit
    /// level, the band is drawn between it and the lit level, when that clears the
    /// envelope's stricter floor (a held segment's own wander does not). `None` for
    /// anything else.
    fn partly_cleared_band(&self, levels: Levels) -> Option<Band> {
        if self.settings.calibration.polarity != Polarity::Reflective || self.anchor.is_none() {
            return None;
        }
        let (_, bottom) = self.envelope?;
        if bottom <= levels.lo {
            return None;
        }
        self.band_between(Levels {
            lo: bottom,
            lo_from_envelope: true,
            ..levels
        })
    }

    /// The band between `levels` (see [`Self::band`]).
    fn band_between(&self, levels: Levels) -> Option<Band> {
        let Levels {
            lo,
            hi,
            top,
            lo_from_envelope,
            hi_from_envelope,
        } = levels;
        let envelope = lo_from_envelope || hi_from_envelope;
        // Both levels off the envelope: its extremes are two-sided noise; an unlit level
        // known (calibrated, or a run's) leaves one side: how far noise reaches above it.
        let mut floor = self.floor(envelope, lo_from_envelope);
        if envelope {
            // Before runs prove two levels, a wiggle of a few percent of the level is the
            // level's own noise or drift, whatever the noise estimate says.
            floor = floor.max(ENVELOPE_MIN_SHARE * lo.abs().max(hi.abs()));
            // Nor may it be less than what this light, dark, was seen to wander by.
            floor = floor.max(DARK_SPREAD_FACTOR * self.dark_spread);
            // And the envelope must span two levels, or sit wholly above the unlit one: a
            // dark light reading a little above its calibration (the room brightened) is
            // one level, however its noise wanders.
            let (_, bottom) = self.envelope?;
            if hi_from_envelope && top - bottom <= floor && bottom - lo <= floor {
                return None;
            }
        }
        if !floor.is_finite() {
            return None;
        }
        Band::new(lo, hi, floor, self.lit_share())
    }

    /// The unlit level the envelope's bottom gives, never below the calibrated dark (where
    /// an unlit level learnt from a false run gives way: [`Self::band_from`]).
    fn envelope_unlit_level(&self) -> Option<f32> {
        let (_, bottom) = self.envelope?;
        Some(self.anchor.map_or(bottom, |a| a.max(bottom)))
    }

    /// The unlit and lit levels the band is drawn between (see [`Self::band`]).
    // (Inlined: returned through memory, the levels were stored in parts and read back
    // whole on every sample, which the store buffer cannot forward.)
    #[inline(always)]
    fn levels(&self) -> Option<Levels> {
        let (top, bottom) = self.envelope?;
        // The light dark right now shows where dark is, whatever was learnt before.
        // (A dark that has held for a drift limit: not the short off time of a blink.)
        let dark_now = (!self.lit
            && self.open.settled_count() >= CONFIRM_VALUES
            && self.open.duration_ms() >= self.settings.drift_limit_ms)
            .then(|| self.open.plateau())
            .flatten()
            .filter(|_| self.could_be_the_dark(&self.open));
        let lo = max_known(max_known(self.anchor, self.lo_level), dark_now);
        let lo_from_envelope = lo.is_none();
        let lo = lo.unwrap_or(bottom);
        // A lit level the envelope no longer reaches is stale (the light dimmed or went
        // dark): the envelope's top stands in, and it must then clear the stricter floor
        // (two seconds of noise alone have a top).
        let (hi, hi_from_envelope) = match self.hi_level {
            Some(h) if h <= top => (h, false),
            _ => (top, true),
        };
        Some(Levels {
            lo,
            hi,
            top,
            lo_from_envelope,
            hi_from_envelope,
        })
    }

    /// Whether a run the stream holds for dark can be the dark the calibration measured
    /// (a run with no level yet can): an LED's no further above it than the room's drift
    /// and its flicker seen at one phase could lift it ([`DRIFT_SHARE`] and, as far as
    /// the sample rate locks to the mains ([`mains_lock`]) and the run is steady enough
    /// ([`locked_flicker_lift`]), [`LOCKED_FLICKER_SHARE`] of it; at least
    /// [`Self::least_light`]), an indicator's darkened by less than a lit one is
    /// ([`REFLECTIVE_ON_SHARE`] of its bare level). A "dark" run that reads otherwise
    /// held a light the band did not see yet (its levels were still unknown): it says
    /// nothing of where dark is, nor of how far a dark light wanders.
    pub(super) fn could_be_the_dark(&self, run: &RunStats) -> bool {
        let (Some(anchor), Some(level)) = (self.anchor, run.plateau()) else {
            return true;
        };
        match self.settings.calibration.polarity {
            Polarity::Emissive => {
                let drift = DRIFT_SHARE * anchor.max(0.0);
                let most = LOCKED_FLICKER_SHARE * anchor.max(0.0);
                let least = self.least_light();
                let allowance = |lift: f32| (drift + lift).max(least);
                // (Asked on every sample: the lift is worked out only where it decides,
                // between none and the most a flicker can give.)
                let above = level - anchor;
                if above <= allowance(0.0) {
                    true
                } else if above > allowance(most) {
                    false
                } else {
                    above
                        <= allowance(self.locked_lift(run, f64::from(most), f64::from(drift)) as f32)
                }
            }
            Polarity::Reflective => {
                level <= anchor + REFLECTIVE_ON_SHARE as f32 * (-anchor).max(0.0)
            }
        }
    }

    /// How far a flicker swinging at most `most` can lift the mean of a dark `run`, seen
    /// at one phase as far as the sample rate locks to the mains, and no further than the
    /// run is steady enough to allow beside the room's `drift` ([`locked_flicker_lift`]).
    pub(crate) fn locked_lift(&self, run: &RunStats, most: f64, drift: f64) -> f64 {
        locked_flicker_lift(
            self.mains_lock(),
            most,
            run,
            f64::from(self.judged_sigma_erring_high()),
            drift,
        )
    }

    /// The noise σ of the judged signal of a dark light, erring high: the raw noise
    /// over a box, or the dark's as judged, whichever is larger (what a run's spread
    /// beyond it is told against).
    fn judged_sigma_erring_high(&self) -> f32 {
        self.judged_dark_sigma()
            .max(self.noise.sigma / self.per_box().sqrt())
    }

    /// Whether the open run, held dark, can be the calibrated dark (see
    /// [`Self::could_be_the_dark`]).
    pub(super) fn open_could_be_the_dark(&self) -> bool {
        self.could_be_the_dark(&self.open)
    }

    /// Whether the band cannot change what sample `v` does, so [`Self::band`] (its floor
    /// is most of the work per sample) need not be drawn: the first band has been seen, no
    /// edge is pending or drifting, the open run needs no confirming, and `v` is on the
    /// open run's side of every band the levels `l` allow, whatever the floor.
    fn band_is_moot(&self, v: f32, l: Levels) -> bool {
        let quiet = self.banded
            && self.pending.is_none()
            && self.drift.is_none()
            && (self.confirmed || !self.open.edged);
        // (A lit level may give way to the envelope's top, which draws the turn-off
        // threshold higher.)
        let hi = if self.lit { l.top.max(l.hi) } else { l.hi };
        // (An unlit level may give way to the envelope's bottom, which draws the turn-on
        // threshold lower.)
        let lo = match (self.lit, l.lo_from_envelope, self.envelope_unlit_level()) {
            (false, false, Some(bottom)) => l.lo.min(bottom),
            // (A partly cleared band draws the turn-off threshold lower.)
            (true, _, Some(bottom))
                if self.settings.calibration.polarity == Polarity::Reflective =>
            {
                l.lo.max(bottom)
            }
            _ => l.lo,
        };
        quiet && Band::holds_for_any_floor(lo, hi, v, self.lit, self.lit_share())
    }
}

#[cfg(test)]
mod tests {
    use super::super::signal::Noise;
    use super::super::Stream;
    use crate::hw::SensorKind;
    use crate::observe::levels::tests::changes_read;
    use crate::observe::levels::{ChangeNoise, NoiseScale};
    use crate::observe::testgen::table;
    use crate::observe::{Calibration, Classifier, Polarity};

    /// A stream over an uncalibrated RGB sensor at 1 kHz (the classifier's settings for
    /// the cadence table), its noise known.
    fn stream() -> Stream {
        let classifier = Classifier::new(
            &table(),
            Calibration {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: None,
            },
        );
        let mut s = Stream::new(classifier.stream_settings());
        s.dt_ms = 1.0;
        s.noise = Noise {
            settled: true,
            sigma: 7.0,
        };
        s.banded = true;
        s
    }

    /// A noise scale settled on changes of `sigma` (as if Gaussian).
    fn scale(sigma: f32) -> NoiseScale {
        let mut n = NoiseScale::default();
        for k in 0..400 {
            let d = 0.954 * sigma * if k % 2 == 0 { 0.9 } else { 1.1 };
            n.push(d);
        }
        n
    }

    /// A change noise settled on samples of Gaussian noise of `sigma`.
    fn change_noise(sigma: f32) -> ChangeNoise {
        changes_read(&[0.0; 2000], sigma, 9).0
    }

    #[test]
    fn what_the_box_cancels_of_the_dark_s_noise_it_cancels_off_an_envelope() {
        // 100 Hz flicker read at 200 Hz alternates sample by sample: raw changes of 300
        // counts on the dark, which the 20 ms box cancels to 30 on the judged signal. A
        // lit level off the envelope, 500 above the dark, is a band: the raw noise over a
        // box (150) would have asked 4σ, 600, of it.
        let mut s = stream();
        s.dt_ms = 5.0;
        s.noise = Noise {
            settled: true,
            sigma: 100.0,
        };
        s.dark_noise = change_noise(300.0);
        s.dark_signal_noise = scale(30.0);
        s.lit = true;
        s.envelope = Some((540.0, 40.0));
        s.lo_level = Some(40.0);
        let band = s.band().expect("a band");
        assert_eq!((band.lo, band.contrast), (40.0, 500.0));
        // Where the box cancels nothing, the raw noise over a box stands.
        s.dark_signal_noise = scale(150.0);
        assert_eq!(s.band(), None);
    }

    /// A stream whose lit ripple, cut at two false edges, taught an unlit level of 180
    /// beside a lit one of 186 (within the least a light adds), while the envelope reaches from 28 (a flash's off times)
    /// to 190; held `lit` or not.
    fn taught_by_false_runs(lit: bool) -> Stream {
        let mut s = stream();
        s.lit = lit;
        s.envelope = Some((190.0, 28.0));
        s.lo_level = Some(180.0);
        s.hi_level = Some(186.0);
        s
    }

    #[test]
    fn levels_learnt_from_false_runs_give_way_to_the_envelope() {
        // The band is drawn from the envelope's bottom, not held shut.
        let mut s = taught_by_false_runs(true);
        let band = s.band().expect("a band");
        assert_eq!(band.lo, 28.0);
        assert!(band.off > 28.0 && band.off < 180.0, "{band:?}");
        // The same for a lit level learnt from a false run, below an envelope reaching
        // higher.
        s.lo_level = Some(28.0);
        s.hi_level = Some(35.0);
        let band = s.band().expect("a band");
        assert!((band.lo + band.contrast - 190.0).abs() < 1e-3, "{band:?}");
    }

    #[test]
    fn a_moot_band_agrees_with_the_envelope_s_bottom_standing_in() {
        // Held unlit at a level learnt from a false run, with the envelope reaching lower: a
        // sample the band from the envelope's bottom turns on is never taken as moot.
        let s = taught_by_false_runs(false);
        let full = s.band().expect("a band");
        for v in [100.0f32, 150.0, 180.0, 183.0] {
            assert!(
                s.band_for(v).is_some() || full.holds(v, false),
                "v={v}: moot but full band turns on"
            );
        }
    }
}
