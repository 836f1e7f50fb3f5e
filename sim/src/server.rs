//! Listening sockets and connection threads: keep-alive, pipelined requests
//! answered in order, SUBSCRIBE streams written record by record (one chunk
//! each, flushed at once), and the stream-level fault injections.

use std::io::{self, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use rustls::{ServerConnection, StreamOwned};

use super::agent_endpoint;
use super::cluster::{Shared, StreamHeadFault, StreamMsg};
use super::endpoint::{self, Outcome};
use super::http::request::{read_body, read_head};
use super::http::response::{raw_chunk, record_chunk, stream_head, write_now, LAST_CHUNK};
use super::http::{ParseError, Response};
use super::operator;

/// A plain or TLS connection.
enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Who answers on a listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// Master `index` of the group (`/api/v1/scheduler`).
    Master(usize),
    /// The executor endpoint of this agent (`/slave(1)/api/v1/executor`).
    Agent(String),
}

impl Site {
    /// Whether this is an agent that is down (restarting) right now: its
    /// connections are closed without an answer.
    fn is_down(&self, shared: &Shared) -> bool {
        match self {
            Site::Master(_) => false,
            Site::Agent(id) => shared
                .lock()
                .agents
                .get(id)
                .is_none_or(|a| a.is_down(Instant::now())),
        }
    }
}

/// Accepts connections for `site` until the group stops.
pub fn accept_loop(shared: Arc<Shared>, listener: TcpListener, site: Site) {
    for incoming in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(tcp) = incoming else { continue };
        if site.is_down(&shared) {
            continue;
        }
        let shared = Arc::clone(&shared);
        let site = site.clone();
        let _ = thread::Builder::new()
            .name("mesos-sim-conn".to_string())
            .spawn(move || serve(shared, tcp, site));
    }
}

fn serve(shared: Arc<Shared>, tcp: TcpStream, site: Site) {
    let _ = tcp.set_nodelay(true);
    let id = shared.next_connection.fetch_add(1, Ordering::SeqCst);
    if let Ok(clone) = tcp.try_clone() {
        shared
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, clone);
    }
    let conn = match &shared.tls {
        None => Conn::Plain(tcp),
        Some(config) => match ServerConnection::new(Arc::clone(config)) {
            Ok(session) => Conn::Tls(Box::new(StreamOwned::new(session, tcp))),
            Err(_) => return,
        },
    };
    let mut reader = BufReader::new(conn);
    let _ = serve_requests(&shared, &mut reader, &site);
    let _ = reader.get_ref().tcp().shutdown(Shutdown::Both);
    shared
        .connections
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
}

