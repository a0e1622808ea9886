//! `rig press POSITION BUTTON`: press one button through its relay, as a bring-up check.

use std::time::Duration;

use clap::Args;

use super::bench_args::BenchArgs;
use super::run::build_runtime;
use super::{ArgError, CliError, ExitCode};
use crate::bench::Button;
use crate::factory::Opener;
use crate::hw::BenchClock;

#[derive(Debug, Args)]
pub struct PressArgs {
    /// The position id (as in the bench file).
    position: String,
    /// twinning, call or release.
    #[arg(value_parser = parse_button)]
    button: Button,
    /// Hold the relay this long instead of the board's press_ms (never above max_hold_ms).
    #[arg(long)]
    ms: Option<u64>,
    #[command(flatten)]
    bench: BenchArgs,
}

fn parse_button(s: &str) -> Result<Button, ArgError> {
    Button::ALL
        .into_iter()
        .find(|b| b.name() == s)
        .ok_or_else(|| ArgError::Button(s.to_string()))
}

impl PressArgs {
    /// The bench file named on the command line (for the layout rule, `crate::paths`).
    pub(super) fn bench_file(&self) -> &std::path::Path {
        &self.bench.bench
    }

    pub fn run(self) -> Result<ExitCode, CliError> {
        let loaded = self.bench.load()?;
        let _bench = loaded.lock_bench("rig press", None)?;
        let position = loaded.position(&self.position)?;
        let channel = position
            .buttons
            .get(&self.button)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "position `{}` has no relay on its {} button",
                    position.id,
                    self.button.name()
                ))
            })?
            .clone();
        let board = loaded
            .bench
            .relay_board(&channel.device)
            .expect("bench checked")
            .clone();
        let ms = self.ms.unwrap_or(board.press_ms);
        if ms > board.max_hold_ms {
            return Err(CliError::Usage(format!(
                "--ms {ms} is above the board's max_hold_ms ({})",
                board.max_hold_ms
            )));
        }
        // A person is watching the phone: real time, whatever the bench.
        let rt = build_runtime(false).map_err(CliError::Rig)?;
        rt.block_on(async {
            let clock = BenchClock::start();
            let sim = loaded.sim(clock, self.bench.seed);
            let mut relay = Opener::new(&loaded.bench, sim.as_ref(), clock)
                .relay(&board, &channel)
                .map_err(|e| CliError::Rig(e.into()))?;
            relay.set(true).map_err(|e| CliError::Rig(e.into()))?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
            relay.set(false).map_err(|e| CliError::Rig(e.into()))?;
            println!(
                "pressed {} on {} ({}) for {ms} ms, released",
                self.button.name(),
                position.id,
                channel
            );
            Ok(ExitCode::Ok)
        })
    }
}
