//! Parsing and checking a bench file: raw TOML shapes with spans, then the checks that
//! turn them into a [`Bench`], reporting every fault with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::source::Problems;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBench {
    bench: RawHeader,
    system: RawSystem,
    #[serde(default)]
    relays: Vec<Spanned<RawRelays>>,
    #[serde(default)]
    sensors: Vec<Spanned<RawSensors>>,
    #[serde(default)]
    modem: Vec<Spanned<RawModem>>,
    #[serde(default)]
    position: Vec<Spanned<RawPosition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    twinning_trunk: TrunkKind,
    inbound: Vec<Spanned<RawRoute>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    name: String,
    trunk: TrunkKind,
    prefix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelays {
    id: String,
    backend: Backend,
    #[serde(default)]
    channels: Option<u32>,
    #[serde(default)]
    pins: Option<Vec<u8>>,
    #[serde(default)]
    active_low: Option<bool>,
    #[serde(default = "default_press_ms")]
    press_ms: u64,
    #[serde(default = "default_max_hold_ms")]
    max_hold_ms: u64,
}

fn default_press_ms() -> u64 {
    150
}
fn default_max_hold_ms() -> u64 {
    3000
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensors {
    id: String,
    backend: Backend,
    kind: SensorKind,
    channels: u32,
    #[serde(default = "default_sample_hz")]
    sample_hz: f64,
    #[serde(default)]
    sim: SimOptics,
    #[serde(default)]
    i2c_bus: Option<u8>,
    #[serde(default)]
    muxes: Option<Vec<u8>>,
    #[serde(default)]
    gain: Option<u8>,
    #[serde(default)]
    integration_ms: Option<f64>,
    #[serde(default)]
    addresses: Option<Vec<u8>>,
    #[serde(default)]
    full_scale_v: Option<f32>,
    #[serde(default)]
    port: Option<String>,
    #[serde(default)]
    baud: Option<u32>,
}

fn default_sample_hz() -> f64 {
    200.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModem {
    id: String,
    role: ModemRole,
    number: String,
    backend: Backend,
    #[serde(default)]
    port: Option<String>,
    #[serde(default)]
    baud: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPosition {
    id: Spanned<String>,
    model: Spanned<String>,
    extension: Spanned<String>,
    twinning: Spanned<RawTwinning>,
    buttons: Spanned<BTreeMap<Button, Spanned<String>>>,
    leds: Spanned<BTreeMap<Light, Spanned<RawLight>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTwinning {
    mode: TwinningMode,
    enabled: bool,
    number: Spanned<String>,
    #[serde(default)]
    transfer_return_s: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawLight {
    Channel(String),
    Calibrated { sensor: String, dark: RawDark },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDark {
    Level(f32),
    Rgbc([f32; 4]),
}

/// Parse and check a bench file.
pub fn parse(src: &SourceText, catalog: &Catalog) -> Result<Bench, InputErrors> {
    let raw: RawBench = src.parse_toml()?;
    let mut p = Problems::default();
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);

    // Devices.
    let mut device_ids = BTreeSet::new();
    let mut relays = Vec::new();
    for r in &raw.relays {
        let span = r.span();
        let r = r.get_ref();
        if !device_ids.insert(r.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", r.id),
            ));
        }
        let (driver, channels) = match relay_driver(r) {
            Ok(x) => x,
            Err(m) => {
                p.push(err(span.clone(), format!("relay board `{}`: {m}", r.id)));
                (RelayDriver::Sim, r.channels.unwrap_or(0))
            }
        };
        if channels == 0 {
            p.push(err(
                span.clone(),
                format!("relay board `{}` has no channels", r.id),
            ));
        }
        if r.press_ms == 0 || r.press_ms > r.max_hold_ms {
            p.push(err(
                span,
                format!(
                    "relay board `{}`: press_ms must be between 1 and max_hold_ms ({})",
                    r.id, r.max_hold_ms
                ),
            ));
        }
        relays.push(RelayBoard {
            id: r.id.clone(),
            backend: r.backend,
            driver,
            channels,
            press_ms: r.press_ms,
            max_hold_ms: r.max_hold_ms,
        });
    }
    let mut sensors = Vec::new();
    for s in &raw.sensors {
        let span = s.span();
        let s_span = span.clone();
        let s = s.get_ref();
        if !device_ids.insert(s.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", s.id),
            ));
        }
        if s.channels == 0 {
            p.push(err(
                span.clone(),
                format!("sensor bank `{}` has no channels", s.id),
            ));
        }
        if s.sample_hz.is_nan() || s.sample_hz < 100.0 {
            p.push(err(
                span,
                format!(
                    "sensor bank `{}` samples at {} Hz: at least 100 Hz is needed to see a flutter",
                    s.id, s.sample_hz
                ),
            ));
        }
        let driver = sensor_driver(s).unwrap_or_else(|m| {
            p.push(err(s_span.clone(), format!("sensor bank `{}`: {m}", s.id)));
            SensorDriver::Sim
        });
        sensors.push(SensorBank {
            id: s.id.clone(),
            backend: s.backend,
            driver,
            kind: s.kind,
            channels: s.channels,
            sample_hz: s.sample_hz,
            sim: s.sim.clone(),
        });
    }
    // One sampling loop owns an I2C bus: two banks on one bus would fight over it.
    let mut bus_owner: BTreeMap<u8, &str> = BTreeMap::new();
    for (bank, raw_bank) in sensors.iter().zip(&raw.sensors) {
        let bus = match &bank.driver {
            SensorDriver::Tcs34725 { i2c_bus, .. } | SensorDriver::Ads1115 { i2c_bus, .. } => {
                *i2c_bus
            }
            _ => continue,
        };
        if let Some(owner) = bus_owner.insert(bus, &bank.id) {
            p.push(err(raw_bank.span(), format!("sensor bank `{}`: I2C bus {bus} is already sampled by bank `{owner}`; give each bank its own bus", bank.id)));
        }
    }
    let mut modems = Vec::new();
    let mut numbers = BTreeSet::new();
    for m in &raw.modem {
        let span = m.span();
        let m_span = span.clone();
        let m = m.get_ref();
        if !device_ids.insert(m.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", m.id),
            ));
        }
        if !is_dialable(&m.number) {
            p.push(err(
                span.clone(),
                format!(
                    "modem `{}`: number `{}` is not a dialable number (digits, optional leading +)",
                    m.id, m.number
                ),
            ));
        }
        if !numbers.insert(m.number.clone()) {
            p.push(err(
                span.clone(),
                format!(
                    "modem `{}`: number `{}` is used by another modem",
                    m.id, m.number
                ),
            ));
        }
        if modems.iter().any(|x: &Modem| x.role == m.role) {
            p.push(err(
                span,
                format!(
                    "modem `{}`: a second {:?} modem; the rig drives one of each role",
                    m.id, m.role
                ),
            ));
        }
        let driver = modem_driver(m).unwrap_or_else(|msg| {
            p.push(err(m_span.clone(), format!("modem `{}`: {msg}", m.id)));
            ModemDriver::Sim
        });
        modems.push(Modem {
            id: m.id.clone(),
            role: m.role,
            number: m.number.clone(),
            backend: m.backend,
            driver,
        });
    }
    for role in [ModemRole::Mobile, ModemRole::Caller] {
        if !modems.iter().any(|m| m.role == role) {
            p.push(src.error(
                None,
                format!(
                    "no modem with role = \"{}\": the twinning suite needs a mobile and a caller",
                    role_name(role)
                ),
            ));
        }
    }

    // System.
    let mut inbound = Vec::new();
    for r in &raw.system.inbound {
        let span = r.span();
        let r = r.get_ref();
        if !r.prefix.chars().all(|c| c.is_ascii_digit() || c == '+') {
            p.push(err(
                span.clone(),
                format!(
                    "inbound route `{}`: prefix `{}` is not digits",
                    r.name, r.prefix
                ),
            ));
        }
        if inbound.iter().any(|x: &InboundRoute| x.name == r.name) {
            p.push(err(
                span,
                format!("inbound route `{}` is listed twice", r.name),
            ));
        }
        inbound.push(InboundRoute {
            name: r.name.clone(),
            trunk: r.trunk,
            prefix: r.prefix.clone(),
        });
    }
    if inbound.is_empty() {
        p.push(src.error(
            None,
            "[system] has no inbound route: the caller could not reach any phone",
        ));
    }
    let system = System {
        twinning_trunk: raw.system.twinning_trunk,
        inbound,
    };

    // Positions.
    let mut used_channels: BTreeMap<ChannelRef, String> = BTreeMap::new();
    let mut position_ids = BTreeSet::new();
    let mut extensions = BTreeSet::new();
    let mut positions = Vec::new();
    for pos in &raw.position {
        let pos = pos.get_ref();
        let id = pos.id.get_ref().clone();
        if !position_ids.insert(id.clone()) {
            p.push(err(
                pos.id.span(),
                format!("position id `{id}` is used twice"),
            ));
        }
        if !pos.extension.get_ref().chars().all(|c| c.is_ascii_digit())
            || pos.extension.get_ref().is_empty()
        {
            p.push(err(
                pos.extension.span(),
                format!(
                    "position `{id}`: extension `{}` is not digits",
                    pos.extension.get_ref()
                ),
            ));
        } else if !extensions.insert(pos.extension.get_ref().clone()) {
            p.push(err(
                pos.extension.span(),
                format!(
                    "position `{id}`: extension {} is used by another position",
                    pos.extension.get_ref()
                ),
            ));
        }
        let family = match catalog.family_of_model(pos.model.get_ref()) {
            Some(f) if f.bench => Some(f),
            Some(f) => {
                p.push(err(
                    pos.model.span(),
                    format!(
                        "position `{id}`: {} cannot stand on a bench ({})",
                        f.name,
                        f.reason.as_deref().unwrap_or("not a bench phone")
                    ),
                ));
                None
            }
            None => {
                let known: Vec<&str> = catalog.models().collect();
                p.push(err(
                    pos.model.span(),
                    format!(
                        "position `{id}`: unknown model `{}` (the catalog knows: {})",
                        pos.model.get_ref(),
                        known.join(", ")
                    ),
                ));
                None
            }
        };

        let tw = pos.twinning.get_ref();
        if !is_dialable(tw.number.get_ref()) {
            p.push(err(
                tw.number.span(),
                format!(
                    "position `{id}`: twinned number `{}` is not a dialable number",
                    tw.number.get_ref()
                ),
            ));
        } else if tw.mode == TwinningMode::Mobile
            && !modems
                .iter()
                .any(|m| m.role == ModemRole::Mobile && &m.number == tw.number.get_ref())
        {
            p.push(err(tw.number.span(), format!("position `{id}`: twinned number `{}` is no mobile modem's number, so the rig could not see twinned calls", tw.number.get_ref())));
        }
        if let Some(t) = &tw.transfer_return_s {
            if !(1..=99_999).contains(t.get_ref()) {
                p.push(err(
                    t.span(),
                    format!("position `{id}`: transfer_return_s must be 1 to 99999 seconds"),
                ));
            }
        }
        let twinning = TwinningSettings {
            mode: tw.mode,
            enabled: tw.enabled,
            number: tw.number.get_ref().clone(),
            transfer_return_s: tw.transfer_return_s.as_ref().map(|t| *t.get_ref()),
        };

        let mut buttons = BTreeMap::new();
        for b in Button::ALL {
            match pos.buttons.get_ref().get(&b) {
                // Without a release relay the rig ends calls from the far end (hang-up).
                None if b == Button::Release => {}
                None => p.push(err(
                    pos.buttons.span(),
                    format!(
                        "position `{id}`: no relay channel for the `{}` button",
                        b.name()
                    ),
                )),
                Some(ch) => {
                    if let Some(c) = channel(
                        src,
                        ch,
                        &mut p,
                        |dev| relays.iter().find(|r| r.id == dev).map(|r| r.channels),
                        "relay board",
                    ) {
                        claim(
                            src,
                            &mut p,
                            &mut used_channels,
                            &c,
                            ch.span(),
                            format!("{id}.{}", b.name()),
                        );
                        buttons.insert(b, c);
                    }
                }
            }
        }

        let mut lights = BTreeMap::new();
        for l in Light::ALL {
            let Some(entry) = pos.leds.get_ref().get(&l) else {
                p.push(err(
                    pos.leds.span(),
                    format!("position `{id}`: the {} light has no sensor", l.name()),
                ));
                continue;
            };
            let (name, dark) = match entry.get_ref() {
                RawLight::Channel(c) => (c.clone(), None),
                RawLight::Calibrated { sensor, dark } => (sensor.clone(), Some(dark)),
            };
            let named = Spanned::new(entry.span(), name);
            let Some(c) = channel(
                src,
                &named,
                &mut p,
                |dev| sensors.iter().find(|s| s.id == dev).map(|s| s.channels),
                "sensor bank",
            ) else {
                continue;
            };
            claim(
                src,
                &mut p,
                &mut used_channels,
                &c,
                entry.span(),
                format!("{id}.{} light", l.name()),
            );
            let bank = sensors
                .iter()
                .find(|s| s.id == c.device)
                .expect("channel() checked the bank");
            let dark = match (dark, bank.kind) {
                (None, _) => None,
                (Some(RawDark::Rgbc(v)), SensorKind::Rgbc) => Some(DarkLevel::Rgbc(*v)),
                (Some(RawDark::Level(v)), SensorKind::Level) => Some(DarkLevel::Level(*v)),
                (Some(_), kind) => {
                    p.push(err(
                        entry.span(),
                        format!(
                            "position `{id}`: `dark` must be {} for a {kind:?} sensor",
                            if kind == SensorKind::Rgbc {
                                "four numbers [r, g, b, c]"
                            } else {
                                "one level"
                            }
                        ),
                    ));
                    None
                }
            };
            if let Some(indicator) = family.and_then(|f| f.indicator) {
                if indicator.needs_colour() && bank.kind == SensorKind::Level {
                    p.push(err(entry.span(), format!("position `{id}`: a {} needs a colour sensor, but `{}` only reads a level", indicator.name(), bank.id)));
                }
            }
            lights.insert(l, LightWiring { sensor: c, dark });
        }

        if let Some(f) = family {
            positions.push(Position {
                id,
                model: pos.model.get_ref().clone(),
                family: f.id.clone(),
                extension: pos.extension.get_ref().clone(),
                twinning,
                buttons,
                lights,
            });
        }
    }
    if raw.position.is_empty() {
        p.push(src.error(None, "the bench has no [[position]]"));
    }

    p.finish(Bench {
        path: src.path.clone(),
        name: raw.bench.name,
        system,
        relays,
        sensors,
        modems,
        positions,
    })
}

