//! Tasks as the master sees them: ACCEPT with LAUNCH / LAUNCH_GROUP validated
//! like Mesos, KILL, RECONCILE and RECONCILE_OPERATIONS (SHUTDOWN is in executors.rs).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::ids;
use crate::resources::Res;
use crate::roles::has_capability;
use mesos_http::v1::framework_info::capability::Type as Capability;
use mesos_http::v1::offer::operation::Type as OperationType;
use mesos_http::v1::offer::Operation;
use mesos_http::v1::scheduler::call::reconcile::Task as ReconcileTask;
use mesos_http::v1::scheduler::call::reconcile_operations::Operation as ReconcileOperation;
use mesos_http::v1::scheduler::call::{Accept, Kill};
use mesos_http::v1::task_status::{Reason, Source};
use mesos_http::v1::{
    AgentID, OperationState, OperationStatus, TaskID, TaskInfo, TaskState, TaskStatus,
};

use super::agents::Runner;
use super::events;
use super::Cluster;

/// A task the master knows (from launch until its terminal update is acknowledged).
#[derive(Debug)]
pub struct Task {
    /// Owning framework.
    pub framework_id: String,
    /// Task id.
    pub task_id: String,
    /// Agent it runs on.
    pub agent_id: String,
    /// Executor id (the task id for command tasks).
    pub executor_id: String,
    /// Container id.
    pub container_id: String,
    /// What the framework sent.
    pub info: TaskInfo,
    /// Resources it holds while not terminal.
    pub resources: Res,
    /// Latest state reported by the agent.
    pub state: TaskState,
    /// Latest status reported by the agent.
    pub latest: Option<TaskStatus>,
    /// Status updates not yet acknowledged, oldest (the one in flight) first.
    pub pending: VecDeque<TaskStatus>,
    /// When the head update is re-sent next.
    pub retry_at: Option<Instant>,
    /// Current retry interval.
    pub backoff: Duration,
    /// How many times the head update has been sent.
    pub deliveries: u32,
    /// What drives its state.
    pub runner: Runner,
    /// Sandbox directory (local agents).
    pub sandbox: Option<PathBuf>,
    /// Pid of the process (local agents).
    pub executor_pid: Option<u32>,
    /// When it was launched.
    pub launched_at: Instant,
    /// The executor of its task group, if it was launched in one.
    pub group_executor: Option<mesos_http::v1::ExecutorInfo>,
}

/// Seconds since the epoch as the master's `timestamp` fields.
pub fn timestamp() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn resources_text(res: &Res) -> String {
    let mut parts: Vec<String> = res
        .scalars
        .iter()
        .map(|(n, v)| format!("{n}:{v}"))
        .collect();
    for (n, list) in &res.ranges {
        let ranges: Vec<String> = list.iter().map(|(b, e)| format!("{b}-{e}")).collect();
        parts.push(format!("{n}:[{}]", ranges.join(", ")));
    }
    parts.join("; ")
}

impl Cluster {
    /// Whether the framework declared PARTITION_AWARE.
    pub fn partition_aware(&self, framework_id: &str) -> bool {
        self.frameworks
            .get(framework_id)
            .is_some_and(|f| has_capability(&f.info, Capability::PARTITION_AWARE))
    }

    /// A status the master generates itself (no uuid, so no acknowledgement).
    pub fn master_status(
        &self,
        task_id: &str,
        agent_id: Option<&str>,
        state: TaskState,
        message: &str,
        reason: Reason,
    ) -> TaskStatus {
        TaskStatus {
            task_id: TaskID {
                value: task_id.to_string(),
            },
            state,
            message: Some(message.to_string()),
            source: Some(Source::SOURCE_MASTER),
            reason: Some(reason),
            agent_id: agent_id.map(|a| AgentID {
                value: a.to_string(),
            }),
            timestamp: Some(timestamp()),
            ..TaskStatus::default()
        }
    }

    fn reject_task(
        &mut self,
        framework_id: &str,
        task: &TaskInfo,
        state: TaskState,
        message: &str,
        reason: Reason,
    ) {
        let status = self.master_status(
            &task.task_id.value,
            Some(&task.agent_id.value),
            state,
            message,
            reason,
        );
        log::info!("task {} rejected: {message}", task.task_id.value);
        self.send_event(framework_id, &events::update(status));
    }

