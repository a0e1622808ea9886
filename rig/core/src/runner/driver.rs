//! Driving one position: pressing its buttons, reading its lights, watching the modems.
//!
//! Everything here goes through the hardware traits and so sees only what a real bench
//! would: light samples (classified by [`crate::observe`]) and the modems' call lists.
//! Every wait has a deadline; a device that does not answer is a rig fault ([`Stop::Rig`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{sleep, timeout};

use super::devices::{Lease, PositionDevices};
use super::result::DecidingTrace;
use crate::bench::{Bench, Button, InboundRoute, Light, ModemRole, Position};
use crate::hw::{Actuator, BenchClock, HwError, HwErrorKind, LineState, Sample};
use crate::observe::{Classifier, Reading, Watch};
use crate::spec::{AppearanceState, Expected, Family, Indication, Spec};
use crate::suite::Settings;
use crate::trace::Trace;

/// Why a case stopped before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// The phone broke an expectation.
    Fail {
        expected: String,
        observed: String,
        message: String,
    },
    /// The rig itself failed: never blamed on the phone.
    Rig(RigFault),
    /// The case could not be brought to its starting state because of the phone's
    /// behaviour (reported by another case); the case is skipped, with the reason.
    Blocked(String),
}

impl From<HwError> for Stop {
    fn from(e: HwError) -> Self {
        Stop::Rig(RigFault::Device(e))
    }
}

impl From<RigFault> for Stop {
    fn from(f: RigFault) -> Self {
        Stop::Rig(f)
    }
}

