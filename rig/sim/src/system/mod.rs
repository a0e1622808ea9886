//! The simulated IP Office and its phones: the call model behind the devices.
//!
//! [`Core`] holds the whole simulated world: per position the user's twinning settings,
//! per modem its radio, the calls in progress, an agenda of timer deadlines, and each
//! light's [`Timeline`]. Nothing runs in the background: every device call first runs
//! [`Core::advance_to`] to the present, which handles due timers in time order *at their
//! own deadlines*, so a 15 s transfer return lands exactly 15 s after the press even if
//! nobody looks until a minute later. After each change the lights are re-derived from the
//! call state and any change is stamped on their timelines at that instant.
//!
//! Timers are void once their call changes phase: each call carries a sequence number
//! bumped on every phase change, and a timer only acts if it still matches.
//!
//! Decisions where the spec is silent:
//! - A modem holds one call: dialling on a line with a call is refused.
//! - A call still setting up is invisible at the phone (the Twinning button still
//!   toggles) but already makes the phone busy to a second call.
//! - The caller stays `Active` on its modem through a handover and a recall: it was
//!   answered, the system holds it.
//! - The call button also takes a held (handover) call back, cancelling the handover.
//! - A busy mobile is unreachable for a handover, like one with its radio off.
//! - Internal-twinning users toggle only if the profile both toggles and does not ignore
//!   them; their Twinning light shows twinning-off unless the profile lets them toggle.

mod buttons;
mod lights;
mod lines;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::Duration;

use tokio::time::Instant;

use super::optics::{BlinkTimings, Timeline};
use super::profile::{Behaviour, FirmwareProfile, Timers};
use crate::bench::{Bench, Button, ChannelRef, Light, TwinningMode};
use crate::hw::{BenchClock, CallInfo, CallStatus};
use crate::spec::{AppearanceState, Indication, Spec, TwinningState};

/// A position (phone + its user) as the system sees it.
#[derive(Debug)]
struct Phone {
    id: String,
    mode: TwinningMode,
    enabled: bool,
    /// The modem line the twinned number reaches, if any.
    mobile: Option<usize>,
    transfer_return_s: Option<u32>,
    /// The Twinning light per state, resolved from the profile once.
    twinning: BTreeMap<TwinningState, Indication>,
    /// The call appearance light per state, from the spec's table for the indicator kind.
    appearance: BTreeMap<AppearanceState, Indication>,
    /// Whether its lights are reflective LCD indicators.
    reflective: bool,
    presses: BTreeMap<Button, usize>,
    /// The switches this phone's family follows (the profile's, with its overrides).
    behaviour: Behaviour,
    /// A Twinning light the firmware failed to update (a fault profile's stale lamp).
    stale: Option<Stale>,
}

/// A Twinning light left showing `shown` while the phone is really in `masked`; redrawn
/// when the real state changes, or (`until_call`) when the next call reaches the phone.
#[derive(Debug, Clone, Copy)]
struct Stale {
    shown: TwinningState,
    masked: TwinningState,
    until_call: bool,
}

/// A modem line.
#[derive(Debug)]
struct Line {
    number: String,
    radio: bool,
    /// An outgoing call to a number nobody answers for (or a busy phone): dialing, then
    /// gone after the network delay. The token ties it to its timer.
    doomed: Option<(u64, String)>,
}

/// A relay channel: the button it presses (`None`: wired to nothing) and whether it is held.
#[derive(Debug, Default)]
struct Relay {
    button: Option<(usize, Button)>,
    held: bool,
}

/// Where a call from the caller to a position is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Crossing the network; the phone does not show it yet but is taken.
    SettingUp,
    /// Alerting at the primary; `twin`: the mobile line it also rings on; `recall`: a
    /// handover came back (the caller was answered before, so stays connected).
    Alerting {
        twin: Option<usize>,
        recall: bool,
    },
    AtPrimary,
    /// A twinned call answered at the mobile.
    AtSecondary {
        mobile: usize,
    },
    /// Handover (unassisted transfer) in progress: the caller is held at the primary;
    /// `ringing`: the mobile line it rings on once the leg is through.
    Handover {
        ringing: Option<usize>,
    },
    /// Handed over: caller and mobile talk, the primary is free.
    Transferred {
        mobile: usize,
    },
}

