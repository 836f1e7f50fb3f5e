//! The receiving end of the event channel. The items it carries are defined
//! by the connection layer that produces them (and re-exported here).

use std::ops::Deref;

use crossbeam_channel::Receiver;

pub use crate::connection::{ConnectionState, Disconnect, Item, Received, Termination};

/// The receiving end of the event channel. Derefs to crossbeam's
/// [`Receiver`], so `iter()`, `recv_timeout()`, `try_recv()` and `select!`
/// (`recv(events.receiver())`) all work. The channel closes after the reader
/// thread stops: after `close()`, after the last [`Scheduler`] handle is
/// dropped, or after a [`ConnectionState::Terminated`] item.
///
/// Dropping `Events` stops the subscription (nobody would read it).
///
/// [`Scheduler`]: crate::Scheduler
#[derive(Debug, Clone)]
pub struct Events {
    receiver: Receiver<Item>,
}

impl Events {
    pub(crate) fn new(receiver: Receiver<Item>) -> Self {
        Events { receiver }
    }

    /// The crossbeam receiver, for `select!`.
    pub fn receiver(&self) -> &Receiver<Item> {
        &self.receiver
    }

    /// The crossbeam receiver, owned.
    pub fn into_receiver(self) -> Receiver<Item> {
        self.receiver
    }
}

impl Deref for Events {
    type Target = Receiver<Item>;

    fn deref(&self) -> &Receiver<Item> {
        &self.receiver
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = Item;
    type IntoIter = crossbeam_channel::Iter<'a, Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.receiver.iter()
    }
}

impl IntoIterator for Events {
    type Item = Item;
    type IntoIter = crossbeam_channel::IntoIter<Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.receiver.into_iter()
    }
}
