//! Running one case on one position: setup, steps, cleanup, verdict.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::sleep;

use super::devices::Lease;
use super::driver::{Driver, LightWant, RigFault, Stop};
use super::events::{Event, EventBus, StepAt};
use super::operator::{Answer, Operator};
use super::result::{CaseResult, Verdict};
use crate::bench::{InboundRoute, Light, ModemRole};
use crate::spec::{Indication, TwinningState};
use crate::suite::{Case, Expect, ExpectedInterval, Step, Target, TwinnedWant, TwinningSetup, Via};

/// What the steps of a case found, besides a stop.
#[derive(Default)]
struct Findings {
    /// The deciding expectation so far: (expected, observed, rank); a measurement
    /// outranks a light, a light outranks a modem state.
    key: Option<(String, String, Rank)>,
    measured: Option<f64>,
    notes: Vec<String>,
    /// LED expectations the spec does not specify for this family.
    unspecified: Vec<String>,
    manual: Option<(Verdict, String)>,
    /// The last twinning probe's finding, for `toggled`.
    twinned: Option<bool>,
}

/// How telling an expectation is for the report's expected/observed columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Line,
    Light,
    Measured,
}

impl Findings {
    /// Keep the most telling expectation; among equals, the latest.
    fn record(&mut self, expected: String, observed: String, rank: Rank) {
        if self.key.as_ref().is_none_or(|k| k.2 <= rank) {
            self.key = Some((expected, observed, rank));
        }
    }
}

/// Run a case on the driver's position with the lines it was granted (`None` for a case
/// that touches no line) and return its result row (attempt 1). Each step it starts is an
/// [`Event::StepStarted`] on `bus` (for the live console).
pub(crate) async fn run_case(
    driver: &mut Driver,
    mut lease: Option<Lease>,
    case: &Case,
    operator: &Operator,
    bus: &EventBus,
) -> CaseResult {
    let started = driver.now_ms();
    driver.begin_case();
    let mut found = Findings::default();
    let at = |driver: &Driver, step: StepAt| {
        bus.emit(Event::StepStarted {
            position: driver.position.id.clone(),
            case: case.id.clone(),
            step,
            at_ms: driver.now_ms(),
        })
    };
    let mut outcome = run_steps(driver, lease.as_mut(), case, operator, &mut found, &at).await;
    // Taken before cleanup, whose own watching would move the window off the verdict.
    let trace = match &outcome {
        Err(Stop::Fail {
            expected, observed, ..
        }) => driver.deciding_trace(expected, observed),
        _ => None,
    };
    at(driver, StepAt::Cleanup);
    let cleanup = cleanup(driver, lease.as_mut()).await;
    if outcome.is_ok() {
        if let Err(e) = cleanup {
            outcome = Err(match e {
                Stop::Fail { message, .. } => Stop::Rig(RigFault::Cleanup { message }),
                other => other,
            });
        }
    }
    drop(lease);
    let (verdict, message, expected, observed) = decide(outcome, &mut found, driver);
    CaseResult {
        position: driver.position.id.clone(),
        model: driver.position.model.clone(),
        family: driver.family.id.clone(),
        case: case.id.clone(),
        clauses: case.clauses.clone(),
        verdict,
        expected,
        observed,
        measured: found.measured,
        unit: if found.measured.is_some() {
            "ms".into()
        } else {
            String::new()
        },
        attempt: 1,
        started_ms: started,
        bench_time_ms: driver.now_ms() - started,
        message,
        trace,
    }
}

fn decide(
    outcome: Result<(), Stop>,
    found: &mut Findings,
    driver: &Driver,
) -> (Verdict, String, String, String) {
    let key = found.key.take().map(|(e, o, _)| (e, o)).unwrap_or_default();
    let notes = found.notes.join("; ");
    match outcome {
        Err(Stop::Fail {
            expected,
            observed,
            message,
        }) => (Verdict::Fail, message, expected, observed),
        Err(Stop::Rig(fault)) => (
            Verdict::Error,
            format!("rig fault (not the phone's): {fault}"),
            key.0,
            key.1,
        ),
        Err(Stop::Blocked(message)) => (Verdict::Skip, format!("blocked: {message}"), key.0, key.1),
        Ok(()) => {
            if let Some((v, m)) = found.manual.take() {
                return (v, m, key.0, key.1);
            }
            if !found.unspecified.is_empty() {
                let what = found.unspecified.join("; ");
                let msg = format!("not specified: the spec gives the {} family no indication for this; observed {what}", driver.family.name);
                return (Verdict::Skip, join(&msg, &notes), key.0, key.1);
            }
            (Verdict::Pass, notes, key.0, key.1)
        }
    }
}

