//! The cluster's state as the operator API's messages: agents, frameworks,
//! executors and tasks, shared by the master's and the agents' answers.
//!
//! Unlike the real 1.12 master, which answers GET_TASKS in protobuf with an
//! empty message while its JSON lists the tasks, the simulation lists the
//! same tasks in both encodings.

use mesos_http::v1::master::response as mr;
use mesos_http::v1::{self, AgentID, ExecutorID, ExecutorInfo, FrameworkID, TaskID};

use super::super::cluster::tasks::Task;
use super::super::cluster::Cluster;
use super::super::resources::Res;

/// `AgentInfo` of agent `id` as the master registered it.
pub fn agent_info(cluster: &Cluster, id: &str) -> Option<v1::AgentInfo> {
    let agent = cluster.agents.get(id)?;
    Some(v1::AgentInfo {
        hostname: agent.spec.hostname.clone(),
        port: Some(agent.executor_port.map_or(5051, i32::from)),
        resources: agent.total.to_resources(None),
        id: Some(AgentID {
            value: id.to_string(),
        }),
        ..v1::AgentInfo::default()
    })
}

/// Resources held by the live tasks on `agent_id`.
fn allocated_on(cluster: &Cluster, agent_id: &str) -> Res {
    let mut used = Res::default();
    for task in cluster.tasks.values().filter(|t| t.agent_id == agent_id) {
        used.add(&task.resources);
    }
    used
}

/// GET_AGENTS: every registered agent.
pub fn agents(cluster: &Cluster) -> mr::GetAgents {
    let agents = cluster
        .agents
        .keys()
        .filter_map(|id| {
            let info = agent_info(cluster, id)?;
            let mut offered = Res::default();
            for offer in cluster.offers.values().filter(|o| &o.agent_id == id) {
                offered.add(&offer.resources);
            }
            let port = info.port.unwrap_or(5051);
            Some(mr::get_agents::Agent {
                total_resources: info.resources.clone(),
                agent_info: info,
                active: true,
                deactivated: Some(false),
                version: cluster.version.clone(),
                pid: Some(format!("slave(1)@127.0.0.1:{port}")),
                allocated_resources: allocated_on(cluster, id).to_resources(Some("*")),
                offered_resources: offered.to_resources(Some("*")),
                ..Default::default()
            })
        })
        .collect();
    mr::GetAgents {
        agents,
        ..Default::default()
    }
}

/// GET_FRAMEWORKS: the subscribed (or failing over) frameworks.
pub fn frameworks(cluster: &Cluster, on_agent: Option<&str>) -> mr::GetFrameworks {
    let frameworks = cluster
        .frameworks
        .values()
        .filter(|f| {
            on_agent.is_none_or(|a| {
                cluster
                    .tasks
                    .values()
                    .any(|t| t.framework_id == f.id && t.agent_id == a)
            })
        })
        .map(|f| {
            let mut allocated = Res::default();
            for task in cluster.tasks.values().filter(|t| t.framework_id == f.id) {
                allocated.add(&task.resources);
            }
            let offers: Vec<v1::Offer> = cluster
                .offers
                .values()
                .filter(|o| o.framework_id == f.id)
                .map(|o| v1::Offer {
                    id: v1::OfferID {
                        value: o.id.clone(),
                    },
                    framework_id: FrameworkID {
                        value: o.framework_id.clone(),
                    },
                    agent_id: AgentID {
                        value: o.agent_id.clone(),
                    },
                    hostname: cluster
                        .agents
                        .get(&o.agent_id)
                        .map(|a| a.spec.hostname.clone())
                        .unwrap_or_default(),
                    resources: o.resources.to_resources(Some(&o.role)),
                    ..Default::default()
                })
                .collect();
            let mut offered = Res::default();
            for o in cluster.offers.values().filter(|o| o.framework_id == f.id) {
                offered.add(&o.resources);
            }
            mr::get_frameworks::Framework {
                framework_info: f.info.clone(),
                active: true,
                connected: f.stream.is_some(),
                recovered: false,
                offers,
                allocated_resources: allocated.to_resources(None),
                offered_resources: offered.to_resources(None),
                ..Default::default()
            }
        })
        .collect();
    mr::GetFrameworks {
        frameworks,
        ..Default::default()
    }
}

/// The `ExecutorInfo` of a non-command executor: the one a task carried,
/// else a minimal one.
fn executor_info(cluster: &Cluster, key: &(String, String, String)) -> ExecutorInfo {
    if let Some(http) = cluster.executors.get(key).and_then(|e| e.http.as_ref()) {
        return http.info.clone();
    }
    let from_task = cluster
        .tasks
        .values()
        .filter(|t| t.framework_id == key.0 && t.executor_id == key.2)
        .find_map(|t| t.info.executor.clone());
    from_task.unwrap_or_else(|| ExecutorInfo {
        executor_id: ExecutorID {
            value: key.2.clone(),
        },
        framework_id: Some(FrameworkID {
            value: key.0.clone(),
        }),
        ..Default::default()
    })
}

/// GET_EXECUTORS: the executors other than command executors.
pub fn executors(cluster: &Cluster, on_agent: Option<&str>) -> mr::GetExecutors {
    let executors = cluster
        .executors
        .keys()
        .filter(|key| on_agent.is_none_or(|a| key.1 == a))
        .map(|key| mr::get_executors::Executor {
            executor_info: executor_info(cluster, key),
            agent_id: AgentID {
                value: key.1.clone(),
            },
        })
        .collect();
    mr::GetExecutors {
        executors,
        ..Default::default()
    }
}

/// One task as `mesos.v1.Task`.
pub fn task(t: &Task) -> v1::Task {
    v1::Task {
        name: t.info.name.clone(),
        task_id: TaskID {
            value: t.task_id.clone(),
        },
        framework_id: FrameworkID {
            value: t.framework_id.clone(),
        },
        executor_id: t.info.executor.as_ref().map(|e| e.executor_id.clone()),
        agent_id: AgentID {
            value: t.agent_id.clone(),
        },
        state: t.state,
        resources: t.info.resources.clone(),
        statuses: t.latest.iter().cloned().collect(),
        status_update_state: t.latest.as_ref().map(|s| s.state),
        status_update_uuid: t.latest.as_ref().and_then(|s| s.uuid.clone()),
        labels: t.info.labels.clone(),
        discovery: t.info.discovery.clone(),
        container: t.info.container.clone(),
        health_check: t.info.health_check.clone(),
        kill_policy: t.info.kill_policy.clone(),
        limits: t.info.limits.clone(),
        ..Default::default()
    }
}

/// GET_TASKS: live tasks and completed ones.
pub fn tasks(cluster: &Cluster, on_agent: Option<&str>) -> mr::GetTasks {
    let here = |t: &&Task| on_agent.is_none_or(|a| t.agent_id == a);
    mr::GetTasks {
        tasks: cluster.tasks.values().filter(here).map(task).collect(),
        completed_tasks: cluster
            .completed_tasks
            .iter()
            .filter(here)
            .map(task)
            .collect(),
        ..Default::default()
    }
}

/// GET_STATE: the four above in one.
pub fn state(cluster: &Cluster) -> mr::GetState {
    mr::GetState {
        get_tasks: Some(tasks(cluster, None)),
        get_executors: Some(executors(cluster, None)),
        get_frameworks: Some(frameworks(cluster, None)),
        get_agents: Some(agents(cluster)),
    }
}
