//! The reconnect gap: between a dropped stream and the next SUBSCRIBED,
//! calls fail with the transient `NotSubscribed` (also when the master saw
//! the drop first and answers `403 Framework is not subscribed`), can wait
//! for the re-subscription (`subscription_wait`, `wait_subscribed`), a
//! `teardown()` issued in the gap waits for the subscription or fails
//! clearly, and after an accepted teardown every call is `Closed` at once.

mod client_support;

use std::thread;
use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Encoding, Error, Events, Item, Scheduler, Termination};
use mesos_http_sim::SimMaster;

per_encoding!(
    the_masters_403_in_the_gap_is_not_subscribed_and_transient,
    a_waiting_call_goes_out_on_the_new_stream,
    wait_subscribed_returns_once_resubscribed,
    wait_subscribed_ends_with_closed_when_the_client_closes,
    teardown_in_the_gap_waits_for_the_subscription,
    teardown_fails_clearly_when_no_subscription_comes,
    after_teardown_every_call_is_closed_without_reaching_the_master,
);

/// Subscribed with a one-item channel that the test does not read: the
/// reader soon blocks handing over a heartbeat, so it cannot notice that the
/// master dropped the stream, while the master already has.
fn subscribed_with_a_blocked_reader(
    master: &SimMaster,
    encoding: Encoding,
    name: &str,
    wait: Duration,
) -> (Scheduler, Events, String) {
    let (scheduler, events) = builder(&master.url(), encoding, name)
        .event_capacity(1)
        .subscription_wait(wait)
        .connect()
        .unwrap();
    let (framework, _) = subscribed(&events);
    // The SUBSCRIBED event fills the channel; the reader blocks on the next
    // item, a heartbeat (every 20 ms), well within 300 ms.
    let deadline = std::time::Instant::now() + PATIENCE;
    while events.is_empty() && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    thread::sleep(Duration::from_millis(300));
    master.close_streams();
    sim_wait(master, "the master saw the stream drop", |s| {
        s.framework(&framework).is_some_and(|f| !f.connected)
    });
    assert!(
        scheduler.is_subscribed(),
        "the reader is blocked and has not seen the drop yet"
    );
    (scheduler, events, framework)
}

fn the_masters_403_in_the_gap_is_not_subscribed_and_transient(encoding: Encoding) {
    let master = sim(Duration::from_millis(20));
    let (scheduler, _events, _) =
        subscribed_with_a_blocked_reader(&master, encoding, "gap-403", Duration::ZERO);
    let before = master.requests_received();
    let err = scheduler
        .revive_all()
        .expect_err("the master has no stream for the framework");
    assert!(matches!(err, Error::NotSubscribed), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(
        master.requests_received(),
        before + 1,
        "the call reached the master, which answered 403"
    );
}

fn a_waiting_call_goes_out_on_the_new_stream(encoding: Encoding) {
    let master = sim(Duration::from_millis(20));
    let (scheduler, events, framework) =
        subscribed_with_a_blocked_reader(&master, encoding, "gap-wait", PATIENCE);
    let caller = {
        let scheduler = scheduler.clone();
        thread::spawn(move || scheduler.suppress_all())
    };
    // Unblock the reader: it sees the end, re-subscribes, and the waiting
    // call is sent again on the new stream.
    let (again, new_stream) = subscribed(&events);
    assert_eq!(again, framework);
    caller
        .join()
        .unwrap()
        .expect("the call waited for the new subscription");
    sim_wait(&master, "SUPPRESS applied on the new stream", |s| {
        s.framework(&framework).is_some_and(|f| {
            f.stream_id.as_deref() == Some(new_stream.as_str()) && !f.suppressed_roles.is_empty()
        })
    });
}

fn wait_subscribed_returns_once_resubscribed(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "gap-wait-subscribed")
        .backoff(Duration::from_millis(300), Duration::from_millis(300))
        .connect()
        .unwrap();
    scheduler
        .wait_subscribed(PATIENCE)
        .expect("first subscription");
    let (framework, old_stream) = subscribed(&events);
    master.close_streams();
    wait_for(&events, "Disconnected", |item| {
        matches!(item, Item::Connection(ConnectionState::Disconnected(_))).then_some(())
    });
    assert!(matches!(scheduler.revive_all(), Err(Error::NotSubscribed)));
    // Drain the channel on another thread so the reader never blocks.
    let drain = thread::spawn(move || drain_until_closed(&events));
    scheduler.wait_subscribed(PATIENCE).expect("re-subscribed");
    assert_ne!(scheduler.stream_id().as_deref(), Some(old_stream.as_str()));
    scheduler.revive_all().expect("calls work again");
    assert_eq!(scheduler.framework_id().map(|id| id.value), Some(framework));
    scheduler.close();
    drain.join().unwrap();
}