fn join(a: &str, b: &str) -> String {
    if b.is_empty() {
        a.to_string()
    } else {
        format!("{a}; {b}")
    }
}

fn lease_of<'a>(lease: &'a mut Option<&mut Lease>) -> Result<&'a mut Lease, Stop> {
    lease
        .as_deref_mut()
        .ok_or_else(|| Stop::inconsistent("a modem step ran without the modems leased"))
}

async fn run_steps(
    driver: &mut Driver,
    mut lease: Option<&mut Lease>,
    case: &Case,
    operator: &Operator,
    found: &mut Findings,
    at: &(dyn Fn(&Driver, StepAt) + Sync),
) -> Result<(), Stop> {
    at(driver, StepAt::Setup);
    // A known state: modems and primary idle, twinning as the case needs it.
    if let Some(l) = lease.as_deref_mut() {
        for role in [ModemRole::Mobile, ModemRole::Caller] {
            driver.modem("hang up", l.line(role).hang_up()).await?;
        }
        driver
            .modem("mobile radio on", l.mobile.set_radio(true))
            .await?;
        driver.settle_idle(l).await?;
    } else {
        driver.primary_idle().await?;
    }
    if let Some(want) = case.setup {
        set_twinning(driver, lease_of(&mut lease)?, want == TwinningSetup::On).await?;
    }

    let mut marks: BTreeMap<String, f64> = BTreeMap::new();
    let mut remembered: Option<Indication> = None;
    for (i, step) in case.steps.iter().enumerate() {
        at(
            driver,
            StepAt::Step {
                index: i + 1,
                of: case.steps.len(),
                what: step.describe(),
            },
        );
        match step {
            Step::Press(b) => driver.press(*b).await?,
            Step::Dial(via) => {
                let route = route_for(driver, *via).ok_or_else(|| {
                    Stop::inconsistent(
                        "no inbound route for this dial (applicability should have skipped)",
                    )
                })?;
                let number = driver.ctx.bench.dial_number(&driver.position, &route);
                let l = lease_of(&mut lease)?;
                driver
                    .modem("caller modem: dial", l.caller.dial(&number))
                    .await?;
                found.notes.retain(|n| !n.starts_with("dialled"));
                found
                    .notes
                    .push(format!("dialled {number} over {}", route.name));
            }
            Step::Answer(role) => {
                let l = lease_of(&mut lease)?;
                driver
                    .modem(
                        &format!("{} modem: answer", role.name()),
                        l.line(*role).answer(),
                    )
                    .await?;
            }
            Step::HangUp(role) => {
                let l = lease_of(&mut lease)?;
                driver
                    .modem(
                        &format!("{} modem: hang up", role.name()),
                        l.line(*role).hang_up(),
                    )
                    .await?;
            }
            Step::Radio(role, on) => {
                let l = lease_of(&mut lease)?;
                driver
                    .modem(
                        &format!("{} modem: radio", role.name()),
                        l.line(*role).set_radio(*on),
                    )
                    .await?;
            }
            Step::Wait(ms) => sleep(Duration::from_millis(*ms)).await,
            Step::Mark(name) => {
                marks.insert(name.clone(), driver.now_ms());
            }
            Step::Remember(light) => {
                let within = driver.ctx.settings.expect_within_ms;
                let seen = driver
                    .expect_light(*light, LightWant::Unspecified, within, 0)
                    .await?;
                remembered = seen.indication;
            }
            Step::Manual(prompt) => {
                let text = fill(prompt, driver);
                let answer = operator.ask(&driver.position.id, &case.id, &text).await;
                found.manual = Some(match answer {
                    Answer::Given { yes: true, note } => {
                        (Verdict::Manual, join("operator: yes", &note))
                    }
                    Answer::Given { yes: false, note } => {
                        (Verdict::Fail, join("operator: no", &note))
                    }
                    Answer::NoOperator => (
                        Verdict::Skip,
                        "needs an operator: run with --operator to answer the prompt".into(),
                    ),
                    // The check was not made: the rig's fault, never the phone's.
                    Answer::InputClosed => {
                        return Err(Stop::Rig(RigFault::OperatorGone {
                            prompt: text.to_string(),
                        }))
                    }
                });
                found.record(text, String::new(), Rank::Line);
            }
            Step::Expect(e) => {
                expect(driver, lease.as_deref_mut(), e, &marks, remembered, found).await?
            }
        }
    }
    Ok(())
}

