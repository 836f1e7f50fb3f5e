//! Agents and the way they run tasks: local agents start real processes,
//! scripted agents replay a timeline. Both report through the status-update
//! manager (updates.rs), exactly like a Mesos agent would.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::config::{AgentKind, AgentSpec, ScriptedTimeline};
use crate::process;
use crate::resources::Res;
use mesos_http::v1::task_status::Reason;
use mesos_http::v1::TaskState;

use super::{Cluster, Task};

/// A registered agent.
#[derive(Debug)]
pub struct Agent {
    /// How it was configured.
    pub spec: AgentSpec,
    /// Its total resources.
    pub total: Res,
    /// The port of its executor endpoint (local agents).
    pub executor_port: Option<u16>,
    /// Down (restarting) until then: connections are closed unanswered.
    pub down_until: Option<Instant>,
    /// Recovering after a restart until then (or until every checkpointing
    /// executor is back): calls other than SUBSCRIBE and HEARTBEAT get 503.
    pub recovering_until: Option<Instant>,
    /// Its link to the master (partitions, master restarts).
    pub link: super::links::Link,
}

impl Agent {
    /// Whether the agent process is down at `now`.
    pub fn is_down(&self, now: Instant) -> bool {
        self.down_until.is_some_and(|until| now < until)
    }
}

/// A running child process of a local task.
#[derive(Debug)]
pub struct LocalProcess {
    /// The child (its pid is also its process group id).
    pub child: Child,
    /// When SIGTERM was sent, if it was.
    pub term_sent: Option<Instant>,
    /// Whether SIGKILL was sent.
    pub kill_sent: bool,
}

/// What drives a task's state changes.
#[derive(Debug)]
pub enum Runner {
    /// A child process.
    Local(LocalProcess),
    /// A scripted timeline; `next` is the next step to report.
    Scripted {
        /// The timeline.
        timeline: ScriptedTimeline,
        /// Index of the next step.
        next: usize,
    },
    /// A custom executor on a local agent runs it and reports its states.
    Executor,
    /// Nothing more will happen.
    Done,
}

impl Runner {
    /// Stops whatever runs, without reporting (framework or agent removed).
    pub fn kill_now(&mut self) {
        // Dropping a local process kills its group.
        *self = Runner::Done;
    }
}

impl Drop for LocalProcess {
    /// The process group goes with its owner: killed, its leader reaped,
    /// and the reaper told it needs no watching any more.
    fn drop(&mut self) {
        process::finish_group(&mut self.child);
    }
}

/// A state change a runner produced.
pub(super) struct Report {
    pub key: (String, String),
    pub state: TaskState,
    pub message: Option<String>,
    pub reason: Option<Reason>,
    /// The task's executor, and the raw wait status of its process if it exited.
    pub executor: (super::executors::ExecutorKey, Option<i32>),
}

/// The executor a task runs under.
fn executor_key(task: &super::Task) -> super::executors::ExecutorKey {
    (
        task.framework_id.clone(),
        task.agent_id.clone(),
        task.executor_id.clone(),
    )
}

impl Cluster {
    /// Registers an agent; returns its id.
    pub fn add_agent(&mut self, spec: AgentSpec) -> String {
        let id = spec.id.clone().unwrap_or_else(|| {
            let id = format!("{}-S{}", self.id_prefix(), self.next_agent);
            self.next_agent += 1;
            id
        });
        let mut total = Res::default();
        total.scalars.insert("cpus".to_string(), spec.cpus);
        total.scalars.insert("mem".to_string(), spec.mem);
        total.scalars.insert("disk".to_string(), spec.disk);
        if !spec.ports.is_empty() {
            total.ranges.insert("ports".to_string(), spec.ports.clone());
        }
        self.agents.insert(
            id.clone(),
            Agent {
                spec,
                total,
                executor_port: None,
                down_until: None,
                recovering_until: None,
                link: Default::default(),
            },
        );
        self.allocation_dirty = true;
        id
    }

