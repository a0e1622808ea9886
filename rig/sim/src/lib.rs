//! The simulated bench: an IP Office, its phones, the modems and the optics, behind the
//! same [`crate::hw`] traits as real hardware.
//!
//! The runner drives a [`SimBench`] only through the devices it hands out (relay
//! [`Actuator`]s, [`LightSensor`]s, [`PhoneLine`]s) and never reads its state: the lights
//! reach it as noisy samples to classify, the calls as `+CLCC` lists, exactly as on a lab
//! bench. How the system behaves is a [`FirmwareProfile`] (`fixtures/firmware/*.toml`):
//! `reference.toml` follows the spec; fault profiles are firmware the suite must catch.
//!
//! How it works:
//! - **Lazy, in virtual time.** No background task: the world (`system.rs`) keeps an agenda
//!   of timer deadlines, and every device call first brings it up to tokio's
//!   `Instant::now()`, handling due timers in order at their own deadlines. Under
//!   `#[tokio::test(start_paused = true)]` a 15 s transfer return costs nothing and lands
//!   on the exact millisecond.
//! - **Lights as timelines.** Each light's indication is re-derived from the call state
//!   after every change and stamped on its timeline at that instant; a sensor turns the
//!   timeline into samples when drained (`optics.rs`), with the blink phase starting when
//!   the indication began.
//! - **One lock, never held across an await.** [`SimBench`] is a cheap handle
//!   (`Arc<Mutex<_>>`); every device call locks, advances, acts and unlocks.
//! - **Presses act on the press edge** (relay energised), as a phone key does; the relay
//!   may then be held or released at any time.
//! - **Deterministic.** Sensor noise and jitter come from a PRNG per sensor channel,
//!   seeded from the bench seed and the channel name.

// The core's modules under their usual names, so this crate reads like the rest of the rig.
#[cfg(test)]
use rig_core::workspace_path;
pub(crate) use rig_core::{bench, hw, limits, source, spec};

mod devices;
mod optics;
mod profile;
mod system;

use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::time::Instant;

use crate::bench::{Bench, Button, ChannelRef};
use crate::hw::{Actuator, BenchClock, LightSensor, PhoneLine};
use crate::spec::Spec;

pub use profile::{Behaviour, FirmwareProfile, Scope, Timers};

use system::Core;

/// The simulated bench: hands out devices that all act on one simulated world.
#[derive(Clone)]
pub struct SimBench {
    core: Arc<Mutex<Core>>,
    bench: Arc<Bench>,
    clock: BenchClock,
    seed: u64,
    /// Where every relay change is written as it happens (see [`SimBench::log_relays_to`]).
    relay_log: Arc<Mutex<Option<Box<dyn std::io::Write + Send>>>>,
}

impl SimBench {
    /// A simulated IP Office and phones wired as `bench` says, behaving as `profile` says.
    /// Its lights start recording now; `seed` makes the sensor noise reproducible.
    pub fn new(
        bench: &Bench,
        spec: &Spec,
        profile: FirmwareProfile,
        clock: BenchClock,
        seed: u64,
    ) -> SimBench {
        SimBench {
            core: Arc::new(Mutex::new(Core::new(bench, spec, &profile, clock))),
            bench: Arc::new(bench.clone()),
            clock,
            seed,
            relay_log: Arc::default(),
        }
    }

    /// The relay on `channel` (an unwired channel clicks and presses nothing).
    pub fn actuator(&self, channel: &ChannelRef) -> Box<dyn Actuator> {
        Box::new(devices::SimActuator::new(self.clone(), channel.clone()))
    }

    /// The sensor on `channel` (an unwired channel sees darkness). Its samples start now.
    pub fn sensor(&self, channel: &ChannelRef) -> Box<dyn LightSensor> {
        Box::new(devices::SimSensor::new(self.clone(), channel))
    }

    /// The modem `modem_id` (an unknown id answers every command with `Unreachable`).
    pub fn line(&self, modem_id: &str) -> Box<dyn PhoneLine> {
        Box::new(devices::SimLine::new(self.clone(), modem_id))
    }

    /// For tests of the rig only: whether every relay is released.
    pub fn relays_released(&self) -> bool {
        self.lock().relays_released()
    }

    /// For tests of the rig only: write every relay change (`t_ms channel 1|0`, one line
    /// each, flushed at once) so a test can check, after the process has ended on a
    /// signal, that every relay was left released.
    pub fn log_relays_to(&self, out: impl std::io::Write + Send + 'static) {
        *self
            .relay_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(out));
    }

    fn log_relay(&self, channel: &ChannelRef, pressed: bool) {
        let mut log = self
            .relay_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(out) = log.as_mut() {
            let _ = writeln!(
                out,
                "{:.1} {channel} {}",
                self.clock.now_ms(),
                u8::from(pressed)
            )
            .and_then(|_| out.flush());
        }
    }

    /// For tests of the rig only: every call placed to a phone, as (position id, placed at,
    /// ended at) in bench ms; a call still up has no end.
    pub fn calls_placed(&self) -> Vec<(String, f64, Option<f64>)> {
        let core = self.lock();
        core.call_log
            .iter()
            .map(|&(p, from, to)| (core.position_id(p).to_string(), from, to))
            .collect()
    }

    /// For tests of the rig only: how often `button` of `position` was pressed.
    pub fn press_count(&self, position: &str, button: Button) -> usize {
        self.lock().press_count(position, button)
    }

    fn lock(&self) -> MutexGuard<'_, Core> {
        // A panic elsewhere (a failed test assertion) must not hide the world's state.
        self.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run one device operation on the world as of now, then record any light change.
    fn act<T>(&self, op: impl FnOnce(&mut Core) -> T) -> T {
        let mut core = self.lock();
        core.advance_to(Instant::now());
        let out = op(&mut core);
        core.refresh_lights();
        out
    }
}

#[cfg(test)]
mod tests;
