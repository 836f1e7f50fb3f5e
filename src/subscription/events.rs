//! The receiving end of an event channel, as one shape for every stream:
//! `events_type!(Name, Item)` defines a struct that derefs to crossbeam's
//! [`Receiver`](crossbeam_channel::Receiver) of `Item`, so `iter()`,
//! `recv_timeout()`, `try_recv()` and `select!` (`recv(events.receiver())`)
//! all work. A struct rather than an alias, so that the scheduler's and
//! the executor's are used the same way and can grow methods.

/// Defines an `Events` struct over `Receiver<$item>`; the caller writes
/// its doc comment (which must say that dropping it closes the client).
macro_rules! events_type {
    ($(#[$meta:meta])* $name:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            receiver: crossbeam_channel::Receiver<$item>,
        }

        impl $name {
            pub(crate) fn new(receiver: crossbeam_channel::Receiver<$item>) -> Self {
                $name { receiver }
            }

            /// The crossbeam receiver, for `select!`.
            pub fn receiver(&self) -> &crossbeam_channel::Receiver<$item> {
                &self.receiver
            }

            /// The crossbeam receiver, owned.
            pub fn into_receiver(self) -> crossbeam_channel::Receiver<$item> {
                self.receiver
            }
        }

        impl std::ops::Deref for $name {
            type Target = crossbeam_channel::Receiver<$item>;

            fn deref(&self) -> &crossbeam_channel::Receiver<$item> {
                &self.receiver
            }
        }

        impl<'a> IntoIterator for &'a $name {
            type Item = $item;
            type IntoIter = crossbeam_channel::Iter<'a, $item>;

            fn into_iter(self) -> Self::IntoIter {
                self.receiver.iter()
            }
        }

        impl IntoIterator for $name {
            type Item = $item;
            type IntoIter = crossbeam_channel::IntoIter<$item>;

            fn into_iter(self) -> Self::IntoIter {
                self.receiver.into_iter()
            }
        }
    };
}

pub(crate) use events_type;
