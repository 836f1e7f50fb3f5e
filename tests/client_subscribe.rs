//! Subscription basics against the simulated master over loopback HTTP:
//! SUBSCRIBED then heartbeats, the stream id on calls (and not on SUBSCRIBE),
//! and calls failing fast before the subscription exists.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::event::Event;
use mesos_http::{ConnectionState, Encoding, Error, Item};

per_encoding!(
    subscribes_then_receives_subscribed_and_heartbeats,
    calls_carry_the_stream_id_and_subscribe_does_not,
);

fn subscribes_then_receives_subscribed_and_heartbeats(encoding: Encoding) {
    let master = sim(Duration::from_millis(50));
    let (scheduler, events) = builder(&master.url(), encoding, "basics")
        .connect()
        .unwrap();

    let connected = wait_for(&events, "Connected", |item| match item {
        Item::Connection(ConnectionState::Connected { master }) => Some(master.clone()),
        _ => None,
    });
    assert_eq!(connected, master.scheduler_url().replace("/master", ""));
    let (framework_id, stream_id) = subscribed(&events);
    assert!(!framework_id.is_empty());
    assert!(!stream_id.is_empty());

    let event = next_event(&events, "SUBSCRIBED", |e| matches!(e, Event::Subscribed(_)));
    let Event::Subscribed(sub) = &*event else {
        unreachable!()
    };
    assert_eq!(sub.framework_id.value, framework_id);
    assert_eq!(sub.heartbeat_interval_seconds, Some(0.05));
    let info = sub.master_info.as_ref().expect("master_info");
    assert_eq!(info.id, master.master_id());
    assert_eq!(info.port, u32::from(master.addr().port()));
    assert_eq!(info.hostname.as_deref(), Some("127.0.0.1"));
    // The first heartbeat comes right after SUBSCRIBED, then more follow.
    for _ in 0..3 {
        let item = events.recv_timeout(PATIENCE).expect("a heartbeat");
        assert!(
            matches!(item.event(), Some(Event::Heartbeat)),
            "{}",
            describe(&item)
        );
    }

    assert_eq!(scheduler.framework_id().unwrap().value, framework_id);
    assert_eq!(scheduler.stream_id().as_deref(), Some(stream_id.as_str()));
    master.with_state(|state| {
        let fw = state
            .framework(&framework_id)
            .expect("framework known to the sim");
        assert!(fw.connected);
        assert_eq!(fw.stream_id.as_deref(), Some(stream_id.as_str()));
        assert_eq!(fw.subscriptions, 1);
    });
}

fn calls_carry_the_stream_id_and_subscribe_does_not(encoding: Encoding) {
    // The sim answers 400 to a SUBSCRIBE that carries `Mesos-Stream-Id` and to
    // any other call without it (or with a stale one): acceptance proves both.
    let master = sim(Duration::from_millis(200));
    let (scheduler, events) = builder(&master.url(), encoding, "stream-id")
        .connect()
        .unwrap();
    assert!(matches!(
        scheduler.suppress(["*"]),
        Err(Error::NotSubscribed)
    ));

    let (framework_id, stream_id) = subscribed(&events);
    scheduler
        .revive(Vec::<String>::new())
        .expect("REVIVE accepted with the stream id");
    master.with_state(|state| {
        assert_eq!(
            state.framework(&framework_id).unwrap().stream_id.as_deref(),
            Some(stream_id.as_str())
        );
    });
    scheduler.close();
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::Closed)
    ));
}
