//! Arithmetic on the three resource value kinds, as Mesos does it:
//! scalars in fixed point with three decimals, ranges kept sorted and
//! coalesced, sets as ordered unions.

use crate::v1::value::{Range, Ranges, Scalar, Set};

/// Mesos keeps scalars to three decimals: `0.1 + 0.2` is exactly `0.3`.
const SCALE: f64 = 1000.0;

/// A scalar in thousandths, rounded half away from zero like C `llround`.
pub(crate) fn to_fixed(value: f64) -> i64 {
    (value * SCALE).round() as i64
}

/// Back from thousandths; the result prints without binary noise (`0.3`).
pub(crate) fn from_fixed(fixed: i64) -> f64 {
    fixed as f64 / SCALE
}

pub(crate) fn scalar_add(a: &Scalar, b: &Scalar) -> Scalar {
    Scalar {
        value: from_fixed(to_fixed(a.value).saturating_add(to_fixed(b.value))),
    }
}

/// `a - b`, never below zero (Mesos drops a resource that would go negative).
pub(crate) fn scalar_sub(a: &Scalar, b: &Scalar) -> Scalar {
    let difference = to_fixed(a.value).saturating_sub(to_fixed(b.value));
    Scalar {
        value: from_fixed(difference.max(0)),
    }
}

pub(crate) fn scalar_contains(a: &Scalar, b: &Scalar) -> bool {
    to_fixed(a.value) >= to_fixed(b.value)
}

/// Inclusive intervals, sorted by start, with overlapping and adjacent ones merged.
fn coalesce(mut intervals: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    intervals.retain(|(begin, end)| begin <= end);
    intervals.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(intervals.len());
    for (begin, end) in intervals {
        match merged.last_mut() {
            Some(last) if begin <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((begin, end)),
        }
    }
    merged
}

fn intervals(ranges: &Ranges) -> Vec<(u64, u64)> {
    ranges.range.iter().map(|r| (r.begin, r.end)).collect()
}

fn to_ranges(intervals: Vec<(u64, u64)>) -> Ranges {
    Ranges {
        range: intervals
            .into_iter()
            .map(|(begin, end)| Range { begin, end })
            .collect(),
    }
}

/// The same ranges, sorted and coalesced (`[3-4, 1-2]` becomes `[1-4]`).
pub(crate) fn ranges_normalize(ranges: &Ranges) -> Ranges {
    to_ranges(coalesce(intervals(ranges)))
}

pub(crate) fn ranges_add(a: &Ranges, b: &Ranges) -> Ranges {
    let mut all = intervals(a);
    all.extend(intervals(b));
    to_ranges(coalesce(all))
}

/// `a` without any number in `b`; removing the middle of a range splits it.
pub(crate) fn ranges_sub(a: &Ranges, b: &Ranges) -> Ranges {
    let cut = coalesce(intervals(b));
    let mut out = Vec::new();
    for (begin, end) in coalesce(intervals(a)) {
        let mut start = Some(begin);
        for &(cut_begin, cut_end) in &cut {
            let Some(from) = start else { break };
            if cut_end < from || cut_begin > end {
                continue;
            }
            if cut_begin > from {
                out.push((from, cut_begin - 1));
            }
            start = if cut_end >= end {
                None
            } else {
                Some(cut_end + 1)
            };
        }
        if let Some(from) = start {
            out.push((from, end));
        }
    }
    to_ranges(out)
}

/// Every number of `b` is in `a`.
pub(crate) fn ranges_contains(a: &Ranges, b: &Ranges) -> bool {
    let have = coalesce(intervals(a));
    coalesce(intervals(b)).iter().all(|&(begin, end)| {
        have.iter()
            .any(|&(have_begin, have_end)| have_begin <= begin && end <= have_end)
    })
}

pub(crate) fn set_add(a: &Set, b: &Set) -> Set {
    let mut item = a.item.clone();
    for candidate in &b.item {
        if !item.contains(candidate) {
            item.push(candidate.clone());
        }
    }
    Set { item }
}

pub(crate) fn set_sub(a: &Set, b: &Set) -> Set {
    Set {
        item: a
            .item
            .iter()
            .filter(|item| !b.item.contains(item))
            .cloned()
            .collect(),
    }
}

pub(crate) fn set_contains(a: &Set, b: &Set) -> bool {
    b.item.iter().all(|item| a.item.contains(item))
}
