//! `traces/*.csv`: the deciding light trace of every FAIL row, one file each, in the
//! light trace format of [`crate::trace`] (so `rig classify FILE` re-reads it) with the
//! row's identity and marks as `# key: value` label lines (comments to the classifier;
//! [`crate::trace::Head::labels`] to whoever reads them back):
//!
//! ```text
//! # position: p9611
//! # case: shows-on
//! # attempt: 1
//! # light: twinning
//! # sensor: s9611-tw
//! # window_from_ms: 1234.5
//! # decided_ms: 5234.5
//! # expected: twinning light: green steady for 2000 ms
//! # observed: twinning light: red steady
//! # polarity: emissive
//! t_ms,r,g,b,c
//! ...
//! ```

use std::path::{Path, PathBuf};

use super::ReportError;
use crate::runner::{CaseResult, DecidingTrace};
use crate::source::InputError;
use crate::trace::{TraceReader, TraceWriter};

/// The folder of a report set that holds the traces.
pub(crate) const TRACES_DIR: &str = "traces";

/// `traces/<position>_<case>_<attempt>.csv` (relative to the report folder). Each id
/// keeps its letters, digits, `.` and `-`; any other byte (the `_` that separates the
/// parts too) is written `~XX`, its hex: `p/x` is `p~2Fx`, `p_x` is `p~5Fx`. So every
/// row names a file of its own that is safe on any file system and in a link, and two
/// FAILs never share one (a plain `_` for every odd character made `p/x` and `p_x` one
/// file, the second FAIL's trace silently overwriting the first's).
///
/// In a report merged from several benches the file is under the bench's folder,
/// `traces/<bench>/…` (the trace's [`DecidingTrace::bench`]).
pub fn trace_file(row: &CaseResult) -> PathBuf {
    match row.trace.as_ref().and_then(|t| t.bench.as_deref()) {
        Some(bench) => bench_trace_file(bench, row),
        None => Path::new(TRACES_DIR).join(file_name(row)),
    }
}

/// Where a merged report files the trace of `row` of `bench` (see [`trace_file`]).
pub(crate) fn bench_trace_file(bench: &str, row: &CaseResult) -> PathBuf {
    Path::new(TRACES_DIR)
        .join(file_safe(bench))
        .join(file_name(row))
}

/// `<position>_<case>_<attempt>.csv`.
fn file_name(row: &CaseResult) -> String {
    format!(
        "{}_{}_{}.csv",
        file_safe(&row.position),
        file_safe(&row.case),
        row.attempt
    )
}

/// `id` with every byte outside `[A-Za-z0-9.-]` written `~XX` (one-to-one: `~` is
/// escaped too).
fn file_safe(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("~{b:02X}"));
        }
    }
    out
}

/// Write the trace of every row that has one into `dir/traces/`.
pub(crate) fn write_traces(dir: &Path, results: &[CaseResult]) -> Result<(), ReportError> {
    for row in results {
        let Some(t) = &row.trace else { continue };
        let path = dir.join(trace_file(row));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ReportError::create(parent, e))?;
        }
        super::write_whole_with(&path, |w| write_one(w, row, t))?;
    }
    Ok(())
}

/// The row's identity and marks as labels (the writer makes each value one line), then the
/// trace, streamed with [`TraceWriter`].
fn write_one(out: impl std::io::Write, row: &CaseResult, t: &DecidingTrace) -> std::io::Result<()> {
    let bench = t.bench.iter().map(|b| ("bench", b.clone()));
    let labels = [
        ("position", row.position.clone()),
        ("case", row.case.clone()),
        ("attempt", row.attempt.to_string()),
        ("light", t.light.clone()),
        ("sensor", t.sensor.clone()),
        ("window_from_ms", t.window_from_ms.to_string()),
        ("decided_ms", t.decided_ms.to_string()),
        ("expected", t.expected.clone()),
        ("observed", t.observed.clone()),
    ];
    let head = t.trace.head(
        bench
            .chain(labels)
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    );
    let mut w = TraceWriter::new(out, &head)?;
    w.push(&t.trace.samples)?;
    w.finish()
}

/// Read a trace file written by [`write_traces`] back into a deciding trace, with
/// [`TraceReader`] (the marks are its labels). A missing mark is an error naming the file.
pub(crate) fn read_trace_file(path: &Path) -> Result<DecidingTrace, InputError> {
    let reader = TraceReader::open(path)?;
    let head = reader.head().clone();
    let error = |message: String| InputError {
        path: path.to_path_buf(),
        line: None,
        message,
    };
    let mark = |key: &str| -> Result<String, InputError> {
        head.label(key)
            .map(str::to_string)
            .ok_or_else(|| error(format!("no `# {key}:` line")))
    };
    let number = |key: &str| -> Result<f64, InputError> {
        let v = mark(key)?;
        v.parse()
            .map_err(|_| error(format!("`# {key}: {v}` is not a number")))
    };
    Ok(DecidingTrace {
        light: mark("light")?,
        sensor: mark("sensor")?,
        window_from_ms: number("window_from_ms")?,
        decided_ms: number("decided_ms")?,
        expected: mark("expected")?,
        observed: mark("observed")?,
        bench: head.label("bench").map(str::to_string),
        trace: reader.into_trace()?,
    })
}

