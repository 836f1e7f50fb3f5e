//! The agent-side status-update manager: every update an agent produces gets
//! a fresh uuid and waits in a per-task FIFO; only the head is in flight, it
//! is re-sent with exponential backoff until acknowledged, and re-sent at once
//! when the framework re-subscribes.

use std::time::Instant;

use crate::ids;
use mesos_http::v1::network_info::{IPAddress, Protocol};
use mesos_http::v1::task_status::{Reason, Source};
use mesos_http::v1::{
    AgentID, ContainerID, ContainerStatus, ExecutorID, NetworkInfo, TaskID, TaskState, TaskStatus,
};

use super::events;
use super::Cluster;

impl Cluster {
    /// The task's (simulated command or scripted) executor reports a new
    /// state, through its agent (reliably: with a uuid).
    pub fn agent_update(
        &mut self,
        key: &(String, String),
        state: TaskState,
        message: Option<String>,
        reason: Option<Reason>,
        now: Instant,
    ) {
        self.reliable_update(key, state, message, reason, Source::SOURCE_EXECUTOR, now);
    }

    /// The agent itself reports a new state for a task no executor can
    /// speak for any more (its executor terminated or never started, or
    /// the task was killed before it reached it): `SOURCE_AGENT`, with the
    /// agent's own state, reason and message, as a real agent writes them.
    pub fn agent_own_update(
        &mut self,
        key: &(String, String),
        state: TaskState,
        message: String,
        reason: Reason,
        now: Instant,
    ) {
        let source = Source::SOURCE_AGENT;
        self.reliable_update(key, state, Some(message), Some(reason), source, now);
    }

    fn reliable_update(
        &mut self,
        key: &(String, String),
        state: TaskState,
        message: Option<String>,
        reason: Option<Reason>,
        source: Source,
        now: Instant,
    ) {
        let Some(task) = self.tasks.get(key) else {
            return;
        };
        let status = TaskStatus {
            task_id: TaskID {
                value: task.task_id.clone(),
            },
            state,
            message,
            source: Some(source),
            reason,
            timestamp: Some(super::tasks::timestamp()),
            uuid: Some(ids::uuid_v4_bytes().to_vec()),
            ..TaskStatus::default()
        };
        self.enqueue_update(key, status, now);
    }

    /// Puts a status (the agent's own, or one an executor sent) in the
    /// task's stream, with what the agent adds: its id, the executor's id
    /// and, to an executor's update, the container's status (a real agent
    /// adds none to its own). Sent at once if nothing is in flight.
    pub(super) fn enqueue_update(
        &mut self,
        key: &(String, String),
        mut status: TaskStatus,
        now: Instant,
    ) {
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
        let state = status.state;
        status.agent_id = Some(AgentID {
            value: task.agent_id.clone(),
        });
        status.executor_id = Some(ExecutorID {
            value: task.executor_id.clone(),
        });
        let from_executor = status.source != Some(Source::SOURCE_AGENT);
        status.container_status = from_executor.then(|| ContainerStatus {
            container_id: Some(ContainerID {
                value: task.container_id.clone(),
                parent: None,
            }),
            network_infos: vec![NetworkInfo {
                ip_addresses: vec![IPAddress {
                    protocol: Some(Protocol::IPv4),
                    ip_address: Some("127.0.0.1".to_string()),
                }],
                ..NetworkInfo::default()
            }],
            cgroup_info: None,
            executor_pid: task.executor_pid,
        });
        log::info!(
            "task {} of {} is now {:?}",
            task.task_id,
            task.framework_id,
            state.name().unwrap_or("?")
        );
        task.state = state;
        task.latest = Some(status.clone());
        task.pending.push_back(status);
        if state.is_terminal() {
            self.allocation_dirty = true;
        }
        if self.tasks.get(key).is_some_and(|t| t.pending.len() == 1) {
            let min = self.timing.retry_min;
            if let Some(task) = self.tasks.get_mut(key) {
                task.backoff = min;
                task.deliveries = 0;
            }
            self.deliver_head(key, now);
        }
    }

