//! The Operator HTTP API of the simulated master and its local agents, over
//! real HTTP with ureq, in both encodings: the read-only calls answer from
//! the cluster's state, and the media-type and error cases answer like the
//! captured Mesos 1.12 master (same codes and bodies, same check order).

mod sim_support;

use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::operator::{self, agent as agent_calls, master as master_calls};
use mesos_http::v1::agent::response as ar;
use mesos_http::v1::master::response as mr;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::{agent, master, value, CommandInfo, Resource, TaskID, TaskInfo, TaskState};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};
use sim_support::{framework_info, subscribe, Subscribed};

const WAIT: Duration = Duration::from_secs(15);

/// One answer: status, `Content-Type`, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// POSTs `body` to `url` with these headers; every status is an answer.
fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.post(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.send(body).expect("the sim answers");
    Answer {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("Content-Type")
            .map(|v| v.to_str().unwrap().to_string()),
        body: response.body_mut().read_to_vec().expect("a body"),
    }
}

/// Sends `call` in `encoding` (and accepts the same) and returns the answer.
fn send<M: mesos_http::codec::Message>(url: &str, encoding: Encoding, call: &M) -> Answer {
    let media = encoding.content_type();
    post(
        url,
        &[("Content-Type", media), ("Accept", media)],
        &encoding.encode(call),
    )
}

fn master_url(m: &SimMaster) -> String {
    format!("http://{}/api/v1", m.addr())
}

fn agent_url(m: &SimMaster, agent_id: &str) -> String {
    let executor = m.executor_url(agent_id).expect("a local agent");
    executor
        .strip_suffix("/executor")
        .expect("executor url")
        .to_string()
}

fn scalar(name: &str, v: f64) -> Resource {
    Resource {
        name: name.into(),
        r#type: value::Type::SCALAR,
        scalar: Some(value::Scalar { value: v }),
        ..Resource::default()
    }
}

/// A master with one scripted agent, a subscribed framework and one task
/// running on it (acknowledged up to RUNNING).
fn master_with_a_task() -> (SimMaster, Subscribed) {
    let m = SimMaster::start(
        SimConfig::fast(Duration::from_secs(5))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever())),
    )
    .unwrap();
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("op"));
    let offer = s
        .events
        .expect(EventType::OFFERS)
        .offers
        .unwrap()
        .offers
        .remove(0);
    let task = TaskInfo {
        name: "t1".into(),
        task_id: TaskID { value: "t1".into() },
        agent_id: offer.agent_id.clone(),
        resources: vec![scalar("cpus", 0.1), scalar("mem", 32.0)],
        command: Some(CommandInfo {
            value: Some("sleep 100".into()),
            shell: Some(true),
            ..CommandInfo::default()
        }),
        ..TaskInfo::default()
    };
    let accept = Call {
        r#type: Some(CallType::ACCEPT),
        accept: Some(call::Accept {
            offer_ids: vec![offer.id.clone()],
            operations: vec![mesos_http::call::launch(vec![task])],
            filters: None,
        }),
        ..Call::default()
    };
    assert_eq!(s.call(accept).code, 202);
    assert!(m.wait_for(
        |v| v
            .tasks()
            .iter()
            .any(|t| t.task_id == "t1" && t.state == TaskState::TASK_RUNNING),
        WAIT
    ));
    (m, s)
}

