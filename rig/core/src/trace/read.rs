//! [`TraceReader`]: a trace file read as a stream, chunk by chunk, in bounded memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::{Calibration, Polarity};
use crate::source::InputError;

use super::number::{self, compact_rows, fast_row, fast_row_nl, NumberError};
use super::{fmt_f64, Head, LEVEL_HEADER, RGBC_HEADER};

/// Samples per chunk of [`TraceReader::next_chunk`] unless `TraceReader::chunk_size`
/// says otherwise (96 KiB of samples).
pub const CHUNK: usize = 4096;
/// The longest line a trace may have, in bytes (without its line end). A real row is well
/// under 200 bytes; a longer line is not a trace (and is never buffered whole).
pub(crate) const MAX_LINE: usize = 4096;
/// At most this many `# key: value` labels are kept (further ones are plain comments).
pub(crate) const MAX_LABELS: usize = 256;
/// The read buffer of [`TraceReader::open`].
const FILE_BUFFER: usize = 128 * 1024;

/// Reads a trace file from any [`BufRead`]: [`TraceReader::new`] reads the preamble (the
/// comments, `# dark:`, `# polarity:`, the header) and the first sample;
/// [`TraceReader::next_chunk`] then yields the samples in chunks. It holds one line at most
/// (`MAX_LINE`) besides the source's buffer, whatever the file's size.
#[derive(Debug)]
pub struct TraceReader<R> {
    src: R,
    st: State,
    head: Head,
    /// The first sample, read with the preamble.
    pending: Option<Sample>,
    chunk: usize,
}

/// Where the reader is in the file, and what the preamble said so far.
#[derive(Debug)]
struct State {
    path: PathBuf,
    /// Lines read so far: the number of the last line handled.
    line: usize,
    kind: Option<SensorKind>,
    header_line: usize,
    polarity: Option<(Polarity, usize)>,
    /// The dark line's values and line number, checked against the header once both are known.
    dark: Option<(Vec<f32>, usize)>,
    labels: Vec<(String, String)>,
    samples: u64,
    last_t: f64,
    /// The start of a line that the source's buffer cut (at most [`MAX_LINE`] bytes).
    carry: Vec<u8>,
    eof: bool,
}

impl TraceReader<BufReader<File>> {
    /// Open a trace file and read its preamble.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, InputError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| InputError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        TraceReader::new(BufReader::with_capacity(FILE_BUFFER, file), path)
    }
}

impl<R: BufRead> TraceReader<R> {
    /// Read the preamble and the first sample from `src`; `path` names the file in errors.
    /// A trace without a header or without samples is an error here.
    pub fn new(src: R, path: impl Into<PathBuf>) -> Result<Self, InputError> {
        let mut reader = TraceReader {
            src,
            st: State {
                path: path.into(),
                line: 0,
                kind: None,
                header_line: 0,
                polarity: None,
                dark: None,
                labels: Vec::new(),
                samples: 0,
                last_t: f64::NEG_INFINITY,
                carry: Vec::new(),
                eof: false,
            },
            head: Head {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: None,
                labels: Vec::new(),
            },
            pending: None,
            chunk: CHUNK,
        };
        let mut first = Vec::with_capacity(1);
        reader.fill(&mut first, 1)?;
        reader.head = reader.st.head()?;
        reader.pending = first.pop();
        Ok(reader)
    }

    /// Fill chunks of up to `n` samples from now on (at least 1).
    #[cfg(test)]
    pub(crate) fn chunk_size(mut self, n: usize) -> Self {
        self.chunk = n.max(1);
        self
    }

    /// What the preamble says: the sensor, polarity, dark level and labels.
    pub(crate) fn head(&self) -> &Head {
        &self.head
    }

    /// How the classifier should read this trace.
    pub fn calibration(&self) -> Calibration {
        self.head.calibration()
    }

    /// The number of the last line read.
    #[cfg(test)]
    pub(crate) fn line(&self) -> usize {
        self.st.line
    }

    /// Samples handed out so far (by [`next_chunk`](Self::next_chunk); 0 before).
    #[cfg(test)]
    pub(crate) fn samples_read(&self) -> u64 {
        self.st.samples - u64::from(self.pending.is_some())
    }

