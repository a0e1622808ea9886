//! Relay channels on the Pi's GPIO (rppal).
//!
//! A channel is one BCM pin driving one relay input, active-low (most opto-isolated relay
//! boards: the relay closes when the pin is pulled low) or active-high.
//!
//! **Safe state.** Released is the pin driven to the inactive level, as an output. It is set
//! glitch-free at construction (rppal writes the level before switching the pin to output),
//! and written again on drop. rppal's reset-on-drop is **turned off**: by default rppal puts a
//! pin back to its previous mode (usually input) on drop, which leaves the relay input
//! floating — on an active-high board a floating input may read as "energised", and either
//! way the state after exit would depend on the board's pull resistors. Driving the released
//! level and keeping the pin an output makes the state after the process ends (normally,
//! by panic, or by a signal the CLI handles) a known, released one. Only SIGKILL or a power
//! cut can leave a relay held; nothing in-process can prevent that.

/// One relay channel on a GPIO pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpioRelayConfig {
    /// BCM GPIO number (not the header pin number).
    pub pin: u8,
    /// The relay energises when the pin is low (most relay boards).
    pub active_low: bool,
    /// The watchdog releases the relay after it has been held this long.
    pub max_hold_ms: u64,
}

impl GpioRelayConfig {
    /// The pin must be on the Pi's header: BCM 0–27.
    pub fn validate(&self) -> Result<(), NotOnHeader> {
        if self.pin > 27 {
            return Err(NotOnHeader { pin: self.pin });
        }
        Ok(())
    }
}

/// A relay's GPIO pin that is not on the Pi's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("BCM pin {pin} is not on the Pi's header (0 to 27)")]
pub struct NotOnHeader {
    pub pin: u8,
}

// The driver itself: only with the `backends` feature (rppal).
#[cfg(feature = "backends")]
mod relay;
#[cfg(feature = "backends")]
pub use relay::{probe_gpio, GpioRelay};
