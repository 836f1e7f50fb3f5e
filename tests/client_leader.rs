//! Leader following against a group of simulated masters: 307 from a
//! follower (scheme-less `Location`) leads to the leader, a static list is
//! tried in turn, a leader change is followed with the same framework id,
//! no leader (503) is waited out, redirect hops are bounded, a redirect
//! cycle ends each attempt with `RedirectLoop` (and the client keeps trying
//! until it clears), a master redirecting to itself (recovering, no leader
//! yet) is `Unavailable` and retried as for 503, and a call answered 307 moves later calls and the next
//! subscription to the new leader.

mod client_support;

use std::net::TcpListener;
use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item};
use mesos_http_sim::{SimConfig, SimGroup};

per_encoding!(
    follows_a_307_to_the_leader,
    tries_a_static_list_in_turn,
    follows_a_leader_change_with_the_same_framework_id,
    waits_out_a_cluster_without_leader,
    bounds_the_redirect_hops,
    a_redirect_cycle_fails_each_attempt_until_it_clears,
    a_master_redirecting_to_itself_has_no_leader_yet,
    a_call_answered_307_moves_calls_and_the_next_subscription,
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

fn redirect_loop(events: &mesos_http::Events) -> Vec<String> {
    wait_for(events, "RedirectLoop", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::RedirectLoop { hops },
        ))) => Some(hops.clone()),
        _ => None,
    })
}

fn a_redirect_cycle_fails_each_attempt_until_it_clears(encoding: Encoding) {
    let group = group(2);
    let (a, b) = (group.master(0), group.master(1));
    // Each master says the other one leads: A -> B -> A.
    a.redirect_to(Some(&b.redirect_location()));
    b.redirect_to(Some(&a.redirect_location()));
    let a_url = format!("{}/master/api/v1/scheduler", a.url());
    let b_url = format!("{}/master/api/v1/scheduler", b.url());
    let (scheduler, events) = builder(&a_url, encoding, "cycle").connect().unwrap();

    assert_eq!(redirect_loop(&events), [a_url.as_str(), &b_url, &a_url]);
    // Not terminal: the client backs off and tries again, with the same result.
    wait_for(&events, "Reconnecting", |item| match item {
        Item::Connection(ConnectionState::Reconnecting { .. }) => Some(()),
        _ => None,
    });
    assert_eq!(redirect_loop(&events), [a_url.as_str(), &b_url, &a_url]);
    assert!(!scheduler.is_subscribed());
    assert!(a.with_state(|s| s.frameworks().is_empty()));

    // A stops redirecting (it leads): the next attempt subscribes there.
    a.redirect_to(None);
    assert_eq!(subscribed_master(&events), a_url);

    // A call caught in the cycle fails at once; the subscription stays.
    a.redirect_to(Some(&b.redirect_location()));
    match scheduler.revive(Vec::<String>::new()) {
        Err(Error::RedirectLoop { hops }) => assert_eq!(hops, [a_url.as_str(), &b_url, &a_url]),
        other => panic!("expected RedirectLoop, got {other:?}"),
    }
    assert!(scheduler.is_subscribed());
    a.redirect_to(None);
    scheduler
        .revive(Vec::<String>::new())
        .expect("the cycle is gone");

    // Closing while a cycle goes on ends the client promptly.
    a.redirect_to(Some(&b.redirect_location()));
    a.close_streams();
    redirect_loop(&events);
    scheduler.close();
    drain_until_closed(&events);
}

fn unavailable(events: &mesos_http::Events) -> String {
    wait_for(events, "Unavailable", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) => Some(body.clone()),
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            err @ Error::RedirectLoop { .. },
        ))) => panic!("a self-redirect reported as a loop: {err}"),
        _ => None,
    })
}

fn a_master_redirecting_to_itself_has_no_leader_yet(encoding: Encoding) {
    let group = group(2);
    let a = group.master(0);
    // A restarted master recovering its log: 307 to its own address. The
    // client starts at the bare URL, so the first hop changes only the path.
    a.redirect_to(Some(&a.redirect_location()));
    let (scheduler, events) = builder(&a.url(), encoding, "self-redirect")
        .connect()
        .unwrap();
    let body = unavailable(&events);
    let authority = a.url().trim_start_matches("http://").to_string();
    assert!(body.contains(&authority), "{body}");
    assert!(body.contains("no leader"), "{body}");
    // Retried as for 503: backoff, the same answer again, still transient.
    wait_for(&events, "Reconnecting", |item| match item {
        Item::Connection(ConnectionState::Reconnecting { .. }) => Some(()),
        _ => None,
    });
    unavailable(&events);
    assert!(!scheduler.is_subscribed());
    assert!(a.with_state(|s| s.frameworks().is_empty()));

    // Recovery done: the next attempt subscribes at the same master.
    a.redirect_to(None);
    let master = subscribed_master(&events);
    assert!(master.starts_with(&a.url()), "{master}");

    // A call meeting the self-redirect fails as Unavailable (transient).
    a.redirect_to(Some(&a.redirect_location()));
    match scheduler.revive(Vec::<String>::new()) {
        Err(err @ Error::Unavailable { .. }) => assert!(err.is_transient(), "{err}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    a.redirect_to(None);
    scheduler
        .revive(Vec::<String>::new())
        .expect("the master leads again");
    scheduler.close();
    drain_until_closed(&events);
}

fn a_call_answered_307_moves_calls_and_the_next_subscription(encoding: Encoding) {
    let group = group(2);
    let (old, new) = (group.master(0), group.master(1));
    let (scheduler, events) = builder(&old.url(), encoding, "call-redirect")
        .connect()
        .unwrap();
    let (framework_id, stream_id) = subscribed(&events);

    // Leadership moves while the stream on the old leader stays open.
    group.set_leader_keeping_streams(Some(1));
    let (old_before, new_before) = (old.requests_received(), new.requests_received());
    scheduler
        .suppress(Vec::<String>::new())
        .expect("the redirected call is accepted by the new leader");
    assert_eq!(old.requests_received(), old_before + 1, "one 307");
    assert_eq!(new.requests_received(), new_before + 1);
    sim_wait(&new, "SUPPRESS applied", |s| {
        s.framework(&framework_id)
            .is_some_and(|f| !f.suppressed_roles.is_empty())
    });

    // Later calls go straight to the new leader.
    scheduler.revive(Vec::<String>::new()).expect("REVIVE");
    assert_eq!(old.requests_received(), old_before + 1, "no second 307");
    assert_eq!(new.requests_received(), new_before + 2);

    // The stream drops: the next subscription goes to the new leader first.
    old.close_streams();
    let (again, new_stream) = subscribed(&events);
    assert_eq!(again, framework_id);
    assert_ne!(new_stream, stream_id);
    let master = scheduler.master().unwrap();
    assert!(master.starts_with(&new.url()), "{master}");
    assert_eq!(
        old.requests_received(),
        old_before + 1,
        "SUBSCRIBE skipped it"
    );
    scheduler.revive(Vec::<String>::new()).expect("REVIVE");
    assert_eq!(old.requests_received(), old_before + 1);
}
