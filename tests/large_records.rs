//! Large records and long streams: one 50 MiB event under the default
//! 64 MiB cap is delivered whole; a record over the cap is refused with the
//! typed `Disconnect::Protocol` (before anything is allocated for it) and the
//! client re-subscribes; a long stream of 1 MiB records is consumed in flat
//! memory: over 1 GiB, the process's resident size grows by at most twice
//! the largest record plus 16 MiB (about 12 s in a debug build).

mod client_support;
mod fault_support;

use std::time::Duration;

use client_support::*;
use fault_support::MemorySampler;
use mesos_http::event::Event;
use mesos_http::v1::scheduler::{event, Event as EventProto};
use mesos_http::v1::{AgentID, ExecutorID};
use mesos_http::{ConnectionState, Disconnect, Encoding, Events, Item};

const MIB: usize = 1 << 20;

/// One test at a time: memory is measured for the whole process.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

per_encoding!(
    a_50_mib_event_under_the_64_mib_cap_is_delivered,
    a_record_over_the_cap_is_refused_and_the_client_resubscribes,
);

/// A MESSAGE event whose record is about `record_bytes` long in `encoding`.
fn message(encoding: Encoding, record_bytes: usize, fill: u8) -> EventProto {
    let data_len = match encoding {
        Encoding::Json => record_bytes / 4 * 3, // base64
        Encoding::Protobuf => record_bytes,
    };
    EventProto {
        r#type: Some(event::Type::MESSAGE),
        message: Some(event::Message {
            agent_id: AgentID {
                value: "agent-1".into(),
            },
            executor_id: ExecutorID {
                value: "executor-1".into(),
            },
            data: vec![fill; data_len],
        }),
        ..EventProto::default()
    }
}

/// The data of the next MESSAGE event (heartbeats skipped); a minute's
/// patience, for 50 MiB of JSON in a debug build.
fn next_message(events: &Events) -> Vec<u8> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match events.recv_timeout(left).expect("a MESSAGE event") {
            Item::Event(received) => {
                if let Event::Message(message) = received.into_event() {
                    return message.data;
                }
            }
            Item::Connection(ConnectionState::Disconnected(d)) => panic!("disconnected: {d:?}"),
            _ => {}
        }
    }
}

fn a_50_mib_event_under_the_64_mib_cap_is_delivered(encoding: Encoding) {
    let _serial = serial();
    // A 25 s heartbeat budget: decoding 50 MiB of JSON takes seconds in a
    // debug build, and the reader reads nothing meanwhile.
    let master = sim(Duration::from_secs(5));
    let (_scheduler, events) = builder(&master.url(), encoding, "big").connect().unwrap();
    subscribed(&events);
    let big = message(encoding, 50 * MIB, b'z');
    assert!(encoding.encode(&big).len() >= 50 * MIB - 16);
    master.send_event(&big);
    let data = next_message(&events);
    assert_eq!(data.len(), big.message.as_ref().unwrap().data.len());
    assert!(data.iter().all(|b| *b == b'z'));
    // Still the same subscription.
    next_event(&events, "HEARTBEAT", |e| matches!(e, Event::Heartbeat));
    let id = master.with_state(|s| s.frameworks()[0].id.clone());
    assert_eq!(
        master.with_state(|s| s.framework(&id).unwrap().subscriptions),
        1
    );
}

fn a_record_over_the_cap_is_refused_and_the_client_resubscribes(encoding: Encoding) {
    let _serial = serial();
    let master = sim(Duration::from_secs(1));
    let cap = 8 * MIB;
    let (scheduler, events) = builder(&master.url(), encoding, "over-cap")
        .max_record_size(cap)
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    master.send_event(&message(encoding, cap + MIB, b'o'));
    let reason = wait_for(&events, "Disconnected", |item| match item {
        Item::Connection(ConnectionState::Disconnected(reason @ Disconnect::Protocol { .. })) => {
            Some(format!("{reason:?}"))
        }
        Item::Connection(ConnectionState::Disconnected(other)) => panic!("{other:?}"),
        Item::Event(e) if matches!(**e, Event::Message(_)) => panic!("over-cap record delivered"),
        _ => None,
    });
    assert!(reason.starts_with("Protocol {"), "{reason}");
    assert!(reason.contains(&cap.to_string()), "names the cap: {reason}");
    let (again, _) = subscribed(&events);
    assert_eq!(again, framework_id);
    scheduler
        .revive(Vec::<String>::new())
        .expect("calls work again");
    // Under the cap again, a record is delivered.
    master.send_event(&message(encoding, MIB, b'u'));
    assert_eq!(
        next_message(&events).len(),
        message(encoding, MIB, b'u').message.unwrap().data.len()
    );
}

/// Streams `total` bytes of 1 MiB MESSAGE records through a client in
/// protobuf, a few at a time, and checks the memory bound.
fn long_stream(total: usize) {
    let _serial = serial();
    let record = MIB;
    let master = sim(Duration::from_millis(200));
    let (_scheduler, events) = builder(&master.url(), Encoding::Protobuf, "long")
        .event_capacity(4)
        .connect()
        .unwrap();
    subscribed(&events);
    let block = message(Encoding::Protobuf, record, b'l');
    // Warm up (the first records size the buffers), then measure.
    for _ in 0..8 {
        master.send_event(&block);
        next_message(&events);
    }
    let memory = MemorySampler::start();
    let batch = 4;
    let mut moved = 0;
    while moved < total {
        for _ in 0..batch {
            master.send_event(&block);
        }
        for _ in 0..batch {
            assert_eq!(next_message(&events).len(), record);
        }
        moved += batch * record;
    }
    let peak = memory.stop();
    // Twice the largest record, plus a constant for the simulated master in
    // the same process (a batch of encoded records and their chunks) and the
    // allocator's slack.
    let bound = 2 * record + 16 * MIB;
    assert!(
        peak.growth_bytes() <= bound as u64,
        "resident memory grew by {} MiB over {} MiB streamed (bound {} MiB)",
        peak.growth_bytes() >> 20,
        total >> 20,
        bound >> 20
    );
    eprintln!(
        "streamed {} MiB in 1 MiB records: resident growth {:.1} MiB",
        total >> 20,
        peak.growth_bytes() as f64 / MIB as f64
    );
}

#[test]
fn a_stream_of_one_gib_is_consumed_in_flat_memory() {
    long_stream(1024 * MIB);
}