    /// Replace `buf`'s contents with the next samples, up to the chunk size. `Ok(false)`
    /// (and `buf` empty) at the end of the file. An error names the file and the line.
    pub fn next_chunk(&mut self, buf: &mut Vec<Sample>) -> Result<bool, InputError> {
        buf.clear();
        buf.extend(self.pending.take());
        let want = self.chunk;
        self.fill(buf, want)?;
        Ok(!buf.is_empty())
    }

    /// Read every remaining sample into a [`Trace`](super::Trace).
    pub(crate) fn into_trace(mut self) -> Result<super::Trace, InputError> {
        let mut samples = Vec::new();
        let mut chunk = Vec::with_capacity(self.chunk);
        while self.next_chunk(&mut chunk)? {
            samples.extend_from_slice(&chunk);
        }
        Ok(super::Trace {
            kind: self.head.kind,
            polarity: self.head.polarity,
            dark: self.head.dark,
            samples,
        })
    }

    /// The bytes the reader holds itself (a line cut by the source's buffer).
    #[cfg(test)]
    pub(super) fn held_bytes(&self) -> usize {
        self.st.carry.capacity()
    }

    /// Push samples onto `buf` until it holds `want` or the file ends.
    fn fill(&mut self, buf: &mut Vec<Sample>, want: usize) -> Result<(), InputError> {
        let st = &mut self.st;
        while buf.len() < want && !st.eof {
            let data = match self.src.fill_buf() {
                Ok(d) => d,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(st.io_error(&e)),
            };
            if data.is_empty() {
                st.eof = true;
                if !st.carry.is_empty() {
                    // The last line, without a line end.
                    let line = std::mem::take(&mut st.carry);
                    buf.extend(st.line(&line)?);
                }
                break;
            }
            let mut p = 0;
            if !st.carry.is_empty() {
                // Finish the line the previous buffer cut.
                match memchr::memchr(b'\n', data) {
                    Some(e) => {
                        st.extend_carry(&data[..e])?;
                        let line = std::mem::take(&mut st.carry);
                        buf.extend(st.line(&line)?);
                        st.carry = line;
                        st.carry.clear();
                        p = e + 1;
                    }
                    None => {
                        st.extend_carry(data)?;
                        let n = data.len();
                        self.src.consume(n);
                        continue;
                    }
                }
            }
            while buf.len() < want {
                let rest = &data[p..];
                if let Some(kind) = st.kind {
                    // The hot path: compact rows, several at a time.
                    let room = want - buf.len();
                    let (rows, n) = compact_rows(rest, kind, &mut st.last_t, buf, room);
                    if rows > 0 {
                        st.line += rows;
                        st.samples += rows as u64;
                        p += n;
                        continue;
                    }
                    // Then a row of plain decimals, ended in this buffer.
                    if let Some((s, n)) = fast_row_nl(rest, kind) {
                        if n <= MAX_LINE {
                            st.line += 1;
                            buf.push(st.accept(s)?);
                            p += n;
                            continue;
                        }
                    }
                }
                match memchr::memchr(b'\n', rest) {
                    Some(e) => {
                        if e > MAX_LINE {
                            return Err(st.too_long());
                        }
                        buf.extend(st.line(&rest[..e])?);
                        p += e + 1;
                    }
                    None => {
                        st.extend_carry(rest)?;
                        p = data.len();
                        break;
                    }
                }
            }
            self.src.consume(p);
        }
        Ok(())
    }
}

impl State {
    fn at(&self, line: usize, message: impl std::fmt::Display) -> InputError {
        InputError {
            path: self.path.clone(),
            line: Some(line),
            message: message.to_string(),
        }
    }

    /// A failed read: at the line being read, or of the file as a whole before any.
    fn io_error(&self, e: &io::Error) -> InputError {
        InputError {
            path: self.path.clone(),
            line: (self.line > 0).then_some(self.line + 1),
            message: format!("cannot read: {e}"),
        }
    }

    fn too_long(&self) -> InputError {
        self.at(
            self.line + 1,
            format!("a line longer than {MAX_LINE} bytes: not a light trace"),
        )
    }