/// One expectation, resolved for this position's family.
async fn expect(
    driver: &mut Driver,
    lease: Option<&mut Lease>,
    e: &Expect,
    marks: &BTreeMap<String, f64>,
    remembered: Option<Indication>,
    found: &mut Findings,
) -> Result<(), Stop> {
    let mut within = e.within_ms;
    let expected_interval = expected_interval_ms(driver, e);
    if let (Some(m), Some(exp)) = (&e.measure, expected_interval) {
        // Wait long enough to see a late event, and report how late it was.
        let since_mark = driver.now_ms() - marks[&m.from];
        within = within.max((exp + m.tolerance_ms + 5000.0 - since_mark).max(0.0) as u64);
    }
    let result = match &e.target {
        Target::Twinning(_) | Target::TwinningNot(_) | Target::TwinningAsProbed => {
            expect_twinning_light(driver, e, within, found).await
        }
        Target::TwinningUnchanged => {
            let before = remembered
                .ok_or_else(|| Stop::inconsistent("nothing remembered of the twinning light"))?;
            let want = LightWant::Is(crate::spec::Expected::Exactly(before));
            driver
                .expect_light(Light::Twinning, want, within, e.hold_ms)
                .await
                .map(|seen| {
                    found.record(
                        format!("twinning light unchanged: {before}"),
                        format!("twinning light: {}", seen.reading.describe()),
                        Rank::Light,
                    );
                    seen.at_ms
                })
        }
        Target::Primary(state) => {
            let want = driver.appearance(*state)?;
            driver
                .expect_light(Light::Call, LightWant::Is(want), within, e.hold_ms)
                .await
                .map(|seen| {
                    found.record(
                        format!("call light: {want} ({state})"),
                        format!("call light: {}", seen.reading.describe()),
                        Rank::Light,
                    );
                    seen.at_ms
                })
        }
        Target::Line(role, state) => {
            let l = lease.ok_or_else(|| {
                Stop::inconsistent("a modem expectation ran without the modems leased")
            })?;
            driver
                .expect_line(l, *role, *state, within, e.hold_ms)
                .await
                .inspect(|_| {
                    let words = format!("{} modem: {state}", role.name());
                    found.record(words.clone(), words, Rank::Line);
                })
        }
        Target::Twinned(want) => {
            let l = lease.ok_or_else(|| {
                Stop::inconsistent("a twinning probe ran without the modems leased")
            })?;
            expect_twinned(driver, l, *want, found).await
        }
    };
    judge_expectation(result, e, marks, expected_interval, within, found)
}

/// The interval a measured expectation wants, ms: its own, or the position's Transfer
/// Return Time (the enforced one where the user has none).
fn expected_interval_ms(driver: &Driver, e: &Expect) -> Option<f64> {
    e.measure.as_ref().map(|m| match m.expected {
        ExpectedInterval::Ms(v) => v,
        ExpectedInterval::TransferReturn => {
            1000.0
                * driver
                    .position
                    .twinning
                    .transfer_return_s
                    .unwrap_or(driver.ctx.settings.enforced_transfer_return_s)
                    as f64
        }
    })
}

