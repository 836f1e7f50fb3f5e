//! Custom executors on local agents: real processes that speak the v1
//! executor API to their agent's endpoint (`/slave(1)/api/v1/executor`).
//! The agent starts the process with the environment a Mesos agent sets,
//! queues LAUNCH / LAUNCH_GROUP / KILL until it subscribes, turns its
//! UPDATEs into status updates (sent to the scheduler with the agent's
//! retry) and answers each with ACKNOWLEDGED, forwards MESSAGEs both ways,
//! sends SHUTDOWN and kills the process when the grace period is over, and
//! reports the end of the process (lost tasks, then FAILURE).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::process;
use mesos_http::v1::executor::call::Subscribe;
use mesos_http::v1::executor::event::{self as ee, Type as EventType};
use mesos_http::v1::executor::Event as ExecutorEvent;
use mesos_http::v1::task_status::Reason;
use mesos_http::v1::{
    AgentID, AgentInfo, ContainerID, ExecutorInfo, TaskGroupInfo, TaskID, TaskInfo, TaskState,
    TaskStatus,
};

use super::agents::{LocalProcess, Runner};
use super::executors::ExecutorKey;
use super::{events, Cluster, StreamHandle, StreamMsg};

/// A custom executor's process and its connection to the agent.
#[derive(Debug)]
pub struct HttpExecutor {
    /// What the framework sent.
    pub info: ExecutorInfo,
    /// The process; `None` once it has exited.
    pub process: Option<LocalProcess>,
    /// Its pid.
    pub pid: u32,
    /// Its container id.
    pub container_id: String,
    /// Its sandbox.
    pub sandbox: PathBuf,
    /// The environment it was started with.
    pub env: Vec<(String, String)>,
    /// Whether its framework checkpoints.
    pub checkpoint: bool,
    /// Its `MESOS_EXECUTOR_AUTHENTICATION_TOKEN`.
    pub token: String,
    /// The open subscription, if any.
    pub stream: Option<StreamHandle>,
    /// Events waiting for a subscription.
    pub queued: Vec<ExecutorEvent>,
    /// When the process started.
    pub started: Instant,
    /// How many times it subscribed.
    pub subscriptions: u32,
    /// After SHUTDOWN: when the process is killed if still running.
    pub shutdown_deadline: Option<Instant>,
    /// The uuids of every update received (duplicates are acknowledged, not
    /// forwarded again).
    pub received: BTreeSet<Vec<u8>>,
    /// How many UPDATE calls (or re-sent updates) arrived, duplicates included.
    pub updates_received: u32,
}

impl Drop for HttpExecutor {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            stream.control(StreamMsg::Abort);
        }
    }
}

/// Why an executor call was refused: status and body.
pub type Refusal = (u16, String);

/// stout's rendering of a duration: the largest unit with a value of at
/// least 1 (`5secs`, `100ms`, `1.5mins`).
pub fn stout_duration(d: Duration) -> String {
    let nanos = d.as_nanos() as f64;
    let units = [
        ("weeks", 604_800e9),
        ("days", 86_400e9),
        ("hrs", 3_600e9),
        ("mins", 60e9),
        ("secs", 1e9),
        ("ms", 1e6),
        ("us", 1e3),
    ];
    for (name, size) in units {
        if nanos >= size {
            return format!("{}{name}", nanos / size);
        }
    }
    format!("{nanos}ns")
}

fn event(kind: EventType) -> ExecutorEvent {
    ExecutorEvent {
        r#type: Some(kind),
        ..ExecutorEvent::default()
    }
}

fn executor_key_of(task: &super::Task) -> ExecutorKey {
    (
        task.framework_id.clone(),
        task.agent_id.clone(),
        task.executor_id.clone(),
    )
}