#[test]
fn master_read_only_calls_answer_from_the_state_in_both_encodings() {
    let (m, s) = master_with_a_task();
    let url = master_url(&m);
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let ask = |call: &master::Call| {
            let answer = send(&url, encoding, call);
            assert_eq!(answer.status, 200, "{call:?}: {}", answer.text());
            assert_eq!(
                answer.content_type.as_deref(),
                Some(encoding.content_type())
            );
            answer.body
        };
        let health: mr::GetHealth =
            operator::master_response(encoding, &ask(&master_calls::get_health())).unwrap();
        assert!(health.healthy);

        let version: mr::GetVersion =
            operator::master_response(encoding, &ask(&master_calls::get_version())).unwrap();
        assert_eq!(version.version_info.version, "1.12.0");

        let got: mr::GetMaster =
            operator::master_response(encoding, &ask(&master_calls::get_master())).unwrap();
        assert_eq!(got.master_info.unwrap().port, u32::from(m.addr().port()));

        let agents: mr::GetAgents =
            operator::master_response(encoding, &ask(&master_calls::get_agents())).unwrap();
        assert_eq!(agents.agents.len(), 1);
        assert!(agents.agents[0].active);

        let frameworks: mr::GetFrameworks =
            operator::master_response(encoding, &ask(&master_calls::get_frameworks())).unwrap();
        assert_eq!(frameworks.frameworks.len(), 1);
        assert_eq!(
            frameworks.frameworks[0]
                .framework_info
                .id
                .as_ref()
                .unwrap()
                .value,
            s.framework_id
        );
        assert!(frameworks.frameworks[0].connected);

        let tasks: mr::GetTasks =
            operator::master_response(encoding, &ask(&master_calls::get_tasks())).unwrap();
        assert_eq!(tasks.tasks.len(), 1, "listed in both encodings");
        assert_eq!(tasks.tasks[0].task_id.value, "t1");
        assert_eq!(tasks.tasks[0].state, TaskState::TASK_RUNNING);

        let state: mr::GetState =
            operator::master_response(encoding, &ask(&master_calls::get_state())).unwrap();
        assert_eq!(state.get_tasks.unwrap().tasks.len(), 1);
        assert_eq!(state.get_agents.unwrap().agents.len(), 1);
        assert_eq!(state.get_frameworks.unwrap().frameworks.len(), 1);
        assert!(state.get_executors.is_some());

        let executors: mr::GetExecutors =
            operator::master_response(encoding, &ask(&master_calls::get_executors())).unwrap();
        assert!(
            executors.executors.is_empty(),
            "command executors are not listed"
        );

        let roles: mr::GetRoles =
            operator::master_response(encoding, &ask(&master_calls::get_roles())).unwrap();
        assert_eq!(roles.roles.len(), 1);
        assert_eq!(roles.roles[0].name, "*");

        let flags: mr::GetFlags =
            operator::master_response(encoding, &ask(&master_calls::get_flags())).unwrap();
        assert!(flags.flags.iter().any(|f| f.name == "port"));

        let metrics: mr::GetMetrics =
            operator::master_response(encoding, &ask(&master_calls::get_metrics(None))).unwrap();
        let running = metrics
            .metrics
            .iter()
            .find(|x| x.name == "master/tasks_running")
            .unwrap();
        assert_eq!(running.value, Some(1.0));

        let operations: mr::GetOperations =
            operator::master_response(encoding, &ask(&master_calls::get_operations())).unwrap();
        assert!(operations.operations.is_empty());
    }
}

#[test]
fn master_answers_are_written_like_the_real_masters() {
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5))).unwrap();
    let url = master_url(&m);
    let answer = send(&url, Encoding::Json, &master_calls::get_health());
    assert_eq!(
        answer.text(),
        r#"{"type":"GET_HEALTH","get_health":{"healthy":true}}"#
    );
    let answer = send(&url, Encoding::Json, &master_calls::get_operations());
    assert_eq!(
        answer.text(),
        r#"{"type":"GET_OPERATIONS","get_operations":{}}"#
    );
    let answer = send(&url, Encoding::Protobuf, &master_calls::get_health());
    assert_eq!(answer.body, [0x08, 0x01, 0x12, 0x02, 0x08, 0x01]);
}

/// The media-type and path cases of the captured master, replayed: the
/// request's method, path, headers and body as captured, the sim's status
/// and body as captured.
#[test]
fn media_types_methods_and_paths_answer_like_the_captures() {
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5))).unwrap();
    let dir = std::path::Path::new("tests/data/operator/media");
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "request"))
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 12);
    for request in cases {
        let name = request.file_stem().unwrap().to_string_lossy().into_owned();
        let raw = std::fs::read(&request).unwrap();
        let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&raw[..head_end]).unwrap();
        let body = &raw[head_end + 4..];
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap().split(' ');
        let (method, path) = (request_line.next().unwrap(), request_line.next().unwrap());
        let headers: Vec<(&str, &str)> = lines
            .filter_map(|l| l.split_once(": "))
            .filter(|(n, _)| ["Content-Type", "Accept"].contains(n))
            .collect();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("http://{}{path}", m.addr());
        let mut response = if method == "GET" {
            let mut r = agent.get(&url);
            for (n, v) in &headers {
                r = r.header(*n, *v);
            }
            r.call().unwrap()
        } else {
            let mut r = agent.post(&url);
            for (n, v) in &headers {
                r = r.header(*n, *v);
            }
            r.send(body).unwrap()
        };
        let status = std::fs::read_to_string(dir.join(format!("{name}.status"))).unwrap();
        let want_code: u16 = status.split(' ').nth(1).unwrap().parse().unwrap();
        assert_eq!(response.status().as_u16(), want_code, "{name}");
        let want_body = std::fs::read(dir.join(format!("{name}.response.body"))).unwrap();
        let got_body = response.body_mut().read_to_vec().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got_body),
            String::from_utf8_lossy(&want_body),
            "{name}"
        );
        let want_head = std::fs::read_to_string(dir.join(format!("{name}.head"))).unwrap();
        let want_type = want_head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("Content-Type: "))
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("Content-Type")
                .map(|v| v.to_str().unwrap()),
            Some(want_type),
            "{name}"
        );
    }
}

