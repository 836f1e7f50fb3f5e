//! What the reader thread emits and the event channel carries: typed events
//! (wrapped so that an acknowledgement can wait until the application is
//! done with them) and connection-state changes the application may want to
//! act on. Defined here, in the connection layer that produces them, so that
//! data flows one way: the scheduler module re-exports them and never hands
//! anything back down.

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};

use super::read_ahead::Idle;
use super::shared::Shared;
use crate::codec::DecodeError;
use crate::error::Error;
use crate::event::Event;
use crate::v1;
use crate::v1::scheduler::Call;

/// One item from the event channel.
#[derive(Debug)]
pub enum Item {
    /// An event from the master.
    Event(Received),
    /// The connection changed state.
    Connection(ConnectionState),
    /// A record arrived that could not be decoded as an event. The stream
    /// goes on (as with the Mesos C++ library); the record is kept for logs.
    Undecodable {
        /// Why it could not be decoded.
        error: DecodeError,
        /// The record's bytes.
        record: Vec<u8>,
    },
}

impl Item {
    /// The event, if this item is one.
    pub fn event(&self) -> Option<&Event> {
        match self {
            Item::Event(received) => Some(received.event()),
            _ => None,
        }
    }

    /// Takes the event out, if this item is one (see [`Received::into_event`]
    /// for what that means with automatic acknowledgement).
    pub fn into_event(self) -> Option<Event> {
        match self {
            Item::Event(received) => Some(received.into_event()),
            _ => None,
        }
    }
}

/// A change in the state of the subscription.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectionState {
    /// A master answered SUBSCRIBE with 200: the stream is open, SUBSCRIBED
    /// is expected next.
    Connected {
        /// The master's URL (after redirects).
        master: String,
    },
    /// SUBSCRIBED arrived: calls can be sent from now on.
    Subscribed {
        /// The master's URL.
        master: String,
        /// The framework id (assigned by the master on first subscription).
        framework_id: v1::FrameworkID,
        /// The `Mesos-Stream-Id` sent with every call.
        stream_id: String,
        /// The master's heartbeat interval, if it announced one.
        heartbeat_interval: Option<Duration>,
    },
    /// The stream ended or a subscription attempt failed; calls fail with
    /// [`Error::NotSubscribed`] until the next `Subscribed`.
    Disconnected(Disconnect),
    /// The next subscription attempt starts after `delay`.
    Reconnecting {
        /// The (jittered) backoff delay.
        delay: Duration,
        /// Attempts since the last healthy subscription, starting at 1.
        attempt: u32,
    },
    /// The subscription is over for good; this is the last item before the
    /// channel closes.
    Terminated(Termination),
}

/// Why a stream ended or a subscription attempt failed (it will be
/// retried). Every reason names the master it concerns where there is one
/// ([`Disconnect::master`]; for `Failed`, the error names it).
#[derive(Debug)]
#[non_exhaustive]
pub enum Disconnect {
    /// The stream ended (the master closed it) between two records.
    StreamEnded {
        /// The master's URL.
        master: String,
    },
    /// The stream ended inside a record.
    StreamTruncated {
        /// The master's URL.
        master: String,
        /// Where it was cut.
        detail: String,
    },
    /// Nothing arrived for the whole heartbeat budget (missed heartbeats ×
    /// interval); the client dropped the stream.
    HeartbeatTimeout {
        /// The master's URL.
        master: String,
        /// The silence that was tolerated.
        silence: Duration,
    },
    /// The stream's framing was corrupt (bad RecordIO header, record over the
    /// size limit).
    Protocol {
        /// The master's URL.
        master: String,
        /// What was wrong.
        detail: String,
    },
    /// The network or a master failed (connection refused or reset, 503, a
    /// redirect loop, a timeout); the error names the master.
    Failed(Error),
    /// The master's TLS certificate failed verification ([`Error::Tls`]
    /// with [`Error::is_certificate_rejected`]). Retried a bounded number
    /// of times (see `SchedulerBuilder::max_certificate_failures`), then the
    /// subscription ends with [`Termination::CertificateRejected`].
    CertificateRejected(Error),
    /// The master detector (ZooKeeper) reported a new leader, or none: the
    /// stream at the old one was dropped to re-subscribe at the new one.
    LeaderChanged {
        /// The master whose stream (or connection attempt) was dropped.
        master: Option<String>,
    },
}

