//! Where the framework runs: a real master given with `--master`, or the
//! embedded simulated master with local agents, plus the framework settings
//! both examples share.

use std::path::PathBuf;
use std::time::Duration;

use mesos_http::v1::framework_info::{capability, Capability};
use mesos_http::v1::FrameworkInfo;
use mesos_http::{Encoding, Events, Scheduler, SchedulerBuilder};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};

use super::cli::Flags;

/// The environment variable read for the secret when `--secret` is absent.
pub const SECRET_ENV: &str = "MESOS_HTTP_SECRET";

/// The flags shared by the examples.
pub const USAGE: &str = "\
Cluster and framework:
  --master URL            http(s)://host:port, a comma list (tried in turn), or
                          zk://host:2181,.../mesos (leader found in ZooKeeper);
                          without it an embedded simulated master is started
  --name NAME             framework name (default: the example's name)
  --role ROLE             role to subscribe with (default *)
  --encoding json|protobuf  wire encoding (default protobuf)
  --principal NAME        principal for HTTP Basic authentication
  --secret SECRET         its secret (default: $MESOS_HTTP_SECRET)
  --ca-cert FILE          PEM CA certificate(s) to trust for https masters
  --checkpoint            ask agents to checkpoint the framework's tasks
  --failover-timeout SECS how long the master keeps the framework after a
                          disconnection (default 0: removed at once)
  --work-dir DIR          embedded master only: where agent sandboxes go
                          (default: <temp dir>/mesos-http-sandboxes)";

/// Settings of the connection and the framework.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// `--master`; `None` starts the embedded master.
    pub master: Option<String>,
    /// Framework name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Wire encoding.
    pub encoding: Encoding,
    /// Principal.
    pub principal: Option<String>,
    /// Secret (flag or environment).
    pub secret: Option<String>,
    /// CA certificate file.
    pub ca_cert: Option<PathBuf>,
    /// Checkpointing.
    pub checkpoint: bool,
    /// Failover timeout in seconds.
    pub failover_timeout: Option<f64>,
    /// Sandbox root of the embedded master.
    pub work_dir: Option<PathBuf>,
    /// A whole FrameworkInfo that replaces the one built from the flags.
    pub framework: Option<FrameworkInfo>,
}

impl ClusterOptions {
    /// Defaults, with the framework named `name`.
    pub fn new(name: &str) -> Self {
        ClusterOptions {
            master: None,
            name: name.to_string(),
            role: "*".to_string(),
            encoding: Encoding::default(),
            principal: None,
            secret: None,
            ca_cert: None,
            checkpoint: false,
            failover_timeout: None,
            work_dir: None,
            framework: None,
        }
    }

