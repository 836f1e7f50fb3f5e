//! Starting, steering and stopping simulated masters: the API tests and tools use.

use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::cluster::{Cluster, MasterIdentity, Shared, StreamHeadFault, StreamMsg};
use super::config::{AgentKind, AgentSpec, SimConfig};
use super::server::Site;
use super::view::ClusterView;
use super::{ids, server, tls};

/// Everything a running group owns; stopping it ends all threads.
struct Runtime {
    shared: Arc<Shared>,
    addrs: Vec<SocketAddr>,
    /// Executor endpoints of local agents.
    agent_addrs: Mutex<Vec<SocketAddr>>,
    tls: bool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    stopped: AtomicBool,
}

impl Runtime {
    fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        self.shared.stop.store(true, Ordering::SeqCst);
        let (work_dir, owned) = self.shared.update(|c| {
            c.abort_all_streams();
            for task in c.tasks.values_mut() {
                task.runner.kill_now();
            }
            // Executor processes are killed as they are dropped.
            c.executors.clear();
            (c.work_dir.clone(), c.owns_work_dir)
        });
        let agent_addrs = self
            .agent_addrs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for addr in self.addrs.iter().chain(&agent_addrs) {
            let _ = TcpStream::connect_timeout(addr, Duration::from_secs(1));
        }
        for (_, conn) in self
            .shared
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
        let threads: Vec<JoinHandle<()>> = self
            .threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for t in threads {
            let _ = t.join();
        }
        if owned {
            let _ = fs::remove_dir_all(work_dir);
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start_runtime(count: usize, config: SimConfig) -> io::Result<Arc<Runtime>> {
    let tls_config = match &config.tls {
        Some(identity) => Some(
            tls::server_config(identity, config.tls_client_ca_der.as_deref())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?,
        ),
        None => None,
    };
    let mut listeners = Vec::new();
    let mut masters = Vec::new();
    for i in 0..count.max(1) {
        let port = if i == 0 { config.port } else { 0 };
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        masters.push(MasterIdentity {
            id: ids::uuid_v4_string(),
            port: addr.port(),
        });
        listeners.push((listener, addr));
    }
    let (work_dir, owned) = match &config.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("mesos-sim-{}", ids::uuid_v4_string())),
            true,
        ),
    };
    fs::create_dir_all(&work_dir)?;
    let cluster = Cluster::new(&config, masters, work_dir, owned);
    let shared = Arc::new(Shared {
        state: Mutex::new(cluster),
        changed: std::sync::Condvar::new(),
        stop: AtomicBool::new(false),
        connections: Mutex::new(Default::default()),
        next_connection: AtomicU64::new(0),
        tls: tls_config,
    });
    let mut threads = Vec::new();
    let mut addrs = Vec::new();
    for (index, (listener, addr)) in listeners.into_iter().enumerate() {
        addrs.push(addr);
        let shared = Arc::clone(&shared);
        threads.push(
            thread::Builder::new()
                .name(format!("mesos-sim-accept-{index}"))
                .spawn(move || server::accept_loop(shared, listener, Site::Master(index)))?,
        );
    }
    let tick = config.tick.max(Duration::from_millis(1));
    let ticker_shared = Arc::clone(&shared);
    threads.push(
        thread::Builder::new()
            .name("mesos-sim-ticker".to_string())
            .spawn(move || {
                while !ticker_shared.stop.load(Ordering::SeqCst) {
                    ticker_shared.update(|c| c.tick(Instant::now()));
                    thread::sleep(tick);
                }
            })?,
    );
    let runtime = Arc::new(Runtime {
        shared,
        addrs,
        agent_addrs: Mutex::new(Vec::new()),
        tls: config.tls.is_some(),
        threads: Mutex::new(threads),
        stopped: AtomicBool::new(false),
    });
    let agents = runtime
        .shared
        .lock()
        .agents
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    for agent_id in agents {
        runtime.serve_executors(&agent_id)?;
    }
    Ok(runtime)
}

