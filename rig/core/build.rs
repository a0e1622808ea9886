//! Records the git revision the rig is built from, for run.json: a report must say
//! exactly which rig produced it. Outside a git checkout it is "unknown".

use std::process::Command;

fn main() {
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    // Uncommitted changes to tracked files make the revision alone a lie.
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| !o.stdout.is_empty());
    let rev = if dirty && rev != "unknown" {
        format!("{rev}-dirty")
    } else {
        rev
    };
    println!("cargo:rustc-env=RIG_GIT_REVISION={rev}");
    // Rebuild when HEAD moves or the index changes (a commit, a checkout).
    for p in [
        "../../.git/HEAD",
        "../../.git/index",
        "../../.git/logs/HEAD",
    ] {
        if std::path::Path::new(p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
