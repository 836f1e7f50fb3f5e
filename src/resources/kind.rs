//! What makes two resources "the same kind" (so they merge), and the value
//! operations applied once they are.

use super::values;
use crate::v1;
use crate::v1::resource::{reservation_info, ReservationInfo};
use crate::v1::value::{Ranges, Scalar, Set, Type};

/// The reservation stack in the post-refinement format, whichever format the
/// resource uses (the master's upgrade rule).
pub(super) fn reservation_stack(resource: &v1::Resource) -> Vec<ReservationInfo> {
    if !resource.reservations.is_empty() {
        return resource.reservations.clone();
    }
    let role = resource.role();
    if role == "*" {
        return Vec::new();
    }
    let mut reservation = resource.reservation.clone().unwrap_or_default();
    reservation.r#type = Some(if resource.reservation.is_some() {
        reservation_info::Type::DYNAMIC
    } else {
        reservation_info::Type::STATIC
    });
    reservation.role = Some(role.to_string());
    vec![reservation]
}

/// Everything that identifies a resource's kind, with the value removed and
/// the reservation in one format: two resources combine iff their keys match.
pub(super) fn kind_key(resource: &v1::Resource) -> v1::Resource {
    v1::Resource {
        scalar: None,
        ranges: None,
        set: None,
        role: None,
        reservation: None,
        reservations: reservation_stack(resource),
        ..resource.clone()
    }
}

/// Persistent volumes, whole (MOUNT/BLOCK/RAW) disks and shared resources are
/// single items: they are never merged with or carved out of one another.
pub(super) fn is_atomic(resource: &v1::Resource) -> bool {
    use crate::v1::resource::disk_info::source::Type as Source;
    let disk = resource.disk.as_ref();
    resource.shared.is_some()
        || disk.is_some_and(|d| d.persistence.is_some())
        || disk
            .and_then(|d| d.source.as_ref())
            .is_some_and(|s| matches!(s.r#type, Source::MOUNT | Source::BLOCK | Source::RAW))
}

pub(super) fn is_empty_resource(resource: &v1::Resource) -> bool {
    match resource.r#type {
        Type::SCALAR => resource
            .scalar
            .as_ref()
            .is_none_or(|s| values::to_fixed(s.value) == 0),
        Type::RANGES => resource.ranges.as_ref().is_none_or(|r| r.range.is_empty()),
        Type::SET => resource.set.as_ref().is_none_or(|s| s.item.is_empty()),
        _ => true,
    }
}

/// `resource` with its value in normal form (rounded scalar, coalesced ranges).
pub(super) fn normalized(resource: &v1::Resource) -> v1::Resource {
    let mut resource = resource.clone();
    if let Some(scalar) = &mut resource.scalar {
        scalar.value = values::from_fixed(values::to_fixed(scalar.value));
    }
    if let Some(ranges) = &mut resource.ranges {
        *ranges = values::ranges_normalize(ranges);
    }
    resource
}

/// `have` holds at least `want`; both of the same kind.
pub(super) fn value_contains(have: &v1::Resource, want: &v1::Resource) -> bool {
    let default_scalar = Scalar::default();
    let (default_ranges, default_set) = (Ranges::default(), Set::default());
    match have.r#type {
        Type::SCALAR => values::scalar_contains(
            have.scalar.as_ref().unwrap_or(&default_scalar),
            want.scalar.as_ref().unwrap_or(&default_scalar),
        ),
        Type::RANGES => values::ranges_contains(
            have.ranges.as_ref().unwrap_or(&default_ranges),
            want.ranges.as_ref().unwrap_or(&default_ranges),
        ),
        Type::SET => values::set_contains(
            have.set.as_ref().unwrap_or(&default_set),
            want.set.as_ref().unwrap_or(&default_set),
        ),
        _ => false,
    }
}

/// Combines the value of `other` into `target` (same kind), adding or removing.
pub(super) fn combine(target: &mut v1::Resource, other: &v1::Resource, adding: bool) {
    match target.r#type {
        Type::SCALAR => {
            let a = target.scalar.clone().unwrap_or_default();
            let b = other.scalar.clone().unwrap_or_default();
            target.scalar = Some(if adding {
                values::scalar_add(&a, &b)
            } else {
                values::scalar_sub(&a, &b)
            });
        }
        Type::RANGES => {
            let a = target.ranges.clone().unwrap_or_default();
            let b = other.ranges.clone().unwrap_or_default();
            target.ranges = Some(if adding {
                values::ranges_add(&a, &b)
            } else {
                values::ranges_sub(&a, &b)
            });
        }
        Type::SET => {
            let a = target.set.clone().unwrap_or_default();
            let b = other.set.clone().unwrap_or_default();
            target.set = Some(if adding {
                values::set_add(&a, &b)
            } else {
                values::set_sub(&a, &b)
            });
        }
        _ => {}
    }
}
