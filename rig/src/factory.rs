//! The device factory: the one place that opens a bench's devices from their backends
//! (the simulator, GPIO relays, TCS34725 and ADS1115 sensors, the Feasa analyser, AT
//! modems) and hands the runner a [`DeviceSet`] of hardware trait objects. The runner
//! never knows which backend it talks to (ARCHITECTURE.md, "Hardware").

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::bench::{
    Bench, ChannelRef, Modem, ModemDriver, ModemRole, RelayBoard, RelayDriver, SensorBank,
    SensorDriver,
};
use crate::calibration::BenchCalibration;
use crate::hw::feasa::codec::{CaptureRange, SequenceSetup};
use crate::hw::feasa::{FeasaAnalyser, FeasaSampler, SamplerMode};
use crate::hw::modem::AtModem;
use crate::hw::pi::{Ads1115, GpioRelay, Tcs34725Bus};
use crate::hw::relays::Relays;
use crate::hw::serial::SerialStream;
use crate::hw::{Actuator, BenchClock, HwError, LightSensor, PhoneLine};
use crate::observe::Calibration;
use crate::runner::{
    self, Context, DeviceSet, EventBus, LightDevice, Lines, NumberedLine, Operator, Plan,
    PositionDevices, RunInfo, RunSummary,
};
use crate::sim::SimBench;
use crate::spec::Spec;

/// Why a device of the bench could not be opened (exit 3): the device's own error, which
/// names it and keeps its kind.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Device(#[from] HwError),
    #[error(transparent)]
    Serial(#[from] crate::hw::serial::OpenError),
    /// A device on the `sim` backend with no simulated system running.
    #[error("{0} uses the sim backend but no simulated system is running")]
    NoSimulator(String),
}

/// Open every device of the bench. `sim` drives the devices whose backend is `sim`.
/// Each light's dark level is the bench file's `dark` (or none: estimated).
pub fn open(
    bench: &Bench,
    spec: &Spec,
    sim: Option<&SimBench>,
    clock: BenchClock,
) -> Result<DeviceSet, OpenError> {
    open_calibrated(bench, spec, sim, clock, None)
}

/// As [`open`], with each light's dark level taken from a calibration file (checked against
/// this bench when loaded) where it has one, else from the bench file's `dark`, else none.
/// Only the dark level is used: the classifier has no use for reference colours yet.
pub fn open_calibrated(
    bench: &Bench,
    spec: &Spec,
    sim: Option<&SimBench>,
    clock: BenchClock,
    measured: Option<&BenchCalibration>,
) -> Result<DeviceSet, OpenError> {
    let open = Opener::new(bench, sim, clock);
    let mut positions = BTreeMap::new();
    for p in &bench.positions {
        let family = bench.family(p, &spec.catalog);
        let mut buttons = BTreeMap::new();
        let mut press_ms = 150;
        for (b, c) in &p.buttons {
            let board = bench.relay_board(&c.device).expect("bench checked");
            press_ms = board.press_ms;
            let act = open.relay(board, c)?;
            buttons.insert(*b, (c.to_string(), act));
        }
        let mut lights = BTreeMap::new();
        for (l, w) in &p.lights {
            let bank = bench.sensor_bank(&w.sensor.device).expect("bench checked");
            let sensor = open.sensor(bank, &w.sensor)?;
            let dark = measured.and_then(|c| c.dark(&p.id, *l)).or(w.dark);
            let calibration = Calibration {
                kind: bank.kind,
                polarity: family.polarity(),
                dark,
            };
            lights.insert(
                *l,
                LightDevice {
                    sensor,
                    calibration,
                    name: channel_name(&w.sensor),
                },
            );
        }
        positions.insert(
            p.id.clone(),
            PositionDevices {
                buttons,
                lights,
                press_ms,
            },
        );
    }
    let lines = |role: ModemRole| -> Result<Vec<NumberedLine>, OpenError> {
        bench
            .modems_of(role)
            .map(|m| Ok((open.modem(m)?, m.number.clone())))
            .collect()
    };
    Ok(DeviceSet {
        relays: open.relays.clone(),
        positions,
        lines: Lines::new(lines(ModemRole::Mobile)?, lines(ModemRole::Caller)?),
    })
}

