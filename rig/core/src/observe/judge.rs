//! Reading the stream's runs: what the light shows at the end of the evidence.
//!
//! The runs are named (colour above the reference, neighbours of one colour joined) and
//! handed to the cadence matcher ([`super::cadence::Model::judge`]). One case needs more:
//! evidence with no edge at all. Whether one level is lit cannot come from a contrast;
//! it comes from the level itself ([`one_level_is_lit`]):
//!
//! - **Emissive, calibrated** ([`emissive_reach`]): lit when its mean (with the mains
//!   flicker the lock-in fitted taken off) is above the dark level by more than a light
//!   adds ([`Stream::least_light`]: 4σ of a value's noise, 12 to 20 counts; or the room's
//!   drift, [`DRIFT_SHARE`] of the dark level, or 5σ of the mean's noise) and — when the mains
//!   flicker is a multiple of the sample rate, so the sensor may see it at one phase for
//!   the whole trace — [`LOCKED_FLICKER_SHARE`] of the dark level (a 30%-deep flicker
//!   lifts a reading by at most 30%: a sinusoid at its crest), or a fifth of that when
//!   only its second harmonic is ([`mains_lock`]; a room seen flickering at one mains
//!   frequency has no flicker at the other). Dark when no higher than a dark light reads:
//!   drift, noise, [`DARK_WANDER_COUNTS`] and that lift. A level between the two is a dim
//!   LED, the dark seen at the flicker's crest, or the mean of a dim blink whose steps the
//!   band could not cut: not enough evidence. (Calling it dark read dim LEDs "off", a
//!   forbidden confusion; the two generators put few dark lights there: 5 more
//!   abstentions in 15 000 traces, 4 fewer forbidden confusions, on the sets and with the
//!   commands of the `observe` module's figures.) Lit needs at least twice the drift
//!   above the dark in any case, as a bare display's reach allows: the room's drift
//!   since the calibration and the calibration's own error (a short mean under a
//!   flicker). One level 7% above a bright room's calibration read lit, an off light.
//! - **Emissive, no calibration**: one level can be told from room light only if room
//!   light cannot reach it: such a bench relies on a shroud, and its sensor's dark reading
//!   (offset and leaked room light) stays below [`SHROUDED_DARK_MAX`] counts. Above it,
//!   lit; below, dark. (A photodiode's front end may add an offset of its own: one
//!   level of it between that and [`AMPLIFIED_DARK_MAX`] is not enough evidence, and
//!   no evidence of off: [`within_a_photodiode_s_offset`].) (A steady 500 counts is a
//!   lit LED or an unshrouded sensor under a lamp: no reader can tell; wire `dark` on
//!   such a bench.) Where the level flickers at
//!   the mains more than a shrouded sensor's room light could ([`room_light_reaches`]:
//!   an LED does not flicker at the mains), the shroud is plainly missing: not enough
//!   evidence, rather than the room light's colour named "lit" (unless a colour sensor
//!   reads a steady, unclipped green or blue past the grey boundary, saturation 0.75,
//!   and at least four shrouded darks of light, which no white room light and no offset
//!   makes: [`reads_a_steady_green_or_blue`]). So too where a colour
//!   sensor's level names no colour whatever dark is assumed, unclipped
//!   ([`names_no_light_of_its_own`]): the light above the dark is too little to name, and
//!   an off indicator under the room's light reads so. Unless the level held steady
//!   ([`lit_level_held_steady`]): then it is no blink's mean, and a colour at a hue and
//!   saturation no white has is named whatever white is in it
//!   ([`RunStats::colour_of_a_steady_level`]). (The runner already treats an
//!   unnamed colour as unreadable where a hue is wanted; where "off" is wanted, "lit" was
//!   a false FAIL.)
//! - **Reflective, with the bare level**: "on" darkens the display, most segments to
//!   half its bare level or less; the room moves it by its drift (twice [`DRIFT_SHARE`]:
//!   since the calibration, and the calibration's own), or by a third where the sample
//!   rate locks to the mains ([`mains_lock`]) and a flicker may be seen at one phase,
//!   as far as the run is steady enough for that ([`locked_flicker_lift`]: a flash the
//!   band could not cut, held in one run, varies more than the display seen at one
//!   phase can). Darker than that is lit, lighter is dark: one bound, as for an LED
//!   ([`bare_reach`]). Between that bound and 1 − [`REFLECTIVE_ON_SHARE`] of the bare
//!   level, though, a lit level is a faint segment (a poor or worn LCD, read at an angle,
//!   may darken by only a fifth) or the mean of a blink the band could not cut: lit only
//!   if it held its level (ranged over less than it darkened), else not enough evidence.
//!   (A room dimmed by a fifth since the calibration is not a reading to hold out for: it
//!   would break the drift bound every other reading assumes.) Where the rate locks, a
//!   lone level darker than the drift allows but within the locked flicker's reach
//!   ([`within_a_locked_trough`]) is a segment darkened less than most or the bare
//!   display at the trough: not enough evidence, never "off" (a segment a quarter dark
//!   read at 100 Hz read "off", a forbidden confusion:
//!   `a_segment_darkened_less_than_most_under_a_locked_flicker_is_never_off`). Its cost:
//!   a bare display at the trough is no answer now, also where a darker segment was
//!   seen before it and the band took the trough for lit. Runs between edges keep the
//!   one bound
//!   ([`reads_as_the_dark`]: the edges give a contrast one level has not), and lit runs
//!   held for a settle time that read in that range stay lit (a review saw the bare
//!   display at the trough read "on" that way in no probe; asked there too, it cost a
//!   segment a quarter dark read right after its edge).
//! - **Reflective without it**: one level says nothing (on and off are both just a
//!   level): not enough evidence. Calibrate the bare display (`rig calibrate`).
//!
//! Two things a level read dark must also not show, each of which says it held a light:
//! - a spread that a flicker seen at one phase cannot give while lifting the level as
//!   far as it reads above the dark ([`locked_flicker_lift`]: the lift is cut to what
//!   the run's steadiness allows);
//! - a blink's rhythm: its readings going against themselves half the fastest blink's
//!   period apart, or swinging at its period, by at least a light's depth
//!   ([`shows_a_missed_blink`]). Such a level is no answer, as is a last run read dark
//!   after edges that shows it.

use crate::bench::DarkLevel;
use crate::hw::SensorKind;
use crate::spec::{Cadence, Colour};

use super::cadence::Model;
use super::colour;
use super::flicker::FLICKER_HZ;
use super::levels::{MIN_DARKENING_COUNTS, MIN_LIT_COUNTS};
use super::runs::{mostly_light, Reference, Run, RunStats};
use super::stream::{Stream, DRIFT_SHARE};
use super::{Calibration, Polarity, Reading};

/// A mains flicker component within this of a multiple of the sample rate beats with it
/// slower than a trace can average: it is seen at one phase (a lock).
const LOCK_HZ: f64 = 2.0;
/// A mains flicker's second harmonic is at most this share of its fundamental
/// ([`FLICKER_HZ`]; a rectified lamp's: the Fourier series of |sin| has 4/(15π) at 4x
/// beside 4/(3π) at 2x, a fifth).
const HARMONIC_SHARE: f64 = 0.2;
/// A blink no row fits is the mains beating with the sample rate if its period is within
/// this share of the beat's (the mains within 0.5%; a beat measured over a few periods).
const BEAT_PERIOD_TOLERANCE: f64 = 0.15;
/// The longest of a beat's runs of one state is at most this many times its shortest
/// (see [`uneven_mains_beat`]).
const BEAT_RUN_SPREAD: f64 = 2.0;
/// A beat's crests seen whole before their middles' spacing is believed (see
/// [`crests_at_one_period`]).
const CREST_LEAST: usize = 4;
/// How far a crest's middle may stray from its slot, as a share of the period: noise
/// moves the two ends of its run independently, by a sample or two each.
const CREST_SPACING_SHARE: f64 = 0.2;
/// The least share of a beat's slots that hold a crest.
const CREST_SLOTS_FILLED: f64 = 0.75;
/// The median interval between samples may be this share longer than the sensor's
/// period, for samples lost (see [`mains_beat`]): 5% lost move the median of intervals
/// jittered by a tenth of one by 0.7%, by a third of one by 2.2%. (The share is kept
/// small, since a rate assumed faster finds beats a slower one never had.)
const MAX_LOST_SHARE: f64 = 0.02;
/// How far a sensor's own clock may run slower than the host's reads, as a share (see
/// [`mains_beat`]): a free-running sensor integrates on its own oscillator, and the host
/// that reads it on a grid of its own gets its latest window, stamped when read. Its
/// rate, not the reads', beats with the mains. The ADS111x datasheets give its data
/// rate within ±10% of nominal (a colour sensor's integration steps run on an
/// oscillator of their own too). (Running faster, it skips windows, as samples lost
/// do.) At 2%, a sensor 2-6% slow left 13 of 200 off lights "blinking, no cadence
/// fits" (`an_off_light_under_a_beat_a_sensor_several_percent_slow_sees_is_off`).
const MAX_CLOCK_SHARE: f64 = 0.10;
/// How far a flicker seen at one phase can lift a dark reading, as a share of it.
pub(super) const LOCKED_FLICKER_SHARE: f32 = 0.35;
/// Without a calibration, a shrouded sensor's dark reading stays below this (counts).
pub(super) const SHROUDED_DARK_MAX: f64 = 48.0;
/// ...and a shrouded photodiode's below this. Its front end is the bench's own: the
/// wiring in docs/hardware.md (a BPW34 into a 100 kΩ load) reads the ADC's offset of a
/// few codes, but a photodiode behind an amplifier reads its op-amp's input offset too
/// (a few millivolts: tens of ADS1115 codes on its ±4.096 V range, 125 µV a code),
/// where a colour sensor's dark offset is a few counts. One level between the two is
/// no answer ([`within_a_photodiode_s_offset`]): an off light on such a bench reads
/// there, and "lit" blamed it.
const AMPLIFIED_DARK_MAX: f64 = 2.0 * SHROUDED_DARK_MAX;
/// A reflective indicator is "on" when it has darkened by more than this share of its
/// bare level.
pub(super) const REFLECTIVE_ON_SHARE: f64 = 0.33;
/// The least a smeared burst's run turns back and forth (see [`bursts_a_display_smeared`]):
/// once each way.
const BURST_TURNS: f64 = 2.0;
/// Two lit runs' pooled hues closer than this (degrees) are one light, whatever their
/// names: the two nearest LED families, the reddest amber and the greenest red, read at
/// least 4° apart through one sensor's filters (a steep filter: ambers 10° and more,
/// reds under 6°; a wide one: ambers 23° and more, reds up to 8°; `colour.rs`), though
/// across sensors their ranges overlap; one light's runs pooled scatter by a degree or
/// so.
const SAME_HUE_DEGREES: f32 = 3.0;
/// Runs held unlit that read this share of the lit runs' level above the dark were lit
/// (see [`unlit_runs_were_lit`]).
const UNLIT_BUT_LIT_SHARE: f64 = 0.5;
/// How far apart (the sum of the channels' shares' differences) one light's colour may
/// read in two runs, beyond what the dark no one measured moves it: the noise of run
/// means and a sensor's channels' small nonlinearity.
const DIMMED_COLOUR_SPREAD: f64 = 0.15;
/// A sample further above the dark than this many sigmas of one sample's noise (and a
/// flicker's lift) is lit (see [`held_lit_samples`]).
const LIT_SAMPLE_SIGMAS: f64 = 8.0;
/// A lit state may read less of a colour than the unlit one by its noise plus this share
/// of its clear step, and no more (see [`InView::took_light_away`]).
const TAKEN_AWAY_SHARE: f64 = 0.05;
/// A blink's runs keep at least this share of their judged contrast in their raw means
/// (see [`blink_without_a_mean_change`]).
const BLINK_MEAN_SHARE: f64 = 0.25;
/// A single level's mean must clear this many sigmas of its own noise.
const K_SIGMA_MEAN: f64 = 5.0;
/// A dip to the dark shows a blink the band missed (see [`dipped_to_the_dark`]) in runs
/// this many times further above the dark than a dark LED may read (a dim LED's own
/// noise and ripple reach no dark reading three samples in a row).
const DIP_LEVEL_MARGINS: f64 = 3.0;
/// How far a dark reading of a few counts may wander from its calibration, whatever its
/// noise and the room's drift: a sensor's offset moves by counts with its temperature,
/// and integer readings round.
const DARK_WANDER_COUNTS: f64 = 5.0;