impl Cluster {
    /// The ExecutorInfo of a task that a real executor process runs: the
    /// task's own (or its group's) with a command, on an agent with an
    /// executor endpoint.
    fn http_executor_info(&self, key: &(String, String)) -> Option<ExecutorInfo> {
        let task = self.tasks.get(key)?;
        let agent = self.agents.get(&task.agent_id)?;
        agent.executor_port?;
        task.info
            .executor
            .clone()
            .or_else(|| task.group_executor.clone())
            .filter(|e| e.command.is_some())
    }

    /// Whether a real executor process runs this task.
    pub(super) fn runs_http_executor(&self, key: &(String, String)) -> bool {
        self.http_executor_info(key).is_some()
    }

    /// The executor with `key`, if it is a real process.
    fn http_executor(&mut self, key: &ExecutorKey) -> Option<&mut HttpExecutor> {
        self.executors.get_mut(key).and_then(|e| e.http.as_mut())
    }

    /// Starts the executor process unless it runs already.
    fn start_http_executor(
        &mut self,
        key: &ExecutorKey,
        info: &ExecutorInfo,
        now: Instant,
    ) -> Result<(), String> {
        if self.executors.get(key).is_some_and(|e| e.http.is_some()) {
            return Ok(());
        }
        let (framework_id, agent_id, executor_id) = key;
        let port = self
            .agents
            .get(agent_id)
            .and_then(|a| a.executor_port)
            .ok_or("the agent has no executor endpoint")?;
        let checkpoint = self
            .frameworks
            .get(framework_id)
            .and_then(|f| f.info.checkpoint)
            .unwrap_or(false);
        let container_id = crate::ids::uuid_v4_string();
        let sandbox = self
            .work_dir
            .join("agents")
            .join(agent_id)
            .join("frameworks")
            .join(framework_id)
            .join("executors")
            .join(executor_id)
            .join("runs")
            .join(&container_id);
        let grace = info
            .shutdown_grace_period
            .as_ref()
            .map(|d| Duration::from_nanos(d.nanoseconds.max(0) as u64))
            .unwrap_or(self.timing.executor_shutdown_grace);
        let token = crate::ids::uuid_v4_string();
        let directory = sandbox.display().to_string();
        let mut env = vec![
            ("MESOS_FRAMEWORK_ID", framework_id.clone()),
            ("MESOS_EXECUTOR_ID", executor_id.clone()),
            ("MESOS_DIRECTORY", directory.clone()),
            ("MESOS_SANDBOX", directory),
            ("MESOS_SLAVE_ID", agent_id.clone()),
            ("MESOS_SLAVE_PID", format!("slave(1)@127.0.0.1:{port}")),
            ("MESOS_AGENT_ENDPOINT", format!("127.0.0.1:{port}")),
            (
                "MESOS_CHECKPOINT",
                if checkpoint { "1" } else { "0" }.to_string(),
            ),
            ("MESOS_HTTP_COMMAND_EXECUTOR", "0".to_string()),
            (
                "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                stout_duration(grace),
            ),
        ];
        if checkpoint {
            env.push((
                "MESOS_RECOVERY_TIMEOUT",
                stout_duration(self.timing.executor_recovery_timeout),
            ));
            env.push((
                "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                stout_duration(self.timing.executor_backoff_max),
            ));
        }
        if self.authenticate_executors {
            env.push(("MESOS_EXECUTOR_AUTHENTICATION_TOKEN", token.clone()));
        }
        let env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let command = info.command.clone().unwrap_or_default();
        let child = process::spawn(&command, &sandbox, &env).map_err(|e| e.to_string())?;
        log::info!(
            "started executor {executor_id} of {framework_id} on {agent_id} (pid {})",
            child.id()
        );
        let executor = self.executors.entry(key.clone()).or_default();
        executor.http = Some(HttpExecutor {
            info: info.clone(),
            pid: child.id(),
            process: Some(LocalProcess {
                child,
                term_sent: None,
                kill_sent: false,
            }),
            container_id,
            sandbox,
            env,
            checkpoint,
            token,
            stream: None,
            queued: Vec::new(),
            started: now,
            subscriptions: 0,
            shutdown_deadline: None,
            received: BTreeSet::new(),
            updates_received: 0,
        });
        Ok(())
    }