/// The twinning light shows (or no longer shows) a state: what was wanted and seen.
async fn expect_twinning_light(
    driver: &mut Driver,
    e: &Expect,
    within: u64,
    found: &mut Findings,
) -> Result<f64, Stop> {
    let (state, negated) = match &e.target {
        Target::Twinning(s) => (*s, false),
        Target::TwinningNot(s) => (*s, true),
        // `as-probed`: twinning-on or twinning-off, as the last probe found it.
        _ => match found.twinned {
            Some(true) => (TwinningState::TwinningOn, false),
            Some(false) => (TwinningState::TwinningOff, false),
            None => {
                return Err(Stop::inconsistent(
                    "`as-probed` with no earlier twinning probe in the case",
                ))
            }
        },
    };
    let want = match driver.ctx.spec.indications.twinning(&driver.family, state) {
        Some(x) if negated => LightWant::IsNot(x),
        Some(x) => LightWant::Is(x),
        None => LightWant::Unspecified,
    };
    driver
        .expect_light(Light::Twinning, want, within, e.hold_ms)
        .await
        .map(|seen| {
            let observed = format!("twinning light: {}", seen.reading.describe());
            match want {
                LightWant::Is(x) => {
                    found.record(
                        format!("twinning light: {x} ({state})"),
                        observed,
                        Rank::Light,
                    );
                    lookalike_note(driver, state, found);
                    if state == TwinningState::HandoverPending {
                        if let Some(i) = seen.indication {
                            found.notes.push(format!("wink colour seen: {}", i.colour));
                        }
                    }
                }
                // Ranked below the positive checks: a row's expected/observed
                // columns keep what the case is about (the wink it saw).
                LightWant::IsNot(x) => found.record(
                    format!("twinning light: not {x} (no longer {state})"),
                    observed,
                    Rank::Line,
                ),
                LightWant::Unspecified => {
                    found.record(
                        format!("twinning light: {state} (not specified)"),
                        observed.clone(),
                        Rank::Light,
                    );
                    found.unspecified.push(format!("{state}: {observed}"));
                }
            }
            seen.at_ms
        })
}

/// Probe by a call whether a call to the primary rings the mobile, and judge it.
async fn expect_twinned(
    driver: &mut Driver,
    l: &mut Lease,
    want: TwinnedWant,
    found: &mut Findings,
) -> Result<f64, Stop> {
    let route = route_for(driver, Via::Any)
        .ok_or_else(|| Stop::inconsistent("the bench has no inbound route"))?;
    let twinned = driver.probe_twinned(l, &route).await?;
    let previous = found.twinned.replace(twinned);
    let words = |b: bool| {
        if b {
            "a call to the primary also rings the mobile"
        } else {
            "a call to the primary does not ring the mobile"
        }
    };
    let wanted = match want {
        TwinnedWant::Yes => Some(true),
        TwinnedWant::No => Some(false),
        TwinnedWant::Either => None,
        TwinnedWant::Toggled => Some(
            !previous
                .ok_or_else(|| Stop::inconsistent("`toggled` with no earlier probe in the case"))?,
        ),
    };
    match wanted {
        Some(w) if w != twinned => Err(Stop::Fail {
            expected: words(w).into(),
            observed: words(twinned).into(),
            message: match want {
                TwinnedWant::Toggled => format!(
                    "pressing Twinning did not toggle mobile twinning: still {} (probed by a call)",
                    if twinned { "on" } else { "off" }
                ),
                _ => format!(
                    "mobile twinning is {} (probed by a call)",
                    if twinned { "on" } else { "off" }
                ),
            },
        }),
        _ => {
            found.record(
                wanted.map(words).unwrap_or("either").into(),
                words(twinned).into(),
                Rank::Line,
            );
            Ok(driver.now_ms())
        }
    }
}

