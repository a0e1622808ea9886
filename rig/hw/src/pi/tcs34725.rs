//! TCS34725 colour sensors behind TCA9548A I2C muxes, one sampling thread per I2C bus
//! (drivers: `tcs3472`, `xca9548a`).
//!
//! Every TCS34725 answers at 0x29, so each sits on its own mux port and the loop selects a
//! port before each read. Channel `n` of a bank is port `n % 8` of the bank's mux `n / 8`
//! (muxes in the order the config lists them). Before selecting a port the loop deselects
//! every other mux, so two sensors are never on the bus at once. One bus has one owner
//! (one [`Tcs34725Bus`]): two loops on one bus would fight over the muxes, so a second open
//! of a bus in the same process is refused.
//!
//! **Timing.** With the wait state off, a TCS34725 produces a new RGBC value every
//! `2.4 ms + integration time` (integration = ATIME cycles of 2.4 ms), so `integration_ms`
//! must leave that cycle within the sample period: at 100 Hz, 7.2 ms at most (3 cycles, full
//! scale 3072 counts); at 200 Hz, 2.4 ms (1 cycle, 1024 counts). Sensors integrate in
//! parallel; the bus only has to read them. One read (mux select + 8 data bytes) is about
//! 123 bit times plus three i2c-dev transfers, so at 100 Hz a bus carries **6 sensors at
//! the Pi's default 100 kHz, 19 at 400 kHz** (`dtparam=i2c_arm_baudrate=400000`); at 200 Hz
//! half as many ([`Tcs34725BusConfig::max_sensors`]). [`Tcs34725Bus::open`] refuses a bank
//! its bus cannot sample in time; more sensors need another bus (the Pi 4 and 5 have several:
//! `dtoverlay=i2c3` …). The bus statistics count real overruns.
//!
//! **Start-up, per sensor**, spread over frames so the loop never blocks: check the ID
//! (0x44 TCS34725, 0x4D TCS34727), write ATIME and the gain, power on (PON), ≥ 2.4 ms later
//! enable RGBC (AEN), then read once the status says a first integration is done (AVALID).
//! A failed transfer sends the sensor back to start-up (it may have been power-cycled) and
//! forgets the mux state. The first samples arrive about three frames after opening.
//!
//! **Readings**: raw counts `r g b c` as `f32`, stamped when read. A reading is *saturated*
//! when a channel reaches the sensor's full scale, `min(65535, 1024 × cycles)`, less a
//! quarter below 150 ms of integration (ripple saturation, TAOS DN40); saturated samples are
//! kept and counted ([`crate::pi::ChannelStats::saturated`]).

use std::time::Duration;

use super::bus_ms;

/// One ATIME cycle, and the RGBC start-up time.
const CYCLE_MS: f64 = 2.4;
/// Bit times of one read: mux select (address + mask) + command write + 8-byte read.
const READ_BITS: u32 = 20 + 20 + 83;
const READ_TRANSFERS: u32 = 3;

/// The TCS34725's analogue gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcsGain {
    X1,
    X4,
    X16,
    X60,
}

impl TcsGain {
    /// From the bench file's factor: 1, 4, 16 or 60.
    pub fn from_factor(f: u32) -> Option<Self> {
        match f {
            1 => Some(Self::X1),
            4 => Some(Self::X4),
            16 => Some(Self::X16),
            60 => Some(Self::X60),
            _ => None,
        }
    }

    pub fn factor(self) -> u32 {
        match self {
            Self::X1 => 1,
            Self::X4 => 4,
            Self::X16 => 16,
            Self::X60 => 60,
        }
    }
}

/// A bank of TCS34725 sensors on one I2C bus.
#[derive(Debug, Clone, PartialEq)]
pub struct Tcs34725BusConfig {
    /// The bank's id in the bench file: a channel's device name is `NAME:CHANNEL`.
    pub name: String,
    /// `/dev/i2c-N` (1 is the header's pins 3 and 5).
    pub i2c_bus: u8,
    /// TCA9548A addresses (0x70–0x77), 8 channels each: channel `n` is port `n % 8` of
    /// `muxes[n / 8]`. Empty: a single sensor wired straight to the bus, channel 0.
    pub muxes: Vec<u8>,
    /// The channels to sample (the wired ones): only these are read.
    pub channels: Vec<u16>,
    pub gain: TcsGain,
    /// Integration time, rounded to whole 2.4 ms cycles (1–256).
    pub integration_ms: f64,
    /// Readings per second per sensor: at least 100.
    pub sample_hz: f64,
}

