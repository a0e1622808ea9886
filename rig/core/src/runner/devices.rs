//! The devices a run drives, as the runner sees them: hardware trait objects per position,
//! and the shared modems, leased one case at a time. Which backend drives each is decided
//! by the device factory (`crate::factory`), never here.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::bench::{Button, Light, ModemRole};
use crate::hw::relays::Relays;
use crate::hw::{Actuator, LightSensor, PhoneLine};
use crate::observe::Calibration;

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
    /// The bench's two modems, shared by every position.
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