/// A rig fault (an ERROR): which device and why, keeping a device's own error and its
/// kind up to the verdict. The text is the ERROR row's message after "rig fault (not the
/// phone's): ".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RigFault {
    /// A device (a modem) reported a fault.
    #[error("{0}")]
    Device(#[from] HwError),
    /// The relay that presses a button, by its bench name, reported a fault.
    #[error("relay {relay}: {error}")]
    Relay { relay: String, error: HwError },
    /// The sensor over a light, by its bench name, reported a fault.
    #[error("sensor {sensor}: {error}")]
    Sensor { sensor: String, error: HwError },
    /// A sensor stopped giving samples.
    #[error("sensor {sensor} on the {light} light gave no sample for {silent_ms:.0} ms")]
    Silent {
        sensor: String,
        light: &'static str,
        silent_ms: f64,
    },
    /// A modem command was not answered within the suite's action timeout.
    #[error("{what}: no answer within {limit_ms} ms")]
    NoAnswer { what: String, limit_ms: u64 },
    /// A modem's call list (AT+CLCC) was not answered within the action timeout.
    #[error("{role} modem: call list (AT+CLCC) not answered within {limit_ms} ms")]
    CallListNoAnswer { role: &'static str, limit_ms: u64 },
    /// A sensor's readings cannot tell what the step wants (clipped, too dim…).
    #[error("sensor {sensor} on the {light} light: {why} (wanted {wanted})")]
    Unreadable {
        sensor: String,
        light: &'static str,
        why: &'static str,
        wanted: String,
    },
    /// The bench has no relay on a button a step presses.
    #[error("no relay for the {button} button")]
    NoRelay { button: &'static str },
    /// The bench has no sensor over a light a step watches.
    #[error("no sensor on the {light} light")]
    NoSensor { light: &'static str },
    /// The position's family has no call-appearance indicator in the spec.
    #[error("family {family} has no indicator")]
    NoIndicator { family: String },
    /// The spec gives no indication for a state of the family's call-appearance indicator.
    #[error("no call-appearance indication for {indicator} {state}")]
    NoAppearance {
        indicator: &'static str,
        state: AppearanceState,
    },
    /// A twinning probe's call did not alert the primary: the route or the extension is
    /// wrong, so the probe cannot tell whether the mobile rings.
    #[error(
        "probing twinning: a call to {number} did not alert the primary ({observed}); check the route and extension"
    )]
    ProbeNotAlerting { number: String, observed: String },
    /// A modem's line will not go idle after a hang-up.
    #[error("the {role} modem will not go idle")]
    LineNotIdle { role: &'static str },
    /// A position holds a call and has no release relay to end it.
    #[error("position {position} is not idle and has no release relay to end its call")]
    NoRelease { position: String },
    /// A position's call appearance will not go idle after a release press.
    #[error("position {position} will not go idle ({observed})")]
    PositionNotIdle { position: String, observed: String },
    /// The operator's input ended before an answer: the check was not made.
    #[error("the operator's input (stdin) ended before an answer to: {prompt}")]
    OperatorGone { prompt: String },
    /// The suite and the bench disagree in a way their loaders (or the plan's
    /// applicability) should have caught.
    #[error("{what}")]
    Inconsistent { what: &'static str },
    /// The case's steps passed but its cleanup (bringing the position back to idle) did
    /// not: the phone-side failure met there, by its message.
    #[error("cleanup: {message}")]
    Cleanup { message: String },
}

impl RigFault {
    /// The device at fault, by its bench name, when one is.
    pub fn device(&self) -> Option<&str> {
        match self {
            RigFault::Device(e) => Some(&e.device),
            RigFault::Relay { relay: d, .. }
            | RigFault::Sensor { sensor: d, .. }
            | RigFault::Silent { sensor: d, .. }
            | RigFault::Unreadable { sensor: d, .. } => Some(d),
            RigFault::NoAnswer { .. }
            | RigFault::CallListNoAnswer { .. }
            | RigFault::NoRelay { .. }
            | RigFault::NoSensor { .. }
            | RigFault::NoIndicator { .. }
            | RigFault::NoAppearance { .. }
            | RigFault::ProbeNotAlerting { .. }
            | RigFault::LineNotIdle { .. }
            | RigFault::NoRelease { .. }
            | RigFault::PositionNotIdle { .. }
            | RigFault::OperatorGone { .. }
            | RigFault::Inconsistent { .. }
            | RigFault::Cleanup { .. } => None,
        }
    }

    /// The kind of the device's fault: the kind a device reported, `Timeout` for a device
    /// that did not answer or went silent, `None` when no device is at fault.
    pub fn kind(&self) -> Option<HwErrorKind> {
        match self {
            RigFault::Device(e)
            | RigFault::Relay { error: e, .. }
            | RigFault::Sensor { error: e, .. } => Some(e.kind),
            RigFault::Silent { .. }
            | RigFault::NoAnswer { .. }
            | RigFault::CallListNoAnswer { .. } => Some(HwErrorKind::Timeout),
            RigFault::Unreadable { .. }
            | RigFault::NoRelay { .. }
            | RigFault::NoSensor { .. }
            | RigFault::NoIndicator { .. }
            | RigFault::NoAppearance { .. }
            | RigFault::ProbeNotAlerting { .. }
            | RigFault::LineNotIdle { .. }
            | RigFault::NoRelease { .. }
            | RigFault::PositionNotIdle { .. }
            | RigFault::OperatorGone { .. }
            | RigFault::Inconsistent { .. }
            | RigFault::Cleanup { .. } => None,
        }
    }
}

impl Stop {
    /// A suite/bench inconsistency the loaders (or the plan) should have caught (see
    /// [`RigFault::Inconsistent`]).
    pub fn inconsistent(what: &'static str) -> Self {
        Stop::Rig(RigFault::Inconsistent { what })
    }
}

fn relay_fault(relay: &str, error: HwError) -> Stop {
    Stop::Rig(RigFault::Relay {
        relay: relay.to_string(),
        error,
    })
}

/// What a light expectation wants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LightWant {
    Is(Expected),
    /// Any settled state the expectation does not accept (S10: no longer winking).
    IsNot(Expected),
    /// The spec gives no indication: record what the light shows, assert nothing.
    Unspecified,
}

impl LightWant {
    /// Whether a settled indication meets the want (`Unspecified` meets anything).
    fn accepts(&self, i: Indication) -> bool {
        match self {
            LightWant::Is(e) => e.accepts(i),
            LightWant::IsNot(e) => !e.accepts(i),
            LightWant::Unspecified => true,
        }
    }
}

impl std::fmt::Display for LightWant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LightWant::Is(e) => write!(f, "{e}"),
            LightWant::IsNot(e) => write!(f, "anything but {e}"),
            LightWant::Unspecified => f.write_str("any settled state"),
        }
    }
}

