//! Every master and agent operator call type, built by the typed
//! constructors in `mesos_http::operator`, encodes and decodes back to the
//! same value in both encodings; and responses decode by expected type.

use mesos_http::codec::{DecodeErrorKind, Encoding, Message};
use mesos_http::operator::{self, agent as agent_calls, master as master_calls, ResponseError};
use mesos_http::v1::{self, agent, maintenance, master, quota};
use std::collections::{BTreeMap, BTreeSet};

fn agent_id() -> v1::AgentID {
    v1::AgentID {
        value: "580e5557-0c27-477e-b567-2e28dfc055c1-S0".into(),
    }
}

fn container_id() -> v1::ContainerID {
    v1::ContainerID {
        value: "child".into(),
        parent: Some(Box::new(v1::ContainerID {
            value: "parent".into(),
            parent: None,
        })),
    }
}

fn scalar(name: &str, value: f64) -> v1::Resource {
    v1::Resource {
        name: name.into(),
        r#type: v1::value::Type::SCALAR,
        scalar: Some(v1::value::Scalar { value }),
        ..Default::default()
    }
}

fn seconds(n: i64) -> v1::DurationInfo {
    v1::DurationInfo {
        nanoseconds: n * 1_000_000_000,
    }
}

fn machine() -> v1::MachineID {
    v1::MachineID {
        hostname: Some("host-1".into()),
        ip: Some("10.0.0.1".into()),
    }
}

fn command() -> v1::CommandInfo {
    v1::CommandInfo {
        value: Some("sleep 10".into()),
        // Declared default, which the JSON encoder writes out.
        shell: Some(true),
        ..Default::default()
    }
}

fn every_master_call() -> Vec<master::Call> {
    use master_calls as m;
    vec![
        m::get_health(),
        m::get_flags(),
        m::get_version(),
        m::get_metrics(Some(seconds(5))),
        m::get_logging_level(),
        m::set_logging_level(2, seconds(60)),
        m::list_files("/master/log"),
        m::read_file("/master/log", 10, Some(100)),
        m::get_state(),
        m::get_agents(),
        m::get_frameworks(),
        m::get_executors(),
        m::get_operations(),
        m::get_tasks(),
        m::get_roles(),
        m::get_weights(),
        m::update_weights(vec![v1::WeightInfo {
            weight: 2.5,
            role: Some("web".into()),
        }]),
        m::get_master(),
        m::subscribe(),
        m::reserve_resources(master::call::ReserveResources {
            agent_id: agent_id(),
            source: vec![scalar("cpus", 1.0)],
            resources: vec![scalar("cpus", 1.0)],
        }),
        m::unreserve_resources(agent_id(), vec![scalar("mem", 128.0)]),
        m::create_volumes(agent_id(), vec![scalar("disk", 64.0)]),
        m::destroy_volumes(agent_id(), vec![scalar("disk", 64.0)]),
        m::grow_volume(master::call::GrowVolume {
            agent_id: Some(agent_id()),
            volume: scalar("disk", 64.0),
            addition: scalar("disk", 32.0),
        }),
        m::shrink_volume(master::call::ShrinkVolume {
            agent_id: Some(agent_id()),
            volume: scalar("disk", 64.0),
            subtract: v1::value::Scalar { value: 16.0 },
        }),
        m::get_maintenance_status(),
        m::get_maintenance_schedule(),
        m::update_maintenance_schedule(maintenance::Schedule {
            windows: vec![maintenance::Window {
                machine_ids: vec![machine()],
                unavailability: v1::Unavailability {
                    start: v1::TimeInfo {
                        nanoseconds: 1_795_310_423_000_000_000,
                    },
                    duration: Some(seconds(3600)),
                },
            }],
        }),
        m::start_maintenance(vec![machine()]),
        m::stop_maintenance(vec![machine()]),
        m::drain_agent(
            agent_id(),
            Some(v1::protobuf::Duration {
                seconds: Some(5),
                nanos: Some(500),
            }),
            true,
        ),
        m::deactivate_agent(agent_id()),
        m::reactivate_agent(agent_id()),
        m::get_quota(),
        m::update_quota(
            true,
            vec![quota::QuotaConfig {
                role: "web".into(),
                guarantees: BTreeMap::from([("cpus".into(), v1::value::Scalar { value: 1.0 })]),
                limits: BTreeMap::from([("mem".into(), v1::value::Scalar { value: 512.0 })]),
            }],
        ),
        m::set_quota(quota::QuotaRequest {
            force: Some(false),
            role: Some("web".into()),
            guarantee: vec![scalar("cpus", 1.0)],
        }),
        m::remove_quota("web"),
        m::teardown(v1::FrameworkID {
            value: "580e5557-0c27-477e-b567-2e28dfc055c1-0000".into(),
        }),
        m::mark_agent_gone(agent_id()),
    ]
}

