//! The operator API's schema and codecs against a real Mesos 1.12 master and
//! agent: every captured response decodes in both encodings and re-encodes to
//! the master's bytes, every record of the master's SUBSCRIBE stream decodes,
//! and the captured calls decode and re-encode.
//!
//! The data under `tests/data/operator/` was cut out of the byte-exact
//! transcripts: `<case>.call.{json,bin}` is the request body,
//! `<case>.status` the status line, `<case>.response.{json,bin,txt}` the body
//! (`txt` for the master's plain-text errors), `events-*/record-NN.*` one
//! RecordIO record each.

use mesos_http::codec::{json, protobuf, Encoding, Message};
use mesos_http::v1::{agent, master};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One captured case: its file stem and the files beside it.
struct Case {
    stem: PathBuf,
}

impl Case {
    fn name(&self) -> String {
        self.stem
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    fn read(&self, suffix: &str) -> Option<Vec<u8>> {
        let mut path = self.stem.clone().into_os_string();
        path.push(suffix);
        std::fs::read(path).ok()
    }

    fn status(&self) -> String {
        String::from_utf8(self.read(".status").unwrap())
            .unwrap()
            .trim_end()
            .to_string()
    }
}

fn cases(side: &str) -> Vec<Case> {
    let dir = Path::new("tests/data/operator").join(side);
    let mut stems: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "status"))
        .map(|p| p.with_extension(""))
        .collect();
    stems.sort();
    stems.into_iter().map(|stem| Case { stem }).collect()
}

fn records(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> =
        std::fs::read_dir(Path::new("tests/data/operator").join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
    out.sort();
    out
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

/// Decodes one captured body and checks what encoding it again gives:
///
/// - JSON: the master's document, key for key and in the same order, except
///   for keys listed in the returned set (dotted paths without indices) that
///   the master wrote and the encoder does not: empty lists (the encoder
///   omits them, as the scheduler API's master does) and fields the master
///   carries over from its internal messages but the v1 schema does not
///   declare;
/// - protobuf: the master's bytes exactly, unless the master's bytes carry
///   fields the v1 schema does not declare (the returned flag), in which
///   case the re-encoded value decodes to the same value and is shorter.
fn decode_checked<M: Message>(encoding: Encoding, bytes: &[u8], name: &str) -> (M, Vec<String>) {
    let value: M = encoding
        .decode(bytes)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = encoding.encode(&value);
    let mut dropped = Vec::new();
    match encoding {
        Encoding::Json => {
            let theirs: Value = serde_json::from_slice(bytes).unwrap();
            let ours: Value = serde_json::from_slice(&again).unwrap();
            compare(&theirs, &ours, "", &mut dropped, name);
            // Values and key order are equal; when nothing was dropped the
            // texts are equal too unless the master spelled a double with
            // more digits than the shortest form that reads back the same.
            if dropped.is_empty() && text(&again) != text(bytes) {
                dropped.push("(number spelling)".to_string());
            }
        }
        Encoding::Protobuf => {
            if again != bytes {
                let back: M = encoding.decode(&again).unwrap();
                assert_eq!(back, value, "{name}");
                assert!(again.len() < bytes.len(), "{name}");
                dropped.push("(undeclared protobuf fields)".to_string());
            }
        }
    }
    dropped.sort();
    dropped.dedup();
    (value, dropped)
}

/// Walks the master's document (`theirs`) against ours: equal values, same
/// key order; keys only the master has are pushed to `dropped`.
fn compare(theirs: &Value, ours: &Value, path: &str, dropped: &mut Vec<String>, name: &str) {
    match (theirs, ours) {
        (Value::Object(t), Value::Object(o)) => {
            let kept: Vec<&String> = t.keys().filter(|k| o.contains_key(*k)).collect();
            let ours_keys: Vec<&String> = o.keys().collect();
            assert_eq!(kept, ours_keys, "{name}: key order or extra keys at {path}");
            for (k, tv) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match o.get(k) {
                    Some(ov) => compare(tv, ov, &p, dropped, name),
                    None if tv == &Value::Array(vec![]) => dropped.push(format!("{p} (empty)")),
                    None => dropped.push(p),
                }
            }
        }
        (Value::Array(t), Value::Array(o)) => {
            assert_eq!(t.len(), o.len(), "{name}: {path}");
            for (tv, ov) in t.iter().zip(o) {
                compare(tv, ov, path, dropped, name);
            }
        }
        (Value::Number(t), Value::Number(o)) => {
            assert_eq!(t.to_string(), o.to_string(), "{name}: {path}");
        }
        _ => assert_eq!(theirs, ours, "{name}: {path}"),
    }
}

/// What one side's captured responses showed.
#[derive(Default)]
struct Seen {
    /// Response type names decoded from JSON bodies.
    json: BTreeSet<String>,
    /// Response type names decoded from protobuf bodies.
    protobuf: BTreeSet<String>,
    /// `case: path` of everything the master wrote that re-encoding drops.
    dropped: BTreeSet<String>,
}

/// Every successful response of one side, decoded and re-encoded.
fn responses_round_trip<M: Message>(side: &str, type_name: impl Fn(&M) -> &'static str) -> Seen {
    let mut seen = Seen::default();
    for case in cases(side) {
        let name = case.name();
        if case.status() != "HTTP/1.1 200 OK" {
            continue;
        }
        if let Some(bytes) = case.read(".response.json") {
            let (r, dropped) = decode_checked::<M>(Encoding::Json, &bytes, &name);
            seen.json.insert(type_name(&r).to_string());
            seen.dropped
                .extend(dropped.into_iter().map(|d| format!("{name}: {d}")));
        }
        if let Some(bytes) = case.read(".response.bin") {
            let (r, dropped) = decode_checked::<M>(Encoding::Protobuf, &bytes, &name);
            seen.protobuf.insert(type_name(&r).to_string());
            seen.dropped
                .extend(dropped.into_iter().map(|d| format!("{name}: {d}")));
        }
    }
    seen
}

fn master_type(r: &master::Response) -> &'static str {
    r.r#type.and_then(|t| t.name()).expect("a known type")
}