impl Disconnect {
    /// The URL of the master this is about, if any.
    pub fn master(&self) -> Option<&str> {
        match self {
            Disconnect::StreamEnded { master }
            | Disconnect::StreamTruncated { master, .. }
            | Disconnect::HeartbeatTimeout { master, .. }
            | Disconnect::Protocol { master, .. } => Some(master),
            Disconnect::Failed(err) | Disconnect::CertificateRejected(err) => err.master(),
            Disconnect::LeaderChanged { master } => master.as_deref(),
        }
    }
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disconnect::StreamEnded { master } => {
                write!(f, "{master} closed the event stream")
            }
            Disconnect::StreamTruncated { master, detail } => {
                write!(f, "the event stream from {master} was cut: {detail}")
            }
            Disconnect::HeartbeatTimeout { master, silence } => write!(
                f,
                "no heartbeat from {master} for {} ms",
                silence.as_millis()
            ),
            Disconnect::Protocol { master, detail } => {
                write!(f, "corrupt event stream from {master}: {detail}")
            }
            Disconnect::Failed(err) => err.fmt(f),
            Disconnect::CertificateRejected(err) => {
                write!(f, "certificate rejected: {err}")
            }
            Disconnect::LeaderChanged {
                master: Some(master),
            } => {
                write!(f, "the leading master changed (dropped {master})")
            }
            Disconnect::LeaderChanged { master: None } => f.write_str("the leading master changed"),
        }
    }
}

/// Why the subscription ended for good.
#[derive(Debug)]
#[non_exhaustive]
pub enum Termination {
    /// The master sent an ERROR event (e.g. `Framework has been removed`,
    /// `Framework failed over`, a refused FrameworkInfo); it is delivered just
    /// before this item. Re-subscribing would be refused again or would steal
    /// the framework back from its new scheduler, so the client stops.
    ErrorEvent(String),
    /// The framework was torn down (TEARDOWN accepted).
    TornDown,
    /// The master refused the SUBSCRIBE request itself (e.g. 401, 400, 415).
    Refused(Error),
    /// The give-up policy ran out (`SchedulerBuilder::give_up_after` or
    /// `max_attempts`) before any master accepted the subscription.
    GaveUp {
        /// Every master tried since the last healthy subscription, in the
        /// order first tried.
        masters: Vec<String>,
        /// The last failure.
        last: Box<Disconnect>,
    },
    /// The master's certificate failed verification on every one of the
    /// allowed attempts (`SchedulerBuilder::max_certificate_failures`).
    CertificateRejected(Error),
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Termination::ErrorEvent(message) => write!(f, "the master sent ERROR: {message}"),
            Termination::TornDown => f.write_str("the framework was torn down"),
            Termination::Refused(err) => {
                write!(f, "the master refused the subscription: {err}")
            }
            Termination::GaveUp { masters, last } => write!(
                f,
                "gave up subscribing after trying {}; last: {last}",
                masters.join(", ")
            ),
            Termination::CertificateRejected(err) => {
                write!(f, "gave up: certificate rejected: {err}")
            }
        }
    }
}

/// A delivered event. Derefs to [`Event`].
///
/// With automatic acknowledgement on, a status update that needs an
/// acknowledgement (it carries a uuid) is acknowledged when this value is
/// dropped — that is, only once the application is done with it, never
/// before, so a crash in between loses nothing: the master re-sends.
/// Dropping only queues the acknowledgement: background threads send it (a
/// few in flight at once, retried while the subscription lasts), so the
/// dropping thread never waits for HTTP. A failure is logged (the agent
/// re-sends the update). [`Received::acknowledge`] sends at once instead
/// and returns the result.
pub struct Received {
    // Boxed: events are large and items move through the channel by value.
    event: Option<Box<Event>>,
    ack: Option<Box<PendingAck>>,
    /// The reader thread that decoded (allocated) the event, to free it.
    recycler: Option<Arc<Recycler>>,
}

/// Gives events the application dropped back to the reader thread that
/// decoded them, to be freed there.
///
/// With glibc's malloc, freeing memory on another thread than the one
/// that allocated it takes that thread's arena lock, once per allocation (an
/// OFFERS event holds thousands), and a reader decoding the next events
/// needs the same lock: on a busy stream that nearly doubled the time from
/// socket to application. A dropped event goes back to the reader (a
/// bounded queue; full, or the reader gone: freed in place), which frees it
/// before each decode (whose allocations then get that memory back hot), or
/// at once while it waits on the read-ahead thread. While the reader is
/// blocked in a socket read it allocates nothing, and a dropped event is
/// freed in place: either way off the path of the next event.
pub(crate) struct Recycler {
    tx: Sender<Box<Event>>,
    rx: Receiver<Box<Event>>,
    /// The reader is blocked in a socket read: it allocates nothing, so a
    /// dropped event is freed in place (off the next event's path).
    reader_blocked: AtomicBool,
}

