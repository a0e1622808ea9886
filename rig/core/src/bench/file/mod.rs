//! Parsing and checking a bench file: raw TOML shapes with spans, then the checks that
//! turn them into a [`Bench`], reporting every fault with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;

mod drivers;
mod position;
mod raw;

use super::*;
use crate::hw::pi::{AdsRange, TcsGain};
use crate::limits::{self, Limit};
use crate::source::Problems;
use drivers::*;
use position::*;
use raw::*;

/// A number of the file in its range ([`crate::limits`]), else a fault at its line and
/// `fallback` so that checking goes on.
fn ranged<T: Copy + Into<f64>>(
    src: &SourceText,
    p: &mut Problems,
    what: &str,
    value: Option<&Spanned<T>>,
    fallback: T,
    limit: &Limit,
) -> T {
    value.map_or(fallback, |v| {
        limit.number_at(src, p, Some(what), v, fallback)
    })
}

/// As [`ranged`] for an integer field.
fn ranged_int(
    src: &SourceText,
    p: &mut Problems,
    what: &str,
    value: Option<&Spanned<i64>>,
    fallback: i64,
    limit: &Limit,
) -> i64 {
    value.map_or(fallback, |v| limit.int_at(src, p, Some(what), v, fallback))
}

/// Parse and check a bench file: every fault is collected with its line.
pub fn parse(src: &SourceText, catalog: &Catalog) -> Result<Bench, InputErrors> {
    let raw: RawBench = src.parse_toml()?;
    let mut p = Problems::default();
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);

    // Devices: each id once across relay boards, sensor banks and modems.
    let mut device_ids = BTreeSet::new();
    let relays = relay_boards(src, &mut p, &raw.relays, &mut device_ids);
    let sensors = sensor_banks(src, &mut p, &raw.sensors, &mut device_ids);
    one_sampling_loop_per_bus(src, &mut p, &sensors, &raw.sensors);
    let modems = modems(src, &mut p, &raw.modem, &mut device_ids);
    let system = system(src, &mut p, &raw.system);

    // Positions, wired to those devices, each channel used once.
    let devices = Devices {
        relays: &relays,
        sensors: &sensors,
        modems: &modems,
    };
    let mut seen = Seen::default();
    let positions: Vec<Position> = raw
        .position
        .iter()
        .filter_map(|pos| position(src, &mut p, catalog, pos, &devices, &mut seen))
        .collect();
    if raw.position.is_empty() {
        p.push(src.error(None, "the bench has no [[position]]"));
    }

    let bench = Bench {
        path: src.path.clone(),
        name: raw.bench.name,
        system,
        relays,
        sensors,
        modems,
        positions,
    };
    // The drivers' own rules, on the configs the devices will be opened with.
    for (device, message) in bench.driver_problems() {
        let span = match device {
            DeviceIndex::Relays(i) => raw.relays[i].span(),
            DeviceIndex::Sensors(i) => raw.sensors[i].span(),
        };
        p.push(err(span, message));
    }
    p.finish(bench)
}

/// The devices positions are wired to.
struct Devices<'a> {
    relays: &'a [RelayBoard],
    sensors: &'a [SensorBank],
    modems: &'a [Modem],
}

/// What positions have taken so far: ids, extensions, device channels.
#[derive(Default)]
struct Seen {
    used_channels: BTreeMap<ChannelRef, String>,
    position_ids: BTreeSet<String>,
    extensions: BTreeSet<String>,
}

