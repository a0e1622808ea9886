//! The phone catalog (`fixtures/phones.toml`): model → family → indication group → indicator.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::source::{InputErrors, Problems, SourceText};

/// What physically shows the Twinning state on a phone, and so how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndicatorKind {
    /// A red/green button LED: needs an RGB sensor.
    BicolourLed,
    /// A touch-screen icon (9621/9641): read like an LED, grey is lit. Needs an RGB sensor.
    TouchIcon,
    /// A reflective LCD indicator (M/T-Series): "on" is darker than the bare display.
    LcdIndicator,
}

impl IndicatorKind {
    pub fn name(self) -> &'static str {
        match self {
            IndicatorKind::BicolourLed => "bicolour-led",
            IndicatorKind::TouchIcon => "touch-icon",
            IndicatorKind::LcdIndicator => "lcd-indicator",
        }
    }

    /// Whether telling its states apart needs colour, not just a level.
    pub(crate) fn needs_colour(self) -> bool {
        !matches!(self, IndicatorKind::LcdIndicator)
    }

    /// Reflective indicators read darker when on.
    pub fn is_reflective(self) -> bool {
        matches!(self, IndicatorKind::LcdIndicator)
    }
}

/// One phone family of the matrix (or a non-bench entry such as an application).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub name: String,
    /// Indication group of the S4/S5 table; absent when the spec gives this family none.
    #[serde(default)]
    pub group: Option<String>,
    /// Absent for non-bench entries.
    #[serde(default)]
    pub indicator: Option<IndicatorKind>,
    #[serde(default)]
    pub models: Vec<String>,
    /// `false` for entries that cannot stand on a bench (the reason says why).
    #[serde(default = "yes")]
    pub bench: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

fn yes() -> bool {
    true
}

/// How a light shows "on".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Polarity {
    /// An LED or a backlit icon: on is brighter.
    Emissive,
    /// The M/T-Series LCD indicator: "on" is DARKER than the bare display.
    Reflective,
}

impl Family {
    /// How this family's lights show "on": its reflective LCD indicator reads darker when
    /// on; every other indicator is emissive.
    pub fn polarity(&self) -> Polarity {
        match self.indicator {
            Some(k) if k.is_reflective() => Polarity::Reflective,
            _ => Polarity::Emissive,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    family: Vec<toml::Spanned<Family>>,
}

/// All families, in catalog order, and a model index.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub families: Vec<Family>,
    by_model: BTreeMap<String, usize>,
}

impl Catalog {
    pub(crate) fn parse(src: &SourceText) -> Result<Self, InputErrors> {
        let file: CatalogFile = src.parse_toml()?;
        let mut problems = Problems::default();
        let mut by_model = BTreeMap::new();
        let mut ids = BTreeMap::new();
        let mut families = Vec::new();
        for spanned in file.family {
            let span = spanned.span();
            let f = spanned.into_inner();
            if ids.insert(f.id.clone(), ()).is_some() {
                problems.push(src.error(
                    Some(span.clone()),
                    format!("family `{}` is listed twice", f.id),
                ));
            }
            if f.bench && f.indicator.is_none() {
                problems.push(src.error(
                    Some(span.clone()),
                    format!(
                        "family `{}` stands on a bench but names no `indicator`",
                        f.id
                    ),
                ));
            }
            if !f.bench && f.reason.is_none() {
                problems.push(src.error(
                    Some(span.clone()),
                    format!("family `{}` is not on a bench: give the `reason`", f.id),
                ));
            }
            if f.bench && f.models.is_empty() {
                problems.push(src.error(
                    Some(span.clone()),
                    format!("family `{}` lists no models", f.id),
                ));
            }
            for m in &f.models {
                if by_model.insert(m.clone(), families.len()).is_some() {
                    problems.push(src.error(
                        Some(span.clone()),
                        format!("model `{m}` is in two families"),
                    ));
                }
            }
            families.push(f);
        }
        problems.finish(Catalog { families, by_model })
    }

    pub(crate) fn family_of_model(&self, model: &str) -> Option<&Family> {
        self.by_model.get(model).map(|&i| &self.families[i])
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    pub(crate) fn models(&self) -> impl Iterator<Item = &str> {
        self.by_model.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_in_two_families_is_an_error_with_its_line() {
        let src = SourceText::from_string(
            "phones.toml",
            r#"
[[family]]
id = "a"
name = "A"
indicator = "bicolour-led"
models = ["x1"]

[[family]]
id = "b"
name = "B"
indicator = "bicolour-led"
models = ["x1"]
"#,
        );
        let e = Catalog::parse(&src).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].line, Some(8));
        assert!(e.0[0].message.contains("x1"));
    }
}
