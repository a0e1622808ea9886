//! The TCS34725 bus driver: sampling loop, mux selection, probing (needs the `backends`
//! feature: linux-embedded-hal, tcs3472, xca9548a).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use embedded_hal::i2c::I2c;
use tcs3472::{RgbCGain, Tcs3472};
use tokio::time::Instant;
use xca9548a::{SlaveAddr, Xca9548a};

use super::super::sampling::{
    bank_shared, BusStats, Reading, Sampler, SensorBank, Shared, Ticker, Worker,
};
use super::super::{bus_clock_hz, i2c_error, open_i2c, BusSensor, Probe};
use super::*;
use crate::{BenchClock, HwError, HwErrorKind, SensorKind};

/// PON to AEN: at least 2.4 ms (datasheet), with a margin.
const WARMUP: Duration = Duration::from_millis(3);
const ID_TCS34725: u8 = 0x44;
const ID_TCS34727: u8 = 0x4D;

impl Tcs34725BusConfig {
    /// Where channel `ch` is: `(mux index, port)`, or `None` without muxes.
    fn port(&self, ch: u16) -> Option<(usize, u8)> {
        (!self.muxes.is_empty()).then(|| (usize::from(ch / 8), (ch % 8) as u8))
    }

    fn rejected(&self, message: String) -> HwError {
        HwError::new(HwErrorKind::Rejected, self.name.clone(), message)
    }

    fn describe(&self, ch: u16) -> String {
        match self.port(ch) {
            Some((m, p)) => format!("TCS34725 on port {p} of the mux at 0x{:02X}", self.muxes[m]),
            None => "TCS34725".to_string(),
        }
    }
}

impl TcsGain {
    fn driver(self) -> RgbCGain {
        match self {
            Self::X1 => RgbCGain::_1x,
            Self::X4 => RgbCGain::_4x,
            Self::X16 => RgbCGain::_16x,
            Self::X60 => RgbCGain::_60x,
        }
    }
}

/// The muxes of one bus and what each has selected (`None`: unknown, rewrite it).
struct MuxBus<I> {
    i2c: I,
    muxes: Vec<u8>,
    selected: Vec<Option<u8>>,
}

impl<I: I2c> MuxBus<I> {
    fn new(i2c: I, muxes: &[u8]) -> Self {
        Self {
            i2c,
            muxes: muxes.to_vec(),
            selected: vec![None; muxes.len()],
        }
    }

    /// Put exactly `port` on the bus (`None`: no mux port at all). Other muxes are
    /// deselected first, so two sensors never share the bus.
    fn select(&mut self, port: Option<(usize, u8)>, device: &str) -> Result<(), HwError> {
        let target = port.map(|(m, _)| m);
        for m in 0..self.muxes.len() {
            if Some(m) != target {
                self.set(m, 0, device)?;
            }
        }
        if let Some((m, p)) = port {
            self.set(m, 1 << p, device)?;
        }
        Ok(())
    }

    fn set(&mut self, m: usize, mask: u8, device: &str) -> Result<(), HwError> {
        if self.selected[m] == Some(mask) {
            return Ok(());
        }
        self.selected[m] = None;
        let addr = self.muxes[m];
        Xca9548a::new(&mut self.i2c, mux_addr(addr))
            .select_channels(mask)
            .map_err(|e| {
                i2c_error(
                    device,
                    &format!("setting the mux at 0x{addr:02X} to ports 0b{mask:08b}"),
                    &e,
                )
            })?;
        self.selected[m] = Some(mask);
        Ok(())
    }

    /// After a failed transfer nothing is known about the muxes.
    fn forget(&mut self) {
        self.selected.fill(None);
    }
}

fn mux_addr(a: u8) -> SlaveAddr {
    SlaveAddr::Alternative(a & 4 != 0, a & 2 != 0, a & 1 != 0)
}

fn tcs_error<E: embedded_hal::i2c::Error>(
    device: &str,
    what: &str,
    e: tcs3472::Error<E>,
) -> HwError {
    match e {
        tcs3472::Error::I2C(e) => i2c_error(device, what, &e),
        tcs3472::Error::InvalidInputData => HwError::new(
            HwErrorKind::Protocol,
            device,
            format!("{what}: invalid setting"),
        ),
    }
}

