//! The scheduler endpoint of the simulated master, checked over raw HTTP
//! against the real master's transcripts (wire-facts a.2-a.7, e-errors.txt).

mod sim_support;

use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::{AgentID, FrameworkID, TaskID};
use mesos_http_sim::{SimConfig, SimMaster};
use sim_support::*;

fn master() -> SimMaster {
    SimMaster::start(SimConfig::fast(Duration::from_secs(30))).expect("start")
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

fn is_lower_uuid_v4(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
        && &s[14..15] == "4"
}

fn assert_error(r: &Response, code: u16, body: &str) {
    assert_eq!(r.code, code, "{r:?}");
    assert_eq!(r.text(), body);
    assert_eq!(
        r.header_names(),
        ["Date", "Content-Type", "Content-Length"],
        "libprocess header order"
    );
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(
        r.header("Content-Length"),
        Some(body.len().to_string().as_str())
    );
}

fn assert_accepted(r: &Response) {
    assert_eq!(r.status_line, "HTTP/1.1 202 Accepted", "{r:?} {}", r.text());
    assert_eq!(r.header_names(), ["Date", "Content-Length"]);
    assert_eq!(r.header("Content-Length"), Some("0"));
    assert!(r.body.is_empty());
}

#[test]
fn unknown_path_is_404() {
    let m = master();
    let r = post_raw(m.addr(), "/api/v1/nope", &[JSON], b"{}");
    assert_error(&r, 404, "404 Not Found.");
    assert_eq!(r.status_line, "HTTP/1.1 404 Not Found");
}

#[test]
fn other_methods_get_405_with_allow_post() {
    let m = master();
    for method in ["GET", "PUT", "DELETE"] {
        let mut c = Client::connect(m.addr());
        let r = c.request(method, "/api/v1/scheduler", &[], b"");
        assert_eq!(r.status_line, "HTTP/1.1 405 Method Not Allowed");
        assert_eq!(
            r.header_names(),
            ["Date", "Allow", "Content-Type", "Content-Length"]
        );
        assert_eq!(r.header("Allow"), Some("POST"));
        assert_eq!(
            r.text(),
            format!(
                "405 Method Not Allowed. Expecting one of {{ 'POST' }}, but received '{method}'."
            )
        );
        let date = r.header("Date").unwrap();
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    }
}

#[test]
fn content_type_must_be_present_and_exact() {
    let m = master();
    let body = br#"{"type":"REVIVE","framework_id":{"value":"x"}}"#;
    let r = post_raw(m.addr(), "/api/v1/scheduler", &[], body);
    assert_error(&r, 400, "Expecting 'Content-Type' to be present");
    for ct in [
        "text/plain",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/recordio",
        "application/unknown-media-type",
    ] {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[("Content-Type", ct)], body);
        assert_eq!(r.status_line, "HTTP/1.1 415 Unsupported Media Type", "{ct}");
        assert_error(
            &r,
            415,
            "Expecting 'Content-Type' of application/json or application/x-protobuf",
        );
    }
}