/// The relay boards, each number in its range and its driver's settings checked.
fn relay_boards(
    src: &SourceText,
    p: &mut Problems,
    raw: &[Spanned<RawRelays>],
    device_ids: &mut BTreeSet<String>,
) -> Vec<RelayBoard> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut relays = Vec::new();
    for r in raw {
        let span = r.span();
        let r = r.get_ref();
        if !device_ids.insert(r.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", r.id),
            ));
        }
        let what = format!("relay board `{}`", r.id);
        let given = r
            .channels
            .as_ref()
            .map(|c| ranged_int(src, p, &what, Some(c), 0, &limits::RELAY_CHANNELS) as u32);
        let press_ms = ranged_int(
            src,
            p,
            &what,
            r.press_ms.as_ref(),
            DEFAULT_PRESS_MS,
            &limits::PRESS_MS,
        ) as u64;
        let max_hold_ms = ranged_int(
            src,
            p,
            &what,
            r.max_hold_ms.as_ref(),
            DEFAULT_MAX_HOLD_MS,
            &limits::MAX_HOLD_MS,
        ) as u64;
        let (driver, channels) = match relay_driver(r, given) {
            Ok(x) => x,
            Err(m) => {
                p.push(err(span.clone(), format!("{what}: {m}")));
                (RelayDriver::Sim, given.unwrap_or(0))
            }
        };
        if press_ms > max_hold_ms {
            p.push(err(
                r.press_ms.as_ref().map_or(span, |s| s.span()),
                format!("{what}: press_ms must be between 1 and max_hold_ms ({max_hold_ms})"),
            ));
        }
        relays.push(RelayBoard {
            id: r.id.clone(),
            backend: r.backend,
            driver,
            channels,
            press_ms,
            max_hold_ms,
        });
    }
    relays
}

/// The sensor banks, each number in its range and its driver's settings checked.
fn sensor_banks(
    src: &SourceText,
    p: &mut Problems,
    raw: &[Spanned<RawSensors>],
    device_ids: &mut BTreeSet<String>,
) -> Vec<SensorBank> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut sensors = Vec::new();
    for s in raw {
        let span = s.span();
        let s_span = span.clone();
        let s = s.get_ref();
        if !device_ids.insert(s.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", s.id),
            ));
        }
        let what = format!("sensor bank `{}`", s.id);
        let channels = ranged_int(
            src,
            p,
            &what,
            Some(&s.channels),
            0,
            &limits::SENSOR_CHANNELS,
        ) as u32;
        // At least 100 Hz to see a flutter (50 ms on, 50 ms off): the limit's floor.
        let sample_hz = ranged(
            src,
            p,
            &what,
            s.sample_hz.as_ref(),
            DEFAULT_SAMPLE_HZ,
            &limits::SAMPLE_HZ,
        );
        let sim = sim_optics(src, p, &what, s.sim.as_ref());
        let driver = sensor_driver(src, p, s, channels).unwrap_or_else(|m| {
            p.push(err(s_span.clone(), format!("{what}: {m}")));
            SensorDriver::Sim
        });
        sensors.push(SensorBank {
            id: s.id.clone(),
            backend: s.backend,
            driver,
            kind: s.kind,
            channels,
            sample_hz,
            sim,
        });
    }
    sensors
}

/// One sampling loop owns an I2C bus: two banks on one bus would fight over it.
fn one_sampling_loop_per_bus(
    src: &SourceText,
    p: &mut Problems,
    sensors: &[SensorBank],
    raw: &[Spanned<RawSensors>],
) {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut bus_owner: BTreeMap<u8, &str> = BTreeMap::new();
    for (bank, raw_bank) in sensors.iter().zip(raw) {
        let bus = match &bank.driver {
            SensorDriver::Tcs34725 { i2c_bus, .. } | SensorDriver::Ads1115 { i2c_bus, .. } => {
                *i2c_bus
            }
            _ => continue,
        };
        if let Some(owner) = bus_owner.insert(bus, &bank.id) {
            p.push(err(raw_bank.span(), format!("sensor bank `{}`: I2C bus {bus} is already sampled by bank `{owner}`; give each bank its own bus", bank.id)));
        }
    }
}