    fn extend_carry(&mut self, bytes: &[u8]) -> Result<(), InputError> {
        if self.carry.len() + bytes.len() > MAX_LINE {
            return Err(self.too_long());
        }
        if self.carry.capacity() == 0 {
            self.carry.reserve_exact(MAX_LINE);
        }
        self.carry.extend_from_slice(bytes);
        Ok(())
    }

    /// A sample read on the current line: in time order?
    #[inline(always)]
    fn accept(&mut self, s: Sample) -> Result<Sample, InputError> {
        if s.t_ms < self.last_t {
            return Err(self.at(
                self.line,
                format!(
                    "t_ms goes backwards: {} after {} (samples must be in time order)",
                    fmt_f64(s.t_ms),
                    fmt_f64(self.last_t)
                ),
            ));
        }
        self.last_t = s.t_ms;
        self.samples += 1;
        Ok(s)
    }

    /// Handle the next line (without its `\n`): a sample, or `None` for anything else.
    fn line(&mut self, raw: &[u8]) -> Result<Option<Sample>, InputError> {
        self.line += 1;
        let n = self.line;
        let raw = if n == 1 {
            raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
        } else {
            raw
        };
        if let Some(kind) = self.kind {
            if let Some(s) = fast_row(raw, kind) {
                return self.accept(s).map(Some);
            }
        }
        let text = std::str::from_utf8(raw)
            .map_err(|e| self.at(n, format!("not UTF-8 text (byte {})", e.valid_up_to() + 1)))?;
        let line = text.trim();
        if line.is_empty() {
            return Ok(None);
        }
        if let Some(comment) = line.strip_prefix('#') {
            self.comment(comment)?;
            return Ok(None);
        }
        let Some(kind) = self.kind else {
            self.kind = Some(parse_header(line).map_err(|m| self.at(n, m))?);
            self.header_line = n;
            return Ok(None);
        };
        let s = parse_row(line, kind).map_err(|m| self.at(n, m))?;
        self.accept(s).map(Some)
    }

    /// A `#` line: `# dark:`, `# polarity:`, a label before the first sample, or a comment.
    fn comment(&mut self, comment: &str) -> Result<(), InputError> {
        let n = self.line;
        let Some((key, value)) = directive(comment) else {
            return Ok(());
        };
        let value = value.trim();
        let lower = key.to_ascii_lowercase();
        if lower != "dark" && lower != "polarity" {
            // A generator's label: a comment the reader keeps for whoever wants it.
            if self.samples == 0 && self.labels.len() < MAX_LABELS {
                self.labels.push((key.to_string(), value.to_string()));
            }
            return Ok(());
        }
        if self.samples > 0 {
            return Err(self.at(
                n,
                format!("`# {lower}:` after the first sample: put it before the header"),
            ));
        }
        if lower == "dark" {
            if let Some((_, first)) = self.dark {
                return Err(self.at(
                    n,
                    format!("a second `# dark:` (the first is on line {first})"),
                ));
            }
            self.dark = Some((parse_dark(value).map_err(|m| self.at(n, m))?, n));
        } else {
            if let Some((_, first)) = self.polarity {
                return Err(self.at(
                    n,
                    format!("a second `# polarity:` (the first is on line {first})"),
                ));
            }
            let p = match value.to_ascii_lowercase().as_str() {
                "emissive" => Polarity::Emissive,
                "reflective" => Polarity::Reflective,
                _ => {
                    return Err(self.at(
                        n,
                        format!(
                            "unknown polarity `{value}`: write `emissive` (on is brighter) or `reflective` (an LCD indicator: on is darker)"
                        ),
                    ))
                }
            };
            self.polarity = Some((p, n));
        }
        Ok(())
    }

