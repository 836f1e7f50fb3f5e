//! The background acknowledgement sender: status-update acknowledgements
//! (automatic ones from dropped events, and explicit non-blocking ones) go
//! through a bounded queue to a few sender threads, so the thread that
//! released the event never waits for HTTP.
//!
//! - Every acknowledgement is an ordinary call through ureq (the same post
//!   path as every other call). On a real network each one waits a round
//!   trip, so [`SENDERS`] threads send at once, each on its own keep-alive
//!   connection from the senders' shared agent: up to that many are in
//!   flight, and a master that answers after a millisecond still takes
//!   acknowledgements several times faster than one blocking call at a time.
//! - A failure that may pass (connection, timeout, 503) is retried with
//!   exponential backoff while the subscription it belongs to lasts.
//! - An acknowledgement whose subscription has ended is dropped with a log
//!   line: the agent re-sends every unacknowledged update.
//! - `teardown()` first waits (bounded by the call timeout) until every
//!   queued acknowledgement was sent: see [`AckSender::flush`].
//! - The senders start with the first acknowledgement and stop on `close()`
//!   (queued acknowledgements are then dropped: nothing can be sent).
//!
//! An acknowledgement is queued only once the application has released the
//! event (or asked for it explicitly), so it is never sent earlier.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, Receiver, RecvTimeoutError, Sender, TrySendError};

use super::http::{HttpSettings, Purpose};
use super::shared::Shared;
use crate::error::Error;
use crate::v1::scheduler::Call;

/// Acknowledgements waiting for a sender thread. A full queue means the
/// master answers slower than the application releases updates: the
/// releasing thread then waits (losing an acknowledgement would cost an
/// agent retry much later).
const QUEUE: usize = 4096;
/// Sender threads, and so acknowledgements in flight at once.
pub(crate) const SENDERS: usize = 8;
/// Tries per acknowledgement for failures that may pass.
const ATTEMPTS: u32 = 6;
const FIRST_RETRY: Duration = Duration::from_millis(20);
const MAX_RETRY: Duration = Duration::from_secs(1);
/// How long `close()` waits for the senders to stop. A sender blocked on a
/// socket stops at once (the agent is shut down); one in a TCP connect or a
/// name lookup, which nothing interrupts, is left to end at its own
/// timeout instead of holding `close()` up.
const STOP_GRACE: Duration = Duration::from_millis(300);

/// One queued acknowledgement and the stream it was owed on.
struct Pending {
    call: Call,
    stream_id: String,
}

/// See the module docs. One per client, inside [`Shared`].
pub(crate) struct AckSender {
    /// The senders' keep-alive pool (a connection per sender thread), shut
    /// down on close so a sender waiting for an answer stops at once.
    agent: ureq::Agent,
    queue: Sender<Pending>,
    taken: Receiver<Pending>,
    /// Acknowledgements queued or being sent; `flush` waits for zero.
    outstanding: Mutex<usize>,
    settled: Condvar,
    started: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Disconnects once every sender thread has returned.
    stopped: Mutex<Option<Receiver<()>>>,
    /// Acknowledgements sent, and dropped (for logs and tests).
    sent: AtomicU64,
    dropped: AtomicU64,
}

impl AckSender {
    pub fn new(settings: &HttpSettings) -> Self {
        let (queue, taken) = bounded(QUEUE);
        AckSender {
            agent: settings.agent(Purpose::Call),
            queue,
            taken,
            outstanding: Mutex::new(0),
            settled: Condvar::new(),
            started: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            stopped: Mutex::new(None),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    fn outstanding(&self) -> MutexGuard<'_, usize> {
        self.outstanding.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One acknowledgement fewer to wait for (sent or dropped).
    fn settle(&self) {
        let mut outstanding = self.outstanding();
        *outstanding = outstanding.saturating_sub(1);
        if *outstanding == 0 {
            self.settled.notify_all();
        }
    }

    /// Queues `call` (an ACKNOWLEDGE or ACKNOWLEDGE_OPERATION_STATUS) for the
    /// current subscription. Fails only when there is none or the client is
    /// closed; waits only while the queue is full.
    pub fn enqueue(&self, shared: &Arc<Shared>, call: Call) -> Result<(), Error> {
        if shared.control.is_closed() {
            return Err(Error::Closed);
        }
        let stream_id = shared
            .session
            .active()
            .ok_or(Error::NotSubscribed)?
            .stream_id;
        self.start(shared);
        *self.outstanding() += 1;
        let queued = self.queue_pending(shared, Pending { call, stream_id });
        if queued.is_err() {
            self.settle();
        }
        queued
    }

    fn queue_pending(&self, shared: &Shared, pending: Pending) -> Result<(), Error> {
        let pending = match self.queue.try_send(pending) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Disconnected(_)) => return Err(Error::Closed),
            Err(TrySendError::Full(pending)) => pending,
        };
        log::debug!("acknowledgement queue full: waiting for the master");
        select! {
            send(self.queue, pending) -> sent => sent.map_err(|_| Error::Closed),
            recv(shared.control.stop_signal()) -> _ => Err(Error::Closed),
        }
    }

