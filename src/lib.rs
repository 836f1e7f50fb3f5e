//! mesos-http: a sync-first client for the Apache Mesos v1 HTTP APIs.
#![warn(missing_docs)]

pub mod codec;

/// A simulated Mesos master (feature `sim`): a local stand-in for a cluster
/// and the test bed for the client.
#[cfg(feature = "sim")]
pub mod sim;

/// The Mesos v1 schema as Rust types (generated from `pb/`).
#[rustfmt::skip]
#[allow(clippy::all)]
pub mod v1;
