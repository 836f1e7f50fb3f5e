//! Every call constructor builds the right type and sub-message and passes
//! the master's validation once `framework_id` is filled; events convert to
//! and from the schema message.

use mesos_http::call;
use mesos_http::event::Event;
use mesos_http::v1;
use mesos_http::v1::scheduler::call::Type;
use mesos_http::v1::scheduler::event;
use mesos_http::v1::scheduler::Call;
use mesos_http::validation::{validate, validate_outgoing, ValidationError};

/// A version-4 UUID, as agents put in status updates.
const UUID_V4: [u8; 16] = [
    0x97, 0xbf, 0xf3, 0xa0, 0x92, 0xf3, 0x41, 0xe8, 0x94, 0x9c, 0x67, 0x8a, 0xff, 0xbd, 0x39, 0x20,
];

fn fid() -> v1::FrameworkID {
    v1::FrameworkID {
        value: "c12a49c7-0000".into(),
    }
}
fn agent() -> v1::AgentID {
    v1::AgentID { value: "S0".into() }
}
fn task() -> v1::TaskID {
    v1::TaskID {
        value: "t-1".into(),
    }
}
fn offer(id: &str) -> v1::OfferID {
    v1::OfferID { value: id.into() }
}
fn executor() -> v1::ExecutorID {
    v1::ExecutorID { value: "e".into() }
}
fn info(id: Option<&str>) -> v1::FrameworkInfo {
    v1::FrameworkInfo {
        user: "root".into(),
        name: "test".into(),
        id: id.map(|value| v1::FrameworkID {
            value: value.into(),
        }),
        ..v1::FrameworkInfo::default()
    }
}

/// The sub-message fields that are set, by name, to check "only the right one".
fn set_fields(call: &Call) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut note = |present: bool, name: &'static str| {
        if present {
            fields.push(name)
        }
    };
    note(call.subscribe.is_some(), "subscribe");
    note(call.accept.is_some(), "accept");
    note(call.decline.is_some(), "decline");
    note(
        call.accept_inverse_offers.is_some(),
        "accept_inverse_offers",
    );
    note(
        call.decline_inverse_offers.is_some(),
        "decline_inverse_offers",
    );
    note(call.revive.is_some(), "revive");
    note(call.kill.is_some(), "kill");
    note(call.shutdown.is_some(), "shutdown");
    note(call.acknowledge.is_some(), "acknowledge");
    note(
        call.acknowledge_operation_status.is_some(),
        "acknowledge_operation_status",
    );
    note(call.reconcile.is_some(), "reconcile");
    note(call.reconcile_operations.is_some(), "reconcile_operations");
    note(call.message.is_some(), "message");
    note(call.request.is_some(), "request");
    note(call.suppress.is_some(), "suppress");
    note(call.update_framework.is_some(), "update_framework");
    fields
}

/// One of each of the 17 call types, with the sub-message it must carry.
fn all_calls() -> Vec<(Call, Type, Vec<&'static str>)> {
    let filters = Some(call::refuse_seconds(3600.0));
    vec![
        (
            call::subscribe(info(None)),
            Type::SUBSCRIBE,
            vec!["subscribe"],
        ),
        (call::teardown(), Type::TEARDOWN, vec![]),
        (
            call::accept([offer("O1")], [call::launch([])], filters.clone()),
            Type::ACCEPT,
            vec!["accept"],
        ),
        (
            call::decline([offer("O1"), offer("O2")], filters.clone()),
            Type::DECLINE,
            vec!["decline"],
        ),
        (
            call::accept_inverse_offers([offer("I1")], None),
            Type::ACCEPT_INVERSE_OFFERS,
            vec!["accept_inverse_offers"],
        ),
        (
            call::decline_inverse_offers([offer("I1")], None),
            Type::DECLINE_INVERSE_OFFERS,
            vec!["decline_inverse_offers"],
        ),
        (call::revive(["web"]), Type::REVIVE, vec!["revive"]),
        (call::kill(task(), Some(agent())), Type::KILL, vec!["kill"]),
        (
            call::shutdown(executor(), agent()),
            Type::SHUTDOWN,
            vec!["shutdown"],
        ),
        (
            call::acknowledge(agent(), task(), UUID_V4.to_vec()),
            Type::ACKNOWLEDGE,
            vec!["acknowledge"],
        ),
        (
            call::acknowledge_operation_status(
                Some(agent()),
                None,
                v1::OperationID { value: "op".into() },
                UUID_V4.to_vec(),
            ),
            Type::ACKNOWLEDGE_OPERATION_STATUS,
            vec!["acknowledge_operation_status"],
        ),
        (
            call::reconcile([(task(), Some(agent()))]),
            Type::RECONCILE,
            vec!["reconcile"],
        ),
        (
            call::reconcile_operations([]),
            Type::RECONCILE_OPERATIONS,
            vec!["reconcile_operations"],
        ),
        (
            call::message(agent(), executor(), b"hi".to_vec()),
            Type::MESSAGE,
            vec!["message"],
        ),
        (call::request([]), Type::REQUEST, vec!["request"]),
        (call::suppress(["web"]), Type::SUPPRESS, vec!["suppress"]),
        (
            call::update_framework(info(Some("c12a49c7-0000"))),
            Type::UPDATE_FRAMEWORK,
            vec!["update_framework"],
        ),
    ]
}

