//! `rig watch POSITION LIGHT`: the live classified state of one light, as a bring-up check.

use std::time::Duration;

use clap::Args;

use super::bench_args::BenchArgs;
use super::run::{build_runtime, shutdown_signal};
use super::{ArgError, CliError, ExitCode};
use crate::bench::Light;
use crate::factory::Opener;
use crate::hw::BenchClock;
use crate::observe::{Calibration, Classifier, Reading, Watch};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The position id (as in the bench file).
    position: String,
    /// twinning or call.
    #[arg(value_parser = parse_light)]
    light: Light,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long = "for")]
    seconds: Option<f64>,
    #[command(flatten)]
    bench: BenchArgs,
}

fn parse_light(s: &str) -> Result<Light, ArgError> {
    Light::ALL
        .into_iter()
        .find(|l| l.name() == s)
        .ok_or_else(|| ArgError::Light(s.to_string()))
}

impl WatchArgs {
    /// The bench file named on the command line (for the layout rule, `crate::paths`).
    pub(super) fn bench_file(&self) -> &std::path::Path {
        &self.bench.bench
    }

    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = self.bench.load()?;
        let _bench = loaded.lock_bench("rig watch", None)?;
        let position = loaded.position(&self.position)?;
        let wiring = position
            .lights
            .get(&self.light)
            .expect("bench checked: every light has a sensor")
            .clone();
        let bank = loaded
            .bench
            .sensor_bank(&wiring.sensor.device)
            .expect("bench checked")
            .clone();
        let family = loaded.bench.family(position, &loaded.spec.catalog).clone();
        let calibration = Calibration {
            kind: bank.kind,
            polarity: family.polarity(),
            dark: wiring.dark,
        };
        let rt = build_runtime(false).map_err(CliError::Rig)?;
        rt.block_on(async {
            let clock = BenchClock::start();
            let sim = loaded.sim(clock, self.bench.seed);
            let mut sensor = Opener::new(&loaded.bench, sim.as_ref(), clock)
                .sensor(&bank, &wiring.sensor)
                .map_err(|e| CliError::Rig(e.into()))?;
            let mut watch = Watch::new(Classifier::new(&loaded.spec.cadences, calibration));
            let stop = shutdown_signal().map_err(CliError::Rig)?;
            tokio::pin!(stop);
            println!(
                "watching the {} light of {} ({}, {}); Ctrl-C to stop",
                self.light.name(),
                position.id,
                position.model,
                wiring.sensor
            );
            let mut buf = Vec::new();
            let mut shown = String::new();
            loop {
                tokio::select! {
                    _ = &mut stop => return Ok(ExitCode::Ok),
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
                buf.clear();
                sensor
                    .drain(&mut buf)
                    .map_err(|e| CliError::Rig(e.into()))?;
                watch.push(&buf);
                let reading = watch.current();
                let line = match &reading {
                    Reading::NotEnoughEvidence => "reading…".to_string(),
                    r => r.describe(),
                };
                if line != shown {
                    println!("{:>8.1} s  {line}", clock.now_ms() / 1000.0);
                    shown = line;
                }
                if self.seconds.is_some_and(|s| clock.now_ms() >= s * 1000.0) {
                    return Ok(ExitCode::Ok);
                }
            }
        })
    }
}
