//! What `rig run` shows: the live display under a real pseudo-terminal (with its ETA
//! within 2 s of starting), one plain line per case when piped, no escape codes with
//! NO_COLOR; and the filters (`--position`, `--clause`, `--fail-fast`, `--rerun-failed`).

use std::io::Read as _;
use std::os::fd::{FromRawFd as _, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::printed;

/// `rig run ARGS` with its stdout and stderr on a fresh pseudo-terminal (120 × 40), its
/// stdin empty; `env` set (and NO_COLOR, CLICOLOR* removed unless given).
struct OnPty {
    child: std::process::Child,
    started: Instant,
    /// Chunks of output as they came, with when.
    chunks: mpsc::Receiver<(Duration, Vec<u8>)>,
    seen: Vec<u8>,
}

impl OnPty {
    fn spawn(args: &[&str], env: &[(&str, &str)]) -> OnPty {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes the two descriptors it opens; no name buffer, no termios.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rig"));
        cmd.args(args)
            .current_dir(rig::workspace_path("."))
            .stdin(Stdio::null())
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let child = cmd.spawn().expect("rig runs");
        // Only the child holds the terminal now: the master reads EOF (EIO) once it ends.
        drop(slave);
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut f = std::fs::File::from(master);
            let mut buf = [0u8; 8192];
            loop {
                match f.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send((started.elapsed(), buf[..n].to_vec())).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        OnPty {
            child,
            started,
            chunks,
            seen: Vec::new(),
        }
    }

    /// Read until `what` has been printed; when it was, or `None` by `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration) -> Option<Duration> {
        loop {
            if find(&self.seen, what.as_bytes()).is_some() {
                return Some(self.started.elapsed());
            }
            let left = limit.checked_sub(self.started.elapsed())?;
            match self.chunks.recv_timeout(left) {
                Ok((_, bytes)) => self.seen.extend(bytes),
                Err(_) => return None,
            }
        }
    }

    /// Everything printed until the process ended, and its exit code.
    fn finish(mut self) -> (String, Option<i32>) {
        let status = self.child.wait().expect("rig ends");
        while let Ok((_, bytes)) = self.chunks.recv_timeout(Duration::from_secs(10)) {
            self.seen.extend(bytes);
        }
        (
            String::from_utf8_lossy(&self.seen).into_owned(),
            status.code(),
        )
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn out_dir(dir: &Path) -> String {
    dir.join("out").to_string_lossy().into_owned()
}

/// The rows of `out/results.csv` as (position, case, verdict, clauses).
fn rows(out: &str) -> Vec<(String, String, String, String)> {
    let mut r = csv::Reader::from_path(Path::new(out).join("results.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (p, c, v, k) = (col("position"), col("case"), col("verdict"), col("clauses"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (x[p].into(), x[c].into(), x[v].into(), x[k].into())
        })
        .collect()
}

fn rig_run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rig"))
        .arg("run")
        .args(args)
        .current_dir(rig::workspace_path("."))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("rig runs")
}

#[test]
fn on_a_terminal_the_live_display_shows_an_eta_within_two_seconds() {
    // On the wall clock, as on a lab bench: the run would take minutes; it is stopped
    // once the display has been seen.
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let mut run = OnPty::spawn(
        &[
            "run",
            "--realtime",
            "--only",
            "toggle,shows-on",
            "--position",
            "p9611,p1416",
            "--out",
            &out,
        ],
        &[],
    );
    let eta = run.wait_for("ETA ", Duration::from_secs(2));
    let step = run.wait_for("step 1/", Duration::from_secs(8));
    // SAFETY: a signal to our own child, which has not been waited for.
    unsafe { libc::kill(run.child.id() as libc::pid_t, libc::SIGINT) };
    let (text, code) = run.finish();
    assert!(eta.is_some(), "no ETA within 2 s:\n{text}");
    assert!(step.is_some(), "no position's step shown:\n{text}");
    assert!(text.contains("p9611") && text.contains("p1416"), "{text}");
    assert!(
        text.contains("toggle") || text.contains("shows-on"),
        "{text}"
    );
    // Drawn in place: the display moves the cursor up to redraw its lines.
    assert!(
        text.contains("\x1b[1A") || text.contains("\x1b[2K"),
        "{text:?}"
    );
    assert_eq!(code, Some(130), "{text}");
    assert!(text.contains("Summary per family (INTERRUPTED)"), "{text}");
}

#[test]
fn a_virtual_time_run_on_a_terminal_draws_its_display_then_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let sim = "fixtures/firmware/faults/9611-on-shown-red.toml";
    let run = OnPty::spawn(
        &[
            "run",
            "--only",
            "shows-on,toggle",
            "--family",
            "9611,1400",
            "--sim-firmware",
            sim,
            "--out",
            &out,
        ],
        &[],
    );
    let (text, code) = run.finish();
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("ETA "), "{text}");
    // The FAIL printed as it came, in colour (a terminal, no NO_COLOR).
    assert!(text.contains("\x1b[31mFAIL"), "{text:?}");
    // The end: every FAIL with what was expected and seen and its trace, the report.
    let end = &text[text.find("Summary per family").expect("a summary")..];
    assert!(end.contains("FAIL and ERROR (1):"), "{end}");
    assert!(
        end.contains("expected: twinning light: green steady"),
        "{end}"
    );
    assert!(end.contains("traces/p9611_shows-on_1.csv"), "{end}");
    assert!(end.contains(&format!("report: {out}/report.html")), "{end}");
}

