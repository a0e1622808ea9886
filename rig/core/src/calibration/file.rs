//! Reading a calibration file back: its raw TOML shape, and the checks of every entry
//! against the bench and the spec, each fault with its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{kind_name, polarity_name, BenchCalibration, LightCalibration, Measurement};
use crate::bench::{Bench, DarkLevel, Light};
use crate::hw::SensorKind;
use crate::observe::Polarity;
use crate::source::{InputErrors, Problems, SourceText};
use crate::spec::{Indication, Spec};

impl BenchCalibration {
    /// Parse and check against `bench`: every fault is reported with its line.
    pub fn parse(src: &SourceText, bench: &Bench, spec: &Spec) -> Result<Self, InputErrors> {
        let raw: RawFile = src.parse_toml()?;
        let mut p = Problems::default();
        let err = |span: std::ops::Range<usize>, msg: String| src.error(Some(span), msg);
        let again = "run `rig calibrate` again";
        if raw.calibration.bench.get_ref() != &bench.name {
            p.push(err(
                raw.calibration.bench.span(),
                format!(
                    "this calibration is of bench `{}`, not `{}` ({}): {again}",
                    raw.calibration.bench.get_ref(),
                    bench.name,
                    bench.path.display()
                ),
            ));
        }
        let mut found: BTreeMap<(String, Light), LightCalibration> = BTreeMap::new();
        for (pid, lights) in &raw.position {
            let Some(pos) = bench.position(pid) else {
                if let Some(first) = lights.values().next() {
                    p.push(err(first.model.span(), format!("position `{pid}` is not on bench `{}` (it changed since it was calibrated): {again}", bench.name)));
                }
                continue;
            };
            let family = bench.family(pos, &spec.catalog);
            for (light, rl) in lights {
                let Some(wiring) = pos.lights.get(light) else {
                    continue;
                };
                let bank = bench
                    .sensor_bank(&wiring.sensor.device)
                    .expect("bench checked");
                let what = format!("position `{pid}`, {} light", light.name());
                if rl.model.get_ref() != &pos.model {
                    p.push(err(
                        rl.model.span(),
                        format!(
                            "{what}: measured on a {}, but the bench has a {} there: {again}",
                            rl.model.get_ref(),
                            pos.model
                        ),
                    ));
                }
                if rl.sensor.get_ref() != &wiring.sensor.to_string() {
                    p.push(err(
                        rl.sensor.span(),
                        format!(
                            "{what}: measured through sensor {}, but the bench wires it to {}: {again}",
                            rl.sensor.get_ref(),
                            wiring.sensor
                        ),
                    ));
                }
                if *rl.kind.get_ref() != bank.kind {
                    p.push(err(
                        rl.kind.span(),
                        format!(
                            "{what}: measured with a {} sensor, but `{}` is a {} bank: {again}",
                            kind_name(*rl.kind.get_ref()),
                            bank.id,
                            kind_name(bank.kind)
                        ),
                    ));
                }
                let want_polarity = family.polarity();
                let polarity = match parse_polarity(rl.polarity.get_ref()) {
                    Some(x) => x,
                    None => {
                        p.push(err(
                            rl.polarity.span(),
                            format!(
                                "{what}: polarity `{}` is not `emissive` or `reflective`",
                                rl.polarity.get_ref()
                            ),
                        ));
                        want_polarity
                    }
                };
                if polarity != want_polarity {
                    p.push(err(
                        rl.polarity.span(),
                        format!(
                            "{what}: measured as {}, but a {} light is {}: {again}",
                            polarity_name(polarity),
                            family.name,
                            polarity_name(want_polarity)
                        ),
                    ));
                }
                let mut measurement = |m: &Spanned<RawMeasurement>, dark: bool| match m
                    .get_ref()
                    .check(bank.kind, dark)
                {
                    Ok(x) => Some(x),
                    Err(e) => {
                        p.push(err(m.span(), format!("{what}: {e}")));
                        None
                    }
                };
                let dark = rl.dark.as_ref().and_then(|m| measurement(m, true));
                let references = rl
                    .references
                    .iter()
                    .filter_map(|m| measurement(m, false))
                    .collect();
                found.insert(
                    (pid.clone(), *light),
                    LightCalibration {
                        position: pid.clone(),
                        model: rl.model.get_ref().clone(),
                        light: *light,
                        sensor: rl.sensor.get_ref().clone(),
                        kind: *rl.kind.get_ref(),
                        polarity,
                        measured_at: rl.measured_at.clone(),
                        dark,
                        dark_missing: rl.dark_missing.clone(),
                        references,
                        notes: rl.notes.clone(),
                    },
                );
            }
        }
        let mut lights = Vec::new();
        for pos in &bench.positions {
            for light in pos.lights.keys() {
                match found.remove(&(pos.id.clone(), *light)) {
                    Some(l) => lights.push(l),
                    None => p.push(src.error(
                        None,
                        format!(
                            "no calibration of the {} light of position `{}` (the bench changed since it was calibrated): {again}",
                            light.name(),
                            pos.id
                        ),
                    )),
                }
            }
        }
        p.finish(BenchCalibration {
            path: src.path.clone(),
            bench: raw.calibration.bench.into_inner(),
            bench_file: raw.calibration.bench_file,
            firmware: raw.calibration.firmware,
            measured_at: raw.calibration.measured_at,
            lights,
        })
    }
}

