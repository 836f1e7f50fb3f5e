//! The receiving end of the scheduler's event channel.

use super::items::Item;
use crate::subscription::events_type;

events_type!(
    /// The receiving end of the scheduler's event channel. Derefs to
    /// crossbeam's [`Receiver`](crossbeam_channel::Receiver), so `iter()`,
    /// `recv_timeout()`, `try_recv()` and `select!`
    /// (`recv(events.receiver())`) all work. The last item is
    /// [`ConnectionState::Terminated`](crate::ConnectionState::Terminated);
    /// the channel closes after it (after `close()` too, or once the last
    /// [`Scheduler`](crate::Scheduler) handle is dropped).
    ///
    /// Dropping `Events` closes the scheduler: nobody would read its
    /// events, so the subscription stops and calls fail with
    /// [`Error::Closed`](crate::Error::Closed). The framework stays
    /// registered until its failover timeout.
    Events,
    Item
);
