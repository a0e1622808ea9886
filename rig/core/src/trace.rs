//! Light traces: a sensor's samples as a CSV file. This module is the one reader and
//! writer of trace files: `rig classify`, the labelled corpus (`crate::tracegen`,
//! `fixtures/traces/`), the runner's FAIL traces ([`crate::report`]'s `traces/`) and the
//! benches all go through it.
//!
//! ```text
//! # label: green wink          optional labels: `# key: value` (kept, see [`Head::labels`])
//! # dark: 12 12 12 12          optional: the dark level (four numbers r g b c, or one)
//! # polarity: emissive         optional: emissive (default) or reflective
//! t_ms,r,g,b,c                 RGB+clear sensor counts; or `t_ms,level` for a photodiode
//! 0,12.4,40.1,18,410.7
//! 5,11.9,39.8,17.7,409.2
//! ```
//!
//! - `t_ms` is milliseconds on any origin; it may be fractional and unevenly spaced but
//!   never goes backwards (equal times are allowed). `|t_ms|` is at most 1e12 (about 31
//!   years). Counts (and `# dark:` values) are finite, not negative and at most 1e9. The
//!   bounds apply to the number as read (an `f64` time, `f32` counts).
//! - `# dark:` is the reading with the light off (emissive) or the level of the bare
//!   display (reflective, where "on" reads darker). Without it the classifier estimates
//!   the dark level from the trace itself.
//! - Liberal in what it accepts: surrounding spaces, blank lines, CRLF, a UTF-8 BOM,
//!   numbers in `# dark:` separated by spaces or commas, any number syntax Rust's `parse`
//!   takes, and any other `#` line. An unknown `# key: value` line is a comment too, so
//!   generators may add labels; those before the first sample are kept in
//!   [`Head::labels`] (the first `MAX_LABELS`). `# dark:` and `# polarity:` must come
//!   before the first sample and at most once each.
//! - Strict about the rest: a wrong header, a wrong number of columns, a value that is not
//!   a number or out of range, time going backwards, a line longer than `MAX_LINE`
//!   bytes, text that is not UTF-8: each is an
//!   [`InputError`](crate::source::InputError) naming the file and the line.
//! - Level traces keep the level in [`Sample::c`] (r, g, b are 0), as level sensors do.
//!
//! # Reading and writing
//!
//! - [`TraceReader`] streams a trace from any [`std::io::BufRead`]: `new`/`open` read the
//!   preamble ([`Head`]: sensor, polarity, dark level, labels) and the first sample, then
//!   [`TraceReader::next_chunk`] fills a buffer with up to [`CHUNK`] samples at a time.
//!   Besides the source's buffer it holds one line at most, whatever the file's size.
//!   `Trace::load` and `Trace::parse` collect every chunk into a [`Trace`].
//! - [`TraceWriter`] streams rows to any [`std::io::Write`]; [`Trace::write`] writes a
//!   whole trace with it. Numbers are written in Rust's shortest round-trip form and the
//!   `f32` counts are parsed as `f32`, so writing then reading gives bit-identical samples.
//!
//! Rows are read straight from the source's buffer, with no allocation per line:
//! - a compact row (no spaces or sign, 1 to 8 digits each side of a point, 32 bytes at
//!   most: what the corpus and integer sensor counts give) is split at the bytes that are
//!   not digits, found 16 at a time (SSE2 on x86-64, 8 at a time elsewhere), and each
//!   number is converted from 8 bytes at once;
//! - another row of plain decimals (`-?digits[.digits]`, e.g. a clock's 17-digit times)
//!   field by field, 8 digits at a time;
//! - values are exact: integer digits, then one correctly rounded division when they fit
//!   (Clinger's fast path; an `f32` through `f64` unless that lands on an `f32` tie), std's
//!   parser otherwise;
//! - anything else (other number forms, comments, errors) by the strict path, which words
//!   the error.
//!
//! # Measuring it
//!
//! `cargo bench -p rig --bench trace_io` writes a trace of `TRACE_IO_SAMPLES` samples
//! (default 1 M) in a temporary folder, measures the reader alone (criterion, samples/s on
//! one core: corpus-like rows and full-precision rows), then runs `rig classify` on the
//! file and prints its wall time, samples/s and peak RSS. For the 10 M-sample figures:
//!
//! ```sh
//! TRACE_IO_SAMPLES=10000000 cargo bench -p rig --bench trace_io
//! ```
//!
//! or by hand, on any trace (`TRACE_IO_KEEP=FILE` keeps the bench's file):
//!
//! ```sh
//! TRACE_IO_SAMPLES=10000000 TRACE_IO_KEEP=/tmp/big.csv cargo bench -p rig --bench trace_io -- --test
//! cargo build --release -p rig
//! /usr/bin/time -v target/release/rig classify /tmp/big.csv   # wall clock, Maximum resident set size
//! ```

