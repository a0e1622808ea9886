//! The machinery shared by the I2C sensor backends: a sampling loop on a dedicated thread,
//! per-channel buffers, and the [`LightSensor`] handles that drain them.
//!
//! A backend supplies a [`Sampler`] (one frame = one round over its channels); the loop runs
//! frames at a fixed period on a [`Ticker`] (the real clock on the thread, a fake one in
//! tests). A frame that overruns its period is counted and the schedule restarts from now:
//! the loop never bursts to catch up.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::time::Instant;

use crate::{BenchClock, HwError, HwErrorKind, LightSensor, Sample, SensorKind};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The clock a sampling loop runs on: tokio's `Instant` so that timestamps land on the bench
/// clock.
pub(crate) trait Ticker: Send {
    fn now(&self) -> Instant;
    /// Block until `t` (at once if it is past).
    fn sleep_until(&mut self, t: Instant);
}

/// The real clock, for the sampling threads. tokio's `Instant::now()` off the runtime is the
/// wall clock, the same one a real-time runtime (and so the bench clock) runs on.
pub(crate) struct RealTicker;

impl Ticker for RealTicker {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep_until(&mut self, t: Instant) {
        let d = t.saturating_duration_since(Instant::now());
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }
}

/// One reading of one channel, before it is stamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading {
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub c: f32,
    /// The sensor (or ADC) was at the top of its range: the values are clipped.
    pub saturated: bool,
}

/// A backend's bus logic: one frame reads every channel once.
pub(crate) trait Sampler: Send {
    fn frame(&mut self, ticker: &mut dyn Ticker, out: &Shared);
    /// Best effort on the way out (power sensors down, deselect muxes).
    fn shutdown(&mut self, _ticker: &mut dyn Ticker) {}
}

/// A channel's counters since the bus was opened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelStats {
    pub samples: u64,
    /// Samples read at the top of the range (gain or integration time too high).
    pub saturated: u64,
    /// Samples thrown away because nobody drained the buffer for a long time.
    pub dropped: u64,
    /// Failed reads.
    pub errors: u64,
    pub last_error: Option<HwError>,
}

/// The sampling loop's counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusStats {
    pub frames: u64,
    /// Frames that took longer than the period (the bus is too slow for its sensors).
    pub overruns: u64,
    /// Set if the sampling thread died: every sensor of the bus then fails.
    pub stopped: Option<HwError>,
}

struct ChannelBuf {
    name: String,
    samples: VecDeque<Sample>,
    cap: usize,
    /// `discard` time: older samples are not wanted.
    not_before_ms: f64,
    errors_since_drain: u32,
    stats: ChannelStats,
}

/// What a sampling thread shares with the sensor handles.
pub(crate) struct Shared {
    clock: BenchClock,
    kind: SensorKind,
    device: String,
    channels: Vec<Mutex<ChannelBuf>>,
    bus: Mutex<BusStats>,
    stop: AtomicBool,
}

impl Shared {
    /// `names`: each channel's device name (`rgb:3`); `cap`: samples kept per channel.
    pub(crate) fn new(
        clock: BenchClock,
        kind: SensorKind,
        device: &str,
        names: Vec<String>,
        cap: usize,
    ) -> Arc<Self> {
        Arc::new(Self {
            clock,
            kind,
            device: device.to_string(),
            channels: names
                .into_iter()
                .map(|name| {
                    Mutex::new(ChannelBuf {
                        name,
                        samples: VecDeque::new(),
                        cap: cap.max(1),
                        not_before_ms: f64::NEG_INFINITY,
                        errors_since_drain: 0,
                        stats: ChannelStats::default(),
                    })
                })
                .collect(),
            bus: Mutex::new(BusStats::default()),
            stop: AtomicBool::new(false),
        })
    }

    /// Store a reading of channel `index`, stamped now on the bench clock.
    pub(crate) fn push(&self, index: usize, ticker: &dyn Ticker, r: Reading) {
        let t_ms = self.clock.ms_at(ticker.now());
        let mut ch = lock(&self.channels[index]);
        ch.stats.samples += 1;
        if r.saturated {
            ch.stats.saturated += 1;
        }
        ch.errors_since_drain = 0;
        if t_ms < ch.not_before_ms {
            return;
        }
        if ch.samples.len() >= ch.cap {
            ch.samples.pop_front();
            ch.stats.dropped += 1;
        }
        ch.samples.push_back(Sample {
            t_ms,
            r: r.r,
            g: r.g,
            b: r.b,
            c: r.c,
        });
    }

    /// A failed read of channel `index`.
    pub(crate) fn error(&self, index: usize, e: HwError) {
        let mut ch = lock(&self.channels[index]);
        ch.stats.errors += 1;
        ch.errors_since_drain += 1;
        ch.stats.last_error = Some(e);
    }

