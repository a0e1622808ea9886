//! The cadence table (`fixtures/cadences.csv`) and the on/off gate it drives (MODEL.md §2).

/// The cadence names a truth label may carry (besides `off`).
const KNOWN: [&str; 5] = ["steady", "flash", "wink", "flutter", "broken-flutter"];

/// Why a cadence table was refused: what is wrong, and on which line (1-based, counting
/// comment and blank lines) when a line is at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CadenceTableError {
    /// The text has no header line (only comments and blank lines, or nothing).
    #[error("cadence table: no header")]
    NoHeader,
    /// The header lacks a column the table needs.
    #[error("cadence table: header has no `{column}` column")]
    MissingColumn { column: &'static str },
    /// A time is not a positive, finite number of ms.
    #[error("cadence table line {line}: {column} `{value}` is not a positive time in ms")]
    BadTime {
        line: usize,
        column: &'static str,
        value: String,
    },
    /// A cadence this crate cannot label.
    #[error("cadence table line {line}: unknown cadence `{name}` (known: {})", KNOWN.join(" "))]
    UnknownCadence { line: usize, name: String },
    /// A cadence given a second time.
    #[error("cadence table line {line}: `{name}` twice")]
    Duplicate { line: usize, name: &'static str },
    /// A row whose times do not fit its cadence: steady has none, a blink has on and off
    /// times and either both group times or neither.
    #[error("cadence table line {line}: `{name}` needs {}", needs(name))]
    TimesDoNotFit { line: usize, name: &'static str },
    /// No cadence row (besides `off`).
    #[error("cadence table: no cadences")]
    Empty,
}

/// The times a cadence's row must give.
fn needs(name: &str) -> &'static str {
    if name == "steady" {
        "no on/off times"
    } else {
        "on_ms and off_ms (and both group times, or neither)"
    }
}

/// The columns the table needs, in the order `parse` indexes them.
const COLUMNS: [&str; 5] = ["cadence", "on_ms", "off_ms", "group_on_ms", "group_off_ms"];

/// One row's timing, as the table gives it (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pattern {
    Steady,
    Blink {
        on: f64,
        off: f64,
    },
    Grouped {
        on: f64,
        off: f64,
        group_on: f64,
        group_off: f64,
    },
}

/// The cadences of `fixtures/cadences.csv`, parsed from its text.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceTable {
    pub(crate) rows: Vec<(&'static str, Pattern)>,
}

impl CadenceTable {
    /// Parse the csv text: `#` comment lines, a header naming at least `cadence`, `on_ms`,
    /// `off_ms`, `group_on_ms`, `group_off_ms` (other columns are ignored), then one row per
    /// cadence. Every cadence must be one this crate can label; an `off` row is skipped
    /// (the generator always adds `off`).
    pub fn parse(csv_text: &str) -> Result<Self, CadenceTableError> {
        let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
        let (_, header) = lines.next().ok_or(CadenceTableError::NoHeader)?;
        let cols: Vec<String> = header
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let col = |column: &'static str| {
            cols.iter()
                .position(|c| c == column)
                .ok_or(CadenceTableError::MissingColumn { column })
        };
        let idx = [
            col(COLUMNS[0])?,
            col(COLUMNS[1])?,
            col(COLUMNS[2])?,
            col(COLUMNS[3])?,
            col(COLUMNS[4])?,
        ];
        let mut rows: Vec<(&'static str, Pattern)> = Vec::new();
        for (n, line) in lines {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let field = |i: usize| fields.get(idx[i]).copied().unwrap_or("");
            let ms = |i: usize| -> Result<Option<f64>, CadenceTableError> {
                let f = field(i);
                if f.is_empty() {
                    return Ok(None);
                }
                match f.parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 => Ok(Some(v)),
                    _ => Err(CadenceTableError::BadTime {
                        line: n,
                        column: COLUMNS[i],
                        value: f.to_string(),
                    }),
                }
            };
            let raw = field(0).to_ascii_lowercase();
            if raw == "off" {
                continue;
            }
            let Some(name) = KNOWN.iter().copied().find(|k| *k == raw) else {
                return Err(CadenceTableError::UnknownCadence { line: n, name: raw });
            };
            if rows.iter().any(|(r, _)| *r == name) {
                return Err(CadenceTableError::Duplicate { line: n, name });
            }
            let pattern = match (ms(1)?, ms(2)?, ms(3)?, ms(4)?) {
                (None, None, None, None) if name == "steady" => Pattern::Steady,
                (Some(on), Some(off), None, None) if name != "steady" => Pattern::Blink { on, off },
                (Some(on), Some(off), Some(group_on), Some(group_off)) if name != "steady" => {
                    Pattern::Grouped {
                        on,
                        off,
                        group_on,
                        group_off,
                    }
                }
                _ => return Err(CadenceTableError::TimesDoNotFit { line: n, name }),
            };
            rows.push((name, pattern));
        }
        if rows.is_empty() {
            return Err(CadenceTableError::Empty);
        }
        Ok(CadenceTable { rows })
    }

    /// The cadence names, in table order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.rows.iter().map(|(n, _)| *n)
    }
}

