//! Master detection through a real ZooKeeper server (Debian's `zookeeperd`
//! packages; the tests fail with an install hint without them): the client
//! subscribes at the master with the lowest `json.info_` sequence, drops the
//! stream when that membership goes away and follows the new leader with the
//! same framework id, reports the absence of any master and of ZooKeeper
//! itself, and recovers from both.
#![cfg(feature = "zookeeper")]

mod client_support;
mod zk_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Event, Events, Item};
use mesos_http_sim::{SimConfig, SimGroup, SimMaster};
use zk_support::*;

per_encoding!(
    follows_the_leader_through_zookeeper,
    waits_for_a_master_to_register,
    keeps_the_first_stream
);

/// The master URL and framework id of the next `Subscribed` state.
fn subscribed_at(events: &Events) -> (String, String) {
    wait_for(events, "Subscribed", |item| match item {
        Item::Connection(ConnectionState::Subscribed {
            master,
            framework_id,
            ..
        }) => Some((master.clone(), framework_id.value.clone())),
        _ => None,
    })
}

/// The reason of the next `Disconnected` state.
fn next_disconnect(events: &Events) -> Disconnect {
    match wait_for_item(events, "Disconnected", |item| {
        matches!(item, Item::Connection(ConnectionState::Disconnected(_)))
    }) {
        Item::Connection(ConnectionState::Disconnected(reason)) => reason,
        _ => unreachable!("wait_for_item returned another item"),
    }
}

fn authority(master: &SimMaster) -> String {
    format!("127.0.0.1:{}", master.addr().port())
}

fn follows_the_leader_through_zookeeper(encoding: Encoding) {
    let zk = ZkServer::start();
    let registry = Registry::connect(&zk, "/mesos");
    let group = SimGroup::start(2, SimConfig::fast(Duration::from_millis(100))).unwrap();
    group.set_leader(Some(1));
    // Master 1 registers first: the lower sequence leads, whatever order
    // ZooKeeper lists the children in.
    let leading = registry.register(&group.master(1));
    let following = registry.register(&group.master(0));
    assert!(sequence(&leading) < sequence(&following));

    let url = format!("zk://{}/mesos", zk.address());
    let (scheduler, events) = builder(&url, encoding, "zk-follow").connect().unwrap();
    let (master, framework_id) = subscribed_at(&events);
    // Straight to the leader, by IP (the hostname does not resolve), on the
    // plain scheduler path: no redirect was needed.
    assert_eq!(master, group.master(1).scheduler_url());
    scheduler.revive(Vec::<String>::new()).unwrap();

    // The leader's membership goes (its ZooKeeper session ended); the
    // simulated cluster is untouched, so only the detector can have dropped
    // the stream.
    registry.remove(&leading);
    let reason = next_disconnect(&events);
    assert!(
        matches!(reason, Disconnect::LeaderChanged { .. }),
        "expected LeaderChanged, got {reason:?}"
    );

    // Leadership moves in the cluster too; the client ends up at master 0
    // with the same framework id (possibly after one more round through the
    // old leader while the cluster caught up).
    group.set_leader(Some(0));
    let new_leader = authority(&group.master(0));
    let (master, again) = wait_for(&events, "Subscribed at master 0", |item| match item {
        Item::Connection(ConnectionState::Subscribed {
            master,
            framework_id,
            ..
        }) if master.contains(&new_leader) => Some((master.clone(), framework_id.value.clone())),
        _ => None,
    });
    assert_eq!(again, framework_id);
    assert!(master.starts_with(&group.master(0).url()), "{master}");
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls go to the new leader");
    assert!(group
        .master(0)
        .with_state(|s| s.framework(&framework_id).unwrap().connected));
    // Clients leave before the server goes (see `ZkServer`'s drop).
    scheduler.close();
    drop((scheduler, events, registry));
}