/// The body the real master sent for case `case` of e-errors (its summary
/// line: `  E4 malformed JSON   -> HTTP/1.1 400 Bad Request | b'...'`).
fn captured_error_body(case: &str) -> String {
    let summary = include_str!("data/e-errors-summary.txt");
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{case} ")))
        .unwrap_or_else(|| panic!("no case {case} in the summary"));
    let (_, response) = line.split_once(" -> ").expect("a response");
    let (status, body) = response.split_once(" | ").expect("a body");
    assert_eq!(status, "HTTP/1.1 400 Bad Request", "{case}");
    body.strip_prefix("b'")
        .and_then(|b| b.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unexpected body {body}"))
        .to_string()
}

#[test]
fn json_syntax_errors_match_the_captured_picojson_text() {
    let m = master();
    // The request bodies of e-errors C7 (E4) and C8 (E4b), verbatim.
    let cases: [(&str, &[u8]); 2] = [("E4", br#"{"type":"REVIVE","#), ("E4b", b"")];
    for (case, body) in cases {
        let expected = captured_error_body(case);
        assert!(
            expected.starts_with("Failed to parse body into JSON: syntax error at line 1 near: ")
        );
        let r = post_raw(
            m.addr(),
            "/api/v1/scheduler",
            &[
                JSON,
                ("Mesos-Stream-Id", "39f6af92-2203-44cb-b92e-89f851c4f1c7"),
            ],
            body,
        );
        assert_error(&r, 400, &expected);
        assert_eq!(r.status_line, "HTTP/1.1 400 Bad Request", "{case}");
    }
}

#[test]
fn undecodable_bodies_are_400() {
    let m = master();
    let pb = ("Content-Type", "application/x-protobuf");
    for body in [&b"\xff\xff\xff"[..], br#"{"type":"REVIVE"}"#, b"\x12"] {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[pb], body);
        assert_error(&r, 400, "Failed to parse body into Call protobuf");
    }
    let cases: [(&[u8], &str); 6] = [
        (br#"{"type":"REVIVE","#, "Failed to parse body into JSON: syntax error at line 1 near: "),
        (b"", "Failed to parse body into JSON: syntax error at line 1 near: "),
        (b"[1,2]", "Failed to convert JSON into Call protobuf: Expecting a JSON object"),
        (
            br#"{"framework_id":{"value":"f"},"type":5}"#,
            "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'type'",
        ),
        (
            br#"{"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"}}}"#,
            "Failed to convert JSON into Call protobuf: Missing required fields: acknowledge.uuid",
        ),
        (
            br#"{"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"!!!"}}"#,
            "Failed to convert JSON into Call protobuf: Failed to base64 decode bytes field 'uuid': Invalid character '!'",
        ),
    ];
    for (body, expected) in cases {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[JSON], body);
        assert_error(&r, 400, expected);
    }
    let subscribe_cases: [(&[u8], &str); 2] = [
        (
            br#"{"type":"SUBSCRIBE","subscribe":{}}"#,
            "Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info",
        ),
        (
            br#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"x"}}}"#,
            "Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user",
        ),
    ];
    for (body, expected) in subscribe_cases {
        let r = post_raw(
            m.addr(),
            "/api/v1/scheduler",
            &[JSON, ("Accept", "application/json")],
            body,
        );
        assert_error(&r, 400, expected);
    }
}

#[test]
fn validation_failures_in_both_encodings() {
    let m = master();
    let fid = Some(FrameworkID { value: "f".into() });
    let ack = |uuid: Vec<u8>| Call {
        framework_id: fid.clone(),
        r#type: Some(CallType::ACKNOWLEDGE),
        acknowledge: Some(call::Acknowledge {
            agent_id: AgentID { value: "a".into() },
            task_id: TaskID { value: "t".into() },
            uuid,
        }),
        ..Call::default()
    };
    let mut no_type = bare(CallType::REVIVE);
    no_type.r#type = None;
    no_type.framework_id = fid.clone();
    let mut unknown_number = no_type.clone();
    unknown_number.r#type = Some(CallType(77));
    let mut accept_missing = bare(CallType::ACCEPT);
    accept_missing.framework_id = fid.clone();
    let mut mismatch = subscribe_call(framework_info("x"));
    mismatch.framework_id = Some(FrameworkID {
        value: "aaa".into(),
    });
    let mut only_info_id = subscribe_call(framework_info("x"));
    only_info_id.subscribe.as_mut().unwrap().framework_info.id = Some(FrameworkID {
        value: "bbb".into(),
    });
    only_info_id.framework_id = None;
    let cases = [
        (no_type, "Expecting 'type' to be present"),
        (unknown_number, "Expecting 'type' to be present"),
        (
            bare(CallType::REVIVE),
            "Expecting 'framework_id' to be present",
        ),
        (accept_missing, "Expecting 'accept' to be present"),
        (ack(b"hello".to_vec()), "Not a valid UUID"),
        (ack(vec![0; 16]), "Not a valid UUID"),
        (
            mismatch,
            "'framework_id' differs from 'subscribe.framework_info.id'",
        ),
        (
            only_info_id,
            "'framework_id' differs from 'subscribe.framework_info.id'",
        ),
    ];
    for encoding in ENCODINGS {
        for (call, message) in &cases {
            let body = encoding.encode(call);
            let r = post_raw(
                m.addr(),
                "/api/v1/scheduler",
                &[
                    ("Content-Type", encoding.content_type()),
                    ("Accept", encoding.content_type()),
                ],
                &body,
            );
            assert_error(
                &r,
                400,
                &format!("Failed to validate scheduler::Call: {message}"),
            );
        }
    }
    // JSON-only spellings the master drops to "unset".
    for body in [
        r#"{"framework_id":{"value":"f"},"type":"FROBNICATE"}"#,
        r#"{"framework_id":{"value":"f"},"type":"revive"}"#,
        r#"{"framework_id":{"value":"f"}}"#,
    ] {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[JSON], body.as_bytes());
        assert_error(
            &r,
            400,
            "Failed to validate scheduler::Call: Expecting 'type' to be present",
        );
    }
}

#[test]
fn subscribe_head_is_like_the_real_master() {
    let m = master();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("head"));
        let head = &s.events.head;
        assert_eq!(head.status_line, "HTTP/1.1 200 OK");
        assert_eq!(
            head.header_names(),
            [
                "Date",
                "Transfer-Encoding",
                "Mesos-Stream-Id",
                "Content-Type"
            ]
        );
        assert_eq!(head.header("Transfer-Encoding"), Some("chunked"));
        assert_eq!(head.header("Content-Type"), Some(encoding.content_type()));
        assert!(is_lower_uuid_v4(&s.stream_id), "{}", s.stream_id);
        let prefix = format!("{}-", m.master_id());
        assert!(s.framework_id.starts_with(&prefix), "{}", s.framework_id);
        assert_eq!(s.framework_id.len(), prefix.len() + 4);
        // The stream stays open: a teardown ends the body, not the connection.
        assert_accepted(&s.call(bare(CallType::TEARDOWN)));
        assert!(matches!(s.events.next_event(), Err(StreamEnd::BodyEnded)));
    }
}

