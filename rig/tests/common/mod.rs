//! Shared loading and running for the integration tests.

pub mod child;

use rig::bench::Bench;
use rig::factory::simulate;
use rig::runner::{RunSummary, Verdict};
use rig::sim::FirmwareProfile;
use rig::spec::Spec;
use rig::suite::Suite;

pub struct Fixtures {
    pub spec: Spec,
    pub bench: Bench,
    pub suite: Suite,
    pub reference: FirmwareProfile,
}

pub fn fixtures() -> Fixtures {
    let spec = Spec::load(Spec::default_dir()).expect("fixtures load");
    let bench = Bench::load(rig::workspace_path("wiring/sim-matrix.toml"), &spec.catalog)
        .expect("sim-matrix loads");
    let suite = Suite::load(Suite::default_path(), &spec).expect("suite loads");
    let reference = FirmwareProfile::load(
        rig::workspace_path("fixtures/firmware/reference.toml"),
        &spec,
    )
    .expect("reference loads");
    Fixtures {
        spec,
        bench,
        suite,
        reference,
    }
}

/// Run the whole suite on the simulated matrix under `profile` (call inside a paused runtime).
pub async fn run(f: &Fixtures, profile: FirmwareProfile, seed: u64) -> RunSummary {
    simulate(&f.spec, &f.bench, &f.suite, profile, seed)
        .await
        .expect("simulated run starts")
}

/// Rows of a verdict, as `position/case: message` lines for assertion messages.
pub fn rows(s: &RunSummary, v: Verdict) -> Vec<String> {
    s.results
        .iter()
        .filter(|r| r.verdict == v)
        .map(|r| {
            format!(
                "{}/{} [{}]: {} | expected {} | observed {}",
                r.position,
                r.case,
                r.clauses.join(" "),
                r.message,
                r.expected,
                r.observed
            )
        })
        .collect()
}

/// Run the `rig` binary from the workspace root.
pub fn rig(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(args)
        .current_dir(rig::workspace_path("."))
        .output()
        .expect("rig runs")
}

/// Everything a command printed: stdout, then stderr.
pub fn printed(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
