//! How a simulated master is set up: timing, agents, authentication and TLS.

use std::path::PathBuf;
use std::time::Duration;

use mesos_http::v1::TaskState;

/// Everything a simulated master (or group of masters) starts with. Every
/// interval is configurable so tests can run the master's timers in milliseconds.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port of the first master; 0 picks a free ephemeral port.
    pub port: u16,
    /// Interval between HEARTBEAT events (default 15 s, like the real master);
    /// also reported as `heartbeat_interval_seconds`.
    pub heartbeat_interval: Duration,
    /// First status-update retry interval (default 10 s); doubles on each retry.
    pub status_update_retry_min: Duration,
    /// Upper bound of the status-update retry backoff (default 10 min).
    pub status_update_retry_max: Duration,
    /// How often the allocator runs even when nothing changed (default 1 s).
    pub allocation_interval: Duration,
    /// Offers not used within this time are rescinded (default: never).
    pub offer_timeout: Option<Duration>,
    /// Resolution of the master's timers (default 10 ms).
    pub tick: Duration,
    /// Grace period between SIGTERM and SIGKILL when a local task is killed (default 3 s).
    pub kill_grace_period: Duration,
    /// The agents registered at start.
    pub agents: Vec<AgentSpec>,
    /// `(principal, secret)` pairs; any entry turns on HTTP Basic authentication
    /// for the scheduler endpoint (realm `mesos-master-scheduler`).
    pub credentials: Vec<(String, String)>,
    /// Serve HTTPS with this identity instead of plain HTTP.
    pub tls: Option<TlsIdentity>,
    /// With `tls`: require a client certificate signed by this CA (DER), as
    /// a master behind a proxy that checks client certificates does
    /// (mutual TLS). `None`: no client certificate asked for.
    pub tls_client_ca_der: Option<Vec<u8>>,
    /// Where local agents put their sandboxes (default: a fresh directory under
    /// the system temp dir, removed when the master stops).
    pub work_dir: Option<PathBuf>,
    /// The version reported in `master_info` (default `1.12.0`).
    pub version: String,
    /// How long local agents wait after sending SHUTDOWN before killing an
    /// executor (`MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`; default 5 s, the
    /// agent's `--executor_shutdown_grace_period`), unless its ExecutorInfo
    /// says otherwise.
    pub executor_shutdown_grace_period: Duration,
    /// `MESOS_RECOVERY_TIMEOUT` given to checkpointing executors (default
    /// 15 min, the agent's `--recovery_timeout`).
    pub executor_recovery_timeout: Duration,
    /// `MESOS_SUBSCRIPTION_BACKOFF_MAX` given to checkpointing executors
    /// (default 2 s, the agent's `--executor_reregistration_timeout`).
    pub executor_backoff_max: Duration,
    /// An executor that has not subscribed this long after its launch is
    /// killed and its tasks fail (default 1 min, the agent's
    /// `--executor_registration_timeout`).
    pub executor_registration_timeout: Duration,
    /// Local agents require `Authorization: Bearer <token>` on the executor
    /// endpoint and hand each executor its token in
    /// `MESOS_EXECUTOR_AUTHENTICATION_TOKEN` (the agent's
    /// `--authenticate_http_executors`).
    pub authenticate_executors: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            heartbeat_interval: Duration::from_secs(15),
            status_update_retry_min: Duration::from_secs(10),
            status_update_retry_max: Duration::from_secs(600),
            allocation_interval: Duration::from_secs(1),
            offer_timeout: None,
            tick: Duration::from_millis(10),
            kill_grace_period: Duration::from_secs(3),
            agents: Vec::new(),
            credentials: Vec::new(),
            tls: None,
            tls_client_ca_der: None,
            work_dir: None,
            version: "1.12.0".to_string(),
            executor_shutdown_grace_period: Duration::from_secs(5),
            executor_recovery_timeout: Duration::from_secs(15 * 60),
            executor_backoff_max: Duration::from_secs(2),
            executor_registration_timeout: Duration::from_secs(60),
            authenticate_executors: false,
        }
    }
}

impl SimConfig {
    /// A config with millisecond-scale timers for tests: heartbeats every
    /// `heartbeat`, status-update retries starting at 200 ms, allocation every 50 ms,
    /// executors: 2 s shutdown grace, 10 s recovery timeout, 100 ms backoff.
    pub fn fast(heartbeat: Duration) -> Self {
        SimConfig {
            heartbeat_interval: heartbeat,
            status_update_retry_min: Duration::from_millis(200),
            status_update_retry_max: Duration::from_secs(2),
            allocation_interval: Duration::from_millis(50),
            tick: Duration::from_millis(5),
            kill_grace_period: Duration::from_secs(1),
            executor_shutdown_grace_period: Duration::from_secs(2),
            executor_recovery_timeout: Duration::from_secs(10),
            executor_backoff_max: Duration::from_millis(100),
            executor_registration_timeout: Duration::from_secs(20),
            ..SimConfig::default()
        }
    }