/// What the stream shows at the end of its evidence: a steady lit light is no answer
/// where its runs over the settle time dipped to the dark ([`dipped_to_the_dark`]): the
/// LED went off, in a blink the band missed.
pub(super) fn current(stream: &Stream, model: &Model, cal: &Calibration) -> Reading {
    let reading = at_the_end(stream, model, cal);
    let steady_lit = reading
        .indication()
        .is_some_and(|i| i.cadence == Cadence::Steady && i.colour != Colour::Off);
    if steady_lit && dipped_to_the_dark(stream, model) {
        return Reading::NotEnoughEvidence;
    }
    reading
}

/// What the stream shows at the end of its evidence, by its runs.
fn at_the_end(stream: &Stream, model: &Model, cal: &Calibration) -> Reading {
    let Some(newest) = stream.newest_ms() else {
        return Reading::NotEnoughEvidence;
    };
    let (closed, open, pending) = stream.runs();
    let t_end = pending.unwrap_or(newest);
    let mut open = *open;
    open.end_ms = t_end.max(open.start_ms);
    let reads_colour = cal.reads_colour();
    if let Some(reading) = one_level_after_a_false_edge(stream, &open, closed.back(), model, cal) {
        return reading;
    }
    // Runs cut only where a colour label changed, never at a change of level (all lit,
    // the first begun with the evidence), that together read dark by their level, as a
    // lone run is read, are a dark light: a flicker's slow beat walked its reading across
    // the band's first guess and moved its colour labels. (Lit together, they are a lit
    // light whose colour changes: named run by run below.)
    let runs = || closed.iter().chain(std::iter::once(&open));
    if closed.front().is_some_and(|first| !first.edged) && runs().all(|r| r.lit) {
        if let Some(level) =
            pooled(runs()).filter(|l| one_level_is_lit(stream, l, cal) == Some(false))
        {
            // (Unless a sample no dark LED gives says a PWM's pulses hide in it.)
            if held_lit_samples(stream, &level, cal) {
                return Reading::NotEnoughEvidence;
            }
            return judge_one_level(stream, level, model, cal);
        }
    }
    let reference = stream.colour_reference();
    // Which channels each lit run clipped (asked below of each run several times, and it
    // walks the run's four channels: worked out once).
    let mut clips: Vec<[bool; 3]> = runs()
        .map(|r| if r.lit { r.clipped() } else { [false; 3] })
        .collect();
    clipped_at_the_ceiling(runs(), &mut clips);
    let any_clipped = |c: &[bool; 3]| c.iter().any(|&c| c);
    // Clipped lit runs are named together: each alone may or may not show enough
    // unclipped light to be named, and one light must not change name from run to run.
    // Where their bounds allow several names, the light's unclipped runs say which.
    let clipped = pooled(
        runs()
            .zip(&clips)
            .filter(|(_, c)| any_clipped(c))
            .map(|(r, _)| r),
    );
    let clipped_colour = clipped.map(|c| {
        let bounds = c.clipped();
        match c.colour_against_clipped(reads_colour, reference, bounds) {
            Colour::On => colour_unclipped(runs().zip(&clips), model, cal, reference)
                .filter(|&named| c.may_be_named(named, reads_colour, reference, bounds))
                .unwrap_or(Colour::On),
            named => named,
        }
    });
    let since = t_end - model.settle_ms();
    // Each run's state and the colour it is named alone (worked out once: the interleaving
    // check below and the views both read them).
    let named: Vec<Named> = runs()
        .zip(&clips)
        .map(|(r, &clips)| {
            let lit = r.lit && clear_of_the_dark(r, cal);
            let clipped = any_clipped(&clips);
            let colour = match clipped_colour {
                _ if !lit => Colour::Off,
                Some(c) if clipped => c,
                _ => r.colour_against_clipped(reads_colour, reference, clips),
            };
            Named {
                lit,
                colour,
                clipped,
            }
        })
        .collect();
    let interleaved = interleaved_colour(&runs, &named, since, model, reads_colour, reference);
    let mut views: Vec<Run> = Vec::with_capacity(closed.len() + 1);
    let mut last_lit_colour = None;
    for (stats, named) in runs().zip(&named) {
        // Runs are read in place (a copy is large); only a lone unedged run is copied, to
        // be lit or not by its level, and a lit run no brighter than the dark.
        let one_level;
        let (stats, own, clipped) = if !stats.edged && closed.is_empty() {
            let mut lone = *stats;
            match one_level_is_lit(stream, &lone, cal) {
                Some(false) if held_lit_samples(stream, &lone, cal) => {
                    return Reading::NotEnoughEvidence
                }
                Some(lit) => lone.lit = lit,
                None => return Reading::NotEnoughEvidence,
            }
            one_level = lone;
            let clips = one_level.clipped();
            let mut own = one_level.colour_against_clipped(reads_colour, reference, clips);
            // (Nothing measured under it, and no name above the darks a shroud allows:
            // a level held steady is no blink's mean, named as a diluted colour.)
            if names_no_light_of_its_own(&one_level, own, clips, cal)
                && reference == Reference::Unknown
                && lit_level_held_steady(stream, &one_level)
            {
                own = one_level.colour_of_a_steady_level();
            }
            if names_no_light_of_its_own(&one_level, own, clips, cal) {
                return Reading::NotEnoughEvidence;
            }
            (&one_level, own, any_clipped(&clips))
        } else if stats.lit != named.lit {
            let mut dark = *stats;
            dark.lit = false;
            one_level = dark;
            (&one_level, named.colour, false)
        } else {
            (stats, named.colour, named.clipped)
        };
        let clipped = stats.lit && clipped;
        let colour = match (last_lit_colour, interleaved) {
            _ if !stats.lit || clipped => own,
            // A whole pulse (dark before and after) shorter than any a cadence shows is
            // one a group's gate cut short: its few, ramp-heavy samples name no colour of
            // their own, and one light does not change colour within a burst.
            (Some(c), _)
                if !std::ptr::eq(stats, &open)
                    && views.last().is_some_and(|v| !v.lit)
                    && stats.duration_ms() < model.shortest_on_ms() =>
            {
                c
            }
            (_, Some(c)) if stats.end_ms > since => c,
            _ => own,
        };
        if stats.lit {
            last_lit_colour = Some(colour);
        }
        let view = stats.view(colour, since);
        match views.last_mut() {
            // One state across an edge is one run: lit in one colour, or dark (a lit
            // run no brighter than the dark, or cut at a colour the dark has not).
            Some(prev) if prev.lit == view.lit && (!view.lit || prev.colour == view.colour) => {
                prev.end_ms = view.end_ms;
                prev.end_slack_ms = view.end_slack_ms;
                prev.samples += view.samples;
                prev.gaps.absorb(&view.gaps);
            }
            _ => views.push(view),
        }
    }
    let in_view = InView::new(closed, &open, model);
    match model.judge(&views, t_end) {
        // Runs no cadence makes may be one level's wander cut at false edges.
        Reading::NotEnoughEvidence => one_level_under_false_edges(stream, &in_view, model, cal)
            .or_else(|| uneven_mains_beat(stream, &in_view, model, cal))
            .unwrap_or(Reading::NotEnoughEvidence),
        // So may a regular blink no row fits, or the mains beating with the sample rate.
        reading @ Reading::NoCadenceFits { period_ms, .. } => {
            one_level_under_false_edges(stream, &in_view, model, cal)
                .or_else(|| mains_beat(stream, &in_view, period_ms, model, cal))
                .unwrap_or(reading)
        }
        // A dark run that goes against itself as a blink does held one the band missed.
        reading if reads_dark(&reading) && shows_a_missed_blink(stream, &open, cal) => {
            Reading::NotEnoughEvidence
        }
        // Held dark for a settle time, a run that reads lit by its level is lit: an LED
        // that is off reads its dark, whatever edge the stream saw before (one not a
        // settle time long may be a blink's that the band has not cut yet).
        reading if reads_dark(&reading) && !reads_as_the_dark(stream, &open, cal) => {
            if open.duration_ms() >= model.settle_ms()
                && one_level_is_lit(stream, &open, cal) == Some(true)
                && holds_one_level(&open, closed.back(), cal)
            {
                judge_one_level(stream, open, model, cal)
            } else {
                Reading::NotEnoughEvidence
            }
        }
        // And held lit for a settle time, runs that read no brighter than a dark light
        // are dark: their edges were noise.
        Reading::Seen(o)
            if o.indication.cadence == Cadence::Steady && o.indication.colour != Colour::Off =>
        {
            lit_runs_reading_dark(stream, runs().filter(|r| r.end_ms > since), model, cal)
                .unwrap_or(Reading::Seen(o))
        }
        Reading::Seen(o) if o.indication.cadence != Cadence::Steady => {
            blink_without_a_mean_change(stream, &in_view, model, cal)
                .or_else(|| bursts_a_display_smeared(&in_view, &o, model, cal))
                .or_else(|| blink_of_a_lit_light(stream, &in_view, model, cal))
                .unwrap_or(Reading::Seen(o))
        }
        reading => reading,
    }
}

/// The colour a light's lit runs read where none clipped (`runs`, each with its clipped
/// r, g, b), pooled: runs at least as long as a cadence's shortest lit time, clear of
/// the dark, named from all their samples together. `None` where there are none or
/// they name no colour. (A gate-cut pulse's few samples, mostly its ramps, are left out.)
fn colour_unclipped<'r>(
    runs: impl Iterator<Item = (&'r RunStats, &'r [bool; 3])>,
    model: &Model,
    cal: &Calibration,
    reference: Reference,
) -> Option<Colour> {
    let unclipped = pooled(
        runs.filter(|(r, clips)| {
            r.lit
                && **clips == [false; 3]
                && r.duration_ms() >= model.shortest_on_ms()
                && clear_of_the_dark(r, cal)
        })
        .map(|(r, _)| r),
    )?;
    match unclipped.colour_against_clipped(cal.reads_colour(), reference, [false; 3]) {
        Colour::On | Colour::Off => None,
        named => Some(named),
    }
}

