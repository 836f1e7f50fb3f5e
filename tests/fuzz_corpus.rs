//! Replays the fuzz corpus (and any saved crash artifacts) through the same
//! checks the fuzz targets run, so every seed and every past crash is a
//! regression test under plain `cargo test`.
//!
//! Call seeds are named `call-<type>[-detail]` (real clients' calls, in
//! `.json` and `.pb`); executor seeds `event-<type>.json|.pb`; pipeline
//! seeds (encoding byte, chunking byte, stream) `ok-...` or
//! `err-<RecordIoError variant>-...`.
//!
//! RecordIO seeds are named for their expected outcome: `ok-<records>-...`
//! or `err-<RecordIoError variant>-...`. Codec seeds named `event-<kind>`
//! are real event records from a Mesos master and must decode to that kind;
//! `bad-...` seeds must be rejected.

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};

use mesos_http::event::Event as TypedEvent;
use mesos_http::v1::executor::Event as ExecutorEvent;
use mesos_http::v1::scheduler::{call, event, Event};
use mesos_http::v1::TaskState;
use mesos_http::validation;

const FUZZ_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");

/// Every input for `target`: its corpus, then its crash artifacts if any.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let dir: PathBuf = [FUZZ_DIR, dir, target].iter().collect();
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable directory entry").path();
            if path.is_file() {
                files.push((file_name(&path), fs::read(&path).expect("readable file")));
            }
        }
    }
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn recordio_corpus_gives_the_outcome_each_seed_is_named_for() {
    let files = inputs("recordio_decode");
    let mut named = 0;
    for (name, data) in &files {
        let outcome = harness::recordio_decode(data);
        if let Some(rest) = name.strip_prefix("ok-") {
            let count: usize = rest.split('-').next().unwrap().parse().unwrap();
            assert_eq!(outcome.error, None, "{name}");
            assert_eq!(outcome.records.len(), count, "{name}");
            named += 1;
        } else if let Some(rest) = name.strip_prefix("err-") {
            let variant = rest.split('-').next().unwrap();
            let error = outcome.error.unwrap_or_else(|| panic!("{name}: no error"));
            assert!(
                format!("{error:?}").starts_with(variant),
                "{name}: got {error:?}"
            );
            named += 1;
        }
    }
    assert!(named >= 13, "seed corpus missing: {named} named seeds");
}

#[test]
fn recordio_capture_seeds_split_into_the_captured_events() {
    let json = fs::read(format!(
        "{FUZZ_DIR}/corpus/recordio_decode/ok-5-json-capture"
    ))
    .unwrap();
    let outcome = harness::recordio_decode(&json);
    let records: Vec<&[u8]> = outcome.records.iter().map(Vec::as_slice).collect();
    assert!(records[0].starts_with(b"{\"type\":\"SUBSCRIBED\""));
    assert_eq!(records[1], b"{\"type\":\"HEARTBEAT\"}");
    assert!(records[2].starts_with(b"{\"type\":\"OFFERS\""));
    assert_eq!(records[3..], [b"{\"type\":\"HEARTBEAT\"}"; 2]);
    let offers = fs::read(format!(
        "{FUZZ_DIR}/corpus/json_event_decode/event-offers.json"
    ))
    .unwrap();
    assert_eq!(records[2], &offers[..]);

    let protobuf = fs::read(format!(
        "{FUZZ_DIR}/corpus/recordio_decode/ok-4-protobuf-capture"
    ))
    .unwrap();
    let outcome = harness::recordio_decode(&protobuf);
    let lengths: Vec<usize> = outcome.records.iter().map(Vec::len).collect();
    assert_eq!(lengths, [188, 2, 293, 2]);
    assert_eq!(outcome.records[1], [0x08, 0x08], "HEARTBEAT is type 8");
}

#[test]
fn codec_corpus_replays_without_panic() {
    // The harness panics if a decoded event does not survive a round trip.
    let json = inputs("json_event_decode");
    let protobuf = inputs("protobuf_event_decode");
    assert!(
        json.len() >= 6 && protobuf.len() >= 4,
        "seed corpus missing"
    );
    for (name, data) in &json {
        if harness::json_event_decode(data).is_ok() {
            assert!(!name.starts_with("bad-"), "{name} should be rejected");
        }
    }
    for (name, data) in &protobuf {
        if harness::protobuf_event_decode(data).is_ok() {
            assert!(!name.starts_with("bad-"), "{name} should be rejected");
        }
    }
}

