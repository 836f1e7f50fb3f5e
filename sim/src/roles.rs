//! Small helpers over FrameworkInfo roles and capabilities (validation itself
//! lives in `mesos_http::validation`).

use mesos_http::v1::framework_info::capability::Type as Capability;
use mesos_http::v1::FrameworkInfo;

/// Whether the framework declared a capability.
pub fn has_capability(info: &FrameworkInfo, capability: Capability) -> bool {
    info.capabilities
        .iter()
        .any(|c| c.r#type == Some(capability))
}

/// The roles a framework subscribes with, sorted.
pub fn framework_roles(info: &FrameworkInfo) -> Vec<String> {
    mesos_http::validation::framework_roles(info)
        .into_iter()
        .collect()
}
