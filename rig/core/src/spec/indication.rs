//! What a light shows: a colour and a cadence, and the abstract states the spec names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A colour as the classifier reports it (ARCHITECTURE.md, "The spec as data").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Colour {
    Off,
    Green,
    Red,
    Blue,
    /// Lit but unsaturated: the 9621/9641 idle icon.
    Grey,
    Amber,
    /// Lit, colour unknown: intensity-only sensors and the reflective LCD indicator.
    On,
}

impl Colour {
    pub const ALL: [Colour; 7] = [
        Colour::Off,
        Colour::Green,
        Colour::Red,
        Colour::Blue,
        Colour::Grey,
        Colour::Amber,
        Colour::On,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Colour::Off => "off",
            Colour::Green => "green",
            Colour::Red => "red",
            Colour::Blue => "blue",
            Colour::Grey => "grey",
            Colour::Amber => "amber",
            Colour::On => "on",
        }
    }

    pub fn is_lit(self) -> bool {
        self != Colour::Off
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Colour {
    type Err = WordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Colour::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| WordError::unknown("colour", s, &Colour::ALL))
    }
}

/// How a light blinks (timings in `fixtures/cadences.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    Steady,
    Flash,
    Wink,
    Flutter,
    BrokenFlutter,
}

impl Cadence {
    pub const ALL: [Cadence; 5] = [
        Cadence::Steady,
        Cadence::Flash,
        Cadence::Wink,
        Cadence::Flutter,
        Cadence::BrokenFlutter,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Cadence::Steady => "steady",
            Cadence::Flash => "flash",
            Cadence::Wink => "wink",
            Cadence::Flutter => "flutter",
            Cadence::BrokenFlutter => "broken-flutter",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cadence {
    type Err = WordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cadence::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| WordError::unknown("cadence", s, &Cadence::ALL))
    }
}

/// A light's appearance: `off`, or a colour with a cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Indication {
    pub colour: Colour,
    pub cadence: Cadence,
}

impl Indication {
    pub const OFF: Indication = Indication {
        colour: Colour::Off,
        cadence: Cadence::Steady,
    };

    pub fn new(colour: Colour, cadence: Cadence) -> Self {
        if colour == Colour::Off {
            Self::OFF
        } else {
            Self { colour, cadence }
        }
    }
}

impl fmt::Display for Indication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.colour == Colour::Off {
            f.write_str("off")
        } else {
            write!(f, "{} {}", self.colour, self.cadence)
        }
    }
}

impl FromStr for Indication {
    type Err = WordError;
    /// `off`, `green` (steady implied) or `green flash`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            [c] => Ok(Indication::new(c.parse()?, Cadence::Steady)),
            [c, k] => {
                let colour: Colour = c.parse()?;
                if colour == Colour::Off {
                    return Err(WordError::OffWithCadence);
                }
                Ok(Indication::new(colour, k.parse()?))
            }
            _ => Err(WordError::NotAnIndication(s.to_string())),
        }
    }
}

/// What an expectation accepts: an exact indication, or a cadence of any lit colour
/// (the spec gives no colour for the handover wink, S10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    Exactly(Indication),
    AnyColour(Cadence),
}

impl Expected {
    pub fn accepts(&self, seen: Indication) -> bool {
        match *self {
            Expected::Exactly(i) => i == seen,
            Expected::AnyColour(c) => seen.colour.is_lit() && seen.cadence == c,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Exactly(i) => i.fmt(f),
            Expected::AnyColour(c) => write!(f, "any {c}"),
        }
    }
}

impl FromStr for Expected {
    type Err = WordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["any", c] => Ok(Expected::AnyColour(c.parse()?)),
            _ => Ok(Expected::Exactly(s.parse()?)),
        }
    }
}

/// The abstract states of the Twinning button's light (S4, S5, S10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TwinningState {
    TwinningOff,
    TwinningOn,
    TwinnedCallAtSecondary,
    HandoverPending,
}

impl TwinningState {
    pub const ALL: [TwinningState; 4] = [
        TwinningState::TwinningOff,
        TwinningState::TwinningOn,
        TwinningState::TwinnedCallAtSecondary,
        TwinningState::HandoverPending,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TwinningState::TwinningOff => "twinning-off",
            TwinningState::TwinningOn => "twinning-on",
            TwinningState::TwinnedCallAtSecondary => "twinned-call-at-secondary",
            TwinningState::HandoverPending => "handover-pending",
        }
    }
}

impl fmt::Display for TwinningState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TwinningState {
    type Err = WordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TwinningState::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| WordError::unknown("twinning state", s, &TwinningState::ALL))
    }
}

/// The states of a call appearance light at the primary extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppearanceState {
    Idle,
    Alerting,
    Connected,
    Held,
}

impl AppearanceState {
    pub const ALL: [AppearanceState; 4] = [
        AppearanceState::Idle,
        AppearanceState::Alerting,
        AppearanceState::Connected,
        AppearanceState::Held,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            AppearanceState::Idle => "idle",
            AppearanceState::Alerting => "alerting",
            AppearanceState::Connected => "connected",
            AppearanceState::Held => "held",
        }
    }
}

impl fmt::Display for AppearanceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AppearanceState {
    type Err = WordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppearanceState::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| WordError::unknown("call appearance state", s, &AppearanceState::ALL))
    }
}

/// A word that is not in the spec's vocabulary (a colour, a cadence, a state), or an
/// indication not written as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordError {
    #[error("unknown {what} `{word}` (expected one of: {expected})")]
    Unknown {
        /// `colour`, `cadence`, `twinning state`, `call appearance state`.
        what: &'static str,
        word: String,
        /// The words it could be, comma-separated.
        expected: String,
    },
    #[error("`off` takes no cadence")]
    OffWithCadence,
    #[error("`{0}` is not an indication: write `off`, `COLOUR` or `COLOUR CADENCE`")]
    NotAnIndication(String),
}

impl WordError {
    fn unknown<T: fmt::Display>(what: &'static str, word: &str, all: &[T]) -> Self {
        WordError::Unknown {
            what,
            word: word.to_string(),
            expected: names(all),
        }
    }
}

fn names<T: fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indications_parse_and_print_round_trip() {
        for s in [
            "off",
            "green steady",
            "red flash",
            "blue broken-flutter",
            "on wink",
        ] {
            let i: Indication = s.parse().unwrap();
            assert_eq!(i.to_string(), s);
        }
        assert_eq!(
            "green".parse::<Indication>().unwrap().to_string(),
            "green steady"
        );
        assert!("off flash".parse::<Indication>().is_err());
        assert!("purple steady".parse::<Indication>().is_err());
    }

    #[test]
    fn any_colour_accepts_only_lit_lights_of_that_cadence() {
        let e: Expected = "any wink".parse().unwrap();
        assert!(e.accepts("green wink".parse().unwrap()));
        assert!(e.accepts("on wink".parse().unwrap()));
        assert!(!e.accepts("green steady".parse().unwrap()));
        assert!(!e.accepts(Indication::OFF));
    }
}
