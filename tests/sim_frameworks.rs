//! Subscription streams, failover, removal and offers on the simulated master
//! (test-scenarios groups 2 and 3), over raw HTTP in JSON and protobuf.

mod sim_support;

use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::framework_info::capability::Type as Cap;
use mesos_http::v1::framework_info::Capability;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::{Filters, FrameworkID, OfferID};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};
use sim_support::*;

const WAIT: Duration = Duration::from_secs(10);

fn fast(heartbeat_ms: u64) -> SimConfig {
    SimConfig::fast(Duration::from_millis(heartbeat_ms))
}

fn with_id(mut info: mesos_http::v1::FrameworkInfo, id: &str) -> mesos_http::v1::FrameworkInfo {
    info.id = Some(FrameworkID {
        value: id.to_string(),
    });
    info
}

#[test]
fn stream_starts_with_subscribed_then_heartbeats() {
    let m = SimMaster::start(fast(100)).unwrap();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("hb"));
        assert!(!s.framework_id.is_empty());
        // No agents, so nothing but heartbeats follows.
        for _ in 0..3 {
            assert_eq!(
                s.events.next_event().unwrap().r#type(),
                EventType::HEARTBEAT
            );
        }
    }
}

#[test]
fn invalid_role_is_200_then_one_error() {
    let m = SimMaster::start(fast(1000)).unwrap();
    for encoding in ENCODINGS {
        let mut info = framework_info("bad-role");
        info.role = Some("/test/test1".into());
        let mut events = subscribe_with(m.addr(), encoding, &subscribe_call(info), &[]);
        assert_eq!(events.head.header("Transfer-Encoding"), Some("chunked"));
        let first = events.next_event().unwrap();
        assert_eq!(first.r#type(), EventType::ERROR);
        assert!(first.error.unwrap().message.contains("/test/test1"));
        assert!(matches!(events.next_event(), Err(StreamEnd::BodyEnded)));
    }
    assert!(m.with_state(|v| v.frameworks().is_empty()));
}

#[test]
fn resubscribe_fails_over_the_old_stream() {
    let m = SimMaster::start(fast(1000)).unwrap();
    for encoding in ENCODINGS {
        let mut first = subscribe(m.addr(), encoding, framework_info("fo"));
        let fid = first.framework_id.clone();
        let mut info = with_id(framework_info("fo-renamed"), &fid);
        info.failover_timeout = Some(30.0);
        let second = subscribe(m.addr(), encoding, info);
        assert_eq!(second.framework_id, fid);
        assert_ne!(second.stream_id, first.stream_id);
        let error = first.events.expect(EventType::ERROR);
        assert_eq!(error.error.unwrap().message, "Framework failed over");
        assert!(matches!(
            first.events.next_event(),
            Err(StreamEnd::BodyEnded)
        ));
        // The connection itself stays open after the last chunk.
        first.events.client.set_timeout(Duration::from_millis(100));
        let mut byte = [0u8; 1];
        let open = first.events.client.stream().peek(&mut byte);
        assert!(open.is_err(), "connection must stay open, got {open:?}");
        m.with_state(|v| {
            let f = v.framework(&fid).unwrap();
            assert_eq!(f.name, "fo-renamed");
            assert_eq!(f.subscriptions, 2);
            assert_eq!(f.stream_id.as_deref(), Some(second.stream_id.as_str()));
        });
        // The failed-over framework can still talk to executors.
        let message = Call {
            r#type: Some(CallType::MESSAGE),
            message: Some(call::Message {
                data: b"after failover".to_vec(),
                ..Default::default()
            }),
            ..Call::default()
        };
        assert_eq!(second.call(message).code, 202);
        assert!(m.with_state(|v| v.messages().iter().any(|(_, _, d)| d == b"after failover")));
    }
}

#[test]
fn teardown_and_failover_timeout_remove_the_framework() {
    let m = SimMaster::start(fast(1000)).unwrap();
    for encoding in ENCODINGS {
        // TEARDOWN: body ends, later SUBSCRIBE gets ERROR, calls get 400.
        let mut s = subscribe(m.addr(), encoding, framework_info("td"));
        let fid = s.framework_id.clone();
        let mut teardown_without_id = bare(CallType::TEARDOWN);
        teardown_without_id.framework_id = Some(FrameworkID { value: fid.clone() });
        let r = post_call(m.addr(), encoding, &teardown_without_id, None);
        assert_eq!(r.code, 400);
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
        assert!(matches!(s.events.next_event(), Err(StreamEnd::BodyEnded)));
        assert!(m.with_state(|v| v.is_removed(&fid)));
        let mut again = subscribe_with(
            m.addr(),
            encoding,
            &subscribe_call(with_id(framework_info("td"), &fid)),
            &[],
        );
        let e = again.next_event().unwrap();
        assert_eq!(e.error.unwrap().message, "Framework has been removed");
        assert!(matches!(again.next_event(), Err(StreamEnd::BodyEnded)));
        let r = s.call(bare(CallType::REVIVE));
        assert_eq!(r.text(), "Framework cannot be found");

        // failover_timeout: disconnect, wait for removal, then ERROR.
        let mut info = framework_info("ft");
        info.failover_timeout = Some(0.2);
        let s = subscribe(m.addr(), encoding, info);
        let fid = s.framework_id.clone();
        drop(s);
        assert!(m.wait_for(|v| v.is_removed(&fid), WAIT));
        let mut late = subscribe_with(
            m.addr(),
            encoding,
            &subscribe_call(with_id(framework_info("ft"), &fid)),
            &[],
        );
        assert_eq!(
            late.next_event().unwrap().error.unwrap().message,
            "Framework has been removed"
        );

        // The default failover_timeout is 0: removal as soon as the stream drops.
        let s = subscribe(m.addr(), encoding, framework_info("zero"));
        let fid = s.framework_id.clone();
        drop(s);
        assert!(m.wait_for(|v| v.is_removed(&fid), WAIT));
    }
}

#[test]
fn resubscribe_within_failover_timeout_keeps_the_framework() {
    let m = SimMaster::start(fast(1000)).unwrap();
    let mut info = framework_info("keep");
    info.failover_timeout = Some(60.0);
    let s = subscribe(m.addr(), Encoding::Json, info.clone());
    let fid = s.framework_id.clone();
    drop(s);
    assert!(m.wait_for(|v| v.framework(&fid).is_some_and(|f| !f.connected), WAIT));
    let s = subscribe(m.addr(), Encoding::Protobuf, with_id(info, &fid));
    assert_eq!(s.framework_id, fid);
    assert!(m.with_state(|v| v.framework(&fid).unwrap().connected));
    // A never-seen id is accepted too (the master "recovers" it).
    let s = subscribe(
        m.addr(),
        Encoding::Json,
        with_id(framework_info("x"), "made-up-framework-id"),
    );
    assert_eq!(s.framework_id, "made-up-framework-id");
}

#[test]
fn principal_change_on_resubscribe_is_refused() {
    let m = SimMaster::start(
        fast(1000)
            .with_basic_auth("alice", "a")
            .with_basic_auth("bob", "b"),
    )
    .unwrap();
    use base64::Engine;
    let auth = |c: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(c)
        )
    };
    let (alice, bob) = (auth("alice:a"), auth("bob:b"));
    let mut info = framework_info("p");
    info.failover_timeout = Some(60.0);
    let mut events = subscribe_with(
        m.addr(),
        Encoding::Json,
        &subscribe_call(info.clone()),
        &[("Authorization", &alice)],
    );
    let fid = events
        .next_event()
        .unwrap()
        .subscribed
        .unwrap()
        .framework_id
        .value;
    drop(events);
    assert!(m.wait_for(|v| v.framework(&fid).is_some_and(|f| !f.connected), WAIT));
    let mut events = subscribe_with(
        m.addr(),
        Encoding::Protobuf,
        &subscribe_call(with_id(info, &fid)),
        &[("Authorization", &bob)],
    );
    let e = events.next_event().unwrap();
    assert_eq!(
        e.error.unwrap().message,
        "Changing framework's principal is not allowed."
    );
    assert!(matches!(events.next_event(), Err(StreamEnd::BodyEnded)));
}

