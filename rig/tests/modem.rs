//! The AT modem driver over real pseudo-terminals against the modem emulator; `rig probe
//! modem`; and the whole suite on the simulated bench with both modems reached through the
//! AT driver over ptys.

use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use rig::hw::modem::codec::{Clip, Registration, Urc};
use rig::hw::modem::{AtConfig, AtModem};
use rig::hw::serial::pty_streams;
use rig::hw::{BenchClock, CallStatus, HwErrorKind, PhoneLine};
use rig::runner::{run, Context, EventBus, Lines, NumberedLine, Operator, Plan, RunInfo, Verdict};
use rig::sim::SimBench;

use crate::common::{fixtures, rows};
use crate::emulators::junk::{spawn_garbage, spawn_silent, Garbage};
use crate::emulators::modem::{AtEmulator, AtOptions, ScriptedLine};
use crate::emulators::pace::Pacer;
use crate::emulators::pty_for_another_process;

/// Short timeouts: these tests run on the wall clock.
fn quick() -> AtConfig {
    AtConfig {
        command_timeout: Duration::from_millis(400),
        call_timeout: Duration::from_millis(400),
        resync_timeout: Duration::from_millis(400),
        quiet: Duration::from_millis(20),
    }
}

async fn settle() {
    // Long enough for the emulator to notice a change on its line (it looks every 50 ms).
    tokio::time::sleep(Duration::from_millis(120)).await;
}

#[tokio::test]
async fn the_at_driver_places_takes_and_lists_calls_over_a_pty() {
    let (device, port, _) = pty_streams().unwrap();
    let network = ScriptedLine::default();
    let emu = AtEmulator::spawn(device, Box::new(network.clone()), AtOptions::default());
    let mut m = AtModem::open(port, "mobile").await.unwrap();
    // Echo was on (ATE1 default): the driver turned it off and set up CLIP and CMEE.
    assert_eq!(emu.count("ATE0"), 1);
    assert_eq!(emu.count("AT+CLIP"), 1);
    assert_eq!(emu.count("AT+CMEE"), 1);

    let id = m.identity().await.unwrap();
    assert_eq!(id.manufacturer.as_deref(), Some("Rig Emulator"));
    assert_eq!(id.model.as_deref(), Some("AT-27007"));
    assert_eq!(m.registration().await.unwrap(), Registration::Home);
    assert_eq!(m.calls().await.unwrap(), vec![]);

    // Outgoing: dialing, then the far end answers.
    m.dial("07700900003").await.unwrap();
    let calls = m.calls().await.unwrap();
    assert_eq!(calls.len(), 1);
    assert!(!calls[0].incoming);
    assert_eq!(calls[0].status, CallStatus::Dialing);
    assert_eq!(calls[0].number.as_deref(), Some("07700900003"));
    network.remote_answer();
    assert_eq!(m.calls().await.unwrap()[0].status, CallStatus::Active);
    m.hang_up().await.unwrap();
    assert_eq!(m.calls().await.unwrap(), vec![]);

    // Incoming: RING and +CLIP arrive unsolicited; the call list shows it ringing.
    m.take_events();
    network.ring("07700900002");
    settle().await;
    let calls = m.calls().await.unwrap();
    assert!(calls[0].incoming);
    assert_eq!(calls[0].status, CallStatus::Incoming);
    let events = m.take_events();
    assert_eq!(
        events[..2],
        [
            Urc::Ring,
            Urc::Clip(Clip {
                number: "07700900002".into(),
                kind: 129
            })
        ],
        "{events:?}"
    );
    m.answer().await.unwrap();
    assert_eq!(m.calls().await.unwrap()[0].status, CallStatus::Active);
    // The far end hangs up: NO CARRIER, unsolicited; the list is empty.
    network.remote_hang_up();
    settle().await;
    assert_eq!(m.calls().await.unwrap(), vec![]);
    assert!(m.take_events().contains(&Urc::NoCarrier));

    // Nothing rings: ATA gets NO CARRIER, a rejection.
    let e = m.answer().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);
    assert!(e.message.contains("NO CARRIER"), "{e}");

    // Radio off: unreachable for calls; dialling is refused with +CME ERROR: 30.
    m.set_radio(false).await.unwrap();
    assert!(!network.radio());
    assert_eq!(m.registration().await.unwrap(), Registration::NotSearching);
    let e = m.dial("07700900003").await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);
    assert!(e.message.contains("+CME ERROR: 30"), "{e}");
    m.set_radio(true).await.unwrap();
    assert!(network.radio());
}

#[tokio::test]
async fn a_modem_that_stops_answering_is_a_timeout_not_a_hang_and_the_driver_recovers() {
    let (device, port, _) = pty_streams().unwrap();
    let network = ScriptedLine::default();
    let emu = AtEmulator::spawn(device, Box::new(network.clone()), AtOptions::default());
    let mut m = AtModem::open(port, "caller")
        .await
        .unwrap()
        .with_config(quick());
    network.ring("123");
    assert_eq!(m.calls().await.unwrap().len(), 1);

    emu.set_silent(true);
    let t0 = std::time::Instant::now();
    let e = m.calls().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
    assert_eq!(e.device, "caller");
    let e = m.hang_up().await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
    // Two commands against a dead modem, each bounded by its timeout.
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());

    emu.set_silent(false);
    let calls = m.calls().await.unwrap();
    assert_eq!(calls.len(), 1, "answers again after resynchronising");
    let before = emu.count("ATE0");
    m.hang_up().await.unwrap();
    assert_eq!(m.calls().await.unwrap(), vec![]);
    assert_eq!(emu.count("ATE0"), before, "no resync once in step");
}

