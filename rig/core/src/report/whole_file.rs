//! Report files written whole or not at all: into a temporary file beside the target,
//! synced, then renamed over it. A reader (Jenkins picking up `junit.xml`, a browser,
//! `rig report diff`) sees the complete file or none, never one cut short by a full disk
//! or a killed run; on failure the temporary file is removed and the error names the
//! target and the system's reason.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ReportError;

/// Write `bytes` to `path`, whole or not at all.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_whole_with(path, |w| w.write_all(bytes))
}

/// Write `path`, whole or not at all, with `fill` (given a buffered writer).
pub(crate) fn write_whole_with(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), ReportError> {
    let tmp = temporary(path);
    let write = || -> io::Result<()> {
        let mut w = BufWriter::new(File::create(&tmp)?);
        fill(&mut w)?;
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        // Some file systems report a full disk only when the data reaches it.
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write()
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .map_err(|e| ReportError::write(path, e))
}

/// `DIR/.NAME.tmp`: in the same folder (a rename never crosses file systems), hidden.
fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(Default::default, |n| {
        let mut s = std::ffi::OsString::from(".");
        s.push(n);
        s.push(".tmp");
        s
    });
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        write_whole(&path, b"old, whole").unwrap();
        let e = write_whole_with(&path, |w| {
            w.write_all(b"new, half")?;
            Err(io::Error::from_raw_os_error(libc::ENOSPC))
        })
        .unwrap_err();
        assert_eq!(
            e.io_reason().and_then(io::Error::raw_os_error),
            Some(libc::ENOSPC)
        );
        let e = e.to_string();
        assert!(
            e.starts_with(&format!("cannot write {}: ", path.display()))
                && e.contains("No space left on device"),
            "{e}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old, whole");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["junit.xml"], "no temporary file left");
        write_whole(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }
}
