//! The ZooKeeper framework store against a real ZooKeeper server: what is
//! recorded is loaded again by another session, forgetting and clearing
//! remove it, and task ids with slashes survive.
#![cfg(feature = "zookeeper")]

mod zk_support;

use std::time::Duration;

use mesos_http::framework::{FrameworkStore, StoreError, TaskRecord, ZooKeeperStore};
use mesos_http::v1::{AgentID, FrameworkID, TaskID, TaskState};
use zk_support::ZkServer;

fn store(server: &ZkServer, path: &str) -> ZooKeeperStore {
    ZooKeeperStore::connect(&server.address(), path, Duration::from_secs(10)).expect("connect")
}

fn id(v: &str) -> TaskID {
    TaskID { value: v.into() }
}

#[test]
fn what_one_session_records_the_next_one_loads() {
    let server = ZkServer::start();
    let mut first = store(&server, "/frameworks/demo");
    assert_eq!(first.load().unwrap().framework_id, None);
    first
        .save_framework_id(&FrameworkID {
            value: "fw-7".into(),
        })
        .unwrap();
    first
        .record_launches(&[
            TaskRecord::launching(id("a/1"), Some(AgentID { value: "ag".into() })),
            TaskRecord::launching(id("b"), None),
            TaskRecord::launching(id("c"), None),
        ])
        .unwrap();
    first
        .record_end(&id("a/1"), TaskState::TASK_FINISHED)
        .unwrap();
    first.forget(&[id("c")]).unwrap();
    drop(first);

    let mut second = store(&server, "/frameworks/demo");
    let loaded = second.load().unwrap();
    assert_eq!(loaded.framework_id.unwrap().value, "fw-7");
    let mut tasks: Vec<_> = loaded
        .tasks
        .iter()
        .map(|t| (t.task_id.value.as_str(), t.ended))
        .collect();
    tasks.sort();
    assert_eq!(
        tasks,
        [("a/1", Some(TaskState::TASK_FINISHED)), ("b", None)]
    );
    second.clear().unwrap();
    let cleared = store(&server, "/frameworks/demo").load().unwrap();
    assert_eq!(cleared.framework_id, None);
    assert!(cleared.tasks.is_empty());
}

#[test]
fn a_relative_path_is_refused() {
    let server = ZkServer::start();
    let err = ZooKeeperStore::connect(&server.address(), "frameworks", Duration::from_secs(5))
        .unwrap_err();
    assert!(matches!(err, StoreError::ZooKeeper(_)), "{err}");
}