/// The relay board's driver and channel count, from its backend and fields.
fn relay_driver(r: &RawRelays) -> Result<(RelayDriver, u32), String> {
    match r.backend {
        Backend::Sim => {
            no_fields(
                &[
                    ("pins", r.pins.is_some()),
                    ("active_low", r.active_low.is_some()),
                ],
                "sim",
            )?;
            Ok((RelayDriver::Sim, r.channels.ok_or("give `channels`")?))
        }
        Backend::Gpio => {
            let pins = r
                .pins
                .clone()
                .ok_or("a gpio board needs `pins`, the BCM pin of each channel")?;
            let active_low = r.active_low.ok_or("a gpio board needs `active_low = true|false` (most relay boards close when the pin is low)")?;
            if let Some(bad) = pins.iter().find(|&&p| p > 27) {
                return Err(format!("BCM pin {bad} is not on the Pi's header (0 to 27)"));
            }
            let mut seen = BTreeSet::new();
            if let Some(dup) = pins.iter().find(|p| !seen.insert(**p)) {
                return Err(format!("BCM pin {dup} is listed twice"));
            }
            if r.channels.is_some_and(|c| c as usize != pins.len()) {
                return Err(format!(
                    "`channels` must match the {} pins (or be left out)",
                    pins.len()
                ));
            }
            let n = pins.len() as u32;
            Ok((RelayDriver::Gpio { pins, active_low }, n))
        }
        other => Err(format!(
            "backend `{}` cannot drive relays (use sim or gpio)",
            other.name()
        )),
    }
}

