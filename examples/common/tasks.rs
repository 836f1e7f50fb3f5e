//! Turning a command and a resource request into tasks that fit offers.

use mesos_http::resources::Resources;
use mesos_http::v1::resource::AllocationInfo;
use mesos_http::v1::{self, CommandInfo, TaskInfo, TaskState};

/// The state's proto name, or its number for a state this schema does not know.
pub fn state_name(state: TaskState) -> String {
    state
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| format!("TaskState({})", state.0))
}

/// The role an offer was allocated to (MULTI_ROLE frameworks get one per offer).
pub fn offer_role(offer: &v1::Offer) -> Option<String> {
    offer
        .allocation_info
        .as_ref()
        .and_then(|a| a.role.clone())
        .or_else(|| {
            offer
                .resources
                .iter()
                .find_map(|r| r.allocation_info.as_ref().and_then(|a| a.role.clone()))
        })
}

/// `wanted` as it must appear in a LAUNCH on `offer`: a MULTI_ROLE framework
/// tags each resource with the role the offer was allocated to (and only
/// then does `Resources::contains` match the offer's own resources).
pub fn for_offer(wanted: &Resources, offer: &v1::Offer) -> Resources {
    let role = offer_role(offer);
    wanted
        .iter()
        .cloned()
        .map(|mut resource| {
            resource.allocation_info = role.clone().map(|role| AllocationInfo { role: Some(role) });
            resource
        })
        .collect()
}

/// A task that runs `command` with the shell, as Mesos's command executor does.
pub fn command_task(id: &str, offer: &v1::Offer, resources: Resources, command: &str) -> TaskInfo {
    TaskInfo {
        name: id.to_string(),
        task_id: v1::TaskID {
            value: id.to_string(),
        },
        agent_id: offer.agent_id.clone(),
        resources: resources.into_vec(),
        command: Some(CommandInfo {
            shell: Some(true),
            value: Some(command.to_string()),
            ..CommandInfo::default()
        }),
        ..TaskInfo::default()
    }
}
