//! Suites (`fixtures/twinning.toml`): data-driven cases built from a small step vocabulary.
//!
//! A case names the clauses it checks, where it applies, the state it starts from, and its
//! steps. Expectations name abstract states (`twinning-on`, `handover-pending`, …), which
//! the runner resolves per family from the indication table: no case knows a model.
//! The format is documented in docs/formats.md ("Suite files").

mod file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bench::{Button, Light, ModemRole, TwinningMode};
use crate::hw::LineState;
use crate::source::{InputErrors, SourceText};
use crate::spec::{AppearanceState, Spec, TwinningState};

pub use file::parse;

/// Run-wide settings of a suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The return time S14 enforces for users with none configured.
    pub(crate) enforced_transfer_return_s: u32,
    /// Default time an expectation may take to come true.
    pub(crate) expect_within_ms: u64,
    /// How long the rig waits for the mobile to ring when probing twinning (S3).
    pub(crate) probe_ring_ms: u64,
    /// How often lights and modems are polled.
    pub(crate) poll_ms: u64,
    /// Longest a single action (a modem command, a press) may take before it is a rig fault.
    pub(crate) action_timeout_ms: u64,
}

/// What the caller's call goes in over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Via {
    /// The bench's first route.
    Any,
    /// A route that makes an IP-to-IP twinned call (S7).
    IpToIp,
    /// A route that does not.
    NotIpToIp,
}

/// What an interval is expected to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ExpectedInterval {
    Ms(f64),
    /// The position's effective Transfer Return Time: the user's, or the enforced one.
    TransferReturn,
}

/// Measure the time from a mark to the moment an expectation came true.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measure {
    pub(crate) from: String,
    pub(crate) expected: ExpectedInterval,
    pub(crate) tolerance_ms: f64,
}

/// What an `expect` step watches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// The Twinning light, in an abstract state resolved per family.
    Twinning(TwinningState),
    /// The Twinning light settles in anything but that state (S10: the wink has ended).
    TwinningNot(TwinningState),
    /// The Twinning light settles to what it showed at the last `remember` (S1: the
    /// button does nothing), whatever the family's indications are.
    TwinningUnchanged,
    /// The Twinning light shows twinning-on or twinning-off as the case's last twinning
    /// probe found mobile twinning (S4: the light follows the real state).
    TwinningAsProbed,
    /// The primary's call appearance light.
    Primary(AppearanceState),
    /// A modem's call state.
    Line(ModemRole, LineState),
    /// Whether a call to the primary also rings the mobile (S3's effect), by probing.
    Twinned(TwinnedWant),
}

/// What a twinning probe must find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TwinnedWant {
    Yes,
    No,
    /// Anything: record it for a later `toggled`.
    Either,
    /// The opposite of the previous probe in this case (S3: the button toggles).
    Toggled,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expect {
    pub(crate) target: Target,
    pub(crate) within_ms: u64,
    /// Once seen, the state must hold this long (also "stays idle for 6 s").
    pub(crate) hold_ms: u64,
    pub(crate) measure: Option<Measure>,
    /// If this expectation fails, the failure is a known limitation of the spec (e.g. S7),
    /// noted in the message, not a FAIL; the case goes on.
    pub(crate) limitation: Option<String>,
    /// If this expectation fails, the case cannot check what it is for (another clause's
    /// behaviour is broken, and another case reports that): SKIP as blocked, with this
    /// reason, never a FAIL of this case's clauses.
    pub(crate) precondition: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Press(Button),
    /// The caller dials the primary.
    Dial(Via),
    Answer(ModemRole),
    HangUp(ModemRole),
    Radio(ModemRole, bool),
    Wait(u64),
    Mark(String),
    /// Read a light's settled state, for a later `unchanged` expectation.
    Remember(Light),
    Expect(Expect),
    /// A check only an operator can make: MANUAL with an operator, SKIP without.
    Manual(String),
}

