//! Every relay that can press a button, in one place: released at start-up and on every exit
//! path, and never held longer than its limit. Backend-independent: it wraps any
//! [`Actuator`] (a Pi GPIO relay, a simulated one, …).
//!
//! A stuck relay holds a button down on a real phone, so:
//!
//! - **Start-up.** [`Relays::register`] releases the relay before handing it out.
//! - **Normal end, error, cancellation.** A [`RegisteredRelay`] releases its relay when
//!   dropped (the runner's drivers also release on drop).
//! - **Ctrl-C, SIGTERM.** [`termination`] resolves on either signal; the CLI then calls
//!   [`Relays::release_all`] (a plain blocking call, fine in a tokio task) before it winds
//!   the run down.
//! - **Panic.** [`install_panic_hook`] chains a hook that calls [`release_everywhere`]: every
//!   relay of every live registry in the process is released from a helper thread, and the
//!   hook waits a bounded time. The helper thread matters: the panicking thread may hold a
//!   relay's lock (a panic inside `Actuator::set`) or a backend's lock (the simulated world),
//!   and locking it again from the hook would deadlock. Relays whose lock is free are
//!   released first; a relay locked by the panicking thread is released as soon as the
//!   unwinding drops that lock (the helper keeps waiting for it).
//!
//! None of this is async-signal-safe in the POSIX sense: call it from a tokio signal task or
//! a normal thread, never from a raw `sigaction` handler.
//!
//! **Watchdog.** [`Relays::spawn_watchdog`] starts a tokio task (tokio time, so it runs in
//! virtual time on the simulated bench) that releases any relay held longer than the
//! `max_hold` it was registered with. A trip is a rig fault, reported twice:
//!
//! - the relay's next [`Actuator::set`] returns an [`HwError`] of kind
//!   [`HwErrorKind::Rejected`] naming the relay, how long it was held and its limit (once; the
//!   relay stays released and later calls work normally), so the step that held it turns
//!   into an ERROR verdict;
//! - the trip is recorded in the registry: [`Relays::trips`] / [`Relays::tripped`] let the
//!   runner flag the run even if nothing touches that relay again.
//!
//! Registries are values, not one global: each run (and each test) makes its own, so
//! parallel runs in one process — integration tests — never see each other's relays or mix
//! their clocks. [`release_everywhere`] still reaches all of them.

use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError, TryLockError, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{Actuator, HwError, HwErrorKind};

/// Every live registry of the process, for [`release_everywhere`].
static LIVE: Mutex<Vec<Weak<Registry>>> = Mutex::new(Vec::new());

/// How soon the watchdog retries a relay that would not release.
const RETRY: Duration = Duration::from_millis(100);

/// Lock, ignoring poison: after a panic the relays must still be reachable.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A set of relays released together and watched by one watchdog. Cheap to clone.
#[derive(Clone)]
pub struct Relays {
    inner: Arc<Registry>,
}

struct Registry {
    slots: Mutex<Vec<Weak<Slot>>>,
    /// Wakes the watchdog when a relay is energised.
    wake: Notify,
    trips: Mutex<Vec<WatchdogTrip>>,
}

struct Slot {
    name: String,
    max_hold: Option<Duration>,
    state: Mutex<SlotState>,
}

struct SlotState {
    act: Box<dyn Actuator>,
    /// Since when the relay is energised (tokio clock); `None`: released.
    held_since: Option<Instant>,
    /// A watchdog trip not yet reported through `set`.
    tripped: Option<HwError>,
}

/// The watchdog released a relay that was held too long.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchdogTrip {
    /// The relay's name as registered (`relays:3`).
    pub relay: String,
    /// How long it had been held when the watchdog acted.
    pub held_ms: u64,
    /// Its limit.
    pub max_hold_ms: u64,
    /// When (tokio clock; `BenchClock::ms_at` turns it into bench time).
    pub at: Instant,
    /// `None` if the release worked; else why not (the watchdog keeps retrying).
    pub release_error: Option<HwError>,
}

