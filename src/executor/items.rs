//! What the executor's event channel carries: agent events and changes in
//! the state of the subscription (`mesos_http::executor::Item`, distinct
//! from the scheduler's `mesos_http::Item`).

use std::time::Duration;

use super::event::Event;
use crate::codec::DecodeError;
use crate::error::Error;
use crate::subscription::{events_type, Disconnect};
use crate::v1;

events_type!(
    /// The receiving end of the executor's event channel. Derefs to
    /// crossbeam's [`Receiver`](crossbeam_channel::Receiver), so `iter()`,
    /// `recv_timeout()`, `try_recv()` and `select!`
    /// (`recv(events.receiver())`) all work. The last item is
    /// [`ConnectionState::Terminated`]; the channel closes after it (after
    /// `close()` too, or once the last [`Executor`](super::Executor) handle
    /// is dropped).
    ///
    /// Dropping `Events` closes the executor: nobody would read its
    /// events, so the subscription stops and calls fail with
    /// [`Error::Closed`].
    Events,
    Item
);

/// One item from the executor's event channel.
#[derive(Debug)]
pub enum Item {
    /// An event from the agent.
    Event(Event),
    /// The subscription changed state.
    Connection(ConnectionState),
    /// A record that could not be decoded; the stream goes on. Sixteen in
    /// a row mean the stream as a whole is unreadable: it is dropped
    /// ([`Disconnect::Protocol`]) and, if the executor checkpoints, it
    /// subscribes again.
    Undecodable {
        /// Why.
        error: DecodeError,
        /// The record's bytes.
        record: Vec<u8>,
    },
}

impl Item {
    /// The event, if this item is one.
    pub fn event(&self) -> Option<&Event> {
        match self {
            Item::Event(event) => Some(event),
            _ => None,
        }
    }
}

/// A change in the state of the executor's subscription.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectionState {
    /// The agent answered SUBSCRIBE with 200; SUBSCRIBED comes next.
    Connected {
        /// The executor endpoint's URL.
        agent: String,
    },
    /// SUBSCRIBED arrived: calls can be sent.
    Subscribed {
        /// The agent's id.
        agent_id: v1::AgentID,
        /// How many launched, unacknowledged tasks this SUBSCRIBE re-sent
        /// (0 on the first subscription).
        resent_tasks: usize,
        /// How many unacknowledged updates this SUBSCRIBE re-sent (0 on
        /// the first subscription).
        resent_updates: usize,
    },
    /// The stream ended or an attempt failed (the [`Disconnect`] reasons
    /// every stream shares; heartbeat and leader reasons never occur here,
    /// and `master` names the agent). A
    /// checkpointing executor retries (see `Reconnecting`); any other one
    /// terminates.
    Disconnected(Disconnect),
    /// The next attempt starts after `delay` (random in `[0, backoff max]`).
    Reconnecting {
        /// The delay.
        delay: Duration,
        /// Attempts since the last subscription, starting at 1.
        attempt: u32,
        /// Time left before the recovery timeout ends the retries.
        remaining: Duration,
    },
    /// The subscription is over for good; the last item before the channel
    /// closes (also after `close()`: [`Termination::Closed`], unless the
    /// channel is full at that moment — closing never waits for the
    /// application). The executor should kill its tasks and exit.
    Terminated(Termination),
}

/// Why the subscription ended for good.
#[derive(Debug)]
#[non_exhaustive]
pub enum Termination {
    /// Disconnected while the framework does not checkpoint: the agent will
    /// not wait for this executor (`MESOS_CHECKPOINT` unset or 0).
    NotCheckpointing,
    /// Not subscribed again within the recovery timeout.
    RecoveryTimeout(Duration),
    /// The stream ended after a SHUTDOWN event.
    Shutdown,
    /// The agent refused SUBSCRIBE (400, 401, 403, 405, 406, 415).
    Refused(Error),
    /// The agent answered SUBSCRIBE with 404: no executor API at this URL.
    NotFound {
        /// The URL tried.
        urls: Vec<String>,
    },
    /// The application closed the executor (`close()`, or the last handle
    /// dropped).
    Closed,
}
