//! A stream the master no longer associates with the framework: its calls
//! are refused (400, the stream id does not match). The client must not
//! keep sending through it: the call fails with `NotSubscribed` (transient)
//! and the stale stream is dropped so that the client subscribes again.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item};

per_encoding!(a_call_refused_for_the_stream_id_resubscribes);

fn a_call_refused_for_the_stream_id_resubscribes(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    master.mismatch_next_stream_id();
    let (scheduler, events) = builder(&master.url(), encoding, "stale").connect().unwrap();
    let (framework_id, wrong) = subscribed(&events);
    let known = master.with_state(|s| s.framework(&framework_id).unwrap().stream_id);
    assert_ne!(
        known.as_deref(),
        Some(wrong.as_str()),
        "the fault is in place"
    );

    let err = scheduler.revive(Vec::<String>::new()).unwrap_err();
    assert!(matches!(err, Error::NotSubscribed), "{err:?}");
    let reason = wait_for(&events, "Disconnected", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(e))) => {
            Some(e.to_string())
        }
        _ => None,
    });
    assert!(reason.contains("Mesos-Stream-Id"), "{reason}");
    let (again, stream) = subscribed(&events);
    assert_eq!(again, framework_id);
    assert_ne!(stream, wrong);
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls pass on the new stream");
    assert_eq!(
        master.with_state(|s| s.framework(&framework_id).unwrap().subscriptions),
        2
    );
}