fn wait_subscribed_ends_with_closed_when_the_client_closes(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    master.stop();
    let (scheduler, _events) = builder(&master.url(), encoding, "gap-closed")
        .connect()
        .unwrap();
    assert!(matches!(
        scheduler.wait_subscribed(Duration::from_millis(100)),
        Err(Error::NotSubscribed)
    ));
    let waiter = {
        let scheduler = scheduler.clone();
        thread::spawn(move || scheduler.wait_subscribed(Duration::from_secs(3600)))
    };
    thread::sleep(Duration::from_millis(50));
    scheduler.close();
    assert!(matches!(waiter.join().unwrap(), Err(Error::Closed)));
    assert!(matches!(
        scheduler.wait_subscribed(PATIENCE),
        Err(Error::Closed)
    ));
}

fn teardown_in_the_gap_waits_for_the_subscription(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "gap-teardown")
        .backoff(Duration::from_millis(500), Duration::from_millis(500))
        .connect()
        .unwrap();
    let (framework, _) = subscribed(&events);
    master.close_streams();
    wait_for(&events, "Reconnecting", |item| {
        matches!(item, Item::Connection(ConnectionState::Reconnecting { .. })).then_some(())
    });
    assert!(!scheduler.is_subscribed());
    let drain = thread::spawn(move || drain_until_closed(&events));
    scheduler
        .teardown()
        .expect("teardown waited for the re-subscription");
    let items = drain.join().unwrap();
    assert!(
        items.iter().any(|item| matches!(
            item,
            Item::Connection(ConnectionState::Terminated(Termination::TornDown))
        )),
        "{items:?}"
    );
    sim_wait(&master, "framework removed", |s| s.is_removed(&framework));
}

fn teardown_fails_clearly_when_no_subscription_comes(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "gap-teardown-fail")
        .call_timeout(Duration::from_millis(300))
        .connect()
        .unwrap();
    subscribed(&events);
    master.stop();
    wait_for(&events, "Disconnected", |item| {
        matches!(item, Item::Connection(ConnectionState::Disconnected(_))).then_some(())
    });
    let drain = thread::spawn(move || {
        // Keep the reader unblocked while it retries.
        let _ = events.recv_timeout(PATIENCE);
        events
    });
    let err = scheduler
        .teardown()
        .expect_err("no master: the teardown cannot happen");
    assert!(matches!(err, Error::NotSubscribed), "{err:?}");
    assert!(!scheduler.is_closed(), "a failed teardown closes nothing");
    scheduler.close();
    drop(drain.join().unwrap());
}

fn after_teardown_every_call_is_closed_without_reaching_the_master(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "gap-after-teardown")
        .connect()
        .unwrap();
    subscribed(&events);
    scheduler.teardown().expect("teardown accepted");
    let before = master.requests_received();
    for _ in 0..20 {
        assert!(matches!(scheduler.revive_all(), Err(Error::Closed)));
        assert!(matches!(scheduler.teardown(), Err(Error::Closed)));
    }
    assert!(scheduler.is_closed());
    assert!(matches!(
        scheduler.wait_subscribed(PATIENCE),
        Err(Error::Closed)
    ));
    assert_eq!(master.requests_received(), before, "nothing was sent");
    let items = drain_until_closed(&events);
    assert!(
        items.iter().any(|item| matches!(
            item,
            Item::Connection(ConnectionState::Terminated(Termination::TornDown))
        )),
        "{items:?}"
    );
}