impl Phase {
    /// The mobile line the call rings or is connected on, and whether it is still ringing.
    fn mobile_leg(self) -> Option<(usize, bool)> {
        match self {
            Phase::Alerting { twin: Some(m), .. } | Phase::Handover { ringing: Some(m) } => {
                Some((m, true))
            }
            Phase::AtSecondary { mobile } | Phase::Transferred { mobile } => Some((mobile, false)),
            _ => None,
        }
    }

    /// Whether the phone shows the call (as opposed to setting up or handed away).
    fn at_phone(self) -> bool {
        !matches!(self, Phase::SettingUp | Phase::Transferred { .. })
    }
}

#[derive(Debug)]
struct Call {
    id: u64,
    /// Bumped on every phase change: timers of an older phase are void.
    seq: u64,
    caller: usize,
    dialled: String,
    position: usize,
    /// Came in on an IP trunk and twins out on one (S7).
    ip_to_ip: bool,
    phase: Phase,
}

/// What a timer does when due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    SetUpDone,
    TwinAlert,
    HandoverRing,
    HandoverUnreachable,
    HandoverUnanswered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Call { id: u64, seq: u64, timer: Timer },
    DoomedDialEnds { line: usize, token: u64 },
}

/// The whole simulated world. Only [`super::SimBench`] and its devices touch it.
#[derive(Debug)]
pub(super) struct Core {
    clock: BenchClock,
    now: Instant,
    timers: Timers,
    phones: Vec<Phone>,
    lines: Vec<Line>,
    calls: Vec<Call>,
    /// Timer deadlines, earliest first; the counter keeps equal deadlines in order.
    agenda: BinaryHeap<Reverse<(Instant, u64, Due)>>,
    next_id: u64,
    /// Dialled number → (position, whether the route and the twinning trunk are both IP: S7).
    dial_plan: BTreeMap<String, (usize, bool)>,
    relays: BTreeMap<ChannelRef, Relay>,
    /// Sensor channel → index into `timelines`.
    pub(super) watched: BTreeMap<ChannelRef, usize>,
    /// Two per position: `2·p` the Twinning light, `2·p + 1` the call appearance.
    pub(super) timelines: Vec<Timeline>,
    pub(super) blink: BlinkTimings,
    /// Modem id → line index.
    pub(super) line_ids: BTreeMap<String, usize>,
    /// Positions whose calls or settings changed since the lights were last drawn: only
    /// these are redrawn, so an event costs the same however many phones the bench has.
    changed: BTreeSet<usize>,
    /// Every call placed to a phone: (position, placed at ms, ended at ms), for the rig's
    /// own tests (which cases overlapped), never seen by the runner.
    pub(super) call_log: Vec<(usize, f64, Option<f64>)>,
}

pub(super) fn light_index(position: usize, light: Light) -> usize {
    2 * position
        + match light {
            Light::Twinning => 0,
            Light::Call => 1,
        }
}

