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

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ads1x1x::ic::{Ads1115 as Ic, Resolution16Bit};
use ads1x1x::{channel, mode, Ads1x1x, DataRate16Bit, FullScaleRange, TargetAddr};
use embedded_hal::i2c::I2c;

use super::sampling::{
    bank_shared, BusStats, Reading, Sampler, SensorBank, Shared, Ticker, Worker,
};
use super::{bus_clock_hz, bus_ms, i2c_error, open_i2c, BusSensor, Probe};
use crate::{BenchClock, HwError, HwErrorKind, SensorKind};

/// Bit times and transfers of one one-shot conversion through `ads1x1x`: read config,
/// write config (trigger), read config (done?), read the conversion register.
const CONVERSION_BITS: u32 = 49 + 38 + 49 + 49;
const CONVERSION_TRANSFERS: u32 = 7;
const FULL_SCALE: i16 = i16::MAX;

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

    fn driver(self) -> FullScaleRange {
        match self {
            Self::V6_144 => FullScaleRange::Within6_144V,
            Self::V4_096 => FullScaleRange::Within4_096V,
            Self::V2_048 => FullScaleRange::Within2_048V,
            Self::V1_024 => FullScaleRange::Within1_024V,
            Self::V0_512 => FullScaleRange::Within0_512V,
            Self::V0_256 => FullScaleRange::Within0_256V,
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

    fn driver(self) -> DataRate16Bit {
        match self {
            Self::Sps250 => DataRate16Bit::Sps250,
            Self::Sps475 => DataRate16Bit::Sps475,
            Self::Sps860 => DataRate16Bit::Sps860,
        }
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

    fn target(&self) -> Option<TargetAddr> {
        match self.address {
            0x48 => Some(TargetAddr::Gnd),
            0x49 => Some(TargetAddr::Vdd),
            0x4A => Some(TargetAddr::Sda),
            0x4B => Some(TargetAddr::Scl),
            _ => None,
        }
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
        if self.target().is_none() {
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

    fn rejected(&self, message: String) -> HwError {
        HwError::new(HwErrorKind::Rejected, self.name.clone(), message)
    }
}

type Adc<I> = Ads1x1x<I, Ic, Resolution16Bit, mode::OneShot>;

/// The sampling loop's logic for one ADC.
struct AdsSampler<I: I2c> {
    /// `None` only while being rebuilt.
    adc: Option<Adc<I>>,
    target: TargetAddr,
    address: u8,
    channels: Vec<u8>,
    names: Vec<String>,
    fsr: AdsRange,
    rate: AdsDataRate,
    /// Data rate and range written.
    ready: bool,
}

fn ads_error<E: embedded_hal::i2c::Error>(
    device: &str,
    what: &str,
    e: ads1x1x::Error<E>,
) -> HwError {
    match e {
        ads1x1x::Error::I2C(e) => i2c_error(device, what, &e),
        ads1x1x::Error::InvalidInputData => HwError::new(
            HwErrorKind::Protocol,
            device,
            format!("{what}: invalid setting"),
        ),
    }
}

fn read_input<I: I2c>(adc: &mut Adc<I>, input: u8) -> nb::Result<i16, ads1x1x::Error<I::Error>> {
    match input {
        0 => adc.read(channel::SingleA0),
        1 => adc.read(channel::SingleA1),
        2 => adc.read(channel::SingleA2),
        _ => adc.read(channel::SingleA3),
    }
}

impl<I: I2c> AdsSampler<I> {
    fn new(cfg: &Ads1115Config, i2c: I) -> Self {
        let target = cfg.target().expect("validated");
        Self {
            adc: Some(Ads1x1x::new_ads1115(i2c, target)),
            target,
            address: cfg.address,
            channels: cfg.channels.clone(),
            names: cfg
                .channels
                .iter()
                .map(|c| format!("{}:{c}", cfg.name))
                .collect(),
            fsr: cfg.fsr,
            rate: cfg.data_rate,
            ready: false,
        }
    }

    /// After a fault the driver's idea of the chip may be wrong: start it afresh.
    fn reset(&mut self) {
        if let Some(adc) = self.adc.take() {
            self.adc = Some(Ads1x1x::new_ads1115(adc.destroy_ads1115(), self.target));
        }
        self.ready = false;
    }

    fn adc(&mut self) -> &mut Adc<I> {
        self.adc.as_mut().expect("an ADC outside reset")
    }

    fn setup(&mut self, device: &str) -> Result<(), HwError> {
        if self.ready {
            return Ok(());
        }
        let (rate, fsr, address) = (self.rate, self.fsr, self.address);
        let adc = self.adc();
        adc.set_data_rate(rate.driver()).map_err(|e| {
            ads_error(
                device,
                &format!("setting the data rate of the ADS1115 at 0x{address:02X}"),
                e,
            )
        })?;
        adc.set_full_scale_range(fsr.driver())
            .map_err(|e| ads_error(device, "setting the full-scale range", e))?;
        self.ready = true;
        Ok(())
    }

    /// One one-shot conversion of input `i` (index into `channels`): trigger, wait the
    /// conversion time, read; polls a little longer if the ADC is still busy (as it is right
    /// after set-up, whose config writes start a conversion of their own).
    fn convert(&mut self, i: usize, ticker: &mut dyn Ticker) -> Result<i16, HwError> {
        let name = self.names[i].clone();
        let input = self.channels[i];
        self.setup(&name)?;
        let conversion = self.rate.conversion();
        let deadline = ticker.now() + conversion * 5;
        let mut wait = conversion;
        loop {
            match read_input(self.adc(), input) {
                Ok(v) => return Ok(v),
                Err(nb::Error::WouldBlock) => {}
                Err(nb::Error::Other(e)) => {
                    return Err(ads_error(&name, &format!("converting A{input}"), e))
                }
            }
            let now = ticker.now();
            if now >= deadline {
                return Err(HwError::new(
                    HwErrorKind::Timeout,
                    name,
                    format!("the conversion of A{input} did not finish within {conversion:?} × 5"),
                ));
            }
            ticker.sleep_until(now + wait);
            wait = conversion / 4;
        }
    }
}

fn level(raw: i16) -> Reading {
    Reading {
        r: 0.0,
        g: 0.0,
        b: 0.0,
        c: f32::from(raw.max(0)),
        saturated: raw == FULL_SCALE,
    }
}

impl<I: I2c + Send> Sampler for AdsSampler<I> {
    fn frame(&mut self, ticker: &mut dyn Ticker, out: &Shared) {
        for i in 0..self.channels.len() {
            match self.convert(i, ticker) {
                Ok(raw) => out.push(i, ticker, level(raw)),
                Err(e) => {
                    self.reset();
                    out.error(i, e);
                }
            }
        }
    }
}

/// Which (bus, address) pairs have a sampling loop in this process.
static OWNED: Mutex<BTreeSet<(u8, u8)>> = Mutex::new(BTreeSet::new());

struct AdcClaim(u8, u8);

impl AdcClaim {
    fn take(cfg: &Ads1115Config) -> Result<Self, HwError> {
        let mut owned = OWNED.lock().unwrap_or_else(PoisonError::into_inner);
        if !owned.insert((cfg.i2c_bus, cfg.address)) {
            return Err(cfg.rejected(format!(
                "the ADS1115 at 0x{:02X} on I2C bus {} is already being sampled",
                cfg.address, cfg.i2c_bus
            )));
        }
        Ok(Self(cfg.i2c_bus, cfg.address))
    }
}

impl Drop for AdcClaim {
    fn drop(&mut self) {
        OWNED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(self.0, self.1));
    }
}

/// One ADS1115 being sampled. Hand out its inputs with [`Ads1115::sensor`]; sampling stops
/// when it and all its sensors are dropped.
pub struct Ads1115 {
    bank: SensorBank<u8>,
}

impl Ads1115 {
    /// Open `/dev/i2c-N` and start sampling. Fails as [`HwErrorKind::Unreachable`] off a Pi
    /// or without access to the bus, as [`HwErrorKind::Rejected`] for settings that cannot
    /// keep up. An ADC that does not answer does not fail the open: its inputs' `drain` does.
    pub fn open(cfg: &Ads1115Config, clock: BenchClock) -> Result<Self, HwError> {
        cfg.validate().map_err(|e| cfg.rejected(e.to_string()))?;
        let claim = AdcClaim::take(cfg)?;
        let i2c = open_i2c(cfg.i2c_bus, &cfg.name)?;
        cfg.check_bus_budget(bus_clock_hz(&i2c))
            .map_err(|e| cfg.rejected(e.to_string()))?;
        Self::start(cfg, clock, i2c, Some(Box::new(claim)))
    }

    /// As [`Ads1115::open`] on any embedded-hal 1.0 I2C bus (no claim, no bus budget check).
    pub fn with_bus<I: I2c + Send + 'static>(
        cfg: &Ads1115Config,
        clock: BenchClock,
        i2c: I,
    ) -> Result<Self, HwError> {
        cfg.validate().map_err(|e| cfg.rejected(e.to_string()))?;
        Self::start(cfg, clock, i2c, None)
    }

    fn start<I: I2c + Send + 'static>(
        cfg: &Ads1115Config,
        clock: BenchClock,
        i2c: I,
        claim: Option<Box<dyn Send + Sync>>,
    ) -> Result<Self, HwError> {
        let worker = Worker::spawn(
            format!("rig-ads-i2c{}-{:02x}", cfg.i2c_bus, cfg.address),
            shared(cfg, clock),
            Box::new(AdsSampler::new(cfg, i2c)),
            cfg.period(),
            claim,
        )?;
        Ok(Self {
            bank: SensorBank::new(worker, &cfg.channels, &cfg.name, "input"),
        })
    }

    /// The sensor on input `channel` (0–3, one of the configured inputs).
    pub fn sensor(&self, channel: u8) -> Result<BusSensor, HwError> {
        self.bank.sensor(channel)
    }

    pub fn channels(&self) -> &[u8] {
        self.bank.channels()
    }

    pub fn stats(&self) -> BusStats {
        self.bank.stats()
    }

    /// `rig doctor`: does the ADC answer, and what does each input read? An input at full
    /// scale fails (raise the range).
    pub fn probe(cfg: &Ads1115Config) -> Vec<Probe> {
        if let Err(e) = cfg.validate() {
            return vec![Probe::failed(cfg.name.clone(), cfg.rejected(e.to_string()))];
        }
        match open_i2c(cfg.i2c_bus, &cfg.name) {
            Ok(i2c) => probe_on(cfg, i2c, &mut super::sampling::RealTicker),
            Err(e) => vec![Probe::failed(cfg.name.clone(), e)],
        }
    }
}

fn shared(cfg: &Ads1115Config, clock: BenchClock) -> Arc<Shared> {
    bank_shared(
        clock,
        SensorKind::Level,
        &cfg.name,
        &cfg.channels,
        cfg.sample_hz,
    )
}

fn probe_on<I: I2c>(cfg: &Ads1115Config, i2c: I, ticker: &mut dyn Ticker) -> Vec<Probe> {
    let mut s = AdsSampler::new(cfg, i2c);
    let here = format!(
        "ADS1115 at 0x{:02X} on I2C bus {}",
        cfg.address, cfg.i2c_bus
    );
    let answered = s
        .adc()
        .is_measurement_in_progress()
        .map_err(|e| ads_error(&cfg.name, &format!("reading the config of the {here}"), e));
    if let Err(e) = answered {
        return vec![Probe::failed(cfg.name.clone(), e)];
    }
    let mut out = vec![Probe::ok(cfg.name.clone(), format!("{here} answers"))];
    let volts_per_count = cfg.fsr.volts() / 32768.0;
    for i in 0..cfg.channels.len() {
        let name = s.names[i].clone();
        let input = cfg.channels[i];
        let result = s.convert(i, ticker).and_then(|raw| {
            let v = f64::from(raw) * volts_per_count;
            if raw == FULL_SCALE {
                Err(HwError::new(
                    HwErrorKind::Rejected,
                    name.clone(),
                    format!(
                        "A{input} is at full scale ({raw} counts, ≥ {} V): raise the range (fsr)",
                        cfg.fsr.volts()
                    ),
                ))
            } else {
                Ok(format!(
                    "A{input}: {raw} counts ({v:.3} V of {} V)",
                    cfg.fsr.volts()
                ))
            }
        });
        if result.is_err() {
            s.reset();
        }
        out.push(Probe {
            device: name,
            result,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sampling::tests::clocks;
    use super::super::sampling::{run, Worker};
    use super::*;
    use crate::{LightSensor, Sample};
    use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};

    fn cfg(channels: Vec<u8>) -> Ads1115Config {
        Ads1115Config {
            name: "level".into(),
            i2c_bus: 1,
            address: 0x48,
            channels,
            fsr: AdsRange::V4_096,
            data_rate: AdsDataRate::Sps860,
            sample_hz: 100.0,
        }
    }

    fn drain(w: &Arc<Worker>, i: usize) -> Vec<Sample> {
        let mut out = Vec::new();
        w.sensor(i).drain(&mut out).unwrap();
        out
    }

    const A: u8 = 0x48;

    /// Bench times to the µs (float noise aside).
    fn ms(t: f64) -> f64 {
        (t * 1000.0).round() / 1000.0
    }

    /// A conversion: config read (idle), trigger, config read (done), result read.
    fn conversion(config: u16, raw: i16) -> Vec<T> {
        let [hi, lo] = config.to_be_bytes();
        vec![
            T::write_read(A, vec![0x01], vec![hi, lo]),
            T::write(A, vec![0x01, hi, lo]),
            T::write_read(A, vec![0x01], vec![hi, lo]),
            T::write_read(A, vec![0x00], raw.to_be_bytes().to_vec()),
        ]
    }

    #[test]
    fn bus_transactions_of_one_shot_conversions() {
        let c = cfg(vec![0, 3]);
        // Reset config 0x8583; 860 SPS (DR 111): 0x85E3; ±4.096 V (PGA 001): 0x83E3.
        // A0 single-ended (MUX 100): 0xC3E3; A3 (MUX 111): 0xF3E3. OS set in each.
        let mut expect = vec![
            T::write(A, vec![0x01, 0x85, 0xE3]),
            T::write(A, vec![0x01, 0x83, 0xE3]),
        ];
        expect.extend(conversion(0xC3E3, 0x1234));
        // A3: still converting at the first look (OS clear), done at the second.
        expect.extend([
            T::write_read(A, vec![0x01], vec![0xC3, 0xE3]),
            T::write(A, vec![0x01, 0xF3, 0xE3]),
            T::write_read(A, vec![0x01], vec![0x73, 0xE3]),
            T::write_read(A, vec![0x01], vec![0xF3, 0xE3]),
            T::write_read(A, vec![0x00], vec![0x7F, 0xFF]),
        ]);
        // Frame 2: no set-up again; a slightly negative A0 reads as 0.
        expect.extend(conversion(0xC3E3, -16));
        expect.extend(conversion(0xF3E3, 100));
        let mut i2c = Mock::new(&expect);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = AdsSampler::new(&c, i2c.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(2));
        i2c.done();
        let w = Worker::inline(shared);
        let a0 = drain(&w, 0);
        let a3 = drain(&w, 1);
        // 860 SPS: 1.28 ms a conversion; a busy ADC is polled every quarter of that.
        assert_eq!(
            a0.iter().map(|s| (ms(s.t_ms), s.c)).collect::<Vec<_>>(),
            vec![(1.28, 4660.0), (11.28, 0.0)]
        );
        assert_eq!(
            a3.iter().map(|s| (ms(s.t_ms), s.c)).collect::<Vec<_>>(),
            vec![(2.88, 32767.0), (12.56, 100.0)]
        );
        assert!(a0.iter().all(|s| s.r == 0.0 && s.g == 0.0 && s.b == 0.0));
        assert_eq!(w.sensor(1).stats().saturated, 1);
        assert_eq!(w.sensor(0).stats().saturated, 0);
        assert_eq!(w.sensor(0).kind(), SensorKind::Level);
        assert_eq!(w.sensor(1).name(), "level:3");
    }

    #[test]
    fn an_adc_that_does_not_answer_fails_its_inputs_and_is_set_up_again() {
        let c = cfg(vec![1]);
        let nack = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
        let mut expect = vec![T::write(A, vec![0x01, 0x85, 0xE3]).with_error(nack)];
        // Next frame: set up from scratch, then a conversion of A1 (MUX 101: 0xD3E3).
        expect.extend([
            T::write(A, vec![0x01, 0x85, 0xE3]),
            T::write(A, vec![0x01, 0x83, 0xE3]),
        ]);
        expect.extend(conversion(0xD3E3, 500));
        let mut i2c = Mock::new(&expect);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let w = Worker::inline(shared.clone());
        let mut s = AdsSampler::new(&c, i2c.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(1));
        let e = w.sensor(0).drain(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        assert_eq!(e.device, "level:1");
        assert!(e.message.contains("0x48"), "{e}");
        run(&mut s, &mut ticker, &shared, c.period(), Some(1));
        i2c.done();
        assert_eq!(
            drain(&w, 0).iter().map(|s| s.c).collect::<Vec<_>>(),
            vec![500.0]
        );
    }

    #[test]
    fn settings_and_what_cannot_keep_up() {
        assert_eq!(AdsRange::from_volts(2.048), Some(AdsRange::V2_048));
        assert_eq!(AdsRange::from_volts(3.3), None);
        assert_eq!(AdsDataRate::from_sps(475), Some(AdsDataRate::Sps475));
        assert_eq!(AdsDataRate::from_sps(128), None);
        assert_eq!(
            AdsDataRate::Sps860.conversion(),
            Duration::from_micros(1280)
        );
        let c = cfg(vec![0, 1, 2, 3]);
        assert!(c.validate().is_ok());
        let bad =
            |f: &dyn Fn(&mut Ads1115Config), is: &dyn Fn(&ConfigError) -> bool, needle: &str| {
                let mut c = c.clone();
                f(&mut c);
                let e = c.validate().unwrap_err();
                assert!(is(&e), "{e:?}");
                assert!(e.to_string().contains(needle), "{e}");
            };
        use ConfigError as E;
        bad(
            &|c| c.sample_hz = 60.0,
            &|e| matches!(e, E::SampleRateTooLow { .. }),
            "below 100",
        );
        bad(
            &|c| c.address = 0x50,
            &|e| *e == E::NotAnAds1115 { address: 0x50 },
            "not an ADS1115",
        );
        bad(
            &|c| c.channels = vec![4],
            &|e| *e == E::NoSuchInput { input: 4 },
            "A0–A3",
        );
        bad(
            &|c| c.channels = vec![1, 1],
            &|e| *e == E::InputTwice { input: 1 },
            "twice",
        );
        bad(&|c| c.channels.clear(), &|e| *e == E::NoInputs, "no inputs");
        bad(
            &|c| c.data_rate = AdsDataRate::Sps250,
            &|e| {
                matches!(
                    e,
                    E::ConversionsTooSlow {
                        inputs: 4,
                        remedy: Remedy::FasterRate,
                        ..
                    }
                )
            },
            "use 860 SPS",
        );
        // At 860 SPS already: the remedy is fewer inputs or a lower rate.
        bad(
            &|c| c.sample_hz = 250.0,
            &|e| {
                matches!(
                    e,
                    E::ConversionsTooSlow {
                        remedy: Remedy::FewerInputs { fit: 3, .. },
                        ..
                    }
                )
            },
            "put at most 3 inputs on one ADC",
        );
        // 475 SPS converts 4 inputs in 9.3 ms: fits on its own, not with the bus time.
        let c475 = Ads1115Config {
            data_rate: AdsDataRate::Sps475,
            ..c.clone()
        };
        assert!(c475.validate().is_ok());
        assert!(c475.check_bus_budget(400_000).is_err());
        assert_eq!(
            Ads1115Config::max_inputs(AdsDataRate::Sps860, 100.0, 100_000),
            2
        );
        assert_eq!(
            Ads1115Config::max_inputs(AdsDataRate::Sps860, 100.0, 400_000),
            4
        );
        assert!(c.check_bus_budget(400_000).is_ok());
        let e = c.check_bus_budget(100_000).unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::BusTooSlow {
                    inputs: 4,
                    most: 2,
                    bus_khz: 100,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("about 2 fit"), "{e}");
    }

    #[test]
    fn probe_reports_the_adc_and_each_input() {
        let c = cfg(vec![0, 2]);
        let mut expect = vec![
            T::write_read(A, vec![0x01], vec![0x85, 0x83]), // answers
            T::write(A, vec![0x01, 0x85, 0xE3]),
            T::write(A, vec![0x01, 0x83, 0xE3]),
        ];
        expect.extend(conversion(0xC3E3, 8192));
        expect.extend(conversion(0xE3E3, i16::MAX));
        let mut i2c = Mock::new(&expect);
        let (_, mut ticker) = clocks();
        let p = probe_on(&c, i2c.clone(), &mut ticker);
        i2c.done();
        assert_eq!(p.len(), 3);
        assert!(p[0].result.as_ref().unwrap().contains("ADS1115 at 0x48"));
        assert_eq!(
            p[1].result.as_ref().unwrap(),
            "A0: 8192 counts (1.024 V of 4.096 V)"
        );
        let e = p[2].result.as_ref().unwrap_err();
        assert!(e.message.contains("full scale"), "{e}");
        assert_eq!(p[2].device, "level:2");

        let nack = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
        let mut i2c = Mock::new(&[T::write_read(A, vec![0x01], vec![0, 0]).with_error(nack)]);
        let p = probe_on(&c, i2c.clone(), &mut ticker);
        i2c.done();
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].result.as_ref().unwrap_err().kind,
            HwErrorKind::Unreachable
        );
    }

    #[test]
    fn off_a_pi_opening_fails_cleanly_and_one_loop_per_adc() {
        let c = Ads1115Config {
            i2c_bus: 202,
            ..cfg(vec![0])
        };
        let e = Ads1115::open(&c, BenchClock::start()).err().unwrap();
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        let claim = AdcClaim::take(&c).unwrap();
        assert!(AdcClaim::take(&c).is_err());
        drop(claim);
        assert!(AdcClaim::take(&c).is_ok());
    }
}
