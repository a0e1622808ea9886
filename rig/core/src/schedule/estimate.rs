//! How long each case is expected to take on a position.
//!
//! Learnt where it can be: an earlier run's `results.csv` (`rig run --history FILE`) gives
//! each (model, case) the median of its measured bench times, and failing that each
//! (family, case). Otherwise the case's steps are costed from the suite's own timers
//! (`by_steps`): a forecast, good to tens of percent; it orders the cases and predicts
//! the bench time, and every run also reports its bound from the durations it measured.

use std::collections::BTreeMap;
use std::path::Path;

use crate::bench::{Bench, Position};
use crate::report::read::read_results;
use crate::runner::{not_applicable, Verdict};
use crate::source::InputErrors;
use crate::spec::CadenceTable;
use crate::suite::{Case, Expect, ExpectedInterval, Settings, Step, Target, TwinnedWant};

/// A call crossing the network until the far end alerts (or rings), ms. The simulated
/// IP Office takes 0.3–0.8 s; real trunks take about a second.
const CALL_REACH_MS: f64 = 1000.0;

/// Measured bench times of an earlier run, by (model, case) and by (family, case).
#[derive(Debug, Clone, Default)]
pub struct History {
    by_model: BTreeMap<(String, String), f64>,
    by_family: BTreeMap<(String, String), f64>,
    /// The file it was read from.
    pub source: Option<String>,
}

impl History {
    /// Read an earlier run's `results.csv`. Rows that did not run the case to its end
    /// (ERROR, and SKIP rows that never started) teach nothing and are left out.
    pub fn read(path: &Path) -> Result<History, InputErrors> {
        let rows = read_results(path, None)?;
        let mut by_model: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        let mut by_family: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for r in rows.iter().map(|r| &r.result) {
            if r.position.is_empty() || r.verdict == Verdict::Error {
                continue;
            }
            let ms = r.bench_time_ms;
            by_model
                .entry((r.model.clone(), r.case.clone()))
                .or_default()
                .push(ms);
            by_family
                .entry((r.family.clone(), r.case.clone()))
                .or_default()
                .push(ms);
        }
        Ok(History {
            by_model: medians(by_model),
            by_family: medians(by_family),
            source: Some(path.display().to_string()),
        })
    }

    /// The learnt duration of `case` on a phone of `model` (family `family`), ms.
    pub(crate) fn get(&self, model: &str, family: &str, case: &str) -> Option<f64> {
        let key = |a: &str| (a.to_string(), case.to_string());
        self.by_model
            .get(&key(model))
            .or_else(|| self.by_family.get(&key(family)))
            .copied()
    }
}

fn medians(m: BTreeMap<(String, String), Vec<f64>>) -> BTreeMap<(String, String), f64> {
    m.into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            (k, v[v.len() / 2])
        })
        .collect()
}

/// What the estimate of a case needs to know of the run.
pub(crate) struct Estimator<'a> {
    pub(crate) bench: &'a Bench,
    pub(crate) settings: &'a Settings,
    pub(crate) cadences: &'a CadenceTable,
    pub(crate) history: &'a History,
}

impl Estimator<'_> {
    /// The expected bench time of `case` on `position`, ms: learnt if the history has it,
    /// costed from its steps otherwise; 0 for a case that does not apply.
    pub(crate) fn case_ms(&self, position: &Position, case: &Case) -> f64 {
        if not_applicable(self.bench, position, case).is_some() {
            return 0.0;
        }
        self.history
            .get(&position.model, &position.family, &case.id)
            .unwrap_or_else(|| self.by_steps(position, case))
    }

    /// The cost of a case's steps by the suite's timers, ms.
    fn by_steps(&self, position: &Position, case: &Case) -> f64 {
        let s = self.settings;
        // A light is confirmed once watched for its settle time.
        let light = self.cadences.steady_settle_ms();
        let line = 2.0 * s.poll_ms as f64;
        let press = self.press_ms(position);
        // A twinning probe: dial, the primary alerts, the mobile rings (or the probe waits
        // its whole ring time), hang up and see both ends idle again.
        let probe = |rings: bool| {
            let ring = if rings {
                CALL_REACH_MS
            } else {
                s.probe_ring_ms as f64
            };
            CALL_REACH_MS + ring + 2.0 * line + light
        };
        let mut ms = if case.needs_modems() {
            // Known state and cleanup: both lines idle, the primary idle.
            2.0 * (2.0 * line + light)
        } else {
            2.0 * light
        };
        if case.setup.is_some() {
            // One probe finds the state; half the time a press and a second probe.
            ms += probe(true) + 0.5 * (press + probe(true));
        }
        for step in &case.steps {
            ms += match step {
                Step::Press(_) => press,
                Step::Dial(_) => line + CALL_REACH_MS,
                Step::Answer(_) | Step::HangUp(_) | Step::Radio(..) => line,
                Step::Wait(w) => *w as f64,
                Step::Mark(_) | Step::Manual(_) => 0.0,
                Step::Remember(_) => light,
                Step::Expect(e) => self.expect_ms(position, e, light, line, &probe),
            };
        }
        ms
    }

    fn expect_ms(
        &self,
        position: &Position,
        e: &Expect,
        light: f64,
        line: f64,
        probe: &dyn Fn(bool) -> f64,
    ) -> f64 {
        let seen = match &e.target {
            Target::Twinned(want) => return probe(*want == TwinnedWant::Yes),
            Target::Line(..) => line,
            _ => light,
        };
        let measured = e.measure.as_ref().map_or(0.0, |m| match m.expected {
            ExpectedInterval::Ms(v) => v,
            ExpectedInterval::TransferReturn => {
                1000.0
                    * position
                        .twinning
                        .transfer_return_s
                        .unwrap_or(self.settings.enforced_transfer_return_s)
                        as f64
            }
        });
        seen.max(measured) + e.hold_ms as f64
    }

    /// How long a press holds the position's Twinning relay (the bench's default if its
    /// board is unknown).
    fn press_ms(&self, position: &Position) -> f64 {
        position
            .buttons
            .values()
            .next()
            .and_then(|ch| self.bench.relay_board(&ch.device))
            .map_or(150.0, |b| b.press_ms as f64)
    }
}