    /// Sends `event` to the executor, or queues it until it subscribes.
    fn send_to_executor(&mut self, key: &ExecutorKey, event: ExecutorEvent) {
        if let Some(executor) = self.http_executor(key) {
            match &executor.stream {
                Some(stream) => stream.send(&event),
                None => executor.queued.push(event),
            }
        }
    }

    /// A task for a real executor: start it if needed, then LAUNCH (tasks
    /// of a group wait for [`Cluster::launch_group_on_http_executor`]).
    pub(super) fn launch_on_http_executor(&mut self, key: &(String, String), now: Instant) {
        let Some(info) = self.http_executor_info(key) else {
            return;
        };
        let Some(task) = self.tasks.get(key) else {
            return;
        };
        let executor_key = executor_key_of(task);
        let grouped = task.group_executor.is_some();
        if let Err(e) = self.start_http_executor(&executor_key, &info, now) {
            if let Some(task) = self.tasks.get_mut(key) {
                task.runner = Runner::Done;
            }
            let message = format!("Failed to launch container: {e}");
            let reason = Reason::REASON_CONTAINER_LAUNCH_FAILED;
            self.agent_own_update(key, TaskState::TASK_FAILED, message, reason, now);
            return;
        }
        let (pid, sandbox) = match self.http_executor(&executor_key) {
            Some(e) => (e.pid, e.sandbox.clone()),
            None => return,
        };
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
        task.runner = Runner::Executor;
        task.executor_pid = Some(pid);
        task.sandbox = Some(sandbox);
        if !grouped {
            let launch = ExecutorEvent {
                launch: Some(ee::Launch {
                    task: task.info.clone(),
                }),
                ..event(EventType::LAUNCH)
            };
            self.send_to_executor(&executor_key, launch);
        }
    }

    /// One LAUNCH_GROUP for the tasks of a group run by a real executor.
    pub(super) fn launch_group_on_http_executor(&mut self, framework_id: &str, tasks: &[TaskInfo]) {
        let Some(first) = tasks.first() else { return };
        let key = (framework_id.to_string(), first.task_id.value.clone());
        let Some(task) = self.tasks.get(&key) else {
            return;
        };
        if !matches!(task.runner, Runner::Executor) {
            return;
        }
        let executor_key = executor_key_of(task);
        let launch = ExecutorEvent {
            launch_group: Some(ee::LaunchGroup {
                task_group: TaskGroupInfo {
                    tasks: tasks.to_vec(),
                },
            }),
            ..event(EventType::LAUNCH_GROUP)
        };
        self.send_to_executor(&executor_key, launch);
    }

    /// KILL of a task a real executor runs: the executor is told (it
    /// reports the end); a task it has not received yet is killed here.
    pub(super) fn kill_on_http_executor(&mut self, key: &(String, String), now: Instant) {
        let Some(task) = self.tasks.get(key) else {
            return;
        };
        let executor_key = executor_key_of(task);
        let task_id = TaskID {
            value: task.task_id.clone(),
        };
        let kill_policy = task.info.kill_policy.clone();
        let Some(executor) = self.http_executor(&executor_key) else {
            return;
        };
        if executor.subscriptions == 0 {
            executor
                .queued
                .retain(|e| e.launch.as_ref().is_none_or(|l| l.task.task_id != task_id));
            if let Some(task) = self.tasks.get_mut(key) {
                task.runner = Runner::Done;
            }
            let message = "Killed before delivery to the executor".to_string();
            let reason = Reason::REASON_TASK_KILLED_DURING_LAUNCH;
            self.agent_own_update(key, TaskState::TASK_KILLED, message, reason, now);
            return;
        }
        let kill = ExecutorEvent {
            kill: Some(ee::Kill {
                task_id,
                kill_policy,
            }),
            ..event(EventType::KILL)
        };
        self.send_to_executor(&executor_key, kill);
    }

