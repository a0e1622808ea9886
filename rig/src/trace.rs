//! Light traces: a sensor's samples as a CSV file, for `rig classify` and for generators of
//! labelled traces.
//!
//! ```text
//! # dark: 12 12 12 12          optional: the dark level (four numbers r g b c, or one)
//! # polarity: emissive         optional: emissive (default) or reflective
//! t_ms,r,g,b,c                 RGB+clear sensor counts; or `t_ms,level` for a photodiode
//! 0.0,12.4,40.1,18.0,410.7
//! 5.0,11.9,39.8,17.7,409.2
//! ```
//!
//! - `t_ms` is milliseconds on any origin; it may be fractional and unevenly spaced but
//!   never goes backwards (equal times are allowed). Counts are finite and not negative.
//! - `# dark:` is the reading with the light off (emissive) or the level of the bare
//!   display (reflective, where "on" reads darker). Without it the classifier estimates
//!   the dark level from the trace itself.
//! - Liberal in what it accepts: surrounding spaces, blank lines, CRLF, a UTF-8 BOM,
//!   numbers in `# dark:` separated by spaces or commas, and any other `#` line (an unknown
//!   `# key: value` is a comment too, so generators may add labels). `# dark:` and
//!   `# polarity:` must come before the first sample and at most once each.
//! - Level traces keep the level in [`Sample::c`] (r, g, b are 0), as level sensors do.

use std::io::{self, Write};

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::{Calibration, Polarity};
use crate::source::{InputError, SourceText};

/// The header of an RGB+clear trace.
pub const RGBC_HEADER: &str = "t_ms,r,g,b,c";
/// The header of a level (photodiode) trace.
pub const LEVEL_HEADER: &str = "t_ms,level";

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
    /// Read and parse a trace file.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Trace, InputError> {
        Trace::parse(&SourceText::read(path)?)
    }

    /// Parse a trace; an error names the file, the line and what is wrong.
    pub fn parse(src: &SourceText) -> Result<Trace, InputError> {
        let at = |line: usize, msg: String| InputError {
            path: src.path.clone(),
            line: Some(line),
            message: msg,
        };
        let text = src.text.strip_prefix('\u{feff}').unwrap_or(&src.text);
        let mut polarity: Option<(Polarity, usize)> = None;
        // The dark line's values and line number, checked against the header once known.
        let mut dark: Option<(Vec<f32>, usize)> = None;
        let mut header: Option<(SensorKind, usize)> = None;
        let mut samples: Vec<Sample> = Vec::new();

        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let Some((key, value)) = directive(comment) else {
                    continue;
                };
                let (key, value) = (key.to_ascii_lowercase(), value.trim());
                if key != "dark" && key != "polarity" {
                    continue; // another generator's label: a comment
                }
                if !samples.is_empty() {
                    return Err(at(
                        n,
                        format!("`# {key}:` after the first sample: put it before the header"),
                    ));
                }
                if key == "dark" {
                    if let Some((_, first)) = dark {
                        return Err(at(
                            n,
                            format!("a second `# dark:` (the first is on line {first})"),
                        ));
                    }
                    dark = Some((parse_dark(value).map_err(|m| at(n, m))?, n));
                } else {
                    if let Some((_, first)) = polarity {
                        return Err(at(
                            n,
                            format!("a second `# polarity:` (the first is on line {first})"),
                        ));
                    }
                    let p = match value.to_ascii_lowercase().as_str() {
                        "emissive" => Polarity::Emissive,
                        "reflective" => Polarity::Reflective,
                        _ => {
                            return Err(at(
                                n,
                                format!(
                                    "unknown polarity `{value}`: write `emissive` (on is brighter) or `reflective` (an LCD indicator: on is darker)"
                                ),
                            ))
                        }
                    };
                    polarity = Some((p, n));
                }
                continue;
            }
            let Some((kind, _)) = header else {
                header = Some((parse_header(line).map_err(|m| at(n, m))?, n));
                continue;
            };
            let sample = parse_row(line, kind).map_err(|m| at(n, m))?;
            if let Some(prev) = samples.last() {
                if sample.t_ms < prev.t_ms {
                    return Err(at(
                        n,
                        format!(
                            "t_ms goes backwards: {} after {} (samples must be in time order)",
                            fmt_f64(sample.t_ms),
                            fmt_f64(prev.t_ms)
                        ),
                    ));
                }
            }
            samples.push(sample);
        }

        let Some((kind, header_line)) = header else {
            return Err(InputError {
                path: src.path.clone(),
                line: None,
                message: format!(
                    "empty trace: no header `{RGBC_HEADER}` (RGB+clear sensor) or `{LEVEL_HEADER}` (photodiode) and no samples"
                ),
            });
        };
        if samples.is_empty() {
            return Err(at(
                header_line,
                "empty trace: no samples after the header".into(),
            ));
        }
        let dark = match dark {
            None => None,
            Some((v, n)) => Some(match (kind, v.as_slice()) {
                (SensorKind::Rgbc, &[r, g, b, c]) => DarkLevel::Rgbc([r, g, b, c]),
                (SensorKind::Level, &[l]) => DarkLevel::Level(l),
                (SensorKind::Rgbc, _) => {
                    return Err(at(n, format!("`# dark:` has {} value(s), but the header (line {header_line}) is an RGB+clear trace: give four, `r g b c`", v.len())))
                }
                (SensorKind::Level, _) => {
                    return Err(at(n, format!("`# dark:` has {} values, but the header (line {header_line}) is a level trace: give one", v.len())))
                }
            }),
        };
        Ok(Trace {
            kind,
            polarity: polarity.map_or(Polarity::Emissive, |p| p.0),
            dark,
            samples,
        })
    }

    /// How the classifier should read this trace.
    pub fn calibration(&self) -> Calibration {
        Calibration {
            kind: self.kind,
            polarity: self.polarity,
            dark: self.dark,
        }
    }

    /// Write the trace in the format [`Trace::parse`] reads (numbers round-trip exactly).
    pub fn write(&self, mut w: impl Write) -> io::Result<()> {
        let polarity = match self.polarity {
            Polarity::Emissive => "emissive",
            Polarity::Reflective => "reflective",
        };
        writeln!(w, "# polarity: {polarity}")?;
        match self.dark {
            Some(DarkLevel::Rgbc([r, g, b, c])) => writeln!(w, "# dark: {r} {g} {b} {c}")?,
            Some(DarkLevel::Level(l)) => writeln!(w, "# dark: {l}")?,
            None => {}
        }
        match self.kind {
            SensorKind::Rgbc => {
                writeln!(w, "{RGBC_HEADER}")?;
                for s in &self.samples {
                    writeln!(w, "{},{},{},{},{}", fmt_f64(s.t_ms), s.r, s.g, s.b, s.c)?;
                }
            }
            SensorKind::Level => {
                writeln!(w, "{LEVEL_HEADER}")?;
                for s in &self.samples {
                    writeln!(w, "{},{}", fmt_f64(s.t_ms), s.c)?;
                }
            }
        }
        w.flush()
    }
}

