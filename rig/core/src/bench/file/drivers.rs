//! Which driver a device's backend fields make, and the fields no driver can take.

use super::raw::{RawModem, RawRelays, RawSensors};
use super::*;

/// A device's backend fields that no driver can take (reported as
/// `FILE:LINE: relay board `ID`: …`, `sensor bank `ID`: …`, `modem `ID`: …`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum DriverError {
    /// A required field is missing: the sentence says which and what it holds.
    #[error("{0}")]
    Missing(&'static str),
    #[error("`{field}` does not apply to the {backend} backend")]
    NotForBackend {
        field: &'static str,
        backend: &'static str,
    },
    #[error("backend `{backend}` cannot drive {device} (use {choices})")]
    CannotDrive {
        backend: &'static str,
        device: &'static str,
        choices: &'static str,
    },
    #[error("`pins` is empty: the board has no channels")]
    NoPins,
    #[error("BCM pin {0} is listed twice")]
    PinTwice(u8),
    #[error("`channels` must match the {0} pins (or be left out)")]
    ChannelsNotPins(usize),
    #[error("a {backend} bank has kind = \"{kind}\"")]
    WrongKind {
        backend: &'static str,
        kind: &'static str,
    },
    /// More channels than the bank's muxes or ADCs have: `need` of `unit`.
    #[error("{channels} channels need {need} {unit}")]
    TooManyChannels {
        channels: u32,
        need: u32,
        unit: &'static str,
    },
    #[error("gain {0}: the TCS34725 has 1, 4, 16 or 60")]
    Gain(u8),
    #[error("address {0:#04x} is not an ADS1115 address (0x48 to 0x4B)")]
    NotAnAds1115(u8),
    #[error("address {0:#04x} is listed twice")]
    AddressTwice(u8),
    #[error("full_scale_v {0}: the ADS1115 has 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256")]
    FullScale(f64),
    #[error("a Feasa LED Analyser has at most 20 fibres")]
    TooManyFibres,
}

/// The relay board's driver and channel count, from its backend and fields (`given`:
/// `channels` as written, already range-checked).
pub(super) fn relay_driver(
    r: &RawRelays,
    given: Option<u32>,
) -> Result<(RelayDriver, u32), DriverError> {
    match r.backend {
        Backend::Sim => {
            no_fields(
                &[
                    ("pins", r.pins.is_some()),
                    ("active_low", r.active_low.is_some()),
                ],
                "sim",
            )?;
            Ok((
                RelayDriver::Sim,
                given.ok_or(DriverError::Missing("give `channels`"))?,
            ))
        }
        Backend::Gpio => {
            let pins = r.pins.clone().ok_or(DriverError::Missing(
                "a gpio board needs `pins`, the BCM pin of each channel",
            ))?;
            let active_low = r.active_low.ok_or(DriverError::Missing("a gpio board needs `active_low = true|false` (most relay boards close when the pin is low)"))?;
            if pins.is_empty() {
                return Err(DriverError::NoPins);
            }
            if let Some(dup) = first_twice(&pins) {
                return Err(DriverError::PinTwice(dup));
            }
            if given.is_some_and(|c| c as usize != pins.len()) {
                return Err(DriverError::ChannelsNotPins(pins.len()));
            }
            // Each pin's own rule (on the header) is the driver's: GpioRelayConfig::validate.
            let n = pins.len() as u32;
            Ok((RelayDriver::Gpio { pins, active_low }, n))
        }
        other => Err(DriverError::CannotDrive {
            backend: other.name(),
            device: "relays",
            choices: "sim or gpio",
        }),
    }
}

