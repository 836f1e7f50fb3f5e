//! HTTP plumbing on ureq's versioned API: the two kinds of agent (calls
//! share one keep-alive agent; every subscription attempt gets its own so it
//! can be shut down), Basic credentials, and the one way every request of
//! the client (scheduler and executor, calls, acknowledgements and
//! SUBSCRIBE) is posted, with our own 307 handling (ureq never re-sends a
//! POST body, and Mesos's `Location` has no scheme).

use std::fmt;
use std::io::{self, Read};
use std::thread;
use std::time::Duration;

use base64::Engine;
use crossbeam_channel::{select, Receiver};
use ureq::http::Response;
use ureq::{Agent, Body};

use super::endpoint::Endpoint;
use super::masters::Masters;
use crate::codec::Encoding;
use crate::error::Error;

/// The header carrying the subscription's stream id on every other call.
pub const STREAM_ID_HEADER: &str = "Mesos-Stream-Id";

/// The most error-body text kept for [`Error::Rejected`].
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// HTTP Basic credentials. `Debug` never shows the secret, and the client
/// never logs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    principal: String,
    header: String,
}

impl Credentials {
    /// Credentials for `principal`. Mesos splits the decoded pair on `:`, so
    /// a principal or secret containing `:` can never authenticate; that is
    /// refused here rather than failing with 401 later.
    pub fn new(principal: impl Into<String>, secret: impl AsRef<str>) -> Result<Self, Error> {
        let principal = principal.into();
        let secret = secret.as_ref();
        if principal.contains(':') || secret.contains(':') {
            return Err(Error::config(
                "Mesos Basic authentication cannot carry ':' in the principal or secret".into(),
            ));
        }
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{principal}:{secret}"));
        Ok(Credentials {
            principal,
            header: format!("Basic {token}"),
        })
    }

