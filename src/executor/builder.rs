//! Configuration of an [`Executor`]: from the environment the agent sets
//! ([`Executor::from_env`]) or explicitly ([`Executor::builder`]).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::env::{AgentEnv, EnvError};
use super::handle::Executor;
use super::items::Events;
use super::shared::{Recovery, Shared};
use super::stream::ExecutorStream;
use crate::codec::Encoding;
use crate::connection::{Endpoint, HttpSettings, Masters, Role, StaticMasters, TlsOptions};
use crate::error::Error;
use crate::recordio::DEFAULT_MAX_RECORD_SIZE;
use crate::subscription::Subscription;
use crate::v1;

/// The agent's defaults: `--recovery_timeout` 15 min,
/// `--executor_reregistration_timeout` 2 s, `--executor_shutdown_grace_period` 5 s.
const DEFAULT_RECOVERY_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(2);
const DEFAULT_SHUTDOWN_GRACE_PERIOD: Duration = Duration::from_secs(5);

/// Builds an [`Executor`]; start with [`Executor::from_env`] or
/// [`Executor::builder`].
pub struct ExecutorBuilder {
    url: String,
    framework_id: String,
    executor_id: String,
    encoding: Encoding,
    checkpoint: bool,
    recovery_timeout: Duration,
    backoff_max: Duration,
    shutdown_grace_period: Duration,
    token: Option<String>,
    event_capacity: usize,
    connect_timeout: Duration,
    call_timeout: Duration,
    max_record_size: usize,
    tls: TlsOptions,
}

