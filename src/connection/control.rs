//! Stopping and supervising the reader thread: the close flag, the stream's
//! own ureq agent (shut down to unblock a read in progress), a stop channel
//! that wakes backoff sleeps and blocked channel sends, and the heartbeat
//! watchdog that drops a stream on which nothing arrives.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use ureq::Agent;

/// Why a stream's agent was shut down from outside the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// `close()` or the last handle dropped.
    Closed,
    /// The watchdog saw nothing for the whole heartbeat budget.
    Stalled(Duration),
}

/// What the reader is doing, as far as the watchdog cares.
#[derive(Debug, Clone, Copy)]
enum Watch {
    /// No stream open (connecting, backing off).
    Idle,
    /// Waiting for bytes; `since` is the last time some arrived.
    Reading { since: Instant },
    /// Blocked handing an item to a slow application: not the master's fault.
    Delivering,
}

struct State {
    closed: bool,
    reader_done: bool,
    stream_agent: Option<Agent>,
    interrupt: Option<Interrupt>,
    watch: Watch,
    budget: Duration,
}

/// Shared between the handles, the reader thread and the watchdog thread.
pub(crate) struct Control {
    state: Mutex<State>,
    wake: Condvar,
    stop_tx: Mutex<Option<Sender<()>>>,
    stop_rx: Receiver<()>,
}

impl Control {
    pub fn new() -> Self {
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(0);
        Control {
            state: Mutex::new(State {
                closed: false,
                reader_done: false,
                stream_agent: None,
                interrupt: None,
                watch: Watch::Idle,
                budget: Duration::MAX,
            }),
            wake: Condvar::new(),
            stop_tx: Mutex::new(Some(stop_tx)),
            stop_rx,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state inconsistent
        // (every update is a single assignment), so poisoning is ignored.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver that becomes ready (disconnected) when the client closes:
    /// use it in `select!` next to a blocking send, or to sleep.
    pub fn stop_signal(&self) -> &Receiver<()> {
        &self.stop_rx
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Stops everything: marks closed, aborts the stream's sockets, wakes
    /// sleepers and the watchdog. Idempotent.
    pub fn close(&self) {
        let agent = {
            let mut state = self.lock();
            if !state.closed {
                state.closed = true;
                state.interrupt = Some(Interrupt::Closed);
            }
            state.stream_agent.take()
        };
        if let Some(agent) = agent {
            agent.shutdown();
        }
        self.stop_tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        self.wake.notify_all();
    }

    /// Sleeps for `delay` unless closed first. Returns false when closed.
    pub fn sleep(&self, delay: Duration) -> bool {
        let _ = self.stop_rx.recv_timeout(delay);
        !self.is_closed()
    }

    /// Registers the agent of a new subscription attempt so that `close()`
    /// and the watchdog can abort it. Fails (and shuts the agent down) if the
    /// client closed meanwhile.
    pub fn begin_stream(&self, agent: &Agent, budget: Duration) -> bool {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            agent.clone().shutdown();
            return false;
        }
        state.stream_agent = Some(agent.clone());
        state.interrupt = None;
        state.budget = budget;
        state.watch = Watch::Reading {
            since: Instant::now(),
        };
        drop(state);
        self.wake.notify_all();
        true
    }

    /// The stream is over (for whatever reason); the watchdog rests.
    pub fn end_stream(&self) -> Option<Interrupt> {
        let mut state = self.lock();
        state.stream_agent = None;
        state.watch = Watch::Idle;
        if state.closed {
            Some(Interrupt::Closed)
        } else {
            state.interrupt.take()
        }
    }

    /// Why the current stream was interrupted from outside, if it was.
    #[cfg(test)]
    pub fn interrupt(&self) -> Option<Interrupt> {
        self.lock().interrupt
    }

    /// Bytes arrived: the master is alive.
    pub fn saw_activity(&self) {
        let mut state = self.lock();
        if state.stream_agent.is_some() {
            state.watch = Watch::Reading {
                since: Instant::now(),
            };
        }
    }

    /// The reader is about to block on the application (or is done with it).
    pub fn delivering(&self, blocked: bool) {
        let mut state = self.lock();
        if state.stream_agent.is_none() {
            return;
        }
        state.watch = if blocked {
            Watch::Delivering
        } else {
            Watch::Reading {
                since: Instant::now(),
            }
        };
    }

    /// How long the stream may stay silent (missed heartbeats × interval).
    pub fn set_budget(&self, budget: Duration) {
        self.lock().budget = budget;
        self.wake.notify_all();
    }

    /// The reader thread is finished; the watchdog may exit.
    pub fn reader_finished(&self) {
        self.lock().reader_done = true;
        self.wake.notify_all();
    }

    /// The watchdog loop: runs on its own thread until the reader finishes.
    pub fn watchdog(&self) {
        let mut state = self.lock();
        loop {
            if state.reader_done {
                return;
            }
            let wait = match (state.watch, state.stream_agent.is_some()) {
                (Watch::Reading { since }, true) => {
                    let silent = since.elapsed();
                    if silent >= state.budget {
                        let budget = state.budget;
                        log::warn!(
                            "no data from the master for {silent:?} (budget {budget:?}): dropping the stream"
                        );
                        state.interrupt = Some(Interrupt::Stalled(budget));
                        state.watch = Watch::Idle;
                        if let Some(agent) = state.stream_agent.take() {
                            drop(state);
                            agent.shutdown();
                            state = self.lock();
                        }
                        continue;
                    }
                    Some(state.budget - silent)
                }
                _ => None,
            };
            state = match wait {
                Some(timeout) => {
                    self.wake
                        .wait_timeout(state, timeout)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.wake.wait(state).unwrap_or_else(|p| p.into_inner()),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn close_wakes_a_sleeper() {
        let control = Arc::new(Control::new());
        let sleeper = {
            let control = control.clone();
            std::thread::spawn(move || control.sleep(Duration::from_secs(3600)))
        };
        control.close();
        assert!(!sleeper.join().unwrap());
        assert!(control.is_closed());
    }

    #[test]
    fn begin_stream_after_close_is_refused() {
        let control = Control::new();
        control.close();
        let agent: Agent = Agent::config_builder().build().new_agent();
        assert!(!control.begin_stream(&agent, Duration::from_secs(1)));
        assert_eq!(control.end_stream(), Some(Interrupt::Closed));
    }

    #[test]
    fn watchdog_flags_a_silent_stream_and_exits_with_the_reader() {
        let control = Arc::new(Control::new());
        let dog = {
            let control = control.clone();
            std::thread::spawn(move || control.watchdog())
        };
        let agent: Agent = Agent::config_builder().build().new_agent();
        assert!(control.begin_stream(&agent, Duration::from_millis(20)));
        let deadline = Instant::now() + Duration::from_secs(10);
        while control.interrupt().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            control.end_stream(),
            Some(Interrupt::Stalled(Duration::from_millis(20)))
        );
        control.reader_finished();
        dog.join().unwrap();
    }
}
