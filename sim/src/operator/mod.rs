//! `POST /api/v1`: the Operator HTTP API of the simulated master and of its
//! local agents, answering the read-only calls from the cluster's state.
//!
//! The checks run in the real master's order (captured on Mesos 1.12):
//! method (405), `Content-Type` present (400) and JSON or protobuf (415), the
//! body decodes (400), the call validates (400, `Failed to validate
//! master::Call: ...`), then `Accept` allows JSON or protobuf (406; JSON when
//! both or none are named). A valid call the simulation does not carry out
//! is answered `501 Not Implemented` with a body naming the call. The
//! master's SUBSCRIBE opens its event stream (`stream`).

mod agent;
mod master;
mod state;
mod stream;
mod validate;

use std::io::{self, Write};
use std::time::SystemTime;

use mesos_http::codec::{Encoding, Message};

use super::cluster::Shared;
use super::endpoint::{decode_post, negotiate_accept, Outcome};
use super::http::date::http_date;
use super::http::response::{reason, write_now};
use super::http::{Request, Response};
use super::server::Site;

/// A finished operator answer: plain text (errors) or an encoded `Response`.
#[derive(Debug)]
pub enum Reply {
    /// An error or empty answer, written as the scheduler endpoint writes them.
    Text(Response),
    /// `200 OK` with a `Response` in the negotiated encoding.
    Body {
        /// `Content-Type` of the body.
        encoding: Encoding,
        /// The encoded `Response`.
        bytes: Vec<u8>,
    },
    /// The master's event stream (SUBSCRIBE), in this encoding.
    Stream(Encoding),
}

impl Reply {
    fn text(code: u16, body: impl Into<String>) -> Reply {
        Reply::Text(Response::text(code, body))
    }

    fn encoded<M: Message>(encoding: Encoding, response: &M) -> Reply {
        Reply::Body {
            encoding,
            bytes: encoding.encode(response),
        }
    }

    /// Writes this answer to `conn`; `Ok(false)` when the connection must
    /// close after it (an event stream ended).
    pub fn write_to<W: Write + ?Sized>(
        &self,
        shared: &Shared,
        conn: &mut W,
        connection_close: bool,
    ) -> io::Result<bool> {
        match self {
            Reply::Stream(encoding) => {
                stream::run(shared, conn, *encoding, connection_close)?;
                Ok(false)
            }
            _ => {
                write_now(conn, &self.to_bytes(connection_close))?;
                Ok(true)
            }
        }
    }

    /// The exact bytes of this answer: `Date`, `Content-Type`,
    /// `Content-Length` in the master's order (a stream has no fixed bytes:
    /// empty).
    fn to_bytes(&self, connection_close: bool) -> Vec<u8> {
        match self {
            Reply::Stream(_) => Vec::new(),
            Reply::Text(response) => response.to_bytes(connection_close),
            Reply::Body { encoding, bytes } => {
                let close = if connection_close {
                    "Connection: close\r\n"
                } else {
                    ""
                };
                let mut out = format!(
                    "HTTP/1.1 200 {}\r\nDate: {}\r\n{close}Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
                    reason(200),
                    http_date(SystemTime::now()),
                    encoding.content_type(),
                    bytes.len()
                )
                .into_bytes();
                out.extend_from_slice(bytes);
                out
            }
        }
    }
}

/// Whether `path` is the operator endpoint of the master (`/api/v1`,
/// `/master/api/v1`, with or without a trailing slash).
fn is_master_path(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/api/v1" | "/master/api/v1")
}

/// Whether `path` is the operator endpoint of an agent (`/api/v1`,
/// `/slave(1)/api/v1`, with or without a trailing slash).
fn is_agent_path(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/api/v1" | "/slave(1)/api/v1")
}

/// The operator answer to `request` at `site`, or `None` when the request is
/// for another endpoint.
pub fn route(shared: &Shared, site: &Site, request: &Request) -> Option<Reply> {
    match site {
        Site::Master(index) if is_master_path(request.path()) => {
            Some(master::handle(shared, *index, request))
        }
        Site::Agent(id) if is_agent_path(request.path()) => {
            Some(agent::handle(shared, id, request))
        }
        _ => None,
    }
}

/// Checks shared by master and agent up to decoding: method, content type,
/// body. The error answers are the scheduler endpoint's, which the operator
/// endpoint shares with the real master.
fn decode<M: Message>(request: &Request) -> Result<M, Reply> {
    decode_post(request)
        .map(|(_, call)| call)
        .map_err(into_reply)
}

/// The encoding `Accept` allows, or the 406 answer.
fn accept(request: &Request) -> Result<Encoding, Reply> {
    negotiate_accept(request).map_err(into_reply)
}

fn into_reply(outcome: Outcome) -> Reply {
    match outcome {
        Outcome::Respond(response) => Reply::Text(response),
        // The pre-dispatch checks only ever answer.
        Outcome::Stream { .. } => Reply::text(500, "unexpected stream"),
    }
}

/// The answer to a valid call the simulation does not carry out.
fn not_implemented(kind: &str) -> Reply {
    Reply::text(
        501,
        format!("The simulated master does not implement the operator call {kind}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_paths() {
        assert!(is_master_path("/api/v1"));
        assert!(is_master_path("/api/v1/"));
        assert!(is_master_path("/master/api/v1"));
        assert!(!is_master_path("/api/v1/scheduler"));
        assert!(is_agent_path("/slave(1)/api/v1"));
        assert!(!is_agent_path("/slave(1)/api/v1/executor"));
    }
}