impl Core {
    pub(super) fn new(
        bench: &Bench,
        spec: &Spec,
        profile: &FirmwareProfile,
        clock: BenchClock,
    ) -> Self {
        let lines: Vec<Line> = bench
            .modems
            .iter()
            .map(|m| Line {
                number: m.number.clone(),
                radio: true,
                doomed: None,
            })
            .collect();
        let line_ids = bench
            .modems
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        let mut phones = Vec::new();
        let mut dial_plan = BTreeMap::new();
        let mut relays = BTreeMap::new();
        let mut watched = BTreeMap::new();
        for (p, pos) in bench.positions.iter().enumerate() {
            let family = bench.family(pos, &spec.catalog);
            let indicator = family
                .indicator
                .expect("a bench family names its indicator");
            phones.push(Phone {
                id: pos.id.clone(),
                mode: pos.twinning.mode,
                enabled: pos.twinning.enabled,
                mobile: bench
                    .modems
                    .iter()
                    .position(|m| m.number == pos.twinning.number),
                transfer_return_s: pos.twinning.transfer_return_s,
                twinning: TwinningState::ALL
                    .into_iter()
                    .map(|s| (s, profile.indication(&family.id, s)))
                    .collect(),
                appearance: AppearanceState::ALL
                    .into_iter()
                    .map(|s| {
                        let ind = spec.indications.appearance(indicator, s);
                        (
                            s,
                            ind.expect(
                                "Spec::load checks every indicator has a call-appearance table",
                            ),
                        )
                    })
                    .collect(),
                reflective: indicator.is_reflective(),
                presses: BTreeMap::new(),
                behaviour: profile.behaviour_of(&family.id),
                stale: None,
            });
            for route in &bench.system.inbound {
                let ip = bench.system.is_ip_to_ip(route);
                dial_plan.insert(bench.dial_number(pos, route), (p, ip));
            }
            for (&button, ch) in &pos.buttons {
                let button = Some((p, button));
                relays.insert(
                    ch.clone(),
                    Relay {
                        button,
                        held: false,
                    },
                );
            }
            for (&light, wiring) in &pos.lights {
                watched.insert(wiring.sensor.clone(), light_index(p, light));
            }
        }
        let now = Instant::now();
        let mut core = Core {
            clock,
            now,
            timers: profile.timers,
            phones,
            lines,
            calls: Vec::new(),
            agenda: BinaryHeap::new(),
            next_id: 0,
            dial_plan,
            relays,
            watched,
            timelines: Vec::new(),
            blink: BlinkTimings::new(&spec.cadences),
            line_ids,
            changed: BTreeSet::new(),
            call_log: Vec::new(),
        };
        let t0 = clock.ms_at(now);
        core.timelines = (0..core.phones.len())
            .flat_map(|p| {
                let (tw, call) = core.lights_of(p);
                [Timeline::new(t0, tw), Timeline::new(t0, call)]
            })
            .collect();
        core
    }

    /// Bring the world to `now`: handle every timer due by then, each at its deadline.
    pub(super) fn advance_to(&mut self, now: Instant) {
        while let Some(&Reverse((at, _, due))) = self.agenda.peek() {
            if at > now {
                break;
            }
            self.agenda.pop();
            self.now = at.max(self.now);
            self.fire(due);
            self.refresh_lights();
        }
        self.now = now.max(self.now);
    }

    pub(super) fn now_ms(&self) -> f64 {
        self.clock.ms_at(self.now)
    }

    fn schedule(&mut self, after: Duration, due: Due) {
        self.next_id += 1;
        self.agenda
            .push(Reverse((self.now + after, self.next_id, due)));
    }

    fn schedule_call(&mut self, id: u64, after: Duration, timer: Timer) {
        let seq = self.call(id).map_or(0, |c| c.seq);
        self.schedule(after, Due::Call { id, seq, timer });
    }

    fn fire(&mut self, due: Due) {
        match due {
            Due::DoomedDialEnds { line, token } => {
                if self.lines[line]
                    .doomed
                    .as_ref()
                    .is_some_and(|d| d.0 == token)
                {
                    self.lines[line].doomed = None;
                }
            }
            Due::Call { id, seq, timer } => {
                if self.call(id).is_some_and(|c| c.seq == seq) {
                    self.on_timer(id, timer);
                }
            }
        }
    }