/// `f64` as Rust prints it (shortest round-trip form), which parses back exactly.
fn fmt_f64(x: f64) -> String {
    format!("{x}")
}

/// `dark: 12 12 12 12` → `("dark", " 12 12 12 12")`: a word, then a colon.
fn directive(comment: &str) -> Option<(&str, &str)> {
    let (key, value) = comment.split_once(':')?;
    let key = key.trim();
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some((key, value))
}

fn parse_dark(value: &str) -> Result<Vec<f32>, String> {
    let words: Vec<&str> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err("`# dark:` gives no value: write four numbers `r g b c` or one level".into());
    }
    words
        .iter()
        .map(|w| count(w, "dark"))
        .collect::<Result<Vec<f32>, String>>()
}

fn parse_header(line: &str) -> Result<SensorKind, String> {
    let cols: Vec<String> = line
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    match cols.as_slice() {
        ["t_ms", "r", "g", "b", "c"] => Ok(SensorKind::Rgbc),
        ["t_ms", "level"] => Ok(SensorKind::Level),
        _ if line.split(',').next().is_some_and(|f| f.trim().parse::<f64>().is_ok()) => Err(format!(
            "a sample before the header: the first line that is not a comment must be `{RGBC_HEADER}` or `{LEVEL_HEADER}`"
        )),
        _ => Err(format!(
            "wrong header `{line}`: expected `{RGBC_HEADER}` (RGB+clear sensor) or `{LEVEL_HEADER}` (photodiode)"
        )),
    }
}

fn parse_row(line: &str, kind: SensorKind) -> Result<Sample, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let (want, header) = match kind {
        SensorKind::Rgbc => (5, RGBC_HEADER),
        SensorKind::Level => (2, LEVEL_HEADER),
    };
    if fields.len() != want {
        return Err(format!(
            "{} columns, but the header `{header}` has {want}",
            fields.len()
        ));
    }
    let t_ms: f64 = fields[0]
        .parse()
        .ok()
        .filter(|t: &f64| t.is_finite())
        .ok_or_else(|| format!("t_ms `{}` is not a number", fields[0]))?;
    Ok(match kind {
        SensorKind::Rgbc => Sample {
            t_ms,
            r: count(fields[1], "r")?,
            g: count(fields[2], "g")?,
            b: count(fields[3], "b")?,
            c: count(fields[4], "c")?,
        },
        SensorKind::Level => Sample {
            t_ms,
            c: count(fields[1], "level")?,
            ..Sample::default()
        },
    })
}

/// A sensor count: a finite, non-negative number.
fn count(text: &str, column: &str) -> Result<f32, String> {
    let v: f32 = text
        .parse()
        .map_err(|_| format!("{column} `{text}` is not a number"))?;
    if !v.is_finite() {
        return Err(format!("{column} `{text}` is not a finite number"));
    }
    if v < 0.0 {
        return Err(format!(
            "{column} `{text}` is negative: sensor counts are 0 or more"
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn unknown_directives_are_comments() {
        let t = parse("# label: green wink\n# seed: 4\n# note:\nt_ms,level\n0,1\n").unwrap();
        assert_eq!(t.dark, None);
        assert_eq!(t.polarity, Polarity::Emissive);
    }
}
