//! Driving one position: pressing its buttons, reading its lights, watching the modems.
//!
//! Everything here goes through the hardware traits and so sees only what a real bench
//! would: light samples (classified by [`crate::observe`]) and the modems' call lists.
//! Every wait has a deadline; a device that does not answer is a rig fault ([`Stop::Rig`]).
//!
//! The driver itself (this file) holds the position's devices and presses its buttons;
//! [`fault`] says why a case stops, [`light`] watches lights, [`modem`] drives the modems.

mod fault;
mod light;
mod modem;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::sleep;

use super::devices::PositionDevices;
use super::result::DecidingTrace;
use crate::bench::{Bench, Button, Light, Position};
use crate::hw::{Actuator, BenchClock, Sample};
use crate::observe::{Classifier, Watch};
use crate::spec::{Family, Spec};
use crate::suite::Settings;
use crate::trace::Trace;

use fault::relay_fault;
pub use fault::{RigFault, Stop};
pub use light::{LightSeen, LightWant};

/// The shared, read-only context of a run.
pub struct Context {
    pub spec: Spec,
    pub bench: Bench,
    pub settings: Settings,
    pub clock: BenchClock,
}

pub struct Driver {
    pub(crate) ctx: Arc<Context>,
    pub(crate) position: Position,
    pub(crate) family: Family,
    devices: PositionDevices,
    watches: BTreeMap<Light, Watch>,
    /// Every sample read from each light since the case began, for the report's plot of a
    /// FAIL; never evidence for a verdict.
    history: BTreeMap<Light, Vec<Sample>>,
    /// The light expectation that failed last: (light, when it started watching).
    failed_light: Option<(Light, f64)>,
    /// When the last modem-state expectation started watching.
    line_from_ms: f64,
    /// When the current case began.
    case_from_ms: f64,
}

/// Releases a relay when dropped, so no exit path (error, timeout, cancellation) leaves
/// a button held down on a real phone.
struct Held<'a>(&'a mut dyn Actuator);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let _ = self.0.set(false);
    }
}

impl Driver {
    pub(crate) fn new(ctx: Arc<Context>, position: Position, devices: PositionDevices) -> Self {
        let family = ctx.bench.family(&position, &ctx.spec.catalog).clone();
        let watches = devices
            .lights
            .iter()
            .map(|(l, d)| {
                (
                    *l,
                    Watch::new(Classifier::new(&ctx.spec.cadences, d.calibration)),
                )
            })
            .collect();
        Self {
            ctx,
            position,
            family,
            devices,
            watches,
            history: BTreeMap::new(),
            failed_light: None,
            line_from_ms: 0.0,
            case_from_ms: 0.0,
        }
    }

    /// A case begins: the light history of the last one is dropped.
    pub(crate) fn begin_case(&mut self) {
        self.history.clear();
        self.failed_light = None;
        self.line_from_ms = self.now_ms();
        self.case_from_ms = self.line_from_ms;
    }

    /// Keep samples for the report's plot (bounded: a few minutes of samples per light).
    fn remember(&mut self, light: Light, samples: &[Sample]) {
        const KEEP: usize = 60_000;
        let h = self.history.entry(light).or_default();
        h.extend_from_slice(samples);
        if h.len() > KEEP {
            h.drain(..h.len() - KEEP);
        }
    }

    /// Read what the Twinning light's sensor holds (everything since the last action or
    /// light expectation) into the history only: a FAIL decided by a modem state is
    /// plotted with what the Twinning light did while that state was watched. Read once,
    /// at the verdict, not on every poll: reading costs (on the simulator, synthesising
    /// the samples). A sensor fault here is not the verdict's concern.
    fn sample_history(&mut self) {
        let mut buf = Vec::new();
        if let Some(dev) = self.devices.lights.get_mut(&Light::Twinning) {
            if dev.sensor.drain(&mut buf).is_ok() {
                self.remember(Light::Twinning, &buf);
            }
        }
    }