    /// The preamble, once the first sample is read (or the file ended).
    fn head(&mut self) -> Result<Head, InputError> {
        let Some(kind) = self.kind else {
            return Err(InputError {
                path: self.path.clone(),
                line: None,
                message: format!(
                    "empty trace: no header `{RGBC_HEADER}` (RGB+clear sensor) or `{LEVEL_HEADER}` (photodiode) and no samples"
                ),
            });
        };
        let header_line = self.header_line;
        if self.samples == 0 {
            return Err(self.at(header_line, "empty trace: no samples after the header"));
        }
        let dark = match self.dark.take() {
            None => None,
            Some((v, n)) => Some(match (kind, v.as_slice()) {
                (SensorKind::Rgbc, &[r, g, b, c]) => DarkLevel::Rgbc([r, g, b, c]),
                (SensorKind::Level, &[l]) => DarkLevel::Level(l),
                (SensorKind::Rgbc, _) => {
                    return Err(self.at(n, format!("`# dark:` has {} value(s), but the header (line {header_line}) is an RGB+clear trace: give four, `r g b c`", v.len())))
                }
                (SensorKind::Level, _) => {
                    return Err(self.at(n, format!("`# dark:` has {} values, but the header (line {header_line}) is a level trace: give one", v.len())))
                }
            }),
        };
        Ok(Head {
            kind,
            polarity: self.polarity.map_or(Polarity::Emissive, |p| p.0),
            dark,
            labels: std::mem::take(&mut self.labels),
        })
    }
}

/// `dark: 12 12 12 12` → `("dark", " 12 12 12 12")`: a word, then a colon.
pub(super) fn directive(comment: &str) -> Option<(&str, &str)> {
    let (key, value) = comment.split_once(':')?;
    let key = key.trim();
    is_key(key).then_some((key, value))
}

/// A directive or label name: letters, digits, `_` and `-`.
pub(super) fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A line of a trace that cannot be read: what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LineError {
    #[error("`# dark:` gives no value: write four numbers `r g b c` or one level")]
    NoDarkValue,
    #[error(
        "a sample before the header: the first line that is not a comment must be `{}` or `{}`",
        RGBC_HEADER,
        LEVEL_HEADER
    )]
    SampleBeforeHeader,
    #[error(
        "wrong header `{line}`: expected `{rgbc}` (RGB+clear sensor) or `{level}` (photodiode)",
        rgbc = RGBC_HEADER,
        level = LEVEL_HEADER
    )]
    WrongHeader { line: String },
    #[error("{found} columns, but the header `{header}` has {want}")]
    Columns {
        found: usize,
        header: &'static str,
        want: usize,
    },
    #[error(transparent)]
    Number(#[from] NumberError),
}

fn parse_dark(value: &str) -> Result<Vec<f32>, LineError> {
    let words: Vec<&str> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(LineError::NoDarkValue);
    }
    Ok(words
        .iter()
        .map(|w| number::count(w, "dark"))
        .collect::<Result<_, _>>()?)
}

fn parse_header(line: &str) -> Result<SensorKind, LineError> {
    let cols: Vec<String> = line
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    match cols.as_slice() {
        ["t_ms", "r", "g", "b", "c"] => Ok(SensorKind::Rgbc),
        ["t_ms", "level"] => Ok(SensorKind::Level),
        _ if line
            .split(',')
            .next()
            .is_some_and(|f| f.trim().parse::<f64>().is_ok()) =>
        {
            Err(LineError::SampleBeforeHeader)
        }
        _ => Err(LineError::WrongHeader {
            line: line.to_string(),
        }),
    }
}

/// A row the fast path did not take, read strictly; the error says what is wrong.
fn parse_row(line: &str, kind: SensorKind) -> Result<Sample, LineError> {
    let (want, header) = match kind {
        SensorKind::Rgbc => (5, RGBC_HEADER),
        SensorKind::Level => (2, LEVEL_HEADER),
    };
    let mut fields = [""; 5];
    let mut n = 0;
    for f in line.split(',') {
        if n < want {
            fields[n] = f.trim();
        }
        n += 1;
    }
    if n != want {
        return Err(LineError::Columns {
            found: n,
            header,
            want,
        });
    }
    let t_ms = number::time(fields[0])?;
    Ok(match kind {
        SensorKind::Rgbc => Sample {
            t_ms,
            r: number::count(fields[1], "r")?,
            g: number::count(fields[2], "g")?,
            b: number::count(fields[3], "b")?,
            c: number::count(fields[4], "c")?,
        },
        SensorKind::Level => Sample {
            t_ms,
            c: number::count(fields[1], "level")?,
            ..Sample::default()
        },
    })
}
