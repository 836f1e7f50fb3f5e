//! `POST /api/v1/scheduler`: the master's checks in their exact order
//! (wire-facts a.2), each failing with the real status, headers and body,
//! then the dispatch of valid calls to the cluster.

use std::time::Instant;

use base64::Engine;
use crossbeam_channel::Receiver;

use mesos_http::codec::{DecodeErrorKind, Encoding};
use mesos_http::v1::scheduler::call::Type;
use mesos_http::v1::scheduler::Call;

use super::accept;
use super::cluster::{Shared, StreamHandle, StreamMsg};
use super::http::{Request, Response};
use super::ids;

/// What the connection should do with a request.
#[derive(Debug)]
pub enum Outcome {
    /// Write this response.
    Respond(Response),
    /// Write a SUBSCRIBE stream head, then the records arriving on `rx`.
    Stream {
        /// The `Mesos-Stream-Id`.
        stream_id: String,
        /// Negotiated encoding.
        encoding: Encoding,
        /// Records and control messages.
        rx: Receiver<StreamMsg>,
        /// Whether the head carries `Mesos-Stream-Id` (the master's streams
        /// do, the agent's executor streams do not).
        announce_stream_id: bool,
    },
}

const REALM: &str = "mesos-master-scheduler";

pub(super) fn respond(code: u16, body: impl Into<String>) -> Outcome {
    Outcome::Respond(Response::text(code, body))
}

/// The path the handler sees after libprocess's delegation rewrite, or `None`
/// for paths outside the scheduler endpoint.
fn canonical_path(path: &str) -> Option<String> {
    let trimmed = path.trim_end_matches('/');
    match trimmed {
        "/api/v1/scheduler" => Some(format!("/master{path}")),
        "/master/api/v1/scheduler" => Some(path.to_string()),
        _ => None,
    }
}

/// The principal of valid Basic credentials; `Err` means 401.
fn authenticate(request: &Request, credentials: &[(String, String)]) -> Result<Option<String>, ()> {
    if credentials.is_empty() {
        return Ok(None);
    }
    let header = request.header("Authorization").ok_or(())?;
    let encoded = header.strip_prefix("Basic ").ok_or(())?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| ())?;
    let text = String::from_utf8(decoded).map_err(|_| ())?;
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 2 {
        return Err(());
    }
    credentials
        .iter()
        .find(|(p, s)| p == parts[0] && s == parts[1])
        .map(|(p, _)| Some(p.clone()))
        .ok_or(())
}

/// The master's wording for a JSON syntax error, which comes from picojson:
/// `syntax error at line N near: <rest of line N>`.
///
/// The JSON codec reports syntax errors in serde_json's words (its
/// `DecodeError::detail()`), which is right for a client library; only this
/// simulated master needs the real master's text, so the translation lives
/// here and not in the codec. picojson prints the line number, then every
/// character left on that line after the point where it stopped reading,
/// dropping control characters (`\r`, `\t`...).
///
/// Verified against the captures (e-errors E4 and E4b): a body cut off
/// mid-object (`{"type":"REVIVE",`) and an empty body both give
/// `syntax error at line 1 near: ` with nothing after it, because picojson
/// read to the end. For errors before the end, serde_json's column stands in
/// for picojson's read position; the two may differ by one character, and no
/// capture pins that case down.
fn picojson_syntax_error(body: &[u8]) -> String {
    let (line, column) = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => (e.line().max(1), e.column()),
        Ok(_) => (1, body.len()),
    };
    let text = String::from_utf8_lossy(body);
    let rest: String = text
        .split('\n')
        .nth(line - 1)
        .unwrap_or("")
        .chars()
        .skip(column)
        .filter(|c| *c >= ' ')
        .collect();
    format!("syntax error at line {line} near: {rest}")
}

