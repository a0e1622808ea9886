//! The rig's hardware layer: traits, codecs and drivers (ARCHITECTURE.md, "Hardware").
//! It knows nothing of phones, suites or verdicts; everything above it sees only these
//! traits. Hardware traits, small and few (embedded-hal style), each with an error kind:
//!
//! - [`Actuator`]: one relay channel that presses one button.
//! - [`LightSensor`]: one sensor over one light, giving timestamped samples.
//! - [`PhoneLine`]: one modem (a phone line): dial, answer, hang up, list calls.
//!
//! Backends implement these; nothing above them knows which backend it talks to. The
//! real ones live here (`pi`, `feasa`, `modem`); the simulated ones in the rig's simulator.
//! All times are on the bench clock ([`BenchClock`]), which is tokio's clock, so the same
//! code runs in virtual time on the simulated bench and in real time on a Pi.

// The serial drivers (Feasa analyser, AT modems) and the serial port itself need the
// `backends` feature; without it only the Feasa protocol's constants and codec remain (a
// bench file names a Feasa line speed).
#[cfg(feature = "backends")]
pub mod feasa;
#[cfg(not(feature = "backends"))]
pub mod feasa {
    pub mod codec;
    pub use codec::DEFAULT_BAUD;
}
#[cfg(feature = "backends")]
pub mod modem;
#[cfg(feature = "backends")]
pub mod serial;

use std::fmt;

use async_trait::async_trait;
use tokio::time::Instant;

pub mod pi;
pub mod relays;

/// What kind of fault a device reported. The runner turns any of these into an ERROR
/// verdict: a device fault is the rig's, never the phone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HwErrorKind {
    /// The device did not answer in time.
    Timeout,
    /// The device answered something that makes no sense.
    Protocol,
    /// The device refused the command (a modem's `ERROR`, a relay board fault).
    Rejected,
    /// The device could not be reached at all (port, bus, GPIO).
    Unreachable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{device}: {kind:?}: {message}")]
pub struct HwError {
    pub kind: HwErrorKind,
    /// The bench's name for the device (`mobile`, `relays:3`, …).
    pub device: String,
    pub message: String,
}

impl HwError {
    pub fn new(kind: HwErrorKind, device: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            device: device.into(),
            message: message.into(),
        }
    }
}

/// The bench clock: milliseconds since the run started, on tokio's clock.
#[derive(Debug, Clone, Copy)]
pub struct BenchClock {
    origin: Instant,
}

impl BenchClock {
    pub fn start() -> Self {
        Self {
            origin: Instant::now(),
        }
    }

    pub fn origin(&self) -> Instant {
        self.origin
    }

    pub fn now_ms(&self) -> f64 {
        self.ms_at(Instant::now())
    }

    pub fn ms_at(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.origin).as_secs_f64() * 1000.0
    }
}

/// One reading of a light sensor. An RGB+clear sensor fills all four channels; an
/// intensity-only sensor (photodiode through an ADC) puts its level in `c`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    /// Bench clock, ms.
    pub t_ms: f64,
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub c: f32,
}

/// What a sensor measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SensorKind {
    /// RGB + clear counts (TCS34725, Feasa analyser).
    Rgbc,
    /// One intensity level (photodiode on an ADS1115).
    Level,
}

/// One relay channel wired across one button.
pub trait Actuator: Send {
    /// Energise (press) or release the relay.
    fn set(&mut self, pressed: bool) -> Result<(), HwError>;
}

/// One light sensor over one light.
pub trait LightSensor: Send {
    fn kind(&self) -> SensorKind;

    /// Append every sample taken since the last call, oldest first. A real backend
    /// samples in the background and buffers; a silent sensor yields nothing (the
    /// runner reports that as a rig ERROR).
    fn drain(&mut self, out: &mut Vec<Sample>) -> Result<(), HwError>;

    /// Forget buffered samples: the next `drain` starts from now.
    fn discard(&mut self) -> Result<(), HwError>;
}

/// A call as a modem lists it (3GPP TS 27.007 `+CLCC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    pub incoming: bool,
    pub status: CallStatus,
    pub number: Option<String>,
}

/// `+CLCC` `<stat>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    Active,
    Held,
    Dialing,
    Alerting,
    Incoming,
    Waiting,
}

/// A modem standing in for a phone on the outside (the mobile, the external caller).
#[async_trait]
pub trait PhoneLine: Send {
    /// Place a voice call (`ATD<n>;`).
    async fn dial(&mut self, number: &str) -> Result<(), HwError>;
    /// Answer the ringing call (`ATA`).
    async fn answer(&mut self) -> Result<(), HwError>;
    /// End or reject every call (`AT+CHUP`).
    async fn hang_up(&mut self) -> Result<(), HwError>;
    /// The current calls (`AT+CLCC`).
    async fn calls(&mut self) -> Result<Vec<CallInfo>, HwError>;
    /// Radio on or off (`AT+CFUN=1` / `AT+CFUN=4`): off makes this line unreachable.
    async fn set_radio(&mut self, on: bool) -> Result<(), HwError>;
    /// Who the device is and whether it is ready (`AT+CGMI`, `AT+CGMM`, `AT+CREG?`), for
    /// `rig doctor`. An error means it is not usable.
    async fn identify(&mut self) -> Result<String, HwError> {
        Ok("(no identity reported)".into())
    }
}

/// A phone line's state, summarised from its call list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineState {
    Idle,
    /// An incoming call rings.
    Ringing,
    /// An outgoing call is being set up or rings at the far end.
    Dialing,
    Active,
    Held,
}

impl LineState {
    pub fn of(calls: &[CallInfo]) -> LineState {
        let has = |s: CallStatus| calls.iter().any(|c| c.status == s);
        if has(CallStatus::Active) {
            LineState::Active
        } else if has(CallStatus::Incoming) || has(CallStatus::Waiting) {
            LineState::Ringing
        } else if has(CallStatus::Dialing) || has(CallStatus::Alerting) {
            LineState::Dialing
        } else if has(CallStatus::Held) {
            LineState::Held
        } else {
            LineState::Idle
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LineState::Idle => "idle",
            LineState::Ringing => "ringing",
            LineState::Dialing => "dialing",
            LineState::Active => "active",
            LineState::Held => "held",
        }
    }
}

impl fmt::Display for LineState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
