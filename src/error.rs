//! The one error type of the client: every way a call, a subscription or the
//! configuration can fail, typed so that an application can decide what to do
//! (retry, give up, fix its input) without parsing text.

use std::fmt;
use std::io;

use crate::codec::DecodeError;

/// Why a call, a subscription attempt or the builder failed.
///
/// The enum is `#[non_exhaustive]`: new failure kinds may be added without a
/// breaking change, so keep a catch-all arm when matching.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No subscription is active (not yet subscribed, or between a dropped
    /// stream and the next SUBSCRIBED). Calls fail fast with this instead of
    /// queueing, because the master would refuse them without a stream id.
    NotSubscribed,
    /// The master answered with a status the call does not succeed on; `body`
    /// is the master's own text (e.g. `Framework is not subscribed`).
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
    /// No master could serve the request (HTTP 503: no leader elected, or
    /// the leader is still recovering).
    Unavailable {
        /// The master's explanation.
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
    /// The TLS handshake failed, e.g. the master's certificate is not signed
    /// by a trusted CA or does not name the host.
    Tls(String),
    /// A configured timeout expired (connect, or the per-call budget).
    Timeout(String),
    /// The network failed: connection refused, reset, TLS handshake failure,
    /// unexpected end of stream.
    Connection(String),
    /// A call could not be encoded.
    Encode(String),
    /// A response or event could not be decoded.
    Decode(DecodeError),
    /// The call failed local validation, with the text the master would have
    /// sent after `Failed to validate scheduler::Call: `.
    Invalid(String),
    /// The configuration given to the builder is unusable (bad master URL,
    /// unreadable CA certificate, unsupported scheme).
    Config(String),
    /// The scheduler was closed (by `close()`, by dropping every handle, or
    /// because the subscription ended for good).
    Closed,
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
                | Error::Timeout(_)
                | Error::Connection(_)
        )
    }

    /// Maps a transport error from ureq to the client's vocabulary.
    pub(crate) fn from_transport(err: ureq::Error) -> Self {
        match err {
            ureq::Error::Timeout(which) => Error::Timeout(format!("{which:?}")),
            ureq::Error::Io(io_err) => Error::from_io(io_err),
            ureq::Error::BadUri(uri) => Error::Config(format!("bad URI: {uri}")),
            ureq::Error::HostNotFound => Error::Connection("host not found".into()),
            ureq::Error::Tls(detail) => Error::Tls(detail.to_string()),
            ureq::Error::Rustls(err) => Error::Tls(err.to_string()),
            ureq::Error::Pem(err) => Error::Config(format!("bad PEM: {err}")),
            other => Error::Connection(other.to_string()),
        }
    }

    /// Maps an I/O error (possibly a wrapped ureq error, e.g. a read timeout).
    pub(crate) fn from_io(err: io::Error) -> Self {
        match ureq::Error::from(err) {
            ureq::Error::Io(io_err) if is_tls_failure(&io_err) => Error::Tls(io_err.to_string()),
            ureq::Error::Io(io_err) => Error::Connection(io_err.to_string()),
            other => Error::from_transport(other),
        }
    }
}

/// Whether an I/O error is a TLS handshake failure. rustls reports those as
/// `InvalidData` I/O errors wrapping its own error type, which this crate
/// does not link directly, so the error's wording is what identifies them.
fn is_tls_failure(err: &io::Error) -> bool {
    if err.kind() != io::ErrorKind::InvalidData {
        return false;
    }
    let text = err.to_string();
    [
        "certificate",
        "alert",
        "peer is incompatible",
        "peer misbehaved",
        "handshake",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotSubscribed => f.write_str("not subscribed to the master"),
            Error::Rejected { status, body } => {
                write!(f, "master rejected the request ({status}): {body}")
            }
            Error::Unauthorized { .. } => f.write_str("unauthorized (HTTP 401)"),
            Error::Unavailable { body } => write!(f, "master unavailable (HTTP 503): {body}"),
            Error::RedirectLoop { hops } => {
                write!(
                    f,
                    "redirect loop after {} hops: {}",
                    hops.len(),
                    hops.join(" -> ")
                )
            }
            Error::BadRedirect { detail } => write!(f, "unusable redirect: {detail}"),
            Error::Tls(detail) => write!(f, "TLS failed: {detail}"),
            Error::Timeout(which) => write!(f, "timed out ({which})"),
            Error::Connection(detail) => write!(f, "connection failed: {detail}"),
            Error::Encode(detail) => write!(f, "could not encode the call: {detail}"),
            Error::Decode(err) => write!(f, "could not decode: {err}"),
            Error::Invalid(detail) => {
                write!(f, "Failed to validate scheduler::Call: {detail}")
            }
            Error::Config(detail) => write!(f, "invalid configuration: {detail}"),
            Error::Closed => f.write_str("the scheduler is closed"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode(err) => Some(err),
            _ => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(err: DecodeError) -> Self {
        Error::Decode(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_uses_the_masters_prefix() {
        let err = Error::Invalid("Not a valid UUID".into());
        assert_eq!(
            err.to_string(),
            "Failed to validate scheduler::Call: Not a valid UUID"
        );
    }

    #[test]
    fn a_read_timeout_wrapped_in_io_is_recognised() {
        let io_err = ureq::Error::Timeout(ureq::Timeout::PerRead).into_io();
        assert!(matches!(Error::from_io(io_err), Error::Timeout(_)));
    }

    #[test]
    fn a_rejected_certificate_is_a_tls_error() {
        let io_err = io::Error::new(
            io::ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        assert!(matches!(Error::from_io(io_err), Error::Tls(_)));
        let io_err = io::Error::new(io::ErrorKind::InvalidData, "chunk size");
        assert!(matches!(Error::from_io(io_err), Error::Connection(_)));
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