/// A light expectation that came true (or was recorded).
#[derive(Debug, Clone)]
pub struct LightSeen {
    pub reading: Reading,
    pub indication: Option<Indication>,
    pub at_ms: f64,
}

/// The shared, read-only context of a run.
pub struct Context {
    pub spec: Spec,
    pub bench: Bench,
    pub settings: Settings,
    pub clock: BenchClock,
}

pub struct Driver {
    pub ctx: Arc<Context>,
    pub position: Position,
    pub family: Family,
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
    pub fn new(ctx: Arc<Context>, position: Position, devices: PositionDevices) -> Self {
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
    pub fn begin_case(&mut self) {
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
    pub fn deciding_trace(&mut self, expected: &str, observed: &str) -> Option<DecidingTrace> {
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
        })
    }

    pub fn now_ms(&self) -> f64 {
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
    pub async fn press(&mut self, button: Button) -> Result<(), Stop> {
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

    /// Run a modem command with the suite's action timeout.
    pub async fn modem<T>(
        &mut self,
        what: &str,
        fut: impl Future<Output = Result<T, HwError>>,
    ) -> Result<T, Stop> {
        let limit = self.settings().action_timeout_ms;
        let out = match timeout(Duration::from_millis(limit), fut).await {
            Ok(r) => r.map_err(Stop::from),
            Err(_) => Err(Stop::Rig(RigFault::NoAnswer {
                what: what.to_string(),
                limit_ms: limit,
            })),
        };
        self.action_done()?;
        out
    }

    pub async fn line_state(
        &mut self,
        lease: &mut Lease,
        role: ModemRole,
    ) -> Result<LineState, Stop> {
        let limit = self.settings().action_timeout_ms;
        match timeout(Duration::from_millis(limit), lease.line(role).calls()).await {
            Ok(Ok(calls)) => Ok(LineState::of(&calls)),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(Stop::Rig(RigFault::CallListNoAnswer {
                role: role_name(role),
                limit_ms: limit,
            })),
        }
    }

    /// Wait until a modem's line is in `want`, then (with `hold_ms`) stays there.
    /// Returns the bench time at which it was first seen.
    pub async fn expect_line(
        &mut self,
        lease: &mut Lease,
        role: ModemRole,
        want: LineState,
        within_ms: u64,
        hold_ms: u64,
    ) -> Result<f64, Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let start = self.now_ms();
        self.line_from_ms = start;
        self.failed_light = None;
        let mut seen = self.line_state(lease, role).await?;
        while seen != want {
            if self.now_ms() - start > within_ms as f64 {
                return Err(Stop::Fail {
                    expected: format!("{} modem: {want}", role_name(role)),
                    observed: format!("{} modem: {seen}", role_name(role)),
                    message: format!(
                        "the {} modem was {seen}, not {want}, after {within_ms} ms",
                        role_name(role)
                    ),
                });
            }
            sleep(poll).await;
            seen = self.line_state(lease, role).await?;
        }
        let met = self.now_ms();
        while self.now_ms() - met < hold_ms as f64 {
            sleep(poll).await;
            let now = self.line_state(lease, role).await?;
            if now != want {
                return Err(Stop::Fail {
                    expected: format!("{} modem: {want} for {hold_ms} ms", role_name(role)),
                    observed: format!(
                        "{} modem: {now} after {:.0} ms",
                        role_name(role),
                        self.now_ms() - met
                    ),
                    message: format!(
                        "the {} modem left {want} after {:.0} ms",
                        role_name(role),
                        self.now_ms() - met
                    ),
                });
            }
        }
        Ok(met)
    }

    /// Watch a light until it settles in the wanted state (and holds it for `hold_ms`).
    pub async fn expect_light(
        &mut self,
        light: Light,
        want: LightWant,
        within_ms: u64,
        hold_ms: u64,
    ) -> Result<LightSeen, Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let start = self.now_ms();
        let mut last_sample_ms = start;
        let mut last = Reading::NotEnoughEvidence;
        let mut met: Option<(f64, Reading)> = None;
        let mut buf = Vec::new();
        loop {
            sleep(poll).await;
            let now = self.now_ms();
            let dev = self.devices.lights.get_mut(&light).ok_or_else(|| {
                Stop::Rig(RigFault::NoSensor {
                    light: light.name(),
                })
            })?;
            buf.clear();
            dev.sensor.drain(&mut buf).map_err(|error| {
                Stop::Rig(RigFault::Sensor {
                    sensor: dev.name.clone(),
                    error,
                })
            })?;
            self.failed_light = Some((light, start));
            self.remember(light, &buf);
            let dev = &self.devices.lights[&light];
            if let Some(s) = buf.last() {
                last_sample_ms = s.t_ms;
            } else if now - last_sample_ms > 1000.0 {
                return Err(Stop::Rig(RigFault::Silent {
                    sensor: dev.name.clone(),
                    light: light.name(),
                    silent_ms: now - last_sample_ms,
                }));
            }
            let watch = self.watches.get_mut(&light).expect("a watch per light");
            watch.push(&buf);
            let reading = watch.current();
            let seen = seen_indication(&reading);
            match (want, seen, &met) {
                // Unspecified: the first settled reading is the record.
                (LightWant::Unspecified, Some(i), _) => {
                    return Ok(LightSeen {
                        reading,
                        indication: Some(i),
                        at_ms: now,
                    })
                }
                (LightWant::Is(_) | LightWant::IsNot(_), Some(i), None) if want.accepts(i) => {
                    met = Some((now, reading.clone()))
                }
                (LightWant::Is(_) | LightWant::IsNot(_), Some(i), Some((t, _)))
                    if !want.accepts(i) =>
                {
                    return Err(Stop::Fail {
                        expected: format!("{} light: {want} for {hold_ms} ms", light.name()),
                        observed: format!("{} light: {}", light.name(), reading.describe()),
                        message: format!(
                            "the {} light changed to {i} after {:.0} ms",
                            light.name(),
                            now - t
                        ),
                    });
                }
                _ => {}
            }
            if !matches!(reading, Reading::NotEnoughEvidence) {
                last = reading;
            }
            if let Some((t, r)) = &met {
                if now - t >= hold_ms as f64 {
                    return Ok(LightSeen {
                        reading: r.clone(),
                        indication: seen_indication(r),
                        at_ms: *t,
                    });
                }
            } else if now - start > within_ms as f64 {
                let expected = match want {
                    LightWant::Is(_) | LightWant::IsNot(_) => {
                        format!("{} light: {want}", light.name())
                    }
                    LightWant::Unspecified => format!("{} light: any settled state", light.name()),
                };
                let dev = &self.devices.lights[&light];
                if let Some(why) = unreadable(&last, dev.calibration.kind, want) {
                    // The rig could not read the light: never blamed on the phone.
                    return Err(Stop::Rig(RigFault::Unreadable {
                        sensor: dev.name.clone(),
                        light: light.name(),
                        why,
                        wanted: expected,
                    }));
                }
                return Err(Stop::Fail {
                    expected,
                    observed: format!("{} light: {}", light.name(), last.describe()),
                    message: format!(
                        "the {} light did not show that within {within_ms} ms",
                        light.name()
                    ),
                });
            }
        }
    }

