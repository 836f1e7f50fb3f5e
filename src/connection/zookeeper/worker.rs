//! The detector thread: keeps a ZooKeeper session, watches the masters'
//! group znode, and publishes the leader after every change. ZooKeeper
//! trouble never panics and never blocks the client: the session is rebuilt
//! with backoff while the last known leader stays in force.

use std::net::{TcpStream, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use zookeeper::{WatchedEvent, ZkError, ZkState, ZooKeeper};

use super::detection::{Detected, Detection};
use super::leader::{self, HostChoice};
use super::url::ZkUrl;
use crate::connection::{Backoff, Endpoint, Scheme};

/// Backoff between ZooKeeper sessions (and between failed reads in one).
const SESSION_BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(200),
    max: Duration::from_secs(10),
};

/// How long the reachability probe waits for each server address.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the detector needs to know, fixed before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub url: ZkUrl,
    pub scheme: Scheme,
    pub host_choice: HostChoice,
    pub session_timeout: Duration,
}

/// What the ZooKeeper client's threads tell the detector thread.
enum Signal {
    /// A watch fired: the group (or its parent znode) changed.
    Watch,
    /// The connection state changed.
    State(ZkState),
}

/// Why a session was given up.
enum SessionEnd {
    /// The client dropped the detector.
    Stop,
    /// The session is unusable; build a new one.
    Lost(String),
}

/// The thread body; returns once `stop` is disconnected.
pub fn run(config: Config, detection: Arc<Detection>, stop: Receiver<()>) {
    let mut attempt = 0u32;
    loop {
        let started = Instant::now();
        let reason = match Session::open(&config) {
            Ok(session) => match session.follow(&config, &detection, &stop) {
                SessionEnd::Stop => return,
                SessionEnd::Lost(reason) => reason,
            },
            Err(reason) => reason,
        };
        if started.elapsed() > config.session_timeout {
            attempt = 0;
        }
        log::warn!("ZooKeeper {}: {reason}", config.url);
        detection.publish_pending(&reason);
        let delay = SESSION_BACKOFF.delay(attempt);
        attempt = attempt.saturating_add(1);
        if !matches!(
            stop.recv_timeout(delay),
            Err(crossbeam_channel::RecvTimeoutError::Timeout)
        ) {
            return;
        }
    }
}

/// One ZooKeeper session and the channel its threads report on.
struct Session {
    zk: ZooKeeper,
    signals: Receiver<Signal>,
    sender: Sender<Signal>,
}

impl Session {
    fn open(config: &Config) -> Result<Self, String> {
        // zookeeper 0.8 retries an unreachable ensemble in a tight loop for a
        // whole session timeout: only start a client when a server answers.
        probe(&config.url.servers)?;
        let (sender, signals) = crossbeam_channel::unbounded();
        let connect_string = config.url.connect_string();
        // The client resolves the servers and opens the first socket on
        // this thread, with `unwrap`s inside: contain them.
        let connected = catch_unwind(AssertUnwindSafe(|| {
            ZooKeeper::connect(
                &connect_string,
                config.session_timeout,
                |_: WatchedEvent| {},
            )
        }));
        let zk = match connected {
            Ok(Ok(zk)) => zk,
            Ok(Err(err)) => return Err(format!("cannot connect: {err:?}")),
            Err(_) => return Err("the ZooKeeper client failed while connecting".into()),
        };
        let states = sender.clone();
        zk.add_listener(move |state| {
            let _ = states.send(Signal::State(state));
        });
        if let Some(digest) = &config.url.digest {
            zk.add_auth("digest", digest.as_bytes().to_vec())
                .map_err(|err| format!("authentication failed: {err:?}"))?;
        }
        Ok(Session {
            zk,
            signals,
            sender,
        })
    }

