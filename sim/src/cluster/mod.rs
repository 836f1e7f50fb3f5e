//! The one cluster state every simulated master of a group shares: masters and
//! leadership, frameworks and their event streams, agents, offers and tasks.
//! All of it sits behind one mutex; a condvar wakes anyone waiting for a change.

pub mod agents;
pub mod events;
pub mod executors;
pub mod frameworks;
pub mod http_executors;
pub mod links;
pub mod offers;
pub mod reconcile;
pub mod tasks;
pub mod updates;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use mesos_http::codec::Encoding;
use mesos_http::v1::scheduler::Event;
use mesos_http::v1::FrameworkInfo;

use super::config::SimConfig;
use super::resources::Res;
pub use agents::Agent;
pub use tasks::Task;

/// What a connection thread is told to write on a subscription stream.
#[derive(Debug)]
pub enum StreamMsg {
    /// One RecordIO record, written as one HTTP chunk and flushed.
    Record(Vec<u8>),
    /// End the chunked body (`0\r\n\r\n`) and keep the connection.
    End,
    /// Close the TCP connection at once (between records).
    Abort,
    /// Write only part of the next record, then close the TCP connection.
    CutNextRecord,
    /// Write these bytes as one HTTP chunk, verbatim (e.g. a garbage RecordIO header).
    RawChunk(Vec<u8>),
    /// Announce a record of this many bytes and stream filler bytes for it.
    Oversized(u64),
}

/// A subscription stream as the cluster sees it.
#[derive(Debug, Clone)]
pub struct StreamHandle {
    /// The `Mesos-Stream-Id`.
    pub id: String,
    /// Negotiated record encoding.
    pub encoding: Encoding,
    /// Where records go.
    pub tx: Sender<StreamMsg>,
    /// When the next HEARTBEAT is due.
    pub next_heartbeat: Instant,
}

impl StreamHandle {
    /// Encodes and queues one event (a scheduler or an executor event).
    pub fn send<M: mesos_http::codec::Message>(&self, event: &M) {
        let _ = self.tx.send(StreamMsg::Record(self.encoding.encode(event)));
    }

    /// Queues a control message.
    pub fn control(&self, msg: StreamMsg) {
        let _ = self.tx.send(msg);
    }
}

/// One master of the group.
#[derive(Debug, Clone)]
pub struct MasterIdentity {
    /// The master's id (a UUID; prefixes framework, agent and offer ids).
    pub id: String,
    /// Its listening port.
    pub port: u16,
}

/// A refusal filter installed by DECLINE (or ACCEPT) with `refuse_seconds`.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The agent.
    pub agent_id: String,
    /// Resources refused; offers of a subset stay filtered.
    pub resources: Res,
    /// When the filter lapses.
    pub expires: Instant,
}

/// A framework known to the master.
#[derive(Debug)]
pub struct Framework {
    /// Its id.
    pub id: String,
    /// Latest FrameworkInfo (id filled in).
    pub info: FrameworkInfo,
    /// Current subscription, if connected.
    pub stream: Option<StreamHandle>,
    /// Set while disconnected: the framework is removed at this instant.
    pub failover_deadline: Option<Instant>,
    /// Roles for which the framework asked not to get offers.
    pub suppressed: BTreeSet<String>,
    /// Active refusal filters.
    pub filters: Vec<Filter>,
    /// How many times it subscribed (first subscription = 1).
    pub subscriptions: u32,
}

/// Fault injection switches that apply to requests.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// The next N requests to the endpoint get 503.
    pub fail_next: u32,
    /// Sleep this long before answering each request.
    pub delay: Option<Duration>,
    /// Heartbeats are not sent while set (connections stay open).
    pub stall_heartbeats: bool,
    /// The next N responses carry `Connection: close` and the server closes after them.
    pub close_next: u32,
    /// Masters (by index) that answer every request with 307 and this `Location`.
    pub redirects: BTreeMap<usize, String>,
    /// The next N executor UPDATE calls are answered 202 but lost, and the
    /// executor's stream is dropped (an agent failing before it checkpoints).
    pub lose_executor_updates: u32,
    /// While set, requests are read but never answered; a held connection
    /// is closed unanswered once the fault is cleared.
    pub hang: bool,
    /// How the next SUBSCRIBE responses' head is falsified.
    pub stream_head: StreamHeadFault,
}

