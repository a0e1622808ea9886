//! The cadence table (`fixtures/cadences.csv`): the timing of each blink pattern.

use serde::Deserialize;

use super::Cadence;
use crate::source::{InputError, SourceText};

/// One row of the cadence table. Times in ms; a blinking cadence has `on_ms`/`off_ms`;
/// a grouped one (broken flutter) also has the group's on and off times.
#[derive(Debug, Clone, PartialEq)]
pub struct CadenceSpec {
    pub cadence: Cadence,
    pub on_ms: Option<f64>,
    pub off_ms: Option<f64>,
    pub group_on_ms: Option<f64>,
    pub group_off_ms: Option<f64>,
    /// How long a light must hold still before "steady" (or off) may be confirmed.
    pub settle_ms: Option<f64>,
    /// Allowed deviation of measured times from the table, in percent.
    pub tolerance_pct: f64,
}

impl CadenceSpec {
    /// The repeat period: the group period for grouped cadences, else on + off.
    pub fn period_ms(&self) -> Option<f64> {
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
    pub rows: Vec<CadenceSpec>,
}

impl CadenceTable {
    pub fn parse(src: &SourceText) -> Result<Self, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.deserialize::<Row>() {
            let row = record.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                InputError {
                    path: src.path.clone(),
                    line,
                    message: e.to_string(),
                }
            })?;
            let at = |msg: String| InputError {
                path: src.path.clone(),
                line: None,
                message: msg,
            };
            let cadence: Cadence = row.cadence.parse().map_err(at)?;
            let spec = CadenceSpec {
                cadence,
                on_ms: row.on_ms,
                off_ms: row.off_ms,
                group_on_ms: row.group_on_ms,
                group_off_ms: row.group_off_ms,
                settle_ms: row.settle_ms,
                tolerance_pct: row.tolerance_pct.unwrap_or(20.0),
            };
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
    pub fn slowest_period_ms(&self) -> f64 {
        self.rows
            .iter()
            .filter_map(CadenceSpec::period_ms)
            .fold(0.0, f64::max)
    }

    /// How long a steady (or dark) light must be watched before it is confirmed.
    pub fn steady_settle_ms(&self) -> f64 {
        self.get(Cadence::Steady)
            .settle_ms
            .unwrap_or(0.0)
            .max(self.slowest_period_ms() * 1.2)
    }
}
