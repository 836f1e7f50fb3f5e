//! The one error type of the client: every way a call, a subscription or the
//! configuration can fail, typed so that an application can decide what to do
//! (retry, give up, fix its input) without parsing text. Network failures
//! name the master they were for and keep their cause (`source()`): the
//! `std::io::Error` or the rustls error where there is one. No public type
//! of the HTTP library shows through, so its major version is not part of
//! this crate's API.

use std::fmt;
use std::io;

use crate::validation::{ExecutorValidationError, ValidationError, EXECUTOR_BODY_PREFIX};

/// Why a call, a subscription attempt or the builder failed.
///
/// The enum is `#[non_exhaustive]`: new failure kinds may be added without a
/// breaking change, so keep a catch-all arm when matching.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No subscription is active (not yet subscribed, or between a dropped
    /// stream and the next SUBSCRIBED, including the master's own `403
    /// Framework is not subscribed` in that window). Transient.
    NotSubscribed,
    /// The master answered with a status the call does not succeed on; `body`
    /// is the master's own text.
    Rejected {
        /// The HTTP status code.
        status: u16,
        /// The response body as text (lossy UTF-8, capped).
        body: String,
    },
    /// The master requires HTTP authentication and the credentials were
    /// missing or refused (HTTP 401).
    Unauthorized {
        /// The `WWW-Authenticate` challenge, if the master sent one.
        challenge: Option<String>,
    },
    /// No master could serve the request: HTTP 503 (no leader elected, or
    /// the leader is still recovering), a master that redirects to itself
    /// while it has no leader, or a detector that knows no leader yet.
    /// Transient.
    Unavailable {
        /// The master's (or the detector's) explanation.
        body: String,
    },
    /// Redirects (HTTP 307) went round in a circle or exceeded the hop limit.
    RedirectLoop {
        /// The locations visited, in order.
        hops: Vec<String>,
    },
    /// A redirect could not be followed (missing or unusable `Location`, or a
    /// downgrade from HTTPS to HTTP).
    BadRedirect {
        /// What was wrong with it.
        detail: String,
    },
    /// The TLS handshake with `master` failed. [`Error::is_certificate_rejected`]
    /// tells a certificate that failed verification from other TLS trouble.
    Tls {
        /// The master's URL.
        master: String,
        /// The cause: the `rustls::Error` when the TLS library reported one
        /// (downcast it), otherwise the transport's own error.
        source: BoxError,
    },
    /// A configured timeout expired while talking to `master`.
    Timeout {
        /// The master's URL.
        master: String,
        /// Which step of the exchange ran out of time.
        phase: TimeoutPhase,
    },
    /// The network failed while talking to `master`: host not found,
    /// connection refused or reset, unexpected end of a response.
    Connection {
        /// The master's URL.
        master: String,
        /// The cause: the `std::io::Error` when there is one (downcast it),
        /// otherwise the transport's own error.
        source: BoxError,
    },
    /// Nothing answers at this URL (HTTP 404): the path is wrong, e.g. a
    /// prefix the master is not published under. Not transient.
    NotFound {
        /// The URL that was posted to.
        url: String,
        /// The response body as text (lossy UTF-8, capped).
        body: String,
    },
    /// Finding the masters failed (e.g. ZooKeeper unreachable). Transient:
    /// the detector keeps trying.
    Detection {
        /// What went wrong, naming the ZooKeeper servers or path.
        detail: String,
    },
    /// A master answered in a way the protocol does not allow (e.g. a
    /// subscription stream without a `Mesos-Stream-Id` header).
    BadResponse {
        /// The master's URL.
        master: String,
        /// What was wrong.
        detail: String,
    },
    /// The call failed local validation: the master would refuse it with
    /// `400`, or the client itself does not send it.
    Invalid(InvalidCall),
    /// The configuration given to the builder is unusable (bad master URL,
    /// unreadable CA certificate, unsupported scheme).
    Config(ConfigError),
    /// The client — scheduler or executor — was closed (by `close()`, by
    /// dropping every handle or its `Events`, because the subscription
    /// ended for good, or because a scheduler's `teardown()` was accepted).
    Closed,
}