mod number;
mod read;
mod write;

use std::io::{self, Write};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::{Calibration, Polarity};
#[cfg(any(test, feature = "tracegen"))]
use crate::source::InputError;
#[cfg(test)]
use crate::source::SourceText;

#[cfg(test)]
pub(crate) use number::{MAX_ABS_T_MS, MAX_COUNT};
#[cfg(test)]
pub(crate) use read::MAX_LINE;
pub use read::{TraceReader, CHUNK};
pub use write::TraceWriter;

/// The header of an RGB+clear trace.
pub(crate) const RGBC_HEADER: &str = "t_ms,r,g,b,c";
/// The header of a level (photodiode) trace.
pub(crate) const LEVEL_HEADER: &str = "t_ms,level";

/// What a trace file says before its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// `None`: not given, the classifier estimates it.
    pub dark: Option<DarkLevel>,
    /// The `# key: value` lines other than `# dark:` and `# polarity:` before the first
    /// sample, in file order (key as written, value trimmed).
    pub labels: Vec<(String, String)>,
}

impl Head {
    /// The first label named `key` (exactly), if any.
    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// How the classifier should read this trace.
    pub(crate) fn calibration(&self) -> Calibration {
        Calibration {
            kind: self.kind,
            polarity: self.polarity,
            dark: self.dark,
        }
    }
}

/// A light sensor's samples with how to read them.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// `None`: not given, the classifier estimates it.
    pub dark: Option<DarkLevel>,
    /// In time order.
    pub samples: Vec<Sample>,
}

impl Trace {
    /// Read a trace file (streamed: the file is never held whole).
    #[cfg(any(test, feature = "tracegen"))]
    pub(crate) fn load(path: impl AsRef<std::path::Path>) -> Result<Trace, InputError> {
        TraceReader::open(path)?.into_trace()
    }

    /// Parse a trace; an error names the file, the line and what is wrong.
    #[cfg(test)]
    pub(crate) fn parse(src: &SourceText) -> Result<Trace, InputError> {
        TraceReader::new(src.text.as_bytes(), &src.path)?.into_trace()
    }

    /// How the classifier should read this trace.
    pub(crate) fn calibration(&self) -> Calibration {
        Calibration {
            kind: self.kind,
            polarity: self.polarity,
            dark: self.dark,
        }
    }

    /// The preamble of this trace, with `labels`.
    pub(crate) fn head(&self, labels: Vec<(String, String)>) -> Head {
        Head {
            kind: self.kind,
            polarity: self.polarity,
            dark: self.dark,
            labels,
        }
    }

    /// Write the trace in the format `Trace::parse` reads (numbers round-trip exactly).
    pub fn write(&self, w: impl Write) -> io::Result<()> {
        self.write_labelled(w, Vec::new())
    }

    /// [`Trace::write`] with `# key: value` labels first (see [`TraceWriter::new`]).
    pub(crate) fn write_labelled(
        &self,
        w: impl Write,
        labels: Vec<(String, String)>,
    ) -> io::Result<()> {
        let mut out = TraceWriter::new(w, &self.head(labels))?;
        out.push(&self.samples)?;
        out.finish()
    }
}

