//! The live display of `rig run` on a terminal (indicatif): a line per position with its
//! case, step and time, and the run's bar with its bench time and ETA at the bottom;
//! finished cases are printed above it. It redraws on every event, and on a lab bench
//! (real time) also four times a second, so the times move during a long wait.
//!
//! While the operator is asked a manual check the display stands aside ([`Aside`]): it
//! is cleared and drawn again after the answer, so it never draws over the prompt.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::progress::Progress;
use crate::runner::{Aside, Event, RunInfo};

/// How often a real-time run's display is redrawn between events.
const TICK: Duration = Duration::from_millis(250);

/// The live display. Dropping it stops its redraws.
pub struct Live {
    shared: Arc<Shared>,
    ticker: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

struct Shared {
    multi: MultiProgress,
    /// The run's bar (at the bottom), once the run started.
    overall: Mutex<Option<ProgressBar>>,
    /// One line per position, in the scheduler's order.
    positions: Mutex<Vec<ProgressBar>>,
    view: Mutex<View>,
    /// The operator is being asked: nothing is drawn.
    hidden: AtomicBool,
}

/// What the display shows and how it tells the time.
struct View {
    progress: Progress,
    virtual_time: bool,
    repeat: u32,
    /// When the latest bench time was learnt (the clock runs on from it in real time).
    last_seen: Instant,
}

impl View {
    /// Bench time now: the latest an event carried, and in real time the wall time since.
    fn now_ms(&self) -> f64 {
        if self.virtual_time {
            self.progress.last_ms
        } else {
            self.progress.last_ms + self.last_seen.elapsed().as_secs_f64() * 1000.0
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    /// A display on stdout (a terminal): nothing is drawn before the run starts.
    pub(crate) fn new() -> Self {
        Self::on(ProgressDrawTarget::stdout())
    }

    fn on(target: ProgressDrawTarget) -> Self {
        Self {
            shared: Arc::new(Shared {
                multi: MultiProgress::with_draw_target(target),
                overall: Mutex::new(None),
                positions: Mutex::new(Vec::new()),
                view: Mutex::new(View {
                    progress: Progress::default(),
                    virtual_time: true,
                    repeat: 1,
                    last_seen: Instant::now(),
                }),
                hidden: AtomicBool::new(false),
            }),
            ticker: None,
        }
    }

    /// What the operator's prompts use to move the display aside.
    pub(crate) fn aside(&self) -> Arc<dyn Aside> {
        self.shared.clone()
    }

    /// Follow one event of the run.
    pub(crate) fn event(&mut self, event: &Event) {
        match event {
            Event::RunStarted(info) => self.begin(info),
            Event::Scheduled(f) => {
                let ids: Vec<String> = {
                    let mut v = lock(&self.shared.view);
                    v.progress.scheduled(f);
                    v.progress.positions.iter().map(|p| p.id.clone()).collect()
                };
                let overall = lock(&self.shared.overall).clone();
                let mut bars = lock(&self.shared.positions);
                for _ in ids.iter().skip(bars.len()) {
                    let bar = ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template("  {wide_msg}").expect("a fixed template"),
                    );
                    let bar = match &overall {
                        Some(o) => self.shared.multi.insert_before(o, bar),
                        None => self.shared.multi.add(bar),
                    };
                    bars.push(bar);
                }
            }
            Event::CaseStarted {
                position,
                case,
                attempt,
                at_ms,
            } => self.seen(|p| p.case_started(position, case, *attempt, *at_ms)),
            Event::StepStarted {
                position,
                step,
                at_ms,
                ..
            } => self.seen(|p| p.step(position, step, *at_ms)),
            Event::CaseFinished(r) => self.seen(|p| p.case_finished(r)),
            Event::RunFinished { .. } => {
                self.finish();
                return;
            }
        }
        self.shared.refresh();
    }

    fn seen(&self, f: impl FnOnce(&mut Progress)) {
        let mut v = lock(&self.shared.view);
        let before = v.progress.last_ms;
        f(&mut v.progress);
        if v.progress.last_ms != before {
            v.last_seen = Instant::now();
        }
    }

    fn begin(&mut self, info: &RunInfo) {
        {
            let mut v = lock(&self.shared.view);
            v.progress = Progress::default();
            v.virtual_time = info.virtual_time;
            v.repeat = info.repeat;
            v.last_seen = Instant::now();
        }
        let bar = ProgressBar::new(info.planned as u64).with_style(
            ProgressStyle::with_template("{bar:20} {pos:>3}/{len} {wide_msg}")
                .expect("a fixed template")
                .progress_chars("=> "),
        );
        let bar = self.shared.multi.add(bar);
        *lock(&self.shared.overall) = Some(bar);
        if !info.virtual_time && self.ticker.is_none() {
            let stop = Arc::new(AtomicBool::new(false));
            let (shared, flag) = (self.shared.clone(), stop.clone());
            let handle = std::thread::Builder::new()
                .name("rig-console".into())
                .spawn(move || {
                    while !flag.load(Ordering::SeqCst) {
                        std::thread::park_timeout(TICK);
                        if !flag.load(Ordering::SeqCst) {
                            shared.refresh();
                        }
                    }
                });
            // Without the thread the display still moves on every event.
            if let Ok(h) = handle {
                self.ticker = Some((stop, h));
            }
        }
    }

    /// Print a line above the display (straight to stdout while it stands aside).
    pub(crate) fn println(&self, line: &str) -> std::io::Result<()> {
        if self.shared.hidden.load(Ordering::SeqCst) {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")?;
            return out.flush();
        }
        self.shared.multi.println(line)
    }

    /// Stop redrawing and take the display off the screen (the summary follows).
    pub(crate) fn finish(&mut self) {
        if let Some((stop, handle)) = self.ticker.take() {
            stop.store(true, Ordering::SeqCst);
            handle.thread().unpark();
            let _ = handle.join();
        }
        for bar in lock(&self.shared.positions).iter() {
            bar.finish_and_clear();
        }
        if let Some(bar) = lock(&self.shared.overall).as_ref() {
            bar.finish_and_clear();
        }
        let _ = self.shared.multi.clear();
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.ticker.take() {
            stop.store(true, Ordering::SeqCst);
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

impl Shared {
    /// Redraw every line from the progress as it is now.
    fn refresh(&self) {
        if self.hidden.load(Ordering::SeqCst) {
            return;
        }
        // Rendered under the view's lock, drawn after it is let go.
        let (lines, overall, done) = {
            let v = lock(&self.view);
            let now = v.now_ms();
            (
                v.progress.position_lines(now, v.repeat),
                v.progress.overall_line(now, v.virtual_time),
                v.progress.rows_done,
            )
        };
        for (bar, line) in lock(&self.positions).iter().zip(lines) {
            bar.set_message(line);
        }
        if let Some(bar) = lock(&self.overall).as_ref() {
            bar.set_position(done as u64);
            bar.set_message(overall);
        }
    }
}

impl Aside for Shared {
    fn hide(&self) {
        self.hidden.store(true, Ordering::SeqCst);
        let _ = self.multi.clear();
        self.multi.set_draw_target(ProgressDrawTarget::hidden());
    }

    fn show(&self) {
        self.multi.set_draw_target(ProgressDrawTarget::stdout());
        self.hidden.store(false, Ordering::SeqCst);
        self.refresh();
    }
}