/// Marks clipped (in `clips`, each run's clipped r, g, b) every lit run that read a
/// channel at the ceiling other runs were seen held at. The channels share one full
/// scale, the same all trace long (one gain, one integration time): a run that reached
/// it even once, too briefly to be seen held there on its own (a flutter's run of five
/// samples, two of them on its ramps), read that channel's light only as a lower bound,
/// as the runs held there did. Named alone, its mean gives the name the clipped runs
/// could not be sure of, and one light would read two colours in one blink.
fn clipped_at_the_ceiling<'r>(
    runs: impl Iterator<Item = &'r RunStats> + Clone,
    clips: &mut [[bool; 3]],
) {
    let ceiling = runs
        .clone()
        .zip(clips.iter())
        .flat_map(|(r, c)| {
            let top = r.top_rgb();
            (0..3).filter(move |&i| c[i]).map(move |i| top[i])
        })
        .reduce(f32::max);
    let Some(ceiling) = ceiling else {
        return;
    };
    for (r, c) in runs.zip(clips.iter_mut()) {
        if r.lit {
            let top = r.top_rgb();
            for i in 0..3 {
                c[i] |= top[i] >= ceiling;
            }
        }
    }
}

/// Whether the runs over the settle time dipped to the dark
/// ([`DarkDips`](super::runs::DarkDips)): a stretch of samples in a row reading no
/// brighter than a dark LED, over a settle time the runs read far brighter
/// ([`DIP_LEVEL_MARGINS`] times what a dark LED may read above its dark). A PWM beating
/// with a short window dims an LED, and reads dark only on a sample or so; an LED held
/// off for a wink's or a flutter's dark time reads dark on several. A band the PWM's
/// ripple kept from being drawn (its noise figure is the ripple's) missed the blink:
/// the runs are no steady light. (One dip is enough: a dim LED's dark noise may cut the
/// next ones short of three samples.)
fn dipped_to_the_dark(stream: &Stream, model: &Model) -> bool {
    let (Some((dark, most)), Some(newest)) = (stream.dark_reach(), stream.newest_ms()) else {
        return false;
    };
    // The settle time before the end of the evidence, as the answer was judged over.
    let (closed, open, pending) = stream.runs();
    let since = pending.unwrap_or(newest) - model.settle_ms();
    let in_view = closed.iter().chain(std::iter::once(open));
    // (The open run's end is its latest sample's, kept apart: it is always in view.)
    let Some(runs) = pooled(in_view.filter(|r| r.end_ms > since || std::ptr::eq(*r, open))) else {
        return false;
    };
    runs.dips.ended_since(since)
        && runs
            .level_mean()
            .is_some_and(|level| f64::from(level - dark) >= DIP_LEVEL_MARGINS * f64::from(most))
}

/// Runs held lit for the settle time (`held`) that together read no brighter than a
/// dark light, judged as the one level they are: the edges that lit them were noise (a
/// faint level a few counts above a shrouded sensor's dark, cut by noise alone). Where
/// their level alone cannot say whether it is lit, and no edge that lit them was a step,
/// no answer: an LED switches within a sample, and a level that wandered past the band
/// (a mains flicker beating slowly with the sample rate, turning from its mean to its
/// crest) is lit no more surely than the same level seen from the start.
fn lit_runs_reading_dark<'r>(
    stream: &Stream,
    held: impl Iterator<Item = &'r RunStats> + Clone,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    let level = pooled(held.clone())?;
    match one_level_is_lit(stream, &level, cal) {
        Some(false) => Some(judge_one_level(stream, level, model, cal)),
        None if cal.polarity == Polarity::Emissive && !held.clone().any(|r| r.stepped) => {
            Some(Reading::NotEnoughEvidence)
        }
        _ => None,
    }
}

/// A blink whose lit runs were each a burst of a faster one, smeared by a slow display
/// into one run: a liquid crystal taking tens of ms to turn cannot follow a flutter's
/// 50 ms, and a band drawn to the bursts' mean sees none of its pulses (broken flutter
/// read as a flash, whose times its groups share). It is the grouped row whose bursts
/// the reading's times fit ([`Model::grouped_fitting`]) when every lit run in view seen
/// whole (as long as half a burst) turned back and forth by a third of the band's
/// contrast and well above the noise ([`RunStats::swings`]) at least once an inner
/// period and [`BURST_TURNS`] times: a held level turns only with noise far smaller, a
/// ramp not at all. Reflective only: an LED switches within a sample, and its pulses are
/// cut however shallow.
fn bursts_a_display_smeared(
    view: &InView,
    seen: &super::Observation,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    if cal.polarity != Polarity::Reflective {
        return None;
    }
    let (on_ms, off_ms) = (seen.on_ms?, seen.off_ms?);
    let (cadence, inner_period_ms) = model.grouped_fitting(on_ms, off_ms)?;
    if cadence == seen.indication.cadence {
        return None;
    }
    // The lit runs in view seen whole as long as half a burst: the ones the reading's on
    // time is of (a pulse the band cut from a burst's start is shorter).
    let mut whole = view
        .closed_runs()
        .filter(|r| r.lit && r.edged && r.duration_ms() >= 0.5 * on_ms)
        .peekable();
    whole.peek()?;
    let bursts = whole.all(|r| {
        let turns = f64::from(r.swings.turns);
        turns >= BURST_TURNS && turns * inner_period_ms >= r.duration_ms()
    });
    bursts.then(|| {
        let mut o = seen.clone();
        o.indication.cadence = cadence;
        Reading::Seen(o)
    })
}

/// A blink whose edges changed no mean reading. Its runs are cut on the judged signal,
/// smoothed over a box; every change of a light's state moves the raw reading too, by
/// the light's whole level, and the edges are placed where the light switched, so a real
/// blink's lit and unlit runs keep most of their contrast in their raw means (half, for
/// a flutter's short runs beside the box). A PWM beating with a short window beats with
/// the box too: it moves the smoothed signal between levels while the raw mean stays
/// put. When, over the last settle time, the raw means keep less than
/// [`BLINK_MEAN_SHARE`] of the smoothed levels' contrast, the runs are one level.
///
/// So are an LED's runs whose judged means are not half the floor two levels must clear
/// apart (as [`one_level_under_false_edges`] asks where no cadence fits): an LED steps
/// within a sample, so its runs' means are its levels, even a flutter's beside a box,
/// which keeps half its contrast. An off light in a dim room under a beat the noise
/// carried to the floor was cut into runs at one level and read as a blink
/// (`an_off_light_in_a_dim_room_under_a_beat_is_no_blink`). (Not an LCD segment's: it
/// turns over tens of ms, and its runs' means carry its ramps.)
fn blink_without_a_mean_change(
    stream: &Stream,
    view: &InView,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    let (raw_apart, judged_apart) = view.contrast(cal)?;
    let led_levels_together =
        cal.polarity == Polarity::Emissive && judged_apart < 0.5 * f64::from(stream.run_floor());
    let raw_kept_too_little = judged_apart > 0.0 && raw_apart < BLINK_MEAN_SHARE * judged_apart;
    if !(led_levels_together || raw_kept_too_little) {
        return dark_under_a_colour_beat(stream, view, model, cal);
    }
    view.judged_as_one_level(stream, model, cal)
}

/// What a reading works out once of each run: lit (and clear of the dark), the colour it
/// is named alone, and whether it clipped.
struct Named {
    lit: bool,
    colour: Colour,
    clipped: bool,
}

/// The runs of the last settle time (those that end in it, and the open one).
struct InView<'r> {
    closed: &'r std::collections::VecDeque<RunStats>,
    open: &'r RunStats,
    since: f64,
}

/// One state's samples over some runs: how many, their raw clear sum and judged sum.
#[derive(Default)]
struct StateSums {
    samples: f64,
    raw: f64,
    judged: f64,
    /// The raw r, g and b readings' sums.
    rgb: [f64; 3],
}

impl StateSums {
    fn raw_mean(&self) -> f64 {
        self.raw / self.samples
    }

    fn rgb_mean(&self) -> [f64; 3] {
        self.rgb.map(|v| v / self.samples)
    }

    fn judged_mean(&self) -> f64 {
        self.judged / self.samples
    }
}

impl<'r> InView<'r> {
    fn new(
        closed: &'r std::collections::VecDeque<RunStats>,
        open: &'r RunStats,
        model: &Model,
    ) -> Self {
        let since = open.end_ms - model.settle_ms();
        Self {
            closed,
            open,
            since,
        }
    }

    fn runs(&self) -> impl Iterator<Item = &'r RunStats> + '_ {
        self.closed_runs().chain(std::iter::once(self.open))
    }

    /// The runs in view pooled and judged as the one level they are
    /// ([`judge_one_level`]): their edges were no change of the light.
    fn judged_as_one_level(
        &self,
        stream: &Stream,
        model: &Model,
        cal: &Calibration,
    ) -> Option<Reading> {
        Some(judge_one_level(stream, pooled(self.runs())?, model, cal))
    }

    /// The runs in view that have ended.
    fn closed_runs(&self) -> impl Iterator<Item = &'r RunStats> + '_ {
        self.closed.iter().filter(move |r| r.end_ms > self.since)
    }

    /// How far the lit runs read above the unlit ones, if both states are in view: on the
    /// raw mean (lit reading higher, whatever the polarity) and on the judged signal.
    fn contrast(&self, cal: &Calibration) -> Option<(f64, f64)> {
        let (lit, unlit) = self.sums()?;
        Some((
            polarity_sign(cal) * (lit.raw_mean() - unlit.raw_mean()),
            lit.judged_mean() - unlit.judged_mean(),
        ))
    }

    /// Whether the lit runs read less of some colour than the unlit runs (by more than
    /// [`TAKEN_AWAY_SHARE`] of the clear channel's step and [`K_SIGMA_MEAN`] σ of the
    /// difference of two means): an LED adds its light to every channel, so its edges
    /// never take any away. The room's light does, where a sensor reads its channels one
    /// after another under a flicker as square as an LED lamp's: each channel catches the
    /// flicker at its own phase, and the beat it steps with is no light's.
    fn took_light_away(&self, stream: &Stream, cal: &Calibration) -> bool {
        if !cal.reads_colour() {
            return false;
        }
        let Some((lit, unlit)) = self.sums() else {
            return false;
        };
        let step = lit.raw_mean() - unlit.raw_mean();
        let noise = K_SIGMA_MEAN
            * f64::from(stream.sigma())
            * (1.0 / lit.samples + 1.0 / unlit.samples).sqrt();
        let least = TAKEN_AWAY_SHARE * step.max(0.0) + noise;
        let (lit, unlit) = (lit.rgb_mean(), unlit.rgb_mean());
        lit.iter().zip(unlit).any(|(l, u)| l - u < -least)
    }

    /// The lit and the unlit runs' sums, if both states are in view.
    fn sums(&self) -> Option<(StateSums, StateSums)> {
        let (mut lit, mut unlit) = (StateSums::default(), StateSums::default());
        for r in self.runs() {
            let sums = if r.lit { &mut lit } else { &mut unlit };
            sums.samples += f64::from(r.samples);
            sums.raw += r.sum[3];
            sums.judged += r.sum_v;
            for (total, v) in sums.rgb.iter_mut().zip(r.sum) {
                *total += v;
            }
        }
        (lit.samples > 0.0 && unlit.samples > 0.0).then_some((lit, unlit))
    }
}

