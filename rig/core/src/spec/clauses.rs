//! The spec's clauses (`fixtures/clauses.toml`): S1–S16 with their text.

use serde::Deserialize;

use crate::source::{InputErrors, SourceText};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clauses {
    pub clause: Vec<Clause>,
}

impl Clauses {
    pub(crate) fn parse(src: &SourceText) -> Result<Self, InputErrors> {
        Ok(src.parse_toml::<Clauses>()?)
    }

    pub fn get(&self, id: &str) -> Option<&Clause> {
        self.clause.iter().find(|c| c.id == id)
    }
}
