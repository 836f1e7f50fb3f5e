//! Master URLs through the public API against the simulated master: a path
//! prefix is kept (`http://host:port/master` → `/master/api/v1/scheduler`,
//! as a master published behind a proxy under a prefix), the API path given
//! in full is used as given (with or without a trailing slash), a wrong
//! prefix is not silently replaced by the default path and its 404 names
//! the URL, a query or fragment is refused, and credentials written into
//! the URL are refused with a clear `Config` error that does not echo them.
//! An executor's agent address speaks of the agent in its errors.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Encoding, Error, Item};

per_encoding!(
    a_path_prefix_is_kept,
    a_wrong_prefix_is_not_replaced,
    the_api_path_in_full_is_used_as_given,
);

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
    // Nothing serves the scheduler API there: a 404 is not transient, the
    // subscription ends naming the URL tried.
    let urls = wait_for(&events, "the end", |item| match item {
        Item::Connection(ConnectionState::Terminated(reason)) => Some(match reason {
            mesos_http::Termination::NotFound { urls } => {
                assert!(reason.to_string().contains(&urls[0]), "{reason}");
                urls.clone()
            }
            other => panic!("{other:?}"),
        }),
        Item::Connection(ConnectionState::Subscribed { master, .. }) => {
            panic!("subscribed at {master}: the prefix was dropped")
        }
        Item::Connection(ConnectionState::Disconnected(reason)) => {
            panic!("a 404 is not retried: {reason}")
        }
        _ => None,
    });
    assert_eq!(urls, [format!("{url}/api/v1/scheduler")]);
    scheduler.close();
}

fn the_api_path_in_full_is_used_as_given(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    for url in [
        format!("{}/api/v1/scheduler", master.url()),
        format!("{}/api/v1/scheduler/", master.url()),
    ] {
        let (scheduler, events) = builder(&url, encoding, "full-path").connect().unwrap();
        let subscribed_at = wait_for(&events, "Subscribed", |item| match item {
            Item::Connection(ConnectionState::Subscribed { master, .. }) => Some(master.clone()),
            _ => None,
        });
        assert_eq!(subscribed_at, format!("{}/api/v1/scheduler", master.url()));
        scheduler
            .revive(Vec::<String>::new())
            .expect("calls go to the same path");
        scheduler.close();
        drain_until_closed(&events);
    }
}

#[test]
fn a_query_or_fragment_is_refused_clearly() {
    for url in [
        "http://127.0.0.1:5050/mesos/?x=1",
        "http://127.0.0.1:5050/api/v1/scheduler#top",
    ] {
        match mesos_http::Scheduler::builder(url)
            .framework(framework("query"))
            .connect()
        {
            Err(Error::Config(config)) => {
                let text = config.to_string();
                assert!(
                    text.contains("query") || text.contains("fragment"),
                    "{url}: {text}"
                );
            }
            Err(other) => panic!("{url}: expected Config, got {other:?}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
}

#[test]
fn an_agent_address_error_speaks_of_the_agent() {
    for url in [
        "http://user:pw@127.0.0.1:5051/slave(1)/api/v1/executor",
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:5051/slave(1)/api/v1/executor?x=1",
    ] {
        match mesos_http::executor::Executor::builder(url, "framework-1", "executor-1").connect() {
            Err(Error::Config(config)) => {
                let text = config.to_string();
                assert!(text.contains("agent"), "{url}: {text}");
                assert!(!text.contains("master"), "{url}: {text}");
                assert!(!text.contains("SchedulerBuilder"), "{url}: {text}");
                assert!(!text.contains("pw@"), "echoes the secret: {text}");
            }
            Err(other) => panic!("{url}: expected Config, got {other:?}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
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
            Err(Error::Config(config)) => {
                let text = config.to_string();
                assert!(!text.contains("pw@"), "echoes the secret: {text}");
                assert!(text.to_lowercase().contains("credential"), "{text}");
            }
            Err(other) => panic!("{url}: expected Config, got {other:?}"),
            Ok(_) => panic!("{url}: accepted"),
        }
    }
}