    pub(crate) fn name(&self, index: usize) -> String {
        lock(&self.channels[index]).name.clone()
    }

    pub(crate) fn channel_stats(&self, index: usize) -> ChannelStats {
        lock(&self.channels[index]).stats.clone()
    }

    pub(crate) fn bus_stats(&self) -> BusStats {
        lock(&self.bus).clone()
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Run frames every `period` until asked to stop (or, in tests, for `frames` frames). The
/// caller shuts the sampler down.
pub(crate) fn run(
    sampler: &mut dyn Sampler,
    ticker: &mut dyn Ticker,
    shared: &Shared,
    period: Duration,
    frames: Option<u64>,
) {
    let mut next = ticker.now();
    let mut done = 0u64;
    while !shared.stopping() && frames.is_none_or(|n| done < n) {
        ticker.sleep_until(next);
        sampler.frame(ticker, shared);
        done += 1;
        next += period;
        let now = ticker.now();
        let overrun = now > next;
        if overrun {
            next = now;
        }
        let mut b = lock(&shared.bus);
        b.frames += 1;
        b.overruns += u64::from(overrun);
    }
}

/// Marks the bus dead if its thread panics, so that its sensors fail instead of going quiet.
struct ExitGuard(Arc<Shared>);

impl Drop for ExitGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.0.bus).stopped = Some(HwError::new(
                HwErrorKind::Protocol,
                self.0.device.clone(),
                "the sampling thread of this bus panicked; no more samples",
            ));
        }
    }
}

/// Seconds of samples kept per channel for a reader that has not drained.
const KEEP_S: f64 = 60.0;

/// The buffers of one sampled device's channels: each named `NAME:CHANNEL` (the bench
/// file's channel reference), [`KEEP_S`] seconds kept at `sample_hz`.
pub(crate) fn bank_shared<C: std::fmt::Display>(
    clock: BenchClock,
    kind: SensorKind,
    name: &str,
    channels: &[C],
    sample_hz: f64,
) -> Arc<Shared> {
    Shared::new(
        clock,
        kind,
        name,
        channels.iter().map(|c| format!("{name}:{c}")).collect(),
        (sample_hz * KEEP_S) as usize,
    )
}

/// The channels of one sampled device (a TCS34725 bus, an ADS1115), handed out as
/// sensors by the ids the bench file names; sampling stops when the bank and all its
/// sensors are dropped.
pub(crate) struct SensorBank<C> {
    worker: Arc<Worker>,
    channels: Vec<C>,
    name: String,
    /// What a channel is called on this device (`channel`, `input`), for errors.
    noun: &'static str,
}

impl<C: Copy + PartialEq + std::fmt::Debug + std::fmt::Display> SensorBank<C> {
    pub(crate) fn new(worker: Arc<Worker>, channels: &[C], name: &str, noun: &'static str) -> Self {
        Self {
            worker,
            channels: channels.to_vec(),
            name: name.to_string(),
            noun,
        }
    }

    /// The sensor on `channel` (one of the sampled channels).
    pub(crate) fn sensor(&self, channel: C) -> Result<BusSensor, HwError> {
        let i = self
            .channels
            .iter()
            .position(|&c| c == channel)
            .ok_or_else(|| {
                HwError::new(
                    HwErrorKind::Rejected,
                    format!("{}:{channel}", self.name),
                    format!(
                        "{} {channel} is not among the sampled {}s {:?}",
                        self.noun, self.noun, self.channels
                    ),
                )
            })?;
        Ok(self.worker.sensor(i))
    }

    pub(crate) fn channels(&self) -> &[C] {
        &self.channels
    }

    pub(crate) fn stats(&self) -> BusStats {
        self.worker.shared.bus_stats()
    }
}

/// The sampling thread of one bus; stopped and joined when the last handle goes.
pub(crate) struct Worker {
    pub(crate) shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Held for as long as the thread runs (the bus ownership claim).
    _claim: Option<Box<dyn Send + Sync>>,
}

impl Worker {
    /// Start `sampler` on its own thread, one frame every `period`.
    pub(crate) fn spawn(
        thread_name: String,
        shared: Arc<Shared>,
        mut sampler: Box<dyn Sampler>,
        period: Duration,
        claim: Option<Box<dyn Send + Sync>>,
    ) -> Result<Arc<Self>, HwError> {
        let s = shared.clone();
        let handle = std::thread::Builder::new()
            .name(thread_name)
            .spawn(move || {
                let guard = ExitGuard(s);
                run(&mut *sampler, &mut RealTicker, &guard.0, period, None);
                sampler.shutdown(&mut RealTicker);
            })
            .map_err(|e| {
                HwError::new(
                    HwErrorKind::Unreachable,
                    shared.device.clone(),
                    format!("cannot start the sampling thread: {e}"),
                )
            })?;
        Ok(Arc::new(Self {
            shared,
            thread: Mutex::new(Some(handle)),
            _claim: claim,
        }))
    }

