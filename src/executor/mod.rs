//! The executor side of the v1 API (`POST /api/v1/executor` on the agent):
//! a `Send + Sync + Clone` [`Executor`] handle for calls and a channel of
//! [`Item`]s fed by a reader thread. Names mirror the scheduler's
//! (`mesos_http::Scheduler`, `mesos_http::Item`); the module path tells them
//! apart: `mesos_http::executor::{Executor, Item, Event}`.
//!
//! ```no_run
//! use mesos_http::executor::{task_status, Event, Executor, Item};
//! use mesos_http::v1::TaskState;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let (executor, events) = Executor::from_env()?.connect()?;
//!     for item in events.iter() {
//!         match item {
//!             Item::Event(Event::Launch(launch)) => {
//!                 let id = &launch.task.task_id;
//!                 executor.update(task_status(id, TaskState::TASK_RUNNING))?;
//!                 executor.update(task_status(id, TaskState::TASK_FINISHED))?;
//!             }
//!             Item::Event(Event::Shutdown) => break,
//!             _ => {}
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Reliability follows the Mesos executor library: launched tasks and sent
//! updates are kept until the agent acknowledges them and re-sent in every
//! SUBSCRIBE; a checkpointing executor re-subscribes after a random delay in
//! `[0, backoff max]` until the recovery timeout, any other one ends at the
//! first disconnection.

mod builder;
pub mod env;
mod event;
mod handle;
mod items;
mod shared;
mod stream;

pub use builder::ExecutorBuilder;
pub use env::EnvError;
pub use event::{Event, UnknownEvent};
pub use handle::{task_status, Executor};
pub use items::{ConnectionState, Events, Item, Termination};
