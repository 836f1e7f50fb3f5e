//! The connection layer under [`crate::scheduler`]: finding the masters,
//! following the leader, the SUBSCRIBE stream on its own reader thread, the
//! heartbeat watchdog, reconnection with backoff, and posting calls.
//!
//! The public pieces are the ones an application configures: where the
//! masters are ([`Masters`](crate::connection::Masters),
//! [`MasterDetector`](crate::connection::MasterDetector),
//! [`Endpoint`](crate::connection::Endpoint)), how to back off
//! ([`Backoff`](crate::connection::Backoff)) and how to authenticate
//! ([`Credentials`](crate::connection::Credentials)). With the cargo feature
//! `zookeeper`, `zk://` addresses detect the leader through ZooKeeper
//! (`ZooKeeperMasters`).
//!
//! Layering: this module never imports [`crate::scheduler`]. What the reader
//! thread emits ([`Item`](crate::connection::Item) and the connection states)
//! is defined here and re-exported by the scheduler module, so data flows one
//! way. The pieces that know nothing of the scheduler API — HTTP plumbing
//! (`http`), backoff, the stop/watchdog control and RecordIO stream reading
//! (`stream`) — are what an executor client reuses.

mod acks;
mod backoff;
mod calls;
mod control;
mod delivery;
mod endpoint;
mod http;
mod items;
mod masters;
mod read_ahead;
mod reader;
mod session;
mod shared;
mod stream;
mod threads;
#[cfg(feature = "zookeeper")]
mod zookeeper;

pub use backoff::Backoff;
pub use endpoint::{Endpoint, Scheme, SCHEDULER_PATH};
pub use http::{Credentials, STREAM_ID_HEADER};
pub use items::{ConnectionState, Disconnect, Item, Received, Termination};
pub use masters::{IntoMasters, LeaderListener, MasterDetector, Masters, StaticMasters};
#[cfg(feature = "zookeeper")]
pub use zookeeper::{ZooKeeperMasters, DEFAULT_ZOOKEEPER_PORT};

pub(crate) use backoff::uniform_delay;
pub(crate) use control::{Control, Interrupt};
pub(crate) use delivery::deliver;
pub(crate) use endpoint::Role;
pub(crate) use http::{error_text, status_error, HttpSettings, Outgoing, Purpose};
pub(crate) use read_ahead::NoIdle;
pub(crate) use reader::Reader;
pub(crate) use session::Session;
pub(crate) use shared::{Shared, StreamOptions};
pub(crate) use stream::{read_records, StreamStop};
pub(crate) use threads::join_threads;