    /// Removes an agent: its offers are rescinded, its tasks are reported
    /// gone (TASK_GONE_BY_OPERATOR for partition-aware frameworks, else
    /// TASK_LOST), then every connected framework gets a FAILURE for the agent.
    pub fn remove_agent(&mut self, agent_id: &str) -> bool {
        if self.agents.remove(agent_id).is_none() {
            return false;
        }
        let offers: Vec<String> = self
            .offers
            .values()
            .filter(|o| o.agent_id == agent_id)
            .map(|o| o.id.clone())
            .collect();
        for offer_id in offers {
            self.rescind_offer(&offer_id);
        }
        let keys: Vec<(String, String)> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.agent_id == agent_id)
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            let Some(mut task) = self.tasks.remove(&key) else {
                continue;
            };
            task.runner.kill_now();
            let partition_aware = self.partition_aware(&key.0);
            let state = if partition_aware {
                TaskState::TASK_GONE_BY_OPERATOR
            } else {
                TaskState::TASK_LOST
            };
            let status = self.master_status(
                &task.task_id,
                Some(agent_id),
                state,
                "Agent removed",
                Reason::REASON_AGENT_REMOVED,
            );
            task.state = state;
            task.pending.clear();
            self.send_event(&key.0, &super::events::update(status));
            self.completed_tasks.push(task);
        }
        self.agent_lost(agent_id);
        self.allocation_dirty = true;
        true
    }

    /// Advances every runner: reaps exited processes, escalates kills, plays
    /// scripted steps that are due, and reports the resulting updates.
    pub(super) fn run_tasks(&mut self, now: Instant) {
        self.run_runners(now, None);
    }

    /// [`Cluster::run_tasks`] for every task, or only for `only`.
    fn run_runners(&mut self, now: Instant, only: Option<&(String, String)>) {
        let grace = self.timing.kill_grace;
        let mut reports = Vec::new();
        match only {
            // One task (just launched): a lookup, not a scan of every task.
            Some(key) => {
                if let Some(task) = self.tasks.get_mut(key) {
                    if !task.state.is_terminal() {
                        step_runner(key, task, now, grace, &mut reports);
                    }
                }
            }
            None => {
                for (key, task) in self.tasks.iter_mut() {
                    if !task.state.is_terminal() {
                        step_runner(key, task, now, grace, &mut reports);
                    }
                }
            }
        }
        for report in reports {
            self.agent_update(
                &report.key,
                report.state,
                report.message,
                report.reason,
                now,
            );
            if report.state.is_terminal() {
                let (executor, wait_status) = report.executor;
                self.executor_may_have_exited(&executor, wait_status.unwrap_or(0));
            }
        }
    }

    /// Starts the runner of a freshly launched task and reports its first states.
    pub(super) fn start_runner(&mut self, key: &(String, String), now: Instant) {
        let Some(task) = self.tasks.get(key) else {
            return;
        };
        let kind = self.agents.get(&task.agent_id).map(|a| a.spec.kind.clone());
        match kind {
            Some(AgentKind::Scripted(timeline)) => {
                if let Some(task) = self.tasks.get_mut(key) {
                    task.runner = Runner::Scripted { timeline, next: 0 };
                }
                self.run_runners(now, Some(key));
            }
            Some(AgentKind::Local) if self.runs_http_executor(key) => {
                self.launch_on_http_executor(key, now);
            }
            Some(AgentKind::Local) => {
                self.agent_update(key, TaskState::TASK_STARTING, None, None, now);
                let Some(task) = self.tasks.get_mut(key) else {
                    return;
                };
                let sandbox = self
                    .work_dir
                    .join("agents")
                    .join(&task.agent_id)
                    .join("frameworks")
                    .join(&task.framework_id)
                    .join("executors")
                    .join(&task.executor_id)
                    .join("runs")
                    .join(&task.container_id);
                let env = vec![
                    ("MESOS_SANDBOX".to_string(), sandbox.display().to_string()),
                    ("MESOS_TASK_ID".to_string(), task.task_id.clone()),
                    ("MESOS_FRAMEWORK_ID".to_string(), task.framework_id.clone()),
                    ("MESOS_AGENT_ID".to_string(), task.agent_id.clone()),
                    ("MESOS_EXECUTOR_ID".to_string(), task.executor_id.clone()),
                ];
                task.sandbox = Some(sandbox.clone());
                // A task with its own ExecutorInfo runs the executor's command.
                let command = task
                    .info
                    .command
                    .clone()
                    .or_else(|| task.info.executor.as_ref().and_then(|e| e.command.clone()))
                    .unwrap_or_default();
                match process::spawn(&command, &sandbox, &env) {
                    Ok(child) => {
                        task.executor_pid = Some(child.id());
                        task.runner = Runner::Local(LocalProcess {
                            child,
                            term_sent: None,
                            kill_sent: false,
                        });
                        self.agent_update(key, TaskState::TASK_RUNNING, None, None, now);
                    }
                    Err(e) => {
                        task.runner = Runner::Done;
                        let message = format!("Failed to launch command: {e}");
                        self.agent_update(
                            key,
                            TaskState::TASK_FAILED,
                            Some(message),
                            Some(Reason::REASON_COMMAND_EXECUTOR_FAILED),
                            now,
                        );
                    }
                }
            }
            None => {}
        }
    }

    /// Kills a running task: for a command task, TASK_KILLING first for
    /// frameworks that asked for it, then SIGTERM (local) or an immediate
    /// TASK_KILLED (scripted); a custom executor is told and decides itself
    /// what to report (the agent never sends TASK_KILLING for it).
    pub(super) fn kill_task(&mut self, key: &(String, String), now: Instant) {
        let killing = self.frameworks.get(&key.0).is_some_and(|f| {
            crate::roles::has_capability(
                &f.info,
                mesos_http::v1::framework_info::capability::Type::TASK_KILLING_STATE,
            )
        });
        let Some(task) = self.tasks.get(key) else {
            return;
        };
        if task.state.is_terminal() {
            return;
        }
        let already = matches!(&task.runner, Runner::Local(p) if p.term_sent.is_some());
        if already {
            return;
        }
        let command = !matches!(task.runner, Runner::Executor);
        if killing && command && task.state != TaskState::TASK_KILLING {
            self.agent_update(key, TaskState::TASK_KILLING, None, None, now);
        }
        let Some(task) = self.tasks.get_mut(key) else {
            return;
        };
        match &mut task.runner {
            Runner::Local(p) => {
                process::signal_group(p.child.id(), libc::SIGTERM);
                p.term_sent = Some(now);
            }
            Runner::Executor => {
                self.kill_on_http_executor(key, now);
            }
            Runner::Scripted { .. } | Runner::Done => {
                task.runner = Runner::Done;
                self.agent_update(
                    key,
                    TaskState::TASK_KILLED,
                    Some("Command terminated with signal Terminated".to_string()),
                    None,
                    now,
                );
            }
        }
    }
}

