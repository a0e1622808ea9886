//! Opening a bench's devices through their backends, and leasing the shared modems.
//!
//! This is the one place that knows which backend drives a device; everything above sees
//! only the [`crate::hw`] traits.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::bench::{
    Backend, Bench, Button, ChannelRef, Light, Modem, ModemDriver, ModemRole, RelayBoard,
    RelayDriver, SensorBank, SensorDriver,
};
use crate::calibration::BenchCalibration;
use crate::hw::{Actuator, LightSensor, PhoneLine};
use crate::observe::{Calibration, Polarity};
use crate::sim::SimBench;
use crate::spec::{Family, Spec};

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
}

/// Open every device of the bench. `sim` drives the devices whose backend is `sim`.
/// Each light's dark level is the bench file's `dark` (or none: estimated).
pub fn open(bench: &Bench, spec: &Spec, sim: Option<&SimBench>) -> anyhow::Result<DeviceSet> {
    open_calibrated(bench, spec, sim, None)
}

/// How a family's lights show "on": its reflective LCD indicator reads darker when on.
pub fn polarity(family: &Family) -> Polarity {
    match family.indicator {
        Some(k) if k.is_reflective() => Polarity::Reflective,
        _ => Polarity::Emissive,
    }
}

/// As [`open`], with each light's dark level taken from a calibration file (checked against
/// this bench when loaded) where it has one, else from the bench file's `dark`, else none.
/// Only the dark level is used: the classifier has no use for reference colours yet.
pub fn open_calibrated(
    bench: &Bench,
    spec: &Spec,
    sim: Option<&SimBench>,
    measured: Option<&BenchCalibration>,
) -> anyhow::Result<DeviceSet> {
    let open = Opener { sim };
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
                polarity: polarity(family),
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
pub struct Opener<'a> {
    pub sim: Option<&'a SimBench>,
}

impl Opener<'_> {
    fn sim(&self, what: &str) -> anyhow::Result<&SimBench> {
        self.sim.ok_or_else(|| {
            anyhow::anyhow!("{what} uses the sim backend but no simulated system is running")
        })
    }

    pub fn relay(&self, board: &RelayBoard, c: &ChannelRef) -> anyhow::Result<Box<dyn Actuator>> {
        match &board.driver {
            RelayDriver::Sim => Ok(self.sim(&board.id)?.actuator(c)),
            RelayDriver::Gpio { .. } => Err(not_built(board.backend, &board.id)),
        }
    }

    pub fn sensor(
        &self,
        bank: &SensorBank,
        c: &ChannelRef,
    ) -> anyhow::Result<Box<dyn LightSensor>> {
        match &bank.driver {
            SensorDriver::Sim => Ok(self.sim(&bank.id)?.sensor(c)),
            SensorDriver::Tcs34725 { .. }
            | SensorDriver::Ads1115 { .. }
            | SensorDriver::Feasa { .. } => Err(not_built(bank.backend, &bank.id)),
        }
    }

    pub fn modem(&self, m: &Modem) -> anyhow::Result<Box<dyn PhoneLine>> {
        match &m.driver {
            ModemDriver::Sim => Ok(self.sim(&m.id)?.line(&m.id)),
            ModemDriver::Serial { .. } => Err(not_built(m.backend, &m.id)),
        }
    }
}

fn not_built(backend: Backend, id: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{id}: the {} backend is not wired into this build yet",
        backend.name()
    )
}

fn channel_name(c: &ChannelRef) -> String {
    c.to_string()
}