    /// The principal (not secret).
    pub fn principal(&self) -> &str {
        &self.principal
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("principal", &self.principal)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Everything about how the client talks HTTP, fixed by the builder.
#[derive(Clone)]
pub(crate) struct HttpSettings {
    pub encoding: Encoding,
    pub connect_timeout: Duration,
    pub call_timeout: Duration,
    pub tls: ureq::tls::TlsConfig,
    pub proxy: Option<ureq::Proxy>,
    pub credentials: Option<Credentials>,
    /// Decides which hosts get the credentials: the configured masters'
    /// (or, with a detector, those it found).
    pub masters: Masters,
    /// Send credentials to any host a redirect names.
    pub credentials_follow_redirects: bool,
    pub max_redirects: usize,
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("encoding", &self.encoding)
            .field("connect_timeout", &self.connect_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("proxy", &self.proxy.is_some())
            .field("credentials", &self.credentials)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

/// Which agent a request goes out on.
pub(crate) enum Purpose {
    /// Calls and background acknowledgements: each step of the exchange
    /// (sending the request and its body, waiting for the answer, reading
    /// it) bounded by the call timeout, but no whole-call budget. With one,
    /// ureq resolves the host of every request (pooled connection or not)
    /// on a thread of its own so it can give up in time: a thread spawned
    /// per call, which made a call on a kept-alive connection 2.4x a bare
    /// ureq POST. Without, the lookup runs on the calling thread (for an IP
    /// address, no lookup at all); a slow DNS server delays only that
    /// caller, and `close()` does not wait for a thread stuck in one.
    Call,
    /// The subscription stream: no body timeout (the watchdog handles it).
    Stream,
}

/// A response and the endpoint that finally produced it.
pub(crate) struct Posted {
    pub endpoint: Endpoint,
    pub response: Response<Body>,
}

/// One request to post: the body and what goes with it.
pub(crate) struct Outgoing<'a> {
    pub body: &'a [u8],
    /// The subscription's stream id (`Mesos-Stream-Id`), on calls.
    pub stream_id: Option<&'a str>,
    /// An `Authorization` value that replaces the configured credentials
    /// (the executor's `Bearer` token).
    pub authorization: Option<&'a str>,
    /// When given, each exchange up to the response head runs on a helper
    /// thread and the caller stops waiting (with [`Error::Closed`]) as soon
    /// as this disconnects: see [`HttpSettings::post`].
    pub stop: Option<&'a Receiver<()>>,
}

impl<'a> Outgoing<'a> {
    /// `body`, with nothing else.
    pub fn body(body: &'a [u8]) -> Self {
        Outgoing {
            body,
            stream_id: None,
            authorization: None,
            stop: None,
        }
    }
}

impl HttpSettings {
    /// A new agent configured for `purpose`, on ureq's own connector and
    /// resolver.
    pub fn agent(&self, purpose: Purpose) -> Agent {
        let builder = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(self.proxy.clone())
            .tls_config(self.tls.clone())
            .user_agent(concat!("mesos-http/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(self.connect_timeout))
            // Several threads calling at once (and the acknowledgement
            // senders) each keep their connection (ureq's default keeps 3).
            .max_idle_connections_per_host(16);
        let builder = match purpose {
            Purpose::Call => builder
                .timeout_send_request(Some(self.call_timeout))
                .timeout_send_body(Some(self.call_timeout))
                .timeout_recv_response(Some(self.call_timeout))
                .timeout_recv_body(Some(self.call_timeout)),
            Purpose::Stream => builder
                .timeout_send_request(Some(self.call_timeout))
                .timeout_send_body(Some(self.call_timeout))
                .timeout_recv_response(Some(self.call_timeout))
                // One body read returns at most this buffer: as large as
                // the reader's reads, so a quiet stream's large event
                // arrives in one (see stream.rs).
                .input_buffer_size(super::stream::READ_BUFFER),
        };
        Agent::new_with_config(builder.build())
    }

    fn sends_credentials_to(&self, endpoint: &Endpoint) -> bool {
        self.credentials_follow_redirects || self.masters.0.trusts_host(endpoint.host())
    }

    /// Posts `outgoing` to `start`, following 307s itself (bounded; a
    /// repeated location is a loop, unless the master sent us back to
    /// itself, which is [`Error::Unavailable`]). `on_redirect(from, to)` lets
    /// the caller record the leader. Returns the first non-307 response.
    ///
    /// With `outgoing.stop`, the exchange runs on a helper thread: ureq's
    /// `Agent::shutdown` ends a request blocked on a connected socket, but
    /// not a name lookup or a TCP connect in progress. The caller (a reader
    /// thread that `close()` joins) stops waiting when the client closes;
    /// the helper is left to end at its own connect timeout, and its
    /// connection, made after the agent was shut down, fails unused.
    pub fn post(
        &self,
        agent: &Agent,
        start: &Endpoint,
        outgoing: &Outgoing<'_>,
        mut on_redirect: impl FnMut(&Endpoint, &Endpoint),
    ) -> Result<Posted, Error> {
        let mut endpoint = start.clone();
        let mut visited = vec![endpoint.url()];
        loop {
            let response = self.post_once(agent, &endpoint, outgoing)?;
            match response.status().as_u16() {
                307 => {}
                404 => {
                    return Err(Error::NotFound {
                        url: endpoint.url(),
                        body: error_text(response),
                    })
                }
                _ => return Ok(Posted { endpoint, response }),
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| Error::BadRedirect {
                    detail: format!("307 from {endpoint} without a usable Location"),
                })?
                .to_string();
            let next = endpoint.resolve_redirect(&location)?;
            log::info!("{endpoint} is not the leader; redirected to {next}");
            on_redirect(&endpoint, &next);
            let url = next.url();
            let looped = visited.contains(&url);
            // A master that redirects to itself (same scheme, host and port)
            // round and round is a master without a leader: a restarted one
            // recovering its log answers so for seconds. That is "no leader
            // yet" (retried as for 503), not a cycle between two masters.
            if looped
                && next.scheme() == endpoint.scheme()
                && next.authority() == endpoint.authority()
            {
                return Err(Error::Unavailable {
                    body: format!("{endpoint} redirects to itself: no leader elected yet"),
                });
            }
            visited.push(url);
            if looped || visited.len() > self.max_redirects + 1 {
                return Err(Error::RedirectLoop { hops: visited });
            }
            endpoint = next;
        }
    }

    fn post_once(
        &self,
        agent: &Agent,
        endpoint: &Endpoint,
        outgoing: &Outgoing<'_>,
    ) -> Result<Response<Body>, Error> {
        let content_type = self.encoding.content_type();
        let url = endpoint.url();
        let mut request = agent
            .post(&url)
            .header("Content-Type", content_type)
            .header("Accept", content_type);
        if let Some(id) = outgoing.stream_id {
            request = request.header(STREAM_ID_HEADER, id);
        }
        if let Some(value) = outgoing.authorization {
            request = request.header("Authorization", value);
        } else if let Some(credentials) = &self.credentials {
            if self.sends_credentials_to(endpoint) {
                request = request.header("Authorization", credentials.header.as_str());
            } else {
                log::warn!("not sending credentials to {endpoint}: not a configured master host");
            }
        }
        log::debug!("POST {endpoint} ({} bytes)", outgoing.body.len());
        let Some(stop) = outgoing.stop else {
            return request
                .send(outgoing.body)
                .map_err(|err| Error::from_transport(err, &url));
        };
        let body = outgoing.body.to_vec();
        let (tx, rx) = crossbeam_channel::bounded(1);
        thread::Builder::new()
            .name("mesos-post".into())
            .spawn(move || {
                // Nobody waits any more once the client closed.
                let _ = tx.send(request.send(&body[..]));
            })
            .map_err(|err| Error::Connection {
                master: url.clone(),
                source: Box::new(err),
            })?;
        select! {
            recv(rx) -> answer => match answer {
                Ok(answer) => answer.map_err(|err| Error::from_transport(err, &url)),
                Err(_) => Err(Error::Connection {
                    master: url,
                    source: Box::new(io::Error::other("the request thread ended without an answer")),
                }),
            },
            recv(stop) -> _ => Err(Error::Closed),
        }
    }
}

/// The body of an error response as text (lossy, capped).
pub(crate) fn error_text(response: Response<Body>) -> String {
    let mut bytes = Vec::new();
    let reader = response.into_body().into_reader();
    // A failure here only shortens the text of an error we already report.
    let _ = reader.take(MAX_ERROR_BODY).read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// Maps a non-success response to an error (404 is [`Error::NotFound`],
/// found in [`HttpSettings::post`], which knows the URL).
pub(crate) fn status_error(response: Response<Body>) -> Error {
    let status = response.status().as_u16();
    match status {
        401 => Error::Unauthorized {
            challenge: response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        },
        503 => Error::Unavailable {
            body: error_text(response),
        },
        _ => Error::Rejected {
            status,
            body: error_text(response),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let c = Credentials::new("alice", "s3cret-value").unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("alice"));
        assert!(!shown.contains("s3cret"));
        assert!(!shown.contains(&c.header));
    }

    #[test]
    fn header_is_standard_padded_base64() {
        let c = Credentials::new("user", "password").unwrap();
        assert_eq!(c.header, "Basic dXNlcjpwYXNzd29yZA==");
    }

    #[test]
    fn colon_is_refused() {
        assert!(Credentials::new("a:b", "c").is_err());
        assert!(Credentials::new("a", "b:c").is_err());
    }
}