/// Attach to each FAIL row of `results` the trace `dir/traces/` holds for it, if any.
#[cfg(test)]
pub(crate) fn attach_traces(dir: &Path, results: &mut [CaseResult]) -> Result<(), InputError> {
    for row in results.iter_mut() {
        let path = dir.join(trace_file(row));
        if row.trace.is_none() && path.exists() {
            row.trace = Some(read_trace_file(&path)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hw::{Sample, SensorKind};
    use crate::observe::Polarity;
    use crate::runner::Verdict;
    use crate::trace::Trace;

    fn failed_row() -> CaseResult {
        CaseResult {
            position: "p/1".into(),
            model: "9611G".into(),
            family: "9611".into(),
            case: "shows-on".into(),
            clauses: vec!["S4".into()],
            verdict: Verdict::Fail,
            expected: String::new(),
            observed: String::new(),
            measured: None,
            unit: String::new(),
            attempt: 3,
            started_ms: 0.0,
            bench_time_ms: 0.0,
            message: "m".into(),
            trace: Some(DecidingTrace {
                light: "twinning".into(),
                sensor: "s1".into(),
                trace: Trace {
                    kind: SensorKind::Rgbc,
                    polarity: Polarity::Emissive,
                    dark: None,
                    samples: vec![
                        Sample {
                            t_ms: 10.0,
                            r: 1.0,
                            g: 2.0,
                            b: 3.0,
                            c: 4.0,
                        },
                        Sample {
                            t_ms: 20.5,
                            r: 5.0,
                            g: 6.0,
                            b: 7.0,
                            c: 8.0,
                        },
                    ],
                },
                window_from_ms: 12.0,
                decided_ms: 20.5,
                expected: "twinning light: green steady".into(),
                observed: "twinning light: red\nsteady".into(),
                bench: None,
            }),
        }
    }

    #[test]
    fn ids_that_a_plain_underscore_would_join_get_a_file_each() {
        let row = |position: &str, case: &str| CaseResult {
            position: position.into(),
            case: case.into(),
            ..failed_row()
        };
        // Once `p/x` and `p_x` were both `p_x`; `a_b` + `c` and `a` + `b_c` both `a_b_c`.
        let rows = [
            row("p/x", "shows-on"),
            row("p_x", "shows-on"),
            row("a_b", "c"),
            row("a", "b_c"),
            row("p~2Fx", "shows-on"),
            row("p9611", "shows-on"),
        ];
        let names: Vec<PathBuf> = rows.iter().map(trace_file).collect();
        assert_eq!(
            names[5],
            Path::new("traces/p9611_shows-on_3.csv"),
            "plain ids stay plain"
        );
        let dir = tempfile::tempdir().unwrap();
        write_traces(dir.path(), &rows).unwrap();
        for (r, name) in rows.iter().zip(&names) {
            let labels = TraceReader::open(dir.path().join(name))
                .unwrap()
                .head()
                .clone();
            assert_eq!(
                labels.label("position"),
                Some(r.position.as_str()),
                "{name:?}"
            );
            assert_eq!(labels.label("case"), Some(r.case.as_str()), "{name:?}");
        }
        assert_eq!(
            std::fs::read_dir(dir.path().join(TRACES_DIR))
                .unwrap()
                .count(),
            rows.len(),
            "one file per FAIL: {names:?}"
        );
    }

    #[test]
    fn a_trace_file_round_trips_and_has_a_safe_name() {
        let dir = tempfile::tempdir().unwrap();
        let row = failed_row();
        assert_eq!(trace_file(&row), Path::new("traces/p~2F1_shows-on_3.csv"));
        write_traces(dir.path(), std::slice::from_ref(&row)).unwrap();
        let back = read_trace_file(&dir.path().join(trace_file(&row))).unwrap();
        let mut want = row.trace.clone().unwrap();
        want.observed = "twinning light: red steady".into();
        assert_eq!(back, want);
        let mut rows = vec![CaseResult { trace: None, ..row }];
        attach_traces(dir.path(), &mut rows).unwrap();
        assert_eq!(rows[0].trace.as_ref(), Some(&want));
    }
}