fn agent_type(r: &agent::Response) -> &'static str {
    r.r#type.and_then(|t| t.name()).expect("a known type")
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// Where re-encoding does not give the master's bytes, and why. The master
// writes GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS and GET_TASKS
// with its own JSON writer rather than from the v1 message: it writes the
// lists it has as `[]` when empty (the encoder, like the master's scheduler
// API, leaves empty lists out) and the agent's `checkpoint`, a field of its
// internal `SlaveInfo` that v1 `AgentInfo` does not declare; the same field
// reaches the protobuf answers as field 7 of `agent_info`, which the decoder
// skips. GET_METRICS writes doubles with 17 significant digits where the
// shortest spelling reads back the same.

const MASTER_DROPPED: &[&str] = &[
    "get-agents-json: get_agents.agents.agent_info.checkpoint",
    "get-agents-json: get_agents.recovered_agents (empty)",
    "get-agents-protobuf: (undeclared protobuf fields)",
    "get-agents-wrong-field-json: get_agents.agents.agent_info.checkpoint",
    "get-agents-wrong-field-json: get_agents.recovered_agents (empty)",
    "get-executors-json: get_executors.executors (empty)",
    "get-frameworks-json: get_frameworks.frameworks (empty)",
    "get-metrics-timeout-json: (number spelling)",
    "get-state-json: get_state.get_agents.agents.agent_info.checkpoint",
    "get-state-json: get_state.get_agents.recovered_agents (empty)",
    "get-state-json: get_state.get_executors.executors (empty)",
    "get-state-json: get_state.get_frameworks.frameworks (empty)",
    "get-state-json: get_state.get_tasks.tasks (empty)",
    "get-state-json: get_state.get_tasks.unreachable_tasks (empty)",
    "get-state-protobuf: (undeclared protobuf fields)",
    "get-tasks-json: get_tasks.tasks (empty)",
    "get-tasks-json: get_tasks.unreachable_tasks (empty)",
];

const AGENT_DROPPED: &[&str] = &[
    "get-agent-protobuf: (undeclared protobuf fields)",
    "get-executors-json: get_executors.executors (empty)",
    "get-frameworks-json: get_frameworks.frameworks (empty)",
    "get-state-json: get_state.get_executors.executors (empty)",
    "get-state-json: get_state.get_frameworks.frameworks (empty)",
    "get-state-json: get_state.get_tasks.launched_tasks (empty)",
    "get-state-json: get_state.get_tasks.pending_tasks (empty)",
    "get-state-json: get_state.get_tasks.queued_tasks (empty)",
    "get-state-json: get_state.get_tasks.terminated_tasks (empty)",
    "get-tasks-json: get_tasks.launched_tasks (empty)",
    "get-tasks-json: get_tasks.pending_tasks (empty)",
    "get-tasks-json: get_tasks.queued_tasks (empty)",
    "get-tasks-json: get_tasks.terminated_tasks (empty)",
];