    /// Sends the head update of a task and schedules its retry; an agent
    /// cut off from the master holds it, without retries, until it re-registers.
    pub(super) fn deliver_head(&mut self, key: &(String, String), now: Instant) {
        let connected = self
            .tasks
            .get(key)
            .is_some_and(|t| self.agent_connected(&t.agent_id));
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
        if !connected {
            task.retry_at = None;
            return;
        }
        let Some(head) = task.pending.front().cloned() else {
            task.retry_at = None;
            return;
        };
        task.deliveries += 1;
        task.retry_at = Some(now + task.backoff);
        self.send_event(&key.0, &events::update(head));
    }

    pub(super) fn retry_status_updates(&mut self, now: Instant) {
        let due: Vec<(String, String)> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.retry_at.is_some_and(|r| now >= r) && !t.pending.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        let max = self.timing.retry_max;
        for key in due {
            if let Some(task) = self.tasks.get_mut(&key) {
                task.backoff = (task.backoff * 2).min(max);
            }
            self.deliver_head(&key, now);
        }
    }

    /// On re-subscription every pending head is re-sent at once and its backoff restarts.
    pub fn resend_pending_updates(&mut self, framework_id: &str, now: Instant) {
        let min = self.timing.retry_min;
        let keys: Vec<(String, String)> = self
            .tasks
            .iter()
            .filter(|(k, t)| k.0 == framework_id && !t.pending.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            if let Some(task) = self.tasks.get_mut(&key) {
                task.backoff = min;
            }
            self.deliver_head(&key, now);
        }
    }