    /// SHUTDOWN: the executor is told and has its grace period to exit.
    pub(super) fn shutdown_http_executor(&mut self, key: &ExecutorKey, now: Instant) {
        let grace_default = self.timing.executor_shutdown_grace;
        let Some(executor) = self.http_executor(key) else {
            return;
        };
        if executor.shutdown_deadline.is_some() {
            return;
        }
        let grace = executor
            .info
            .shutdown_grace_period
            .as_ref()
            .map(|d| Duration::from_nanos(d.nanoseconds.max(0) as u64))
            .unwrap_or(grace_default);
        executor.shutdown_deadline = Some(now + grace);
        log::info!("shutting down executor {} (grace {grace:?})", key.2);
        match &executor.stream {
            Some(stream) => stream.send(&event(EventType::SHUTDOWN)),
            // Not connected: nobody to tell; the grace period still applies.
            None => executor.queued.push(event(EventType::SHUTDOWN)),
        }
    }

    /// A scheduler's MESSAGE for an executor: delivered if it is connected
    /// (Mesos gives no guarantee either).
    pub fn message_to_executor(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        executor_id: &str,
        data: &[u8],
    ) {
        let key = (
            framework_id.to_string(),
            agent_id.to_string(),
            executor_id.to_string(),
        );
        if let Some(stream) = self.http_executor(&key).and_then(|e| e.stream.as_ref()) {
            stream.send(&ExecutorEvent {
                message: Some(ee::Message {
                    data: data.to_vec(),
                }),
                ..event(EventType::MESSAGE)
            });
        }
    }

    /// Finds the executor a call names on `agent_id`: 400 for an unknown
    /// framework or executor.
    fn executor_for_call(&self, key: &ExecutorKey) -> Result<&HttpExecutor, Refusal> {
        if !self.frameworks.contains_key(&key.0) {
            return Err((400, "Framework cannot be found".into()));
        }
        self.executors
            .get(key)
            .and_then(|e| e.http.as_ref())
            .ok_or((400, "Executor cannot be found".into()))
    }

    /// SUBSCRIBE from an executor: SUBSCRIBED on the new stream (a previous
    /// one ends), the re-sent updates handled (and acknowledged), then the
    /// queued events.
    pub fn executor_subscribe(
        &mut self,
        key: &ExecutorKey,
        subscribe: Subscribe,
        stream: StreamHandle,
        now: Instant,
    ) -> Result<(), Refusal> {
        self.executor_for_call(key)?;
        let framework_info = self.frameworks.get(&key.0).map(|f| f.info.clone());
        let agent_info = self.agents.get(&key.1).map(|a| AgentInfo {
            hostname: a.spec.hostname.clone(),
            port: a.executor_port.map(i32::from),
            id: Some(AgentID {
                value: key.1.clone(),
            }),
            ..AgentInfo::default()
        });
        let Some(executor) = self.http_executor(key) else {
            return Err((400, "Executor cannot be found".into()));
        };
        if let Some(old) = executor.stream.replace(stream.clone()) {
            old.control(StreamMsg::End);
        }
        executor.subscriptions += 1;
        log::info!(
            "executor {} subscribed ({} tasks, {} updates re-sent)",
            key.2,
            subscribe.unacknowledged_tasks.len(),
            subscribe.unacknowledged_updates.len()
        );
        stream.send(&ExecutorEvent {
            subscribed: Some(ee::Subscribed {
                executor_info: executor.info.clone(),
                framework_info: framework_info.unwrap_or_default(),
                agent_info: agent_info.unwrap_or_default(),
                container_id: Some(ContainerID {
                    value: executor.container_id.clone(),
                    parent: None,
                }),
            }),
            ..event(EventType::SUBSCRIBED)
        });
        // Tasks the executor already has are not launched twice.
        let known: Vec<TaskID> = subscribe
            .unacknowledged_tasks
            .iter()
            .map(|t| t.task_id.clone())
            .collect();
        executor.queued.retain(|e| {
            e.launch
                .as_ref()
                .is_none_or(|l| !known.contains(&l.task.task_id))
        });
        let queued = std::mem::take(&mut executor.queued);
        for update in subscribe.unacknowledged_updates {
            self.executor_update(key, update.status, now);
        }
        for event in queued {
            stream.send(&event);
        }
        Ok(())
    }

