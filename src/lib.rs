//! A sync-first client for the Apache Mesos v1 scheduler HTTP API: a reader
//! thread turns the SUBSCRIBE stream into typed [`event::Event`]s on a bounded
//! crossbeam channel, and a thread-safe [`Scheduler`] handle sends the other
//! calls as blocking requests. No async runtime.
//!
//! A complete scheduler (`examples/minimal.rs`): subscribe, launch one task on
//! the first offer that fits, acknowledge its updates, tear down when it ends.
//! Without an argument it runs against the embedded simulated master
//! (crate `mesos-http-sim`, a dev-dependency); with one it uses that master.
//!
#![doc = concat!("```no_run\n", include_str!("../examples/minimal.rs"), "\n```")]
//!
//! Where to go next: [`Scheduler::builder`] for the options (encodings,
//! credentials, TLS, backoff, heartbeats, auto-acknowledgement), [`Item`] for
//! what the channel delivers, [`call`] and [`resources`] for building calls,
//! [`v1`] for the schema types and [`codec`] for the wire formats; the
//! executor side of the API (a custom executor talking to its agent) is
//! [`executor`].
#![warn(missing_docs)]

pub mod codec;

/// Typed constructors for the 17 scheduler calls and the offer operations.
pub mod call;
/// The connection layer: master addresses and detection, leader
/// following, credentials, backoff, HTTP plumbing.
pub mod connection;
/// The one error type of the client (scheduler and executor).
pub mod error;
/// Scheduler events as an enum, with an `Unknown` variant that keeps the raw record.
pub mod event;
pub mod executor;
pub mod framework;
/// The Operator HTTP API without HTTP: typed master and agent calls, and
/// responses decoded by the type the caller expects.
pub mod operator;
/// RecordIO framing of the event stream: an incremental, allocation-capped
/// decoder and the matching encoder (no I/O).
pub mod recordio;
/// Resource text syntax (`cpus:1;ports:[31000-31005]`) and Mesos resource arithmetic.
pub mod resources;
// The subscription loop every event stream runs on.
mod subscription;
// The scheduler client; its public types are exported here, at the root.
mod scheduler;
// Task-state facts the schema does not carry: `TaskState::is_terminal`,
// an inherent method documented on `v1::TaskState` itself.
mod task_state;
/// The master's call and FrameworkInfo validation, with its exact wording.
pub mod validation;

/// The Mesos v1 schema as Rust types (generated from `pb/`).
#[rustfmt::skip]
#[allow(clippy::all)]
pub mod v1;

pub use codec::Encoding;
pub use error::Error;
pub use event::Event;
pub use scheduler::{
    ConnectionState, Events, Item, Received, Scheduler, SchedulerBuilder, Termination,
};
pub use subscription::Disconnect;
