//! FrameworkInfo role rules (wire-facts b.2) and the roles a framework holds.

use crate::v1::framework_info::capability::Type as Capability;
use crate::v1::FrameworkInfo;

/// Checks one role name like Mesos's `roles::validate`.
pub fn validate_role(role: &str) -> Result<(), String> {
    if role == "*" {
        return Ok(());
    }
    if role.is_empty() {
        return Err("Empty role name is invalid".to_string());
    }
    if role.starts_with('/') {
        return Err(format!("Role '{role}' cannot start with a slash"));
    }
    if role.ends_with('/') {
        return Err(format!("Role '{role}' cannot end with a slash"));
    }
    if role.contains("//") {
        return Err(format!("Role '{role}' cannot contain two adjacent slashes"));
    }
    if role
        .chars()
        .any(|c| c.is_whitespace() || c == '\u{8}' || c.is_control())
    {
        return Err(format!("Role '{role}' cannot contain whitespace or control characters"));
    }
    for part in role.split('/') {
        if part == "." || part == ".." || part == "*" {
            return Err(format!("Role '{role}' cannot include '{part}' as a path segment"));
        }
        if part.starts_with('-') {
            return Err(format!(
                "Role component '{part}' is invalid because it starts with a dash"
            ));
        }
    }
    Ok(())
}

/// Whether the framework declared a capability.
pub fn has_capability(info: &FrameworkInfo, capability: Capability) -> bool {
    info.capabilities
        .iter()
        .any(|c| c.r#type == Some(capability))
}

/// The roles a framework subscribes with (`roles` for MULTI_ROLE, else `role` or `*`).
pub fn framework_roles(info: &FrameworkInfo) -> Vec<String> {
    if has_capability(info, Capability::MULTI_ROLE) {
        info.roles.clone()
    } else {
        vec![info.role.clone().unwrap_or_else(|| "*".to_string())]
    }
}

/// FrameworkInfo validation: role fields, duplicates, names and the id.
pub fn validate_framework_info(info: &FrameworkInfo) -> Result<(), String> {
    let multi = has_capability(info, Capability::MULTI_ROLE);
    if !multi && !info.roles.is_empty() {
        return Err("'FrameworkInfo.roles' is set but the MULTI_ROLE capability is not".to_string());
    }
    if multi && info.role.is_some() {
        return Err("'FrameworkInfo.role' must not be set with the MULTI_ROLE capability".to_string());
    }
    let roles = framework_roles(info);
    for (i, role) in roles.iter().enumerate() {
        if roles[..i].contains(role) {
            return Err(format!("'FrameworkInfo.roles' contains duplicate role '{role}'"));
        }
        validate_role(role)?;
    }
    if let Some(id) = info.id.as_ref().map(|i| i.value.as_str()) {
        if !id.is_empty()
            && (id == "." || id == ".." || id.contains(['/', '\\']) || id.chars().any(char::is_control))
        {
            return Err(format!("'{id}' is not a valid framework ID"));
        }
    }
    if let Some(t) = info.failover_timeout {
        if !(t.abs() < 9.2e9) {
            return Err(format!("Invalid failover_timeout: {t}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names() {
        for ok in ["*", "a", "a/b", "prod.web"] {
            assert!(validate_role(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/test/test1", "a/", "a//b", "a/./b", "..", "a/*", "-a", "a b"] {
            assert!(validate_role(bad).is_err(), "{bad}");
        }
    }
}
