//! The Feasa sampler: a background task that owns the analyser, polls it round after
//! round (polled or sequence mode) and hands each fibre's samples out as a [`LightSensor`].

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio::time::sleep;

use super::codec::{CaptureRange, Rgbi, SequenceSetup};
use super::FeasaAnalyser;
use crate::{BenchClock, HwError, HwErrorKind, LightSensor, Sample, SensorKind};

/// How a [`FeasaSampler`] samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplerMode {
    /// `capture<n>` + `getrgbi##` per fibre, round after round.
    Polled { range: CaptureRange },
    /// A polled reading per fibre, then a sequence capture: on/off edges at the
    /// sequence's resolution (see the module docs).
    Sequence {
        range: CaptureRange,
        setup: SequenceSetup,
    },
}

/// Samples kept per fibre when nobody drains them (a minute at 200 Hz).
const MAX_BUFFERED: usize = 12_000;
/// Pause after a failed round before the next try.
const RETRY: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
struct Fibre {
    samples: VecDeque<Sample>,
    /// Samples stamped before this (bench ms) are dropped: `discard` was called.
    since_ms: f64,
    last_on: Option<Rgbi>,
    last_off: Option<Rgbi>,
}

#[derive(Debug, Default)]
struct Shared {
    fibres: BTreeMap<u8, Fibre>,
    fault: Option<HwError>,
    rounds: u64,
}