/// The sensor bank's driver, from its backend and fields. Only the file's shape is checked
/// here (required fields, settings a driver type can hold); the drivers' rules run on
/// the configs built from the whole bench ([`Bench::driver_problems`]).
pub(super) fn sensor_driver(
    src: &SourceText,
    p: &mut Problems,
    s: &RawSensors,
    channels: u32,
) -> Result<SensorDriver, DriverError> {
    let what = format!("sensor bank `{}`", s.id);
    let need_kind = |k: SensorKind, backend: &'static str| {
        if s.kind == k {
            Ok(())
        } else {
            Err(DriverError::WrongKind {
                backend,
                kind: if k == SensorKind::Rgbc {
                    "rgbc"
                } else {
                    "level"
                },
            })
        }
    };
    match s.backend {
        Backend::Sim => Ok(SensorDriver::Sim),
        Backend::Tcs34725 => {
            need_kind(SensorKind::Rgbc, "tcs34725")?;
            let muxes = s.muxes.clone().ok_or(DriverError::Missing("a tcs34725 bank needs `muxes`, the TCA9548A addresses (0x70 to 0x77), 8 sensors each"))?;
            // Without muxes one sensor sits on the bus itself.
            let most = if muxes.is_empty() { 1 } else { 8 * muxes.len() };
            if channels as usize > most {
                return Err(DriverError::TooManyChannels {
                    channels,
                    need: channels.div_ceil(8),
                    unit: "muxes of 8",
                });
            }
            let gain = s.gain.unwrap_or(16);
            let gain = TcsGain::from_factor(u32::from(gain)).ok_or(DriverError::Gain(gain))?;
            let integration_ms = ranged(
                src,
                p,
                &what,
                s.integration_ms.as_ref(),
                limits::INTEGRATION_MS.min,
                &limits::INTEGRATION_MS,
            );
            Ok(SensorDriver::Tcs34725 {
                i2c_bus: s.i2c_bus.unwrap_or(1),
                muxes,
                gain,
                integration_ms,
            })
        }
        Backend::Ads1115 => {
            need_kind(SensorKind::Level, "ads1115")?;
            let addresses = s.addresses.clone().ok_or(DriverError::Missing(
                "an ads1115 bank needs `addresses` (0x48 to 0x4B), 4 inputs each",
            ))?;
            if let Some(a) = addresses.iter().find(|a| !(0x48..=0x4B).contains(*a)) {
                return Err(DriverError::NotAnAds1115(*a));
            }
            if let Some(dup) = first_twice(&addresses) {
                return Err(DriverError::AddressTwice(dup));
            }
            if channels as usize > 4 * addresses.len() {
                return Err(DriverError::TooManyChannels {
                    channels,
                    need: channels.div_ceil(4),
                    unit: "ADS1115s of 4 inputs",
                });
            }
            let volts = ranged(
                src,
                p,
                &what,
                s.full_scale_v.as_ref(),
                4.096,
                &limits::FULL_SCALE_V,
            );
            let fsr = AdsRange::from_volts(volts).ok_or(DriverError::FullScale(volts))?;
            Ok(SensorDriver::Ads1115 {
                i2c_bus: s.i2c_bus.unwrap_or(1),
                addresses,
                fsr,
            })
        }
        Backend::Feasa => {
            need_kind(SensorKind::Rgbc, "feasa")?;
            let port = s.port.clone().ok_or(DriverError::Missing(
                "a feasa analyser needs `port` (e.g. /dev/ttyUSB2)",
            ))?;
            if channels > 20 {
                return Err(DriverError::TooManyFibres);
            }
            let baud = ranged_int(
                src,
                p,
                &what,
                s.baud.as_ref(),
                i64::from(crate::hw::feasa::DEFAULT_BAUD),
                &limits::BAUD,
            ) as u32;
            Ok(SensorDriver::Feasa { port, baud })
        }
        other => Err(DriverError::CannotDrive {
            backend: other.name(),
            device: "sensors",
            choices: "sim, tcs34725, ads1115 or feasa",
        }),
    }
}

/// The modem's driver, from its backend and fields.
pub(super) fn modem_driver(
    src: &SourceText,
    p: &mut Problems,
    m: &RawModem,
) -> Result<ModemDriver, DriverError> {
    match m.backend {
        Backend::Sim => {
            no_fields(
                &[("port", m.port.is_some()), ("baud", m.baud.is_some())],
                "sim",
            )?;
            Ok(ModemDriver::Sim)
        }
        Backend::Serial => Ok(ModemDriver::Serial {
            port: m.port.clone().ok_or(DriverError::Missing(
                "a serial modem needs `port` (e.g. /dev/ttyUSB0)",
            ))?,
            baud: ranged_int(
                src,
                p,
                &format!("modem `{}`", m.id),
                m.baud.as_ref(),
                115_200,
                &limits::BAUD,
            ) as u32,
        }),
        other => Err(DriverError::CannotDrive {
            backend: other.name(),
            device: "a modem",
            choices: "sim or serial",
        }),
    }
}

pub(super) fn no_fields(
    fields: &[(&'static str, bool)],
    backend: &'static str,
) -> Result<(), DriverError> {
    match fields.iter().find(|(_, present)| *present) {
        Some((field, _)) => Err(DriverError::NotForBackend { field, backend }),
        None => Ok(()),
    }
}

/// The first item a list gives twice (pins, addresses: each may be wired once).
fn first_twice<T: Ord + Copy>(items: &[T]) -> Option<T> {
    let mut seen = std::collections::BTreeSet::new();
    items.iter().copied().find(|i| !seen.insert(*i))
}