#[tokio::test]
async fn garbage_on_the_line_is_a_protocol_fault() {
    for kind in [Garbage::Binary, Garbage::Text] {
        let (device, port, _) = pty_streams().unwrap();
        let _g = spawn_garbage(device, kind);
        let mut m = AtModem::new(port, "mobile").with_config(quick());
        let e = m.calls().await.unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Protocol, "{kind:?}: {e}");
        assert!(e.message.contains("garbage"), "{e}");
    }
    let (device, port, _) = pty_streams().unwrap();
    let _s = spawn_silent(device);
    let e = AtModem::new(port, "mobile")
        .with_config(quick())
        .calls()
        .await
        .unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
}

// ---- rig probe modem ----------------------------------------------------------------------

fn rig(args: &[&str]) -> (Output, Duration) {
    let t0 = std::time::Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(args)
        .output()
        .expect("rig runs");
    (o, t0.elapsed())
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn probe(args: Vec<String>) -> (Output, Duration) {
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        rig(&a)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_modem_prints_identity_and_calls() {
    let (far, _near, path) = pty_for_another_process();
    let network = ScriptedLine::default();
    network.ring("07700900002");
    let _emu = AtEmulator::spawn(far, Box::new(network), AtOptions::default());
    let (o, took) = probe(vec!["probe".into(), "modem".into(), path.clone()]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    for want in [
        "manufacturer: Rig Emulator",
        "model:        AT-27007",
        "registration: registered (home network)",
        "calls:        1 (ringing)",
        "incoming Incoming 07700900002",
    ] {
        assert!(out.contains(want), "wanted {want:?} in:\n{out}");
    }
    eprintln!("probe modem, emulator: exit 0 after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_modem_fails_fast_and_clearly_on_a_silent_port() {
    let (far, _near, path) = pty_for_another_process();
    let _s = spawn_silent(far);
    let (o, took) = probe(vec!["probe".into(), "modem".into(), path.clone()]).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains(&path) && out.contains("silent"), "{out}");
    eprintln!("probe modem, silent port: exit 3 after {took:?}");
    assert!(
        took < Duration::from_secs(5),
        "the contract is 5 s: took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_modem_fails_fast_and_clearly_on_a_port_answering_garbage() {
    for kind in [Garbage::Binary, Garbage::Text] {
        let (far, _near, path) = pty_for_another_process();
        let _g = spawn_garbage(far, kind);
        let (o, took) = probe(vec!["probe".into(), "modem".into(), path.clone()]).await;
        assert_eq!(o.status.code(), Some(3), "{kind:?}: {}", text(&o));
        assert!(text(&o).contains("garbage"), "{}", text(&o));
        eprintln!("probe modem, {kind:?} garbage: exit 3 after {took:?}");
        assert!(took < Duration::from_secs(5), "{kind:?}: took {took:?}");
    }
}

#[test]
fn probe_with_a_bad_port_path_exits_2() {
    for dev in ["modem", "feasa"] {
        let (o, _) = rig(&["probe", dev, "/dev/no-such-serial-port"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("no such serial port"), "{}", text(&o));
    }
}

// ---- the whole suite over ptys ------------------------------------------------------------

/// The reference firmware on the full simulated matrix, with both modems behind the AT
/// driver: the rig side talks AT over a pty to a bridge emulator, which drives the
/// simulated bench's own modem line on the far side (dial, answer, hang up, radio, +CLCC)
/// and volunteers RING/+CLIP/NO CARRIER as that line's calls change.
///
/// Virtual time with real I/O: the bench time is ~35 minutes, so the run is on the paused
/// clock, and the ptys are paced ([`Pacer`]): virtual time stands still while AT bytes
/// cross the kernel, so no timeout fires spuriously and an exchange costs no bench time.
#[tokio::test(start_paused = true)]
async fn the_reference_suite_passes_with_both_modems_driven_over_at_on_ptys() {
    let wall = std::time::Instant::now();
    let pacer = Pacer::default();
    let _pace = pacer.start();
    let f = fixtures();
    let clock = BenchClock::start();
    let sim = SimBench::new(&f.bench, &f.spec, f.reference.clone(), clock, 1);
    let mut devices = rig::factory::open(&f.bench, &f.spec, Some(&sim), clock).unwrap();
    let mut emulators = Vec::new();
    let mut line = |role: rig::bench::ModemRole| -> Vec<NumberedLine> {
        f.bench
            .modems_of(role)
            .map(|m| {
                let (device, port, _) = pacer.pty();
                emulators.push(AtEmulator::spawn(
                    device,
                    sim.line(&m.id),
                    AtOptions::default(),
                ));
                let modem: Box<dyn PhoneLine> = Box::new(AtModem::new(port, m.id.clone()));
                (modem, m.number.clone())
            })
            .collect()
    };
    // Caller first: `emulators[0]` is the caller's, `emulators[1]` the mobile's.
    let callers = line(rig::bench::ModemRole::Caller);
    let mobiles = line(rig::bench::ModemRole::Mobile);
    devices.lines = Lines::new(mobiles, callers);
    let ctx = Arc::new(Context {
        spec: f.spec.clone(),
        bench: f.bench.clone(),
        settings: f.suite.settings.clone(),
        clock,
    });
    let info = RunInfo {
        suite_path: f.suite.path.clone(),
        virtual_time: true,
        ..RunInfo::new("pty", &f.bench, "sim:reference")
    };
    let plan = Plan {
        cases: f.suite.cases.clone(),
        positions: f.bench.positions.iter().map(|p| p.id.clone()).collect(),
        off_bench: Vec::new(),
        repeat: 1,
        history: Default::default(),
        ..Default::default()
    };
    let s = run(
        ctx,
        plan,
        devices,
        EventBus::new(info, Vec::new()),
        Arc::new(Operator::none()),
    )
    .await;
    let took = wall.elapsed();
    assert!(
        rows(&s, Verdict::Fail).is_empty(),
        "FAIL rows:\n{}",
        rows(&s, Verdict::Fail).join("\n")
    );
    assert!(
        rows(&s, Verdict::Error).is_empty(),
        "ERROR rows:\n{}",
        rows(&s, Verdict::Error).join("\n")
    );
    let passes = s
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Pass)
        .count();
    assert!(passes > 50, "{passes} PASS rows");
    // The modems really were driven over AT: every call-control command went through.
    let (c, m) = (&emulators[0], &emulators[1]);
    for name in ["ATD", "AT+CHUP", "AT+CLCC"] {
        assert!(c.count(name) > 0, "caller never got {name}");
    }
    for name in ["ATA", "AT+CFUN", "AT+CLCC"] {
        assert!(m.count(name) > 0, "mobile never got {name}");
    }
    eprintln!(
        "suite over ptys: {} rows, {:.0} s of bench time, {} AT commands (caller {}, mobile {}), {:.1} s wall",
        s.results.len(),
        s.bench_time_ms / 1000.0,
        c.total() + m.total(),
        c.total(),
        m.total(),
        took.as_secs_f64()
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

// ---- rig doctor with modems on ptys -------------------------------------------------------

/// The simulated matrix with both modems moved to serial ports (the given pty paths).
fn bench_with_serial_modems(dir: &std::path::Path, mobile: &str, caller: &str) -> String {
    let text = std::fs::read_to_string(rig::workspace_path("wiring/sim-matrix.toml")).unwrap();
    let text = text
        .replacen(
            "number = \"07700900001\"\nbackend = \"sim\"",
            &format!("number = \"07700900001\"\nbackend = \"serial\"\nport = \"{mobile}\""),
            1,
        )
        .replacen(
            "number = \"07700900002\"\nbackend = \"sim\"",
            &format!("number = \"07700900002\"\nbackend = \"serial\"\nport = \"{caller}\""),
            1,
        );
    assert_eq!(text.matches("backend = \"serial\"").count(), 2);
    let path = dir.join("bench.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_identifies_modems_on_ptys_and_fails_fast_on_a_silent_one() {
    let dir = tempfile::tempdir().unwrap();
    let (far_m, _near_m, mobile) = pty_for_another_process();
    let (far_c, _near_c, caller) = pty_for_another_process();
    let _m = AtEmulator::spawn(
        far_m,
        Box::new(ScriptedLine::default()),
        AtOptions::default(),
    );
    let _c = AtEmulator::spawn(
        far_c,
        Box::new(ScriptedLine::default()),
        AtOptions::default(),
    );
    let bench = bench_with_serial_modems(dir.path(), &mobile, &caller);
    let (o, _) = probe(vec!["doctor".into(), "--bench".into(), bench.clone()]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("mobile modem 07700900001") && out.contains("Rig Emulator"),
        "{out}"
    );

    // The same bench with a mobile modem that says nothing: exit 3, fast, naming it.
    let (far_s, _near_s, silent) = pty_for_another_process();
    let _s = spawn_silent(far_s);
    let (far_c2, _near_c2, caller2) = pty_for_another_process();
    let _c2 = AtEmulator::spawn(
        far_c2,
        Box::new(ScriptedLine::default()),
        AtOptions::default(),
    );
    let bench = bench_with_serial_modems(dir.path(), &silent, &caller2);
    let (o, took) = probe(vec!["doctor".into(), "--bench".into(), bench]).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let out = text(&o);
    let mobile_row = out
        .lines()
        .find(|l| l.starts_with("mobile"))
        .unwrap_or_default()
        .to_string();
    assert!(mobile_row.contains("FAIL"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("caller") && l.contains(" ok ")),
        "{out}"
    );
    assert!(took < Duration::from_secs(10), "doctor took {took:?}");
}