/// A rectangle timer: on during `[t0 + kP, t0 + kP + on)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub period: f64,
    pub on: f64,
    pub t0: f64,
}

impl Rect {
    /// Scaled by the period factor `p` and duty factor `d`, origin at phase `phi` ∈ [0,1).
    fn scaled(on: f64, off: f64, p: f64, d: f64, phi: f64) -> Rect {
        let period = (on + off) * p;
        let duty = (d * on / (on + off)).min(0.98);
        Rect {
            period,
            on: duty * period,
            t0: -phi * period,
        }
    }

    /// The unclipped on-intervals that overlap `[a, b)`.
    fn pulses(self, a: f64, b: f64) -> impl Iterator<Item = (f64, f64)> {
        let k0 = ((a - self.t0 - self.on) / self.period).floor() as i64;
        (k0..)
            .map(move |k| {
                let s = self.t0 + k as f64 * self.period;
                (s, s + self.on)
            })
            .take_while(move |&(s, _)| s < b)
            .filter(move |&(_, e)| e > a)
    }
}

/// Whether the light is in its lit state, as a function of time (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Gate {
    Always,
    Never,
    Blink(Rect),
    /// The inner rect restarts at each group start (its own `t0` is unused).
    Grouped {
        group: Rect,
        inner: Rect,
    },
}

impl Gate {
    /// The gate of `pattern` (None: `off`), scaled by `p` and `d`, at phase `phi`.
    pub fn new(pattern: Option<Pattern>, p: f64, d: f64, phi: f64) -> Gate {
        match pattern {
            None => Gate::Never,
            Some(Pattern::Steady) => Gate::Always,
            Some(Pattern::Blink { on, off }) => Gate::Blink(Rect::scaled(on, off, p, d, phi)),
            Some(Pattern::Grouped {
                on,
                off,
                group_on,
                group_off,
            }) => Gate::Grouped {
                group: Rect::scaled(group_on, group_off, p, d, phi),
                inner: Rect::scaled(on, off, p, d, 0.0),
            },
        }
    }

    /// Append the gate's on-intervals within `[a, b)` to `out` (sorted, disjoint).
    pub fn on_intervals(&self, a: f64, b: f64, out: &mut Vec<(f64, f64)>) {
        let clip = |(s, e): (f64, f64)| (s.max(a), e.min(b));
        match *self {
            Gate::Always => out.push((a, b)),
            Gate::Never => {}
            Gate::Blink(r) => out.extend(r.pulses(a, b).map(clip)),
            Gate::Grouped { group, inner } => {
                for (gs, ge) in group.pulses(a, b) {
                    let inner = Rect { t0: gs, ..inner };
                    let (lo, hi) = (gs.max(a), ge.min(b));
                    out.extend(
                        inner
                            .pulses(lo, hi)
                            .map(|(s, e)| (s.max(lo), e.min(hi)))
                            .filter(|(s, e)| e > s),
                    );
                }
            }
        }
    }

    /// A short description: on/off times and timer origin, ms.
    pub fn describe(&self) -> String {
        let r = |r: Rect| format!("{:.1}on/{:.1}off@{:.1}", r.on, r.period - r.on, r.t0);
        match *self {
            Gate::Always => "always".into(),
            Gate::Never => "never".into(),
            Gate::Blink(b) => r(b),
            Gate::Grouped { group, inner } => format!("{}x{}", r(inner), r(group)),
        }
    }

