//! The twinning rig: checks desk phones against the IP Office Twinning button spec.
//!
//! Data flows one way (DESIGN.md §2):
//! bench file → devices ([`hw`] traits; [`sim`] or real backends) → [`runner`] executing a
//! [`suite`] → observations ([`observe`]) → verdicts → events → reporters ([`report`]).
//! The spec itself is data ([`spec`], loaded from `fixtures/`).

pub mod bench;
pub mod hw;
pub mod observe;
pub mod sim;
pub mod source;
pub mod spec;

use std::path::PathBuf;

/// A path inside the workspace (fixtures, wiring), found from the current directory
/// upwards so the rig runs from the workspace root or any folder below it; falls back to
/// the workspace the binary was built from.
pub fn workspace_path(rel: &str) -> PathBuf {
    if let Ok(mut dir) = std::env::current_dir() {
        loop {
            let candidate = dir.join(rel);
            if candidate.exists() && dir.join("Cargo.toml").exists() {
                return candidate;
            }
            if !dir.pop() {
                break;
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}
