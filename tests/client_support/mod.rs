//! Helpers shared by the client tests (`tests/client_*.rs`): framework
//! settings for fast tests, and waiting on the event channel for an item
//! that matches, with the items seen on the way kept for the failure message.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use mesos_http::event::Event;
use mesos_http::v1::FrameworkInfo;
use mesos_http::{ConnectionState, Encoding, Events, Item, Received, Scheduler, SchedulerBuilder};

/// Long enough for any condition on a loaded 2-core machine, short enough
/// that a hang fails the test.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Both encodings, for tests that run once per encoding.
pub const ENCODINGS: [Encoding; 2] = [Encoding::Protobuf, Encoding::Json];

/// A framework that survives a dropped stream (the default failover
/// timeout of 0 would remove it at once).
pub fn framework(name: &str) -> FrameworkInfo {
    FrameworkInfo {
        user: "tester".into(),
        name: name.into(),
        failover_timeout: Some(3600.0),
        ..FrameworkInfo::default()
    }
}

/// A builder with millisecond backoff for `url`.
pub fn builder(url: &str, encoding: Encoding, name: &str) -> SchedulerBuilder {
    Scheduler::builder(url)
        .framework(framework(name))
        .encoding(encoding)
        .backoff(Duration::from_millis(10), Duration::from_millis(100))
        .connect_timeout(Duration::from_secs(5))
        .call_timeout(Duration::from_secs(10))
}

/// Reads items until `pick` returns `Some`, failing after [`PATIENCE`].
/// Items that do not match are dropped (with auto-ack on, that acknowledges).
pub fn wait_for<T>(events: &Events, what: &str, mut pick: impl FnMut(&Item) -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(item) => {
                if let Some(found) = pick(&item) {
                    return found;
                }
                seen.push(describe(&item));
            }
            Err(err) => panic!("waiting for {what}: {err:?}; saw {seen:#?}"),
        }
    }
}

/// Like [`wait_for`], but hands back the matching item itself.
pub fn wait_for_item(events: &Events, what: &str, mut pick: impl FnMut(&Item) -> bool) -> Item {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(item) if pick(&item) => return item,
            Ok(item) => seen.push(describe(&item)),
            Err(err) => panic!("waiting for {what}: {err:?}; saw {seen:#?}"),
        }
    }
}

/// A short description of an item for failure messages.
pub fn describe(item: &Item) -> String {
    match item {
        Item::Event(event) => format!("event {:?}", event.kind()),
        other => format!("{other:?}"),
    }
}

/// The `(framework id, stream id)` of the next `Subscribed` state.
pub fn subscribed(events: &Events) -> (String, String) {
    wait_for(events, "Subscribed", |item| match item {
        Item::Connection(ConnectionState::Subscribed {
            framework_id,
            stream_id,
            ..
        }) => Some((framework_id.value.clone(), stream_id.clone())),
        _ => None,
    })
}

/// Waits for the next event of this kind.
pub fn next_event(events: &Events, what: &str, pick: impl Fn(&Event) -> bool) -> Received {
    match wait_for_item(events, what, |item| item.event().is_some_and(&pick)) {
        Item::Event(received) => received,
        _ => unreachable!("wait_for_item returned a non-event"),
    }
}

/// Waits until the channel is closed, returning the items still delivered.
pub fn drain_until_closed(events: &Events) -> Vec<Item> {
    let deadline = Instant::now() + PATIENCE;
    let mut items = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(item) => items.push(item),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return items,
            Err(err) => panic!("channel not closed: {err:?}"),
        }
    }
}

/// Defines, for each named test body `fn name(encoding: Encoding)`, one
/// `#[test]` per encoding: `protobuf::name` and `json::name`.
#[macro_export]
macro_rules! per_encoding {
    ($($name:ident),* $(,)?) => {
        mod protobuf {
            $( #[test] fn $name() { super::$name(mesos_http::Encoding::Protobuf) } )*
        }
        mod json {
            $( #[test] fn $name() { super::$name(mesos_http::Encoding::Json) } )*
        }
    };
}

/// Starts a simulated master with heartbeats every `heartbeat`.
pub fn sim(heartbeat: Duration) -> mesos_http_sim::SimMaster {
    mesos_http_sim::SimMaster::start(mesos_http_sim::SimConfig::fast(heartbeat))
        .expect("start the simulated master")
}

/// Waits for a condition on the simulated master's state.
pub fn sim_wait(
    master: &mesos_http_sim::SimMaster,
    what: &str,
    condition: impl FnMut(&mesos_http_sim::ClusterView<'_>) -> bool,
) {
    assert!(
        master.wait_for(condition, PATIENCE),
        "sim never reached: {what}"
    );
}

/// A task for `offer` that takes 0.1 cpus and 32 MB of it (resources copied
/// from the offer, so they carry whatever allocation info it has).
pub fn small_task(offer: &mesos_http::v1::Offer, task_id: &str) -> mesos_http::v1::TaskInfo {
    use mesos_http::v1;
    let resources = offer
        .resources
        .iter()
        .filter_map(|r| {
            let amount = match r.name.as_str() {
                "cpus" => 0.1,
                "mem" => 32.0,
                _ => return None,
            };
            let mut r = r.clone();
            r.scalar = Some(v1::value::Scalar { value: amount });
            Some(r)
        })
        .collect();
    v1::TaskInfo {
        name: task_id.into(),
        task_id: v1::TaskID {
            value: task_id.into(),
        },
        agent_id: offer.agent_id.clone(),
        resources,
        command: Some(v1::CommandInfo {
            value: Some("sleep 1000".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Collects offers from OFFERS events until there are at least `n`.
pub fn offers(events: &Events, n: usize) -> Vec<mesos_http::v1::Offer> {
    let mut found = Vec::new();
    while found.len() < n {
        let event = next_event(events, "OFFERS", |e| matches!(e, Event::Offers(_)));
        found.extend(event.offers().unwrap_or_default().iter().cloned());
    }
    found
}

/// The next UPDATE event for `task_id` in `state`.
pub fn update(events: &Events, task_id: &str, state: mesos_http::v1::TaskState) -> Received {
    next_event(events, &format!("UPDATE {task_id} {state:?}"), |e| {
        e.task_status()
            .is_some_and(|s| s.task_id.value == task_id && s.state == state)
    })
}