/// A falsified SUBSCRIBE response head (fault injection).
#[derive(Debug, Default, Clone, PartialEq)]
pub enum StreamHeadFault {
    /// The true head.
    #[default]
    None,
    /// Every stream answers with this `Content-Type` until cleared.
    ContentType(String),
    /// The next stream's head has no `Mesos-Stream-Id`.
    MissingStreamId,
    /// The next stream's head carries this `Mesos-Stream-Id` rather than the
    /// one the master associates with the framework (its calls get 400).
    WrongStreamId(String),
}

/// Timer settings copied from the config.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Heartbeat interval.
    pub heartbeat: Duration,
    /// First status-update retry interval.
    pub retry_min: Duration,
    /// Maximum status-update retry interval.
    pub retry_max: Duration,
    /// Periodic allocation interval.
    pub allocation: Duration,
    /// Offer timeout.
    pub offer_timeout: Option<Duration>,
    /// Grace period between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
    /// Default wait between an executor's SHUTDOWN and its kill.
    pub executor_shutdown_grace: Duration,
    /// `MESOS_RECOVERY_TIMEOUT` for checkpointing executors.
    pub executor_recovery_timeout: Duration,
    /// `MESOS_SUBSCRIPTION_BACKOFF_MAX` for checkpointing executors.
    pub executor_backoff_max: Duration,
    /// How long an executor may take to subscribe.
    pub executor_registration_timeout: Duration,
}

/// An outstanding offer.
#[derive(Debug, Clone)]
pub struct OfferState {
    /// Offer id.
    pub id: String,
    /// Framework it went to.
    pub framework_id: String,
    /// Agent it is on.
    pub agent_id: String,
    /// Resources offered.
    pub resources: Res,
    /// Role it was allocated to.
    pub role: String,
    /// When it was made.
    pub created: Instant,
}

/// The whole simulated cluster.
#[derive(Debug)]
pub struct Cluster {
    /// Masters of the group (index = position).
    pub masters: Vec<MasterIdentity>,
    /// Index of the leading master, if any.
    pub leader: Option<usize>,
    /// Version reported in master_info.
    pub version: String,
    /// Timer settings.
    pub timing: Timing,
    /// Accepted `(principal, secret)` pairs; empty = no authentication.
    pub credentials: Vec<(String, String)>,
    /// Executor endpoints require their executor's Bearer token.
    pub authenticate_executors: bool,
    /// Request fault switches.
    pub faults: Faults,
    /// Known frameworks.
    pub frameworks: BTreeMap<String, Framework>,
    /// Ids of frameworks torn down or timed out (`Framework has been removed`).
    pub removed_frameworks: BTreeSet<String>,
    /// Registered agents.
    pub agents: BTreeMap<String, Agent>,
    /// Outstanding offers.
    pub offers: BTreeMap<String, OfferState>,
    /// Tasks by (framework id, task id).
    pub tasks: BTreeMap<(String, String), Task>,
    /// Running executors other than command executors.
    pub executors: BTreeMap<executors::ExecutorKey, executors::Executor>,
    /// Tasks that reached a terminal state and were acknowledged (or removed), newest last.
    pub completed_tasks: Vec<Task>,
    /// Data of MESSAGE calls, as (agent id, executor id, data).
    pub messages: Vec<(String, String, Vec<u8>)>,
    /// Next framework number.
    pub next_framework: u64,
    /// Next offer number.
    pub next_offer: u64,
    /// Next agent number (for agents without a configured id).
    pub next_agent: u64,
    /// Round-robin cursor of the allocator.
    pub allocation_cursor: usize,
    /// Set when something changed that may allow new offers.
    pub allocation_dirty: bool,
    /// When the allocator runs next regardless.
    pub next_allocation: Instant,
    /// Root of local agents' sandboxes.
    pub work_dir: PathBuf,
    /// Whether `work_dir` was created by us (removed on stop).
    pub owns_work_dir: bool,
    /// Events written per framework, for the control API.
    pub events_sent: BTreeMap<String, u64>,
    /// ACKNOWLEDGE calls received per status uuid (matching or not).
    pub acks_received: BTreeMap<Vec<u8>, u32>,
    /// Requests to the scheduler endpoint, per master (index = position).
    pub requests_received: Vec<u64>,
}