    /// UPDATE or MESSAGE from an executor (HEARTBEAT needs no lookup).
    /// 403 before its first subscription.
    pub fn executor_call(
        &mut self,
        key: &ExecutorKey,
        call: mesos_http::v1::executor::Call,
        now: Instant,
    ) -> Result<(), Refusal> {
        if self.executor_for_call(key)?.subscriptions == 0 {
            return Err((403, "Executor is not subscribed".into()));
        }
        if let Some(update) = call.update {
            if self.faults.lose_executor_updates > 0 {
                // An agent that fails before it checkpoints the update: the
                // call was answered, the update and the stream are gone.
                self.faults.lose_executor_updates -= 1;
                log::info!("fault: losing an update of executor {}", key.2);
                self.abort_executor_stream(key);
                return Ok(());
            }
            self.executor_update(key, update.status, now);
        } else if let Some(message) = call.message {
            let event = events::message(&key.1, &key.2, message.data);
            self.send_event(&key.0, &event);
        }
        Ok(())
    }

    /// One update from an executor: new ones go to the status-update
    /// manager, duplicates (by uuid) are dropped; both are acknowledged.
    fn executor_update(&mut self, key: &ExecutorKey, status: TaskStatus, now: Instant) {
        let uuid = status.uuid.clone().unwrap_or_default();
        let task_key = (key.0.clone(), status.task_id.value.clone());
        let task_id = status.task_id.clone();
        let Some(executor) = self.http_executor(key) else {
            return;
        };
        executor.updates_received += 1;
        let fresh = executor.received.insert(uuid.clone());
        let stream = executor.stream.clone();
        if fresh {
            let ours = self
                .tasks
                .get(&task_key)
                .is_some_and(|t| t.executor_id == key.2);
            if ours {
                if status.state.is_terminal() {
                    if let Some(task) = self.tasks.get_mut(&task_key) {
                        task.runner = Runner::Done;
                    }
                }
                self.enqueue_update(&task_key, status, now);
            } else {
                log::info!("update from {} for unknown task {}", key.2, task_id.value);
            }
        }
        if let Some(stream) = stream {
            stream.send(&ExecutorEvent {
                acknowledged: Some(ee::Acknowledged { task_id, uuid }),
                ..event(EventType::ACKNOWLEDGED)
            });
        }
    }

    fn abort_executor_stream(&mut self, key: &ExecutorKey) {
        if let Some(stream) = self.http_executor(key).and_then(|e| e.stream.take()) {
            stream.control(StreamMsg::Abort);
        }
    }

    /// Drops the executor streams of one agent (or of all), as a crash would.
    pub fn abort_executor_streams(&mut self, agent_id: Option<&str>) {
        let keys: Vec<ExecutorKey> = self
            .executors
            .keys()
            .filter(|k| agent_id.is_none_or(|a| a == k.1))
            .cloned()
            .collect();
        for key in keys {
            self.abort_executor_stream(&key);
        }
    }

    /// An executor's stream closed (its connection went away).
    pub fn executor_stream_closed(&mut self, stream_id: &str) {
        for executor in self.executors.values_mut() {
            if let Some(http) = executor.http.as_mut() {
                if http.stream.as_ref().is_some_and(|s| s.id == stream_id) {
                    http.stream = None;
                }
            }
        }
    }