/// Settings of a TCS34725 bus that cannot work: what is wrong and what would do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "sample_hz {sample_hz} is below 100: a flutter (50 ms on, 50 ms off) needs 100 Hz or more"
    )]
    SampleRateTooLow { sample_hz: f64 },
    #[error("integration_ms {integration_ms} is outside 2.4–614.4 ms (whole 2.4 ms cycles)")]
    IntegrationOutOfRange { integration_ms: f64 },
    #[error(
        "integration_ms {integration_ms} gives a new reading every {cycle_ms:.1} ms (2.4 ms \
         start-up + {effective_ms:.1} ms integration), slower than sample_hz {sample_hz} (every \
         {period_ms:.2} ms): use at most {most_ms:.1} ms"
    )]
    IntegrationTooSlow {
        integration_ms: f64,
        cycle_ms: f64,
        effective_ms: f64,
        sample_hz: f64,
        period_ms: f64,
        most_ms: f64,
    },
    #[error("at most 8 TCA9548A muxes on one bus (addresses 0x70–0x77)")]
    TooManyMuxes,
    #[error("mux address 0x{address:02X} is not a TCA9548A's (0x70–0x77)")]
    NotAMux { address: u8 },
    #[error("mux address 0x{address:02X} is listed twice")]
    MuxTwice { address: u8 },
    #[error("no channels to sample")]
    NoChannels,
    #[error("channel {channel}: without muxes the bus has one sensor, channel 0")]
    ChannelWithoutMux { channel: u16 },
    #[error("channel {channel}: {muxes} muxes give channels 0–{last}")]
    ChannelBeyondMuxes {
        channel: u16,
        muxes: usize,
        last: usize,
    },
    #[error("channel {channel} is listed twice")]
    ChannelTwice { channel: u16 },
    #[error(
        "{sensors} sensors at {sample_hz} Hz are too many for I2C bus {i2c_bus} at {bus_khz} kHz: \
         it reads about {most} in time; raise the bus clock (dtparam=i2c_arm_baudrate=400000) or \
         split the sensors over more buses"
    )]
    BusTooSlow {
        sensors: usize,
        sample_hz: f64,
        i2c_bus: u8,
        bus_khz: u32,
        most: usize,
    },
}

impl Tcs34725BusConfig {
    /// ATIME cycles: `integration_ms / 2.4`, rounded, 1–256.
    pub fn atime_cycles(&self) -> u16 {
        (self.integration_ms / CYCLE_MS).round().clamp(1.0, 256.0) as u16
    }

    /// The integration time the sensor really uses.
    pub fn effective_integration_ms(&self) -> f64 {
        f64::from(self.atime_cycles()) * CYCLE_MS
    }

    /// How often a sensor produces a new value.
    pub fn cycle_ms(&self) -> f64 {
        CYCLE_MS + self.effective_integration_ms()
    }

    /// The count at which a reading counts as saturated.
    pub fn saturation_count(&self) -> u16 {
        let full = (1024 * u32::from(self.atime_cycles())).min(65535);
        let full = if self.effective_integration_ms() < 150.0 {
            full - full / 4
        } else {
            full
        };
        full as u16
    }

    pub fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.sample_hz)
    }

    /// How many sensors one bus can read at `sample_hz` with its clock at `bus_hz` (an
    /// estimate: bit times plus the i2c-dev cost of each transfer).
    pub fn max_sensors(sample_hz: f64, bus_hz: u32) -> usize {
        let per_read = bus_ms(READ_BITS, READ_TRANSFERS, bus_hz);
        ((1000.0 / sample_hz) / per_read).floor() as usize
    }

    /// Check the settings; the error says what is wrong and what would do.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.sample_hz.is_finite() && self.sample_hz >= 100.0) {
            return Err(ConfigError::SampleRateTooLow {
                sample_hz: self.sample_hz,
            });
        }
        if !(self.integration_ms.is_finite()
            && self.integration_ms >= CYCLE_MS - 1e-9
            && self.integration_ms <= 256.0 * CYCLE_MS + 1e-9)
        {
            return Err(ConfigError::IntegrationOutOfRange {
                integration_ms: self.integration_ms,
            });
        }
        let period_ms = 1000.0 / self.sample_hz;
        if self.cycle_ms() > period_ms + 1e-9 {
            let most = ((period_ms - CYCLE_MS) / CYCLE_MS).floor() * CYCLE_MS;
            return Err(ConfigError::IntegrationTooSlow {
                integration_ms: self.integration_ms,
                cycle_ms: self.cycle_ms(),
                effective_ms: self.effective_integration_ms(),
                sample_hz: self.sample_hz,
                period_ms,
                most_ms: most.max(CYCLE_MS),
            });
        }
        if self.muxes.len() > 8 {
            return Err(ConfigError::TooManyMuxes);
        }
        for (i, &a) in self.muxes.iter().enumerate() {
            if !(0x70..=0x77).contains(&a) {
                return Err(ConfigError::NotAMux { address: a });
            }
            if self.muxes[..i].contains(&a) {
                return Err(ConfigError::MuxTwice { address: a });
            }
        }
        if self.channels.is_empty() {
            return Err(ConfigError::NoChannels);
        }
        let limit = if self.muxes.is_empty() {
            1
        } else {
            8 * self.muxes.len()
        };
        for (i, &c) in self.channels.iter().enumerate() {
            if usize::from(c) >= limit {
                return Err(if self.muxes.is_empty() {
                    ConfigError::ChannelWithoutMux { channel: c }
                } else {
                    ConfigError::ChannelBeyondMuxes {
                        channel: c,
                        muxes: self.muxes.len(),
                        last: limit - 1,
                    }
                });
            }
            if self.channels[..i].contains(&c) {
                return Err(ConfigError::ChannelTwice { channel: c });
            }
        }
        Ok(())
    }

    /// Can a bus clocked at `bus_hz` read every channel within the sample period?
    pub fn check_bus_budget(&self, bus_hz: u32) -> Result<(), ConfigError> {
        let most = Self::max_sensors(self.sample_hz, bus_hz);
        if self.channels.len() > most {
            return Err(ConfigError::BusTooSlow {
                sensors: self.channels.len(),
                sample_hz: self.sample_hz,
                i2c_bus: self.i2c_bus,
                bus_khz: bus_hz / 1000,
                most,
            });
        }
        Ok(())
    }
}

// The driver itself: only with the `backends` feature (the Pi's I2C crates).
#[cfg(feature = "backends")]
mod bus;
#[cfg(feature = "backends")]
pub use bus::Tcs34725Bus;
