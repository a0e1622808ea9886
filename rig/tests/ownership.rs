//! One run per output folder and per bench; the operator's input; a wrong serial path.
//! Each test runs the real binary as a user would.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::printed;
use rig::ownership::{claim_output_folder, lock_bench, lock_bench_in, Holder};

const LAB: &str = "wiring/lab-example.toml";

fn rig_in(lock_dir: &Path, args: &[&str], stdin: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(args)
        .current_dir(rig::workspace_path("."))
        .env("RIG_LOCK_DIR", lock_dir)
        .stdin(stdin)
        .output()
        .expect("rig runs")
}

fn lab_bench() -> rig::bench::Bench {
    let spec = rig::spec::Spec::load(rig::spec::Spec::default_dir()).unwrap();
    rig::bench::Bench::load(rig::workspace_path(LAB), &spec.catalog).unwrap()
}

/// `rig run` of one case into `out`, which must be refused (exit 2); what it said.
fn refused_run_into(lock_dir: &Path, out: &Path) -> String {
    let args = ["run", "--only", "toggle", "--out", out.to_str().unwrap()];
    let o = rig_in(lock_dir, &args, Stdio::null());
    let said = printed(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    said
}

#[test]
fn a_run_into_a_used_folder_is_refused_and_the_folder_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("results.csv"), "an earlier run's rows\n").unwrap();
    let said = refused_run_into(tmp.path(), &out);
    assert!(
        said.contains("not empty") && said.contains("results.csv"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("results.csv")).unwrap(),
        "an earlier run's rows\n"
    );
}

#[test]
fn a_run_into_a_folder_another_run_holds_is_refused_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let holder = Holder::this_process("rig run", Path::new(LAB), Some(&out));
    let _held = claim_output_folder(&out, &holder).unwrap();
    let said = refused_run_into(tmp.path(), &out);
    assert!(
        said.contains(&format!("pid {}", std::process::id())),
        "{said}"
    );
    assert!(!out.join("results.csv").exists());
}

#[test]
fn two_runs_into_one_folder_at_once_leave_one_runs_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let start = |firmware: &str| {
        Command::new(env!("CARGO_BIN_EXE_rig"))
            .args(["run", "--family", "9608", "--firmware", firmware])
            .args(["--out", out.to_str().unwrap()])
            .current_dir(rig::workspace_path("."))
            .env("RIG_LOCK_DIR", tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start("fw-alpha"), start("fw-bravo"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let refused: Vec<&Output> = [&a, &b]
        .into_iter()
        .filter(|o| o.status.code() == Some(2))
        .collect();
    assert_eq!(refused.len(), 1, "{}\n{}", printed(&a), printed(&b));
    let said = printed(refused[0]);
    assert!(
        said.contains("in use by") || said.contains("not empty"),
        "{said}"
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let firmware = if a.status.code() == Some(2) {
        "fw-bravo"
    } else {
        "fw-alpha"
    };
    let other = if firmware == "fw-alpha" {
        "fw-bravo"
    } else {
        "fw-alpha"
    };
    assert!(csv.contains(firmware) && !csv.contains(other), "{csv}");
}

#[test]
fn a_second_command_on_a_held_bench_is_refused_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let bench = lab_bench();
    let out = tmp.path().join("first-run");
    let holder = Holder::this_process("rig run", &bench.path, Some(&out));
    let held = lock_bench_in(tmp.path(), &bench, &holder).unwrap();
    assert!(!held.is_empty());
    let second = tmp.path().join("second-run");
    for args in [
        vec!["run", "--bench", LAB, "--out", second.to_str().unwrap()],
        vec!["doctor", "--bench", LAB],
        vec!["press", "p9608", "twinning", "--bench", LAB],
    ] {
        let o = rig_in(tmp.path(), &args, Stdio::null());
        let said = printed(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains(&format!("pid {}", std::process::id())),
            "{said}"
        );
        assert!(
            said.contains("first-run"),
            "the holder's output folder: {said}"
        );
    }
    assert!(!second.exists(), "a refused run writes nothing");
}

/// Not a test on its own: the child `a_killed_holder_leaves_no_stale_lock` starts, which
/// holds the lab bench until it is killed.
#[test]
#[ignore]
fn hold_the_lab_bench_until_killed() {
    if std::env::var_os("RIG_HOLD_BENCH").is_none() {
        return;
    }
    let bench = lab_bench();
    let holder = Holder::this_process("holder", &bench.path, None);
    let _held = lock_bench(&bench, &holder).unwrap();
    println!("holding");
    std::thread::sleep(Duration::from_secs(120));
}

#[test]
fn a_killed_holder_leaves_no_stale_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "ownership::hold_the_lab_bench_until_killed",
            "--exact",
            "--ignored",
        ])
        .args(["--nocapture", "--test-threads", "1"])
        .env("RIG_HOLD_BENCH", "1")
        .env("RIG_LOCK_DIR", tmp.path())
        .current_dir(rig::workspace_path("."))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the child has said who holds the lock.
    let deadline = Instant::now() + Duration::from_secs(60);
    let holds = || {
        std::fs::read_dir(tmp.path()).unwrap().any(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .is_ok_and(|t| t.contains(&format!("pid {}", child.id())))
        })
    };
    while !holds() {
        assert!(Instant::now() < deadline, "the holder never locked");
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = rig_in(tmp.path(), &["doctor", "--bench", LAB], Stdio::null());
    assert_eq!(o.status.code(), Some(2), "{}", printed(&o));
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    let bench = lab_bench();
    lock_bench_in(
        tmp.path(),
        &bench,
        &Holder::this_process("after", &bench.path, None),
    )
    .expect("the kernel released the killed holder's locks");
}

#[test]
fn an_operator_whose_input_ends_makes_the_manual_check_an_error_not_a_skip() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = rig_in(
        tmp.path(),
        &[
            "run",
            "--operator",
            "--only",
            "set-destination",
            "--family",
            "9608",
            "--out",
            out.to_str().unwrap(),
        ],
        Stdio::null(),
    );
    let said = printed(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(csv.contains("ERROR") && csv.contains("stdin"), "{csv}");
    assert!(!csv.contains("run with --operator"), "{csv}");
}

#[test]
fn an_operator_answering_through_a_pipe_is_heard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(["run", "--operator", "--only", "set-destination"])
        .args(["--family", "9608", "--out", out.to_str().unwrap()])
        .current_dir(rig::workspace_path("."))
        .env("RIG_LOCK_DIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    // More answers than prompts; the rest are never read.
    let _ = stdin.write_all("y display offers it\n".repeat(20).as_bytes());
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    let said = printed(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        csv.contains("MANUAL") && csv.contains("display offers it"),
        "{csv}"
    );
}

#[test]
fn probing_a_path_that_is_no_serial_port_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    for device in ["modem", "feasa"] {
        let o = rig_in(tmp.path(), &["probe", device, "/dev/null"], Stdio::null());
        let said = printed(&o);
        assert_eq!(o.status.code(), Some(2), "{said}");
        assert!(said.contains("not a serial port"), "{said}");
    }
}
