//! FrameworkInfo validation on SUBSCRIBE and UPDATE_FRAMEWORK
//! (`src/master/validation.cpp`, `src/common/roles.cpp`,
//! `src/common/validation.cpp`). Errors are the master's texts; the master
//! sends them as an ERROR event (SUBSCRIBE) or in a 400 body (UPDATE_FRAMEWORK).

use std::collections::BTreeSet;

use crate::v1;
use crate::v1::framework_info::capability::Type as Capability;
use crate::v1::scheduler::OfferConstraints;

/// Longest id the master accepts (`NAME_MAX` on Linux).
const NAME_MAX: usize = 255;

/// The master's FrameworkInfo checks, in its order: roles, id, offer
/// filters, failover timeout. Not covered: the `--roles` whitelist,
/// `--no-root_submissions` and authorization, which depend on master flags.
pub fn validate_framework_info(info: &v1::FrameworkInfo) -> Result<(), String> {
    validate_roles(info)?;
    validate_id(info)?;
    validate_offer_filters(info)?;
    validate_failover_timeout(info)
}

/// The SUBSCRIBE checks beyond the call's own validation: the FrameworkInfo,
/// then `suppressed_roles` and `offer_constraints` against its roles.
pub fn validate_subscribe(subscribe: &v1::scheduler::call::Subscribe) -> Result<(), String> {
    let info = &subscribe.framework_info;
    validate_framework_info(info)?;
    validate_suppressed_roles(info, &subscribe.suppressed_roles)?;
    match &subscribe.offer_constraints {
        Some(constraints) => validate_offer_constraints_roles(info, constraints),
        None => Ok(()),
    }
}

fn is_multi_role(info: &v1::FrameworkInfo) -> bool {
    info.capabilities
        .iter()
        .any(|capability| capability.r#type == Some(Capability::MULTI_ROLE))
}

/// The roles a framework subscribes with: `roles` for a MULTI_ROLE framework,
/// otherwise the single (deprecated) `role`, `*` by default.
pub fn framework_roles(info: &v1::FrameworkInfo) -> BTreeSet<String> {
    if is_multi_role(info) {
        info.roles.iter().cloned().collect()
    } else {
        BTreeSet::from([info.role().to_string()])
    }
}

fn validate_roles(info: &v1::FrameworkInfo) -> Result<(), String> {
    let multi_role = is_multi_role(info);
    if multi_role && info.role.is_some() {
        return Err(
            "'FrameworkInfo.role' must not be set when the framework is \
                    MULTI_ROLE capable"
                .into(),
        );
    }
    if !multi_role && !info.roles.is_empty() {
        return Err(
            "'FrameworkInfo.roles' must not be set when the framework is \
                    not MULTI_ROLE capable"
                .into(),
        );
    }
    if !multi_role {
        return validate_role(info.role())
            .map_err(|e| format!("'FrameworkInfo.role' is not a valid role: {e}"));
    }

    let mut seen = BTreeSet::new();
    let duplicates: BTreeSet<&str> = info
        .roles
        .iter()
        .filter(|role| !seen.insert(role.as_str()))
        .map(String::as_str)
        .collect();
    if !duplicates.is_empty() {
        return Err(format!(
            "'FrameworkInfo.roles' contains duplicate items: {}",
            stringify_set(duplicates)
        ));
    }
    for role in &info.roles {
        validate_role(role)
            .map_err(|e| format!("'FrameworkInfo.roles' contains invalid role: {e}"))?;
    }
    Ok(())
}

/// Checks a role name with the master's rules: `*`, or a `/`-separated path
/// whose components are not `.`, `..` or `*`, do not start with `-` and
/// contain no whitespace or DEL.
pub fn validate_role(role: &str) -> Result<(), String> {
    if role == "*" {
        return Ok(());
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
    if role.is_empty() {
        return Err("Role names cannot be the empty string".into());
    }
    for component in role.split('/') {
        if matches!(component, "." | ".." | "*") {
            return Err(format!(
                "Role '{role}' cannot include '{component}' as a component"
            ));
        }
        if component.starts_with('-') {
            return Err(format!(
                "Role component '{component}' is invalid because it starts with a dash"
            ));
        }
        if component
            .bytes()
            .any(|b| matches!(b, 0x09..=0x0d | b' ' | 0x7f))
        {
            return Err(format!(
                "Role component '{component}' is invalid because it contains \
                 backspace or whitespace"
            ));
        }
    }
    Ok(())
}

fn validate_id(info: &v1::FrameworkInfo) -> Result<(), String> {
    let id = match &info.id {
        Some(id) if !id.value.is_empty() => &id.value,
        _ => return Ok(()),
    };
    if id.len() > NAME_MAX {
        return Err(format!("ID must not be greater than {NAME_MAX} characters"));
    }
    if id == "." || id == ".." {
        return Err(format!("'{id}' is disallowed"));
    }
    let invalid = |b: u8| b.is_ascii_control() || b == b'/' || b == b'\\';
    if id.bytes().any(invalid) {
        return Err(format!("'{id}' contains invalid characters"));
    }
    Ok(())
}

fn validate_offer_filters(info: &v1::FrameworkInfo) -> Result<(), String> {
    let minimums = info
        .offer_filters
        .values()
        .filter_map(|filters| filters.min_allocatable_resources.as_ref());
    for minimum in minimums {
        for quantities in &minimum.quantities {
            if quantities.quantities.is_empty() {
                return Err("Resource quantities must contain at least one quantity".into());
            }
            for (name, scalar) in &quantities.quantities {
                check_input_scalar(scalar.value)
                    .map_err(|e| format!("Invalid resource quantity for '{name}': {e}"))?;
            }
        }
    }
    Ok(())
}

/// The master's rule for a scalar a framework sends: finite, normal or zero,
/// not negative.
fn check_input_scalar(value: f64) -> Result<(), &'static str> {
    use std::num::FpCategory;
    match value.classify() {
        FpCategory::Infinite => Err("Infinite values not supported"),
        FpCategory::Nan => Err("NaN not supported"),
        FpCategory::Subnormal => Err("Subnormal values not supported"),
        FpCategory::Normal if value < 0.0 => Err("Negative values not supported"),
        _ => Ok(()),
    }
}

/// stout `Duration::create`: the timeout must fit in int64 nanoseconds.
/// (NaN compares false both ways and so passes, as on the master.)
fn validate_failover_timeout(info: &v1::FrameworkInfo) -> Result<(), String> {
    let seconds = info.failover_timeout();
    let nanos = seconds * 1e9;
    if nanos > i64::MAX as f64 || nanos < i64::MIN as f64 {
        return Err(format!(
            "The framework failover_timeout ({}) is invalid",
            stringify_double(seconds)
        ));
    }
    Ok(())
}

/// `suppressed_roles` must all be roles of the framework.
pub fn validate_suppressed_roles(
    info: &v1::FrameworkInfo,
    suppressed_roles: &[String],
) -> Result<(), String> {
    let roles = framework_roles(info);
    let invalid: BTreeSet<&str> = suppressed_roles
        .iter()
        .map(String::as_str)
        .filter(|role| !roles.contains(*role))
        .collect();
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Suppressed roles {} are not contained in the set of roles",
            stringify_set(invalid)
        ))
    }
}

