//! Read-only views of the cluster for tests and tools (the control API).

use std::path::PathBuf;

use mesos_http::v1::TaskState;

use super::cluster::Cluster;

/// A framework as the master sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkView {
    /// Framework id.
    pub id: String,
    /// `FrameworkInfo.name`.
    pub name: String,
    /// Whether a subscription stream is open.
    pub connected: bool,
    /// The current `Mesos-Stream-Id`, when connected.
    pub stream_id: Option<String>,
    /// Roles it suppressed.
    pub suppressed_roles: Vec<String>,
    /// Number of subscriptions so far (2 or more means it failed over).
    pub subscriptions: u32,
    /// Principal, if any.
    pub principal: Option<String>,
}

/// A task the master knows.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    /// Framework id.
    pub framework_id: String,
    /// Task id.
    pub task_id: String,
    /// Agent id.
    pub agent_id: String,
    /// Latest state reported by its agent.
    pub state: TaskState,
    /// Sandbox directory (local agents only).
    pub sandbox: Option<PathBuf>,
    /// Updates not yet acknowledged.
    pub unacknowledged: usize,
}

/// A status update waiting for its acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateView {
    /// Framework id.
    pub framework_id: String,
    /// Task id.
    pub task_id: String,
    /// State it reports.
    pub state: TaskState,
    /// Its uuid.
    pub uuid: Vec<u8>,
    /// Whether it is the one in flight (head of its task's queue).
    pub in_flight: bool,
    /// How many times the in-flight update has been sent.
    pub deliveries: u32,
}

/// A custom executor running as a real process on a local agent.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutorView {
    /// Framework id.
    pub framework_id: String,
    /// Agent id.
    pub agent_id: String,
    /// Executor id.
    pub executor_id: String,
    /// Its process id.
    pub pid: u32,
    /// Whether its subscription stream is open.
    pub connected: bool,
    /// How many times it subscribed.
    pub subscriptions: u32,
    /// UPDATE calls (and updates re-sent in SUBSCRIBE) received, duplicates included.
    pub updates_received: u32,
    /// Whether SHUTDOWN was sent.
    pub shutting_down: bool,
    /// The environment the agent started it with.
    pub environment: Vec<(String, String)>,
}

/// An outstanding offer.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferView {
    /// Offer id.
    pub id: String,
    /// Framework it was made to.
    pub framework_id: String,
    /// Agent.
    pub agent_id: String,
}

/// A borrowed view of the cluster, valid while the state is locked.
pub struct ClusterView<'a> {
    pub(crate) cluster: &'a Cluster,
}