    /// ACKNOWLEDGE: pops the head if the uuid matches; anything else is ignored
    /// (like the agent). A terminal update's acknowledgement removes the task.
    pub fn acknowledge(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        task_id: &str,
        uuid: &[u8],
        now: Instant,
    ) {
        *self.acks_received.entry(uuid.to_vec()).or_default() += 1;
        if !self.agent_connected(agent_id) {
            return;
        }
        let key = (framework_id.to_string(), task_id.to_string());
        let min = self.timing.retry_min;
        let Some(task) = self.tasks.get_mut(&key) else {
            return;
        };
        if task.agent_id != agent_id {
            return;
        }
        let matches = task
            .pending
            .front()
            .is_some_and(|s| s.uuid.as_deref() == Some(uuid));
        if !matches {
            return;
        }
        let acked = task.pending.pop_front();
        task.deliveries = 0;
        task.retry_at = None;
        if acked.is_some_and(|s| s.state.is_terminal()) && task.pending.is_empty() {
            if let Some(task) = self.tasks.remove(&key) {
                self.completed_tasks.push(task);
            }
            return;
        }
        if !task.pending.is_empty() {
            task.backoff = min;
            self.deliver_head(&key, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crossbeam_channel::Receiver;

    use crate::cluster::{Cluster, MasterIdentity, StreamHandle, StreamMsg};
    use crate::config::{AgentSpec, ScriptedTimeline, SimConfig};
    use mesos_http::codec::Encoding;
    use mesos_http::v1::offer::operation::{Launch, Type as OpType};
    use mesos_http::v1::offer::Operation;
    use mesos_http::v1::scheduler::call::{Accept, Subscribe};
    use mesos_http::v1::scheduler::event::Type as EventType;
    use mesos_http::v1::scheduler::Event;
    use mesos_http::v1::{CommandInfo, FrameworkInfo, OfferID, TaskID, TaskInfo, TaskState};

    fn drain(rx: &Receiver<StreamMsg>) -> Vec<Event> {
        rx.try_iter()
            .filter_map(|m| match m {
                StreamMsg::Record(r) => Some(Encoding::Protobuf.decode::<Event>(&r).unwrap()),
                _ => None,
            })
            .collect()
    }

    fn updates(rx: &Receiver<StreamMsg>) -> Vec<TaskState> {
        drain(rx)
            .into_iter()
            .filter(|e| e.r#type() == EventType::UPDATE)
            .map(|e| e.update.unwrap().status.state)
            .collect()
    }

    #[test]
    fn retries_double_up_to_the_maximum_and_only_the_head_is_in_flight() {
        let mut config = SimConfig::default()
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("a"));
        config.status_update_retry_min = Duration::from_secs(10);
        config.status_update_retry_max = Duration::from_secs(60);
        config.heartbeat_interval = Duration::from_secs(100_000);
        config.allocation_interval = Duration::from_secs(100_000);
        let masters = vec![MasterIdentity {
            id: "m".into(),
            port: 5050,
        }];
        let mut cluster = Cluster::new(&config, masters, std::env::temp_dir(), false);
        let t0 = Instant::now();
        let (tx, rx) = crossbeam_channel::unbounded();
        let stream = StreamHandle {
            id: "s".into(),
            encoding: Encoding::Protobuf,
            tx,
            next_heartbeat: t0,
        };
        let info = FrameworkInfo {
            user: "u".into(),
            name: "n".into(),
            ..FrameworkInfo::default()
        };
        cluster.subscribe(
            Subscribe {
                framework_info: info,
                ..Subscribe::default()
            },
            None,
            stream,
            t0,
        );
        cluster.allocate(t0);
        let offer: String = cluster.offers.keys().next().unwrap().clone();
        let framework = cluster.frameworks.keys().next().unwrap().clone();
        drain(&rx);
        let task = TaskInfo {
            name: "t".into(),
            task_id: TaskID { value: "t".into() },
            agent_id: mesos_http::v1::AgentID { value: "a".into() },
            command: Some(CommandInfo::default()),
            ..TaskInfo::default()
        };
        let accept = Accept {
            offer_ids: vec![OfferID { value: offer }],
            operations: vec![Operation {
                r#type: Some(OpType::LAUNCH),
                launch: Some(Launch {
                    task_infos: vec![task],
                }),
                ..Operation::default()
            }],
            filters: None,
        };
        cluster.accept(&framework, accept, t0);
        assert_eq!(
            updates(&rx),
            [TaskState::TASK_STARTING],
            "RUNNING waits behind STARTING"
        );
        let at = |s: u64| t0 + Duration::from_secs(s);
        // Resends at 10, 30 (+20), 70 (+40), 130 (+60, capped), 190 (+60).
        let mut sent_at = Vec::new();
        for second in 1..=200 {
            cluster.tick(at(second));
            let states = updates(&rx);
            assert!(states.iter().all(|s| *s == TaskState::TASK_STARTING));
            if !states.is_empty() {
                sent_at.push(second);
            }
        }
        assert_eq!(sent_at, [10, 30, 70, 130, 190]);
        // Re-subscription re-sends at once and restarts the backoff.
        let (tx2, rx2) = crossbeam_channel::unbounded();
        let stream = StreamHandle {
            id: "s2".into(),
            encoding: Encoding::Protobuf,
            tx: tx2,
            next_heartbeat: at(200),
        };
        let info = FrameworkInfo {
            user: "u".into(),
            name: "n".into(),
            id: Some(mesos_http::v1::FrameworkID {
                value: framework.clone(),
            }),
            ..FrameworkInfo::default()
        };
        cluster.subscribe(
            Subscribe {
                framework_info: info,
                ..Subscribe::default()
            },
            None,
            stream,
            at(200),
        );
        assert_eq!(updates(&rx2), [TaskState::TASK_STARTING]);
        cluster.tick(at(209));
        assert!(updates(&rx2).is_empty());
        cluster.tick(at(210));
        assert_eq!(updates(&rx2), [TaskState::TASK_STARTING]);
    }
}