impl fmt::Display for WatchdogTrip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "relay {} held for {} ms, longer than its limit of {} ms (max_hold_ms)",
            self.relay, self.held_ms, self.max_hold_ms
        )?;
        match &self.release_error {
            None => write!(f, ": released by the watchdog"),
            Some(e) => write!(f, ": the watchdog could not release it ({e})"),
        }
    }
}

/// What a release pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseReport {
    /// Relays released (their `set(false)` succeeded).
    pub released: Vec<String>,
    /// Relays whose release failed.
    pub failed: Vec<HwError>,
    /// `false` if a bounded pass ([`release_everywhere`]) ran out of time with relays left:
    /// their locks were held (by a panicking thread, most likely).
    pub complete: bool,
}

impl ReleaseReport {
    /// Every relay reached and released.
    pub fn all_released(&self) -> bool {
        self.complete && self.failed.is_empty()
    }
}

impl Default for Relays {
    fn default() -> Self {
        Self::new()
    }
}

impl Relays {
    /// A new, empty registry, reachable from [`release_everywhere`] while it lives.
    pub fn new() -> Self {
        let inner = Arc::new(Registry {
            slots: Mutex::new(Vec::new()),
            wake: Notify::new(),
            trips: Mutex::new(Vec::new()),
        });
        let mut live = lock(&LIVE);
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(&inner));
        Self { inner }
    }

    /// Take charge of a relay: release it now (the safe state at start-up) and hand back a
    /// wrapper that tracks how long it is held, releases it when dropped and reports
    /// watchdog trips. `max_hold`: the watchdog's limit (`None`: never tripped).
    pub fn register(
        &self,
        name: impl Into<String>,
        max_hold: Option<Duration>,
        mut act: Box<dyn Actuator>,
    ) -> Result<RegisteredRelay, HwError> {
        act.set(false)?;
        let slot = Arc::new(Slot {
            name: name.into(),
            max_hold,
            state: Mutex::new(SlotState {
                act,
                held_since: None,
                tripped: None,
            }),
        });
        let mut slots = lock(&self.inner.slots);
        slots.retain(|w| w.strong_count() > 0);
        slots.push(Arc::downgrade(&slot));
        drop(slots);
        Ok(RegisteredRelay {
            slot,
            registry: self.inner.clone(),
        })
    }

    /// Release every relay of this registry, waiting for each one's lock. For normal paths
    /// and signal tasks; from a panic hook use [`release_everywhere`].
    pub fn release_all(&self) -> ReleaseReport {
        let mut report = ReleaseReport {
            complete: true,
            ..Default::default()
        };
        for slot in self.inner.live_slots() {
            match slot.release(&mut lock(&slot.state)) {
                Ok(()) => report.released.push(slot.name.clone()),
                Err(e) => report.failed.push(e),
            }
        }
        report
    }

    /// The relays energised right now, by name.
    pub fn held(&self) -> Vec<String> {
        self.inner
            .live_slots()
            .into_iter()
            .filter(|s| lock(&s.state).held_since.is_some())
            .map(|s| s.name.clone())
            .collect()
    }

    /// Every watchdog trip so far (not consumed: a run can check it at its end).
    pub fn trips(&self) -> Vec<WatchdogTrip> {
        lock(&self.inner.trips).clone()
    }

    /// Whether the watchdog ever had to act: a rig fault.
    pub fn tripped(&self) -> bool {
        !lock(&self.inner.trips).is_empty()
    }

    /// Start the watchdog on the current tokio runtime. It stops when the returned handle
    /// is dropped. One per registry.
    pub fn spawn_watchdog(&self) -> Watchdog {
        let reg = self.inner.clone();
        let task = tokio::spawn(async move {
            loop {
                match reg.check(Instant::now()) {
                    Some(due) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(due) => {}
                            _ = reg.wake.notified() => {}
                        }
                    }
                    None => reg.wake.notified().await,
                }
            }
        });
        Watchdog { task }
    }

    /// One watchdog pass at `now`, as the task runs it: release what is overdue and record
    /// it; returns when the next relay falls due.
    pub fn check(&self, now: Instant) -> Option<Instant> {
        self.inner.check(now)
    }
}

impl Registry {
    fn live_slots(&self) -> Vec<Arc<Slot>> {
        lock(&self.slots).iter().filter_map(Weak::upgrade).collect()
    }