    /// No thread: the test drives the sampler itself.
    #[cfg(test)]
    pub(crate) fn inline(shared: Arc<Shared>) -> Arc<Self> {
        Arc::new(Self {
            shared,
            thread: Mutex::new(None),
            _claim: None,
        })
    }

    pub(crate) fn sensor(self: &Arc<Self>, index: usize) -> BusSensor {
        BusSensor {
            name: self.shared.name(index),
            worker: self.clone(),
            index,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(h) = lock(&self.thread).take() {
            let _ = h.join();
        }
    }
}

/// One sensor channel of a bus: drains what its sampling thread buffered.
pub struct BusSensor {
    worker: Arc<Worker>,
    index: usize,
    name: String,
}

impl BusSensor {
    /// The channel's device name (`rgb:3`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn stats(&self) -> ChannelStats {
        self.worker.shared.channel_stats(self.index)
    }

    pub fn bus_stats(&self) -> BusStats {
        self.worker.shared.bus_stats()
    }
}

impl LightSensor for BusSensor {
    fn kind(&self) -> SensorKind {
        self.worker.shared.kind
    }

    /// Every sample since the last call. Fails when the channel gave no sample and only
    /// errors since then (a sensor gone silent says why), or when its thread died.
    fn drain(&mut self, out: &mut Vec<Sample>) -> Result<(), HwError> {
        let shared = &self.worker.shared;
        let stopped = lock(&shared.bus).stopped.clone();
        let mut ch = lock(&shared.channels[self.index]);
        let n = ch.samples.len();
        out.extend(ch.samples.drain(..));
        let errors = std::mem::take(&mut ch.errors_since_drain);
        if n == 0 {
            if let Some(e) = stopped {
                return Err(HwError::new(e.kind, ch.name.clone(), e.message));
            }
            if errors > 0 {
                if let Some(e) = &ch.stats.last_error {
                    return Err(e.clone());
                }
            }
        }
        Ok(())
    }

