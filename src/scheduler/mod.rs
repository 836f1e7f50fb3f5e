//! The scheduler client: a `Send + Sync + Clone` handle for calls and a
//! channel of events fed by a dedicated reader thread. Its public types are
//! exported at the crate root (`mesos_http::Scheduler`, `mesos_http::Item`,
//! ...), and only there.
//!
//! ```no_run
//! use mesos_http::{Encoding, Item, Scheduler};
//! use mesos_http::event::Event;
//! use mesos_http::v1::FrameworkInfo;
//!
//! let info = FrameworkInfo { user: "nobody".into(), name: "demo".into(), ..Default::default() };
//! let (scheduler, events) = Scheduler::builder("http://127.0.0.1:5050")
//!     .framework(info)
//!     .encoding(Encoding::Protobuf)
//!     .connect()?;
//! for item in events.iter() {
//!     if let Item::Event(event) = item {
//!         if let Event::Offers(offers) = &*event {
//!             let ids = offers.offers.iter().map(|o| o.id.clone());
//!             scheduler.decline(ids, None)?;
//!         }
//!     }
//! }
//! # Ok::<(), mesos_http::Error>(())
//! ```

mod acks;
mod builder;
mod calls;
mod events;
mod handle;
mod items;
mod stream;

pub use builder::SchedulerBuilder;
pub use events::Events;
pub use handle::Scheduler;
pub use items::{ConnectionState, Item, Received, Termination};
