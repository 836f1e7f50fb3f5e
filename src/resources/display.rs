//! Printing resources back in the Mesos text syntax.

use std::fmt;

use super::{reservation_role, values, Resources};
use crate::v1;
use crate::v1::value::Type;

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
