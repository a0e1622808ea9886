//! Measuring: drive each position into known states and record its lights (`rig calibrate`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::task::JoinSet;

use super::{clear, BenchCalibration, LightCalibration, Measurement};
use crate::bench::{Button, InboundRoute, Light, ModemRole, TwinningMode};
use crate::hw::{LineState, Sample, SensorKind};
use crate::observe::{Calibration, Classifier, Polarity, Reading};
use crate::runner::{Context, DeviceSet, Driver, Lease, LightWant, Queue, RigFault, Stop};
use crate::schedule::{Job, Work};
use crate::spec::{AppearanceState, Cadence, CadenceTable, Expected, Indication, TwinningState};

/// What a calibration run is, besides its measurements.
#[derive(Debug, Clone)]
pub struct MeasureInfo {
    /// Where the file will be written.
    pub path: PathBuf,
    /// The bench file as given on the command line.
    pub bench_file: String,
    pub firmware: String,
    /// Wall-clock time the run started (bench time 0).
    pub started_at: SystemTime,
}

/// Why no calibration could be written: every reason is the rig's (a position it could not
/// drive), never a phone's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// A position could not be measured.
    #[error("position {position}: rig fault: {fault}")]
    Position {
        position: String,
        fault: PositionFault,
    },
    /// A position's task ended abnormally (a panic).
    #[error("a position's task ended abnormally: {0}")]
    Aborted(String),
}

/// Why one position could not be measured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PositionFault {
    /// A device or the bench failed (its kind and device kept).
    #[error("{0}")]
    Rig(RigFault),
    /// The position could not be brought to, or back from, a state it must be driven
    /// through (idle, the calls hung up): in what words the run stopped.
    #[error("{0}")]
    Stuck(String),
}

/// Why a state was not reached: the phone's behaviour in the run's words, recorded as a
/// note (a rig fault is never one: it stops the calibration).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
struct NotReached(String);

/// Measure every light of the context's bench. Each position runs in its own task and
/// leases its mobile line and a caller line for its whole calibration (positions that
/// share a mobile line take turns). A rig
/// fault on any position fails the whole calibration (the messages say which), so a file is
/// never half measured.
pub async fn measure(
    ctx: Arc<Context>,
    mut devices: DeviceSet,
    info: MeasureInfo,
) -> Result<BenchCalibration, Vec<MeasureError>> {
    // One job per position, each holding its mobile line and a caller line: the
    // scheduler's queue hands them out as lines free up.
    let ids: Vec<String> = ctx.bench.positions.iter().map(|p| p.id.clone()).collect();
    let mut work = Work::new(&ctx.bench, &ids);
    work.jobs = (0..ids.len())
        .map(|position| Job {
            position,
            case: 0,
            estimate_ms: 1.0,
            needs_lines: true,
        })
        .collect();
    let queue = Queue::new(work, devices.lines.clone());
    let mut tasks = JoinSet::new();
    for position in ctx.bench.positions.clone() {
        let Some(devs) = devices.positions.remove(&position.id) else {
            queue.abandon(ids.iter().position(|i| *i == position.id).unwrap_or(0));
            continue;
        };
        let (ctx, queue, started_at) = (ctx.clone(), queue.clone(), info.started_at);
        let index = ids
            .iter()
            .position(|i| *i == position.id)
            .expect("a bench position");
        tasks.spawn(async move {
            let id = position.id.clone();
            let mut driver = Driver::new(ctx, position, devs);
            let mut turn = queue.next(index).await.expect("one job per position");
            let mut lease = turn.lease.take().expect("the job holds lines");
            let out = measure_position(&mut driver, &mut lease, started_at).await;
            driver.release_all();
            drop((lease, turn));
            out.map_err(|fault| MeasureError::Position {
                position: id,
                fault,
            })
        });
    }
    let mut lights = Vec::new();
    let mut faults = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(l)) => lights.extend(l),
            Ok(Err(m)) => faults.push(m),
            Err(e) => faults.push(MeasureError::Aborted(e.to_string())),
        }
    }
    if !faults.is_empty() {
        faults.sort_by_cached_key(ToString::to_string);
        return Err(faults);
    }
    let order = |l: &LightCalibration| {
        let p = ctx.bench.positions.iter().position(|p| p.id == l.position);
        (p, l.light)
    };
    lights.sort_by_key(order);
    Ok(BenchCalibration {
        path: info.path,
        bench: ctx.bench.name.clone(),
        bench_file: info.bench_file,
        firmware: info.firmware,
        measured_at: utc(info.started_at, 0.0),
        lights,
    })
}