    /// Waits until every acknowledgement queued so far was sent (or given
    /// up), until `deadline`, or until the client closes; returns whether
    /// none is left. `teardown()` calls this first, so that the updates the
    /// application acknowledged are acknowledged before the framework goes.
    pub fn flush(&self, shared: &Shared, deadline: Instant) -> bool {
        let mut outstanding = self.outstanding();
        while *outstanding > 0 && !shared.control.is_closed() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                log::info!(
                    "{} acknowledgements still unsent at teardown (call timeout reached)",
                    *outstanding
                );
                return false;
            }
            // Woken by the last settle, or by close() (`join`).
            outstanding = self
                .settled
                .wait_timeout(outstanding, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *outstanding == 0
    }

    fn start(&self, shared: &Arc<Shared>) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let (alive, stopped) = bounded::<()>(0);
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        for i in 0..SENDERS {
            let shared = Arc::clone(shared);
            let alive = alive.clone();
            let spawned = thread::Builder::new()
                .name(format!("mesos-acks-{i}"))
                .spawn(move || {
                    sender_loop(&shared);
                    drop(alive);
                });
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(err) => log::warn!("cannot start an acknowledgement sender: {err}"),
            }
        }
        *self.stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(stopped);
    }

    /// Stops the sender threads after `close()`: each wakes at once on the
    /// stop signal, and a request blocked on a socket is aborted by shutting
    /// the agent down. Joins those that stopped within [`STOP_GRACE`]; one
    /// still in a connect or a name lookup is left to end by itself.
    pub fn join(&self) {
        {
            // Under the lock: a `flush` between its check and its wait
            // cannot miss this.
            let _outstanding = self.outstanding();
            self.settled.notify_all();
        }
        self.agent.clone().shutdown();
        let stopped = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        let current = thread::current().id();
        // Nothing is ever sent on `stopped`: it disconnects when the last
        // sender returns.
        let all_stopped = stopped.is_none_or(|stopped| {
            matches!(
                stopped.recv_deadline(Instant::now() + STOP_GRACE),
                Err(RecvTimeoutError::Disconnected)
            )
        });
        for handle in threads {
            if handle.thread().id() == current {
                continue;
            }
            if all_stopped || handle.is_finished() {
                let _ = handle.join();
            } else {
                log::debug!("an acknowledgement sender is still connecting; not waiting for it");
            }
        }
        let left = self.taken.try_iter().count() as u64;
        let dropped = self.dropped.fetch_add(left, Ordering::Relaxed) + left;
        let sent = self.sent.load(Ordering::Relaxed);
        if left > 0 {
            log::info!(
                "dropped {left} queued acknowledgements on close; the agents re-send those updates"
            );
        }
        log::debug!("acknowledgements: {sent} sent, {dropped} dropped");
    }
}

fn sender_loop(shared: &Shared) {
    let acks = &shared.acks;
    let stop = shared.control.stop_signal();
    loop {
        let pending = select! {
            recv(acks.taken) -> pending => match pending {
                Ok(pending) => pending,
                Err(_) => return,
            },
            recv(stop) -> _ => return,
        };
        if shared.control.is_closed() {
            acks.dropped.fetch_add(1, Ordering::Relaxed);
            acks.settle();
            return;
        }
        send_one(shared, pending);
        acks.settle();
    }
}

/// Sends one acknowledgement, retrying what may pass while its subscription
/// lasts.
fn send_one(shared: &Shared, pending: Pending) {
    let acks = &shared.acks;
    let mut delay = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        let active = shared
            .session
            .active()
            .filter(|a| a.stream_id == pending.stream_id);
        let Some(active) = active else {
            acks.dropped.fetch_add(1, Ordering::Relaxed);
            log::info!(
                "dropping an acknowledgement: subscription {} ended before it was sent; the agent re-sends the update",
                pending.stream_id
            );
            return;
        };
        if shared.refuses_calls() {
            acks.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let err = match shared.send_on(&acks.agent, pending.call.clone(), active) {
            Ok(()) => {
                acks.sent.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Err(err) => err,
        };
        let retry = matches!(
            err,
            Error::Unavailable { .. } | Error::Timeout { .. } | Error::Connection { .. }
        );
        if !retry || attempt == ATTEMPTS {
            acks.dropped.fetch_add(1, Ordering::Relaxed);
            log::info!(
                "acknowledgement failed ({err}) after {attempt} attempt(s); the agent re-sends the update"
            );
            return;
        }
        log::debug!("acknowledgement failed ({err}); retrying in {delay:?}");
        // Not `Control::sleep`: that one also takes leader-change notices,
        // which are the reader's.
        let closed = select! {
            recv(shared.control.stop_signal()) -> _ => true,
            default(delay) => shared.control.is_closed(),
        };
        if closed {
            acks.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        delay = (delay * 2).min(MAX_RETRY);
    }
}
