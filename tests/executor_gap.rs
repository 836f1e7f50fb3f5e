//! The executor against a scripted agent, for what the simulated agent
//! does not do: answer calls with `403 Executor is not subscribed` while
//! the executor still holds a stream (the agent saw the drop first).

mod fake_peer_support;

use std::sync::Mutex;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use fake_peer_support::*;
use mesos_http::executor::{task_status, ConnectionState, Event, Executor, Item};
use mesos_http::v1::{self, TaskID, TaskState};
use mesos_http::{Encoding, Error};

const PATIENCE: Duration = Duration::from_secs(30);

/// An agent that opens a stream with SUBSCRIBED on every SUBSCRIBE (and
/// reports the call), ends the current stream when `end_stream` is sent,
/// and refuses every other call with the reconnect-gap 403.
struct GapAgent {
    peer: FakePeer,
    subscribes: Receiver<v1::executor::Call>,
    end_stream: Sender<()>,
}

fn gap_agent() -> GapAgent {
    let (sub_tx, subscribes) = unbounded();
    let (end_stream, end_rx) = unbounded::<()>();
    let sub_tx = Mutex::new(sub_tx);
    let end_rx = Mutex::new(end_rx);
    let peer = FakePeer::start(move |request, stream| {
        let call: v1::executor::Call = Encoding::Json.decode(&request.body).expect("a call");
        if call.r#type() != v1::executor::call::Type::SUBSCRIBE {
            respond(
                stream,
                "403 Forbidden",
                "text/plain",
                b"Executor is not subscribed",
            );
            return true;
        }
        stream_head(stream, "application/json", "");
        let subscribed = Event::Subscribed(Box::default()).to_proto();
        record_chunk(stream, &Encoding::Json.encode(&subscribed));
        sub_tx.lock().unwrap().send(call).unwrap();
        let _ = end_rx.lock().unwrap().recv();
        end_chunks(stream);
        false
    });
    GapAgent {
        peer,
        subscribes,
        end_stream,
    }
}

fn wait_subscribed(events: &mesos_http::executor::Events) -> (usize, usize) {
    loop {
        match events.recv_timeout(PATIENCE).expect("an item") {
            Item::Connection(ConnectionState::Subscribed {
                resent_tasks,
                resent_updates,
                ..
            }) => return (resent_tasks, resent_updates),
            Item::Connection(ConnectionState::Terminated(t)) => panic!("terminated: {t:?}"),
            _ => {}
        }
    }
}

#[test]
fn an_update_refused_in_the_reconnect_gap_is_kept_and_resent_after_resubscribing() {
    let agent = gap_agent();
    let (executor, events) = Executor::builder(&agent.peer.url("/api/v1/executor"), "fw", "ex")
        .encoding(Encoding::Json)
        .checkpoint(true)
        .subscription_backoff_max(Duration::from_millis(20))
        .connect()
        .expect("connect");
    let first = agent.subscribes.recv_timeout(PATIENCE).expect("SUBSCRIBE");
    assert!(first.subscribe.unwrap().unacknowledged_updates.is_empty());
    assert_eq!(wait_subscribed(&events), (0, 0));

    let task = TaskID { value: "t".into() };
    let uuid = executor
        .update(task_status(&task, TaskState::TASK_RUNNING))
        .expect("the gap is transient: the update is kept, not refused");
    let kept = executor.unacknowledged_updates();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].status.uuid.as_deref(), Some(uuid.as_slice()));

    agent.end_stream.send(()).unwrap();
    let second = agent
        .subscribes
        .recv_timeout(PATIENCE)
        .expect("re-SUBSCRIBE");
    let resent = second.subscribe.unwrap().unacknowledged_updates;
    assert_eq!(resent.len(), 1, "the kept update is re-sent");
    assert_eq!(resent[0].status.uuid.as_deref(), Some(uuid.as_slice()));
    assert_eq!(wait_subscribed(&events), (0, 1));

    // A plain call in the gap is the transient error, worded for an executor.
    let err = executor.message(b"hi".to_vec()).unwrap_err();
    assert!(matches!(err, Error::NotSubscribed), "{err:?}");
    executor.close();
    let err = executor.heartbeat().unwrap_err();
    assert!(matches!(err, Error::Closed), "{err:?}");
    assert!(!err.to_string().contains("scheduler"), "{err}");
    agent.end_stream.send(()).unwrap();
}