/// The master's validation errors of the captures: same status and body.
#[test]
fn validation_errors_answer_like_the_captures() {
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5))).unwrap();
    let url = master_url(&m);
    let dir = std::path::Path::new("tests/data/operator/master");
    for name in [
        "get-metrics-json",
        "get-state-missing-type-json",
        "unknown-type-string-json",
        "mark-agent-gone-without-agent-json",
        "teardown-unknown-framework-json",
    ] {
        let call = std::fs::read(dir.join(format!("{name}.call.json"))).unwrap();
        let answer = post(
            &url,
            &[
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ],
            &call,
        );
        let want = std::fs::read_to_string(dir.join(format!("{name}.response.txt"))).unwrap();
        assert_eq!((answer.status, answer.text()), (400, want), "{name}");
    }
    let answer = post(
        &url,
        &[("Content-Type", "application/json")],
        br#"{"type":"GET_AGENTS","get_agents":5}"#,
    );
    assert_eq!(answer.status, 200, "unknown fields are ignored");
}

#[test]
fn calls_the_sim_does_not_carry_out_are_named_in_a_501() {
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5))).unwrap();
    let answer = send(&master_url(&m), Encoding::Json, &master_calls::get_quota());
    assert_eq!(answer.status, 501);
    assert_eq!(
        answer.text(),
        "The simulated master does not implement the operator call GET_QUOTA"
    );
}

#[test]
fn teardown_removes_a_known_framework() {
    let (m, s) = master_with_a_task();
    let id = mesos_http::v1::FrameworkID {
        value: s.framework_id.clone(),
    };
    let answer = send(&master_url(&m), Encoding::Json, &master_calls::teardown(id));
    assert_eq!((answer.status, answer.text()), (200, String::new()));
    assert!(m.wait_for(|v| v.frameworks().is_empty(), WAIT));
}

#[test]
fn local_agents_answer_their_read_only_calls_in_both_encodings() {
    let m =
        SimMaster::start(SimConfig::fast(Duration::from_secs(5)).with_agent(AgentSpec::local()))
            .unwrap();
    let agent_id = m.with_state(|v| v.agents()[0].clone());
    let url = agent_url(&m, &agent_id);
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let ask = |call: &agent::Call| {
            let answer = send(&url, encoding, call);
            assert_eq!(answer.status, 200, "{call:?}: {}", answer.text());
            answer.body
        };
        let health: ar::GetHealth =
            operator::agent_response(encoding, &ask(&agent_calls::get_health())).unwrap();
        assert!(health.healthy);
        let version: ar::GetVersion =
            operator::agent_response(encoding, &ask(&agent_calls::get_version())).unwrap();
        assert_eq!(version.version_info.version, "1.12.0");
        let state: ar::GetState =
            operator::agent_response(encoding, &ask(&agent_calls::get_state())).unwrap();
        assert!(state.get_tasks.unwrap().launched_tasks.is_empty());
        let containers: ar::GetContainers =
            operator::agent_response(encoding, &ask(&agent_calls::get_containers(None))).unwrap();
        assert!(containers.containers.is_empty());
        let frameworks: ar::GetFrameworks =
            operator::agent_response(encoding, &ask(&agent_calls::get_frameworks())).unwrap();
        assert!(frameworks.frameworks.is_empty());
        let executors: ar::GetExecutors =
            operator::agent_response(encoding, &ask(&agent_calls::get_executors())).unwrap();
        assert!(executors.executors.is_empty());
        let tasks: ar::GetTasks =
            operator::agent_response(encoding, &ask(&agent_calls::get_tasks())).unwrap();
        assert!(tasks.launched_tasks.is_empty());
        let got: ar::GetAgent =
            operator::agent_response(encoding, &ask(&agent_calls::get_agent())).unwrap();
        assert_eq!(got.agent_info.unwrap().id.unwrap().value, agent_id);
    }
    // No containers: the message is left out, as the real agent does.
    let answer = send(&url, Encoding::Json, &agent_calls::get_containers(None));
    assert_eq!(answer.text(), r#"{"type":"GET_CONTAINERS"}"#);
    // SUBSCRIBE is not an agent call: its name does not decode.
    let answer = post(
        &url,
        &[("Content-Type", "application/json")],
        br#"{"type": "SUBSCRIBE"}"#,
    );
    assert_eq!(
        (answer.status, answer.text()),
        (
            400,
            "Failed to validate agent::Call: Expecting 'type' to be present".to_string()
        )
    );
}

/// The master's event stream read through ureq, record by record.
struct OperatorEvents {
    body: Box<dyn std::io::Read + Send>,
    decoder: mesos_http::recordio::Decoder,
    encoding: Encoding,
}

