//! Bench files (`wiring/*.toml`): what is on the bench and how it is wired.
//!
//! A bench has positions (a phone with its user's twinning settings, which relay channel
//! presses which button, which sensor channel watches which light), relay boards, sensor
//! banks, modems, and the IP Office's trunks. [`Bench::load`] checks everything and
//! reports every fault with the file and line. The format is documented in docs/formats.md ("Bench files").

mod file;
mod hardware;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::hw::pi::{AdsRange, TcsGain};
use crate::hw::SensorKind;
use crate::source::{InputErrors, SourceText};
use crate::spec::{Catalog, Family};

pub use file::parse;
pub(crate) use hardware::DeviceIndex;

/// Which implementation drives a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// The simulated bench (`crate::sim`): relays, sensors and modems.
    Sim,
    /// Relays on the Pi's GPIO header (the kernel's GPIO character device).
    Gpio,
    /// TCS34725 colour sensors behind TCA9548A I2C muxes.
    Tcs34725,
    /// Photodiodes on ADS1115 ADC inputs.
    Ads1115,
    /// A Feasa LED Analyser on a serial port (one channel per fibre).
    Feasa,
    /// An AT-command modem on a serial port.
    Serial,
}

impl Backend {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Backend::Sim => "sim",
            Backend::Gpio => "gpio",
            Backend::Tcs34725 => "tcs34725",
            Backend::Ads1115 => "ads1115",
            Backend::Feasa => "feasa",
            Backend::Serial => "serial",
        }
    }
}

/// How a relay board is driven.
#[derive(Debug, Clone, PartialEq)]
pub enum RelayDriver {
    Sim,
    /// Channel `i` is BCM pin `pins[i]`; `active_low`: the relay closes when the pin is low.
    Gpio {
        pins: Vec<u8>,
        active_low: bool,
    },
}

/// How a sensor bank is driven.
#[derive(Debug, Clone, PartialEq)]
pub enum SensorDriver {
    Sim,
    /// Channel `i` is mux `muxes[i / 8]`, mux channel `i % 8`.
    Tcs34725 {
        i2c_bus: u8,
        muxes: Vec<u8>,
        gain: TcsGain,
        integration_ms: f64,
    },
    /// Channel `i` is ADC `addresses[i / 4]`, input `A(i % 4)`.
    Ads1115 {
        i2c_bus: u8,
        addresses: Vec<u8>,
        fsr: AdsRange,
    },
    /// Channel `i` is fibre `i + 1`.
    Feasa {
        port: String,
        baud: u32,
    },
}

/// How a modem is reached.
#[derive(Debug, Clone, PartialEq)]
pub enum ModemDriver {
    Sim,
    Serial { port: String, baud: u32 },
}

/// A trunk technology. Two legs both on IP trunks make a call S7 may apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum TrunkKind {
    Sip,
    H323,
    Isdn,
    Analog,
}

impl TrunkKind {
    pub(crate) fn is_ip(self) -> bool {
        matches!(self, TrunkKind::Sip | TrunkKind::H323)
    }
}

/// How an external caller reaches a position: dial `prefix` + extension over `trunk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRoute {
    pub name: String,
    pub(crate) trunk: TrunkKind,
    pub(crate) prefix: String,
}

/// The IP Office the bench phones are registered to.
#[derive(Debug, Clone)]
pub struct System {
    /// The trunk twinned calls and handovers leave on.
    pub(crate) twinning_trunk: TrunkKind,
    pub inbound: Vec<InboundRoute>,
}

impl System {
    /// Whether a call in over `route` and twinned out makes an IP-to-IP call (S7).
    pub fn is_ip_to_ip(&self, route: &InboundRoute) -> bool {
        route.trunk.is_ip() && self.twinning_trunk.is_ip()
    }
}

/// A board of relays (one channel per button).
#[derive(Debug, Clone)]
pub struct RelayBoard {
    pub id: String,
    pub(crate) backend: Backend,
    pub driver: RelayDriver,
    pub(crate) channels: u32,
    /// How long a press holds the relay.
    pub press_ms: u64,
    /// The longest a relay may be held; the watchdog releases it after this.
    pub max_hold_ms: u64,
}

