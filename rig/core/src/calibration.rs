//! Light calibration: what `rig calibrate` measures, the `<bench>.calibration.toml` file it
//! writes next to the bench file, and how runs read it back (docs/user-guide.md: "Light calibration").
//!
//! # What is measured
//!
//! Each position is driven, through the runner's [`crate::runner::Driver`] (relays, modems,
//! the same proofs a case uses), into states whose indication the spec data names, and each
//! light is recorded raw for the steady settle time plus a margin:
//!
//! - **dark level**: with the light in a state whose indication is `off`: the Twinning light
//!   in `twinning-off` where its group says `off`, the call appearance light in `idle` (the
//!   lab's convention table says `off` for every indicator kind). For a reflective LCD
//!   indicator that is the bare display. Per channel for RGB+clear sensors, one level else.
//! - **references**: the mean counts in each steady lit state the tables name: `twinning-on`,
//!   `twinning-off` when lit (grey touch icons), `twinned-call-at-secondary`, and the call
//!   light `connected`.
//!
//! Only what can be proven is recorded. Twinning state is proven by calls (does a call to
//! the primary ring the mobile?), never by the light. A family the spec gives no Twinning
//! indication (1100, 1200) and a user with internal twinning have no state of the Twinning
//! light known to be off: that light gets no dark level, and the file says why. The same
//! holds for the touch icons, which the spec never shows off.
//!
//! Recordings are judged by the classifier once a position is done: the dark recording
//! counts only if, against its own mean, it reads as a steady off light (it held still);
//! each reference is judged against that new dark level (the bench file's where there is
//! none) and counts only if it reads as the tables say; and the dark level is kept only if
//! it reads clearly darker (reflective: brighter) than every reference of the light.
//!
//! # How runs use it
//!
//! Only the dark level, as [`crate::observe::Calibration::dark`]; lights without one keep
//! the bench file's `dark` (or none: estimated). References are stored for a later
//! colour-aware classifier and not used yet. A file that does not match the bench (another
//! bench name, a position or light missing or unknown, another model, sensor channel, sensor
//! kind or polarity) is rejected with file, line and reason: run `rig calibrate` again.
//!
//! This file holds the model and what a run asks of it; `file` reads a calibration file
//! back and checks it against the bench, `write` writes one, `measure` drives the bench
//! to measure it.

use std::path::{Path, PathBuf};

use crate::bench::{Bench, DarkLevel, Light};
use crate::hw::{Sample, SensorKind};
use crate::observe::Polarity;
use crate::source::{InputErrors, SourceText};
use crate::spec::{Indication, Spec};

mod file;
mod measure;
mod write;

pub use measure::{measure, MeasureError, MeasureInfo, PositionFault};

/// A bench's light calibration: one entry per light of every position.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchCalibration {
    /// Where it was read from, or where [`BenchCalibration::save`] writes it.
    pub path: PathBuf,
    /// The bench's `name`.
    pub bench: String,
    /// The bench file as it was given to `rig calibrate`.
    pub bench_file: String,
    /// The firmware label the phones ran (as in run reports).
    pub firmware: String,
    /// UTC, RFC 3339: when `rig calibrate` started.
    pub measured_at: String,
    /// In bench order: positions, then twinning before call.
    pub lights: Vec<LightCalibration>,
}

/// One light's calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct LightCalibration {
    pub position: String,
    /// The phone model standing there when it was measured.
    pub model: String,
    pub light: Light,
    /// The sensor channel (`rgb:0`).
    pub sensor: String,
    pub kind: SensorKind,
    pub polarity: Polarity,
    /// UTC, RFC 3339: when this light's first recording started (`None`: never recorded).
    pub measured_at: Option<String>,
    /// The reading with the light off (reflective: the bare display).
    pub dark: Option<Measurement>,
    /// Why there is no dark level.
    pub dark_missing: Option<String>,
    /// Steady lit states the spec names, as measured.
    pub references: Vec<Measurement>,
    /// What else happened: states not recorded and why, warnings.
    pub notes: Vec<String>,
}

/// A light's mean reading in one state.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The state (`twinning-off`, `twinning-on`, `idle`, `connected`, …).
    pub state: String,
    /// The indication the tables name for it (`off` for a dark level).
    pub indication: Indication,
    /// Mean counts: per channel (`Rgbc`) or one level (`Level`).
    pub mean: DarkLevel,
    /// Standard deviation of the counts, same shape.
    pub noise: DarkLevel,
    pub samples: usize,
}

impl BenchCalibration {
    /// `<folder of the bench>/<bench file stem>.calibration.toml`.
    pub fn default_path(bench_file: &Path) -> PathBuf {
        let stem = bench_file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bench".into());
        bench_file.with_file_name(format!("{stem}.calibration.toml"))
    }

    /// Read a calibration file and check it against the bench it is to be used with.
    pub fn load(path: impl AsRef<Path>, bench: &Bench, spec: &Spec) -> Result<Self, InputErrors> {
        Self::parse(
            &SourceText::read_limited(path, crate::source::MAX_TOML_BYTES)?,
            bench,
            spec,
        )
    }