/// The cause of a network failure, kept behind [`std::error::Error::source`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What is wrong with a configuration: a sentence for people, and the
/// underlying error (a PEM parse error, an I/O error reading a file) behind
/// [`std::error::Error::source`] when there is one.
#[derive(Debug)]
pub struct ConfigError {
    detail: String,
    source: Option<BoxError>,
}

impl ConfigError {
    /// What is wrong, in words (without the source's own text).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.detail),
            None => f.write_str(&self.detail),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The step of an HTTP exchange that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Resolving the master's host name.
    Resolve,
    /// Connecting (TCP and TLS), bounded by the connect timeout.
    Connect,
    /// Sending the request headers.
    SendRequest,
    /// Sending the request body.
    SendBody,
    /// Waiting for the response headers.
    ReceiveResponse,
    /// Reading the response body.
    ReceiveBody,
    /// The whole call, bounded by the call timeout.
    Call,
}

impl TimeoutPhase {
    fn from_ureq(timeout: ureq::Timeout) -> Self {
        match timeout {
            ureq::Timeout::Resolve => TimeoutPhase::Resolve,
            ureq::Timeout::Connect => TimeoutPhase::Connect,
            ureq::Timeout::SendRequest | ureq::Timeout::PerWrite => TimeoutPhase::SendRequest,
            ureq::Timeout::SendBody => TimeoutPhase::SendBody,
            ureq::Timeout::RecvResponse => TimeoutPhase::ReceiveResponse,
            ureq::Timeout::RecvBody | ureq::Timeout::PerRead => TimeoutPhase::ReceiveBody,
            _ => TimeoutPhase::Call,
        }
    }
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Resolve => "resolving the host name",
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::SendRequest => "sending the request",
            TimeoutPhase::SendBody => "sending the request body",
            TimeoutPhase::ReceiveResponse => "waiting for the response",
            TimeoutPhase::ReceiveBody => "reading the response body",
            TimeoutPhase::Call => "the call as a whole",
        })
    }
}

/// Why a call was refused before it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidCall {
    /// The master's scheduler-call validation (`400 Failed to validate
    /// scheduler::Call: ...`).
    Scheduler(ValidationError),
    /// The agent's executor-call validation.
    Executor(ExecutorValidationError),
    /// A call the client does not send as asked (e.g. SUBSCRIBE through
    /// `call()`, an acknowledgement without the ids it needs).
    Client(&'static str),
}

impl fmt::Display for InvalidCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidCall::Scheduler(err) => f.write_str(&err.body()),
            InvalidCall::Executor(err) => write!(f, "{EXECUTOR_BODY_PREFIX}{err}"),
            InvalidCall::Client(text) => f.write_str(text),
        }
    }
}

impl From<ValidationError> for Error {
    fn from(err: ValidationError) -> Self {
        Error::Invalid(InvalidCall::Scheduler(err))
    }
}

impl From<ExecutorValidationError> for Error {
    fn from(err: ExecutorValidationError) -> Self {
        Error::Invalid(InvalidCall::Executor(err))
    }
}