/// Physics of a simulated sensor bank (ignored by real backends).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimOptics {
    /// Counts read with the light off (per channel).
    #[serde(default = "SimOptics::default_dark")]
    pub dark: f32,
    /// Counts of a fully lit LED on the clear channel.
    #[serde(default = "SimOptics::default_full")]
    pub full: f32,
    /// Standard deviation of the read noise, in counts.
    #[serde(default = "SimOptics::default_noise")]
    pub noise: f32,
    /// Level a reflective display reads when bare (ambient light it reflects).
    #[serde(default = "SimOptics::default_ambient")]
    pub ambient: f32,
}

impl SimOptics {
    fn default_dark() -> f32 {
        12.0
    }
    fn default_full() -> f32 {
        4000.0
    }
    fn default_noise() -> f32 {
        4.0
    }
    fn default_ambient() -> f32 {
        1800.0
    }
}

impl Default for SimOptics {
    fn default() -> Self {
        Self {
            dark: Self::default_dark(),
            full: Self::default_full(),
            noise: Self::default_noise(),
            ambient: Self::default_ambient(),
        }
    }
}

/// A bank of light sensors of one kind (one channel per light).
#[derive(Debug, Clone)]
pub struct SensorBank {
    pub id: String,
    pub backend: Backend,
    pub driver: SensorDriver,
    pub kind: SensorKind,
    pub channels: u32,
    pub sample_hz: f64,
    pub sim: SimOptics,
}

/// What a modem stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModemRole {
    /// The twinning destination (the user's mobile).
    Mobile,
    /// The outside party who calls the primary.
    Caller,
}

impl ModemRole {
    /// As bench files, the suite and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            ModemRole::Mobile => "mobile",
            ModemRole::Caller => "caller",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Modem {
    pub id: String,
    pub role: ModemRole,
    pub number: String,
    pub(crate) backend: Backend,
    pub driver: ModemDriver,
}

/// Which user twinning the position's user has (S1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TwinningMode {
    Mobile,
    Internal,
}

/// The user's twinning settings, as configured on the system.
#[derive(Debug, Clone)]
pub struct TwinningSettings {
    pub mode: TwinningMode,
    /// Mobile twinning switched on when the bench is set up (the rig toggles it as cases need).
    pub enabled: bool,
    /// The twinned destination number.
    pub number: String,
    /// The user's Transfer Return Time; `None`: not configured (S14 enforces 15 s).
    pub transfer_return_s: Option<u32>,
}

/// A relay channel or a sensor channel: `device:channel`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelRef {
    pub device: String,
    pub channel: u32,
}

impl fmt::Display for ChannelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.device, self.channel)
    }
}

/// The buttons a position's relays press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Button {
    Twinning,
    /// The call appearance: answers an alerting call, takes a held one back.
    Call,
    /// Release: ends the call at the phone.
    Release,
}

impl Button {
    pub const ALL: [Button; 3] = [Button::Twinning, Button::Call, Button::Release];

    pub fn name(self) -> &'static str {
        match self {
            Button::Twinning => "twinning",
            Button::Call => "call",
            Button::Release => "release",
        }
    }
}

/// The lights a position's sensors watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Light {
    Twinning,
    /// The call appearance light.
    Call,
}

impl Light {
    pub const ALL: [Light; 2] = [Light::Twinning, Light::Call];

    pub fn name(self) -> &'static str {
        match self {
            Light::Twinning => "twinning",
            Light::Call => "call",
        }
    }
}

/// A sensor's calibration: the reading with the light off (emissive) or of the bare
/// display (reflective). Per channel for RGB+clear sensors, one level otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DarkLevel {
    Rgbc([f32; 4]),
    Level(f32),
}

#[derive(Debug, Clone)]
pub struct LightWiring {
    pub sensor: ChannelRef,
    pub dark: Option<DarkLevel>,
}

/// One phone on the bench.
#[derive(Debug, Clone)]
pub struct Position {
    pub id: String,
    pub model: String,
    /// The catalog family of `model` (resolved on load).
    pub family: String,
    pub(crate) extension: String,
    pub twinning: TwinningSettings,
    pub buttons: BTreeMap<Button, ChannelRef>,
    pub lights: BTreeMap<Light, LightWiring>,
}

