//! The simulated agent's executor endpoint over raw HTTP (the executor rows
//! of test-scenarios §13): status codes, bodies and the stream head exactly
//! as the agent answers, with no client library in between.

mod sim_support;

use std::net::SocketAddr;
use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::resources::scalar_resource;
use mesos_http::v1::executor::call::{Subscribe, Type, Update};
use mesos_http::v1::executor::event::Type as EventType;
use mesos_http::v1::executor::{Call, Event};
use mesos_http::v1::task_status::Source;
use mesos_http::v1::{
    CommandInfo, ExecutorID, ExecutorInfo, FrameworkID, TaskID, TaskInfo, TaskState, TaskStatus,
};
use mesos_http::{call, recordio};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};
use sim_support::{framework_info, post_raw, subscribe, Client, ENCODINGS};

const PATH: &str = "/slave(1)/api/v1/executor";

/// A master whose local agent runs executor `exec` (a placeholder process)
/// for framework `fid`; returns the agent's executor address.
struct Running {
    master: SimMaster,
    addr: SocketAddr,
    fid: String,
    env: Vec<(String, String)>,
    /// The scheduler's subscription, kept open.
    _scheduler: sim_support::Subscribed,
}

fn running_executor(config: SimConfig, checkpoint: bool) -> Running {
    let m = SimMaster::start(config.with_agent(AgentSpec::local())).unwrap();
    let mut info = framework_info("endpoint");
    info.checkpoint = Some(checkpoint);
    let mut s = subscribe(m.addr(), Encoding::Json, info);
    let offer = loop {
        let event = s.events.next_non_heartbeat();
        if let Some(offers) = event.offers {
            break offers.offers[0].clone();
        }
    };
    let task = TaskInfo {
        name: "t".into(),
        task_id: TaskID { value: "t".into() },
        agent_id: offer.agent_id.clone(),
        resources: vec![scalar_resource("cpus", 0.1)],
        executor: Some(ExecutorInfo {
            executor_id: ExecutorID {
                value: "exec".into(),
            },
            command: Some(CommandInfo {
                value: Some("sleep 600".into()),
                ..CommandInfo::default()
            }),
            ..ExecutorInfo::default()
        }),
        ..TaskInfo::default()
    };
    let accept = call::accept(vec![offer.id.clone()], vec![call::launch([task])], None);
    assert_eq!(s.call(accept).code, 202);
    assert!(m.wait_for(|v| v.executor("exec").is_some(), Duration::from_secs(15)));
    let env = m.with_state(|v| v.executor("exec").unwrap().environment);
    let endpoint = env
        .iter()
        .find(|(k, _)| k == "MESOS_AGENT_ENDPOINT")
        .unwrap()
        .1
        .parse()
        .unwrap();
    Running {
        master: m,
        addr: endpoint,
        fid: s.framework_id.clone(),
        env,
        _scheduler: s,
    }
}

fn executor_call(fid: &str, executor: &str, kind: Type) -> Call {
    Call {
        executor_id: ExecutorID {
            value: executor.into(),
        },
        framework_id: FrameworkID { value: fid.into() },
        r#type: Some(kind),
        ..Call::default()
    }
}

fn subscribe_call(fid: &str, executor: &str) -> Call {
    Call {
        subscribe: Some(Subscribe::default()),
        ..executor_call(fid, executor, Type::SUBSCRIBE)
    }
}

fn update_call(fid: &str, state: TaskState, uuid: Vec<u8>) -> Call {
    Call {
        update: Some(Update {
            status: TaskStatus {
                task_id: TaskID { value: "t".into() },
                state,
                source: Some(Source::SOURCE_EXECUTOR),
                uuid: Some(uuid),
                ..TaskStatus::default()
            },
        }),
        ..executor_call(fid, "exec", Type::UPDATE)
    }
}

fn post(addr: SocketAddr, encoding: Encoding, call: &Call) -> sim_support::Response {
    let ct = encoding.content_type();
    post_raw(
        addr,
        PATH,
        &[("Content-Type", ct), ("Accept", ct)],
        &encoding.encode(call),
    )
}