/// Stops the sampling task when the sampler and every sensor are gone.
#[derive(Debug)]
struct TaskGuard(JoinHandle<()>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A background task polling one analyser for a set of fibres (see the module docs).
#[derive(Debug, Clone)]
pub struct FeasaSampler {
    shared: Arc<Mutex<Shared>>,
    name: String,
    clock: BenchClock,
    _task: Arc<TaskGuard>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

impl FeasaSampler {
    /// Start sampling `fibres` of `analyser`, stamping samples on `clock`. Must be called
    /// inside a tokio runtime.
    pub fn spawn<S>(
        analyser: FeasaAnalyser<S>,
        fibres: &[u8],
        clock: BenchClock,
        mode: SamplerMode,
    ) -> FeasaSampler
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let shared = Arc::new(Mutex::new(Shared {
            fibres: fibres.iter().map(|&f| (f, Fibre::default())).collect(),
            ..Shared::default()
        }));
        let name = analyser.name().to_string();
        let task = tokio::spawn(sample(
            analyser,
            fibres.to_vec(),
            clock,
            mode,
            shared.clone(),
        ));
        FeasaSampler {
            shared,
            name,
            clock,
            _task: Arc::new(TaskGuard(task)),
        }
    }

    /// The light sensor on `fibre` (a fibre not sampled reads as unreachable).
    pub fn sensor(&self, fibre: u8) -> Box<dyn LightSensor> {
        Box::new(FeasaSensor {
            sampler: self.clone(),
            fibre,
        })
    }

    /// Rounds completed so far.
    pub fn rounds(&self) -> u64 {
        lock(&self.shared).rounds
    }

    /// The fault of the last round, if it failed.
    pub fn fault(&self) -> Option<HwError> {
        lock(&self.shared).fault.clone()
    }
}

async fn sample<S: AsyncRead + AsyncWrite + Unpin + Send>(
    mut analyser: FeasaAnalyser<S>,
    fibres: Vec<u8>,
    clock: BenchClock,
    mode: SamplerMode,
    shared: Arc<Mutex<Shared>>,
) {
    let mut set_up = false;
    loop {
        let result = match mode {
            SamplerMode::Polled { range } => {
                polled_round(&mut analyser, &fibres, clock, range, None, &shared).await
            }
            SamplerMode::Sequence { range, setup } => {
                let r = async {
                    if !set_up {
                        analyser.set_up_sequence(&setup).await?;
                        set_up = true;
                    }
                    polled_round(
                        &mut analyser,
                        &fibres,
                        clock,
                        range,
                        Some(setup.threshold),
                        &shared,
                    )
                    .await?;
                    sequence_round(&mut analyser, &fibres, clock, &setup, &shared).await
                }
                .await;
                if r.is_err() {
                    // The analyser may have restarted: load the settings again.
                    set_up = false;
                }
                r
            }
        };
        let failed = result.is_err();
        {
            let mut s = lock(&shared);
            match result {
                Ok(()) => {
                    s.fault = None;
                    s.rounds += 1;
                }
                Err(e) => s.fault = Some(e),
            }
        }
        if failed {
            sleep(RETRY).await;
        } else {
            // Let other tasks run even if the analyser answers instantly (an emulator).
            tokio::task::yield_now().await;
        }
    }
}

fn push(shared: &Mutex<Shared>, fibre: u8, s: Sample) {
    let mut sh = lock(shared);
    if let Some(f) = sh.fibres.get_mut(&fibre) {
        if s.t_ms < f.since_ms {
            return;
        }
        if f.samples.len() == MAX_BUFFERED {
            f.samples.pop_front();
        }
        f.samples.push_back(s);
    }
}

/// One capture and a reading per fibre. With `threshold` (sequence mode), each reading is
/// also kept as the fibre's latest "on" or "off" look.
async fn polled_round<S: AsyncRead + AsyncWrite + Unpin + Send>(
    analyser: &mut FeasaAnalyser<S>,
    fibres: &[u8],
    clock: BenchClock,
    range: CaptureRange,
    threshold: Option<u32>,
    shared: &Mutex<Shared>,
) -> Result<(), HwError> {
    let t0 = clock.now_ms();
    analyser.capture(range).await?;
    let t = (t0 + clock.now_ms()) / 2.0;
    for &f in fibres {
        let reading = analyser.rgbi(f).await?;
        push(shared, f, reading.to_sample(t));
        if let Some(threshold) = threshold {
            if let Some(fib) = lock(shared).fibres.get_mut(&f) {
                if reading.i > threshold {
                    fib.last_on = Some(reading);
                } else {
                    fib.last_off = Some(reading);
                }
            }
        }
    }
    Ok(())
}

async fn sequence_round<S: AsyncRead + AsyncWrite + Unpin + Send>(
    analyser: &mut FeasaAnalyser<S>,
    fibres: &[u8],
    clock: BenchClock,
    setup: &SequenceSetup,
    shared: &Mutex<Shared>,
) -> Result<(), HwError> {
    let start = clock.now_ms();
    analyser.capture_sequence(setup).await?;
    let step = setup.step_ms() as f64;
    for &f in fibres {
        let bits = analyser.sequence(f, setup.count).await?;
        let (on, off) = {
            let sh = lock(shared);
            let fib = sh.fibres.get(&f);
            let neutral = Rgbi {
                r: 85,
                g: 85,
                b: 85,
                i: setup.threshold,
            };
            let dark = Rgbi {
                r: 0,
                g: 0,
                b: 0,
                i: 0,
            };
            (
                fib.and_then(|x| x.last_on).unwrap_or(neutral),
                fib.and_then(|x| x.last_off).unwrap_or(dark),
            )
        };
        for (i, bit) in bits.iter().enumerate() {
            let t = start + i as f64 * step;
            push(shared, f, if *bit { on } else { off }.to_sample(t));
        }
    }
    Ok(())
}

/// One fibre of a [`FeasaSampler`] as a [`LightSensor`].
#[derive(Debug)]
pub struct FeasaSensor {
    sampler: FeasaSampler,
    fibre: u8,
}

impl FeasaSensor {
    fn unreachable(&self) -> HwError {
        HwError::new(
            HwErrorKind::Unreachable,
            format!("{}:{}", self.sampler.name, self.fibre),
            "this fibre is not sampled",
        )
    }
}

impl LightSensor for FeasaSensor {
    fn kind(&self) -> SensorKind {
        SensorKind::Rgbc
    }

    fn drain(&mut self, out: &mut Vec<Sample>) -> Result<(), HwError> {
        let mut sh = lock(&self.sampler.shared);
        let fault = sh.fault.clone();
        let Some(f) = sh.fibres.get_mut(&self.fibre) else {
            return Err(self.unreachable());
        };
        if f.samples.is_empty() {
            if let Some(e) = fault {
                return Err(e);
            }
        }
        out.extend(f.samples.drain(..));
        Ok(())
    }

    fn discard(&mut self) -> Result<(), HwError> {
        let mut sh = lock(&self.sampler.shared);
        let Some(f) = sh.fibres.get_mut(&self.fibre) else {
            return Err(self.unreachable());
        };
        f.samples.clear();
        f.since_ms = self.sampler.clock.now_ms();
        Ok(())
    }
}