/// A whole, checked bench.
#[derive(Debug, Clone)]
pub struct Bench {
    pub path: PathBuf,
    pub name: String,
    pub system: System,
    pub(crate) relays: Vec<RelayBoard>,
    pub(crate) sensors: Vec<SensorBank>,
    pub modems: Vec<Modem>,
    pub positions: Vec<Position>,
}

impl Bench {
    /// Read, parse and check a bench file against the catalog.
    pub fn load(path: impl AsRef<Path>, catalog: &Catalog) -> Result<Bench, InputErrors> {
        let src = SourceText::read_limited(path, crate::source::MAX_TOML_BYTES)?;
        parse(&src, catalog)
    }

    pub fn position(&self, id: &str) -> Option<&Position> {
        self.positions.iter().find(|p| p.id == id)
    }

    /// The bench's modems of one role, in bench order: its line pool for that role.
    pub fn modems_of(&self, role: ModemRole) -> impl Iterator<Item = &Modem> + '_ {
        self.modems.iter().filter(move |m| m.role == role)
    }

    /// The mobile line a position's calls can ring, which its cases lease: the mobile modem
    /// its twinned number names. See `Bench::mobile_line_per_position`.
    pub fn mobile_line_of(&self, position: &Position) -> Option<&Modem> {
        let i = self.positions.iter().position(|p| p.id == position.id)?;
        self.mobile_line_per_position()[i]
    }

    /// Each position's mobile line, in position order: the mobile modem its twinned number
    /// names. A user twinned internally (to an extension) rings no modem; its cases still
    /// watch a mobile line to prove that, so it is given the line with the fewest positions
    /// on it so far (in bench order, the first such): lines stay evenly shared, and the
    /// choice is fixed by the bench file alone.
    pub(crate) fn mobile_line_per_position(&self) -> Vec<Option<&Modem>> {
        let mobiles: Vec<&Modem> = self.modems_of(ModemRole::Mobile).collect();
        let mut load = vec![0usize; mobiles.len()];
        let mut out: Vec<Option<usize>> = self
            .positions
            .iter()
            .map(|p| mobiles.iter().position(|m| m.number == p.twinning.number))
            .collect();
        for m in out.iter().flatten() {
            load[*m] += 1;
        }
        for slot in out.iter_mut().filter(|m| m.is_none()) {
            if let Some((m, _)) = load.iter().enumerate().min_by_key(|(i, l)| (**l, *i)) {
                load[m] += 1;
                *slot = Some(m);
            }
        }
        out.into_iter().map(|m| m.map(|m| mobiles[m])).collect()
    }

    pub fn relay_board(&self, id: &str) -> Option<&RelayBoard> {
        self.relays.iter().find(|r| r.id == id)
    }

    pub fn sensor_bank(&self, id: &str) -> Option<&SensorBank> {
        self.sensors.iter().find(|s| s.id == id)
    }

    /// The family of a position (the catalog was checked on load).
    pub fn family<'c>(&self, position: &Position, catalog: &'c Catalog) -> &'c Family {
        catalog
            .family(&position.family)
            .expect("Bench::load resolved every position's family")
    }

    /// The number an external caller dials to reach a position over a route.
    /// Whether every device is simulated (the run can use virtual time).
    pub fn is_simulated(&self) -> bool {
        self.backends().all(|b| b == Backend::Sim)
    }

    /// Whether any device is simulated (the run needs a firmware profile).
    pub fn uses_sim(&self) -> bool {
        self.backends().any(|b| b == Backend::Sim)
    }

    fn backends(&self) -> impl Iterator<Item = Backend> + '_ {
        let r = self.relays.iter().map(|r| r.backend);
        let s = self.sensors.iter().map(|s| s.backend);
        r.chain(s).chain(self.modems.iter().map(|m| m.backend))
    }

    pub fn dial_number(&self, position: &Position, route: &InboundRoute) -> String {
        format!("{}{}", route.prefix, position.extension)
    }
}
