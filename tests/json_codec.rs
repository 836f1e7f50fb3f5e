//! The JSON codec against the real master: its captured events re-encode
//! byte for byte, the documentation's examples decode, and every quirk of the
//! Mesos (stout) mapping behaves as the master does.

use mesos_http::codec::json::{decode, encode};
use mesos_http::codec::DecodeErrorKind;
use mesos_http::v1::scheduler::{call, event, Call, Event};
use mesos_http::v1::{self, value};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(Path::new("tests/data/json").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
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

fn call(json: &str) -> Call {
    decode(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn call_error(json: &str) -> (DecodeErrorKind, String) {
    let e = decode::<Call>(json.as_bytes()).expect_err(json);
    (e.kind(), e.detail().to_string())
}

fn encoded<M: mesos_http::codec::json::JsonMessage>(m: &M) -> String {
    String::from_utf8(encode(m)).unwrap()
}

// ---------------------------------------------------------------------------
// Captured master output.

#[test]
fn master_events_reencode_byte_for_byte() {
    let events = files("events");
    assert!(events.len() >= 30, "event records missing");
    let mut types = std::collections::BTreeSet::new();
    for (name, bytes) in &events {
        let event: Event = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ty = event.r#type.expect("type").name().expect("known type");
        types.insert(ty);
        assert_eq!(text(&encode(&event)), text(bytes), "{name}");
    }
    let want = [
        "ERROR",
        "HEARTBEAT",
        "OFFERS",
        "SUBSCRIBED",
        "UPDATE",
        "UPDATE_OPERATION_STATUS",
    ];
    assert_eq!(types.into_iter().collect::<Vec<_>>(), want);
}

#[test]
fn master_event_values_are_read_into_the_model() {
    let bytes = std::fs::read("tests/data/json/events/d-03.json").unwrap();
    let event: Event = decode(&bytes).unwrap();
    let status = event.update.unwrap().status;
    assert_eq!(status.task_id.value, "t-echo");
    assert_eq!(status.state, v1::TaskState::TASK_STARTING);
    assert_eq!(
        status.source,
        Some(v1::task_status::Source::SOURCE_EXECUTOR)
    );
    assert_eq!(status.timestamp, Some(1795310423.784355));
    assert_eq!(
        status.uuid.as_deref(),
        Some(
            &[
                0x97, 0xbf, 0xf3, 0xa0, 0x92, 0xf3, 0x41, 0xe8, 0x94, 0x9c, 0x67, 0x8a, 0xff, 0xbd,
                0x39, 0x20
            ][..]
        )
    );
    let container = status.container_status.unwrap();
    assert_eq!(container.executor_pid, Some(29274));
    assert_eq!(
        container.network_infos[0].ip_addresses[0].protocol,
        Some(v1::network_info::Protocol::IPv4)
    );

    let bytes = std::fs::read("tests/data/json/events/a-00.json").unwrap();
    let subscribed = decode::<Event>(&bytes).unwrap().subscribed.unwrap();
    let master = subscribed.master_info.unwrap();
    assert_eq!(master.ip, 16777343);
    assert_eq!(master.port, 5050);
    assert_eq!(subscribed.heartbeat_interval_seconds, Some(15.0));
}

/// Calls our capture client sent (not master output, so not canonical:
/// `"value":32` for a double, defaults left out): they decode, and
/// re-encoding changes nothing but number spelling and added defaults.
#[test]
fn captured_calls_decode_and_reencode_equivalently() {
    let calls = files("calls");
    assert!(calls.len() >= 30);
    for (name, bytes) in &calls {
        let c: Call = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(c.r#type.is_some_and(|t| t.is_known()), "{name}");
        let out = encode(&c);
        let added = equivalent(bytes, &out, name);
        for path in &added {
            let leaf = path.rsplit('.').next().unwrap();
            assert!(
                [
                    "failover_timeout",
                    "checkpoint",
                    "refuse_seconds",
                    "shell",
                    "protocol"
                ]
                .contains(&leaf),
                "{name}: unexpected key {path}"
            );
        }
        // A second pass is stable.
        let again: Call = decode(&out).unwrap();
        assert_eq!(encode(&again), out, "{name}");
    }
}

/// Compares two JSON documents: numbers by value, objects key by key. Keys
/// only `output` has are returned (dotted); keys only `input` has are allowed
/// when their value is an empty array (the encoder omits empty lists).
fn equivalent(input: &[u8], output: &[u8], name: &str) -> Vec<String> {
    let a: Value = serde_json::from_slice(input).unwrap();
    let b: Value = serde_json::from_slice(output).unwrap();
    let mut added = Vec::new();
    compare(&a, &b, String::new(), &mut added, name);
    added
}

fn compare(a: &Value, b: &Value, path: String, added: &mut Vec<String>, name: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            assert_eq!(x.as_f64(), y.as_f64(), "{name}: {path}");
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match y.get(k) {
                    Some(vb) => compare(va, vb, p, added, name),
                    None => assert_eq!(va, &Value::Array(vec![]), "{name}: {p} dropped"),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                added.push(if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                });
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{name}: {path}");
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                compare(va, vb, format!("{path}[{i}]"), added, name);
            }
        }
        (Value::String(x), Value::String(y)) if x != y => {
            // A bytes field in non-canonical base64 (no padding, stray bits)
            // comes back canonical: compare the bytes.
            use base64::engine::{general_purpose, DecodePaddingMode, Engine, GeneralPurpose};
            let lenient = GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                general_purpose::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
                    .with_decode_allow_trailing_bits(true),
            );
            let (dx, dy) = (lenient.decode(x), lenient.decode(y));
            assert!(dx.is_ok() && dx == dy, "{name}: {path}: {x:?} vs {y:?}");
            assert_eq!(
                general_purpose::STANDARD.encode(dy.unwrap()),
                *y,
                "{name}: {path}"
            );
        }
        _ => assert_eq!(a, b, "{name}: {path}"),
    }
}

// ---------------------------------------------------------------------------
// The documentation's examples (typos fixed; see tests/data/json/docs/README.md).