fn utc(started_at: SystemTime, bench_ms: f64) -> String {
    let t = started_at + Duration::from_secs_f64(bench_ms.max(0.0) / 1000.0);
    humantime::format_rfc3339_millis(t).to_string()
}

/// A state a light is put in to be measured.
#[derive(Debug, Clone, Copy)]
enum State {
    Twinning(TwinningState),
    Call(AppearanceState),
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Twinning(s) => s.name(),
            State::Call(s) => s.name(),
        }
    }

    fn light(self) -> Light {
        match self {
            State::Twinning(_) => Light::Twinning,
            State::Call(_) => Light::Call,
        }
    }

    /// What the tables say the light shows; `None`: not specified.
    fn expected(self, d: &Driver) -> Option<Expected> {
        let spec = &d.ctx.spec;
        match self {
            State::Twinning(s) => spec.indications.twinning(&d.family, s),
            State::Call(s) => spec
                .indications
                .appearance(d.family.indicator?, s)
                .map(Expected::Exactly),
        }
    }
}

/// One light's findings while its position is measured.
struct Acc {
    kind: SensorKind,
    polarity: Polarity,
    first_ms: Option<f64>,
    /// Raw recordings, judged once every state of the position has been visited.
    recordings: Vec<Recording>,
    dark: Option<Measurement>,
    /// Why a state expected to be off gave no dark level.
    dark_failed: Option<String>,
    references: Vec<Measurement>,
    notes: Vec<String>,
}

/// A light recorded in a state.
struct Recording {
    state: &'static str,
    /// What the tables say it shows there (steady).
    want: Indication,
    samples: Vec<Sample>,
    /// What the classifier read, with the bench file's dark level (or its estimate).
    reading: Reading,
}

fn seen(r: &Reading) -> Option<Indication> {
    match r {
        Reading::Seen(o) => Some(o.indication),
        _ => None,
    }
}

impl Acc {
    /// Judge the recordings: the dark level first (it must read as a steady off light
    /// against itself), then each reference against the NEW dark level (else against the
    /// bench file's): a reference counts only if it reads as the tables say.
    fn judge(&mut self, cadences: &CadenceTable) {
        let recordings = std::mem::take(&mut self.recordings);
        if let Some(rec) = recordings.iter().find(|r| r.want == Indication::OFF) {
            let m = Measurement::of(rec.state, rec.want, &rec.samples, self.kind);
            let own = Classifier::new(
                cadences,
                Calibration {
                    kind: self.kind,
                    polarity: self.polarity,
                    dark: Some(m.mean),
                },
            )
            .classify(&rec.samples);
            if seen(&own) == Some(Indication::OFF) {
                if seen(&rec.reading) != Some(Indication::OFF) {
                    self.notes.push(format!(
                        "{}: with the bench file's dark level the light read \"{}\"; the measured level replaces it",
                        rec.state,
                        rec.reading.describe()
                    ));
                }
                self.dark = Some(m);
            } else {
                let note = format!(
                    "{} ({}): not recorded, the light did not hold still while measured (read: {})",
                    rec.state,
                    rec.want,
                    own.describe()
                );
                self.dark_failed = Some(note.clone());
                self.notes.push(note);
            }
        }
        let classifier = self.dark.as_ref().map(|d| {
            Classifier::new(
                cadences,
                Calibration {
                    kind: self.kind,
                    polarity: self.polarity,
                    dark: Some(d.mean),
                },
            )
        });
        for rec in recordings.iter().filter(|r| r.want != Indication::OFF) {
            let reading = match &classifier {
                Some(c) => c.classify(&rec.samples),
                None => rec.reading.clone(),
            };
            match seen(&reading) {
                Some(i) if i == rec.want => self.references.push(Measurement::of(
                    rec.state,
                    rec.want,
                    &rec.samples,
                    self.kind,
                )),
                Some(i) if i.cadence == Cadence::Steady => self.notes.push(format!(
                    "{}: reference not recorded: the tables say {}, the light read {i}",
                    rec.state, rec.want
                )),
                _ => self.notes.push(format!(
                    "{} ({}): reference not recorded, the light did not hold still while measured (read: {})",
                    rec.state,
                    rec.want,
                    reading.describe()
                )),
            }
        }
    }
}