fn parse_polarity(s: &str) -> Option<Polarity> {
    match s {
        "emissive" => Some(Polarity::Emissive),
        "reflective" => Some(Polarity::Reflective),
        _ => None,
    }
}

// ---- The file's raw shape ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    calibration: RawHeader,
    #[serde(default)]
    position: BTreeMap<String, BTreeMap<Light, RawLight>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    bench: Spanned<String>,
    #[serde(default)]
    bench_file: String,
    #[serde(default)]
    firmware: String,
    #[serde(default)]
    measured_at: String,
    #[serde(default)]
    #[allow(dead_code)]
    rig: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLight {
    model: Spanned<String>,
    sensor: Spanned<String>,
    kind: Spanned<SensorKind>,
    polarity: Spanned<String>,
    #[serde(default)]
    measured_at: Option<String>,
    #[serde(default)]
    dark: Option<Spanned<RawMeasurement>>,
    #[serde(default)]
    dark_missing: Option<String>,
    #[serde(default)]
    references: Vec<Spanned<RawMeasurement>>,
    #[serde(default)]
    notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasurement {
    state: String,
    #[serde(default)]
    indication: Option<String>,
    mean: RawCounts,
    #[serde(default)]
    noise: Option<RawCounts>,
    #[serde(default)]
    samples: i64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCounts {
    One(f32),
    Many(Vec<f32>),
}

/// A recorded level or reference that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum EntryError {
    #[error("`{field}` must be four numbers [r, g, b, c] for an rgbc sensor")]
    NotFour { field: &'static str },
    #[error("`{field}` must be one number for a level sensor")]
    NotOne { field: &'static str },
    #[error("reference `{state}` names no `indication`")]
    NoIndication { state: String },
    #[error(transparent)]
    Indication(#[from] crate::spec::WordError),
    #[error(transparent)]
    OutOfRange(#[from] crate::limits::OutOfRange),
}

impl RawCounts {
    fn check(
        &self,
        kind: SensorKind,
        limit: &crate::limits::Limit,
    ) -> Result<DarkLevel, EntryError> {
        let field = limit.field;
        let level = match (self, kind) {
            (RawCounts::Many(v), SensorKind::Rgbc) if v.len() == 4 => {
                DarkLevel::Rgbc([v[0], v[1], v[2], v[3]])
            }
            (RawCounts::One(x), SensorKind::Level) => DarkLevel::Level(*x),
            (_, SensorKind::Rgbc) => return Err(EntryError::NotFour { field }),
            (_, SensorKind::Level) => return Err(EntryError::NotOne { field }),
        };
        let values = match &level {
            DarkLevel::Rgbc(v) => v.to_vec(),
            DarkLevel::Level(x) => vec![*x],
        };
        for v in values {
            limit.check(f64::from(v))?;
        }
        Ok(level)
    }
}

impl RawMeasurement {
    fn check(&self, kind: SensorKind, dark: bool) -> Result<Measurement, EntryError> {
        let indication = match (&self.indication, dark) {
            (None, true) => Indication::OFF,
            (Some(i), _) => i.parse::<Indication>()?,
            (None, false) => {
                return Err(EntryError::NoIndication {
                    state: self.state.clone(),
                })
            }
        };
        let mean = self.mean.check(kind, &crate::limits::CAL_MEAN)?;
        let noise = match &self.noise {
            Some(n) => n.check(kind, &crate::limits::CAL_NOISE)?,
            None => match kind {
                SensorKind::Rgbc => DarkLevel::Rgbc([0.0; 4]),
                SensorKind::Level => DarkLevel::Level(0.0),
            },
        };
        crate::limits::CAL_SAMPLES.check_int(self.samples)?;
        Ok(Measurement {
            state: self.state.clone(),
            indication,
            mean,
            noise,
            samples: self.samples as usize,
        })
    }
}
