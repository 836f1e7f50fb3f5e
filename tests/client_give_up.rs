//! The optional give-up policy: with `max_attempts` or `give_up_after`, a
//! client whose masters never answer ends with `Termination::GaveUp` naming
//! every master it tried; without one it keeps retrying.

mod client_support;

use std::net::TcpListener;
use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item, Termination};

/// An address where nothing listens (the port was just free).
fn refused() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("127.0.0.1:{port}")
}

fn gave_up(items: &[Item]) -> (Vec<String>, String) {
    match items.last() {
        Some(Item::Connection(ConnectionState::Terminated(Termination::GaveUp {
            masters,
            last,
        }))) => (masters.clone(), last.to_string()),
        other => panic!("expected GaveUp, got {other:?} after {items:?}"),
    }
}

#[test]
fn max_attempts_ends_with_every_master_named() {
    let (a, b) = (refused(), refused());
    let (scheduler, events) = builder(&format!("http://{a},{b}"), Encoding::Protobuf, "give-up")
        .max_attempts(3)
        .connect()
        .unwrap();
    let items = drain_until_closed(&events);
    let (masters, last) = gave_up(&items);
    assert_eq!(
        masters,
        [
            format!("http://{a}/api/v1/scheduler"),
            format!("http://{b}/api/v1/scheduler")
        ]
    );
    assert!(
        last.contains(&b),
        "the last failure names its master: {last}"
    );
    let failures: Vec<&Disconnect> = items
        .iter()
        .filter_map(|item| match item {
            Item::Connection(ConnectionState::Disconnected(d)) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 2, "two reported, the third ends it");
    for failure in failures {
        match failure {
            Disconnect::Failed(err @ Error::Connection { .. }) => {
                assert!(err.master().is_some_and(|m| m.contains(&b)), "{err}");
                assert!(std::error::Error::source(err).is_some(), "cause kept");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(scheduler.is_closed());
}

#[test]
fn give_up_after_a_time_limit() {
    let a = refused();
    let (scheduler, events) = builder(&format!("http://{a}"), Encoding::Json, "give-up-time")
        .give_up_after(Duration::from_millis(300))
        .connect()
        .unwrap();
    let items = drain_until_closed(&events);
    let (masters, _) = gave_up(&items);
    assert_eq!(masters, [format!("http://{a}/api/v1/scheduler")]);
    assert!(matches!(scheduler.revive_all(), Err(Error::Closed)));
}

#[test]
fn by_default_the_client_keeps_retrying() {
    let a = refused();
    let (scheduler, events) = builder(&format!("http://{a}"), Encoding::Protobuf, "no-give-up")
        .connect()
        .unwrap();
    // Far more attempts than either test above allowed, and still going.
    let mut attempts = 0;
    while attempts < 8 {
        match events.recv_timeout(PATIENCE).expect("still retrying") {
            Item::Connection(ConnectionState::Reconnecting { attempt, .. }) => attempts = attempt,
            Item::Connection(ConnectionState::Terminated(why)) => panic!("gave up: {why}"),
            _ => {}
        }
    }
    assert!(!scheduler.is_closed());
}