    /// A light's calibration.
    pub fn light(&self, position: &str, light: Light) -> Option<&LightCalibration> {
        self.lights
            .iter()
            .find(|l| l.position == position && l.light == light)
    }

    /// A light's measured dark level, if it has one.
    pub fn dark(&self, position: &str, light: Light) -> Option<DarkLevel> {
        self.light(position, light)?.dark.as_ref().map(|m| m.mean)
    }
}

impl LightCalibration {
    /// One line for the console: what was recorded, or why not.
    pub fn summary(&self) -> String {
        let dark = match (&self.dark, &self.dark_missing) {
            (Some(d), _) => format!("dark {} ({})", counts(&d.mean), d.state),
            (None, Some(why)) => format!("no dark level: {why}"),
            (None, None) => "no dark level".into(),
        };
        let refs: Vec<String> = self
            .references
            .iter()
            .map(|r| format!("{} {}", r.state, r.indication))
            .collect();
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!("; references: {}", refs.join(", "))
        };
        format!(
            "{} {} light ({}): {dark}{refs}",
            self.position,
            self.light.name(),
            self.sensor
        )
    }
}

impl Measurement {
    /// Mean and standard deviation of a recording.
    pub(crate) fn of(
        state: &str,
        indication: Indication,
        samples: &[Sample],
        kind: SensorKind,
    ) -> Self {
        let n = samples.len().max(1) as f64;
        let channels = |s: &Sample| [s.r as f64, s.g as f64, s.b as f64, s.c as f64];
        let mut sum = [0.0f64; 4];
        for s in samples {
            for (acc, x) in sum.iter_mut().zip(channels(s)) {
                *acc += x;
            }
        }
        let mean = sum.map(|x| x / n);
        let mut var = [0.0f64; 4];
        for s in samples {
            for ((acc, x), m) in var.iter_mut().zip(channels(s)).zip(mean) {
                *acc += (x - m) * (x - m);
            }
        }
        let sd = var.map(|v| (v / n).sqrt());
        let shape = |v: [f64; 4]| match kind {
            SensorKind::Rgbc => DarkLevel::Rgbc(v.map(|x| x as f32)),
            SensorKind::Level => DarkLevel::Level(v[3] as f32),
        };
        Measurement {
            state: state.to_string(),
            indication,
            mean: shape(mean),
            noise: shape(sd),
            samples: samples.len(),
        }
    }
}

/// The clear channel (or the level): what tells lit from dark.
pub(crate) fn clear(d: &DarkLevel) -> f32 {
    match d {
        DarkLevel::Rgbc(v) => v[3],
        DarkLevel::Level(l) => *l,
    }
}

fn counts(d: &DarkLevel) -> String {
    match d {
        DarkLevel::Rgbc(v) => format!("[{:.2}, {:.2}, {:.2}, {:.2}]", v[0], v[1], v[2], v[3]),
        DarkLevel::Level(l) => format!("{l:.2}"),
    }
}

pub(crate) fn kind_name(k: SensorKind) -> &'static str {
    match k {
        SensorKind::Rgbc => "rgbc",
        SensorKind::Level => "level",
    }
}