const EVENTS_DROPPED: &[&str] = &[
    "record-00.bin: (undeclared protobuf fields)",
    "record-00.json: subscribed.get_state.get_agents.agents.agent_info.checkpoint",
    "record-00.json: subscribed.get_state.get_agents.recovered_agents (empty)",
    "record-00.json: subscribed.get_state.get_executors.executors (empty)",
    "record-00.json: subscribed.get_state.get_frameworks.frameworks (empty)",
    "record-00.json: subscribed.get_state.get_tasks.tasks (empty)",
    "record-00.json: subscribed.get_state.get_tasks.unreachable_tasks (empty)",
];

const MASTER_READS: &[&str] = &[
    "GET_AGENTS",
    "GET_EXECUTORS",
    "GET_FLAGS",
    "GET_FRAMEWORKS",
    "GET_HEALTH",
    "GET_LOGGING_LEVEL",
    "GET_MAINTENANCE_SCHEDULE",
    "GET_MAINTENANCE_STATUS",
    "GET_MASTER",
    "GET_OPERATIONS",
    "GET_QUOTA",
    "GET_ROLES",
    "GET_STATE",
    "GET_TASKS",
    "GET_VERSION",
    "GET_WEIGHTS",
];

#[test]
fn master_responses_decode_and_reencode_exactly_in_both_encodings() {
    let seen = responses_round_trip::<master::Response>("master", master_type);
    let mut with_metrics: BTreeSet<String> = names(MASTER_READS);
    with_metrics.insert("GET_METRICS".into());
    assert_eq!(
        seen.json, with_metrics,
        "GET_METRICS answered once, with a timeout"
    );
    assert_eq!(seen.protobuf, names(MASTER_READS));
    assert_eq!(seen.dropped, names(MASTER_DROPPED));
}

#[test]
fn agent_responses_decode_and_reencode_exactly_in_both_encodings() {
    let seen = responses_round_trip::<agent::Response>("agent", agent_type);
    let want = [
        "GET_AGENT",
        "GET_CONTAINERS",
        "GET_EXECUTORS",
        "GET_FLAGS",
        "GET_FRAMEWORKS",
        "GET_HEALTH",
        "GET_LOGGING_LEVEL",
        "GET_OPERATIONS",
        "GET_RESOURCE_PROVIDERS",
        "GET_STATE",
        "GET_TASKS",
        "GET_VERSION",
    ];
    assert_eq!(seen.json, names(&want));
    assert_eq!(seen.protobuf, names(&want));
    assert_eq!(seen.dropped, names(AGENT_DROPPED));
}

#[test]
fn master_response_values_land_in_the_model() {
    let read = |name: &str| std::fs::read(format!("tests/data/operator/master/{name}")).unwrap();
    let health: master::Response = json::decode(&read("get-health-json.response.json")).unwrap();
    assert_eq!(health.get_health.map(|h| h.healthy), Some(true));

    let version: master::Response =
        protobuf::decode(&read("get-version-protobuf.response.bin")).unwrap();
    let info = version.get_version.unwrap().version_info;
    assert_eq!(info.version, "1.12.0");

    let state: master::Response = json::decode(&read("get-state-json.response.json")).unwrap();
    let state = state.get_state.unwrap();
    let tasks = state.get_tasks.unwrap();
    assert!(
        !tasks.completed_tasks.is_empty(),
        "JSON lists completed tasks"
    );
    let agents = state.get_agents.unwrap();
    assert_eq!(agents.agents.len(), 1);
    assert_eq!(agents.agents[0].agent_info.port, Some(5051));

    // The 1.12 master leaves GET_TASKS empty in protobuf (see the captures).
    let pb_tasks: master::Response =
        protobuf::decode(&read("get-tasks-protobuf.response.bin")).unwrap();
    assert_eq!(
        pb_tasks.get_tasks,
        Some(master::response::GetTasks::default())
    );

    let metrics: master::Response =
        json::decode(&read("get-metrics-timeout-json.response.json")).unwrap();
    let metrics = metrics.get_metrics.unwrap().metrics;
    assert!(metrics.len() > 100, "{} metrics", metrics.len());
    assert!(metrics.iter().any(|m| m.name == "master/uptime_secs"));
}

