//! The rig's core: the spec as data, bench and suite files, reading lights, traces,
//! calibration, the runner and the reports (ARCHITECTURE.md, "Data flow"). It sees the
//! hardware only through the traits of `rig-hw` and knows neither the simulator nor any
//! backend's construction: the `rig` crate's device factory opens devices and hands the
//! runner trait objects.

/// The hardware layer, as the core sees it.
pub use rig_hw as hw;

pub mod bench;
pub mod calibration;
pub mod limits;
pub mod observe;
pub mod ownership;
pub mod report;
pub mod runner;
pub mod schedule;
pub mod source;
pub mod spec;
pub mod suite;
pub mod trace;
/// The first trace generator: a development tool (the classifier's corpus and benchmarks),
/// compiled only for tests and with the `tracegen` feature.
#[cfg(any(test, feature = "tracegen"))]
pub mod tracegen;

use std::path::PathBuf;

/// A path inside the workspace (fixtures, wiring, results). The workspace is the nearest
/// folder, from the current directory upwards, that holds both `Cargo.toml` and
/// `fixtures/`, so the rig runs from the root or any folder below it; failing that, the
/// workspace the binary was built from.
pub fn workspace_path(rel: &str) -> PathBuf {
    workspace_root().join(rel)
}

fn workspace_root() -> PathBuf {
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(root) = cwd
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file() && d.join("fixtures").is_dir())
        {
            return root.to_path_buf();
        }
    }
    // This crate is `rig/core` in the workspace.
    let core = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    core.ancestors().nth(2).unwrap_or(core).to_path_buf()
}
