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
pub mod paths;
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

/// A file of the rig's own (`fixtures/…`, `wiring/…`, `results`), found by the layout rule
/// of [`paths`] (never where the binary was built).
pub fn workspace_path(rel: &str) -> std::path::PathBuf {
    paths::rig_path(rel)
}
