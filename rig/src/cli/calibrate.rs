//! `rig calibrate [--bench FILE]`: measure every light's dark level and reference colours
//! and write `<bench stem>.calibration.toml` next to the bench file (docs/user-guide.md: "Light
//! calibration"), which `rig run` then uses.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Context as _;
use clap::Args;

use super::bench_args::BenchArgs;
use super::run::build_runtime;
use super::{CliError, ExitCode};
use crate::calibration::{self, BenchCalibration, MeasureInfo};
use crate::hw::BenchClock;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    bench: BenchArgs,
    /// The suite whose [settings] (timeouts, polling) the rig drives the phones with.
    #[arg(long, default_value = "fixtures/twinning.toml")]
    suite: PathBuf,
    /// The firmware the phones run, as written in the file (default: the sim profile's name).
    #[arg(long)]
    firmware: Option<String>,
    /// Where to write the calibration (default: `<bench stem>.calibration.toml` next to the
    /// bench file, where `rig run` looks for it).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run a simulated bench on the wall clock instead of in virtual time.
    #[arg(long)]
    realtime: bool,
}

impl CalibrateArgs {
    /// The bench file named on the command line (for the layout rule, `crate::paths`).
    pub(super) fn bench_file(&self) -> &std::path::Path {
        &self.bench.bench
    }

    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = self.bench.load_with_suite(&self.suite)?;
        let default_path = BenchCalibration::default_path(&loaded.bench.path);
        let path = self.out.clone().unwrap_or_else(|| default_path.clone());
        let _bench = loaded.lock_bench("rig calibrate", Some(&path))?;
        let info = MeasureInfo {
            path: path.clone(),
            bench_file: self.bench.bench.display().to_string(),
            firmware: loaded.firmware(self.firmware.as_deref()),
            started_at: SystemTime::now(),
        };
        println!(
            "calibrating the lights of bench `{}` ({} positions){}",
            loaded.bench.name,
            loaded.bench.positions.len(),
            if loaded.virtual_time(self.realtime) {
                " in virtual time"
            } else {
                ""
            }
        );
        let rt = build_runtime(loaded.virtual_time(self.realtime)).map_err(CliError::Rig)?;
        let seed = self.bench.seed;
        let measured = rt.block_on(async move {
            let clock = BenchClock::start();
            // A fresh measurement: no earlier calibration file, only the bench file's darks
            // (to recognise the states) — the recordings themselves are raw counts.
            let devices = loaded.open_devices(clock, seed, None, None)?;
            let ctx = loaded.context(clock);
            // On SIGINT/SIGTERM the measurement is dropped: every driver releases its relays.
            let stop = super::run::shutdown_signal().map_err(CliError::Rig)?;
            tokio::select! {
                m = calibration::measure(ctx, devices, info) => Ok(Ok(m)),
                code = stop => Ok::<_, CliError>(Err(code)),
            }
        })?;
        drop(rt);
        let calibration = match measured {
            Err(code) => {
                eprintln!("rig: interrupted: no calibration written");
                return Ok(code);
            }
            Ok(Err(faults)) => {
                return Err(CliError::Rig(anyhow::anyhow!(
                    "no calibration written:\n  {}",
                    faults
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n  ")
                )))
            }
            Ok(Ok(c)) => c,
        };
        for l in &calibration.lights {
            println!("  {}", l.summary());
            for n in &l.notes {
                println!("      note: {n}");
            }
        }
        calibration
            .save()
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(CliError::Report)?;
        let with_dark = calibration
            .lights
            .iter()
            .filter(|l| l.dark.is_some())
            .count();
        let usage = if path == default_path {
            format!("`rig run --bench {}` uses it", self.bench.bench.display())
        } else {
            format!("use it with `rig run --calibration {}`", path.display())
        };
        println!(
            "wrote {}: {} lights, {with_dark} with a dark level; {usage}",
            path.display(),
            calibration.lights.len(),
        );
        Ok(ExitCode::Ok)
    }
}