#[test]
fn agent_response_values_land_in_the_model() {
    let read = |name: &str| std::fs::read(format!("tests/data/operator/agent/{name}")).unwrap();
    let got: agent::Response = protobuf::decode(&read("get-agent-protobuf.response.bin")).unwrap();
    let info = got.get_agent.unwrap().agent_info.unwrap();
    assert_eq!(info.hostname, "127.0.0.1");
    assert_eq!(info.port, Some(5051));

    let containers: agent::Response =
        json::decode(&read("get-containers-json.response.json")).unwrap();
    assert_eq!(
        containers.r#type,
        Some(agent::response::Type::GET_CONTAINERS)
    );
    assert_eq!(containers.get_containers, None, "no containers: no message");

    let tasks: agent::Response = json::decode(&read("get-tasks-json.response.json")).unwrap();
    let tasks = tasks.get_tasks.unwrap();
    assert!(!tasks.completed_tasks.is_empty());
}

// ---------------------------------------------------------------------------
// The master's SUBSCRIBE stream.

fn event_types(dir: &str, encoding: Encoding, dropped: &mut BTreeSet<String>) -> Vec<&'static str> {
    records(dir)
        .iter()
        .map(|(name, bytes)| {
            let (e, lost) = decode_checked::<master::Event>(encoding, bytes, name);
            dropped.extend(lost.into_iter().map(|d| format!("{name}: {d}")));
            e.r#type.and_then(|t| t.name()).expect("a known type")
        })
        .collect()
}

#[test]
fn master_stream_records_decode_and_reencode_exactly_in_both_encodings() {
    let want = [
        "SUBSCRIBED",
        "HEARTBEAT",
        "FRAMEWORK_ADDED",
        "TASK_ADDED",
        "TASK_UPDATED",
        "TASK_UPDATED",
        "TASK_UPDATED",
        "FRAMEWORK_REMOVED",
        "HEARTBEAT",
    ];
    let mut dropped = BTreeSet::new();
    assert_eq!(
        event_types("events-json", Encoding::Json, &mut dropped),
        want
    );
    assert_eq!(
        event_types("events-protobuf", Encoding::Protobuf, &mut dropped),
        want
    );
    assert_eq!(dropped, names(EVENTS_DROPPED));
}

#[test]
fn master_stream_values_land_in_the_model() {
    let records = records("events-json");
    let subscribed: master::Event = json::decode(&records[0].1).unwrap();
    let subscribed = subscribed.subscribed.unwrap();
    assert_eq!(subscribed.heartbeat_interval_seconds, Some(15.0));
    assert!(subscribed.get_state.unwrap().get_agents.is_some());

    let states: Vec<_> = records[4..7]
        .iter()
        .map(|(_, bytes)| {
            let e: master::Event = json::decode(bytes).unwrap();
            e.task_updated.unwrap().state
        })
        .collect();
    use mesos_http::v1::TaskState;
    assert_eq!(
        states,
        [
            TaskState::TASK_STARTING,
            TaskState::TASK_RUNNING,
            TaskState::TASK_FINISHED
        ]
    );
}

// ---------------------------------------------------------------------------
// Calls our capture client sent.

#[test]
fn captured_calls_decode_and_reencode() {
    for side in ["master", "agent"] {
        for case in cases(side) {
            let name = case.name();
            if let Some(bytes) = case.read(".call.bin") {
                let back = if side == "master" {
                    protobuf::encode(&protobuf::decode::<master::Call>(&bytes).unwrap())
                } else {
                    protobuf::encode(&protobuf::decode::<agent::Call>(&bytes).unwrap())
                };
                assert_eq!(back, bytes, "{name}");
            }
            if let Some(bytes) = case.read(".call.json") {
                let known = if side == "master" {
                    json::decode::<master::Call>(&bytes)
                        .map(|c| c.r#type.is_some_and(|t| t.is_known()))
                } else {
                    json::decode::<agent::Call>(&bytes)
                        .map(|c| c.r#type.is_some_and(|t| t.is_known()))
                };
                // The unknown type name, the missing type and SUBSCRIBE sent
                // to an agent (whose Call has no such type) are what the
                // master and agent reject; everything else is a known call.
                let rejected = name.contains("unknown-type")
                    || name.contains("missing-type")
                    || name.starts_with("subscribe-on-the-agent");
                assert_eq!(known, Ok(!rejected), "{name}");
            }
        }
    }
}
