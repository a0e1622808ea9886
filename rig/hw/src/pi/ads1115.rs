//! Plain photodiodes on an ADS1115 ADC (driver: `ads1x1x`), one sampling thread per ADC.
//!
//! Each single-ended input A0–A3 is one `level` sensor: [`crate::Sample::c`] carries the
//! conversion in counts (0–32767 over the full-scale range; the small negative readings an
//! offset gives near 0 V are clamped to 0), `r g b` are 0. A reading at 32767 is at the top
//! of the range: *saturated*, kept and counted.
//!
//! **Timing.** The loop runs one-shot conversions, one input after the other: trigger, wait
//! the conversion time (1/data rate, +10 % for the ADC's oscillator), read. A frame of `n`
//! inputs takes `n × (conversion + bus time)`; at 100 Hz per input that is 400 conversions a
//! second for four inputs, so the data rate must be 475 or 860 SPS (250 SPS fits two inputs
//! at most). Bus time per conversion is ~185 bit times and 7 i2c-dev transfers: at the Pi's
//! default 100 kHz two inputs fit at 100 Hz with 860 SPS; at 400 kHz all four do.
//! [`Ads1115::open`] refuses what cannot keep up.
//!
//! The ADS1115 sits on the bus itself (0x48–0x4B), not behind a TCA9548A; it may share a
//! bus with a [`super::Tcs34725Bus`] (its transfers never change a mux), as long as nothing
//! behind the muxes uses its address; the bus time then adds up, and the bus statistics
//! show it.

use std::time::Duration;

use super::bus_ms;

/// Bit times and transfers of one one-shot conversion through `ads1x1x`: read config,
/// write config (trigger), read config (done?), read the conversion register.
const CONVERSION_BITS: u32 = 49 + 38 + 49 + 49;
const CONVERSION_TRANSFERS: u32 = 7;

/// The ADS1115's full-scale range (its programmable gain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdsRange {
    V6_144,
    V4_096,
    V2_048,
    V1_024,
    V0_512,
    V0_256,
}

impl AdsRange {
    /// From the bench file's full-scale voltage: 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256.
    pub fn from_volts(v: f64) -> Option<Self> {
        [
            Self::V6_144,
            Self::V4_096,
            Self::V2_048,
            Self::V1_024,
            Self::V0_512,
            Self::V0_256,
        ]
        .into_iter()
        .find(|r| (r.volts() - v).abs() < 1e-6)
    }

    pub fn volts(self) -> f64 {
        match self {
            Self::V6_144 => 6.144,
            Self::V4_096 => 4.096,
            Self::V2_048 => 2.048,
            Self::V1_024 => 1.024,
            Self::V0_512 => 0.512,
            Self::V0_256 => 0.256,
        }
    }
}

/// Conversions per second. Only the rates fast enough for 100 Hz sampling are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdsDataRate {
    Sps250,
    Sps475,
    Sps860,
}

impl AdsDataRate {
    /// From the bench file: 250, 475 or 860.
    pub fn from_sps(sps: u32) -> Option<Self> {
        match sps {
            250 => Some(Self::Sps250),
            475 => Some(Self::Sps475),
            860 => Some(Self::Sps860),
            _ => None,
        }
    }

    pub fn sps(self) -> u32 {
        match self {
            Self::Sps250 => 250,
            Self::Sps475 => 475,
            Self::Sps860 => 860,
        }
    }

    /// How long one conversion may take: 1/rate, +10 % for the internal oscillator.
    pub fn conversion(self) -> Duration {
        Duration::from_micros((1.1e6 / f64::from(self.sps())).ceil() as u64)
    }
}

/// One ADS1115 and the inputs read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ads1115Config {
    /// The sensor bank's id: input `n` is the device `NAME:n`.
    pub name: String,
    /// `/dev/i2c-N`.
    pub i2c_bus: u8,
    /// 0x48 (ADDR to GND), 0x49 (VDD), 0x4A (SDA) or 0x4B (SCL).
    pub address: u8,
    /// Single-ended inputs to sample: 0–3 for A0–A3.
    pub channels: Vec<u8>,
    pub fsr: AdsRange,
    pub data_rate: AdsDataRate,
    /// Readings per second per input: at least 100.
    pub sample_hz: f64,
}