/// The checks every v1 endpoint (scheduler and executor) makes before it
/// looks at the call: method POST (405), a `Content-Type` (400) that is JSON
/// or protobuf, compared exactly (415), and a body that decodes (400, in
/// libprocess's words).
pub(super) fn decode_post<M: mesos_http::codec::Message>(
    request: &Request,
) -> Result<(Encoding, M), Outcome> {
    if request.method != "POST" {
        return Err(Outcome::Respond(
            Response::text(
                405,
                format!(
                    "405 Method Not Allowed. Expecting one of {{ 'POST' }}, but received '{}'.",
                    request.method
                ),
            )
            .with_header("Allow", "POST"),
        ));
    }
    let Some(content_type) = request.header("Content-Type") else {
        return Err(respond(400, "Expecting 'Content-Type' to be present"));
    };
    let Some(encoding) = Encoding::from_content_type(content_type) else {
        return Err(respond(
            415,
            "Expecting 'Content-Type' of application/json or application/x-protobuf",
        ));
    };
    encoding
        .decode(&request.body)
        .map(|call| (encoding, call))
        .map_err(|e| {
            respond(
                400,
                match (encoding, e.kind()) {
                    (Encoding::Protobuf, _) => {
                        "Failed to parse body into Call protobuf".to_string()
                    }
                    // The codec's detail is serde_json's text; the master's is picojson's.
                    (Encoding::Json, DecodeErrorKind::Syntax) => format!(
                        "Failed to parse body into JSON: {}",
                        picojson_syntax_error(&request.body)
                    ),
                    (Encoding::Json, _) => {
                        format!("Failed to convert JSON into Call protobuf: {}", e.detail())
                    }
                },
            )
        })
}

/// A new subscription stream with a fresh id: the cluster's end and the
/// connection's.
pub(super) fn new_stream(encoding: Encoding) -> (StreamHandle, Receiver<StreamMsg>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = StreamHandle {
        id: ids::uuid_v4_string(),
        encoding,
        tx,
        next_heartbeat: Instant::now(),
    };
    (handle, rx)
}

/// The answer to SUBSCRIBE's `Accept` header: the encoding, or 406.
pub(super) fn negotiate_accept(request: &Request) -> Result<Encoding, Outcome> {
    accept::negotiate(request.header("Accept")).ok_or_else(|| {
        respond(
            406,
            "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
        )
    })
}