impl Runtime {
    /// Opens the executor endpoint of a local agent on its own port.
    fn serve_executors(&self, agent_id: &str) -> io::Result<()> {
        let local = self
            .shared
            .lock()
            .agents
            .get(agent_id)
            .is_some_and(|a| a.spec.kind == AgentKind::Local);
        if !local {
            return Ok(());
        }
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        self.shared.update(|c| {
            if let Some(agent) = c.agents.get_mut(agent_id) {
                agent.executor_port = Some(addr.port());
            }
        });
        let shared = Arc::clone(&self.shared);
        let site = Site::Agent(agent_id.to_string());
        let thread = thread::Builder::new()
            .name(format!("mesos-sim-agent-{}", addr.port()))
            .spawn(move || server::accept_loop(shared, listener, site))?;
        self.agent_addrs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(addr);
        self.threads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(thread);
        Ok(())
    }
}

/// A running simulated master. Dropping the last handle of a group stops it
/// (streams close, local task processes are killed, the temp sandbox is removed).
#[derive(Clone)]
pub struct SimMaster {
    rt: Arc<Runtime>,
    index: usize,
}

impl std::fmt::Debug for SimMaster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMaster")
            .field("addr", &self.addr())
            .finish()
    }
}

impl SimMaster {
    /// Starts one leading master on 127.0.0.1 (port from the config, 0 = ephemeral).
    pub fn start(config: SimConfig) -> io::Result<SimMaster> {
        Ok(SimMaster {
            rt: start_runtime(1, config)?,
            index: 0,
        })
    }

    /// The socket address this master listens on.
    pub fn addr(&self) -> SocketAddr {
        self.rt.addrs[self.index]
    }

