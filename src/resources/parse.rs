//! The Mesos resource text syntax: `cpus:1;mem:128;ports:[31000-31005,32000-32001];disks:{a,b}`,
//! with an optional role in parentheses (`cpus(web):2`).

use std::fmt;

use super::{ranges_resource, scalar_resource, set_resource, Resources};
use crate::v1;
use crate::v1::value::{Range, Ranges};

/// What is wrong with one `name(role):value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The entry has no `:` or more than one.
    MissingColon,
    /// A `(` without a following `)`, or text after the `)`.
    MismatchedParentheses,
    /// Nothing before the `:` (or before the `(`).
    EmptyName,
    /// The role is not a valid role name; holds the master's reason.
    InvalidRole(String),
    /// Nothing after the `:`.
    EmptyValue,
    /// A scalar that is not a number.
    InvalidScalar,
    /// A scalar that is negative, infinite or NaN.
    NegativeScalar,
    /// A range that is not `begin-end` with integers and `begin <= end`.
    InvalidRange,
    /// A `[` or `{` without its closing bracket, or text after it.
    UnclosedBracket,
    /// An empty item in a `{...}` set.
    EmptySetItem,
    /// The same item twice in a set.
    DuplicateSetItem(String),
}

/// A resource string that does not parse: which entry, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The offending entry, trimmed.
    pub entry: String,
    /// What is wrong with it.
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::MissingColon => f.write_str("missing or extra ':'"),
            ParseErrorKind::MismatchedParentheses => f.write_str("mismatched parentheses"),
            ParseErrorKind::EmptyName => f.write_str("empty resource name"),
            ParseErrorKind::InvalidRole(reason) => write!(f, "invalid role: {reason}"),
            ParseErrorKind::EmptyValue => f.write_str("empty value"),
            ParseErrorKind::InvalidScalar => f.write_str("not a number"),
            ParseErrorKind::NegativeScalar => {
                f.write_str("scalar must be a finite, non-negative number")
            }
            ParseErrorKind::InvalidRange => {
                f.write_str("expected ranges as 'begin-end' integers with begin <= end")
            }
            ParseErrorKind::UnclosedBracket => f.write_str("unclosed bracket"),
            ParseErrorKind::EmptySetItem => f.write_str("empty set item"),
            ParseErrorKind::DuplicateSetItem(item) => write!(f, "duplicate set item '{item}'"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad resource '{}': {}", self.entry, self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Parses the whole text; entries with the same name and role are added up.
pub(super) fn parse(text: &str) -> Result<Resources, ParseError> {
    let mut resources = Resources::new();
    for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let resource = parse_entry(entry).map_err(|kind| ParseError {
            entry: entry.to_string(),
            kind,
        })?;
        resources.add(&resource);
    }
    Ok(resources)
}

fn parse_entry(entry: &str) -> Result<v1::Resource, ParseErrorKind> {
    let (head, value) = entry.split_once(':').ok_or(ParseErrorKind::MissingColon)?;
    if value.contains(':') {
        return Err(ParseErrorKind::MissingColon);
    }
    let (name, role) = split_role(head)?;
    if name.is_empty() {
        return Err(ParseErrorKind::EmptyName);
    }
    crate::validation::validate_role(role).map_err(ParseErrorKind::InvalidRole)?;

    let value = value.trim();
    let mut resource = if let Some(inner) = value.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or(ParseErrorKind::UnclosedBracket)?;
        ranges_resource(name, parse_ranges(inner)?)
    } else if let Some(inner) = value.strip_prefix('{') {
        let inner = inner
            .strip_suffix('}')
            .ok_or(ParseErrorKind::UnclosedBracket)?;
        set_resource(name, parse_set(inner)?)
    } else {
        scalar_resource(name, parse_scalar(value)?)
    };
    if role != "*" {
        resource.reservations = vec![super::static_reservation(role)];
    }
    Ok(resource)
}

/// `name` or `name(role)`; the role defaults to `*` (unreserved).
fn split_role(head: &str) -> Result<(&str, &str), ParseErrorKind> {
    let head = head.trim();
    match head.split_once('(') {
        None if head.contains(')') => Err(ParseErrorKind::MismatchedParentheses),
        None => Ok((head, "*")),
        Some((name, rest)) => {
            let role = rest
                .strip_suffix(')')
                .filter(|role| !role.contains('(') && !role.contains(')'))
                .ok_or(ParseErrorKind::MismatchedParentheses)?;
            Ok((name.trim(), role.trim()))
        }
    }
}

fn parse_scalar(text: &str) -> Result<f64, ParseErrorKind> {
    if text.is_empty() {
        return Err(ParseErrorKind::EmptyValue);
    }
    let value: f64 = text.parse().map_err(|_| ParseErrorKind::InvalidScalar)?;
    if !value.is_finite() || value < 0.0 {
        return Err(ParseErrorKind::NegativeScalar);
    }
    Ok(value)
}

fn parse_ranges(inner: &str) -> Result<Ranges, ParseErrorKind> {
    let mut range = Vec::new();
    for part in inner.split(',').map(str::trim) {
        if part.is_empty() && inner.trim().is_empty() {
            break;
        }
        let (begin, end) = part.split_once('-').ok_or(ParseErrorKind::InvalidRange)?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| ParseErrorKind::InvalidRange)
        };
        let (begin, end) = (number(begin)?, number(end)?);
        if begin > end {
            return Err(ParseErrorKind::InvalidRange);
        }
        range.push(Range { begin, end });
    }
    Ok(Ranges { range })
}

fn parse_set(inner: &str) -> Result<Vec<String>, ParseErrorKind> {
    let mut items: Vec<String> = Vec::new();
    if inner.trim().is_empty() {
        return Ok(items);
    }
    for item in inner.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(ParseErrorKind::EmptySetItem);
        }
        if items.iter().any(|seen| seen == item) {
            return Err(ParseErrorKind::DuplicateSetItem(item.to_string()));
        }
        items.push(item.to_string());
    }
    Ok(items)
}