#[test]
fn subscribed_carries_master_info_and_interval() {
    let m = SimMaster::start(SimConfig::fast(Duration::from_millis(1500))).unwrap();
    for encoding in ENCODINGS {
        let mut events = subscribe_with(
            m.addr(),
            encoding,
            &subscribe_call(framework_info("mi")),
            &[],
        );
        let first = events.next_event().unwrap();
        let sub = first.subscribed.unwrap();
        assert_eq!(sub.heartbeat_interval_seconds, Some(1.5));
        let info = sub.master_info.unwrap();
        assert_eq!(info.id, m.master_id());
        assert_eq!(info.port, u32::from(m.addr().port()));
        assert_eq!(info.ip, 16777343);
        assert_eq!(info.hostname.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            info.pid,
            Some(format!("master@127.0.0.1:{}", m.addr().port()))
        );
        assert_eq!(events.next_event().unwrap().r#type(), EventType::HEARTBEAT);
    }
}

#[test]
fn json_subscribed_record_has_the_masters_shape() {
    let m = master();
    let mut events = subscribe_with(
        m.addr(),
        Encoding::Json,
        &subscribe_call(framework_info("json")),
        &[],
    );
    let record = String::from_utf8(events.next_record().unwrap()).unwrap();
    let port = m.addr().port();
    let id = m.master_id();
    assert!(
        record.starts_with(r#"{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":""#),
        "{record}"
    );
    let tail = format!(
        r#""heartbeat_interval_seconds":30.0,"master_info":{{"id":"{id}","ip":16777343,"port":{port},"pid":"master@127.0.0.1:{port}","hostname":"127.0.0.1","version":"1.12.0","address":{{"hostname":"127.0.0.1","ip":"127.0.0.1","port":{port}}},"capabilities":[{{"type":"AGENT_UPDATE"}},{{"type":"AGENT_DRAINING"}},{{"type":"QUOTA_V2"}}]}}}}}}"#
    );
    assert!(record.ends_with(&tail), "{record}");
    assert_eq!(events.next_record().unwrap(), br#"{"type":"HEARTBEAT"}"#);
}

#[test]
fn accept_negotiation() {
    let m = master();
    let body = Encoding::Protobuf.encode(&subscribe_call(framework_info("acc")));
    let pb = ("Content-Type", "application/x-protobuf");
    let cases: [(Option<&str>, Option<&str>); 9] = [
        (None, Some("application/json")),
        (Some("*/*"), Some("application/json")),
        (Some("application/*"), Some("application/json")),
        (
            Some("application/x-protobuf, application/json"),
            Some("application/json"),
        ),
        (
            Some("application/x-protobuf"),
            Some("application/x-protobuf"),
        ),
        (
            Some("application/json;q=0, application/x-protobuf"),
            Some("application/x-protobuf"),
        ),
        (Some("text/html"), None),
        (Some("foo"), None),
        (Some("application/recordio"), None),
    ];
    for (accept, expected) in cases {
        let mut c = Client::connect(m.addr());
        let mut headers = vec![pb];
        if let Some(a) = accept {
            headers.push(("Accept", a));
        }
        c.send("POST", "/api/v1/scheduler", &headers, &body);
        let head = c.read_head().unwrap();
        match expected {
            Some(ct) => {
                assert_eq!(head.code, 200, "{accept:?}");
                assert_eq!(head.header("Content-Type"), Some(ct), "{accept:?}");
            }
            None => {
                let mut c = Client::connect(m.addr());
                let r = c.request("POST", "/api/v1/scheduler", &headers, &body);
                assert_error(
                    &r,
                    406,
                    "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
                );
                assert_eq!(r.status_line, "HTTP/1.1 406 Not Acceptable");
            }
        }
    }
}

#[test]
fn subscribe_must_not_carry_a_stream_id() {
    let m = master();
    for encoding in ENCODINGS {
        let body = encoding.encode(&subscribe_call(framework_info("x")));
        let r = post_raw(
            m.addr(),
            "/api/v1/scheduler",
            &[
                ("Content-Type", encoding.content_type()),
                ("Mesos-Stream-Id", "39f6af92-2203-44cb-b92e-89f851c4f1c7"),
            ],
            &body,
        );
        assert_error(
            &r,
            400,
            "Subscribe calls should not include the 'Mesos-Stream-Id' header",
        );
    }
}

#[test]
fn framework_and_stream_id_checks() {
    let m = master();
    for encoding in ENCODINGS {
        let mut info = framework_info("ids");
        info.failover_timeout = Some(60.0);
        let s = subscribe(m.addr(), encoding, info.clone());
        let fid = s.framework_id.clone();
        let mut revive = bare(CallType::REVIVE);
        revive.framework_id = Some(FrameworkID { value: fid.clone() });
        let send =
            |stream_id: Option<&str>, call: &Call| post_call(m.addr(), encoding, call, stream_id);

        let r = send(None, &revive);
        assert_error(
            &r,
            400,
            "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
        );
        for wrong in ["00000000-0000-0000-0000-000000000000", "garbage"] {
            let r = send(Some(wrong), &revive);
            assert_error(
                &r,
                400,
                &format!("The stream ID '{wrong}' included in this request didn't match the stream ID currently associated with framework ID {fid}"),
            );
        }
        let mut unknown = revive.clone();
        unknown.framework_id = Some(FrameworkID {
            value: "no-such-framework".into(),
        });
        assert_error(
            &send(Some(&s.stream_id), &unknown),
            400,
            "Framework cannot be found",
        );
        assert_error(&send(None, &unknown), 400, "Framework cannot be found");
        assert_accepted(&send(Some(&s.stream_id), &revive));

        // Re-SUBSCRIBE: new stream id; the old one is refused.
        let mut again = info.clone();
        again.id = Some(FrameworkID { value: fid.clone() });
        let s2 = subscribe(m.addr(), encoding, again);
        assert_eq!(s2.framework_id, fid);
        assert_ne!(s2.stream_id, s.stream_id);
        let r = send(Some(&s.stream_id), &revive);
        assert_error(
            &r,
            400,
            &format!("The stream ID '{}' included in this request didn't match the stream ID currently associated with framework ID {fid}", s.stream_id),
        );
        assert_accepted(&send(Some(&s2.stream_id), &revive));

        // Disconnected (within the failover timeout): 403.
        drop(s2);
        assert!(m.wait_for(
            |v| v.framework(&fid).is_some_and(|f| !f.connected),
            Duration::from_secs(5)
        ));
        let r = send(Some(&s.stream_id), &revive);
        assert_error(&r, 403, "Framework is not subscribed");
        assert_eq!(r.status_line, "HTTP/1.1 403 Forbidden");
    }
}

#[test]
fn paths_and_connection_close() {
    let m = master();
    let s = subscribe(m.addr(), Encoding::Json, framework_info("paths"));
    let body = format!(
        r#"{{"framework_id":{{"value":"{}"}},"type":"REVIVE"}}"#,
        s.framework_id
    );
    let sid = ("Mesos-Stream-Id", s.stream_id.as_str());
    for path in [
        "/api/v1/scheduler",
        "/master/api/v1/scheduler",
        "/api/v1/scheduler/",
        "/api/v1/scheduler?x=1",
    ] {
        assert_accepted(&post_raw(m.addr(), path, &[JSON, sid], body.as_bytes()));
    }
    // A request asking for `Connection: close` is answered, then the server closes.
    let mut c = Client::connect(m.addr());
    let r = c.request(
        "POST",
        "/api/v1/scheduler",
        &[JSON, sid, ("Connection", "close")],
        body.as_bytes(),
    );
    assert_accepted(&r);
    assert!(c.read_to_end().unwrap().is_empty());
    // Keep-alive with pipelining: answers come back in order on one connection.
    let mut c = Client::connect(m.addr());
    c.send("POST", "/api/v1/scheduler", &[JSON, sid], body.as_bytes());
    c.send("GET", "/api/v1/scheduler", &[], b"");
    c.send("POST", "/api/v1/scheduler", &[JSON, sid], b"{");
    assert_eq!(c.read_response().unwrap().code, 202);
    assert_eq!(c.read_response().unwrap().code, 405);
    assert_eq!(c.read_response().unwrap().code, 400);
    // JSON leniency: numbers as strings, unknown fields.
    let decline = format!(
        r#"{{"framework_id":{{"value":"{}"}},"type":"DECLINE","decline":{{"offer_ids":[{{"value":"x"}}],"filters":{{"refuse_seconds":"5"}}}},"extra":1}}"#,
        s.framework_id
    );
    assert_accepted(&post_raw(
        m.addr(),
        "/api/v1/scheduler",
        &[JSON, sid],
        decline.as_bytes(),
    ));
}

#[test]
fn every_call_type_is_answered_like_the_master() {
    let m = master();
    for encoding in ENCODINGS {
        let s = subscribe(m.addr(), encoding, framework_info("calls"));
        let fid = || {
            Some(FrameworkID {
                value: s.framework_id.clone(),
            })
        };
        let agent = AgentID { value: "a".into() };
        let accepted_calls = vec![
            Call {
                r#type: Some(CallType::ACCEPT),
                accept: Some(call::Accept::default()),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::DECLINE),
                decline: Some(call::Decline::default()),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::ACCEPT_INVERSE_OFFERS),
                accept_inverse_offers: Some(Default::default()),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::DECLINE_INVERSE_OFFERS),
                decline_inverse_offers: Some(Default::default()),
                ..Call::default()
            },
            bare(CallType::REVIVE),
            bare(CallType::SUPPRESS),
            Call {
                r#type: Some(CallType::KILL),
                kill: Some(call::Kill {
                    task_id: TaskID {
                        value: "nope".into(),
                    },
                    ..Default::default()
                }),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::SHUTDOWN),
                shutdown: Some(call::Shutdown {
                    agent_id: agent.clone(),
                    ..Default::default()
                }),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::ACKNOWLEDGE),
                acknowledge: Some(call::Acknowledge {
                    agent_id: agent.clone(),
                    task_id: TaskID { value: "t".into() },
                    uuid: vec![
                        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                        0xdd, 0xee, 0xff, 0x00,
                    ],
                }),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::ACKNOWLEDGE_OPERATION_STATUS),
                acknowledge_operation_status: Some(call::AcknowledgeOperationStatus {
                    agent_id: Some(agent.clone()),
                    uuid: vec![
                        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                        0xdd, 0xee, 0xff, 0x00,
                    ],
                    ..Default::default()
                }),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::RECONCILE),
                reconcile: Some(Default::default()),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::RECONCILE_OPERATIONS),
                reconcile_operations: Some(Default::default()),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::MESSAGE),
                message: Some(call::Message {
                    agent_id: agent.clone(),
                    data: b"hi".to_vec(),
                    ..Default::default()
                }),
                ..Call::default()
            },
            Call {
                r#type: Some(CallType::REQUEST),
                request: Some(Default::default()),
                ..Call::default()
            },
        ];
        for mut c in accepted_calls {
            c.framework_id = fid();
            let ty = c.r#type();
            let r = s.call(c);
            assert_eq!(r.code, 202, "{ty:?}: {}", r.text());
            assert_accepted(&r);
        }
        // UPDATE_FRAMEWORK: synchronous 200 with an empty body.
        let mut info = framework_info("calls-renamed");
        info.id = fid();
        let update = Call {
            r#type: Some(CallType::UPDATE_FRAMEWORK),
            update_framework: Some(call::UpdateFramework {
                framework_info: info,
                ..Default::default()
            }),
            ..Call::default()
        };
        let r = s.call(update);
        assert_eq!(r.status_line, "HTTP/1.1 200 OK");
        assert_eq!(r.header_names(), ["Date", "Content-Length"]);
        assert!(r.body.is_empty());
        assert!(m.with_state(|v| v.framework(&s.framework_id).unwrap().name == "calls-renamed"));
        // Changing the user is refused.
        let mut info = framework_info("x");
        info.user = "someone-else".into();
        info.id = fid();
        let r = s.call(Call {
            r#type: Some(CallType::UPDATE_FRAMEWORK),
            update_framework: Some(call::UpdateFramework {
                framework_info: info,
                ..Default::default()
            }),
            ..Call::default()
        });
        assert_eq!(r.code, 400);
        assert!(
            r.text().starts_with("FrameworkInfo update is not valid: "),
            "{}",
            r.text()
        );
        // UNKNOWN: 501 after all framework/stream checks.
        let r = s.call(bare(CallType::UNKNOWN));
        assert_error(&r, 501, "501 Not Implemented.");
        assert_eq!(r.status_line, "HTTP/1.1 501 Not Implemented");
        // RECONCILE_OPERATIONS negotiates Accept (before any framework lookup).
        let mut ro = Call {
            r#type: Some(CallType::RECONCILE_OPERATIONS),
            reconcile_operations: Some(Default::default()),
            ..Call::default()
        };
        ro.framework_id = fid();
        let r = post_raw(
            m.addr(),
            "/api/v1/scheduler",
            &[
                ("Content-Type", encoding.content_type()),
                ("Accept", "text/html"),
                ("Mesos-Stream-Id", &s.stream_id),
            ],
            &encoding.encode(&ro),
        );
        assert_eq!(r.code, 406);
    }
}

