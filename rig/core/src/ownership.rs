//! Ownership: one run per output folder, one command per bench.
//!
//! A run writes into a folder nobody else writes into, and drives relays and modems nobody
//! else drives. Both are held with OS file locks (`flock`, through `std::fs::File::lock`),
//! which the kernel releases when the process ends however it ends: a `kill -9` leaves no
//! stale lock to clean up by hand.
//!
//! - **The output folder** must be new or empty. `<out>/.rig.lock` is locked for the whole
//!   run and removed when the run ends; a folder holding nothing but an unheld lock file
//!   (a run killed before its first row) counts as empty. Rerunning into a used folder is
//!   refused: a report set is one run's, never a mixture (there is no overwrite option:
//!   a lab that wants a fresh run gives a fresh folder, the default).
//! - **The bench's hardware**: one lock per physical resource a bench file names (each
//!   GPIO line, each I2C bus, each serial port, by its real path), so two bench files that
//!   share a modem exclude each other too. Lock files live in the lock directory
//!   (`lock_dir`: `$RIG_LOCK_DIR`, else `/run/lock`, the FHS place for them, else the
//!   temp dir) and are left in place (unlinking a lock file others may be opening races).
//!   A simulated bench holds no hardware: its runs are independent and take no lock.
//!
//! Every lock file says who holds it (pid, start time, command, output folder, bench), so
//! the refusal names the holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::bench::{Bench, ModemDriver, RelayDriver, SensorDriver};

/// The output folder's lock file.
pub(crate) const OUT_LOCK_FILE: &str = ".rig.lock";
/// A holder's description is at most this long when read back (a lock file is ours, but
/// a bound costs nothing).
const MAX_HOLDER_BYTES: u64 = 4096;

/// Who holds a lock: written into the lock file, read back by whoever is refused.
#[derive(Debug, Clone)]
pub struct Holder {
    pub(crate) pid: u32,
    pub(crate) started: SystemTime,
    /// The command, e.g. `rig run`.
    pub(crate) command: String,
    pub(crate) out: Option<PathBuf>,
    pub(crate) bench: PathBuf,
}

impl Holder {
    /// This process, now.
    pub fn this_process(command: &str, bench: &Path, out: Option<&Path>) -> Holder {
        Holder {
            pid: std::process::id(),
            started: SystemTime::now(),
            command: command.to_string(),
            out: out.map(Path::to_path_buf),
            bench: bench.to_path_buf(),
        }
    }

    fn describe(&self) -> String {
        let out = self
            .out
            .as_ref()
            .map_or_else(|| "none".to_string(), |o| o.display().to_string());
        format!(
            "pid {}, started {}, `{}`, output folder {}, bench {}",
            self.pid,
            humantime::format_rfc3339_seconds(self.started),
            self.command,
            out,
            self.bench.display()
        )
    }
}

/// Why a claim was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Someone holds it; `holder` is what its lock file says.
    #[error("{what} is in use by another rig ({holder}); wait for it to finish or stop it")]
    Busy { what: String, holder: String },
    /// The output folder holds files of another run.
    #[error("{}: the output folder is not empty (it holds {}); give a new or empty folder", dir.display(), entries.join(", "))]
    NotEmpty { dir: PathBuf, entries: Vec<String> },
    /// The output folder cannot be made or used: a file of that name, a missing parent
    /// that cannot be created, no permission.
    #[error("{}: cannot use as the output folder: {error}", dir.display())]
    Folder { dir: PathBuf, error: std::io::Error },
    /// The lock could not be taken at all (permissions, a read-only file system).
    #[error("{}: cannot lock: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// A held lock; released (and for the output folder, its file removed) when dropped.