/// Settings of an ADS1115 that cannot work: what is wrong and what would do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "sample_hz {sample_hz} is below 100: a flutter (50 ms on, 50 ms off) needs 100 Hz or more"
    )]
    SampleRateTooLow { sample_hz: f64 },
    #[error("address 0x{address:02X} is not an ADS1115's (0x48–0x4B)")]
    NotAnAds1115 { address: u8 },
    #[error("no inputs to sample")]
    NoInputs,
    #[error("input {input}: the ADS1115 has A0–A3 (0–3)")]
    NoSuchInput { input: u8 },
    #[error("input {input} is listed twice")]
    InputTwice { input: u8 },
    #[error(
        "{inputs} inputs at {sps} SPS take {conversions_ms:.1} ms to convert (1/rate + 10 % for \
         the ADC's oscillator each), longer than the {period_ms:.1} ms sample period at \
         {sample_hz} Hz: {remedy}"
    )]
    ConversionsTooSlow {
        inputs: usize,
        sps: u32,
        conversions_ms: f64,
        period_ms: f64,
        sample_hz: f64,
        remedy: Remedy,
    },
    #[error(
        "{inputs} inputs at {sample_hz} Hz and {sps} SPS need more of I2C bus {i2c_bus} than its \
         {bus_khz} kHz give (about {most} fit): raise the bus clock \
         (dtparam=i2c_arm_baudrate=400000), use 860 SPS, or split the inputs over two ADCs"
    )]
    BusTooSlow {
        inputs: usize,
        sample_hz: f64,
        sps: u32,
        i2c_bus: u8,
        bus_khz: u32,
        most: usize,
    },
}

/// What would make an ADC's conversions fit its sample period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Remedy {
    /// Already at the fastest rate: fewer inputs, or a lower sample rate.
    FewerInputs { fit: usize, most_hz: f64 },
    /// A faster data rate (or fewer inputs).
    FasterRate,
}

impl std::fmt::Display for Remedy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Remedy::FewerInputs { fit, most_hz } => write!(
                f,
                "put at most {fit} inputs on one ADC, or sample at {most_hz} Hz or less"
            ),
            Remedy::FasterRate => f.write_str("use 860 SPS, or fewer inputs per ADC"),
        }
    }
}

impl Ads1115Config {
    pub fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.sample_hz)
    }

    /// Whether the address is one the ADDR pin can select (0x48–0x4B).
    fn address_is_selectable(&self) -> bool {
        (0x48..=0x4B).contains(&self.address)
    }

    /// How many inputs one frame can convert within the sample period on a bus at `bus_hz`.
    pub fn max_inputs(data_rate: AdsDataRate, sample_hz: f64, bus_hz: u32) -> usize {
        let per = data_rate.conversion().as_secs_f64() * 1000.0
            + bus_ms(CONVERSION_BITS, CONVERSION_TRANSFERS, bus_hz);
        ((1000.0 / sample_hz) / per).floor() as usize
    }

    /// Check the settings that do not depend on the bus.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.sample_hz.is_finite() && self.sample_hz >= 100.0) {
            return Err(ConfigError::SampleRateTooLow {
                sample_hz: self.sample_hz,
            });
        }
        if !self.address_is_selectable() {
            return Err(ConfigError::NotAnAds1115 {
                address: self.address,
            });
        }
        if self.channels.is_empty() {
            return Err(ConfigError::NoInputs);
        }
        for (i, &c) in self.channels.iter().enumerate() {
            if c > 3 {
                return Err(ConfigError::NoSuchInput { input: c });
            }
            if self.channels[..i].contains(&c) {
                return Err(ConfigError::InputTwice { input: c });
            }
        }
        let conversions_ms =
            self.channels.len() as f64 * self.data_rate.conversion().as_secs_f64() * 1000.0;
        let period_ms = 1000.0 / self.sample_hz;
        if conversions_ms > period_ms {
            // At the fastest rate only a lower sample_hz or fewer inputs help.
            let remedy = if self.data_rate == AdsDataRate::Sps860 {
                let fit = (period_ms / (self.data_rate.conversion().as_secs_f64() * 1000.0)).floor()
                    as usize;
                Remedy::FewerInputs {
                    fit,
                    most_hz: (1000.0 / conversions_ms).floor(),
                }
            } else {
                Remedy::FasterRate
            };
            return Err(ConfigError::ConversionsTooSlow {
                inputs: self.channels.len(),
                sps: self.data_rate.sps(),
                conversions_ms,
                period_ms,
                sample_hz: self.sample_hz,
                remedy,
            });
        }
        Ok(())
    }

    /// Can a bus at `bus_hz` carry the conversions in time?
    pub fn check_bus_budget(&self, bus_hz: u32) -> Result<(), ConfigError> {
        let most = Self::max_inputs(self.data_rate, self.sample_hz, bus_hz);
        if self.channels.len() > most {
            return Err(ConfigError::BusTooSlow {
                inputs: self.channels.len(),
                sample_hz: self.sample_hz,
                sps: self.data_rate.sps(),
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
mod adc;
#[cfg(feature = "backends")]
pub use adc::Ads1115;
