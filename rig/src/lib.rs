//! The twinning rig: checks desk phones against the IP Office Twinning button spec.
//!
//! Data flows one way (ARCHITECTURE.md, "Data flow"):
//! bench file → devices ([`hw`] traits; [`sim`] or real backends, opened by [`factory`])
//! → [`runner`] executing a [`suite`] → observations ([`observe`]) → verdicts → events →
//! reporters ([`report`]). The spec itself is data ([`spec`], loaded from `fixtures/`).
//!
//! Layers, one crate each: `rig-hw` (hardware), `rig-core` (everything that sees the
//! hardware only through its traits), `rig-sim` (the simulated bench), and this crate: the
//! device factory, `rig selftest` and the command line. The layers' modules are
//! re-exported here.

pub use rig_core::{
    bench, calibration, limits, observe, ownership, paths, report, runner, schedule, source, spec,
    suite, trace, workspace_path,
};
pub use rig_hw as hw;
pub use rig_sim as sim;

pub mod cli;
pub mod factory;
pub mod selftest;
