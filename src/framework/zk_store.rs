//! [`ZooKeeperStore`]: the framework id and launch intents in ZooKeeper,
//! for schedulers that run on any of several hosts (a standby takes over
//! with the same framework id).
//!
//! Layout under the store's path `P`: `P/framework-id` holds the id;
//! `P/tasks/t-<task id, escaped>` holds one JSON record per task. Every
//! write is one ZooKeeper operation, atomic on the server, and returns once
//! the ensemble has it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use serde_json::{json, Value};
use zookeeper::{Acl, CreateMode, WatchedEvent, ZkError, ZooKeeper};

use super::store::{FrameworkStore, StoreError, StoredFramework, TaskRecord};
use crate::v1::{AgentID, FrameworkID, TaskID, TaskState};

/// A [`FrameworkStore`] in ZooKeeper (cargo feature `zookeeper`).
pub struct ZooKeeperStore {
    zk: ZooKeeper,
    path: String,
}

impl std::fmt::Debug for ZooKeeperStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZooKeeperStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn zk_error(what: &str, err: ZkError) -> StoreError {
    StoreError::ZooKeeper(format!("{what}: {err:?}"))
}

impl ZooKeeperStore {
    /// Connects to the ensemble `servers` (`host:port,host:port`) and keeps
    /// the store under the absolute znode `path` (created when missing).
    pub fn connect(
        servers: &str,
        path: &str,
        session_timeout: Duration,
    ) -> Result<Self, StoreError> {
        if !path.starts_with('/') || path.len() < 2 || path.ends_with('/') {
            return Err(StoreError::ZooKeeper(format!(
                "{path:?} is not an absolute znode path"
            )));
        }
        // The client opens its first socket with `unwrap`s inside: contain them.
        let connected = catch_unwind(AssertUnwindSafe(|| {
            ZooKeeper::connect(servers, session_timeout, |_: WatchedEvent| {})
        }));
        let zk = match connected {
            Ok(Ok(zk)) => zk,
            Ok(Err(err)) => return Err(zk_error("cannot connect", err)),
            Err(_) => {
                return Err(StoreError::ZooKeeper(
                    "the ZooKeeper client failed while connecting".into(),
                ))
            }
        };
        let store = ZooKeeperStore {
            zk,
            path: path.to_string(),
        };
        store.ensure_path(&store.tasks_path())?;
        Ok(store)
    }

    fn tasks_path(&self) -> String {
        format!("{}/tasks", self.path)
    }

    fn id_path(&self) -> String {
        format!("{}/framework-id", self.path)
    }

    fn task_path(&self, task_id: &str) -> String {
        format!("{}/{}", self.tasks_path(), escape(task_id))
    }

    fn ensure_path(&self, path: &str) -> Result<(), StoreError> {
        let mut prefix = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            prefix.push('/');
            prefix.push_str(part);
            match self.zk.create(
                &prefix,
                Vec::new(),
                Acl::open_unsafe().clone(),
                CreateMode::Persistent,
            ) {
                Ok(_) | Err(ZkError::NodeExists) => {}
                Err(err) => return Err(zk_error(&format!("cannot create {prefix}"), err)),
            }
        }
        Ok(())
    }

    /// Writes `data` at `path`, creating the znode if needed.
    fn put(&self, path: &str, data: Vec<u8>) -> Result<(), StoreError> {
        let write = |data: Vec<u8>| self.zk.set_data(path, data, None).map(|_| ());
        match write(data.clone()) {
            Ok(()) => Ok(()),
            Err(ZkError::NoNode) => {
                let created = self.zk.create(
                    path,
                    data.clone(),
                    Acl::open_unsafe().clone(),
                    CreateMode::Persistent,
                );
                match created {
                    Ok(_) => Ok(()),
                    // Created meanwhile by another writer: write over it.
                    Err(ZkError::NodeExists) => {
                        write(data).map_err(|err| zk_error(&format!("cannot write {path}"), err))
                    }
                    Err(err) => Err(zk_error(&format!("cannot create {path}"), err)),
                }
            }
            Err(err) => Err(zk_error(&format!("cannot write {path}"), err)),
        }
    }

    fn delete(&self, path: &str) -> Result<(), StoreError> {
        match self.zk.delete(path, None) {
            Ok(()) | Err(ZkError::NoNode) => Ok(()),
            Err(err) => Err(zk_error(&format!("cannot delete {path}"), err)),
        }
    }

    fn read_task(&self, name: &str) -> Result<Option<TaskRecord>, StoreError> {
        let path = format!("{}/{name}", self.tasks_path());
        let data = match self.zk.get_data(&path, false) {
            Ok((data, _)) => data,
            Err(ZkError::NoNode) => return Ok(None),
            Err(err) => return Err(zk_error(&format!("cannot read {path}"), err)),
        };
        decode_record(&data)
            .map(Some)
            .map_err(|detail| StoreError::Corrupt {
                location: format!("zk:{path}"),
                detail,
            })
    }
}