/// Measure one position's lights (the modems are leased). `Err`: a rig fault.
async fn measure_position(
    d: &mut Driver,
    lease: &mut Lease,
    started_at: SystemTime,
) -> Result<Vec<LightCalibration>, PositionFault> {
    let mut accs: BTreeMap<Light, Acc> = BTreeMap::new();
    for (light, wiring) in &d.position.lights {
        let bank = d
            .ctx
            .bench
            .sensor_bank(&wiring.sensor.device)
            .expect("bench checked");
        accs.insert(
            *light,
            Acc {
                kind: bank.kind,
                polarity: d.family.polarity(),
                first_ms: None,
                recordings: Vec::new(),
                dark: None,
                dark_failed: None,
                references: Vec::new(),
                notes: Vec::new(),
            },
        );
    }
    // Which Twinning states can be proven here, or why none.
    let twinning = if d.position.twinning.mode == TwinningMode::Internal {
        Err("the user has internal twinning (S1): the spec does not say what this light shows then, so no state of it is known".to_string())
    } else if d.family.group.is_none() {
        Err(format!(
            "the spec gives the {} no Twinning indication, so no state of this light is known to be off or to have a colour",
            d.family.name
        ))
    } else {
        Ok(())
    };
    let outcome = visit(d, lease, &mut accs, twinning.is_ok()).await;
    let cleanup = reset(d, lease).await;
    match (outcome, cleanup) {
        (Err(Stop::Rig(f)), _) | (_, Err(Stop::Rig(f))) => return Err(PositionFault::Rig(f)),
        (Err(other), _) | (_, Err(other)) => return Err(PositionFault::Stuck(stop_words(other).0)),
        _ => {}
    }
    let mut out = Vec::new();
    for (light, mut acc) in accs {
        acc.judge(&d.ctx.spec.cadences);
        let dark_missing = match (&acc.dark, light, &twinning) {
            (Some(_), _, _) => cross_check(&mut acc),
            (None, Light::Twinning, Err(why)) => Some(why.clone()),
            (None, _, _) => Some(acc.dark_failed.clone().unwrap_or_else(|| {
                let off = match light {
                    Light::Twinning => State::Twinning(TwinningState::TwinningOff),
                    Light::Call => State::Call(AppearanceState::Idle),
                };
                let shows = off
                    .expected(d)
                    .map_or("not specified".to_string(), |e| e.to_string());
                format!(
                    "no state the tables name shows this light off ({}: {shows}), so its dark level cannot be measured",
                    off.name()
                )
            })),
        };
        let wiring = &d.position.lights[&light];
        out.push(LightCalibration {
            position: d.position.id.clone(),
            model: d.position.model.clone(),
            light,
            sensor: wiring.sensor.to_string(),
            kind: acc.kind,
            polarity: acc.polarity,
            measured_at: acc.first_ms.map(|ms| utc(started_at, ms)),
            dark: acc.dark,
            dark_missing,
            references: acc.references,
            notes: acc.notes,
        });
    }
    Ok(out)
}

