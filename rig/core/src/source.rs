//! Input files and the errors that point into them.
//!
//! Every file the rig reads (bench, suite, firmware profile, fixtures, traces) is loaded
//! as a [`SourceText`], so that any error can name the file, the line and what is wrong.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A text file held in memory with its path, for line-numbered errors.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub path: PathBuf,
    pub text: String,
}

/// The largest text file the rig reads (report CSVs, traces read whole, fixtures).
pub(crate) const MAX_TEXT_BYTES: u64 = 64 << 20;
/// The largest bench, suite, firmware profile or calibration file: hand-written TOML of a
/// full matrix is tens of KiB.
pub const MAX_TOML_BYTES: u64 = 4 << 20;

impl SourceText {
    /// Read a text file of at most [`MAX_TEXT_BYTES`].
    pub(crate) fn read(path: impl AsRef<Path>) -> Result<Self, InputError> {
        Self::read_limited(path, MAX_TEXT_BYTES)
    }

    /// Read a text file of at most `max` bytes; a bigger one (or one that grows past it
    /// while read: a pipe, a device) is refused without reading it into memory.
    pub fn read_limited(path: impl AsRef<Path>, max: u64) -> Result<Self, InputError> {
        use std::io::Read;
        let path = path.as_ref().to_path_buf();
        let fail = |message: String| InputError {
            path: path.clone(),
            line: None,
            message,
        };
        let too_big = || {
            fail(format!(
                "the file is larger than {} MiB: not an input file of the rig",
                max >> 20
            ))
        };
        let file = std::fs::File::open(&path).map_err(|e| fail(format!("cannot read: {e}")))?;
        if file.metadata().is_ok_and(|m| m.is_file() && m.len() > max) {
            return Err(too_big());
        }
        let mut bytes = Vec::new();
        file.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > max {
            return Err(too_big());
        }
        let text = String::from_utf8(bytes)
            .map_err(|e| fail(format!("cannot read: not UTF-8 text ({e})")))?;
        Ok(Self { path, text })
    }

    pub fn from_string(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// An error at a span of this file (`None`: the file as a whole).
    pub fn error(&self, span: Option<Range<usize>>, message: impl fmt::Display) -> InputError {
        InputError {
            path: self.path.clone(),
            line: span.map(|s| self.line_of(s.start)),
            message: message.to_string(),
        }
    }

    /// Parse the file as TOML into `T`; a syntax or shape error names its line.
    pub fn parse_toml<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(&self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.error(e.span(), message)
        })
    }
}

/// Something wrong in an input file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", place(path, *line))]
pub struct InputError {
    pub path: PathBuf,
    /// 1-based; `None` when the fault is the file as a whole (missing, empty section…).
    pub line: Option<usize>,
    pub message: String,
}

/// `FILE:LINE`, or `FILE` when the fault is the file as a whole.
fn place(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

/// All the errors found in one file (validation reports every fault, not just the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        Self(vec![e])
    }
}

/// Collects errors while validating, then succeeds only if there were none.
#[derive(Debug, Default)]
pub struct Problems(Vec<InputError>);

impl Problems {
    pub fn push(&mut self, e: InputError) {
        self.0.push(e);
    }

    pub fn finish<T>(self, value: T) -> Result<T, InputErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(InputErrors(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_of_counts_newlines_before_the_offset() {
        let s = SourceText::from_string("x.toml", "a = 1\nb = 2\nc = 3\n");
        assert_eq!(s.line_of(0), 1);
        assert_eq!(s.line_of(6), 2);
        assert_eq!(s.line_of(13), 3);
        assert_eq!(s.line_of(999), 4);
    }

    #[test]
    fn toml_syntax_error_names_file_and_line() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        let s = SourceText::from_string("bench.toml", "# c\n\na = \"x\"\n");
        let e = s.parse_toml::<T>().unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("bench.toml:3: "), "{e}");
    }

    #[test]
    fn a_file_over_the_bound_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.toml");
        let f = std::fs::File::create(&path).unwrap();
        // Sparse: 5 GiB that take no disk and must not be read.
        f.set_len(5 << 30).unwrap();
        let e = SourceText::read_limited(&path, MAX_TOML_BYTES).unwrap_err();
        assert!(e.to_string().contains("larger than 4 MiB"), "{e}");
        let small = dir.path().join("small.toml");
        std::fs::write(&small, "a = 1\n").unwrap();
        assert_eq!(SourceText::read_limited(&small, 6).unwrap().text, "a = 1\n");
        assert!(SourceText::read_limited(&small, 5).is_err());
    }
}
