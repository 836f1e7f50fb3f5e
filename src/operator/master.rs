//! Typed constructors for every master operator call (`mesos.v1.master.Call`).
//!
//! Each function returns a complete call: `type` and, where the type has one,
//! its sub-message. The master refuses a call whose sub-message is missing
//! even when it would be empty (`Expecting 'get_metrics' to be present`), so
//! [`get_metrics`] always sets it.

use crate::v1;
use crate::v1::master::call::{self as mc, Type};
use crate::v1::master::Call;

/// A call of `kind` with nothing else set.
fn typed(kind: Type) -> Call {
    Call {
        r#type: Some(kind),
        ..Call::default()
    }
}

/// GET_HEALTH: whether the master is healthy.
pub fn get_health() -> Call {
    typed(Type::GET_HEALTH)
}

/// GET_FLAGS: the master's command-line flags.
pub fn get_flags() -> Call {
    typed(Type::GET_FLAGS)
}

/// GET_VERSION: the master's version.
pub fn get_version() -> Call {
    typed(Type::GET_VERSION)
}

/// GET_METRICS: a snapshot of the master's metrics, waiting at most
/// `timeout` for slow ones.
pub fn get_metrics(timeout: Option<v1::DurationInfo>) -> Call {
    Call {
        get_metrics: Some(mc::GetMetrics { timeout }),
        ..typed(Type::GET_METRICS)
    }
}

/// GET_LOGGING_LEVEL: the master's glog verbosity.
pub fn get_logging_level() -> Call {
    typed(Type::GET_LOGGING_LEVEL)
}

/// SET_LOGGING_LEVEL: glog verbosity `level` for `duration`, then back.
pub fn set_logging_level(level: u32, duration: v1::DurationInfo) -> Call {
    Call {
        set_logging_level: Some(mc::SetLoggingLevel { level, duration }),
        ..typed(Type::SET_LOGGING_LEVEL)
    }
}

/// LIST_FILES: the entries of a virtual path (`/master/log`, ...).
pub fn list_files(path: impl Into<String>) -> Call {
    Call {
        list_files: Some(mc::ListFiles { path: path.into() }),
        ..typed(Type::LIST_FILES)
    }
}

/// READ_FILE: up to `length` bytes of a virtual file from `offset`.
pub fn read_file(path: impl Into<String>, offset: u64, length: Option<u64>) -> Call {
    Call {
        read_file: Some(mc::ReadFile {
            path: path.into(),
            offset,
            length,
        }),
        ..typed(Type::READ_FILE)
    }
}

/// GET_STATE: agents, frameworks, executors and tasks in one answer.
pub fn get_state() -> Call {
    typed(Type::GET_STATE)
}

/// GET_AGENTS: the registered and recovered agents.
pub fn get_agents() -> Call {
    typed(Type::GET_AGENTS)
}

/// GET_FRAMEWORKS: the active and completed frameworks.
pub fn get_frameworks() -> Call {
    typed(Type::GET_FRAMEWORKS)
}

/// GET_EXECUTORS: the executors the master knows.
pub fn get_executors() -> Call {
    typed(Type::GET_EXECUTORS)
}

/// GET_OPERATIONS: the offer operations the master knows.
pub fn get_operations() -> Call {
    typed(Type::GET_OPERATIONS)
}

/// GET_TASKS: the active, unreachable and completed tasks.
pub fn get_tasks() -> Call {
    typed(Type::GET_TASKS)
}

/// GET_ROLES: the known roles with their weights and resources.
pub fn get_roles() -> Call {
    typed(Type::GET_ROLES)
}

/// GET_WEIGHTS: the configured role weights.
pub fn get_weights() -> Call {
    typed(Type::GET_WEIGHTS)
}

/// UPDATE_WEIGHTS: sets role weights.
pub fn update_weights(weight_infos: Vec<v1::WeightInfo>) -> Call {
    Call {
        update_weights: Some(mc::UpdateWeights { weight_infos }),
        ..typed(Type::UPDATE_WEIGHTS)
    }
}

/// GET_MASTER: the master's `MasterInfo` and timings.
pub fn get_master() -> Call {
    typed(Type::GET_MASTER)
}

/// SUBSCRIBE: opens the master's event stream (the answer is a RecordIO
/// stream of `mesos.v1.master.Event`, not a `Response`).
pub fn subscribe() -> Call {
    typed(Type::SUBSCRIBE)
}

/// RESERVE_RESOURCES: dynamically reserves `resources` on an agent
/// (`source`: the resources they are carved from, for refinements).
pub fn reserve_resources(reserve: mc::ReserveResources) -> Call {
    Call {
        reserve_resources: Some(reserve),
        ..typed(Type::RESERVE_RESOURCES)
    }
}

/// UNRESERVE_RESOURCES: releases dynamic reservations on an agent.
pub fn unreserve_resources(agent_id: v1::AgentID, resources: Vec<v1::Resource>) -> Call {
    Call {
        unreserve_resources: Some(mc::UnreserveResources {
            agent_id,
            resources,
        }),
        ..typed(Type::UNRESERVE_RESOURCES)
    }
}

/// CREATE_VOLUMES: creates persistent volumes on an agent.
pub fn create_volumes(agent_id: v1::AgentID, volumes: Vec<v1::Resource>) -> Call {
    Call {
        create_volumes: Some(mc::CreateVolumes { agent_id, volumes }),
        ..typed(Type::CREATE_VOLUMES)
    }
}

