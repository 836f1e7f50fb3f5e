//! Master detection through ZooKeeper (cargo feature `zookeeper`), as the
//! Mesos C++ scheduler library does it: masters hold ephemeral sequential
//! znodes `json.info_<seq>` under a path, each holding a JSON `MasterInfo`,
//! and the lowest sequence number leads. The client follows the leader: when
//! it changes, the stream at the old one is dropped and the client
//! re-subscribes at the new one with the same framework id.
//!
//! ```no_run
//! # fn main() -> Result<(), mesos_http::Error> {
//! use mesos_http::Scheduler;
//! # let framework = mesos_http::v1::FrameworkInfo::default();
//! let (scheduler, events) = Scheduler::builder("zk://zk1:2181,zk2:2181/mesos")
//!     .framework(framework)
//!     .connect()?;
//! # Ok(()) }
//! ```

mod detection;
mod leader;
mod url;
mod worker;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crossbeam_channel::Sender;

use self::detection::{Detected, Detection};
use self::leader::HostChoice;
use self::url::ZkUrl;
use self::worker::Config;
use super::masters::IntoMasters;
use super::masters::{LeaderListener, MasterDetector, Masters};
use super::{Endpoint, Scheme};
use crate::error::Error;

pub use self::url::DEFAULT_ZOOKEEPER_PORT;

/// How long the first [`MasterDetector::candidates`] call waits for
/// ZooKeeper's first answer before reporting "no leader yet". Short: the
/// reader thread cannot be closed while it waits, and its backoff sleep is
/// woken as soon as a leader is found anyway.
const FIRST_ANSWER_PATIENCE: Duration = Duration::from_secs(1);

/// Finds the leading master through ZooKeeper and follows it.
///
/// `Scheduler::builder("zk://...")` makes one with the defaults; build one
/// yourself to change them. A background thread (`mesos-zk-detector`) keeps
/// the ZooKeeper session; it starts when the client first asks and stops
/// when the last client using this detector is gone.
pub struct ZooKeeperMasters {
    config: Config,
    detection: Arc<Detection>,
    /// Dropping the sender stops the thread.
    worker: Mutex<Option<Sender<()>>>,
}

impl ZooKeeperMasters {
    /// The ZooKeeper session timeout Mesos uses.
    pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(10);

    /// Parses `zk://[user:password@]host:port[,host:port...]/path`
    /// (port 2181 when omitted; the path may not be `/`). Nothing connects
    /// yet.
    pub fn parse(url: &str) -> Result<Self, Error> {
        Ok(ZooKeeperMasters {
            config: Config {
                url: ZkUrl::parse(url)?,
                scheme: Scheme::Http,
                host_choice: HostChoice::Ip,
                session_timeout: Self::DEFAULT_SESSION_TIMEOUT,
            },
            detection: Arc::new(Detection::new()),
            worker: Mutex::new(None),
        })
    }

    /// Talk to the detected masters over HTTPS (ZooKeeper does not say
    /// which scheme a master serves; default HTTP).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.config.scheme = scheme;
        self
    }

    /// Address masters by the host name in their `MasterInfo` rather than
    /// by IP (the default, as in the C++ library). Use it with HTTPS when
    /// the masters' certificates name hosts, not addresses.
    pub fn prefer_hostname(mut self, prefer: bool) -> Self {
        self.config.host_choice = if prefer {
            HostChoice::Hostname
        } else {
            HostChoice::Ip
        };
        self
    }

    /// The ZooKeeper session timeout (default 10 s, as Mesos).
    pub fn session_timeout(mut self, timeout: Duration) -> Self {
        self.config.session_timeout = timeout.max(Duration::from_millis(100));
        self
    }

    /// The leader as last detected, without waiting. `None` while nothing
    /// was detected or no master leads.
    pub fn leader(&self) -> Option<Endpoint> {
        match self.detection.current(Duration::ZERO) {
            Detected::Leader(endpoint) => Some(endpoint),
            _ => None,
        }
    }

    /// Starts the detector thread unless it runs already.
    fn ensure_started(&self) {
        let mut worker = self.worker.lock().unwrap_or_else(|p| p.into_inner());
        if worker.is_some() {
            return;
        }
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(0);
        let config = self.config.clone();
        let detection = self.detection.clone();
        let spawned = thread::Builder::new()
            .name("mesos-zk-detector".into())
            .spawn(move || worker::run(config, detection, stop_rx));
        match spawned {
            Ok(_) => *worker = Some(stop_tx),
            Err(err) => self
                .detection
                .publish_pending(&format!("cannot start the detector thread: {err}")),
        }
    }
}

impl MasterDetector for ZooKeeperMasters {
    /// The leader alone: redirects are still followed, but ZooKeeper is the
    /// authority on who leads.
    fn candidates(&self) -> Result<Vec<Endpoint>, Error> {
        self.ensure_started();
        match self.detection.current(FIRST_ANSWER_PATIENCE) {
            Detected::Leader(endpoint) => Ok(vec![endpoint]),
            Detected::NoLeader(reason) => Err(Error::Unavailable { body: reason }),
            Detected::Pending(reason) => Err(Error::Connection(format!(
                "no leading master detected yet through ZooKeeper {}: {reason}",
                self.config.url
            ))),
        }
    }

    fn watch_leader(&self, listener: LeaderListener) {
        self.detection.listen(listener);
        self.ensure_started();
    }

    fn trusts_host(&self, host: &str) -> bool {
        self.detection.trusts(host)
    }
}

impl fmt::Debug for ZooKeeperMasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZooKeeperMasters")
            .field("url", &self.config.url)
            .field("scheme", &self.config.scheme)
            .field("host_choice", &self.config.host_choice)
            .field("session_timeout", &self.config.session_timeout)
            .finish()
    }
}

impl IntoMasters for ZooKeeperMasters {
    fn into_masters(self) -> Result<Masters, Error> {
        Ok(Masters::detector(self))
    }
}