/// +1 for an emissive light, -1 for a reflective indicator (lit reads lower).
fn polarity_sign(cal: &Calibration) -> f64 {
    match cal.polarity {
        Polarity::Emissive => 1.0,
        Polarity::Reflective => -1.0,
    }
}

/// One light's colour when its lit runs over the last settle time are named by turns one
/// thing and another (two changes of name or more, not one from a colour to the next):
/// a chromaticity near a boundary between names, read through each run's few samples.
/// A phone changes an indicator's colour with its state, once. The runs are then named
/// together, from all their samples. (Clipped runs and gate-cut pulses are named apart.)
fn interleaved_colour<'r, I: Iterator<Item = &'r RunStats>>(
    runs: &impl Fn() -> I,
    named: &[Named],
    since: f64,
    model: &Model,
    reads_colour: bool,
    reference: Reference,
) -> Option<Colour> {
    if !reads_colour {
        return None;
    }
    let named_alone = |r: &RunStats, n: &Named| {
        n.lit && r.end_ms > since && r.duration_ms() >= model.shortest_on_ms() && !n.clipped
    };
    let (mut last, mut changes) = (None, 0);
    for (r, n) in runs().zip(named) {
        if !named_alone(r, n) {
            continue;
        }
        if last.is_some_and(|l| l != n.colour) {
            changes += 1;
        }
        last = Some(n.colour);
    }
    let alone = || runs().zip(named).filter(|&(r, n)| named_alone(r, n));
    let one_light = match changes {
        0 => false,
        1 => {
            // One change of name: the light changed colour, unless the runs either side
            // read the same hue (a chromaticity at the boundary, and a few runs named on
            // the far side of it by their noise).
            let first = names_before_change(alone().map(|(_, n)| n.colour))?;
            let before = pooled(alone().take(first).map(|(r, _)| r));
            let after = pooled(alone().skip(first).map(|(r, _)| r));
            before
                .zip(after)
                .is_some_and(|(b, a)| same_hue(&b, &a, reference))
        }
        _ => true,
    };
    if !one_light {
        return None;
    }
    pooled(alone().map(|(r, _)| r)).map(|p| p.colour_against(reads_colour, reference))
}

/// How many names come before the first change of name.
fn names_before_change(mut names: impl Iterator<Item = Colour>) -> Option<usize> {
    let first = names.next()?;
    names.position(|c| c != first).map(|k| k + 1)
}

/// Whether two lit runs read the same hue above the calibrated dark: closer than
/// [`SAME_HUE_DEGREES`]. (Without a calibration the hue depends on a dark no one
/// measured: never.)
fn same_hue(a: &RunStats, b: &RunStats, reference: Reference) -> bool {
    let Reference::Dark(dark) = reference else {
        return false;
    };
    let hue = |r: &RunStats| {
        let m = r.mean();
        let above = |i: usize| (m[i] - dark[i]) as f32;
        colour::hue_of(above(0), above(1), above(2))
    };
    match (hue(a), hue(b)) {
        (Some(x), Some(y)) => colour::hue_apart(x, y) < SAME_HUE_DEGREES,
        _ => false,
    }
}

/// A state is a level: a long last run whose level is not apart from the run before it
/// (by the floor any two levels must clear) began at no change of the light, whatever
/// edge the stream saw then (noise at the start of a trace, before its levels were known,
/// can look like a step). It is then one level, judged by [`one_level_is_lit`], and named
/// against the calibration alone (the run before it is the same light).
fn one_level_after_a_false_edge(
    stream: &Stream,
    open: &RunStats,
    previous: Option<&RunStats>,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    let previous = previous?;
    if !open.edged || open.duration_ms() < model.settle_ms() {
        return None;
    }
    // (A change of state moves the level the new state's way: a run lit below the
    // unlit run before it, or unlit above a lit one, is apart from it by nothing.)
    let rise = open.plateau()? - previous.plateau()?;
    let apart = match (previous.lit, open.lit) {
        (false, true) => rise,
        (true, false) => -rise,
        _ => rise.abs(),
    };
    if apart >= stream.run_floor() {
        return None;
    }
    Some(judge_one_level(stream, *open, model, cal))
}

/// Edges that changed no mean reading: every change of a light's state changes what the
/// sensor reads on average over the run (by the light's whole level), whatever noise,
/// ripple or a beat does to the judged signal near an edge. Over the last settle time
/// the runs are one level, judged as one, when
/// - the lit runs' mean raw reading is not apart from the unlit runs' by half the floor
///   two levels must clear (runs short beside a smoothing box carry some of the other
///   state's samples, so a real blink keeps more than half its contrast);
/// - or the runs held unlit read lit ([`unlit_runs_were_lit`]);
/// - or no edge in view was a step, all were drifts (an LED switches within a sample; a
///   mains flicker beating slowly with the sample rate wanders between levels; emissive
///   only: an LCD segment takes tens of ms to switch).
///
/// Asked only of runs that make no cadence of the table (not enough evidence, or a
/// regular blink no row fits): a fast blink seen through a box keeps barely half its
/// contrast in its runs' means.
fn one_level_under_false_edges(
    stream: &Stream,
    view: &InView,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    let (apart, _) = view.contrast(cal)?;
    // The edges in view (each run's but the first's): was any a step?
    let stepped = cal.polarity == Polarity::Reflective || view.runs().skip(1).any(|r| r.stepped);
    if apart >= 0.5 * f64::from(stream.run_floor())
        && stepped
        && !unlit_runs_were_lit(stream, view, cal)
    {
        return dark_under_a_colour_beat(stream, view, model, cal);
    }
    view.judged_as_one_level(stream, model, cal)
}

/// Runs whose edges took light of some colour away ([`InView::took_light_away`]), judged
/// as one level where that level reads dark: the room's beat, not a light. (Where it
/// reads lit, a light blinks under the beat too, and its runs are read as cut.)
fn dark_under_a_colour_beat(
    stream: &Stream,
    view: &InView,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    if !view.took_light_away(stream, cal) {
        return None;
    }
    view.judged_as_one_level(stream, model, cal)
        .filter(reads_dark)
}

/// A blink whose runs held unlit read lit ([`unlit_runs_were_lit`]), judged as the one
/// level it is: an LED that is off reads its dark, so the light never went off, and its
/// rhythm was its brightness beating (a PWM beating with a short window, or with the
/// sample rate, dipping a few percent at a wink's or a flutter's period).
fn blink_of_a_lit_light(
    stream: &Stream,
    view: &InView,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    if !unlit_runs_were_lit(stream, view, cal) {
        return None;
    }
    view.judged_as_one_level(stream, model, cal)
}

/// Runs in view rising and falling too unevenly for any cadence, at times no row fits,
/// whose mean period is the mains flicker beating with the sample rate: judged by
/// [`mains_beat`]'s rules. A band that moves with a beat cuts its crests unevenly (30 ms
/// one time, 50 the next, of a 5 Hz beat), which no regular blink does. Where noise cut
/// them more unevenly still, the crests' middles keep the beat's period
/// ([`crests_at_one_period`]).
fn uneven_mains_beat(
    stream: &Stream,
    view: &InView,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    // The runs seen whole (the first in view began before it), each state's within
    // [`BEAT_RUN_SPREAD`] of each other: a beat's crests and troughs come alike, where a
    // grouped blink's dark runs are its bursts' inner ones and the long gaps between.
    let mean_ms = |lit: bool| {
        let (n, sum, shortest, longest) = view
            .closed_runs()
            .skip(1)
            .filter(|r| r.lit == lit)
            .map(RunStats::duration_ms)
            .fold((0u32, 0.0, f64::INFINITY, 0.0f64), |(n, s, lo, hi), d| {
                (n + 1, s + d, lo.min(d), hi.max(d))
            });
        (n >= 2 && longest <= BEAT_RUN_SPREAD * shortest).then(|| sum / f64::from(n))
    };
    let (on_ms, off_ms) = match (mean_ms(true), mean_ms(false)) {
        (Some(on_ms), Some(off_ms)) => (on_ms, off_ms),
        _ => crests_at_one_period(view)?,
    };
    if model.fits_a_row(on_ms, off_ms) {
        return None;
    }
    mains_beat(stream, view, on_ms + off_ms, model, cal)
}

/// The mean lit and unlit times of runs in view whose lit runs are a beat's crests cut
/// by a band: their middles come once a period, or a whole number of periods apart,
/// whatever the lengths the band cut. A sinusoid cut at any height is cut around its
/// crest, so noise and a band that moves with the room lengthen or shorten a crest's
/// run on both sides alike and leave its middle where it was; a crest the band missed
/// leaves its period's slot empty. Most slots are filled ([`CREST_SLOTS_FILLED`]): a
/// broken flutter leaves half of them empty (five pulses, then five periods dark).
/// The times are the lit runs' mean and the rest of the period.
fn crests_at_one_period(view: &InView) -> Option<(f64, f64)> {
    let crests: Vec<(f64, f64)> = view
        .closed_runs()
        .skip(1)
        .filter(|r| r.lit)
        .map(|r| (0.5 * (r.start_ms + r.end_ms), r.duration_ms()))
        .collect();
    if crests.len() < CREST_LEAST {
        return None;
    }
    let spacings: Vec<f64> = crests.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let mut sorted = spacings.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    if median <= 0.0 {
        return None;
    }
    // Each spacing a whole number of periods (its slots), give or take a crest's stray.
    let mut slots = 0.0;
    for &d in &spacings {
        let k = (d / median).round().max(1.0);
        if (d - k * median).abs() > CREST_SPACING_SHARE * median {
            return None;
        }
        slots += k;
    }
    if (spacings.len() as f64) < CREST_SLOTS_FILLED * slots {
        return None;
    }
    let period_ms = spacings.iter().sum::<f64>() / slots;
    let on_ms = crests.iter().map(|c| c.1).sum::<f64>() / crests.len() as f64;
    (on_ms < period_ms).then_some((on_ms, period_ms - on_ms))
}

