//! Stopping and supervising the reader thread: the close flag, the stream's
//! own ureq agent (shut down to unblock a read in progress), a stop channel
//! that wakes backoff sleeps and blocked channel sends, the heartbeat
//! watchdog that drops a stream on which nothing arrives, and leader-change
//! notices from a detector, which drop the stream at a deposed leader.

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
    /// The master detector reported a new leader (or none).
    LeaderChanged,
    /// A call was refused because the master associates another stream
    /// with the framework: the stream held is stale.
    StaleStream,
}

/// What the reader is doing, as far as the watchdog cares.
#[derive(Debug, Clone, Copy)]
enum Watch {
    /// No stream open (connecting, waiting for the response head, backing
    /// off).
    Idle,
    /// Reading the stream; `since` is the last time an event was decoded.
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
    /// A leader change was reported since the reader last asked.
    leader_changed: bool,
}

/// Shared between the handles, the reader thread and the watchdog thread.
pub(crate) struct Control {
    state: Mutex<State>,
    wake: Condvar,
    stop_tx: Mutex<Option<Sender<()>>>,
    stop_rx: Receiver<()>,
    /// Holds a token after a leader change: wakes a backoff sleep early.
    change_tx: Sender<()>,
    change_rx: Receiver<()>,
}

impl Control {
    pub fn new() -> Self {
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(0);
        let (change_tx, change_rx) = crossbeam_channel::bounded(1);
        Control {
            state: Mutex::new(State {
                closed: false,
                reader_done: false,
                stream_agent: None,
                interrupt: None,
                watch: Watch::Idle,
                budget: Duration::MAX,
                leader_changed: false,
            }),
            wake: Condvar::new(),
            stop_tx: Mutex::new(Some(stop_tx)),
            stop_rx,
            change_tx,
            change_rx,
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

    /// Sleeps for `delay` unless closed first, or a leader change cuts it
    /// short. Returns false when closed.
    pub fn sleep(&self, delay: Duration) -> bool {
        crossbeam_channel::select! {
            recv(self.stop_rx) -> _ => {}
            recv(self.change_rx) -> _ => log::debug!("leader change: retrying at once"),
            default(delay) => {}
        }
        !self.is_closed()
    }

    /// The detector says the leader changed: drop the stream in progress
    /// (connecting or reading) and cut a backoff sleep short. A change
    /// reported before the next stream begins aborts that stream at once,
    /// unless [`Control::take_leader_change`] saw it first.
    pub fn leader_changed(&self) {
        let agent = {
            let mut state = self.lock();
            if state.closed {
                return;
            }
            state.leader_changed = true;
            let agent = state.stream_agent.take();
            if agent.is_some() {
                state.interrupt = Some(Interrupt::LeaderChanged);
                state.watch = Watch::Idle;
            }
            agent
        };
        if let Some(agent) = agent {
            log::info!("the leading master changed: dropping the stream");
            agent.shutdown();
        }
        let _ = self.change_tx.try_send(());
    }

    /// A call through the stream `stream_id` was refused because the master
    /// associates another stream with the framework: drop that stream (if
    /// it is still the one open) so the reader re-subscribes. Waiting for
    /// the watchdog would not do: the stale stream may still carry events.
    pub fn stream_is_stale(&self) {
        let agent = {
            let mut state = self.lock();
            if state.closed {
                return;
            }
            let agent = state.stream_agent.take();
            if agent.is_some() {
                state.interrupt = Some(Interrupt::StaleStream);
                state.watch = Watch::Idle;
            }
            agent
        };
        if let Some(agent) = agent {
            log::info!("the master refused the stream id: dropping the stream");
            agent.shutdown();
        }
    }

    /// Whether the leader changed since the last call; the reader asks right
    /// before it picks the masters to try.
    pub fn take_leader_change(&self) -> bool {
        while self.change_rx.try_recv().is_ok() {}
        std::mem::take(&mut self.lock().leader_changed)
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
        if state.leader_changed {
            // The masters picked for this attempt may be stale already.
            state.interrupt = Some(Interrupt::LeaderChanged);
            drop(state);
            agent.clone().shutdown();
            return true;
        }
        state.stream_agent = Some(agent.clone());
        state.interrupt = None;
        state.budget = budget;
        // Connecting and waiting for the response head have bounds of
        // their own (the connect and call timeouts, which name the phase):
        // the watchdog starts with the stream.
        state.watch = Watch::Idle;
        true
    }

    /// The peer answered 200: from now on the stream's silence is watched.
    pub fn stream_open(&self) {
        let mut state = self.lock();
        if state.stream_agent.is_some() {
            state.watch = Watch::Reading {
                since: Instant::now(),
            };
            drop(state);
            self.wake.notify_all();
        }
    }

    /// The stream is over (for whatever reason); the watchdog rests. Its
    /// sockets are shut down: the thread reading ahead on it may be blocked
    /// in a read, which this ends (and the master sees the stream go at once).
    pub fn end_stream(&self) -> Option<Interrupt> {
        let mut state = self.lock();
        if let Some(agent) = state.stream_agent.take() {
            agent.shutdown();
        }
        state.watch = Watch::Idle;
        if state.closed {
            return Some(Interrupt::Closed);
        }
        let interrupt = state.interrupt.take();
        if interrupt == Some(Interrupt::LeaderChanged) {
            // This change is handled by dropping the stream; let the backoff
            // that follows keep its jitter.
            drop(state);
            while self.change_rx.try_recv().is_ok() {}
        }
        interrupt
    }

    /// Why the current stream was interrupted from outside, if it was.
    #[cfg(test)]
    pub fn interrupt(&self) -> Option<Interrupt> {
        self.lock().interrupt
    }

    /// An event was decoded (a heartbeat included): the peer is alive.
    /// Bytes alone do not count: a stream of records that decode to
    /// nothing is as dead as a silent one.
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
    fn a_leader_change_aborts_the_stream_and_wakes_a_sleep() {
        let control = Arc::new(Control::new());
        let agent: Agent = Agent::config_builder().build().new_agent();
        assert!(!control.take_leader_change());
        assert!(control.begin_stream(&agent, Duration::from_secs(60)));
        control.leader_changed();
        assert_eq!(control.end_stream(), Some(Interrupt::LeaderChanged));
        assert!(control.take_leader_change());
        assert!(!control.take_leader_change());

        // Reported while the reader was between picking masters and
        // connecting: the next stream is aborted at once.
        control.leader_changed();
        assert!(control.begin_stream(&agent, Duration::from_secs(60)));
        assert_eq!(control.end_stream(), Some(Interrupt::LeaderChanged));
        control.take_leader_change();

        // Reported during a backoff: the sleep ends early.
        let sleeper = {
            let control = control.clone();
            std::thread::spawn(move || control.sleep(Duration::from_secs(3600)))
        };
        control.leader_changed();
        assert!(sleeper.join().unwrap(), "woken, not closed");
        assert!(control.take_leader_change());
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
        control.stream_open();
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
