//! Shutting the client down: `close()` interrupts a reader blocked in a read
//! or in a backoff sleep, dropping the last handle does the same, and the
//! event channel closes either way.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::event::Event;
use mesos_http::{ConnectionState, Encoding, Error, Item};

per_encoding!(
    close_unblocks_a_reader_blocked_in_a_read,
    dropping_the_last_handle_closes_the_channel,
    close_interrupts_the_backoff_and_calls_fail_fast_meanwhile,
);

fn close_unblocks_a_reader_blocked_in_a_read(encoding: Encoding) {
    // One heartbeat right after SUBSCRIBED, the next in an hour: the reader
    // then sits in a blocking read that only a shutdown can end.
    let master = sim(Duration::from_secs(3600));
    let (scheduler, events) = builder(&master.url(), encoding, "close").connect().unwrap();
    let (framework_id, _) = subscribed(&events);
    next_event(&events, "HEARTBEAT", |e| matches!(e, Event::Heartbeat));

    scheduler.close();
    assert!(scheduler.is_closed());
    drain_until_closed(&events);
    sim_wait(&master, "stream closed by the client", |s| {
        !s.framework(&framework_id).unwrap().connected
    });
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::Closed)
    ));
    scheduler.close(); // idempotent
}

fn dropping_the_last_handle_closes_the_channel(encoding: Encoding) {
    let master = sim(Duration::from_secs(3600));
    let (scheduler, events) = builder(&master.url(), encoding, "drop").connect().unwrap();
    let (framework_id, _) = subscribed(&events);
    let clone = scheduler.clone();
    drop(scheduler);
    clone
        .revive(Vec::<String>::new())
        .expect("a clone keeps the subscription");
    drop(clone);
    drain_until_closed(&events);
    sim_wait(&master, "stream closed by the client", |s| {
        !s.framework(&framework_id).unwrap().connected
    });
}

fn close_interrupts_the_backoff_and_calls_fail_fast_meanwhile(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "backoff")
        .backoff(Duration::from_secs(3600), Duration::from_secs(7200))
        .connect()
        .unwrap();
    subscribed(&events);
    master.close_streams();
    let delay = wait_for(&events, "Reconnecting", |item| match item {
        Item::Connection(ConnectionState::Reconnecting { delay, attempt }) => {
            assert_eq!(*attempt, 1);
            Some(*delay)
        }
        _ => None,
    });
    assert!(
        delay >= Duration::from_secs(1800),
        "jitter stays in [d/2, d]: {delay:?}"
    );
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::NotSubscribed)
    ));
    assert!(scheduler.stream_id().is_none());
    scheduler.close();
    drain_until_closed(&events);
}