#[test]
fn the_agents_checks_and_wording() {
    let r = running_executor(SimConfig::fast(Duration::from_secs(5)), false);
    let (addr, fid) = (r.addr, r.fid.clone());
    let mut client = Client::connect(addr);
    let get = client.request("GET", PATH, &[], b"");
    assert_eq!(get.code, 405);
    assert_eq!(
        get.text(),
        "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'."
    );
    let body = Encoding::Json.encode(&subscribe_call(&fid, "exec"));
    let none = post_raw(addr, PATH, &[], &body);
    assert_eq!(
        (none.code, none.text().as_str()),
        (400, "Expecting 'Content-Type' to be present")
    );
    let bad = post_raw(addr, PATH, &[("Content-Type", "text/plain")], &body);
    assert_eq!(bad.code, 415);
    let garbage = post_raw(
        addr,
        PATH,
        &[("Content-Type", "application/x-protobuf")],
        b"\xff\xff",
    );
    assert_eq!(
        (garbage.code, garbage.text().as_str()),
        (400, "Failed to parse body into Call protobuf")
    );
    for encoding in ENCODINGS {
        // A valid protobuf that is not a valid call: no sub-message.
        let invalid = post(
            addr,
            encoding,
            &executor_call(&fid, "exec", Type::SUBSCRIBE),
        );
        assert_eq!(invalid.code, 400);
        assert_eq!(
            invalid.text(),
            "Failed to validate Executor::Call: Expecting 'subscribe' to be present"
        );
        let staging = post(
            addr,
            encoding,
            &update_call(
                &fid,
                TaskState::TASK_STAGING,
                mesos_http::validation::random_uuid_v4().to_vec(),
            ),
        );
        assert_eq!(staging.code, 400);
        assert!(staging
            .text()
            .starts_with("Failed to validate Executor::Call: "));
        let unknown = post(addr, encoding, &subscribe_call("no-such-framework", "exec"));
        assert_eq!(
            (unknown.code, unknown.text().as_str()),
            (400, "Framework cannot be found")
        );
        let unknown = post(addr, encoding, &subscribe_call(&fid, "no-such-executor"));
        assert_eq!(
            (unknown.code, unknown.text().as_str()),
            (400, "Executor cannot be found")
        );
        let early = post(
            addr,
            encoding,
            &update_call(
                &fid,
                TaskState::TASK_RUNNING,
                mesos_http::validation::random_uuid_v4().to_vec(),
            ),
        );
        assert_eq!(
            (early.code, early.text().as_str()),
            (403, "Executor is not subscribed")
        );
        let heartbeat = post(
            addr,
            encoding,
            &executor_call(&fid, "exec", Type::HEARTBEAT),
        );
        assert_eq!(heartbeat.code, 202);
    }
    let body = Encoding::Protobuf.encode(&subscribe_call(&fid, "exec"));
    let refused = post_raw(
        addr,
        PATH,
        &[
            ("Content-Type", "application/x-protobuf"),
            ("Accept", "text/html"),
        ],
        &body,
    );
    assert_eq!(refused.code, 406);
}

