//! Resources as Mesos understands them: the text syntax operators and
//! agents use (`cpus:1;mem:128;ports:[31000-31005]`), and the arithmetic a
//! scheduler needs to carve tasks out of offers.
//!
//! Two resources combine only when they are the same kind: same name, type,
//! reservation (role), disk, provider, shared and revocable info. Different
//! roles never merge. Scalars use Mesos's fixed point (three decimals), so
//! `0.1 + 0.2 == 0.3`.
//!
//! Reservations: a role in the text (`cpus(web):1`) is a static reservation,
//! written the way Mesos's own parser writes it since 1.4 (the
//! "post-reservation-refinement" format): `reservations = [{type: STATIC, role}]`
//! with the deprecated `Resource.role` left unset. The master accepts that
//! format from every framework (setting both is refused), and comparisons here
//! treat the old format (`role: "web"`, which the master uses in offers to
//! frameworks without the RESERVATION_REFINEMENT capability) as the same kind.
//!
//! ```
//! use mesos_http::resources::Resources;
//! let offer: Resources = "cpus:4;mem:1024;ports:[31000-32000]".parse().unwrap();
//! let task: Resources = "cpus:0.5;mem:128;ports:[31000-31000]".parse().unwrap();
//! assert!(offer.contains(&task));
//! let left = offer - task;
//! assert_eq!(left.to_string(), "cpus:3.5; mem:896; ports:[31001-32000]");
//! ```

mod parse;
mod values;

pub use parse::{ParseError, ParseErrorKind};

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::str::FromStr;

use crate::v1;
use crate::v1::resource::{reservation_info, ReservationInfo};
use crate::v1::value::{Ranges, Scalar, Set, Type};

/// A bag of resources kept in Mesos's normal form: one entry per kind,
/// scalars rounded to three decimals, ranges coalesced, empty entries dropped.
#[derive(Debug, Clone, Default)]
pub struct Resources(Vec<v1::Resource>);

/// An unreserved scalar resource (`cpus`, `mem`, `disk`, `gpus`).
pub fn scalar_resource(name: &str, value: f64) -> v1::Resource {
    v1::Resource {
        name: name.to_string(),
        r#type: Type::SCALAR,
        scalar: Some(Scalar { value }),
        ..v1::Resource::default()
    }
}

/// An unreserved ranges resource (`ports`).
pub fn ranges_resource(name: &str, ranges: Ranges) -> v1::Resource {
    v1::Resource {
        name: name.to_string(),
        r#type: Type::RANGES,
        ranges: Some(ranges),
        ..v1::Resource::default()
    }
}

/// An unreserved set resource.
pub fn set_resource(name: &str, items: Vec<String>) -> v1::Resource {
    v1::Resource {
        name: name.to_string(),
        r#type: Type::SET,
        set: Some(Set { item: items }),
        ..v1::Resource::default()
    }
}

/// The reservation a role in the text syntax stands for.
pub fn static_reservation(role: &str) -> ReservationInfo {
    ReservationInfo {
        r#type: Some(reservation_info::Type::STATIC),
        role: Some(role.to_string()),
        ..ReservationInfo::default()
    }
}

/// The role a resource is reserved for (`*` when unreserved), read from
/// either reservation format.
pub fn reservation_role(resource: &v1::Resource) -> &str {
    match resource.reservations.last() {
        Some(reservation) => reservation.role(),
        None => resource.role(),
    }
}

