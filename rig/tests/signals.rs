//! Every exit path leaves every relay released: a running `rig run` stopped by SIGINT or
//! SIGTERM releases its relays (the simulated relays log each change) and keeps the rows
//! it had written. A signal at any moment, even before the run has begun, ends it so.

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

/// Serves `text` to the first reader of the FIFO at `path`, once `go` says so; then
/// puts a plain file with the same text in its place (the rig reads its inputs again for
/// run.json's digests).
fn serve_fifo(
    path: std::path::PathBuf,
    text: String,
    first_reader: std::sync::mpsc::Sender<()>,
    go: std::sync::mpsc::Receiver<()>,
) -> std::thread::JoinHandle<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        // Non-blocking: the open fails (ENXIO) until a reader has the FIFO open.
        let mut w = loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&path)
            {
                Ok(w) => break w,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => panic!("no reader: {e}"),
            }
        };
        first_reader.send(()).unwrap();
        go.recv().unwrap();
        // The rig may be gone (killed): that is the test's to see, not here.
        let _ = w.write_all(text.as_bytes());
        drop(w);
        let plain = path.with_extension("plain");
        std::fs::write(&plain, &text).unwrap();
        std::fs::rename(&plain, &path).unwrap();
    })
}

#[test]
fn a_signal_while_the_rig_reads_its_files_ends_the_run_as_documented() {
    use std::sync::mpsc;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let log = dir.path().join("relays.log");
    // The firmware profile comes through a FIFO: the rig is held reading it, at the start
    // of its life, before any case and before any handler of the old code was in place.
    let fifo = dir.path().join("reference.toml");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let text =
        std::fs::read_to_string(rig::workspace_path("fixtures/firmware/reference.toml")).unwrap();
    let (reading_tx, reading) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let server = serve_fifo(fifo.clone(), text, reading_tx, go_rx);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(["run", "--only", "toggle", "--family", "9611", "--out"])
        .arg(&out)
        .arg("--sim-firmware")
        .arg(&fifo)
        .arg("--sim-relay-log")
        .arg(&log)
        .current_dir(rig::workspace_path("."))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rig starts");
    reading
        .recv_timeout(Duration::from_secs(30))
        .expect("the rig opens its profile");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // Time for a signal that is not held back to kill the process.
    std::thread::sleep(Duration::from_millis(200));
    go.send(()).unwrap();
    server.join().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status}");
    // Stopped as documented: results.csv and the report set, the run marked interrupted.
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(csv.starts_with("run_id,bench,position"), "{csv}");
    let record: rig::report::RunRecord =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(record.interrupted);
    for (channel, pressed) in &final_states(&std::fs::read_to_string(&log).unwrap_or_default()) {
        assert!(!pressed, "relay {channel} left pressed");
    }
}
