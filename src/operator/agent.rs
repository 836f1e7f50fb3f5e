//! Typed constructors for every agent operator call (`mesos.v1.agent.Call`).
//!
//! Each function returns a complete call: `type` and, where the type has
//! one, its sub-message. The deprecated `*_NESTED_CONTAINER` calls take the
//! same sub-messages as the calls that replaced them.

use crate::v1;
use crate::v1::agent::call::{self as ac, Type};
use crate::v1::agent::Call;

/// A call of `kind` with nothing else set.
fn typed(kind: Type) -> Call {
    Call {
        r#type: Some(kind),
        ..Call::default()
    }
}

/// GET_HEALTH: whether the agent is healthy.
pub fn get_health() -> Call {
    typed(Type::GET_HEALTH)
}

/// GET_FLAGS: the agent's command-line flags.
pub fn get_flags() -> Call {
    typed(Type::GET_FLAGS)
}

/// GET_VERSION: the agent's version.
pub fn get_version() -> Call {
    typed(Type::GET_VERSION)
}

/// GET_METRICS: a snapshot of the agent's metrics, waiting at most
/// `timeout` for slow ones (the sub-message is always set: the agent
/// refuses the call without it).
pub fn get_metrics(timeout: Option<v1::DurationInfo>) -> Call {
    Call {
        get_metrics: Some(ac::GetMetrics { timeout }),
        ..typed(Type::GET_METRICS)
    }
}

/// GET_LOGGING_LEVEL: the agent's glog verbosity.
pub fn get_logging_level() -> Call {
    typed(Type::GET_LOGGING_LEVEL)
}

/// SET_LOGGING_LEVEL: glog verbosity `level` for `duration`, then back.
pub fn set_logging_level(level: u32, duration: v1::DurationInfo) -> Call {
    Call {
        set_logging_level: Some(ac::SetLoggingLevel { level, duration }),
        ..typed(Type::SET_LOGGING_LEVEL)
    }
}

/// LIST_FILES: the entries of a virtual path.
pub fn list_files(path: impl Into<String>) -> Call {
    Call {
        list_files: Some(ac::ListFiles { path: path.into() }),
        ..typed(Type::LIST_FILES)
    }
}

/// READ_FILE: up to `length` bytes of a virtual file from `offset`.
pub fn read_file(path: impl Into<String>, offset: u64, length: Option<u64>) -> Call {
    Call {
        read_file: Some(ac::ReadFile {
            path: path.into(),
            offset,
            length,
        }),
        ..typed(Type::READ_FILE)
    }
}

/// GET_STATE: the agent's frameworks, executors and tasks in one answer.
pub fn get_state() -> Call {
    typed(Type::GET_STATE)
}

/// GET_CONTAINERS: the agent's containers, optionally with nested and
/// standalone ones (no sub-message: the agent's defaults).
pub fn get_containers(options: Option<ac::GetContainers>) -> Call {
    Call {
        get_containers: options,
        ..typed(Type::GET_CONTAINERS)
    }
}

/// GET_FRAMEWORKS: the frameworks with executors on the agent.
pub fn get_frameworks() -> Call {
    typed(Type::GET_FRAMEWORKS)
}

/// GET_EXECUTORS: the agent's executors.
pub fn get_executors() -> Call {
    typed(Type::GET_EXECUTORS)
}

/// GET_OPERATIONS: the agent's offer operations.
pub fn get_operations() -> Call {
    typed(Type::GET_OPERATIONS)
}

/// GET_TASKS: the agent's tasks.
pub fn get_tasks() -> Call {
    typed(Type::GET_TASKS)
}

/// GET_AGENT: the agent's `AgentInfo`.
pub fn get_agent() -> Call {
    typed(Type::GET_AGENT)
}

/// GET_RESOURCE_PROVIDERS: the agent's resource providers.
pub fn get_resource_providers() -> Call {
    typed(Type::GET_RESOURCE_PROVIDERS)
}

/// LAUNCH_NESTED_CONTAINER (deprecated for LAUNCH_CONTAINER).
pub fn launch_nested_container(launch: ac::LaunchNestedContainer) -> Call {
    Call {
        launch_nested_container: Some(launch),
        ..typed(Type::LAUNCH_NESTED_CONTAINER)
    }
}

/// WAIT_NESTED_CONTAINER (deprecated for WAIT_CONTAINER).
pub fn wait_nested_container(container_id: v1::ContainerID) -> Call {
    Call {
        wait_nested_container: Some(ac::WaitNestedContainer { container_id }),
        ..typed(Type::WAIT_NESTED_CONTAINER)
    }
}

