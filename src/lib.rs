//! mesos-http: a sync-first client for the Apache Mesos v1 HTTP APIs.
#![warn(missing_docs)]

pub mod codec;

/// RecordIO framing of the event stream: an incremental, allocation-capped
/// decoder and the matching encoder (no I/O).
pub mod recordio;

/// The connection layer of the scheduler client: master addresses and
/// detection, leader following, credentials, backoff, the reader thread.
pub mod connection;
/// The one error type of the scheduler client.
pub mod error;
/// The scheduler client: the thread-safe [`Scheduler`] handle and its event
/// channel.
pub mod scheduler;

pub use codec::Encoding;
pub use error::Error;
pub use scheduler::{
    ConnectionState, Disconnect, Events, Item, Received, Scheduler, SchedulerBuilder, Termination,
};

/// The Mesos v1 schema as Rust types (generated from `pb/`).
#[rustfmt::skip]
#[allow(clippy::all)]
pub mod v1;
