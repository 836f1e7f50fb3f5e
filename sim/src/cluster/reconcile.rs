//! RECONCILE: the master answers from what it knows, which depends on the
//! link to each task's agent (links.rs). Answers carry no uuid and have
//! reason REASON_RECONCILIATION and source SOURCE_MASTER.
//!
//! For a task the master does not know, the answer depends on the agent id
//! the scheduler gave: registered → TASK_GONE, unreachable →
//! TASK_UNREACHABLE, unknown or none → TASK_UNKNOWN; an agent that is known
//! from the registry but has not re-registered since a master restart gets
//! no answer at all (the scheduler must ask again). Without the
//! PARTITION_AWARE capability every one of these is TASK_LOST.

use mesos_http::v1::scheduler::call::reconcile::Task as ReconcileTask;
use mesos_http::v1::task_status::Reason;
use mesos_http::v1::{TaskState, TaskStatus};

use super::events;
use super::links::{Link, MasterView};
use super::{Cluster, Task};

impl Cluster {
    fn latest_state_status(
        &self,
        task: &Task,
        state: TaskState,
        latest: Option<&TaskStatus>,
    ) -> TaskStatus {
        let mut status = self.master_status(
            &task.task_id,
            Some(&task.agent_id),
            state,
            "Reconciliation: Latest task state",
            Reason::REASON_RECONCILIATION,
        );
        status.container_status = latest.and_then(|l| l.container_status.clone());
        status
    }

    fn unreachable_status(&self, framework_id: &str, task_id: &str, agent: &str) -> TaskStatus {
        let state = if self.partition_aware(framework_id) {
            TaskState::TASK_UNREACHABLE
        } else {
            TaskState::TASK_LOST
        };
        self.master_status(
            task_id,
            Some(agent),
            state,
            "Reconciliation: Task is unreachable",
            Reason::REASON_RECONCILIATION,
        )
    }

    /// The answer for a task the master does not know, or `None` when the
    /// master cannot tell yet (its agent has not re-registered).
    fn unknown_task_status(
        &self,
        framework_id: &str,
        task_id: &str,
        agent: Option<&str>,
    ) -> Option<TaskStatus> {
        let partition_aware = self.partition_aware(framework_id);
        let link = agent.and_then(|a| self.agents.get(a)).map(|a| &a.link);
        let (state, message) = match link {
            Some(Link::Recovered) => return None,
            Some(Link::Unreachable { .. }) => {
                return agent.map(|a| self.unreachable_status(framework_id, task_id, a));
            }
            Some(Link::Registered) | Some(Link::Disconnected { .. }) => (
                TaskState::TASK_GONE,
                "Reconciliation: Task is unknown to the agent",
            ),
            None => (TaskState::TASK_UNKNOWN, "Reconciliation: Task is unknown"),
        };
        let state = if partition_aware {
            state
        } else {
            TaskState::TASK_LOST
        };
        Some(self.master_status(
            task_id,
            agent,
            state,
            message,
            Reason::REASON_RECONCILIATION,
        ))
    }

    /// RECONCILE: implicit (empty list) answers every task the master
    /// knows; explicit answers each listed task when it can.
    pub fn reconcile(&mut self, framework_id: &str, tasks: Vec<ReconcileTask>) {
        let mut answers = Vec::new();
        if tasks.is_empty() {
            for task in self
                .tasks
                .values()
                .filter(|t| t.framework_id == framework_id)
            {
                match self.master_view(task) {
                    MasterView::Latest(state, latest) => {
                        answers.push(self.latest_state_status(task, state, latest))
                    }
                    MasterView::Unreachable => answers.push(self.unreachable_status(
                        framework_id,
                        &task.task_id,
                        &task.agent_id,
                    )),
                    MasterView::Unknown => {}
                }
            }
        }
        for wanted in tasks {
            let key = (framework_id.to_string(), wanted.task_id.value.clone());
            let agent = wanted.agent_id.as_ref().map(|a| a.value.as_str());
            let task = self.tasks.get(&key);
            let answer = match task.map(|t| (t, self.master_view(t))) {
                Some((task, MasterView::Latest(state, latest))) => {
                    Some(self.latest_state_status(task, state, latest))
                }
                Some((task, MasterView::Unreachable)) => {
                    Some(self.unreachable_status(framework_id, &task.task_id, &task.agent_id))
                }
                Some((_, MasterView::Unknown)) | None => {
                    self.unknown_task_status(framework_id, &wanted.task_id.value, agent)
                }
            };
            match answer {
                Some(status) => answers.push(status),
                None => log::info!(
                    "reconciliation of task {} waits for its agent to re-register",
                    wanted.task_id.value
                ),
            }
        }
        for status in answers {
            self.send_event(framework_id, &events::update(status));
        }
    }
}