fn serve_requests(shared: &Shared, reader: &mut BufReader<Conn>, site: &Site) -> io::Result<()> {
    loop {
        let mut request = match read_head(reader) {
            Ok(r) => r,
            Err(ParseError::Malformed(why)) => {
                let body = format!("Failed to decode request: {why}");
                return write_now(reader.get_mut(), &Response::text(400, body).to_bytes(true));
            }
            Err(_) => return Ok(()),
        };
        if request
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            write_now(reader.get_mut(), b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        request.body = match read_body(reader, &request) {
            Ok(b) => b,
            Err(ParseError::Malformed(why)) => {
                let body = format!("Failed to decode request: {why}");
                return write_now(reader.get_mut(), &Response::text(400, body).to_bytes(true));
            }
            Err(_) => return Ok(()),
        };
        if site.is_down(shared) {
            return Ok(());
        }
        let (delay, close_fault) = shared.update(|c| {
            if matches!(site, Site::Agent(_)) {
                return (None, false);
            }
            let close = c.faults.close_next > 0;
            if close {
                c.faults.close_next -= 1;
            }
            (c.faults.delay, close)
        });
        if let Some(delay) = delay {
            thread::sleep(delay);
        }
        if hold_while_hanging(shared) {
            return Ok(());
        }
        let keep_alive = request.keep_alive() && !close_fault;
        if let Some(reply) = operator::route(shared, site, &request) {
            if !reply.write_to(shared, reader.get_mut(), close_fault)? || !keep_alive {
                return Ok(());
            }
            continue;
        }
        let outcome = match site {
            Site::Master(index) => endpoint::handle(shared, *index, &request),
            Site::Agent(agent_id) => agent_endpoint::handle(shared, agent_id, &request),
        };
        match outcome {
            Outcome::Respond(response) => {
                write_now(reader.get_mut(), &response.to_bytes(close_fault))?;
            }
            Outcome::Stream {
                stream_id,
                encoding,
                rx,
                announce_stream_id,
            } => {
                let announced = announce_stream_id.then_some(stream_id.as_str());
                let head = stream_head(announced, encoding.content_type(), close_fault);
                let head = falsify_stream_head(shared, head, &stream_id);
                let ended = match write_now(reader.get_mut(), &head) {
                    Ok(()) => run_stream(reader.get_mut(), &rx),
                    Err(_) => false,
                };
                shared.update(|c| match site {
                    Site::Master(_) => c.stream_closed(&stream_id, Instant::now()),
                    Site::Agent(_) => c.executor_stream_closed(&stream_id),
                });
                if !ended {
                    return Ok(());
                }
            }
        }
        if !keep_alive {
            return Ok(());
        }
    }
}

/// Fault: while requests hang, hold this one unanswered. True when it was
/// held (the caller then closes the connection without an answer).
fn hold_while_hanging(shared: &Shared) -> bool {
    let mut held = false;
    while shared.lock().faults.hang && !shared.stop.load(Ordering::SeqCst) {
        held = true;
        thread::sleep(Duration::from_millis(10));
    }
    held
}

/// Fault: rewrites a SUBSCRIBE response head as `faults.stream_head` says
/// (one-shot faults are cleared here).
fn falsify_stream_head(shared: &Shared, head: Vec<u8>, stream_id: &str) -> Vec<u8> {
    let fault = shared.update(|c| {
        let fault = c.faults.stream_head.clone();
        if matches!(
            fault,
            StreamHeadFault::MissingStreamId | StreamHeadFault::WrongStreamId(_)
        ) {
            c.faults.stream_head = StreamHeadFault::None;
        }
        fault
    });
    let text = String::from_utf8_lossy(&head);
    let id_line = format!("Mesos-Stream-Id: {stream_id}\r\n");
    let text = match fault {
        StreamHeadFault::None => return head,
        StreamHeadFault::ContentType(value) => text
            .split("\r\n")
            .map(|line| match line.strip_prefix("Content-Type: ") {
                Some(_) => format!("Content-Type: {value}"),
                None => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\r\n"),
        StreamHeadFault::MissingStreamId => text.replace(&id_line, ""),
        StreamHeadFault::WrongStreamId(id) => {
            text.replace(&id_line, &format!("Mesos-Stream-Id: {id}\r\n"))
        }
    };
    text.into_bytes()
}

/// Whether the peer has closed its side (checked with a short peek).
fn peer_closed(tcp: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match tcp.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
        ),
    }
}

/// Writes the stream until it ends (`true`: the body ended, the connection
/// stays usable) or the connection is gone or cut (`false`).
fn run_stream(conn: &mut Conn, rx: &Receiver<StreamMsg>) -> bool {
    let _ = conn.tcp().set_read_timeout(Some(Duration::from_millis(1)));
    let result = stream_loop(conn, rx);
    let _ = conn.tcp().set_read_timeout(None);
    if !result {
        let _ = conn.tcp().shutdown(Shutdown::Both);
    }
    result
}

fn stream_loop(conn: &mut Conn, rx: &Receiver<StreamMsg>) -> bool {
    let mut cut_next = false;
    loop {
        let msg = match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => {
                if peer_closed(conn.tcp()) {
                    return false;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return false,
        };
        let written = match msg {
            StreamMsg::Record(record) => {
                let chunk = record_chunk(&record);
                if cut_next {
                    let _ = write_now(conn, &chunk[..chunk.len() / 2]);
                    return false;
                }
                write_now(conn, &chunk)
            }
            StreamMsg::End => return write_now(conn, LAST_CHUNK).is_ok(),
            StreamMsg::Abort => return false,
            StreamMsg::CutNextRecord => {
                cut_next = true;
                Ok(())
            }
            StreamMsg::RawChunk(bytes) => write_now(conn, &raw_chunk(&bytes)),
            StreamMsg::Oversized(len) => write_oversized(conn, len),
        };
        if written.is_err() {
            return false;
        }
    }
}

/// One chunk announcing a `len`-byte record, filled with spaces.
fn write_oversized(conn: &mut Conn, len: u64) -> io::Result<()> {
    let header = format!("{len}\n");
    let chunk_len = header.len() as u64 + len;
    write_now(conn, format!("{chunk_len:x}\r\n{header}").as_bytes())?;
    let filler = [b' '; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(filler.len() as u64) as usize;
        conn.write_all(&filler[..n])?;
        left -= n as u64;
    }
    write_now(conn, b"\r\n")
}
