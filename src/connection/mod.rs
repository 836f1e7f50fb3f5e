//! The connection layer under the clients: finding the masters, following
//! the leader, the heartbeat watchdog, backoff, reading a RecordIO stream,
//! and posting calls.
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
//! Layering: this module never imports `crate::scheduler` nor the
//! subscription loop built on it. The pieces that know nothing of an API —
//! HTTP plumbing (`http`), backoff, the stop/watchdog control, delivery
//! and RecordIO stream reading (`stream`) — serve every stream; the
//! scheduler's call path (calls, acknowledgements, its session state)
//! still lives here too.

mod acks;
mod backoff;
mod calls;
mod control;
mod delivery;
mod endpoint;
mod http;
mod masters;
mod session;
mod shared;
mod stream;
mod threads;
mod tls_options;
#[cfg(feature = "zookeeper")]
mod zookeeper;

pub use backoff::Backoff;
pub use endpoint::{Endpoint, Scheme, SCHEDULER_PATH};
pub use http::{Credentials, STREAM_ID_HEADER};
pub use masters::{IntoMasters, LeaderListener, MasterDetector, Masters, StaticMasters};
#[cfg(feature = "zookeeper")]
pub use zookeeper::{ZooKeeperMasters, DEFAULT_ZOOKEEPER_PORT};

pub(crate) use backoff::uniform_delay;
pub(crate) use control::{Control, Interrupt};
pub(crate) use delivery::deliver;
pub(crate) use endpoint::Role;
pub(crate) use http::{error_text, status_error, HttpSettings, Outgoing, Posted, Purpose};
pub(crate) use session::{Active, Session};
pub(crate) use shared::{Shared, StreamOptions};
pub(crate) use stream::{read_records, StreamStop};
pub(crate) use threads::join_threads;
pub(crate) use tls_options::TlsOptions;
