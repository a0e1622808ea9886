//! The bench file's TOML shapes as written, each value with its span (for the line of a
//! fault), before any check.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::super::{Backend, Button, Light, ModemRole, SimOptics, TrunkKind, TwinningMode};
use crate::hw::SensorKind;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBench {
    pub(super) bench: RawHeader,
    pub(super) system: RawSystem,
    #[serde(default)]
    pub(super) relays: Vec<Spanned<RawRelays>>,
    #[serde(default)]
    pub(super) sensors: Vec<Spanned<RawSensors>>,
    #[serde(default)]
    pub(super) modem: Vec<Spanned<RawModem>>,
    #[serde(default)]
    pub(super) position: Vec<Spanned<RawPosition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader {
    pub(super) name: String,
    #[serde(default)]
    #[allow(dead_code)]
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSystem {
    pub(super) twinning_trunk: TrunkKind,
    pub(super) inbound: Vec<Spanned<RawRoute>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    pub(super) name: String,
    pub(super) trunk: TrunkKind,
    pub(super) prefix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRelays {
    pub(super) id: String,
    pub(super) backend: Backend,
    #[serde(default)]
    pub(super) channels: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) pins: Option<Vec<u8>>,
    #[serde(default)]
    pub(super) active_low: Option<bool>,
    #[serde(default)]
    pub(super) press_ms: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) max_hold_ms: Option<Spanned<i64>>,
}

pub(super) const DEFAULT_PRESS_MS: i64 = 150;
pub(super) const DEFAULT_MAX_HOLD_MS: i64 = 3000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSensors {
    pub(super) id: String,
    pub(super) backend: Backend,
    pub(super) kind: SensorKind,
    pub(super) channels: Spanned<i64>,
    #[serde(default)]
    pub(super) sample_hz: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) sim: Option<Spanned<SimOptics>>,
    #[serde(default)]
    pub(super) i2c_bus: Option<u8>,
    #[serde(default)]
    pub(super) muxes: Option<Vec<u8>>,
    #[serde(default)]
    pub(super) gain: Option<u8>,
    #[serde(default)]
    pub(super) integration_ms: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) addresses: Option<Vec<u8>>,
    #[serde(default)]
    pub(super) full_scale_v: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) port: Option<String>,
    #[serde(default)]
    pub(super) baud: Option<Spanned<i64>>,
}

pub(super) const DEFAULT_SAMPLE_HZ: f64 = 200.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModem {
    pub(super) id: String,
    pub(super) role: ModemRole,
    pub(super) number: String,
    pub(super) backend: Backend,
    #[serde(default)]
    pub(super) port: Option<String>,
    #[serde(default)]
    pub(super) baud: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPosition {
    pub(super) id: Spanned<String>,
    pub(super) model: Spanned<String>,
    pub(super) extension: Spanned<String>,
    pub(super) twinning: Spanned<RawTwinning>,
    pub(super) buttons: Spanned<BTreeMap<Button, Spanned<String>>>,
    pub(super) leds: Spanned<BTreeMap<Light, Spanned<RawLight>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTwinning {
    pub(super) mode: TwinningMode,
    pub(super) enabled: bool,
    pub(super) number: Spanned<String>,
    #[serde(default)]
    pub(super) transfer_return_s: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawLight {
    Channel(String),
    Calibrated { sensor: String, dark: RawDark },
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawDark {
    Level(f32),
    Rgbc([f32; 4]),
}
