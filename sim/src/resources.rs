//! The small amount of resource arithmetic the simulated master needs: named
//! scalars (rounded to Mesos's three decimals) and named port-style ranges.

use std::collections::BTreeMap;

use mesos_http::v1::resource::AllocationInfo;
use mesos_http::v1::value::{self, Range, Ranges, Scalar};
use mesos_http::v1::Resource;

/// Unreserved resources of one agent, an offer or a task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Res {
    /// Scalars by name (`cpus`, `mem`, `disk`, ...).
    pub scalars: BTreeMap<String, f64>,
    /// Inclusive ranges by name (`ports`).
    pub ranges: BTreeMap<String, Vec<(u64, u64)>>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Res {
    /// Reads scalar and range resources; other types are ignored.
    pub fn from_resources(resources: &[Resource]) -> Res {
        let mut res = Res::default();
        for r in resources {
            match r.r#type {
                value::Type::SCALAR => {
                    let v = r.scalar.as_ref().map(|s| s.value).unwrap_or(0.0);
                    let e = res.scalars.entry(r.name.clone()).or_insert(0.0);
                    *e = round3(*e + v);
                }
                value::Type::RANGES => {
                    let list = res.ranges.entry(r.name.clone()).or_default();
                    for range in r.ranges.iter().flat_map(|rs| rs.range.iter()) {
                        list.push((range.begin, range.end));
                    }
                    *list = normalize(list);
                }
                _ => {}
            }
        }
        res
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.scalars.values().all(|v| *v <= 0.0) && self.ranges.values().all(|r| r.is_empty())
    }

    /// Whether every amount in `self` is available in `other`.
    pub fn fits_in(&self, other: &Res) -> bool {
        let scalars_fit = self
            .scalars
            .iter()
            .all(|(name, v)| *v <= 0.0 || other.scalars.get(name).is_some_and(|o| *v <= *o + 1e-9));
        let ranges_fit = self.ranges.iter().all(|(name, list)| {
            let available = other.ranges.get(name).map(Vec::as_slice).unwrap_or(&[]);
            list.iter()
                .all(|(b, e)| available.iter().any(|(ab, ae)| ab <= b && e <= ae))
        });
        scalars_fit && ranges_fit
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &Res) {
        for (name, v) in &other.scalars {
            let e = self.scalars.entry(name.clone()).or_insert(0.0);
            *e = round3(*e + v);
        }
        for (name, list) in &other.ranges {
            let e = self.ranges.entry(name.clone()).or_default();
            e.extend_from_slice(list);
            *e = normalize(e);
        }
    }

    /// Subtracts `other` (amounts never go below zero).
    pub fn subtract(&mut self, other: &Res) {
        for (name, v) in &other.scalars {
            if let Some(e) = self.scalars.get_mut(name) {
                *e = round3((*e - v).max(0.0));
            }
        }
        for (name, list) in &other.ranges {
            if let Some(e) = self.ranges.get_mut(name) {
                for (b, en) in list {
                    *e = remove_range(e, *b, *en);
                }
            }
        }
    }

    /// Renders as Mesos resources with `role: "*"`, ranges first then cpus, mem,
    /// disk and other scalars (the order the real master's offers show), each
    /// with `allocation_info` when `allocation_role` is given.
    pub fn to_resources(&self, allocation_role: Option<&str>) -> Vec<Resource> {
        let allocation = allocation_role.map(|role| AllocationInfo {
            role: Some(role.to_string()),
        });
        let mut out = Vec::new();
        for (name, list) in &self.ranges {
            if list.is_empty() {
                continue;
            }
            out.push(Resource {
                name: name.clone(),
                r#type: value::Type::RANGES,
                ranges: Some(Ranges {
                    range: list
                        .iter()
                        .map(|(b, e)| Range { begin: *b, end: *e })
                        .collect(),
                }),
                role: Some("*".to_string()),
                allocation_info: allocation.clone(),
                ..Resource::default()
            });
        }
        let known = ["cpus", "mem", "disk", "gpus"];
        let mut names: Vec<&String> = self.scalars.keys().collect();
        names.sort_by_key(|n| (known.iter().position(|k| k == n).unwrap_or(known.len()), *n));
        for name in names {
            let v = self.scalars[name];
            if v <= 0.0 {
                continue;
            }
            out.push(Resource {
                name: name.clone(),
                r#type: value::Type::SCALAR,
                scalar: Some(Scalar { value: v }),
                role: Some("*".to_string()),
                allocation_info: allocation.clone(),
                ..Resource::default()
            });
        }
        out
    }
}

fn normalize(list: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut sorted: Vec<(u64, u64)> = list.iter().copied().filter(|(b, e)| b <= e).collect();
    sorted.sort();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (b, e) in sorted {
        match out.last_mut() {
            Some(last) if b <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => out.push((b, e)),
        }
    }
    out
}

fn remove_range(list: &[(u64, u64)], b: u64, e: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &(lb, le) in list {
        if e < lb || b > le {
            out.push((lb, le));
            continue;
        }
        if lb < b {
            out.push((lb, b - 1));
        }
        if e < le {
            out.push((e + 1, le));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent() -> Res {
        let mut r = Res::default();
        r.scalars.insert("cpus".into(), 2.0);
        r.scalars.insert("mem".into(), 2048.0);
        r.ranges.insert("ports".into(), vec![(31000, 32000)]);
        r
    }

    #[test]
    fn arithmetic_rounds_like_mesos() {
        let mut free = agent();
        let mut task = Res::default();
        task.scalars.insert("cpus".into(), 0.1);
        task.ranges.insert("ports".into(), vec![(31005, 31005)]);
        free.subtract(&task);
        free.subtract(&task);
        assert_eq!(free.scalars["cpus"], 1.8);
        assert_eq!(free.ranges["ports"], vec![(31000, 31004), (31006, 32000)]);
        assert!(task.fits_in(&agent()));
        let mut big = Res::default();
        big.scalars.insert("cpus".into(), 3.0);
        assert!(!big.fits_in(&agent()));
        free.add(&task);
        assert_eq!(free.ranges["ports"], vec![(31000, 32000)]);
        let names: Vec<String> = agent()
            .to_resources(None)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["ports", "cpus", "mem"]);
    }
}