/// DESTROY_VOLUMES: destroys persistent volumes on an agent.
pub fn destroy_volumes(agent_id: v1::AgentID, volumes: Vec<v1::Resource>) -> Call {
    Call {
        destroy_volumes: Some(mc::DestroyVolumes { agent_id, volumes }),
        ..typed(Type::DESTROY_VOLUMES)
    }
}

/// GROW_VOLUME: adds `addition` to a persistent volume.
pub fn grow_volume(grow: mc::GrowVolume) -> Call {
    Call {
        grow_volume: Some(grow),
        ..typed(Type::GROW_VOLUME)
    }
}

/// SHRINK_VOLUME: takes `subtract` off a persistent volume.
pub fn shrink_volume(shrink: mc::ShrinkVolume) -> Call {
    Call {
        shrink_volume: Some(shrink),
        ..typed(Type::SHRINK_VOLUME)
    }
}

/// GET_MAINTENANCE_STATUS: machines draining or down.
pub fn get_maintenance_status() -> Call {
    typed(Type::GET_MAINTENANCE_STATUS)
}

/// GET_MAINTENANCE_SCHEDULE: the maintenance schedule.
pub fn get_maintenance_schedule() -> Call {
    typed(Type::GET_MAINTENANCE_SCHEDULE)
}

/// UPDATE_MAINTENANCE_SCHEDULE: replaces the maintenance schedule.
pub fn update_maintenance_schedule(schedule: v1::maintenance::Schedule) -> Call {
    Call {
        update_maintenance_schedule: Some(mc::UpdateMaintenanceSchedule { schedule }),
        ..typed(Type::UPDATE_MAINTENANCE_SCHEDULE)
    }
}

/// START_MAINTENANCE: takes scheduled machines down.
pub fn start_maintenance(machines: Vec<v1::MachineID>) -> Call {
    Call {
        start_maintenance: Some(mc::StartMaintenance { machines }),
        ..typed(Type::START_MAINTENANCE)
    }
}

/// STOP_MAINTENANCE: brings machines back up.
pub fn stop_maintenance(machines: Vec<v1::MachineID>) -> Call {
    Call {
        stop_maintenance: Some(mc::StopMaintenance { machines }),
        ..typed(Type::STOP_MAINTENANCE)
    }
}

/// DRAIN_AGENT: kills an agent's tasks (each given at most
/// `max_grace_period`) and, with `mark_gone`, marks the agent gone after.
pub fn drain_agent(
    agent_id: v1::AgentID,
    max_grace_period: Option<v1::protobuf::Duration>,
    mark_gone: bool,
) -> Call {
    Call {
        drain_agent: Some(mc::DrainAgent {
            agent_id,
            max_grace_period,
            mark_gone: Some(mark_gone),
        }),
        ..typed(Type::DRAIN_AGENT)
    }
}

/// DEACTIVATE_AGENT: no more offers from an agent.
pub fn deactivate_agent(agent_id: v1::AgentID) -> Call {
    Call {
        deactivate_agent: Some(mc::DeactivateAgent { agent_id }),
        ..typed(Type::DEACTIVATE_AGENT)
    }
}

/// REACTIVATE_AGENT: offers from an agent again.
pub fn reactivate_agent(agent_id: v1::AgentID) -> Call {
    Call {
        reactivate_agent: Some(mc::ReactivateAgent { agent_id }),
        ..typed(Type::REACTIVATE_AGENT)
    }
}

/// GET_QUOTA: the quota status of every role.
pub fn get_quota() -> Call {
    typed(Type::GET_QUOTA)
}

/// UPDATE_QUOTA: sets guarantees and limits (`force`: even when the
/// cluster could not satisfy them).
pub fn update_quota(force: bool, quota_configs: Vec<v1::quota::QuotaConfig>) -> Call {
    Call {
        update_quota: Some(mc::UpdateQuota {
            force: Some(force),
            quota_configs,
        }),
        ..typed(Type::UPDATE_QUOTA)
    }
}

/// SET_QUOTA (deprecated by the master in favour of UPDATE_QUOTA).
pub fn set_quota(quota_request: v1::quota::QuotaRequest) -> Call {
    Call {
        set_quota: Some(mc::SetQuota { quota_request }),
        ..typed(Type::SET_QUOTA)
    }
}

/// REMOVE_QUOTA (deprecated by the master in favour of UPDATE_QUOTA).
pub fn remove_quota(role: impl Into<String>) -> Call {
    Call {
        remove_quota: Some(mc::RemoveQuota { role: role.into() }),
        ..typed(Type::REMOVE_QUOTA)
    }
}

/// TEARDOWN: removes a framework, killing its tasks.
pub fn teardown(framework_id: v1::FrameworkID) -> Call {
    Call {
        teardown: Some(mc::Teardown { framework_id }),
        ..typed(Type::TEARDOWN)
    }
}

/// MARK_AGENT_GONE: declares an agent gone for good.
pub fn mark_agent_gone(agent_id: v1::AgentID) -> Call {
    Call {
        mark_agent_gone: Some(mc::MarkAgentGone { agent_id }),
        ..typed(Type::MARK_AGENT_GONE)
    }
}
