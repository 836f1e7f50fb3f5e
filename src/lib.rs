//! mesos-http: a sync-first client for the Apache Mesos v1 HTTP APIs.
#![warn(missing_docs)]

pub mod codec;

/// RecordIO framing of the event stream: an incremental, allocation-capped
/// decoder and the matching encoder (no I/O).
pub mod recordio;

/// The Mesos v1 schema as Rust types (generated from `pb/`).
#[rustfmt::skip]
#[allow(clippy::all)]
pub mod v1;
