//! Finding the masters to try: a static list (`"h1:5050,h2:5050"` or one
//! URL), or ZooKeeper detection (`zk://...`, cargo feature `zookeeper`). The
//! [`MasterDetector`] trait is the seam between them and the reader.

use std::fmt;
use std::sync::Arc;

use super::endpoint::{Endpoint, Scheme};
use crate::error::Error;

/// Produces the candidate masters for the next subscription attempt, best
/// first. Called before every attempt, so a detector that watches an
/// election (ZooKeeper) can return the current leader each time.
pub trait MasterDetector: Send + Sync + fmt::Debug {
    /// The masters to try, in order. An empty list means "none known right
    /// now": the client backs off and asks again.
    fn candidates(&self) -> Result<Vec<Endpoint>, Error>;

    /// Asks to be told when the leader changes, so that the client drops a
    /// stream at a master that no longer leads instead of waiting for it to
    /// die. A detector that follows an election calls `listener` after every
    /// change (a new leader, or none) and forgets it once it returns false.
    /// The default ignores it: a fixed list never changes.
    fn watch_leader(&self, listener: LeaderListener) {
        let _ = listener;
    }

    /// Whether `host` is one of this detector's masters and may therefore
    /// receive the client's credentials. The default: it is among the
    /// current candidates.
    fn trusts_host(&self, host: &str) -> bool {
        self.candidates()
            .map(|list| list.iter().any(|e| e.host() == host))
            .unwrap_or(false)
    }
}

/// Called by a [`MasterDetector`] when the leader changes; returns false
/// when the client it belongs to is gone and it should not be called again.
pub type LeaderListener = Box<dyn Fn() -> bool + Send + Sync>;

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
                "a zk:// URL is not a static list of masters: use Masters::parse".into(),
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
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if entries.len() == 1 && !entries[0].contains("://") {
            // One address: a URL as written (its scheme's default port).
            return Ok(StaticMasters {
                endpoints: vec![Endpoint::parse(&format!("{prefix}{}", entries[0]))?],
            });
        }
        // In a list the scheme is shared, and an entry without a port uses
        // the Mesos port, as a bare address does.
        let scheme = if prefix == "https://" {
            Scheme::Https
        } else {
            Scheme::Http
        };
        let endpoints = entries
            .into_iter()
            .map(|entry| {
                if entry.contains("://") {
                    Endpoint::parse(entry)
                } else {
                    Endpoint::parse(entry).map(|e| e.with_scheme(scheme))
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

    fn trusts_host(&self, host: &str) -> bool {
        self.endpoints.iter().any(|e| e.host() == host)
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

    /// Parses an address string: `zk://host:port,.../path` detects the
    /// leader through ZooKeeper (see `ZooKeeperMasters`, cargo feature
    /// `zookeeper`); anything else is a [`StaticMasters`] list.
    pub fn parse(spec: &str) -> Result<Self, Error> {
        if spec.trim_start().starts_with("zk://") {
            return Self::zookeeper(spec);
        }
        Ok(Masters(Arc::new(StaticMasters::parse(spec)?)))
    }

    #[cfg(feature = "zookeeper")]
    fn zookeeper(spec: &str) -> Result<Self, Error> {
        Ok(Masters(Arc::new(super::ZooKeeperMasters::parse(spec)?)))
    }

    #[cfg(not(feature = "zookeeper"))]
    fn zookeeper(spec: &str) -> Result<Self, Error> {
        let _ = spec;
        Err(zookeeper_feature_missing())
    }
}

/// The error for `zk://` in a build without ZooKeeper support.
#[cfg_attr(feature = "zookeeper", allow(dead_code))]
fn zookeeper_feature_missing() -> Error {
    Error::Config(
        "zk:// master detection needs mesos-http built with the `zookeeper` cargo feature \
         (features = [\"zookeeper\"])"
            .into(),
    )
}

impl From<StaticMasters> for Masters {
    fn from(masters: StaticMasters) -> Self {
        Masters(Arc::new(masters))
    }
}

/// Anything the builder accepts as masters: an address string or a
/// [`Masters`] value.
pub trait IntoMasters {
    /// Converts; errors surface from [`SchedulerBuilder::connect`](crate::SchedulerBuilder::connect).
    fn into_masters(self) -> Result<Masters, Error>;
}

impl IntoMasters for &str {
    fn into_masters(self) -> Result<Masters, Error> {
        Masters::parse(self)
    }
}

impl IntoMasters for String {
    fn into_masters(self) -> Result<Masters, Error> {
        Masters::parse(&self)
    }
}

impl IntoMasters for &String {
    fn into_masters(self) -> Result<Masters, Error> {
        Masters::parse(self)
    }
}

impl IntoMasters for Masters {
    fn into_masters(self) -> Result<Masters, Error> {
        Ok(self)
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

    #[test]
    fn static_masters_trust_their_own_hosts_only() {
        let m = StaticMasters::parse("a:1,b:2").unwrap();
        assert!(m.trusts_host("a") && m.trusts_host("b"));
        assert!(!m.trusts_host("c"));
    }

    #[test]
    fn zk_without_the_feature_names_the_feature() {
        let err = zookeeper_feature_missing().to_string();
        assert!(err.contains("`zookeeper` cargo feature"), "{err}");
        #[cfg(not(feature = "zookeeper"))]
        assert_eq!(
            Masters::parse("zk://z:2181/mesos").unwrap_err().to_string(),
            err
        );
    }

    #[cfg(feature = "zookeeper")]
    #[test]
    fn zk_with_the_feature_is_checked_up_front() {
        assert!(Masters::parse("zk://z:2181/mesos").is_ok());
        let err = Masters::parse("zk://z:2181/").unwrap_err().to_string();
        assert!(err.contains("'/' is not allowed"), "{err}");
    }
}