impl Error {
    /// Whether retrying the same request later may succeed (network trouble,
    /// no leader, not subscribed yet) as opposed to a request the master will
    /// keep refusing.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::NotSubscribed
                | Error::Unavailable { .. }
                | Error::Timeout { .. }
                | Error::Connection { .. }
                | Error::Detection { .. }
        )
    }

    /// Whether this is a TLS failure because the master's certificate did
    /// not verify (unknown issuer, expired, wrong name, ...): retrying will
    /// not help until the configuration or the certificate changes.
    pub fn is_certificate_rejected(&self) -> bool {
        match self {
            Error::Tls { source, .. } => matches!(
                source.downcast_ref::<rustls::Error>(),
                Some(rustls::Error::InvalidCertificate(_))
                    | Some(rustls::Error::NoCertificatesPresented)
            ),
            _ => false,
        }
    }

    /// The URL of the master a network failure was for, if it names one.
    pub fn master(&self) -> Option<&str> {
        match self {
            Error::Tls { master, .. }
            | Error::Timeout { master, .. }
            | Error::Connection { master, .. }
            | Error::BadResponse { master, .. } => Some(master),
            Error::NotFound { url, .. } => Some(url),
            _ => None,
        }
    }

    /// A configuration error described by `detail`.
    pub(crate) fn config(detail: String) -> Self {
        Error::Config(ConfigError {
            detail,
            source: None,
        })
    }

    /// A configuration error described by `detail`, caused by `source`.
    pub(crate) fn config_with(
        detail: String,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Config(ConfigError {
            detail,
            source: Some(Box::new(source)),
        })
    }

    /// Maps a transport error from ureq, for a request to `master`.
    pub(crate) fn from_transport(err: ureq::Error, master: &str) -> Self {
        let master = master.to_string();
        match err {
            ureq::Error::Timeout(which) => Error::Timeout {
                master,
                phase: TimeoutPhase::from_ureq(which),
            },
            ureq::Error::BadUri(uri) => Error::config(format!("bad URI: {uri}")),
            ureq::Error::Pem(err) => Error::config_with("bad PEM".into(), err),
            ureq::Error::Io(io_err) => Error::from_io(io_err, &master),
            ureq::Error::Rustls(err) => Error::Tls {
                master,
                source: Box::new(err),
            },
            source @ ureq::Error::Tls(_) => Error::Tls {
                master,
                source: Box::new(source),
            },
            source => Error::Connection {
                master,
                source: Box::new(source),
            },
        }
    }

    /// Maps an I/O error (possibly a wrapped ureq error, e.g. a read
    /// timeout, or a rustls error) on a request to `master`. A rustls error
    /// is found by its type, never by wording.
    pub(crate) fn from_io(err: io::Error, master: &str) -> Self {
        let io_err = match ureq::Error::from(err) {
            ureq::Error::Io(io_err) => io_err,
            other => return Error::from_transport(other, master),
        };
        let master = master.to_string();
        if io_err
            .get_ref()
            .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            let kind = io_err.kind();
            let source = io_err
                .into_inner()
                .unwrap_or_else(|| Box::new(io::Error::from(kind)));
            return Error::Tls { master, source };
        }
        Error::Connection {
            master,
            source: Box::new(io_err),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotSubscribed => {
                f.write_str("not subscribed (no stream open to the master or agent)")
            }
            Error::Rejected { status, body } => {
                write!(f, "request rejected ({status}): {body}")
            }
            Error::Unauthorized { .. } => f.write_str("unauthorized (HTTP 401)"),
            Error::Unavailable { body } => write!(f, "unavailable: {body}"),
            Error::RedirectLoop { hops } => {
                write!(
                    f,
                    "redirect loop after {} hops: {}",
                    hops.len(),
                    hops.join(" -> ")
                )
            }
            Error::BadRedirect { detail } => write!(f, "unusable redirect: {detail}"),
            Error::Tls { master, source } => write!(f, "TLS with {master} failed: {source}"),
            Error::Timeout { master, phase } => {
                write!(f, "timed out talking to {master} ({phase})")
            }
            Error::Connection { master, source } => {
                write!(f, "connection to {master} failed: {source}")
            }
            Error::Detection { detail } => write!(f, "master detection failed: {detail}"),
            Error::BadResponse { master, detail } => {
                write!(f, "unexpected answer from {master}: {detail}")
            }
            Error::Invalid(invalid) => invalid.fmt(f),
            Error::NotFound { url, body } => {
                write!(f, "nothing answers at {url} (404): check the path")?;
                if body.is_empty() {
                    Ok(())
                } else {
                    write!(f, " ({body})")
                }
            }
            Error::Config(detail) => write!(f, "invalid configuration: {detail}"),
            Error::Closed => f.write_str("the client is closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tls { source, .. } | Error::Connection { source, .. } => {
                Some(source.as_ref() as &(dyn std::error::Error + 'static))
            }
            Error::Config(config) => Some(config),
            Error::Invalid(InvalidCall::Scheduler(err)) => Some(err),
            Error::Invalid(InvalidCall::Executor(err)) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    const MASTER: &str = "http://m:5050/api/v1/scheduler";

    #[test]
    fn invalid_uses_the_masters_prefix_and_keeps_the_typed_error() {
        let err = Error::from(ValidationError::InvalidUuid);
        assert_eq!(
            err.to_string(),
            "Failed to validate scheduler::Call: Not a valid UUID"
        );
        let source = err.source().expect("the validation error is the source");
        assert_eq!(
            source.downcast_ref::<ValidationError>(),
            Some(&ValidationError::InvalidUuid)
        );
    }

    #[test]
    fn a_read_timeout_wrapped_in_io_keeps_its_phase_and_master() {
        let io_err = ureq::Error::Timeout(ureq::Timeout::PerRead).into_io();
        match Error::from_io(io_err, MASTER) {
            Error::Timeout { master, phase } => {
                assert_eq!(master, MASTER);
                assert_eq!(phase, TimeoutPhase::ReceiveBody);
            }
            other => panic!("{other:?}"),
        }
        let err = Error::from_transport(ureq::Error::Timeout(ureq::Timeout::Connect), MASTER);
        assert!(matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ));
        assert!(err.to_string().contains(MASTER), "{err}");
    }

    #[test]
    fn a_rejected_certificate_is_found_by_type_not_by_wording() {
        let rustls_err = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io_err = io::Error::new(io::ErrorKind::InvalidData, rustls_err);
        let err = Error::from_io(io_err, MASTER);
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        assert!(err.is_certificate_rejected());
        assert!(!err.is_transient());
        // The same words in a plain I/O error are not a TLS failure.
        let io_err = io::Error::new(
            io::ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        let err = Error::from_io(io_err, MASTER);
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(!err.is_certificate_rejected());
    }

    #[test]
    fn a_connection_error_keeps_the_io_error_as_its_cause() {
        let io_err = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::from_io(io_err, MASTER);
        assert_eq!(err.master(), Some(MASTER));
        let io_err = err
            .source()
            .and_then(|e| e.downcast_ref::<io::Error>())
            .expect("the io::Error is the source");
        assert_eq!(io_err.kind(), io::ErrorKind::ConnectionRefused);
        assert!(err.is_transient());
    }

    #[test]
    fn a_configuration_error_keeps_its_source() {
        let io_err = io::Error::new(io::ErrorKind::PermissionDenied, "denied");
        let err = Error::config_with("cannot read CA file /x".into(), io_err);
        assert_eq!(
            err.to_string(),
            "invalid configuration: cannot read CA file /x: denied"
        );
        let Error::Config(config) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(config.detail(), "cannot read CA file /x");
        let source = err
            .source()
            .and_then(|config| config.source())
            .and_then(|e| e.downcast_ref::<io::Error>())
            .expect("the io::Error under the ConfigError");
        assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn not_found_names_the_url() {
        let err = Error::NotFound {
            url: MASTER.into(),
            body: String::new(),
        };
        assert!(err.to_string().contains(MASTER), "{err}");
        assert!(err.to_string().contains("404"), "{err}");
        assert_eq!(err.master(), Some(MASTER));
        assert!(!err.is_transient());
    }

    #[test]
    fn transient_classification() {
        assert!(Error::NotSubscribed.is_transient());
        assert!(!Error::Closed.is_transient());
        assert!(!Error::Rejected {
            status: 400,
            body: String::new()
        }
        .is_transient());
    }
}
