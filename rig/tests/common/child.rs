//! `rig classify FILE` as a child process, with its wall time and its own peak resident
//! set (from `wait4`): shared by the integration tests and `benches/trace_io.rs`
//! (included there by path).

use std::io::Read as _;
use std::path::Path;
use std::time::Instant;

/// What one `rig classify` run did.
pub struct Classified {
    /// Standard output, trimmed.
    pub stdout: String,
    pub exit_code: i32,
    pub wall_s: f64,
    /// Peak resident set, KiB (the child's own `ru_maxrss`).
    pub peak_rss_kib: i64,
}

/// Run `rig classify PATH` from the workspace root, its standard error discarded.
// The child is reaped by `wait4` (for its rusage), which clippy does not see.
#[allow(clippy::zombie_processes)]
pub fn classify(path: &Path) -> Classified {
    let t = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(["classify", path.to_str().expect("a UTF-8 path")])
        .current_dir(rig::workspace_path("."))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("rig runs");
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; the pid is our child's, not yet waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_s = t.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "rig classify died: {status}");
    let mut stdout = String::new();
    if let Some(mut o) = child.stdout.take() {
        o.read_to_string(&mut stdout).expect("rig's output");
    }
    Classified {
        stdout: stdout.trim().to_string(),
        exit_code: libc::WEXITSTATUS(status),
        wall_s,
        peak_rss_kib: usage.ru_maxrss,
    }
}