fn check_id(device: &str, where_: &str, id: u8) -> Result<&'static str, HwError> {
    match id {
        ID_TCS34725 => Ok("TCS34725"),
        ID_TCS34727 => Ok("TCS34727"),
        other => Err(HwError::new(
            HwErrorKind::Protocol,
            device,
            format!(
                "the device at 0x29 ({where_}) answered ID 0x{other:02X}, not a TCS34725 \
                 (0x{ID_TCS34725:02X}) or TCS34727 (0x{ID_TCS34727:02X})"
            ),
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Setup,
    WarmingUp(Instant),
    Waiting,
    Running,
}

struct Sensor {
    name: String,
    place: String,
    port: Option<(usize, u8)>,
    state: State,
}

/// The sampling loop's logic for one bus.
struct TcsSampler<I> {
    bus: MuxBus<I>,
    sensors: Vec<Sensor>,
    cycles: u16,
    gain: TcsGain,
    saturation: u16,
}

impl<I: I2c> TcsSampler<I> {
    fn new(cfg: &Tcs34725BusConfig, i2c: I) -> Self {
        Self {
            bus: MuxBus::new(i2c, &cfg.muxes),
            sensors: cfg
                .channels
                .iter()
                .map(|&c| Sensor {
                    name: format!("{}:{c}", cfg.name),
                    place: cfg.describe(c),
                    port: cfg.port(c),
                    state: State::Setup,
                })
                .collect(),
            cycles: cfg.atime_cycles(),
            gain: cfg.gain,
            saturation: cfg.saturation_count(),
        }
    }

    /// Advance sensor `i` one step; a reading when it has one.
    fn step(&mut self, i: usize, now: Instant) -> Result<Option<Reading>, HwError> {
        let s = &mut self.sensors[i];
        self.bus.select(s.port, &s.name)?;
        let mut tcs = Tcs3472::new(&mut self.bus.i2c);
        let name = s.name.as_str();
        match s.state {
            State::Setup => {
                let id = tcs
                    .read_device_id()
                    .map_err(|e| tcs_error(name, "reading the ID", e))?;
                check_id(name, &s.place, id)?;
                tcs.set_integration_cycles(self.cycles)
                    .map_err(|e| tcs_error(name, "setting the integration time", e))?;
                tcs.set_rgbc_gain(self.gain.driver())
                    .map_err(|e| tcs_error(name, "setting the gain", e))?;
                tcs.enable()
                    .map_err(|e| tcs_error(name, "powering on", e))?;
                s.state = State::WarmingUp(now);
                return Ok(None);
            }
            State::WarmingUp(since) => {
                if now < since + WARMUP {
                    return Ok(None);
                }
                // A fresh driver: PON again, then PON|AEN.
                tcs.enable()
                    .map_err(|e| tcs_error(name, "powering on", e))?;
                tcs.enable_rgbc()
                    .map_err(|e| tcs_error(name, "enabling RGBC", e))?;
                s.state = State::Waiting;
                return Ok(None);
            }
            State::Waiting => {
                let valid = tcs
                    .is_rgbc_status_valid()
                    .map_err(|e| tcs_error(name, "reading the status", e))?;
                if !valid {
                    return Ok(None);
                }
                s.state = State::Running;
            }
            State::Running => {}
        }
        let m = tcs
            .read_all_channels()
            .map_err(|e| tcs_error(name, "reading RGBC", e))?;
        let top = m.red.max(m.green).max(m.blue).max(m.clear);
        Ok(Some(Reading {
            r: f32::from(m.red),
            g: f32::from(m.green),
            b: f32::from(m.blue),
            c: f32::from(m.clear),
            saturated: top >= self.saturation,
        }))
    }
}

impl<I: I2c + Send> Sampler for TcsSampler<I> {
    fn frame(&mut self, ticker: &mut dyn Ticker, out: &Shared) {
        for i in 0..self.sensors.len() {
            match self.step(i, ticker.now()) {
                Ok(Some(r)) => out.push(i, ticker, r),
                Ok(None) => {}
                Err(e) => {
                    self.sensors[i].state = State::Setup;
                    self.bus.forget();
                    out.error(i, e);
                }
            }
        }
    }

    fn shutdown(&mut self, _ticker: &mut dyn Ticker) {
        for s in &mut self.sensors {
            if s.state == State::Setup {
                continue;
            }
            if self.bus.select(s.port, &s.name).is_ok() {
                let _ = Tcs3472::new(&mut self.bus.i2c).disable();
            }
            s.state = State::Setup;
        }
        let _ = self.bus.select(None, "shutdown");
    }
}

/// Which buses have a sampling loop in this process (one owner per bus).
static OWNED: Mutex<BTreeMap<u8, String>> = Mutex::new(BTreeMap::new());

struct BusClaim(u8);

impl BusClaim {
    fn take(bus: u8, name: &str) -> Result<Self, HwError> {
        let mut owned = OWNED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(other) = owned.get(&bus) {
            return Err(HwError::new(
                HwErrorKind::Rejected,
                name,
                format!(
                    "I2C bus {bus} is already sampled by sensor bank `{other}`: one bank per bus \
                     (list all of the bus's muxes in one bank)"
                ),
            ));
        }
        owned.insert(bus, name.to_string());
        Ok(Self(bus))
    }
}

impl Drop for BusClaim {
    fn drop(&mut self) {
        OWNED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// A bank of TCS34725 sensors being sampled on one I2C bus. Hand out its channels with
/// [`Tcs34725Bus::sensor`]; sampling stops when the bank and all its sensors are dropped.
pub struct Tcs34725Bus {
    bank: SensorBank<u16>,
}

impl Tcs34725Bus {
    /// Open `/dev/i2c-N` and start sampling every configured channel. Fails as
    /// [`HwErrorKind::Unreachable`] off a Pi or without access to the bus, as
    /// [`HwErrorKind::Rejected`] for settings that cannot work (see
    /// [`Tcs34725BusConfig::validate`], the bus budget, a bus already owned). A missing or
    /// faulty sensor does not fail the open: its channel's `drain` reports it.
    pub fn open(cfg: &Tcs34725BusConfig, clock: BenchClock) -> Result<Self, HwError> {
        cfg.validate().map_err(|e| cfg.rejected(e.to_string()))?;
        let claim = BusClaim::take(cfg.i2c_bus, &cfg.name)?;
        let i2c = open_i2c(cfg.i2c_bus, &cfg.name)?;
        cfg.check_bus_budget(bus_clock_hz(cfg.i2c_bus))
            .map_err(|e| cfg.rejected(e.to_string()))?;
        Self::start(cfg, clock, i2c, Some(Box::new(claim)))
    }

    /// As [`Tcs34725Bus::open`] on any embedded-hal 1.0 I2C bus (no ownership claim, no
    /// bus budget check).
    pub fn with_bus<I: I2c + Send + 'static>(
        cfg: &Tcs34725BusConfig,
        clock: BenchClock,
        i2c: I,
    ) -> Result<Self, HwError> {
        cfg.validate().map_err(|e| cfg.rejected(e.to_string()))?;
        Self::start(cfg, clock, i2c, None)
    }

    fn start<I: I2c + Send + 'static>(
        cfg: &Tcs34725BusConfig,
        clock: BenchClock,
        i2c: I,
        claim: Option<Box<dyn Send + Sync>>,
    ) -> Result<Self, HwError> {
        let shared = shared(cfg, clock);
        let worker = Worker::spawn(
            format!("rig-tcs-i2c{}", cfg.i2c_bus),
            shared,
            Box::new(TcsSampler::new(cfg, i2c)),
            cfg.period(),
            claim,
        )?;
        Ok(Self {
            bank: SensorBank::new(worker, &cfg.channels, &cfg.name, "channel"),
        })
    }

    /// The sensor on `channel` (one of the configured channels).
    pub fn sensor(&self, channel: u16) -> Result<BusSensor, HwError> {
        self.bank.sensor(channel)
    }

    pub fn channels(&self) -> &[u16] {
        self.bank.channels()
    }

    pub fn stats(&self) -> BusStats {
        self.bank.stats()
    }

    /// `rig doctor`: open the bus and check every configured sensor: its ID, then one
    /// reading with the configured gain and integration time, which must be neither
    /// saturated nor all zero. Leaves the sensors powered down and the muxes deselected.
    pub fn probe(cfg: &Tcs34725BusConfig) -> Vec<Probe> {
        if let Err(e) = cfg.validate() {
            return vec![Probe::failed(cfg.name.clone(), cfg.rejected(e.to_string()))];
        }
        match open_i2c(cfg.i2c_bus, &cfg.name) {
            Ok(i2c) => probe_on(cfg, i2c, &mut super::super::sampling::RealTicker),
            Err(e) => vec![Probe::failed(cfg.name.clone(), e)],
        }
    }
}

fn shared(cfg: &Tcs34725BusConfig, clock: BenchClock) -> Arc<Shared> {
    bank_shared(
        clock,
        SensorKind::Rgbc,
        &cfg.name,
        &cfg.channels,
        cfg.sample_hz,
    )
}

fn probe_on<I: I2c>(cfg: &Tcs34725BusConfig, i2c: I, ticker: &mut dyn Ticker) -> Vec<Probe> {
    let mut bus = MuxBus::new(i2c, &cfg.muxes);
    let mut out = Vec::new();
    for &ch in &cfg.channels {
        let name = format!("{}:{ch}", cfg.name);
        let result = probe_one(cfg, &mut bus, ch, &name, ticker);
        if result.is_err() {
            bus.forget();
        }
        out.push(Probe {
            device: name,
            result,
        });
    }
    let _ = bus.select(None, &cfg.name);
    out
}

fn probe_one<I: I2c>(
    cfg: &Tcs34725BusConfig,
    bus: &mut MuxBus<I>,
    ch: u16,
    name: &str,
    ticker: &mut dyn Ticker,
) -> Result<String, HwError> {
    let place = cfg.describe(ch);
    bus.select(cfg.port(ch), name)?;
    let mut tcs = Tcs3472::new(&mut bus.i2c);
    let id = tcs
        .read_device_id()
        .map_err(|e| tcs_error(name, &format!("reading the ID of the {place}"), e))?;
    let part = check_id(name, &place, id)?;
    let setup = |e| tcs_error(name, "setting it up", e);
    tcs.set_integration_cycles(cfg.atime_cycles())
        .map_err(setup)?;
    tcs.set_rgbc_gain(cfg.gain.driver()).map_err(setup)?;
    tcs.enable().map_err(setup)?;
    let t = ticker.now();
    ticker.sleep_until(t + WARMUP);
    tcs.enable_rgbc().map_err(setup)?;
    let cycle = Duration::from_secs_f64(cfg.cycle_ms() / 1000.0);
    let mut valid = false;
    for _ in 0..3 {
        let t = ticker.now();
        ticker.sleep_until(t + cycle + Duration::from_millis(1));
        valid = tcs
            .is_rgbc_status_valid()
            .map_err(|e| tcs_error(name, "reading the status", e))?;
        if valid {
            break;
        }
    }
    if !valid {
        return Err(HwError::new(
            HwErrorKind::Timeout,
            name,
            format!("the {place} never finished an integration"),
        ));
    }
    let m = tcs
        .read_all_channels()
        .map_err(|e| tcs_error(name, "reading RGBC", e))?;
    let _ = tcs.disable();
    let counts = format!("r {} g {} b {} c {}", m.red, m.green, m.blue, m.clear);
    let top = m.red.max(m.green).max(m.blue).max(m.clear);
    if top >= cfg.saturation_count() {
        return Err(HwError::new(
            HwErrorKind::Rejected,
            name,
            format!(
                "{part} ({place}) is saturated ({counts}, full scale {}): lower the gain \
                 ({}x) or shade it",
                cfg.saturation_count(),
                cfg.gain.factor()
            ),
        ));
    }
    if top == 0 {
        return Err(HwError::new(
            HwErrorKind::Protocol,
            name,
            format!(
                "{part} ({place}) reads all zero: not integrating, or fully covered; check \
                 its wiring and shroud"
            ),
        ));
    }
    Ok(format!(
        "{part} (ID 0x{id:02X}) on {place}: {counts} (gain {}x, {:.1} ms)",
        cfg.gain.factor(),
        cfg.effective_integration_ms()
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::super::sampling::tests::{clocks, FakeTicker};
    use super::super::super::sampling::{run, Worker};
    use super::*;
    use crate::{LightSensor, Sample};
    use embedded_hal::i2c::{ErrorKind, ErrorType, NoAcknowledgeSource, Operation};
    use embedded_hal_mock::eh1::i2c::{Mock, Transaction as T};

    pub(crate) fn cfg(muxes: Vec<u8>, channels: Vec<u16>) -> Tcs34725BusConfig {
        Tcs34725BusConfig {
            name: "rgb".into(),
            i2c_bus: 1,
            muxes,
            channels,
            gain: TcsGain::X16,
            integration_ms: 7.2,
            sample_hz: 100.0,
        }
    }

    fn data(r: u16, g: u16, b: u16, c: u16) -> Vec<u8> {
        [c, r, g, b].iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn drain(w: &Arc<Worker>, i: usize) -> Vec<Sample> {
        let mut out = Vec::new();
        w.sensor(i).drain(&mut out).unwrap();
        out
    }

    #[test]
    fn settings_from_the_config() {
        let c = cfg(vec![0x70], vec![0]);
        assert_eq!(c.atime_cycles(), 3);
        assert!((c.effective_integration_ms() - 7.2).abs() < 1e-9);
        assert!((c.cycle_ms() - 9.6).abs() < 1e-9);
        // 3 cycles: 3072 counts full scale, less a quarter (ripple, < 150 ms).
        assert_eq!(c.saturation_count(), 2304);
        let long = Tcs34725BusConfig {
            integration_ms: 154.0,
            sample_hz: 100.0,
            ..c.clone()
        };
        assert_eq!(long.atime_cycles(), 64);
        assert_eq!(long.saturation_count(), 65535);
        assert_eq!(TcsGain::from_factor(60), Some(TcsGain::X60));
        assert_eq!(TcsGain::from_factor(8), None);
        assert_eq!(TcsGain::X4.factor(), 4);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn validation_says_what_cannot_work() {
        let c = cfg(vec![0x70, 0x71], vec![0, 9]);
        assert!(c.validate().is_ok());
        let bad = |f: &dyn Fn(&mut Tcs34725BusConfig),
                   is: &dyn Fn(&ConfigError) -> bool,
                   needle: &str| {
            let mut c = c.clone();
            f(&mut c);
            let e = c.validate().unwrap_err();
            assert!(is(&e), "{e:?}");
            assert!(e.to_string().contains(needle), "{e}");
        };
        use ConfigError as E;
        bad(
            &|c| c.sample_hz = 50.0,
            &|e| matches!(e, E::SampleRateTooLow { .. }),
            "below 100",
        );
        bad(
            &|c| c.integration_ms = 24.0,
            &|e| matches!(e, E::IntegrationTooSlow { .. }),
            "use at most 7.2 ms",
        );
        bad(
            &|c| {
                c.sample_hz = 200.0;
                c.integration_ms = 4.8;
            },
            &|e| matches!(e, E::IntegrationTooSlow { .. }),
            "use at most 2.4 ms",
        );
        bad(
            &|c| c.integration_ms = 1000.0,
            &|e| matches!(e, E::IntegrationOutOfRange { .. }),
            "outside",
        );
        bad(
            &|c| c.muxes = vec![0x29],
            &|e| *e == E::NotAMux { address: 0x29 },
            "not a TCA9548A",
        );
        bad(
            &|c| c.muxes = vec![0x70, 0x70],
            &|e| *e == E::MuxTwice { address: 0x70 },
            "twice",
        );
        bad(
            &|c| c.channels = vec![16],
            &|e| matches!(e, E::ChannelBeyondMuxes { channel: 16, .. }),
            "channels 0–15",
        );
        bad(
            &|c| c.channels = vec![3, 3],
            &|e| *e == E::ChannelTwice { channel: 3 },
            "twice",
        );
        bad(
            &|c| c.channels.clear(),
            &|e| *e == E::NoChannels,
            "no channels",
        );
        bad(
            &|c| {
                c.muxes.clear();
                c.channels = vec![1];
            },
            &|e| *e == E::ChannelWithoutMux { channel: 1 },
            "one sensor",
        );
    }

    #[test]
    fn bus_budget_at_100_hz_is_6_sensors_at_100_khz_and_19_at_400_khz() {
        assert_eq!(Tcs34725BusConfig::max_sensors(100.0, 100_000), 6);
        assert_eq!(Tcs34725BusConfig::max_sensors(100.0, 400_000), 19);
        assert_eq!(Tcs34725BusConfig::max_sensors(200.0, 400_000), 9);
        let c = cfg(vec![0x70], (0..8).collect());
        let e = c.check_bus_budget(100_000).unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::BusTooSlow {
                    sensors: 8,
                    most: 6,
                    bus_khz: 100,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(e.contains("8 sensors at 100 Hz"), "{e}");
        assert!(e.contains("i2c_arm_baudrate=400000"), "{e}");
        assert!(c.check_bus_budget(400_000).is_ok());
    }

    /// The exact bus traffic: start-up of two sensors behind one mux, their first
    /// readings, and the power-down on the way out.
    #[test]
    fn bus_transactions_from_start_up_to_shutdown() {
        let c = cfg(vec![0x71], vec![0, 5]);
        let tcs = 0x29;
        let mux = 0x71;
        let setup = |port_mask: u8| {
            vec![
                T::write(mux, vec![port_mask]),
                T::write_read(tcs, vec![0x92], vec![0x44]), // ID
                T::write(tcs, vec![0x81, 253]),             // ATIME: 256 - 3 cycles
                T::write(tcs, vec![0x8F, 0x02]),            // CONTROL: 16x
                T::write(tcs, vec![0x80, 0x01]),            // ENABLE: PON
            ]
        };
        let enable = |port_mask: u8| {
            vec![
                T::write(mux, vec![port_mask]),
                T::write(tcs, vec![0x80, 0x01]), // PON (fresh driver)
                T::write(tcs, vec![0x80, 0x03]), // PON | AEN
            ]
        };
        let mut expect = Vec::new();
        // Frame 1: ID, settings, power on.
        expect.extend(setup(0x01));
        expect.extend(setup(0x20));
        // Frame 2 (10 ms later, past the 2.4 ms warm-up): RGBC on.
        expect.extend(enable(0x01));
        expect.extend(enable(0x20));
        // Frame 3: sensor 0 has integrated once; sensor 5 not yet.
        expect.extend([
            T::write(mux, vec![0x01]),
            T::write_read(tcs, vec![0x93], vec![0x01]), // STATUS: AVALID
            T::write_read(tcs, vec![0xB4], data(100, 200, 300, 700)),
            T::write(mux, vec![0x20]),
            T::write_read(tcs, vec![0x93], vec![0x00]),
        ]);
        // Frame 4: both read; sensor 5 saturated.
        expect.extend([
            T::write(mux, vec![0x01]),
            T::write_read(tcs, vec![0xB4], data(101, 201, 301, 701)),
            T::write(mux, vec![0x20]),
            T::write_read(tcs, vec![0x93], vec![0x01]),
            T::write_read(tcs, vec![0xB4], data(900, 20, 10, 2400)),
        ]);
        // Shutdown: power each sensor down, deselect the mux.
        expect.extend([
            T::write(mux, vec![0x01]),
            T::write(tcs, vec![0x80, 0x00]),
            T::write(mux, vec![0x20]),
            T::write(tcs, vec![0x80, 0x00]),
            T::write(mux, vec![0x00]),
        ]);
        let mut i2c = Mock::new(&expect);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, i2c.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(4));
        s.shutdown(&mut ticker);
        i2c.done();
        let w = Worker::inline(shared);
        let s0 = drain(&w, 0);
        assert_eq!(
            s0,
            vec![
                Sample {
                    t_ms: 20.0,
                    r: 100.0,
                    g: 200.0,
                    b: 300.0,
                    c: 700.0
                },
                Sample {
                    t_ms: 30.0,
                    r: 101.0,
                    g: 201.0,
                    b: 301.0,
                    c: 701.0
                },
            ]
        );
        let s5 = drain(&w, 1);
        assert_eq!(s5.len(), 1);
        assert_eq!((s5[0].t_ms, s5[0].r, s5[0].c), (30.0, 900.0, 2400.0));
        assert_eq!(w.sensor(1).stats().saturated, 1);
        assert_eq!(w.sensor(0).stats().saturated, 0);
        assert_eq!(w.sensor(1).name(), "rgb:5");
        assert_eq!(w.sensor(1).kind(), SensorKind::Rgbc);
    }

    #[test]
    fn a_wrong_id_is_a_protocol_fault_naming_the_place() {
        let c = cfg(vec![0x70], vec![2]);
        let mut i2c = Mock::new(&[
            T::write(0x70, vec![0x04]),
            T::write_read(0x29, vec![0x92], vec![0x12]),
        ]);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, i2c.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(1));
        i2c.done();
        let w = Worker::inline(shared);
        let e = w.sensor(0).drain(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Protocol);
        assert_eq!(e.device, "rgb:2");
        assert!(e.message.contains("port 2 of the mux at 0x70"), "{e}");
        assert!(e.message.contains("ID 0x12"), "{e}");
    }

    /// A behavioural fake of a bus: TCA9548A muxes and TCS34725 sensors with registers.
    #[derive(Default)]
    pub(crate) struct Bench {
        muxes: BTreeMap<u8, u8>,
        /// (mux address, port) → sensor; `(0, 0)` without muxes.
        sensors: BTreeMap<(u8, u8), FakeTcs>,
        /// Two sensors answered at once: the loop got the muxes wrong.
        pub collisions: u32,
        /// Each transfer costs this much fake time.
        cost: Option<(FakeTicker, Duration)>,
    }

    #[derive(Clone)]
    pub(crate) struct FakeTcs {
        regs: [u8; 32],
        pointer: u8,
        pub rgbc: [u16; 4],
        pub present: bool,
    }

    impl FakeTcs {
        pub fn new(rgbc: [u16; 4]) -> Self {
            let mut regs = [0; 32];
            regs[0x12] = ID_TCS34725;
            Self {
                regs,
                pointer: 0,
                rgbc,
                present: true,
            }
        }
        fn running(&self) -> bool {
            self.regs[0] & 0x03 == 0x03
        }
        fn read(&mut self) -> u8 {
            let p = self.pointer as usize;
            self.pointer = (self.pointer + 1) & 0x1F;
            let [r, g, b, c] = if self.running() { self.rgbc } else { [0; 4] };
            let word = |v: u16, hi: bool| if hi { (v >> 8) as u8 } else { v as u8 };
            match p {
                0x13 => u8::from(self.running()),
                0x14..=0x1B => {
                    let v = [c, r, g, b][(p - 0x14) / 2];
                    word(v, (p - 0x14) % 2 == 1)
                }
                _ => self.regs[p],
            }
        }
    }

    #[derive(Clone, Default)]
    pub(crate) struct FakeBus(pub Arc<Mutex<Bench>>);

    impl FakeBus {
        pub fn with(muxes: &[u8], sensors: &[((u8, u8), [u16; 4])]) -> Self {
            let mut b = Bench::default();
            for &m in muxes {
                b.muxes.insert(m, 0);
            }
            for &(at, v) in sensors {
                b.sensors.insert(at, FakeTcs::new(v));
            }
            Self(Arc::new(Mutex::new(b)))
        }
        pub fn bench(&self) -> std::sync::MutexGuard<'_, Bench> {
            self.0.lock().unwrap()
        }
        pub fn sensor(&self, at: (u8, u8), f: impl FnOnce(&mut FakeTcs)) {
            f(self.bench().sensors.get_mut(&at).unwrap());
        }
    }

    impl ErrorType for FakeBus {
        type Error = ErrorKind;
    }

    impl I2c for FakeBus {
        fn transaction(&mut self, addr: u8, ops: &mut [Operation<'_>]) -> Result<(), ErrorKind> {
            let mut b = self.bench();
            if let Some((ticker, d)) = &b.cost {
                ticker.advance(*d);
            }
            let nack = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
            if let Some(mask) = b.muxes.get_mut(&addr) {
                for op in ops {
                    match op {
                        Operation::Write(w) => *mask = *w.last().ok_or(ErrorKind::Bus)?,
                        Operation::Read(r) => r.fill(*mask),
                    }
                }
                return Ok(());
            }
            if addr != 0x29 {
                return Err(nack);
            }
            let muxes = b.muxes.clone();
            let on_bus: Vec<(u8, u8)> = b
                .sensors
                .iter()
                .filter(|(at, s)| {
                    let (m, p) = **at;
                    let selected = muxes.get(&m).is_some_and(|k| k & (1 << p) != 0);
                    s.present && (muxes.is_empty() || selected)
                })
                .map(|(&at, _)| at)
                .collect();
            if on_bus.len() > 1 {
                b.collisions += 1;
                return Err(ErrorKind::Bus);
            }
            let Some(at) = on_bus.first() else {
                return Err(nack);
            };
            let s = b.sensors.get_mut(at).unwrap();
            for op in ops {
                match op {
                    Operation::Write(w) => {
                        let (&cmd, rest) = w.split_first().ok_or(ErrorKind::Bus)?;
                        s.pointer = cmd & 0x1F;
                        for (i, &v) in rest.iter().enumerate() {
                            s.regs[(s.pointer as usize + i) & 0x1F] = v;
                        }
                    }
                    Operation::Read(r) => r.iter_mut().for_each(|x| *x = s.read()),
                }
            }
            Ok(())
        }
    }

    #[test]
    fn each_sensor_is_read_through_its_own_port_across_muxes() {
        let c = cfg(vec![0x70, 0x72, 0x75], vec![0, 7, 8, 13, 22]);
        let bus = FakeBus::with(
            &[0x70, 0x72, 0x75],
            &[
                ((0x70, 0), [1, 2, 3, 10]),
                ((0x70, 7), [4, 5, 6, 20]),
                ((0x72, 0), [7, 8, 9, 30]),
                ((0x72, 5), [10, 11, 12, 40]),
                ((0x75, 6), [13, 14, 15, 50]),
            ],
        );
        // Leftover selections from an earlier run must be cleared before anything is read.
        bus.bench().muxes.insert(0x72, 0xFF);
        bus.bench().muxes.insert(0x75, 0xFF);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, bus.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(10));
        s.shutdown(&mut ticker);
        assert_eq!(bus.bench().collisions, 0);
        let w = Worker::inline(shared);
        for (i, clear) in [10.0, 20.0, 30.0, 40.0, 50.0].into_iter().enumerate() {
            let got = drain(&w, i);
            assert_eq!(got.len(), 8, "sensor {i}: frames 3–10");
            assert!(got.iter().all(|s| s.c == clear), "sensor {i}: {got:?}");
            let t: Vec<f64> = got.iter().map(|s| s.t_ms).collect();
            let want: Vec<f64> = (2..10).map(|k| f64::from(k) * 10.0).collect();
            assert_eq!(t, want, "one reading per sensor per 10 ms frame");
        }
        // On the way out: sensors powered down, every mux deselected.
        let b = bus.bench();
        assert!(b.muxes.values().all(|&m| m == 0));
        assert!(b.sensors.values().all(|s| s.regs[0] == 0));
    }

    #[test]
    fn gain_and_integration_time_reach_every_sensor() {
        let c = Tcs34725BusConfig {
            gain: TcsGain::X60,
            integration_ms: 2.4,
            sample_hz: 200.0,
            ..cfg(vec![0x70], vec![1, 2])
        };
        let bus = FakeBus::with(&[0x70], &[((0x70, 1), [1; 4]), ((0x70, 2), [1; 4])]);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, bus.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(3));
        for s in bus.bench().sensors.values() {
            assert_eq!(s.regs[0x01], 255, "ATIME: 1 cycle");
            assert_eq!(s.regs[0x0F], 3, "CONTROL: 60x");
            assert_eq!(s.regs[0x00], 0x03, "PON | AEN");
            assert!(s.running());
        }
    }

    #[test]
    fn a_sensor_that_drops_out_fails_its_channel_then_comes_back() {
        let c = cfg(vec![0x70], vec![0, 1]);
        let bus = FakeBus::with(
            &[0x70],
            &[((0x70, 0), [1, 1, 1, 5]), ((0x70, 1), [2, 2, 2, 9])],
        );
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let w = Worker::inline(shared.clone());
        let mut s = TcsSampler::new(&c, bus.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(4));
        assert_eq!(drain(&w, 0).len(), 2);
        assert_eq!(drain(&w, 1).len(), 2);
        // Unplugged (and power-cycled: its registers are lost).
        bus.sensor((0x70, 1), |s| {
            s.present = false;
            s.regs[0] = 0;
        });
        run(&mut s, &mut ticker, &shared, c.period(), Some(3));
        let e = w.sensor(1).drain(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Unreachable, "NACK: {e}");
        assert_eq!(e.device, "rgb:1");
        assert_eq!(drain(&w, 0).len(), 3, "the other sensor carries on");
        // Plugged back: set up again from scratch, samples again.
        bus.sensor((0x70, 1), |s| s.present = true);
        run(&mut s, &mut ticker, &shared, c.period(), Some(5));
        let back = drain(&w, 1);
        assert!(
            !back.is_empty() && back.iter().all(|s| s.c == 9.0),
            "{back:?}"
        );
        assert_eq!(
            bus.bench().sensors[&(0x70, 1)].regs[0x0F],
            0x02,
            "gain rewritten"
        );
        assert_eq!(bus.bench().collisions, 0);
    }

    #[test]
    fn a_slow_bus_overruns_and_the_rate_drops_without_bursts() {
        // 6 sensors, each read costing 2 transfers of 1 ms: a 12 ms frame for a 10 ms period.
        let c = cfg(vec![0x70], (0..6).collect());
        let bus = FakeBus::with(
            &[0x70],
            &(0..6)
                .map(|p| ((0x70, p), [1, 1, 1, 1]))
                .collect::<Vec<_>>(),
        );
        let (clock, mut ticker) = clocks();
        bus.bench().cost = Some((ticker.clone(), Duration::from_millis(1)));
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, bus.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(10));
        let w = Worker::inline(shared);
        let t: Vec<f64> = drain(&w, 0).iter().map(|s| s.t_ms).collect();
        let gaps: Vec<f64> = t.windows(2).map(|p| p[1] - p[0]).collect();
        // After start-up (longer frames), a frame every 12 ms: late, never back to back.
        assert!(gaps.len() >= 5);
        assert!(
            gaps[1..].iter().all(|&g| (g - 12.0).abs() < 1e-6),
            "{gaps:?}"
        );
        assert!(w.shared.bus_stats().overruns >= 7);
    }

    #[test]
    fn a_sensor_straight_on_the_bus_needs_no_mux() {
        let c = cfg(vec![], vec![0]);
        let bus = FakeBus::with(&[], &[((0, 0), [3, 4, 5, 12])]);
        let (clock, mut ticker) = clocks();
        let shared = shared(&c, clock);
        let mut s = TcsSampler::new(&c, bus.clone());
        run(&mut s, &mut ticker, &shared, c.period(), Some(4));
        let w = Worker::inline(shared);
        let got = drain(&w, 0);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].r, got[0].g, got[0].b, got[0].c),
            (3.0, 4.0, 5.0, 12.0)
        );
    }

    #[test]
    fn the_sampling_thread_fills_buffers_in_real_time_and_stops_on_drop() {
        let c = cfg(vec![0x70], vec![0, 3]);
        let bus = FakeBus::with(
            &[0x70],
            &[((0x70, 0), [1, 2, 3, 6]), ((0x70, 3), [4, 5, 6, 15])],
        );
        let clock = BenchClock::start();
        let bank = Tcs34725Bus::with_bus(&c, clock, bus.clone()).unwrap();
        let mut a = bank.sensor(0).unwrap();
        let mut b = bank.sensor(3).unwrap();
        assert!(bank.sensor(1).is_err(), "not a sampled channel");
        let mut got_a = Vec::new();
        let mut got_b = Vec::new();
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(10));
            a.drain(&mut got_a).unwrap();
            b.drain(&mut got_b).unwrap();
            if got_a.len() >= 5 && got_b.len() >= 5 {
                break;
            }
        }
        assert!(got_a.len() >= 5 && got_b.len() >= 5);
        assert!(got_a.iter().all(|s| s.c == 6.0));
        assert!(got_b.iter().all(|s| s.c == 15.0));
        assert!(got_a.windows(2).all(|p| p[1].t_ms > p[0].t_ms));
        let now = clock.now_ms();
        assert!(
            got_a.iter().all(|s| s.t_ms <= now),
            "stamped on the bench clock"
        );
        assert!(bank.stats().frames >= 5);
        drop(bank);
        drop(a);
        drop(b);
        // The thread has stopped and shut the bus down.
        assert!(bus.bench().muxes.values().all(|&m| m == 0));
        assert!(bus.bench().sensors.values().all(|s| s.regs[0] == 0));
    }

    #[test]
    fn one_bank_per_bus() {
        let c = cfg(vec![0x70], vec![0]);
        let claim = BusClaim::take(200, "rgb").unwrap();
        let e = BusClaim::take(200, "rgb2").err().unwrap();
        assert_eq!(e.kind, HwErrorKind::Rejected);
        assert!(
            e.message.contains("already sampled by sensor bank `rgb`"),
            "{e}"
        );
        drop(claim);
        let _again = BusClaim::take(200, "rgb2").unwrap();
        // Off a Pi, opening fails cleanly (bus 200 does not exist).
        let e = Tcs34725Bus::open(
            &Tcs34725BusConfig { i2c_bus: 201, ..c },
            BenchClock::start(),
        )
        .err()
        .unwrap();
        assert_eq!(e.kind, HwErrorKind::Unreachable);
    }

    #[test]
    fn probe_reports_each_sensor() {
        let c = cfg(vec![0x70], vec![0, 1, 2, 3, 4]);
        let bus = FakeBus::with(
            &[0x70],
            &[
                ((0x70, 0), [100, 200, 50, 400]),
                ((0x70, 1), [0, 0, 0, 0]),
                ((0x70, 2), [900, 900, 900, 3000]),
                ((0x70, 4), [1, 1, 1, 3]),
            ],
        );
        bus.sensor((0x70, 4), |s| s.regs[0x12] = 0x60);
        let (_, mut ticker) = clocks();
        let p = probe_on(&c, bus.clone(), &mut ticker);
        assert_eq!(p.len(), 5);
        let detail = p[0].result.as_ref().unwrap();
        assert!(detail.contains("TCS34725 (ID 0x44)"), "{detail}");
        assert!(detail.contains("r 100 g 200 b 50 c 400"), "{detail}");
        let err = |i: usize| p[i].result.as_ref().unwrap_err().clone();
        assert!(err(1).message.contains("all zero"), "{:?}", err(1));
        assert!(err(2).message.contains("saturated"), "{:?}", err(2));
        assert_eq!(err(3).kind, HwErrorKind::Unreachable, "nothing on port 3");
        assert!(err(4).message.contains("ID 0x60"), "{:?}", err(4));
        assert_eq!(p[3].device, "rgb:3");
        let b = bus.bench();
        assert_eq!(b.muxes[&0x70], 0, "deselected after probing");
        assert_eq!(
            b.sensors[&(0x70, 0)].regs[0] & 0x01,
            0,
            "powered down after probing"
        );
        assert_eq!(b.collisions, 0);
    }
}
