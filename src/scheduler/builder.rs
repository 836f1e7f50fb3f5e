//! Configuration of a [`Scheduler`]: where the masters are, which framework
//! to subscribe, and every knob of the connection, with the defaults the
//! Mesos docs recommend.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::events::Events;
use super::handle::Scheduler;
use super::stream::SchedulerStream;
use crate::codec::Encoding;
use crate::connection::{
    Backoff, Credentials, HttpSettings, Masters, Session, Shared, StreamOptions, TlsOptions,
};
use crate::error::Error;
use crate::recordio::DEFAULT_MAX_RECORD_SIZE;
use crate::subscription::Subscription;
use crate::v1;
use crate::v1::scheduler::OfferConstraints;

/// Builds a [`Scheduler`]; start with [`Scheduler::builder`].
pub struct SchedulerBuilder {
    masters: Result<Masters, Error>,
    framework: v1::FrameworkInfo,
    suppressed_roles: Vec<String>,
    offer_constraints: Option<OfferConstraints>,
    encoding: Encoding,
    event_capacity: usize,
    missed_heartbeats: u32,
    heartbeat_interval: Duration,
    backoff: Backoff,
    connect_timeout: Duration,
    call_timeout: Duration,
    max_redirects: usize,
    max_record_size: usize,
    credentials: Option<Result<Credentials, Error>>,
    credentials_follow_redirects: bool,
    tls: TlsOptions,
    proxy: Option<String>,
    auto_acknowledge: bool,
    subscription_wait: Duration,
    max_attempts: Option<u32>,
    give_up_after: Option<Duration>,
    max_certificate_failures: u32,
}

impl fmt::Debug for SchedulerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulerBuilder")
            .field("masters", &self.masters)
            .field("framework", &self.framework.name)
            .field("encoding", &self.encoding)
            .field("credentials", &self.credentials)
            .field("auto_acknowledge", &self.auto_acknowledge)
            .finish_non_exhaustive()
    }
}

impl SchedulerBuilder {
    pub(crate) fn new(masters: Result<Masters, Error>) -> Self {
        SchedulerBuilder {
            masters,
            framework: v1::FrameworkInfo::default(),
            suppressed_roles: Vec::new(),
            offer_constraints: None,
            encoding: Encoding::default(),
            event_capacity: 1024,
            missed_heartbeats: 5,
            heartbeat_interval: Duration::from_secs(15),
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(10),
            call_timeout: Duration::from_secs(75),
            max_redirects: 5,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            credentials: None,
            credentials_follow_redirects: false,
            tls: TlsOptions::default(),
            proxy: None,
            auto_acknowledge: false,
            subscription_wait: Duration::ZERO,
            max_attempts: None,
            give_up_after: None,
            max_certificate_failures: 3,
        }
    }

    /// The framework to subscribe. Set `id` to fail over an existing
    /// framework; set `failover_timeout` so that a dropped stream does not
    /// remove the framework at once (its default is 0).
    pub fn framework(mut self, info: v1::FrameworkInfo) -> Self {
        self.framework = info;
        self
    }

    /// Roles to subscribe as suppressed (no offers until REVIVE).
    pub fn suppressed_roles<R: Into<String>>(mut self, roles: impl IntoIterator<Item = R>) -> Self {
        self.suppressed_roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// Offer constraints sent with SUBSCRIBE.
    pub fn offer_constraints(mut self, constraints: OfferConstraints) -> Self {
        self.offer_constraints = Some(constraints);
        self
    }

    /// Body and stream encoding (default [`Encoding::default`], protobuf:
    /// smaller and faster).
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Capacity of the event channel (default 1024). When it is full the
    /// reader waits and TCP pushes back on the master: nothing is dropped.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// How many heartbeat intervals of silence mean a dead stream (default 5,
    /// as the Mesos proto suggests).
    pub fn missed_heartbeats(mut self, count: u32) -> Self {
        self.missed_heartbeats = count.max(1);
        self
    }

    /// The heartbeat interval assumed until SUBSCRIBED announces the real one
    /// (default 15 s, the master's fixed value).
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat_interval = interval;
        self
    }

