//! Raw HTTP/1.1 over `std::net::TcpStream` for the simulated-master tests:
//! no client library, so the tests see exactly the bytes the master writes.
#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long `expect`/`until` wait for an event before the test fails.
const EVENT_DEADLINE: Duration = Duration::from_secs(30);

use mesos_http::codec::Encoding;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::{Call, Event};
use mesos_http::v1::{FrameworkID, FrameworkInfo};

/// Both encodings, for tests that run once per media type.
pub const ENCODINGS: [Encoding; 2] = [Encoding::Json, Encoding::Protobuf];

/// A parsed response head (and body, for complete responses).
#[derive(Debug, Clone)]
pub struct Response {
    pub status_line: String,
    pub code: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The exact bytes of the head, CRLFs included.
    pub raw_head: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_names(&self) -> Vec<String> {
        self.headers.iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One client connection.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Writes raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).expect("write");
    }

    /// Writes one request with `Content-Length`.
    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if method != "GET" || !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.send_raw(&bytes);
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        let n = self.reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    /// Reads a status line and headers.
    pub fn read_head(&mut self) -> io::Result<Response> {
        let status_line = self.line()?;
        let mut raw_head = status_line.clone().into_bytes();
        let status_line = status_line.trim_end().to_string();
        let code = status_line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            let line = self.line()?;
            raw_head.extend_from_slice(line.as_bytes());
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (n, v) = line.split_once(':').expect("header colon");
            headers.push((n.to_string(), v.trim().to_string()));
        }
        Ok(Response {
            status_line,
            code,
            headers,
            body: Vec::new(),
            raw_head,
        })
    }

    /// Reads a complete response (Content-Length or chunked body).
    pub fn read_response(&mut self) -> io::Result<Response> {
        let mut response = self.read_head()?;
        if response
            .header("Transfer-Encoding")
            .is_some_and(|v| v.contains("chunked"))
        {
            loop {
                let size = self.chunk_size()?;
                if size == 0 {
                    self.line()?;
                    break;
                }
                let mut chunk = vec![0; size];
                self.reader.read_exact(&mut chunk)?;
                response.body.extend_from_slice(&chunk);
                self.line()?;
            }
        } else {
            let len: usize = response
                .header("Content-Length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            self.reader.read_exact(&mut body)?;
            response.body = body;
        }
        Ok(response)
    }

    fn chunk_size(&mut self) -> io::Result<usize> {
        let line = self.line()?;
        usize::from_str_radix(line.trim(), 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("chunk size {line:?}")))
    }

    /// One request, one complete response.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        self.send(method, path, headers, body);
        self.read_response().expect("response")
    }

    /// Reads the next HTTP chunk of a stream: `Ok(None)` at the last chunk.
    pub fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        let size = self.chunk_size()?;
        if size == 0 {
            let end = self.line()?;
            assert_eq!(end, "\r\n", "last chunk must be followed by CRLF");
            return Ok(None);
        }
        let mut chunk = vec![0; size];
        self.reader.read_exact(&mut chunk)?;
        let crlf = self.line()?;
        assert_eq!(crlf, "\r\n", "chunk must end in CRLF");
        Ok(Some(chunk))
    }

    /// Reads bytes until EOF (for checking closes).
    pub fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest)?;
        Ok(rest)
    }

    pub fn set_timeout(&self, timeout: Duration) {
        self.stream().set_read_timeout(Some(timeout)).unwrap();
    }
}

/// How a stream read ended.
#[derive(Debug)]
pub enum StreamEnd {
    /// The chunked body ended (`0\r\n\r\n`).
    BodyEnded,
    /// I/O error or EOF.
    Io(io::Error),
}

/// A SUBSCRIBE stream: each chunk must hold exactly one RecordIO record.
pub struct EventStream {
    pub client: Client,
    pub encoding: Encoding,
    pub head: Response,
}

impl EventStream {
    /// The next record's raw payload.
    pub fn next_record(&mut self) -> Result<Vec<u8>, StreamEnd> {
        let chunk = match self.client.next_chunk() {
            Ok(Some(c)) => c,
            Ok(None) => return Err(StreamEnd::BodyEnded),
            Err(e) => return Err(StreamEnd::Io(e)),
        };
        let newline = chunk
            .iter()
            .position(|b| *b == b'\n')
            .expect("record header");
        let len: usize = std::str::from_utf8(&chunk[..newline])
            .unwrap()
            .parse()
            .expect("record length");
        let payload = chunk[newline + 1..].to_vec();
        assert_eq!(payload.len(), len, "one record per chunk");
        Ok(payload)
    }

    /// The next event.
    pub fn next_event(&mut self) -> Result<Event, StreamEnd> {
        let record = self.next_record()?;
        Ok(self.encoding.decode(&record).expect("event decodes"))
    }