    /// The trace that decided a FAIL: the light of a failed light expectation, else the
    /// Twinning light while the failed modem state was watched. `None` without samples.
    pub(crate) fn deciding_trace(
        &mut self,
        expected: &str,
        observed: &str,
    ) -> Option<DecidingTrace> {
        if self.failed_light.is_none() {
            self.sample_history();
        }
        let (light, from) = self
            .failed_light
            .unwrap_or((Light::Twinning, self.line_from_ms));
        let samples = self.history.get(&light).filter(|h| !h.is_empty())?;
        let dev = self.devices.lights.get(&light)?;
        let decided = self.now_ms();
        // The deciding window and up to 10 s of the case before it: what led up to it.
        let since = (from - 10_000.0).max(self.case_from_ms);
        let first = samples.partition_point(|s| s.t_ms < since);
        Some(DecidingTrace {
            light: light.name().to_string(),
            sensor: dev.name.clone(),
            trace: Trace {
                kind: dev.calibration.kind,
                polarity: dev.calibration.polarity,
                dark: dev.calibration.dark,
                samples: samples[first..].to_vec(),
            },
            window_from_ms: from,
            decided_ms: decided,
            expected: expected.to_string(),
            observed: observed.to_string(),
            bench: None,
        })
    }

    pub(crate) fn now_ms(&self) -> f64 {
        self.ctx.clock.now_ms()
    }

    fn settings(&self) -> &Settings {
        &self.ctx.settings
    }

    /// After anything that may change a light, old samples are no evidence of the new state.
    fn action_done(&mut self) -> Result<(), Stop> {
        for (l, d) in self.devices.lights.iter_mut() {
            d.sensor.discard()?;
            if let Some(w) = self.watches.get_mut(l) {
                w.clear();
            }
        }
        Ok(())
    }

    /// Press and release a button. The relay is released on every path.
    pub(crate) async fn press(&mut self, button: Button) -> Result<(), Stop> {
        let press_ms = self.devices.press_ms;
        let (name, act) = self.devices.buttons.get_mut(&button).ok_or_else(|| {
            Stop::Rig(RigFault::NoRelay {
                button: button.name(),
            })
        })?;
        let name = name.clone();
        act.set(true).map_err(|error| relay_fault(&name, error))?;
        let held = Held(act.as_mut());
        sleep(Duration::from_millis(press_ms)).await;
        held.0
            .set(false)
            .map_err(|error| relay_fault(&name, error))?;
        drop(held);
        self.action_done()
    }

    /// Release every relay of the position (used on every exit path of a run).
    pub(crate) fn release_all(&mut self) {
        for (_, act) in self.devices.buttons.values_mut() {
            let _ = act.set(false);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.release_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::{HwError, HwErrorKind};

    /// A relay board that cannot be reached.
    struct DeadRelay;

    impl Actuator for DeadRelay {
        fn set(&mut self, _pressed: bool) -> Result<(), HwError> {
            Err(HwError::new(
                HwErrorKind::Unreachable,
                "board-a:3",
                "GPIO 17: permission denied",
            ))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_relay_fault_keeps_its_relay_and_kind_up_to_the_error_row() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let bench = Bench::load(
            crate::workspace_path("wiring/sim-matrix.toml"),
            &spec.catalog,
        )
        .unwrap();
        let settings = crate::suite::Suite::load(crate::suite::Suite::default_path(), &spec)
            .unwrap()
            .settings;
        let position = bench.positions[0].clone();
        let ctx = Arc::new(Context {
            spec,
            bench,
            settings,
            clock: BenchClock::start(),
        });
        let devices = PositionDevices {
            buttons: BTreeMap::from([(
                Button::Twinning,
                (
                    "board-a:3".to_string(),
                    Box::new(DeadRelay) as Box<dyn Actuator>,
                ),
            )]),
            lights: BTreeMap::new(),
            press_ms: 100,
        };
        let mut driver = Driver::new(ctx, position, devices);
        let Err(Stop::Rig(fault)) = driver.press(Button::Twinning).await else {
            panic!("a relay that cannot be set is a rig fault");
        };
        assert!(
            matches!(&fault, RigFault::Relay { relay, .. } if relay == "board-a:3"),
            "{fault:?}"
        );
        assert_eq!(fault.device(), Some("board-a:3"));
        assert_eq!(fault.kind(), Some(HwErrorKind::Unreachable));
        // The row's text is as before: which relay, and the device's own words.
        assert_eq!(
            fault.to_string(),
            "relay board-a:3: board-a:3: Unreachable: GPIO 17: permission denied"
        );
        // No relay for a button is the bench's fault, not a device's.
        let Err(Stop::Rig(fault)) = driver.press(Button::Call).await else {
            panic!("a missing relay is a rig fault");
        };
        assert_eq!(fault, RigFault::NoRelay { button: "call" });
        assert_eq!(fault.to_string(), "no relay for the call button");
        assert_eq!(fault.kind(), None);
        assert_eq!(fault.device(), None);
    }
}
