//! The subscription loop every event stream runs on: subscribe, read the
//! RecordIO stream, decode, deliver, watch for silence, map how the stream
//! ended, retry or end — written once, generic over a small [`Protocol`]
//! trait that says what is particular to one API (the SUBSCRIBE call and
//! where it goes, the event decoder, what counts as SUBSCRIBED, the items
//! delivered, the retry policy). The scheduler and the executor implement
//! it; the master's Operator API event stream fits it the same way.
//!
//! Files: [`protocol`] (the trait), [`run`] (the loop and its drop guard),
//! [`refusal`] (the one table of SUBSCRIBE statuses), [`disconnect`] (why a
//! stream is lost, shared by every stream), [`events`] (the channel's
//! receiving end), `tests` (the loop against a minimal protocol).

mod disconnect;
pub(crate) mod events;
pub(crate) mod protocol;
mod refusal;
mod run;
#[cfg(test)]
mod tests;

pub use disconnect::Disconnect;
pub(crate) use events::events_type;
pub(crate) use protocol::{Attempt, End, Next, Protocol, Seen, Start};
pub(crate) use run::Subscription;
