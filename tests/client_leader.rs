//! Leader following against a group of simulated masters: 307 from a
//! follower (scheme-less `Location`) leads to the leader, a static list is
//! tried in turn, a leader change is followed with the same framework id,
//! no leader (503) is waited out, and redirect hops are bounded.
#![cfg(feature = "sim")]

mod client_support;

use std::net::TcpListener;
use std::time::Duration;

use client_support::*;
use mesos_http::sim::{SimConfig, SimGroup};
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item};

per_encoding!(
    follows_a_307_to_the_leader,
    tries_a_static_list_in_turn,
    follows_a_leader_change_with_the_same_framework_id,
    waits_out_a_cluster_without_leader,
    bounds_the_redirect_hops,
);

fn group(count: usize) -> SimGroup {
    SimGroup::start(count, SimConfig::fast(Duration::from_millis(100))).unwrap()
}

fn subscribed_master(events: &mesos_http::Events) -> String {
    wait_for(events, "Subscribed", |item| match item {
        Item::Connection(ConnectionState::Subscribed { master, .. }) => Some(master.clone()),
        _ => None,
    })
}

/// A local port nobody listens on.
fn dead_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr.to_string()
}

fn follows_a_307_to_the_leader(encoding: Encoding) {
    let group = group(3);
    group.set_leader(Some(2));
    let (scheduler, events) = builder(&group.master(0).url(), encoding, "redirected")
        .connect()
        .unwrap();
    let master = subscribed_master(&events);
    let leader = group.master(2);
    assert!(
        master.starts_with(&leader.url()),
        "{master} is not the leader {}",
        leader.url()
    );
    // The follower's Location has no scheme and the canonical path.
    assert!(master.ends_with("/master/api/v1/scheduler"), "{master}");
    scheduler
        .suppress(Vec::<String>::new())
        .expect("calls go to the leader");
    assert_eq!(scheduler.master().as_deref(), Some(master.as_str()));
}

fn tries_a_static_list_in_turn(encoding: Encoding) {
    let group = group(1);
    let leader = group.master(0);
    let list = format!("{},{}", dead_address(), leader.addr());
    let (scheduler, events) = builder(&list, encoding, "list").connect().unwrap();
    let master = subscribed_master(&events);
    assert!(master.starts_with(&leader.url()), "{master}");
    scheduler.revive(Vec::<String>::new()).unwrap();
}

fn follows_a_leader_change_with_the_same_framework_id(encoding: Encoding) {
    let group = group(2);
    let first = group.master(0);
    let (scheduler, events) = builder(&first.url(), encoding, "moving").connect().unwrap();
    let (framework_id, stream_id) = subscribed(&events);

    group.set_leader(Some(1));
    let (again, new_stream) = subscribed(&events);
    assert_eq!(again, framework_id);
    assert_ne!(new_stream, stream_id);
    let master = scheduler.master().unwrap();
    assert!(master.starts_with(&group.master(1).url()), "{master}");
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls follow the new leader");
    assert!(first.with_state(|s| s.framework(&framework_id).unwrap().connected));
}

fn waits_out_a_cluster_without_leader(encoding: Encoding) {
    let group = group(2);
    group.set_leader(None);
    let (scheduler, events) = builder(&group.master(0).url(), encoding, "leaderless")
        .connect()
        .unwrap();
    let body = wait_for(&events, "503 reported", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) => Some(body.clone()),
        _ => None,
    });
    assert_eq!(body, "No leader elected");
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::NotSubscribed)
    ));
    group.set_leader(Some(1));
    let master = subscribed_master(&events);
    assert!(master.starts_with(&group.master(1).url()), "{master}");
}

fn bounds_the_redirect_hops(encoding: Encoding) {
    let group = group(2);
    group.set_leader(Some(1));
    let (scheduler, events) = builder(&group.master(0).url(), encoding, "no-hops")
        .max_redirects(0)
        .connect()
        .unwrap();
    let hops = wait_for(&events, "RedirectLoop", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::RedirectLoop { hops },
        ))) => Some(hops.clone()),
        _ => None,
    });
    assert_eq!(hops.len(), 2, "{hops:?}");
    assert!(hops[0].starts_with(&group.master(0).url()));
    assert!(hops[1].starts_with(&group.master(1).url()));
    assert!(!scheduler.is_subscribed());
}