/// Checks what a real master's record of kind `kind` must decode to.
fn check_event(name: &str, event: &Event, framework_id: &str) {
    match name.split('.').next().unwrap() {
        "event-subscribed" => {
            assert_eq!(event.r#type(), event::Type::SUBSCRIBED, "{name}");
            let subscribed = event.subscribed.as_ref().expect("subscribed");
            assert_eq!(subscribed.framework_id.value, framework_id);
            assert_eq!(subscribed.heartbeat_interval_seconds, Some(15.0));
        }
        "event-heartbeat" => {
            assert_eq!(
                event,
                &Event {
                    r#type: Some(event::Type::HEARTBEAT),
                    ..Event::default()
                }
            );
        }
        "event-offers" => {
            assert_eq!(event.r#type(), event::Type::OFFERS, "{name}");
            assert_eq!(event.offers.as_ref().expect("offers").offers.len(), 1);
        }
        "event-update" => {
            assert_eq!(event.r#type(), event::Type::UPDATE, "{name}");
            let status = &event.update.as_ref().expect("update").status;
            assert_eq!(status.task_id.value, "t-echo");
            assert_eq!(status.state, TaskState::TASK_STARTING);
        }
        "event-error" => {
            assert_eq!(event.r#type(), event::Type::ERROR, "{name}");
            assert_eq!(
                event.error.as_ref().expect("error").message,
                "Framework failed over"
            );
        }
        other => panic!("no expectation for seed {other}"),
    }
}

#[test]
fn real_json_event_records_decode_to_the_expected_events() {
    for (name, data) in inputs("json_event_decode") {
        let result = harness::json_event_decode(&data);
        if name.starts_with("event-") {
            let event = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            check_event(&name, &event, "b2d35daf-ff1b-4410-81a9-028faa714a2d-0000");
        } else if name.starts_with("bad-") {
            assert!(result.is_err(), "{name} should be rejected");
        } else if name == "dropped-unknown-enum.json" {
            // `"protocol":"IPv3"`: an unknown name in an optional enum field
            // is dropped, as the master does (wire-facts c).
            let event = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let status = &event.update.as_ref().expect("update").status;
            let container = status.container_status.as_ref().expect("container_status");
            let address = &container.network_infos[0].ip_addresses[0];
            assert_eq!(address.protocol, None);
            assert_eq!(address.ip_address.as_deref(), Some("127.0.0.1"));
        }
    }
}

#[test]
fn real_protobuf_event_records_decode_to_the_expected_events() {
    for (name, data) in inputs("protobuf_event_decode") {
        let result = harness::protobuf_event_decode(&data);
        if name.starts_with("event-") {
            let event = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            check_event(&name, &event, "b2d35daf-ff1b-4410-81a9-028faa714a2d-0001");
        } else if name.starts_with("bad-") {
            assert!(result.is_err(), "{name} should be rejected");
        }
    }
}

/// The call type a seed named `call-<type>[-detail].<ext>` holds: the
/// longest known type whose name (lower case, `-` for `_`) starts the name.
fn named_call_type(name: &str) -> call::Type {
    let rest = name
        .strip_prefix("call-")
        .and_then(|r| r.split('.').next())
        .unwrap_or_else(|| panic!("{name}: not a call seed"))
        .replace('_', "-");
    (0..64)
        .map(call::Type)
        .filter_map(|t| t.name().map(|n| (t, n.to_lowercase().replace('_', "-"))))
        .filter(|(_, n)| rest == *n || rest.starts_with(&format!("{n}-")))
        .max_by_key(|(_, n)| n.len())
        .map(|(t, _)| t)
        .unwrap_or_else(|| panic!("{name}: no call type in the name"))
}

#[test]
fn call_seeds_decode_to_the_named_valid_call_in_both_encodings() {
    let json = inputs("json_call_decode");
    let protobuf = inputs("protobuf_call_decode");
    assert!(
        json.len() >= 30 && protobuf.len() >= 30,
        "seed corpus missing"
    );
    let mut paired = 0;
    for (name, data) in json.iter().chain(&protobuf) {
        let decoded = if name.ends_with(".json") {
            harness::json_call_decode(data)
        } else {
            harness::protobuf_call_decode(data)
        };
        if !name.starts_with("call-") {
            continue; // a saved crash input: it only has to not panic
        }
        let call = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(call.r#type(), named_call_type(name), "{name}");
        // Real clients' calls, accepted by a real master.
        if let Err(e) = validation::validate(&call) {
            panic!("{name} refused: {}", e.body());
        }
        if let Some(stem) = name.strip_suffix(".json") {
            if let Some((_, pb)) = protobuf.iter().find(|(n, _)| *n == format!("{stem}.pb")) {
                let from_pb = harness::protobuf_call_decode(pb).unwrap();
                assert_eq!(from_pb, call, "{stem}: the encodings disagree");
                paired += 1;
            }
        }
    }
    assert!(paired >= 30, "only {paired} calls seeded in both encodings");
}

#[test]
fn executor_event_seeds_decode_to_the_named_event_in_their_encoding() {
    let files = inputs("executor_event_decode");
    let mut kinds = std::collections::BTreeSet::new();
    for (name, data) in &files {
        let outcome = harness::executor_event_decode(data);
        let (json, protobuf) = (outcome.json, outcome.protobuf);
        if let Some(rest) = name.strip_prefix("event-") {
            let (kind, ext) = rest.rsplit_once('.').unwrap();
            let event = match ext {
                "json" => json.unwrap_or_else(|e| panic!("{name}: {e}")),
                "pb" => protobuf.unwrap_or_else(|e| panic!("{name}: {e}")),
                other => panic!("{name}: unknown extension {other}"),
            };
            let expected = kind.to_uppercase().replace('-', "_");
            assert_eq!(event.r#type().name(), Some(expected.as_str()), "{name}");
            // The payload that goes with the type is there.
            let has_payload = match expected.as_str() {
                "SUBSCRIBED" => event.subscribed.is_some(),
                "LAUNCH" => event.launch.is_some(),
                "LAUNCH_GROUP" => event.launch_group.is_some(),
                "KILL" => event.kill.is_some(),
                "ACKNOWLEDGED" => event.acknowledged.is_some(),
                "MESSAGE" => event.message.is_some(),
                "ERROR" => event.error.is_some(),
                _ => true,
            };
            assert!(has_payload, "{name}: payload missing");
            if ext == "pb" {
                let json_twin = files
                    .iter()
                    .find(|(n, _)| *n == format!("event-{kind}.json"))
                    .map(|(_, d)| mesos_http::codec::json::decode::<ExecutorEvent>(d).unwrap());
                assert_eq!(
                    json_twin.as_ref(),
                    Some(&event),
                    "{name}: encodings disagree"
                );
            }
            kinds.insert(expected);
        } else if name.starts_with("bad-") {
            assert!(
                json.is_err() && protobuf.is_err(),
                "{name} should be rejected"
            );
        }
    }
    assert_eq!(
        kinds.len(),
        9,
        "every executor event type seeded: {kinds:?}"
    );
}

#[test]
fn pipeline_seeds_give_the_outcome_each_is_named_for() {
    let files = inputs("event_pipeline");
    let mut named = 0;
    for (name, data) in &files {
        let outcome = harness::event_pipeline(data);
        if name.starts_with("ok-") {
            assert_eq!(outcome.framing, None, "{name}");
            assert!(outcome.events.len() >= 4, "{name}: {outcome:?}");
            for event in &outcome.events {
                let event = event.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    !matches!(event, TypedEvent::Unknown(_)),
                    "{name}: {event:?}"
                );
            }
            assert!(matches!(outcome.events[0], Ok(TypedEvent::Subscribed(_))));
            named += 1;
        } else if let Some(rest) = name.strip_prefix("err-") {
            let variant = rest.split('-').next().unwrap();
            let error = outcome
                .framing
                .unwrap_or_else(|| panic!("{name}: no error"));
            assert!(
                format!("{error:?}").starts_with(variant),
                "{name}: got {error:?}"
            );
            named += 1;
        }
    }
    assert!(named >= 5, "seed corpus missing: {named} named seeds");
    // The JSON capture seed carries the same stream as the RecordIO seed.
    let json = &files
        .iter()
        .find(|(n, _)| n == "ok-json-capture")
        .unwrap()
        .1;
    let outcome = harness::event_pipeline(json);
    assert_eq!(outcome.encoding, mesos_http::Encoding::Json);
    let kinds: Vec<_> = outcome
        .events
        .iter()
        .map(|e| e.as_ref().unwrap().kind())
        .collect();
    use mesos_http::v1::scheduler::event::Type;
    assert_eq!(
        kinds,
        [
            Type::SUBSCRIBED,
            Type::HEARTBEAT,
            Type::OFFERS,
            Type::HEARTBEAT,
            Type::HEARTBEAT
        ]
    );
}

/// Operator seeds: `*.json` must decode as JSON and `*.pb` as protobuf
/// (real master and agent bytes); `bad-*` must be refused in both; the
/// harness checks every decode's round trip. Returns how many decoded.
fn replay_operator<M>(
    target: &str,
    decode: impl Fn(&[u8]) -> harness::OperatorOutcome<M>,
    typed: impl Fn(&M) -> bool,
) -> usize {
    let mut decoded = 0;
    for (name, data) in inputs(target) {
        let outcome = decode(&data);
        if name.starts_with("bad-") {
            assert!(outcome.json.is_err(), "{name} read as JSON");
            assert!(outcome.protobuf.is_err(), "{name} read as protobuf");
        } else if name.ends_with(".json") {
            let m = outcome.json.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(typed(&m), "{name}: no known type");
            decoded += 1;
        } else if name.ends_with(".pb") {
            let m = outcome.protobuf.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(typed(&m), "{name}: no known type");
            decoded += 1;
        }
    }
    decoded
}

#[test]
fn operator_corpora_decode_as_named() {
    use mesos_http::v1::{agent, master};
    let events = replay_operator(
        "operator_master_event_decode",
        harness::operator_master_event_decode,
        |e: &master::Event| e.r#type.is_some_and(|t| t.is_known()),
    );
    assert_eq!(events, 18, "9 captured records in each encoding");
    let master = replay_operator(
        "operator_master_response_decode",
        harness::operator_master_response_decode,
        |r: &master::Response| r.r#type.is_some_and(|t| t.is_known()),
    );
    assert!(master >= 30, "master seeds missing: {master}");
    let agent = replay_operator(
        "operator_agent_response_decode",
        harness::operator_agent_response_decode,
        |r: &agent::Response| r.r#type.is_some_and(|t| t.is_known()),
    );
    assert!(agent >= 24, "agent seeds missing: {agent}");
}
