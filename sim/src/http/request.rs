//! A small, bounded HTTP/1.1 request parser.
//!
//! The simulated master needs exact control over what it accepts, so it reads
//! requests itself: the request line and headers are capped in size and count,
//! bodies come either with `Content-Length` or chunked, and any malformed input
//! becomes a [`ParseError`] instead of a panic or an unbounded allocation.

use std::io::{self, BufRead};

/// Longest request line or header line accepted.
pub const MAX_LINE: usize = 8 * 1024;
/// Most header fields accepted in one request.
pub const MAX_HEADERS: usize = 100;
/// Largest body accepted (either framing).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// One parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (case-sensitive, like libprocess).
    pub method: String,
    /// The request target as sent (path plus optional query and fragment).
    pub target: String,
    /// `true` for HTTP/1.0 requests (which close by default).
    pub http10: bool,
    /// Header fields in arrival order; names keep their case.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path part of the target (before `?` or `#`).
    pub fn path(&self) -> &str {
        let end = self.target.find(['?', '#']).unwrap_or(self.target.len());
        &self.target[..end]
    }

    /// The query string without the `?`, if any.
    pub fn query(&self) -> Option<&str> {
        let start = self.target.find('?')? + 1;
        let rest = &self.target[start..];
        Some(rest.split('#').next().unwrap_or(""))
    }

    /// Whether the connection should be kept open after answering.
    pub fn keep_alive(&self) -> bool {
        let connection = self.header("Connection").unwrap_or("");
        let has = |token: &str| {
            connection
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http10 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ParseError {
    /// The peer closed the connection before sending anything.
    Closed,
    /// An I/O error (including a close in the middle of a request).
    Io(io::Error),
    /// The bytes are not an acceptable HTTP/1.x request.
    Malformed(&'static str),
}

impl From<io::Error> for ParseError {
    fn from(e: io::Error) -> Self {
        ParseError::Io(e)
    }
}

/// Reads one line ending in LF (a CR before it is dropped), at most [`MAX_LINE`] bytes.
/// `Ok(None)` means a clean EOF before any byte.
fn read_line<R: BufRead>(reader: &mut R) -> Result<Option<String>, ParseError> {
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            if line.is_empty() {
                return Ok(None);
            }
            return Err(ParseError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if line.len() + take > MAX_LINE + 2 {
            return Err(ParseError::Malformed("line too long"));
        }
        line.extend_from_slice(&available[..take]);
        reader.consume(take);
        if done {
            break;
        }
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| ParseError::Malformed("non-UTF-8 header bytes"))
}

/// Reads the next request, head and body. Empty lines before a request line
/// are skipped (RFC 9112 allows one; we tolerate a few).
pub fn read_request<R: BufRead>(reader: &mut R) -> Result<Request, ParseError> {
    let mut request = read_head(reader)?;
    request.body = read_body(reader, &request)?;
    Ok(request)
}

/// Reads the request line and headers; the body is left for [`read_body`]
/// (so a server can answer `Expect: 100-continue` in between).
pub fn read_head<R: BufRead>(reader: &mut R) -> Result<Request, ParseError> {
    let mut request_line = None;
    for _ in 0..4 {
        match read_line(reader)? {
            None => return Err(ParseError::Closed),
            Some(l) if l.is_empty() => continue,
            Some(l) => {
                request_line = Some(l);
                break;
            }
        }
    }
    let request_line = request_line.ok_or(ParseError::Malformed("no request line"))?;
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(ParseError::Malformed("bad request line")),
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::Malformed("bad method"));
    }
    if target.is_empty() {
        return Err(ParseError::Malformed("empty target"));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ParseError::Malformed("unsupported HTTP version")),
    };
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(ParseError::Io(io::ErrorKind::UnexpectedEof.into()))?;
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ParseError::Malformed("too many headers"));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(ParseError::Malformed("header without colon"))?;
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(ParseError::Malformed("bad header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        http10,
        headers,
        body: Vec::new(),
    })
}

/// Reads the body announced by `request`'s headers.
pub fn read_body<R: BufRead>(reader: &mut R, request: &Request) -> Result<Vec<u8>, ParseError> {
    let chunked = request
        .header("Transfer-Encoding")
        .map(|v| v.to_ascii_lowercase().contains("chunked"))
        .unwrap_or(false);
    if chunked {
        return read_chunked(reader);
    }
    let length = match request.header("Content-Length") {
        None => return Ok(Vec::new()),
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ParseError::Malformed("bad Content-Length"))?,
    };
    if length > MAX_BODY {
        return Err(ParseError::Malformed("body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn read_chunked<R: BufRead>(reader: &mut R) -> Result<Vec<u8>, ParseError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(ParseError::Io(io::ErrorKind::UnexpectedEof.into()))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ParseError::Malformed("bad chunk size"))?;
        if size == 0 {
            // Trailer fields up to the empty line.
            loop {
                let trailer = read_line(reader)?
                    .ok_or(ParseError::Io(io::ErrorKind::UnexpectedEof.into()))?;
                if trailer.is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(ParseError::Malformed("body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(ParseError::Malformed("chunk not followed by CRLF"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<Request, ParseError> {
        read_request(&mut io::BufReader::new(bytes))
    }

    #[test]
    fn parses_content_length_body_and_headers() {
        let r = parse(b"POST /api/v1/scheduler?x=1 HTTP/1.1\r\nHost: h\r\ncontent-type:  application/json \r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path(), "/api/v1/scheduler");
        assert_eq!(r.query(), Some("x=1"));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(r.body, b"{}");
        assert!(r.keep_alive());
    }

    #[test]
    fn parses_chunked_body() {
        let r = parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, b"abcde");
    }

    #[test]
    fn pipelined_requests_are_read_in_order() {
        let bytes = b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
        let mut reader = io::BufReader::new(&bytes[..]);
        assert_eq!(read_request(&mut reader).unwrap().target, "/a");
        let second = read_request(&mut reader).unwrap();
        assert_eq!(second.target, "/b");
        assert!(!second.keep_alive());
        assert!(matches!(read_request(&mut reader), Err(ParseError::Closed)));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            &b"\x00\x01\x02\r\n\r\n"[..],
            b"GET\r\n\r\n",
            b"GET / HTTP/2\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
        ] {
            assert!(
                matches!(parse(bad), Err(ParseError::Malformed(_))),
                "{bad:?}"
            );
        }
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE + 10));
        assert!(matches!(
            parse(long.as_bytes()),
            Err(ParseError::Malformed(_))
        ));
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"),
            Err(ParseError::Io(_))
        ));
    }
}
