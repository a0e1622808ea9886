//! The command line (cargo-nextest style): one module per subcommand, each a clap-derive
//! struct with a `run`; a typed error inside, fixed exit codes at the edge.

/// `println!` for progress lines of a command whose result is its files (`rig run`): a
/// closed stdout (`rig run | head`) is not a failure of the run, so nothing is reported
/// (`println!` would panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod bench_args;
mod calibrate;
mod classify;
mod doctor;
mod error;
mod list;
mod press;
mod probe;
mod report;
mod run;
mod selftest;
mod validate;
mod watch;

use clap::{Parser, Subcommand};

pub use error::{ArgError, CliError, ExitCode};

#[derive(Debug, Parser)]
#[command(
    name = "rig",
    version,
    about = "Checks desk phones against the IP Office Twinning button spec"
)]
pub struct Cli {
    /// The folder holding the rig's files (`fixtures/`, `wiring/`, `results/`); default:
    /// `RIG_HOME`, else the workspace of the bench file or of the current folder, else the
    /// installed layout (/usr/share/rig, /etc/rig, /var/lib/rig). See docs/user-guide.md.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a suite on a bench and write results.csv.
    Run(Box<run::RunArgs>),
    /// List the phone catalog, the suite's cases, or the clauses and their coverage.
    List(list::ListArgs),
    /// Check a bench, suite or firmware profile file.
    Validate(validate::ValidateArgs),
    /// Say what a recorded light trace (CSV) shows at its end: colour and cadence.
    Classify(classify::ClassifyArgs),
    /// Measure every light's dark level and reference colours into a calibration file.
    Calibrate(calibrate::CalibrateArgs),
    /// Probe every device of a bench (no relay energised, nothing dialled); exit 0 when all good.
    Doctor(doctor::DoctorArgs),
    /// Press one button of a position through its relay.
    Press(press::PressArgs),
    /// Show the live classified state of one light of a position.
    Watch(watch::WatchArgs),
    /// Talk to one serial device (a modem or a Feasa analyser): identity and one reading.
    Probe(probe::ProbeArgs),
    /// Prove the rig: every fault profile caught on its clauses, the reference passing
    /// under many noise seeds (simulated bench).
    Selftest(selftest::SelftestArgs),
    /// Work on report folders: compare two runs (diff), join several benches' runs (merge).
    Report(report::ReportArgs),
}

impl Cli {
    /// Run the command; the exit code follows the table in docs/user-guide.md ("Exit codes").
    pub fn run(self) -> Result<ExitCode, CliError> {
        // Only these handle SIGINT and SIGTERM ([`run::shutdown_signal`] lets them
        // through once it does); the others stop as any program does.
        if !matches!(
            self.command,
            Command::Run(_) | Command::Calibrate(_) | Command::Watch(_)
        ) {
            release_stop_signals();
        }
        let bench = match &self.command {
            Command::Run(a) => Some(a.bench_file()),
            Command::Calibrate(a) => Some(a.bench_file()),
            Command::Doctor(a) => Some(a.bench_file()),
            Command::Press(a) => Some(a.bench_file()),
            Command::Watch(a) => Some(a.bench_file()),
            _ => None,
        };
        crate::paths::set_layout(crate::paths::Layout::find(
            self.root.as_deref(),
            bench,
            |v| std::env::var(v).ok(),
        ));
        match self.command {
            Command::Run(a) => (*a).run(),
            Command::List(a) => a.run(),
            Command::Validate(a) => a.run(),
            Command::Classify(a) => a.run(),
            Command::Calibrate(a) => a.run(),
            Command::Doctor(a) => a.run(),
            Command::Press(a) => a.run(),
            Command::Watch(a) => a.run(),
            Command::Probe(a) => a.run(),
            Command::Selftest(a) => a.run(),
            Command::Report(a) => a.run(),
        }
    }
}

/// Whether stdout is a terminal that takes a live display's escape codes: not with
/// `NO_COLOR` set (no escape codes at all) or `TERM=dumb`.
pub(crate) fn live_terminal() -> bool {
    use std::io::IsTerminal as _;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// Hold SIGINT and SIGTERM back from the first thing `main` does: blocked, a signal that
/// comes stays pending instead of killing the process. A command that handles them lets
/// them through once its handlers are in place ([`run::shutdown_signal`]), so a signal at
/// any moment of `rig run` — even while it reads its files, before it has a runtime —
/// ends the run as documented (exit 130/143, the report set written, relays released)
/// and never kills it with no report. The other commands let them through at once.
pub fn hold_stop_signals() {
    stop_signal_mask(libc::SIG_BLOCK);
}

/// Let SIGINT and SIGTERM through again; one held back meanwhile is delivered now.
fn release_stop_signals() {
    stop_signal_mask(libc::SIG_UNBLOCK);
}

fn stop_signal_mask(how: libc::c_int) {
    // SAFETY: the set is initialised by sigemptyset before use; pthread_sigmask only
    // changes this thread's mask (threads started later inherit it).
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// Past a file size limit (`ulimit -f`) a write fails with EFBIG, reported as a report
/// that cannot be written (exit 4, the file named), instead of SIGXFSZ killing the rig
/// with no report and no word.
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN has no handler to be unsafe in.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