fn scripted_master(agents: usize) -> SimMaster {
    let mut config = fast(1000);
    for _ in 0..agents {
        config = config.with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    }
    SimMaster::start(config).unwrap()
}

#[test]
fn offers_look_like_the_masters() {
    let m =
        SimMaster::start(fast(1000).with_agent(AgentSpec::local().with_attribute("rack", "r1")))
            .unwrap();
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("offers"));
    let record = loop {
        let r = String::from_utf8(s.events.next_record().unwrap()).unwrap();
        if r.starts_with(r#"{"type":"OFFERS""#) {
            break r;
        }
    };
    let agent = m.with_state(|v| v.agents()[0].clone());
    let expected = format!(
        r#"{{"type":"OFFERS","offers":{{"offers":[{{"id":{{"value":"{mid}-O0"}},"framework_id":{{"value":"{fid}"}},"agent_id":{{"value":"{agent}"}},"hostname":"127.0.0.1","url":{{"scheme":"http","address":{{"hostname":"127.0.0.1","ip":"127.0.0.1","port":5051}},"path":"/slave(1)"}},"resources":[{{"name":"ports","type":"RANGES","ranges":{{"range":[{{"begin":31000,"end":32000}}]}},"role":"*"}},{{"name":"cpus","type":"SCALAR","scalar":{{"value":2.0}},"role":"*"}},{{"name":"mem","type":"SCALAR","scalar":{{"value":2048.0}},"role":"*"}},{{"name":"disk","type":"SCALAR","scalar":{{"value":4096.0}},"role":"*"}}],"attributes":[{{"name":"rack","type":"TEXT","text":{{"value":"r1"}}}}]}}]}}}}"#,
        mid = m.master_id(),
        fid = s.framework_id,
    );
    assert_eq!(record, expected);
}

