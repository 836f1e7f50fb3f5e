//! What the [`Framework`](super::Framework) loop hands the application,
//! and how the framework layer fails.

use std::fmt;

use super::stats::AckGuard;
use super::store::StoreError;
use crate::error::Error;
use crate::v1::task_status::Reason;
use crate::v1::{FrameworkID, Offer, OfferID, TaskID, TaskState, TaskStatus};
use crate::{ConnectionState, Item, Received, Termination};

/// One item for the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum FrameworkItem {
    /// Subscribed (first time or again). Reconciliation of every open task
    /// has begun; offers from earlier subscriptions are void.
    Subscribed {
        /// The framework id (stored, when a store is configured).
        framework_id: FrameworkID,
        /// The master's URL.
        master: String,
        /// Whether the framework id came from the store (or the given
        /// FrameworkInfo): a failed-over framework, not a new one.
        resumed: bool,
    },
    /// New offers, valid until rescinded, used, or the next subscription.
    Offers(Vec<Offer>),
    /// An offer was withdrawn by the master.
    Rescinded(OfferID),
    /// A task the application launched changed state: delivered once per
    /// real change (see [`TaskChange`]).
    Task(TaskChange),
    /// An update about a task the application did not launch (or that was
    /// forgotten): kill it or adopt it
    /// ([`Framework::track_launch`](super::Framework::track_launch)).
    UnknownTask(TaskChange),
    /// Any other event (MESSAGE, FAILURE, inverse offers, operation
    /// updates, ...), as the scheduler delivered it.
    Event(Received),
    /// The connection changed state (connected, disconnected, reconnecting).
    /// `Subscribed` and `Terminated` come as their own items.
    Connection(ConnectionState),
    /// A record that could not be decoded (see [`Item::Undecodable`]).
    Other(Item),
    /// The framework's subscription is over for good; the last item.
    Terminated(FrameworkEnd),
}

/// A task's state change. With a uuid, the update is acknowledged when this
/// value is dropped — after the application is done with it; an end was
/// already written to the store before it was handed over.
#[derive(Debug)]
pub struct TaskChange {
    /// The status as the master sent it.
    pub status: TaskStatus,
    /// The state held before (`None`: launched, no update yet; always `None`
    /// for an unknown task).
    pub previous: Option<TaskState>,
    /// Acknowledges on drop.
    pub(crate) ack: Option<AckGuard>,
}

impl TaskChange {
    /// The task's id.
    pub fn task_id(&self) -> &TaskID {
        &self.status.task_id
    }

    /// The new state.
    pub fn state(&self) -> TaskState {
        self.status.state
    }

    /// Whether the task has ended (the tracker forgets it after the grace
    /// period).
    pub fn is_terminal(&self) -> bool {
        self.status.state.is_terminal()
    }

    /// Whether this says the master has no trace of a launch the
    /// application recorded and never heard of: the first update of the
    /// task is a reconciliation answer of TASK_LOST, TASK_GONE or
    /// TASK_UNKNOWN. Typically the ACCEPT never reached the master (the
    /// scheduler died between recording the launch and sending it), so the
    /// task may be launched again under the same id.
    pub fn launch_unknown_to_master(&self) -> bool {
        self.previous.is_none()
            && self.status.reason == Some(Reason::REASON_RECONCILIATION)
            && matches!(
                self.status.state,
                TaskState::TASK_LOST | TaskState::TASK_GONE | TaskState::TASK_UNKNOWN
            )
    }

    /// Acknowledges now (when the update needs it) and returns the result,
    /// instead of queueing the acknowledgement on drop.
    pub fn acknowledge(mut self) -> Result<(), Error> {
        match self.ack.take() {
            Some(ack) => ack.acknowledge(),
            None => Ok(()),
        }
    }
}

/// Why a framework's subscription ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum FrameworkEnd {
    /// The subscription itself ended (see [`Termination`]).
    Subscription(Termination),
    /// The master answered with another framework id than the stored one:
    /// the framework the store describes is gone (its failover timeout
    /// expired, or the master lost it), and its tasks with it. The client
    /// closed without touching the store: the application must decide
    /// (clear the store and start again, or alert someone).
    FrameworkLost {
        /// The id in the store.
        stored: FrameworkID,
        /// The id the master assigned.
        assigned: FrameworkID,
    },
    /// The store failed while recording the framework id; the client
    /// closed rather than run a framework it could not find again.
    Store(StoreError),
}

impl fmt::Display for FrameworkEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameworkEnd::Subscription(why) => why.fmt(f),
            FrameworkEnd::FrameworkLost { stored, assigned } => write!(
                f,
                "framework {} is lost: the master assigned {}",
                stored.value, assigned.value
            ),
            FrameworkEnd::Store(err) => write!(f, "the framework store failed: {err}"),
        }
    }
}

/// Why a framework-level call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FrameworkError {
    /// The call failed (see [`Error`]).
    Call(Error),
    /// The store failed; for a launch, nothing was sent.
    Store(StoreError),
    /// The offer is not outstanding on the current subscription: it came
    /// before a re-subscription, was rescinded, or was already used.
    /// Refused locally; nothing was sent.
    StaleOffer(OfferID),
    /// The configuration cannot work (e.g. a store without a failover
    /// timeout).
    Config(String),
}

impl fmt::Display for FrameworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameworkError::Call(err) => err.fmt(f),
            FrameworkError::Store(err) => err.fmt(f),
            FrameworkError::StaleOffer(id) => write!(
                f,
                "offer {} is not outstanding on the current subscription",
                id.value
            ),
            FrameworkError::Config(detail) => write!(f, "framework configuration: {detail}"),
        }
    }
}

impl std::error::Error for FrameworkError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FrameworkError::Call(err) => Some(err),
            FrameworkError::Store(err) => Some(err),
            _ => None,
        }
    }
}

impl From<Error> for FrameworkError {
    fn from(err: Error) -> Self {
        FrameworkError::Call(err)
    }
}

impl From<StoreError> for FrameworkError {
    fn from(err: StoreError) -> Self {
        FrameworkError::Store(err)
    }
}
