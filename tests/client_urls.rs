//! Master URLs through the public API against the simulated master: a path
//! prefix is kept (`http://host:port/master` → `/master/api/v1/scheduler`,
//! as a master published behind a proxy under a prefix), a wrong prefix is
//! not silently replaced by the default path, and credentials written into
//! the URL are refused with a clear `Config` error that does not echo them.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item};

per_encoding!(a_path_prefix_is_kept, a_wrong_prefix_is_not_replaced,);

fn a_path_prefix_is_kept(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let url = format!("{}/master", master.url());
    let (scheduler, events) = builder(&url, encoding, "prefix").connect().unwrap();
    let subscribed_at = wait_for(&events, "Subscribed", |item| match item {
        Item::Connection(ConnectionState::Subscribed { master, .. }) => Some(master.clone()),
        _ => None,
    });
    assert_eq!(subscribed_at, format!("{url}/api/v1/scheduler"));
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls go under the prefix too");
    scheduler.close();
    drain_until_closed(&events);
}

fn a_wrong_prefix_is_not_replaced(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let url = format!("{}/elsewhere", master.url());
    let (scheduler, events) = builder(&url, encoding, "bad-prefix").connect().unwrap();
    let status = wait_for(&events, "refusal", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(Error::Rejected {
            status,
            ..
        }))) => Some(*status),
        Item::Connection(ConnectionState::Terminated(reason)) => Some(match reason {
            mesos_http::Termination::Refused(Error::Rejected { status, .. }) => *status,
            other => panic!("{other:?}"),
        }),
        Item::Connection(ConnectionState::Subscribed { master, .. }) => {
            panic!("subscribed at {master}: the prefix was dropped")
        }
        _ => None,
    });
    assert_eq!(status, 404);
    scheduler.close();
}

#[test]
fn credentials_in_the_url_are_refused_clearly() {
    for url in [
        "http://user:pw@127.0.0.1:5050",
        "https://user@cluster/mesos",
    ] {
        match mesos_http::Scheduler::builder(url)
            .framework(framework("creds"))
            .connect()
        {
            Err(Error::Config(text)) => {
                assert!(!text.contains("pw@"), "echoes the secret: {text}");
                assert!(text.to_lowercase().contains("credential"), "{text}");
            }
            Err(other) => panic!("{url}: expected Config, got {other:?}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
}
