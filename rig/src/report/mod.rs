//! Reporters: they consume the runner's events. `results.csv` is written row by row and
//! flushed as each case finishes, so a killed run keeps every finished row.

mod console;
mod csv_file;
pub mod diff;
pub mod merge;
pub mod read;
pub mod run_json;
mod set;
pub mod traces;

pub use console::Console;
pub use csv_file::{CsvReport, CSV_COLUMNS};
pub use run_json::RunRecord;
pub use set::{write_report_set, ReportSet};

use std::time::{Duration, SystemTime};

/// RFC 3339 UTC time (ms precision) of a bench time, given the wall time of bench time 0.
pub fn wall_time(origin: SystemTime, bench_ms: f64) -> String {
    let t = origin + Duration::from_micros((bench_ms.max(0.0) * 1000.0) as u64);
    humantime::format_rfc3339_millis(t).to_string()
}
