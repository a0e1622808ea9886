//! The GPIO relay driver (needs the `backends` feature: rppal).

use embedded_hal::digital::OutputPin;
use rppal::gpio::Gpio;

use super::super::Probe;
use super::*;
use crate::relays::{RegisteredRelay, Relays};
use crate::{Actuator, HwError, HwErrorKind};

/// A relay on a GPIO pin. Generic over the pin (embedded-hal 1.0) so that its logic is
/// tested off the Pi; on the Pi it is `GpioRelay<rppal::gpio::OutputPin>`.
pub struct GpioRelay<P: OutputPin + Send> {
    name: String,
    pin: P,
    active_low: bool,
}

impl GpioRelay<rppal::gpio::OutputPin> {
    /// Claim the pin and drive it released. Off a Pi, or without access to the GPIO
    /// (`/dev/gpiomem`, `/dev/gpiochip*`), fails as [`HwErrorKind::Unreachable`]; a pin
    /// that does not exist or is already claimed in this process fails as
    /// [`HwErrorKind::Rejected`].
    pub fn open(name: &str, cfg: &GpioRelayConfig) -> Result<Self, HwError> {
        cfg.validate()
            .map_err(|e| HwError::new(HwErrorKind::Rejected, name, e.to_string()))?;
        let gpio = open_gpio(name)?;
        let pin = gpio.get(cfg.pin).map_err(|e| {
            HwError::new(
                HwErrorKind::Rejected,
                name,
                format!("GPIO {} (BCM): {e}", cfg.pin),
            )
        })?;
        // Level first, then output mode: no glitch through the energised level.
        let mut out = if cfg.active_low {
            pin.into_output_high()
        } else {
            pin.into_output_low()
        };
        // We release explicitly on drop and keep the pin an output (see the module docs).
        out.set_reset_on_drop(false);
        Self::with_pin(name, out, cfg.active_low)
    }

    /// [`GpioRelay::open`], then registered with `relays` (released at start-up, on drop, by
    /// `release_all` and by the watchdog after `max_hold_ms`).
    pub fn open_registered(
        relays: &Relays,
        name: &str,
        cfg: &GpioRelayConfig,
    ) -> Result<RegisteredRelay, HwError> {
        let relay = Self::open(name, cfg)?;
        relays.register(
            name,
            Some(std::time::Duration::from_millis(cfg.max_hold_ms)),
            Box::new(relay),
        )
    }
}

impl<P: OutputPin + Send> GpioRelay<P> {
    /// Wrap a pin already configured as an output, and drive it released.
    pub fn with_pin(name: &str, pin: P, active_low: bool) -> Result<Self, HwError> {
        let mut relay = Self {
            name: name.to_string(),
            pin,
            active_low,
        };
        relay.drive(false)?;
        Ok(relay)
    }

    fn drive(&mut self, pressed: bool) -> Result<(), HwError> {
        let high = pressed != self.active_low;
        let r = if high {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        };
        r.map_err(|e| {
            HwError::new(
                HwErrorKind::Rejected,
                self.name.clone(),
                format!("cannot drive the relay's GPIO pin: {e:?}"),
            )
        })
    }
}

impl<P: OutputPin + Send> Actuator for GpioRelay<P> {
    fn set(&mut self, pressed: bool) -> Result<(), HwError> {
        self.drive(pressed)
    }
}

impl<P: OutputPin + Send> Drop for GpioRelay<P> {
    fn drop(&mut self) {
        let _ = self.drive(false);
    }
}

fn open_gpio(device: &str) -> Result<Gpio, HwError> {
    Gpio::new().map_err(|e| {
        HwError::new(
            HwErrorKind::Unreachable,
            device,
            format!(
                "GPIO not available: {e}; is this a Raspberry Pi, and is the user in the gpio \
                 group?"
            ),
        )
    })
}