/// `offer_constraints.role_constraints` may only name roles of the framework.
/// (The master's text really lacks a space before "not".)
pub fn validate_offer_constraints_roles(
    info: &v1::FrameworkInfo,
    constraints: &OfferConstraints,
) -> Result<(), String> {
    let roles = framework_roles(info);
    match constraints
        .role_constraints
        .keys()
        .find(|role| !roles.contains(*role))
    {
        Some(role) => Err(format!(
            "Offer constraints specify `role_constraints` for a role '{role}'not \
             contained in the set of roles"
        )),
        None => Ok(()),
    }
}

/// stout's rendering of a set: `{ a, b }`.
fn stringify_set(items: BTreeSet<&str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    format!("{{ {} }}", items.join(", "))
}

/// A double as C++ `std::ostream` prints it by default (`%g`, 6 significant
/// digits): `120`, `0.5`, `1e+17`, `inf`.
pub(crate) fn stringify_double(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let scientific = format!("{value:.5e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{}e{sign}{:02}",
            trim_fraction(mantissa),
            exponent.unsigned_abs()
        )
    } else {
        let decimals = (5 - exponent) as usize;
        trim_fraction(&format!("{value:.decimals$}")).to_string()
    }
}

fn trim_fraction(number: &str) -> &str {
    if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    }
}

#[cfg(test)]
mod tests {
    use super::stringify_double;

    #[test]
    fn doubles_print_like_cpp_streams() {
        assert_eq!(stringify_double(1e17), "1e+17");
        assert_eq!(stringify_double(120.0), "120");
        assert_eq!(stringify_double(0.5), "0.5");
        assert_eq!(stringify_double(123456.0), "123456");
        assert_eq!(stringify_double(1234567.0), "1.23457e+06");
        assert_eq!(stringify_double(0.0001), "0.0001");
        assert_eq!(stringify_double(0.00001), "1e-05");
        assert_eq!(stringify_double(-9.3e9), "-9.3e+09");
        assert_eq!(stringify_double(f64::INFINITY), "inf");
    }
}