    /// Record a light's raw samples for `ms` of bench time from now, and what the classifier
    /// reads in them (for calibration: the mean of a known state, and proof that the light
    /// held still while it was measured). A sensor that gives no sample is a rig fault.
    pub async fn record_light(
        &mut self,
        light: Light,
        ms: f64,
    ) -> Result<(Vec<Sample>, Reading), Stop> {
        let poll = Duration::from_millis(self.settings().poll_ms);
        let clock = self.ctx.clock;
        let dev = self.devices.lights.get_mut(&light).ok_or_else(|| {
            Stop::Rig(RigFault::NoSensor {
                light: light.name(),
            })
        })?;
        let name = dev.name.clone();
        let fault = |error: HwError| {
            Stop::Rig(RigFault::Sensor {
                sensor: name.clone(),
                error,
            })
        };
        dev.sensor.discard().map_err(fault)?;
        let start = clock.now_ms();
        let mut samples = Vec::new();
        while clock.now_ms() - start < ms {
            sleep(poll).await;
            dev.sensor.drain(&mut samples).map_err(fault)?;
        }
        if samples.is_empty() {
            return Err(Stop::Rig(RigFault::Silent {
                sensor: name,
                light: light.name(),
                silent_ms: ms,
            }));
        }
        let reading = Classifier::new(&self.ctx.spec.cadences, dev.calibration).classify(&samples);
        Ok((samples, reading))
    }