#[test]
fn documented_examples_decode_and_reencode_equivalently() {
    let docs = files("docs");
    assert_eq!(docs.len(), 20);
    for (name, bytes) in &docs {
        let (out, added) = if name.starts_with("call-") {
            let c: Call = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let out = encode(&c);
            // Stable from here on (the model itself differs where the
            // encoder added declared defaults).
            assert_eq!(encode(&decode::<Call>(&out).unwrap()), out, "{name}");
            (out.clone(), equivalent(bytes, &out, name))
        } else {
            let e: Event = decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let out = encode(&e);
            assert_eq!(decode::<Event>(&out).unwrap(), e, "{name}");
            assert_eq!(encode(&decode::<Event>(&out).unwrap()), out, "{name}");
            (out.clone(), equivalent(bytes, &out, name))
        };
        let want: &[&str] = match name.as_str() {
            // (sorted: serde_json's map orders keys)
            "call-subscribe.json" => &[
                "subscribe.framework_info.checkpoint",
                "subscribe.framework_info.failover_timeout",
            ],
            _ => &[],
        };
        assert_eq!(added, want, "{name}: {}", text(&out));
    }
}

#[test]
fn documented_values_land_in_the_right_fields() {
    let offers: Event =
        decode(&std::fs::read("tests/data/json/docs/event-offers.json").unwrap()).unwrap();
    let offer = &offers.offers.unwrap().offers[0];
    assert_eq!(offer.id.value, "12214-23523-O235235");
    assert_eq!(offer.resources[0].scalar.as_ref().unwrap().value, 2.0);
    assert_eq!(
        offer.attributes[0].text.as_ref().unwrap().value,
        "ubuntu16.04"
    );
    let ack: Call =
        decode(&std::fs::read("tests/data/json/docs/call-acknowledge.json").unwrap()).unwrap();
    // 22 base64 characters without padding: 16 bytes, the lone bits dropped.
    assert_eq!(ack.acknowledge.unwrap().uuid.len(), 16);
    let accept: Call =
        decode(&std::fs::read("tests/data/json/docs/call-accept.json").unwrap()).unwrap();
    let accept = accept.accept.unwrap();
    assert_eq!(accept.filters.unwrap().refuse_seconds, Some(5.0));
    let task = &accept.operations[0].launch.as_ref().unwrap().task_infos[0];
    assert_eq!(
        task.executor
            .as_ref()
            .unwrap()
            .command
            .as_ref()
            .unwrap()
            .value
            .as_deref(),
        Some("sleep 1000")
    );
}

// ---------------------------------------------------------------------------
// Encoding rules.