    pub fn is_lit_ever(&self) -> bool {
        !matches!(self, Gate::Never)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const FIXTURE: &str = include_str!("../../../fixtures/cadences.csv");

    #[test]
    fn parses_the_fixture() {
        let t = CadenceTable::parse(FIXTURE).unwrap();
        let names: Vec<_> = t.names().collect();
        assert_eq!(
            names,
            ["steady", "flash", "wink", "flutter", "broken-flutter"]
        );
        assert_eq!(
            t.rows[2].1,
            Pattern::Blink {
                on: 200.0,
                off: 50.0
            }
        );
        assert!(matches!(
            t.rows[4].1,
            Pattern::Grouped { group_on, .. } if group_on == 500.0
        ));
    }

    #[test]
    fn rejects_bad_tables() {
        use CadenceTableError as E;
        let err = |text: &str| CadenceTable::parse(text).unwrap_err();
        assert_eq!(err(""), E::NoHeader);
        let h = "cadence,on_ms,off_ms,group_on_ms,group_off_ms\n";
        assert_eq!(err(h), E::Empty);
        let e = err(&format!("{h}blinky,1,1,,\n"));
        assert_eq!(
            e,
            E::UnknownCadence {
                line: 2,
                name: "blinky".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "cadence table line 2: unknown cadence `blinky` (known: steady flash wink flutter broken-flutter)"
        );
        let e = err(&format!("{h}flash,0,500,,\n"));
        assert_eq!(
            e,
            E::BadTime {
                line: 2,
                column: "on_ms",
                value: "0".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "cadence table line 2: on_ms `0` is not a positive time in ms"
        );
        let e = err(&format!("{h}flash,500,,,\n"));
        assert_eq!(
            e,
            E::TimesDoNotFit {
                line: 2,
                name: "flash"
            }
        );
        assert_eq!(
            e.to_string(),
            "cadence table line 2: `flash` needs on_ms and off_ms (and both group times, or neither)"
        );
        assert_eq!(
            err(&format!("# comment\n{h}flash,5,5,,\nflash,5,5,,\n")),
            E::Duplicate {
                line: 4,
                name: "flash"
            }
        );
        let e = err("cadence,on_ms\nflash,5\n");
        assert_eq!(e, E::MissingColumn { column: "off_ms" });
        assert_eq!(
            e.to_string(),
            "cadence table: header has no `off_ms` column"
        );
    }

    fn lit_measure(g: &Gate, a: f64, b: f64) -> f64 {
        let mut v = Vec::new();
        g.on_intervals(a, b, &mut v);
        assert!(v.windows(2).all(|w| w[0].1 <= w[1].0), "{v:?}");
        v.iter().map(|(s, e)| e - s).sum()
    }

    #[test]
    fn blink_duty_and_period_scale() {
        let g = Gate::new(
            Some(Pattern::Blink {
                on: 200.0,
                off: 50.0,
            }),
            1.1,
            1.05,
            0.3,
        );
        let Gate::Blink(r) = g else { panic!() };
        assert!((r.period - 275.0).abs() < 1e-9);
        assert!((r.on - 0.84 * 275.0).abs() < 1e-9);
        // Over 40 periods the lit share is the duty.
        assert!((lit_measure(&g, 3.0, 3.0 + 40.0 * 275.0) / (40.0 * 275.0) - 0.84).abs() < 1e-9);
    }

    #[test]
    fn broken_flutter_is_flutter_inside_groups() {
        let pat = Pattern::Grouped {
            on: 50.0,
            off: 50.0,
            group_on: 500.0,
            group_off: 500.0,
        };
        let g = Gate::new(Some(pat), 1.0, 1.0, 0.0);
        let mut v = Vec::new();
        g.on_intervals(0.0, 2000.0, &mut v);
        assert_eq!(v.len(), 10, "{v:?}");
        assert_eq!(v[0], (0.0, 50.0));
        assert_eq!(v[4], (400.0, 450.0));
        assert_eq!(v[5], (1000.0, 1050.0));
        // A window across a group start sees only the part inside it.
        assert!((lit_measure(&g, 990.0, 1010.0) - 10.0).abs() < 1e-9);
    }
}