    /// Whether the agent still recovers from a restart: calls other than
    /// SUBSCRIBE and HEARTBEAT are refused with 503 until every
    /// checkpointing executor is back or the re-registration time is over.
    pub fn agent_recovering(&self, agent_id: &str, now: Instant) -> bool {
        let Some(agent) = self.agents.get(agent_id) else {
            return false;
        };
        agent.recovering_until.is_some_and(|until| now < until)
            && self.executors.iter().any(|(k, e)| {
                k.1 == agent_id
                    && e.http
                        .as_ref()
                        .is_some_and(|h| h.checkpoint && h.stream.is_none())
            })
    }

    /// The executor a Bearer token belongs to, on `agent_id`.
    pub fn executor_of_token(&self, agent_id: &str, token: &str) -> Option<ExecutorKey> {
        self.executors
            .iter()
            .find(|(k, e)| k.1 == agent_id && e.http.as_ref().is_some_and(|h| h.token == token))
            .map(|(k, _)| k.clone())
    }

    /// Timers of real executors: exited processes are reported, the grace
    /// period after SHUTDOWN and the registration timeout end in a kill.
    pub(super) fn run_http_executors(&mut self, now: Instant) {
        let registration = self.timing.executor_registration_timeout;
        let mut exited = Vec::new();
        for (key, executor) in self.executors.iter_mut() {
            let Some(http) = executor.http.as_mut() else {
                continue;
            };
            let Some(process) = http.process.as_mut() else {
                continue;
            };
            if let Ok(Some(status)) = process.child.try_wait() {
                // The agent destroys the container with its executor: what
                // the process left running in its group goes too.
                process::signal_group(process.child.id(), libc::SIGKILL);
                let wait_status = std::os::unix::process::ExitStatusExt::into_raw(status);
                exited.push((key.clone(), wait_status));
                http.process = None;
                continue;
            }
            let overdue = http.shutdown_deadline.is_some_and(|d| now >= d)
                || (http.subscriptions == 0 && now >= http.started + registration);
            if overdue && !process.kill_sent {
                log::info!("killing executor {} (pid {})", key.2, http.pid);
                process::signal_group(process.child.id(), libc::SIGKILL);
                process.kill_sent = true;
            }
        }
        for (key, wait_status) in exited {
            self.http_executor_exited(&key, wait_status, now);
        }
    }

    /// The executor process is gone: the framework gets a FAILURE with the
    /// raw wait status, then the agent fails the executor's live tasks
    /// itself. A real agent's FAILURE reaches the master first (its updates
    /// go through the status-update manager), and its updates read
    /// TASK_FAILED, "Executor terminated", REASON_EXECUTOR_TERMINATED,
    /// SOURCE_AGENT.
    fn http_executor_exited(&mut self, key: &ExecutorKey, wait_status: i32, now: Instant) {
        log::info!(
            "executor {} of framework {} on agent {} exited with status {wait_status}",
            key.2,
            key.0,
            key.1
        );
        let live = self.live_tasks_of(key);
        self.executors.remove(key);
        self.send_event(
            &key.0,
            &events::failure(&key.1, Some(&key.2), Some(wait_status)),
        );
        for task in live {
            if let Some(t) = self.tasks.get_mut(&task) {
                t.runner = Runner::Done;
            }
            let message = "Executor terminated".to_string();
            let reason = Reason::REASON_EXECUTOR_TERMINATED;
            self.agent_own_update(&task, TaskState::TASK_FAILED, message, reason, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_render_as_stout_does() {
        assert_eq!(stout_duration(Duration::from_secs(5)), "5secs");
        assert_eq!(stout_duration(Duration::from_secs(900)), "15mins");
        assert_eq!(stout_duration(Duration::from_millis(100)), "100ms");
        assert_eq!(stout_duration(Duration::from_secs(90)), "1.5mins");
        assert_eq!(stout_duration(Duration::ZERO), "0ns");
    }
}