    /// Watches the group until the session is lost or the detector stops.
    fn follow(&self, config: &Config, detection: &Detection, stop: &Receiver<()>) -> SessionEnd {
        let mut reader = GroupReader {
            session: self,
            config,
            leader: None,
        };
        // A watch is registered on the group znode (children, or existence
        // while it is missing) and still pending.
        let mut armed = false;
        let mut detect = true;
        let mut failing_since: Option<Instant> = None;
        let mut failures = 0u32;
        let mut disconnected = false;
        loop {
            let mut wait = config.session_timeout;
            if detect {
                match reader.read(!armed) {
                    Ok(found) => {
                        armed = true;
                        failing_since = None;
                        failures = 0;
                        detection.publish(found);
                    }
                    Err(err) => {
                        armed = false;
                        let since = *failing_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > config.session_timeout {
                            return SessionEnd::Lost(format!(
                                "reading {} failed: {err}",
                                config.url.path
                            ));
                        }
                        log::debug!("reading the masters' group failed: {err}");
                        wait = SESSION_BACKOFF.delay(failures);
                        failures = failures.saturating_add(1);
                    }
                }
            }
            // By default re-read (without a new watch) every session timeout:
            // a safety net for a watch the client library lost.
            detect = true;
            select! {
                recv(stop) -> _ => return SessionEnd::Stop,
                recv(self.signals) -> signal => match signal {
                    Ok(Signal::Watch) => armed = false,
                    Ok(Signal::State(ZkState::Connected | ZkState::ConnectedReadOnly)) => {
                        // Watches do not survive a new connection.
                        if std::mem::take(&mut disconnected) {
                            armed = false;
                        }
                    }
                    Ok(Signal::State(ZkState::Closed)) => {
                        return SessionEnd::Lost("the session closed".into())
                    }
                    Ok(Signal::State(ZkState::AuthFailed)) => {
                        return SessionEnd::Lost("authentication failed".into())
                    }
                    Ok(Signal::State(other)) => {
                        log::info!("ZooKeeper {}: {other:?}", config.url);
                        disconnected = true;
                        detect = false;
                    }
                    Err(_) => return SessionEnd::Lost("the client's threads stopped".into()),
                },
                default(wait) => {}
            }
        }
    }
}

/// Succeeds when one of `servers` accepts a TCP connection.
fn probe(servers: &[String]) -> Result<(), String> {
    let mut last = String::from("no address");
    for server in servers {
        let addrs = match server.to_socket_addrs() {
            Ok(addrs) => addrs,
            Err(err) => {
                last = format!("{server}: {err}");
                continue;
            }
        };
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, PROBE_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(err) => last = format!("{server}: {err}"),
            }
        }
    }
    Err(format!("no ZooKeeper server reachable ({last})"))
}

/// One reading of the group.
enum Read {
    Done(Detected),
    /// Read again at once.
    Retry,
}

/// Reads the group and decodes the leader, caching the decoded leader by
/// znode name (a membership's data never changes).
struct GroupReader<'a> {
    session: &'a Session,
    config: &'a Config,
    leader: Option<(String, Endpoint)>,
}

impl GroupReader<'_> {
    /// The current leader, registering a watch on the group if `watch`.
    /// `Err` only for ZooKeeper failures (worth retrying).
    fn read(&mut self, watch: bool) -> Result<Detected, ZkError> {
        match self.read_once(watch)? {
            // The group znode appeared between the listing and the
            // existence watch: that watch would only see its deletion.
            Read::Retry => match self.read_once(watch)? {
                Read::Done(found) => Ok(found),
                Read::Retry => Err(ZkError::NoNode),
            },
            Read::Done(found) => Ok(found),
        }
    }

    fn read_once(&mut self, watch: bool) -> Result<Read, ZkError> {
        let zk = &self.session.zk;
        let path = &self.config.url.path;
        let children = if watch {
            let sender = self.session.sender.clone();
            zk.get_children_w(path, move |_: WatchedEvent| {
                let _ = sender.send(Signal::Watch);
            })
        } else {
            zk.get_children(path, false)
        };
        let children = match children {
            Ok(children) => children,
            Err(ZkError::NoNode) => {
                if watch {
                    // Hear about the znode's creation.
                    let sender = self.session.sender.clone();
                    let exists = zk.exists_w(path, move |_: WatchedEvent| {
                        let _ = sender.send(Signal::Watch);
                    })?;
                    if exists.is_some() {
                        return Ok(Read::Retry);
                    }
                }
                return Ok(Read::Done(Detected::NoLeader(format!(
                    "no master has registered in ZooKeeper: {} does not exist",
                    self.config.url
                ))));
            }
            Err(err) => return Err(err),
        };
        let Some(member) = leader::leader(&children) else {
            return Ok(Read::Done(Detected::NoLeader(format!(
                "no master is registered in ZooKeeper at {}",
                self.config.url
            ))));
        };
        if let Some((name, endpoint)) = &self.leader {
            if name == member.name {
                return Ok(Read::Done(Detected::Leader(endpoint.clone())));
            }
        }
        let data = match zk.get_data(&format!("{path}/{}", member.name), false) {
            Ok((data, _)) => data,
            // Gone between the listing and now: the watch brings the next.
            Err(ZkError::NoNode) => {
                return Ok(Read::Done(Detected::NoLeader(format!(
                    "the leading master's znode {} vanished",
                    member.name
                ))))
            }
            Err(err) => return Err(err),
        };
        let endpoint = leader::decode(&member, &data)
            .and_then(|info| leader::endpoint(&info, self.config.scheme, self.config.host_choice));
        Ok(Read::Done(match endpoint {
            Ok(endpoint) => {
                self.leader = Some((member.name.to_string(), endpoint.clone()));
                Detected::Leader(endpoint)
            }
            Err(reason) => {
                log::warn!("ZooKeeper {}: {reason}", self.config.url);
                Detected::NoLeader(reason)
            }
        }))
    }
}
