//! The [`Executor`] handle: sends UPDATE, MESSAGE and HEARTBEAT from any
//! thread and remembers every update until the agent acknowledges it.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::builder::ExecutorBuilder;
use super::env::EnvError;
use super::shared::Shared;
use crate::connection::join_threads;
use crate::error::Error;
use crate::v1;
use crate::v1::executor::call::{Message, Type, Update};
use crate::v1::task_status::Source;

/// A handle on one executor's subscription to its agent. `Send + Sync +
/// Clone`; all clones share the subscription, which closes on
/// [`Executor::close`] or when the last clone is dropped.
#[derive(Clone)]
pub struct Executor {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    reader: Mutex<Vec<JoinHandle<()>>>,
}

impl Executor {
    /// Configures an executor from the environment the agent sets
    /// (`MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`, `MESOS_SLAVE_PID` or
    /// `MESOS_AGENT_ENDPOINT`, `MESOS_CHECKPOINT`, `MESOS_RECOVERY_TIMEOUT`,
    /// `MESOS_SUBSCRIPTION_BACKOFF_MAX`, `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`,
    /// `MESOS_EXECUTOR_AUTHENTICATION_TOKEN`). The error names the variable
    /// that is missing or malformed.
    pub fn from_env() -> Result<ExecutorBuilder, EnvError> {
        ExecutorBuilder::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Executor::from_env`] over any set of variables (a launcher that
    /// passes them on, or a test).
    pub fn from_vars<K, V>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ExecutorBuilder, EnvError>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let vars: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        ExecutorBuilder::from_lookup(|name| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    /// Configures an executor explicitly: `agent` is the executor endpoint
    /// (`http://10.0.0.1:5051/slave(1)/api/v1/executor`).
    pub fn builder(agent: &str, framework_id: &str, executor_id: &str) -> ExecutorBuilder {
        ExecutorBuilder::new(agent, framework_id, executor_id)
    }

    pub(crate) fn start(shared: Arc<Shared>, reader: JoinHandle<()>) -> Self {
        Executor {
            inner: Arc::new(Inner {
                shared,
                reader: Mutex::new(vec![reader]),
            }),
        }
    }

    /// Sends a status update for one of this executor's tasks, filling in
    /// what the agent requires: a fresh version-4 uuid, source
    /// SOURCE_EXECUTOR, this executor's id and the current timestamp. Returns
    /// the uuid.
    ///
    /// The update is kept until the agent ACKNOWLEDGES it and re-sent with
    /// every SUBSCRIBE until then. So while disconnected, or when the agent
    /// is unreachable or recovering, the update is kept and `Ok` is returned:
    /// it goes out with the next subscription. An update the agent refuses
    /// outright (or that fails local validation) is dropped and the error
    /// returned.
    pub fn update(&self, mut status: v1::TaskStatus) -> Result<Vec<u8>, Error> {
        let shared = &self.inner.shared;
        if shared.control.is_closed() {
            return Err(Error::Closed);
        }
        let uuid = crate::validation::random_uuid_v4().to_vec();
        status.uuid = Some(uuid.clone());
        status.source = Some(Source::SOURCE_EXECUTOR);
        status.executor_id = Some(shared.executor_id.clone());
        status.timestamp = Some(now());
        let update = Update { status };
        let call = v1::executor::Call {
            update: Some(update.clone()),
            ..shared.call(Type::UPDATE)
        };
        crate::validation::validate_executor_call(&call)?;
        shared.tracking().updates.push(update);
        match shared.send(&call) {
            Ok(()) => Ok(uuid),
            Err(err) if err.is_transient() => {
                log::info!("update kept for the next subscription: {err}");
                Ok(uuid)
            }
            Err(err) => {
                let mut tracking = shared.tracking();
                tracking
                    .updates
                    .retain(|u| u.status.uuid.as_deref() != Some(uuid.as_slice()));
                Err(err)
            }
        }
    }

    /// Sends bytes to the scheduler (no delivery guarantee, as in Mesos).
    /// Fails with [`Error::NotSubscribed`] while disconnected.
    pub fn message(&self, data: impl Into<Vec<u8>>) -> Result<(), Error> {
        let shared = &self.inner.shared;
        shared.send(&v1::executor::Call {
            message: Some(Message { data: data.into() }),
            ..shared.call(Type::MESSAGE)
        })
    }

    /// Sends a HEARTBEAT call (the Mesos library sends one every 30 min).
    pub fn heartbeat(&self) -> Result<(), Error> {
        let shared = &self.inner.shared;
        shared.send(&shared.call(Type::HEARTBEAT))
    }

    /// The framework id. Always `Some` for an executor (the agent names
    /// the framework at launch); an `Option` as
    /// [`Scheduler::framework_id`](crate::Scheduler::framework_id) is, so
    /// code written for one reads the same for the other.
    pub fn framework_id(&self) -> Option<v1::FrameworkID> {
        Some(self.inner.shared.framework_id.clone())
    }

    /// This executor's id.
    pub fn executor_id(&self) -> &v1::ExecutorID {
        &self.inner.shared.executor_id
    }

    /// The URL of the agent's executor endpoint.
    pub fn agent_url(&self) -> String {
        self.inner.shared.endpoint.url()
    }

    /// How long the agent waits after SHUTDOWN before killing the executor.
    pub fn shutdown_grace_period(&self) -> Duration {
        self.inner.shared.shutdown_grace_period
    }

    /// Whether the framework checkpoints (the executor survives agent restarts).
    pub fn checkpoint(&self) -> bool {
        self.inner.shared.recovery.checkpoint
    }

    /// Whether SUBSCRIBED has arrived on the current stream.
    pub fn is_subscribed(&self) -> bool {
        self.inner.shared.tracking().subscribed
    }

    /// Updates the agent has not acknowledged yet, oldest first.
    pub fn unacknowledged_updates(&self) -> Vec<Update> {
        self.inner.shared.tracking().updates.clone()
    }

    /// Launched tasks none of whose updates the agent has acknowledged yet.
    pub fn unacknowledged_tasks(&self) -> Vec<v1::TaskInfo> {
        self.inner.shared.tracking().tasks.clone()
    }

    /// Whether the executor is closed (by `close()`, or for good).
    pub fn is_closed(&self) -> bool {
        self.inner.shared.control.is_closed()
    }

    /// Stops the reader thread and closes the event channel, whose last
    /// item is then [`Termination::Closed`](super::Termination::Closed)
    /// (unless the channel is full: closing never waits for the
    /// application); later calls fail with [`Error::Closed`]. Returns once
    /// the reader has stopped.
    pub fn close(&self) {
        self.inner.close();
    }
}

impl Inner {
    fn close(&self) {
        self.shared.control.close();
        // A call in flight on another thread ends at once, as `Closed`.
        self.shared.call_agent.clone().shutdown();
        join_threads(&self.reader);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("executor_id", &self.executor_id().value)
            .field("framework_id", &self.inner.shared.framework_id.value)
            .field("agent", &self.agent_url())
            .field("subscribed", &self.is_subscribed())
            .finish()
    }
}

/// Seconds since the epoch, as status timestamps carry it.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A status for `task_id` in `state`, ready for [`Executor::update`].
pub fn task_status(task_id: &v1::TaskID, state: v1::TaskState) -> v1::TaskStatus {
    v1::TaskStatus {
        task_id: task_id.clone(),
        state,
        ..v1::TaskStatus::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn handle_crosses_threads() {
        shareable::<Executor>();
        shareable::<super::super::Events>();
    }
}