/// Runs the checks for one request received by master `master`.
pub fn handle(shared: &Shared, master: usize, request: &Request) -> Outcome {
    let Some(path) = canonical_path(request.path()) else {
        return respond(404, "404 Not Found.");
    };
    let (credentials, leader, masters, forced_redirect) = shared.update(|state| {
        if let Some(count) = state.requests_received.get_mut(master) {
            *count += 1;
        }
        (
            state.credentials.clone(),
            state.leader,
            state.masters.clone(),
            state.faults.redirects.get(&master).cloned(),
        )
    });
    // 1. Authentication (only when credentials are configured).
    let principal = match authenticate(request, &credentials) {
        Ok(p) => p,
        Err(()) => {
            return Outcome::Respond(
                Response::text(401, "401 Unauthorized.")
                    .with_header("WWW-Authenticate", format!("Basic realm=\"{REALM}\"")),
            )
        }
    };
    // 3. Not the leader: redirect, or 503 without one. An injected redirect
    // stands for a master with a wrong idea of who leads (whether it leads
    // or not), so that tests can build cycles.
    if let Some(location) = forced_redirect {
        return Outcome::Respond(Response::empty(307).with_header("Location", location));
    }
    if leader != Some(master) {
        return match leader.and_then(|l| masters.get(l)) {
            None => respond(503, "No leader elected"),
            Some(m) => {
                let query = request.query().map(|q| format!("?{q}")).unwrap_or_default();
                Outcome::Respond(
                    Response::empty(307)
                        .with_header("Location", format!("//127.0.0.1:{}{path}{query}", m.port)),
                )
            }
        };
    }
    // 4. Injected unavailability (the master's "still recovering" answer).
    let unavailable = shared.update(|c| {
        if c.faults.fail_next > 0 {
            c.faults.fail_next -= 1;
            true
        } else {
            false
        }
    });
    if unavailable {
        return respond(503, "Master has not finished recovery");
    }
    // 5-8. Method, Content-Type, decoding.
    let call: Call = match decode_post(request) {
        Ok((_, call)) => call,
        Err(outcome) => return outcome,
    };
    // 9. Validation (including the SUBSCRIBE principal rule).
    if let Err(e) = mesos_http::validation::validate_as(&call, principal.as_deref()) {
        return respond(400, e.body());
    }
    let ty = call.r#type();
    // 10. Accept negotiation for the calls that answer in a body.
    let negotiated = if ty == Type::SUBSCRIBE || ty == Type::RECONCILE_OPERATIONS {
        match negotiate_accept(request) {
            Ok(e) => Some(e),
            Err(outcome) => return outcome,
        }
    } else {
        None
    };
    // 11. SUBSCRIBE: the status is committed now; the rest happens on the stream.
    if ty == Type::SUBSCRIBE {
        if request.header("Mesos-Stream-Id").is_some() {
            return respond(
                400,
                "Subscribe calls should not include the 'Mesos-Stream-Id' header",
            );
        }
        let encoding = negotiated.unwrap_or(Encoding::Json);
        let (handle, rx) = new_stream(encoding);
        let stream_id = handle.id.clone();
        let subscribe = call.subscribe.unwrap_or_default();
        shared.update(|c| c.subscribe(subscribe, principal.as_deref(), handle, Instant::now()));
        return Outcome::Stream {
            stream_id,
            encoding,
            rx,
            announce_stream_id: true,
        };
    }
    non_subscribe(shared, request, call, principal)
}