/// The modems: any number of each role (at least one), dialable numbers, each number once.
fn modems(
    src: &SourceText,
    p: &mut Problems,
    raw: &[Spanned<RawModem>],
    device_ids: &mut BTreeSet<String>,
) -> Vec<Modem> {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut modems = Vec::new();
    let mut numbers = BTreeSet::new();
    for m in raw {
        let span = m.span();
        let m_span = span.clone();
        let m = m.get_ref();
        if !device_ids.insert(m.id.clone()) {
            p.push(err(
                span.clone(),
                format!("device id `{}` is used twice", m.id),
            ));
        }
        if !is_dialable(&m.number) {
            p.push(err(
                span.clone(),
                format!(
                    "modem `{}`: number `{}` is not a dialable number (digits, optional leading +)",
                    m.id, m.number
                ),
            ));
        }
        if !numbers.insert(m.number.clone()) {
            p.push(err(
                span.clone(),
                format!(
                    "modem `{}`: number `{}` is used by another modem",
                    m.id, m.number
                ),
            ));
        }
        let driver = modem_driver(src, p, m).unwrap_or_else(|msg| {
            p.push(err(m_span.clone(), format!("modem `{}`: {msg}", m.id)));
            ModemDriver::Sim
        });
        modems.push(Modem {
            id: m.id.clone(),
            role: m.role,
            number: m.number.clone(),
            backend: m.backend,
            driver,
        });
    }
    for role in [ModemRole::Mobile, ModemRole::Caller] {
        if !modems.iter().any(|m| m.role == role) {
            p.push(src.error(
                None,
                format!(
                    "no modem with role = \"{}\": the twinning suite needs at least one mobile and one caller line",
                    role.name()
                ),
            ));
        }
    }
    modems
}

/// The IP Office: its twinning trunk and the inbound routes a caller can use.
fn system(src: &SourceText, p: &mut Problems, raw: &RawSystem) -> System {
    let err = |span: Range<usize>, msg: String| src.error(Some(span), msg);
    let mut inbound = Vec::new();
    for r in &raw.inbound {
        let span = r.span();
        let r = r.get_ref();
        if !r.prefix.chars().all(|c| c.is_ascii_digit() || c == '+') {
            p.push(err(
                span.clone(),
                format!(
                    "inbound route `{}`: prefix `{}` is not digits",
                    r.name, r.prefix
                ),
            ));
        }
        if inbound.iter().any(|x: &InboundRoute| x.name == r.name) {
            p.push(err(
                span,
                format!("inbound route `{}` is listed twice", r.name),
            ));
        }
        inbound.push(InboundRoute {
            name: r.name.clone(),
            trunk: r.trunk,
            prefix: r.prefix.clone(),
        });
    }
    if inbound.is_empty() {
        p.push(src.error(
            None,
            "[system] has no inbound route: the caller could not reach any phone",
        ));
    }
    System {
        twinning_trunk: raw.twinning_trunk,
        inbound,
    }
}

/// The simulated physics, each number in its range (a bad one keeps its default).
fn sim_optics(
    src: &SourceText,
    p: &mut Problems,
    what: &str,
    sim: Option<&Spanned<SimOptics>>,
) -> SimOptics {
    let Some(sim) = sim else {
        return SimOptics::default();
    };
    let d = SimOptics::default();
    let mut o = sim.get_ref().clone();
    for (v, limit, fallback) in [
        (&mut o.dark, &limits::SIM_DARK, d.dark),
        (&mut o.full, &limits::SIM_FULL, d.full),
        (&mut o.noise, &limits::SIM_NOISE, d.noise),
        (&mut o.ambient, &limits::SIM_AMBIENT, d.ambient),
    ] {
        if let Err(m) = limit.check(f64::from(*v)) {
            p.push(src.error(Some(sim.span()), format!("{what}: {m}")));
            *v = fallback;
        }
    }
    o
}

