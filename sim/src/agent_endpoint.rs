//! `POST /slave(1)/api/v1/executor` (also reachable as `/api/v1/executor`)
//! on a local agent: the agent's checks (wire-facts g.3) with its wording,
//! then the dispatch of executor calls to the cluster.

use std::time::Instant;

use mesos_http::v1::executor::call::Type;
use mesos_http::v1::executor::Call;

use super::cluster::Shared;
use super::endpoint::{decode_post, negotiate_accept, new_stream, respond, Outcome};
use super::http::{Request, Response};

const REALM: &str = "mesos-agent-executor";

fn is_executor_path(path: &str) -> bool {
    matches!(
        path.trim_end_matches('/'),
        "/slave(1)/api/v1/executor" | "/api/v1/executor"
    )
}

/// Runs the checks for one request to agent `agent_id`'s executor endpoint.
pub fn handle(shared: &Shared, agent_id: &str, request: &Request) -> Outcome {
    if !is_executor_path(request.path()) {
        return respond(404, "404 Not Found.");
    }
    // Authentication (agent flag --authenticate_http_executors): the token
    // the agent gave the executor, as `Authorization: Bearer`.
    let authenticated = shared.update(|c| {
        if !c.authenticate_executors {
            return Ok(None);
        }
        request
            .header("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(|token| c.executor_of_token(agent_id, token))
            .map(Some)
            .ok_or(())
    });
    let Ok(authenticated) = authenticated else {
        return Outcome::Respond(
            Response::text(401, "401 Unauthorized.")
                .with_header("WWW-Authenticate", format!("Bearer realm=\"{REALM}\"")),
        );
    };
    let call: Call = match decode_post(request) {
        Ok((_, call)) => call,
        Err(outcome) => return outcome,
    };
    if let Err(e) = mesos_http::validation::validate_executor_call(&call) {
        return respond(400, e.body());
    }
    let key = (
        call.framework_id.value.clone(),
        agent_id.to_string(),
        call.executor_id.value.clone(),
    );
    if authenticated.as_ref().is_some_and(|k| *k != key) {
        return respond(
            403,
            "The principal is not authorized to act as this executor",
        );
    }
    let kind = call.r#type();
    let now = Instant::now();
    let recovering = shared.update(|c| c.agent_recovering(agent_id, now));
    if recovering && kind != Type::SUBSCRIBE && kind != Type::HEARTBEAT {
        return respond(503, "Agent has not finished recovery");
    }
    match kind {
        Type::SUBSCRIBE => {
            let encoding = match negotiate_accept(request) {
                Ok(encoding) => encoding,
                Err(outcome) => return outcome,
            };
            let (handle, rx) = new_stream(encoding);
            let stream_id = handle.id.clone();
            let subscribe = call.subscribe.unwrap_or_default();
            match shared.update(|c| c.executor_subscribe(&key, subscribe, handle, now)) {
                Ok(()) => Outcome::Stream {
                    stream_id,
                    encoding,
                    rx,
                    announce_stream_id: false,
                },
                Err((code, body)) => respond(code, body),
            }
        }
        Type::UPDATE | Type::MESSAGE => match shared.update(|c| c.executor_call(&key, call, now)) {
            Ok(()) => Outcome::Respond(Response::empty(202)),
            Err((code, body)) => respond(code, body),
        },
        Type::HEARTBEAT => Outcome::Respond(Response::empty(202)),
        _ => respond(501, "501 Not Implemented."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executor_paths() {
        assert!(is_executor_path("/slave(1)/api/v1/executor"));
        assert!(is_executor_path("/api/v1/executor/"));
        assert!(!is_executor_path("/api/v1/scheduler"));
    }
}
