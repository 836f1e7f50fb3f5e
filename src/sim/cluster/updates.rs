//! The agent-side status-update manager: every update an agent produces gets
//! a fresh uuid and waits in a per-task FIFO; only the head is in flight, it
//! is re-sent with exponential backoff until acknowledged, and re-sent at once
//! when the framework re-subscribes.

use std::time::Instant;

use crate::sim::ids;
use crate::v1::network_info::{IPAddress, Protocol};
use crate::v1::task_status::{Reason, Source};
use crate::v1::{
    AgentID, ContainerID, ContainerStatus, ExecutorID, NetworkInfo, TaskID, TaskState, TaskStatus,
};

use super::events;
use super::frameworks::tasks_terminal;
use super::Cluster;

impl Cluster {
    /// An agent reports a new state for a task (reliably: with a uuid).
    pub fn agent_update(
        &mut self,
        key: &(String, String),
        state: TaskState,
        message: Option<String>,
        reason: Option<Reason>,
        now: Instant,
    ) {
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
        let status = TaskStatus {
            task_id: TaskID {
                value: task.task_id.clone(),
            },
            state,
            message,
            source: Some(Source::SOURCE_EXECUTOR),
            reason,
            agent_id: Some(AgentID {
                value: task.agent_id.clone(),
            }),
            executor_id: Some(ExecutorID {
                value: task.executor_id.clone(),
            }),
            timestamp: Some(super::tasks::timestamp()),
            uuid: Some(ids::uuid_v4_bytes().to_vec()),
            container_status: Some(ContainerStatus {
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
            }),
            ..TaskStatus::default()
        };
        log::info!(
            "task {} of {} is now {:?}",
            task.task_id,
            task.framework_id,
            state.name().unwrap_or("?")
        );
        task.state = state;
        task.latest = Some(status.clone());
        task.pending.push_back(status);
        if tasks_terminal(state) {
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

    /// Sends the head update of a task and schedules its retry.
    fn deliver_head(&mut self, key: &(String, String), now: Instant) {
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
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
        if !self.agents.contains_key(agent_id) {
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
        if acked.is_some_and(|s| tasks_terminal(s.state)) && task.pending.is_empty() {
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
