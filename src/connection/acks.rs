//! The background acknowledgement sender: status-update acknowledgements
//! (automatic ones from dropped events, and explicit non-blocking ones) go
//! through a bounded queue to a few sender threads, so the thread that
//! released the event never waits for HTTP.
//!
//! - Several acknowledgements are in flight at once: each sender thread takes
//!   what is queued (up to a batch) and pipelines it on its own keep-alive
//!   connection to an `http://` master (`pipeline.rs`); what cannot go that
//!   way (TLS, proxy, credentials, an answer other than 202) is posted one
//!   by one on the senders' own ureq agent.
//! - A failure that may pass (connection, timeout, 503) is retried with
//!   exponential backoff while the subscription it belongs to lasts.
//! - An acknowledgement whose subscription has ended is dropped with a log
//!   line: the agent re-sends every unacknowledged update.
//! - The senders start with the first acknowledgement and stop on `close()`
//!   (queued acknowledgements are then dropped: nothing can be sent).
//!
//! An acknowledgement is queued only once the application has released the
//! event (or asked for it explicitly), so it is never sent earlier.

use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{bounded, select, Receiver, Sender, TrySendError};
use socket2::Socket;

use super::http::{HttpSettings, Purpose};
use super::pipeline::Pipeline;
use super::shared::Shared;
use crate::error::Error;
use crate::v1::scheduler::Call;

/// Acknowledgements waiting for a sender thread. A full queue means the
/// master answers slower than the application releases updates: the
/// releasing thread then waits (losing an acknowledgement would cost an
/// agent retry much later).
const QUEUE: usize = 4096;
/// Sender threads: connections with acknowledgements in flight at once
/// (each pipelines a batch where it can, see `pipeline.rs`).
const SENDERS: usize = 4;
/// Most acknowledgements pipelined in one write.
const BATCH: usize = 128;
/// Tries per acknowledgement for failures that may pass.
const ATTEMPTS: u32 = 6;
const FIRST_RETRY: Duration = Duration::from_millis(20);
const MAX_RETRY: Duration = Duration::from_secs(1);

/// One queued acknowledgement and the stream it was owed on.
struct Pending {
    call: Call,
    stream_id: String,
}

/// See the module docs. One per client, inside [`Shared`].
pub(crate) struct AckSender {
    /// Its own keep-alive pool (a connection per sender thread), shut down
    /// on close so a sender waiting for an answer stops at once.
    agent: ureq::Agent,
    /// The pipelined connections' sockets (registered before they connect),
    /// shut down on close for the same reason; `None` once closed, so a
    /// sender about to connect after that gives up instead.
    sockets: Mutex<Option<Vec<Weak<Socket>>>>,
    queue: Sender<Pending>,
    taken: Receiver<Pending>,
    started: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Acknowledgements sent, and dropped (for logs and tests).
    sent: AtomicU64,
    dropped: AtomicU64,
}

impl AckSender {
    pub fn new(settings: &HttpSettings, stop: &Receiver<()>) -> Self {
        let (queue, taken) = bounded(QUEUE);
        AckSender {
            agent: settings.agent(Purpose::Call, stop),
            sockets: Mutex::new(Some(Vec::new())),
            queue,
            taken,
            started: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
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
        let pending = Pending { call, stream_id };
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

    /// Keeps a handle on a pipelined connection's socket (before it
    /// connects) so `close()` can cut it, connecting or connected; false,
    /// and nothing kept, once closed. Forgets connections dropped since.
    pub fn register(&self, socket: &Arc<Socket>) -> bool {
        let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        match sockets.as_mut() {
            Some(open) => {
                open.retain(|s| s.strong_count() > 0);
                open.push(Arc::downgrade(socket));
                true
            }
            None => false,
        }
    }

    fn start(&self, shared: &Arc<Shared>) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        for i in 0..SENDERS {
            let shared = Arc::clone(shared);
            let spawned = thread::Builder::new()
                .name(format!("mesos-acks-{i}"))
                .spawn(move || sender_loop(&shared));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(err) => log::warn!("cannot start an acknowledgement sender: {err}"),
            }
        }
    }

    /// Stops the sender threads after `close()` and waits for them: each
    /// wakes at once on the stop signal, a request in flight is aborted, and
    /// none is joined from its own thread.
    pub fn join(&self) {
        self.agent.clone().shutdown();
        let open = self
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        for socket in open.into_iter().flatten().filter_map(|s| s.upgrade()) {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        let current = thread::current().id();
        for handle in threads {
            if handle.thread().id() != current {
                let _ = handle.join();
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
    let mut pipeline = Pipeline::usable(shared).then(Pipeline::default);
    let mut batch = Vec::with_capacity(BATCH);
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
            return;
        }
        let Some(pipeline) = pipeline.as_mut() else {
            send_one(shared, pending);
            continue;
        };
        // Whatever else is queued goes in the same batch.
        batch.push(pending);
        batch.extend(acks.taken.try_iter().take(BATCH - 1));
        send_batch(shared, pipeline, &mut batch);
    }
}

/// Sends `batch` pipelined where it can, the rest one by one through ureq.
fn send_batch(shared: &Shared, pipeline: &mut Pipeline, batch: &mut Vec<Pending>) {
    let acks = &shared.acks;
    let active = shared.session.active();
    let (owed, other): (Vec<Pending>, Vec<Pending>) = batch
        .drain(..)
        .partition(|p| active.as_ref().is_some_and(|a| a.stream_id == p.stream_id));
    // Acknowledgements of an ended subscription: dropped (with the log line).
    for pending in other {
        send_one(shared, pending);
    }
    let Some(active) = active.filter(|_| !owed.is_empty() && !shared.refuses_calls()) else {
        for pending in owed {
            send_one(shared, pending);
        }
        return;
    };
    let calls = owed.iter().map(|p| p.call.clone()).collect();
    let accepted = pipeline.send(shared, &active, calls);
    for (pending, ok) in owed.into_iter().zip(accepted) {
        if ok {
            acks.sent.fetch_add(1, Ordering::Relaxed);
        } else {
            send_one(shared, pending);
        }
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