    fn discard(&mut self) -> Result<(), HwError> {
        let shared = &self.worker.shared;
        let now = shared.clock.now_ms();
        let mut ch = lock(&shared.channels[self.index]);
        ch.samples.clear();
        ch.not_before_ms = now;
        ch.errors_since_drain = 0;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A clock that moves only when slept on (or advanced by a timed bus).
    #[derive(Clone)]
    pub(crate) struct FakeTicker {
        pub now: Arc<Mutex<Instant>>,
    }

    impl FakeTicker {
        pub fn at(t: Instant) -> Self {
            Self {
                now: Arc::new(Mutex::new(t)),
            }
        }
        pub fn advance(&self, d: Duration) {
            *lock(&self.now) += d;
        }
    }

    impl Ticker for FakeTicker {
        fn now(&self) -> Instant {
            *lock(&self.now)
        }
        fn sleep_until(&mut self, t: Instant) {
            let mut now = lock(&self.now);
            if t > *now {
                *now = t;
            }
        }
    }

    /// A clock and a fake ticker starting together.
    pub(crate) fn clocks() -> (BenchClock, FakeTicker) {
        let clock = BenchClock::start();
        (clock, FakeTicker::at(clock.origin()))
    }

    /// Pushes a counter per channel; each frame costs `cost` of fake time.
    struct Counting {
        channels: usize,
        n: f32,
        cost: Duration,
        fail: Option<usize>,
    }

    impl Sampler for Counting {
        fn frame(&mut self, ticker: &mut dyn Ticker, out: &Shared) {
            let t = ticker.now();
            ticker.sleep_until(t + self.cost);
            for i in 0..self.channels {
                if self.fail == Some(i) {
                    out.error(i, HwError::new(HwErrorKind::Unreachable, "x:1", "gone"));
                    continue;
                }
                out.push(
                    i,
                    ticker,
                    Reading {
                        r: 0.0,
                        g: 0.0,
                        b: 0.0,
                        c: self.n,
                        saturated: self.n >= 3.0,
                    },
                );
            }
            self.n += 1.0;
        }
    }

    fn shared(clock: BenchClock, channels: usize, cap: usize) -> Arc<Shared> {
        Shared::new(
            clock,
            SensorKind::Level,
            "x",
            (0..channels).map(|i| format!("x:{i}")).collect(),
            cap,
        )
    }

    #[test]
    fn frames_run_on_the_period_and_samples_are_stamped_on_the_bench_clock() {
        let (clock, mut ticker) = clocks();
        let shared = shared(clock, 2, 100);
        let mut s = Counting {
            channels: 2,
            n: 0.0,
            cost: Duration::from_millis(3),
            fail: None,
        };
        run(
            &mut s,
            &mut ticker,
            &shared,
            Duration::from_millis(10),
            Some(5),
        );
        let w = Worker::inline(shared);
        let mut out = Vec::new();
        w.sensor(1).drain(&mut out).unwrap();
        let t: Vec<f64> = out.iter().map(|s| s.t_ms).collect();
        assert_eq!(t, vec![3.0, 13.0, 23.0, 33.0, 43.0]);
        let c: Vec<f32> = out.iter().map(|s| s.c).collect();
        assert_eq!(c, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        let stats = w.sensor(1).stats();
        assert_eq!(stats.samples, 5);
        assert_eq!(stats.saturated, 2);
        assert_eq!(w.shared.bus_stats().frames, 5);
        assert_eq!(w.shared.bus_stats().overruns, 0);
        out.clear();
        w.sensor(1).drain(&mut out).unwrap();
        assert!(out.is_empty(), "drained once");
    }

    #[test]
    fn an_overrun_restarts_the_schedule_instead_of_bursting() {
        let (clock, mut ticker) = clocks();
        let shared = shared(clock, 1, 100);
        let mut s = Counting {
            channels: 1,
            n: 0.0,
            cost: Duration::from_millis(15),
            fail: None,
        };
        run(
            &mut s,
            &mut ticker,
            &shared,
            Duration::from_millis(10),
            Some(4),
        );
        let w = Worker::inline(shared);
        let mut out = Vec::new();
        w.sensor(0).drain(&mut out).unwrap();
        let t: Vec<f64> = out.iter().map(|s| s.t_ms).collect();
        // Each frame starts when the last ended: 15 ms apart, never back to back at once.
        assert_eq!(t, vec![15.0, 30.0, 45.0, 60.0]);
        assert_eq!(w.shared.bus_stats().overruns, 4);
    }

    #[test]
    fn a_silent_channel_fails_its_drain_with_the_reason() {
        let (clock, mut ticker) = clocks();
        let shared = shared(clock, 2, 100);
        let mut s = Counting {
            channels: 2,
            n: 0.0,
            cost: Duration::ZERO,
            fail: Some(1),
        };
        run(
            &mut s,
            &mut ticker,
            &shared,
            Duration::from_millis(10),
            Some(3),
        );
        let w = Worker::inline(shared);
        let mut out = Vec::new();
        w.sensor(0).drain(&mut out).unwrap();
        assert_eq!(out.len(), 3);
        out.clear();
        let e = w.sensor(1).drain(&mut out).unwrap_err();
        assert_eq!(e.kind, HwErrorKind::Unreachable);
        assert_eq!(e.message, "gone");
        assert_eq!(w.sensor(1).stats().errors, 3);
        // Reported once; with no news since, the drain is just empty.
        w.sensor(1).drain(&mut out).unwrap();
    }

    #[test]
    fn discard_forgets_and_the_buffer_keeps_the_newest() {
        let (clock, mut ticker) = clocks();
        let shared = shared(clock, 1, 3);
        let mut s = Counting {
            channels: 1,
            n: 0.0,
            cost: Duration::ZERO,
            fail: None,
        };
        run(
            &mut s,
            &mut ticker,
            &shared,
            Duration::from_millis(10),
            Some(5),
        );
        let w = Worker::inline(shared.clone());
        let mut out = Vec::new();
        w.sensor(0).drain(&mut out).unwrap();
        assert_eq!(
            out.iter().map(|s| s.c).collect::<Vec<_>>(),
            vec![2.0, 3.0, 4.0]
        );
        assert_eq!(w.sensor(0).stats().dropped, 2);
        run(
            &mut s,
            &mut ticker,
            &shared,
            Duration::from_millis(10),
            Some(2),
        );
        w.sensor(0).discard().unwrap();
        out.clear();
        w.sensor(0).drain(&mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn a_dead_thread_fails_every_sensor_of_the_bus() {
        struct Panicking;
        impl Sampler for Panicking {
            fn frame(&mut self, _: &mut dyn Ticker, _: &Shared) {
                panic!("driver bug");
            }
        }
        let clock = BenchClock::start();
        let shared = shared(clock, 1, 10);
        let w = Worker::spawn(
            "test-sampler".into(),
            shared,
            Box::new(Panicking),
            Duration::from_millis(10),
            None,
        )
        .unwrap();
        let mut out = Vec::new();
        let mut sensor = w.sensor(0);
        drop(w);
        let mut e = None;
        for _ in 0..400 {
            if let Err(x) = sensor.drain(&mut out) {
                e = Some(x);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let e = e.expect("the bus reports its dead thread");
        assert_eq!(e.device, "x:0");
        assert!(e.message.contains("panicked"), "{e}");
    }
}