/// Opens one device by its backend. The one place that knows the backends.
///
/// Every relay is registered with `relays` (released at once, on drop, by `release_all`
/// and by the watchdog after the board's `max_hold_ms`). A bus of I2C sensors is opened
/// once, for all the channels the bench wires on it.
pub struct Opener<'a> {
    pub bench: &'a Bench,
    pub sim: Option<&'a SimBench>,
    pub relays: Relays,
    pub clock: BenchClock,
    tcs: RefCell<BTreeMap<String, Tcs34725Bus>>,
    feasa: RefCell<BTreeMap<String, FeasaSampler>>,
    ads: RefCell<BTreeMap<(String, u8), Ads1115>>,
}

impl<'a> Opener<'a> {
    pub fn new(bench: &'a Bench, sim: Option<&'a SimBench>, clock: BenchClock) -> Self {
        Self {
            bench,
            sim,
            relays: Relays::new(),
            clock,
            tcs: RefCell::default(),
            feasa: RefCell::default(),
            ads: RefCell::default(),
        }
    }

    fn sim(&self, what: &str) -> Result<&SimBench, OpenError> {
        self.sim
            .ok_or_else(|| OpenError::NoSimulator(what.to_string()))
    }

    pub fn relay(
        &self,
        board: &RelayBoard,
        c: &ChannelRef,
    ) -> Result<Box<dyn Actuator>, OpenError> {
        let max_hold = Some(Duration::from_millis(board.max_hold_ms));
        let name = c.to_string();
        let registered = match &board.driver {
            RelayDriver::Sim => {
                self.relays
                    .register(name, max_hold, self.sim(&board.id)?.actuator(c))?
            }
            RelayDriver::Gpio { .. } => {
                let cfg = Bench::gpio_config(board, c).expect("bench checked: a pin per channel");
                GpioRelay::open_registered(&self.relays, &name, &cfg)?
            }
        };
        Ok(Box::new(registered))
    }

    pub fn sensor(
        &self,
        bank: &SensorBank,
        c: &ChannelRef,
    ) -> Result<Box<dyn LightSensor>, OpenError> {
        match &bank.driver {
            SensorDriver::Sim => Ok(self.sim(&bank.id)?.sensor(c)),
            SensorDriver::Tcs34725 { .. } => {
                let mut buses = self.tcs.borrow_mut();
                if !buses.contains_key(&bank.id) {
                    // The config `rig validate` checked (Bench::driver_problems).
                    let cfg = self.bench.tcs34725_config(bank).expect("a tcs34725 bank");
                    buses.insert(bank.id.clone(), Tcs34725Bus::open(&cfg, self.clock)?);
                }
                Ok(Box::new(buses[&bank.id].sensor(c.channel as u16)?))
            }
            SensorDriver::Ads1115 { .. } => {
                // The config `rig validate` checked (Bench::driver_problems).
                let cfg = self
                    .bench
                    .ads1115_config(bank, c.channel)
                    .expect("bench checked: an ADC per 4 channels");
                let key = (bank.id.clone(), cfg.address);
                let mut adcs = self.ads.borrow_mut();
                if !adcs.contains_key(&key) {
                    adcs.insert(key.clone(), Ads1115::open(&cfg, self.clock)?);
                }
                Ok(Box::new(adcs[&key].sensor((c.channel % 4) as u8)?))
            }
            SensorDriver::Feasa { port, baud } => {
                let mut analysers = self.feasa.borrow_mut();
                if !analysers.contains_key(&bank.id) {
                    let stream = SerialStream::open(port, *baud)?;
                    let fibres: Vec<u8> = self
                        .bench
                        .wired_channels(&bank.id)
                        .into_iter()
                        .map(|ch| ch as u8 + 1)
                        .collect();
                    let analyser = FeasaAnalyser::new(stream, bank.id.clone());
                    analysers.insert(
                        bank.id.clone(),
                        FeasaSampler::spawn(analyser, &fibres, self.clock, feasa_mode()),
                    );
                }
                Ok(analysers[&bank.id].sensor(c.channel as u8 + 1))
            }
        }
    }

