//! The GPIO relay driver (needs the `backends` feature: gpiocdev).

use std::fmt;
use std::path::PathBuf;

use embedded_hal::digital::{ErrorKind, ErrorType, OutputPin};
use gpiocdev::line::{Direction, Offset, Value};
use gpiocdev::{Chip, Request};

use super::super::Probe;
use super::*;
use crate::relays::{RegisteredRelay, Relays};
use crate::{Actuator, HwError, HwErrorKind};

/// A relay on a GPIO pin. Generic over the pin (embedded-hal 1.0) so that its logic is
/// tested off the Pi; on the Pi it is `GpioRelay<GpioLine>`.
pub struct GpioRelay<P: OutputPin + Send> {
    name: String,
    pin: P,
    active_low: bool,
}

impl GpioRelay<GpioLine> {
    /// Request the pin's line, already driven released (see the module docs). Off a Pi, or
    /// without access to the GPIO (`/dev/gpiochip*`), fails as [`HwErrorKind::Unreachable`];
    /// a pin the chip does not have, or one held by another consumer (this process or
    /// another, or a kernel driver), fails as [`HwErrorKind::Rejected`].
    pub fn open(name: &str, cfg: &GpioRelayConfig) -> Result<Self, HwError> {
        cfg.validate()
            .map_err(|e| HwError::new(HwErrorKind::Rejected, name, e.to_string()))?;
        let chip = header_chip(name)?;
        // Requested at the released level: high for an active-low relay, low otherwise.
        let released_high = cfg.active_low;
        let line = GpioLine::request(&chip, cfg.pin, released_high, &consumer_label(name))
            .map_err(|e| line_error(name, &chip, cfg.pin, &e))?;
        Self::with_pin(name, line, cfg.active_low)
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

/// One GPIO line held as an output through the kernel's GPIO character device: an
/// embedded-hal output pin, levels physical (high is high). The line stays requested, and
/// no other consumer can take it, until this is dropped; dropping it closes the request
/// (the module docs say what the kernel then does with the pin).
pub struct GpioLine {
    request: Request,
    offset: Offset,
}

impl GpioLine {
    /// Request BCM `pin` on `chip` as an output whose first level is already `high` or low.
    fn request(chip: &HeaderChip, pin: u8, high: bool, consumer: &str) -> gpiocdev::Result<Self> {
        let offset = Offset::from(pin);
        let request = Request::builder()
            .on_chip(&chip.path)
            .with_consumer(consumer)
            .with_line(offset)
            .as_active_high()
            .as_output(level(high))
            .request()?;
        Ok(Self { request, offset })
    }

    fn set(&mut self, high: bool) -> Result<(), GpioLineError> {
        self.request
            .set_value(self.offset, level(high))
            .map_err(GpioLineError)
    }
}

fn level(high: bool) -> Value {
    // The line is requested active-high: active is the high level.
    if high {
        Value::Active
    } else {
        Value::Inactive
    }
}

/// A GPIO line that could not be driven (the kernel refused the new level). Its `Debug` is
/// the kernel's reason, as the relay's error message shows it.
pub struct GpioLineError(gpiocdev::Error);

impl fmt::Debug for GpioLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for GpioLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for GpioLineError {}

impl embedded_hal::digital::Error for GpioLineError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

impl ErrorType for GpioLine {
    type Error = GpioLineError;
}

impl OutputPin for GpioLine {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.set(false)
    }

    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.set(true)
    }
}

/// The kernel caps a consumer label at 31 bytes; cut at a character boundary.
const CONSUMER_MAX: usize = 31;

/// `rig:<relay name>`, as `gpioinfo` shows the line's holder.
fn consumer_label(name: &str) -> String {
    let mut label = format!("rig:{name}");
    let mut end = label.len().min(CONSUMER_MAX);
    while !label.is_char_boundary(end) {
        end -= 1;
    }
    label.truncate(end);
    label
}

/// The GPIO chip carrying the Pi's BCM GPIOs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeaderChip {
    path: PathBuf,
    label: String,
    num_lines: u32,
}

impl fmt::Display for HeaderChip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.path.display(), self.label)
    }
}

/// What opening one `/dev/gpiochip*` gave: its label and size, or why it would not open.
type Seen = (PathBuf, Result<(String, u32), String>);

/// Why no chip carries the BCM GPIOs.
#[derive(Debug, thiserror::Error)]
enum NoHeaderChip {
    #[error("no GPIO character device (/dev/gpiochip*)")]
    NoChip,
    /// Every chip seen, with its label or why it would not open.
    #[error("no Raspberry Pi GPIO chip (labelled {}) among {}", PI_GPIO_CHIP_LABELS.join(", "), .seen.join(", "))]
    NotAPi { seen: Vec<String> },
}

