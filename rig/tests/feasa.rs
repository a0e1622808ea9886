//! The Feasa LED Analyser driver and sampler over real pseudo-terminals against the Feasa
//! emulator, the light they see classified by the rig's own classifier; `rig probe feasa`.

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

use rig::hw::feasa::codec::{CaptureRange, Rgbi, SequenceSetup};
use rig::hw::feasa::{FeasaAnalyser, FeasaConfig, FeasaSampler, SamplerMode};
use rig::hw::serial::pty_streams;
use rig::hw::{BenchClock, HwErrorKind, LightSensor, Sample, SensorKind};
use rig::observe::{Calibration, Classifier, Polarity, Reading};
use rig::spec::Spec;

use crate::emulators::feasa::{FeasaEmulator, Led, SERIAL, VERSION};
use crate::emulators::junk::{spawn_garbage, spawn_silent, Garbage};
use crate::emulators::pace::Pacer;
use crate::emulators::pty_for_another_process;

const GREEN: (u8, u8, u8) = (6, 230, 18);
const RED: (u8, u8, u8) = (235, 12, 8);

fn leds() -> BTreeMap<u8, Led> {
    BTreeMap::from([
        (1, Led::steady(GREEN, 6383)),
        // A wink: 200 ms on, 50 ms off (fixtures/cadences.csv).
        (
            2,
            Led {
                rgb: GREEN,
                intensity: 5000,
                blink: Some((200, 50)),
            },
        ),
        (3, Led::steady(RED, 4000)),
    ])
}

/// Real pty I/O under the paused clock: see [`Pacer`].
fn paced() -> (Pacer, crate::emulators::AbortOnDrop) {
    let p = Pacer::default();
    let task = p.start();
    (p, task)
}

#[tokio::test(start_paused = true)]
async fn the_analyser_answers_identity_readings_and_sequences_over_a_pty() {
    let (pacer, _pace) = paced();
    let (device, port, _) = pacer.pty();
    let emu = FeasaEmulator::spawn(device, leds());
    let mut a = FeasaAnalyser::new(port, "feasa");
    let id = a.identity().await.unwrap();
    assert_eq!(id.serial, SERIAL);
    assert_eq!(id.version, VERSION);

    a.capture(CaptureRange::Manual(3)).await.unwrap();
    assert_eq!(
        a.rgbi(1).await.unwrap(),
        Rgbi {
            r: 6,
            g: 230,
            b: 18,
            i: 6383
        }
    );
    let hsi = a.hsi(3).await.unwrap();
    assert!(hsi.hue.unwrap() < 5.0, "red: {hsi:?}");
    assert_eq!(a.intensity(3).await.unwrap(), 4000);
    // A fibre over nothing: under range.
    assert_eq!(a.rgbi(7).await.unwrap().i, 0);
    assert_eq!(a.hsi(7).await.unwrap().hue, None);
    let e = a.rgbi(21).await.unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Rejected);

    // Sequence capture: 250 samples 2 ms apart = 500 ms = two wink periods of fibre 2.
    let setup = SequenceSetup {
        capture_ms: 2,
        wait_ms: 0,
        count: 250,
        threshold: 1000,
    };
    a.set_up_sequence(&setup).await.unwrap();
    a.capture_sequence(&setup).await.unwrap();
    let bits = a.sequence(2, setup.count).await.unwrap();
    assert_eq!(bits.len(), 250);
    let on = bits.iter().filter(|b| **b).count();
    assert!((190..=210).contains(&on), "80 % on: {on}");
    assert!(a.sequence(1, setup.count).await.unwrap().iter().all(|b| *b));
    let times = a.sequence_times(2).await.unwrap();
    assert_eq!(times.off_before_ms % 2, 0);
    assert!(times.on_ms > 0 && times.on_ms <= 200, "{times:?}");
    assert!(emu.count("putsequence") >= 4);
}

fn classify(samples: &[Sample]) -> String {
    let spec = Spec::load(Spec::default_dir()).unwrap();
    let c = Classifier::new(
        &spec.cadences,
        Calibration {
            kind: SensorKind::Rgbc,
            polarity: Polarity::Emissive,
            dark: None,
        },
    );
    match c.classify(samples) {
        Reading::Seen(o) => o.indication.to_string(),
        other => format!("{other:?}"),
    }
}

async fn collect(sensor: &mut Box<dyn LightSensor>, for_ms: u64) -> Vec<Sample> {
    let mut all = Vec::new();
    let end = tokio::time::Instant::now() + Duration::from_millis(for_ms);
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(50)).await;
        sensor.drain(&mut all).unwrap();
    }
    all
}

