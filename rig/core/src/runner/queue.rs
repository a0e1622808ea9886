//! The scheduler's rule ([`crate::schedule::Dispatcher`]) on the real clock: each
//! position's task asks for its next case and gets it together with the lines it holds.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

use super::devices::{Lease, Lines};
use crate::schedule::{Dispatcher, Grant, Work};

/// The cases still to run, shared by every position's task.
pub(crate) struct Queue {
    state: Mutex<State>,
    /// One per position: woken when the dispatcher grants it a case.
    wake: Vec<Notify>,
    lines: Lines,
}

struct State {
    dispatcher: Dispatcher,
    /// Granted, not yet taken by its position's task.
    granted: Vec<Option<Grant>>,
}

/// A position's turn: the job it runs and the lines it holds. Dropping it (the case ended,
/// or its task died) frees the position and the lines for the next grant.
pub(crate) struct Turn {
    queue: Arc<Queue>,
    pub(crate) grant: Grant,
    pub(crate) lease: Option<Lease>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        // The line locks go before the grant: the next holder never waits on them.
        self.lease = None;
        self.queue.finish(&self.grant);
    }
}

impl Queue {
    pub(crate) fn new(work: Work, lines: Lines) -> Arc<Queue> {
        let n = work.positions.len();
        Arc::new(Queue {
            state: Mutex::new(State {
                dispatcher: Dispatcher::new(work),
                granted: vec![None; n],
            }),
            wake: (0..n).map(|_| Notify::new()).collect(),
            lines,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking task must not stop the others from being scheduled.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next case of `position`, with its lines; `None` once it has nothing left.
    pub(crate) async fn next(self: &Arc<Self>, position: usize) -> Option<Turn> {
        loop {
            let grant = {
                let mut st = self.state();
                if st.granted[position].is_none() {
                    if st.dispatcher.position_done(position) {
                        return None;
                    }
                    self.dispatch(&mut st);
                }
                st.granted[position].take()
            };
            if let Some(grant) = grant {
                let lease = match grant.lines {
                    Some((m, c)) => Some(self.lines.lease(m, c).await),
                    None => None,
                };
                return Some(Turn {
                    queue: self.clone(),
                    grant,
                    lease,
                });
            }
            // Notify keeps a wake-up given before this wait begins.
            self.wake[position].notified().await;
        }
    }

    /// Start nothing more on `position` (its task is ending early).
    pub(crate) fn abandon(&self, position: usize) {
        let mut st = self.state();
        st.dispatcher.abandon(position);
        if let Some(g) = st.granted[position].take() {
            st.dispatcher.finish(&g);
        }
        self.dispatch(&mut st);
    }

    fn finish(&self, grant: &Grant) {
        let mut st = self.state();
        st.dispatcher.finish(grant);
        self.dispatch(&mut st);
    }

    fn dispatch(&self, st: &mut State) {
        for g in st.dispatcher.dispatch() {
            st.granted[g.position] = Some(g);
            self.wake[g.position].notify_one();
        }
    }

    /// The job `grant` names.
    pub(crate) fn job(&self, grant: &Grant) -> crate::schedule::Job {
        self.state().dispatcher.work().jobs[grant.job].clone()
    }
}