/// `rig doctor`: is the GPIO reachable, and is each pin there and free? Read-only: reports
/// each pin's mode and level, changes nothing.
pub fn probe_gpio(pins: &[u8]) -> Vec<Probe> {
    let gpio = match open_gpio("gpio") {
        Ok(g) => g,
        Err(e) => return vec![Probe::failed("gpio", e)],
    };
    let model = rppal::system::DeviceInfo::new()
        .map(|d| d.model().to_string())
        .unwrap_or_else(|_| "unknown model".to_string());
    let mut out = vec![Probe::ok("gpio", model)];
    for &pin in pins {
        let device = format!("gpio:{pin}");
        out.push(match gpio.get(pin) {
            Ok(p) => Probe::ok(
                device,
                format!("BCM {pin}: mode {}, level {}", p.mode(), p.read()),
            ),
            Err(e) => Probe::failed(
                device.clone(),
                HwError::new(HwErrorKind::Rejected, device, format!("BCM {pin}: {e}")),
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal_mock::eh1::digital::{Mock, State, Transaction};

    #[test]
    fn active_low_releases_high_at_start_presses_low_and_releases_on_drop() {
        let mut pin = Mock::new(&[
            Transaction::set(State::High), // released at construction
            Transaction::set(State::Low),  // press
            Transaction::set(State::High), // release
            Transaction::set(State::Low),  // press
            Transaction::set(State::High), // released on drop
        ]);
        let mut r = GpioRelay::with_pin("relays:0", pin.clone(), true).unwrap();
        r.set(true).unwrap();
        r.set(false).unwrap();
        r.set(true).unwrap();
        drop(r);
        pin.done();
    }

    #[test]
    fn active_high_is_the_other_way_round() {
        let mut pin = Mock::new(&[
            Transaction::set(State::Low),
            Transaction::set(State::High),
            Transaction::set(State::Low),
        ]);
        let mut r = GpioRelay::with_pin("relays:1", pin.clone(), false).unwrap();
        r.set(true).unwrap();
        drop(r);
        pin.done();
    }

    #[test]
    fn a_pin_fault_is_a_relay_fault() {
        use embedded_hal_mock::eh1::MockError;
        let mut pin = Mock::new(&[
            Transaction::set(State::High),
            Transaction::set(State::Low).with_error(MockError::Io(std::io::ErrorKind::Other)),
            Transaction::set(State::High),
        ]);
        let mut r = GpioRelay::with_pin("relays:2", pin.clone(), true).unwrap();
        let e = r.set(true).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Rejected);
        assert_eq!(e.device, "relays:2");
        drop(r);
        pin.done();
    }

    #[test]
    fn registered_gpio_relays_are_released_by_release_all() {
        let mut pin = Mock::new(&[
            Transaction::set(State::High), // construction
            Transaction::set(State::High), // register: released at start-up
            Transaction::set(State::Low),  // press
            Transaction::set(State::High), // release_all
            Transaction::set(State::High), // drop of the registered relay
            Transaction::set(State::High), // drop of the GpioRelay itself
        ]);
        let relays = Relays::new();
        let relay = GpioRelay::with_pin("relays:3", pin.clone(), true).unwrap();
        let mut r = relays
            .register(
                "relays:3",
                Some(std::time::Duration::from_secs(3)),
                Box::new(relay),
            )
            .unwrap();
        r.set(true).unwrap();
        assert!(relays.release_all().all_released());
        drop(r);
        pin.done();
    }

    #[test]
    fn off_a_pi_gpio_is_unreachable_with_a_reason() {
        // This test machine is no Pi (CI, developers): the constructor must say so cleanly.
        if std::path::Path::new("/dev/gpiomem").exists() {
            return;
        }
        let cfg = GpioRelayConfig {
            pin: 17,
            active_low: true,
            max_hold_ms: 3000,
        };
        let e = GpioRelay::open("relays:0", &cfg)
            .err()
            .expect("no GPIO here");
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        assert!(e.message.contains("GPIO not available"), "{e}");
        let p = probe_gpio(&[17]);
        assert_eq!(p.len(), 1);
        assert!(!p[0].is_ok());
    }
}
