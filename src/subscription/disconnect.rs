//! Why a stream ended or a subscription attempt failed, on any stream
//! (scheduler, executor): the reasons the subscription loop retries on.

use std::fmt;
use std::time::Duration;

use crate::error::Error;

/// Why a stream ended or a subscription attempt failed (it will be
/// retried). Shared by the scheduler and the executor: every reason names
/// the peer it concerns — the master, or for an executor its agent — where
/// there is one ([`Disconnect::master`]; for `Failed`, the error names it).
#[derive(Debug)]
#[non_exhaustive]
pub enum Disconnect {
    /// The stream ended (the peer closed it) between two records.
    StreamEnded {
        /// The peer's URL (the master's; an executor's agent's).
        master: String,
    },
    /// The stream ended inside a record.
    StreamTruncated {
        /// The peer's URL (the master's; an executor's agent's).
        master: String,
        /// Where it was cut.
        detail: String,
    },
    /// No event (a heartbeat included) was decoded for the whole heartbeat
    /// budget (missed heartbeats × interval); the client dropped the stream.
    /// Bytes that do not make an event do not count.
    HeartbeatTimeout {
        /// The peer's URL (the master's; an executor's agent's).
        master: String,
        /// The silence that was tolerated.
        silence: Duration,
    },
    /// The stream's framing was corrupt (bad RecordIO header, record over the
    /// size limit), or too many records in a row could not be decoded as
    /// events (e.g. the stream is in another encoding than its
    /// `Content-Type` says).
    Protocol {
        /// The peer's URL (the master's; an executor's agent's).
        master: String,
        /// What was wrong.
        detail: String,
    },
    /// The network or a master failed (connection refused or reset, 503, a
    /// redirect loop, a timeout); the error names the master.
    Failed(Error),
    /// The master's TLS certificate failed verification ([`Error::Tls`]
    /// with [`Error::is_certificate_rejected`]). Retried a bounded number
    /// of times (see `SchedulerBuilder::max_certificate_failures`), then the
    /// subscription ends with [`Termination::CertificateRejected`](crate::Termination::CertificateRejected).
    CertificateRejected(Error),
    /// The master detector (ZooKeeper) reported a new leader, or none: the
    /// stream at the old one was dropped to re-subscribe at the new one.
    LeaderChanged {
        /// The master whose stream (or connection attempt) was dropped.
        master: Option<String>,
    },
}

impl Disconnect {
    /// The URL of the peer (master or agent) this is about, if any.
    pub fn master(&self) -> Option<&str> {
        match self {
            Disconnect::StreamEnded { master }
            | Disconnect::StreamTruncated { master, .. }
            | Disconnect::HeartbeatTimeout { master, .. }
            | Disconnect::Protocol { master, .. } => Some(master),
            Disconnect::Failed(err) | Disconnect::CertificateRejected(err) => err.master(),
            Disconnect::LeaderChanged { master } => master.as_deref(),
        }
    }
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disconnect::StreamEnded { master } => {
                write!(f, "{master} closed the event stream")
            }
            Disconnect::StreamTruncated { master, detail } => {
                write!(f, "the event stream from {master} was cut: {detail}")
            }
            Disconnect::HeartbeatTimeout { master, silence } => write!(
                f,
                "no heartbeat from {master} for {} ms",
                silence.as_millis()
            ),
            Disconnect::Protocol { master, detail } => {
                write!(f, "corrupt event stream from {master}: {detail}")
            }
            Disconnect::Failed(err) => err.fmt(f),
            Disconnect::CertificateRejected(err) => {
                write!(f, "certificate rejected: {err}")
            }
            Disconnect::LeaderChanged {
                master: Some(master),
            } => {
                write!(f, "the leading master changed (dropped {master})")
            }
            Disconnect::LeaderChanged { master: None } => f.write_str("the leading master changed"),
        }
    }
}
