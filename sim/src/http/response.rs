//! Writing responses the way libprocess does: `HTTP/1.1 <code> <reason>`, a
//! `Date` header first, plain-text error bodies with `Content-Length` and no
//! trailing newline, and chunked streams with one chunk per record.

use std::io::{self, Write};
use std::time::SystemTime;

use super::date::http_date;

/// The reason phrase libprocess uses for a status code.
pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        202 => "Accepted",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// A complete (non-streaming) response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub code: u16,
    /// Extra headers written after `Date` and before the body headers.
    pub headers: Vec<(String, String)>,
    /// Body; when non-empty it is sent as `text/plain; charset=utf-8`.
    pub body: String,
}

impl Response {
    /// A response with an empty body (`Content-Length: 0`, no `Content-Type`).
    pub fn empty(code: u16) -> Self {
        Response {
            code,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// An error response with a plain-text body.
    pub fn text(code: u16, body: impl Into<String>) -> Self {
        Response {
            code,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header (written in insertion order after `Date`).
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The exact bytes of this response.
    pub fn to_bytes(&self, connection_close: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nDate: {}\r\n",
            self.code,
            reason(self.code),
            http_date(SystemTime::now())
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if connection_close {
            head.push_str("Connection: close\r\n");
        }
        if !self.body.is_empty() {
            head.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(self.body.as_bytes());
        bytes
    }
}

/// The head of a SUBSCRIBE stream, headers in the master's order; the
/// agent's executor streams carry no stream id.
pub fn stream_head(stream_id: Option<&str>, content_type: &str, connection_close: bool) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nDate: {}\r\nTransfer-Encoding: chunked\r\n",
        http_date(SystemTime::now()),
    );
    if let Some(id) = stream_id {
        head.push_str(&format!("Mesos-Stream-Id: {id}\r\n"));
    }
    head.push_str(&format!("Content-Type: {content_type}\r\n"));
    if connection_close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// One HTTP chunk holding one RecordIO record: `<hex len>\r\n<dec len>\n<record>\r\n`.
pub fn record_chunk(record: &[u8]) -> Vec<u8> {
    raw_chunk(&mesos_http::recordio::encode_to_vec(record))
}

/// One HTTP chunk with arbitrary payload bytes (used by fault injection).
pub fn raw_chunk(payload: &[u8]) -> Vec<u8> {
    let mut chunk = format!("{:x}\r\n", payload.len()).into_bytes();
    chunk.extend_from_slice(payload);
    chunk.extend_from_slice(b"\r\n");
    chunk
}

/// The last chunk, which ends the body but not the connection.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Writes `bytes` in one call and flushes, so each record leaves at once.
pub fn write_now<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    w.write_all(bytes)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without_date(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("Date: "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn error_response_matches_libprocess_layout() {
        let r = Response::text(
            405,
            "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.",
        )
        .with_header("Allow", "POST");
        let bytes = r.to_bytes(false);
        assert!(bytes.starts_with(b"HTTP/1.1 405 Method Not Allowed\r\nDate: "));
        assert_eq!(
            without_date(&bytes),
            "HTTP/1.1 405 Method Not Allowed\nAllow: POST\nContent-Type: text/plain; charset=utf-8\nContent-Length: 72\n\n405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."
        );
    }

    #[test]
    fn accepted_is_81_bytes_like_the_capture() {
        assert_eq!(Response::empty(202).to_bytes(false).len(), 81);
    }

    #[test]
    fn record_chunk_matches_capture() {
        let chunk = record_chunk(br#"{"type":"HEARTBEAT"}"#);
        assert_eq!(chunk, b"17\r\n20\n{\"type\":\"HEARTBEAT\"}\r\n");
    }
}