impl ClusterView<'_> {
    /// All known (not removed) frameworks.
    pub fn frameworks(&self) -> Vec<FrameworkView> {
        self.cluster
            .frameworks
            .values()
            .map(|f| FrameworkView {
                id: f.id.clone(),
                name: f.info.name.clone(),
                connected: f.stream.is_some(),
                stream_id: f.stream.as_ref().map(|s| s.id.clone()),
                suppressed_roles: f.suppressed.iter().cloned().collect(),
                subscriptions: f.subscriptions,
                principal: f.info.principal.clone(),
            })
            .collect()
    }

    /// One framework by id.
    pub fn framework(&self, id: &str) -> Option<FrameworkView> {
        self.frameworks().into_iter().find(|f| f.id == id)
    }

    /// Whether a framework id was removed (teardown or failover timeout).
    pub fn is_removed(&self, framework_id: &str) -> bool {
        self.cluster.removed_frameworks.contains(framework_id)
    }

    /// Live tasks (not yet acknowledged as terminal).
    pub fn tasks(&self) -> Vec<TaskView> {
        self.cluster.tasks.values().map(task_view).collect()
    }

    /// The newest task with this id, live or completed.
    pub fn task(&self, task_id: &str) -> Option<TaskView> {
        self.cluster
            .tasks
            .values()
            .find(|t| t.task_id == task_id)
            .or_else(|| {
                self.cluster
                    .completed_tasks
                    .iter()
                    .rev()
                    .find(|t| t.task_id == task_id)
            })
            .map(task_view)
    }

    /// The state of a task (live or completed).
    pub fn task_state(&self, task_id: &str) -> Option<TaskState> {
        self.task(task_id).map(|t| t.state)
    }

    /// Tasks that are gone from the master (terminal update acknowledged, or removed).
    pub fn completed_tasks(&self) -> Vec<TaskView> {
        self.cluster.completed_tasks.iter().map(task_view).collect()
    }

    /// Every status update still waiting for an acknowledgement.
    pub fn unacknowledged_updates(&self) -> Vec<UpdateView> {
        let mut out = Vec::new();
        for task in self.cluster.tasks.values() {
            for (i, status) in task.pending.iter().enumerate() {
                out.push(UpdateView {
                    framework_id: task.framework_id.clone(),
                    task_id: task.task_id.clone(),
                    state: status.state,
                    uuid: status.uuid.clone().unwrap_or_default(),
                    in_flight: i == 0,
                    deliveries: if i == 0 { task.deliveries } else { 0 },
                });
            }
        }
        out
    }

    /// Outstanding offers.
    pub fn offers(&self) -> Vec<OfferView> {
        self.cluster
            .offers
            .values()
            .map(|o| OfferView {
                id: o.id.clone(),
                framework_id: o.framework_id.clone(),
                agent_id: o.agent_id.clone(),
            })
            .collect()
    }

    /// Custom executors running as processes on local agents.
    pub fn executors(&self) -> Vec<ExecutorView> {
        self.cluster
            .executors
            .iter()
            .filter_map(|(k, e)| {
                let http = e.http.as_ref()?;
                Some(ExecutorView {
                    framework_id: k.0.clone(),
                    agent_id: k.1.clone(),
                    executor_id: k.2.clone(),
                    pid: http.pid,
                    connected: http.stream.is_some(),
                    subscriptions: http.subscriptions,
                    updates_received: http.updates_received,
                    shutting_down: http.shutdown_deadline.is_some(),
                    environment: http.env.clone(),
                })
            })
            .collect()
    }

    /// One executor by id.
    pub fn executor(&self, executor_id: &str) -> Option<ExecutorView> {
        self.executors()
            .into_iter()
            .find(|e| e.executor_id == executor_id)
    }

    /// Registered agent ids.
    pub fn agents(&self) -> Vec<String> {
        self.cluster.agents.keys().cloned().collect()
    }

    /// The link between an agent and the master (`None` for an unknown agent).
    pub fn agent_link(&self, agent_id: &str) -> Option<super::AgentLink> {
        self.cluster.agents.get(agent_id).map(|a| a.link.public())
    }

    /// MESSAGE call payloads received: (agent id, executor id, data).
    pub fn messages(&self) -> Vec<(String, String, Vec<u8>)> {
        self.cluster.messages.clone()
    }

    /// Index of the leading master.
    pub fn leader(&self) -> Option<usize> {
        self.cluster.leader
    }

    /// How many ACKNOWLEDGE calls named this status uuid (whether or not it
    /// was the update in flight).
    pub fn acks_received(&self, uuid: &[u8]) -> u32 {
        self.cluster.acks_received.get(uuid).copied().unwrap_or(0)
    }

    /// ACKNOWLEDGE calls received in all.
    pub fn total_acks_received(&self) -> u64 {
        self.cluster
            .acks_received
            .values()
            .map(|&n| u64::from(n))
            .sum()
    }

    /// Events written to every framework's streams so far.
    pub fn total_events_sent(&self) -> u64 {
        self.cluster.events_sent.values().sum()
    }

    /// Events written to a framework's streams so far.
    pub fn events_sent(&self, framework_id: &str) -> u64 {
        self.cluster
            .events_sent
            .get(framework_id)
            .copied()
            .unwrap_or(0)
    }
}

fn task_view(t: &super::cluster::Task) -> TaskView {
    TaskView {
        framework_id: t.framework_id.clone(),
        task_id: t.task_id.clone(),
        agent_id: t.agent_id.clone(),
        state: t.state,
        sandbox: t.sandbox.clone(),
        unacknowledged: t.pending.len(),
    }
}
