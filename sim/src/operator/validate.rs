//! The master's and agent's validation of operator calls, with their
//! wording: a call needs a known `type`, and the calls that carry a message
//! need it present even when it would be empty (GET_METRICS).

use mesos_http::v1::{agent, master};

/// `Failed to validate master::Call: ...` for an invalid master call.
pub fn master_call(call: &master::Call) -> Result<master::call::Type, String> {
    use master::call::Type as T;
    let fail =
        |what: &str| format!("Failed to validate master::Call: Expecting '{what}' to be present");
    let Some(kind) = call.r#type.filter(|t| t.is_known() && *t != T::UNKNOWN) else {
        return Err(fail("type"));
    };
    let needs = match kind {
        T::GET_METRICS => Some(("get_metrics", call.get_metrics.is_some())),
        T::SET_LOGGING_LEVEL => Some(("set_logging_level", call.set_logging_level.is_some())),
        T::LIST_FILES => Some(("list_files", call.list_files.is_some())),
        T::READ_FILE => Some(("read_file", call.read_file.is_some())),
        T::UPDATE_WEIGHTS => Some(("update_weights", call.update_weights.is_some())),
        T::RESERVE_RESOURCES => Some(("reserve_resources", call.reserve_resources.is_some())),
        T::UNRESERVE_RESOURCES => Some(("unreserve_resources", call.unreserve_resources.is_some())),
        T::CREATE_VOLUMES => Some(("create_volumes", call.create_volumes.is_some())),
        T::DESTROY_VOLUMES => Some(("destroy_volumes", call.destroy_volumes.is_some())),
        T::GROW_VOLUME => Some(("grow_volume", call.grow_volume.is_some())),
        T::SHRINK_VOLUME => Some(("shrink_volume", call.shrink_volume.is_some())),
        T::UPDATE_MAINTENANCE_SCHEDULE => Some((
            "update_maintenance_schedule",
            call.update_maintenance_schedule.is_some(),
        )),
        T::START_MAINTENANCE => Some(("start_maintenance", call.start_maintenance.is_some())),
        T::STOP_MAINTENANCE => Some(("stop_maintenance", call.stop_maintenance.is_some())),
        T::DRAIN_AGENT => Some(("drain_agent", call.drain_agent.is_some())),
        T::DEACTIVATE_AGENT => Some(("deactivate_agent", call.deactivate_agent.is_some())),
        T::REACTIVATE_AGENT => Some(("reactivate_agent", call.reactivate_agent.is_some())),
        T::UPDATE_QUOTA => Some(("update_quota", call.update_quota.is_some())),
        T::SET_QUOTA => Some(("set_quota", call.set_quota.is_some())),
        T::REMOVE_QUOTA => Some(("remove_quota", call.remove_quota.is_some())),
        T::TEARDOWN => Some(("teardown", call.teardown.is_some())),
        T::MARK_AGENT_GONE => Some(("mark_agent_gone", call.mark_agent_gone.is_some())),
        _ => None,
    };
    match needs {
        Some((field, false)) => Err(fail(field)),
        _ => Ok(kind),
    }
}

/// `Failed to validate agent::Call: ...` for an invalid agent call.
pub fn agent_call(call: &agent::Call) -> Result<agent::call::Type, String> {
    use agent::call::Type as T;
    let fail =
        |what: &str| format!("Failed to validate agent::Call: Expecting '{what}' to be present");
    let Some(kind) = call.r#type.filter(|t| t.is_known() && *t != T::UNKNOWN) else {
        return Err(fail("type"));
    };
    let needs = match kind {
        T::GET_METRICS => Some(("get_metrics", call.get_metrics.is_some())),
        T::SET_LOGGING_LEVEL => Some(("set_logging_level", call.set_logging_level.is_some())),
        T::LIST_FILES => Some(("list_files", call.list_files.is_some())),
        T::READ_FILE => Some(("read_file", call.read_file.is_some())),
        T::WAIT_CONTAINER => Some(("wait_container", call.wait_container.is_some())),
        T::KILL_CONTAINER => Some(("kill_container", call.kill_container.is_some())),
        T::REMOVE_CONTAINER => Some(("remove_container", call.remove_container.is_some())),
        T::LAUNCH_CONTAINER => Some(("launch_container", call.launch_container.is_some())),
        _ => None,
    };
    match needs {
        Some((field, false)) => Err(fail(field)),
        _ => Ok(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_of_the_captures() {
        let missing = master::Call::default();
        assert_eq!(
            master_call(&missing).unwrap_err(),
            "Failed to validate master::Call: Expecting 'type' to be present"
        );
        let metrics = master::Call {
            r#type: Some(master::call::Type::GET_METRICS),
            ..Default::default()
        };
        assert_eq!(
            master_call(&metrics).unwrap_err(),
            "Failed to validate master::Call: Expecting 'get_metrics' to be present"
        );
        let unknown = agent::Call {
            r#type: Some(agent::call::Type(99)),
            ..Default::default()
        };
        assert_eq!(
            agent_call(&unknown).unwrap_err(),
            "Failed to validate agent::Call: Expecting 'type' to be present"
        );
    }
}
