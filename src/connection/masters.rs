//! Finding the masters to try. Today a static list (`"h1:5050,h2:5050"` or
//! one URL); the [`MasterDetector`] trait is the seam where ZooKeeper
//! detection (`zk://...`) plugs in later without touching the reader.

use std::fmt;
use std::sync::Arc;

use super::endpoint::Endpoint;
use crate::error::Error;

/// Produces the candidate masters for the next subscription attempt, best
/// first. Called before every attempt, so a detector that watches an
/// election (ZooKeeper) can return the current leader each time.
pub trait MasterDetector: Send + Sync + fmt::Debug {
    /// The masters to try, in order. An empty list means "none known right
    /// now": the client backs off and asks again.
    fn candidates(&self) -> Result<Vec<Endpoint>, Error>;
}

/// A fixed list of masters, tried in turn; redirects find the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticMasters {
    endpoints: Vec<Endpoint>,
}

impl StaticMasters {
    /// Parses one URL or a comma-separated list of addresses
    /// (`http://h:5050`, `https://h:5050`, `h1:5050,h2:5050`).
    pub fn parse(spec: &str) -> Result<Self, Error> {
        let spec = spec.trim();
        if spec.starts_with("zk://") {
            return Err(Error::Config(
                "ZooKeeper master detection (zk://) is not supported by this build".into(),
            ));
        }
        if let Some(rest) = spec.strip_prefix("file://") {
            return Err(Error::Config(format!(
                "file:// master detection is not supported (read {rest} yourself)"
            )));
        }
        // A URL scheme applies to every entry of a list: `https://a:1,b:2`.
        let (prefix, list) = if let Some(rest) = spec.strip_prefix("https://") {
            ("https://", rest)
        } else if let Some(rest) = spec.strip_prefix("http://") {
            ("http://", rest)
        } else {
            ("", spec)
        };
        let endpoints = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|entry| {
                if entry.contains("://") {
                    Endpoint::parse(entry)
                } else {
                    Endpoint::parse(&format!("{prefix}{entry}"))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if endpoints.is_empty() {
            return Err(Error::Config("no master address given".into()));
        }
        Ok(StaticMasters { endpoints })
    }

    /// The configured endpoints.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }
}

impl MasterDetector for StaticMasters {
    fn candidates(&self) -> Result<Vec<Endpoint>, Error> {
        Ok(self.endpoints.clone())
    }
}

/// What the builder accepts as "the masters": an address string, or any
/// detector.
#[derive(Debug, Clone)]
pub struct Masters(pub(crate) Arc<dyn MasterDetector>);

impl Masters {
    /// Masters found by a custom detector.
    pub fn detector(detector: impl MasterDetector + 'static) -> Self {
        Masters(Arc::new(detector))
    }

    /// Parses an address string; see [`StaticMasters::parse`].
    pub fn parse(spec: &str) -> Result<Self, Error> {
        Ok(Masters(Arc::new(StaticMasters::parse(spec)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_keeps_its_order_and_shares_the_scheme() {
        let m = StaticMasters::parse("https://a:1, b:2 ,c").unwrap();
        let urls: Vec<String> = m.endpoints().iter().map(Endpoint::url).collect();
        assert_eq!(
            urls,
            [
                "https://a:1/api/v1/scheduler",
                "https://b:2/api/v1/scheduler",
                "https://c:5050/api/v1/scheduler"
            ]
        );
    }

    #[test]
    fn zk_and_empty_are_refused() {
        assert!(StaticMasters::parse("zk://z:2181/mesos").is_err());
        assert!(StaticMasters::parse(" , ").is_err());
    }
}
