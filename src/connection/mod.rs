//! The connection layer under [`crate::scheduler`]: finding the masters,
//! following the leader, the SUBSCRIBE stream on its own reader thread, the
//! heartbeat watchdog, reconnection with backoff, and posting calls.
//!
//! The public pieces are the ones an application configures: where the
//! masters are ([`Masters`](crate::connection::Masters),
//! [`MasterDetector`](crate::connection::MasterDetector),
//! [`Endpoint`](crate::connection::Endpoint)), how to back off
//! ([`Backoff`](crate::connection::Backoff)) and how to authenticate
//! ([`Credentials`](crate::connection::Credentials)).

mod backoff;
mod calls;
mod control;
mod endpoint;
mod http;
mod masters;
mod reader;
mod session;
mod shared;

pub use backoff::Backoff;
pub use endpoint::{Endpoint, Scheme, SCHEDULER_PATH};
pub use http::{Credentials, STREAM_ID_HEADER};
pub use masters::{MasterDetector, Masters, StaticMasters};

pub(crate) use http::HttpSettings;
pub(crate) use reader::Reader;
pub(crate) use session::Session;
pub(crate) use shared::{Shared, StreamOptions};
