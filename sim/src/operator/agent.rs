//! A local agent's side of `POST /api/v1`: its own frameworks, executors,
//! tasks and containers.

use mesos_http::v1::agent::call::Type;
use mesos_http::v1::agent::response::{self as ar, Type as R};
use mesos_http::v1::agent::{Call, Response};
use mesos_http::v1::master::response as mr;
use mesos_http::v1::{ContainerID, ExecutorID, FrameworkID};

use super::super::cluster::{Cluster, Shared};
use super::super::http::Request;
use super::{accept, decode, master, not_implemented, state, validate, Reply};

/// Runs the checks for one operator request to agent `agent_id`, then
/// answers it from the cluster's state.
pub fn handle(shared: &Shared, agent_id: &str, request: &Request) -> Reply {
    let call: Call = match decode(request) {
        Ok(call) => call,
        Err(reply) => return reply,
    };
    let kind = match validate::agent_call(&call) {
        Ok(kind) => kind,
        Err(body) => return Reply::text(400, body),
    };
    let name = kind.name().unwrap_or("UNKNOWN");
    let encoding = match accept(request) {
        Ok(encoding) => encoding,
        Err(reply) => return reply,
    };
    let cluster = shared.lock();
    let mut response = Response {
        r#type: R::from_name(name),
        ..Response::default()
    };
    match kind {
        Type::GET_HEALTH => response.get_health = Some(ar::GetHealth { healthy: true }),
        Type::GET_VERSION => {
            response.get_version = Some(ar::GetVersion {
                version_info: master::version(&cluster),
            })
        }
        Type::GET_STATE => {
            response.get_state = Some(ar::GetState {
                get_tasks: Some(tasks(&cluster, agent_id)),
                get_executors: Some(executors(&cluster, agent_id)),
                get_frameworks: Some(frameworks(&cluster, agent_id)),
            })
        }
        // The real agent leaves the message out when it has no containers.
        Type::GET_CONTAINERS => response.get_containers = containers(&cluster, agent_id),
        Type::GET_FRAMEWORKS => response.get_frameworks = Some(frameworks(&cluster, agent_id)),
        Type::GET_EXECUTORS => response.get_executors = Some(executors(&cluster, agent_id)),
        Type::GET_TASKS => response.get_tasks = Some(tasks(&cluster, agent_id)),
        Type::GET_AGENT => {
            response.get_agent = Some(ar::GetAgent {
                agent_info: state::agent_info(&cluster, agent_id),
                ..Default::default()
            })
        }
        _ => return not_implemented(name),
    }
    Reply::encoded(encoding, &response)
}

fn frameworks(cluster: &Cluster, agent_id: &str) -> ar::GetFrameworks {
    let mr::GetFrameworks { frameworks, .. } = state::frameworks(cluster, Some(agent_id));
    ar::GetFrameworks {
        frameworks: frameworks
            .into_iter()
            .map(|f| ar::get_frameworks::Framework {
                framework_info: f.framework_info,
            })
            .collect(),
        ..Default::default()
    }
}

fn executors(cluster: &Cluster, agent_id: &str) -> ar::GetExecutors {
    let mr::GetExecutors { executors, .. } = state::executors(cluster, Some(agent_id));
    ar::GetExecutors {
        executors: executors
            .into_iter()
            .map(|e| ar::get_executors::Executor {
                executor_info: e.executor_info,
            })
            .collect(),
        ..Default::default()
    }
}

/// Live tasks are `launched_tasks` on an agent; finished ones `completed_tasks`.
fn tasks(cluster: &Cluster, agent_id: &str) -> ar::GetTasks {
    let mr::GetTasks {
        tasks,
        completed_tasks,
        ..
    } = state::tasks(cluster, Some(agent_id));
    ar::GetTasks {
        launched_tasks: tasks,
        completed_tasks,
        ..Default::default()
    }
}

/// One container per live task's executor (the command executor's
/// container included), or `None` when there are none.
fn containers(cluster: &Cluster, agent_id: &str) -> Option<ar::GetContainers> {
    let mut seen = std::collections::BTreeSet::new();
    let containers: Vec<ar::get_containers::Container> = cluster
        .tasks
        .values()
        .filter(|t| t.agent_id == agent_id)
        .filter(|t| seen.insert(t.container_id.clone()))
        .map(|t| ar::get_containers::Container {
            framework_id: Some(FrameworkID {
                value: t.framework_id.clone(),
            }),
            executor_id: Some(ExecutorID {
                value: t.executor_id.clone(),
            }),
            executor_name: Some(format!("Command Executor (Task: {})", t.task_id)),
            container_id: ContainerID {
                value: t.container_id.clone(),
                parent: None,
            },
            ..Default::default()
        })
        .collect();
    (!containers.is_empty()).then_some(ar::GetContainers { containers })
}
