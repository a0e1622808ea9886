//! The corpus's trace files are [`crate::trace`] files, read and written by its reader and
//! writer: a generated [`Trace`] converts to and from [`crate::trace::Trace`], and its
//! [`Header`] is a [`Head`] without labels.
//!
//! The files are short because the generator quantises what it renders (0.1 ms times,
//! integer counts, 0.1-count dark levels): the writer's shortest round-trip form of those
//! is what the files hold.

use std::io::{self, Write};
use std::path::Path;

use crate::trace::{Head, TraceWriter};

use super::{Header, Trace};

impl Header {
    /// The preamble of a trace file with this header (no labels).
    pub(crate) fn head(&self) -> Head {
        Head {
            kind: self.kind,
            polarity: self.polarity,
            dark: self.dark,
            labels: Vec::new(),
        }
    }
}

impl From<crate::trace::Trace> for Trace {
    fn from(t: crate::trace::Trace) -> Self {
        Trace {
            header: Header {
                kind: t.kind,
                polarity: t.polarity,
                dark: t.dark,
            },
            samples: t.samples,
        }
    }
}

impl From<Trace> for crate::trace::Trace {
    fn from(t: Trace) -> Self {
        crate::trace::Trace {
            kind: t.header.kind,
            polarity: t.header.polarity,
            dark: t.header.dark,
            samples: t.samples,
        }
    }
}

impl Trace {
    /// Write the trace file to `out` with [`TraceWriter`].
    pub fn write_to(&self, out: impl Write) -> io::Result<()> {
        let mut w = TraceWriter::new(out, &self.header.head())?;
        w.push(&self.samples)?;
        w.finish()
    }

    /// Write the trace file at `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.write_to(std::fs::File::create(path)?)
    }

    /// Read a trace file with [`crate::trace::Trace::load`]; the error names the file and
    /// the line.
    pub fn read(path: impl AsRef<Path>) -> Result<Trace, crate::source::InputError> {
        crate::trace::Trace::load(path).map(Trace::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::DarkLevel;
    use crate::hw::{Sample, SensorKind};
    use crate::observe::Polarity;

    #[test]
    fn a_generated_trace_survives_writing_and_reading() {
        let t = Trace {
            header: Header {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: Some(DarkLevel::Rgbc([1.5, 2.0, 3.0, 12.3])),
            },
            samples: vec![
                Sample {
                    t_ms: 0.0,
                    r: 1.0,
                    g: 2.0,
                    b: 3.0,
                    c: 4.0,
                },
                Sample {
                    t_ms: 5.3,
                    r: 10.0,
                    g: 20.0,
                    b: 30.0,
                    c: 65535.0,
                },
            ],
        };
        let mut text = Vec::new();
        t.write_to(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        // The corpus's files: dark, polarity, header, quantised numbers in short form.
        assert_eq!(
            text,
            "# dark: 1.5 2 3 12.3\n# polarity: emissive\nt_ms,r,g,b,c\n0,1,2,3,4\n5.3,10,20,30,65535\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        t.write(&path).unwrap();
        assert_eq!(Trace::read(&path).unwrap(), t);
        let back: crate::trace::Trace = t.clone().into();
        assert_eq!(Trace::from(back), t);
    }

    #[test]
    fn a_bad_file_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, "t_ms,level\n1,2\n0,3\n").unwrap();
        let e = Trace::read(&path).unwrap_err();
        assert_eq!((e.path.as_path(), e.line), (path.as_path(), Some(3)), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}:3: t_ms goes backwards", path.display())),
            "{e}"
        );
    }
}