/// The rule of the module docs: the first chip, in number order, labelled as a Pi's GPIO
/// controller. Otherwise, why not.
fn choose_header_chip(seen: &[Seen]) -> Result<HeaderChip, NoHeaderChip> {
    let found = seen.iter().find_map(|(path, info)| match info {
        Ok((label, n)) if PI_GPIO_CHIP_LABELS.contains(&label.as_str()) => Some(HeaderChip {
            path: path.clone(),
            label: label.clone(),
            num_lines: *n,
        }),
        _ => None,
    });
    if let Some(chip) = found {
        return Ok(chip);
    }
    if seen.is_empty() {
        return Err(NoHeaderChip::NoChip);
    }
    let chips: Vec<String> = seen
        .iter()
        .map(|(path, info)| match info {
            Ok((label, _)) => format!("{} [{label}]", path.display()),
            Err(e) => format!("{}: {e}", path.display()),
        })
        .collect();
    Err(NoHeaderChip::NotAPi { seen: chips })
}

/// Find the chip carrying the BCM GPIOs, or say why not ([`HwErrorKind::Unreachable`]).
fn header_chip(device: &str) -> Result<HeaderChip, HwError> {
    let unreachable = |why: String| {
        HwError::new(
            HwErrorKind::Unreachable,
            device,
            format!(
                "GPIO not available: {why}; is this a Raspberry Pi, and is the user in the \
                 gpio group?"
            ),
        )
    };
    let paths = gpiocdev::chip::chips()
        .map_err(|e| unreachable(format!("cannot list the GPIO chips in /dev: {e}")))?;
    let seen: Vec<Seen> = paths
        .into_iter()
        .map(|path| {
            let info = Chip::from_path(&path)
                .and_then(|c| c.info())
                .map(|i| (i.label, i.num_lines))
                .map_err(|e| e.to_string());
            (path, info)
        })
        .collect();
    choose_header_chip(&seen).map_err(|e| unreachable(e.to_string()))
}

/// Why `pin` could not be requested ([`HwErrorKind::Rejected`]): not on the chip, held by
/// another consumer (named), or the kernel's own reason.
fn line_error(device: &str, chip: &HeaderChip, pin: u8, e: &gpiocdev::Error) -> HwError {
    let offset = Offset::from(pin);
    let why = if offset >= chip.num_lines {
        format!("{chip} has only {} lines", chip.num_lines)
    } else {
        match Chip::from_path(&chip.path).and_then(|c| c.line_info(offset)) {
            Ok(info) if info.used => format!("busy: held by {}", holder(&info.consumer)),
            _ => e.to_string(),
        }
    };
    HwError::new(
        HwErrorKind::Rejected,
        device,
        format!("GPIO {pin} (BCM; {chip} line {offset}): {why}"),
    )
}

fn holder(consumer: &str) -> String {
    if consumer.is_empty() {
        "an unnamed consumer".to_string()
    } else {
        format!("\"{consumer}\"")
    }
}

/// The board, as the device tree names it (`Raspberry Pi 4 Model B Rev 1.4`).
fn board_model() -> Option<String> {
    let raw = std::fs::read("/proc/device-tree/model").ok()?;
    let model = String::from_utf8_lossy(&raw)
        .trim_end_matches('\0')
        .trim()
        .to_string();
    (!model.is_empty()).then_some(model)
}

