//! Acknowledgements go through the background sender: those of dropped
//! events reach the master while the application thread is blocked (even
//! while the master is slow to answer), none is sent before its event is
//! released, explicit non-blocking acknowledgements take the same path, and
//! `close()` stops the senders within a second, dropping what is queued;
//! `teardown()` first sends what is queued.

mod client_support;
mod replay_support;

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};

use client_support::{builder, subscribed, PATIENCE};
use crossbeam_channel::bounded;
use mesos_http::event::Event;
use mesos_http::{Encoding, Events, Received, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};
use replay_support::{updates_file, uuid};

/// The next UPDATE, kept (so its acknowledgement waits for us).
fn take_update(events: &Events) -> Received {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(mesos_http::Item::Event(received))
                if matches!(received.event(), Event::Update(_)) =>
            {
                return received
            }
            Ok(_) => continue,
            Err(e) => panic!("waiting for an UPDATE: {e}"),
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(2));
    }
}

fn start(n: u32, encoding: Encoding, auto: bool) -> (ReplayMaster, Scheduler, Events) {
    let master = ReplayMaster::start(updates_file(encoding, n), Chunking::PerRecord, 0).unwrap();
    let (scheduler, events) = builder(&master.url(), encoding, "acks")
        .auto_acknowledge(auto)
        .connect()
        .unwrap();
    subscribed(&events);
    (master, scheduler, events)
}

/// The most acknowledgements the client has in flight at once (one per
/// sender connection).
const MAX_IN_FLIGHT: usize = 8;

fn uuid_set(range: std::ops::Range<u32>) -> BTreeSet<Vec<u8>> {
    range.map(uuid).collect()
}

#[test]
fn acks_of_dropped_events_arrive_while_the_application_thread_is_blocked() {
    for encoding in [Encoding::Protobuf, Encoding::Json] {
        let (master, scheduler, events) = start(30, encoding, true);
        // A master slow to answer: a blocking acknowledgement in `Drop`
        // would keep the application thread from ever getting past it.
        master.hold_calls(true);
        let (dropped_tx, dropped_rx) = bounded::<()>(1);
        let (release_tx, release_rx) = bounded::<()>(1);
        let app = thread::spawn(move || {
            for _ in 0..30 {
                drop(take_update(&events));
            }
            dropped_tx.send(()).unwrap();
            // The application blocks on something of its own.
            release_rx.recv().unwrap();
            events
        });
        dropped_rx
            .recv_timeout(PATIENCE)
            .expect("dropping events never waits for the master's answer");
        // Sent while the application is blocked and before the master has
        // answered (counted on arrival).
        wait_until("acknowledgements in flight", || {
            master.acknowledgements() >= 1
        });
        master.hold_calls(false);
        wait_until("every acknowledgement", || master.acknowledgements() == 30);
        let got: BTreeSet<Vec<u8>> = master.acknowledged_uuids().into_iter().collect();
        assert_eq!(got, uuid_set(0..30), "{encoding:?}");
        release_tx.send(()).unwrap();
        let _events = app.join().unwrap();
        scheduler.close();
        assert_eq!(master.stop().calls, 30, "each update acknowledged once");
    }
}

#[test]
fn no_acknowledgement_is_sent_before_the_event_is_released() {
    let (master, scheduler, events) = start(12, Encoding::Protobuf, true);
    let mut held: Vec<Received> = (0..12).map(|_| take_update(&events)).collect();
    assert!(held.iter().all(Received::will_acknowledge));
    // Give a wrong implementation every chance to send early.
    thread::sleep(Duration::from_millis(300));
    assert_eq!(master.acknowledgements(), 0);
    // Release the first five: exactly those are acknowledged.
    let rest = held.split_off(5);
    drop(held);
    wait_until("five acknowledgements", || master.acknowledgements() == 5);
    thread::sleep(Duration::from_millis(100));
    let got: BTreeSet<Vec<u8>> = master.acknowledged_uuids().into_iter().collect();
    assert_eq!(got, uuid_set(0..5));
    // Taking the event out cancels the automatic acknowledgement.
    let mut rest = rest.into_iter();
    let taken = rest.next().unwrap().into_event();
    drop(rest);
    wait_until("the other six", || master.acknowledgements() == 11);
    thread::sleep(Duration::from_millis(100));
    let got: BTreeSet<Vec<u8>> = master.acknowledged_uuids().into_iter().collect();
    assert_eq!(got, &uuid_set(0..12) - &uuid_set(5..6));
    // The explicit non-blocking path for the one taken out.
    let Event::Update(update) = &taken else {
        panic!("not an update")
    };
    scheduler.acknowledge_in_background(&update.status).unwrap();
    wait_until("the explicit one", || master.acknowledgements() == 12);
    scheduler.close();
    assert_eq!(master.stop().calls, 12);
}