impl Cluster {
    /// A cluster for `config`, with `masters` already bound.
    pub fn new(
        config: &SimConfig,
        masters: Vec<MasterIdentity>,
        work_dir: PathBuf,
        owns_work_dir: bool,
    ) -> Cluster {
        let now = Instant::now();
        let requests_received = vec![0; masters.len()];
        let mut cluster = Cluster {
            masters,
            leader: Some(0),
            version: config.version.clone(),
            timing: Timing {
                heartbeat: config.heartbeat_interval,
                retry_min: config.status_update_retry_min,
                retry_max: config.status_update_retry_max,
                allocation: config.allocation_interval,
                offer_timeout: config.offer_timeout,
                kill_grace: config.kill_grace_period,
                executor_shutdown_grace: config.executor_shutdown_grace_period,
                executor_recovery_timeout: config.executor_recovery_timeout,
                executor_backoff_max: config.executor_backoff_max,
                executor_registration_timeout: config.executor_registration_timeout,
            },
            authenticate_executors: config.authenticate_executors,
            credentials: config.credentials.clone(),
            faults: Faults::default(),
            frameworks: BTreeMap::new(),
            removed_frameworks: BTreeSet::new(),
            agents: BTreeMap::new(),
            offers: BTreeMap::new(),
            tasks: BTreeMap::new(),
            executors: BTreeMap::new(),
            completed_tasks: Vec::new(),
            messages: Vec::new(),
            next_framework: 0,
            next_offer: 0,
            next_agent: 0,
            allocation_cursor: 0,
            allocation_dirty: false,
            next_allocation: now,
            work_dir,
            owns_work_dir,
            events_sent: BTreeMap::new(),
            acks_received: BTreeMap::new(),
            requests_received,
        };
        for spec in &config.agents {
            cluster.add_agent(spec.clone());
        }
        cluster
    }

    /// The id prefix for new ids: the leader's (or the first master's) id.
    pub fn id_prefix(&self) -> String {
        let index = self.leader.unwrap_or(0);
        self.masters
            .get(index)
            .map(|m| m.id.clone())
            .unwrap_or_default()
    }

    /// Sends `event` to the framework's current stream; dropped when it is
    /// disconnected (like the master, which relies on agent retries).
    pub fn send_event(&mut self, framework_id: &str, event: &Event) {
        if let Some(stream) = self
            .frameworks
            .get(framework_id)
            .and_then(|f| f.stream.as_ref())
        {
            stream.send(event);
            *self
                .events_sent
                .entry(framework_id.to_string())
                .or_insert(0) += 1;
        }
    }

    /// One pass over every timer: heartbeats, failover timeouts, status-update
    /// retries, task runners, offer timeouts and the allocator.
    pub fn tick(&mut self, now: Instant) {
        self.heartbeats(now);
        self.expire_failover_timeouts(now);
        self.run_tasks(now);
        self.run_http_executors(now);
        self.retry_status_updates(now);
        self.expire_offers(now);
        if self.allocation_dirty || now >= self.next_allocation {
            self.allocate(now);
        }
    }

    fn heartbeats(&mut self, now: Instant) {
        if self.faults.stall_heartbeats {
            return;
        }
        let interval = self.timing.heartbeat;
        let beat = events::heartbeat();
        for framework in self.frameworks.values_mut() {
            if let Some(stream) = framework.stream.as_mut() {
                if now >= stream.next_heartbeat {
                    stream.send(&beat);
                    stream.next_heartbeat = now + interval;
                }
            }
        }
    }

    /// Closes every stream abruptly (used on leader change and shutdown).
    pub fn abort_all_streams(&mut self) {
        for framework in self.frameworks.values_mut() {
            if let Some(stream) = framework.stream.take() {
                stream.control(StreamMsg::Abort);
            }
        }
    }
}

/// The cluster plus what threads need to coordinate around it.
#[derive(Debug)]
pub struct Shared {
    /// The state.
    pub state: Mutex<Cluster>,
    /// Notified after every change.
    pub changed: Condvar,
    /// Set when the masters stop.
    pub stop: AtomicBool,
    /// Open connections, so stopping can shut them down.
    pub connections: Mutex<BTreeMap<u64, TcpStream>>,
    /// Connection counter.
    pub next_connection: AtomicU64,
    /// TLS server config when serving HTTPS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Shared {
    /// Locks the state (a poisoned lock is recovered: the state stays usable).
    pub fn lock(&self) -> MutexGuard<'_, Cluster> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the state and wakes waiters.
    pub fn update<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let result = {
            let mut guard = self.lock();
            f(&mut guard)
        };
        self.changed.notify_all();
        result
    }
}