/// `rig doctor`: is the GPIO reachable, and is each pin there and free? Read-only: reads
/// the lines' info from the kernel (name, direction, holder), requests nothing and changes
/// nothing (a line's level cannot be read without requesting it).
pub fn probe_gpio(pins: &[u8]) -> Vec<Probe> {
    let chip = match header_chip("gpio") {
        Ok(c) => c,
        Err(e) => return vec![Probe::failed("gpio", e)],
    };
    let model = board_model().unwrap_or_else(|| "unknown model".to_string());
    let mut out = vec![Probe::ok(
        "gpio",
        format!("{model}; {chip}, {} lines", chip.num_lines),
    )];
    let opened = Chip::from_path(&chip.path);
    for &pin in pins {
        let device = format!("gpio:{pin}");
        let info = opened
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|c| c.line_info(Offset::from(pin)));
        let rejected = |why: String| {
            Probe::failed(
                device.clone(),
                HwError::new(HwErrorKind::Rejected, device.clone(), why),
            )
        };
        out.push(match info {
            Ok(i) if i.used => {
                rejected(format!("BCM {pin}: busy: held by {}", holder(&i.consumer)))
            }
            Ok(i) => {
                let name = if i.name.is_empty() {
                    String::new()
                } else {
                    format!(" \"{}\"", i.name)
                };
                let direction = match i.direction {
                    Direction::Input => "input",
                    Direction::Output => "output",
                };
                Probe::ok(
                    device.clone(),
                    format!("BCM {pin}: line {pin}{name}, {direction}, free"),
                )
            }
            Err(e) => rejected(format!("BCM {pin}: {e}")),
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
        if header_chip("gpio").is_ok() {
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
        assert_eq!(e.device, "relays:0");
        assert!(e.message.contains("GPIO not available"), "{e}");
        assert!(e.message.contains("gpio group"), "{e}");
        let p = probe_gpio(&[17]);
        assert_eq!(p.len(), 1);
        assert!(!p[0].is_ok());
    }

    type Listed<'a> = (&'a str, Result<(&'a str, u32), &'a str>);

    fn seen(chips: &[Listed]) -> Vec<Seen> {
        chips
            .iter()
            .map(|(path, info)| {
                (
                    PathBuf::from(path),
                    info.map(|(l, n)| (l.to_string(), n))
                        .map_err(|e| e.to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn the_header_chip_is_found_by_label_not_by_number() {
        // Pi 4: the header chip first, then the firmware's expander.
        let pi4 = seen(&[
            ("/dev/gpiochip0", Ok(("pinctrl-bcm2711", 58))),
            ("/dev/gpiochip1", Ok(("raspberrypi-exp-gpio", 8))),
        ]);
        let chip = choose_header_chip(&pi4).unwrap();
        assert_eq!(chip.path, PathBuf::from("/dev/gpiochip0"));
        assert_eq!(chip.num_lines, 58);
        assert_eq!(chip.to_string(), "/dev/gpiochip0 [pinctrl-bcm2711]");
        // Pi 5 before kernel 6.6.45: the SoC's own chips come first, the RP1 is gpiochip4.
        let pi5 = seen(&[
            ("/dev/gpiochip0", Ok(("gpio-brcmstb@107d508500", 32))),
            ("/dev/gpiochip1", Ok(("gpio-brcmstb@107d508520", 4))),
            ("/dev/gpiochip2", Ok(("gpio-brcmstb@107d517c00", 17))),
            ("/dev/gpiochip3", Ok(("gpio-brcmstb@107d517c20", 6))),
            ("/dev/gpiochip4", Ok(("pinctrl-rp1", 54))),
        ]);
        let chip = choose_header_chip(&pi5).unwrap();
        assert_eq!(chip.path, PathBuf::from("/dev/gpiochip4"));
        assert_eq!(chip.label, "pinctrl-rp1");
        // Pi 3, with one chip it may not open: the label still decides.
        let pi3 = seen(&[
            ("/dev/gpiochip0", Ok(("pinctrl-bcm2835", 54))),
            ("/dev/gpiochip1", Err("Permission denied (os error 13)")),
        ]);
        assert_eq!(choose_header_chip(&pi3).unwrap().label, "pinctrl-bcm2835");
    }

    #[test]
    fn without_a_pi_chip_the_reason_names_every_chip_seen() {
        let e = choose_header_chip(&[]).unwrap_err().to_string();
        assert!(
            e.contains("no GPIO character device (/dev/gpiochip*)"),
            "{e}"
        );
        let laptop = seen(&[
            ("/dev/gpiochip0", Ok(("INT34C6:00", 360))),
            ("/dev/gpiochip1", Err("Permission denied (os error 13)")),
        ]);
        let e = choose_header_chip(&laptop).unwrap_err().to_string();
        assert!(
            e.contains("pinctrl-bcm2835, pinctrl-bcm2711, pinctrl-rp1"),
            "{e}"
        );
        assert!(e.contains("/dev/gpiochip0 [INT34C6:00]"), "{e}");
        assert!(
            e.contains("/dev/gpiochip1: Permission denied (os error 13)"),
            "{e}"
        );
    }

    #[test]
    fn the_consumer_label_names_the_relay_within_the_kernels_limit() {
        assert_eq!(consumer_label("relays:3"), "rig:relays:3");
        let long = consumer_label("a-very-long-relay-board-name:12345");
        assert_eq!(long.len(), CONSUMER_MAX);
        assert!(long.starts_with("rig:a-very-long"));
        // Never cut inside a character.
        let accented = consumer_label("relais-éééééééééééééé:1");
        assert!(accented.len() <= CONSUMER_MAX);
        assert!(accented.starts_with("rig:relais-é"));
    }
}
