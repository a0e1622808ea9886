//! The CLI's errors and exit codes (documented in README.md and docs/user-guide.md, "Exit codes").

use crate::source::InputErrors;

/// Exit codes. Fixed: scripts and CI rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every applicable case passed (SKIP and MANUAL do not fail a run).
    Ok = 0,
    /// At least one FAIL: the phone broke a clause.
    Fail = 1,
    /// A bad invocation or an invalid input file.
    BadInput = 2,
    /// At least one ERROR (a rig fault) and no FAIL.
    RigError = 3,
    /// The report could not be written (disk full, permissions): the run stopped.
    ReportFailed = 4,
    /// A certifying run (`--repeat N`, `--certify`) with no FAIL and no ERROR that did not
    /// certify: a clause not checked where the spec defines it (a manual check with no
    /// operator), a case below N of N, or a family with no position.
    NotCertified = 5,
    /// Interrupted by SIGINT (Ctrl-C): finished rows are in the CSV, relays released.
    Interrupted = 130,
    /// Stopped by SIGTERM (e.g. systemd): finished rows are in the CSV, relays released.
    Terminated = 143,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the report: {0:#}")]
    Report(anyhow::Error),
    #[error("{0:#}")]
    Rig(anyhow::Error),
}

/// A command-line value the rig does not take (clap prints it after the argument's name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("`{0}`: expected twinning, call or release")]
    Button(String),
    #[error("`{0}`: expected twinning or call")]
    Light(String),
    #[error("`{0}`: a label is KEY=VALUE")]
    LabelNotKeyValue(String),
    #[error("`{0}`: a label's key is letters, digits, `-`, `_` or `.`")]
    LabelKey(String),
}

impl From<crate::source::InputError> for CliError {
    fn from(e: crate::source::InputError) -> Self {
        CliError::Input(e.into())
    }
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Input(_) | CliError::Usage(_) => ExitCode::BadInput,
            CliError::Report(_) => ExitCode::ReportFailed,
            CliError::Rig(_) => ExitCode::RigError,
        }
    }
}