#[test]
fn every_constructor_sets_its_type_and_only_its_sub_message() {
    let calls = all_calls();
    assert_eq!(calls.len(), 17);
    let mut kinds: Vec<i32> = calls.iter().map(|(_, kind, _)| kind.0).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds.len(), 17, "each call type exactly once");
    for (call, kind, fields) in calls {
        assert_eq!(call.r#type, Some(kind));
        assert_eq!(set_fields(&call), fields, "{kind:?}");
    }
}

#[test]
fn every_call_validates_once_framework_id_is_filled() {
    for (built, kind, _) in all_calls() {
        let filled = call::with_framework_id(built.clone(), fid());
        assert_eq!(validate(&filled), Ok(()), "{kind:?}");
        assert_eq!(validate_outgoing(&filled), Ok(()), "{kind:?}");
        if kind != Type::SUBSCRIBE {
            // Without the id every other call is refused with the master's text.
            let mut bare = built;
            bare.framework_id = None;
            assert_eq!(
                validate(&bare),
                Err(ValidationError::MissingFrameworkId),
                "{kind:?}"
            );
        }
    }
}

#[test]
fn subscribe_copies_the_framework_info_id() {
    let first = call::subscribe(info(None));
    assert_eq!(first.framework_id, None);
    assert_eq!(validate(&first), Ok(()));

    let again = call::subscribe(info(Some("c12a49c7-0000")));
    assert_eq!(again.framework_id, Some(fid()));
    assert_eq!(validate(&again), Ok(()));

    let update = call::update_framework(info(Some("c12a49c7-0000")));
    assert_eq!(update.framework_id, Some(fid()));
}

#[test]
fn decline_carries_offer_ids_and_filters() {
    let c = call::decline([offer("O1"), offer("O2")], Some(call::refuse_seconds(2.5)));
    let decline = c.decline.expect("decline");
    assert_eq!(decline.offer_ids, vec![offer("O1"), offer("O2")]);
    assert_eq!(decline.filters.map(|f| f.refuse_seconds()), Some(2.5));
}