fn every_agent_call() -> Vec<agent::Call> {
    use agent::call as ac;
    use agent_calls as a;
    vec![
        a::get_health(),
        a::get_flags(),
        a::get_version(),
        a::get_metrics(None),
        a::get_logging_level(),
        a::set_logging_level(1, seconds(30)),
        a::list_files("/slave/log"),
        a::read_file("/slave/log", 0, None),
        a::get_state(),
        a::get_containers(Some(ac::GetContainers {
            show_nested: Some(true),
            show_standalone: Some(false),
        })),
        a::get_frameworks(),
        a::get_executors(),
        a::get_operations(),
        a::get_tasks(),
        a::get_agent(),
        a::get_resource_providers(),
        a::launch_nested_container(ac::LaunchNestedContainer {
            container_id: container_id(),
            command: Some(command()),
            container: None,
        }),
        a::wait_nested_container(container_id()),
        a::kill_nested_container(container_id(), Some(15)),
        a::remove_nested_container(container_id()),
        a::launch_nested_container_session(ac::LaunchNestedContainerSession {
            container_id: container_id(),
            command: Some(command()),
            container: None,
        }),
        a::attach_container_input(ac::AttachContainerInput {
            r#type: Some(ac::attach_container_input::Type::PROCESS_IO),
            container_id: None,
            process_io: Some(agent::ProcessIO {
                r#type: Some(agent::process_io::Type::DATA),
                data: Some(agent::process_io::Data {
                    r#type: Some(agent::process_io::data::Type::STDIN),
                    data: Some(b"echo hi\n\x00\xff".to_vec()),
                }),
                control: None,
            }),
        }),
        a::attach_container_output(container_id()),
        a::launch_container(ac::LaunchContainer {
            container_id: container_id(),
            command: Some(command()),
            resources: vec![scalar("cpus", 0.5)],
            container: None,
            limits: BTreeMap::from([("cpus".into(), v1::value::Scalar { value: 1.0 })]),
        }),
        a::wait_container(container_id()),
        a::kill_container(container_id(), None),
        a::remove_container(container_id()),
        a::add_resource_provider_config(resource_provider()),
        a::update_resource_provider_config(resource_provider()),
        a::remove_resource_provider_config("org.apache.mesos.rp.local.storage", "lvm"),
        a::mark_resource_provider_gone(v1::ResourceProviderID {
            value: "rp-1".into(),
        }),
        a::prune_images(vec![v1::Image {
            r#type: v1::image::Type::DOCKER,
            docker: Some(v1::image::Docker {
                name: "alpine:3".into(),
                ..Default::default()
            }),
            cached: Some(true),
            ..Default::default()
        }]),
    ]
}

fn resource_provider() -> v1::ResourceProviderInfo {
    v1::ResourceProviderInfo {
        r#type: "org.apache.mesos.rp.local.storage".into(),
        name: "lvm".into(),
        ..Default::default()
    }
}

/// Encodes `call` in both encodings and decodes it back.
fn round_trip<M: Message>(call: &M, what: &str) {
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let bytes = encoding.encode(call);
        let back: M = encoding
            .decode(&bytes)
            .unwrap_or_else(|e| panic!("{what} in {encoding:?}: {e}"));
        assert_eq!(&back, call, "{what} in {encoding:?}");
    }
}

#[test]
fn every_master_call_type_round_trips_in_both_encodings() {
    let mut covered = BTreeSet::new();
    for call in every_master_call() {
        let kind = call.r#type.expect("typed");
        round_trip(&call, kind.name().unwrap());
        assert!(covered.insert(kind), "{kind:?} twice");
    }
    let declared: BTreeSet<_> = master::call::Type::VALUES
        .iter()
        .copied()
        .filter(|t| *t != master::call::Type::UNKNOWN)
        .collect();
    assert_eq!(covered, declared);
}