#[derive(Debug)]
pub struct Claim {
    file: File,
    path: PathBuf,
    remove_on_drop: bool,
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Remove before unlocking: whoever opens the old file afterwards finds the folder
        // full of this run's reports and is refused for that.
        if self.remove_on_drop {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Claim `dir` as a run's output folder: create it if missing, lock it, and refuse it if
/// another run holds it or it holds anything already.
pub fn claim_output_folder(dir: &Path, holder: &Holder) -> Result<Claim, ClaimError> {
    let folder = |error| ClaimError::Folder {
        dir: dir.to_path_buf(),
        error,
    };
    std::fs::create_dir_all(dir).map_err(folder)?;
    if !dir.is_dir() {
        return Err(folder(std::io::Error::other("it is not a folder")));
    }
    let path = dir.join(OUT_LOCK_FILE);
    let what = format!("{}: the output folder", dir.display());
    let mut claim = lock(&path, &what)?;
    let entries = other_entries(dir).map_err(|error| ClaimError::Io {
        path: dir.to_path_buf(),
        error,
    })?;
    if !entries.is_empty() {
        // Not ours to remove: the lock file may belong to that earlier run's folder.
        claim.remove_on_drop = false;
        return Err(ClaimError::NotEmpty {
            dir: dir.to_path_buf(),
            entries,
        });
    }
    claim.remove_on_drop = true;
    write_holder(&mut claim, holder)?;
    Ok(claim)
}

/// Lock every piece of hardware `bench` drives (none for a simulated bench), in
/// `lock_dir`.
pub fn lock_bench(bench: &Bench, holder: &Holder) -> Result<Vec<Claim>, ClaimError> {
    lock_bench_in(&lock_dir(), bench, holder)
}

/// [`lock_bench`] with the lock files in `dir`.
pub fn lock_bench_in(dir: &Path, bench: &Bench, holder: &Holder) -> Result<Vec<Claim>, ClaimError> {
    let resources = hardware_of(bench);
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let dir = dir.to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|error| ClaimError::Io {
        path: dir.clone(),
        error,
    })?;
    let mut claims = Vec::new();
    for r in resources {
        let path = dir.join(format!("rig-{}.lock", file_safe(&r)));
        let what = format!("{r} (bench {})", bench.path.display());
        let mut claim = lock(&path, &what)?;
        write_holder(&mut claim, holder)?;
        claims.push(claim);
    }
    Ok(claims)
}

/// The physical resources a bench file names, each once: `gpiochip0 line 17`, `i2c-1`,
/// a serial port's real path.
pub(crate) fn hardware_of(bench: &Bench) -> Vec<String> {
    let mut out = Vec::new();
    for r in &bench.relays {
        if let RelayDriver::Gpio { pins, .. } = &r.driver {
            out.extend(pins.iter().map(|p| format!("gpiochip0 line {p}")));
        }
    }
    for s in &bench.sensors {
        match &s.driver {
            SensorDriver::Sim => {}
            SensorDriver::Tcs34725 { i2c_bus, .. } | SensorDriver::Ads1115 { i2c_bus, .. } => {
                out.push(format!("i2c-{i2c_bus}"))
            }
            SensorDriver::Feasa { port, .. } => out.push(real_path(port)),
        }
    }
    for m in &bench.modems {
        if let ModemDriver::Serial { port, .. } = &m.driver {
            out.push(real_path(port));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Where bench locks live: `$RIG_LOCK_DIR`, else `/run/lock` when writable, else the
/// temp dir's `rig-locks`.
pub(crate) fn lock_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RIG_LOCK_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let run_lock = Path::new("/run/lock");
    if is_writable_dir(run_lock) {
        run_lock.to_path_buf()
    } else {
        std::env::temp_dir().join("rig-locks")
    }
}

fn is_writable_dir(p: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path; access(2) only reads it.
    p.is_dir() && unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0
}

/// A by-id symlink and the tty it points to are one port.
fn real_path(port: &str) -> String {
    std::fs::canonicalize(port).map_or_else(|_| port.to_string(), |p| p.display().to_string())
}

/// A lock file name for a resource: its readable part, and for a long name a digest of
/// the whole (a file name has at most 255 bytes; two long ports must not share a lock).
fn file_safe(s: &str) -> String {
    const KEEP: usize = 80;
    let safe: String = s
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.len() <= KEEP {
        return safe;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(s.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", &safe[..KEEP])
}

/// Open (creating) `path` and take its exclusive lock without waiting.
fn lock(path: &Path, what: &str) -> Result<Claim, ClaimError> {
    let io = |error| ClaimError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Claim {
            file,
            path: path.to_path_buf(),
            remove_on_drop: false,
        }),
        Err(TryLockError::WouldBlock) => Err(ClaimError::Busy {
            what: what.to_string(),
            holder: read_holder(&mut file),
        }),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

fn write_holder(claim: &mut Claim, holder: &Holder) -> Result<(), ClaimError> {
    let io = |error| ClaimError::Io {
        path: claim.path.clone(),
        error,
    };
    claim.file.set_len(0).map_err(io)?;
    claim.file.seek(SeekFrom::Start(0)).map_err(io)?;
    claim
        .file
        .write_all(format!("{}\n", holder.describe()).as_bytes())
        .map_err(io)
}

fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.take(MAX_HOLDER_BYTES).read_to_string(&mut text));
    match read {
        Ok(_) if !text.trim().is_empty() => text.trim().to_string(),
        // Locked but not yet described: the holder is between its lock and its write.
        _ => "a process that has not said who it is yet".to_string(),
    }
}

/// The folder's entries other than the lock file, sorted, the first few named.
fn other_entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if name != OUT_LOCK_FILE {
            names.push(name);
        }
    }
    names.sort();
    let more = names.len().saturating_sub(5);
    names.truncate(5);
    if more > 0 {
        names.push(format!("and {more} more"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(out: &Path) -> Holder {
        Holder::this_process("rig run", Path::new("wiring/x.toml"), Some(out))
    }

    #[test]
    fn a_new_folder_is_claimed_and_its_lock_file_removed_after() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("new/run");
        let claim = claim_output_folder(&out, &holder(&out)).unwrap();
        let said = std::fs::read_to_string(out.join(OUT_LOCK_FILE)).unwrap();
        assert!(
            said.contains(&format!("pid {}", std::process::id())),
            "{said}"
        );
        drop(claim);
        assert!(out.is_dir());
        assert!(!out.join(OUT_LOCK_FILE).exists());
    }

    #[test]
    fn a_held_folder_is_refused_naming_its_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().to_path_buf();
        let _first = claim_output_folder(&out, &holder(&out)).unwrap();
        let e = claim_output_folder(&out, &holder(&out)).unwrap_err();
        let said = e.to_string();
        assert!(matches!(e, ClaimError::Busy { .. }), "{said}");
        assert!(
            said.contains(&format!("pid {}", std::process::id())),
            "{said}"
        );
        assert!(said.contains("rig run"), "{said}");
    }

    #[test]
    fn a_used_folder_is_refused_and_keeps_its_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().to_path_buf();
        std::fs::write(out.join("results.csv"), "old").unwrap();
        let e = claim_output_folder(&out, &holder(&out)).unwrap_err();
        assert!(matches!(e, ClaimError::NotEmpty { .. }), "{e}");
        assert!(e.to_string().contains("results.csv"), "{e}");
        assert_eq!(
            std::fs::read_to_string(out.join("results.csv")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_lock_file_left_by_a_killed_run_does_not_make_a_folder_used() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().to_path_buf();
        std::fs::write(out.join(OUT_LOCK_FILE), "pid 1, long gone").unwrap();
        claim_output_folder(&out, &holder(&out)).unwrap();
    }

    #[test]
    fn a_file_or_an_unmakeable_path_is_no_output_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        for out in [file.clone(), file.join("below")] {
            let e = claim_output_folder(&out, &holder(&out)).unwrap_err();
            assert!(matches!(e, ClaimError::Folder { .. }), "{e}");
            assert!(
                e.to_string().contains("cannot use as the output folder"),
                "{e}"
            );
        }
    }

    #[test]
    fn resources_are_named_once_by_their_real_path() {
        assert_eq!(file_safe("/dev/ttyUSB0"), "dev_ttyUSB0");
        assert_eq!(file_safe("gpiochip0 line 17"), "gpiochip0_line_17");
        assert_eq!(real_path("/no/such/port"), "/no/such/port");
        let long_a = format!("/dev/serial/by-id/{}-a", "x".repeat(400));
        let long_b = format!("/dev/serial/by-id/{}-b", "x".repeat(400));
        let (a, b) = (file_safe(&long_a), file_safe(&long_b));
        assert!(a.len() < 120 && b.len() < 120, "{a}");
        assert_ne!(a, b);
    }
}