    /// Backoff between subscription attempts (default 0.5 s doubling to 15 s).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = Backoff {
            initial,
            max: max.max(initial),
        };
        self
    }

    /// TCP (and TLS) connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Budget for each step of a call (default 75 s, the docs'
    /// suggestion): sending it, waiting for the answer, reading the answer
    /// each get this much (connecting has `connect_timeout`). There is no
    /// whole-call budget: with one, ureq starts a thread per request to
    /// bound the host lookup, which more than doubled a call's cost. Also
    /// bounds waiting for SUBSCRIBE's response headers; the event stream
    /// itself has no timeout but the heartbeat watchdog.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// How many 307 redirects one request may follow (default 5).
    pub fn max_redirects(mut self, hops: usize) -> Self {
        self.max_redirects = hops;
        self
    }

    /// Largest event record accepted (default 64 MiB); a larger one drops
    /// the stream before any memory is set aside for it.
    pub fn max_record_size(mut self, bytes: usize) -> Self {
        self.max_record_size = bytes;
        self
    }

    /// HTTP Basic credentials, sent to the configured masters' hosts only
    /// (see [`SchedulerBuilder::credentials_follow_redirects`]).
    pub fn credentials(mut self, principal: impl Into<String>, secret: impl AsRef<str>) -> Self {
        self.credentials = Some(Credentials::new(principal, secret));
        self
    }

    /// Also send the credentials to hosts that only a redirect named (off by
    /// default: a redirect must not be able to harvest them).
    pub fn credentials_follow_redirects(mut self, allow: bool) -> Self {
        self.credentials_follow_redirects = allow;
        self
    }

    /// Trust this CA (PEM, one or more certificates) for HTTPS. It
    /// *replaces* the built-in Mozilla roots (webpki-roots): once any CA is
    /// given, only the given CAs are trusted. May be called several times to
    /// trust several.
    pub fn ca_pem(mut self, pem: &[u8]) -> Self {
        self.tls.add_ca_pem(pem);
        self
    }

    /// [`SchedulerBuilder::ca_pem`] from a file.
    pub fn ca_pem_file(mut self, path: impl AsRef<Path>) -> Self {
        self.tls.add_ca_pem_file(path.as_ref());
        self
    }

    /// Present this client certificate to the masters (mutual TLS, for a
    /// master or proxy that asks for one): `chain_pem` holds the
    /// certificate (then any intermediates), `key_pem` its private key
    /// (PKCS#8, PKCS#1 or SEC1). Errors show at [`SchedulerBuilder::connect`].
    pub fn client_certificate_pem(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Self {
        self.tls.set_client_pem(chain_pem, key_pem);
        self
    }

    /// [`SchedulerBuilder::client_certificate_pem`] from files.
    pub fn client_certificate_pem_files(
        mut self,
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Self {
        self.tls.set_client_pem_files(chain.as_ref(), key.as_ref());
        self
    }

    /// Use this HTTP proxy (by default none, whatever the environment says).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Acknowledge status updates automatically when the application drops
    /// the delivered [`Received`](super::Received) value (off by default).
    pub fn auto_acknowledge(mut self, on: bool) -> Self {
        self.auto_acknowledge = on;
        self
    }

    /// Lets calls made while the client is (re)subscribing wait up to
    /// `wait` for the subscription and then go out, instead of failing at
    /// once with [`Error::NotSubscribed`] (default: no wait). This covers the
    /// gap after a dropped stream, including a call the master answers with
    /// `403 Framework is not subscribed` because it saw the drop first: the
    /// call is sent again on the new stream. A call still fails with
    /// `NotSubscribed` when the wait runs out, and with [`Error::Closed`] as
    /// soon as the client closes. `teardown()` always waits at least the call
    /// timeout. See also [`Scheduler::wait_subscribed`].
    pub fn subscription_wait(mut self, wait: Duration) -> Self {
        self.subscription_wait = wait;
        self
    }

    /// Ends the subscription with [`Termination::GaveUp`](super::Termination)
    /// (naming every master tried) once subscription attempts have failed
    /// for `limit` without one succeeding. The clock starts at the first
    /// failure after a healthy subscription. Default: retry for ever.
    pub fn give_up_after(mut self, limit: Duration) -> Self {
        self.give_up_after = Some(limit);
        self
    }

    /// Ends the subscription with [`Termination::GaveUp`](super::Termination)
    /// after `attempts` consecutive failed subscription attempts (each tries
    /// every known master once). Default: retry for ever.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// How many consecutive attempts may fail because the master's TLS
    /// certificate did not verify ([`Disconnect::CertificateRejected`](crate::Disconnect::CertificateRejected))
    /// before the subscription ends with
    /// [`Termination::CertificateRejected`](super::Termination) (default 3;
    /// a certificate that is wrong now is rarely right a second later, but a
    /// master being re-provisioned may briefly serve an old one).
    pub fn max_certificate_failures(mut self, attempts: u32) -> Self {
        self.max_certificate_failures = attempts.max(1);
        self
    }

    /// Checks the configuration and starts the reader thread. Returns at once:
    /// the subscription proceeds in the background and its progress arrives on
    /// the event channel ([`ConnectionState::Subscribed`](super::ConnectionState)
    /// first, then SUBSCRIBED). Calls fail with [`Error::NotSubscribed`]
    /// until then.
    pub fn connect(self) -> Result<(Scheduler, Events), Error> {
        let masters = self.masters?;
        if self.framework.user.is_empty() || self.framework.name.is_empty() {
            return Err(Error::config(
                "FrameworkInfo needs `user` and `name` (both required by Mesos)".into(),
            ));
        }
        let credentials = self.credentials.transpose()?;
        let tls = self.tls.build()?;
        let proxy = match self.proxy {
            Some(url) => {
                let proxy = ureq::Proxy::new(&url)
                    .map_err(|e| Error::config_with("bad proxy".into(), e))?;
                // The client's connector chain has no SOCKS step (ureq's
                // feature is off): refused here rather than ignored.
                if !matches!(
                    proxy.protocol(),
                    ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
                ) {
                    return Err(Error::config(format!(
                        "SOCKS proxies are not supported: {url}"
                    )));
                }
                Some(proxy)
            }
            None => None,
        };
        let settings = HttpSettings {
            encoding: self.encoding,
            connect_timeout: self.connect_timeout,
            call_timeout: self.call_timeout,
            tls,
            proxy,
            credentials,
            masters: masters.clone(),
            credentials_follow_redirects: self.credentials_follow_redirects,
            max_redirects: self.max_redirects,
        };
        let options = StreamOptions {
            missed_heartbeats: self.missed_heartbeats,
            heartbeat_interval: self.heartbeat_interval,
            backoff: self.backoff,
            max_record_size: self.max_record_size,
            auto_acknowledge: self.auto_acknowledge,
            subscription_wait: self.subscription_wait,
            max_attempts: self.max_attempts,
            give_up_after: self.give_up_after,
            max_certificate_failures: self.max_certificate_failures,
        };
        let session = Session::new(
            self.framework,
            self.suppressed_roles,
            self.offer_constraints,
        );
        let shared = Arc::new(Shared::new(settings, session, masters, options));
        // A detector that follows an election drops the stream at a deposed
        // leader. Weak: the detector must not keep a closed client alive.
        let weak = Arc::downgrade(&shared);
        shared
            .masters
            .0
            .watch_leader(Box::new(move || match weak.upgrade() {
                Some(shared) => {
                    if !streams_from_the_leader(&shared) {
                        shared.control.leader_changed();
                    }
                    !shared.control.is_closed()
                }
                None => false,
            }));

        let (tx, rx) = crossbeam_channel::bounded(self.event_capacity);
        let watchdog = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("mesos-watchdog".into())
                .spawn(move || shared.control.watchdog())
                .map_err(|e| Error::config(format!("cannot start the watchdog thread: {e}")))?
        };
        let reader = Subscription::new(SchedulerStream::new(shared.clone()), tx);
        let reader = match thread::Builder::new()
            .name("mesos-reader".into())
            .spawn(move || reader.run())
        {
            Ok(handle) => handle,
            Err(e) => {
                shared.control.reader_finished();
                return Err(Error::config(format!(
                    "cannot start the reader thread: {e}"
                )));
            }
        };
        let scheduler = Scheduler::start(shared, vec![reader, watchdog]);
        Ok((scheduler, Events::new(rx)))
    }
}

/// Whether the open stream already comes from the master the detector now
/// names. A detector makes its new view visible before it calls listeners,
/// so the reader may have subscribed at the new leader in between; dropping
/// that stream would only cost a needless reconnection.
fn streams_from_the_leader(shared: &Shared) -> bool {
    let Ok(leaders) = shared.masters.0.candidates() else {
        return false;
    };
    let session = shared.session.lock();
    match (&session.active, leaders.first()) {
        (Some(active), Some(leader)) => {
            active.endpoint.authority() == leader.authority()
                && active.endpoint.scheme() == leader.scheme()
        }
        _ => false,
    }
}
