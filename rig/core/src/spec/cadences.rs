//! The cadence table (`fixtures/cadences.csv`): the timing of each blink pattern.

use serde::Deserialize;

use super::Cadence;
use crate::limits::OutOfRange;
use crate::source::{InputError, SourceText};

/// One row of the cadence table. Times in ms; a blinking cadence has `on_ms`/`off_ms`;
/// a grouped one (broken flutter) also has the group's on and off times.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceSpec {
    pub(crate) cadence: Cadence,
    pub on_ms: Option<f64>,
    pub off_ms: Option<f64>,
    pub group_on_ms: Option<f64>,
    pub group_off_ms: Option<f64>,
    /// How long a light must hold still before "steady" (or off) may be confirmed.
    pub(crate) settle_ms: Option<f64>,
    /// Allowed deviation of measured times from the table, in percent.
    pub(crate) tolerance_pct: f64,
}

impl CadenceSpec {
    /// Every number of the row in its range (`crate::limits`).
    fn check_ranges(&self) -> Result<(), OutOfRange> {
        use crate::limits::{CADENCE_MS, SETTLE_MS, TOLERANCE_PCT};
        let times = [self.on_ms, self.off_ms, self.group_on_ms, self.group_off_ms];
        for (name, v) in ["on_ms", "off_ms", "group_on_ms", "group_off_ms"]
            .into_iter()
            .zip(times)
        {
            if let Some(v) = v {
                CADENCE_MS
                    .check(v)
                    .map_err(|e| OutOfRange { field: name, ..e })?;
            }
        }
        if let Some(v) = self.settle_ms {
            SETTLE_MS.check(v)?;
        }
        TOLERANCE_PCT.check(self.tolerance_pct)
    }

    /// The repeat period: the group period for grouped cadences, else on + off.
    pub(crate) fn period_ms(&self) -> Option<f64> {
        match (self.group_on_ms, self.group_off_ms, self.on_ms, self.off_ms) {
            (Some(a), Some(b), _, _) => Some(a + b),
            (_, _, Some(a), Some(b)) => Some(a + b),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Row {
    cadence: String,
    on_ms: Option<f64>,
    off_ms: Option<f64>,
    group_on_ms: Option<f64>,
    group_off_ms: Option<f64>,
    settle_ms: Option<f64>,
    tolerance_pct: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct CadenceTable {
    pub(crate) rows: Vec<CadenceSpec>,
}

impl CadenceTable {
    pub(crate) fn parse(src: &SourceText) -> Result<Self, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| src.error(None, e.to_string()))?
            .clone();
        let mut rows = Vec::new();
        for record in reader.records() {
            let at_line = |line: Option<u64>, message: String| InputError {
                path: src.path.clone(),
                line: line.map(|l| l as usize),
                message,
            };
            let record =
                record.map_err(|e| at_line(e.position().map(|p| p.line()), e.to_string()))?;
            let line = record.position().map(|p| p.line());
            let at = |msg: String| at_line(line, msg);
            let row: Row = record
                .deserialize(Some(&headers))
                .map_err(|e| at(e.to_string()))?;
            let cadence = row
                .cadence
                .parse::<Cadence>()
                .map_err(|e| at(e.to_string()))?;
            let spec = CadenceSpec {
                cadence,
                on_ms: row.on_ms,
                off_ms: row.off_ms,
                group_on_ms: row.group_on_ms,
                group_off_ms: row.group_off_ms,
                settle_ms: row.settle_ms,
                tolerance_pct: row.tolerance_pct.unwrap_or(20.0),
            };
            spec.check_ranges().map_err(|e| at(e.to_string()))?;
            if cadence != Cadence::Steady && spec.period_ms().is_none() {
                return Err(at(format!("cadence `{cadence}` needs on_ms and off_ms")));
            }
            rows.push(spec);
        }
        for c in Cadence::ALL {
            if !rows.iter().any(|r| r.cadence == c) {
                return Err(InputError {
                    path: src.path.clone(),
                    line: None,
                    message: format!("no row for cadence `{c}`"),
                });
            }
        }
        Ok(Self { rows })
    }

    pub fn get(&self, cadence: Cadence) -> &CadenceSpec {
        self.rows
            .iter()
            .find(|r| r.cadence == cadence)
            .expect("CadenceTable::parse guarantees a row per cadence")
    }

    /// The longest repeat period of any blinking cadence: a window shorter than this
    /// cannot tell steady from a slow blink.
    pub(crate) fn slowest_period_ms(&self) -> f64 {
        self.rows
            .iter()
            .filter_map(CadenceSpec::period_ms)
            .fold(0.0, f64::max)
    }

    /// How long a steady (or dark) light must be watched before it is confirmed.
    pub(crate) fn steady_settle_ms(&self) -> f64 {
        self.get(Cadence::Steady)
            .settle_ms
            .unwrap_or(0.0)
            .max(self.slowest_period_ms() * 1.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "cadence,on_ms,off_ms,group_on_ms,group_off_ms,settle_ms,tolerance_pct\n";
    const GOOD: [&str; 5] = [
        "steady,,,,,1200,",
        "flash,500,500,,,,25",
        "wink,200,50,,,,30",
        "flutter,50,50,,,,35",
        "broken-flutter,50,50,500,500,,25",
    ];

    fn parse_with(replace: usize, row: &str) -> Result<CadenceTable, InputError> {
        let mut rows = GOOD.map(str::to_string);
        rows[replace] = row.to_string();
        let text = format!("# a comment\n{HEADER}{}\n", rows.join("\n"));
        CadenceTable::parse(&SourceText::from_string("cadences.csv", text))
    }

    #[test]
    fn the_shipped_table_parses() {
        let t = parse_with(0, GOOD[0]).unwrap();
        assert_eq!(t.get(Cadence::Wink).on_ms, Some(200.0));
    }

    #[test]
    fn numbers_out_of_range_are_refused_with_their_line() {
        for (i, row) in [
            (1, "flash,inf,500,,,,25"),
            (1, "flash,NaN,500,,,,25"),
            (2, "wink,-200,50,,,,30"),
            (3, "flutter,50,1e308,,,,35"),
            (4, "broken-flutter,50,50,500,0,,25"),
            (0, "steady,,,,,18446744073709551615,"),
            (1, "flash,500,500,,,,0"),
            (1, "flash,500,500,,,,100"),
        ] {
            let e = parse_with(i, row).unwrap_err();
            // Line 1 is the comment, line 2 the header.
            assert_eq!(e.line, Some(3 + i), "{row}: {e}");
            assert!(e.to_string().contains("out of range"), "{row}: {e}");
        }
    }

    #[test]
    fn a_row_that_is_not_numbers_names_its_line() {
        let e = parse_with(2, "wink,fast,50,,,,30").unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
    }
}