impl FrameworkStore for ZooKeeperStore {
    fn load(&mut self) -> Result<StoredFramework, StoreError> {
        let id_path = self.id_path();
        let framework_id = match self.zk.get_data(&id_path, false) {
            Ok((data, _)) => {
                let id = String::from_utf8(data).map_err(|_| StoreError::Corrupt {
                    location: format!("zk:{id_path}"),
                    detail: "not UTF-8".into(),
                })?;
                Some(FrameworkID { value: id }).filter(|id| !id.value.is_empty())
            }
            Err(ZkError::NoNode) => None,
            Err(err) => return Err(zk_error(&format!("cannot read {id_path}"), err)),
        };
        let tasks_path = self.tasks_path();
        let mut names = self
            .zk
            .get_children(&tasks_path, false)
            .map_err(|err| zk_error(&format!("cannot list {tasks_path}"), err))?;
        names.sort();
        let mut tasks = Vec::new();
        for name in names {
            if let Some(record) = self.read_task(&name)? {
                tasks.push(record);
            }
        }
        tasks.sort_by_key(|t| t.launched_at);
        Ok(StoredFramework {
            framework_id,
            tasks,
        })
    }

    fn save_framework_id(&mut self, id: &FrameworkID) -> Result<(), StoreError> {
        self.put(&self.id_path(), id.value.clone().into_bytes())
    }

    fn record_launches(&mut self, tasks: &[TaskRecord]) -> Result<(), StoreError> {
        for task in tasks {
            self.put(&self.task_path(&task.task_id.value), encode_record(task))?;
        }
        Ok(())
    }

    fn record_end(&mut self, task_id: &TaskID, state: TaskState) -> Result<(), StoreError> {
        let name = escape(&task_id.value);
        if let Some(mut record) = self.read_task(&name)? {
            record.ended = Some(state);
            self.put(&self.task_path(&task_id.value), encode_record(&record))?;
        }
        Ok(())
    }

    fn forget(&mut self, task_ids: &[TaskID]) -> Result<(), StoreError> {
        for id in task_ids {
            self.delete(&self.task_path(&id.value))?;
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        let tasks_path = self.tasks_path();
        let names = self
            .zk
            .get_children(&tasks_path, false)
            .map_err(|err| zk_error(&format!("cannot list {tasks_path}"), err))?;
        for name in names {
            self.delete(&format!("{tasks_path}/{name}"))?;
        }
        self.delete(&self.id_path())
    }
}

/// A task id as a znode name: `t-` then the id with `%` and `/` escaped
/// (`.` and `..` cannot occur: the prefix).
fn escape(task_id: &str) -> String {
    let mut name = String::from("t-");
    for c in task_id.chars() {
        match c {
            '%' => name.push_str("%25"),
            '/' => name.push_str("%2F"),
            c => name.push(c),
        }
    }
    name
}

fn encode_record(record: &TaskRecord) -> Vec<u8> {
    json!({
        "task": record.task_id.value,
        "agent": record.agent_id.as_ref().map(|a| a.value.clone()),
        "at": record.launched_secs(),
        "state": record.ended.map(|s| s.0),
    })
    .to_string()
    .into_bytes()
}

fn decode_record(data: &[u8]) -> Result<TaskRecord, String> {
    let value: Value = serde_json::from_slice(data).map_err(|e| e.to_string())?;
    let task = value
        .get("task")
        .and_then(Value::as_str)
        .ok_or("`task` is not a string")?;
    let agent_id = match value.get("agent") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) => Some(AgentID { value: a.clone() }),
        Some(_) => return Err("`agent` is not a string".into()),
    };
    let at = value
        .get("at")
        .and_then(Value::as_f64)
        .ok_or("`at` is not a number")?;
    let ended = match value.get("state") {
        None | Some(Value::Null) => None,
        Some(v) => Some(TaskState(
            v.as_i64()
                .and_then(|s| i32::try_from(s).ok())
                .ok_or("`state` is not a task state number")?,
        )),
    };
    Ok(TaskRecord {
        task_id: TaskID { value: task.into() },
        agent_id,
        launched_at: TaskRecord::time_from_secs(at),
        ended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_become_safe_znode_names() {
        assert_eq!(escape("a/b%c"), "t-a%2Fb%25c");
        assert_eq!(escape(".."), "t-..");
    }

    #[test]
    fn records_round_trip_and_garbage_is_refused() {
        let record = TaskRecord {
            task_id: TaskID { value: "x".into() },
            agent_id: Some(AgentID { value: "a".into() }),
            launched_at: TaskRecord::time_from_secs(1000.5),
            ended: Some(TaskState::TASK_KILLED),
        };
        assert_eq!(decode_record(&encode_record(&record)).unwrap(), record);
        assert!(decode_record(b"{\"task\":1}").is_err());
    }
}