impl OperatorEvents {
    fn open(m: &SimMaster, encoding: Encoding) -> (OperatorEvents, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A missed event fails the test instead of hanging it.
            .timeout_recv_body(Some(WAIT))
            .build()
            .into();
        let media = encoding.content_type();
        let response = agent
            .post(&master_url(m))
            .header("Content-Type", media)
            .header("Accept", media)
            .send(&encoding.encode(&master_calls::subscribe()))
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers().get("Mesos-Stream-Id").is_none());
        let content_type = response
            .headers()
            .get("Content-Type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let body = Box::new(response.into_body().into_reader());
        let events = OperatorEvents {
            body,
            decoder: mesos_http::recordio::Decoder::new(),
            encoding,
        };
        (events, content_type)
    }

    fn next(&mut self) -> master::Event {
        loop {
            if let Some(record) = self.decoder.pop().unwrap() {
                return self.encoding.decode(record).unwrap();
            }
            let mut buf = [0u8; 4096];
            let n = std::io::Read::read(&mut self.body, &mut buf).unwrap();
            assert!(n > 0, "stream ended");
            self.decoder.push(&buf[..n]).unwrap();
        }
    }

    /// The next event that is not a heartbeat.
    fn next_change(&mut self) -> master::Event {
        loop {
            let e = self.next();
            if e.r#type != Some(master::event::Type::HEARTBEAT) {
                return e;
            }
        }
    }
}

#[test]
fn the_master_event_stream_reports_state_and_changes_in_both_encodings() {
    use master::event::Type as E;
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let m = SimMaster::start(
            SimConfig::fast(Duration::from_secs(5))
                .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever())),
        )
        .unwrap();
        let (mut events, content_type) = OperatorEvents::open(&m, encoding);
        assert_eq!(content_type, encoding.content_type());
        let first = events.next();
        assert_eq!(first.r#type, Some(E::SUBSCRIBED));
        let subscribed = first.subscribed.unwrap();
        assert!(subscribed.heartbeat_interval_seconds.is_some());
        let state = subscribed.get_state.unwrap();
        assert_eq!(state.get_agents.unwrap().agents.len(), 1);
        assert_eq!(events.next().r#type, Some(E::HEARTBEAT), "{encoding:?}");

        let mut s = subscribe(m.addr(), Encoding::Json, framework_info("op-stream"));
        let added = events.next_change();
        assert_eq!(added.r#type, Some(E::FRAMEWORK_ADDED), "{added:?}");
        let framework = added.framework_added.unwrap().framework;
        assert_eq!(framework.framework_info.id.unwrap().value, s.framework_id);

        let offer = s
            .events
            .expect(EventType::OFFERS)
            .offers
            .unwrap()
            .offers
            .remove(0);
        let task = TaskInfo {
            name: "t1".into(),
            task_id: TaskID { value: "t1".into() },
            agent_id: offer.agent_id.clone(),
            resources: vec![scalar("cpus", 0.1), scalar("mem", 32.0)],
            command: Some(CommandInfo {
                value: Some("sleep 100".into()),
                shell: Some(true),
                ..CommandInfo::default()
            }),
            ..TaskInfo::default()
        };
        let accept = Call {
            r#type: Some(CallType::ACCEPT),
            accept: Some(call::Accept {
                offer_ids: vec![offer.id.clone()],
                operations: vec![mesos_http::call::launch(vec![task])],
                filters: None,
            }),
            ..Call::default()
        };
        assert_eq!(s.call(accept).code, 202);
        let task_added = events.next_change();
        assert_eq!(task_added.r#type, Some(E::TASK_ADDED), "{task_added:?}");
        let added = task_added.task_added.unwrap().task;
        assert_eq!(added.task_id.value, "t1");
        // Updates until RUNNING; changes made between two looks at the
        // state arrive as one (the task may be RUNNING when first seen).
        let mut state = added.state;
        while state != TaskState::TASK_RUNNING {
            let e = events.next_change();
            assert_eq!(e.r#type, Some(E::TASK_UPDATED), "{e:?}");
            let updated = e.task_updated.unwrap();
            assert_eq!(updated.framework_id.value, s.framework_id);
            assert_eq!(updated.status.task_id.value, "t1");
            state = updated.state;
        }

        let teardown = master_calls::teardown(mesos_http::v1::FrameworkID {
            value: s.framework_id.clone(),
        });
        assert_eq!(send(&master_url(&m), Encoding::Json, &teardown).status, 200);
        // The task's end, then the framework's removal.
        let removed = loop {
            let e = events.next_change();
            if e.r#type == Some(E::FRAMEWORK_REMOVED) {
                break e;
            }
            assert_eq!(e.r#type, Some(E::TASK_UPDATED), "{e:?}");
        };
        assert_eq!(
            removed.framework_removed.unwrap().framework_info.name,
            "op-stream"
        );
    }
}