#[test]
fn declared_defaults_are_written_when_unset_but_not_deprecated_ones() {
    let info = v1::FrameworkInfo {
        user: "u".into(),
        name: "n".into(),
        ..Default::default()
    };
    assert_eq!(
        encoded(&info),
        r#"{"user":"u","name":"n","failover_timeout":0.0,"checkpoint":false}"#
    );
    let resource = v1::Resource {
        name: "cpus".into(),
        r#type: value::Type::SCALAR,
        scalar: Some(value::Scalar { value: 0.5 }),
        ..Default::default()
    };
    // `role` defaults to "*" but is deprecated: not written.
    assert_eq!(
        encoded(&resource),
        r#"{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}"#
    );
    let cmd = v1::CommandInfo::default();
    assert_eq!(encoded(&cmd), r#"{"shell":true}"#);
    let ip = v1::network_info::IPAddress::default();
    assert_eq!(encoded(&ip), r#"{"protocol":"IPv4"}"#);
    assert_eq!(
        encoded(&v1::Filters::default()),
        r#"{"refuse_seconds":5.0}"#
    );
}

#[test]
fn defaults_present_in_input_are_accepted() {
    let c = call(
        r#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","failover_timeout":0.0,"checkpoint":false,"role":"*"}}}"#,
    );
    let info = c.subscribe.unwrap().framework_info;
    assert_eq!(info.failover_timeout, Some(0.0));
    assert_eq!(info.checkpoint, Some(false));
    assert_eq!(info.role.as_deref(), Some("*"));
}

#[test]
fn unknown_enum_numbers_are_not_written() {
    let c = Call {
        r#type: Some(call::Type(999)),
        ..Default::default()
    };
    assert_eq!(encoded(&c), "{}");
    let ip = v1::network_info::IPAddress {
        protocol: Some(v1::network_info::Protocol(77)),
        ..Default::default()
    };
    // Unknown = unset, so the declared default is written.
    assert_eq!(encoded(&ip), r#"{"protocol":"IPv4"}"#);
    let caps = v1::CapabilityInfo {
        capabilities: vec![
            v1::capability_info::Capability(5),
            v1::capability_info::Capability::CHOWN,
            v1::capability_info::Capability(6),
        ],
    };
    assert_eq!(encoded(&caps), r#"{"capabilities":["CHOWN"]}"#);
    let none = v1::CapabilityInfo {
        capabilities: vec![v1::capability_info::Capability(5)],
    };
    assert_eq!(encoded(&none), "{}");
    let status = v1::TaskStatus {
        task_id: v1::TaskID { value: "t".into() },
        state: v1::TaskState(99),
        ..Default::default()
    };
    assert_eq!(encoded(&status), r#"{"task_id":{"value":"t"}}"#);
}

#[test]
fn double_formatting_table() {
    for (v, want) in [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-1.0, "-1.0"),
        (15.0, "15.0"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (1e21, "1e21"),
        (1e20, "100000000000000000000.0"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (1e300, "1e300"),
        (1795310423.784355, "1795310423.784355"),
        (f64::INFINITY, "\"Infinity\""),
        (f64::NEG_INFINITY, "\"-Infinity\""),
        (f64::NAN, "\"NaN\""),
    ] {
        let f = v1::Filters {
            refuse_seconds: Some(v),
        };
        let json = encoded(&f);
        assert_eq!(json, format!("{{\"refuse_seconds\":{want}}}"), "{v:e}");
        let back: v1::Filters = decode(json.as_bytes()).unwrap();
        let got = back.refuse_seconds.unwrap();
        if v.is_nan() {
            assert!(got.is_nan());
        } else {
            assert_eq!(got.to_bits(), v.to_bits(), "{json}");
        }
    }
}

#[test]
fn strings_escape_only_quote_backslash_and_control_characters() {
    let label = v1::Label {
        key: "a\"b\\c/d".into(),
        value: Some("\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f} é ☃ 😀 \u{7f}".into()),
    };
    let json = encoded(&label);
    assert_eq!(
        json,
        "{\"key\":\"a\\\"b\\\\c/d\",\"value\":\"\\u0000\\b\\t\\n\\u000B\\f\\r\\u001F é ☃ 😀 \u{7f}\"}"
    );
    assert_eq!(decode::<v1::Label>(json.as_bytes()).unwrap(), label);
    // Escaped input (also surrogate pairs) decodes.
    let l: v1::Label = decode(br#"{"key":"\u00e9\ud83d\ude00\/"}"#).unwrap();
    assert_eq!(l.key, "é😀/");
}

#[test]
fn bytes_are_padded_standard_base64() {
    let msg = call::Message {
        data: b"user:password".to_vec(),
        ..Default::default()
    };
    assert!(encoded(&msg).contains(r#""data":"dXNlcjpwYXNzd29yZA==""#));
    let all: Vec<u8> = (0..=255).collect();
    let msg = call::Message {
        data: all.clone(),
        ..Default::default()
    };
    let json = encoded(&msg);
    assert!(json.contains('+') && json.contains('/'));
    assert_eq!(decode::<call::Message>(json.as_bytes()).unwrap().data, all);
}

#[test]
fn integer_limits_round_trip_exactly() {
    for n in [
        -9223372036854775807i64,
        9223372036854775807,
        i64::MIN,
        0,
        -1,
    ] {
        let t = v1::TimeInfo { nanoseconds: n };
        let json = encoded(&t);
        assert_eq!(json, format!("{{\"nanoseconds\":{n}}}"));
        assert_eq!(decode::<v1::TimeInfo>(json.as_bytes()).unwrap(), t);
    }
    for n in [18446744073709551615u64, 9223372036854775808, 4294967295, 0] {
        let r = value::Range { begin: n, end: n };
        let json = encoded(&r);
        assert_eq!(json, format!("{{\"begin\":{n},\"end\":{n}}}"));
        assert_eq!(decode::<value::Range>(json.as_bytes()).unwrap(), r);
        // Also as strings (better than the master, which reads these as 0).
        let quoted = format!("{{\"begin\":\"{n}\",\"end\":\"{n}\"}}");
        assert_eq!(decode::<value::Range>(quoted.as_bytes()).unwrap(), r);
    }
    let m: v1::MasterInfo = decode(br#"{"id":"m","ip":4294967295,"port":5050}"#).unwrap();
    assert_eq!(m.ip, u32::MAX);
}

#[test]
fn maps_are_objects() {
    let mut limits = BTreeMap::new();
    limits.insert("cpus".to_string(), value::Scalar { value: 1.5 });
    limits.insert("mem".to_string(), value::Scalar { value: 64.0 });
    let task = v1::TaskInfo {
        name: "t".into(),
        limits,
        ..Default::default()
    };
    let json = encoded(&task);
    assert!(
        json.ends_with(r#""limits":{"cpus":{"value":1.5},"mem":{"value":64.0}}}"#),
        "{json}"
    );
    assert_eq!(decode::<v1::TaskInfo>(json.as_bytes()).unwrap(), task);
}

// ---------------------------------------------------------------------------
// Decoding rules.

#[test]
fn numbers_and_booleans_as_strings() {
    let t: v1::TimeInfo = decode(br#"{"nanoseconds":"-42"}"#).unwrap();
    assert_eq!(t.nanoseconds, -42);
    let f: v1::Filters = decode(br#"{"refuse_seconds":"2.5"}"#).unwrap();
    assert_eq!(f.refuse_seconds, Some(2.5));
    let c = call(
        r#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","checkpoint":"true"}}}"#,
    );
    assert_eq!(c.subscribe.unwrap().framework_info.checkpoint, Some(true));
    let r: value::Range = decode(br#"{"begin":"007","end":"1e3"}"#).unwrap();
    assert_eq!((r.begin, r.end), (7, 1000));
    // Leading zeros in number literals (which the master's parser takes but
    // no master writes) are a syntax error here, as in serde_json.
    for text in [
        &br#"{"begin":007,"end":1}"#[..],
        br#"{"begin":1,"end":0012.50e1}"#,
    ] {
        let e = decode::<value::Range>(text).unwrap_err();
        assert_eq!(e.kind(), DecodeErrorKind::Syntax, "{e}");
    }
    let e = decode::<v1::Filters>(br#"{"refuse_seconds":007.5}"#).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::Syntax);
    let (kind, detail) =
        call_error(r#"{"type":"DECLINE","decline":{"filters":{"refuse_seconds":"soon"}}}"#);
    assert_eq!(kind, DecodeErrorKind::Schema);
    assert!(
        detail.contains("'soon'") && detail.contains("'refuse_seconds'"),
        "{detail}"
    );
}

#[test]
fn infinity_and_nan_strings_for_doubles() {
    let f: v1::Filters = decode(br#"{"refuse_seconds":"Infinity"}"#).unwrap();
    assert_eq!(f.refuse_seconds, Some(f64::INFINITY));
    let f: v1::Filters = decode(br#"{"refuse_seconds":"-Infinity"}"#).unwrap();
    assert_eq!(f.refuse_seconds, Some(f64::NEG_INFINITY));
    let f: v1::Filters = decode(br#"{"refuse_seconds":"NaN"}"#).unwrap();
    assert!(f.refuse_seconds.unwrap().is_nan());
    // Not for integers.
    let e = decode::<v1::TimeInfo>(br#"{"nanoseconds":"Infinity"}"#).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::Schema);
    assert_eq!(
        e.detail(),
        "Failed to parse 'Infinity' as a JSON number for field 'nanoseconds'"
    );
}

#[test]
fn integers_truncate_and_wrap_like_the_master() {
    let t: v1::TimeInfo = decode(br#"{"nanoseconds":1.9}"#).unwrap();
    assert_eq!(t.nanoseconds, 1);
    let t: v1::TimeInfo = decode(br#"{"nanoseconds":-1.9}"#).unwrap();
    assert_eq!(t.nanoseconds, -1);
    let m: v1::MasterInfo = decode(br#"{"id":"m","ip":-1,"port":"5050"}"#).unwrap();
    assert_eq!((m.ip, m.port), (4294967295, 5050));
    let f: event::Failure = decode(br#"{"status":4294967297}"#).unwrap();
    assert_eq!(f.status, Some(1));
}

#[test]
fn unknown_keys_are_ignored() {
    let c = call(
        r#"{"frameworkId":{"value":"x"},"type":"REVIVE","extra":{"deep":[1,2,{"a":null,"b":[true,"s\n"]}]},"revive":{"roles":["r"],"x":1}}"#,
    );
    assert_eq!(c.framework_id, None);
    assert_eq!(c.r#type, Some(call::Type::REVIVE));
    assert_eq!(c.revive.unwrap().roles, ["r"]);
    // A key with escapes still matches its field.
    let c = call(r#"{"\u0074ype":"REVIVE"}"#);
    assert_eq!(c.r#type, Some(call::Type::REVIVE));
}

#[test]
fn single_value_for_a_repeated_field() {
    let c = call(r#"{"type":"REVIVE","revive":{"roles":"a"}}"#);
    assert_eq!(c.revive.unwrap().roles, ["a"]);
    let c = call(r#"{"type":"DECLINE","decline":{"offer_ids":{"value":"o1"}}}"#);
    assert_eq!(
        c.decline.unwrap().offer_ids,
        [v1::OfferID { value: "o1".into() }]
    );
    // Nested arrays are flattened and null entries skipped, as in the master.
    let c = call(r#"{"type":"REVIVE","revive":{"roles":[["a","b"],null,"c"]}}"#);
    assert_eq!(c.revive.unwrap().roles, ["a", "b", "c"]);
    // An array for a singular field is an error.
    assert_eq!(
        call_error(r#"{"type":"REVIVE","framework_id":[{"value":"f"}]}"#),
        (
            DecodeErrorKind::Schema,
            "Not expecting a JSON array for field 'framework_id'".to_string()
        )
    );
}

#[test]
fn lenient_base64_like_the_master() {
    let ack = |uuid: &str| {
        decode::<call::Acknowledge>(
            format!(r#"{{"agent_id":{{"value":"a"}},"task_id":{{"value":"t"}},"uuid":{uuid}}}"#)
                .as_bytes(),
        )
        .map(|a| a.uuid)
    };
    let want = b"user:password".to_vec();
    assert_eq!(ack(r#""dXNlcjpwYXNzd29yZA==""#).unwrap(), want, "padded");
    assert_eq!(ack(r#""dXNlcjpwYXNzd29yZA""#).unwrap(), want, "no padding");
    assert_eq!(
        ack(r#""dXNlcjpwYXNzd29yZA=""#).unwrap(),
        want,
        "short padding"
    );
    assert_eq!(
        ack(r#""dXNl cjpw\tYXNz\nd29y\u000bZA\f\r==""#).unwrap(),
        want,
        "whitespace"
    );
    assert_eq!(ack(r#""Zm9v=ignored!""#).unwrap(), b"foo", "stops at =");
    assert_eq!(
        ack(r#""Zm9vY""#).unwrap(),
        b"foo",
        "lone trailing char dropped"
    );
    for (bad, c) in [
        ("ab-c", '-'),
        ("ab_c", '_'),
        ("uuid!", '!'),
        ("a(b", '('),
        ("a>b", '>'),
        ("a,b", ','),
    ] {
        let e = ack(&format!("\"{bad}\"")).unwrap_err();
        assert_eq!(e.kind(), DecodeErrorKind::Schema);
        assert_eq!(
            e.detail(),
            format!("Failed to base64 decode bytes field 'uuid': Invalid character '{c}'")
        );
    }
}

#[test]
fn unknown_enum_names() {
    // Optional: dropped (the master then says "Expecting 'type' to be present").
    for name in ["revive", "", "5", "UNKNOWN_THING"] {
        let c = call(&format!(r#"{{"type":"{name}"}}"#));
        assert_eq!(c.r#type, None, "{name:?}");
    }
    // Repeated: the entry is dropped.
    let caps: v1::CapabilityInfo =
        decode(br#"{"capabilities":["CHOWN","chown","NOPE","KILL"]}"#).unwrap();
    assert_eq!(
        caps.capabilities,
        [
            v1::capability_info::Capability::CHOWN,
            v1::capability_info::Capability::KILL
        ]
    );
    // Required: an error.
    let e =
        decode::<v1::TaskStatus>(br#"{"task_id":{"value":"t"},"state":"TASK_BOGUS"}"#).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::Schema);
    assert_eq!(e.detail(), "Failed to find enum for 'TASK_BOGUS'");
    // A number is never an enum.
    assert_eq!(
        call_error(r#"{"type":5}"#),
        (
            DecodeErrorKind::Schema,
            "Not expecting a JSON number for field 'type'".to_string()
        )
    );
}

#[test]
fn null_means_absent() {
    let c = call(r#"{"type":"REVIVE","framework_id":null,"revive":{"roles":null}}"#);
    assert_eq!(c.framework_id, None);
    assert!(c.revive.unwrap().roles.is_empty());
    // Duplicate keys: the last one wins, also when it is null.
    let c = call(r#"{"type":"REVIVE","framework_id":{"value":"f"},"framework_id":null}"#);
    assert_eq!(c.framework_id, None);
    let c = call(r#"{"type":"REVIVE","type":"DECLINE"}"#);
    assert_eq!(c.r#type, Some(call::Type::DECLINE));
    // Null for a required field = missing.
    let e = decode::<v1::TimeInfo>(br#"{"nanoseconds":null}"#).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::MissingRequired);
    assert_eq!(e.detail(), "Missing required fields: nanoseconds");
    let e = decode::<v1::TimeInfo>(br#"{"nanoseconds":5,"nanoseconds":null}"#).unwrap_err();
    assert_eq!(e.detail(), "Missing required fields: nanoseconds");
    let t: v1::TimeInfo = decode(br#"{"nanoseconds":null,"nanoseconds":5}"#).unwrap();
    assert_eq!(t.nanoseconds, 5);
}

#[test]
fn wrong_json_types_name_the_field() {
    for (json, want) in [
        (
            r#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":5,"name":"n"}}}"#,
            "Not expecting a JSON number for field 'user'",
        ),
        (
            r#"{"framework_id":"f"}"#,
            "Not expecting a JSON string for field 'framework_id'",
        ),
        (
            r#"{"framework_id":7}"#,
            "Not expecting a JSON number for field 'framework_id'",
        ),
        (
            r#"{"framework_id":true}"#,
            "Not expecting a JSON boolean for field 'framework_id'",
        ),
        (
            r#"{"type":{"x":1}}"#,
            "Not expecting a JSON object for field 'type'",
        ),
        (
            r#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","checkpoint":1}}}"#,
            "Not expecting a JSON number for field 'checkpoint'",
        ),
        (
            r#"{"type":"ACKNOWLEDGE","acknowledge":{"uuid":12}}"#,
            "Not expecting a JSON number for field 'uuid'",
        ),
        (
            r#"{"type":"DECLINE","decline":{"filters":{"refuse_seconds":true}}}"#,
            "Not expecting a JSON boolean for field 'refuse_seconds'",
        ),
    ] {
        assert_eq!(
            call_error(json),
            (DecodeErrorKind::Schema, want.to_string()),
            "{json}"
        );
    }
}

#[test]
fn missing_required_fields_are_listed_like_the_master() {
    for (json, want) in [
        (
            r#"{"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"}}}"#,
            "Missing required fields: acknowledge.uuid",
        ),
        (
            r#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"n"}}}"#,
            "Missing required fields: subscribe.framework_info.user",
        ),
        (
            r#"{"type":"SUBSCRIBE","subscribe":{}}"#,
            "Missing required fields: subscribe.framework_info",
        ),
        // Own fields first (declaration order), then nested messages by field
        // number, repeated entries indexed.
        (
            r#"{"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"},{}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"task_id":{},"agent_id":{"value":"a"}}]}}]},"framework_id":{}}"#,
            "Missing required fields: framework_id.value, accept.offer_ids[1].value, accept.operations[0].launch.task_infos[0].name, accept.operations[0].launch.task_infos[0].task_id.value",
        ),
        (
            r#"{"type":"ACKNOWLEDGE","acknowledge":{"task_id":{}}}"#,
            "Missing required fields: acknowledge.agent_id, acknowledge.uuid, acknowledge.task_id.value",
        ),
    ] {
        assert_eq!(
            call_error(json),
            (DecodeErrorKind::MissingRequired, want.to_string()),
            "{json}"
        );
    }
    // A map value's problems are listed under its entry.
    let e = decode::<v1::TaskInfo>(
        br#"{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"a"},"limits":{"cpus":{},"mem":{"value":1}}}"#,
    )
    .unwrap_err();
    assert_eq!(e.detail(), "Missing required fields: limits[0].value.value");
}

#[test]
fn document_level_errors() {
    assert_eq!(
        decode::<Call>(b"").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(b"{").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(b"{} x").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(b"{}{}").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(br#"{"type":1e999}"#).unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(b" \n\t{\"type\":\"REVIVE\"}\r\n ")
            .unwrap()
            .r#type,
        Some(call::Type::REVIVE)
    );
    for not_object in ["[]", "[1,2]", "\"x\"", "5", "null", "true"] {
        let e = decode::<Call>(not_object.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind(), e.detail()),
            (DecodeErrorKind::Schema, "Expecting a JSON object"),
            "{not_object}"
        );
    }
    // The master parses the whole text before mapping it: syntax errors win.
    assert_eq!(
        decode::<Call>(b"[1,").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(br#"{"type":5,"#).unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        decode::<Call>(br#"{"type":5} x"#).unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
    // Invalid UTF-8 in a string field is a syntax error.
    assert_eq!(
        decode::<Call>(b"{\"type\":\"\xff\"}").unwrap_err().kind(),
        DecodeErrorKind::Syntax
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // The recursive ContainerID.parent chain.
    let depth = 5000;
    let mut json = String::new();
    for _ in 0..depth {
        json.push_str(r#"{"value":"c","parent":"#);
    }
    json.push_str(r#"{"value":"c"}"#);
    json.push_str(&"}".repeat(depth));
    let e = decode::<v1::ContainerID>(json.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::TooDeep);
    // The value of an unknown key is skipped without recursion (serde_json
    // skips it iteratively), so any depth there is harmless and accepted.
    let json = format!(
        r#"{{"x":{}{},"type":"REVIVE"}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(
        decode::<Call>(json.as_bytes()).unwrap().r#type,
        Some(call::Type::REVIVE)
    );
    // In a repeated field (arrays are flattened recursively).
    let json = format!(
        r#"{{"type":"REVIVE","revive":{{"roles":{}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(
        decode::<Call>(json.as_bytes()).unwrap_err().kind(),
        DecodeErrorKind::TooDeep
    );
    // A modest chain is fine.
    let mut json = String::new();
    for _ in 0..50 {
        json.push_str(r#"{"value":"c","parent":"#);
    }
    json.push_str(r#"{"value":"end"}"#);
    json.push_str(&"}".repeat(50));
    let mut c = decode::<v1::ContainerID>(json.as_bytes()).unwrap();
    let mut n = 0;
    while let Some(p) = c.parent {
        c = *p;
        n += 1;
    }
    assert_eq!((n, c.value.as_str()), (50, "end"));
}

#[test]
fn oneof_members_last_in_key_order_win() {
    let p: mesos_http::v1::scheduler::attribute_constraint::Predicate =
        decode(br#"{"text_equals":{"value":"a"},"exists":{}}"#).unwrap();
    assert!(p.exists.is_none());
    assert_eq!(p.text_equals.unwrap().value, "a");
}

// ---------------------------------------------------------------------------
// Round trips of every scheduler call and event type.

fn fid() -> v1::FrameworkID {
    v1::FrameworkID {
        value: "f-1".into(),
    }
}
fn aid() -> v1::AgentID {
    v1::AgentID {
        value: "a-1".into(),
    }
}
fn oid(s: &str) -> v1::OfferID {
    v1::OfferID { value: s.into() }
}
fn tid() -> v1::TaskID {
    v1::TaskID {
        value: "t-1".into(),
    }
}
fn eid() -> v1::ExecutorID {
    v1::ExecutorID {
        value: "e-1".into(),
    }
}
fn op_id() -> v1::OperationID {
    v1::OperationID {
        value: "op-1".into(),
    }
}
fn rp_id() -> v1::ResourceProviderID {
    v1::ResourceProviderID { value: "rp".into() }
}

fn labels() -> v1::Labels {
    v1::Labels {
        labels: vec![
            v1::Label {
                key: "k".into(),
                value: Some("v \"quoted\" ☃".into()),
            },
            v1::Label {
                key: "only-key".into(),
                value: None,
            },
        ],
    }
}

fn framework_info() -> v1::FrameworkInfo {
    let mut offer_filters = BTreeMap::new();
    offer_filters.insert(
        "role-a".to_string(),
        v1::OfferFilters {
            min_allocatable_resources: Some(v1::offer_filters::MinAllocatableResources {
                quantities: vec![v1::offer_filters::ResourceQuantities {
                    quantities: [("cpus".to_string(), value::Scalar { value: 0.25 })].into(),
                }],
            }),
        },
    );
    v1::FrameworkInfo {
        user: "root".into(),
        name: "framework \u{1} name".into(),
        id: Some(fid()),
        failover_timeout: Some(604800.5),
        checkpoint: Some(true),
        role: Some("legacy".into()),
        roles: vec!["a".into(), "b/c".into()],
        hostname: Some("host".into()),
        principal: Some("principal".into()),
        webui_url: Some("http://ui/".into()),
        capabilities: vec![
            v1::framework_info::Capability {
                r#type: Some(v1::framework_info::capability::Type::MULTI_ROLE),
            },
            v1::framework_info::Capability {
                r#type: Some(v1::framework_info::capability::Type::PARTITION_AWARE),
            },
        ],
        labels: Some(labels()),
        offer_filters,
    }
}

fn resource(name: &str) -> v1::Resource {
    v1::Resource {
        provider_id: Some(rp_id()),
        name: name.into(),
        r#type: value::Type::RANGES,
        scalar: Some(value::Scalar { value: 1.5 }),
        ranges: Some(value::Ranges {
            range: vec![
                value::Range {
                    begin: 31000,
                    end: 32000,
                },
                value::Range {
                    begin: 0,
                    end: u64::MAX,
                },
            ],
        }),
        set: Some(value::Set {
            item: vec!["x".into(), "y".into()],
        }),
        role: Some("*".into()),
        allocation_info: Some(v1::resource::AllocationInfo {
            role: Some("a".into()),
        }),
        reservations: vec![v1::resource::ReservationInfo {
            r#type: Some(v1::resource::reservation_info::Type::DYNAMIC),
            role: Some("a".into()),
            principal: Some("p".into()),
            labels: Some(labels()),
        }],
        ..Default::default()
    }
}

fn command() -> v1::CommandInfo {
    v1::CommandInfo {
        uris: vec![v1::command_info::URI {
            value: "http://x/y.tgz".into(),
            executable: Some(false),
            extract: Some(true),
            cache: Some(true),
            output_file: Some("y.tgz".into()),
        }],
        environment: Some(v1::Environment {
            variables: vec![v1::environment::Variable {
                name: "A".into(),
                r#type: Some(v1::environment::variable::Type::VALUE),
                value: Some("1".into()),
                secret: None,
            }],
        }),
        shell: Some(false),
        value: Some("/bin/run".into()),
        arguments: vec!["run".into(), "--flag".into()],
        user: Some("nobody".into()),
    }
}

fn task_info() -> v1::TaskInfo {
    v1::TaskInfo {
        name: "task".into(),
        task_id: tid(),
        agent_id: aid(),
        resources: vec![resource("cpus"), resource("ports")],
        executor: Some(v1::ExecutorInfo {
            r#type: Some(v1::executor_info::Type::CUSTOM),
            executor_id: eid(),
            framework_id: Some(fid()),
            command: Some(command()),
            resources: vec![resource("mem")],
            name: Some("exec".into()),
            data: Some(vec![0, 1, 2, 255]),
            shutdown_grace_period: Some(v1::DurationInfo {
                nanoseconds: 5_000_000_000,
            }),
            labels: Some(labels()),
            ..Default::default()
        }),
        command: Some(command()),
        health_check: Some(v1::HealthCheck {
            delay_seconds: Some(1.0),
            interval_seconds: Some(2.0),
            timeout_seconds: Some(3.0),
            consecutive_failures: Some(4),
            grace_period_seconds: Some(5.0),
            r#type: Some(v1::health_check::Type::COMMAND),
            command: Some(command()),
            ..Default::default()
        }),
        kill_policy: Some(v1::KillPolicy {
            grace_period: Some(v1::DurationInfo { nanoseconds: -1 }),
        }),
        data: Some(b"payload".to_vec()),
        labels: Some(labels()),
        max_completion_time: Some(v1::DurationInfo {
            nanoseconds: i64::MAX,
        }),
        limits: [("cpus".to_string(), value::Scalar { value: 2.0 })].into(),
        ..Default::default()
    }
}

fn operation(kind: v1::offer::operation::Type) -> v1::offer::Operation {
    use v1::offer::operation as op;
    let mut o = v1::offer::Operation {
        r#type: Some(kind),
        id: Some(op_id()),
        ..Default::default()
    };
    match kind {
        op::Type::LAUNCH => {
            o.launch = Some(op::Launch {
                task_infos: vec![task_info(), task_info()],
            })
        }
        op::Type::RESERVE => {
            o.reserve = Some(op::Reserve {
                source: vec![resource("disk")],
                resources: vec![resource("cpus")],
            })
        }
        op::Type::UNRESERVE => {
            o.unreserve = Some(op::Unreserve {
                resources: vec![resource("cpus")],
            })
        }
        op::Type::SHRINK_VOLUME => {
            o.shrink_volume = Some(op::ShrinkVolume {
                volume: resource("disk"),
                subtract: value::Scalar { value: 0.1 },
            })
        }
        _ => unreachable!(),
    }
    o
}

fn filters() -> Option<v1::Filters> {
    Some(v1::Filters {
        refuse_seconds: Some(2.5),
    })
}

fn task_status() -> v1::TaskStatus {
    v1::TaskStatus {
        task_id: tid(),
        state: v1::TaskState::TASK_FAILED,
        message: Some("Command exited with status 3".into()),
        source: Some(v1::task_status::Source::SOURCE_EXECUTOR),
        reason: Some(v1::task_status::Reason::REASON_COMMAND_EXECUTOR_FAILED),
        data: Some(vec![9; 40]),
        agent_id: Some(aid()),
        executor_id: Some(eid()),
        timestamp: Some(1795310424.124121),
        uuid: Some(vec![
            0xa0, 0x7a, 0xdf, 0x98, 0x9f, 0xb2, 0x42, 0x3a, 0x96, 0x0f, 0xfa, 0x83, 0xed, 0x82,
            0x62, 0xad,
        ]),
        healthy: Some(false),
        labels: Some(labels()),
        container_status: Some(v1::ContainerStatus {
            container_id: Some(v1::ContainerID {
                value: "child".into(),
                parent: Some(Box::new(v1::ContainerID {
                    value: "parent".into(),
                    parent: None,
                })),
            }),
            network_infos: vec![v1::NetworkInfo {
                ip_addresses: vec![v1::network_info::IPAddress {
                    protocol: Some(v1::network_info::Protocol::IPv6),
                    ip_address: Some("::1".into()),
                }],
                name: Some("net".into()),
                groups: vec!["g".into()],
                labels: Some(labels()),
                ..Default::default()
            }],
            executor_pid: Some(29276),
            ..Default::default()
        }),
        unreachable_time: Some(v1::TimeInfo { nanoseconds: 1 }),
        limitation: Some(v1::TaskResourceLimitation {
            resources: vec![resource("mem")],
        }),
        ..Default::default()
    }
}

fn operation_status() -> v1::OperationStatus {
    v1::OperationStatus {
        operation_id: Some(v1::OperationID {
            value: "op-x".into(),
        }),
        state: v1::OperationState::OPERATION_FINISHED,
        message: Some("done".into()),
        converted_resources: vec![resource("disk")],
        uuid: Some(v1::UUID { value: vec![1; 16] }),
        agent_id: Some(aid()),
        resource_provider_id: Some(rp_id()),
    }
}

fn unavailability() -> v1::Unavailability {
    v1::Unavailability {
        start: v1::TimeInfo {
            nanoseconds: 1_700_000_000_000_000_000,
        },
        duration: Some(v1::DurationInfo {
            nanoseconds: 3_600_000_000_000,
        }),
    }
}

fn offer_constraints() -> mesos_http::v1::scheduler::OfferConstraints {
    use mesos_http::v1::scheduler::{
        attribute_constraint as ac, offer_constraints as oc, AttributeConstraint, OfferConstraints,
    };
    let constraint = AttributeConstraint {
        selector: ac::Selector {
            attribute_name: Some("rack".into()),
            ..Default::default()
        },
        predicate: ac::Predicate {
            text_matches: Some(ac::predicate::TextMatches {
                regex: "r[0-9]+".into(),
            }),
            ..Default::default()
        },
    };
    let pseudo = AttributeConstraint {
        selector: ac::Selector {
            pseudoattribute_type: Some(ac::selector::PseudoattributeType::HOSTNAME),
            ..Default::default()
        },
        predicate: ac::Predicate {
            exists: Some(ac::predicate::Exists {}),
            ..Default::default()
        },
    };
    OfferConstraints {
        role_constraints: [(
            "a".to_string(),
            oc::RoleConstraints {
                groups: vec![oc::role_constraints::Group {
                    attribute_constraints: vec![constraint, pseudo],
                }],
            },
        )]
        .into(),
    }
}

fn calls() -> Vec<Call> {
    use call::Type as T;
    let base = |t: T| Call {
        framework_id: Some(fid()),
        r#type: Some(t),
        ..Default::default()
    };
    vec![
        Call {
            subscribe: Some(call::Subscribe {
                framework_info: framework_info(),
                suppressed_roles: vec!["b/c".into()],
                offer_constraints: Some(offer_constraints()),
            }),
            ..base(T::SUBSCRIBE)
        },
        base(T::TEARDOWN),
        Call {
            accept: Some(call::Accept {
                offer_ids: vec![oid("o-1"), oid("o-2")],
                operations: vec![
                    operation(v1::offer::operation::Type::LAUNCH),
                    operation(v1::offer::operation::Type::RESERVE),
                    operation(v1::offer::operation::Type::UNRESERVE),
                    operation(v1::offer::operation::Type::SHRINK_VOLUME),
                ],
                filters: filters(),
            }),
            ..base(T::ACCEPT)
        },
        Call {
            decline: Some(call::Decline {
                offer_ids: vec![oid("o-1")],
                filters: filters(),
            }),
            ..base(T::DECLINE)
        },
        Call {
            accept_inverse_offers: Some(call::AcceptInverseOffers {
                inverse_offer_ids: vec![oid("io-1")],
                filters: filters(),
            }),
            ..base(T::ACCEPT_INVERSE_OFFERS)
        },
        Call {
            decline_inverse_offers: Some(call::DeclineInverseOffers {
                inverse_offer_ids: vec![oid("io-1"), oid("io-2")],
                filters: filters(),
            }),
            ..base(T::DECLINE_INVERSE_OFFERS)
        },
        Call {
            revive: Some(call::Revive {
                roles: vec!["a".into(), "b".into()],
            }),
            ..base(T::REVIVE)
        },
        Call {
            kill: Some(call::Kill {
                task_id: tid(),
                agent_id: Some(aid()),
                kill_policy: Some(v1::KillPolicy {
                    grace_period: Some(v1::DurationInfo { nanoseconds: 1 }),
                }),
            }),
            ..base(T::KILL)
        },
        Call {
            shutdown: Some(call::Shutdown {
                executor_id: eid(),
                agent_id: aid(),
            }),
            ..base(T::SHUTDOWN)
        },
        Call {
            acknowledge: Some(call::Acknowledge {
                agent_id: aid(),
                task_id: tid(),
                uuid: (0..16).collect(),
            }),
            ..base(T::ACKNOWLEDGE)
        },
        Call {
            acknowledge_operation_status: Some(call::AcknowledgeOperationStatus {
                agent_id: Some(aid()),
                resource_provider_id: Some(rp_id()),
                uuid: vec![0xff; 16],
                operation_id: op_id(),
            }),
            ..base(T::ACKNOWLEDGE_OPERATION_STATUS)
        },
        Call {
            reconcile: Some(call::Reconcile {
                tasks: vec![
                    call::reconcile::Task {
                        task_id: tid(),
                        agent_id: Some(aid()),
                    },
                    call::reconcile::Task {
                        task_id: v1::TaskID {
                            value: "t-2".into(),
                        },
                        agent_id: None,
                    },
                ],
            }),
            ..base(T::RECONCILE)
        },
        Call {
            reconcile_operations: Some(call::ReconcileOperations {
                operations: vec![call::reconcile_operations::Operation {
                    operation_id: op_id(),
                    agent_id: Some(aid()),
                    resource_provider_id: Some(rp_id()),
                }],
            }),
            ..base(T::RECONCILE_OPERATIONS)
        },
        Call {
            message: Some(call::Message {
                agent_id: aid(),
                executor_id: eid(),
                data: b"hello\0world".to_vec(),
            }),
            ..base(T::MESSAGE)
        },
        Call {
            request: Some(call::Request {
                requests: vec![v1::Request {
                    agent_id: Some(aid()),
                    resources: vec![resource("cpus")],
                }],
            }),
            ..base(T::REQUEST)
        },
        Call {
            suppress: Some(call::Suppress {
                roles: vec!["a".into()],
            }),
            ..base(T::SUPPRESS)
        },
        Call {
            update_framework: Some(call::UpdateFramework {
                framework_info: framework_info(),
                suppressed_roles: vec!["a".into()],
                offer_constraints: Some(offer_constraints()),
            }),
            ..base(T::UPDATE_FRAMEWORK)
        },
    ]
}

fn events() -> Vec<Event> {
    use event::Type as T;
    let base = |t: T| Event {
        r#type: Some(t),
        ..Default::default()
    };
    let offer = v1::Offer {
        id: oid("o-1"),
        framework_id: fid(),
        agent_id: aid(),
        hostname: "agent".into(),
        url: Some(v1::URL {
            scheme: "http".into(),
            address: v1::Address {
                hostname: Some("127.0.0.1".into()),
                ip: Some("127.0.0.1".into()),
                port: 5051,
            },
            path: Some("/slave(1)".into()),
            query: vec![v1::Parameter {
                key: "k".into(),
                value: "v".into(),
            }],
            fragment: Some("frag".into()),
        }),
        resources: vec![resource("cpus"), resource("ports")],
        attributes: vec![v1::Attribute {
            name: "os".into(),
            r#type: value::Type::TEXT,
            text: Some(value::Text {
                value: "linux".into(),
            }),
            ..Default::default()
        }],
        executor_ids: vec![eid()],
        unavailability: Some(unavailability()),
        allocation_info: Some(v1::resource::AllocationInfo {
            role: Some("*".into()),
        }),
        ..Default::default()
    };
    vec![
        Event {
            subscribed: Some(event::Subscribed {
                framework_id: fid(),
                heartbeat_interval_seconds: Some(15.0),
                master_info: Some(v1::MasterInfo {
                    id: "m".into(),
                    ip: 16777343,
                    port: 5050,
                    pid: Some("master@127.0.0.1:5050".into()),
                    hostname: Some("127.0.0.1".into()),
                    version: Some("1.12.0".into()),
                    address: Some(v1::Address {
                        hostname: Some("h".into()),
                        ip: Some("127.0.0.1".into()),
                        port: 5050,
                    }),
                    capabilities: vec![v1::master_info::Capability {
                        r#type: Some(v1::master_info::capability::Type::AGENT_UPDATE),
                    }],
                    ..Default::default()
                }),
            }),
            ..base(T::SUBSCRIBED)
        },
        Event {
            offers: Some(event::Offers {
                offers: vec![offer.clone(), offer],
            }),
            ..base(T::OFFERS)
        },
        Event {
            inverse_offers: Some(event::InverseOffers {
                inverse_offers: vec![v1::InverseOffer {
                    id: oid("io-1"),
                    url: None,
                    framework_id: fid(),
                    agent_id: Some(aid()),
                    unavailability: unavailability(),
                    resources: vec![resource("cpus")],
                }],
            }),
            ..base(T::INVERSE_OFFERS)
        },
        Event {
            rescind: Some(event::Rescind {
                offer_id: oid("o-1"),
            }),
            ..base(T::RESCIND)
        },
        Event {
            rescind_inverse_offer: Some(event::RescindInverseOffer {
                inverse_offer_id: oid("io-1"),
            }),
            ..base(T::RESCIND_INVERSE_OFFER)
        },
        Event {
            update: Some(event::Update {
                status: task_status(),
            }),
            ..base(T::UPDATE)
        },
        Event {
            update_operation_status: Some(event::UpdateOperationStatus {
                status: operation_status(),
            }),
            ..base(T::UPDATE_OPERATION_STATUS)
        },
        Event {
            message: Some(event::Message {
                agent_id: aid(),
                executor_id: eid(),
                data: vec![0xde, 0xad, 0xbe, 0xef],
            }),
            ..base(T::MESSAGE)
        },
        Event {
            failure: Some(event::Failure {
                agent_id: Some(aid()),
                executor_id: Some(eid()),
                status: Some(-9),
            }),
            ..base(T::FAILURE)
        },
        Event {
            error: Some(event::Error {
                message: "Framework failed over".into(),
            }),
            ..base(T::ERROR)
        },
        base(T::HEARTBEAT),
    ]
}

#[test]
fn every_call_type_round_trips() {
    let calls = calls();
    let types: std::collections::BTreeSet<_> = calls.iter().map(|c| c.r#type.unwrap()).collect();
    assert_eq!(types.len(), 17);
    assert!(call::Type::VALUES
        .iter()
        .filter(|t| **t != call::Type::UNKNOWN)
        .all(|t| types.contains(t)));
    for c in calls {
        let json = encode(&c);
        let back: Call = decode(&json).unwrap_or_else(|e| panic!("{}: {e}", text(&json)));
        assert_eq!(back, c, "{}", text(&json));
        assert_eq!(encode(&back), json);
    }
}

#[test]
fn every_event_type_round_trips() {
    let events = events();
    let types: std::collections::BTreeSet<_> = events.iter().map(|e| e.r#type.unwrap()).collect();
    assert_eq!(types.len(), 11);
    assert!(event::Type::VALUES
        .iter()
        .filter(|t| **t != event::Type::UNKNOWN)
        .all(|t| types.contains(t)));
    for e in events {
        let json = encode(&e);
        let back: Event = decode(&json).unwrap_or_else(|err| panic!("{}: {err}", text(&json)));
        assert_eq!(back, e, "{}", text(&json));
        assert_eq!(encode(&back), json);
    }
}

#[test]
fn round_trip_keeps_the_exact_key_order_of_the_schema() {
    let json = encode(&calls()[9]);
    assert_eq!(
        text(&json),
        r#"{"framework_id":{"value":"f-1"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a-1"},"task_id":{"value":"t-1"},"uuid":"AAECAwQFBgcICQoLDA0ODw=="}}"#
    );
}
