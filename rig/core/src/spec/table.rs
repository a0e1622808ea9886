//! The indication table (`fixtures/indications.toml`).
//!
//! `[twinning.GROUP]` is the spec's S4/S5 table, one column per indication group, plus the
//! handover wink of S10 (no colour given: `any wink`). `[call-appearance.INDICATOR]` is the
//! lab's convention for the call appearance light, which the spec does not cover; the rig
//! reads it to tell where a call is at the primary.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{AppearanceState, Expected, Family, Indication, IndicatorKind, TwinningState};
use crate::source::{InputErrors, Problems, SourceText};

#[derive(Debug, Clone)]
pub struct TwinningGroup {
    pub(crate) states: BTreeMap<TwinningState, Expected>,
}

#[derive(Debug, Clone)]
pub struct IndicationTable {
    pub twinning: BTreeMap<String, TwinningGroup>,
    pub(crate) appearance: BTreeMap<IndicatorKind, BTreeMap<AppearanceState, Indication>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    twinning: BTreeMap<String, toml::Spanned<BTreeMap<String, toml::Spanned<String>>>>,
    #[serde(rename = "call-appearance")]
    call_appearance:
        BTreeMap<IndicatorKind, toml::Spanned<BTreeMap<String, toml::Spanned<String>>>>,
}

impl IndicationTable {
    pub(crate) fn parse(src: &SourceText) -> Result<Self, InputErrors> {
        let file: File = src.parse_toml()?;
        let mut problems = Problems::default();
        let mut twinning = BTreeMap::new();
        for (group, entries) in file.twinning {
            let span = entries.span();
            let mut entries = entries.into_inner();
            // A group's `title` is for the reader of the spec file: nothing reads it.
            entries.remove("title");
            let mut states = BTreeMap::new();
            for (key, value) in entries {
                let at = Some(value.span());
                match (
                    key.parse::<TwinningState>(),
                    value.get_ref().parse::<Expected>(),
                ) {
                    (Ok(s), Ok(e)) => {
                        states.insert(s, e);
                    }
                    (Err(e), _) | (_, Err(e)) => problems.push(src.error(at, e)),
                }
            }
            for s in TwinningState::ALL {
                if !states.contains_key(&s) {
                    problems.push(src.error(
                        Some(span.clone()),
                        format!("group `{group}` gives no indication for `{s}`"),
                    ));
                }
            }
            twinning.insert(group, TwinningGroup { states });
        }
        let mut appearance = BTreeMap::new();
        for (kind, entries) in file.call_appearance {
            let span = entries.span();
            let mut states = BTreeMap::new();
            for (key, value) in entries.into_inner() {
                let at = Some(value.span());
                match (
                    key.parse::<AppearanceState>(),
                    value.get_ref().parse::<Indication>(),
                ) {
                    (Ok(s), Ok(i)) => {
                        states.insert(s, i);
                    }
                    (Err(e), _) | (_, Err(e)) => problems.push(src.error(at, e)),
                }
            }
            for s in AppearanceState::ALL {
                if !states.contains_key(&s) {
                    problems.push(src.error(
                        Some(span.clone()),
                        format!(
                            "call appearance `{}` gives no indication for `{s}`",
                            kind.name()
                        ),
                    ));
                }
            }
            appearance.insert(kind, states);
        }
        problems.finish(IndicationTable {
            twinning,
            appearance,
        })
    }

    /// The spec's expectation for a family's Twinning light in a state; `None` when the
    /// spec gives that family no indication (1100/1200): asserted as "not specified".
    pub fn twinning(&self, family: &Family, state: TwinningState) -> Option<Expected> {
        let group = family.group.as_ref()?;
        self.twinning.get(group)?.states.get(&state).copied()
    }

    /// The call appearance light of an indicator kind in a state.
    pub fn appearance(&self, kind: IndicatorKind, state: AppearanceState) -> Option<Indication> {
        self.appearance.get(&kind)?.get(&state).copied()
    }

    /// States whose expected indication cannot be told apart from `state`'s on this family
    /// (M/T-Series: "on" and "call at secondary" look the same).
    pub(crate) fn lookalikes(&self, family: &Family, state: TwinningState) -> Vec<TwinningState> {
        let Some(mine) = self.twinning(family, state) else {
            return Vec::new();
        };
        TwinningState::ALL
            .into_iter()
            .filter(|&s| s != state && self.twinning(family, s) == Some(mine))
            .collect()
    }
}
