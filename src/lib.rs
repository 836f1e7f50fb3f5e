//! mesos-http: a sync-first client for the Apache Mesos v1 HTTP APIs.
#![warn(missing_docs)]

pub mod codec;

/// Typed constructors for the 17 scheduler calls and the offer operations.
pub mod call;
/// Scheduler events as an enum, with an `Unknown` variant that keeps the raw record.
pub mod event;
/// Resource text syntax (`cpus:1;ports:[31000-31005]`) and Mesos resource arithmetic.
pub mod resources;
/// A simulated Mesos master (feature `sim`): a local stand-in for a cluster
/// and the test bed for the client.
#[cfg(feature = "sim")]
pub mod sim;
/// The master's call and FrameworkInfo validation, with its exact wording.
pub mod validation;
/// RecordIO framing of the event stream: an incremental, allocation-capped
/// decoder and the matching encoder (no I/O).
pub mod recordio;

/// The Mesos v1 schema as Rust types (generated from `pb/`).
#[rustfmt::skip]
#[allow(clippy::all)]
pub mod v1;