/// The sensor bank's driver, from its backend and fields.
fn sensor_driver(s: &RawSensors) -> Result<SensorDriver, String> {
    let need_kind = |k: SensorKind, what: &str| {
        if s.kind == k {
            Ok(())
        } else {
            Err(format!(
                "a {what} bank has kind = \"{}\"",
                if k == SensorKind::Rgbc {
                    "rgbc"
                } else {
                    "level"
                }
            ))
        }
    };
    match s.backend {
        Backend::Sim => Ok(SensorDriver::Sim),
        Backend::Tcs34725 => {
            need_kind(SensorKind::Rgbc, "tcs34725")?;
            let muxes = s.muxes.clone().ok_or("a tcs34725 bank needs `muxes`, the TCA9548A addresses (0x70 to 0x77), 8 sensors each")?;
            if let Some(a) = muxes.iter().find(|a| !(0x70..=0x77).contains(*a)) {
                return Err(format!(
                    "mux address {a:#04x} is not a TCA9548A address (0x70 to 0x77)"
                ));
            }
            if s.channels as usize > 8 * muxes.len() {
                return Err(format!(
                    "{} channels need {} muxes of 8",
                    s.channels,
                    s.channels.div_ceil(8)
                ));
            }
            let gain = s.gain.unwrap_or(16);
            if ![1, 4, 16, 60].contains(&gain) {
                return Err(format!("gain {gain}: the TCS34725 has 1, 4, 16 or 60"));
            }
            let integration_ms = s.integration_ms.unwrap_or(2.4);
            if !(2.4..=614.4).contains(&integration_ms) {
                return Err("integration_ms must be 2.4 to 614.4".into());
            }
            if 1000.0 / (integration_ms + 2.4) < s.sample_hz {
                return Err(format!(
                    "integration_ms {integration_ms} is too long for {} Hz",
                    s.sample_hz
                ));
            }
            Ok(SensorDriver::Tcs34725 {
                i2c_bus: s.i2c_bus.unwrap_or(1),
                muxes,
                gain,
                integration_ms,
            })
        }
        Backend::Ads1115 => {
            need_kind(SensorKind::Level, "ads1115")?;
            let addresses = s
                .addresses
                .clone()
                .ok_or("an ads1115 bank needs `addresses` (0x48 to 0x4B), 4 inputs each")?;
            if let Some(a) = addresses.iter().find(|a| !(0x48..=0x4B).contains(*a)) {
                return Err(format!(
                    "address {a:#04x} is not an ADS1115 address (0x48 to 0x4B)"
                ));
            }
            if s.channels as usize > 4 * addresses.len() {
                return Err(format!(
                    "{} channels need {} ADS1115s of 4 inputs",
                    s.channels,
                    s.channels.div_ceil(4)
                ));
            }
            let full_scale_v = s.full_scale_v.unwrap_or(4.096);
            if ![6.144, 4.096, 2.048, 1.024, 0.512, 0.256].contains(&full_scale_v) {
                return Err(format!("full_scale_v {full_scale_v}: the ADS1115 has 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256"));
            }
            Ok(SensorDriver::Ads1115 {
                i2c_bus: s.i2c_bus.unwrap_or(1),
                addresses,
                full_scale_v,
            })
        }
        Backend::Feasa => {
            need_kind(SensorKind::Rgbc, "feasa")?;
            let port = s
                .port
                .clone()
                .ok_or("a feasa analyser needs `port` (e.g. /dev/ttyUSB2)")?;
            if s.channels > 20 {
                return Err("a Feasa LED Analyser has at most 20 fibres".into());
            }
            Ok(SensorDriver::Feasa {
                port,
                baud: s.baud.unwrap_or(57600),
            })
        }
        other => Err(format!(
            "backend `{}` cannot drive sensors (use sim, tcs34725, ads1115 or feasa)",
            other.name()
        )),
    }
}

