//! What can go wrong writing a report (exit 4), or reading one back: which file, and the
//! system's reason, in the words docs/user-guide.md gives
//! (`cannot write out/results.csv: No space left on device (os error 28)`).
//!
//! The reason is part of the message (not a `source`), so the text is whole however the
//! error is printed.

use std::io;
use std::path::PathBuf;

use crate::source::InputError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder the system would not create or write.
    #[error("cannot {op} {}: {reason}", path.display())]
    Io {
        /// `create` or `write`.
        op: &'static str,
        path: PathBuf,
        reason: io::Error,
    },
    /// A record that could not be encoded as CSV.
    #[error("cannot write {}: {reason}", path.display())]
    Csv { path: PathBuf, reason: csv::Error },
    /// A page whose template could not be filled in.
    #[error("cannot write {}: {reason}", path.display())]
    Render {
        path: PathBuf,
        reason: askama::Error,
    },
    /// `run.json` that is not a run record.
    #[error("{}: not a run record: {reason}", path.display())]
    NotARunRecord {
        path: PathBuf,
        reason: serde_json::Error,
    },
    /// A file read back that is not what the rig wrote.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Several files of the report set could not be written: one a line.
    #[error("{}", lines(.0))]
    Files(Vec<ReportError>),
}

impl ReportError {
    pub(crate) fn create(path: impl Into<PathBuf>, reason: io::Error) -> Self {
        ReportError::Io {
            op: "create",
            path: path.into(),
            reason,
        }
    }

    pub fn write(path: impl Into<PathBuf>, reason: io::Error) -> Self {
        ReportError::Io {
            op: "write",
            path: path.into(),
            reason,
        }
    }

    /// The system's reason for a file that could not be created or written, if that is
    /// what failed (a full disk is `ErrorKind::StorageFull`).
    #[cfg(test)]
    pub(crate) fn io_reason(&self) -> Option<&io::Error> {
        match self {
            ReportError::Io { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

fn lines(errors: &[ReportError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
