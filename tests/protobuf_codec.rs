//! The binary protobuf codec: round trips of every scheduler and executor
//! call/event type, the real master's bytes, hostile input, open enums and
//! missing required fields.

use mesos_http::codec::protobuf::{decode, encode, encode_into, ProtobufMessage};
use mesos_http::codec::{DecodeError, DecodeErrorKind};
use mesos_http::v1::scheduler::{self, call, event};
use mesos_http::v1::{self, executor};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Helpers: hand-built wire bytes, so tests do not depend on the encoder.

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

/// A length-delimited field.
fn ld(number: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = varint(u64::from(number) << 3 | 2);
    out.extend(varint(payload.len() as u64));
    out.extend_from_slice(payload);
    out
}

/// A varint field.
fn vf(number: u32, value: u64) -> Vec<u8> {
    let mut out = varint(u64::from(number) << 3);
    out.extend(varint(value));
    out
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// What these tests need of a message (the JSON side is not involved).
trait Pb: ProtobufMessage + PartialEq + std::fmt::Debug {}
impl<T: ProtobufMessage + PartialEq + std::fmt::Debug> Pb for T {}

fn round_trip<M: Pb>(m: &M) -> M {
    let bytes = encode(m);
    let back: M = decode(&bytes).unwrap_or_else(|e| panic!("decode failed: {e}"));
    assert_eq!(&back, m);
    back
}

// ---------------------------------------------------------------------------
// Representative, fully populated values.

fn fid() -> v1::FrameworkID {
    v1::FrameworkID {
        value: "b2d35daf-ff1b-4410-81a9-028faa714a2d-0001".into(),
    }
}
fn agent() -> v1::AgentID {
    v1::AgentID {
        value: "b2d35daf-S0".into(),
    }
}
fn offer_id(n: u32) -> v1::OfferID {
    v1::OfferID {
        value: format!("b2d35daf-O{n}"),
    }
}
fn task_id() -> v1::TaskID {
    v1::TaskID {
        value: "task-1".into(),
    }
}
fn executor_id() -> v1::ExecutorID {
    v1::ExecutorID {
        value: "exec-1".into(),
    }
}
fn labels() -> v1::Labels {
    v1::Labels {
        labels: vec![
            v1::Label {
                key: "k".into(),
                value: Some("v".into()),
            },
            v1::Label {
                key: "empty".into(),
                value: None,
            },
        ],
    }
}
fn scalar(name: &str, value: f64) -> v1::Resource {
    v1::Resource {
        name: name.into(),
        r#type: v1::value::Type::SCALAR,
        scalar: Some(v1::value::Scalar { value }),
        role: Some("*".into()),
        allocation_info: Some(v1::resource::AllocationInfo {
            role: Some("web".into()),
        }),
        reservations: vec![v1::resource::ReservationInfo {
            r#type: Some(v1::resource::reservation_info::Type::DYNAMIC),
            role: Some("web".into()),
            principal: Some("ops".into()),
            labels: Some(labels()),
        }],
        ..Default::default()
    }
}
fn ports() -> v1::Resource {
    v1::Resource {
        name: "ports".into(),
        r#type: v1::value::Type::RANGES,
        ranges: Some(v1::value::Ranges {
            range: vec![
                v1::value::Range {
                    begin: 31000,
                    end: 32000,
                },
                v1::value::Range {
                    begin: 1 << 40,
                    end: u64::MAX,
                },
            ],
        }),
        role: Some("*".into()),
        ..Default::default()
    }
}
fn resources() -> Vec<v1::Resource> {
    vec![scalar("cpus", 2.0), scalar("mem", 2048.5), ports()]
}
fn framework_info() -> v1::FrameworkInfo {
    let mut offer_filters = BTreeMap::new();
    offer_filters.insert("web".to_string(), v1::OfferFilters::default());
    v1::FrameworkInfo {
        user: "root".into(),
        name: "capture-b".into(),
        id: Some(fid()),
        failover_timeout: Some(300.0),
        checkpoint: Some(true),
        role: None,
        roles: vec!["web".into(), "batch".into()],
        hostname: Some("h".into()),
        principal: Some("p".into()),
        webui_url: Some("http://x/".into()),
        capabilities: vec![
            v1::framework_info::Capability {
                r#type: Some(v1::framework_info::capability::Type::MULTI_ROLE),
            },
            v1::framework_info::Capability {
                r#type: Some(v1::framework_info::capability::Type(4242)),
            },
        ],
        labels: Some(labels()),
        offer_filters,
    }
}
fn command() -> v1::CommandInfo {
    v1::CommandInfo {
        uris: vec![v1::command_info::URI {
            value: "http://x/a.tgz".into(),
            executable: Some(false),
            extract: Some(true),
            cache: None,
            output_file: Some("a.tgz".into()),
        }],
        environment: Some(v1::Environment {
            variables: vec![v1::environment::Variable {
                name: "PATH".into(),
                value: Some("/bin".into()),
                ..Default::default()
            }],
        }),
        shell: Some(true),
        value: Some("echo hi; exit 3".into()),
        arguments: vec!["-c".into(), "x".into()],
        user: Some("nobody".into()),
    }
}
fn task_info() -> v1::TaskInfo {
    let mut limits = BTreeMap::new();
    limits.insert("cpus".to_string(), v1::value::Scalar { value: 4.0 });
    limits.insert("mem".to_string(), v1::value::Scalar { value: 1e9 });
    v1::TaskInfo {
        name: "t".into(),
        task_id: task_id(),
        agent_id: agent(),
        resources: resources(),
        command: Some(command()),
        kill_policy: Some(v1::KillPolicy {
            grace_period: Some(v1::DurationInfo { nanoseconds: -5 }),
        }),
        data: Some(vec![0, 1, 2, 255]),
        labels: Some(labels()),
        max_completion_time: Some(v1::DurationInfo {
            nanoseconds: 1 << 40,
        }),
        limits,
        ..Default::default()
    }
}
fn container_id(depth: usize) -> v1::ContainerID {
    let mut id = v1::ContainerID {
        value: "root".into(),
        parent: None,
    };
    for i in 0..depth {
        id = v1::ContainerID {
            value: format!("c{i}"),
            parent: Some(Box::new(id)),
        };
    }
    id
}
fn task_status() -> v1::TaskStatus {
    v1::TaskStatus {
        task_id: task_id(),
        state: v1::TaskState::TASK_FAILED,
        message: Some("Command exited with status 3".into()),
        source: Some(v1::task_status::Source::SOURCE_EXECUTOR),
        reason: Some(v1::task_status::Reason::REASON_COMMAND_EXECUTOR_FAILED),
        data: Some(b"data".to_vec()),
        agent_id: Some(agent()),
        executor_id: Some(executor_id()),
        timestamp: Some(1795310423.784355),
        uuid: Some(vec![
            0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        ]),
        healthy: Some(false),
        labels: Some(labels()),
        container_status: Some(v1::ContainerStatus {
            container_id: Some(container_id(3)),
            network_infos: vec![v1::NetworkInfo {
                ip_addresses: vec![v1::network_info::IPAddress {
                    protocol: Some(v1::network_info::Protocol::IPv4),
                    ip_address: Some("127.0.0.1".into()),
                }],
                name: Some("n".into()),
                groups: vec!["g".into()],
                ..Default::default()
            }],
            executor_pid: Some(4242),
            ..Default::default()
        }),
        unreachable_time: Some(v1::TimeInfo {
            nanoseconds: i64::MIN,
        }),
        limitation: Some(v1::TaskResourceLimitation {
            resources: resources(),
        }),
        ..Default::default()
    }
}
fn address(port: i32) -> v1::Address {
    v1::Address {
        hostname: Some("127.0.0.1".into()),
        ip: Some("127.0.0.1".into()),
        port,
    }
}
fn url() -> v1::URL {
    v1::URL {
        scheme: "http".into(),
        address: address(5051),
        path: Some("/slave(1)".into()),
        query: vec![v1::Parameter {
            key: "a".into(),
            value: "b".into(),
        }],
        fragment: Some("f".into()),
    }
}
fn offer(n: u32) -> v1::Offer {
    v1::Offer {
        id: offer_id(n),
        framework_id: fid(),
        agent_id: agent(),
        hostname: "127.0.0.1".into(),
        url: Some(url()),
        resources: resources(),
        attributes: vec![v1::Attribute {
            name: "rack".into(),
            r#type: v1::value::Type::TEXT,
            text: Some(v1::value::Text { value: "r1".into() }),
            ..Default::default()
        }],
        executor_ids: vec![executor_id()],
        unavailability: Some(v1::Unavailability {
            start: v1::TimeInfo { nanoseconds: 1 },
            duration: Some(v1::DurationInfo { nanoseconds: 2 }),
        }),
        allocation_info: Some(v1::resource::AllocationInfo {
            role: Some("web".into()),
        }),
        ..Default::default()
    }
}
fn filters() -> v1::Filters {
    v1::Filters {
        refuse_seconds: Some(3600.0),
    }
}
fn operation_status() -> v1::OperationStatus {
    v1::OperationStatus {
        operation_id: Some(v1::OperationID { value: "op".into() }),
        state: v1::OperationState::OPERATION_FINISHED,
        message: Some("ok".into()),
        converted_resources: resources(),
        uuid: Some(v1::UUID { value: vec![7; 16] }),
        agent_id: Some(agent()),
        resource_provider_id: Some(v1::ResourceProviderID { value: "rp".into() }),
    }
}

fn sample_call(t: call::Type) -> Option<scheduler::Call> {
    let mut c = scheduler::Call {
        framework_id: Some(fid()),
        r#type: Some(t),
        ..Default::default()
    };
    match t {
        call::Type::SUBSCRIBE => {
            c.framework_id = None;
            c.subscribe = Some(call::Subscribe {
                framework_info: framework_info(),
                suppressed_roles: vec!["batch".into()],
                offer_constraints: Some(offer_constraints()),
            })
        }
        call::Type::TEARDOWN => {}
        call::Type::ACCEPT => {
            c.accept = Some(call::Accept {
                offer_ids: vec![offer_id(1), offer_id(2)],
                operations: vec![
                    v1::offer::Operation {
                        r#type: Some(v1::offer::operation::Type::LAUNCH),
                        id: Some(v1::OperationID {
                            value: "op1".into(),
                        }),
                        launch: Some(v1::offer::operation::Launch {
                            task_infos: vec![task_info()],
                        }),
                        ..Default::default()
                    },
                    v1::offer::Operation {
                        r#type: Some(v1::offer::operation::Type::RESERVE),
                        reserve: Some(v1::offer::operation::Reserve {
                            source: vec![scalar("cpus", 1.0)],
                            resources: resources(),
                        }),
                        ..Default::default()
                    },
                ],
                filters: Some(filters()),
            })
        }
        call::Type::DECLINE => {
            c.decline = Some(call::Decline {
                offer_ids: vec![offer_id(1)],
                filters: Some(filters()),
            })
        }
        call::Type::ACCEPT_INVERSE_OFFERS => {
            c.accept_inverse_offers = Some(call::AcceptInverseOffers {
                inverse_offer_ids: vec![offer_id(3)],
                filters: Some(filters()),
            })
        }
        call::Type::DECLINE_INVERSE_OFFERS => {
            c.decline_inverse_offers = Some(call::DeclineInverseOffers {
                inverse_offer_ids: vec![offer_id(4), offer_id(5)],
                filters: None,
            })
        }
        call::Type::REVIVE => {
            c.revive = Some(call::Revive {
                roles: vec!["web".into(), "".into()],
            })
        }
        call::Type::KILL => {
            c.kill = Some(call::Kill {
                task_id: task_id(),
                agent_id: Some(agent()),
                kill_policy: Some(v1::KillPolicy {
                    grace_period: Some(v1::DurationInfo { nanoseconds: 3 }),
                }),
            })
        }
        call::Type::SHUTDOWN => {
            c.shutdown = Some(call::Shutdown {
                executor_id: executor_id(),
                agent_id: agent(),
            })
        }
        call::Type::ACKNOWLEDGE => {
            c.acknowledge = Some(call::Acknowledge {
                agent_id: agent(),
                task_id: task_id(),
                uuid: vec![1; 16],
            })
        }
        call::Type::ACKNOWLEDGE_OPERATION_STATUS => {
            c.acknowledge_operation_status = Some(call::AcknowledgeOperationStatus {
                agent_id: Some(agent()),
                resource_provider_id: Some(v1::ResourceProviderID { value: "rp".into() }),
                uuid: vec![2; 16],
                operation_id: v1::OperationID { value: "op".into() },
            })
        }
        call::Type::RECONCILE => {
            c.reconcile = Some(call::Reconcile {
                tasks: vec![
                    call::reconcile::Task {
                        task_id: task_id(),
                        agent_id: Some(agent()),
                    },
                    call::reconcile::Task {
                        task_id: v1::TaskID { value: "t2".into() },
                        agent_id: None,
                    },
                ],
            })
        }
        call::Type::RECONCILE_OPERATIONS => {
            c.reconcile_operations = Some(call::ReconcileOperations {
                operations: vec![call::reconcile_operations::Operation {
                    operation_id: v1::OperationID { value: "op".into() },
                    agent_id: Some(agent()),
                    resource_provider_id: Some(v1::ResourceProviderID { value: "rp".into() }),
                }],
            })
        }
        call::Type::MESSAGE => {
            c.message = Some(call::Message {
                agent_id: agent(),
                executor_id: executor_id(),
                data: vec![0, 0xff, 0x80],
            })
        }
        call::Type::REQUEST => {
            c.request = Some(call::Request {
                requests: vec![v1::Request {
                    agent_id: Some(agent()),
                    resources: resources(),
                }],
            })
        }
        call::Type::SUPPRESS => {
            c.suppress = Some(call::Suppress {
                roles: vec!["batch".into()],
            })
        }
        call::Type::UPDATE_FRAMEWORK => {
            c.update_framework = Some(call::UpdateFramework {
                framework_info: framework_info(),
                suppressed_roles: vec!["web".into()],
                offer_constraints: Some(offer_constraints()),
            })
        }
        _ => return None,
    }
    Some(c)
}

fn offer_constraints() -> scheduler::OfferConstraints {
    use scheduler::attribute_constraint::{predicate, selector, Predicate, Selector};
    let group = scheduler::offer_constraints::role_constraints::Group {
        attribute_constraints: vec![
            scheduler::AttributeConstraint {
                selector: Selector {
                    attribute_name: Some("rack".into()),
                    ..Default::default()
                },
                predicate: Predicate {
                    text_equals: Some(predicate::TextEquals { value: "r1".into() }),
                    ..Default::default()
                },
            },
            scheduler::AttributeConstraint {
                selector: Selector {
                    pseudoattribute_type: Some(selector::PseudoattributeType::HOSTNAME),
                    ..Default::default()
                },
                predicate: Predicate {
                    exists: Some(predicate::Exists {}),
                    ..Default::default()
                },
            },
        ],
    };
    let mut role_constraints = BTreeMap::new();
    role_constraints.insert(
        "web".to_string(),
        scheduler::offer_constraints::RoleConstraints {
            groups: vec![group],
        },
    );
    scheduler::OfferConstraints { role_constraints }
}

fn master_info() -> v1::MasterInfo {
    v1::MasterInfo {
        id: "b2d35daf".into(),
        ip: 16777343,
        port: 5050,
        pid: Some("master@127.0.0.1:5050".into()),
        hostname: Some("127.0.0.1".into()),
        version: Some("1.12.0".into()),
        address: Some(address(5050)),
        capabilities: vec![v1::master_info::Capability {
            r#type: Some(v1::master_info::capability::Type::AGENT_UPDATE),
        }],
        ..Default::default()
    }
}

fn sample_event(t: event::Type) -> Option<scheduler::Event> {
    let mut e = scheduler::Event {
        r#type: Some(t),
        ..Default::default()
    };
    match t {
        event::Type::SUBSCRIBED => {
            e.subscribed = Some(event::Subscribed {
                framework_id: fid(),
                heartbeat_interval_seconds: Some(15.0),
                master_info: Some(master_info()),
            })
        }
        event::Type::OFFERS => {
            e.offers = Some(event::Offers {
                offers: vec![offer(1), offer(2)],
            })
        }
        event::Type::INVERSE_OFFERS => {
            e.inverse_offers = Some(event::InverseOffers {
                inverse_offers: vec![v1::InverseOffer {
                    id: offer_id(9),
                    url: Some(url()),
                    framework_id: fid(),
                    agent_id: Some(agent()),
                    unavailability: v1::Unavailability {
                        start: v1::TimeInfo { nanoseconds: 5 },
                        duration: None,
                    },
                    resources: resources(),
                }],
            })
        }
        event::Type::RESCIND => {
            e.rescind = Some(event::Rescind {
                offer_id: offer_id(1),
            })
        }
        event::Type::RESCIND_INVERSE_OFFER => {
            e.rescind_inverse_offer = Some(event::RescindInverseOffer {
                inverse_offer_id: offer_id(9),
            })
        }
        event::Type::UPDATE => {
            e.update = Some(event::Update {
                status: task_status(),
            })
        }
        event::Type::UPDATE_OPERATION_STATUS => {
            e.update_operation_status = Some(event::UpdateOperationStatus {
                status: operation_status(),
            })
        }
        event::Type::MESSAGE => {
            e.message = Some(event::Message {
                agent_id: agent(),
                executor_id: executor_id(),
                data: b"hello".to_vec(),
            })
        }
        event::Type::FAILURE => {
            e.failure = Some(event::Failure {
                agent_id: Some(agent()),
                executor_id: Some(executor_id()),
                status: Some(-9),
            })
        }
        event::Type::ERROR => {
            e.error = Some(event::Error {
                message: "Framework failed over".into(),
            })
        }
        event::Type::HEARTBEAT => {}
        _ => return None,
    }
    Some(e)
}

// ---------------------------------------------------------------------------
// Round trips.

#[test]
fn every_scheduler_call_type_round_trips() {
    let mut covered = 0;
    for &t in call::Type::VALUES {
        if t == call::Type::UNKNOWN {
            continue;
        }
        let c = sample_call(t).unwrap_or_else(|| panic!("no sample for {t:?}"));
        let back = round_trip(&c);
        assert_eq!(back.r#type, Some(t));
        covered += 1;
    }
    assert_eq!(covered, 17);
}

#[test]
fn every_scheduler_event_type_round_trips() {
    let mut covered = 0;
    for &t in event::Type::VALUES {
        if t == event::Type::UNKNOWN {
            continue;
        }
        let e = sample_event(t).unwrap_or_else(|| panic!("no sample for {t:?}"));
        round_trip(&e);
        covered += 1;
    }
    assert_eq!(covered, 11);
}

#[test]
fn executor_calls_and_events_round_trip() {
    use executor::{call as ecall, event as eevent};
    let status = task_status();
    let base = executor::Call {
        executor_id: executor_id(),
        framework_id: fid(),
        ..Default::default()
    };
    let calls = [
        executor::Call {
            r#type: Some(ecall::Type::SUBSCRIBE),
            subscribe: Some(ecall::Subscribe {
                unacknowledged_tasks: vec![task_info()],
                unacknowledged_updates: vec![ecall::Update {
                    status: status.clone(),
                }],
            }),
            ..base.clone()
        },
        executor::Call {
            r#type: Some(ecall::Type::UPDATE),
            update: Some(ecall::Update {
                status: status.clone(),
            }),
            ..base.clone()
        },
        executor::Call {
            r#type: Some(ecall::Type::MESSAGE),
            message: Some(ecall::Message { data: vec![9; 300] }),
            ..base.clone()
        },
        executor::Call {
            r#type: Some(ecall::Type::HEARTBEAT),
            ..base.clone()
        },
    ];
    for c in &calls {
        round_trip(c);
    }
    let executor_info = v1::ExecutorInfo {
        r#type: Some(v1::executor_info::Type::CUSTOM),
        executor_id: executor_id(),
        framework_id: Some(fid()),
        command: Some(command()),
        resources: resources(),
        name: Some("e".into()),
        data: Some(vec![]),
        shutdown_grace_period: Some(v1::DurationInfo {
            nanoseconds: 5_000_000_000,
        }),
        labels: Some(labels()),
        ..Default::default()
    };
    let events = [
        executor::Event {
            r#type: Some(eevent::Type::SUBSCRIBED),
            subscribed: Some(eevent::Subscribed {
                executor_info: executor_info.clone(),
                framework_info: framework_info(),
                agent_info: v1::AgentInfo {
                    hostname: "h".into(),
                    port: Some(5051),
                    resources: resources(),
                    id: Some(agent()),
                    ..Default::default()
                },
                container_id: Some(container_id(2)),
            }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::LAUNCH),
            launch: Some(eevent::Launch { task: task_info() }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::LAUNCH_GROUP),
            launch_group: Some(eevent::LaunchGroup {
                task_group: v1::TaskGroupInfo {
                    tasks: vec![task_info(), task_info()],
                },
            }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::KILL),
            kill: Some(eevent::Kill {
                task_id: task_id(),
                kill_policy: Some(v1::KillPolicy::default()),
            }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::ACKNOWLEDGED),
            acknowledged: Some(eevent::Acknowledged {
                task_id: task_id(),
                uuid: vec![3; 16],
            }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::MESSAGE),
            message: Some(eevent::Message { data: vec![1, 2] }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::ERROR),
            error: Some(eevent::Error {
                message: "boom".into(),
            }),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::SHUTDOWN),
            ..Default::default()
        },
        executor::Event {
            r#type: Some(eevent::Type::HEARTBEAT),
            ..Default::default()
        },
    ];
    for e in &events {
        round_trip(e);
    }
}

#[test]
fn optional_fields_stay_absent_and_defaults_stay_present() {
    // Some(default) is written and comes back as Some; None stays None.
    let info = v1::FrameworkInfo {
        user: String::new(),
        name: String::new(),
        failover_timeout: Some(0.0),
        checkpoint: Some(false),
        ..Default::default()
    };
    let bytes = encode(&info);
    // user and name are required: written even when empty.
    assert_eq!(
        bytes,
        [0x0a, 0x00, 0x12, 0x00, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0x28, 0x00]
    );
    let back: v1::FrameworkInfo = decode(&bytes).unwrap();
    assert_eq!(back.failover_timeout, Some(0.0));
    assert_eq!(back.checkpoint, Some(false));
    assert_eq!(back.hostname, None);
    assert_eq!(back.role, None);
    // An absent optional field with a declared default reads as that default.
    let back: v1::FrameworkInfo = decode(&[0x0a, 0x00, 0x12, 0x00]).unwrap();
    assert_eq!(back.failover_timeout, None);
    assert_eq!(back.failover_timeout(), 0.0);
}

#[test]
fn negative_numbers_and_extremes_round_trip() {
    let status = v1::TaskStatus {
        state: v1::TaskState(-7),
        timestamp: Some(f64::MIN_POSITIVE),
        ..Default::default()
    };
    let back = round_trip(&status);
    assert_eq!(back.state, v1::TaskState(-7));
    let bytes = encode(&status);
    // field 2 (state) as a 10-byte sign-extended varint
    let pos = bytes.iter().position(|&b| b == 0x10).unwrap();
    assert_eq!(
        bytes[pos + 1..pos + 11],
        [0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
}

#[test]
fn encode_into_appends() {
    let e = sample_event(event::Type::HEARTBEAT).unwrap();
    let mut buf = b"2\n".to_vec();
    encode_into(&e, &mut buf);
    assert_eq!(buf, b"2\n\x08\x08");
}

#[test]
fn fields_are_written_in_field_number_order() {
    // Call declares type (2) after framework_id (1) and revive (15) before kill (6).
    let c = scheduler::Call {
        framework_id: Some(v1::FrameworkID { value: "f".into() }),
        r#type: Some(call::Type::KILL),
        revive: Some(call::Revive::default()),
        kill: Some(call::Kill {
            task_id: v1::TaskID { value: "t".into() },
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        encode(&c),
        [
            0x0a, 0x03, 0x0a, 0x01, b'f', 0x10, 0x06, 0x32, 0x05, 0x0a, 0x03, 0x0a, 0x01, b't',
            0x7a, 0x00
        ]
    );
}

#[test]
fn maps_are_entry_messages_with_key_and_value() {
    let mut t = v1::TaskInfo::default();
    t.limits
        .insert("cpus".into(), v1::value::Scalar { value: 1.0 });
    let bytes = encode(&t);
    // name(1) "" , task_id(2) {value ""}, agent_id(3) {value ""}, limits(15) entry
    let expected_entry = cat(&[ld(1, b"cpus"), ld(2, &[0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])]);
    assert!(bytes.ends_with(&ld(15, &expected_entry)), "{bytes:02x?}");
    let back: v1::TaskInfo = decode(&bytes).unwrap();
    assert_eq!(back.limits["cpus"].value, 1.0);
    // Entries with the key or value missing use the defaults; a repeated key: last wins.
    let bytes = cat(&[
        ld(1, b""),
        ld(2, &ld(1, b"t")),
        ld(3, &ld(1, b"a")),
        ld(15, &ld(1, b"mem")),
        ld(
            15,
            &cat(&[ld(1, b"x"), ld(2, &[0x09, 0, 0, 0, 0, 0, 0, 0, 0x40])]),
        ),
        ld(
            15,
            &cat(&[ld(1, b"x"), ld(2, &[0x09, 0, 0, 0, 0, 0, 0, 0x08, 0x40])]),
        ),
    ]);
    let back: v1::TaskInfo = decode(&bytes).unwrap();
    assert_eq!(back.limits.len(), 2);
    assert_eq!(back.limits["mem"].value, 0.0);
    assert_eq!(back.limits["x"].value, 3.0);
}

// ---------------------------------------------------------------------------
// Decoding semantics.

#[test]
fn packed_repeated_scalars_are_accepted() {
    // CapabilityInfo.capabilities: repeated enum (field 1).
    let unpacked = cat(&[vf(1, 5), vf(1, 300), vf(1, 99999)]);
    let mut payload = varint(5);
    payload.extend(varint(300));
    payload.extend(varint(99999));
    let packed = ld(1, &payload);
    let a: v1::CapabilityInfo = decode(&unpacked).unwrap();
    let b: v1::CapabilityInfo = decode(&packed).unwrap();
    let expected = vec![
        v1::capability_info::Capability(5),
        v1::capability_info::Capability(300),
        v1::capability_info::Capability(99999),
    ];
    assert_eq!(a.capabilities, expected);
    assert_eq!(b.capabilities, expected);
    // Mixed: packed then unpacked appends; written unpacked.
    let both: v1::CapabilityInfo = decode(&cat(&[packed, vf(1, 7)])).unwrap();
    assert_eq!(both.capabilities.len(), 4);
    assert_eq!(encode(&both), cat(&[unpacked, vf(1, 7)]));
}

#[test]
fn singular_messages_merge_and_scalars_last_wins() {
    // Event.subscribed appears twice: the second adds master_info and overrides
    // the heartbeat interval; framework_id merges field by field.
    let first = cat(&[
        ld(1, &ld(1, b"fw")),
        vec![0x11, 0, 0, 0, 0, 0, 0, 0x2e, 0x40],
    ]);
    let second = cat(&[
        vec![0x11, 0, 0, 0, 0, 0, 0, 0x3e, 0x40],
        ld(1, &ld(1, b"fw2")),
        ld(3, &cat(&[ld(1, b"m"), vf(2, 1), vf(3, 2)])),
    ]);
    let bytes = cat(&[vf(1, 1), ld(2, &first), vf(1, 1), ld(2, &second)]);
    let e: scheduler::Event = decode(&bytes).unwrap();
    let s = e.subscribed.unwrap();
    assert_eq!(s.framework_id.value, "fw2");
    assert_eq!(s.heartbeat_interval_seconds, Some(30.0));
    assert_eq!(s.master_info.unwrap().id, "m");
}

#[test]
fn oneof_member_clears_its_siblings() {
    use scheduler::attribute_constraint::Predicate;
    // Predicate: exists (1), then text_equals (3): only text_equals remains.
    let bytes = cat(&[ld(1, b""), ld(3, &ld(1, b"v"))]);
    let p: Predicate = decode(&bytes).unwrap();
    assert_eq!(p.exists, None);
    assert_eq!(p.text_equals.unwrap().value, "v");
    let bytes = cat(&[ld(3, &ld(1, b"v")), ld(1, b"")]);
    let p: Predicate = decode(&bytes).unwrap();
    assert_eq!(p.exists, Some(Default::default()));
    assert_eq!(p.text_equals, None);
}

#[test]
fn unknown_fields_of_every_wire_type_are_skipped() {
    let unknown = cat(&[
        vf(100, 12345),
        vec![0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8], // field 100, fixed64
        ld(101, b"anything"),
        vec![0xad, 0x06, 1, 2, 3, 4],             // field 101, fixed32
        vec![0xb3, 0x06, 0x08, 0x01, 0xb4, 0x06], // field 102 group containing field 1
    ]);
    let bytes = cat(&[vf(1, 7), unknown.clone(), ld(8, &ld(1, b"boom")), unknown]);
    let e: scheduler::Event = decode(&bytes).unwrap();
    assert_eq!(e.r#type, Some(event::Type::ERROR));
    assert_eq!(e.error.unwrap().message, "boom");
}

#[test]
fn unknown_task_state_survives_a_round_trip() {
    let status = cat(&[ld(1, &ld(1, b"t")), vf(2, 99)]);
    let bytes = cat(&[vf(1, 4), ld(5, &ld(1, &status))]);
    let e: scheduler::Event = decode(&bytes).unwrap();
    let state = e.update.as_ref().unwrap().status.state;
    assert_eq!(state, v1::TaskState(99));
    assert_ne!(state, v1::TaskState::TASK_STAGING);
    assert!(!state.is_known());
    let again: scheduler::Event = decode(&encode(&e)).unwrap();
    assert_eq!(again.update.unwrap().status.state, v1::TaskState(99));
    // Unknown numbers inside repeated enums are kept too.
    let caps = cat(&[ld(9, &vf(1, 1)), ld(9, &vf(1, 77))]);
    let info: v1::MasterInfo = decode(&cat(&[ld(1, b"m"), vf(2, 1), vf(3, 2), caps])).unwrap();
    assert_eq!(
        info.capabilities[1].r#type,
        Some(v1::master_info::capability::Type(77))
    );
    // An unknown event type too.
    let e: scheduler::Event = decode(&vf(1, 1000)).unwrap();
    assert_eq!(e.r#type, Some(event::Type(1000)));
    assert_eq!(encode(&e), vf(1, 1000));
}

fn expect_missing(err: DecodeError, detail: &str) {
    assert_eq!(err.kind(), DecodeErrorKind::MissingRequired, "{err}");
    assert_eq!(err.detail(), detail);
}

#[test]
fn missing_required_fields_are_reported_with_dotted_paths() {
    // ACKNOWLEDGE without uuid.
    let ack = cat(&[ld(1, &ld(1, b"a")), ld(2, &ld(1, b"t"))]);
    let bytes = cat(&[ld(1, &ld(1, b"f")), vf(2, 8), ld(8, &ack)]);
    expect_missing(
        decode::<scheduler::Call>(&bytes).unwrap_err(),
        "Missing required fields: acknowledge.uuid",
    );

    // SUBSCRIBE whose framework_info has a name but no user.
    let bytes = cat(&[vf(2, 1), ld(3, &ld(1, &ld(2, b"n")))]);
    expect_missing(
        decode::<scheduler::Call>(&bytes).unwrap_err(),
        "Missing required fields: subscribe.framework_info.user",
    );

    // Several at once, own fields before sub-messages, repeated ones indexed.
    let decline = cat(&[ld(1, &ld(1, b"o1")), ld(1, b"")]);
    let ack = ld(2, b"");
    let bytes = cat(&[vf(2, 8), ld(5, &decline), ld(8, &ack)]);
    expect_missing(
        decode::<scheduler::Call>(&bytes).unwrap_err(),
        "Missing required fields: decline.offer_ids[1].value, acknowledge.agent_id, acknowledge.uuid, acknowledge.task_id.value",
    );

    // A required sub-message that is absent altogether.
    expect_missing(
        decode::<scheduler::Event>(&cat(&[vf(1, 4), ld(5, b"")])).unwrap_err(),
        "Missing required fields: update.status",
    );

    // At the top level.
    expect_missing(
        decode::<v1::FrameworkID>(b"").unwrap_err(),
        "Missing required fields: value",
    );
    // Present but empty is present.
    assert_eq!(decode::<v1::FrameworkID>(&ld(1, b"")).unwrap().value, "");
}

// ---------------------------------------------------------------------------
// Real master bytes (capture b: SUBSCRIBE with application/x-protobuf).

/// Strips HTTP chunking and RecordIO framing from the captured response.
fn capture_records() -> Vec<Vec<u8>> {
    let raw = std::fs::read("tests/data/pb/b-subscribe-protobuf.stream.raw").unwrap();
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut body = Vec::new();
    let mut rest = &raw[head_end..];
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let len =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
        rest = &rest[line_end + 2..];
        if len == 0 {
            break;
        }
        body.extend_from_slice(&rest[..len]);
        assert_eq!(&rest[len..len + 2], b"\r\n");
        rest = &rest[len + 2..];
    }
    let mut records = Vec::new();
    let mut rest = &body[..];
    while !rest.is_empty() {
        let nl = rest.iter().position(|&b| b == b'\n').unwrap();
        let len: usize = std::str::from_utf8(&rest[..nl]).unwrap().parse().unwrap();
        records.push(rest[nl + 1..nl + 1 + len].to_vec());
        rest = &rest[nl + 1 + len..];
    }
    records
}

#[test]
fn master_subscribed_heartbeat_and_offers_decode() {
    let records = capture_records();
    assert_eq!(records.len(), 4);
    assert_eq!(
        records.iter().map(Vec::len).collect::<Vec<_>>(),
        [188, 2, 293, 2]
    );

    let subscribed: scheduler::Event = decode(&records[0]).unwrap();
    assert_eq!(subscribed.r#type, Some(event::Type::SUBSCRIBED));
    let s = subscribed.subscribed.as_ref().unwrap();
    assert_eq!(
        s.framework_id.value,
        "b2d35daf-ff1b-4410-81a9-028faa714a2d-0001"
    );
    assert_eq!(s.heartbeat_interval_seconds, Some(15.0));
    let m = s.master_info.as_ref().unwrap();
    assert_eq!(m.id, "b2d35daf-ff1b-4410-81a9-028faa714a2d");
    assert_eq!(m.ip, 16777343);
    assert_eq!(m.port, 5050);
    assert_eq!(m.pid.as_deref(), Some("master@127.0.0.1:5050"));
    assert_eq!(m.hostname.as_deref(), Some("127.0.0.1"));
    assert_eq!(m.version.as_deref(), Some("1.12.0"));
    let a = m.address.as_ref().unwrap();
    assert_eq!(
        (a.hostname.as_deref(), a.ip.as_deref(), a.port),
        (Some("127.0.0.1"), Some("127.0.0.1"), 5050)
    );
    use v1::master_info::capability::Type as Cap;
    let caps: Vec<_> = m.capabilities.iter().map(|c| c.r#type.unwrap()).collect();
    assert_eq!(
        caps,
        [Cap::AGENT_UPDATE, Cap::AGENT_DRAINING, Cap::QUOTA_V2]
    );

    for heartbeat in [&records[1], &records[3]] {
        let h: scheduler::Event = decode(heartbeat).unwrap();
        assert_eq!(
            h,
            scheduler::Event {
                r#type: Some(event::Type::HEARTBEAT),
                ..Default::default()
            }
        );
    }

    let offers: scheduler::Event = decode(&records[2]).unwrap();
    assert_eq!(offers.r#type, Some(event::Type::OFFERS));
    let list = &offers.offers.as_ref().unwrap().offers;
    assert_eq!(list.len(), 1);
    let o = &list[0];
    assert_eq!(o.id.value, "b2d35daf-ff1b-4410-81a9-028faa714a2d-O1");
    assert_eq!(
        o.framework_id.value,
        "b2d35daf-ff1b-4410-81a9-028faa714a2d-0001"
    );
    assert_eq!(o.agent_id.value, "b2d35daf-ff1b-4410-81a9-028faa714a2d-S0");
    assert_eq!(o.hostname, "127.0.0.1");
    let names: Vec<&str> = o.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["ports", "cpus", "mem", "disk"]);
    let ranges = o.resources[0].ranges.as_ref().unwrap();
    assert_eq!(
        ranges.range,
        [v1::value::Range {
            begin: 31000,
            end: 32000
        }]
    );
    assert_eq!(o.resources[0].r#type, v1::value::Type::RANGES);
    let scalars: Vec<f64> = o.resources[1..]
        .iter()
        .map(|r| r.scalar.as_ref().unwrap().value)
        .collect();
    assert_eq!(scalars, [2.0, 2048.0, 4096.0]);
    assert!(o.resources.iter().all(|r| r.role.as_deref() == Some("*")));
    let url = o.url.as_ref().unwrap();
    assert_eq!(url.scheme, "http");
    assert_eq!(url.address.port, 5051);
    assert_eq!(url.path.as_deref(), Some("/slave(1)"));

    // The master writes fields in field-number order: re-encoding gives its bytes.
    for record in &records {
        let e: scheduler::Event = decode(record).unwrap();
        assert_eq!(&encode(&e), record);
    }
}

#[test]
fn captured_protobuf_calls_decode_and_re_encode_exactly() {
    let subscribe = std::fs::read("tests/data/pb/call-subscribe.bin").unwrap();
    let c: scheduler::Call = decode(&subscribe).unwrap();
    assert_eq!(c.r#type, Some(call::Type::SUBSCRIBE));
    let info = &c.subscribe.as_ref().unwrap().framework_info;
    assert_eq!(
        (info.user.as_str(), info.name.as_str()),
        ("root", "capture-b")
    );
    assert_eq!(info.failover_timeout, Some(0.0));
    assert_eq!(encode(&c), subscribe);

    let decline = std::fs::read("tests/data/pb/call-decline.bin").unwrap();
    let c: scheduler::Call = decode(&decline).unwrap();
    let d = c.decline.as_ref().unwrap();
    assert_eq!(
        d.offer_ids[0].value,
        "b2d35daf-ff1b-4410-81a9-028faa714a2d-O1"
    );
    assert_eq!(d.filters.as_ref().unwrap().refuse_seconds, Some(3600.0));
    assert_eq!(encode(&c), decline);

    let reconcile = std::fs::read("tests/data/pb/call-reconcile_operations.bin").unwrap();
    let c: scheduler::Call = decode(&reconcile).unwrap();
    assert_eq!(c.r#type, Some(call::Type::RECONCILE_OPERATIONS));
    assert_eq!(
        c.reconcile_operations,
        Some(call::ReconcileOperations::default())
    );
    assert_eq!(encode(&c), reconcile);

    let teardown = std::fs::read("tests/data/pb/call-teardown.bin").unwrap();
    let c: scheduler::Call = decode(&teardown).unwrap();
    assert_eq!(c.r#type, Some(call::Type::TEARDOWN));
    assert_eq!(
        c.framework_id.as_ref().unwrap().value,
        "b2d35daf-ff1b-4410-81a9-028faa714a2d-0001"
    );
    assert_eq!(encode(&c), teardown);
}

// ---------------------------------------------------------------------------
// Hostile input.

fn kind<M: Pb>(bytes: &[u8]) -> Option<DecodeErrorKind> {
    decode::<M>(bytes).err().map(|e| e.kind())
}

#[test]
fn nested_length_overrunning_its_parent_is_malformed() {
    // quick-protobuf issue #211.
    assert_eq!(
        kind::<scheduler::Event>(&[0x1a, 0x01, 0x00, 0x24, 0x01]),
        Some(DecodeErrorKind::Malformed)
    );
    // A sub-message whose inner string claims more than the sub-message holds.
    let bytes = cat(&[vec![0x42, 0x03], vec![0x0a, 0x05, b'a']]);
    assert_eq!(
        kind::<scheduler::Event>(&bytes),
        Some(DecodeErrorKind::Malformed)
    );
}

#[test]
fn truncations_and_bad_lengths_are_malformed() {
    use DecodeErrorKind::Malformed;
    assert_eq!(kind::<scheduler::Event>(&[0x08]), Some(Malformed)); // key without value
    assert_eq!(kind::<scheduler::Event>(&[0x08, 0x80]), Some(Malformed)); // truncated varint
    assert_eq!(kind::<scheduler::Event>(&[0x80]), Some(Malformed)); // truncated key
    assert_eq!(
        kind::<scheduler::Event>(&[
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
        ]),
        Some(Malformed)
    );
    assert_eq!(
        kind::<scheduler::Event>(&[0x12, 0x05, 0x00]),
        Some(Malformed)
    ); // length past end
    assert_eq!(
        kind::<scheduler::Event>(&[0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        Some(Malformed)
    ); // 4 GiB
    assert_eq!(
        kind::<scheduler::Event>(&[
            0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
        ]),
        Some(Malformed)
    );
    let truncated_double = [0x12, 0x03, 0x11, 0x00, 0x00];
    assert_eq!(kind::<scheduler::Event>(&truncated_double), Some(Malformed));
    assert_eq!(kind::<scheduler::Event>(&[0x00, 0x00]), Some(Malformed)); // field 0
    assert_eq!(kind::<scheduler::Event>(&[0x0f]), Some(Malformed)); // wire type 7
    assert_eq!(kind::<scheduler::Event>(&[0x0c]), Some(Malformed)); // stray end-group, known number
    assert_eq!(kind::<scheduler::Event>(&[0xb4, 0x06]), Some(Malformed)); // stray end-group, unknown number
    assert_eq!(
        kind::<scheduler::Event>(&[0xb3, 0x06, 0x08, 0x01]),
        Some(Malformed)
    ); // open group
       // A string that is not UTF-8.
    let bytes = cat(&[vf(1, 7), ld(8, &ld(1, &[0xff, 0xfe]))]);
    let err = decode::<scheduler::Event>(&bytes).unwrap_err();
    assert_eq!(err.kind(), Malformed);
    assert!(err.detail().contains("UTF-8"), "{}", err.detail());
    assert!(err.detail().contains("at `error`"), "{}", err.detail());
}

#[test]
fn wire_type_mismatches_are_schema_errors() {
    // type (varint) sent as length-delimited, subscribed (message) sent as varint.
    let err = decode::<scheduler::Event>(&ld(1, b"x")).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Schema);
    assert!(err.detail().contains("`type`"), "{}", err.detail());
    assert_eq!(
        kind::<scheduler::Event>(&vf(2, 1)),
        Some(DecodeErrorKind::Schema)
    );
    // heartbeat_interval_seconds (double) as fixed32, deep inside.
    let bytes = cat(&[vf(1, 1), ld(2, &[0x15, 0, 0, 0, 0])]);
    let err = decode::<scheduler::Event>(&bytes).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Schema);
    assert!(err.detail().contains("at `subscribed`"), "{}", err.detail());
}

/// ContainerID nested `depth` times through `parent`, built outside-in so the
/// test stays linear.
fn deep_container_id(depth: usize) -> Vec<u8> {
    // Each level: 0a 01 'x' (value) then 12 <len> <inner>.
    let mut sizes = vec![3usize]; // innermost: just the value
    for _ in 0..depth {
        let inner = *sizes.last().unwrap();
        sizes.push(3 + 1 + varint(inner as u64).len() + inner);
    }
    let mut out = Vec::with_capacity(*sizes.last().unwrap());
    for level in (1..=depth).rev() {
        out.extend_from_slice(&[0x0a, 0x01, b'x', 0x12]);
        out.extend(varint(sizes[level - 1] as u64));
    }
    out.extend_from_slice(&[0x0a, 0x01, b'x']);
    assert_eq!(out.len(), *sizes.last().unwrap());
    out
}

#[test]
fn deep_nesting_is_too_deep_without_overflowing_the_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let deep = deep_container_id(10_000);
            let err = decode::<v1::ContainerID>(&deep).unwrap_err();
            assert_eq!(err.kind(), DecodeErrorKind::TooDeep);
            // Inside an UPDATE event the same chain is refused too.
            let status = cat(&[
                ld(1, &ld(1, b"t")),
                vf(2, 1),
                ld(13, &ld(4, &deep)), // container_status.container_id
            ]);
            let bytes = cat(&[vf(1, 4), ld(5, &ld(1, &status))]);
            assert_eq!(
                kind::<scheduler::Event>(&bytes),
                Some(DecodeErrorKind::TooDeep)
            );
            // 100 levels below the top message are allowed, 101 are not.
            let ok: v1::ContainerID = decode(&deep_container_id(100)).unwrap();
            let mut depth = 0;
            let mut cur = &ok;
            while let Some(p) = &cur.parent {
                depth += 1;
                cur = p;
            }
            assert_eq!(depth, 100);
            assert_eq!(
                kind::<v1::ContainerID>(&deep_container_id(101)),
                Some(DecodeErrorKind::TooDeep)
            );
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn deep_groups_in_unknown_fields_are_bounded() {
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&[0xb3, 0x06]); // start group 102
    }
    for _ in 0..10_000 {
        bytes.extend_from_slice(&[0xb4, 0x06]);
    }
    let e = decode::<scheduler::Event>(&bytes).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::TooDeep);
    assert_eq!(
        e.detail(),
        "Protobuf messages in mesos.v1.scheduler.Event nest deeper than 100 levels"
    );
}

/// xorshift64*: a tiny deterministic generator for the fuzz-style tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Decodes `bytes` as several message types; whatever decodes must survive
/// encode → decode unchanged.
fn decode_all_ways(bytes: &[u8]) -> usize {
    fn one<M: Pb>(bytes: &[u8]) -> usize {
        match decode::<M>(bytes) {
            Ok(m) => {
                let again: M = decode(&encode(&m)).expect("re-encoded message decodes");
                assert_eq!(again, m);
                1
            }
            Err(e) => {
                assert!(!e.detail().is_empty());
                0
            }
        }
    }
    one::<scheduler::Event>(bytes)
        + one::<scheduler::Call>(bytes)
        + one::<executor::Event>(bytes)
        + one::<v1::TaskInfo>(bytes)
        + one::<v1::ContainerID>(bytes)
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for _ in 0..4000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        decoded += decode_all_ways(&bytes);
    }
    // Some random inputs are valid messages (e.g. empty or unknown fields only).
    assert!(decoded > 0);
}

#[test]
fn mutated_valid_events_never_panic() {
    let mut seeds: Vec<Vec<u8>> = capture_records();
    for &t in event::Type::VALUES {
        if let Some(e) = sample_event(t) {
            seeds.push(encode(&e));
        }
    }
    for &t in call::Type::VALUES {
        if let Some(c) = sample_call(t) {
            seeds.push(encode(&c));
        }
    }
    let mut rng = Rng(42);
    let mut decoded = 0;
    let mut failed = 0;
    for i in 0..3000 {
        let mut bytes = seeds[i % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.below(bytes.len());
            match rng.below(5) {
                0 => bytes[at] = rng.next() as u8,
                1 => bytes[at] ^= 1 << rng.below(8),
                2 => {
                    bytes.remove(at);
                }
                3 => bytes.insert(at, rng.next() as u8),
                _ => bytes.truncate(at),
            }
        }
        match decode::<scheduler::Event>(&bytes) {
            Ok(e) => {
                decoded += 1;
                assert_eq!(decode::<scheduler::Event>(&encode(&e)).unwrap(), e);
            }
            Err(_) => failed += 1,
        }
        decode_all_ways(&bytes);
    }
    // Mutations hit both outcomes.
    assert!(
        decoded > 100 && failed > 100,
        "decoded {decoded}, failed {failed}"
    );
}

#[test]
fn non_ascii_strings_round_trip_and_bytes_stay_raw() {
    let e = scheduler::Event {
        r#type: Some(event::Type::ERROR),
        error: Some(event::Error {
            message: "Größe ✓ 日本".into(),
        }),
        ..Default::default()
    };
    let bytes = encode(&e);
    assert!(bytes.ends_with("Größe ✓ 日本".as_bytes()));
    assert_eq!(decode::<scheduler::Event>(&bytes).unwrap(), e);
    // bytes fields carry anything, including invalid UTF-8.
    let m = event::Message {
        agent_id: agent(),
        executor_id: executor_id(),
        data: vec![0xff, 0xfe, 0x00, 0xc3],
    };
    assert_eq!(round_trip(&m).data, [0xff, 0xfe, 0x00, 0xc3]);
}