/// A regular rise and fall no row fits that is the mains flicker beating with the sample
/// rate (120 Hz sampled at 125 Hz beats at 5 Hz, every 200 ms), judged as one level: its
/// period within [`BEAT_PERIOD_TOLERANCE`] of a beat's, its lit runs no further above its
/// unlit ones than the flicker swings the room light (twice [`LOCKED_FLICKER_SHARE`] of
/// the unlit level; a fifth of that for the weaker second harmonic), and lifting every
/// colour channel as the room light does ([`could_be_room_light`]). (A beat slower than
/// [`LOCK_HZ`] is a lock, judged as one level already.)
fn mains_beat(
    stream: &Stream,
    view: &InView,
    period_ms: f64,
    model: &Model,
    cal: &Calibration,
) -> Option<Reading> {
    let interval = stream.sampling_period_ms();
    if interval <= 0.0 || period_ms <= 0.0 {
        return None;
    }
    // Lost samples lengthen the intervals, never shorten them: the true rate is up to
    // [`MAX_LOST_SHARE`] above the one measured (their median's, which they move little).
    // A free-running sensor's clock may be [`MAX_CLOCK_SHARE`] slower than the reads.
    let reads_hz = 1000.0 / interval;
    let fs_lo = reads_hz * (1.0 - MAX_CLOCK_SHARE);
    let fs_hi = reads_hz * (1.0 + MAX_LOST_SHARE);
    let seen_hz = 1000.0 / period_ms;
    let (lit, unlit) = view.sums()?;
    let swing = (lit.raw_mean() - unlit.raw_mean()).abs();
    // The room light's level: the unlit runs' (an LED's dark, a display's bare level).
    let level = unlit.raw_mean();
    let mut components = FLICKER_HZ
        .iter()
        .map(|&h| (h, 1.0))
        .chain(FLICKER_HZ.iter().map(|&h| (2.0 * h, HARMONIC_SHARE)));
    let beats = components.any(|(h, share)| {
        let seen_in = |(low, high): (f64, f64)| {
            seen_hz >= low * (1.0 - BEAT_PERIOD_TOLERANCE)
                && seen_hz <= high * (1.0 + BEAT_PERIOD_TOLERANCE)
        };
        let near = [(h / fs_lo).round(), (h / fs_hi).round()];
        seen_hz >= LOCK_HZ
            && near.iter().any(|&k| seen_in(beat_band(h, k, fs_lo, fs_hi)))
            && swing <= 2.0 * share * f64::from(LOCKED_FLICKER_SHARE) * level
    });
    let lit_runs = pooled(view.runs().filter(|r| r.lit))?;
    let room = could_be_room_light(&lit_runs.mean(), mean_noise(stream, &lit_runs), cal);
    if !(beats && room) {
        return None;
    }
    view.judged_as_one_level(stream, model, cal)
}

/// The slowest and fastest a component of `h` Hz beats with multiple `k` of a sample rate
/// between `fs_lo` and `fs_hi`: |h − k·fs| is linear in fs, so it spans its values at the
/// ends (down to 0 where it changes sign between them).
fn beat_band(h: f64, k: f64, fs_lo: f64, fs_hi: f64) -> (f64, f64) {
    let k = k.max(1.0);
    let (a, b) = (h - k * fs_lo, h - k * fs_hi);
    let low = if a.signum() == b.signum() {
        a.abs().min(b.abs())
    } else {
        0.0
    };
    (low, a.abs().max(b.abs()))
}

/// Whether the runs the stream holds for unlit read, together, as a lit level, and at
/// least half as far above the dark as the lit runs: an LED that is off reads its dark
/// level whatever the integration window does, so such runs were lit, and the edges
/// between them were the light's brightness moving (a PWM beating with a short window,
/// or with the sample rate), not its state. (A real blink's unlit runs carry only their
/// edges' ramps. Emissive only: an indicator's bare level is itself the room light's.)
/// Unless, no dark line given, the runs step well apart ([`steps_over_room_light`]): a
/// blink under room light that no shroud keeps from the sensor. (Given one, the room is
/// in it, and an LED that is off reads it.)
fn unlit_runs_were_lit(stream: &Stream, view: &InView, cal: &Calibration) -> bool {
    if cal.polarity != Polarity::Emissive {
        return false;
    }
    // Unlit runs between edges (the first run's state is a guess from its level). One is
    // enough: an LED that is off reads dark however briefly, so a lone dip that reads lit
    // was a beat too (a slow beat may dip once in a settle time).
    let held_unlit = || view.runs().filter(|r| !r.lit && r.edged);
    if held_unlit().next().is_none() {
        return false;
    }
    let (Some(unlit), Some(lit)) = (pooled(held_unlit()), pooled(view.runs().filter(|r| r.lit)))
    else {
        return false;
    };
    // Without a calibration, the highest dark a shrouded sensor reads.
    let dark = dark_level(cal).unwrap_or(SHROUDED_DARK_MAX);
    // (The cheap tests first: asked of every blink at every reading, they settle most.)
    unlit.mean()[3] - dark >= UNLIT_BUT_LIT_SHARE * (lit.mean()[3] - dark)
        && one_level_is_lit(stream, &unlit, cal) == Some(true)
        && could_be_the_lit_light_dimmed(stream, &unlit, &lit, cal)
        && !(cal.dark.is_none() && steps_over_room_light(stream, &unlit, &lit, dark, cal))
}

/// The lit runs' mean reading stands this many σ of the judged signal above the unlit
/// runs'...
const ROOM_LIGHT_STEP_SIGMAS: f64 = 3.0;
/// ...and this share of the lit runs' light above the dark (see [`steps_over_room_light`]).
const ROOM_LIGHT_STEP_SHARE: f64 = 0.1;

/// Whether runs held unlit that read lit (`unlit`) and the lit runs (`lit`), no dark
/// line given, are a blink under room light, not one light's brightness moving: their
/// means stand [`ROOM_LIGHT_STEP_SIGMAS`] of the judged signal's noise apart (a
/// sample's, or at 150 Hz and more its average over the smoothing box: what the band
/// cut), and [`ROOM_LIGHT_STEP_SHARE`] of the lit runs' light above `dark`.
/// - Runs that noise cut from one level (a PWM read at random phases through a short
///   window, whose noise is as large as the light) read within a σ or two of the
///   judged signal of each other: only the band's selection of it parts them (a
///   Gaussian cut at its mean, 1.6σ; a slow wander cut by the band, about 2). 3σ leaves
///   half again. A blink's runs keep less than its step (straddled samples, samples
///   noise carried across the band), and a flicker the lock-in cannot follow (a
///   free-running sensor's alias) raises the judged noise without moving a run's mean:
///   at 5σ, a wink or flutter five noise σ over an unshrouded room read steady in 50 of
///   80 traces (`a_blink_five_noise_sigmas_over_an_unshrouded_room_is_rarely_steady`).
///   The PWM beats of steady lights in our own generators that 3σ rather than 5σ lets
///   through stepped 3.0–3.8σ: the two overlap, and 3 sits at their lowest.
/// - A PWM beating slowly with the window moves the light it catches by its ramps:
///   shallow, where its ramps are short enough to read as steps (a few percent of the
///   LED's light in the traces that showed it).
/// - An unshrouded sensor reads the room light under a dark LED, whatever the share a
///   shroud would allow: a blink whose unlit runs read the room, a dark line not given,
///   steps by the LED's own light, as far apart as a readable light is from its dark.
///   Unless those runs read a green or blue past the grey boundary
///   ([`holds_green_or_blue_led_light`]): no white room light does, so the LED's
///   light is much of them (a PWM beating with the window, between 60% and all of the
///   light, stepped so). A real blink's dark runs carry some of its light too (samples
///   straddling its edges), but they read over half its lit runs only where the LED
///   adds less than the room's light ([`UNLIT_BUT_LIT_SHARE`]), and then they are
///   mostly room: a cool phosphor room would need about a quarter of the LED's light in
///   them, a neutral or warm one nearly half, to read past the boundary; straddling
///   leaves a few tenths at most. (Where the room's flicker is seen, the runs read lit
///   only as a steady green or blue already, [`reads_a_steady_green_or_blue`]: this
///   matters at a locked rate, or under a lamp that does not flicker.)
fn steps_over_room_light(
    stream: &Stream,
    unlit: &RunStats,
    lit: &RunStats,
    dark: f64,
    cal: &Calibration,
) -> bool {
    let step = lit.mean()[3] - unlit.mean()[3];
    step >= ROOM_LIGHT_STEP_SIGMAS * f64::from(stream.judged_dark_sigma())
        && step >= ROOM_LIGHT_STEP_SHARE * (lit.mean()[3] - dark)
        && !holds_green_or_blue_led_light(unlit, cal)
}

/// Whether the light of runs read unlit could be the lit runs' own, dimmed (a PWM
/// beating with the window), as a colour sensor sees it. An LED keeps its colour however
/// little of its light a window catches: above the dark, the unlit runs read what the
/// step from them to the lit runs reads, in one proportion. Without a calibration the
/// dark is not known, only bounded by a shroud ([`SHROUDED_DARK_MAX`]), which moves the
/// unlit runs' proportions by at most twice its share of their light (a sum of
/// shares moves by twice what is added). Light in the unlit runs of another colour
/// (whiter, warmer) is another light's: the room's, where no shroud keeps it from a
/// sensor and it outshines the blink's own step. Those edges were the light's, and the
/// unlit runs dark. (A step within noise names no colour; calibrated, clipped or
/// colourless readings: the level rules alone.)
fn could_be_the_lit_light_dimmed(
    stream: &Stream,
    unlit: &RunStats,
    lit: &RunStats,
    cal: &Calibration,
) -> bool {
    if !cal.reads_colour() || cal.dark.is_some() || lit.clipped() != [false; 3] {
        return true;
    }
    let (u, l) = (unlit.mean(), lit.mean());
    let step = [l[0] - u[0], l[1] - u[1], l[2] - u[2]];
    let below = [u[0], u[1], u[2]];
    let (step_sum, below_sum) = (step.iter().sum::<f64>(), below.iter().sum::<f64>());
    if step_sum <= 0.0 || below_sum <= 0.0 {
        return true;
    }
    let apart: f64 = (0..3)
        .map(|i| (step[i] / step_sum - below[i] / below_sum).abs())
        .sum();
    // (Noise moves each of the step's shares by up to its share of the step.)
    let noise = mean_noise(stream, unlit) + mean_noise(stream, lit);
    apart <= 2.0 * SHROUDED_DARK_MAX / below_sum + noise / step_sum + DIMMED_COLOUR_SPREAD
}

/// `level` (runs between edges that were no change of the light) judged as one level:
/// lit or dark by [`one_level_is_lit`], named against the calibration alone (its runs are
/// the same light), steady or off once it has lasted the settle time. Edges were seen, so
/// a level held dark must also read as the dark does.
fn judge_one_level(
    stream: &Stream,
    mut level: RunStats,
    model: &Model,
    cal: &Calibration,
) -> Reading {
    level.edged = false;
    match one_level_is_lit(stream, &level, cal) {
        Some(false) if !reads_as_the_dark(stream, &level, cal) => {
            return Reading::NotEnoughEvidence
        }
        Some(lit) => level.lit = lit,
        None => return Reading::NotEnoughEvidence,
    }
    let colour = level.colour_against(cal.reads_colour(), stream.calibrated_reference());
    if names_no_light_of_its_own(&level, colour, level.clipped(), cal) {
        return Reading::NotEnoughEvidence;
    }
    model.judge(
        &[level.view(colour, level.end_ms - model.settle_ms())],
        level.end_ms,
    )
}

/// Whether `level`, one level an uncalibrated colour sensor reads lit, names no colour
/// of its own: `On` with no channel clipped, a name that changes with the dark no one
/// measured (up to [`SHROUDED_DARK_MAX`] counts of offset and room light, white, warm or
/// cool). The light above that dark is then too little to name, and a dark indicator
/// under room light on an unshrouded sensor reads just so: "lit" would blame a light
/// that may be off, where the reading cannot say. Not enough evidence. (A clipped
/// light's `On` is lit for sure; a calibrated one is named against its dark.)
fn names_no_light_of_its_own(
    level: &RunStats,
    colour: Colour,
    clipped: [bool; 3],
    cal: &Calibration,
) -> bool {
    level.lit
        && colour == Colour::On
        && cal.dark.is_none()
        && cal.reads_colour()
        && clipped == [false; 3]
}

