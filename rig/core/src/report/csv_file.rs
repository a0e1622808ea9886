//! `DIR/results.csv`: one row per case and attempt, fixed leading columns.
//!
//! Rows are atomic: each is encoded whole, then written in one `write_all` and flushed;
//! if that fails (a full disk, a file size limit) the file is cut back to the end of the
//! last whole row, so the file only ever holds whole rows and the failure is the
//! reporter's error (the run then stops: [`crate::runner::EventBus`]).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::ReportError;
use crate::runner::{Event, Reporter, RunInfo};

/// The leading columns, in order (the contract; later columns may be added after).
pub const CSV_COLUMNS: [&str; 17] = [
    "run_id",
    "bench",
    "position",
    "model",
    "family",
    "firmware",
    "case",
    "clauses",
    "verdict",
    "expected",
    "observed",
    "measured",
    "unit",
    "attempt",
    "started_at",
    "bench_time_ms",
    "message",
];

pub struct CsvReport {
    path: PathBuf,
    rows: RowWriter<File>,
}

impl CsvReport {
    /// Create `dir/results.csv` (and `dir`), writing the header at once.
    pub fn create(dir: &Path) -> Result<Self, ReportError> {
        std::fs::create_dir_all(dir).map_err(|e| ReportError::create(dir, e))?;
        let path = dir.join("results.csv");
        let file = File::create(&path).map_err(|e| ReportError::create(&path, e))?;
        let mut rows = RowWriter::new(file);
        let header = encode(CSV_COLUMNS).map_err(|reason| ReportError::Csv {
            path: path.clone(),
            reason,
        })?;
        rows.append(&header)
            .map_err(|e| ReportError::write(&path, e))?;
        Ok(Self { path, rows })
    }

    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Reporter for CsvReport {
    fn event(&mut self, info: &RunInfo, event: &Event) -> Result<(), ReportError> {
        let Event::CaseFinished(r) = event else {
            return Ok(());
        };
        let measured = r.measured.map(|m| format!("{m:.0}")).unwrap_or_default();
        let row = encode([
            info.run_id.as_str(),
            info.bench.as_str(),
            &r.position,
            &r.model,
            &r.family,
            &info.firmware,
            &r.case,
            &r.clauses.join(" "),
            r.verdict.name(),
            &r.expected,
            &r.observed,
            &measured,
            &r.unit,
            &r.attempt.to_string(),
            &super::wall_time(info.started_at, r.started_ms),
            &format!("{:.0}", r.bench_time_ms),
            &r.message,
        ])
        .map_err(|reason| ReportError::Csv {
            path: self.path.clone(),
            reason,
        })?;
        // On disk before the next event: a killed run keeps every finished case.
        self.rows
            .append(&row)
            .map_err(|e| ReportError::write(&self.path, e))
    }
}

/// One CSV record, encoded with its line end.
fn encode<'a>(fields: impl IntoIterator<Item = &'a str>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields)?;
    into_bytes(w)
}

/// The bytes of a CSV writer into memory.
pub(crate) fn into_bytes(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A file that can be cut back to a length (a `File`; a fake in the tests).
pub(crate) trait Cut: Write {
    /// Drop everything past `len` bytes and write on from there.
    fn cut(&mut self, len: u64) -> io::Result<()>;
}

impl Cut for File {
    fn cut(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)?;
        self.seek(SeekFrom::Start(len)).map(drop)
    }
}

/// Appends whole rows to a file, or none: a row that fails part-way is cut off again.
pub(crate) struct RowWriter<F> {
    file: F,
    /// Bytes of whole rows in the file.
    len: u64,
}

impl<F: Cut> RowWriter<F> {
    pub(crate) fn new(file: F) -> Self {
        Self { file, len: 0 }
    }