#[test]
fn multi_role_offers_carry_allocation_info() {
    let m = scripted_master(1);
    let mut info = framework_info("mr");
    info.roles = vec!["web".into()];
    info.capabilities = vec![Capability {
        r#type: Some(Cap::MULTI_ROLE),
    }];
    let mut s = subscribe(m.addr(), Encoding::Protobuf, info);
    let offer = s
        .events
        .expect(EventType::OFFERS)
        .offers
        .unwrap()
        .offers
        .remove(0);
    assert_eq!(offer.allocation_info.unwrap().role.as_deref(), Some("web"));
    assert!(offer.resources.iter().all(|r| r
        .allocation_info
        .as_ref()
        .and_then(|a| a.role.as_deref())
        == Some("web")));
}

fn decline(s: &Subscribed, offer: &str, refuse: Option<f64>) {
    let c = Call {
        r#type: Some(CallType::DECLINE),
        decline: Some(call::Decline {
            offer_ids: vec![OfferID {
                value: offer.into(),
            }],
            filters: refuse.map(|r| Filters {
                refuse_seconds: Some(r),
            }),
        }),
        ..Call::default()
    };
    assert_eq!(s.call(c).code, 202);
}

#[test]
fn decline_filters_revive_and_suppress() {
    let m = scripted_master(1);
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("filters"));
        let first = s.events.expect(EventType::OFFERS).offers.unwrap().offers[0]
            .id
            .value
            .clone();
        // refuse_seconds 0: re-offered at the next allocation, with a new id.
        decline(&s, &first, Some(0.0));
        let second = s.events.expect(EventType::OFFERS).offers.unwrap().offers[0]
            .id
            .value
            .clone();
        assert_ne!(first, second);
        // A one-hour filter: nothing but heartbeats... until REVIVE.
        decline(&s, &second, Some(3600.0));
        assert!(m.wait_for(|v| v.offers().is_empty(), WAIT));
        assert_eq!(s.call(bare(CallType::REVIVE)).code, 202);
        let third = s.events.expect(EventType::OFFERS).offers.unwrap().offers[0]
            .id
            .value
            .clone();
        // SUPPRESS then DECLINE (default 5 s filter): no offers even after heartbeats.
        assert_eq!(s.call(bare(CallType::SUPPRESS)).code, 202);
        decline(&s, &third, None);
        let fid = s.framework_id.clone();
        assert!(m.wait_for(
            |v| v.framework(&fid).unwrap().suppressed_roles == ["*"],
            WAIT
        ));
        for _ in 0..2 {
            let e = s.events.next_event().unwrap();
            assert_eq!(
                e.r#type(),
                EventType::HEARTBEAT,
                "suppressed framework got {e:?}"
            );
        }
        let revive = Call {
            r#type: Some(CallType::REVIVE),
            revive: Some(call::Revive {
                roles: vec!["*".into()],
            }),
            ..Call::default()
        };
        assert_eq!(s.call(revive).code, 202);
        s.events.expect(EventType::OFFERS);
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