/// `f64` as Rust prints it (shortest round-trip form), which parses back exactly.
fn fmt_f64(x: f64) -> String {
    format!("{x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{RngExt, SeedableRng};

    fn parse(text: &str) -> Result<Trace, InputError> {
        Trace::parse(&SourceText::from_string("t.csv", text))
    }

    fn err(text: &str) -> InputError {
        parse(text).expect_err("a bad trace")
    }

    #[test]
    fn an_rgbc_trace_with_dark_and_polarity_parses() {
        let t = parse(
            "# dark: 12 11.5 12 40\n# polarity: emissive\nt_ms,r,g,b,c\n0,1,2,3,4\n5.25,5,6,7,8\n",
        )
        .unwrap();
        assert_eq!(t.kind, SensorKind::Rgbc);
        assert_eq!(t.polarity, Polarity::Emissive);
        assert_eq!(t.dark, Some(DarkLevel::Rgbc([12.0, 11.5, 12.0, 40.0])));
        assert_eq!(
            t.samples,
            vec![
                Sample {
                    t_ms: 0.0,
                    r: 1.0,
                    g: 2.0,
                    b: 3.0,
                    c: 4.0
                },
                Sample {
                    t_ms: 5.25,
                    r: 5.0,
                    g: 6.0,
                    b: 7.0,
                    c: 8.0
                },
            ]
        );
        assert_eq!(
            t.calibration(),
            Calibration {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: t.dark
            }
        );
    }

    #[test]
    fn a_level_trace_keeps_the_level_in_c_and_defaults_to_emissive_without_dark() {
        let t = parse("t_ms,level\n0,1800\n3.3,630\n").unwrap();
        assert_eq!(t.kind, SensorKind::Level);
        assert_eq!(t.polarity, Polarity::Emissive);
        assert_eq!(t.dark, None);
        assert_eq!(t.samples[1].c, 630.0);
        assert_eq!(
            (t.samples[1].r, t.samples[1].g, t.samples[1].b),
            (0.0, 0.0, 0.0)
        );
        let t = parse("# Polarity: Reflective\n# dark: 1800\nt_ms,level\n0,1800\n").unwrap();
        assert_eq!(t.polarity, Polarity::Reflective);
        assert_eq!(t.dark, Some(DarkLevel::Level(1800.0)));
    }

    #[test]
    fn it_is_liberal_in_spaces_blank_lines_crlf_bom_comments_and_labels() {
        let text = "\u{feff}# written by a generator\r\n\r\n#label: green wink\r\n  #dark:12,12, 12 ,12\r\n T_MS , r , g , b , c \r\n\r\n 0 , 1 , 2 , 3 , 4 \r\n# a note between samples\r\n10,1,2,3,4\r\n\r\n";
        let t = parse(text).unwrap();
        assert_eq!(t.dark, Some(DarkLevel::Rgbc([12.0; 4])));
        assert_eq!(t.samples.len(), 2);
        assert_eq!(t.samples[1].t_ms, 10.0);
        // Equal timestamps are not "backwards".
        assert_eq!(parse("t_ms,level\n1,5\n1,6\n").unwrap().samples.len(), 2);
    }

    #[test]
    fn write_then_parse_round_trips_exactly() {
        let t = Trace {
            kind: SensorKind::Rgbc,
            polarity: Polarity::Reflective,
            dark: Some(DarkLevel::Rgbc([12.25, 0.1, 3.0, 1800.5])),
            samples: (0..50)
                .map(|i| Sample {
                    t_ms: i as f64 * 4.999_999_7 + 0.1,
                    r: i as f32 / 3.0,
                    g: 1.0e-3 * i as f32,
                    b: 4096.0,
                    c: 12.345_678,
                })
                .collect(),
        };
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        assert_eq!(parse(std::str::from_utf8(&out).unwrap()).unwrap(), t);
        let level = Trace {
            kind: SensorKind::Level,
            polarity: Polarity::Emissive,
            dark: None,
            samples: vec![Sample {
                t_ms: -2.5,
                c: 7.0,
                ..Sample::default()
            }],
        };
        let mut out = Vec::new();
        level.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("t_ms,level\n-2.5,7\n"), "{text}");
        assert_eq!(parse(&text).unwrap(), level);
    }

    #[test]
    fn bad_files_name_the_line_and_the_reason() {
        let cases: &[(&str, usize, &str)] = &[
            ("# x\nt,r,g,b,c\n0,1,2,3,4\n", 2, "wrong header `t,r,g,b,c`"),
            ("0,1,2,3,4\n", 1, "a sample before the header"),
            (
                "t_ms,r,g,b,c\n0,1,2,3,4\n5,1,2,3\n",
                3,
                "4 columns, but the header `t_ms,r,g,b,c` has 5",
            ),
            ("t_ms,level\n0,1,2\n", 2, "3 columns"),
            ("t_ms,r,g,b,c\n0,1,2,3,4,\n", 2, "6 columns"),
            ("t_ms,r,g,b,c\n0,1,x2,3,4\n", 2, "g `x2` is not a number"),
            ("t_ms,level\n\nabc,4\n", 3, "t_ms `abc` is not a number"),
            (
                "t_ms,level\n0,NaN\n",
                2,
                "level `NaN` is not a finite number",
            ),
            (
                "t_ms,level\n0,1\n10,1\n9.5,1\n",
                4,
                "t_ms goes backwards: 9.5 after 10",
            ),
            ("t_ms,r,g,b,c\n0,1,2,-3,4\n", 2, "b `-3` is negative"),
            (
                "# dark: 12\n\nt_ms,r,g,b,c\n0,1,2,3,4\n",
                1,
                "`# dark:` has 1 value(s), but the header (line 3) is an RGB+clear trace",
            ),
            (
                "# dark: 1 2 3 4\nt_ms,level\n0,1\n",
                1,
                "`# dark:` has 4 values, but the header (line 2) is a level trace",
            ),
            (
                "# dark: twelve\nt_ms,level\n0,1\n",
                1,
                "dark `twelve` is not a number",
            ),
            ("# dark:\nt_ms,level\n0,1\n", 1, "`# dark:` gives no value"),
            ("# dark: -1\nt_ms,level\n0,1\n", 1, "dark `-1` is negative"),
            (
                "# dark: 1\n# dark: 2\nt_ms,level\n0,1\n",
                2,
                "a second `# dark:` (the first is on line 1)",
            ),
            (
                "# polarity: glowing\nt_ms,level\n0,1\n",
                1,
                "unknown polarity `glowing`",
            ),
            (
                "t_ms,level\n0,1\n# polarity: reflective\n1,1\n",
                3,
                "`# polarity:` after the first sample",
            ),
            ("# only comments\n\n", 0, "empty trace: no header"),
            ("", 0, "empty trace: no header"),
            (
                "# dark: 5\n\nt_ms,level\n\n",
                3,
                "empty trace: no samples after the header",
            ),
        ];
        for (text, line, want) in cases {
            let e = err(text);
            let want_line = (*line > 0).then_some(*line);
            assert_eq!(e.line, want_line, "{text:?}: {e}");
            assert!(
                e.message.contains(want),
                "{text:?}: `{}` lacks `{want}`",
                e.message
            );
            assert_eq!(e.path, std::path::PathBuf::from("t.csv"));
            let shown = e.to_string();
            match want_line {
                Some(l) => assert!(shown.starts_with(&format!("t.csv:{l}: ")), "{shown}"),
                None => assert!(shown.starts_with("t.csv: "), "{shown}"),
            }
        }
    }

    #[test]
    fn unknown_directives_are_comments_and_labels_before_the_first_sample_are_kept() {
        let t = parse("# label: green wink\n# seed: 4\n# note:\nt_ms,level\n0,1\n").unwrap();
        assert_eq!(t.dark, None);
        assert_eq!(t.polarity, Polarity::Emissive);
        let text = "# label:  green wink \n# seed: 4\n# note:\n# just words\n# a b: not a key\nt_ms,level\n# after: the header\n0,1\n# late: a comment\n1,2\n";
        let r = TraceReader::new(text.as_bytes(), "t.csv").unwrap();
        let labels: Vec<(&str, &str)> = r
            .head()
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("label", "green wink"),
                ("seed", "4"),
                ("note", ""),
                ("after", "the header")
            ]
        );
        assert_eq!(r.head().label("seed"), Some("4"));
        assert_eq!(r.head().label("late"), None);
        assert_eq!(r.into_trace().unwrap().samples.len(), 2);
    }

    fn random_count(rng: &mut SmallRng) -> f32 {
        match rng.random_range(0..10) {
            0 => 0.0,
            1 => rng.random_range(0..65536) as f32,
            _ => loop {
                // Any normal f32 in 0..=1e9: a random exponent, a random mantissa.
                let exponent: u32 = rng.random_range(1..157);
                let v = f32::from_bits(exponent << 23 | rng.random_range(0..1u32 << 23));
                if v <= MAX_COUNT {
                    break v;
                }
            },
        }
    }

    fn random_time(rng: &mut SmallRng) -> f64 {
        match rng.random_range(0..4) {
            // 0.1 ms resolution, as the generator writes.
            0 => rng.random_range(-10_000_000i64..10_000_000) as f64 / 10.0,
            // A clock's fractional ms.
            1 => rng.random::<f64>() * 1e7,
            // Any magnitude within range, tiny ones too.
            _ => {
                let v = rng.random::<f64>() * 2f64.powi(rng.random_range(-1000..40));
                let v = v.min(MAX_ABS_T_MS);
                if rng.random() {
                    -v
                } else {
                    v
                }
            }
        }
    }

    #[test]
    fn write_then_read_gives_bit_identical_samples_for_random_values() {
        let mut rng = SmallRng::seed_from_u64(42);
        for round in 0..60 {
            let kind = if round % 3 == 0 {
                SensorKind::Level
            } else {
                SensorKind::Rgbc
            };
            let mut times: Vec<f64> = (0..400).map(|_| random_time(&mut rng)).collect();
            times.sort_by(f64::total_cmp);
            let samples: Vec<Sample> = times
                .into_iter()
                .map(|t_ms| match kind {
                    SensorKind::Rgbc => Sample {
                        t_ms,
                        r: random_count(&mut rng),
                        g: random_count(&mut rng),
                        b: random_count(&mut rng),
                        c: random_count(&mut rng),
                    },
                    SensorKind::Level => Sample {
                        t_ms,
                        c: random_count(&mut rng),
                        ..Sample::default()
                    },
                })
                .collect();
            let dark = match (round % 2, kind) {
                (0, _) => None,
                (_, SensorKind::Rgbc) => Some(DarkLevel::Rgbc([
                    random_count(&mut rng),
                    random_count(&mut rng),
                    random_count(&mut rng),
                    random_count(&mut rng),
                ])),
                (_, SensorKind::Level) => Some(DarkLevel::Level(random_count(&mut rng))),
            };
            let head = Head {
                kind,
                polarity: Polarity::Reflective,
                dark,
                labels: vec![("round".into(), round.to_string())],
            };
            let mut out = Vec::new();
            let mut w = TraceWriter::new(&mut out, &head).unwrap();
            for part in samples.chunks(77) {
                w.push(part).unwrap();
            }
            assert_eq!(w.rows(), samples.len() as u64);
            w.finish().unwrap();
            // Through a small buffer, so rows are cut across reads too.
            let r = TraceReader::new(io::BufReader::with_capacity(100, out.as_slice()), "r.csv")
                .unwrap();
            assert_eq!(r.head(), &head);
            let back = r.into_trace().unwrap().samples;
            assert_eq!(back.len(), samples.len());
            let bits = |s: &Sample| {
                (
                    s.t_ms.to_bits(),
                    [s.r.to_bits(), s.g.to_bits(), s.b.to_bits(), s.c.to_bits()],
                )
            };
            for (a, b) in samples.iter().zip(&back) {
                assert_eq!(bits(a), bits(b), "{a:?} came back as {b:?}");
            }
        }
    }

    /// Every sample of `text`, read through a buffer of `capacity` bytes in chunks of `chunk`.
    fn read_through(text: &[u8], capacity: usize, chunk: usize) -> Result<Vec<Sample>, InputError> {
        let mut r = TraceReader::new(io::BufReader::with_capacity(capacity, text), "t.csv")?
            .chunk_size(chunk);
        let mut all = Vec::new();
        let mut buf = Vec::new();
        while r.next_chunk(&mut buf)? {
            assert!(!buf.is_empty() && buf.len() <= chunk, "{}", buf.len());
            all.extend_from_slice(&buf);
        }
        assert!(buf.is_empty());
        assert_eq!(r.samples_read(), all.len() as u64);
        Ok(all)
    }

    #[test]
    fn a_stream_reads_the_same_whatever_the_buffer_and_chunk_size() {
        // Rows the fast path takes and rows it leaves to the strict path, comments, blank
        // lines, CRLF, a BOM, and a last line without a line end.
        let text = "\u{feff}# label: x\r\n# dark: 1 2 3 4\r\n t_ms , r , g , b , c \r\n0,1,2,3,4\r\n\r\n0.5 ,1.25, 2 ,3,4\n# a note\n+1,1e2,.5,3.,4\n1.0000000000000000001,16777217,0.1,3,4\n2,\u{a0}1,2,3,4\n3,1,2,3,4";
        let whole = Trace::parse(&SourceText::from_string("t.csv", text)).unwrap();
        assert_eq!(whole.samples.len(), 6);
        assert_eq!((whole.samples[2].r, whole.samples[2].g), (100.0, 0.5));
        assert_eq!(whole.samples[3].r, 16777216.0);
        assert_eq!(whole.dark, Some(DarkLevel::Rgbc([1.0, 2.0, 3.0, 4.0])));
        for capacity in [1, 2, 3, 7, 16, 64, 4096] {
            for chunk in [1, 2, 5, CHUNK] {
                assert_eq!(
                    read_through(text.as_bytes(), capacity, chunk).unwrap(),
                    whole.samples,
                    "capacity {capacity}, chunk {chunk}"
                );
            }
        }
        // An error deep in the file names the same line whatever the buffer.
        let mut bad = String::from("t_ms,level\n");
        for i in 0..300 {
            bad.push_str(&format!("{i},5\n"));
        }
        bad.push_str("299.5,5\n300,-1\n");
        for capacity in [1, 5, 64, 100_000] {
            let e = read_through(bad.as_bytes(), capacity, 7).unwrap_err();
            assert_eq!(e.line, Some(303), "{e}");
            assert!(e.message.contains("level `-1` is negative"), "{e}");
        }
        let backwards = bad.replace("299.5,5", "298.5,5");
        let e = read_through(backwards.as_bytes(), 64, 7).unwrap_err();
        assert_eq!(e.line, Some(302), "{e}");
        assert!(
            e.message.contains("t_ms goes backwards: 298.5 after 299"),
            "{e}"
        );
    }

    /// Rows of a long trace, made as they are read: nothing holds the whole file.
    struct Rows {
        next: u64,
        n: u64,
        line: Vec<u8>,
        at: usize,
    }

    impl io::Read for Rows {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.line.len() {
                if self.next == self.n {
                    return Ok(0);
                }
                self.line.clear();
                if self.next == 0 {
                    self.line
                        .extend_from_slice(b"# dark: 5 5 5 5\nt_ms,r,g,b,c\n");
                }
                let i = self.next;
                writeln!(
                    self.line,
                    "{}.5,{},{},{},{}",
                    i,
                    i % 7,
                    i % 1000,
                    3,
                    i % 65536
                )?;
                self.next += 1;
                self.at = 0;
            }
            let n = buf.len().min(self.line.len() - self.at);
            buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_long_stream_is_read_in_bounded_memory() {
        let n = 200_000;
        let rows = Rows {
            next: 0,
            n,
            line: Vec::new(),
            at: 0,
        };
        // A 1000-byte buffer: rows are cut at every buffer end.
        let mut r = TraceReader::new(io::BufReader::with_capacity(1000, rows), "big.csv")
            .unwrap()
            .chunk_size(512);
        let mut buf = Vec::with_capacity(512);
        let mut seen = 0u64;
        while r.next_chunk(&mut buf).unwrap() {
            assert!(buf.len() <= 512);
            assert_eq!(buf.capacity(), 512, "the chunk never grows");
            // The reader itself holds one line at most.
            assert!(r.held_bytes() <= MAX_LINE, "{}", r.held_bytes());
            for s in &buf {
                assert_eq!(s.t_ms, seen as f64 + 0.5);
                seen += 1;
            }
        }
        assert_eq!(seen, n);
        assert_eq!(r.line(), n as usize + 2);
    }

    #[test]
    fn an_over_long_line_is_refused_with_its_number() {
        let long = format!("t_ms,level\n0,1\n# {}\n1,1\n", "x".repeat(5000));
        for capacity in [10, 100_000] {
            let e = read_through(long.as_bytes(), capacity, CHUNK).unwrap_err();
            assert_eq!(e.line, Some(3), "{e}");
            assert!(e.message.contains("longer than 4096 bytes"), "{e}");
        }
        // Up to the bound is fine.
        let fits = format!("t_ms,level\n0,1\n#{}\n1,1\n", "x".repeat(MAX_LINE - 1));
        assert_eq!(read_through(fits.as_bytes(), 10, CHUNK).unwrap().len(), 2);
        // A file with no line ends at all.
        let e = read_through("x".repeat(100_000).as_bytes(), 64, CHUNK).unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn every_number_has_a_range() {
        let ok =
            parse("# dark: 1000000000\nt_ms,level\n-1000000000000,1000000000\n1e12,0\n").unwrap();
        assert_eq!(ok.samples[0].c, 1e9);
        assert_eq!(ok.samples[1].t_ms, 1e12);
        for (text, line, want) in [
            (
                "t_ms,level\n0,1000000100\n",
                2,
                "level `1000000100` is out of range",
            ),
            (
                "t_ms,r,g,b,c\n0,1,2,3,1e10\n",
                2,
                "c `1e10` is out of range",
            ),
            (
                "t_ms,level\n1000000000001,1\n",
                2,
                "t_ms `1000000000001` is out of range",
            ),
            (
                "t_ms,level\n-1.5e12,1\n",
                2,
                "t_ms `-1.5e12` is out of range",
            ),
            (
                "t_ms,level\ninf,1\n",
                2,
                "t_ms `inf` is not a finite number",
            ),
            (
                "# dark: 2e9\nt_ms,level\n0,1\n",
                1,
                "dark `2e9` is out of range",
            ),
        ] {
            let e = err(text);
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.message.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_is_named() {
        let dir = tempfile::tempdir().unwrap();
        for path in [dir.path().join("nosuch.csv"), dir.path().to_path_buf()] {
            let e = Trace::load(&path).unwrap_err();
            assert_eq!(e.path, path);
            assert_eq!(e.line, None, "{e}");
            assert!(e.message.starts_with("cannot read: "), "{e}");
        }
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line() {
        let e = TraceReader::new(&b"t_ms,level\n0,1\n1,\xff\n"[..], "t.csv")
            .unwrap()
            .into_trace()
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn the_writer_refuses_what_the_reader_would_refuse() {
        let head = |labels: Vec<(String, String)>| Head {
            kind: SensorKind::Rgbc,
            polarity: Polarity::Emissive,
            dark: None,
            labels,
        };
        let s = |t_ms: f64, c: f32| Sample {
            t_ms,
            c,
            ..Sample::default()
        };
        for bad in [
            vec![s(0.0, f32::NAN)],
            vec![s(0.0, -1.0)],
            vec![s(0.0, 2e9)],
            vec![s(f64::INFINITY, 1.0)],
            vec![s(2e12, 1.0)],
            vec![s(1.0, 1.0), s(0.5, 1.0)],
        ] {
            let mut out = Vec::new();
            let mut w = TraceWriter::new(&mut out, &head(vec![])).unwrap();
            let e = w.push(&bad).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
        for key in ["dark", "Polarity", "a b", ""] {
            let e =
                TraceWriter::new(Vec::new(), &head(vec![(key.into(), "v".into())])).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{key}");
        }
        // A line end in a label's value becomes a space: one line each.
        let mut out = Vec::new();
        let w =
            TraceWriter::new(&mut out, &head(vec![("note".into(), "a\nb\r\nc".into())])).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# note: a b  c\n# polarity: emissive\nt_ms,r,g,b,c\n"
        );
        // Dropping the writer flushes it.
        let mut out = Vec::new();
        {
            let mut w = TraceWriter::new(&mut out, &head(vec![])).unwrap();
            w.push(&[s(1.5, 2.0)]).unwrap();
        }
        assert!(String::from_utf8(out)
            .unwrap()
            .ends_with("t_ms,r,g,b,c\n1.5,0,0,0,2\n"));
    }

    #[test]
    fn every_corpus_trace_reads_and_is_in_the_writers_form() {
        let dir = crate::workspace_path("fixtures/traces");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "csv") || path.ends_with("labels.csv") {
                continue;
            }
            let t = Trace::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!t.samples.is_empty(), "{}", path.display());
            // Written again, the file is the same bytes: the corpus is in this writer's form.
            let mut out = Vec::new();
            t.write(&mut out).unwrap();
            assert!(
                out == std::fs::read(&path).unwrap(),
                "{} is not what the writer writes",
                path.display()
            );
            n += 1;
        }
        assert!(n >= 263, "{n} traces in {}", dir.display());
    }
}