impl Step {
    /// The step in a few words, as the suite file says it (for the live console).
    pub(crate) fn describe(&self) -> String {
        match self {
            Step::Press(b) => format!("press {}", b.name()),
            Step::Dial(_) => "dial primary".into(),
            Step::Answer(r) => format!("answer {}", r.name()),
            Step::HangUp(r) => format!("hang up {}", r.name()),
            Step::Radio(r, on) => format!("radio {} {}", r.name(), if *on { "on" } else { "off" }),
            Step::Wait(ms) => format!("wait {ms} ms"),
            Step::Mark(m) => format!("mark {m}"),
            Step::Remember(l) => format!("remember {}", l.name()),
            Step::Manual(_) => "manual check (operator)".into(),
            Step::Expect(e) => match &e.target {
                Target::Twinning(s) => format!("expect twinning {s}"),
                Target::TwinningNot(s) => format!("expect twinning not {s}"),
                Target::TwinningUnchanged => "expect twinning unchanged".into(),
                Target::TwinningAsProbed => "expect twinning as probed".into(),
                Target::Primary(s) => format!("expect primary {s}"),
                Target::Line(r, s) => format!("expect {} {s}", r.name()),
                Target::Twinned(w) => format!(
                    "expect twinned {}",
                    match w {
                        TwinnedWant::Yes => "yes",
                        TwinnedWant::No => "no",
                        TwinnedWant::Either => "either",
                        TwinnedWant::Toggled => "toggled",
                    }
                ),
            },
        }
    }
}

/// Where a case applies; a position that does not match gets SKIP with the reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Applies {
    pub(crate) mode: Option<TwinningMode>,
    /// `Some(true)`: the user has a Transfer Return Time; `Some(false)`: has none.
    pub(crate) transfer_return_set: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TwinningSetup {
    On,
    Off,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub clauses: Vec<String>,
    pub(crate) applies: Applies,
    pub(crate) setup: Option<TwinningSetup>,
    pub(crate) steps: Vec<Step>,
}

impl Case {
    /// Modems the case drives (leased for its whole run, setup included).
    pub(crate) fn needs_modems(&self) -> bool {
        self.setup.is_some()
            || self.steps.iter().any(|s| {
                !matches!(
                    s,
                    Step::Press(_)
                        | Step::Wait(_)
                        | Step::Mark(_)
                        | Step::Manual(_)
                        | Step::Remember(_)
                ) && !matches!(
                    s,
                    Step::Expect(Expect {
                        target: Target::Twinning(_)
                            | Target::TwinningNot(_)
                            | Target::TwinningUnchanged
                            | Target::TwinningAsProbed
                            | Target::Primary(_),
                        ..
                    })
                )
            })
    }

    pub fn is_manual(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Manual(_)))
    }

    pub(crate) fn dial_via(&self) -> impl Iterator<Item = Via> + '_ {
        self.steps.iter().filter_map(|s| match s {
            Step::Dial(v) => Some(*v),
            _ => None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub path: PathBuf,
    pub name: String,
    pub settings: Settings,
    /// Clauses this suite cannot automate, with the reason (`rig list clauses`).
    pub not_automatable: BTreeMap<String, String>,
    pub cases: Vec<Case>,
}

impl Suite {
    pub fn load(path: impl AsRef<Path>, spec: &Spec) -> Result<Suite, InputErrors> {
        parse(
            &SourceText::read_limited(path, crate::source::MAX_TOML_BYTES)?,
            spec,
        )
    }

    pub fn case(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }

    /// The cases naming a clause.
    pub fn covering(&self, clause: &str) -> Vec<&Case> {
        self.cases
            .iter()
            .filter(|c| c.clauses.iter().any(|x| x == clause))
            .collect()
    }

    pub fn default_path() -> PathBuf {
        crate::workspace_path("fixtures/twinning.toml")
    }
}