#[test]
fn suppressed_roles_on_subscribe_hold_offers_until_revive() {
    let m = scripted_master(1);
    let mut events = subscribe_with(
        m.addr(),
        Encoding::Json,
        &Call {
            subscribe: Some(call::Subscribe {
                framework_info: framework_info("sup"),
                suppressed_roles: vec!["*".into()],
                ..Default::default()
            }),
            ..subscribe_call(framework_info("sup"))
        },
        &[],
    );
    let fid = events
        .next_event()
        .unwrap()
        .subscribed
        .unwrap()
        .framework_id
        .value;
    for _ in 0..3 {
        assert_eq!(events.next_event().unwrap().r#type(), EventType::HEARTBEAT);
    }
    let mut revive = bare(CallType::REVIVE);
    revive.framework_id = Some(FrameworkID { value: fid });
    assert_eq!(
        post_call(m.addr(), Encoding::Json, &revive, Some(&events.stream_id())).code,
        202
    );
    events.expect(EventType::OFFERS);
}

#[test]
fn one_offer_per_agent_with_unique_ids_and_rescinds() {
    let mut config = fast(1000);
    config.offer_timeout = Some(Duration::from_millis(300));
    for _ in 0..3 {
        config = config.with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    }
    let m = SimMaster::start(config).unwrap();
    let mut a = subscribe(m.addr(), Encoding::Json, framework_info("a"));
    let mut b = subscribe(m.addr(), Encoding::Protobuf, framework_info("b"));
    assert!(m.wait_for(|v| v.offers().len() == 3, WAIT));
    m.with_state(|v| {
        let offers = v.offers();
        let mut agents: Vec<_> = offers.iter().map(|o| o.agent_id.clone()).collect();
        agents.dedup();
        assert_eq!(agents.len(), 3, "one outstanding offer per agent");
        let mut ids: Vec<_> = offers.iter().map(|o| o.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3);
    });
    // Offer timeout: RESCIND.
    let rescinded = a
        .events
        .expect(EventType::RESCIND)
        .rescind
        .unwrap()
        .offer_id
        .value;
    assert!(rescinded.starts_with(&format!("{}-O", m.master_id())));
    // Agent removal: RESCIND of its offer.
    let agent = m.with_state(|v| v.agents()[0].clone());
    assert!(m.wait_for(|v| v.offers().iter().any(|o| o.agent_id == agent), WAIT));
    let offer_id = m.with_state(|v| {
        v.offers()
            .into_iter()
            .find(|o| o.agent_id == agent)
            .unwrap()
    });
    assert!(m.remove_agent(&agent));
    let stream = if offer_id.framework_id == a.framework_id {
        &mut a
    } else {
        &mut b
    };
    let e = stream.events.until(|e| {
        e.rescind
            .as_ref()
            .is_some_and(|r| r.offer_id.value == offer_id.id)
    });
    assert!(!e.is_empty());
    assert!(m.with_state(|v| v.offers().iter().all(|o| o.agent_id != agent)));
}