#[test]
fn basic_authentication() {
    let m = SimMaster::start(
        SimConfig::fast(Duration::from_secs(30)).with_basic_auth("alice", "secret"),
    )
    .unwrap();
    use base64::Engine;
    let b64 = |s: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(s)
        )
    };
    let body = Encoding::Json.encode(&subscribe_call(framework_info("auth")));
    for auth in [
        None,
        Some(b64("alice:wrong")),
        Some(b64("bob:secret")),
        Some(b64("alice:secret:x")),
    ] {
        let mut headers = vec![JSON];
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        let r = post_raw(m.addr(), "/api/v1/scheduler", &headers, &body);
        assert_eq!(r.status_line, "HTTP/1.1 401 Unauthorized");
        assert_eq!(
            r.header_names(),
            ["Date", "WWW-Authenticate", "Content-Type", "Content-Length"]
        );
        assert_eq!(
            r.header("WWW-Authenticate"),
            Some("Basic realm=\"mesos-master-scheduler\"")
        );
        assert_eq!(r.text(), "401 Unauthorized.");
    }
    // Authentication comes before the method check.
    let r = Client::connect(m.addr()).request("GET", "/api/v1/scheduler", &[], b"");
    assert_eq!(r.code, 401);
    // A principal other than the authenticated one fails validation.
    let mut info = framework_info("auth");
    info.principal = Some("mallory".into());
    let good = b64("alice:secret");
    let r = post_raw(
        m.addr(),
        "/api/v1/scheduler",
        &[JSON, ("Authorization", &good)],
        &Encoding::Json.encode(&subscribe_call(info)),
    );
    assert_error(
        &r,
        400,
        "Failed to validate scheduler::Call: Authenticated principal 'alice' does not match principal 'mallory' set in `FrameworkInfo`",
    );
    // Right credentials: subscribed, principal filled in.
    let s = subscribe_with(
        m.addr(),
        Encoding::Json,
        &subscribe_call(framework_info("auth")),
        &[("Authorization", &good)],
    );
    assert_eq!(s.head.code, 200);
    let fid = m
        .with_state(|v| {
            v.frameworks()
                .into_iter()
                .find(|f| f.name == "auth")
                .map(|f| (f.id, f.principal))
        })
        .unwrap();
    assert_eq!(fid.1.as_deref(), Some("alice"));
    // Later calls from another principal are refused.
    m.set_credentials(vec![
        ("alice".into(), "secret".into()),
        ("bob".into(), "pw".into()),
    ]);
    let mut revive = bare(CallType::REVIVE);
    revive.framework_id = Some(FrameworkID {
        value: fid.0.clone(),
    });
    let bob = b64("bob:pw");
    let r = post_raw(
        m.addr(),
        "/api/v1/scheduler",
        &[
            JSON,
            ("Authorization", &bob),
            ("Mesos-Stream-Id", &s.stream_id()),
        ],
        &Encoding::Json.encode(&revive),
    );
    assert_error(
        &r,
        400,
        "Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`",
    );
    let r = post_raw(
        m.addr(),
        "/api/v1/scheduler",
        &[
            JSON,
            ("Authorization", &good),
            ("Mesos-Stream-Id", &s.stream_id()),
        ],
        &Encoding::Json.encode(&revive),
    );
    assert_accepted(&r);
}

#[test]
fn garbage_requests_never_crash_the_server() {
    let m = master();
    for garbage in [
        &b"\x00\x01\x02\r\n\r\n"[..],
        b"POST / HTTP/9.9\r\n\r\n",
        b"POST /api/v1/scheduler HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
    ] {
        let mut c = Client::connect(m.addr());
        c.send_raw(garbage);
        let r = c.read_response().unwrap();
        assert_eq!(r.code, 400);
    }
    // Still serving.
    let r = Client::connect(m.addr()).request("GET", "/api/v1/scheduler", &[], b"");
    assert_eq!(r.code, 405);
}

#[test]
fn leading_zero_numbers_are_a_json_syntax_error() {
    // The master's parser takes `007`; no master writes it and serde_json
    // refuses it, so the simulated master answers with a syntax error in
    // the master's wording (see the README's JSON mapping).
    let m = master();
    let body = br#"{"type":"REVIVE","x":007}"#;
    let r = post_raw(m.addr(), "/api/v1/scheduler", &[JSON], body);
    assert_error(
        &r,
        400,
        "Failed to parse body into JSON: syntax error at line 1 near: 7}",
    );
}
