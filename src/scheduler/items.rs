//! What the scheduler's event channel carries: typed events (wrapped so
//! that an acknowledgement can wait until the application is done with
//! them) and connection-state changes the application may want to act on.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::codec::DecodeError;
use crate::connection::Shared;
use crate::error::Error;
use crate::event::Event;
use crate::subscription::Disconnect;
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
    /// Sixteen in a row mean the stream as a whole is unreadable: it is
    /// dropped ([`Disconnect::Protocol`]) and the client subscribes again.
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
    /// channel closes (also after `close()`: [`Termination::Closed`],
    /// unless the channel is full at that moment — closing never waits for
    /// the application).
    Terminated(Termination),
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
    /// Every master tried answered SUBSCRIBE with 404: nothing serves the
    /// scheduler API at these URLs (a wrong port or path).
    NotFound {
        /// The URLs tried, in order.
        urls: Vec<String>,
    },
    /// The application closed the scheduler (`close()`, or the last
    /// handle dropped).
    Closed,
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
            Termination::NotFound { urls } => write!(
                f,
                "no scheduler API at {} (every master answered 404)",
                urls.join(", ")
            ),
            Termination::Closed => f.write_str("the scheduler was closed"),
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
}

struct PendingAck {
    call: Call,
    shared: Arc<Shared>,
}

impl Received {
    pub(crate) fn new(event: Event, ack: Option<(Call, Arc<Shared>)>) -> Self {
        Received {
            event: Some(Box::new(event)),
            ack: ack.map(|(call, shared)| Box::new(PendingAck { call, shared })),
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
