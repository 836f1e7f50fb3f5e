//! Helpers for tests on the replay master: a RecordIO file of status updates
//! (each with its own uuid) to replay, and a client builder for it.
#![allow(dead_code)]

use mesos_http::codec::Encoding;
use mesos_http::recordio;
use mesos_http::v1::scheduler::event::{Type as EventType, Update};
use mesos_http::v1::scheduler::Event;
use mesos_http::v1::{AgentID, TaskID, TaskState, TaskStatus};

/// The uuid of update `i` (16 bytes, distinct per update).
pub fn uuid(i: u32) -> Vec<u8> {
    let mut bytes = [0x5au8; 16];
    bytes[..4].copy_from_slice(&i.to_be_bytes());
    bytes[6] = 0x40 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    bytes.to_vec()
}

/// One UPDATE event needing an acknowledgement.
pub fn update(i: u32) -> Event {
    Event {
        r#type: Some(EventType::UPDATE),
        update: Some(Update {
            status: TaskStatus {
                task_id: TaskID {
                    value: format!("task-{i}"),
                },
                state: TaskState::TASK_RUNNING,
                agent_id: Some(AgentID {
                    value: "agent-1".into(),
                }),
                uuid: Some(uuid(i)),
                ..TaskStatus::default()
            },
        }),
        ..Event::default()
    }
}

/// A RecordIO stream of `n` updates (no SUBSCRIBED: the replay master puts
/// its own in front).
pub fn updates_file(encoding: Encoding, n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        recordio::encode(&encoding.encode(&update(i)), &mut out);
    }
    out
}
