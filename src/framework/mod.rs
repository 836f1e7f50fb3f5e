//! The framework layer: what every correct Mesos framework must do and the
//! Mesos docs leave to each author, done once on top of [`Scheduler`].
//!
//! - **A durable framework id** ([`FrameworkStore`], [`FileStore`]; with
//!   the `zookeeper` feature, `ZooKeeperStore`): stored on the first
//!   SUBSCRIBED, sent on every later connect, so a restarted scheduler
//!   fails over instead of registering a new framework. A master that
//!   answers with another id ends the framework with
//!   [`FrameworkEnd::FrameworkLost`], never silently.
//! - **Exactly-once task state changes**: the application launches through
//!   [`Framework::accept`] (intents recorded before the ACCEPT goes out)
//!   and gets one [`FrameworkItem::Task`] per real change; duplicates,
//!   stale updates and reconciliation answers that repeat the known state
//!   are absorbed (and acknowledged).
//! - **Automatic reconciliation**: after every SUBSCRIBED, explicit
//!   reconciliation of every open task with backoff until each answered;
//!   periodic implicit reconciliation reporting unknown tasks; a launch
//!   watchdog.
//! - **Offers of an earlier subscription** are refused locally
//!   ([`FrameworkError::StaleOffer`]).
//! - **Counters** ([`Framework::stats`]), with a Prometheus rendering.
//!
//! ```no_run
//! use mesos_http::framework::{Framework, FrameworkItem};
//! use mesos_http::v1::FrameworkInfo;
//! use mesos_http::Scheduler;
//!
//! let info = FrameworkInfo {
//!     user: "nobody".into(),
//!     name: "demo".into(),
//!     failover_timeout: Some(7.0 * 24.0 * 3600.0),
//!     ..Default::default()
//! };
//! let mut framework = Framework::builder(Scheduler::builder("http://127.0.0.1:5050"), info)
//!     .state_dir("/var/lib/demo")
//!     .connect()?;
//! while let Some(item) = framework.next() {
//!     match item {
//!         FrameworkItem::Offers(offers) => {
//!             framework.decline(offers.into_iter().map(|o| o.id), None)?;
//!         }
//!         FrameworkItem::Task(change) => println!("{:?} is {:?}", change.task_id(), change.state()),
//!         FrameworkItem::Terminated(why) => eprintln!("ended: {why}"),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), mesos_http::framework::FrameworkError>(())
//! ```
//!
//! [`Scheduler`]: crate::Scheduler

mod builder;
mod driver;
mod file_store;
mod items;
mod reconcile;
mod stats;
mod store;
mod tracker;
#[cfg(feature = "zookeeper")]
mod zk_store;

pub use builder::FrameworkBuilder;
pub use driver::Framework;
pub use file_store::FileStore;
pub use items::{FrameworkEnd, FrameworkError, FrameworkItem, TaskChange};
pub use reconcile::ReconcileSettings;
pub use stats::{AckCounts, CallCount, FrameworkStats, ReconcileCounts, UpdateCounts};
pub use store::{FrameworkStore, MemoryStore, StoreError, StoredFramework, TaskRecord};
#[cfg(feature = "zookeeper")]
pub use zk_store::ZooKeeperStore;