/// Advances one task's runner: reaps a finished process (escalating a kill
/// after the grace period), or plays the scripted steps that are due.
fn step_runner(
    key: &(String, String),
    task: &mut Task,
    now: Instant,
    grace: Duration,
    reports: &mut Vec<Report>,
) {
    let executor = executor_key(task);
    match &mut task.runner {
        Runner::Local(p) => {
            if let Some(sent) = p.term_sent {
                if !p.kill_sent && now.duration_since(sent) >= grace {
                    process::signal_group(p.child.id(), libc::SIGKILL);
                    p.kill_sent = true;
                }
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                // The container goes with the command: nothing it started
                // outlives the task.
                process::signal_group(p.child.id(), libc::SIGKILL);
                let (code, message) = process::describe_exit(status);
                let wait_status = std::os::unix::process::ExitStatusExt::into_raw(status);
                let state = if p.term_sent.is_some() {
                    TaskState::TASK_KILLED
                } else if code == Some(0) {
                    TaskState::TASK_FINISHED
                } else {
                    TaskState::TASK_FAILED
                };
                reports.push(Report {
                    key: key.clone(),
                    state,
                    message: Some(message),
                    reason: None,
                    executor: (executor.clone(), Some(wait_status)),
                });
                task.runner = Runner::Done;
            }
        }
        Runner::Scripted { timeline, next } => {
            while let Some(step) = timeline.steps.get(*next) {
                if now < task.launched_at + step.after {
                    break;
                }
                *next += 1;
                reports.push(Report {
                    key: key.clone(),
                    state: step.state,
                    message: step.message.clone(),
                    reason: None,
                    executor: (executor.clone(), None),
                });
                if step.state.is_terminal() {
                    break;
                }
            }
            if reports
                .last()
                .is_some_and(|r| &r.key == key && r.state.is_terminal())
            {
                task.runner = Runner::Done;
            }
        }
        Runner::Executor | Runner::Done => {}
    }
}
