//! The Raspberry Pi backends: relays on GPIO, colour sensors and photodiodes on I2C.
//!
//! | part | type | bus |
//! |---|---|---|
//! | relay channel | [`GpioRelay`] ([`GpioRelayConfig`]) | GPIO character device (`/dev/gpiochip*`) |
//! | TCS34725 colour sensors behind TCA9548A muxes | [`Tcs34725Bus`] ([`Tcs34725BusConfig`]) | I2C, one sampling thread per bus |
//! | photodiodes on an ADS1115 | [`Ads1115`] ([`Ads1115Config`]) | I2C, one sampling thread per ADC |
//!
//! Everything compiles on any machine; only the constructors touch the hardware, and off a
//! Pi (or without permission) they fail with an [`HwError`] of kind
//! [`HwErrorKind::Unreachable`] saying why. The drivers themselves are generic over the
//! embedded-hal 1.0 traits, so their logic is unit-tested off the Pi on mock buses and pins.
//!
//! **Buses.** GPIO through the kernel's GPIO character device (`gpiocdev`), I2C through
//! i2c-dev (`linux-embedded-hal`'s `I2cdev`): pure Rust, no C library; nothing is
//! Pi-specific but the GPIO chip's label ([`PI_GPIO_CHIP_LABELS`]; the rule is in
//! `pi/gpio.rs`). rppal, used before, was retired upstream on 1 July 2025.
//!
//! **Sampling threads.** I2C through i2c-dev is blocking, so each bus's sampling loop runs on a
//! dedicated std thread (not `spawn_blocking`): it round-robins over its sensors at the
//! configured rate, stamps each reading on the bench clock as
//! `clock.ms_at(tokio::time::Instant::now())` (tokio's clock read off the runtime is the real
//! clock) and pushes it into the sensor's buffer, which [`crate::LightSensor::drain`]
//! empties. These backends need a real-time run (`--realtime` / a Pi bench): virtual time
//! cannot drive real hardware. The thread stops when the bus handle and all its sensors are
//! dropped.
//!
//! **Probes** ([`probe_gpio`], [`Tcs34725Bus::probe`], [`Ads1115::probe`]) are for
//! `rig doctor`: read-only checks (no relay is touched) that report one [`Probe`] per device.

//! Each driver's configuration type and its rules (`validate`) compile without the Pi's
//! crates, so the rig's core can check a bench file; the drivers themselves, and the
//! sampling loop they share, need the `backends` feature.

mod ads1115;
mod gpio;
#[cfg(feature = "backends")]
mod sampling;
mod tcs34725;

pub use ads1115::{
    Ads1115Config, AdsDataRate, AdsRange, ConfigError as Ads1115ConfigError, Remedy,
};
pub use gpio::{GpioRelayConfig, NotOnHeader, PI_GPIO_CHIP_LABELS};
pub use tcs34725::{ConfigError as Tcs34725ConfigError, Tcs34725BusConfig, TcsGain};

#[cfg(feature = "backends")]
pub use ads1115::Ads1115;
#[cfg(feature = "backends")]
pub use gpio::{probe_gpio, GpioLine, GpioLineError, GpioRelay};
#[cfg(feature = "backends")]
pub use sampling::{BusSensor, BusStats, ChannelStats};
#[cfg(feature = "backends")]
pub use tcs34725::Tcs34725Bus;

use std::fmt;

use super::HwError;
#[cfg(feature = "backends")]
use super::HwErrorKind;

/// One line of a `rig doctor` report: a device and what checking it found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The device (`gpio`, `gpio:17`, `rgb:3`, `level:0`…).
    pub device: String,
    /// What it answered, or why it failed.
    pub result: Result<String, HwError>,
}

impl Probe {
    pub fn ok(device: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            result: Ok(detail.into()),
        }
    }

    pub fn failed(device: impl Into<String>, e: HwError) -> Self {
        Self {
            device: device.into(),
            result: Err(e),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(d) => write!(f, "{}: ok: {d}", self.device),
            Err(e) => write!(f, "{}: FAULT: {:?}: {}", self.device, e.kind, e.message),
        }
    }
}

#[cfg(feature = "backends")]
/// An I2C fault as a device error: no acknowledge means the device is not there.
pub(crate) fn i2c_error<E: embedded_hal::i2c::Error>(device: &str, what: &str, e: &E) -> HwError {
    use embedded_hal::i2c::ErrorKind;
    let kind = match e.kind() {
        ErrorKind::NoAcknowledge(_) => HwErrorKind::Unreachable,
        _ => HwErrorKind::Protocol,
    };
    HwError::new(kind, device, format!("{what}: I2C error: {e:?}"))
}

#[cfg(feature = "backends")]
/// An I2C bus, `/dev/i2c-N`, through linux-embedded-hal's [`I2cdev`](linux_embedded_hal::I2cdev)
/// (i2c-dev `I2C_RDWR` transfers; the embedded-hal 1.0 `I2c` the chip drivers take). One
/// `I2cdev` per target address, each opened at its first transfer: an `I2cdev` reopens the
/// device file whenever its address changes, so one shared by a mux and its sensors would
/// pay an open, two ioctls and a close on every switch of a sampling loop.
pub(crate) struct LinuxI2c {
    path: std::path::PathBuf,
    targets: Vec<(u8, linux_embedded_hal::I2cdev)>,
}

