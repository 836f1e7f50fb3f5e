//! A simulated Mesos master with local agents, speaking the real v1 scheduler
//! HTTP API on 127.0.0.1.
//!
//! It exists so that a framework can run without a cluster (like `mesos-local`)
//! and so that every test of a client has a master that answers exactly like
//! the real one: the same checks in the same order, the same status lines,
//! headers and bodies, chunked RecordIO streams flushed record by record.
//! It shares only the schema types and codecs with the client.
//!
//! ```no_run
//! use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};
//! use std::time::Duration;
//!
//! let master = SimMaster::start(
//!     SimConfig::fast(Duration::from_millis(100)).with_agent(AgentSpec::local()),
//! )?;
//! println!("scheduler endpoint: {}", master.scheduler_url());
//! let subscribed = master.wait_for(|s| !s.frameworks().is_empty(), Duration::from_secs(5));
//! # let _ = subscribed;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Pieces: [`http`] (request parsing, response writing), `endpoint` (the
//! checks in order), `cluster` (frameworks, offers, tasks, status updates),
//! `server` (connections and streams), [`control`] (start, inspect, inject faults).
//!
//! Local agents also serve the executor API (`POST /slave(1)/api/v1/executor`
//! on their own port): a task whose `ExecutorInfo` has a command runs that
//! command as a real executor process with the environment a Mesos agent
//! sets, and the agent relays between it and the scheduler
//! (`agent_endpoint`, `cluster::http_executors`).

mod accept;
mod agent_endpoint;
mod cluster;
pub mod config;
pub mod control;
mod endpoint;
pub mod http;
mod ids;
mod operator;
mod process;
mod reaper;
pub mod replay;
mod resources;
mod roles;
mod server;
mod tls;
pub mod view;

pub use cluster::links::AgentLink;
pub use config::{AgentKind, AgentSpec, ScriptStep, ScriptedTimeline, SimConfig, TlsIdentity};
pub use control::{SimGroup, SimMaster};
pub use replay::{Chunking, ReplayCounts, ReplayMaster};
pub use view::{ClusterView, ExecutorView, FrameworkView, OfferView, TaskView, UpdateView};
