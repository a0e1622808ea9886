//! Why a case stopped before its end: the phone's failure ([`Stop::Fail`]) or a typed rig
//! fault ([`RigFault`]) that keeps which device failed and how.

use crate::hw::HwError;
#[cfg(test)]
use crate::hw::HwErrorKind;
use crate::spec::AppearanceState;

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
    #[cfg(test)]
    pub(crate) fn device(&self) -> Option<&str> {
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
    #[cfg(test)]
    pub(crate) fn kind(&self) -> Option<HwErrorKind> {
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
    pub(crate) fn inconsistent(what: &'static str) -> Self {
        Stop::Rig(RigFault::Inconsistent { what })
    }
}

pub(super) fn relay_fault(relay: &str, error: HwError) -> Stop {
    Stop::Rig(RigFault::Relay {
        relay: relay.to_string(),
        error,
    })
}