    /// Is mobile twinning on? Proven by behaviour, not by the light: the caller rings the
    /// primary and the rig watches whether the mobile rings too. Leaves both idle.
    pub async fn probe_twinned(
        &mut self,
        lease: &mut Lease,
        route: &InboundRoute,
    ) -> Result<bool, Stop> {
        let number = self.ctx.bench.dial_number(&self.position, route);
        let ring_ms = self.settings().probe_ring_ms;
        let within = self.settings().expect_within_ms;
        let started = self.now_ms();
        self.modem("caller modem: dial", lease.caller.dial(&number))
            .await?;
        let alert = self.appearance(crate::spec::AppearanceState::Alerting)?;
        self.expect_light(Light::Call, LightWant::Is(alert), within, 0)
            .await
            .map_err(|s| match s {
                Stop::Fail { observed, .. } => Stop::Rig(RigFault::ProbeNotAlerting {
                    number: number.clone(),
                    observed,
                }),
                other => other,
            })?;
        let mut twinned = false;
        let poll = Duration::from_millis(self.settings().poll_ms);
        let watched_from = self.now_ms();
        while self.now_ms() - started < ring_ms as f64 {
            if self.line_state(lease, ModemRole::Mobile).await? == LineState::Ringing {
                twinned = true;
                break;
            }
            sleep(poll).await;
        }
        // The mobile's ringing decides: a FAIL is plotted with what the Twinning light did
        // meanwhile (kept before hanging up discards it).
        self.sample_history();
        self.modem("caller modem: hang up", lease.caller.hang_up())
            .await?;
        self.settle_idle(lease).await?;
        self.failed_light = None;
        self.line_from_ms = watched_from;
        Ok(twinned)
    }

    /// The call appearance indication of this family's indicator for a state.
    pub fn appearance(&self, state: crate::spec::AppearanceState) -> Result<Expected, Stop> {
        let kind = self.family.indicator.ok_or_else(|| {
            Stop::Rig(RigFault::NoIndicator {
                family: self.family.id.to_string(),
            })
        })?;
        self.ctx
            .spec
            .indications
            .appearance(kind, state)
            .map(Expected::Exactly)
            .ok_or_else(|| {
                Stop::Rig(RigFault::NoAppearance {
                    indicator: kind.name(),
                    state,
                })
            })
    }

    /// Wait for both modems and the primary to be idle; press release once if the
    /// primary still holds a call. A position that will not go idle is a rig ERROR.
    pub async fn settle_idle(&mut self, lease: &mut Lease) -> Result<(), Stop> {
        let within = self.settings().expect_within_ms;
        for role in [ModemRole::Mobile, ModemRole::Caller] {
            if self
                .expect_line(lease, role, LineState::Idle, within, 0)
                .await
                .is_err()
            {
                self.modem("hang up", lease.line(role).hang_up()).await?;
                self.expect_line(lease, role, LineState::Idle, within, 0)
                    .await
                    .map_err(|_| {
                        Stop::Rig(RigFault::LineNotIdle {
                            role: role_name(role),
                        })
                    })?;
            }
        }
        self.primary_idle().await
    }