impl fmt::Debug for ExecutorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutorBuilder")
            .field("url", &self.url)
            .field("framework_id", &self.framework_id)
            .field("executor_id", &self.executor_id)
            .field("encoding", &self.encoding)
            .field("checkpoint", &self.checkpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl ExecutorBuilder {
    pub(crate) fn new(agent: &str, framework_id: &str, executor_id: &str) -> Self {
        ExecutorBuilder {
            url: agent.to_string(),
            framework_id: framework_id.to_string(),
            executor_id: executor_id.to_string(),
            encoding: Encoding::default(),
            checkpoint: false,
            recovery_timeout: DEFAULT_RECOVERY_TIMEOUT,
            backoff_max: DEFAULT_BACKOFF_MAX,
            shutdown_grace_period: DEFAULT_SHUTDOWN_GRACE_PERIOD,
            token: None,
            event_capacity: 1024,
            connect_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(75),
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            tls: TlsOptions::default(),
        }
    }

    /// Everything the agent's environment says, read through `lookup`.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let env = AgentEnv::read(lookup)?;
        let mut builder = Self::new(&env.url, &env.framework_id, &env.executor_id);
        builder.checkpoint = env.checkpoint;
        if let Some((timeout, backoff_max)) = env.recovery {
            builder.recovery_timeout = timeout;
            builder.backoff_max = backoff_max;
        }
        if let Some(grace) = env.shutdown_grace_period {
            builder.shutdown_grace_period = grace;
        }
        builder.token = env.token;
        Ok(builder)
    }

    /// Body and stream encoding (default protobuf, as the Mesos library).
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Whether the framework checkpoints: if so, a lost connection is
    /// retried until the recovery timeout; if not, it ends the executor.
    pub fn checkpoint(mut self, on: bool) -> Self {
        self.checkpoint = on;
        self
    }

    /// How long a checkpointing executor keeps retrying (default 15 min).
    pub fn recovery_timeout(mut self, timeout: Duration) -> Self {
        self.recovery_timeout = timeout;
        self
    }

    /// Upper bound of the random delay between retries (default 2 s).
    pub fn subscription_backoff_max(mut self, max: Duration) -> Self {
        self.backoff_max = max;
        self
    }

    /// How long the agent waits after SHUTDOWN (default 5 s); the executor
    /// reads it back with [`Executor::shutdown_grace_period`].
    pub fn shutdown_grace_period(mut self, grace: Duration) -> Self {
        self.shutdown_grace_period = grace;
        self
    }

    /// Sends `Authorization: Bearer <token>` on every request.
    pub fn authentication_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Capacity of the event channel (default 1024); when full the reader
    /// waits: nothing is dropped.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// TCP connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Budget for each step of a call (default 75 s): sending it, waiting
    /// for the answer and reading it each get this much (connecting has
    /// `connect_timeout`); see `SchedulerBuilder::call_timeout`.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Largest event record accepted (default 64 MiB).
    pub fn max_record_size(mut self, bytes: usize) -> Self {
        self.max_record_size = bytes;
        self
    }

    /// Trust this CA (PEM, one or more certificates) for an `https://`
    /// agent endpoint. It *replaces* the built-in Mozilla roots
    /// (webpki-roots): once any CA is given, only the given CAs are
    /// trusted. May be called several times to trust several. Errors show
    /// at [`ExecutorBuilder::connect`].
    pub fn ca_pem(mut self, pem: &[u8]) -> Self {
        self.tls.add_ca_pem(pem);
        self
    }

    /// [`ExecutorBuilder::ca_pem`] from a file.
    pub fn ca_pem_file(mut self, path: impl AsRef<Path>) -> Self {
        self.tls.add_ca_pem_file(path.as_ref());
        self
    }

    /// Present this client certificate to the agent (mutual TLS):
    /// `chain_pem` holds the certificate (then any intermediates),
    /// `key_pem` its private key (PKCS#8, PKCS#1 or SEC1). Errors show at
    /// [`ExecutorBuilder::connect`].
    pub fn client_certificate_pem(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Self {
        self.tls.set_client_pem(chain_pem, key_pem);
        self
    }

    /// [`ExecutorBuilder::client_certificate_pem`] from files.
    pub fn client_certificate_pem_files(
        mut self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Self {
        self.tls.set_client_pem_files(chain.as_ref(), key.as_ref());
        self
    }

    /// Checks the configuration and starts the reader thread. Returns at
    /// once; [`ConnectionState::Subscribed`](super::ConnectionState) and
    /// SUBSCRIBED arrive on the channel when the agent accepts.
    pub fn connect(self) -> Result<(Executor, Events), Error> {
        if self.framework_id.is_empty() || self.executor_id.is_empty() {
            return Err(Error::config(
                "an executor needs a framework id and an executor id".into(),
            ));
        }
        let endpoint = Endpoint::parse_for(&self.url, Role::Agent)?;
        let settings = HttpSettings {
            encoding: self.encoding,
            connect_timeout: self.connect_timeout,
            call_timeout: self.call_timeout,
            tls: self.tls.build()?,
            proxy: None,
            credentials: None,
            masters: Masters::from(StaticMasters::parse(&self.url)?),
            credentials_follow_redirects: false,
            max_redirects: 0,
        };
        let recovery = Recovery {
            checkpoint: self.checkpoint,
            timeout: self.recovery_timeout,
            backoff_max: self.backoff_max,
        };
        let shared = Arc::new(Shared::new(
            settings,
            endpoint,
            v1::FrameworkID {
                value: self.framework_id,
            },
            v1::ExecutorID {
                value: self.executor_id,
            },
            self.token,
            recovery,
            self.shutdown_grace_period,
            self.max_record_size,
        ));
        let (tx, rx) = crossbeam_channel::bounded(self.event_capacity);
        let reader = Subscription::new(ExecutorStream::new(Arc::clone(&shared)), tx);
        let thread = thread::Builder::new()
            .name("mesos-executor-reader".into())
            .spawn(move || reader.run())
            .map_err(|e| {
                shared.control.reader_finished();
                Error::config(format!("cannot start the reader thread: {e}"))
            })?;
        Ok((Executor::start(shared, thread), Events::new(rx)))
    }
}