/// The detector's first answer is not a leader change: the first stream is
/// kept (it used to be dropped at once as `LeaderChanged`, the reader having
/// subscribed to that same leader before the detector's listeners ran).
fn keeps_the_first_stream(encoding: Encoding) {
    let zk = ZkServer::start();
    let registry = Registry::connect(&zk, "/mesos");
    let master = SimMaster::start(SimConfig::fast(Duration::from_millis(100))).unwrap();
    registry.register(&master);
    let url = format!("zk://{}/mesos", zk.address());
    let (scheduler, events) = builder(&url, encoding, "zk-first").connect().unwrap();
    // Two seconds of a stream with 100 ms heartbeats: one subscription,
    // heartbeats, no disconnect.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let (mut subscribed, mut heartbeats, mut seen) = (0, 0, Vec::new());
    while let Ok(item) =
        events.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
    {
        match &item {
            Item::Connection(ConnectionState::Subscribed { .. }) => subscribed += 1,
            Item::Connection(ConnectionState::Disconnected(reason)) => {
                panic!("the first stream was dropped: {reason:?}; before: {seen:#?}")
            }
            Item::Event(received) if matches!(received.event(), Event::Heartbeat) => {
                heartbeats += 1
            }
            _ => {}
        }
        seen.push(describe(&item));
    }
    assert_eq!(subscribed, 1, "{seen:#?}");
    assert!(heartbeats >= 5, "{seen:#?}");
    scheduler.close();
    drop((scheduler, events, registry));
}

fn waits_for_a_master_to_register(encoding: Encoding) {
    let zk = ZkServer::start();
    let master = SimMaster::start(SimConfig::fast(Duration::from_millis(100))).unwrap();
    let url = format!("zk://{}/mesos/cluster-a", zk.address());
    let (scheduler, events) = builder(&url, encoding, "zk-wait").connect().unwrap();

    // Nothing under the path yet (not even the znode): reported, retried.
    // (A slow first connection to ZooKeeper may be reported before.)
    wait_for(&events, "missing znode", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) => {
            assert!(body.contains("/mesos/cluster-a does not exist"), "{body}");
            Some(())
        }
        _ => None,
    });
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::NotSubscribed)
    ));

    // The znode appears, empty: still no master.
    let registry = Registry::connect(&zk, "/mesos");
    let cluster = Registry::connect(&zk, "/mesos/cluster-a");
    drop(registry);
    wait_for(&events, "no master registered", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) if body.contains("no master is registered") => Some(()),
        _ => None,
    });

    // A membership that is not a MasterInfo leads: reported, not followed.
    let garbage = cluster.register_raw("json.info", b"master@127.0.0.1:1".to_vec());
    wait_for(&events, "unreadable leader", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) if body.contains("holds no MasterInfo") => Some(()),
        _ => None,
    });

    // A real master registers behind it, then the bad one goes away.
    cluster.register(&master);
    cluster.remove(&garbage);
    let (at, _) = subscribed_at(&events);
    assert_eq!(at, master.scheduler_url());
    scheduler.revive(Vec::<String>::new()).unwrap();
    scheduler.close();
    drop((scheduler, events, cluster));
}

/// ZooKeeper itself is down when the client starts: the failure is
/// reported, the detector keeps trying, and the client subscribes once the
/// server is up.
#[test]
fn survives_zookeeper_starting_late() {
    let port = free_port();
    let master = SimMaster::start(SimConfig::fast(Duration::from_millis(100))).unwrap();
    let url = format!("zk://127.0.0.1:{port}/mesos");
    let (scheduler, events) = builder(&url, Encoding::Protobuf, "zk-late")
        .connect()
        .unwrap();
    match next_disconnect(&events) {
        Disconnect::Failed(Error::Detection { detail }) => {
            assert!(detail.contains("ZooKeeper"), "{detail}")
        }
        other => panic!("expected ZooKeeper to be reported unreachable, got {other:?}"),
    }

    let zk = ZkServer::start_on(port);
    let registry = Registry::connect(&zk, "/mesos");
    registry.register(&master);
    let (at, _) = subscribed_at(&events);
    assert_eq!(at, master.scheduler_url());
    scheduler.close();
    drop((scheduler, events, registry));
}

#[test]
fn root_path_and_bad_urls_are_configuration_errors() {
    for url in ["zk://127.0.0.1:2181/", "zk://127.0.0.1:2181", "zk:///mesos"] {
        let result = builder(url, Encoding::Json, "zk-bad").connect();
        assert!(
            matches!(result, Err(Error::Config(_))),
            "{url}: {:?}",
            result.map(|_| ())
        );
    }
}