    fn on_timer(&mut self, id: u64, timer: Timer) {
        let Some(call) = self.call(id) else { return };
        let (phase, position) = (call.phase, call.position);
        let b = self.phones[position].behaviour;
        match (timer, phase) {
            (Timer::SetUpDone, Phase::SettingUp) => {
                // A new call reaches the phone: it redraws a lamp left stale until then.
                let phone = self.phone_mut(position);
                if phone.stale.is_some_and(|st| st.until_call) {
                    phone.stale = None;
                }
                self.set_phase(
                    id,
                    Phase::Alerting {
                        twin: None,
                        recall: false,
                    },
                );
                let phone = &self.phones[position];
                if phone.mode == TwinningMode::Mobile
                    && phone.enabled
                    && b.twin_calls
                    && phone.mobile.is_some()
                {
                    let delay = ms(self.timers.twin_alert_delay_ms);
                    self.schedule_call(id, delay, Timer::TwinAlert);
                }
            }
            (
                Timer::TwinAlert,
                Phase::Alerting {
                    twin: None,
                    recall: false,
                },
            ) => {
                if let Some(m) = self.phones[position].mobile.filter(|&m| self.reachable(m)) {
                    // Same phase, new leg: in place, so no other timer is voided.
                    self.call_mut(id).phase = Phase::Alerting {
                        twin: Some(m),
                        recall: false,
                    };
                }
            }
            (Timer::HandoverRing, Phase::Handover { ringing: None }) => {
                match self.phones[position].mobile.filter(|&m| self.reachable(m)) {
                    Some(m) => self.call_mut(id).phase = Phase::Handover { ringing: Some(m) },
                    None => self.give_back(id, b.return_when_unreachable),
                }
            }
            (Timer::HandoverUnreachable, Phase::Handover { .. }) => {
                self.give_back(id, b.return_when_unreachable)
            }
            (Timer::HandoverUnanswered, Phase::Handover { .. }) => {
                self.give_back(id, b.return_when_unanswered)
            }
            _ => {}
        }
    }

    // ---- calls -------------------------------------------------------------------------

    fn call(&self, id: u64) -> Option<&Call> {
        self.calls.iter().find(|c| c.id == id)
    }

    /// A call, to change: its phone's lights are redrawn.
    fn call_mut(&mut self, id: u64) -> &mut Call {
        let call = self
            .calls
            .iter_mut()
            .find(|c| c.id == id)
            .expect("call exists");
        self.changed.insert(call.position);
        call
    }

    /// A phone, to change: its lights are redrawn.
    fn phone_mut(&mut self, position: usize) -> &mut Phone {
        self.changed.insert(position);
        &mut self.phones[position]
    }

    fn set_phase(&mut self, id: u64, phase: Phase) {
        let call = self.call_mut(id);
        call.phase = phase;
        call.seq += 1;
    }

    fn end_call(&mut self, id: u64) {
        if let Some(position) = self.call(id).map(|c| c.position) {
            self.changed.insert(position);
            let now = self.now_ms();
            if let Some(span) = self
                .call_log
                .iter_mut()
                .rev()
                .find(|s| s.0 == position && s.2.is_none())
            {
                span.2 = Some(now);
            }
        }
        self.calls.retain(|c| c.id != id);
    }

    /// The call the phone at `position` shows, if any.
    fn call_at_phone(&self, position: usize) -> Option<(u64, Phase)> {
        self.calls
            .iter()
            .find(|c| c.position == position && c.phase.at_phone())
            .map(|c| (c.id, c.phase))
    }

    /// Whether a new call to `position` would find it busy (set-up calls count).
    fn position_busy(&self, position: usize) -> bool {
        self.calls
            .iter()
            .any(|c| c.position == position && !matches!(c.phase, Phase::Transferred { .. }))
    }

    fn line_busy(&self, line: usize) -> bool {
        self.lines[line].doomed.is_some()
            || self
                .calls
                .iter()
                .any(|c| c.caller == line || c.phase.mobile_leg().is_some_and(|(m, _)| m == line))
    }

    /// A line a new call can ring: radio on and no call.
    fn reachable(&self, line: usize) -> bool {
        self.lines[line].radio && !self.line_busy(line)
    }

    /// A handover that did not connect: back to the primary as a recall, or dropped.
    fn give_back(&mut self, id: u64, returns: bool) {
        if returns {
            self.set_phase(
                id,
                Phase::Alerting {
                    twin: None,
                    recall: true,
                },
            );
        } else {
            self.end_call(id);
        }
    }
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}