#[tokio::test(start_paused = true)]
async fn the_polled_sampler_reads_steady_lights_the_classifier_recognises() {
    let (pacer, _pace) = paced();
    let (device, port, _) = pacer.pty();
    let _emu = FeasaEmulator::spawn(device, leds());
    let clock = BenchClock::start();
    let sampler = FeasaSampler::spawn(
        FeasaAnalyser::new(port, "feasa"),
        &[1, 3],
        clock,
        SamplerMode::Polled {
            range: CaptureRange::Manual(5),
        },
    );
    let mut green = sampler.sensor(1);
    let mut red = sampler.sensor(3);
    assert_eq!(green.kind(), SensorKind::Rgbc);
    let g = collect(&mut green, 3000).await;
    let r = collect(&mut red, 100).await;
    assert!(
        g.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
        "stamps in order"
    );
    // Samples stamped on the bench clock, at a steady rate.
    let span = g.last().unwrap().t_ms - g[0].t_ms;
    let rate = (g.len() - 1) as f64 / span * 1000.0;
    eprintln!("polled sampler (range 5, 2 fibres, emulator): {rate:.0} Hz of virtual time");
    assert!(rate > 20.0, "{rate} Hz");
    assert_eq!(classify(&g), "green steady");
    assert!(!r.is_empty());
    assert!(r[0].r > 10.0 * r[0].g, "red: {:?}", r[0]);
    assert!(sampler.fault().is_none());
    let mut unwired = sampler.sensor(9);
    let e = unwired.drain(&mut Vec::new()).unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Unreachable);
}

#[tokio::test(start_paused = true)]
async fn the_sequence_sampler_gives_the_blink_cadence_of_a_wink() {
    let (pacer, _pace) = paced();
    let (device, port, _) = pacer.pty();
    let _emu = FeasaEmulator::spawn(device, leds());
    let sampler = FeasaSampler::spawn(
        FeasaAnalyser::new(port, "feasa"),
        &[2],
        BenchClock::start(),
        SamplerMode::Sequence {
            range: CaptureRange::Manual(5),
            setup: SequenceSetup {
                capture_ms: 4,
                wait_ms: 1,
                count: 400,
                threshold: 1000,
            },
        },
    );
    let mut wink = sampler.sensor(2);
    let s = collect(&mut wink, 6000).await;
    assert!(sampler.rounds() >= 2);
    let seen = classify(&s);
    assert_eq!(seen, "green wink", "{} samples", s.len());
}

#[tokio::test(start_paused = true)]
async fn a_silent_analyser_makes_the_sensor_report_a_timeout_and_sampling_resumes() {
    let (pacer, _pace) = paced();
    let (device, port, _) = pacer.pty();
    let emu = FeasaEmulator::spawn(device, leds());
    let sampler = FeasaSampler::spawn(
        FeasaAnalyser::new(port, "feasa").with_config(FeasaConfig {
            answer_timeout: Duration::from_millis(300),
            ..FeasaConfig::default()
        }),
        &[1],
        BenchClock::start(),
        SamplerMode::Polled {
            range: CaptureRange::Manual(4),
        },
    );
    let mut s = sampler.sensor(1);
    assert!(!collect(&mut s, 500).await.is_empty());
    emu.set_silent(true);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut buf = Vec::new();
    // Samples taken just before the silence, if any; else already the fault.
    let _ = s.drain(&mut buf);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    buf.clear();
    let e = s.drain(&mut buf).unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
    emu.set_silent(false);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    buf.clear();
    s.drain(&mut buf).unwrap();
    assert!(!buf.is_empty(), "sampling resumed");
}

#[tokio::test]
async fn garbage_and_silence_are_protocol_and_timeout_faults() {
    let cfg = FeasaConfig {
        answer_timeout: Duration::from_millis(300),
        ..FeasaConfig::default()
    };
    let (device, port, _) = pty_streams().unwrap();
    let _g = spawn_garbage(device, Garbage::Text);
    let e = FeasaAnalyser::new(port, "feasa")
        .with_config(cfg)
        .identity()
        .await
        .unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Protocol, "{e}");
    let (device, port, _) = pty_streams().unwrap();
    let _s = spawn_silent(device);
    let e = FeasaAnalyser::new(port, "feasa")
        .with_config(cfg)
        .identity()
        .await
        .unwrap_err();
    assert_eq!(e.kind, HwErrorKind::Timeout, "{e}");
}

// ---- rig probe feasa ----------------------------------------------------------------------

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn probe(path: String, extra: &[&str]) -> (Output, Duration) {
    let mut args = vec!["probe".to_string(), "feasa".into(), path];
    args.extend(extra.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        let t0 = std::time::Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_rig"))
            .args(&args)
            .output()
            .expect("rig runs");
        (o, t0.elapsed())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_feasa_prints_serial_firmware_and_a_reading() {
    let (far, _near, path) = pty_for_another_process();
    let _emu = FeasaEmulator::spawn(far, leds());
    let (o, took) = probe(path, &["--fibre", "1"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    for want in [
        "serial:   75A6",
        "firmware: F2.13",
        "fibre 01: RGB 006 230 018, intensity 06383",
        "hue 123.",
    ] {
        assert!(out.contains(want), "wanted {want:?} in:\n{out}");
    }
    eprintln!("probe feasa, emulator: exit 0 after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_feasa_fails_fast_on_silence_and_garbage() {
    let (far, _near, path) = pty_for_another_process();
    let _s = spawn_silent(far);
    let (o, took) = probe(path.clone(), &[]).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("silent"), "{}", text(&o));
    eprintln!("probe feasa, silent port: exit 3 after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    let (far, _near, path) = pty_for_another_process();
    let _g = spawn_garbage(far, Garbage::Binary);
    let (o, took) = probe(path, &[]).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("garbage"), "{}", text(&o));
    eprintln!("probe feasa, binary garbage: exit 3 after {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}
