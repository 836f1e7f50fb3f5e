//! Error behaviour of the subscription loop a newcomer would trip on: a
//! master that never sends the response head, 404 from every master, a
//! stream whose records never decode, and what `close()` leaves on the
//! channel.

mod client_support;
mod fake_peer_support;

use std::time::Duration;

use client_support::*;
use fake_peer_support::*;
use mesos_http::error::TimeoutPhase;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item, Termination};

/// A master that reads SUBSCRIBE and never answers: waiting for the
/// response head is bounded by the call timeout and named as such — not by
/// the heartbeat watchdog, whose budget here is far shorter.
#[test]
fn a_response_head_that_never_comes_times_out_as_such() {
    let peer = FakePeer::start(|_, stream| {
        // Hold the connection open without a word until the client leaves.
        let mut byte = [0u8; 1];
        let _ = std::io::Read::read(stream, &mut byte);
        false
    });
    let (scheduler, events) = builder(&peer.url(""), Encoding::Json, "silent-head")
        .heartbeat_interval(Duration::from_millis(20))
        .missed_heartbeats(1)
        .call_timeout(Duration::from_millis(400))
        .connect()
        .unwrap();
    let phase = wait_for(&events, "the first failure", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(Error::Timeout {
            phase,
            ..
        }))) => Some(*phase),
        Item::Connection(ConnectionState::Disconnected(other)) => {
            panic!("the head wait has its own bound: {other:?}")
        }
        _ => None,
    });
    assert_eq!(phase, TimeoutPhase::ReceiveResponse);
    scheduler.close();
}

/// Two masters, both answering 404: the subscription ends at once, naming
/// both URLs, instead of retrying for ever.
#[test]
fn a_404_from_every_master_ends_the_subscription_naming_the_urls() {
    let not_found = || {
        FakePeer::start(|_, stream| {
            respond(stream, "404 Not Found", "text/plain", b"404 Not Found.");
            true
        })
    };
    let (a, b) = (not_found(), not_found());
    let list = format!(
        "{},{}",
        a.url("").trim_start_matches("http://"),
        b.url("").trim_start_matches("http://")
    );
    let (scheduler, events) = builder(&list, Encoding::Protobuf, "nowhere")
        .connect()
        .unwrap();
    let items = drain_until_closed(&events);
    let Some(Item::Connection(ConnectionState::Terminated(Termination::NotFound { urls }))) =
        items.last()
    else {
        panic!("{:?}", items.iter().map(describe).collect::<Vec<_>>())
    };
    assert_eq!(
        urls,
        &[a.url("/api/v1/scheduler"), b.url("/api/v1/scheduler")]
    );
    assert!(
        !items
            .iter()
            .any(|i| matches!(i, Item::Connection(ConnectionState::Disconnected(_)))),
        "not retried"
    );
    assert!(scheduler.is_closed());
}

/// A stream whose `Content-Type` names the other encoding: every record
/// fails to decode. The stream is dropped after a bounded run of them (with
/// a protocol reason) and the client subscribes again.
#[test]
fn a_stream_of_undecodable_records_is_dropped_and_resubscribed() {
    let master = sim(Duration::from_millis(20));
    master.falsify_stream_content_type(Some("application/json"));
    let (scheduler, events) = builder(&master.url(), Encoding::Protobuf, "garbled")
        .connect()
        .unwrap();
    let mut undecodable = 0;
    let detail = wait_for(&events, "the stream dropped", |item| match item {
        Item::Undecodable { .. } => {
            undecodable += 1;
            None
        }
        Item::Event(_) => panic!("nothing decodes on this stream"),
        Item::Connection(ConnectionState::Disconnected(Disconnect::Protocol {
            detail, ..
        })) => Some(detail.clone()),
        Item::Connection(ConnectionState::Disconnected(other)) => panic!("{other:?}"),
        _ => None,
    });
    assert_eq!(undecodable, 16, "{detail}");
    assert!(detail.contains("16 records in a row"), "{detail}");
    master.falsify_stream_content_type(None);
    wait_for(&events, "subscribed again", |item| match item {
        Item::Connection(ConnectionState::Subscribed { .. }) => Some(()),
        _ => None,
    });
    scheduler.close();
}

/// `close()` ends the channel with `Terminated(Closed)`.
#[test]
fn close_delivers_terminated_closed_as_the_last_item() {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), Encoding::Protobuf, "closer")
        .connect()
        .unwrap();
    subscribed(&events);
    scheduler.close();
    let items = drain_until_closed(&events);
    assert!(
        matches!(
            items.last(),
            Some(Item::Connection(ConnectionState::Terminated(
                Termination::Closed
            )))
        ),
        "{:?}",
        items.iter().map(describe).collect::<Vec<_>>()
    );
}