/// A dark level must read darker than the light lit (reflective: brighter than "on") by
/// more than the noise; otherwise it is dropped and the reason returned.
fn cross_check(acc: &mut Acc) -> Option<String> {
    let dark = acc.dark.as_ref()?;
    let (dc, margin) = (clear(&dark.mean), (6.0 * clear(&dark.noise)).max(1.0));
    for r in &acc.references {
        let rc = clear(&r.mean);
        let apart = match acc.polarity {
            Polarity::Emissive => rc - dc,
            Polarity::Reflective => dc - rc,
        };
        if apart <= margin {
            let why = format!(
                "{} read {dc:.1} counts and {} ({}) read {rc:.1}: {}, so the dark level was not recorded",
                dark.state,
                r.state,
                r.indication,
                match acc.polarity {
                    Polarity::Emissive => "an off light must read clearly darker than a lit one",
                    Polarity::Reflective => "a bare display must read clearly brighter than the indicator on",
                }
            );
            acc.dark = None;
            return Some(why);
        }
    }
    None
}

fn stop_words(s: Stop) -> NotReached {
    NotReached(match s {
        Stop::Fail {
            message, observed, ..
        } => format!("{message} (saw {observed})"),
        Stop::Rig(f) => f.to_string(),
        Stop::Blocked(m) => m,
    })
}

/// Fail and Blocked become a reason (the phone did not get there); a rig fault stays one.
fn soft<T>(r: Result<T, Stop>) -> Result<Result<T, NotReached>, Stop> {
    match r {
        Ok(x) => Ok(Ok(x)),
        Err(Stop::Rig(f)) => Err(Stop::Rig(f)),
        Err(other) => Ok(Err(stop_words(other))),
    }
}

