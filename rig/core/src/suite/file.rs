//! Parsing and checking a suite file: each step is one inline table with exactly one
//! action key; every fault is reported with its line.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::limits::{self, Limit};
use crate::source::Problems;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    suite: RawHeader,
    settings: RawSettings,
    #[serde(default)]
    not_automatable: BTreeMap<String, Spanned<String>>,
    case: Vec<Spanned<RawCase>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    enforced_transfer_return_s: Spanned<i64>,
    expect_within_ms: Spanned<i64>,
    probe_ring_ms: Spanned<i64>,
    poll_ms: Spanned<i64>,
    action_timeout_ms: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: Spanned<String>,
    title: String,
    clauses: Spanned<Vec<String>>,
    #[serde(default)]
    applies: RawApplies,
    #[serde(default)]
    setup: Option<RawSetup>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawApplies {
    mode: Option<TwinningMode>,
    transfer_return: Option<SetOrUnset>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum SetOrUnset {
    Set,
    Unset,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSetup {
    twinning: OnOff,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum OnOff {
    On,
    Off,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStep {
    press: Option<Button>,
    dial: Option<String>,
    via: Option<String>,
    answer: Option<ModemRole>,
    hang_up: Option<ModemRole>,
    radio: Option<ModemRole>,
    on: Option<bool>,
    wait_ms: Option<i64>,
    mark: Option<String>,
    manual: Option<String>,
    remember: Option<Light>,
    expect: Option<String>,
    state: Option<String>,
    within_ms: Option<i64>,
    hold_ms: Option<i64>,
    measure_from: Option<String>,
    measure_ms: Option<RawInterval>,
    tolerance_ms: Option<f64>,
    limitation: Option<String>,
    precondition: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawInterval {
    Ms(f64),
    Named(String),
}

/// Parse and check a suite file against the spec.
pub fn parse(src: &SourceText, spec: &Spec) -> Result<Suite, InputErrors> {
    let raw: RawSuite = src.parse_toml()?;
    let mut p = Problems::default();
    let s = &raw.settings;
    // A setting out of range is reported at its line; its floor stands in meanwhile.
    let mut setting = |v: &Spanned<i64>, limit: &Limit| {
        limit.int_at(src, &mut p, None, v, limit.min as i64) as u64
    };
    let settings = Settings {
        enforced_transfer_return_s: setting(
            &s.enforced_transfer_return_s,
            &limits::ENFORCED_RETURN_S,
        ) as u32,
        expect_within_ms: setting(&s.expect_within_ms, &limits::EXPECT_WITHIN_MS),
        probe_ring_ms: setting(&s.probe_ring_ms, &limits::PROBE_RING_MS),
        poll_ms: setting(&s.poll_ms, &limits::POLL_MS),
        action_timeout_ms: setting(&s.action_timeout_ms, &limits::ACTION_TIMEOUT_MS),
    };

    let mut not_automatable = BTreeMap::new();
    for (clause, reason) in raw.not_automatable {
        if spec.clauses.get(&clause).is_none() {
            p.push(src.error(
                Some(reason.span()),
                format!("[not_automatable] names `{clause}`, which is no clause of the spec"),
            ));
        }
        not_automatable.insert(clause, reason.into_inner());
    }

    let mut ids = BTreeSet::new();
    let mut cases = Vec::new();
    for case in raw.case {
        let case = case.into_inner();
        let id = case.id.get_ref().clone();
        if !ids.insert(id.clone()) {
            p.push(src.error(
                Some(case.id.span()),
                format!("case `{id}` is defined twice"),
            ));
        }
        if case.clauses.get_ref().is_empty() {
            p.push(src.error(
                Some(case.clauses.span()),
                format!("case `{id}` names no clause"),
            ));
        }
        for c in case.clauses.get_ref() {
            if spec.clauses.get(c).is_none() {
                p.push(src.error(
                    Some(case.clauses.span()),
                    format!("case `{id}`: `{c}` is no clause of the spec"),
                ));
            }
        }
        let mut marks = BTreeSet::new();
        let mut remembered = false;
        let mut steps = Vec::new();
        for step in &case.steps {
            match parse_step(step.get_ref(), &marks, &settings) {
                Ok(s) => {
                    match &s {
                        Step::Mark(m) => {
                            marks.insert(m.clone());
                        }
                        Step::Remember(_) => remembered = true,
                        Step::Expect(Expect {
                            target: Target::TwinningUnchanged,
                            ..
                        }) if !remembered => {
                            p.push(src.error(Some(step.span()), format!("case `{id}`: `state = \"unchanged\"` needs an earlier `remember = \"twinning\"`")));
                        }
                        _ => {}
                    }
                    steps.push(s);
                }
                Err(m) => p.push(src.error(Some(step.span()), format!("case `{id}`: {m}"))),
            }
        }
        if steps.is_empty() && case.steps.is_empty() {
            p.push(src.error(Some(case.id.span()), format!("case `{id}` has no steps")));
        }
        cases.push(Case {
            id,
            title: case.title,
            clauses: case.clauses.into_inner(),
            applies: Applies {
                mode: case.applies.mode,
                transfer_return_set: case
                    .applies
                    .transfer_return
                    .map(|t| matches!(t, SetOrUnset::Set)),
            },
            setup: case.setup.map(|s| match s.twinning {
                OnOff::On => TwinningSetup::On,
                OnOff::Off => TwinningSetup::Off,
            }),
            steps,
        });
    }
    p.finish(Suite {
        path: src.path.clone(),
        name: raw.suite.name,
        settings,
        not_automatable,
        cases,
    })
}

/// What is wrong with one step of a case (reported as `FILE:LINE: case `ID`: …`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum StepError {
    #[error("a step needs one action: press, dial, answer, hang_up, radio, wait_ms, mark, remember, manual or expect")]
    NoAction,
    #[error("a step takes one action, this one has {}", .0.join(" and "))]
    ManyActions(Vec<&'static str>),
    #[error("`{option}` does not go with `{action}`")]
    OptionNotForAction {
        option: &'static str,
        action: &'static str,
    },
    #[error("`dial` takes \"primary\" (the caller dials the position's phone)")]
    DialNotPrimary,
    #[error("`via = \"{0}\"`: expected any, ip-to-ip or not-ip-to-ip")]
    UnknownVia(String),
    #[error("`radio` needs `on = true|false`")]
    RadioWithoutOn,
    #[error("`remember` takes a light")]
    RememberWithoutLight,
    #[error("`expect` needs a `state`")]
    ExpectWithoutState,
    #[error(transparent)]
    State(#[from] crate::spec::WordError),
    #[error("unknown line state `{0}` (expected idle, ringing, dialing, active or held)")]
    UnknownLineState(String),
    #[error("`expect = \"twinned\"` takes state yes, no, either or toggled, not `{0}`")]
    UnknownTwinned(String),
    #[error("cannot expect `{0}`: expected twinning, primary, mobile, caller or twinned")]
    UnknownTarget(String),
    #[error("`measure_from = \"{0}\"` names no earlier `mark`")]
    UnknownMark(String),
    #[error("`measure_ms = \"{0}\"`: give milliseconds or \"transfer-return\"")]
    NamedInterval(String),
    #[error("a measured expectation needs `tolerance_ms`")]
    NoTolerance,
    #[error("`measure_from` and `measure_ms` go together")]
    MeasureHalf,
    #[error("`tolerance_ms` goes with `measure_from` and `measure_ms`")]
    ToleranceWithoutMeasure,
    #[error(transparent)]
    OutOfRange(#[from] limits::OutOfRange),
}

/// One step: exactly one action key, and only the options that action takes.
fn parse_step(
    r: &RawStep,
    marks: &BTreeSet<String>,
    settings: &Settings,
) -> Result<Step, StepError> {
    let actions: Vec<&'static str> = [
        ("press", r.press.is_some()),
        ("dial", r.dial.is_some()),
        ("answer", r.answer.is_some()),
        ("hang_up", r.hang_up.is_some()),
        ("radio", r.radio.is_some()),
        ("wait_ms", r.wait_ms.is_some()),
        ("mark", r.mark.is_some()),
        ("manual", r.manual.is_some()),
        ("remember", r.remember.is_some()),
        ("expect", r.expect.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, present)| present.then_some(k))
    .collect();
    let action = match actions.as_slice() {
        [one] => *one,
        [] => return Err(StepError::NoAction),
        many => return Err(StepError::ManyActions(many.to_vec())),
    };
    let options: Vec<(&'static str, bool)> = vec![
        ("via", r.via.is_some()),
        ("on", r.on.is_some()),
        ("state", r.state.is_some()),
        ("within_ms", r.within_ms.is_some()),
        ("hold_ms", r.hold_ms.is_some()),
        ("measure_from", r.measure_from.is_some()),
        ("measure_ms", r.measure_ms.is_some()),
        ("tolerance_ms", r.tolerance_ms.is_some()),
        ("limitation", r.limitation.is_some()),
        ("precondition", r.precondition.is_some()),
    ];
    let allowed: &[&'static str] = match action {
        "dial" => &["via"],
        "radio" => &["on"],
        "expect" => &[
            "state",
            "within_ms",
            "hold_ms",
            "measure_from",
            "measure_ms",
            "tolerance_ms",
            "limitation",
            "precondition",
        ],
        _ => &[],
    };
    if let Some((bad, _)) = options
        .iter()
        .find(|(k, present)| *present && !allowed.contains(k))
    {
        return Err(StepError::OptionNotForAction {
            option: bad,
            action,
        });
    }
    Ok(match action {
        "press" => Step::Press(r.press.unwrap()),
        "dial" => {
            if r.dial.as_deref() != Some("primary") {
                return Err(StepError::DialNotPrimary);
            }
            Step::Dial(match r.via.as_deref().unwrap_or("any") {
                "any" => Via::Any,
                "ip-to-ip" => Via::IpToIp,
                "not-ip-to-ip" => Via::NotIpToIp,
                v => return Err(StepError::UnknownVia(v.to_string())),
            })
        }
        "answer" => Step::Answer(r.answer.unwrap()),
        "hang_up" => Step::HangUp(r.hang_up.unwrap()),
        "radio" => Step::Radio(r.radio.unwrap(), r.on.ok_or(StepError::RadioWithoutOn)?),
        "wait_ms" => Step::Wait(ms(r.wait_ms, 0, &limits::WAIT_MS)?),
        "mark" => Step::Mark(r.mark.clone().unwrap()),
        "manual" => Step::Manual(r.manual.clone().unwrap()),
        "remember" => Step::Remember(r.remember.ok_or(StepError::RememberWithoutLight)?),
        _ => Step::Expect(parse_expect(r, marks, settings)?),
    })
}

fn parse_expect(
    r: &RawStep,
    marks: &BTreeSet<String>,
    settings: &Settings,
) -> Result<Expect, StepError> {
    let what = r.expect.as_deref().unwrap_or_default();
    let state = r.state.as_deref().ok_or(StepError::ExpectWithoutState)?;
    let target = match what {
        "twinning" if state == "unchanged" => Target::TwinningUnchanged,
        "twinning" if state == "as-probed" => Target::TwinningAsProbed,
        "twinning" if state.starts_with("not ") => {
            Target::TwinningNot(state["not ".len()..].trim().parse()?)
        }
        "twinning" => Target::Twinning(state.parse()?),
        "primary" => Target::Primary(state.parse()?),
        "mobile" | "caller" => {
            let role = if what == "mobile" {
                ModemRole::Mobile
            } else {
                ModemRole::Caller
            };
            let line = match state {
                "idle" => LineState::Idle,
                "ringing" => LineState::Ringing,
                "dialing" => LineState::Dialing,
                "active" => LineState::Active,
                "held" => LineState::Held,
                s => return Err(StepError::UnknownLineState(s.to_string())),
            };
            Target::Line(role, line)
        }
        "twinned" => Target::Twinned(match state {
            "yes" => TwinnedWant::Yes,
            "no" => TwinnedWant::No,
            "either" => TwinnedWant::Either,
            "toggled" => TwinnedWant::Toggled,
            s => return Err(StepError::UnknownTwinned(s.to_string())),
        }),
        w => return Err(StepError::UnknownTarget(w.to_string())),
    };
    let measure = match (&r.measure_from, &r.measure_ms) {
        (None, None) => None,
        (Some(from), Some(ms)) => {
            if !marks.contains(from) {
                return Err(StepError::UnknownMark(from.clone()));
            }
            let expected = match ms {
                RawInterval::Ms(v) => {
                    limits::MEASURE_MS.check(*v)?;
                    ExpectedInterval::Ms(*v)
                }
                RawInterval::Named(n) if n == "transfer-return" => ExpectedInterval::TransferReturn,
                RawInterval::Named(n) => return Err(StepError::NamedInterval(n.clone())),
            };
            let tolerance_ms = r.tolerance_ms.ok_or(StepError::NoTolerance)?;
            limits::TOLERANCE_MS.check(tolerance_ms)?;
            Some(Measure {
                from: from.clone(),
                expected,
                tolerance_ms,
            })
        }
        _ => return Err(StepError::MeasureHalf),
    };
    if r.tolerance_ms.is_some() && measure.is_none() {
        return Err(StepError::ToleranceWithoutMeasure);
    }
    Ok(Expect {
        target,
        within_ms: ms(r.within_ms, settings.expect_within_ms, &limits::WITHIN_MS)?,
        hold_ms: ms(r.hold_ms, 0, &limits::HOLD_MS)?,
        measure,
        limitation: r.limitation.clone(),
        precondition: r.precondition.clone(),
    })
}

/// A step's duration in its range, or `default` when it is not given.
fn ms(v: Option<i64>, default: u64, limit: &Limit) -> Result<u64, limits::OutOfRange> {
    match v {
        None => Ok(default),
        Some(v) => limit.check_int(v).map(|()| v as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::InputError;

    fn suite_text() -> String {
        std::fs::read_to_string(crate::workspace_path("fixtures/twinning.toml")).unwrap()
    }

    fn errors_of(text: &str) -> Vec<InputError> {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        parse(&SourceText::from_string("suite.toml", text), &spec)
            .unwrap_err()
            .0
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    /// `from` → `to` is refused with one fault, on `to`'s line.
    fn refused_at_its_line(from: &str, to: &str, want: &str) {
        let text = suite_text().replacen(from, to, 1);
        assert_ne!(text, suite_text(), "{from}");
        let errs = errors_of(&text);
        assert_eq!(errs.len(), 1, "{to}: {errs:?}");
        assert!(errs[0].message.contains(want), "{to}: {errs:?}");
        assert_eq!(errs[0].line, Some(line_of(&text, to)), "{to}: {errs:?}");
    }

    #[test]
    fn a_step_s_fault_says_which_rule_it_breaks() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        let settings = parse(&SourceText::from_string("suite.toml", suite_text()), &spec)
            .unwrap()
            .settings;
        let marks = BTreeSet::from(["rang".to_string()]);
        let fault = |step: &str| {
            let raw: RawStep = toml::from_str(step).unwrap();
            parse_step(&raw, &marks, &settings).unwrap_err()
        };
        assert_eq!(
            fault("press = \"twinning\"\nwait_ms = 5"),
            StepError::ManyActions(vec!["press", "wait_ms"])
        );
        assert_eq!(fault(""), StepError::NoAction);
        assert_eq!(
            fault("press = \"twinning\"\nvia = \"any\""),
            StepError::OptionNotForAction {
                option: "via",
                action: "press"
            }
        );
        assert_eq!(
            fault("dial = \"primary\"\nvia = \"pstn\""),
            StepError::UnknownVia("pstn".into())
        );
        assert!(matches!(
            fault("wait_ms = -1"),
            StepError::OutOfRange(e) if e.limit == limits::WAIT_MS
        ));
        assert!(matches!(
            fault("expect = \"twinning\"\nstate = \"purple\""),
            StepError::State(crate::spec::WordError::Unknown {
                what: "twinning state",
                ..
            })
        ));
        assert_eq!(
            fault("expect = \"primary\"\nstate = \"idle\"\nmeasure_from = \"dialled\"\nmeasure_ms = 10\ntolerance_ms = 5"),
            StepError::UnknownMark("dialled".into())
        );
        assert_eq!(
            fault(
                "expect = \"primary\"\nstate = \"idle\"\nmeasure_from = \"rang\"\nmeasure_ms = 10"
            ),
            StepError::NoTolerance
        );
    }

    #[test]
    fn the_twinning_suite_is_valid() {
        let spec = Spec::load(Spec::default_dir()).unwrap();
        parse(&SourceText::from_string("suite.toml", suite_text()), &spec).unwrap();
    }

    #[test]
    fn issue_10_settings_without_bounds_are_refused_with_their_line() {
        for (from, to) in [
            ("expect_within_ms = 4000", "expect_within_ms = 4294967296"),
            ("probe_ring_ms = 6000", "probe_ring_ms = 4294967296"),
            ("poll_ms = 50", "poll_ms = 0"),
            ("action_timeout_ms = 5000", "action_timeout_ms = -1"),
            (
                "enforced_transfer_return_s = 15",
                "enforced_transfer_return_s = 9223372036854775807",
            ),
        ] {
            refused_at_its_line(from, to, "is out of range");
        }
        // Beyond a TOML integer: the same refusal for validate and run (one parser).
        let text = suite_text().replacen("poll_ms = 50", "poll_ms = 18446744073709551615", 1);
        let errs = errors_of(&text);
        assert_eq!(errs[0].line, Some(line_of(&text, "18446744073709551615")));
    }

    #[test]
    fn issue_10_step_numbers_without_bounds_are_refused_with_their_line() {
        let measured = "measure_ms = \"transfer-return\", tolerance_ms = 500";
        for (from, to, want) in [
            (
                measured,
                "measure_ms = \"transfer-return\", tolerance_ms = inf",
                "`tolerance_ms` = inf",
            ),
            (
                measured,
                "measure_ms = \"transfer-return\", tolerance_ms = nan",
                "`tolerance_ms` = NaN",
            ),
            (
                measured,
                "measure_ms = \"transfer-return\", tolerance_ms = -1",
                "`tolerance_ms` = -1",
            ),
            (
                measured,
                "measure_ms = 1e308, tolerance_ms = 500",
                "`measure_ms` =",
            ),
        ] {
            refused_at_its_line(from, to, want);
        }
        let text = suite_text();
        let step = text
            .lines()
            .find(|l| l.contains("{ expect = ") && !l.contains("_ms"))
            .unwrap()
            .to_string();
        for (extra, want) in [
            ("hold_ms = 4294967296", "`hold_ms` = 4294967296"),
            ("within_ms = -1", "`within_ms` = -1"),
        ] {
            let to = step.replacen(" }", &format!(", {extra} }}"), 1);
            refused_at_its_line(&step, &to, want);
        }
    }
}
