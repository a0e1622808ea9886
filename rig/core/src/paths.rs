//! Where the rig's own files are: the spec and suites (`fixtures/`), bench files and
//! calibrations (`wiring/`), results (`results/`). Never where the binary was built.
//!
//! The rule, first match wins:
//! 1. `rig --root DIR` or `RIG_HOME=DIR`: DIR holds `fixtures/`, `wiring/` and `results/`.
//! 2. A workspace: the nearest folder holding `fixtures/phones.toml`, looked for upwards
//!    from the bench file given on the command line (`--bench`), then from the current
//!    folder. A checkout of the rig is one; so is a lab's own copy of the files.
//! 3. The installed layout (FHS, as the Debian package installs it): `fixtures/` under
//!    the data dir `/usr/share/rig`, `wiring/` (bench files, calibrations) under the config
//!    dir `/etc/rig`, `results/` under the state dir `/var/lib/rig`; each overridable with
//!    `RIG_DATA_DIR`, `RIG_CONFIG_DIR`, `RIG_STATE_DIR`.
//!
//! A relative file named on the command line is read from the current folder when it is
//! there, else from the layout (`wiring/lab.toml` → `/etc/rig/wiring/lab.toml`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The three folders the rig's files live under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Holds `fixtures/`.
    pub(crate) data: PathBuf,
    /// Holds `wiring/`.
    pub(crate) config: PathBuf,
    /// Holds `results/`.
    pub(crate) state: PathBuf,
    /// Which rule found it, in words (`rig --version`-style diagnostics, run.json).
    pub(crate) found_by: String,
}

/// The installed layout's defaults (rule 3).
pub(crate) const DATA_DIR: &str = "/usr/share/rig";
pub(crate) const CONFIG_DIR: &str = "/etc/rig";
pub(crate) const STATE_DIR: &str = "/var/lib/rig";

static LAYOUT: OnceLock<Layout> = OnceLock::new();

impl Layout {
    /// One folder for everything (rules 1 and 2).
    pub(crate) fn workspace(dir: &Path, found_by: impl Into<String>) -> Layout {
        Layout {
            data: dir.to_path_buf(),
            config: dir.to_path_buf(),
            state: dir.to_path_buf(),
            found_by: found_by.into(),
        }
    }

    /// The layout by the rule: `root` is `--root`, `bench` the bench file named on the
    /// command line (either may be absent); `env` reads an environment variable.
    pub fn find(
        root: Option<&Path>,
        bench: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Layout {
        if let Some(r) = root {
            return Layout::workspace(r, format!("--root {}", r.display()));
        }
        if let Some(home) = env("RIG_HOME").filter(|h| !h.is_empty()) {
            return Layout::workspace(Path::new(&home), format!("RIG_HOME={home}"));
        }
        let cwd = std::env::current_dir().ok();
        let bench_dir = bench.and_then(|b| {
            let b = match &cwd {
                Some(c) if b.is_relative() => c.join(b),
                _ => b.to_path_buf(),
            };
            b.is_file()
                .then(|| b.parent().map(Path::to_path_buf))
                .flatten()
        });
        for (start, what) in [(bench_dir, "the bench file"), (cwd, "the current folder")] {
            if let Some(ws) = start.as_deref().and_then(workspace_above) {
                return Layout::workspace(
                    &ws,
                    format!("the workspace of {what}: {}", ws.display()),
                );
            }
        }
        Layout::installed(env)
    }

    /// The installed layout (rule 3), each folder overridable through `env`.
    pub(crate) fn installed(env: impl Fn(&str) -> Option<String>) -> Layout {
        let dir = |var: &str, default: &str| {
            PathBuf::from(env(var).filter(|v| !v.is_empty()).unwrap_or(default.into()))
        };
        Layout {
            data: dir("RIG_DATA_DIR", DATA_DIR),
            config: dir("RIG_CONFIG_DIR", CONFIG_DIR),
            state: dir("RIG_STATE_DIR", STATE_DIR),
            found_by: "the installed layout".into(),
        }
    }

    /// Where `rel` (`fixtures/…`, `wiring/…`, `results/…`, or anything else: data) is.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        let first = Path::new(rel).components().next();
        let base = match first.and_then(|c| c.as_os_str().to_str()) {
            Some("wiring") => &self.config,
            Some("results") => &self.state,
            _ => &self.data,
        };
        base.join(rel)
    }
}

/// The nearest folder from `start` upwards that holds `fixtures/phones.toml`.
fn workspace_above(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("fixtures").join("phones.toml").is_file())
        .map(Path::to_path_buf)
}

/// Fix the layout for this process (the command line does, before anything is read).
/// Later calls change nothing: the first layout stays.
pub fn set_layout(layout: Layout) -> &'static Layout {
    LAYOUT.get_or_init(|| layout)
}

/// The layout of this process: the one set, else found by the rule with no `--root` and
/// no bench file.
pub(crate) fn layout() -> &'static Layout {
    LAYOUT.get_or_init(|| Layout::find(None, None, |v| std::env::var(v).ok()))
}

/// A file of the rig's own (`fixtures/…`, `wiring/…`, `results`) in this process's layout.
pub(crate) fn rig_path(rel: &str) -> PathBuf {
    layout().path(rel)
}

/// A file named on the command line: as given if absolute or present in the current
/// folder, else in the layout.
pub fn resolve(p: &Path) -> PathBuf {
    if p.is_relative() && !p.exists() {
        rig_path(&p.to_string_lossy())
    } else {
        p.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn root_wins_then_rig_home() {
        let l = Layout::find(Some(Path::new("/r")), None, |_| Some("/h".into()));
        assert_eq!(l.path("fixtures/x"), Path::new("/r/fixtures/x"));
        let l = Layout::find(None, None, |v| (v == "RIG_HOME").then(|| "/h".into()));
        assert_eq!(l.path("results"), Path::new("/h/results"));
        assert_eq!(l.found_by, "RIG_HOME=/h");
    }

    #[test]
    fn a_bench_file_in_a_workspace_makes_that_workspace_the_layout() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join("fixtures")).unwrap();
        std::fs::write(ws.path().join("fixtures/phones.toml"), "").unwrap();
        std::fs::create_dir_all(ws.path().join("wiring/lab")).unwrap();
        let bench = ws.path().join("wiring/lab/bench.toml");
        std::fs::write(&bench, "").unwrap();
        let l = Layout::find(None, Some(&bench), no_env);
        assert_eq!(l.data, ws.path());
        assert_eq!(l.path("results"), ws.path().join("results"));
        assert!(l.found_by.contains("the bench file"), "{}", l.found_by);
    }

    #[test]
    fn the_installed_layout_is_fhs_with_each_folder_overridable() {
        let l = Layout::installed(|v| (v == "RIG_STATE_DIR").then(|| "/s".into()));
        assert_eq!(
            l.path("fixtures/phones.toml"),
            Path::new("/usr/share/rig/fixtures/phones.toml")
        );
        assert_eq!(
            l.path("wiring/lab.toml"),
            Path::new("/etc/rig/wiring/lab.toml")
        );
        assert_eq!(l.path("results/run-1"), Path::new("/s/results/run-1"));
    }

    #[test]
    fn a_bench_file_outside_any_workspace_does_not_make_one() {
        let elsewhere = tempfile::tempdir().unwrap();
        let bench = elsewhere.path().join("b.toml");
        std::fs::write(&bench, "").unwrap();
        // Rule 2 then looks from the current folder: this checkout (the tests run in it).
        let l = Layout::find(None, Some(&bench), no_env);
        assert!(l.found_by.contains("the current folder"), "{}", l.found_by);
    }
}
