//! [`TraceWriter`]: a trace file written as a stream, in the form [`super::TraceReader`]
//! reads back exactly.

use std::io::{self, Write};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::Polarity;

use super::number::{MAX_ABS_T_MS, MAX_COUNT};
use super::read::is_key;
use super::{Head, LEVEL_HEADER, RGBC_HEADER};

/// Rows are gathered up to this many bytes before a write to the destination.
const BUFFER: usize = 64 * 1024;

/// Writes a trace to any [`Write`]: [`TraceWriter::new`] writes the preamble (labels,
/// `# dark:`, `# polarity:`, the header), [`TraceWriter::push`] rows, and
/// [`TraceWriter::finish`] flushes (dropping the writer also flushes, ignoring errors).
///
/// Numbers are written in Rust's shortest round-trip form (`{}` of the `f64` time and of
/// the `f32` counts), so the reader gives back bit-identical samples. A sample the reader
/// would refuse (a count that is negative, not finite or above 1e9, `|t_ms|` above 1e12
/// or not finite, a time before the previous one) is an [`io::ErrorKind::InvalidInput`]
/// error and nothing of it is written. A level trace writes `c` only (its level).
#[derive(Debug)]
pub struct TraceWriter<W: Write> {
    out: W,
    kind: SensorKind,
    buf: Vec<u8>,
    last_t: f64,
    rows: u64,
    /// Everything written has been flushed.
    done: bool,
}

impl<W: Write> TraceWriter<W> {
    /// Write the preamble: each label as `# key: value` (a line end in a value becomes a
    /// space; a key must be letters, digits, `_` or `-`, and not `dark` or `polarity`),
    /// then `# dark:` if known, `# polarity:` and the header.
    pub fn new(out: W, head: &Head) -> io::Result<Self> {
        let mut w = TraceWriter {
            out,
            kind: head.kind,
            buf: Vec::with_capacity(BUFFER + 256),
            last_t: f64::NEG_INFINITY,
            rows: 0,
            done: false,
        };
        for (key, value) in &head.labels {
            let lower = key.to_ascii_lowercase();
            if !is_key(key) || lower == "dark" || lower == "polarity" {
                return Err(invalid(format!(
                    "label `{key}`: a label's key is letters, digits, `_` or `-`, and not `dark` or `polarity`"
                )));
            }
            writeln!(w.buf, "# {key}: {}", value.replace(['\n', '\r'], " "))?;
        }
        match head.dark {
            Some(DarkLevel::Rgbc(d)) => {
                for v in d {
                    check_count(v, "dark")?;
                }
                let [r, g, b, c] = d;
                writeln!(w.buf, "# dark: {r} {g} {b} {c}")?;
            }
            Some(DarkLevel::Level(l)) => {
                check_count(l, "dark")?;
                writeln!(w.buf, "# dark: {l}")?;
            }
            None => {}
        }
        let polarity = match head.polarity {
            Polarity::Emissive => "emissive",
            Polarity::Reflective => "reflective",
        };
        writeln!(w.buf, "# polarity: {polarity}")?;
        let header = match head.kind {
            SensorKind::Rgbc => RGBC_HEADER,
            SensorKind::Level => LEVEL_HEADER,
        };
        writeln!(w.buf, "{header}")?;
        Ok(w)
    }

    /// Write samples (in time order, after any written before).
    pub fn push(&mut self, samples: &[Sample]) -> io::Result<()> {
        for s in samples {
            self.check(s)?;
            match self.kind {
                SensorKind::Rgbc => {
                    writeln!(self.buf, "{},{},{},{},{}", s.t_ms, s.r, s.g, s.b, s.c)?;
                }
                SensorKind::Level => writeln!(self.buf, "{},{}", s.t_ms, s.c)?,
            }
            self.last_t = s.t_ms;
            self.rows += 1;
            if self.buf.len() >= BUFFER {
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// Samples written so far.
    #[cfg(test)]
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Write out what is buffered and flush the destination.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.done = true;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }

    fn check(&self, s: &Sample) -> io::Result<()> {
        let row = self.rows;
        if s.t_ms.is_nan() || s.t_ms.abs() > MAX_ABS_T_MS {
            return Err(invalid(format!(
                "sample {row}: t_ms {} is not a time (|t_ms| is at most 1e12)",
                s.t_ms
            )));
        }
        if s.t_ms < self.last_t {
            return Err(invalid(format!(
                "sample {row}: t_ms {} goes backwards after {}",
                s.t_ms, self.last_t
            )));
        }
        let counts: &[(f32, &str)] = match self.kind {
            SensorKind::Rgbc => &[(s.r, "r"), (s.g, "g"), (s.b, "b"), (s.c, "c")],
            SensorKind::Level => &[(s.c, "level")],
        };
        for &(v, name) in counts {
            check_count(v, name).map_err(|e| invalid(format!("sample {row}: {e}")))?;
        }
        Ok(())
    }
}

impl<W: Write> Drop for TraceWriter<W> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.flush();
        }
    }
}

/// A count the reader takes: finite, `0..=1e9`.
fn check_count(v: f32, name: &str) -> io::Result<()> {
    // NaN is in no range; `-0` reads back as `-0`, which is in this one.
    if !(0.0..=MAX_COUNT).contains(&v) {
        return Err(invalid(format!("{name} {v} is not a count (0 to 1e9)")));
    }
    Ok(())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}
