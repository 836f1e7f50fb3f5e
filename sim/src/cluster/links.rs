//! The link between each agent and the master, and the failures that break
//! it: a network partition (the agent runs on, the master hears nothing),
//! the master giving up on the agent (unreachable), and a master restart that
//! forgets every framework and task (agents must re-register).
//!
//! The simulation keeps one record per task for both sides; the link decides
//! what the master may know of it. While an agent is not registered its
//! status updates wait at the agent (retries are paused, as on a Mesos agent
//! that lost its master) and flow again, head first, when it re-registers.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use crate::ids;
use mesos_http::v1::task_status::Reason;
use mesos_http::v1::{TaskState, TaskStatus};

use super::events;
use super::{Cluster, Task};

/// A task key: (framework id, task id).
type TaskKey = (String, String);

/// How an agent is connected to the master, with what the master remembers
/// of its tasks meanwhile.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Link {
    /// Registered and connected: the master sees every update at once.
    #[default]
    Registered,
    /// Partitioned: still registered, but nothing passes. The master keeps
    /// the states it last heard and holds KILLs until the agent is back.
    Disconnected {
        /// Per task: the state and status the master last received.
        known: BTreeMap<TaskKey, (TaskState, Option<TaskStatus>)>,
        /// Tasks the framework asked to kill meanwhile.
        kills: BTreeSet<TaskKey>,
    },
    /// The master gave up on the agent (health checks failed, or it did not
    /// re-register after a master restart): it told frameworks its tasks
    /// are lost (unreachable) and answers so for them.
    Unreachable {
        /// The tasks the master knew when it gave up.
        known: BTreeSet<TaskKey>,
    },
    /// After a master restart: listed in the registry but not re-registered;
    /// the master knows none of its tasks and answers nothing about them.
    Recovered,
}

/// An agent's link to the master, as tests see it
/// ([`ClusterView::agent_link`](crate::ClusterView::agent_link)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentLink {
    /// Registered and connected.
    Registered,
    /// Partitioned from the master, not yet marked unreachable.
    Disconnected,
    /// Marked unreachable by the master.
    Unreachable,
    /// Known from the registry after a master restart, not re-registered.
    Recovered,
}

impl Link {
    /// The public name of this link state.
    pub fn public(&self) -> AgentLink {
        match self {
            Link::Registered => AgentLink::Registered,
            Link::Disconnected { .. } => AgentLink::Disconnected,
            Link::Unreachable { .. } => AgentLink::Unreachable,
            Link::Recovered => AgentLink::Recovered,
        }
    }
}

/// What the master knows of a task the simulation runs.
pub(super) enum MasterView<'a> {
    /// Its latest state and status as the master last heard them.
    Latest(TaskState, Option<&'a TaskStatus>),
    /// Known as unreachable (its agent was marked unreachable).
    Unreachable,
    /// Nothing (its agent has not re-registered since a master restart, or
    /// the master dropped it when marking the agent unreachable).
    Unknown,
}

impl Cluster {
    /// Whether the agent is registered and connected, so that its updates,
    /// acknowledgements, offers and kills pass.
    pub fn agent_connected(&self, agent_id: &str) -> bool {
        self.agents
            .get(agent_id)
            .is_some_and(|a| a.link == Link::Registered)
    }

    /// What the master knows of `task`, given its agent's link.
    pub(super) fn master_view<'a>(&'a self, task: &'a Task) -> MasterView<'a> {
        let key = (task.framework_id.clone(), task.task_id.clone());
        match self.agents.get(&task.agent_id).map(|a| &a.link) {
            Some(Link::Disconnected { known, .. }) => match known.get(&key) {
                Some((state, latest)) => MasterView::Latest(*state, latest.as_ref()),
                None => MasterView::Unknown,
            },
            Some(Link::Unreachable { known }) if known.contains(&key) => MasterView::Unreachable,
            Some(Link::Unreachable { .. }) | Some(Link::Recovered) => MasterView::Unknown,
            Some(Link::Registered) | None => MasterView::Latest(task.state, task.latest.as_ref()),
        }
    }

