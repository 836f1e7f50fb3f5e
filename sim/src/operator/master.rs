//! The master's side of `POST /api/v1`.

use mesos_http::v1::master::call::Type;
use mesos_http::v1::master::response::{self as mr, Type as R};
use mesos_http::v1::master::{Call, Response};
use mesos_http::v1::{self, FrameworkID};

use super::super::cluster::{events, Cluster, Shared};
use super::super::http::{Request, Response as HttpResponse};
use super::super::roles::framework_roles;
use super::{accept, decode, not_implemented, state, validate, Reply};

/// Runs the checks for one operator request to master `index`, then answers
/// it from the cluster's state.
pub fn handle(shared: &Shared, index: usize, request: &Request) -> Reply {
    let call: Call = match decode(request) {
        Ok(call) => call,
        Err(reply) => return reply,
    };
    let kind = match validate::master_call(&call) {
        Ok(kind) => kind,
        Err(body) => return Reply::text(400, body),
    };
    let name = kind.name().unwrap_or("UNKNOWN");
    if kind == Type::TEARDOWN {
        return teardown(shared, call);
    }
    let encoding = match accept(request) {
        Ok(encoding) => encoding,
        Err(reply) => return reply,
    };
    if kind == Type::SUBSCRIBE {
        return Reply::Stream(encoding);
    }
    let cluster = shared.lock();
    let mut response = Response {
        r#type: R::from_name(name),
        ..Response::default()
    };
    match kind {
        Type::GET_HEALTH => response.get_health = Some(mr::GetHealth { healthy: true }),
        Type::GET_VERSION => {
            response.get_version = Some(mr::GetVersion {
                version_info: version(&cluster),
            })
        }
        Type::GET_MASTER => response.get_master = Some(master(&cluster, index)),
        Type::GET_STATE => response.get_state = Some(state::state(&cluster)),
        Type::GET_AGENTS => response.get_agents = Some(state::agents(&cluster)),
        Type::GET_FRAMEWORKS => response.get_frameworks = Some(state::frameworks(&cluster, None)),
        Type::GET_EXECUTORS => response.get_executors = Some(state::executors(&cluster, None)),
        Type::GET_TASKS => response.get_tasks = Some(state::tasks(&cluster, None)),
        Type::GET_ROLES => response.get_roles = Some(roles(&cluster)),
        Type::GET_FLAGS => {
            response.get_flags = Some(mr::GetFlags {
                flags: flags(&cluster, index),
            })
        }
        Type::GET_METRICS => {
            response.get_metrics = Some(mr::GetMetrics {
                metrics: metrics(&cluster),
            })
        }
        Type::GET_OPERATIONS => response.get_operations = Some(mr::GetOperations::default()),
        _ => return not_implemented(name),
    }
    Reply::encoded(encoding, &response)
}

/// TEARDOWN: removes a known framework (`200 OK`, empty), as the scheduler
/// API's TEARDOWN does.
fn teardown(shared: &Shared, call: Call) -> Reply {
    let id = call
        .teardown
        .map(|t| t.framework_id.value)
        .unwrap_or_default();
    shared.update(|c| {
        if c.frameworks.contains_key(&id) {
            c.remove_framework(&id);
            Reply::Text(HttpResponse::empty(200))
        } else {
            Reply::text(400, "No framework found with specified ID")
        }
    })
}

/// `VersionInfo` of the simulated build.
pub fn version(cluster: &Cluster) -> v1::VersionInfo {
    v1::VersionInfo {
        version: cluster.version.clone(),
        ..Default::default()
    }
}

fn master(cluster: &Cluster, index: usize) -> mr::GetMaster {
    let info = cluster
        .masters
        .get(index)
        .map(|m| events::master_info(&m.id, m.port, &cluster.version));
    mr::GetMaster {
        master_info: info,
        ..Default::default()
    }
}

/// Every role a subscribed framework uses, weight 1, with its frameworks.
fn roles(cluster: &Cluster) -> mr::GetRoles {
    let mut by_role: std::collections::BTreeMap<String, Vec<FrameworkID>> = Default::default();
    for f in cluster.frameworks.values() {
        for role in framework_roles(&f.info) {
            by_role.entry(role).or_default().push(FrameworkID {
                value: f.id.clone(),
            });
        }
    }
    mr::GetRoles {
        roles: by_role
            .into_iter()
            .map(|(name, frameworks)| v1::Role {
                name,
                weight: 1.0,
                frameworks,
                resources: Vec::new(),
            })
            .collect(),
    }
}

/// The few flags the simulation has an answer for.
fn flags(cluster: &Cluster, index: usize) -> Vec<v1::Flag> {
    let flag = |name: &str, value: String| v1::Flag {
        name: name.to_string(),
        value: Some(value),
    };
    let port = cluster.masters.get(index).map_or(5050, |m| m.port);
    vec![
        flag(
            "authenticate_frameworks",
            (!cluster.credentials.is_empty()).to_string(),
        ),
        flag("hostname", "127.0.0.1".to_string()),
        flag("ip", "127.0.0.1".to_string()),
        flag("port", port.to_string()),
        flag("work_dir", cluster.work_dir.display().to_string()),
    ]
}

/// A few of the master's counters, under the real metric names.
fn metrics(cluster: &Cluster) -> Vec<v1::Metric> {
    let metric = |name: &str, value: usize| v1::Metric {
        name: name.to_string(),
        value: Some(value as f64),
    };
    let connected = cluster
        .frameworks
        .values()
        .filter(|f| f.stream.is_some())
        .count();
    vec![
        metric("master/elected", 1),
        metric("master/frameworks_active", cluster.frameworks.len()),
        metric("master/frameworks_connected", connected),
        metric("master/outstanding_offers", cluster.offers.len()),
        metric("master/slaves_active", cluster.agents.len()),
        metric("master/tasks_running", cluster.tasks.len()),
    ]
}
