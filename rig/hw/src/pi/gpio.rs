//! Relay channels on the Pi's GPIO, through the kernel's GPIO character device
//! (`/dev/gpiochip*`, uAPI v2, Linux 5.10 or later; the `gpiocdev` crate, pure Rust).
//!
//! A channel is one BCM GPIO driving one relay input, active-low (most opto-isolated relay
//! boards: the relay closes when the pin is pulled low) or active-high.
//!
//! (rppal, which drove the pins through `/dev/gpiomem` before, was retired upstream on
//! 1 July 2025; the rig uses the kernel's GPIO character device.)
//!
//! **Which chip.** The bench names BCM GPIO numbers; on every Pi they are the lines of one
//! GPIO chip, BCM *n* being its line *n*: the chip labelled `pinctrl-bcm2835` (Pi 1 to 3,
//! Zero), `pinctrl-bcm2711` (Pi 4, 400, CM4) or `pinctrl-rp1` (Pi 5, CM5: the header is on
//! the RP1). The driver takes the first `/dev/gpiochip*`, in number order, with one of
//! those labels ([`PI_GPIO_CHIP_LABELS`]). It goes by label, not by number, because the
//! number moves: the Pi 5's RP1 is `gpiochip4` on kernels before 6.6.45 and `gpiochip0`
//! after, and its other chips (`gpio-brcmstb@…`, the SoC's own lines) are not on the
//! header. Nor by line name: the device tree names only some header lines `GPIOn` (others
//! are `SDA1`, `TXD1`, `SPI_CE0_N`…). With no such chip (not a Pi, no `/dev/gpiochip*`, or
//! no permission to open it: group `gpio` on Raspberry Pi OS) a relay fails as
//! [`crate::HwErrorKind::Unreachable`]; a line the chip does not have, or one another
//! consumer holds (another process, or a kernel driver: a pin muxed to I2C, UART or SPI),
//! as [`crate::HwErrorKind::Rejected`].
//!
//! **Safe state.** Released is the line driven to the inactive level, as an output. The line
//! is requested as an output with its initial value already the released level (the kernel
//! sets the level with the direction), so it never passes through the energised level. It
//! is held under the consumer label `rig:<relay name>` (`gpioinfo` shows it), and while it
//! is held no other process can request it. Every release drives the released level, and
//! dropping a relay drives it once more before the request is closed.
//!
//! **After release.** Closing the request (drop, normal exit, panic, a signal the CLI
//! handles; the kernel closes it for a killed process too) hands the line back to the
//! kernel's pin driver, which decides what the pin does next. Raspberry Pi OS kernels keep
//! a released output at its last level (the default; Raspberry Pi's "persistent GPIO"
//! behaviour), so the pin stays an output driven released, the state rppal gave with its
//! reset-on-drop turned off. With `dtparam=strict_gpiod` in `config.txt`,
//! `pinctrl_bcm2835.persist_gpio_outputs=n` on the kernel command line, or a mainline
//! kernel, the pin reverts to an input: the relay input floats and the board's pull
//! resistors decide (on an active-high board a floating input may read as energised), so
//! keep the default on a bench Pi. Either way the rig releases every relay again at
//! start-up. Only SIGKILL while a relay is held (the pin keeps the energised level) or a
//! power cut can leave a relay held; nothing in-process can prevent that.

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

/// The labels of the GPIO chips whose lines are the Pi's BCM GPIOs (see the module docs).
pub const PI_GPIO_CHIP_LABELS: [&str; 3] = ["pinctrl-bcm2835", "pinctrl-bcm2711", "pinctrl-rp1"];

// The driver itself: only with the `backends` feature (gpiocdev).
#[cfg(feature = "backends")]
mod relay;
#[cfg(feature = "backends")]
pub use relay::{probe_gpio, GpioLine, GpioLineError, GpioRelay};
