//! The driver configs a bench's devices are opened with, and the one place their rules run
//! before any device opens.
//!
//! Each Pi driver owns its config type and its rules ([`Tcs34725BusConfig::validate`],
//! [`Ads1115Config::validate`], [`GpioRelayConfig::validate`]). The bench loader builds
//! exactly the configs [`crate::runner::Opener`] opens with (the functions below, which
//! both call) and attaches every rule's message to the device's line, so `rig validate`
//! refuses everything `run`, `doctor` and `calibrate` would refuse when opening — except
//! what only the device can tell (the I2C bus clock, a sensor that does not answer).

use crate::hw::pi::{Ads1115Config, AdsDataRate, GpioRelayConfig, Tcs34725BusConfig};

use super::{Bench, ChannelRef, RelayBoard, RelayDriver, SensorBank, SensorDriver};

/// The data rate the rig runs every ADS1115 at: the fastest, so most inputs fit a period.
pub(crate) const ADS1115_RATE: AdsDataRate = AdsDataRate::Sps860;

/// Which device of the bench a driver rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceIndex {
    /// `bench.relays[i]`.
    Relays(usize),
    /// `bench.sensors[i]`.
    Sensors(usize),
}

impl Bench {
    /// The channels of a sensor bank that some position's light uses, sorted: only these
    /// are sampled.
    pub fn wired_channels(&self, bank: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .positions
            .iter()
            .flat_map(|p| p.lights.values())
            .filter(|w| w.sensor.device == bank)
            .map(|w| w.sensor.channel)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The config of a TCS34725 bank's bus (`None` for another backend).
    pub fn tcs34725_config(&self, bank: &SensorBank) -> Option<Tcs34725BusConfig> {
        let SensorDriver::Tcs34725 {
            i2c_bus,
            muxes,
            gain,
            integration_ms,
        } = &bank.driver
        else {
            return None;
        };
        Some(Tcs34725BusConfig {
            name: bank.id.clone(),
            i2c_bus: *i2c_bus,
            muxes: muxes.clone(),
            // Channels are checked against the bank's `channels` (at most 256) on load.
            channels: self
                .wired_channels(&bank.id)
                .into_iter()
                .map(|ch| ch as u16)
                .collect(),
            gain: *gain,
            integration_ms: *integration_ms,
            sample_hz: bank.sample_hz,
        })
    }

    /// The config of the ADS1115 that reads channel `channel` of an `ads1115` bank.
    pub fn ads1115_config(&self, bank: &SensorBank, channel: u32) -> Option<Ads1115Config> {
        let SensorDriver::Ads1115 {
            i2c_bus,
            addresses,
            fsr,
        } = &bank.driver
        else {
            return None;
        };
        let index = channel as usize / 4;
        let address = *addresses.get(index)?;
        let first = index as u32 * 4;
        Some(Ads1115Config {
            name: bank.id.clone(),
            i2c_bus: *i2c_bus,
            address,
            channels: self
                .wired_channels(&bank.id)
                .into_iter()
                .filter(|ch| (first..first + 4).contains(ch))
                .map(|ch| (ch - first) as u8)
                .collect(),
            fsr: *fsr,
            data_rate: ADS1115_RATE,
            sample_hz: bank.sample_hz,
        })
    }

    /// The config of the GPIO relay on channel `c` of a `gpio` board.
    pub fn gpio_config(board: &RelayBoard, c: &ChannelRef) -> Option<GpioRelayConfig> {
        let RelayDriver::Gpio { pins, active_low } = &board.driver else {
            return None;
        };
        Some(GpioRelayConfig {
            pin: *pins.get(c.channel as usize)?,
            active_low: *active_low,
            max_hold_ms: board.max_hold_ms,
        })
    }

    /// Every driver rule the configs of this bench break, by device: what opening the
    /// devices would refuse. Devices no position uses are never opened and not checked.
    pub(crate) fn driver_problems(&self) -> Vec<(DeviceIndex, String)> {
        let mut out = Vec::new();
        for (i, board) in self.relays.iter().enumerate() {
            let RelayDriver::Gpio { pins, .. } = &board.driver else {
                continue;
            };
            for ch in 0..pins.len() as u32 {
                let c = ChannelRef {
                    device: board.id.clone(),
                    channel: ch,
                };
                if let Some(Err(m)) = Self::gpio_config(board, &c).map(|cfg| cfg.validate()) {
                    out.push((
                        DeviceIndex::Relays(i),
                        format!("relay board `{}`: {m}", board.id),
                    ));
                }
            }
        }
        for (i, bank) in self.sensors.iter().enumerate() {
            let wired = self.wired_channels(&bank.id);
            if wired.is_empty() {
                continue;
            }
            let mut push = |m: String| {
                out.push((
                    DeviceIndex::Sensors(i),
                    format!("sensor bank `{}`: {m}", bank.id),
                ));
            };
            if let Some(cfg) = self.tcs34725_config(bank) {
                if let Err(m) = cfg.validate() {
                    push(m.to_string());
                }
            }
            let mut adcs = Vec::new();
            for ch in &wired {
                if let Some(cfg) = self.ads1115_config(bank, *ch) {
                    if !adcs.contains(&cfg.address) {
                        adcs.push(cfg.address);
                        if let Err(m) = cfg.validate() {
                            push(format!("ADS1115 0x{:02X}: {m}", cfg.address));
                        }
                    }
                }
            }
        }
        out
    }
}
