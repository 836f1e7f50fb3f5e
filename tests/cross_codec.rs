//! JSON → model → protobuf → model must give the same model (and the other
//! way round), over every real master record and request body the tests
//! carry: the two codecs agree on one typed model, so a framework can switch
//! encodings without its values changing.

use mesos_http::codec::{json, protobuf, Message};
use mesos_http::recordio::Decoder;
use mesos_http::v1::scheduler::{Call, Event};
use std::path::Path;

fn json_files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(Path::new("tests/data/json").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

/// Decodes `bytes` as JSON, carries the model through protobuf and back, and
/// returns the model for further checks.
fn json_then_protobuf<M: Message>(name: &str, bytes: &[u8]) -> M {
    let from_json: M = json::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let wire = protobuf::encode(&from_json);
    let from_protobuf: M = protobuf::decode(&wire).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        from_protobuf, from_json,
        "{name}: JSON → protobuf changed the model"
    );
    from_json
}

#[test]
fn captured_json_events_survive_protobuf() {
    let files = json_files("events");
    assert!(
        files.len() >= 30,
        "the captured events are in tests/data/json/events"
    );
    let mut updates = 0;
    for (name, bytes) in &files {
        let event: Event = json_then_protobuf(name, bytes);
        updates += usize::from(event.update.is_some());
    }
    assert!(
        updates >= 10,
        "the corpus holds task updates (uuid bytes, doubles)"
    );
}

#[test]
fn captured_json_calls_survive_protobuf() {
    let files = json_files("calls");
    assert!(
        files.len() >= 30,
        "the captured calls are in tests/data/json/calls"
    );
    for (name, bytes) in &files {
        let _: Call = json_then_protobuf(name, bytes);
    }
}

#[test]
fn captured_protobuf_events_survive_json() {
    // The chunked HTTP body of the captured protobuf stream, de-chunked, then
    // split into RecordIO records.
    let raw = std::fs::read("tests/data/pb/b-subscribe-protobuf.stream.raw").unwrap();
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut body = Vec::new();
    let mut rest = &raw[head_end..];
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
        if size == 0 {
            break;
        }
        body.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
        rest = &rest[line_end + 2 + size + 2..];
    }
    let mut records = Vec::new();
    Decoder::new()
        .decode(&body, |r| records.push(r.to_vec()))
        .unwrap();
    assert!(records.len() >= 3, "SUBSCRIBED, HEARTBEAT, OFFERS at least");
    for (i, record) in records.iter().enumerate() {
        let from_protobuf: Event = protobuf::decode(record).unwrap();
        let text = json::encode(&from_protobuf);
        let from_json: Event = json::decode(&text).unwrap();
        // JSON writes declared defaults of unset fields, which then read back
        // as set: compare after one more protobuf pass of the JSON model.
        let again: Event = protobuf::decode(&protobuf::encode(&from_json)).unwrap();
        assert_eq!(again, from_json, "record {i}: protobuf and JSON disagree");
        assert_eq!(from_json.r#type, from_protobuf.r#type, "record {i}");
        assert_eq!(
            String::from_utf8_lossy(&json::encode(&from_json)),
            String::from_utf8_lossy(&text),
            "record {i}: the JSON model does not write back the same text"
        );
    }
}