#[test]
fn the_background_sender_stops_within_a_second_on_close() {
    let (master, scheduler, events) = start(40, Encoding::Json, false);
    master.hold_calls(true);
    for _ in 0..40 {
        let received = take_update(&events);
        let Event::Update(update) = received.event() else {
            unreachable!()
        };
        scheduler.acknowledge_in_background(&update.status).unwrap();
    }
    // Senders are now waiting for answers that do not come, more queued.
    wait_until("acknowledgements in flight", || {
        master.acknowledgements() >= 1
    });
    let started = Instant::now();
    scheduler.close();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "close() took {took:?}");
    // Each sender has at most one request in flight (no pipelining), so
    // what the master ever counts is bounded by the senders, not by the 40
    // queued: the rest were dropped by close(), and every update is counted
    // at most once. Stopping the master closes its connections, so nothing
    // read later can be counted.
    let got = master.acknowledged_uuids();
    let distinct: BTreeSet<Vec<u8>> = got.iter().cloned().collect();
    assert_eq!(got.len(), distinct.len(), "an update acknowledged twice");
    let counted = master.stop().calls;
    assert!(
        counted as usize <= MAX_IN_FLIGHT,
        "{counted} acknowledgements after close: queued ones were sent"
    );
    // After close nothing can be queued.
    assert!(matches!(
        scheduler.acknowledge_in_background(&mesos_http::v1::TaskStatus {
            uuid: Some(uuid(0)),
            agent_id: Some(mesos_http::v1::AgentID { value: "a".into() }),
            ..Default::default()
        }),
        Err(mesos_http::Error::Closed)
    ));
    drop(events);
}

#[test]
fn teardown_sends_the_queued_acknowledgements_first() {
    let (master, scheduler, events) = start(30, Encoding::Protobuf, false);
    // A call first, so that the TEARDOWN later goes out at once on a pooled
    // connection: without the flush it would overtake the queue.
    scheduler.revive(Vec::<String>::new()).unwrap();
    // A master slow to answer: the acknowledgements queue up behind the
    // senders' requests in flight.
    master.hold_calls(true);
    for _ in 0..30 {
        let received = take_update(&events);
        let Event::Update(update) = received.event() else {
            unreachable!()
        };
        scheduler.acknowledge_in_background(&update.status).unwrap();
    }
    wait_until("acknowledgements in flight", || {
        master.acknowledgements() >= 1
    });
    let tearing = scheduler.clone();
    let (calling_tx, calling_rx) = bounded::<()>(1);
    let teardown = thread::spawn(move || {
        calling_tx.send(()).unwrap();
        tearing.teardown()
    });
    calling_rx.recv().unwrap();
    // Give a wrong implementation every chance to send the TEARDOWN ahead
    // of the queue (it would arrive while the master holds the answers).
    let chance = Instant::now() + Duration::from_millis(300);
    while Instant::now() < chance && !master.call_types_in_order().contains(&"TEARDOWN".into()) {
        thread::sleep(Duration::from_millis(2));
    }
    // The master answers again: what is queued goes out, then TEARDOWN.
    master.hold_calls(false);
    teardown.join().unwrap().expect("teardown accepted");
    // Every acknowledgement arrived, each once, and before the teardown.
    let got: BTreeSet<Vec<u8>> = master.acknowledged_uuids().into_iter().collect();
    assert_eq!(got, uuid_set(0..30));
    let order = master.call_types_in_order();
    let expected: Vec<&str> = ["REVIVE"]
        .into_iter()
        .chain(std::iter::repeat_n("ACKNOWLEDGE", 30))
        .chain(["TEARDOWN"])
        .collect();
    assert_eq!(order, expected);
    scheduler.close();
    drop(events);
}