    /// Write `row` (one encoded record) in one call and flush it; on failure cut the file
    /// back to the last whole row, and say so if even that fails.
    pub(crate) fn append(&mut self, row: &[u8]) -> io::Result<()> {
        let written = self.file.write_all(row).and_then(|()| self.file.flush());
        if let Err(e) = written {
            return match self.file.cut(self.len) {
                Ok(()) => Err(e),
                Err(cut) => Err(io::Error::new(
                    e.kind(),
                    format!("{e}; the part-written row could not be cut off either: {cut}"),
                )),
            };
        }
        self.len += row.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{CaseResult, Verdict};

    fn info() -> RunInfo {
        RunInfo {
            run_id: "r1".into(),
            bench: "b".into(),
            bench_path: "b.toml".into(),
            suite_path: "s.toml".into(),
            firmware: "fw, with comma".into(),
            started_at: std::time::SystemTime::UNIX_EPOCH,
            planned: 1,
            virtual_time: true,
            profile_path: None,
            calibration_path: None,
            seed: None,
            repeat: 1,
            labels: Vec::new(),
            spec_files: Vec::new(),
            certify: None,
        }
    }

    fn row(case: &str) -> CaseResult {
        CaseResult {
            position: "p1".into(),
            model: "9611G".into(),
            family: "9611".into(),
            case: case.into(),
            clauses: vec!["S3".into(), "S4".into()],
            verdict: Verdict::Fail,
            expected: "twinning light: green steady".into(),
            observed: "twinning light: \"off\"".into(),
            measured: Some(10012.4),
            unit: "ms".into(),
            attempt: 1,
            started_ms: 1500.0,
            bench_time_ms: 2500.0,
            message: "m".into(),
            trace: None,
        }
    }

    /// A file on a disk with `room` bytes left: a write takes what fits, then fails as
    /// a full disk does.
    struct SmallDisk {
        data: Vec<u8>,
        room: usize,
    }

    impl Write for SmallDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.room.saturating_sub(self.data.len()));
            if n == 0 && !buf.is_empty() {
                return Err(io::Error::from_raw_os_error(libc::ENOSPC));
            }
            self.data.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Cut for SmallDisk {
        fn cut(&mut self, len: u64) -> io::Result<()> {
            self.data.truncate(len as usize);
            Ok(())
        }
    }

    #[test]
    fn a_row_that_does_not_fit_is_cut_off_whole() {
        let rows: Vec<&[u8]> = vec![b"h1,h2\n", b"a,\"b\nc\"\n", b"d,e\n"];
        let mut w = RowWriter::new(SmallDisk {
            data: Vec::new(),
            room: 16,
        });
        w.append(rows[0]).unwrap();
        w.append(rows[1]).unwrap();
        // 16 bytes of room: the third row's first bytes fit, the rest does not.
        let e = w.append(rows[2]).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
        assert_eq!(
            w.file.data,
            [rows[0], rows[1]].concat(),
            "cut back to whole rows"
        );
        // Room again (a file deleted): the next row follows the last whole one.
        w.file.room = 100;
        w.append(rows[2]).unwrap();
        assert_eq!(w.file.data, rows.concat());
    }

    #[test]
    fn a_failed_row_on_a_real_file_leaves_only_whole_rows() {
        /// A real file that takes `room` more bytes, then fails as a full disk does.
        struct Filling(File, usize);
        impl Write for Filling {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.1 == 0 {
                    return Err(io::Error::from_raw_os_error(libc::ENOSPC));
                }
                let n = self.0.write(&buf[..buf.len().min(self.1)])?;
                self.1 -= n;
                Ok(n)
            }
            fn flush(&mut self) -> io::Result<()> {
                self.0.flush()
            }
        }
        impl Cut for Filling {
            fn cut(&mut self, len: u64) -> io::Result<()> {
                self.0.cut(len)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let mut w = RowWriter::new(Filling(File::create(&path).unwrap(), 10));
        w.append(b"1234567\n").unwrap();
        assert!(w.append(b"abcdefgh\n").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"1234567\n");
        w.file.1 = 100;
        w.append(b"abcdefgh\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"1234567\nabcdefgh\n");
    }

    #[test]
    fn every_finished_case_is_on_disk_before_the_next_event() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = CsvReport::create(dir.path()).unwrap();
        let path = r.path().to_path_buf();
        r.event(&info(), &Event::CaseFinished(row("a"))).unwrap();
        // The writer is still open (as in a run that is then killed): the row must be there.
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            rd.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_COLUMNS
        );
        let rows: Vec<_> = rd.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        let r0 = &rows[0];
        assert_eq!(&r0[5], "fw, with comma");
        assert_eq!(&r0[7], "S3 S4");
        assert_eq!(&r0[8], "FAIL");
        assert_eq!(&r0[10], "twinning light: \"off\"");
        assert_eq!(&r0[11], "10012");
        assert_eq!(&r0[14], "1970-01-01T00:00:01.500Z");
        assert_eq!(&r0[15], "2500");
        r.event(&info(), &Event::CaseFinished(row("b"))).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
    }
}
