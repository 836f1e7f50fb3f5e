//! The replay master (`sim-master --replay FILE [--chunk BYTES]`): the file's
//! records reach the first subscriber in order whatever the chunking, pushed
//! records follow, and every other call is answered 202 and counted (printed
//! on exit by the example).

mod client_support;
mod examples_support;
mod replay_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use client_support::{builder, subscribed, wait_for, PATIENCE};
use mesos_http::event::Event;
use mesos_http::{Encoding, Events, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};
use replay_support::{update, updates_file, uuid};

/// The task id of the next UPDATE event (other items skipped).
fn next_update(events: &Events) -> (String, mesos_http::v1::TaskStatus) {
    wait_for(events, "an UPDATE", |item| match item.event() {
        Some(Event::Update(update)) => {
            Some((update.status.task_id.value.clone(), update.status.clone()))
        }
        _ => None,
    })
}

fn client(url: &str, encoding: Encoding) -> (Scheduler, Events) {
    builder(url, encoding, "replay")
        .auto_acknowledge(false)
        .connect()
        .unwrap()
}

#[test]
fn every_chunking_delivers_the_same_records_in_order_then_pushed_ones() {
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let file = updates_file(encoding, 40);
        for chunking in [
            Chunking::PerRecord,
            Chunking::Bytes(1),
            Chunking::Bytes(7),
            Chunking::Bytes(1 << 20),
        ] {
            let master = ReplayMaster::start(file.clone(), chunking, 0).unwrap();
            assert_eq!(master.records(), 40);
            assert_eq!(master.encoding(), encoding);
            let (scheduler, events) = client(&master.url(), encoding);
            let (framework_id, stream_id) = subscribed(&events);
            assert_eq!(framework_id, "replay-framework");
            assert_eq!(stream_id, "replay-stream");
            for i in 0..40 {
                let (task, _) = next_update(&events);
                assert_eq!(task, format!("task-{i}"), "{encoding:?} {chunking:?}");
            }
            // The file is out: a pushed record follows on the same stream.
            let deadline = std::time::Instant::now() + PATIENCE;
            while !master.file_written() {
                assert!(std::time::Instant::now() < deadline, "file never written");
                std::thread::sleep(Duration::from_millis(5));
            }
            master.push(&encoding.encode(&update(1000))).unwrap();
            assert_eq!(next_update(&events).0, "task-1000");
            let chunk = ReplayMaster::http_chunk(&encoding.encode(&update(1001)));
            master.push_chunk(&chunk).unwrap();
            assert_eq!(next_update(&events).0, "task-1001");
            scheduler.close();
            let counts = master.stop();
            assert_eq!(counts.subscribes, 1);
            assert_eq!(counts.calls, 0);
        }
    }
}

#[test]
fn a_pushed_record_is_one_http_chunk_of_one_recordio_record() {
    assert_eq!(ReplayMaster::http_chunk(b"abc"), b"5\r\n3\nabc\r\n");
    let big = vec![b'x'; 300];
    let chunk = ReplayMaster::http_chunk(&big);
    assert_eq!(&chunk[..9], b"130\r\n300\n");
    assert_eq!(&chunk[9..309], &big[..]);
    assert_eq!(&chunk[309..], b"\r\n");
}

#[test]
fn calls_are_answered_202_and_counted_by_type() {
    let master =
        ReplayMaster::start(updates_file(Encoding::Protobuf, 3), Chunking::PerRecord, 0).unwrap();
    let (scheduler, events) = client(&master.url(), Encoding::Protobuf);
    subscribed(&events);
    for i in 0..3 {
        let (_, status) = next_update(&events);
        scheduler.acknowledge(&status).unwrap();
        assert_eq!(master.acknowledgements(), i + 1);
    }
    scheduler.revive(Vec::<String>::new()).unwrap();
    assert_eq!(master.acknowledged_uuids(), vec![uuid(0), uuid(1), uuid(2)]);
    scheduler.close();
    let counts = master.stop();
    assert_eq!(counts.calls, 4);
    assert_eq!(counts.by_type.get("ACKNOWLEDGE"), Some(&3));
    assert_eq!(counts.by_type.get("REVIVE"), Some(&1));
}

#[test]
fn the_example_replays_a_file_and_prints_the_call_count_on_exit() {
    let binary = examples_support::sim_master();
    let dir = std::env::temp_dir().join(format!("mesos-http-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("updates.json.rio");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&updates_file(Encoding::Json, 12))
        .unwrap();
    let mut child = Command::new(binary)
        .arg("--replay")
        .arg(&path)
        .args(["--chunk", "5", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .strip_prefix("listening on ")
        .map(str::trim_end)
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    let (scheduler, events) = client(&url, Encoding::Json);
    subscribed(&events);
    for i in 0..12 {
        let (task, status) = next_update(&events);
        assert_eq!(task, format!("task-{i}"));
        scheduler.acknowledge(&status).unwrap();
    }
    scheduler.suppress(Vec::<String>::new()).unwrap();
    scheduler.close();
    drop(events);
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success());
    let log: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(log.iter().any(|l| l == "calls: 13"), "{log:?}");
    assert!(log.iter().any(|l| l == "ACKNOWLEDGE: 12"), "{log:?}");
    assert!(log.iter().any(|l| l == "SUPPRESS: 1"), "{log:?}");
    assert!(
        log.iter().any(|l| l.starts_with("replaying 12 records")),
        "{log:?}"
    );
}