#[test]
fn no_color_on_a_terminal_means_no_escape_codes_and_a_line_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let run = OnPty::spawn(
        &[
            "run",
            "--only",
            "shows-on,toggle",
            "--family",
            "9611,1400",
            "--out",
            &out,
        ],
        &[("NO_COLOR", "1")],
    );
    let (text, code) = run.finish();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        !text.contains('\x1b'),
        "an escape code with NO_COLOR:\n{text:?}"
    );
    let planned = rows(&out).len();
    let lines = text.lines().filter(|l| l.starts_with('[')).count();
    assert_eq!(lines, planned, "{text}");
}

#[test]
fn piped_a_run_prints_one_plain_line_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let o = rig_run(&["--only", "toggle,shows-on,set-destination", "--out", &out]);
    let text = printed(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(!text.contains('\x1b'), "escape codes in a pipe:\n{text:?}");
    let csv = rows(&out);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(lines.len(), csv.len(), "{text}");
    let total = csv.len();
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with(&format!("[{:>4}/{total} @", i + 1)), "{l}");
    }
    // Each row's verdict, position and case are on its line.
    for (p, c, v, _) in &csv {
        let p = if p.is_empty() { "-" } else { p.as_str() };
        assert!(
            lines.iter().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.contains(&v.as_str()) && w.contains(&p) && w.contains(&c.as_str())
            }),
            "no line for {p} {c} {v}:\n{text}"
        );
    }
    assert!(
        text.contains(&format!("report: {out}/report.html")),
        "{text}"
    );
    // `--color always` colours the verdicts even in a pipe; `-q` prints only the end.
    let coloured = rig_run(&[
        "--only",
        "toggle",
        "--family",
        "9611",
        "--color",
        "always",
        "--out",
        &format!("{out}-c"),
    ]);
    assert!(
        printed(&coloured).contains("\x1b[32mPASS"),
        "{}",
        printed(&coloured)
    );
    let quiet = rig_run(&[
        "--only",
        "toggle",
        "--family",
        "9611",
        "-q",
        "--out",
        &format!("{out}-q"),
    ]);
    let q = printed(&quiet);
    assert!(!q.lines().any(|l| l.starts_with('[')), "{q}");
    assert!(q.contains("Summary per family (complete)"), "{q}");
    // `-vv` shows each step as it starts.
    let steps = rig_run(&[
        "--only",
        "toggle",
        "--position",
        "p9611",
        "-vv",
        "--out",
        &format!("{out}-s"),
    ]);
    let s = printed(&steps);
    assert!(
        s.contains("p9611    toggle                 step 2/5: press twinning"),
        "{s}"
    );
    assert!(s.contains("setup") && s.contains("cleanup"), "{s}");
}

