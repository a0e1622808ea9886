//! `rig doctor [--bench FILE]`: probe every device of a bench before a long run, without
//! energising a relay or dialling: each relay releases, each sensor gives plausible samples
//! at its rate, each modem identifies itself and lists its calls.

use std::time::Duration;

use clap::Args;
use tokio::time::{sleep, timeout};

use super::bench_args::BenchArgs;
use super::run::{build_runtime, Loaded};
use super::{CliError, ExitCode};
use crate::factory::Opener;
use crate::hw::{BenchClock, LineState, SensorKind};
use crate::observe::{Calibration, Classifier};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    bench: BenchArgs,
}

/// One row of the doctor's table.
pub struct Check {
    pub device: String,
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

impl DoctorArgs {
    /// The bench file named on the command line (for the layout rule, `crate::paths`).
    pub(super) fn bench_file(&self) -> &std::path::Path {
        &self.bench.bench
    }

    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = self.bench.load()?;
        let _bench = loaded.lock_bench("rig doctor", None)?;
        let rt = build_runtime(false).map_err(CliError::Rig)?;
        let checks = rt.block_on(probe_all(&loaded, self.bench.seed));
        print_table(&checks);
        let bad = checks.iter().filter(|c| !c.ok).count();
        if bad == 0 {
            println!("all {} checks good", checks.len());
            Ok(ExitCode::Ok)
        } else {
            println!("{bad} of {} checks failed", checks.len());
            Ok(ExitCode::RigError)
        }
    }
}

pub fn print_table(checks: &[Check]) {
    println!("{:<16} {:<28} {:<5} detail", "device", "check", "");
    for c in checks {
        println!(
            "{:<16} {:<28} {:<5} {}",
            c.device,
            c.what,
            if c.ok { "ok" } else { "FAIL" },
            c.detail
        );
    }
}

/// Probe every device the bench's positions use. Never energises a relay or dials.
pub async fn probe_all(loaded: &Loaded, seed: u64) -> Vec<Check> {
    let clock = BenchClock::start();
    let sim = loaded.sim(clock, seed);
    let open = Opener::new(&loaded.bench, sim.as_ref(), clock);
    let bench = &loaded.bench;
    let mut checks = Vec::new();
    for p in &bench.positions {
        for (button, c) in &p.buttons {
            let board = bench.relay_board(&c.device).expect("bench checked");
            let result = open
                .relay(board, c)
                .and_then(|mut r| r.set(false).map_err(Into::into));
            checks.push(Check {
                device: c.to_string(),
                what: format!("{} {} relay", p.id, button.name()),
                ok: result.is_ok(),
                detail: result
                    .map(|_| "released".to_string())
                    .unwrap_or_else(|e| format!("{e:#}")),
            });
        }
    }
    // Open every sensor first, then let them all sample for the same half second.
    let mut sensors = Vec::new();
    for p in &bench.positions {
        let family = bench.family(p, &loaded.spec.catalog);
        for (light, w) in &p.lights {
            let bank = bench.sensor_bank(&w.sensor.device).expect("bench checked");
            let what = format!("{} {} light", p.id, light.name());
            match open
                .sensor(bank, &w.sensor)
                .and_then(|mut s| s.discard().map(|_| s).map_err(Into::into))
            {
                Ok(s) => sensors.push((
                    w.sensor.to_string(),
                    what,
                    s,
                    bank.clone(),
                    Calibration {
                        kind: bank.kind,
                        polarity: family.polarity(),
                        dark: w.dark,
                    },
                )),
                Err(e) => checks.push(Check {
                    device: w.sensor.to_string(),
                    what,
                    ok: false,
                    detail: format!("{e:#}"),
                }),
            }
        }
    }
    // Long enough for a steady light to be confirmed (the steady settle time).
    let window_ms = 1500.0;
    sleep(Duration::from_millis(window_ms as u64)).await;
    for (device, what, mut sensor, bank, calibration) in sensors {
        let mut samples = Vec::new();
        let (ok, detail) = match sensor.drain(&mut samples) {
            Err(e) => (false, e.to_string()),
            Ok(()) => sensor_verdict(
                &samples,
                window_ms,
                bank.sample_hz,
                bank.kind,
                &Classifier::new(&loaded.spec.cadences, calibration),
            ),
        };
        checks.push(Check {
            device,
            what,
            ok,
            detail,
        });
    }
    for m in &bench.modems {
        let limit = Duration::from_secs(5);
        let detail = match open.modem(m) {
            Err(e) => Err(format!("{e:#}")),
            Ok(mut line) => match timeout(limit, line.identify()).await {
                Err(_) => Err("no answer within 5 s".into()),
                Ok(Err(e)) => Err(e.to_string()),
                Ok(Ok(id)) => match timeout(limit, line.calls()).await {
                    Err(_) => Err(format!("{id}; call list: no answer within 5 s")),
                    Ok(Err(e)) => Err(format!("{id}; call list: {e}")),
                    Ok(Ok(calls)) => Ok(format!("{id}; line {}", LineState::of(&calls))),
                },
            },
        };
        checks.push(Check {
            device: m.id.clone(),
            what: format!("{} modem {}", m.role.name(), m.number),
            ok: detail.is_ok(),
            detail: detail.unwrap_or_else(|e| e),
        });
    }
    checks
}

/// A sensor is good when it samples at (nearly) its rate and reads neither nothing nor
/// a clipped full scale.
fn sensor_verdict(
    samples: &[crate::hw::Sample],
    window_ms: f64,
    sample_hz: f64,
    kind: SensorKind,
    classifier: &Classifier,
) -> (bool, String) {
    let rate = samples.len() as f64 * 1000.0 / window_ms;
    let max_c = samples.iter().map(|s| s.c).fold(0.0f32, f32::max);
    let reading = classifier.classify(samples).describe();
    if samples.is_empty() {
        return (false, "no samples: the sensor is silent".into());
    }
    if rate < 0.8 * sample_hz {
        return (
            false,
            format!("{rate:.0} Hz, below the bench's {sample_hz} Hz"),
        );
    }
    if max_c <= 0.0 {
        return (false, "reads zero on every sample: check the wiring".into());
    }
    let full_scale = if kind == SensorKind::Rgbc {
        65535.0
    } else {
        32767.0
    };
    if max_c >= full_scale {
        return (
            false,
            format!("saturated ({max_c:.0} counts): lower the gain or integration time"),
        );
    }
    (
        true,
        format!("{rate:.0} Hz, max {max_c:.0} counts, {reading}"),
    )
}