#[cfg(feature = "backends")]
impl embedded_hal::i2c::ErrorType for LinuxI2c {
    type Error = linux_embedded_hal::I2CError;
}

#[cfg(feature = "backends")]
impl embedded_hal::i2c::I2c for LinuxI2c {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [embedded_hal::i2c::Operation<'_>],
    ) -> Result<(), Self::Error> {
        let i = match self.targets.iter().position(|(a, _)| *a == address) {
            Some(i) => i,
            None => {
                let dev = linux_embedded_hal::I2cdev::new(&self.path)?;
                self.targets.push((address, dev));
                self.targets.len() - 1
            }
        };
        self.targets[i].1.transaction(address, operations)
    }
}

#[cfg(feature = "backends")]
/// Open `/dev/i2c-N`, or say why not. Opened once here so that a missing bus or a
/// permission fails the open, not the first reading.
pub(crate) fn open_i2c(bus: u8, device: &str) -> Result<LinuxI2c, HwError> {
    let path = std::path::PathBuf::from(format!("/dev/i2c-{bus}"));
    linux_embedded_hal::I2cdev::new(&path).map_err(|e| {
        HwError::new(
            HwErrorKind::Unreachable,
            device,
            format!(
                "cannot open I2C bus {bus} ({}): {e}; is I2C enabled (on a Raspberry Pi: \
                 raspi-config, or dtparam=i2c_arm=on), and is the user in the i2c group?",
                path.display()
            ),
        )
    })?;
    Ok(LinuxI2c {
        path,
        targets: Vec::new(),
    })
}

/// The bus clock assumed when the device tree does not give one: the Pi's default.
#[cfg(feature = "backends")]
const DEFAULT_BUS_HZ: u32 = 100_000;

#[cfg(feature = "backends")]
/// The clock of bus `bus` in Hz, as the device tree sets it (on a Pi,
/// `dtparam=i2c_arm_baudrate=`): the adapter's `clock-frequency` property,
/// `/sys/class/i2c-adapter/i2c-N/of_node/clock-frequency`, a big-endian u32. 100 kHz
/// (the Pi's default) when there is none (a board without a device tree, a bus without the
/// property) or it cannot be read.
pub(crate) fn bus_clock_hz(bus: u8) -> u32 {
    std::fs::read(format!(
        "/sys/class/i2c-adapter/i2c-{bus}/of_node/clock-frequency"
    ))
    .ok()
    .and_then(|raw| clock_frequency(&raw))
    .unwrap_or(DEFAULT_BUS_HZ)
}

#[cfg(feature = "backends")]
/// A device-tree `clock-frequency` property: one big-endian u32 cell, non-zero.
fn clock_frequency(raw: &[u8]) -> Option<u32> {
    let cell: [u8; 4] = raw.try_into().ok()?;
    Some(u32::from_be_bytes(cell)).filter(|&hz| hz > 0)
}

/// Time of I2C bus traffic: `bits` clocked at `bus_hz`, plus the Linux i2c-dev cost of each
/// of `syscalls` transfers (~70 µs measured on a Pi 4). An estimate, for the budget checks.
pub(crate) fn bus_ms(bits: u32, syscalls: u32, bus_hz: u32) -> f64 {
    f64::from(bits) * 1000.0 / f64::from(bus_hz.max(1)) + f64::from(syscalls) * 0.07
}

#[cfg(all(test, feature = "backends"))]
mod tests {
    use super::*;

    #[test]
    fn nack_is_unreachable_other_faults_are_protocol() {
        use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
        let e = i2c_error(
            "rgb:3",
            "reading",
            &ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address),
        );
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        assert_eq!(e.device, "rgb:3");
        assert!(e.message.starts_with("reading: I2C error"), "{e}");
        let e = i2c_error("rgb:3", "reading", &ErrorKind::Bus);
        assert_eq!(e.kind, HwErrorKind::Protocol);
    }

    #[test]
    fn the_bus_clock_is_the_device_trees_big_endian_cell_else_100_khz() {
        assert_eq!(clock_frequency(&[0x00, 0x01, 0x86, 0xa0]), Some(100_000));
        assert_eq!(clock_frequency(&[0x00, 0x06, 0x1a, 0x80]), Some(400_000));
        assert_eq!(clock_frequency(&[0, 0, 0, 0]), None);
        assert_eq!(clock_frequency(&[0x00, 0x06, 0x1a]), None);
        assert_eq!(clock_frequency(&[0, 0, 0, 0, 0x00, 0x06, 0x1a, 0x80]), None);
        // No such adapter anywhere: the default.
        assert_eq!(bus_clock_hz(250), DEFAULT_BUS_HZ);
    }

    #[test]
    fn off_a_pi_the_i2c_bus_is_unreachable_with_a_reason() {
        // No /dev/i2c-250 anywhere.
        let e = open_i2c(250, "rgb").err().expect("no such bus");
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        assert!(e.message.contains("/dev/i2c-250"), "{e}");
        assert!(e.message.contains("i2c group"), "{e}");
    }

    #[test]
    fn probe_lines_read_well() {
        assert_eq!(Probe::ok("gpio", "Pi 4").to_string(), "gpio: ok: Pi 4");
        let p = Probe::failed(
            "rgb:1",
            HwError::new(HwErrorKind::Unreachable, "rgb:1", "no answer"),
        );
        assert!(!p.is_ok());
        assert_eq!(p.to_string(), "rgb:1: FAULT: Unreachable: no answer");
    }
}