    fn check(&self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut sooner = |t: Instant| next = Some(next.map_or(t, |n| n.min(t)));
        for slot in self.live_slots() {
            let mut s = lock(&slot.state);
            let (Some(since), Some(max)) = (s.held_since, slot.max_hold) else {
                continue;
            };
            let due = since + max;
            if now < due {
                sooner(due);
                continue;
            }
            let result = s.act.set(false);
            if s.tripped.is_none() {
                let trip = WatchdogTrip {
                    relay: slot.name.clone(),
                    held_ms: now.duration_since(since).as_millis() as u64,
                    max_hold_ms: max.as_millis() as u64,
                    at: now,
                    release_error: result.as_ref().err().cloned(),
                };
                s.tripped = Some(HwError::new(
                    HwErrorKind::Rejected,
                    slot.name.clone(),
                    trip.to_string(),
                ));
                lock(&self.trips).push(trip);
            }
            match result {
                Ok(()) => s.held_since = None,
                Err(_) => sooner(now + RETRY),
            }
        }
        next
    }
}

impl Slot {
    fn release(&self, s: &mut SlotState) -> Result<(), HwError> {
        s.act.set(false)?;
        s.held_since = None;
        Ok(())
    }
}

/// A relay in a registry. Implements [`Actuator`]; releases the relay when dropped.
pub struct RegisteredRelay {
    slot: Arc<Slot>,
    registry: Arc<Registry>,
}

impl RegisteredRelay {
    pub fn name(&self) -> &str {
        &self.slot.name
    }

    pub fn max_hold(&self) -> Option<Duration> {
        self.slot.max_hold
    }

    /// Energised right now (as far as the rig knows).
    pub fn is_held(&self) -> bool {
        lock(&self.slot.state).held_since.is_some()
    }
}

impl Actuator for RegisteredRelay {
    fn set(&mut self, pressed: bool) -> Result<(), HwError> {
        let mut s = lock(&self.slot.state);
        if let Some(fault) = s.tripped.take() {
            // The watchdog released this relay behind the runner's back: report it once and
            // leave the relay released whatever was asked.
            if s.held_since.is_some() {
                let _ = self.slot.release(&mut s);
            }
            return Err(fault);
        }
        match s.act.set(pressed) {
            Ok(()) if pressed => {
                if s.held_since.is_none() {
                    s.held_since = Some(Instant::now());
                    self.registry.wake.notify_one();
                }
                Ok(())
            }
            Ok(()) => {
                s.held_since = None;
                Ok(())
            }
            Err(e) => {
                if pressed {
                    // Half-done press: make sure it is not left energised.
                    if self.slot.release(&mut s).is_err() && s.held_since.is_none() {
                        s.held_since = Some(Instant::now());
                        self.registry.wake.notify_one();
                    }
                }
                Err(e)
            }
        }
    }
}

impl Drop for RegisteredRelay {
    fn drop(&mut self) {
        let _ = self.slot.release(&mut lock(&self.slot.state));
    }
}

/// The running watchdog task; dropping it stops the task.
pub struct Watchdog {
    task: JoinHandle<()>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.task.abort();
    }
}

enum Released {
    Ok(String),
    Failed(HwError),
    Done,
}