#[test]
fn subscribe_streams_subscribed_then_launch_without_a_stream_id() {
    for encoding in ENCODINGS {
        let r = running_executor(SimConfig::fast(Duration::from_secs(5)), false);
        let (addr, fid) = (r.addr, r.fid.clone());
        let mut client = Client::connect(addr);
        let body = encoding.encode(&subscribe_call(&fid, "exec"));
        // No Accept header: JSON, as the agent's default.
        client.send(
            "POST",
            "/api/v1/executor",
            &[("Content-Type", encoding.content_type())],
            &body,
        );
        let head = client.read_head().unwrap();
        assert_eq!(head.code, 200);
        assert_eq!(head.header("Content-Type"), Some("application/json"));
        assert_eq!(head.header("Transfer-Encoding"), Some("chunked"));
        assert_eq!(head.header("Mesos-Stream-Id"), None);
        let mut decoder = recordio::Decoder::new();
        let mut events = Vec::new();
        while events.len() < 2 {
            let chunk = client.next_chunk().unwrap().expect("a chunk");
            decoder
                .decode(&chunk, |r| {
                    events.push(Encoding::Json.decode::<Event>(r).unwrap())
                })
                .unwrap();
        }
        assert_eq!(events[0].r#type(), EventType::SUBSCRIBED);
        let subscribed = events[0].subscribed.as_ref().unwrap();
        assert_eq!(subscribed.executor_info.executor_id.value, "exec");
        assert!(subscribed.container_id.is_some());
        assert_eq!(events[1].r#type(), EventType::LAUNCH);
        assert_eq!(events[1].launch.as_ref().unwrap().task.task_id.value, "t");
        // Subscribed now: UPDATE is accepted and ACKNOWLEDGED on the stream.
        let uuid = mesos_http::validation::random_uuid_v4().to_vec();
        let update = post(
            addr,
            encoding,
            &update_call(&fid, TaskState::TASK_RUNNING, uuid.clone()),
        );
        assert_eq!(update.code, 202);
        let mut acked = Vec::new();
        while acked.is_empty() {
            let chunk = client.next_chunk().unwrap().expect("a chunk");
            decoder
                .decode(&chunk, |r| {
                    acked.push(Encoding::Json.decode::<Event>(r).unwrap())
                })
                .unwrap();
        }
        assert_eq!(acked[0].r#type(), EventType::ACKNOWLEDGED);
        assert_eq!(acked[0].acknowledged.as_ref().unwrap().uuid, uuid);
    }
}

#[test]
fn executor_authentication_uses_the_token_the_agent_gave() {
    let mut config = SimConfig::fast(Duration::from_secs(5));
    config.authenticate_executors = true;
    let r = running_executor(config, false);
    let (addr, fid) = (r.addr, r.fid.clone());
    let token = r
        .env
        .iter()
        .find(|(k, _)| k == "MESOS_EXECUTOR_AUTHENTICATION_TOKEN")
        .map(|(_, v)| v.clone())
        .expect("a token in the environment");
    let body = Encoding::Json.encode(&executor_call(&fid, "exec", Type::HEARTBEAT));
    let ct = ("Content-Type", "application/json");
    let missing = post_raw(addr, PATH, &[ct], &body);
    assert_eq!(missing.code, 401);
    assert_eq!(
        missing.header("WWW-Authenticate"),
        Some("Bearer realm=\"mesos-agent-executor\"")
    );
    let wrong = post_raw(addr, PATH, &[ct, ("Authorization", "Bearer nope")], &body);
    assert_eq!(wrong.code, 401);
    let bearer = format!("Bearer {token}");
    let right = post_raw(addr, PATH, &[ct, ("Authorization", &bearer)], &body);
    assert_eq!(right.code, 202);
    let other = Encoding::Json.encode(&executor_call(&fid, "someone-else", Type::HEARTBEAT));
    let claims = post_raw(addr, PATH, &[ct, ("Authorization", &bearer)], &other);
    assert_eq!(claims.code, 403);
}

#[test]
fn a_restarting_agent_refuses_connections_then_recovers() {
    let mut config = SimConfig::fast(Duration::from_secs(5));
    // The agent waits this long for checkpointing executors to come back.
    config.executor_backoff_max = Duration::from_secs(30);
    let r = running_executor(config, true);
    let (addr, fid) = (r.addr, r.fid.clone());
    let agent = r.master.with_state(|v| v.agents()[0].clone());
    assert!(r.master.restart_agent(&agent, Duration::from_millis(500)));
    // Down: the connection closes without an answer.
    let mut client = Client::connect(addr);
    let body = Encoding::Json.encode(&executor_call(&fid, "exec", Type::HEARTBEAT));
    client.send("POST", PATH, &[("Content-Type", "application/json")], &body);
    assert!(client.read_head().is_err(), "no answer while down");
    std::thread::sleep(Duration::from_millis(700));
    // Recovering: the checkpointing executor is not back yet.
    let uuid = mesos_http::validation::random_uuid_v4().to_vec();
    let refused = post(
        addr,
        Encoding::Json,
        &update_call(&fid, TaskState::TASK_RUNNING, uuid),
    );
    assert_eq!(
        (refused.code, refused.text().as_str()),
        (503, "Agent has not finished recovery")
    );
    let heartbeat = post(
        addr,
        Encoding::Json,
        &executor_call(&fid, "exec", Type::HEARTBEAT),
    );
    assert_eq!(heartbeat.code, 202);
    // It subscribes: recovery is complete.
    let mut stream = Client::connect(addr);
    let body = Encoding::Json.encode(&subscribe_call(&fid, "exec"));
    stream.send("POST", PATH, &[("Content-Type", "application/json")], &body);
    assert_eq!(stream.read_head().unwrap().code, 200);
    assert!(r.master.wait_for(
        |v| v.executor("exec").is_some_and(|e| e.connected),
        Duration::from_secs(15)
    ));
    let uuid = mesos_http::validation::random_uuid_v4().to_vec();
    let accepted = post(
        addr,
        Encoding::Json,
        &update_call(&fid, TaskState::TASK_RUNNING, uuid),
    );
    assert_eq!(accepted.code, 202);
}