/// The runs' sums pooled into one run (from the first's start to the last's end).
fn pooled<'r>(mut runs: impl Iterator<Item = &'r RunStats>) -> Option<RunStats> {
    let mut pooled = *runs.next()?;
    for r in runs {
        pooled.absorb(r);
    }
    Some(pooled)
}

/// How far noise may move a run's mean level: [`K_SIGMA_MEAN`] σ of the mean.
fn mean_noise(stream: &Stream, run: &RunStats) -> f64 {
    K_SIGMA_MEAN * f64::from(stream.sigma()) / f64::from(run.samples.max(1)).sqrt()
}

/// Whether a lit run reads clear of the calibrated dark level: half of what a light must
/// add to it ([`lit_threshold`]; half, for a short run's mean carries its ramps). A run no
/// brighter than the dark light is dark, whatever edge began it. (Emissive only: an
/// indicator's bare level moves with the room.)
fn clear_of_the_dark(run: &RunStats, cal: &Calibration) -> bool {
    let (Polarity::Emissive, Some(dark), Some(threshold)) =
        (cal.polarity, dark_level(cal), lit_threshold(cal))
    else {
        return true;
    };
    run.mean()[3] - dark >= 0.5 * (threshold - dark)
}

/// Whether one level (a run with no edge in the evidence) is lit; `None` when its level
/// cannot say (see the module docs), or when a level read dark goes against itself as a
/// blink does ([`shows_a_missed_blink`]).
fn one_level_is_lit(stream: &Stream, run: &RunStats, cal: &Calibration) -> Option<bool> {
    match level_reads_lit(stream, run, cal) {
        Some(false) if shows_a_missed_blink(stream, run, cal) => None,
        lit => lit,
    }
}

/// A run whose settled values go against themselves this much half the fastest blink's
/// period apart ([`RunStats::lag_correlation`]) holds a blink (see
/// [`shows_a_missed_blink`])...
const MISSED_BLINK_CORRELATION: f32 = -0.4;
/// ...where no mains flicker's fundamental goes against itself more than this at that
/// lag. (Its harmonics carry at most a twenty-fifth of its power, a rectified lamp's
/// second: `4/(15π)` beside `4/(3π)`; whatever their phase, they move the correlation
/// by no more than that.)
const FLICKER_LAG_CORRELATION_LEAST: f64 = -0.2;
/// A run whose variance swings this much at the fastest blink's period
/// ([`RunStats::blink_swing`]) holds a blink: a broken flutter the band missed, whose dark
/// half dilutes its correlation half a period apart, swings 0.6 and more, noise 0 give
/// or take 0.1...
const MISSED_BLINK_SWING: f32 = 0.25;
/// ...where no mains flicker's fundamental swings so more than this.
const FLICKER_SWING_MOST: f64 = 0.1;
/// The least depth (counts) of a square wave an emissive light's missed blink swings
/// by: more than a sensor's integer wiggle of a count or two, however little light it
/// adds. (A blink the band cannot cut is a faint one: under [`Stream::least_light`], a
/// light no band is drawn for, it must still not be read off when it plainly swings.)
const MISSED_BLINK_LEAST_COUNTS: f32 = 8.0;
/// How far off its nominal a mains flicker may be (a share: the mains' 0.3%, and a
/// sensor's clock).
const FLICKER_FREQUENCY_TOLERANCE: f64 = 0.005;

/// Whether a run read as one dark level holds a blink the band missed (a flutter read at
/// 100 Hz through windows as long as its interval, a faint LCD flutter): its settled
/// values go against themselves half the fastest blink's period apart, beyond
/// [`MISSED_BLINK_CORRELATION`]. Nothing a dark light shows does: noise goes with
/// nothing, a drift with itself, and a mains flicker, whatever the sample rate aliases
/// it to, as its fundamental does across the pairs' lags
/// ([`flicker_lag_correlation_least`]; the table's 50 ms hold whole periods of both
/// mains). Where the fundamental could go against itself beyond
/// [`FLICKER_LAG_CORRELATION_LEAST`], the run cannot say; nor where the signal is
/// smoothed (150 Hz and more): the box takes the fundamental down and leaves a harmonic
/// the rate may alias next to a blink's (a 120 Hz lamp read at 250 Hz: its 240 Hz
/// harmonic reads as a 9.8 Hz swing, which went against itself at -0.6).
fn shows_a_missed_blink(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    if stream.box_ms() > 0.0 {
        return false;
    }
    let Some(variance) = run.settled_variance() else {
        return false;
    };
    // What swings must be a light's: a square wave as deep as a faint LED's blink
    // ([`MISSED_BLINK_LEAST_COUNTS`]; or as the least an indicator darkens) holds a
    // quarter of its depth squared (a sensor's integer wiggle of a count or two is none).
    let least = match cal.polarity {
        Polarity::Emissive => MISSED_BLINK_LEAST_COUNTS,
        Polarity::Reflective => MIN_DARKENING_COUNTS,
    };
    let deep_as_a_light = |share: f32| share * variance >= 0.25 * least * least;
    let against = run.lag_correlation().is_some_and(|correlation| {
        correlation < MISSED_BLINK_CORRELATION && deep_as_a_light(-correlation)
    }) && flicker_lag_correlation_least(stream.pair_lags_ms(), stream.mains_hz())
        > FLICKER_LAG_CORRELATION_LEAST;
    let swings = run.blink_swing().is_some_and(|(swing, lags)| {
        swing > MISSED_BLINK_SWING
            && deep_as_a_light(swing)
            && flicker_swing_most(lags, stream.mains_hz()) < FLICKER_SWING_MOST
    });
    against || swings
}