#[test]
fn every_agent_call_type_round_trips_in_both_encodings() {
    let mut covered = BTreeSet::new();
    for call in every_agent_call() {
        let kind = call.r#type.expect("typed");
        round_trip(&call, kind.name().unwrap());
        assert!(covered.insert(kind), "{kind:?} twice");
    }
    let declared: BTreeSet<_> = agent::call::Type::VALUES
        .iter()
        .copied()
        .filter(|t| *t != agent::call::Type::UNKNOWN)
        .collect();
    assert_eq!(covered, declared);
}

#[test]
fn calls_are_written_as_the_master_reads_them() {
    let json = |c: &master::Call| String::from_utf8(Encoding::Json.encode(c)).unwrap();
    assert_eq!(json(&master_calls::get_state()), r#"{"type":"GET_STATE"}"#);
    // GET_METRICS without its (empty) message is refused by the master.
    assert_eq!(
        json(&master_calls::get_metrics(None)),
        r#"{"type":"GET_METRICS","get_metrics":{}}"#
    );
    // google.protobuf.Duration is an ordinary message in Mesos's mapping.
    assert_eq!(
        json(&master_calls::drain_agent(
            v1::AgentID { value: "S0".into() },
            Some(v1::protobuf::Duration {
                seconds: Some(5),
                nanos: None
            }),
            false
        )),
        r#"{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"S0"},"max_grace_period":{"seconds":5},"mark_gone":false}}"#
    );
    let proto_string = br#"{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"S0"},"max_grace_period":"5s"}}"#;
    let err = Encoding::Json
        .decode::<master::Call>(proto_string)
        .unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Schema, "{err}");
}

#[test]
fn responses_decode_by_expected_type() {
    use master::response::{GetHealth, GetVersion};
    let health = br#"{"type":"GET_HEALTH","get_health":{"healthy":true}}"#;
    let got: GetHealth = operator::master_response(Encoding::Json, health).unwrap();
    assert!(got.healthy);

    let err = operator::master_response::<GetVersion>(Encoding::Json, health).unwrap_err();
    assert_eq!(
        err,
        ResponseError::UnexpectedType {
            expected: "GET_VERSION",
            found: Some("GET_HEALTH".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "expected a GET_VERSION response, got GET_HEALTH"
    );

    let unknown = br#"{"type":99}"#;
    let err = operator::master_response::<GetHealth>(Encoding::Json, unknown);
    assert!(err.is_err(), "an enum number in JSON is not a name");
    let untyped = operator::master_response::<GetHealth>(Encoding::Protobuf, &[0x08, 99]);
    assert_eq!(
        untyped.unwrap_err(),
        ResponseError::UnexpectedType {
            expected: "GET_HEALTH",
            found: Some("type 99".into())
        }
    );
    let none = operator::master_response::<GetHealth>(Encoding::Json, b"{}");
    assert_eq!(
        none.unwrap_err().to_string(),
        "expected a GET_HEALTH response, got one without a type"
    );

    let garbage = operator::master_response::<GetHealth>(Encoding::Json, b"{\"type\":");
    assert!(matches!(garbage, Err(ResponseError::Decode(_))));

    // An agent with no containers leaves the body out: it reads as empty.
    let containers: agent::response::GetContainers =
        operator::agent_response(Encoding::Json, br#"{"type":"GET_CONTAINERS"}"#).unwrap();
    assert!(containers.containers.is_empty());
    let err = operator::agent_response::<agent::response::GetState>(
        Encoding::Json,
        br#"{"type":"GET_CONTAINERS"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, ResponseError::UnexpectedType { .. }));
}

#[test]
fn captured_answers_decode_by_expected_type() {
    let read = |side: &str, name: &str| {
        std::fs::read(format!("tests/data/operator/{side}/{name}")).unwrap()
    };
    let state: master::response::GetState = operator::master_response(
        Encoding::Protobuf,
        &read("master", "get-state-protobuf.response.bin"),
    )
    .unwrap();
    assert!(state.get_agents.is_some());
    let agent_state: agent::response::GetState = operator::agent_response(
        Encoding::Json,
        &read("agent", "get-state-json.response.json"),
    )
    .unwrap();
    assert!(agent_state.get_tasks.is_some());
}
