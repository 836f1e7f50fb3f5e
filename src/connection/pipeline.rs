//! Pipelined acknowledgements: a batch of ACKNOWLEDGE calls written to one
//! plain-HTTP keep-alive connection in a single `write`, their answers read
//! back in order (HTTP/1.1 pipelining, which the Mesos master serves).
//!
//! One request–response round trip per acknowledgement costs two wake-ups
//! on each side and about a dozen system calls in ureq; a stream of status
//! updates needs one acknowledgement each, so that cost decided how fast a
//! framework could go. Pipelined, a batch costs one `write` and a few
//! `read`s. Only what this path handles simply is sent this way: `http://`
//! masters, no proxy, no credentials. Anything else — TLS, a proxy,
//! credentials, an answer other than 202 (a redirect, 503), a broken
//! connection — goes back to the caller, which sends those calls through
//! ureq with its retries.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use socket2::Socket;

use super::endpoint::{Endpoint, Scheme};
use super::http::STREAM_ID_HEADER;
use super::resolve;
use super::session::Active;
use super::shared::Shared;
use super::tcp;
use crate::v1::scheduler::Call;

/// Most bytes of an answer body read (and thrown away) on this path.
const MAX_BODY: usize = 64 * 1024;

struct Connection {
    endpoint: Endpoint,
    /// Registered (weakly) with the acknowledgement sender for `close()`.
    _socket: Arc<Socket>,
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

/// One sender's pipelined connection (opened on first use, reopened after
/// a failure).
#[derive(Default)]
pub(super) struct Pipeline {
    connection: Option<Connection>,
    requests: Vec<u8>,
}

impl Pipeline {
    /// Whether this client's calls may take this path at all.
    pub fn usable(shared: &Shared) -> bool {
        let settings = &shared.settings;
        settings.proxy.is_none() && settings.credentials.is_none()
    }

    /// Sends `calls` (acknowledgements owed on `active`) pipelined. Returns,
    /// per call, whether the master accepted it (202); the others are the
    /// caller's to send another way.
    pub fn send(&mut self, shared: &Shared, active: &Active, calls: Vec<Call>) -> Vec<bool> {
        let mut accepted = vec![false; calls.len()];
        let target = shared.session.call_target(active);
        if target.scheme() != Scheme::Http {
            return accepted;
        }
        if self.connection.as_ref().map(|c| &c.endpoint) != Some(&target) {
            self.connection = connect(shared, &target);
        }
        let Some(connection) = self.connection.as_mut() else {
            return accepted;
        };
        let settings = &shared.settings;
        let content_type = settings.encoding.content_type();
        let url = target.url();
        let authority = target.authority();
        let path = &url[url.find(&authority).map_or(0, |i| i + authority.len())..];
        self.requests.clear();
        let mut sendable = Vec::with_capacity(calls.len());
        for (i, mut call) in calls.into_iter().enumerate() {
            if call.framework_id.is_none() {
                call.framework_id = Some(active.framework_id.clone());
            }
            if crate::validation::validate_outgoing(&call).is_err() {
                continue; // the caller's path reports it
            }
            let body = settings.encoding.encode(&call);
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: mesos-http/{}\r\nContent-Type: {content_type}\r\nAccept: {content_type}\r\n{STREAM_ID_HEADER}: {}\r\nContent-Length: {}\r\n\r\n",
                env!("CARGO_PKG_VERSION"),
                active.stream_id,
                body.len()
            );
            self.requests.extend_from_slice(head.as_bytes());
            self.requests.extend_from_slice(&body);
            sendable.push(i);
        }
        if sendable.is_empty() {
            return accepted;
        }
        if let Err(err) = connection.writer.write_all(&self.requests) {
            log::debug!("pipelined acknowledgements to {target} failed: {err}");
            self.connection = None;
            return accepted;
        }
        for &i in &sendable {
            match read_answer(&mut connection.reader) {
                Some(Answer { status, close }) => {
                    accepted[i] = status == 202;
                    if status != 202 {
                        log::debug!("pipelined acknowledgement answered {status}");
                    }
                    if close {
                        self.connection = None;
                        break;
                    }
                }
                None => {
                    self.connection = None;
                    break;
                }
            }
        }
        accepted
    }
}

fn connect(shared: &Shared, endpoint: &Endpoint) -> Option<Connection> {
    let settings = &shared.settings;
    let stop = shared.control.stop_signal();
    let addrs = resolve::socket_addrs(endpoint.host(), endpoint.port(), stop).ok()?;
    let socket = addrs.into_iter().find_map(|addr| {
        let socket = Arc::new(tcp::new_socket(addr).ok()?);
        // Registered before it connects, so close() aborts the connect too.
        if !shared.acks.register(&socket) {
            return None;
        }
        tcp::connect_socket(&socket, addr, Some(settings.connect_timeout)).ok()?;
        Some(socket)
    })?;
    let tcp = TcpStream::from(socket.try_clone().ok()?);
    tcp.set_nodelay(true).ok()?;
    tcp.set_read_timeout(Some(settings.call_timeout)).ok()?;
    tcp.set_write_timeout(Some(settings.call_timeout)).ok()?;
    let reader = BufReader::with_capacity(16 * 1024, tcp.try_clone().ok()?);
    Some(Connection {
        endpoint: endpoint.clone(),
        _socket: socket,
        writer: tcp,
        reader,
    })
}

struct Answer {
    status: u16,
    /// The master closes the connection after this answer.
    close: bool,
}

/// Reads one answer (status line, headers, a `Content-Length` body). `None`
/// when the connection failed or the answer is not one this path reads
/// (chunked, oversized, malformed): the connection is then dropped.
fn read_answer(reader: &mut BufReader<TcpStream>) -> Option<Answer> {
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> Option<()> {
        line.clear();
        let n = reader.by_ref().take(8 * 1024).read_line(line).ok()?;
        (n > 0 && line.ends_with('\n')).then_some(())
    };
    read_line(&mut line)?;
    let mut parts = line.split_ascii_whitespace();
    let version = parts.next()?;
    let status: u16 = parts.next()?.parse().ok()?;
    let mut close = version == "HTTP/1.0";
    let mut length = 0usize;
    loop {
        read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return None;
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    if length > MAX_BODY {
        return None;
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Answer { status, close })
}