/// KILL_NESTED_CONTAINER (deprecated for KILL_CONTAINER).
pub fn kill_nested_container(container_id: v1::ContainerID, signal: Option<i32>) -> Call {
    Call {
        kill_nested_container: Some(ac::KillNestedContainer {
            container_id,
            signal,
        }),
        ..typed(Type::KILL_NESTED_CONTAINER)
    }
}

/// REMOVE_NESTED_CONTAINER (deprecated for REMOVE_CONTAINER).
pub fn remove_nested_container(container_id: v1::ContainerID) -> Call {
    Call {
        remove_nested_container: Some(ac::RemoveNestedContainer { container_id }),
        ..typed(Type::REMOVE_NESTED_CONTAINER)
    }
}

/// LAUNCH_NESTED_CONTAINER_SESSION: a nested container whose output is the
/// answer's streamed body.
pub fn launch_nested_container_session(launch: ac::LaunchNestedContainerSession) -> Call {
    Call {
        launch_nested_container_session: Some(launch),
        ..typed(Type::LAUNCH_NESTED_CONTAINER_SESSION)
    }
}

/// ATTACH_CONTAINER_INPUT: one message of a streamed request (first the
/// container id, then `ProcessIO` records).
pub fn attach_container_input(input: ac::AttachContainerInput) -> Call {
    Call {
        attach_container_input: Some(input),
        ..typed(Type::ATTACH_CONTAINER_INPUT)
    }
}

/// ATTACH_CONTAINER_OUTPUT: streams a container's output.
pub fn attach_container_output(container_id: v1::ContainerID) -> Call {
    Call {
        attach_container_output: Some(ac::AttachContainerOutput { container_id }),
        ..typed(Type::ATTACH_CONTAINER_OUTPUT)
    }
}

/// LAUNCH_CONTAINER: a nested or standalone container.
pub fn launch_container(launch: ac::LaunchContainer) -> Call {
    Call {
        launch_container: Some(launch),
        ..typed(Type::LAUNCH_CONTAINER)
    }
}

/// WAIT_CONTAINER: answers when the container has exited.
pub fn wait_container(container_id: v1::ContainerID) -> Call {
    Call {
        wait_container: Some(ac::WaitContainer { container_id }),
        ..typed(Type::WAIT_CONTAINER)
    }
}

/// KILL_CONTAINER: sends `signal` (SIGKILL when `None`) to a container.
pub fn kill_container(container_id: v1::ContainerID, signal: Option<i32>) -> Call {
    Call {
        kill_container: Some(ac::KillContainer {
            container_id,
            signal,
        }),
        ..typed(Type::KILL_CONTAINER)
    }
}

/// REMOVE_CONTAINER: removes an exited container's runtime state.
pub fn remove_container(container_id: v1::ContainerID) -> Call {
    Call {
        remove_container: Some(ac::RemoveContainer { container_id }),
        ..typed(Type::REMOVE_CONTAINER)
    }
}

/// ADD_RESOURCE_PROVIDER_CONFIG: adds a local resource provider.
pub fn add_resource_provider_config(info: v1::ResourceProviderInfo) -> Call {
    Call {
        add_resource_provider_config: Some(ac::AddResourceProviderConfig { info }),
        ..typed(Type::ADD_RESOURCE_PROVIDER_CONFIG)
    }
}

/// UPDATE_RESOURCE_PROVIDER_CONFIG: replaces a local resource provider's config.
pub fn update_resource_provider_config(info: v1::ResourceProviderInfo) -> Call {
    Call {
        update_resource_provider_config: Some(ac::UpdateResourceProviderConfig { info }),
        ..typed(Type::UPDATE_RESOURCE_PROVIDER_CONFIG)
    }
}

/// REMOVE_RESOURCE_PROVIDER_CONFIG: removes a local resource provider by
/// type and name.
pub fn remove_resource_provider_config(r#type: impl Into<String>, name: impl Into<String>) -> Call {
    Call {
        remove_resource_provider_config: Some(ac::RemoveResourceProviderConfig {
            r#type: r#type.into(),
            name: name.into(),
        }),
        ..typed(Type::REMOVE_RESOURCE_PROVIDER_CONFIG)
    }
}

/// MARK_RESOURCE_PROVIDER_GONE: declares a resource provider gone for good.
pub fn mark_resource_provider_gone(resource_provider_id: v1::ResourceProviderID) -> Call {
    Call {
        mark_resource_provider_gone: Some(ac::MarkResourceProviderGone {
            resource_provider_id,
        }),
        ..typed(Type::MARK_RESOURCE_PROVIDER_GONE)
    }
}

/// PRUNE_IMAGES: removes unused container images, keeping `excluded_images`.
pub fn prune_images(excluded_images: Vec<v1::Image>) -> Call {
    Call {
        prune_images: Some(ac::PruneImages { excluded_images }),
        ..typed(Type::PRUNE_IMAGES)
    }
}