    fn task_keys_on(&self, agent_id: &str) -> Vec<TaskKey> {
        self.tasks
            .iter()
            .filter(|(_, t)| t.agent_id == agent_id)
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn rescind_offers_on(&mut self, agent_id: &str) {
        let offers: Vec<String> = self
            .offers
            .values()
            .filter(|o| o.agent_id == agent_id)
            .map(|o| o.id.clone())
            .collect();
        for offer_id in offers {
            self.rescind_offer(&offer_id);
        }
    }

    /// Fault: the network between the agent and the master breaks. The
    /// master deactivates the agent (its offers are rescinded) and keeps
    /// the task states it last heard; the agent keeps running its tasks and
    /// holds their updates. `false` if the agent is unknown or not registered.
    pub fn partition_agent(&mut self, agent_id: &str) -> bool {
        if !self.agent_connected(agent_id) {
            return false;
        }
        let known = self
            .task_keys_on(agent_id)
            .into_iter()
            .filter_map(|k| {
                let task = self.tasks.get(&k)?;
                Some((k, (task.state, task.latest.clone())))
            })
            .collect();
        if let Some(agent) = self.agents.get_mut(agent_id) {
            agent.link = Link::Disconnected {
                known,
                kills: BTreeSet::new(),
            };
        }
        log::info!("agent {agent_id} disconnected (partition)");
        self.rescind_offers_on(agent_id);
        true
    }

    /// The master gives up on a disconnected or recovered agent, as when
    /// its health checks time out (or it did not re-register in time after
    /// a master restart): every task the master knew there is reported
    /// TASK_LOST to frameworks without the PARTITION_AWARE capability,
    /// TASK_UNREACHABLE to the others (REASON_AGENT_REMOVED, no uuid); every connected framework gets a
    /// FAILURE for the agent. The tasks keep running on the agent.
    pub fn mark_agent_unreachable(&mut self, agent_id: &str) -> bool {
        let was_recovered = match self.agents.get(agent_id).map(|a| &a.link) {
            Some(Link::Disconnected { .. }) => false,
            Some(Link::Recovered) => true,
            _ => return false,
        };
        let mut known = BTreeSet::new();
        let mut reports = Vec::new();
        if !was_recovered {
            for key in self.task_keys_on(agent_id) {
                let Some(task) = self.tasks.get(&key) else {
                    continue;
                };
                let MasterView::Latest(state, _) = self.master_view(task) else {
                    continue;
                };
                if state.is_terminal() {
                    continue;
                }
                let state = if self.partition_aware(&key.0) {
                    TaskState::TASK_UNREACHABLE
                } else {
                    TaskState::TASK_LOST
                };
                let reason = Reason::REASON_AGENT_REMOVED;
                let hostname = self
                    .agents
                    .get(agent_id)
                    .map(|a| a.spec.hostname.clone())
                    .unwrap_or_default();
                let message = format!("Agent {hostname} is unreachable");
                reports.push((
                    key.0.clone(),
                    self.master_status(&key.1, Some(agent_id), state, &message, reason),
                ));
                known.insert(key);
            }
        }
        if let Some(agent) = self.agents.get_mut(agent_id) {
            agent.link = Link::Unreachable { known };
        }
        log::info!("agent {agent_id} marked unreachable");
        self.rescind_offers_on(agent_id);
        for (framework_id, status) in reports {
            self.send_event(&framework_id, &events::update(status));
        }
        let connected: Vec<String> = self
            .frameworks
            .values()
            .filter(|f| f.stream.is_some())
            .map(|f| f.id.clone())
            .collect();
        for framework_id in connected {
            self.send_event(&framework_id, &events::failure(agent_id, None, None));
        }
        true
    }

    /// The agent (re-)registers with the master: its running tasks are
    /// known again, KILLs held while it was partitioned are carried out,
    /// and the head of every task's pending updates is sent at once with
    /// the retry interval restarted. `false` if it was already registered.
    pub fn reregister_agent(&mut self, agent_id: &str, now: Instant) -> bool {
        let previous = match self.agents.get_mut(agent_id) {
            Some(agent) if agent.link != Link::Registered => std::mem::take(&mut agent.link),
            _ => return false,
        };
        log::info!("agent {agent_id} re-registered");
        if let Link::Disconnected { kills, .. } = previous {
            for key in kills {
                self.kill_task(&key, now);
            }
        }
        let min = self.timing.retry_min;
        for key in self.task_keys_on(agent_id) {
            let Some(task) = self.tasks.get_mut(&key) else {
                continue;
            };
            if task.pending.is_empty() {
                continue;
            }
            task.backoff = min;
            self.deliver_head(&key, now);
        }
        self.allocation_dirty = true;
        true
    }

    /// A KILL for a task on a disconnected agent waits for the agent to
    /// come back; `true` if it was held.
    pub(super) fn hold_kill(&mut self, key: &TaskKey) -> bool {
        let Some(agent_id) = self.tasks.get(key).map(|t| t.agent_id.clone()) else {
            return false;
        };
        match self.agents.get_mut(&agent_id).map(|a| &mut a.link) {
            Some(Link::Disconnected { kills, .. }) => {
                kills.insert(key.clone());
                true
            }
            _ => false,
        }
    }

    /// Fault: the master process restarts and its in-memory state is lost,
    /// as with a real master, whose registry keeps only the agents. Every
    /// subscription stream drops; frameworks (their failover timeouts
    /// included), removed-framework ids, offers and the master's knowledge
    /// of tasks are gone; the master gets a new id. Every agent is
    /// `Recovered` until it re-registers ([`Cluster::reregister_agent`]) or
    /// is given up ([`Cluster::mark_agent_unreachable`]); its tasks keep
    /// running and their updates wait. A scheduler may re-subscribe with
    /// its old framework id: the master accepts an id it has never seen.
    pub fn restart_losing_state(&mut self, master_index: usize) {
        self.abort_all_streams();
        self.frameworks.clear();
        self.removed_frameworks.clear();
        self.offers.clear();
        for agent in self.agents.values_mut() {
            agent.link = Link::Recovered;
        }
        for task in self.tasks.values_mut() {
            task.retry_at = None;
        }
        if let Some(master) = self.masters.get_mut(master_index) {
            master.id = ids::uuid_v4_string();
        }
        self.allocation_dirty = true;
        log::info!("master restarted; its in-memory state is lost");
    }
}
