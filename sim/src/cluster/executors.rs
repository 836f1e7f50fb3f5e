//! Executors that are not command executors (a task's own `ExecutorInfo`, or
//! the executor of a task group): they outlive their tasks until SHUTDOWN,
//! and their end is reported to the framework as a FAILURE event, like the
//! agent's `ExitedExecutorMessage`. Command executors are never reported
//! (the Mesos agent generates them and keeps their exits to itself).
//! Also the FAILURE every connected framework gets when an agent is lost.

use std::time::Instant;

use super::events;
use super::Cluster;

/// `(framework id, agent id, executor id)`.
pub type ExecutorKey = (String, String, String);

/// A running executor the master would hear about when it exits.
#[derive(Debug, Default)]
pub struct Executor {
    /// SHUTDOWN was asked for: the executor exits once its tasks have ended.
    pub shutting_down: bool,
    /// A real executor process speaking the executor API (local agents).
    pub http: Option<super::http_executors::HttpExecutor>,
}

impl Cluster {
    /// Records the executor of a launched task, unless it is the command executor.
    pub(super) fn register_executor(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        executor_id: &str,
        command: bool,
    ) {
        if command {
            return;
        }
        self.executors
            .entry((
                framework_id.to_string(),
                agent_id.to_string(),
                executor_id.to_string(),
            ))
            .or_default();
    }

    pub(super) fn live_tasks_of(&self, key: &ExecutorKey) -> Vec<(String, String)> {
        self.tasks
            .iter()
            .filter(|(k, t)| {
                k.0 == key.0
                    && t.agent_id == key.1
                    && t.executor_id == key.2
                    && !t.state.is_terminal()
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// SHUTDOWN: the executor's live tasks are killed; once none is left the
    /// executor exits and (unless it is a command executor) the framework
    /// gets a FAILURE naming it. An executor the agent does not run is ignored.
    pub fn shutdown_executor(
        &mut self,
        framework_id: &str,
        executor_id: &str,
        agent_id: &str,
        now: Instant,
    ) {
        let key = (
            framework_id.to_string(),
            agent_id.to_string(),
            executor_id.to_string(),
        );
        if let Some(executor) = self.executors.get_mut(&key) {
            executor.shutting_down = true;
            if executor.http.is_some() {
                self.shutdown_http_executor(&key, now);
                return;
            }
        }
        for task in self.live_tasks_of(&key) {
            self.kill_task(&task, now);
        }
        // Tasks killed at once (scripted agents), or none left: the executor
        // exits cleanly now. Local processes report when they are reaped.
        self.executor_may_have_exited(&key, 0);
    }

    /// Called when a task of `key` ended (or after a SHUTDOWN): a shutting
    /// down executor with no live task left exits with `wait_status`.
    pub(super) fn executor_may_have_exited(&mut self, key: &ExecutorKey, wait_status: i32) {
        // A real executor process is reported when it exits, not before.
        let done = self
            .executors
            .get(key)
            .is_some_and(|e| e.shutting_down && e.http.is_none())
            && self.live_tasks_of(key).is_empty();
        if !done {
            return;
        }
        self.executors.remove(key);
        log::info!(
            "executor {} of framework {} on agent {} exited with status {wait_status}",
            key.2,
            key.0,
            key.1
        );
        self.send_event(
            &key.0,
            &events::failure(&key.1, Some(&key.2), Some(wait_status)),
        );
    }

    /// The agent is gone: its executors with it, and every connected
    /// framework hears of it (a FAILURE with only the agent id).
    pub(super) fn agent_lost(&mut self, agent_id: &str) {
        self.executors.retain(|k, _| k.1 != agent_id);
        let connected: Vec<String> = self
            .frameworks
            .values()
            .filter(|f| f.stream.is_some())
            .map(|f| f.id.clone())
            .collect();
        for framework_id in connected {
            self.send_event(&framework_id, &events::failure(agent_id, None, None));
        }
    }
}
