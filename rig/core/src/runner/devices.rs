//! The devices a run drives, as the runner sees them: hardware trait objects per position,
//! and the bench's phone lines, leased by the cases that touch them. Which backend drives each is decided
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

/// A phone line and its number, as the device factory opens it.
pub type NumberedLine = (Box<dyn PhoneLine>, String);

/// The bench's phone lines: every mobile line and the pool of caller lines, in bench
/// order (the order of `schedule::Work`'s line lists). A case holds the lines the
/// scheduler grants it through a [`Lease`]; each line is behind its own lock as well, so
/// even a wrong grant could only make a case wait, never put two calls on one line.
#[derive(Clone)]
pub struct Lines {
    mobiles: Arc<[(String, SharedLine)]>,
    callers: Arc<[(String, SharedLine)]>,
}

/// Exclusive use of one mobile line and one caller line, for one case.
pub struct Lease {
    pub(crate) caller: OwnedMutexGuard<Box<dyn PhoneLine>>,
    pub(crate) mobile: OwnedMutexGuard<Box<dyn PhoneLine>>,
}

impl Lease {
    pub(crate) fn line(&mut self, role: ModemRole) -> &mut dyn PhoneLine {
        match role {
            ModemRole::Caller => &mut **self.caller,
            ModemRole::Mobile => &mut **self.mobile,
        }
    }
}

impl Lines {
    /// The bench's lines, each with its number: mobile lines, then caller lines.
    pub fn new(mobiles: Vec<NumberedLine>, callers: Vec<NumberedLine>) -> Lines {
        let shared = |v: Vec<NumberedLine>| -> Arc<[(String, SharedLine)]> {
            v.into_iter()
                .map(|(line, number)| (number, Arc::new(Mutex::new(line))))
                .collect()
        };
        Lines {
            mobiles: shared(mobiles),
            callers: shared(callers),
        }
    }

    /// Take mobile line `mobile` and caller line `caller` (indices in bench order),
    /// waiting while another case holds either. Always the mobile line first: a case never
    /// holds a caller line while it waits for a mobile line, so two leases never deadlock.
    pub(crate) async fn lease(&self, mobile: usize, caller: usize) -> Lease {
        let (_, m) = &self.mobiles[mobile];
        let (_, c) = &self.callers[caller];
        let mobile = m.clone().lock_owned().await;
        let caller = c.clone().lock_owned().await;
        Lease { caller, mobile }
    }
}

pub struct DeviceSet {
    pub positions: BTreeMap<String, PositionDevices>,
    pub lines: Lines,
    /// Every relay of the bench: released together on any exit, watched by the watchdog.
    pub relays: Relays,
}