    /// Takes `flag` if it is one of the shared flags; `Ok(false)` if not.
    pub fn accept(&mut self, flag: &str, flags: &mut Flags) -> Result<bool, String> {
        match flag {
            "master" => self.master = Some(flags.value()?),
            "name" => self.name = flags.value()?,
            "role" => self.role = flags.value()?,
            "encoding" => {
                self.encoding = match flags.value()?.to_ascii_lowercase().as_str() {
                    "json" => Encoding::Json,
                    "protobuf" | "proto" => Encoding::Protobuf,
                    other => return Err(format!("--encoding {other:?}: use json or protobuf")),
                }
            }
            "principal" => self.principal = Some(flags.value()?),
            "secret" => self.secret = Some(flags.value()?),
            "ca-cert" => self.ca_cert = Some(flags.value()?.into()),
            "checkpoint" => self.checkpoint = true,
            "failover-timeout" => self.failover_timeout = Some(flags.seconds()?),
            "work-dir" => self.work_dir = Some(flags.value()?.into()),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The FrameworkInfo to subscribe with: the one given whole (`execute
    /// --framework-info FILE`), or one built from the flags.
    pub fn framework_info(&self) -> FrameworkInfo {
        if let Some(info) = &self.framework {
            return info.clone();
        }
        let capabilities = [
            capability::Type::MULTI_ROLE,
            capability::Type::TASK_KILLING_STATE,
        ]
        .into_iter()
        .map(|kind| Capability { r#type: Some(kind) })
        .collect();
        FrameworkInfo {
            user: current_user(),
            name: self.name.clone(),
            roles: vec![self.role.clone()],
            principal: self.principal.clone(),
            checkpoint: self.checkpoint.then_some(true),
            failover_timeout: self.failover_timeout,
            capabilities,
            ..FrameworkInfo::default()
        }
    }

    fn secret(&self) -> Option<String> {
        self.secret
            .clone()
            .or_else(|| std::env::var(SECRET_ENV).ok())
    }

    /// Connects to `--master`, or starts the embedded master with `agents`
    /// and connects to it.
    pub fn connect(&self, agents: Vec<AgentSpec>) -> Result<Cluster, String> {
        let (builder, master, embedded) = self.prepare(agents)?;
        let builder = builder.framework(self.framework_info());
        let (scheduler, events) = builder.connect().map_err(|e| e.to_string())?;
        Ok(Cluster {
            scheduler,
            events,
            embedded,
            master,
        })
    }

    /// The scheduler's settings from the flags (without the FrameworkInfo),
    /// the master address, and the embedded master when one was started.
    pub fn prepare(
        &self,
        agents: Vec<AgentSpec>,
    ) -> Result<(SchedulerBuilder, String, Option<SimMaster>), String> {
        if self.secret.is_some() && self.principal.is_none() {
            return Err("--secret needs --principal".into());
        }
        // HTTP credentials only when both are known; a principal alone is
        // still sent in FrameworkInfo (masters without authentication use it).
        let credentials = match (&self.principal, self.secret()) {
            (Some(principal), Some(secret)) => Some((principal.clone(), secret)),
            _ => None,
        };
        let (master, embedded) = match &self.master {
            Some(master) => (master.clone(), None),
            None => {
                let sim = self.start_embedded(agents, credentials.as_ref())?;
                (sim.url(), Some(sim))
            }
        };
        let mut builder = Scheduler::builder(master.as_str())
            .encoding(self.encoding)
            .connect_timeout(Duration::from_secs(10))
            .backoff(Duration::from_millis(200), Duration::from_secs(5));
        if let Some((principal, secret)) = &credentials {
            builder = builder.credentials(principal.clone(), secret);
        }
        if let Some(ca) = &self.ca_cert {
            builder = builder.ca_pem_file(ca);
        }
        Ok((builder, master, embedded))
    }

    fn start_embedded(
        &self,
        agents: Vec<AgentSpec>,
        credentials: Option<&(String, String)>,
    ) -> Result<SimMaster, String> {
        let work_dir = self
            .work_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("mesos-http-sandboxes"));
        let mut config = SimConfig {
            allocation_interval: Duration::from_millis(100),
            work_dir: Some(work_dir),
            agents,
            ..SimConfig::default()
        };
        if let Some((principal, secret)) = credentials {
            config = config.with_basic_auth(principal, secret);
        }
        SimMaster::start(config).map_err(|e| format!("cannot start the embedded master: {e}"))
    }
}

/// A connected framework.
pub struct Cluster {
    /// The call handle.
    pub scheduler: Scheduler,
    /// The event channel.
    pub events: Events,
    /// The embedded master, when one was started (kept alive while this lives).
    pub embedded: Option<SimMaster>,
    /// The master address used.
    pub master: String,
}

impl Cluster {
    /// Where the embedded master's agents keep sandboxes, if it is embedded.
    pub fn local_work_dir(&self) -> Option<PathBuf> {
        self.embedded.as_ref().map(SimMaster::work_dir)
    }
}

/// The user tasks run as (Mesos requires one): `$USER`, `$LOGNAME`, else `nobody`.
pub fn current_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|user| !user.is_empty())
        .unwrap_or_else(|| "nobody".to_string())
}