    /// Skips events until one of `ty` arrives (HEARTBEATs and OFFERS are skipped).
    /// Bounded in time as well as in count: heartbeats keep the socket's read
    /// timeout from ever firing, so a missing event must fail, not wait forever.
    pub fn expect(&mut self, ty: EventType) -> Event {
        let deadline = Instant::now() + EVENT_DEADLINE;
        while Instant::now() < deadline {
            let event = self
                .next_event()
                .unwrap_or_else(|e| panic!("waiting for {ty:?}: {e:?}"));
            if event.r#type() == ty {
                return event;
            }
        }
        panic!("no {ty:?} event");
    }

    /// The next event that is not a HEARTBEAT.
    pub fn next_non_heartbeat(&mut self) -> Event {
        loop {
            let event = self.next_event().expect("event");
            if event.r#type() != EventType::HEARTBEAT {
                return event;
            }
        }
    }

    /// Collects events until `pred` matches one (returned last).
    pub fn until(&mut self, mut pred: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let mut seen = Vec::new();
        let deadline = Instant::now() + EVENT_DEADLINE;
        while Instant::now() < deadline {
            let event = self.next_event().expect("event");
            let done = pred(&event);
            seen.push(event);
            if done {
                return seen;
            }
        }
        panic!("condition never met");
    }

    pub fn stream_id(&self) -> String {
        self.head.header("Mesos-Stream-Id").unwrap().to_string()
    }
}

pub fn framework_info(name: &str) -> FrameworkInfo {
    FrameworkInfo {
        user: "root".to_string(),
        name: name.to_string(),
        ..FrameworkInfo::default()
    }
}

pub fn subscribe_call(info: FrameworkInfo) -> Call {
    Call {
        r#type: Some(CallType::SUBSCRIBE),
        framework_id: info.id.clone(),
        subscribe: Some(call::Subscribe {
            framework_info: info,
            ..call::Subscribe::default()
        }),
        ..Call::default()
    }
}

/// Opens a subscription and returns the stream after the 200 head.
pub fn subscribe_with(
    addr: SocketAddr,
    encoding: Encoding,
    call: &Call,
    extra: &[(&str, &str)],
) -> EventStream {
    let mut client = Client::connect(addr);
    let body = encoding.encode(call);
    let mut headers = vec![
        ("Content-Type", encoding.content_type()),
        ("Accept", encoding.content_type()),
    ];
    headers.extend_from_slice(extra);
    client.send("POST", "/api/v1/scheduler", &headers, &body);
    let head = client.read_head().expect("subscribe head");
    assert_eq!(head.code, 200, "{head:?}");
    EventStream {
        client,
        encoding,
        head,
    }
}

/// A subscribed framework: its stream, id and stream id.
pub struct Subscribed {
    pub events: EventStream,
    pub framework_id: String,
    pub stream_id: String,
    pub encoding: Encoding,
    pub addr: SocketAddr,
}

impl Subscribed {
    /// Sends a call on a fresh connection with the right headers; returns the response.
    pub fn call(&self, mut call: Call) -> Response {
        call.framework_id = Some(FrameworkID {
            value: self.framework_id.clone(),
        });
        post_call(self.addr, self.encoding, &call, Some(&self.stream_id))
    }
}

/// SUBSCRIBE with `info` and read SUBSCRIBED + HEARTBEAT.
pub fn subscribe(addr: SocketAddr, encoding: Encoding, info: FrameworkInfo) -> Subscribed {
    let mut events = subscribe_with(addr, encoding, &subscribe_call(info), &[]);
    let first = events.next_event().expect("SUBSCRIBED");
    assert_eq!(first.r#type(), EventType::SUBSCRIBED, "{first:?}");
    let second = events.next_event().expect("HEARTBEAT");
    assert_eq!(second.r#type(), EventType::HEARTBEAT);
    let framework_id = first.subscribed.unwrap().framework_id.value;
    let stream_id = events.stream_id();
    Subscribed {
        events,
        framework_id,
        stream_id,
        encoding,
        addr,
    }
}

/// POSTs an encoded call on a new connection.
pub fn post_call(
    addr: SocketAddr,
    encoding: Encoding,
    call: &Call,
    stream_id: Option<&str>,
) -> Response {
    let mut client = Client::connect(addr);
    let body = encoding.encode(call);
    let mut headers = vec![("Content-Type", encoding.content_type())];
    if let Some(id) = stream_id {
        headers.push(("Mesos-Stream-Id", id));
    }
    client.request("POST", "/api/v1/scheduler", &headers, &body)
}

/// POSTs raw bytes with the given headers on a new connection.
pub fn post_raw(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut client = Client::connect(addr);
    client.request("POST", path, headers, body)
}

/// A call of `ty` with no payload.
pub fn bare(ty: CallType) -> Call {
    Call {
        r#type: Some(ty),
        ..Call::default()
    }
}
