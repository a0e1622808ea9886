//! Colour labels of a lit run: named from its latest samples above the reference, and the
//! run cut where a new colour has held (module docs, step 6).

use super::{Stream, COLOUR_HOLD_MS, COLOUR_HOLD_SAMPLES, LABEL_SAMPLES};
use crate::observe::colour::colour_of;
use crate::observe::runs::{Reference, RunStats, SampleBlock};
use crate::spec::Colour;

/// Colour labels of the open lit run's latest samples.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Labels {
    recent: [[f64; 3]; LABEL_SAMPLES],
    len: usize,
    /// The label the run has held, once one has.
    held: Option<Colour>,
    /// The latest label and since when (first sample time, and the sums of its samples).
    streak: Option<Streak>,
}

#[derive(Debug, Clone, Copy)]
struct Streak {
    colour: Colour,
    count: u32,
    first_ms: f64,
    /// The sums of its samples (raw r, g, b, c, and v), to move them to a new run.
    sum: [f64; 4],
    sum_v: f64,
}

impl Stream {
    /// A lit sample's colour label; cut the run where a new colour has held.
    pub(super) fn label(&mut self, s: &SampleBlock, v: f32) {
        if !self.settings.calibration.reads_colour() {
            return;
        }
        let reference = self.reference_rgb();
        let rgb = [
            f64::from(s.mean.r) - reference[0],
            f64::from(s.mean.g) - reference[1],
            f64::from(s.mean.b) - reference[2],
        ];
        let l = &mut self.labels;
        l.recent[l.len % LABEL_SAMPLES] = rgb;
        l.len += 1;
        let k = l.len.min(LABEL_SAMPLES);
        let m = l.recent[..k]
            .iter()
            .fold([0.0f64; 3], |a, v| [a[0] + v[0], a[1] + v[1], a[2] + v[2]]);
        let label = colour_of(m[0] as f32, m[1] as f32, m[2] as f32);
        let raw = [s.mean.r, s.mean.g, s.mean.b, s.mean.c].map(f64::from);
        match &mut l.streak {
            Some(st) if st.colour == label => {
                st.count += 1;
                for (a, b) in st.sum.iter_mut().zip(raw) {
                    *a += b;
                }
                st.sum_v += f64::from(v);
            }
            _ => {
                l.streak = Some(Streak {
                    colour: label,
                    count: 1,
                    first_ms: s.mean.t_ms,
                    sum: raw,
                    sum_v: f64::from(v),
                })
            }
        }
        let st = l.streak.expect("set above");
        let held = st.count >= COLOUR_HOLD_SAMPLES && s.mean.t_ms - st.first_ms >= COLOUR_HOLD_MS;
        if !held || l.held == Some(label) {
            return;
        }
        if l.held.is_none() || st.count >= self.open.samples {
            l.held = Some(label);
            return;
        }
        // A new colour: the streak's samples start a new lit run.
        l.held = Some(label);
        let mut old = self.open;
        old.samples -= st.count;
        for (a, b) in old.sum.iter_mut().zip(st.sum) {
            *a -= b;
        }
        old.sum_v -= st.sum_v;
        old.end_ms = st.first_ms;
        old.end_slack_ms = 0.5 * self.dt_ms;
        let mut new = RunStats::open(true, true, st.first_ms, 0.5 * self.dt_ms);
        new.samples = st.count;
        new.sum = st.sum;
        new.sum_v = st.sum_v;
        new.end_ms = s.mean.t_ms;
        self.runs.push_back(old);
        self.open = new;
        // Its colour held: no level test undoes it (a dimmer colour may sit below the
        // middle of a band drawn up to a brighter one).
        self.confirmed = true;
    }

    /// What a lit run's colour is named above: the calibrated dark, else the latest unlit
    /// run, else nothing measured.
    pub(crate) fn colour_reference(&self) -> Reference {
        match (self.dark_rgb, self.unlit_rgb) {
            (Some(d), _) => Reference::Dark(d),
            (None, Some(u)) => Reference::Unlit(u),
            (None, None) => Reference::Unknown,
        }
    }

    /// The same from the calibration alone (for one level: no run of it is unlit).
    pub(crate) fn calibrated_reference(&self) -> Reference {
        self.dark_rgb.map_or(Reference::Unknown, Reference::Dark)
    }

    /// What a lit colour is named above: the calibrated dark, else the unlit runs' mean,
    /// else nothing.
    pub(crate) fn reference_rgb(&self) -> [f64; 3] {
        self.dark_rgb.or(self.unlit_rgb).unwrap_or([0.0; 3])
    }
}