/// The states, in an order that needs few presses: idle and twinning off, a call answered
/// at the primary, twinning on, a twinned call at the mobile; then twinning as it was.
async fn visit(
    d: &mut Driver,
    lease: &mut Lease,
    accs: &mut BTreeMap<Light, Acc>,
    twinning: bool,
) -> Result<(), Stop> {
    let route = d
        .ctx
        .bench
        .system
        .inbound
        .first()
        .cloned()
        .ok_or_else(|| Stop::inconsistent("the bench has no inbound route"))?;
    reset(d, lease).await?;
    record(d, accs, State::Call(AppearanceState::Idle)).await?;

    let mut current = None;
    let mut initial = None;
    if twinning {
        let was = d.probe_twinned(lease, &route).await?;
        initial = Some(was);
        current = Some(was);
        let off = State::Twinning(TwinningState::TwinningOff);
        match set_twinning(d, lease, &route, false, &mut current).await? {
            Ok(()) => record(d, accs, off).await?,
            Err(why) => not_reached(d, accs, off, &why),
        }
    }

    let connected = State::Call(AppearanceState::Connected);
    let call = soft(answer_at_primary(d, lease, &route).await)?;
    match call {
        Ok(()) => record(d, accs, connected).await?,
        Err(why) => not_reached(d, accs, connected, &why),
    }
    end_calls(d, lease).await?;

    if twinning {
        let on = State::Twinning(TwinningState::TwinningOn);
        let secondary = State::Twinning(TwinningState::TwinnedCallAtSecondary);
        match set_twinning(d, lease, &route, true, &mut current).await? {
            Ok(()) => {
                record(d, accs, on).await?;
                match soft(answer_at_mobile(d, lease, &route).await)? {
                    Ok(()) => record(d, accs, secondary).await?,
                    Err(why) => not_reached(d, accs, secondary, &why),
                }
                end_calls(d, lease).await?;
            }
            Err(why) => {
                not_reached(d, accs, on, &why);
                not_reached(d, accs, secondary, &why);
            }
        }
        // Leave twinning as it was found.
        if let Some(was) = initial {
            if let Err(why) = set_twinning(d, lease, &route, was, &mut current).await? {
                let acc = accs.get_mut(&Light::Twinning).expect("an acc per light");
                acc.notes.push(format!(
                    "could not switch mobile twinning back {}: {why}",
                    on_off(was)
                ));
            }
        }
    }
    Ok(())
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// Note that a state could not be set up.
fn not_reached(d: &Driver, accs: &mut BTreeMap<Light, Acc>, state: State, why: &NotReached) {
    let acc = accs.get_mut(&state.light()).expect("an acc per light");
    let note = format!(
        "{}: not recorded, the state could not be set up: {why}",
        state.name()
    );
    if matches!(state.expected(d), Some(Expected::Exactly(i)) if i == Indication::OFF) {
        acc.dark_failed = Some(note.clone());
    }
    acc.notes.push(note);
}

/// Hang both modems up, radio on, primary idle (as before every case).
async fn reset(d: &mut Driver, lease: &mut Lease) -> Result<(), Stop> {
    d.release_all();
    for role in [ModemRole::Mobile, ModemRole::Caller] {
        d.modem("hang up", lease.line(role).hang_up()).await?;
    }
    d.modem("mobile radio on", lease.mobile.set_radio(true))
        .await?;
    d.settle_idle(lease).await
}

async fn end_calls(d: &mut Driver, lease: &mut Lease) -> Result<(), Stop> {
    for role in [ModemRole::Caller, ModemRole::Mobile] {
        d.modem("hang up", lease.line(role).hang_up()).await?;
    }
    d.settle_idle(lease).await
}

/// Switch mobile twinning on or off, proven by a call (press once if needed). `Ok(Err)`:
/// the button did not change it.
async fn set_twinning(
    d: &mut Driver,
    lease: &mut Lease,
    route: &InboundRoute,
    on: bool,
    current: &mut Option<bool>,
) -> Result<Result<(), NotReached>, Stop> {
    let now = match *current {
        Some(x) => x,
        None => d.probe_twinned(lease, route).await?,
    };
    *current = Some(now);
    if now == on {
        return Ok(Ok(()));
    }
    d.press(Button::Twinning).await?;
    let now = d.probe_twinned(lease, route).await?;
    *current = Some(now);
    Ok(if now == on {
        Ok(())
    } else {
        Err(NotReached(format!(
            "pressing Twinning did not switch mobile twinning {} (probed by a call)",
            on_off(on)
        )))
    })
}

/// The caller rings the primary and the call appearance answers it.
async fn answer_at_primary(
    d: &mut Driver,
    lease: &mut Lease,
    route: &InboundRoute,
) -> Result<(), Stop> {
    let within = d.ctx.settings.expect_within_ms;
    let number = d.ctx.bench.dial_number(&d.position, route);
    d.modem("caller modem: dial", lease.caller.dial(&number))
        .await?;
    let alerting = d.appearance(AppearanceState::Alerting)?;
    d.expect_light(Light::Call, LightWant::Is(alerting), within, 0)
        .await?;
    d.press(Button::Call).await?;
    let connected = d.appearance(AppearanceState::Connected)?;
    d.expect_light(Light::Call, LightWant::Is(connected), within, 0)
        .await?;
    Ok(())
}

/// The caller rings the primary, twinning rings the mobile, and the mobile answers.
async fn answer_at_mobile(
    d: &mut Driver,
    lease: &mut Lease,
    route: &InboundRoute,
) -> Result<(), Stop> {
    let within = d.ctx.settings.expect_within_ms;
    let ring = d.ctx.settings.probe_ring_ms;
    let number = d.ctx.bench.dial_number(&d.position, route);
    d.modem("caller modem: dial", lease.caller.dial(&number))
        .await?;
    d.expect_line(lease, ModemRole::Mobile, LineState::Ringing, ring, 0)
        .await?;
    d.modem("mobile modem: answer", lease.mobile.answer())
        .await?;
    d.expect_line(lease, ModemRole::Mobile, LineState::Active, within, 0)
        .await?;
    Ok(())
}

/// Wait for the light to settle and record it for the settle time and a margin (long
/// enough for the recording alone to prove it held still); judged later ([`Acc::judge`]).
async fn record(d: &mut Driver, accs: &mut BTreeMap<Light, Acc>, state: State) -> Result<(), Stop> {
    let light = state.light();
    let name = state.name();
    let want = match state.expected(d) {
        Some(Expected::Exactly(i)) if i.cadence == Cadence::Steady => i,
        Some(e) => {
            let acc = accs.get_mut(&light).expect("an acc per light");
            acc.notes.push(format!(
                "{name} shows {e}: not a steady state, nothing recorded"
            ));
            return Ok(());
        }
        None => return Ok(()),
    };
    let within = d.ctx.settings.expect_within_ms;
    if let Err(why) = soft(
        d.expect_light(light, LightWant::Unspecified, within, 0)
            .await,
    )? {
        let acc = accs.get_mut(&light).expect("an acc per light");
        let note = format!("{name} ({want}): not recorded, the light did not settle: {why}");
        if want == Indication::OFF {
            acc.dark_failed = Some(note.clone());
        }
        acc.notes.push(note);
        return Ok(());
    }
    let record_ms = d.ctx.spec.cadences.steady_settle_ms() + 300.0;
    let at = d.now_ms();
    let (samples, reading) = d.record_light(light, record_ms).await?;
    let acc = accs.get_mut(&light).expect("an acc per light");
    acc.first_ms.get_or_insert(at);
    acc.recordings.push(Recording {
        state: name,
        want,
        samples,
        reading,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::DarkLevel;

    #[test]
    fn a_dark_level_that_is_not_darker_than_the_lit_light_is_dropped() {
        let level = |x| DarkLevel::Rgbc([x, x, x, x]);
        let m = |state: &str, ind: &str, x| Measurement {
            state: state.into(),
            indication: ind.parse().unwrap(),
            mean: level(x),
            noise: level(2.0),
            samples: 100,
        };
        let mut acc = Acc {
            kind: SensorKind::Rgbc,
            polarity: Polarity::Emissive,
            first_ms: None,
            recordings: Vec::new(),
            dark: Some(m("twinning-off", "off", 900.0)),
            dark_failed: None,
            references: vec![m("twinning-on", "green steady", 905.0)],
            notes: Vec::new(),
        };
        let why = cross_check(&mut acc).unwrap();
        assert!(acc.dark.is_none());
        assert!(
            why.contains(
                "twinning-off read 900.0 counts and twinning-on (green steady) read 905.0"
            ),
            "{why}"
        );
        acc.dark = Some(m("twinning-off", "off", 12.0));
        assert_eq!(cross_check(&mut acc), None);
        assert!(acc.dark.is_some());
        // Reflective: the bare display must be the brighter.
        acc.polarity = Polarity::Reflective;
        acc.dark = Some(m("twinning-off", "off", 630.0));
        acc.references = vec![m("twinning-on", "on steady", 1800.0)];
        assert!(cross_check(&mut acc).is_some());
    }

    #[test]
    fn measurements_are_means_and_standard_deviations() {
        let s = |c: f32| Sample {
            t_ms: 0.0,
            r: 1.0,
            g: 2.0,
            b: 3.0,
            c,
        };
        let m = Measurement::of(
            "idle",
            Indication::OFF,
            &[s(10.0), s(14.0)],
            SensorKind::Rgbc,
        );
        assert_eq!(m.mean, DarkLevel::Rgbc([1.0, 2.0, 3.0, 12.0]));
        assert_eq!(m.noise, DarkLevel::Rgbc([0.0, 0.0, 0.0, 2.0]));
        assert_eq!(m.samples, 2);
        let m = Measurement::of(
            "idle",
            Indication::OFF,
            &[s(10.0), s(14.0)],
            SensorKind::Level,
        );
        assert_eq!(m.mean, DarkLevel::Level(12.0));
    }
}