fn is_dialable(n: &str) -> bool {
    let digits = n.strip_prefix('+').unwrap_or(n);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn catalog() -> Catalog {
        Spec::load(Spec::default_dir()).unwrap().catalog
    }

    fn sim_matrix_text() -> String {
        std::fs::read_to_string(crate::workspace_path("wiring/sim-matrix.toml")).unwrap()
    }

    #[test]
    fn a_relay_board_s_fault_says_which_rule_it_breaks() {
        let board = |toml: &str| -> RawRelays { toml::from_str(toml).unwrap() };
        let fault = |toml: &str, given| relay_driver(&board(toml), given).unwrap_err();
        assert_eq!(
            fault("id = \"a\"\nbackend = \"sim\"\npins = [4]", Some(1)),
            DriverError::NotForBackend {
                field: "pins",
                backend: "sim"
            }
        );
        assert_eq!(
            fault(
                "id = \"a\"\nbackend = \"gpio\"\npins = [4, 5, 4]\nactive_low = true",
                None
            ),
            DriverError::PinTwice(4)
        );
        assert_eq!(
            fault(
                "id = \"a\"\nbackend = \"gpio\"\npins = [4, 5]\nactive_low = true",
                Some(3)
            ),
            DriverError::ChannelsNotPins(2)
        );
        assert!(matches!(
            fault("id = \"a\"\nbackend = \"serial\"", Some(1)),
            DriverError::CannotDrive {
                backend: "serial",
                device: "relays",
                ..
            }
        ));
        assert!(matches!(
            fault("id = \"a\"\nbackend = \"gpio\"\nactive_low = true", None),
            DriverError::Missing(_)
        ));
    }

    fn errors_of(text: &str) -> Vec<InputError> {
        let src = SourceText::from_string("bench.toml", text);
        parse(&src, &catalog()).unwrap_err().0
    }

    use crate::source::InputError;

    #[test]
    fn the_sim_matrix_bench_loads_with_every_family() {
        let cat = catalog();
        let bench = parse(
            &SourceText::from_string("sim-matrix.toml", sim_matrix_text()),
            &cat,
        )
        .unwrap();
        for f in cat.families.iter().filter(|f| f.bench) {
            assert!(
                bench.positions.iter().any(|p| p.family == f.id),
                "no position of {}",
                f.id
            );
        }
        assert_eq!(bench.modems.len(), 2);
    }

    #[test]
    fn modems_form_a_pool_and_each_mobile_twin_names_one_of_its_mobile_lines() {
        let text = std::fs::read_to_string(crate::workspace_path("wiring/sim-lab.toml")).unwrap();
        let bench = parse(
            &SourceText::from_string("sim-lab.toml", text.clone()),
            &catalog(),
        )
        .unwrap();
        assert_eq!(bench.modems_of(ModemRole::Mobile).count(), 13);
        assert_eq!(bench.modems_of(ModemRole::Caller).count(), 12);
        // Every position has a line of its own, the internal-twinning user the spare one.
        let lines = bench.mobile_line_per_position();
        let numbers: BTreeSet<&str> = lines.iter().map(|m| m.unwrap().number.as_str()).collect();
        assert_eq!(numbers.len(), bench.positions.len());
        let internal = bench
            .positions
            .iter()
            .position(|p| p.twinning.mode == TwinningMode::Internal)
            .unwrap();
        assert_eq!(lines[internal].unwrap().id, "mobile-spare");

        // A mobile twin on a caller line's number is refused with its line: the rig could
        // never see the twinned call ring.
        let caller = bench
            .modems_of(ModemRole::Caller)
            .next()
            .unwrap()
            .number
            .clone();
        let bad = text.replacen(
            "number = \"07700900200\",",
            &format!("number = \"{caller}\","),
            1,
        );
        assert!(bad != text, "the position's twinned number was replaced");
        let errs = errors_of(&bad);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].message.contains("is no mobile modem's number"),
            "{errs:?}"
        );
        assert!(errs[0].line.is_some());
    }

    #[test]
    fn a_channel_wired_twice_is_named_with_its_line() {
        let text = sim_matrix_text().replacen("call = \"relays:1\"", "call = \"relays:0\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .message
                .contains("relays:0 is already wired to p1416.twinning"),
            "{}",
            errs[0]
        );
        let line = text
            .lines()
            .position(|l| l.contains("call = \"relays:0\""))
            .unwrap()
            + 1;
        assert_eq!(errs[0].line, Some(line));
    }

    #[test]
    fn an_unknown_model_is_named_with_its_line() {
        let text = sim_matrix_text().replacen("model = \"1416\"", "model = \"1499\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.contains("unknown model `1499`"));
        let line = text.lines().position(|l| l.contains("\"1499\"")).unwrap() + 1;
        assert_eq!(errs[0].line, Some(line));
    }

    #[test]
    fn a_light_without_a_sensor_is_an_error() {
        let text = sim_matrix_text().replacen(
            "leds = { twinning = \"rgb:0\", call = \"rgb:1\" }",
            "leds = { twinning = \"rgb:0\" }",
            1,
        );
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].message.contains("the call light has no sensor"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_colour_led_on_a_level_sensor_is_an_error() {
        let text = sim_matrix_text().replacen(
            "twinning = \"rgb:0\"",
            "twinning = { sensor = \"level:7\", dark = 10.0 }",
            1,
        );
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].message.contains("needs a colour sensor"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_missing_channel_and_an_unknown_device_are_both_reported() {
        let text = sim_matrix_text()
            .replacen("twinning = \"relays:0\"", "twinning = \"relays:99\"", 1)
            .replacen("call = \"rgb:1\"", "call = \"nosuch:1\"", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].message.contains("has channels 0 to 47, not 99"));
        assert!(errs[1].message.contains("no sensor bank called `nosuch`"));
    }

    fn lab_example_text() -> String {
        std::fs::read_to_string(crate::workspace_path("wiring/lab-example.toml")).unwrap()
    }

    #[test]
    fn the_lab_example_bench_loads_with_its_real_drivers() {
        let cat = catalog();
        let bench = parse(
            &SourceText::from_string("lab.toml", lab_example_text()),
            &cat,
        )
        .unwrap();
        assert!(!bench.is_simulated() && !bench.uses_sim());
        assert_eq!(bench.relays[0].channels, 24);
        assert!(
            matches!(&bench.relays[0].driver, RelayDriver::Gpio { pins, active_low: true } if pins[0] == 4)
        );
        assert!(
            matches!(&bench.sensors[0].driver, SensorDriver::Tcs34725 { muxes, gain: TcsGain::X16, .. } if muxes.len() == 2)
        );
        assert!(matches!(
            &bench.modems[0].driver,
            ModemDriver::Serial { baud: 115200, .. }
        ));
        for f in cat.families.iter().filter(|f| f.bench) {
            assert!(
                bench.positions.iter().any(|p| p.family == f.id),
                "no position of {}",
                f.id
            );
        }
        assert!(bench
            .positions
            .iter()
            .all(|p| !p.buttons.contains_key(&Button::Release)));
    }

    #[test]
    fn real_backend_fields_are_checked_with_their_line() {
        let cases = [
            (
                "active_low = true            #",
                "#",
                "needs `active_low = true|false`",
            ),
            (
                "muxes = [0x70, 0x71]",
                "muxes = [0x70, 0x69]",
                "mux address 0x69 is not a TCA9548A's",
            ),
            (
                "i2c_bus = 6",
                "i2c_bus = 1",
                "I2C bus 1 is already sampled by bank `colour`",
            ),
            (
                "gain = 16",
                "gain = 8",
                "gain 8: the TCS34725 has 1, 4, 16 or 60",
            ),
            (
                "addresses = [0x48]",
                "addresses = [0x48, 0x4F]",
                "0x4f is not an ADS1115 address",
            ),
            (
                "pins = [4, 5,",
                "pins = [4, 4,",
                "BCM pin 4 is listed twice",
            ),
            (
                "backend = \"ads1115\"",
                "backend = \"serial\"",
                "backend `serial` cannot drive sensors",
            ),
        ];
        for (from, to, want) in cases {
            let text = lab_example_text().replacen(from, to, 1);
            assert_ne!(text, lab_example_text(), "{from}");
            let errs = errors_of(&text);
            assert!(
                errs.iter()
                    .any(|e| e.message.contains(want) && e.line.is_some()),
                "{want}: {errs:?}"
            );
        }
    }

    #[test]
    fn sim_devices_reject_hardware_fields() {
        let text = sim_matrix_text().replacen("channels = 48", "channels = 48\npins = [4]", 1);
        let errs = errors_of(&text);
        assert!(
            errs.iter().any(|e| e
                .message
                .contains("`pins` does not apply to the sim backend")),
            "{errs:?}"
        );
    }

    /// The line of the first line of `text` holding `needle`.
    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    /// `from` → `to` in `base` is refused with a message holding `want`, on `to`'s line.
    fn refused_at_its_line(base: &str, from: &str, to: &str, want: &str) {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base, "{from}");
        let errs = errors_of(&text);
        let line = line_of(&text, to.lines().last().unwrap());
        assert!(
            errs.iter()
                .any(|e| e.message.contains(want) && e.line == Some(line)),
            "{to}: want `{want}` at line {line}: {errs:?}"
        );
    }

    #[test]
    fn issue_10_numbers_without_bounds_are_refused_with_their_line() {
        let sim = sim_matrix_text();
        for v in ["inf", "nan", "4294967296", "-1", "1e308", "99"] {
            refused_at_its_line(
                &sim,
                "sample_hz = 200",
                &format!("sample_hz = {v}"),
                "`sample_hz` =",
            );
        }
        for field in ["dark", "full", "noise", "ambient"] {
            for v in ["inf", "nan", "-1"] {
                let to = format!("sim = {{ {field} = {v} }}");
                refused_at_its_line(
                    &sim,
                    "sample_hz = 200",
                    &format!(
                        "sample_hz = 200
{to}"
                    ),
                    &format!("`sim.{field}` ="),
                );
            }
        }
        for v in ["nan", "-1", "inf"] {
            refused_at_its_line(
                &sim,
                "twinning = \"rgb:0\"",
                &format!("twinning = {{ sensor = \"rgb:0\", dark = [{v}, 1, 1, 1] }}"),
                "`leds dark` =",
            );
        }
        for (from, to, want) in [
            (
                "press_ms = 150",
                "press_ms = 9223372036854775807",
                "`press_ms` =",
            ),
            (
                "channels = 48",
                "channels = 4294967296",
                "`[[relays]] channels` =",
            ),
            (
                "transfer_return_s = 10",
                "transfer_return_s = -1",
                "`twinning.transfer_return_s`",
            ),
        ] {
            refused_at_its_line(&sim, from, to, want);
        }
        let lab = lab_example_text();
        for (from, to, want) in [
            (
                "integration_ms = 2.4",
                "integration_ms = nan",
                "`integration_ms` =",
            ),
            (
                "integration_ms = 2.4",
                "integration_ms = -1",
                "`integration_ms` =",
            ),
            (
                "full_scale_v = 4.096",
                "full_scale_v = nan",
                "`full_scale_v` =",
            ),
            (
                "full_scale_v = 4.096",
                "full_scale_v = inf",
                "`full_scale_v` =",
            ),
            ("baud = 57600", "baud = 0", "`baud` ="),
        ] {
            refused_at_its_line(&lab, from, to, want);
        }
    }

    #[test]
    fn a_number_beyond_toml_integers_is_refused_with_its_line() {
        // 2^64 - 1 does not fit a TOML integer (i64): every command reads it the same way.
        let text =
            sim_matrix_text().replacen("press_ms = 150", "press_ms = 18446744073709551615", 1);
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(line_of(&text, "18446744073709551615")));
    }

    #[test]
    fn issue_10_a_mux_listed_twice_is_refused_by_validate_with_its_line() {
        let text = lab_example_text().replacen("muxes = [0x70, 0x71]", "muxes = [0x70, 0x70]", 1);
        let errs = errors_of(&text);
        let bank = line_of(&text, "id = \"colour\"") - 1;
        assert!(
            errs.iter()
                .any(|e| e.message.contains("mux address 0x70 is listed twice")
                    && e.line == Some(bank)),
            "{errs:?}"
        );
    }

    #[test]
    fn issue_10_an_adc_too_slow_for_its_sample_rate_is_refused_by_validate() {
        // The lab example used to sample its 4 ADS1115 inputs at 200 Hz: 4 × 1.28 ms
        // (860 SPS, +10 % oscillator) do not fit 5 ms. Only doctor refused it, without a line.
        let text = lab_example_text().replacen(
            "sample_hz = 100\n\n[[modem]]",
            "sample_hz = 200\n\n[[modem]]",
            1,
        );
        assert_ne!(text, lab_example_text());
        let errs = errors_of(&text);
        let bank = line_of(&text, "id = \"lcd\"") - 1;
        assert!(
            errs.iter()
                .any(|e| e.message.contains("4 inputs at 860 SPS take 5.1 ms")
                    && e.message.contains("at most 3 inputs on one ADC")
                    && e.line == Some(bank)),
            "{errs:?}"
        );
    }

    /// `doctor`, `run` and `calibrate` open devices with the configs `Bench` builds; the
    /// drivers refuse a config only through its `validate`. So: whatever `validate` (the
    /// loader) accepts, every config the opener builds passes its driver's rules; whatever
    /// a driver's rules refuse, the loader reports with a line.
    #[test]
    fn doctors_static_checks_are_validates() {
        let lab = lab_example_text();
        let variants = [
            ("", ""),
            ("muxes = [0x70, 0x71]", "muxes = [0x70, 0x70]"),
            ("muxes = [0x70, 0x71]", "muxes = [0x70, 0x78]"),
            ("integration_ms = 2.4", "integration_ms = 24"),
            (
                "sample_hz = 100\n\n[[modem]]",
                "sample_hz = 200\n\n[[modem]]",
            ),
            ("pins = [4, 5,", "pins = [4, 28,"),
        ];
        for (from, to) in variants {
            let text = lab.replacen(from, to, 1);
            let src = SourceText::from_string("lab.toml", text.clone());
            // The configs the opener builds, from the bench as parsed without its checks.
            let unchecked = parse_unchecked(&src);
            let mut driver_says: Vec<String> = Vec::new();
            for bank in &unchecked.sensors {
                if let Some(cfg) = unchecked.tcs34725_config(bank) {
                    driver_says.extend(cfg.validate().err().map(|e| e.to_string()));
                }
                for ch in unchecked.wired_channels(&bank.id) {
                    if let Some(cfg) = unchecked.ads1115_config(bank, ch) {
                        driver_says.extend(cfg.validate().err().map(|e| e.to_string()));
                    }
                }
            }
            for board in &unchecked.relays {
                for ch in 0..board.channels {
                    let c = ChannelRef {
                        device: board.id.clone(),
                        channel: ch,
                    };
                    if let Some(cfg) = Bench::gpio_config(board, &c) {
                        driver_says.extend(cfg.validate().err().map(|e| e.to_string()));
                    }
                }
            }
            let validate_says = match parse(&src, &catalog()) {
                Ok(_) => Vec::new(),
                Err(e) => e.0,
            };
            if from.is_empty() {
                assert!(
                    validate_says.is_empty() && driver_says.is_empty(),
                    "{validate_says:?} {driver_says:?}"
                );
                continue;
            }
            assert!(!driver_says.is_empty(), "{to}: the drivers accept it");
            for m in &driver_says {
                assert!(
                    validate_says
                        .iter()
                        .any(|e| e.message.contains(m.as_str()) && e.line.is_some()),
                    "{to}: validate does not say `{m}`: {validate_says:?}"
                );
            }
        }
    }

    /// The bench with the driver rules left out: what the opener would get if validate
    /// had not run (the loader's own faults are ignored).
    fn parse_unchecked(src: &SourceText) -> Bench {
        // The valid lab bench with the driver fields read straight from the raw file.
        let raw: RawBench = src.parse_toml().unwrap();
        let mut ok = parse(
            &SourceText::from_string("base.toml", lab_example_text()),
            &catalog(),
        )
        .unwrap();
        for (bank, r) in ok.sensors.iter_mut().zip(&raw.sensors) {
            let r = r.get_ref();
            if let Some(hz) = &r.sample_hz {
                bank.sample_hz = *hz.get_ref();
            }
            match &mut bank.driver {
                SensorDriver::Tcs34725 {
                    muxes,
                    integration_ms,
                    ..
                } => {
                    *muxes = r.muxes.clone().unwrap();
                    *integration_ms = *r.integration_ms.as_ref().unwrap().get_ref();
                }
                SensorDriver::Ads1115 { addresses, .. } => {
                    *addresses = r.addresses.clone().unwrap()
                }
                _ => {}
            }
        }
        for (board, r) in ok.relays.iter_mut().zip(&raw.relays) {
            if let RelayDriver::Gpio { pins, .. } = &mut board.driver {
                *pins = r.get_ref().pins.clone().unwrap();
            }
        }
        ok
    }
}