#[test]
fn revive_and_suppress_without_roles_omit_the_sub_message() {
    let revive = call::revive(Vec::<String>::new());
    assert_eq!(revive.r#type(), Type::REVIVE);
    assert!(revive.revive.is_none());
    let suppress = call::suppress(["*", "web"]);
    assert_eq!(suppress.suppress.expect("suppress").roles, vec!["*", "web"]);
}

#[test]
fn reconcile_all_is_an_empty_task_list() {
    let c = call::reconcile_all();
    assert_eq!(c.r#type(), Type::RECONCILE);
    assert_eq!(c.reconcile.expect("reconcile").tasks, vec![]);
}

#[test]
fn offer_operations_have_their_type_and_payload() {
    use v1::offer::operation::Type as Op;
    let resource = mesos_http::resources::scalar_resource("cpus", 1.0);
    let t = v1::TaskInfo {
        name: "t".into(),
        task_id: task(),
        agent_id: agent(),
        ..v1::TaskInfo::default()
    };
    let launch = call::launch([t.clone()]);
    assert_eq!(launch.r#type(), Op::LAUNCH);
    assert_eq!(launch.launch.expect("launch").task_infos, vec![t.clone()]);

    let group = v1::TaskGroupInfo { tasks: vec![t] };
    let lg = call::launch_group(v1::ExecutorInfo::default(), group.clone());
    assert_eq!(lg.r#type(), Op::LAUNCH_GROUP);
    assert_eq!(lg.launch_group.expect("launch_group").task_group, group);

    let reserve = call::reserve([resource.clone()]);
    assert_eq!(reserve.r#type(), Op::RESERVE);
    assert_eq!(
        reserve.reserve.expect("reserve").resources,
        vec![resource.clone()]
    );
    let unreserve = call::unreserve([resource.clone()]);
    assert_eq!(unreserve.r#type(), Op::UNRESERVE);
    assert_eq!(
        unreserve.unreserve.expect("unreserve").resources,
        vec![resource.clone()]
    );
    let create = call::create([resource.clone()]);
    assert_eq!(create.r#type(), Op::CREATE);
    assert_eq!(
        create.create.expect("create").volumes,
        vec![resource.clone()]
    );
    let destroy = call::destroy([resource.clone()]);
    assert_eq!(destroy.r#type(), Op::DESTROY);
    assert_eq!(destroy.destroy.expect("destroy").volumes, vec![resource]);
}

fn status(uuid: Option<Vec<u8>>) -> v1::TaskStatus {
    v1::TaskStatus {
        task_id: task(),
        state: v1::TaskState::TASK_RUNNING,
        agent_id: Some(agent()),
        uuid,
        ..v1::TaskStatus::default()
    }
}

#[test]
fn acknowledge_update_echoes_agent_task_and_uuid() {
    let ack = call::acknowledge_update(&status(Some(UUID_V4.to_vec()))).expect("needs an ack");
    assert_eq!(ack.r#type(), Type::ACKNOWLEDGE);
    let body = ack.acknowledge.clone().expect("acknowledge");
    assert_eq!(body.agent_id, agent());
    assert_eq!(body.task_id, task());
    assert_eq!(body.uuid, UUID_V4.to_vec());
    assert_eq!(validate(&call::with_framework_id(ack, fid())), Ok(()));
}

#[test]
fn updates_without_uuid_are_not_acknowledged() {
    assert_eq!(call::acknowledge_update(&status(None)), None);
}

#[test]
fn operation_updates_are_acknowledged_only_with_uuid() {
    let mut op = v1::OperationStatus {
        operation_id: Some(v1::OperationID { value: "op".into() }),
        state: v1::OperationState::OPERATION_FINISHED,
        agent_id: Some(agent()),
        ..v1::OperationStatus::default()
    };
    assert_eq!(call::acknowledge_operation_update(&op), None);
    op.uuid = Some(v1::UUID {
        value: UUID_V4.to_vec(),
    });
    let ack = call::acknowledge_operation_update(&op).expect("needs an ack");
    let body = ack.acknowledge_operation_status.clone().expect("body");
    assert_eq!(body.uuid, UUID_V4.to_vec());
    assert_eq!(body.operation_id.value, "op");
    assert_eq!(body.agent_id, Some(agent()));
    assert_eq!(validate(&call::with_framework_id(ack, fid())), Ok(()));
}

fn proto_event(kind: event::Type) -> v1::scheduler::Event {
    v1::scheduler::Event {
        r#type: Some(kind),
        ..v1::scheduler::Event::default()
    }
}

#[test]
fn events_convert_from_and_back_to_proto() {
    let subscribed = event::Subscribed {
        framework_id: fid(),
        heartbeat_interval_seconds: Some(15.0),
        master_info: None,
    };
    let mut samples = Vec::new();
    let mut add = |mut proto: v1::scheduler::Event, fill: &dyn Fn(&mut v1::scheduler::Event)| {
        fill(&mut proto);
        samples.push(proto);
    };
    add(proto_event(event::Type::SUBSCRIBED), &|e| {
        e.subscribed = Some(subscribed.clone())
    });
    add(proto_event(event::Type::OFFERS), &|e| {
        e.offers = Some(event::Offers::default())
    });
    add(proto_event(event::Type::INVERSE_OFFERS), &|e| {
        e.inverse_offers = Some(event::InverseOffers::default())
    });
    add(proto_event(event::Type::RESCIND), &|e| {
        e.rescind = Some(event::Rescind {
            offer_id: offer("O1"),
        })
    });
    add(proto_event(event::Type::RESCIND_INVERSE_OFFER), &|e| {
        e.rescind_inverse_offer = Some(event::RescindInverseOffer::default())
    });
    add(proto_event(event::Type::UPDATE), &|e| {
        e.update = Some(event::Update {
            status: status(None),
        })
    });
    add(proto_event(event::Type::UPDATE_OPERATION_STATUS), &|e| {
        e.update_operation_status = Some(event::UpdateOperationStatus::default())
    });
    add(proto_event(event::Type::MESSAGE), &|e| {
        e.message = Some(event::Message::default())
    });
    add(proto_event(event::Type::FAILURE), &|e| {
        e.failure = Some(event::Failure::default())
    });
    add(proto_event(event::Type::ERROR), &|e| {
        e.error = Some(event::Error {
            message: "Framework failed over".into(),
        })
    });
    add(proto_event(event::Type::HEARTBEAT), &|_| {});
    assert_eq!(samples.len(), 11);

    for proto in samples {
        let typed = Event::from_proto(proto.clone());
        assert!(
            !matches!(typed, Event::Unknown(_)),
            "{:?} should be typed",
            proto.r#type
        );
        assert_eq!(Some(typed.kind()), proto.r#type);
        assert_eq!(typed.to_proto(), proto);
    }
}

#[test]
fn event_accessors_pick_the_payload() {
    let mut proto = proto_event(event::Type::UPDATE);
    proto.update = Some(event::Update {
        status: status(Some(UUID_V4.to_vec())),
    });
    let update = Event::from_proto(proto);
    assert_eq!(
        update.task_status().map(|s| s.task_id.clone()),
        Some(task())
    );
    let ack = update
        .acknowledgement()
        .expect("reliable update needs an ack");
    assert_eq!(ack.acknowledge.expect("ack").uuid, UUID_V4.to_vec());
    assert_eq!(update.offers(), None);

    let mut error = proto_event(event::Type::ERROR);
    error.error = Some(event::Error {
        message: "Framework has been removed".into(),
    });
    let error = Event::from(error);
    assert_eq!(error.error_message(), Some("Framework has been removed"));
    assert_eq!(error.acknowledgement(), None);
    assert!(matches!(
        Event::from_proto(proto_event(event::Type::HEARTBEAT)),
        Event::Heartbeat
    ));
}

#[test]
fn an_unknown_type_is_kept_not_rejected() {
    let mut proto = proto_event(event::Type(42));
    proto.error = Some(event::Error {
        message: "payload of a future type".into(),
    });
    let typed = Event::from_proto(proto.clone());
    let Event::Unknown(unknown) = &typed else {
        panic!("expected Unknown, got {typed:?}");
    };
    assert_eq!(unknown.kind(), event::Type(42));
    assert_eq!(unknown.encoding(), None);
    assert!(unknown.record().is_empty());
    assert_eq!(unknown.proto(), &proto);
    assert_eq!(typed.kind().0, 42);
    assert_eq!(typed.to_proto(), proto);
}

#[test]
fn a_known_type_without_its_payload_is_unknown() {
    let proto = proto_event(event::Type::UPDATE);
    let typed = Event::from_proto(proto.clone());
    assert!(matches!(&typed, Event::Unknown(u) if u.kind() == event::Type::UPDATE));
    assert_eq!(typed.task_status(), None);
    assert_eq!(typed.to_proto(), proto);
}

#[test]
fn a_call_of_type_unknown_is_never_sent() {
    let unknown = call::with_framework_id(
        Call {
            r#type: Some(Type::UNKNOWN),
            ..Call::default()
        },
        fid(),
    );
    // The master's own validation lets it through (then it aborts) ...
    assert_eq!(validate(&unknown), Ok(()));
    // ... so the client refuses it before sending.
    assert_eq!(
        validate_outgoing(&unknown),
        Err(ValidationError::UnknownTypeRefused)
    );
}

#[test]
fn with_framework_id_keeps_a_resubscription_consistent() {
    let again = call::with_framework_id(call::subscribe(info(None)), fid());
    assert_eq!(again.framework_id, Some(fid()));
    assert_eq!(
        again
            .subscribe
            .as_ref()
            .and_then(|s| s.framework_info.id.clone()),
        Some(fid())
    );
    assert_eq!(validate(&again), Ok(()));
}
