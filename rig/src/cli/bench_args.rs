//! The options every command that opens a bench's devices shares.

use std::path::PathBuf;

use clap::Args;

use super::run::Loaded;
use super::CliError;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The bench file.
    #[arg(long, default_value = "wiring/sim-matrix.toml")]
    pub bench: PathBuf,
    /// The firmware profile the simulated system follows (sim benches only).
    #[arg(long, default_value = "fixtures/firmware/reference.toml")]
    pub sim_firmware: PathBuf,
    /// Seed of the simulated sensors' noise.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, hide = true)]
    pub fixtures: Option<PathBuf>,
}

impl BenchArgs {
    /// Load and check the bench (with the default suite, for its timeouts).
    pub fn load(&self) -> Result<Loaded, CliError> {
        self.load_with_suite(&crate::suite::Suite::default_path())
    }

    /// Load and check the bench with `suite` (for its cases and timeouts).
    pub fn load_with_suite(&self, suite: &std::path::Path) -> Result<Loaded, CliError> {
        Loaded::load(
            self.fixtures.as_deref(),
            &self.bench,
            suite,
            &self.sim_firmware,
        )
    }
}