    /// Adds an agent.
    pub fn with_agent(mut self, agent: AgentSpec) -> Self {
        self.agents.push(agent);
        self
    }

    /// Requires HTTP Basic authentication with this principal and secret.
    pub fn with_basic_auth(mut self, principal: &str, secret: &str) -> Self {
        self.credentials
            .push((principal.to_string(), secret.to_string()));
        self
    }

    /// Serves TLS with this identity.
    pub fn with_tls(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// With TLS: refuses clients without a certificate signed by this CA
    /// (DER).
    pub fn with_client_certificates(mut self, ca_der: Vec<u8>) -> Self {
        self.tls_client_ca_der = Some(ca_der);
        self
    }
}

/// A certificate chain and private key (both DER) for the TLS listener.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    /// The certificate chain, leaf first, each DER-encoded.
    pub cert_chain_der: Vec<Vec<u8>>,
    /// The private key, PKCS#8 DER.
    pub private_key_der: Vec<u8>,
}

/// How an agent runs the tasks it is given.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentKind {
    /// Runs each task's command as a real child process (`sh -c` for shell
    /// commands) in a sandbox directory, like Mesos's command executor.
    Local,
    /// Moves each task through a fixed timeline of states without processes,
    /// so thousands of agents and tasks stay cheap.
    Scripted(ScriptedTimeline),
}

/// The states a scripted agent's task passes through, each after a delay
/// measured from the launch.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedTimeline {
    /// Steps in order; a terminal state ends the timeline.
    pub steps: Vec<ScriptStep>,
}

/// One step of a [`ScriptedTimeline`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptStep {
    /// Delay after the launch.
    pub after: Duration,
    /// The state reported.
    pub state: TaskState,
    /// Optional status message.
    pub message: Option<String>,
}

impl ScriptedTimeline {
    /// STARTING then RUNNING at once; the task runs until killed.
    pub fn run_forever() -> Self {
        ScriptedTimeline {
            steps: vec![
                ScriptStep::new(Duration::ZERO, TaskState::TASK_STARTING),
                ScriptStep::new(Duration::ZERO, TaskState::TASK_RUNNING),
            ],
        }
    }

    /// STARTING, RUNNING, then FINISHED after `run_for`.
    pub fn finish_after(run_for: Duration) -> Self {
        let mut t = Self::run_forever();
        t.steps.push(ScriptStep {
            after: run_for,
            state: TaskState::TASK_FINISHED,
            message: Some("Command exited with status 0".to_string()),
        });
        t
    }
}

impl Default for ScriptedTimeline {
    fn default() -> Self {
        Self::run_forever()
    }
}

impl ScriptStep {
    /// A step without a message.
    pub fn new(after: Duration, state: TaskState) -> Self {
        ScriptStep {
            after,
            state,
            message: None,
        }
    }
}

/// One agent: identity, resources, attributes and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Agent id; `None` assigns `<master id>-S<n>`.
    pub id: Option<String>,
    /// Hostname shown in offers.
    pub hostname: String,
    /// CPUs.
    pub cpus: f64,
    /// Memory in MB.
    pub mem: f64,
    /// Disk in MB.
    pub disk: f64,
    /// Port ranges, inclusive.
    pub ports: Vec<(u64, u64)>,
    /// Text attributes (name, value), copied into offers.
    pub attributes: Vec<(String, String)>,
    /// How tasks run.
    pub kind: AgentKind,
}

impl AgentSpec {
    /// An agent like the captures' (cpus 2, mem 2048, disk 4096, ports 31000-32000)
    /// that runs real processes.
    pub fn local() -> Self {
        AgentSpec {
            id: None,
            hostname: "127.0.0.1".to_string(),
            cpus: 2.0,
            mem: 2048.0,
            disk: 4096.0,
            ports: vec![(31000, 32000)],
            attributes: Vec::new(),
            kind: AgentKind::Local,
        }
    }

    /// The same resources, with tasks following `timeline`.
    pub fn scripted(timeline: ScriptedTimeline) -> Self {
        AgentSpec {
            kind: AgentKind::Scripted(timeline),
            ..Self::local()
        }
    }

    /// Sets the id.
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = Some(id.to_string());
        self
    }

    /// Sets cpus and mem.
    pub fn with_resources(mut self, cpus: f64, mem: f64) -> Self {
        self.cpus = cpus;
        self.mem = mem;
        self
    }

    /// Adds a text attribute.
    pub fn with_attribute(mut self, name: &str, value: &str) -> Self {
        self.attributes.push((name.to_string(), value.to_string()));
        self
    }
}