#[test]
fn position_and_clause_filters_pick_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let o = rig_run(&[
        "--position",
        "p9611,p1416",
        "--clause",
        "S4,S3",
        "--out",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    let csv = rows(&out);
    let cases: std::collections::BTreeSet<&str> = csv.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        cases.into_iter().collect::<Vec<_>>(),
        ["shows-follow", "shows-off", "shows-on", "toggle"]
    );
    assert!(
        csv.iter().all(|r| r.0 == "p9611" || r.0 == "p1416"),
        "{csv:?}"
    );
    assert_eq!(
        csv.len(),
        8,
        "two positions × four cases, no catalog-only rows"
    );
    for bad in [["--position", "p9999"], ["--clause", "S99"]] {
        let o = rig_run(&[bad[0], bad[1], "--out", &format!("{out}-bad")]);
        assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
        assert!(printed(&o).contains(bad[1]), "{}", printed(&o));
    }
}

#[test]
fn fail_fast_starts_no_case_after_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = out_dir(dir.path());
    let sim = "fixtures/firmware/faults/toggle-does-not-toggle.toml";
    let full = rig_run(&["--sim-firmware", sim, "--out", &format!("{out}-full")]);
    assert_eq!(full.status.code(), Some(1));
    let o = rig_run(&["--sim-firmware", sim, "--fail-fast", "--out", &out]);
    let text = printed(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("Summary per family (stopped at the first FAIL or ERROR (--fail-fast))"),
        "{text}"
    );
    let (all, cut) = (rows(&format!("{out}-full")), rows(&out));
    assert!(
        cut.len() < all.len() / 2,
        "{} of {} rows ran",
        cut.len(),
        all.len()
    );
    // Only the cases already running when the first FAIL came finished after it.
    let first = cut.iter().position(|r| r.2 == "FAIL").expect("a FAIL");
    let positions = 13;
    assert!(
        cut.len() - first <= positions,
        "{} rows after the first FAIL",
        cut.len() - first
    );
}

#[test]
fn rerun_failed_runs_the_fail_and_error_pairs_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first").to_string_lossy().into_owned();
    let sim = "fixtures/firmware/faults/9611-on-shown-red.toml";
    let o = rig_run(&["--sim-firmware", sim, "--out", &first]);
    assert_eq!(o.status.code(), Some(1), "{}", printed(&o));
    let mut failed: Vec<(String, String)> = rows(&first)
        .into_iter()
        .filter(|r| r.2 == "FAIL" || r.2 == "ERROR")
        .map(|r| (r.0, r.1))
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            ("p9611".to_string(), "shows-follow".to_string()),
            ("p9611".into(), "shows-on".into())
        ]
    );
    // Fixed firmware: the two pairs alone run again, and pass.
    let second = dir.path().join("second").to_string_lossy().into_owned();
    let o = rig_run(&["--rerun-failed", &first, "--repeat", "2", "--out", &second]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "passes, but a rerun certifies nothing: {}",
        printed(&o)
    );
    let mut again: Vec<(String, String, String)> =
        rows(&second).into_iter().map(|r| (r.0, r.1, r.2)).collect();
    again.sort();
    assert_eq!(again.len(), 4, "{again:?}");
    assert!(again.iter().all(|r| r.2 == "PASS"), "{again:?}");
    // Nothing failed in the second: nothing to run again, no folder made.
    let third = dir.path().join("third");
    let o = rig_run(&["--rerun-failed", &second, "--out", third.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", printed(&o));
    assert!(
        printed(&o).contains("no FAIL or ERROR row to run again"),
        "{}",
        printed(&o)
    );
    assert!(!third.exists());
    // A report naming a position this bench does not have is bad input.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let csv = std::fs::read_to_string(Path::new(&first).join("results.csv")).unwrap();
    std::fs::write(other.join("results.csv"), csv.replace("p9611", "p0000")).unwrap();
    let o = rig_run(&[
        "--rerun-failed",
        other.to_str().unwrap(),
        "--out",
        third.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    assert!(printed(&o).contains("position `p0000`"), "{}", printed(&o));
    assert!(
        printed(&o).contains("give the earlier run's --bench"),
        "{}",
        printed(&o)
    );
}