/// The modem's driver, from its backend and fields.
fn modem_driver(m: &RawModem) -> Result<ModemDriver, String> {
    match m.backend {
        Backend::Sim => {
            no_fields(
                &[("port", m.port.is_some()), ("baud", m.baud.is_some())],
                "sim",
            )?;
            Ok(ModemDriver::Sim)
        }
        Backend::Serial => Ok(ModemDriver::Serial {
            port: m
                .port
                .clone()
                .ok_or("a serial modem needs `port` (e.g. /dev/ttyUSB0)")?,
            baud: m.baud.unwrap_or(115_200),
        }),
        other => Err(format!(
            "backend `{}` cannot drive a modem (use sim or serial)",
            other.name()
        )),
    }
}

fn no_fields(fields: &[(&str, bool)], backend: &str) -> Result<(), String> {
    match fields.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(format!("`{name}` does not apply to the {backend} backend")),
        None => Ok(()),
    }
}

fn role_name(role: ModemRole) -> &'static str {
    match role {
        ModemRole::Mobile => "mobile",
        ModemRole::Caller => "caller",
    }
}

fn is_dialable(n: &str) -> bool {
    let digits = n.strip_prefix('+').unwrap_or(n);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// Parse `device:channel` and check the device exists and has that channel.
fn channel(
    src: &SourceText,
    text: &Spanned<String>,
    p: &mut Problems,
    channels_of: impl Fn(&str) -> Option<u32>,
    what: &str,
) -> Option<ChannelRef> {
    let span = text.span();
    let Some((dev, ch)) = text.get_ref().split_once(':') else {
        p.push(src.error(
            Some(span),
            format!("`{}` is not `DEVICE:CHANNEL`", text.get_ref()),
        ));
        return None;
    };
    let Ok(channel) = ch.parse::<u32>() else {
        p.push(src.error(
            Some(span),
            format!("`{ch}` in `{}` is not a channel number", text.get_ref()),
        ));
        return None;
    };
    match channels_of(dev) {
        None => {
            p.push(src.error(Some(span), format!("no {what} called `{dev}`")));
            None
        }
        // Its own fault is reported where it is defined.
        Some(0) => None,
        Some(n) if channel >= n => {
            p.push(src.error(
                Some(span),
                format!("{what} `{dev}` has channels 0 to {}, not {channel}", n - 1),
            ));
            None
        }
        Some(_) => Some(ChannelRef {
            device: dev.to_string(),
            channel,
        }),
    }
}

/// Record that `user` owns a channel; a channel wired twice is an error.
fn claim(
    src: &SourceText,
    p: &mut Problems,
    used: &mut BTreeMap<ChannelRef, String>,
    c: &ChannelRef,
    span: Range<usize>,
    user: String,
) {
    if let Some(other) = used.get(c) {
        p.push(src.error(
            Some(span),
            format!("channel {c} is already wired to {other}"),
        ));
    } else {
        used.insert(c.clone(), user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn catalog() -> Catalog {
        Spec::load(Spec::default_dir()).unwrap().catalog
    }

    fn sim_matrix_text() -> String {
        std::fs::read_to_string(crate::workspace_path("wiring/sim-matrix.toml")).unwrap()
    }

    fn errors_of(text: &str) -> Vec<InputError> {
        let src = SourceText::from_string("bench.toml", text);
        parse(&src, &catalog()).unwrap_err().0
    }

    use crate::source::InputError;

    #[test]
    fn the_sim_matrix_bench_loads_with_every_family() {
        let cat = catalog();
        let bench = parse(
            &SourceText::from_string("sim-matrix.toml", sim_matrix_text()),
            &cat,
        )
        .unwrap();
        for f in cat.families.iter().filter(|f| f.bench) {
            assert!(
                bench.positions.iter().any(|p| p.family == f.id),
                "no position of {}",
                f.id
            );
        }
        assert_eq!(bench.modems.len(), 2);
    }

    #[test]
    fn a_channel_wired_twice_is_named_with_its_line() {
        let text = sim_matrix_text().replacen("call = \"relays:1\"", "call = \"relays:0\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .message
                .contains("relays:0 is already wired to p1416.twinning"),
            "{}",
            errs[0]
        );
        let line = text
            .lines()
            .position(|l| l.contains("call = \"relays:0\""))
            .unwrap()
            + 1;
        assert_eq!(errs[0].line, Some(line));
    }

    #[test]
    fn an_unknown_model_is_named_with_its_line() {
        let text = sim_matrix_text().replacen("model = \"1416\"", "model = \"1499\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.contains("unknown model `1499`"));
        let line = text.lines().position(|l| l.contains("\"1499\"")).unwrap() + 1;
        assert_eq!(errs[0].line, Some(line));
    }

    #[test]
    fn a_light_without_a_sensor_is_an_error() {
        let text = sim_matrix_text().replacen(
            "leds = { twinning = \"rgb:0\", call = \"rgb:1\" }",
            "leds = { twinning = \"rgb:0\" }",
            1,
        );
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].message.contains("the call light has no sensor"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_colour_led_on_a_level_sensor_is_an_error() {
        let text = sim_matrix_text().replacen(
            "twinning = \"rgb:0\"",
            "twinning = { sensor = \"level:7\", dark = 10.0 }",
            1,
        );
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].message.contains("needs a colour sensor"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_missing_channel_and_an_unknown_device_are_both_reported() {
        let text = sim_matrix_text()
            .replacen("twinning = \"relays:0\"", "twinning = \"relays:99\"", 1)
            .replacen("call = \"rgb:1\"", "call = \"nosuch:1\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].message.contains("has channels 0 to 47, not 99"));
        assert!(errs[1].message.contains("no sensor bank called `nosuch`"));
    }

    fn lab_example_text() -> String {
        std::fs::read_to_string(crate::workspace_path("wiring/lab-example.toml")).unwrap()
    }

    #[test]
    fn the_lab_example_bench_loads_with_its_real_drivers() {
        let cat = catalog();
        let bench = parse(
            &SourceText::from_string("lab.toml", lab_example_text()),
            &cat,
        )
        .unwrap();
        assert!(!bench.is_simulated() && !bench.uses_sim());
        assert_eq!(bench.relays[0].channels, 24);
        assert!(
            matches!(&bench.relays[0].driver, RelayDriver::Gpio { pins, active_low: true } if pins[0] == 4)
        );
        assert!(
            matches!(&bench.sensors[0].driver, SensorDriver::Tcs34725 { muxes, gain: 16, .. } if muxes.len() == 2)
        );
        assert!(matches!(
            &bench.modems[0].driver,
            ModemDriver::Serial { baud: 115200, .. }
        ));
        for f in cat.families.iter().filter(|f| f.bench) {
            assert!(
                bench.positions.iter().any(|p| p.family == f.id),
                "no position of {}",
                f.id
            );
        }
        assert!(bench
            .positions
            .iter()
            .all(|p| !p.buttons.contains_key(&Button::Release)));
    }

    #[test]
    fn real_backend_fields_are_checked_with_their_line() {
        let cases = [
            (
                "active_low = true            #",
                "#",
                "needs `active_low = true|false`",
            ),
            (
                "muxes = [0x70, 0x71]",
                "muxes = [0x70, 0x69]",
                "0x69 is not a TCA9548A address",
            ),
            (
                "i2c_bus = 6",
                "i2c_bus = 1",
                "I2C bus 1 is already sampled by bank `colour`",
            ),
            (
                "gain = 16",
                "gain = 8",
                "gain 8: the TCS34725 has 1, 4, 16 or 60",
            ),
            (
                "addresses = [0x48]",
                "addresses = [0x48, 0x4F]",
                "0x4f is not an ADS1115 address",
            ),
            (
                "pins = [4, 5,",
                "pins = [4, 4,",
                "BCM pin 4 is listed twice",
            ),
            (
                "backend = \"ads1115\"",
                "backend = \"serial\"",
                "backend `serial` cannot drive sensors",
            ),
        ];
        for (from, to, want) in cases {
            let text = lab_example_text().replacen(from, to, 1);
            assert_ne!(text, lab_example_text(), "{from}");
            let errs = errors_of(&text);
            assert!(
                errs.iter()
                    .any(|e| e.message.contains(want) && e.line.is_some()),
                "{want}: {errs:?}"
            );
        }
    }

    #[test]
    fn sim_devices_reject_hardware_fields() {
        let text = sim_matrix_text().replacen("channels = 48", "channels = 48\npins = [4]", 1);
        let errs = errors_of(&text);
        assert!(
            errs.iter().any(|e| e
                .message
                .contains("`pins` does not apply to the sim backend")),
            "{errs:?}"
        );
    }
}