/// Release every relay of every live registry in the process, from a helper thread, waiting
/// at most `timeout` for it. Safe from a panic hook (see the module docs): the calling thread
/// takes no relay lock. Relays with a free lock go first; one whose lock is held is released
/// when it frees, even after this returns (`complete` is then `false`).
pub fn release_everywhere(timeout: Duration) -> ReleaseReport {
    let (tx, rx) = mpsc::channel();
    let work = move || {
        let registries: Vec<Arc<Registry>> = lock(&LIVE).iter().filter_map(Weak::upgrade).collect();
        let slots: Vec<Arc<Slot>> = registries.iter().flat_map(|r| r.live_slots()).collect();
        let send = |slot: &Slot, s: &mut SlotState| {
            let _ = tx.send(match slot.release(s) {
                Ok(()) => Released::Ok(slot.name.clone()),
                Err(e) => Released::Failed(e),
            });
        };
        let mut busy = Vec::new();
        for slot in slots {
            match slot.state.try_lock() {
                Ok(mut s) => send(&slot, &mut s),
                Err(TryLockError::Poisoned(p)) => send(&slot, &mut p.into_inner()),
                Err(TryLockError::WouldBlock) => busy.push(slot.clone()),
            }
        }
        for slot in busy {
            send(&slot, &mut lock(&slot.state));
        }
        let _ = tx.send(Released::Done);
    };
    if std::thread::Builder::new()
        .name("rig-release".into())
        .spawn(work)
        .is_err()
    {
        // No thread to be had: the best left is to try inline, without blocking.
        return release_inline();
    }
    let mut report = ReleaseReport::default();
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(Released::Ok(name)) => report.released.push(name),
            Ok(Released::Failed(e)) => report.failed.push(e),
            Ok(Released::Done) => {
                report.complete = true;
                return report;
            }
            Err(_) => return report,
        }
    }
}

/// Inline fallback of [`release_everywhere`]: try-locks only, never blocks.
fn release_inline() -> ReleaseReport {
    let mut report = ReleaseReport {
        complete: true,
        ..Default::default()
    };
    let registries: Vec<Arc<Registry>> = match LIVE.try_lock() {
        Ok(l) => l.iter().filter_map(Weak::upgrade).collect(),
        Err(TryLockError::Poisoned(p)) => p.into_inner().iter().filter_map(Weak::upgrade).collect(),
        Err(TryLockError::WouldBlock) => {
            report.complete = false;
            return report;
        }
    };
    for slot in registries.iter().flat_map(|r| r.live_slots()) {
        let result = match slot.state.try_lock() {
            Ok(mut s) => slot.release(&mut s),
            Err(TryLockError::Poisoned(p)) => slot.release(&mut p.into_inner()),
            Err(TryLockError::WouldBlock) => {
                report.complete = false;
                continue;
            }
        };
        match result {
            Ok(()) => report.released.push(slot.name.clone()),
            Err(e) => report.failed.push(e),
        }
    }
    report
}

/// How long the panic hook waits for the relays.
pub const PANIC_RELEASE_TIMEOUT: Duration = Duration::from_millis(500);

/// Install (once per process) a panic hook that releases every relay ([`release_everywhere`])
/// before the previous hook prints the panic. Any panic on any thread does this: a panic is a
/// rig bug, and a relay left energised is worse than a press cut short.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let report = release_everywhere(PANIC_RELEASE_TIMEOUT);
            if !report.all_released() {
                eprintln!(
                    "rig: panic: not every relay could be confirmed released ({} released, {} failed{})",
                    report.released.len(),
                    report.failed.len(),
                    if report.complete { "" } else { ", some still locked" }
                );
            }
            previous(info);
        }));
    });
}