/// The most of a mains flicker's fundamental that swings as [`RunStats::blink_swing`]
/// counts, with pairs `lags_ms` apart (half a period, a whole one): half its correlation
/// across the second less across the first, anywhere within
/// [`FLICKER_FREQUENCY_TOLERANCE`] of nominal. (0 across the table's 50 and 100 ms:
/// whole periods of both mains.)
fn flicker_swing_most((half_ms, whole_ms): (f64, f64), mains_hz: Option<f64>) -> f64 {
    mains_fundamentals(mains_hz)
        .map(|hz| 0.5 * (flicker_correlation(hz, whole_ms) - flicker_correlation(hz, half_ms)))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The least a mains flicker's fundamental goes with itself across a lag between
/// `lags_ms`, anywhere within [`FLICKER_FREQUENCY_TOLERANCE`] of nominal.
fn flicker_lag_correlation_least((from_ms, to_ms): (f64, f64), mains_hz: Option<f64>) -> f64 {
    mains_fundamentals(mains_hz)
        .flat_map(|hz| {
            (0..=TOLERANCE_STEPS).map(move |i| {
                let share = f64::from(i) / f64::from(TOLERANCE_STEPS);
                flicker_correlation(hz, from_ms + (to_ms - from_ms) * share)
            })
        })
        .fold(1.0, f64::min)
}

/// Steps a tolerance is tried in, each way.
const TOLERANCE_STEPS: i32 = 8;

/// The frequencies a mains flicker's fundamental may have ([`FLICKER_HZ`]: the room's
/// if seen, else either), across [`FLICKER_FREQUENCY_TOLERANCE`] of nominal.
fn mains_fundamentals(mains_hz: Option<f64>) -> impl Iterator<Item = f64> {
    FLICKER_HZ
        .into_iter()
        .filter(move |&hz| mains_hz.is_none_or(|m| m == hz))
        .flat_map(|hz| {
            (-TOLERANCE_STEPS..=TOLERANCE_STEPS).map(move |i| {
                let share = f64::from(i) / f64::from(TOLERANCE_STEPS);
                hz * (1.0 + FLICKER_FREQUENCY_TOLERANCE * share)
            })
        })
}

/// How a sinusoid of `hz` goes with itself `lag_ms` later: the cosine of its phase over
/// the lag.
fn flicker_correlation(hz: f64, lag_ms: f64) -> f64 {
    (std::f64::consts::TAU * hz * lag_ms / 1000.0).cos()
}

/// [`one_level_is_lit`] by the level alone.
fn level_reads_lit(stream: &Stream, run: &RunStats, cal: &Calibration) -> Option<bool> {
    if let Some(reach) = emissive_reach(stream, run, cal) {
        return if reach.above <= reach.dark.min(reach.light) {
            Some(false)
        } else if reach.above <= reach.lit {
            // Higher than a dark light reads, lower than a light must add (or than a
            // flicker seen at one phase may lift the dark): a dim blink's mean that
            // the band could not cut, a dim LED or the dark at the flicker's crest,
            // which no reading of one level tells apart.
            None
        } else {
            Some(true)
        };
    }
    if cal.polarity == Polarity::Emissive && cal.dark.is_none() && room_light_reaches(stream) {
        return reads_a_steady_green_or_blue(stream, run, cal).then_some(true);
    }
    let level = run.mean()[3];
    let noise = mean_noise(stream, run);
    match (cal.polarity, dark_level(cal)) {
        (Polarity::Reflective, Some(bare)) => {
            if level < lit_threshold(cal)? - noise {
                Some(true)
            } else if level < bare_reach(stream, run, bare) - noise {
                // Darker than the room can make the bare display, yet short of what most
                // segments darken by: a faint segment, or a blink whose runs the band
                // could not cut, whose mean falls anywhere between. The faint segment
                // holds its level (it ranges less than it darkened); a blink ranges over
                // its whole darkening, more than its mean shows.
                (f64::from(run.spread_v()) < bare - level).then_some(true)
            } else if within_a_locked_trough(stream, run, cal) {
                None
            } else {
                Some(false)
            }
        }
        (Polarity::Emissive, None) if within_a_photodiode_s_offset(stream, run, cal) => None,
        _ => Some(level > lit_threshold(cal)? + noise),
    }
}

/// Whether `run`, one level of an uncalibrated photodiode, reads above what a shrouded
/// sensor reads dark ([`SHROUDED_DARK_MAX`]) but within what a photodiode's front end
/// may add to it ([`AMPLIFIED_DARK_MAX`]), give or take the noise of its mean: a dim LED
/// or an off one, which the level cannot tell. Neither lit nor evidence of off (a lit
/// LED dimmed to a quarter, 312 to 87 codes, read "off").
fn within_a_photodiode_s_offset(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    let (level, noise) = (run.mean()[3], mean_noise(stream, run));
    cal.polarity == Polarity::Emissive
        && cal.dark.is_none()
        && cal.kind == SensorKind::Level
        && level > SHROUDED_DARK_MAX + noise
        && level <= AMPLIFIED_DARK_MAX + noise
}

/// Whether the room's light plainly reaches an uncalibrated LED's sensor: its mains
/// flicker, `d·A` counts for a room light `A` flickering `d` deep (at most
/// [`LOCKED_FLICKER_SHARE`]), says the room alone reads more than a shrouded sensor's
/// dark ([`SHROUDED_DARK_MAX`]). An LED does not flicker at the mains. Such a sensor is no
/// shrouded one: one level is then an unlit LED under the room light or a lit one, and
/// only a steady green or blue no white light reads tells which
/// ([`reads_a_steady_green_or_blue`]; else wire `dark`). Where the sample rate hides the flicker
/// (a lock), or the lamp does not flicker, this cannot be seen, and the shroud is assumed.
fn room_light_reaches(stream: &Stream) -> bool {
    f64::from(stream.flicker_taken_off()) / f64::from(LOCKED_FLICKER_SHARE) > SHROUDED_DARK_MAX
}

/// Whether a run, no dark line given, reads a green or blue light held steady, room
/// light and offset left in it ([`colour::holds_a_green_or_blue_light`]): a room's
/// light is white, so where it reaches an unshrouded sensor such a reading is an LED's,
/// lit, however much room light it carries. Only where it is [`mostly_light`] (an
/// offset uneven across the channels moves a fainter one's saturation), unclipped (a clipped reading's
/// proportions are not its light's), and held steady ([`lit_level_held_steady`]): the
/// colour says the LED was lit, not that it never went dark, and a blink the band never
/// cut swings by its whole light. (Coloured light that is not the room's, a lit
/// neighbour's spilling onto the sensor, would read so too: a bench that lets it in
/// must give a dark line.)
fn reads_a_steady_green_or_blue(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    holds_green_or_blue_led_light(run, cal) && lit_level_held_steady(stream, run)
}

/// Whether a run's mean reading, room light and offset left in it, holds a green or blue
/// LED's light ([`colour::holds_a_green_or_blue_light`]), where it is [`mostly_light`]
/// and unclipped: no white room light reads so.
fn holds_green_or_blue_led_light(run: &RunStats, cal: &Calibration) -> bool {
    let m = run.mean();
    let rgb = [m[0] as f32, m[1] as f32, m[2] as f32];
    cal.reads_colour()
        && mostly_light(rgb)
        && colour::holds_a_green_or_blue_light(rgb[0], rgb[1], rgb[2])
        && run.clipped() == [false; 3]
}

/// How far the room's drift may have moved a level calibrated at `level` (a dark, a bare
/// display): twice [`DRIFT_SHARE`] of it (since the calibration, and the calibration's
/// own error).
fn drift_since_calibration(level: f64) -> f64 {
    2.0 * f64::from(DRIFT_SHARE) * level.max(0.0)
}

/// Whether a reflective `run` reads darker than the room's drift takes its calibrated
/// bare display, yet no darker than a mains flicker locked to the sample rate may hold
/// the bare display at its trough ([`bare_reach`]): a segment darkened less than most
/// do, or the bare display at the flicker's trough, which one level does not tell
/// apart (an empty range where the rate does not lock).
fn within_a_locked_trough(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    let (Polarity::Reflective, Some(bare)) = (cal.polarity, dark_level(cal)) else {
        return false;
    };
    let (level, noise) = (run.mean()[3], mean_noise(stream, run));
    level >= bare_reach(stream, run, bare) - noise
        && level < bare - drift_since_calibration(bare) - noise
}

/// The least an indicator's bare display reads in `run`, calibrated at `bare`: the
/// room's drift (twice [`DRIFT_SHARE`]: since the calibration, and the calibration's
/// own), or the flicker's trough where the sample rate locks to the mains
/// ([`mains_lock`]), as far as the run is steady enough to be the display seen at one
/// phase of it ([`locked_flicker_lift`]: a flicker that darkens the mean by `D` moves
/// the readings about it by at most the rest of its swing). Anything darker is a
/// segment darkened: the room cannot have done it.
fn bare_reach(stream: &Stream, run: &RunStats, bare: f64) -> f64 {
    let level = bare.max(0.0);
    let drift = drift_since_calibration(bare);
    let most = REFLECTIVE_ON_SHARE * level;
    let locked = if stream.mains_lock() * most > drift {
        stream.locked_lift(run, most, f64::from(DRIFT_SHARE) * level)
    } else {
        0.0
    };
    bare - locked.max(drift)
}

/// How far a mains flicker whose swing from its mean is at most `most` can lift the mean
/// of a dark `run`: `lock` of it ([`mains_lock`]), and no further than the run's own
/// steadiness allows. A flicker moves each reading by at most `most`, so readings whose
/// mean it lifts by `L` vary about that mean by at most `most² − L²` beyond the noise
/// (`sigma`, of one judged value) and the room's `drift`. A run that varies more was not
/// a dark light seen at one phase of a flicker: it held a light the band missed (a
/// flutter read at 100 Hz through windows as long as its interval, whose edges doubled
/// its noise figure, cut into runs that mix its two levels, read "off").
pub(super) fn locked_flicker_lift(
    lock: f64,
    most: f64,
    run: &RunStats,
    sigma: f64,
    drift: f64,
) -> f64 {
    let lift = lock * most;
    let Some(variance) = run.settled_variance() else {
        return lift;
    };
    let flicker_variance = f64::from(variance) - sigma * sigma - drift * drift;
    lift.min((most * most - flicker_variance).max(0.0).sqrt())
}

/// Where an emissive run's mean level stands above its calibrated dark, and how far a
/// dark light and a lit one may read above it (see [`emissive_reach`]).
struct Reach {
    /// The run's mean level above the dark, with the mains flicker the first stage fitted
    /// taken off.
    above: f64,
    /// The highest a dark light reads: drift and noise, and the flicker's lift where the
    /// sample rate locks to the mains, the level could be the room light's and the run
    /// is steady enough to be a dark light seen at one phase ([`locked_flicker_lift`]).
    dark: f64,
    /// The least a light adds (or noise can fake).
    light: f64,
    /// Above this, lit: a light's least beyond the flicker's lift, and at least twice the
    /// drift (since the calibration, and the calibration's own, as [`bare_reach`]).
    lit: f64,
}

/// Where an emissive `run`'s mean level stands above the calibrated dark, lit or not;
/// `None` for a reflective indicator or without a calibration.
fn emissive_reach(stream: &Stream, run: &RunStats, cal: &Calibration) -> Option<Reach> {
    let (Polarity::Emissive, Some(dark), Some(threshold)) =
        (cal.polarity, dark_level(cal), lit_threshold(cal))
    else {
        return None;
    };
    let mean = run.mean();
    let noise = mean_noise(stream, run);
    let lock = stream.mains_lock();
    let flicker_lift = if lock > 0.0 && could_be_room_light(&mean, noise, cal) {
        lock * f64::from(LOCKED_FLICKER_SHARE) * dark.max(0.0)
    } else {
        0.0
    };
    // (The most a dark light's flicker lifts this run, by how steady it is: a run too
    // unsteady to be a dark light lifted is no steadier lit, so the lit reach keeps the
    // whole lift.)
    let dark_lift = if flicker_lift > 0.0 {
        stream.locked_lift(
            run,
            f64::from(LOCKED_FLICKER_SHARE) * dark.max(0.0),
            f64::from(DRIFT_SHARE) * dark.max(0.0),
        )
    } else {
        0.0
    };
    let light = (threshold - dark)
        .max(noise)
        .max(f64::from(stream.least_light()));
    // (The mean of the judged signal: the flicker the lock-in saw is off it. Where the
    // sample rate all but locks to the mains, jitter still spreads the samples' phases
    // enough for the lock-in to see the flicker, whose crest lifted a dark light's raw
    // mean 9% above its calibration, past what a dark light reads unlocked.)
    let level = run.level_mean().map_or(mean[3], f64::from);
    Some(Reach {
        above: level - dark,
        dark: (f64::from(DRIFT_SHARE) * dark.max(0.0))
            .max(noise)
            .max(DARK_WANDER_COUNTS)
            + dark_lift,
        light,
        lit: (light + flicker_lift).max(drift_since_calibration(dark)),
    })
}

/// Whether a run lit by its level is one lit level, not a blink the band missed nor a
/// light gone off in a room brighter than at calibration: a light held at one level
/// wanders by its noise, far less than it stands above the dark (the calibrated one, or
/// what a shrouded sensor reads dark), and an LED going off steps down by its whole
/// light, so a step from the run before larger than that lift was the light going off.
fn holds_one_level(run: &RunStats, before: Option<&RunStats>, cal: &Calibration) -> bool {
    let dark = polarity_sign(cal) * dark_level(cal).unwrap_or(SHROUDED_DARK_MAX);
    let Some(level) = run.level_mean().map(f64::from) else {
        return false;
    };
    let lift = level - dark;
    let step = before
        .and_then(RunStats::level_mean)
        .map_or(0.0, |b| f64::from(b) - level);
    f64::from(run.spread_v()) < lift && step < lift
}

/// A level's values' standard deviation may be this many σ of a sample's noise...
const STEADY_SIGMAS: f64 = 2.0;
/// ...and this share of what it reads above a shrouded sensor's dark, and still be one
/// light held steady (see [`lit_level_held_steady`]).
const STEADY_SHARE: f64 = 0.1;

/// Whether a lit `run`, uncalibrated, held steady: its settled values' standard deviation
/// within [`STEADY_SIGMAS`] of a raw sample's noise and [`STEADY_SHARE`] of its level
/// above [`SHROUDED_DARK_MAX`]. A blink the band could not cut swings by its whole light:
/// far more than the sensor's noise, and than a tenth of the light. (The noise alone
/// is not enough: a PWM read through a window shorter than its period is as noisy as
/// its light, and a wink's short dark times hid in it.)
fn lit_level_held_steady(stream: &Stream, run: &RunStats) -> bool {
    let most = (STEADY_SIGMAS * f64::from(stream.sigma()))
        .min(STEADY_SHARE * (run.mean()[3] - SHROUDED_DARK_MAX));
    run.settled_variance()
        .is_some_and(|v| most > 0.0 && f64::from(v) <= most * most)
}

/// Whether a reading says the light is off.
fn reads_dark(reading: &Reading) -> bool {
    reading
        .indication()
        .is_some_and(|i| i.colour == Colour::Off)
}

/// Whether a run the stream holds for dark reads as the calibrated dark does: an emissive
/// light no further above it than one level may be and still be dark (see
/// [`one_level_is_lit`]); an indicator within drift and noise of its bare level (a third,
/// when the mains fundamental is a multiple of the sample rate and the room light's
/// flicker may be seen at one phase: [`mains_lock`]). A "dark" run that reads otherwise
/// held light the segmenter did not see (a blink too faint for its floors): it is not
/// evidence of off. Without a calibration an LED is read against what a shrouded sensor
/// reads dark, and an indicator against nothing.
fn reads_as_the_dark(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    match (cal.polarity, dark_level(cal)) {
        (Polarity::Emissive, Some(_)) => {
            emissive_reach(stream, run, cal).is_none_or(|r| r.above <= r.dark)
        }
        // (Without a calibration, what a shrouded sensor can read dark.)
        (Polarity::Emissive, None) => {
            one_level_is_lit(stream, run, cal) != Some(true)
                && !within_a_photodiode_s_offset(stream, run, cal)
        }
        (Polarity::Reflective, None) => true,
        (Polarity::Reflective, Some(bare)) => {
            run.mean()[3] >= bare_reach(stream, run, bare) - mean_noise(stream, run)
        }
    }
}

/// Whether one level with no edge, judged dark, holds a sample no dark LED gives: above
/// the calibrated dark by more than a flicker at one phase can lift it and
/// [`LIT_SAMPLE_SIGMAS`] of one sample's noise. A PWM-dimmed LED read through a window
/// shorter than its period reads its full pulse on a few samples and nothing between; a
/// blink of it can hide from the band in a light read dark on average, never from its
/// brightest sample. (Not asked of a run begun at an edge: its first sample's window may
/// straddle the light going off. Emissive and calibrated only: a reflective indicator's
/// bare level is the room light's own.)
fn held_lit_samples(stream: &Stream, run: &RunStats, cal: &Calibration) -> bool {
    let (Polarity::Emissive, Some(dark)) = (cal.polarity, dark_level(cal)) else {
        return false;
    };
    let allowance = f64::from(LOCKED_FLICKER_SHARE) * dark.max(0.0)
        + LIT_SAMPLE_SIGMAS * f64::from(stream.sigma());
    f64::from(run.top_clear()) > dark + allowance.max(f64::from(MIN_LIT_COUNTS))
}

/// Whether a level above the calibrated dark could be the room light itself, seen at one
/// phase of its flicker: that lifts every colour channel in proportion to its dark
/// reading (the room light's own colour). An excess of another colour (beyond the
/// calibration's and the room's drift, [`DRIFT_SHARE`] each, and `noise` of the mean) is
/// a light of its own. Without colour channels it could always be.
fn could_be_room_light(mean: &[f64; 4], noise: f64, cal: &Calibration) -> bool {
    let Some(DarkLevel::Rgbc(dark)) = cal.dark else {
        return true;
    };
    if !cal.reads_colour() || dark[3] <= 0.0 {
        return true;
    }
    let lift = (mean[3] - f64::from(dark[3])) / f64::from(dark[3]);
    (0..3).all(|i| {
        let d = f64::from(dark[i]);
        d <= 0.0 || ((mean[i] - d) / d - lift).abs() <= 2.0 * f64::from(DRIFT_SHARE) + noise / d
    })
}

/// The level (clear channel, or the level sensor's) between lit and dark for one steady
/// level read with `cal`, as [`one_level_is_lit`] judges it before its allowances for
/// the level's own noise and for a mains flicker locked to the sample rate (those depend
/// on the samples): an emissive light is lit above it, a reflective indicator below it.
/// `None` for a reflective indicator without its bare level (one level says nothing).
/// report.html draws the expected state's band from it.
pub(crate) fn lit_threshold(cal: &Calibration) -> Option<f64> {
    match (cal.polarity, dark_level(cal)) {
        (Polarity::Emissive, Some(dark)) => {
            Some(dark + f64::from(MIN_LIT_COUNTS).max(f64::from(DRIFT_SHARE) * dark.max(0.0)))
        }
        // (A photodiode reads dark below SHROUDED_DARK_MAX: between, no answer.)
        (Polarity::Emissive, None) if cal.kind == SensorKind::Level => Some(AMPLIFIED_DARK_MAX),
        (Polarity::Emissive, None) => Some(SHROUDED_DARK_MAX),
        (Polarity::Reflective, Some(bare)) => Some(bare - REFLECTIVE_ON_SHARE * bare.max(0.0)),
        (Polarity::Reflective, None) => None,
    }
}

/// The calibrated dark (emissive) or bare (reflective) level on the clear channel.
pub(crate) fn dark_level(cal: &Calibration) -> Option<f64> {
    cal.dark.map(|d| match d {
        DarkLevel::Rgbc([_, _, _, c]) => f64::from(c),
        DarkLevel::Level(l) => f64::from(l),
    })
}

/// How much of a mains flicker a sensor sampling every `interval_ms` may see at one
/// phase for a whole trace: 1 when the fundamental is (within [`LOCK_HZ`]) a multiple of
/// the sample rate, [`HARMONIC_SHARE`] when only the second harmonic is, else 0. (A rate
/// that is a multiple of a component instead, 200 Hz for 100 Hz, samples it at phases
/// spread evenly round its period: a run's mean cancels it.) `mains_hz`: the flicker the
/// room was seen to show, if it was (a room is on one mains); else either may be.
pub(crate) fn mains_lock(interval_ms: f64, mains_hz: Option<f64>) -> f64 {
    if interval_ms <= 0.0 {
        return 0.0;
    }
    let fs = 1000.0 / interval_ms;
    let locks = |h: f64| {
        let k = (h / fs).round();
        k >= 1.0 && (h - k * fs).abs() < LOCK_HZ
    };
    let candidates = FLICKER_HZ
        .iter()
        .copied()
        .filter(|&h| mains_hz.is_none_or(|m| m == h));
    if candidates.clone().any(locks) {
        1.0
    } else if candidates.map(|h| 2.0 * h).any(locks) {
        HARMONIC_SHARE
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dark run of `values`, each settled.
    fn settled_run(values: impl IntoIterator<Item = f32>) -> RunStats {
        let mut run = RunStats::open(false, true, 0.0, 0.0);
        for v in values {
            run.add_settled(v, f32::INFINITY);
        }
        run
    }

    #[test]
    fn a_locked_flicker_lifts_only_a_run_steady_enough_to_be_seen_at_one_phase() {
        // A dark of 100 counts under a flicker swinging at most 35: at one phase it lifts
        // every reading alike.
        let (most, sigma, drift) = (35.0, 2.0, 6.0);
        let steady = settled_run((0..40).map(|k| 130.0 + if k % 2 == 0 { 2.0 } else { -2.0 }));
        assert_eq!(locked_flicker_lift(1.0, most, &steady, sigma, drift), most);
        assert_eq!(
            locked_flicker_lift(0.2, most, &steady, sigma, drift),
            0.2 * most
        );
        // Readings 30 counts either side of their mean: the flicker would have to swing
        // them that far and lift their mean at once, and it swings 35 at most: it lifts
        // their mean by √(35² − 30²) = 18 at most (a little more, for noise and drift).
        let swinging = settled_run((0..40).map(|k| 130.0 + if k % 2 == 0 { 30.0 } else { -30.0 }));
        let lift = locked_flicker_lift(1.0, most, &swinging, sigma, drift);
        assert!((17.0..20.0).contains(&lift), "{lift}");
        // Further than the flicker's whole swing: no lift at all.
        let wider = settled_run((0..40).map(|k| 130.0 + if k % 2 == 0 { 40.0 } else { -40.0 }));
        assert_eq!(locked_flicker_lift(1.0, most, &wider, sigma, drift), 0.0);
        // Too few values to tell a spread: the whole lift.
        let short = settled_run([100.0, 160.0, 100.0]);
        assert_eq!(locked_flicker_lift(1.0, most, &short, sigma, drift), most);
    }

    #[test]
    fn the_table_s_half_flutter_holds_whole_periods_of_both_mains() {
        // 50 ms, give or take the pairs' 2 ms: five periods of 100 Hz, six of 120, and a
        // flicker goes with itself across it (-0.13 at worst: 120 Hz 0.5% fast, 52 ms).
        assert!(flicker_lag_correlation_least((48.0, 52.0), None) > FLICKER_LAG_CORRELATION_LEAST);
        // 42 ms (a faster flutter's half period) is 4.2 periods of 100 Hz and 5.04 of
        // 120: 100 Hz mains goes against itself there, unless the room is seen on 120.
        assert!(flicker_lag_correlation_least((40.0, 44.0), None) < FLICKER_LAG_CORRELATION_LEAST);
        assert!(
            flicker_lag_correlation_least((41.5, 42.5), Some(120.0))
                > FLICKER_LAG_CORRELATION_LEAST
        );
        // Nor does a flicker swing at the table's flutter period: 50 and 100 ms apart it
        // goes with itself alike. 45 ms is 4.5 periods of 100 Hz: it swings whole there.
        assert!(flicker_swing_most((50.0, 100.0), None).abs() < 0.01);
        assert!(flicker_swing_most((45.0, 90.0), Some(100.0)) > 0.99);
    }

    #[test]
    fn rates_that_lock_to_the_mains_are_found() {
        // 100 Hz: 100 Hz flicker at one phase; 50 Hz: the same, every other period.
        assert_eq!(mains_lock(10.0, None), 1.0);
        assert_eq!(mains_lock(20.0, None), 1.0);
        // 120.5 Hz: 120 Hz flicker beats at 0.5 Hz.
        assert_eq!(mains_lock(1000.0 / 120.5, None), 1.0);
        // 200 Hz: the 100 Hz flicker alternates phases and cancels; its 200 Hz harmonic
        // is at one phase.
        assert_eq!(mains_lock(5.0, None), HARMONIC_SHARE);
        // 125 Hz: 120 Hz beats at 5 Hz, 240 at 10 Hz; 1 kHz and 250 Hz: no lock.
        assert_eq!(mains_lock(8.0, None), 0.0);
        assert_eq!(mains_lock(1.0, None), 0.0);
        assert_eq!(mains_lock(4.0, None), 0.0);
        // A room seen flickering at 120 Hz has no 100 Hz flicker to lock to, and one at
        // 100 Hz no 120 Hz flicker.
        assert_eq!(mains_lock(10.0, Some(120.0)), 0.0);
        assert_eq!(mains_lock(5.0, Some(120.0)), 0.0);
        assert_eq!(mains_lock(10.0, Some(100.0)), 1.0);
        assert_eq!(mains_lock(1000.0 / 120.5, Some(100.0)), 0.0);
    }

    #[test]
    fn a_beat_spans_what_the_sample_rates_in_range_give() {
        // 120 Hz against 125–127.5 Hz: 5 to 7.5 Hz.
        assert_eq!(beat_band(120.0, 1.0, 125.0, 127.5), (5.0, 7.5));
        // 100 Hz against 99–101 Hz: a lock somewhere in the range.
        assert_eq!(beat_band(100.0, 1.0, 99.0, 101.0), (0.0, 1.0));
    }

    #[test]
    fn the_lit_threshold_is_above_dark_for_a_light_and_below_bare_for_a_display() {
        use crate::hw::SensorKind;
        let cal = |polarity, dark| Calibration {
            kind: SensorKind::Level,
            polarity,
            dark,
        };
        let e = Polarity::Emissive;
        let r = Polarity::Reflective;
        // A dim dark level: the floor of lit counts; a bright one: the room's drift.
        assert_eq!(
            lit_threshold(&cal(e, Some(DarkLevel::Level(12.0)))),
            Some(24.0)
        );
        let bright = lit_threshold(&cal(e, Some(DarkLevel::Level(1000.0)))).unwrap();
        assert!((bright - 1060.0).abs() < 1e-3, "{bright}");
        // Without one: what a shrouded photodiode's front end may read dark.
        assert_eq!(lit_threshold(&cal(e, None)), Some(AMPLIFIED_DARK_MAX));
        let bare = lit_threshold(&cal(r, Some(DarkLevel::Level(1800.0)))).unwrap();
        assert!((bare - 1206.0).abs() < 1e-9, "{bare}");
        assert_eq!(lit_threshold(&cal(r, None)), None);
        let rgb = Calibration {
            kind: SensorKind::Rgbc,
            polarity: e,
            dark: Some(DarkLevel::Rgbc([1.0, 2.0, 3.0, 40.0])),
        };
        assert_eq!(dark_level(&rgb), Some(40.0));
    }
}