    /// ACCEPT: uses the offers for the operations in order.
    pub fn accept(&mut self, framework_id: &str, accept: Accept, now: Instant) {
        let mut offers = Vec::new();
        let mut invalid = Vec::new();
        for offer_id in &accept.offer_ids {
            match self.take_offer(framework_id, &offer_id.value) {
                Some(o) => offers.push(o),
                None => invalid.push(offer_id.value.clone()),
            }
        }
        let agent_id = offers.first().map(|o| o.agent_id.clone());
        if offers
            .iter()
            .any(|o| Some(&o.agent_id) != agent_id.as_ref())
        {
            invalid.push("(offers on different agents)".to_string());
        }
        if offers.is_empty() && invalid.is_empty() {
            invalid.push("(no offers)".to_string());
        }
        if !invalid.is_empty() {
            let state = if self.partition_aware(framework_id) {
                TaskState::TASK_DROPPED
            } else {
                TaskState::TASK_LOST
            };
            let message = format!(
                "Task launched with invalid offers: Offer {} is no longer valid",
                invalid.join(", ")
            );
            for op in &accept.operations {
                for task in launched_tasks(op) {
                    self.reject_task(
                        framework_id,
                        &task,
                        state,
                        &message,
                        Reason::REASON_INVALID_OFFERS,
                    );
                }
            }
            self.allocation_dirty = true;
            return;
        }
        let agent_id = agent_id.unwrap_or_default();
        let mut available = Res::default();
        for offer in &offers {
            available.add(&offer.resources);
        }
        for op in accept.operations {
            self.apply_operation(framework_id, &agent_id, op, &mut available, now);
        }
        let refuse = accept
            .filters
            .as_ref()
            .and_then(|f| f.refuse_seconds)
            .unwrap_or(5.0);
        if !available.is_empty() {
            self.add_filter(framework_id, &agent_id, available, refuse, now);
        }
        self.allocation_dirty = true;
    }

    fn apply_operation(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        op: Operation,
        available: &mut Res,
        now: Instant,
    ) {
        let ty = op.r#type.unwrap_or_default();
        match ty {
            OperationType::LAUNCH | OperationType::LAUNCH_GROUP => {
                let group = ty == OperationType::LAUNCH_GROUP;
                let tasks = launched_tasks(&op);
                let executor = op.launch_group.as_ref().map(|g| g.executor.clone());
                let mut op_error = op.id.is_some().then(|| {
                    "The 'id' field was set in an offer operation that does not support operation feedback".to_string()
                });
                if group && tasks.is_empty() {
                    op_error.get_or_insert_with(|| {
                        "Task group must contain at least one task".to_string()
                    });
                }
                if group {
                    self.launch_group(
                        framework_id,
                        agent_id,
                        tasks,
                        executor,
                        op_error,
                        available,
                        now,
                    );
                    return;
                }
                let mut seen: Vec<String> = Vec::new();
                for task in tasks {
                    let mut held = Res::from_resources(&task.resources);
                    if let Some(ex) = task.executor.as_ref() {
                        held.add(&Res::from_resources(&ex.resources));
                    }
                    let error = op_error
                        .clone()
                        .or_else(|| self.task_error(framework_id, agent_id, &task, &seen, false))
                        .or_else(|| {
                            (!held.fits_in(available)).then(|| {
                                format!(
                                    "Total resources {} required by task and its executor is more than available {}",
                                    resources_text(&held),
                                    resources_text(available)
                                )
                            })
                        });
                    seen.push(task.task_id.value.clone());
                    if let Some(e) = error {
                        self.reject_task(
                            framework_id,
                            &task,
                            TaskState::TASK_ERROR,
                            &e,
                            Reason::REASON_TASK_INVALID,
                        );
                        continue;
                    }
                    available.subtract(&held);
                    self.launch(framework_id, agent_id, task, None, held, now);
                }
            }
            _ => {
                if let Some(operation_id) = op.id.clone() {
                    let status = OperationStatus {
                        operation_id: Some(operation_id),
                        state: OperationState::OPERATION_ERROR,
                        message: Some("Operation feedback is not supported by this agent: it lacks the RESOURCE_PROVIDER capability".to_string()),
                        agent_id: Some(AgentID {
                            value: agent_id.to_string(),
                        }),
                        ..OperationStatus::default()
                    };
                    self.send_event(framework_id, &events::update_operation_status(status));
                }
            }
        }
    }

    /// Per-task checks shared by LAUNCH and LAUNCH_GROUP.
    fn task_error(
        &self,
        framework_id: &str,
        agent_id: &str,
        task: &TaskInfo,
        seen: &[String],
        group: bool,
    ) -> Option<String> {
        let id = &task.task_id.value;
        if self
            .tasks
            .contains_key(&(framework_id.to_string(), id.clone()))
            || seen.contains(id)
        {
            Some(format!("Task has duplicate ID: {id}"))
        } else if task.agent_id.value != agent_id {
            Some(format!("Task uses invalid agent: {}", task.agent_id.value))
        } else if !group && task.command.is_some() == task.executor.is_some() {
            Some("Task should have at least one (but not both) of CommandInfo or ExecutorInfo present".to_string())
        } else if group && (task.command.is_none() || task.executor.is_some()) {
            Some("Task in a task group must have a CommandInfo and no ExecutorInfo".to_string())
        } else {
            None
        }
    }

