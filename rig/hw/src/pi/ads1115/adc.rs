//! The ADS1115 driver: one-shot conversions in a sampling loop, probing (needs the
//! `backends` feature: linux-embedded-hal, ads1x1x).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use ads1x1x::ic::{Ads1115 as Ic, Resolution16Bit};
use ads1x1x::{channel, mode, Ads1x1x, DataRate16Bit, FullScaleRange, TargetAddr};
use embedded_hal::i2c::I2c;

use super::super::sampling::{
    bank_shared, BusStats, Reading, Sampler, SensorBank, Shared, Ticker, Worker,
};
use super::super::{bus_clock_hz, i2c_error, open_i2c, BusSensor, Probe};
use super::*;
use crate::{BenchClock, HwError, HwErrorKind, SensorKind};

const FULL_SCALE: i16 = i16::MAX;

impl Ads1115Config {
    fn rejected(&self, message: String) -> HwError {
        HwError::new(HwErrorKind::Rejected, self.name.clone(), message)
    }

    /// The ADDR pin's strapping for the address (checked by `validate`).
    fn target(&self) -> Option<TargetAddr> {
        match self.address {
            0x48 => Some(TargetAddr::Gnd),
            0x49 => Some(TargetAddr::Vdd),
            0x4A => Some(TargetAddr::Sda),
            0x4B => Some(TargetAddr::Scl),
            _ => None,
        }
    }
}

impl AdsRange {
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

impl AdsDataRate {
    fn driver(self) -> DataRate16Bit {
        match self {
            Self::Sps250 => DataRate16Bit::Sps250,
            Self::Sps475 => DataRate16Bit::Sps475,
            Self::Sps860 => DataRate16Bit::Sps860,
        }
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
        cfg.check_bus_budget(bus_clock_hz(cfg.i2c_bus))
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
            Ok(i2c) => probe_on(cfg, i2c, &mut super::super::sampling::RealTicker),
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
    use super::super::super::sampling::tests::clocks;
    use super::super::super::sampling::{run, Worker};
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
