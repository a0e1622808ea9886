//! Opening a bench's devices through their backends, and leasing the shared modems.
//!
//! This is the one place that knows which backend drives a device; everything above sees
//! only the [`crate::hw`] traits.

use std::collections::BTreeMap;
use std::sync::Arc;

use std::cell::RefCell;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::bench::{
    Bench, Button, ChannelRef, Light, Modem, ModemDriver, ModemRole, RelayBoard, RelayDriver,
    SensorBank, SensorDriver,
};
use crate::calibration::BenchCalibration;
use crate::hw::feasa::codec::{CaptureRange, SequenceSetup};
use crate::hw::feasa::{FeasaAnalyser, FeasaSampler, SamplerMode};
use crate::hw::modem::AtModem;
use crate::hw::pi::{Ads1115, GpioRelay, Tcs34725Bus};
use crate::hw::relays::Relays;
use crate::hw::serial::SerialStream;
use crate::hw::{Actuator, BenchClock, LightSensor, PhoneLine};
use crate::observe::Calibration;
use crate::sim::SimBench;
use crate::spec::Spec;

/// A light and how to read it.
pub struct LightDevice {
    pub sensor: Box<dyn LightSensor>,
    pub calibration: Calibration,
    pub name: String,
}

/// The devices wired to one position.
pub struct PositionDevices {
    pub buttons: BTreeMap<Button, (String, Box<dyn Actuator>)>,
    pub lights: BTreeMap<Light, LightDevice>,
    pub press_ms: u64,
}

type SharedLine = Arc<Mutex<Box<dyn PhoneLine>>>;

/// The bench's modems, shared by every position: a case leases both for its whole run.
#[derive(Clone)]
pub struct Modems {
    caller: SharedLine,
    mobile: SharedLine,
    pub caller_number: String,
    pub mobile_number: String,
}

/// Exclusive use of both modems for one case.
pub struct Lease {
    pub caller: OwnedMutexGuard<Box<dyn PhoneLine>>,
    pub mobile: OwnedMutexGuard<Box<dyn PhoneLine>>,
}

impl Lease {
    pub fn line(&mut self, role: ModemRole) -> &mut dyn PhoneLine {
        match role {
            ModemRole::Caller => &mut **self.caller,
            ModemRole::Mobile => &mut **self.mobile,
        }
    }
}

impl Modems {
    /// The bench's two modems from lines opened outside [`open`] (another backend).
    pub fn new(
        caller: Box<dyn PhoneLine>,
        caller_number: impl Into<String>,
        mobile: Box<dyn PhoneLine>,
        mobile_number: impl Into<String>,
    ) -> Modems {
        Modems {
            caller: Arc::new(Mutex::new(caller)),
            mobile: Arc::new(Mutex::new(mobile)),
            caller_number: caller_number.into(),
            mobile_number: mobile_number.into(),
        }
    }

    /// Wait for both modems. Always caller first, then mobile, so two cases never deadlock.
    pub async fn lease(&self) -> Lease {
        let caller = self.caller.clone().lock_owned().await;
        let mobile = self.mobile.clone().lock_owned().await;
        Lease { caller, mobile }
    }
}

pub struct DeviceSet {
    pub positions: BTreeMap<String, PositionDevices>,
    pub modems: Modems,
    /// Every relay of the bench: released together on any exit, watched by the watchdog.
    pub relays: Relays,
}

/// Open every device of the bench. `sim` drives the devices whose backend is `sim`.
/// Each light's dark level is the bench file's `dark` (or none: estimated).
pub fn open(
    bench: &Bench,
    spec: &Spec,
    sim: Option<&SimBench>,
    clock: BenchClock,
) -> anyhow::Result<DeviceSet> {
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
) -> anyhow::Result<DeviceSet> {
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
    let line = |role: ModemRole| -> anyhow::Result<(SharedLine, String)> {
        let m = bench
            .modem(role)
            .expect("bench checked: one modem of each role");
        let l = open.modem(m)?;
        Ok((Arc::new(Mutex::new(l)), m.number.clone()))
    };
    let (caller, caller_number) = line(ModemRole::Caller)?;
    let (mobile, mobile_number) = line(ModemRole::Mobile)?;
    Ok(DeviceSet {
        relays: open.relays.clone(),
        positions,
        modems: Modems {
            caller,
            mobile,
            caller_number,
            mobile_number,
        },
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

    fn sim(&self, what: &str) -> anyhow::Result<&SimBench> {
        self.sim.ok_or_else(|| {
            anyhow::anyhow!("{what} uses the sim backend but no simulated system is running")
        })
    }

    pub fn relay(&self, board: &RelayBoard, c: &ChannelRef) -> anyhow::Result<Box<dyn Actuator>> {
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
    ) -> anyhow::Result<Box<dyn LightSensor>> {
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

    pub fn modem(&self, m: &Modem) -> anyhow::Result<Box<dyn PhoneLine>> {
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
