//! `rig calibrate` on the simulated bench (a copy in a temporary folder), and `rig run`
//! using the calibration file it writes.

use std::path::{Path, PathBuf};
use std::process::Output;

use rig::bench::{Bench, DarkLevel, Light, TwinningMode};
use rig::calibration::BenchCalibration;
use rig::hw::SensorKind;
use rig::observe::Polarity;
use rig::spec::{Expected, Indication, Spec, TwinningState};

use crate::common::{printed, rig};

/// The LCD indicator's line of the sim bench, and the same with a wrong bare level: a
/// first guess of 700 counts where the display reads 1800 (and "on" about 630).
const M7310_LEDS: &str = "leds = { twinning = { sensor = \"level:0\", dark = 1800.0 }";
const M7310_GUESS: &str = "leds = { twinning = { sensor = \"level:0\", dark = 700.0 }";

fn bench_copy(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(rig::workspace_path("wiring/sim-matrix.toml")).unwrap();
    assert!(text.contains(M7310_LEDS));
    let path = dir.join("lab.toml");
    std::fs::write(&path, text.replacen(M7310_LEDS, M7310_GUESS, 1)).unwrap();
    path
}

fn results(dir: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join("results.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn run_led_cases(bench: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--bench",
        bench.to_str().unwrap(),
        "--only",
        "shows-on,shows-off",
        "--family",
        "9611,M-Series",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    rig(&args)
}

fn clear(d: &DarkLevel) -> f32 {
    match d {
        DarkLevel::Rgbc(v) => v[3],
        DarkLevel::Level(l) => *l,
    }
}

#[test]
fn calibrate_measures_every_provable_light_and_runs_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let bench_path = bench_copy(dir.path());
    let spec = Spec::load(Spec::default_dir()).unwrap();
    let bench = Bench::load(&bench_path, &spec.catalog).unwrap();

    // With the bench file's wrong guess, the M7310's "on" reads as off: shows-on fails.
    let before = dir.path().join("before");
    let o = run_led_cases(&bench_path, &before, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", printed(&o));
    assert!(
        printed(&o).contains("light calibration: none"),
        "{}",
        printed(&o)
    );
    let failed: Vec<String> = results(&before)
        .iter()
        .filter(|r| &r[8] == "FAIL")
        .map(|r| format!("{}/{}", &r[2], &r[6]))
        .collect();
    assert_eq!(failed, ["pm7310/shows-on"]);

    // Calibrate: the file lands next to the bench file.
    let o = rig(&["calibrate", "--bench", bench_path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let cal_path = dir.path().join("lab.calibration.toml");
    assert!(
        printed(&o).contains(&format!("wrote {}", cal_path.display())),
        "{}",
        printed(&o)
    );
    let cal = BenchCalibration::load(&cal_path, &bench, &spec).expect("the written file loads");
    assert_eq!(cal.bench, "sim-matrix");
    assert_eq!(cal.firmware, "sim:reference");
    assert_eq!(cal.lights.len(), 2 * bench.positions.len());

    for p in &bench.positions {
        let family = bench.family(p, &spec.catalog);
        for (light, wiring) in &p.lights {
            let l = cal
                .light(&p.id, *light)
                .expect("every light is in the file");
            let what = format!("{} {}", p.id, light.name());
            assert_eq!(l.sensor, wiring.sensor.to_string(), "{what}");
            // A dark level is provable unless no state of the light is known to be off:
            // the Twinning light of a family with no indication (1100, 1200), of a user
            // with internal twinning, or of a touch icon (twinning-off is grey).
            let provable = *light == Light::Call
                || (p.twinning.mode == TwinningMode::Mobile
                    && spec
                        .indications
                        .twinning(family, TwinningState::TwinningOff)
                        == Some(Expected::Exactly(Indication::OFF)));
            let Some(dark) = &l.dark else {
                assert!(!provable, "{what}: no dark level: {:?}", l.dark_missing);
                let why = l.dark_missing.as_deref().unwrap_or("");
                assert!(
                    !why.is_empty(),
                    "{what}: the file says why there is no dark"
                );
                continue;
            };
            assert!(provable, "{what}: a dark level from an unprovable state");
            // The sim's optics: 12 counts dark per RGB channel; a bare LCD reflects 1800.
            let (want, tolerance) = match l.kind {
                SensorKind::Rgbc => (12.0, 1.5),
                SensorKind::Level => (1800.0, 5.0),
            };
            let values: Vec<f32> = match dark.mean {
                DarkLevel::Rgbc(v) => v.to_vec(),
                DarkLevel::Level(x) => vec![x],
            };
            for v in values {
                assert!((v - want).abs() < tolerance, "{what}: dark {:?}", dark.mean);
            }
            assert!(dark.samples >= 200, "{what}: {} samples", dark.samples);
            assert_eq!(cal.dark(&p.id, *light), Some(dark.mean));
        }
        // References: each lit state the indication table names, as the table names it,
        // lit on the right side of the dark level.
        if p.twinning.mode == TwinningMode::Mobile && family.group.is_some() {
            let l = cal.light(&p.id, Light::Twinning).unwrap();
            for state in [
                TwinningState::TwinningOn,
                TwinningState::TwinnedCallAtSecondary,
            ] {
                let r = l
                    .references
                    .iter()
                    .find(|r| r.state == state.name())
                    .unwrap_or_else(|| panic!("{}: no {state} reference: {:?}", p.id, l.notes));
                assert_eq!(
                    Some(Expected::Exactly(r.indication)),
                    spec.indications.twinning(family, state)
                );
                if let Some(d) = &l.dark {
                    match l.polarity {
                        Polarity::Emissive => assert!(clear(&r.mean) > clear(&d.mean) + 500.0),
                        Polarity::Reflective => assert!(clear(&r.mean) < clear(&d.mean) - 500.0),
                    }
                }
            }
        }
        let call = cal.light(&p.id, Light::Call).unwrap();
        assert!(
            call.references.iter().any(|r| r.state == "connected"),
            "{}: {:?}",
            p.id,
            call.notes
        );
    }
    let grey = cal.light("p9621", Light::Twinning).unwrap();
    assert!(grey
        .references
        .iter()
        .any(|r| r.state == "twinning-off" && r.indication.to_string() == "grey steady"));

    // Runs now take the measured bare level: the same cases pass.
    let after = dir.path().join("after");
    let o = run_led_cases(&bench_path, &after, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains(&format!("light calibration: {}", cal_path.display())),
        "{}",
        printed(&o)
    );
    let rows = results(&after);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| &r[8] == "PASS"), "{rows:?}");

    // --no-calibration goes back to the bench file's guess.
    let o = run_led_cases(
        &bench_path,
        &dir.path().join("ignored"),
        &["--no-calibration"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", printed(&o));

    // A stale calibration (the light was rewired since) is refused, naming its line.
    let text = std::fs::read_to_string(&cal_path).unwrap();
    let stale = text.replacen("sensor = \"rgb:8\"", "sensor = \"rgb:31\"", 1);
    let line = stale.lines().position(|l| l.contains("rgb:31")).unwrap() + 1;
    let stale_path = dir.path().join("stale.toml");
    std::fs::write(&stale_path, stale).unwrap();
    let stale_out = dir.path().join("stale-out");
    let o = run_led_cases(
        &bench_path,
        &stale_out,
        &["--calibration", stale_path.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    let want = format!(
        "{}:{line}: position `p9611`, twinning light: measured through sensor rgb:31, but the bench wires it to rgb:8",
        stale_path.display()
    );
    assert!(
        printed(&o).contains(&want),
        "wanted `{want}` in: {}",
        printed(&o)
    );
    assert!(!stale_out.exists(), "nothing run, nothing written");

    // Naming a calibration file that does not exist is a bad invocation.
    let o = run_led_cases(
        &bench_path,
        &stale_out,
        &[
            "--calibration",
            dir.path().join("nosuch.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
}
