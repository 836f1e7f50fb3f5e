//! Endings for good: another scheduler instance taking over the framework
//! (the old one gets ERROR `Framework failed over` and stops instead of
//! stealing it back), and subscribing as a removed framework.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::event::Event;
use mesos_http::v1::FrameworkID;
use mesos_http::{ConnectionState, Encoding, Item, Termination};

per_encoding!(
    a_second_instance_takes_over_and_the_first_stops,
    a_removed_framework_cannot_subscribe_again,
);

/// The last item before the channel closed, which must be the final state.
fn termination(events: &mesos_http::Events) -> (Vec<String>, String) {
    let items = drain_until_closed(events);
    let described = items.iter().map(describe).collect::<Vec<_>>();
    match items.last() {
        Some(Item::Connection(ConnectionState::Terminated(Termination::ErrorEvent(message)))) => {
            (described, message.clone())
        }
        other => panic!("no final ErrorEvent: {other:?} after {described:?}"),
    }
}

fn a_second_instance_takes_over_and_the_first_stops(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (first, first_events) = builder(&master.url(), encoding, "ha").connect().unwrap();
    let (framework_id, _) = subscribed(&first_events);

    let mut info = framework("ha");
    info.id = Some(FrameworkID {
        value: framework_id.clone(),
    });
    let (second, second_events) = builder(&master.url(), encoding, "ha")
        .framework(info)
        .connect()
        .unwrap();
    let (same, _) = subscribed(&second_events);
    assert_eq!(same, framework_id);

    let (items, message) = termination(&first_events);
    assert_eq!(message, "Framework failed over");
    assert!(items.iter().any(|d| d == "event ERROR"), "{items:?}");
    assert!(first.is_closed());
    // The first instance did not come back to steal the framework.
    second
        .revive(Vec::<String>::new())
        .expect("the new instance owns the framework");
    for _ in 0..3 {
        next_event(&second_events, "HEARTBEAT", |e| {
            matches!(e, Event::Heartbeat)
        });
    }
    assert_eq!(
        master.with_state(|s| s.framework(&framework_id).unwrap().subscriptions),
        2
    );
}

fn a_removed_framework_cannot_subscribe_again(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "gone").connect().unwrap();
    let (framework_id, _) = subscribed(&events);
    scheduler.teardown().unwrap();
    drain_until_closed(&events);

    let mut info = framework("gone");
    info.id = Some(FrameworkID {
        value: framework_id,
    });
    let (again, events) = builder(&master.url(), encoding, "gone")
        .framework(info)
        .connect()
        .unwrap();
    let (_, message) = termination(&events);
    assert_eq!(message, "Framework has been removed");
    assert!(again.is_closed());
}