impl Recycler {
    /// A recycler holding at most `capacity` dropped events.
    pub(crate) fn new(capacity: usize) -> Arc<Self> {
        let (tx, rx) = crossbeam_channel::bounded(capacity);
        Arc::new(Recycler {
            tx,
            rx,
            reader_blocked: AtomicBool::new(false),
        })
    }

    fn give_back(&self, event: Box<Event>) {
        if self.reader_blocked.load(Ordering::Acquire) {
            return; // freed here
        }
        // Full: `event` comes back in the error and is freed here.
        let _ = self.tx.try_send(event);
    }
}

impl Idle for Recycler {
    type Given = Box<Event>;

    fn given(&self) -> &Receiver<Box<Event>> {
        &self.rx
    }

    fn blocking(&self, blocked: bool) {
        self.reader_blocked.store(blocked, Ordering::Release);
    }
}

struct PendingAck {
    call: Call,
    shared: Arc<Shared>,
}

impl Received {
    pub(crate) fn new(
        event: Event,
        ack: Option<(Call, Arc<Shared>)>,
        recycler: Option<Arc<Recycler>>,
    ) -> Self {
        Received {
            event: Some(Box::new(event)),
            ack: ack.map(|(call, shared)| Box::new(PendingAck { call, shared })),
            recycler,
        }
    }

    /// The event.
    pub fn event(&self) -> &Event {
        // `event` is only taken by consuming methods.
        self.event.as_deref().expect("event present until consumed")
    }

    /// Whether dropping this value will send an acknowledgement.
    pub fn will_acknowledge(&self) -> bool {
        self.ack.is_some()
    }

    /// Acknowledges now (if an acknowledgement is pending) and returns the
    /// result instead of logging it.
    pub fn acknowledge(mut self) -> Result<(), Error> {
        match self.ack.take() {
            Some(ack) => ack.shared.send(ack.call),
            None => Ok(()),
        }
    }

    /// Takes the event out and cancels the automatic acknowledgement: the
    /// application becomes responsible for calling
    /// [`Scheduler::acknowledge`](crate::Scheduler::acknowledge).
    pub fn into_event(mut self) -> Event {
        self.ack = None;
        *self.event.take().expect("event present until consumed")
    }
}

impl Deref for Received {
    type Target = Event;

    fn deref(&self) -> &Event {
        self.event()
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        // Freed by the reader thread (see `Recycler`).
        if let (Some(event), Some(recycler)) = (self.event.take(), &self.recycler) {
            recycler.give_back(event);
        }
        // Queued for the background sender: this thread never waits for HTTP.
        if let Some(ack) = self.ack.take() {
            match ack.shared.acks.enqueue(&ack.shared, ack.call) {
                Ok(()) => {}
                Err(Error::Closed) => log::debug!("closed: automatic acknowledgement not sent"),
                Err(err) => log::info!(
                    "automatic acknowledgement not sent ({err}); the agent will re-send the update"
                ),
            }
        }
    }
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received")
            .field("event", &self.event)
            .field("will_acknowledge", &self.ack.is_some())
            .finish()
    }
}

#[cfg(test)]
mod recycler_tests {
    use super::*;

    #[test]
    fn given_back_events_wait_for_the_reader_and_a_full_queue_never_blocks() {
        let recycler = Recycler::new(2);
        for _ in 0..3 {
            // The third does not fit: freed in place, without waiting.
            recycler.give_back(Box::new(Event::Heartbeat));
        }
        assert_eq!(recycler.rx.len(), 2);
        recycler.drop_given();
        assert!(recycler.rx.is_empty());
    }

    #[test]
    fn while_the_reader_is_blocked_in_a_read_a_dropped_event_is_freed_in_place() {
        let recycler = Recycler::new(8);
        recycler.blocking(true);
        drop(Received::new(
            Event::Heartbeat,
            None,
            Some(Arc::clone(&recycler)),
        ));
        assert!(recycler.rx.is_empty());
        recycler.blocking(false);
        drop(Received::new(
            Event::Heartbeat,
            None,
            Some(Arc::clone(&recycler)),
        ));
        assert_eq!(recycler.rx.len(), 1);
    }

    #[test]
    fn dropping_a_received_gives_its_event_back_unless_taken_out() {
        let recycler = Recycler::new(8);
        drop(Received::new(
            Event::Heartbeat,
            None,
            Some(Arc::clone(&recycler)),
        ));
        assert_eq!(recycler.rx.len(), 1);
        let kept = Received::new(Event::Heartbeat, None, Some(Arc::clone(&recycler))).into_event();
        assert!(matches!(kept, Event::Heartbeat));
        assert_eq!(
            recycler.rx.len(),
            1,
            "an event taken out is the application's"
        );
    }
}