/// What an expectation's outcome means: a measured interval checked against its
/// tolerance, a failed precondition a BLOCKED case, a known limitation a note.
fn judge_expectation(
    result: Result<f64, Stop>,
    e: &Expect,
    marks: &BTreeMap<String, f64>,
    expected_interval: Option<f64>,
    within: u64,
    found: &mut Findings,
) -> Result<(), Stop> {
    match (result, &e.limitation) {
        (Ok(at), _) => {
            if let (Some(m), Some(exp)) = (&e.measure, expected_interval) {
                let measured = at - marks[&m.from];
                found.measured = Some(measured.round());
                if (measured - exp).abs() > m.tolerance_ms {
                    return Err(Stop::Fail {
                        expected: format!("{exp:.0} ± {:.0} ms", m.tolerance_ms),
                        observed: format!("{measured:.0} ms"),
                        message: format!(
                            "took {measured:.0} ms from {}, expected {exp:.0} ± {:.0} ms",
                            m.from, m.tolerance_ms
                        ),
                    });
                }
                found.record(
                    format!("{exp:.0} ± {:.0} ms", m.tolerance_ms),
                    format!("{measured:.0} ms"),
                    Rank::Measured,
                );
            }
            Ok(())
        }
        (Err(Stop::Fail { message, .. }), _) if e.precondition.is_some() => {
            let why = e.precondition.as_deref().unwrap_or_default();
            Err(Stop::Blocked(format!("{why}: {message}")))
        }
        (Err(Stop::Fail { observed, .. }), Some(limitation)) => {
            found.notes.push(format!(
                "known limitation, not a failure: {limitation} (saw {observed})"
            ));
            Ok(())
        }
        (Err(Stop::Fail { observed, .. }), None) if e.measure.is_some() => {
            let m = e.measure.as_ref().expect("checked");
            Err(Stop::Fail {
                expected: format!(
                    "{:.0} ± {:.0} ms",
                    expected_interval.unwrap_or_default(),
                    m.tolerance_ms
                ),
                observed: observed.clone(),
                message: format!(
                    "did not happen within {within} ms of {}: {observed}",
                    m.from
                ),
            })
        }
        (Err(s), _) => Err(s),
    }
}

/// On families where the call-at-secondary state looks like another (M/T: it looks like
/// "on"), say so: the light alone does not prove S5 there; the modems holding the call do.
fn lookalike_note(driver: &Driver, state: TwinningState, found: &mut Findings) {
    if state != TwinningState::TwinnedCallAtSecondary {
        return;
    }
    let alike = driver
        .ctx
        .spec
        .indications
        .lookalikes(&driver.family, state);
    if !alike.is_empty() {
        let names: Vec<_> = alike.iter().map(|s| s.to_string()).collect();
        found.notes.push(format!(
            "on {} {state} looks the same as {}: the state is proven by the modems' call states, not by the light",
            driver.family.name,
            names.join(", ")
        ));
    }
}

/// Bring mobile twinning to the wanted state, proven by a call; press once if needed.
async fn set_twinning(driver: &mut Driver, lease: &mut Lease, on: bool) -> Result<(), Stop> {
    let route = route_for(driver, Via::Any)
        .ok_or_else(|| Stop::inconsistent("the bench has no inbound route"))?;
    if driver.probe_twinned(lease, &route).await? == on {
        return Ok(());
    }
    driver.press(crate::bench::Button::Twinning).await?;
    if driver.probe_twinned(lease, &route).await? == on {
        return Ok(());
    }
    let state = if on { "on" } else { "off" };
    Err(Stop::Blocked(format!("could not switch mobile twinning {state}: pressing Twinning did not change whether calls ring the mobile (see the toggle case)")))
}

/// Cleanup after every case, whatever happened: hang up, radio on, primary idle.
async fn cleanup(driver: &mut Driver, lease: Option<&mut Lease>) -> Result<(), Stop> {
    driver.release_all();
    match lease {
        Some(l) => {
            for role in [ModemRole::Caller, ModemRole::Mobile] {
                driver.modem("hang up", l.line(role).hang_up()).await?;
            }
            driver
                .modem("mobile radio on", l.mobile.set_radio(true))
                .await?;
            driver.settle_idle(l).await
        }
        None => driver.primary_idle().await,
    }
}

/// The inbound route a dial uses, if the bench has one of that kind.
pub(crate) fn route_for(driver: &Driver, via: Via) -> Option<InboundRoute> {
    let system = &driver.ctx.bench.system;
    system
        .inbound
        .iter()
        .find(|r| match via {
            Via::Any => true,
            Via::IpToIp => system.is_ip_to_ip(r),
            Via::NotIpToIp => !system.is_ip_to_ip(r),
        })
        .cloned()
}

/// Fill a manual prompt's placeholders.
fn fill(prompt: &str, driver: &Driver) -> String {
    prompt
        .replace("{position}", &driver.position.id)
        .replace("{model}", &driver.position.model)
        .replace("{extension}", &driver.position.extension)
}