    /// LAUNCH_GROUP: all tasks launch, or all fail with TASK_ERROR.
    #[allow(clippy::too_many_arguments)]
    fn launch_group(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        tasks: Vec<TaskInfo>,
        executor: Option<mesos_http::v1::ExecutorInfo>,
        op_error: Option<String>,
        available: &mut Res,
        now: Instant,
    ) {
        let mut needed = Res::default();
        if let Some(executor) = &executor {
            needed.add(&Res::from_resources(&executor.resources));
        }
        let mut seen: Vec<String> = Vec::new();
        let mut error = op_error;
        for task in &tasks {
            if error.is_none() {
                error = self.task_error(framework_id, agent_id, task, &seen, true);
            }
            seen.push(task.task_id.value.clone());
            needed.add(&Res::from_resources(&task.resources));
        }
        if error.is_none() && !needed.fits_in(available) {
            error = Some(format!(
                "Total resources {} required by task group and its executor are more than available {}",
                resources_text(&needed),
                resources_text(available)
            ));
        }
        if let Some(e) = error {
            for task in &tasks {
                self.reject_task(
                    framework_id,
                    task,
                    TaskState::TASK_ERROR,
                    &e,
                    Reason::REASON_TASK_GROUP_INVALID,
                );
            }
            return;
        }
        available.subtract(&needed);
        let mut first = true;
        for task in tasks.iter().cloned() {
            let mut held = Res::from_resources(&task.resources);
            if first {
                // The executor's resources are held by the first task of the group.
                if let Some(ex) = &executor {
                    held.add(&Res::from_resources(&ex.resources));
                }
                first = false;
            }
            self.launch(framework_id, agent_id, task, executor.clone(), held, now);
        }
        self.launch_group_on_http_executor(framework_id, &tasks);
    }

    fn launch(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        info: TaskInfo,
        group_executor: Option<mesos_http::v1::ExecutorInfo>,
        resources: Res,
        now: Instant,
    ) {
        let task_id = info.task_id.value.clone();
        let executor = info.executor.clone().or(group_executor.clone());
        let executor = executor.as_ref();
        let executor_id = executor
            .map(|e| e.executor_id.value.clone())
            .unwrap_or_else(|| task_id.clone());
        self.register_executor(framework_id, agent_id, &executor_id, executor.is_none());
        let key = (framework_id.to_string(), task_id.clone());
        log::info!("launching task {task_id} of {framework_id} on {agent_id}");
        self.tasks.insert(
            key.clone(),
            Task {
                framework_id: framework_id.to_string(),
                task_id,
                agent_id: agent_id.to_string(),
                executor_id,
                container_id: ids::uuid_v4_string(),
                info,
                resources,
                state: TaskState::TASK_STAGING,
                latest: None,
                pending: VecDeque::new(),
                retry_at: None,
                backoff: self.timing.retry_min,
                deliveries: 0,
                runner: Runner::Done,
                sandbox: None,
                executor_pid: None,
                launched_at: now,
                group_executor,
            },
        );
        self.start_runner(&key, now);
    }

    /// KILL: a known task is killed; an unknown one is reconciled instead; an
    /// agent id that does not match the task's makes the call a no-op.
    pub fn kill(&mut self, framework_id: &str, kill: Kill, now: Instant) {
        let key = (framework_id.to_string(), kill.task_id.value.clone());
        let known = self
            .tasks
            .get(&key)
            .filter(|t| matches!(self.master_view(t), super::links::MasterView::Latest(..)));
        match known {
            Some(task) => {
                if kill
                    .agent_id
                    .as_ref()
                    .is_some_and(|a| a.value != task.agent_id)
                {
                    return;
                }
                if self.hold_kill(&key) {
                    return;
                }
                self.kill_task(&key, now);
            }
            None => self.reconcile(
                framework_id,
                vec![ReconcileTask {
                    task_id: kill.task_id,
                    agent_id: kill.agent_id,
                }],
            ),
        }
    }

    /// RECONCILE_OPERATIONS: the simulated agents run no operations, so every
    /// listed operation is OPERATION_UNKNOWN (no uuid).
    pub fn reconcile_operations(
        &mut self,
        framework_id: &str,
        operations: Vec<ReconcileOperation>,
    ) {
        for op in operations {
            let status = OperationStatus {
                operation_id: Some(op.operation_id),
                state: OperationState::OPERATION_UNKNOWN,
                message: Some("Reconciliation: Operation is unknown".to_string()),
                agent_id: op.agent_id,
                resource_provider_id: op.resource_provider_id,
                ..OperationStatus::default()
            };
            self.send_event(framework_id, &events::update_operation_status(status));
        }
    }
}

/// The TaskInfos an operation launches (empty for other operation types).
fn launched_tasks(op: &Operation) -> Vec<TaskInfo> {
    match op.r#type.unwrap_or_default() {
        OperationType::LAUNCH => op
            .launch
            .as_ref()
            .map(|l| l.task_infos.clone())
            .unwrap_or_default(),
        OperationType::LAUNCH_GROUP => op
            .launch_group
            .as_ref()
            .map(|g| g.task_group.tasks.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