pub(crate) fn polarity_name(p: Polarity) -> &'static str {
    match p {
        Polarity::Emissive => "emissive",
        Polarity::Reflective => "reflective",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::load(Spec::default_dir()).unwrap()
    }

    fn bench(spec: &Spec) -> Bench {
        Bench::load(
            crate::workspace_path("wiring/sim-matrix.toml"),
            &spec.catalog,
        )
        .unwrap()
    }

    /// A plausible calibration of every light of the sim bench.
    fn sample(spec: &Spec, bench: &Bench) -> BenchCalibration {
        let mut lights = Vec::new();
        for p in &bench.positions {
            let family = bench.family(p, &spec.catalog);
            for (light, w) in &p.lights {
                let kind = bench.sensor_bank(&w.sensor.device).unwrap().kind;
                let level = |x: f32| match kind {
                    SensorKind::Rgbc => DarkLevel::Rgbc([x, x + 0.5, x - 0.25, x * 3.0]),
                    SensorKind::Level => DarkLevel::Level(x),
                };
                let reference = Measurement {
                    state: "twinning-on".into(),
                    indication: "green steady".parse().unwrap(),
                    mean: level(900.0),
                    noise: level(4.0),
                    samples: 300,
                };
                let dark = (*light == Light::Call).then(|| Measurement {
                    state: "idle".into(),
                    indication: Indication::OFF,
                    mean: level(12.0),
                    noise: level(4.0),
                    samples: 300,
                });
                lights.push(LightCalibration {
                    position: p.id.clone(),
                    model: p.model.clone(),
                    light: *light,
                    sensor: w.sensor.to_string(),
                    kind,
                    polarity: family.polarity(),
                    measured_at: Some("2026-01-02T03:04:05.678Z".into()),
                    dark_missing: dark.is_none().then(|| "a \"quoted\" reason".to_string()),
                    dark,
                    references: vec![reference],
                    notes: vec!["a note".into()],
                });
            }
        }
        BenchCalibration {
            path: PathBuf::from("sim-matrix.calibration.toml"),
            bench: bench.name.clone(),
            bench_file: "wiring/sim-matrix.toml".into(),
            firmware: "sim:reference".into(),
            measured_at: "2026-01-02T03:04:05.000Z".into(),
            lights,
        }
    }

    fn text_of(c: &BenchCalibration) -> String {
        let mut out = Vec::new();
        c.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn errors(text: &str, spec: &Spec, bench: &Bench) -> Vec<crate::source::InputError> {
        let src = SourceText::from_string("cal.toml", text);
        BenchCalibration::parse(&src, bench, spec).unwrap_err().0
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn default_path_is_next_to_the_bench() {
        assert_eq!(
            BenchCalibration::default_path(Path::new("wiring/sim-matrix.toml")),
            PathBuf::from("wiring/sim-matrix.calibration.toml")
        );
        assert_eq!(
            BenchCalibration::default_path(Path::new("/lab/bench")),
            PathBuf::from("/lab/bench.calibration.toml")
        );
    }

    #[test]
    fn written_files_read_back_the_same() {
        let spec = spec();
        let bench = bench(&spec);
        let cal = sample(&spec, &bench);
        let text = text_of(&cal);
        let back =
            BenchCalibration::parse(&SourceText::from_string(&cal.path, &text), &bench, &spec)
                .unwrap();
        // Counts are written with two decimals: the sample's values are exact in them.
        assert_eq!(back, cal, "{text}");
        assert_eq!(
            back.dark("p1416", Light::Call),
            Some(DarkLevel::Rgbc([12.0, 12.5, 11.75, 36.0]))
        );
        assert_eq!(
            back.dark("pm7310", Light::Call),
            Some(DarkLevel::Level(12.0))
        );
        assert_eq!(back.dark("p1416", Light::Twinning), None);
        assert!(text.contains("[position.p1416.twinning]\n"), "{text}");
        assert_eq!(
            back.light("p1416", Light::Twinning)
                .unwrap()
                .dark_missing
                .as_deref(),
            Some("a \"quoted\" reason")
        );
    }

    #[test]
    fn a_stale_calibration_is_rejected_naming_line_and_reason() {
        let spec = spec();
        let bench = bench(&spec);
        let good = text_of(&sample(&spec, &bench));

        // Rewired: the p1416 twinning light was measured through another channel.
        let text = good.replacen("sensor = \"rgb:0\"", "sensor = \"rgb:30\"", 1);
        let e = errors(&text, &spec, &bench);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].line, Some(line_of(&text, "rgb:30")));
        assert!(e[0].message.contains("position `p1416`, twinning light: measured through sensor rgb:30, but the bench wires it to rgb:0"), "{}", e[0]);

        // Another phone at the position.
        let text = good.replacen("model = \"1416\"", "model = \"1408\"", 1);
        let e = errors(&text, &spec, &bench);
        assert!(
            e[0].message
                .contains("measured on a 1408, but the bench has a 1416 there"),
            "{}",
            e[0]
        );

        // Another bench.
        let text = good.replacen("bench = \"sim-matrix\"", "bench = \"lab-2\"", 1);
        let e = errors(&text, &spec, &bench);
        assert_eq!(e[0].line, Some(line_of(&text, "bench = \"lab-2\"")));
        assert!(e[0].message.contains("of bench `lab-2`, not `sim-matrix`"));

        // A position the bench no longer has, and so one it has is missing.
        let text = good.replace("[position.p9608i.", "[position.p9999.");
        let e = errors(&text, &spec, &bench);
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e.iter().any(|e| e
            .message
            .contains("position `p9999` is not on bench `sim-matrix`")
            && e.line.is_some()));
        assert!(e.iter().any(|e| e.line.is_none()
            && e.message
                .contains("no calibration of the call light of position `p9608i`")));

        // A level where four counts belong.
        let text = good.replacen("mean = [12.00, 12.50, 11.75, 36.00]", "mean = 12.0", 1);
        let e = errors(&text, &spec, &bench);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].line, Some(line_of(&text, "mean = 12.0,")));
        assert!(
            e[0].message
                .contains("`mean` must be four numbers [r, g, b, c] for an rgbc sensor"),
            "{}",
            e[0]
        );

        // A sensor kind that does not match the bank, and an unknown field.
        let text = good.replacen("kind = \"rgbc\"", "kind = \"level\"", 1);
        let e = errors(&text, &spec, &bench);
        assert!(
            e.iter().any(|e| e
                .message
                .contains("measured with a level sensor, but `rgb` is a rgbc bank")),
            "{e:?}"
        );
        let text = good.replacen("model = \"1416\"", "model = \"1416\"\ncolour = \"x\"", 1);
        let e = errors(&text, &spec, &bench);
        assert_eq!(e[0].line, Some(line_of(&text, "colour = ")), "{e:?}");
    }
}
