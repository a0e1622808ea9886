//! Writing a calibration file: the TOML text `rig calibrate` saves, whole or not at all.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use super::{counts, kind_name, polarity_name, BenchCalibration, Measurement};

impl BenchCalibration {
    /// Write the file (the format [`BenchCalibration::parse`] reads).
    pub fn write(&self, mut w: impl Write) -> io::Result<()> {
        w.write_all(self.to_toml().as_bytes())?;
        w.flush()
    }

    /// Write the file to [`BenchCalibration::path`], whole or not at all (via a temporary
    /// file in the same folder, renamed into place).
    pub fn save(&self) -> io::Result<()> {
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let write = || -> io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            self.write(&mut f)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write().inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    fn to_toml(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Light calibration of bench `{}`, written by `rig calibrate` (docs/user-guide.md: \"Light calibration\").\n\
             # Runs of this bench take each light's `dark` from here in place of the bench file's;\n\
             # `references` are recorded for a later colour-aware classifier and not used yet.\n\
             # Generated: do not edit, run `rig calibrate` again (a stale file is rejected).\n\
             # Counts: [r, g, b, c] for RGB+clear sensors, one number for level sensors;\n\
             # `noise` is the standard deviation, `samples` how many readings were averaged.",
            self.bench
        );
        let _ = writeln!(s, "\n[calibration]");
        let _ = writeln!(s, "bench = {}", quote(&self.bench));
        let _ = writeln!(s, "bench_file = {}", quote(&self.bench_file));
        let _ = writeln!(s, "firmware = {}", quote(&self.firmware));
        let _ = writeln!(s, "measured_at = {}", quote(&self.measured_at));
        let _ = writeln!(s, "rig = {}", quote(env!("CARGO_PKG_VERSION")));
        for l in &self.lights {
            let _ = writeln!(s, "\n[position.{}.{}]", key(&l.position), l.light.name());
            let _ = writeln!(s, "model = {}", quote(&l.model));
            let _ = writeln!(s, "sensor = {}", quote(&l.sensor));
            let _ = writeln!(s, "kind = {}", quote(kind_name(l.kind)));
            let _ = writeln!(s, "polarity = {}", quote(polarity_name(l.polarity)));
            if let Some(t) = &l.measured_at {
                let _ = writeln!(s, "measured_at = {}", quote(t));
            }
            match &l.dark {
                Some(d) => {
                    let _ = writeln!(s, "dark = {}", d.inline(false));
                }
                None => {
                    let why = l.dark_missing.as_deref().unwrap_or("not measured");
                    let _ = writeln!(s, "dark_missing = {}", quote(why));
                }
            }
            if l.references.is_empty() {
                let _ = writeln!(s, "references = []");
            } else {
                let _ = writeln!(s, "references = [");
                for r in &l.references {
                    let _ = writeln!(s, "  {},", r.inline(true));
                }
                let _ = writeln!(s, "]");
            }
            if !l.notes.is_empty() {
                let _ = writeln!(s, "notes = [");
                for n in &l.notes {
                    let _ = writeln!(s, "  {},", quote(n));
                }
                let _ = writeln!(s, "]");
            }
        }
        s
    }
}

impl Measurement {
    fn inline(&self, with_indication: bool) -> String {
        let indication = if with_indication {
            format!(", indication = {}", quote(&self.indication.to_string()))
        } else {
            String::new()
        };
        format!(
            "{{ state = {}{indication}, mean = {}, noise = {}, samples = {} }}",
            quote(&self.state),
            counts(&self.mean),
            counts(&self.noise),
            self.samples
        )
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it can be.
fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        s.to_string()
    } else {
        quote(s)
    }
}