    /// `http://127.0.0.1:PORT` (or `https://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.rt.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.addr().port())
    }

    /// The full scheduler endpoint URL.
    pub fn scheduler_url(&self) -> String {
        format!("{}/api/v1/scheduler", self.url())
    }

    /// This master's id (as in `master_info.id`).
    pub fn master_id(&self) -> String {
        self.rt.shared.lock().masters[self.index].id.clone()
    }

    /// Runs `f` on a view of the current state.
    pub fn with_state<R>(&self, f: impl FnOnce(&ClusterView<'_>) -> R) -> R {
        let guard = self.rt.shared.lock();
        f(&ClusterView { cluster: &guard })
    }

    /// Waits until `condition` holds (checked after every state change and
    /// every timer tick); `false` if `timeout` passed first.
    pub fn wait_for(
        &self,
        mut condition: impl FnMut(&ClusterView<'_>) -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let mut guard = self.rt.shared.lock();
        loop {
            if condition(&ClusterView { cluster: &guard }) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            guard = match self.rt.shared.changed.wait_timeout(guard, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Registers another agent; returns its id. A local agent also opens
    /// its executor endpoint.
    pub fn add_agent(&self, spec: AgentSpec) -> String {
        let id = self.rt.shared.update(|c| c.add_agent(spec));
        if let Err(e) = self.rt.serve_executors(&id) {
            log::warn!("agent {id}: cannot open the executor endpoint: {e}");
        }
        id
    }

    /// The executor endpoint of a local agent:
    /// `http://127.0.0.1:PORT/slave(1)/api/v1/executor`.
    pub fn executor_url(&self, agent_id: &str) -> Option<String> {
        let port = self.rt.shared.lock().agents.get(agent_id)?.executor_port?;
        Some(format!("http://127.0.0.1:{port}/slave(1)/api/v1/executor"))
    }

    /// Fault: every executor's subscription connection closes now (the
    /// agent stays up; executors re-subscribe if they checkpoint).
    pub fn close_executor_streams(&self) {
        self.rt.shared.update(|c| c.abort_executor_streams(None));
    }

    /// Fault: the next `n` executor UPDATE calls are answered 202 but lost,
    /// and the executor's stream drops (an agent failing before it
    /// checkpoints the update). The executor re-sends them on re-subscription.
    pub fn lose_next_executor_updates(&self, n: u32) {
        self.rt
            .shared
            .update(|c| c.faults.lose_executor_updates = n);
    }

    /// Fault: the agent process restarts. Its executor streams drop, its
    /// endpoint closes every connection for `downtime`, then it recovers:
    /// until its checkpointing executors are back (or the re-registration
    /// time, the executors' backoff max, is over) calls other than SUBSCRIBE
    /// and HEARTBEAT get `503 Agent has not finished recovery`.
    pub fn restart_agent(&self, agent_id: &str, downtime: Duration) -> bool {
        self.rt.shared.update(|c| {
            let reregistration = c.timing.executor_backoff_max;
            let Some(agent) = c.agents.get_mut(agent_id) else {
                return false;
            };
            let now = Instant::now();
            agent.down_until = Some(now + downtime);
            agent.recovering_until = Some(now + downtime + reregistration);
            c.abort_executor_streams(Some(agent_id));
            true
        })
    }

    /// Fault: a network partition between the agent and the master. The
    /// agent keeps running its tasks; its status updates (new ones and
    /// retries) wait at the agent, and ACKNOWLEDGEs for its tasks are
    /// dropped by the master. The master rescinds the agent's offers and
    /// makes no new ones there; it keeps the task states it last heard and
    /// answers reconciliation with them (a real master does not know yet
    /// that anything is wrong); KILLs for its tasks wait for the agent.
    /// See [`SimMaster::mark_agent_unreachable`] and [`SimMaster::heal_agent`].
    /// `false` if the agent is unknown or not registered.
    pub fn partition_agent(&self, agent_id: &str) -> bool {
        self.rt.shared.update(|c| c.partition_agent(agent_id))
    }

    /// Fault: the master gives up on a partitioned agent, as a real master
    /// does once its health checks time out (`--agent_ping_timeout` ×
    /// `--max_agent_ping_timeouts`, 75 s by default), or on an agent that did
    /// not re-register after [`SimMaster::restart_losing_state`]
    /// (`--agent_reregister_timeout`). Every task the master knew there is
    /// reported TASK_LOST (TASK_UNREACHABLE to PARTITION_AWARE frameworks),
    /// reason REASON_AGENT_REMOVED, source SOURCE_MASTER, no uuid; connected
    /// frameworks get a FAILURE for the agent. Reconciliation then answers
    /// TASK_LOST (TASK_UNREACHABLE) with REASON_RECONCILIATION for its tasks.
    /// The tasks keep running on the agent. `false` unless the agent is
    /// partitioned or recovered.
    pub fn mark_agent_unreachable(&self, agent_id: &str) -> bool {
        self.rt
            .shared
            .update(|c| c.mark_agent_unreachable(agent_id))
    }

    /// Ends a partition (or a master restart, or unreachability) for this
    /// agent: it re-registers, its running tasks are known to the master
    /// again (reconciliation answers their current state), held KILLs are
    /// carried out, and the head of each task's pending updates is sent at
    /// once, retried from the shortest interval. `false` if the agent is
    /// unknown or already registered.
    pub fn heal_agent(&self, agent_id: &str) -> bool {
        self.rt
            .shared
            .update(|c| c.reregister_agent(agent_id, Instant::now()))
    }

    /// Fault: this master restarts and loses its in-memory state, like a
    /// real master (whose registry keeps only the agents; the whole group
    /// shares one state, so every master forgets). Subscription streams
    /// drop; frameworks (and their failover timeouts), removed-framework
    /// ids, offers and the master's knowledge of tasks are gone, and the
    /// master gets a new id. Every agent keeps running its tasks but is
    /// only *recovered* until [`SimMaster::heal_agent`] re-registers it (its
    /// tasks re-appear, its held updates flow) or
    /// [`SimMaster::mark_agent_unreachable`] gives it up. Meanwhile explicit
    /// reconciliation naming such an agent gets no answer; without an agent
    /// id, or once the agent is given up, the answer is TASK_LOST
    /// (REASON_RECONCILIATION, SOURCE_MASTER) for a framework without
    /// PARTITION_AWARE. A scheduler re-subscribing with its old framework id
    /// is accepted under that id, as by a real master after a failover.
    pub fn restart_losing_state(&self) {
        let index = self.index;
        self.rt.shared.update(|c| c.restart_losing_state(index));
    }

    /// Removes an agent (offers rescinded, tasks reported lost/gone).
    pub fn remove_agent(&self, agent_id: &str) -> bool {
        self.rt.shared.update(|c| c.remove_agent(agent_id))
    }

    /// Turns Basic authentication on (non-empty) or off (empty).
    pub fn set_credentials(&self, credentials: Vec<(String, String)>) {
        self.rt.shared.update(|c| c.credentials = credentials);
    }

    /// Fault: the next `n` requests get `503 Master has not finished recovery`.
    pub fn fail_next_calls(&self, n: u32) {
        self.rt.shared.update(|c| c.faults.fail_next = n);
    }

    /// Fault: every response waits this long first (`None` to stop).
    pub fn delay_responses(&self, delay: Option<Duration>) {
        self.rt.shared.update(|c| c.faults.delay = delay);
    }

    /// Fault: stop (or resume) heartbeats while keeping connections open.
    pub fn stall_heartbeats(&self, stall: bool) {
        self.rt.shared.update(|c| c.faults.stall_heartbeats = stall);
    }

    /// Fault: the next `n` responses carry `Connection: close` and the
    /// connection is closed after each.
    pub fn close_next_responses(&self, n: u32) {
        self.rt.shared.update(|c| c.faults.close_next = n);
    }

    /// Fault: this master answers every scheduler request with `307` and this
    /// `Location` (taken verbatim), as a master that wrongly believes another
    /// one leads; `None` restores normal answers. Two masters pointing at
    /// each other make a redirect cycle.
    pub fn redirect_to(&self, location: Option<&str>) {
        let index = self.index;
        self.rt.shared.update(|c| match location {
            Some(l) => {
                c.faults.redirects.insert(index, l.to_string());
            }
            None => {
                c.faults.redirects.remove(&index);
            }
        });
    }

    /// The `Location` under which a real master would redirect to this one:
    /// `//127.0.0.1:PORT/master/api/v1/scheduler` (no scheme).
    pub fn redirect_location(&self) -> String {
        format!("//127.0.0.1:{}/master/api/v1/scheduler", self.addr().port())
    }

    /// How many requests to the scheduler endpoint this master has received
    /// (answered in any way, redirects included).
    pub fn requests_received(&self) -> u64 {
        self.rt
            .shared
            .lock()
            .requests_received
            .get(self.index)
            .copied()
            .unwrap_or(0)
    }

    fn to_streams(&self, make: impl Fn() -> StreamMsg) {
        self.rt.shared.update(|c| {
            for framework in c.frameworks.values() {
                if let Some(stream) = &framework.stream {
                    stream.control(make());
                }
            }
        });
    }

    /// Test: every subscription gets this event, encoded in its stream's
    /// encoding, as if the master had produced it (for events the
    /// simulation never makes, such as a MESSAGE with a huge payload).
    pub fn send_event(&self, event: &mesos_http::v1::scheduler::Event) {
        // Encoded outside the lock: a huge event must not stall the timers.
        let streams: Vec<_> = self.rt.shared.update(|c| {
            c.frameworks
                .values()
                .filter_map(|f| f.stream.as_ref())
                .map(|s| (s.encoding, s.tx.clone()))
                .collect()
        });
        for (encoding, tx) in streams {
            let _ = tx.send(StreamMsg::Record(encoding.encode(event)));
        }
    }

    /// Fault: close every subscription connection now, between records.
    pub fn close_streams(&self) {
        self.to_streams(|| StreamMsg::Abort);
    }

    /// Fault: every subscription is cut in the middle of its next record.
    pub fn cut_streams_mid_record(&self) {
        self.to_streams(|| StreamMsg::CutNextRecord);
    }

    /// Fault: every subscription gets a chunk with a RecordIO header that is not a number.
    pub fn send_garbage_record_header(&self) {
        self.to_streams(|| StreamMsg::RawChunk(b"not-a-length\n{}".to_vec()));
    }

    /// Fault: every subscription gets a record announced as `len` bytes (and
    /// that many filler bytes, unless the client hangs up).
    pub fn send_oversized_record(&self, len: u64) {
        self.to_streams(|| StreamMsg::Oversized(len));
    }

    /// Fault: while `true`, every request is read and never answered, as a
    /// master that accepts connections and hangs; a held connection is
    /// closed unanswered once the fault is cleared.
    pub fn hang_requests(&self, hang: bool) {
        self.rt.shared.update(|c| c.faults.hang = hang);
    }

    /// Fault: SUBSCRIBE responses carry this `Content-Type` instead of the
    /// negotiated one (`None` restores it).
    pub fn falsify_stream_content_type(&self, content_type: Option<&str>) {
        self.rt.shared.update(|c| {
            c.faults.stream_head = match content_type {
                Some(value) => StreamHeadFault::ContentType(value.to_string()),
                None => StreamHeadFault::None,
            }
        });
    }

    /// Fault: the next SUBSCRIBE response has no `Mesos-Stream-Id` header.
    pub fn omit_next_stream_id(&self) {
        self.rt
            .shared
            .update(|c| c.faults.stream_head = StreamHeadFault::MissingStreamId);
    }

    /// Fault: the next SUBSCRIBE response names a stream id other than the
    /// one the master associates with the framework, so its calls are
    /// refused (400, the stream id does not match).
    pub fn mismatch_next_stream_id(&self) {
        self.rt.shared.update(|c| {
            c.faults.stream_head = StreamHeadFault::WrongStreamId(ids::uuid_v4_string())
        });
    }

    /// Stops the whole group this master belongs to.
    pub fn stop(&self) {
        self.rt.stop();
    }

    /// Where local agents' sandboxes live.
    pub fn work_dir(&self) -> PathBuf {
        self.rt.shared.lock().work_dir.clone()
    }
}

/// Several masters sharing one cluster state, one of them leading.
#[derive(Clone)]
pub struct SimGroup {
    rt: Arc<Runtime>,
}

impl std::fmt::Debug for SimGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimGroup")
            .field("addrs", &self.rt.addrs)
            .finish()
    }
}

impl SimGroup {
    /// Starts `count` masters; master 0 leads.
    pub fn start(count: usize, config: SimConfig) -> io::Result<SimGroup> {
        Ok(SimGroup {
            rt: start_runtime(count, config)?,
        })
    }

    /// How many masters the group has.
    pub fn len(&self) -> usize {
        self.rt.addrs.len()
    }

    /// Whether the group is empty (never: a group has at least one master).
    pub fn is_empty(&self) -> bool {
        self.rt.addrs.is_empty()
    }

    /// Master `index` (panics if out of range, like slice indexing).
    pub fn master(&self, index: usize) -> SimMaster {
        assert!(
            index < self.len(),
            "no master {index} in a group of {}",
            self.len()
        );
        SimMaster {
            rt: Arc::clone(&self.rt),
            index,
        }
    }

    /// The leading master's index.
    pub fn leader(&self) -> Option<usize> {
        self.rt.shared.lock().leader
    }

    /// Moves leadership (`None`: no leader, every master answers 503). Every
    /// open subscription connection closes, as when a real leader goes away;
    /// frameworks stay known and may re-subscribe with their id.
    pub fn set_leader(&self, leader: Option<usize>) {
        let leader = leader.filter(|l| *l < self.len());
        self.rt.shared.update(|c| {
            c.leader = leader;
            c.abort_all_streams();
            c.offers.clear();
            c.allocation_dirty = true;
        });
    }

    /// Fault: moves leadership but leaves every open subscription stream
    /// running, as when the old leader has lost its election (a network
    /// partition) and its connections have not dropped yet. Calls sent to
    /// the old leader are redirected (307) to the new one, which accepts them
    /// with the still-open stream's id (the masters share one state).
    pub fn set_leader_keeping_streams(&self, leader: Option<usize>) {
        let leader = leader.filter(|l| *l < self.len());
        self.rt.shared.update(|c| c.leader = leader);
    }
}
