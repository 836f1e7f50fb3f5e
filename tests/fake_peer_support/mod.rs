//! A scripted HTTP peer on a local port, for the answers the simulated
//! master never gives: every request is handed to a closure that writes
//! the whole answer (or holds the connection), one thread per connection.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;

/// A connection, plain or TLS.
pub trait Conn: Read + Write {}

impl<T: Read + Write> Conn for T {}

/// Answers one request on a connection; true when it may serve another.
type Answer = dyn Fn(Request, &mut dyn Conn) -> bool + Send + Sync;

/// One request as the peer read it.
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A listening peer; `url(path)` addresses it.
pub struct FakePeer {
    port: u16,
}

impl FakePeer {
    /// Serves every request with `answer(request, connection)`: it writes
    /// the answer and returns whether the connection may serve another.
    pub fn start(answer: impl Fn(Request, &mut dyn Conn) -> bool + Send + Sync + 'static) -> Self {
        Self::listen(None, Arc::new(answer))
    }

    /// [`FakePeer::start`] behind TLS with this server configuration.
    pub fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        answer: impl Fn(Request, &mut dyn Conn) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::listen(Some(tls), Arc::new(answer))
    }

    fn listen(tls: Option<Arc<rustls::ServerConfig>>, answer: Arc<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let answer = answer.clone();
                let tls = tls.clone();
                thread::spawn(move || match tls {
                    None => serve(stream, &*answer),
                    Some(config) => {
                        let Ok(session) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(session, stream), &*answer)
                    }
                });
            }
        });
        FakePeer { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn serve(stream: impl Conn, answer: &Answer) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let (name, value) = (name.trim().to_string(), value.trim().to_string());
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                }
                headers.push((name, value));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if !answer(
            Request {
                path,
                headers,
                body,
            },
            reader.get_mut(),
        ) {
            return;
        }
    }
}

/// A complete answer with a body.
pub fn respond(stream: &mut dyn Conn, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// The head of a chunked event stream.
pub fn stream_head(stream: &mut dyn Conn, content_type: &str, extra: &str) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{extra}Transfer-Encoding: chunked\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
}

/// One chunk carrying `payload` as one RecordIO record.
pub fn record_chunk(stream: &mut dyn Conn, payload: &[u8]) {
    let record = mesos_http::recordio::encode_to_vec(payload);
    let _ = stream.write_all(format!("{:x}\r\n", record.len()).as_bytes());
    let _ = stream.write_all(&record);
    let _ = stream.write_all(b"\r\n");
    let _ = stream.flush();
}

/// The last chunk: the stream ends cleanly.
pub fn end_chunks(stream: &mut dyn Conn) {
    let _ = stream.write_all(b"0\r\n\r\n");
    let _ = stream.flush();
}
