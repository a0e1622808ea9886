//! Every exit path leaves every relay released: a running `rig run` stopped by SIGINT or
//! SIGTERM releases its relays (the simulated relays log each change) and keeps the rows
//! it had written.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The last logged state of each relay channel (`t_ms channel 1|0` lines).
fn final_states(log: &str) -> Vec<(String, bool)> {
    let mut states: Vec<(String, bool)> = Vec::new();
    for line in log.lines() {
        let mut parts = line.split_whitespace();
        let (_, ch, v) = (
            parts.next(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap() == "1",
        );
        match states.iter_mut().find(|(c, _)| *c == ch) {
            Some(s) => s.1 = v,
            None => states.push((ch, v)),
        }
    }
    states
}

fn stopped_by(signal: &str, expected_code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("relays.log");
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args([
            "run",
            "--realtime",
            "--only",
            "toggle",
            "--family",
            "9611",
            "--out",
        ])
        .arg(&out)
        .arg("--sim-relay-log")
        .arg(&log)
        .current_dir(rig::workspace_path("."))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rig starts");
    // Wait until the rig has pressed a button (real time: the toggle case probes first).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .any(|l| l.ends_with(" 1"))
    {
        assert!(Instant::now() < deadline, "the rig never pressed a button");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the rig ended before it was signalled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected_code), "{signal}");

    let states = final_states(&std::fs::read_to_string(&log).unwrap());
    assert!(!states.is_empty());
    for (channel, pressed) in &states {
        assert!(!pressed, "{signal}: relay {channel} left pressed");
    }
    // The report is there, with its header, even though no case finished.
    let csv = std::fs::read_to_string(Path::new(&out).join("results.csv")).unwrap();
    assert!(csv.starts_with("run_id,bench,position"), "{csv}");
}

#[test]
fn sigint_releases_every_relay_and_exits_130() {
    stopped_by("-INT", 130);
}

#[test]
fn sigterm_releases_every_relay_and_exits_143() {
    stopped_by("-TERM", 143);
}