/// The reservation stack in the post-refinement format, whichever format the
/// resource uses (the master's upgrade rule).
fn reservation_stack(resource: &v1::Resource) -> Vec<ReservationInfo> {
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
fn kind_key(resource: &v1::Resource) -> v1::Resource {
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
fn is_atomic(resource: &v1::Resource) -> bool {
    use crate::v1::resource::disk_info::source::Type as Source;
    let disk = resource.disk.as_ref();
    resource.shared.is_some()
        || disk.is_some_and(|d| d.persistence.is_some())
        || disk
            .and_then(|d| d.source.as_ref())
            .is_some_and(|s| matches!(s.r#type, Source::MOUNT | Source::BLOCK | Source::RAW))
}

fn is_empty_resource(resource: &v1::Resource) -> bool {
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
fn normalized(resource: &v1::Resource) -> v1::Resource {
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
fn value_contains(have: &v1::Resource, want: &v1::Resource) -> bool {
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
fn combine(target: &mut v1::Resource, other: &v1::Resource, adding: bool) {
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

impl Resources {
    /// No resources.
    pub fn new() -> Self {
        Resources(Vec::new())
    }

    /// Parses the Mesos text syntax; see the module documentation.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        parse::parse(text)
    }

    /// Adds one resource, merging it into an entry of the same kind.
    /// Empty resources and unknown value types are ignored.
    pub fn add(&mut self, resource: &v1::Resource) {
        if is_empty_resource(resource) {
            return;
        }
        let resource = normalized(resource);
        if !is_atomic(&resource) {
            let key = kind_key(&resource);
            if let Some(entry) = self.0.iter_mut().find(|entry| kind_key(entry) == key) {
                combine(entry, &resource, true);
                return;
            }
        }
        self.0.push(resource);
    }

    /// Removes one resource from the entry of the same kind; what is not
    /// there is ignored, and an entry that reaches zero disappears.
    pub fn subtract(&mut self, resource: &v1::Resource) {
        if is_empty_resource(resource) {
            return;
        }
        let resource = normalized(resource);
        let key = kind_key(&resource);
        let Some(index) = self.0.iter().position(|entry| kind_key(entry) == key) else {
            return;
        };
        if is_atomic(&resource) {
            if let Some(exact) = self.0.iter().position(|entry| *entry == resource) {
                self.0.remove(exact);
            }
            return;
        }
        combine(&mut self.0[index], &resource, false);
        if is_empty_resource(&self.0[index]) {
            self.0.remove(index);
        }
    }

    /// True when every resource of `other` is available here (same kinds, at
    /// least the amounts, every range and set item present).
    pub fn contains(&self, other: &Resources) -> bool {
        let mut remaining = self.clone();
        for want in &other.0 {
            if !remaining.contains_resource(want) {
                return false;
            }
            remaining.subtract(want);
        }
        true
    }

    /// True when one resource is available here.
    pub fn contains_resource(&self, resource: &v1::Resource) -> bool {
        if is_empty_resource(resource) {
            return true;
        }
        let resource = normalized(resource);
        if is_atomic(&resource) {
            return self.0.contains(&resource);
        }
        let key = kind_key(&resource);
        self.0
            .iter()
            .any(|entry| kind_key(entry) == key && value_contains(entry, &resource))
    }

    /// The total of a scalar resource over all roles (`None` when absent).
    pub fn get_scalar(&self, name: &str) -> Option<f64> {
        let mut total: Option<i64> = None;
        for resource in self.named(name, Type::SCALAR) {
            let value = values::to_fixed(resource.scalar.as_ref().map_or(0.0, |s| s.value));
            total = Some(total.unwrap_or(0).saturating_add(value));
        }
        total.map(values::from_fixed)
    }

    /// The union of a ranges resource over all roles, coalesced.
    pub fn ranges(&self, name: &str) -> Option<Ranges> {
        self.named(name, Type::RANGES)
            .filter_map(|resource| resource.ranges.as_ref())
            .fold(None, |acc: Option<Ranges>, ranges| {
                Some(values::ranges_add(&acc.unwrap_or_default(), ranges))
            })
    }

    /// The union of a set resource over all roles.
    pub fn set(&self, name: &str) -> Option<Set> {
        self.named(name, Type::SET)
            .filter_map(|resource| resource.set.as_ref())
            .fold(None, |acc: Option<Set>, set| {
                Some(values::set_add(&acc.unwrap_or_default(), set))
            })
    }

    fn named<'a>(&'a self, name: &'a str, kind: Type) -> impl Iterator<Item = &'a v1::Resource> {
        self.0
            .iter()
            .filter(move |resource| resource.name == name && resource.r#type == kind)
    }

    /// Total `cpus`, 0 when absent.
    pub fn cpus(&self) -> f64 {
        self.get_scalar("cpus").unwrap_or(0.0)
    }

    /// Total `mem` in MB, 0 when absent.
    pub fn mem(&self) -> f64 {
        self.get_scalar("mem").unwrap_or(0.0)
    }

    /// Total `disk` in MB, 0 when absent.
    pub fn disk(&self) -> f64 {
        self.get_scalar("disk").unwrap_or(0.0)
    }

    /// Only the resources reserved for `role` (or unreserved ones for `*`).
    pub fn reserved_for(&self, role: &str) -> Resources {
        Resources(
            self.0
                .iter()
                .filter(|resource| reservation_role(resource) == role)
                .cloned()
                .collect(),
        )
    }

    /// Only the unreserved resources.
    pub fn unreserved(&self) -> Resources {
        self.reserved_for("*")
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> std::slice::Iter<'_, v1::Resource> {
        self.0.iter()
    }

    /// Number of entries (kinds), not an amount.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries as schema messages, ready for a `TaskInfo` or an operation.
    pub fn as_slice(&self) -> &[v1::Resource] {
        &self.0
    }

    /// The entries as schema messages, by value.
    pub fn into_vec(self) -> Vec<v1::Resource> {
        self.0
    }
}

/// Equal amounts of the same kinds, whatever the order.
impl PartialEq for Resources {
    fn eq(&self, other: &Self) -> bool {
        self.contains(other) && other.contains(self)
    }
}

impl FromStr for Resources {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Self, ParseError> {
        Resources::parse(text)
    }
}

impl From<Vec<v1::Resource>> for Resources {
    fn from(resources: Vec<v1::Resource>) -> Self {
        resources.into_iter().collect()
    }
}

impl From<&[v1::Resource]> for Resources {
    fn from(resources: &[v1::Resource]) -> Self {
        resources.iter().cloned().collect()
    }
}

impl From<Resources> for Vec<v1::Resource> {
    fn from(resources: Resources) -> Self {
        resources.0
    }
}

impl FromIterator<v1::Resource> for Resources {
    fn from_iter<I: IntoIterator<Item = v1::Resource>>(iter: I) -> Self {
        let mut resources = Resources::new();
        resources.extend(iter);
        resources
    }
}

impl Extend<v1::Resource> for Resources {
    fn extend<I: IntoIterator<Item = v1::Resource>>(&mut self, iter: I) {
        for resource in iter {
            self.add(&resource);
        }
    }
}

impl IntoIterator for Resources {
    type Item = v1::Resource;
    type IntoIter = std::vec::IntoIter<v1::Resource>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Resources {
    type Item = &'a v1::Resource;
    type IntoIter = std::slice::Iter<'a, v1::Resource>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl AddAssign<&Resources> for Resources {
    fn add_assign(&mut self, other: &Resources) {
        for resource in &other.0 {
            self.add(resource);
        }
    }
}

impl SubAssign<&Resources> for Resources {
    fn sub_assign(&mut self, other: &Resources) {
        for resource in &other.0 {
            self.subtract(resource);
        }
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(mut self, other: Resources) -> Resources {
        self += &other;
        self
    }
}

impl Sub for Resources {
    type Output = Resources;
    fn sub(mut self, other: Resources) -> Resources {
        self -= &other;
        self
    }
}

/// The Mesos text syntax, entries joined by `"; "`: parses back to equal resources.
/// Only the name, role and value are written: reservation principals and
/// labels, disk and other metadata have no text form.
impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, resource) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write_resource(f, resource)?;
        }
        Ok(())
    }
}

fn write_resource(f: &mut fmt::Formatter<'_>, resource: &v1::Resource) -> fmt::Result {
    f.write_str(&resource.name)?;
    let role = reservation_role(resource);
    if role != "*" {
        write!(f, "({role})")?;
    }
    f.write_str(":")?;
    match resource.r#type {
        Type::SCALAR => {
            let value = resource.scalar.as_ref().map_or(0.0, |s| s.value);
            write!(f, "{}", values::from_fixed(values::to_fixed(value)))
        }
        Type::RANGES => {
            f.write_str("[")?;
            let ranges = resource.ranges.as_ref().map_or(&[][..], |r| &r.range[..]);
            for (index, range) in ranges.iter().enumerate() {
                let separator = if index > 0 { ", " } else { "" };
                write!(f, "{separator}{}-{}", range.begin, range.end)?;
            }
            f.write_str("]")
        }
        Type::SET => {
            let items = resource.set.as_ref().map_or(&[][..], |s| &s.item[..]);
            write!(f, "{{{}}}", items.join(", "))
        }
        _ => f.write_str("?"),
    }
}
