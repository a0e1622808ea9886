//! The spec as data: clauses, phone catalog, indication and cadence tables.
//!
//! Everything per family is looked up here, never written as `if model == …`.

mod cadences;
mod catalog;
mod clauses;
mod indication;
mod table;

use std::path::{Path, PathBuf};

pub use cadences::{CadenceSpec, CadenceTable};
pub use catalog::Polarity;
pub use catalog::{Catalog, Family, IndicatorKind};
pub(crate) use clauses::Clauses;
pub use indication::{
    AppearanceState, Cadence, Colour, Expected, Indication, TwinningState, WordError,
};
pub use table::{IndicationTable, TwinningGroup};

use crate::source::{InputErrors, Problems, SourceText};

/// The whole spec, loaded from a fixtures folder.
#[derive(Debug, Clone)]
pub struct Spec {
    pub dir: PathBuf,
    pub clauses: Clauses,
    pub catalog: Catalog,
    pub indications: IndicationTable,
    pub cadences: CadenceTable,
}

impl Spec {
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, InputErrors> {
        let dir = dir.as_ref().to_path_buf();
        let clauses = Clauses::parse(&SourceText::read(dir.join("clauses.toml"))?)?;
        let phones = SourceText::read(dir.join("phones.toml"))?;
        let catalog = Catalog::parse(&phones)?;
        let indications = IndicationTable::parse(&SourceText::read(dir.join("indications.toml"))?)?;
        let cadences = CadenceTable::parse(&SourceText::read(dir.join("cadences.csv"))?)?;
        // Cross-check: every group and indicator a family names is in the table.
        let mut problems = Problems::default();
        for f in &catalog.families {
            if let Some(g) = &f.group {
                if !indications.twinning.contains_key(g) {
                    problems.push(phones.error(
                        None,
                        format!(
                            "family `{}` names group `{g}`, which indications.toml does not have",
                            f.id
                        ),
                    ));
                }
            }
            if let Some(k) = f.indicator {
                if !indications.appearance.contains_key(&k) {
                    problems.push(phones.error(None, format!("family `{}` has indicator `{}`, which indications.toml gives no call-appearance table", f.id, k.name())));
                }
            }
        }
        problems.finish(Spec {
            dir,
            clauses,
            catalog,
            indications,
            cadences,
        })
    }

    /// The files the spec was read from (for run.json's digests).
    pub fn files(&self) -> Vec<PathBuf> {
        Self::FILES.iter().map(|f| self.dir.join(f)).collect()
    }

    const FILES: [&'static str; 4] = [
        "clauses.toml",
        "phones.toml",
        "indications.toml",
        "cadences.csv",
    ];

    /// The fixtures folder shipped with the rig (the workspace's `fixtures/`).
    pub fn default_dir() -> PathBuf {
        crate::workspace_path("fixtures")
    }
}