/// A termination request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (on Unix).
    Terminate,
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, whichever comes first. Use it where the CLI now
/// waits for `ctrl_c()`, then call [`Relays::release_all`].
pub async fn termination() -> std::io::Result<Termination> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map(|()| Termination::Interrupt),
            _ = term.recv() => Ok(Termination::Terminate),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok(Termination::Interrupt)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A relay that records every state it was set to; can be made to fail.
    #[derive(Clone, Default)]
    pub(crate) struct Recorder {
        pub log: Arc<Mutex<Vec<bool>>>,
        pub fail: Arc<Mutex<bool>>,
    }

    impl Recorder {
        pub fn state(&self) -> Option<bool> {
            lock(&self.log).last().copied()
        }
        pub fn log(&self) -> Vec<bool> {
            lock(&self.log).clone()
        }
    }

    impl Actuator for Recorder {
        fn set(&mut self, pressed: bool) -> Result<(), HwError> {
            if *lock(&self.fail) {
                return Err(HwError::new(HwErrorKind::Rejected, "rec", "board fault"));
            }
            lock(&self.log).push(pressed);
            Ok(())
        }
    }

    fn relay(relays: &Relays, name: &str, max_ms: Option<u64>) -> (RegisteredRelay, Recorder) {
        let rec = Recorder::default();
        let r = relays
            .register(
                name,
                max_ms.map(Duration::from_millis),
                Box::new(rec.clone()),
            )
            .unwrap();
        (r, rec)
    }

    #[test]
    fn register_releases_at_start_and_drop_releases() {
        let relays = Relays::new();
        let (mut r, rec) = relay(&relays, "relays:0", None);
        assert_eq!(rec.log(), vec![false], "released at start-up");
        r.set(true).unwrap();
        assert!(r.is_held());
        assert_eq!(relays.held(), vec!["relays:0".to_string()]);
        drop(r);
        assert_eq!(rec.log(), vec![false, true, false], "released on drop");
        assert!(relays.held().is_empty());
    }

    #[test]
    fn register_fails_when_the_relay_cannot_be_released() {
        let relays = Relays::new();
        let rec = Recorder::default();
        *lock(&rec.fail) = true;
        let e = relays
            .register("relays:0", None, Box::new(rec))
            .err()
            .expect("refused");
        assert_eq!(e.kind, HwErrorKind::Rejected);
    }

    #[test]
    fn release_all_releases_every_held_relay() {
        let relays = Relays::new();
        let (mut a, ra) = relay(&relays, "relays:0", None);
        let (_b, rb) = relay(&relays, "relays:1", None);
        let (mut c, rc) = relay(&relays, "relays:2", None);
        a.set(true).unwrap();
        c.set(true).unwrap();
        let report = relays.release_all();
        assert!(report.all_released());
        assert_eq!(report.released.len(), 3);
        assert_eq!(ra.state(), Some(false));
        assert_eq!(rb.state(), Some(false));
        assert_eq!(rc.state(), Some(false));
        assert!(!a.is_held() && !c.is_held());
        // A release is not a fault: the relays work on.
        a.set(true).unwrap();
        assert_eq!(ra.state(), Some(true));
    }

    #[test]
    fn a_failed_press_is_undone() {
        let relays = Relays::new();
        let (mut r, rec) = relay(&relays, "relays:0", None);
        *lock(&rec.fail) = true;
        assert!(r.set(true).is_err());
        // The release could not go through either: still counted as possibly held.
        assert!(r.is_held());
        *lock(&rec.fail) = false;
        assert!(relays.release_all().all_released());
        assert!(!r.is_held());
    }

    #[tokio::test(start_paused = true)]
    async fn watchdog_releases_a_relay_held_too_long_in_virtual_time() {
        let relays = Relays::new();
        let _dog = relays.spawn_watchdog();
        let (mut r, rec) = relay(&relays, "relays:3", Some(1000));
        let start = Instant::now();
        r.set(true).unwrap();
        tokio::time::sleep(Duration::from_millis(999)).await;
        assert_eq!(rec.state(), Some(true), "within its limit");
        assert!(!relays.tripped());
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(rec.state(), Some(false), "released by the watchdog");
        assert!(!r.is_held());
        let trips = relays.trips();
        assert_eq!(trips.len(), 1);
        assert_eq!(trips[0].relay, "relays:3");
        assert_eq!(trips[0].held_ms, 1000);
        assert_eq!(trips[0].max_hold_ms, 1000);
        assert_eq!(
            trips[0].at.duration_since(start),
            Duration::from_millis(1000)
        );
        assert_eq!(trips[0].release_error, None);
        // The runner's release reports it, once.
        let e = r.set(false).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Rejected);
        assert_eq!(e.device, "relays:3");
        assert!(e.message.contains("held for 1000 ms"), "{e}");
        assert!(e.message.contains("limit of 1000 ms"), "{e}");
        r.set(false).unwrap();
        assert!(relays.tripped(), "the trip stays on record");
        // A short press afterwards is fine.
        r.set(true).unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        r.set(false).unwrap();
        assert_eq!(relays.trips().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn watchdog_tracks_each_relay_and_a_press_after_a_trip_is_refused_once() {
        let relays = Relays::new();
        let _dog = relays.spawn_watchdog();
        let (mut slow, rs) = relay(&relays, "relays:0", Some(500));
        let (mut fast, rf) = relay(&relays, "relays:1", Some(5000));
        let (mut free, rfree) = relay(&relays, "relays:2", None);
        slow.set(true).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        fast.set(true).unwrap();
        free.set(true).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(rs.state(), Some(false), "tripped at 500 ms");
        assert_eq!(rf.state(), Some(true));
        tokio::time::sleep(Duration::from_millis(5000)).await;
        assert_eq!(rf.state(), Some(false), "tripped at 5300 ms");
        assert_eq!(rfree.state(), Some(true), "no limit, never tripped");
        // A press asked for after a trip is refused (and the relay left released).
        assert!(slow.set(true).is_err());
        assert_eq!(rs.state(), Some(false));
        assert!(!slow.is_held());
        let names: Vec<_> = relays.trips().into_iter().map(|t| t.relay).collect();
        assert_eq!(names, vec!["relays:0", "relays:1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn watchdog_retries_a_relay_that_will_not_release() {
        let relays = Relays::new();
        let _dog = relays.spawn_watchdog();
        let (mut r, rec) = relay(&relays, "relays:0", Some(100));
        r.set(true).unwrap();
        *lock(&rec.fail) = true;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(rec.state(), Some(true), "the board refused");
        let trips = relays.trips();
        assert_eq!(trips.len(), 1);
        assert!(trips[0].release_error.is_some());
        assert!(trips[0].to_string().contains("could not release"));
        *lock(&rec.fail) = false;
        tokio::time::sleep(RETRY).await;
        assert_eq!(rec.state(), Some(false), "released on a retry");
        assert_eq!(relays.trips().len(), 1, "one trip per hold");
    }

    #[test]
    fn check_reports_the_next_deadline() {
        let relays = Relays::new();
        let (mut a, _) = relay(&relays, "a", Some(200));
        let (mut b, _) = relay(&relays, "b", Some(100));
        let t0 = Instant::now();
        assert_eq!(relays.check(t0), None, "nothing held");
        a.set(true).unwrap();
        b.set(true).unwrap();
        let due = relays.check(Instant::now()).unwrap();
        assert!(due >= t0 + Duration::from_millis(100) && due < t0 + Duration::from_millis(200));
    }

    #[test]
    fn release_everywhere_reaches_every_registry_even_with_a_relay_locked() {
        let one = Relays::new();
        let two = Relays::new();
        let (mut a, ra) = relay(&one, "one:a", None);
        let (mut b, rb) = relay(&two, "two:b", None);
        let (mut c, rc) = relay(&two, "two:c", None);
        a.set(true).unwrap();
        b.set(true).unwrap();
        c.set(true).unwrap();
        // This thread holds c's lock, as a thread panicking inside `set` would.
        let guard = lock(&c.slot.state);
        let report = release_everywhere(Duration::from_millis(100));
        assert!(!report.complete, "c could not be reached yet");
        assert!(report.released.contains(&"one:a".to_string()));
        assert!(report.released.contains(&"two:b".to_string()));
        assert_eq!(ra.state(), Some(false));
        assert_eq!(rb.state(), Some(false));
        assert_eq!(rc.state(), Some(true));
        // Once the lock is dropped (the unwinding), the helper releases it.
        drop(guard);
        for _ in 0..200 {
            if rc.state() == Some(false) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(rc.state(), Some(false));
        assert!(!c.is_held());
    }

    /// The panic hook, in a child process so that the hook stays out of this test binary.
    #[test]
    fn panic_hook_releases_relays() {
        const CHILD: &str = "RIG_RELAYS_PANIC_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let relays = Relays::new();
            let (mut r, rec) = relay(&relays, "relays:0", None);
            r.set(true).unwrap();
            install_panic_hook();
            let rec2 = rec.clone();
            let seen = std::thread::spawn(move || {
                fn boom() {
                    panic!("boom")
                }
                assert!(std::panic::catch_unwind(boom).is_err());
                rec2.state()
            })
            .join()
            .unwrap();
            // `r` was never dropped: the hook released it.
            println!("RELEASED_BY_HOOK={}", seen == Some(false));
            std::mem::forget(r);
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "relays::tests::panic_hook_releases_relays",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains("RELEASED_BY_HOOK=true"), "{stdout}");
    }
}