    pub fn modem(&self, m: &Modem) -> Result<Box<dyn PhoneLine>, OpenError> {
        match &m.driver {
            ModemDriver::Sim => Ok(self.sim(&m.id)?.line(&m.id)),
            ModemDriver::Serial { port, baud } => Ok(Box::new(AtModem::new(
                SerialStream::open(port, *baud)?,
                m.id.clone(),
            ))),
        }
    }
}

/// How the rig samples a Feasa analyser: a polled colour reading per fibre, then a
/// sequence capture of 400 samples 5 ms apart (2 s at 200 Hz) for the blink timing, "on"
/// above intensity 200. Polling alone is too slow for a flutter with several fibres.
fn feasa_mode() -> SamplerMode {
    SamplerMode::Sequence {
        range: CaptureRange::Manual(3),
        setup: SequenceSetup {
            capture_ms: 5,
            wait_ms: 0,
            count: 400,
            threshold: 200,
        },
    }
}

fn channel_name(c: &ChannelRef) -> String {
    c.to_string()
}

/// Run a whole suite on a simulated bench, in-process, on the current tokio clock (virtual
/// under `start_paused`). For tests and benchmarks; `rig run` adds files and signals.
pub async fn simulate(
    spec: &crate::spec::Spec,
    bench: &crate::bench::Bench,
    suite: &crate::suite::Suite,
    profile: crate::sim::FirmwareProfile,
    seed: u64,
) -> Result<RunSummary, OpenError> {
    let clock = crate::hw::BenchClock::start();
    let sim = crate::sim::SimBench::new(bench, spec, profile.clone(), clock, seed);
    simulate_on(&sim, spec, bench, suite, &profile, seed, clock).await
}

/// [`simulate`] on a simulator the caller holds (a test that looks at it afterwards).
pub async fn simulate_on(
    sim: &crate::sim::SimBench,
    spec: &crate::spec::Spec,
    bench: &crate::bench::Bench,
    suite: &crate::suite::Suite,
    profile: &crate::sim::FirmwareProfile,
    seed: u64,
    clock: crate::hw::BenchClock,
) -> Result<RunSummary, OpenError> {
    let devices = open(bench, spec, Some(sim), clock)?;
    let ctx = Arc::new(Context {
        spec: spec.clone(),
        bench: bench.clone(),
        settings: suite.settings.clone(),
        clock,
    });
    let info = RunInfo {
        suite_path: suite.path.clone(),
        virtual_time: true,
        profile_path: Some(profile.path.clone()),
        seed: Some(seed),
        spec_files: spec.files(),
        ..RunInfo::new(
            &format!("sim-{seed}"),
            bench,
            &format!("sim:{}", profile.name),
        )
    };
    let bus = EventBus::new(info, Vec::new());
    let positions = bench.positions.iter().map(|p| p.id.clone()).collect();
    let off_bench = spec
        .catalog
        .families
        .iter()
        .filter(|f| !f.bench)
        .cloned()
        .collect();
    let plan = Plan {
        cases: suite.cases.clone(),
        positions,
        off_bench,
        repeat: 1,
        history: Default::default(),
        ..Default::default()
    };
    Ok(runner::run(ctx, plan, devices, bus, Arc::new(Operator::none())).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_sim_device_without_a_simulator_is_named() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let bench = Bench::load(
            crate::workspace_path("wiring/sim-matrix.toml"),
            &spec.catalog,
        )
        .unwrap();
        let p = &bench.positions[0];
        let (_, c) = p.buttons.iter().next().expect("a relay");
        let board = bench.relay_board(&c.device).unwrap();
        let open = Opener::new(&bench, None, BenchClock::start());
        let Err(e) = open.relay(board, c) else {
            panic!("no simulator, no sim relay");
        };
        assert!(
            matches!(&e, OpenError::NoSimulator(id) if *id == board.id),
            "{e:?}"
        );
    }
}