/// Checks 12-18 and the dispatch, all under one lock so they see one state.
fn non_subscribe(
    shared: &Shared,
    request: &Request,
    call: Call,
    principal: Option<String>,
) -> Outcome {
    let framework_id = call.framework_id.clone().unwrap_or_default().value;
    shared.update(|c| {
        let now = Instant::now();
        let Some(framework) = c.frameworks.get(&framework_id) else {
            return respond(400, "Framework cannot be found");
        };
        if let Some(p) = &principal {
            if framework.info.principal.as_deref() != Some(p.as_str()) {
                return respond(
                    400,
                    format!(
                        "Authenticated principal '{p}' does not match principal '{}' set in `FrameworkInfo`",
                        framework.info.principal.clone().unwrap_or_default()
                    ),
                );
            }
        }
        let Some(stream) = framework.stream.as_ref() else {
            return respond(403, "Framework is not subscribed");
        };
        let Some(sent) = request.header("Mesos-Stream-Id") else {
            return respond(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        };
        if sent != stream.id {
            return respond(
                400,
                format!("The stream ID '{sent}' included in this request didn't match the stream ID currently associated with framework ID {framework_id}"),
            );
        }
        let accepted = Outcome::Respond(Response::empty(202));
        let fid = framework_id.as_str();
        match call.r#type() {
            Type::TEARDOWN => c.remove_framework(fid),
            Type::ACCEPT => c.accept(fid, call.accept.unwrap_or_default(), now),
            Type::DECLINE => {
                let decline = call.decline.unwrap_or_default();
                let refuse = decline.filters.and_then(|f| f.refuse_seconds).unwrap_or(5.0);
                let ids: Vec<String> = decline.offer_ids.into_iter().map(|o| o.value).collect();
                c.decline(fid, &ids, refuse, now);
            }
            Type::REVIVE => c.revive(fid, call.revive.map(|r| r.roles).unwrap_or_default()),
            Type::SUPPRESS => c.suppress(fid, call.suppress.map(|s| s.roles).unwrap_or_default()),
            Type::KILL => c.kill(fid, call.kill.unwrap_or_default(), now),
            Type::SHUTDOWN => {
                let s = call.shutdown.unwrap_or_default();
                c.shutdown_executor(fid, &s.executor_id.value, &s.agent_id.value, now);
            }
            Type::ACKNOWLEDGE => {
                let a = call.acknowledge.unwrap_or_default();
                c.acknowledge(fid, &a.agent_id.value, &a.task_id.value, &a.uuid, now);
            }
            Type::RECONCILE => c.reconcile(fid, call.reconcile.unwrap_or_default().tasks),
            Type::RECONCILE_OPERATIONS => {
                c.reconcile_operations(fid, call.reconcile_operations.unwrap_or_default().operations)
            }
            Type::MESSAGE => {
                let m = call.message.unwrap_or_default();
                c.message_to_executor(fid, &m.agent_id.value, &m.executor_id.value, &m.data);
                c.messages.push((m.agent_id.value, m.executor_id.value, m.data));
            }
            Type::UPDATE_FRAMEWORK => {
                let update = call.update_framework.unwrap_or_default();
                return match c.update_framework(fid, update, principal.as_deref()) {
                    Ok(()) => Outcome::Respond(Response::empty(200)),
                    Err((code, body)) => respond(code, body),
                };
            }
            Type::UNKNOWN => return respond(501, "501 Not Implemented."),
            // REQUEST, inverse offers, operation acknowledgements: queued and ignored.
            _ => {}
        }
        accepted
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_use_the_masters_wording() {
        assert_eq!(
            picojson_syntax_error(br#"{"type":"REVIVE","#),
            "syntax error at line 1 near: "
        );
        assert_eq!(picojson_syntax_error(b""), "syntax error at line 1 near: ");
        // Not captured: the line number is right, the text after `near:`
        // is the documented approximation.
        assert_eq!(
            picojson_syntax_error(b"{\n  x: 1}"),
            "syntax error at line 2 near: : 1}"
        );
        // picojson drops control characters from the rest of the line.
        assert_eq!(
            picojson_syntax_error(b"{\n  x:\t1}\r\n}"),
            "syntax error at line 2 near: :1}"
        );
    }

    #[test]
    fn canonical_paths() {
        assert_eq!(
            canonical_path("/api/v1/scheduler").as_deref(),
            Some("/master/api/v1/scheduler")
        );
        assert_eq!(
            canonical_path("/api/v1/scheduler/").as_deref(),
            Some("/master/api/v1/scheduler/")
        );
        assert_eq!(
            canonical_path("/master/api/v1/scheduler").as_deref(),
            Some("/master/api/v1/scheduler")
        );
        assert_eq!(canonical_path("/api/v1/nope"), None);
        assert_eq!(canonical_path("/"), None);
    }

    #[test]
    fn basic_auth_rules() {
        let creds = vec![("p".to_string(), "s".to_string())];
        let req = |value: Option<&str>| Request {
            method: "POST".into(),
            target: "/".into(),
            http10: false,
            headers: value
                .map(|v| vec![("Authorization".to_string(), v.to_string())])
                .unwrap_or_default(),
            body: vec![],
        };
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(authenticate(&req(None), &[]), Ok(None));
        assert_eq!(authenticate(&req(None), &creds), Err(()));
        assert_eq!(
            authenticate(&req(Some(&format!("Basic {}", b64("p:s")))), &creds),
            Ok(Some("p".into()))
        );
        assert_eq!(
            authenticate(&req(Some(&format!("basic {}", b64("p:s")))), &creds),
            Err(())
        );
        assert_eq!(
            authenticate(&req(Some(&format!("Basic {}", b64("p:x")))), &creds),
            Err(())
        );
        assert_eq!(
            authenticate(&req(Some(&format!("Basic {}", b64("p:s:x")))), &creds),
            Err(())
        );
    }
}
