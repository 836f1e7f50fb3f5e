//! Host resolution for the call agent without a thread per request.
//!
//! ureq resolves the host of every request, also one that then goes out on
//! a pooled keep-alive connection, and when a timeout is configured (ours
//! always is) its default resolver does so on a freshly spawned thread so it
//! can give up in time. On loopback that thread was most of a call's cost.
//! This resolver answers an IP-literal host at once, and keeps a hostname's
//! addresses for a short while (a master's address rarely changes, and a
//! failed connection is retried through the detector anyway), asking ureq's
//! default resolver (thread and timeout included) only on a miss, from a
//! thread of its own, so that the client closing (its stop signal) ends the
//! wait at once: `close()` must not sit out a slow DNS server (the lookup
//! itself cannot be interrupted; its thread finishes on its own).

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a hostname's addresses are reused.
const TTL: Duration = Duration::from_secs(5);

/// See the module docs.
pub(crate) struct CachingResolver {
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
    /// Disconnects when the client closes.
    stop: Receiver<()>,
}

impl CachingResolver {
    pub(crate) fn new(stop: Receiver<()>) -> Self {
        CachingResolver {
            cache: Mutex::default(),
            stop,
        }
    }
}

/// Runs `lookup` on a thread of its own and waits for its answer, or for
/// `stop` to disconnect (then an I/O error of kind `Interrupted`).
fn unless_stopped<T: Send + 'static, E: From<io::Error> + Send + 'static>(
    stop: &Receiver<()>,
    lookup: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    thread::Builder::new()
        .name("mesos-resolve".into())
        .spawn(move || {
            let _ = tx.send(lookup());
        })?;
    select! {
        recv(rx) -> answer => answer.unwrap_or_else(|_| {
            Err(io::Error::other("the resolver thread ended without an answer").into())
        }),
        recv(stop) -> _ => Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "closed while resolving the master's name",
        )
        .into()),
    }
}

/// The address a host names itself, as an IP literal (`[::1]` too).
fn ip_literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The addresses of `host:port` for a connection made outside ureq (the
/// acknowledgement pipeline): an IP literal at once, a name looked up on a
/// thread of its own that `stop` (the client closing) stops waiting for.
pub(crate) fn socket_addrs(
    host: &str,
    port: u16,
    stop: &Receiver<()>,
) -> io::Result<Vec<SocketAddr>> {
    if let Some(ip) = ip_literal(host) {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let host = host.to_string();
    unless_stopped(stop, move || {
        (host.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect)
    })
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

fn port_of(uri: &Uri) -> Option<u16> {
    uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(host), Some(port)) = (uri.host(), port_of(uri)) else {
            return DefaultResolver::default().resolve(uri, config, timeout);
        };
        if let Some(ip) = ip_literal(host) {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, addrs)) = cache.get(&key) {
                if now.duration_since(*at) < TTL {
                    return Ok(addrs.clone());
                }
            }
        }
        let (uri_owned, config_owned) = (uri.clone(), config.clone());
        let addrs = unless_stopped(&self.stop, move || {
            DefaultResolver::default().resolve(&uri_owned, &config_owned, timeout)
        })?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_lookup_that_answers_is_waited_for() {
        let (_keep, stop) = crossbeam_channel::bounded::<()>(0);
        let answer = unless_stopped::<_, ureq::Error>(&stop, || {
            thread::sleep(Duration::from_millis(20));
            Ok(42)
        });
        assert_eq!(answer.ok(), Some(42));
    }

    #[test]
    fn an_ip_literal_is_answered_without_a_lookup() {
        let (closer, stop) = crossbeam_channel::bounded::<()>(0);
        drop(closer);
        let v4 = socket_addrs("127.0.0.1", 5050, &stop).unwrap();
        assert_eq!(v4, vec!["127.0.0.1:5050".parse::<SocketAddr>().unwrap()]);
        let v6 = socket_addrs("[::1]", 5050, &stop).unwrap();
        assert_eq!(v6, vec!["[::1]:5050".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn closing_ends_the_wait_for_a_slow_lookup() {
        let (closer, stop) = crossbeam_channel::bounded::<()>(0);
        let started = Instant::now();
        let closing = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            drop(closer);
        });
        let answer = unless_stopped::<_, ureq::Error>(&stop, || {
            thread::sleep(Duration::from_secs(5));
            Ok(0)
        });
        closing.join().unwrap();
        match answer {
            Err(ureq::Error::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::Interrupted),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}
