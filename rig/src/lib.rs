//! The twinning rig: checks desk phones against the IP Office Twinning button spec.
//!
//! Data flows one way (ARCHITECTURE.md, "Data flow"):
//! bench file → devices ([`hw`] traits; [`sim`] or real backends) → [`runner`] executing a
//! [`suite`] → observations ([`observe`]) → verdicts → events → reporters ([`report`]).
//! The spec itself is data ([`spec`], loaded from `fixtures/`). Light traces ([`trace`])
//! and a bench's light calibration ([`calibration`]) are files the CLI reads and writes.

pub mod bench;
pub mod calibration;
pub mod cli;
pub mod factory;
/// The hardware layer (its own crate, `rig/hw`): nothing in it may reach up into the rig.
pub use rig_hw as hw;
pub mod limits;
pub mod observe;
pub mod ownership;
pub mod report;
pub mod runner;
pub mod selftest;
pub mod sim;
pub mod source;
pub mod spec;
pub mod suite;
pub mod trace;
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
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
