//! The trace file format (issue 3): CSV, header `t_ms,r,g,b,c` (RGB+clear counts) or
//! `t_ms,level` (a photodiode's ADC counts), optionally preceded by comment lines
//! `# dark: r g b c` (or one number) and `# polarity: emissive|reflective`.
//!
//! `t_ms` may be fractional and unevenly spaced. Written with 0.1 ms times and integer
//! counts (short files); read leniently (blank lines, CRLF, spaces, other comments, rows out
//! of time order are sorted).

use std::fmt::Write as _;
use std::path::Path;

use crate::bench::DarkLevel;
use crate::hw::{Sample, SensorKind};
use crate::observe::Polarity;

use super::{Header, Trace};

impl Trace {
    /// The file text.
    pub fn to_csv(&self) -> String {
        let h = &self.header;
        let mut out = String::with_capacity(self.samples.len() * 28 + 64);
        match h.dark {
            Some(DarkLevel::Rgbc([r, g, b, c])) => {
                let _ = writeln!(out, "# dark: {} {} {} {}", num(r), num(g), num(b), num(c));
            }
            Some(DarkLevel::Level(v)) => {
                let _ = writeln!(out, "# dark: {}", num(v));
            }
            None => {}
        }
        let polarity = match h.polarity {
            Polarity::Emissive => "emissive",
            Polarity::Reflective => "reflective",
        };
        let _ = writeln!(out, "# polarity: {polarity}");
        match h.kind {
            SensorKind::Rgbc => {
                out.push_str("t_ms,r,g,b,c\n");
                for s in &self.samples {
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{}",
                        time(s.t_ms),
                        count(s.r),
                        count(s.g),
                        count(s.b),
                        count(s.c)
                    );
                }
            }
            SensorKind::Level => {
                out.push_str("t_ms,level\n");
                for s in &self.samples {
                    let _ = writeln!(out, "{},{}", time(s.t_ms), count(s.c));
                }
            }
        }
        out
    }

    pub fn write(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_csv())
    }

    pub fn read(path: impl AsRef<Path>) -> Result<Trace, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Trace::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parse a trace file. Errors name the line.
    pub fn parse(text: &str) -> Result<Trace, String> {
        let mut dark: Option<Vec<f32>> = None;
        let mut polarity = Polarity::Emissive;
        let mut kind: Option<SensorKind> = None;
        let mut samples = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let comment = comment.trim();
                if let Some(v) = comment.strip_prefix("dark:") {
                    let nums = v
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .filter(|w| !w.is_empty())
                        .map(|w| w.parse::<f32>())
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| format!("line {line_no}: dark: {e}"))?;
                    if nums.len() != 1 && nums.len() != 4 {
                        return Err(format!(
                            "line {line_no}: dark needs one number or four (r g b c)"
                        ));
                    }
                    dark = Some(nums);
                } else if let Some(v) = comment.strip_prefix("polarity:") {
                    polarity = match v.trim() {
                        "emissive" => Polarity::Emissive,
                        "reflective" => Polarity::Reflective,
                        other => {
                            return Err(format!(
                                "line {line_no}: polarity `{other}` (emissive or reflective)"
                            ))
                        }
                    };
                }
                continue;
            }
            let Some(k) = kind else {
                let cols: Vec<&str> = line.split(',').map(str::trim).collect();
                kind = Some(match cols.as_slice() {
                    ["t_ms", "r", "g", "b", "c"] => SensorKind::Rgbc,
                    ["t_ms", "level"] => SensorKind::Level,
                    _ => {
                        return Err(format!(
                            "line {line_no}: header must be `t_ms,r,g,b,c` or `t_ms,level`"
                        ))
                    }
                });
                continue;
            };
            let mut v = [0.0f64; 5];
            let want = match k {
                SensorKind::Rgbc => 5,
                SensorKind::Level => 2,
            };
            let mut n = 0;
            for field in line.split(',') {
                if n == want {
                    return Err(format!("line {line_no}: more than {want} fields"));
                }
                v[n] = field
                    .trim()
                    .parse()
                    .map_err(|e| format!("line {line_no}: `{}`: {e}", field.trim()))?;
                n += 1;
            }
            if n != want {
                return Err(format!("line {line_no}: {n} fields, want {want}"));
            }
            samples.push(match k {
                SensorKind::Rgbc => Sample {
                    t_ms: v[0],
                    r: v[1] as f32,
                    g: v[2] as f32,
                    b: v[3] as f32,
                    c: v[4] as f32,
                },
                SensorKind::Level => Sample {
                    t_ms: v[0],
                    c: v[1] as f32,
                    ..Sample::default()
                },
            });
        }
        let kind = kind.ok_or("no header row")?;
        if !samples.windows(2).all(|w| w[0].t_ms <= w[1].t_ms) {
            samples.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        }
        let dark = dark.map(|d| match (kind, d.as_slice()) {
            (SensorKind::Rgbc, &[r, g, b, c]) => DarkLevel::Rgbc([r, g, b, c]),
            (SensorKind::Level, &[.., c]) => DarkLevel::Level(c),
            (_, &[v]) => DarkLevel::Level(v),
            _ => unreachable!("one or four numbers"),
        });
        Ok(Trace {
            header: Header {
                kind,
                polarity,
                dark,
            },
            samples,
        })
    }
}

/// A time: 0.1 ms resolution, no trailing `.0`.
fn time(t: f64) -> String {
    let v = (t * 10.0).round() / 10.0;
    if v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A calibration number: 0.1 resolution, no trailing `.0`.
fn num(v: f32) -> String {
    time(f64::from(v))
}

/// A count: an integer.
fn count(v: f32) -> String {
    format!("{:.0}", v.round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_survives_writing_and_reading() {
        let t = Trace {
            header: Header {
                kind: SensorKind::Rgbc,
                polarity: Polarity::Emissive,
                dark: Some(DarkLevel::Rgbc([1.5, 2.0, 3.0, 12.25])),
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
                    t_ms: 5.25,
                    r: 10.0,
                    g: 20.0,
                    b: 30.0,
                    c: 65535.0,
                },
            ],
        };
        let text = t.to_csv();
        assert!(text.starts_with("# dark: 1.5 2 3 12.3\n# polarity: emissive\nt_ms,r,g,b,c\n"));
        let back = Trace::parse(&text).unwrap();
        assert_eq!(back.header.kind, SensorKind::Rgbc);
        assert_eq!(back.samples.len(), 2);
        assert_eq!(back.samples[1].t_ms, 5.3);
        assert_eq!(back.samples[1].c, 65535.0);
    }

    #[test]
    fn level_traces_and_lenient_input() {
        let text = "# dark: 1800\r\n# polarity: reflective\r\n# other\r\nt_ms, level\r\n\r\n10.5, 1790\r\n3,1801\r\n";
        let t = Trace::parse(text).unwrap();
        assert_eq!(t.header.kind, SensorKind::Level);
        assert_eq!(t.header.polarity, Polarity::Reflective);
        assert_eq!(t.header.dark, Some(DarkLevel::Level(1800.0)));
        // Sorted by time.
        assert_eq!(t.samples[0].t_ms, 3.0);
        assert_eq!(t.samples[1].c, 1790.0);
    }

    #[test]
    fn bad_input_names_the_line() {
        assert!(Trace::parse("t_ms,x\n").unwrap_err().contains("line 1"));
        assert!(Trace::parse("t_ms,level\n1,2,3\n")
            .unwrap_err()
            .contains("line 2"));
        assert!(Trace::parse("# dark: 1 2\nt_ms,level\n")
            .unwrap_err()
            .contains("line 1"));
    }
}
