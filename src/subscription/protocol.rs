//! What makes one event stream different from another: the seam between
//! the generic subscription loop ([`super::Subscription`]) and a
//! particular API. The scheduler (`/api/v1/scheduler` on the master) and
//! the executor (`/api/v1/executor` on the agent) implement it; the
//! master's Operator API stream (SUBSCRIBE on `/api/v1`: SUBSCRIBED with
//! the full state, TASK_ADDED, AGENT_ADDED, ..., HEARTBEAT) fits the same
//! way: a body to post, a decoder, which events are SUBSCRIBED and
//! HEARTBEAT, the items to deliver and a retry policy.

use std::time::Duration;

use crossbeam_channel::Receiver;
use ureq::http::HeaderMap;
use ureq::Agent;

use super::disconnect::Disconnect;
use crate::codec::{DecodeError, Encoding};
use crate::connection::{Control, Endpoint, HttpSettings, Posted};
use crate::error::Error;

/// One subscription attempt: where to post, and what.
pub(crate) struct Attempt {
    /// The peers to try, best first; the first to answer 200 wins.
    pub targets: Vec<Endpoint>,
    /// The encoded SUBSCRIBE call.
    pub body: Vec<u8>,
}

/// What [`Protocol::start`] decided.
pub(crate) enum Start<T> {
    /// Try these peers.
    Attempt(Attempt),
    /// No attempt now (e.g. no master known yet): back off and ask again.
    Lost(Disconnect),
    /// Over for good without trying (e.g. the framework was torn down).
    End(T),
}

/// What a decoded event means to the loop.
pub(crate) enum Seen<T> {
    /// SUBSCRIBED: the stream is healthy; `budget` is the silence allowed
    /// from now on, if the event announced a heartbeat interval.
    Subscribed { budget: Option<Duration> },
    /// Any other event (HEARTBEAT included: every decoded event is a sign
    /// of life).
    Other,
    /// An event after which the subscription is over for good (e.g. the
    /// master's ERROR): delivered, then the loop terminates with this.
    Final(T),
}

/// Why the subscription ended for good, as the loop knows it; the protocol
/// turns it into its own termination type ([`Protocol::terminated`]).
pub(crate) enum End<T> {
    /// `close()`, or the last handle dropped.
    Closed,
    /// The peer refused SUBSCRIBE itself (400, 401, 403, 405, 406, 415).
    Refused(Error),
    /// Every peer answered 404: nothing serves this API at these URLs.
    NotFound {
        /// The URLs tried, in order.
        urls: Vec<String>,
    },
    /// The protocol's own reason (torn down, ERROR event, gave up, ...).
    Own(T),
}

/// What to do after a lost stream or a failed attempt.
pub(crate) enum Next<I, T> {
    /// Deliver `items` (Disconnected, Reconnecting), sleep `delay`, retry.
    Retry { items: Vec<I>, delay: Duration },
    /// Deliver `items`, then end with `termination`.
    End { items: Vec<I>, termination: T },
}

/// One event-stream API. Called from the reader thread only.
pub(crate) trait Protocol {
    /// A decoded event.
    type Event;
    /// What the event channel carries.
    type Item: Send;
    /// The protocol's own reasons to end for good.
    type Termination;

    /// Close flag, stream agent, watchdog.
    fn control(&self) -> &Control;
    /// How to talk HTTP (agents, encoding).
    fn settings(&self) -> &HttpSettings;
    /// The largest record accepted.
    fn max_record_size(&self) -> usize;
    /// The silence allowed on a stream until SUBSCRIBED says otherwise
    /// (`Duration::MAX`: no watchdog).
    fn initial_budget(&self) -> Duration;

    /// Prepares the next attempt.
    fn start(&mut self) -> Start<Self::Termination>;
    /// Posts `body` to `target` on `agent` (following redirects if the API
    /// has them); the response whatever its status. The loop stops waiting
    /// (with [`Error::Closed`]) when `stop` disconnects: a connect or a name
    /// lookup cannot be interrupted, so the exchange runs on a helper thread.
    fn post(
        &self,
        agent: &Agent,
        target: &Endpoint,
        body: &[u8],
        stop: &Receiver<()>,
    ) -> Result<Posted, Error>;
    /// Posting to `target` failed: forget it as a hint, if it was one.
    fn post_failed(&mut self, target: &Endpoint) {
        let _ = target;
    }
    /// A peer answered 200: check the response head (e.g. a stream id is
    /// required) and remember what the stream needs.
    fn opened(&mut self, endpoint: &Endpoint, headers: &HeaderMap) -> Result<(), Error>;

    /// Decodes one record.
    fn decode(&self, encoding: Encoding, record: &[u8]) -> Result<Self::Event, DecodeError>;
    /// Books a decoded event before it is delivered; may return items to
    /// deliver before it (e.g. the Subscribed connection state).
    fn seen(&mut self, event: &Self::Event, items: &mut Vec<Self::Item>)
        -> Seen<Self::Termination>;
    /// The item that delivers `event`.
    fn event_item(&self, event: Self::Event) -> Self::Item;
    /// The item for a record that could not be decoded.
    fn undecodable_item(&self, error: DecodeError, record: Vec<u8>) -> Self::Item;
    /// The item for a peer that answered 200 at `url`.
    fn connected_item(&self, url: String) -> Self::Item;
    /// The last item.
    fn terminated_item(&self, end: End<Self::Termination>) -> Self::Item;

    /// The stream ended on its own (the peer closed it): `Some` when that
    /// end is final (e.g. after TEARDOWN or SHUTDOWN).
    fn ended(&mut self) -> Option<Self::Termination> {
        None
    }
    /// The retry policy: after `reason` (`healthy`: the stream had got as
    /// far as SUBSCRIBED), retry after a delay or end.
    fn lost(&mut self, reason: Disconnect, healthy: bool) -> Next<Self::Item, Self::Termination>;
    /// No subscription is active any more (the stream ended, or the loop
    /// stopped, also by a panic).
    fn unsubscribed(&self);
}