    /// Bring the primary's call appearance to idle (pressing release once if needed).
    pub async fn primary_idle(&mut self) -> Result<(), Stop> {
        let within = self.settings().expect_within_ms;
        let idle = self.appearance(crate::spec::AppearanceState::Idle)?;
        if self
            .expect_light(Light::Call, LightWant::Is(idle), within, 0)
            .await
            .is_ok()
        {
            return Ok(());
        }
        if !self.devices.buttons.contains_key(&Button::Release) {
            return Err(Stop::Rig(RigFault::NoRelease {
                position: self.position.id.to_string(),
            }));
        }
        self.press(Button::Release).await?;
        self.expect_light(Light::Call, LightWant::Is(idle), within, 0)
            .await
            .map(|_| ())
            .map_err(|s| match s {
                Stop::Fail { observed, .. } => Stop::Rig(RigFault::PositionNotIdle {
                    position: self.position.id.to_string(),
                    observed,
                }),
                other => other,
            })
    }

    /// Release every relay of the position (used on every exit path of a run).
    pub fn release_all(&mut self) {
        for (_, act) in self.devices.buttons.values_mut() {
            let _ = act.set(false);
        }
    }
}

/// Why a final reading says nothing about the phone: no stable reading in the whole
/// window (noise, a loose sensor), or a colour sensor that could not measure the colour
/// (clipped channels read as `on`).
fn unreadable(
    last: &Reading,
    kind: crate::hw::SensorKind,
    want: LightWant,
) -> Option<&'static str> {
    use crate::spec::Colour;
    // Only a colour sensor asked for a hue can fail to measure one.
    let wants_hue = match want {
        LightWant::Is(Expected::Exactly(i)) => !matches!(i.colour, Colour::On | Colour::Off),
        LightWant::Is(Expected::AnyColour(_)) | LightWant::IsNot(_) | LightWant::Unspecified => {
            false
        }
    };
    match last {
        Reading::NotEnoughEvidence => Some("no stable reading at all: check the sensor's mounting, shroud and gain"),
        Reading::Seen(o) if wants_hue && kind == crate::hw::SensorKind::Rgbc && o.indication.colour == Colour::On => {
            Some("lit, but its colour could not be measured (clipped channels): lower the gain or integration time")
        }
        _ => None,
    }
}

/// The indication a settled reading shows; `None` while undecided or unmatched.
pub fn seen_indication(r: &Reading) -> Option<Indication> {
    match r {
        Reading::Seen(o) => Some(o.indication),
        _ => None,
    }
}

pub fn role_name(role: ModemRole) -> &'static str {
    match role {
        ModemRole::Mobile => "mobile",
        ModemRole::Caller => "caller",
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
    use crate::hw::SensorKind;
    use crate::observe::Observation;

    fn seen(i: &str) -> Reading {
        Reading::Seen(Observation {
            indication: i.parse().unwrap(),
            period_ms: None,
            on_ms: None,
            off_ms: None,
            confidence: 1.0,
            window_ms: 1500.0,
        })
    }

    #[test]
    fn only_the_rig_s_own_blindness_is_unreadable() {
        let green = LightWant::Is("green steady".parse().unwrap());
        let on = LightWant::Is("on steady".parse().unwrap());
        // Never a settled reading: the rig could not read the light.
        assert!(unreadable(&Reading::NotEnoughEvidence, SensorKind::Rgbc, green).is_some());
        // A colour sensor that saw "lit, colour unknown" where a hue was wanted.
        assert!(unreadable(&seen("on steady"), SensorKind::Rgbc, green).is_some());
        // A wrong but well-read light is the phone's: FAIL, not ERROR.
        assert!(unreadable(&seen("red steady"), SensorKind::Rgbc, green).is_none());
        assert!(unreadable(&seen("green flash"), SensorKind::Rgbc, green).is_none());
        // `on` is a real reading for a level sensor or an LCD indicator.
        assert!(unreadable(&seen("on steady"), SensorKind::Level, green).is_none());
        assert!(unreadable(&seen("on flash"), SensorKind::Rgbc, on).is_none());
    }

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
