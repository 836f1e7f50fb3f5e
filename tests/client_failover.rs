//! Reconnection against the simulated master: the stream dropped between
//! records or inside one, heartbeats stalled, corrupt framing, a burst of
//! 503s. Every time the client re-subscribes with the framework id it was
//! given, gets a new stream id, and calls work again.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Events, Item, Scheduler};
use mesos_http_sim::SimMaster;

per_encoding!(
    fails_over_after_the_stream_closes_between_records,
    fails_over_after_the_stream_is_cut_mid_record,
    detects_stalled_heartbeats_and_resubscribes,
    resubscribes_after_a_garbage_record_header,
    rejects_an_oversized_record_and_resubscribes,
    survives_a_burst_of_503s,
);

/// The next disconnection's reason (Debug text), checked to name `master`.
fn disconnect_reason(events: &Events, master: &SimMaster) -> String {
    let (reason, named) = wait_for(events, "Disconnected", |item| match item {
        Item::Connection(ConnectionState::Disconnected(d)) => {
            Some((format!("{d:?}"), d.master().map(str::to_string)))
        }
        _ => None,
    });
    assert_eq!(
        named.as_deref(),
        Some(master.scheduler_url().as_str()),
        "the reason names the master: {reason}"
    );
    reason
}

fn check_failover(
    master: &SimMaster,
    scheduler: &Scheduler,
    events: &Events,
    fw: &str,
    old: &str,
    reason: &str,
) {
    let (new_framework, new_stream) = subscribed(events);
    assert_eq!(
        new_framework, fw,
        "same framework id after failover ({reason})"
    );
    assert_ne!(new_stream, old, "a new subscription has a new stream id");
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls work on the new stream");
    master.with_state(|s| {
        let framework = s.framework(fw).unwrap();
        assert!(framework.connected);
        assert_eq!(
            framework.subscriptions, 2,
            "exactly one re-subscription ({reason})"
        );
        assert_eq!(framework.stream_id.as_deref(), Some(new_stream.as_str()));
    });
}

fn fails_over_after_the_stream_closes_between_records(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "close").connect().unwrap();
    let (fw, stream) = subscribed(&events);
    master.close_streams();
    let reason = disconnect_reason(&events, &master);
    assert!(reason.starts_with("StreamEnded"), "{reason}");
    check_failover(&master, &scheduler, &events, &fw, &stream, &reason);
}

fn fails_over_after_the_stream_is_cut_mid_record(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "cut").connect().unwrap();
    let (fw, stream) = subscribed(&events);
    master.cut_streams_mid_record();
    let reason = disconnect_reason(&events, &master);
    assert!(reason.starts_with("StreamTruncated"), "{reason}");
    check_failover(&master, &scheduler, &events, &fw, &stream, &reason);
}

fn detects_stalled_heartbeats_and_resubscribes(encoding: Encoding) {
    let master = sim(Duration::from_millis(40));
    let (scheduler, events) = builder(&master.url(), encoding, "stall")
        .missed_heartbeats(3)
        .connect()
        .unwrap();
    let (fw, stream) = subscribed(&events);
    master.stall_heartbeats(true);
    let reason = disconnect_reason(&events, &master);
    assert_eq!(
        reason,
        format!(
            "HeartbeatTimeout {{ master: {:?}, silence: 120ms }}",
            master.scheduler_url()
        )
    );
    master.stall_heartbeats(false);
    check_failover(&master, &scheduler, &events, &fw, &stream, &reason);
}

fn resubscribes_after_a_garbage_record_header(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "garbage")
        .connect()
        .unwrap();
    let (fw, stream) = subscribed(&events);
    master.send_garbage_record_header();
    let reason = disconnect_reason(&events, &master);
    assert!(reason.starts_with("Protocol"), "{reason}");
    check_failover(&master, &scheduler, &events, &fw, &stream, &reason);
}

fn rejects_an_oversized_record_and_resubscribes(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "oversized")
        .max_record_size(64 * 1024)
        .connect()
        .unwrap();
    let (fw, stream) = subscribed(&events);
    master.send_oversized_record(1 << 40);
    let reason = disconnect_reason(&events, &master);
    assert!(
        reason.starts_with("Protocol") && reason.contains("65536"),
        "{reason}"
    );
    check_failover(&master, &scheduler, &events, &fw, &stream, &reason);
}

fn survives_a_burst_of_503s(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    master.fail_next_calls(4);
    let (scheduler, events) = builder(&master.url(), encoding, "503").connect().unwrap();
    let mut failures = 0;
    let (fw, _) = wait_for(&events, "Subscribed after 503s", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(
            Error::Unavailable { body },
        ))) => {
            assert_eq!(body, "Master has not finished recovery");
            failures += 1;
            None
        }
        Item::Connection(ConnectionState::Subscribed {
            framework_id,
            stream_id,
            ..
        }) => Some((framework_id.value.clone(), stream_id.clone())),
        _ => None,
    });
    assert_eq!(failures, 4, "each 503 is reported and retried");
    scheduler.revive(Vec::<String>::new()).expect("calls work");
    assert!(master.with_state(|s| s.framework(&fw).unwrap().connected));
}
