//! [`FileStore`]: the framework id and launch intents in a directory.
//!
//! The framework id lives in `framework-id`, replaced atomically (written
//! to a temporary file, fsynced, renamed over the old one, directory
//! fsynced): a crash leaves the old id or the new one, never a torn one.
//! Launch intents and task ends are appended to `tasks.jsonl`, one JSON
//! object per line, each append fsynced before the method returns; a line
//! cut short by a crash is the last one and is ignored. On load the journal
//! is rewritten (atomically, as above) with one line per task.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::store::{
    apply_end, apply_launch, FrameworkStore, StoreError, StoredFramework, TaskRecord,
};
use crate::v1::{AgentID, FrameworkID, TaskID, TaskState};

const FRAMEWORK_ID_FILE: &str = "framework-id";
const TASKS_FILE: &str = "tasks.jsonl";

/// A [`FrameworkStore`] in a directory of the local file system (created
/// if missing). One framework per directory; two processes must not share
/// one.
#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    journal: Option<File>,
}

impl FileStore {
    /// A store in `dir`; nothing is read or created until [`FrameworkStore::load`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileStore {
            dir: dir.into(),
            journal: None,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn io(&self, name: &str) -> impl Fn(io::Error) -> StoreError {
        let path = self.path(name);
        move |source| StoreError::Io {
            path: path.clone(),
            source,
        }
    }

    fn read_framework_id(&self) -> Result<Option<FrameworkID>, StoreError> {
        let path = self.path(FRAMEWORK_ID_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(self.io(FRAMEWORK_ID_FILE)(err)),
        };
        let corrupt = |detail: &str| StoreError::Corrupt {
            location: path.display().to_string(),
            detail: detail.to_string(),
        };
        let text = String::from_utf8(bytes).map_err(|_| corrupt("not UTF-8"))?;
        let id = text
            .strip_suffix('\n')
            .ok_or_else(|| corrupt("no final newline"))?;
        if id.is_empty() || id.contains('\n') {
            return Err(corrupt("not one framework id"));
        }
        Ok(Some(FrameworkID {
            value: id.to_string(),
        }))
    }

    fn read_tasks(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let path = self.path(TASKS_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(self.io(TASKS_FILE)(err)),
        };
        let mut tasks = Vec::new();
        let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        // The piece after the last newline: empty, or an append a crash cut.
        lines.pop();
        for (number, line) in lines.into_iter().enumerate() {
            let location = format!("{}:{}", path.display(), number + 1);
            apply_line(&mut tasks, line)
                .map_err(|detail| StoreError::Corrupt { location, detail })?;
        }
        Ok(tasks)
    }

    fn append(&mut self, lines: &[Value]) -> Result<(), StoreError> {
        let mut text = String::new();
        for line in lines {
            text.push_str(&line.to_string());
            text.push('\n');
        }
        let io = self.io(TASKS_FILE);
        if self.journal.is_none() {
            fs::create_dir_all(&self.dir).map_err(self.io(""))?;
            let existed = self.path(TASKS_FILE).exists();
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.path(TASKS_FILE))
                .map_err(&io)?;
            if !existed {
                // A new file's name must survive a crash too.
                sync_dir(&self.dir)?;
            }
            self.journal = Some(file);
        }
        let journal = self.journal.as_mut().expect("opened above");
        journal.write_all(text.as_bytes()).map_err(&io)?;
        journal.sync_data().map_err(io)
    }
}

impl FrameworkStore for FileStore {
    fn load(&mut self) -> Result<StoredFramework, StoreError> {
        fs::create_dir_all(&self.dir).map_err(self.io(""))?;
        let framework_id = self.read_framework_id()?;
        let tasks = self.read_tasks()?;
        // Compact: one line per task, and no torn tail left to append after.
        self.journal = None;
        let text: String = tasks
            .iter()
            .flat_map(record_lines)
            .map(|line| format!("{line}\n"))
            .collect();
        write_atomically(&self.dir, TASKS_FILE, text.as_bytes())?;
        Ok(StoredFramework {
            framework_id,
            tasks,
        })
    }

    fn save_framework_id(&mut self, id: &FrameworkID) -> Result<(), StoreError> {
        fs::create_dir_all(&self.dir).map_err(self.io(""))?;
        write_atomically(
            &self.dir,
            FRAMEWORK_ID_FILE,
            format!("{}\n", id.value).as_bytes(),
        )
    }

    fn record_launches(&mut self, tasks: &[TaskRecord]) -> Result<(), StoreError> {
        let lines: Vec<Value> = tasks.iter().flat_map(record_lines).collect();
        self.append(&lines)
    }

    fn record_end(&mut self, task_id: &TaskID, state: TaskState) -> Result<(), StoreError> {
        self.append(&[json!({"end": task_id.value, "state": state.0})])
    }

    fn forget(&mut self, task_ids: &[TaskID]) -> Result<(), StoreError> {
        let lines: Vec<Value> = task_ids
            .iter()
            .map(|id| json!({"forget": id.value}))
            .collect();
        self.append(&lines)
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        self.journal = None;
        for name in [TASKS_FILE, FRAMEWORK_ID_FILE] {
            match fs::remove_file(self.path(name)) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(self.io(name)(err)),
            }
        }
        sync_dir(&self.dir)
    }
}

/// The journal lines that recreate `record`.
fn record_lines(record: &TaskRecord) -> Vec<Value> {
    let mut lines = vec![json!({
        "launch": record.task_id.value,
        "agent": record.agent_id.as_ref().map(|a| a.value.clone()),
        "at": record.launched_secs(),
    })];
    if let Some(state) = record.ended {
        lines.push(json!({"end": record.task_id.value, "state": state.0}));
    }
    lines
}

/// Applies one journal line.
fn apply_line(tasks: &mut Vec<TaskRecord>, line: &[u8]) -> Result<(), String> {
    let value: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    if let Some(task) = text("launch") {
        let agent_id = match value.get("agent") {
            None | Some(Value::Null) => None,
            Some(Value::String(agent)) => Some(AgentID {
                value: agent.clone(),
            }),
            Some(_) => return Err("`agent` is not a string".into()),
        };
        let at = value
            .get("at")
            .and_then(Value::as_f64)
            .ok_or("`at` is not a number")?;
        apply_launch(
            tasks,
            TaskRecord {
                task_id: TaskID { value: task },
                agent_id,
                launched_at: TaskRecord::time_from_secs(at),
                ended: None,
            },
        );
    } else if let Some(task) = text("end") {
        let state = value
            .get("state")
            .and_then(Value::as_i64)
            .and_then(|s| i32::try_from(s).ok())
            .ok_or("`state` is not a task state number")?;
        apply_end(tasks, &TaskID { value: task }, TaskState(state));
    } else if let Some(task) = text("forget") {
        tasks.retain(|t| t.task_id.value != task);
    } else {
        return Err("neither a launch, an end nor a forget".into());
    }
    Ok(())
}

/// Replaces `dir/name` with `bytes` so that a crash at any point leaves
/// either the old content or the new, whole: temporary file, fsync,
/// rename, fsync of the directory.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let target = dir.join(name);
    let temporary = dir.join(format!(".{name}.tmp"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    let mut file = File::create(&temporary).map_err(io(&temporary))?;
    file.write_all(bytes).map_err(io(&temporary))?;
    file.sync_all().map_err(io(&temporary))?;
    drop(file);
    fs::rename(&temporary, &target).map_err(io(&target))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mesos-http-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn task(id: &str) -> TaskID {
        TaskID { value: id.into() }
    }

    #[test]
    fn everything_recorded_is_loaded_again() {
        let dir = temp_dir("roundtrip");
        let mut store = FileStore::new(&dir);
        assert_eq!(store.load().unwrap(), StoredFramework::default());
        store
            .save_framework_id(&FrameworkID {
                value: "fw-1".into(),
            })
            .unwrap();
        let launches = [
            TaskRecord::launching(task("a"), Some(AgentID { value: "ag".into() })),
            TaskRecord::launching(task("b"), None),
            TaskRecord::launching(task("c"), None),
        ];
        store.record_launches(&launches).unwrap();
        store
            .record_end(&task("a"), TaskState::TASK_FINISHED)
            .unwrap();
        store.forget(&[task("c")]).unwrap();

        let loaded = FileStore::new(&dir).load().unwrap();
        assert_eq!(loaded.framework_id.unwrap().value, "fw-1");
        let ids: Vec<_> = loaded
            .tasks
            .iter()
            .map(|t| t.task_id.value.as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(loaded.tasks[0].ended, Some(TaskState::TASK_FINISHED));
        assert_eq!(loaded.tasks[0].agent_id.as_ref().unwrap().value, "ag");
        assert_eq!(loaded.tasks[1].ended, None);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_torn_temporary_file_never_replaces_the_good_one() {
        let dir = temp_dir("torn");
        let mut store = FileStore::new(&dir);
        store.load().unwrap();
        store
            .save_framework_id(&FrameworkID {
                value: "good".into(),
            })
            .unwrap();
        // A crash in the middle of the next write leaves a torn temporary.
        fs::write(dir.join(".framework-id.tmp"), b"half-writ").unwrap();
        let loaded = FileStore::new(&dir).load().unwrap();
        assert_eq!(loaded.framework_id.unwrap().value, "good");
        // The next write goes through whole.
        let mut store = FileStore::new(&dir);
        store
            .save_framework_id(&FrameworkID {
                value: "next".into(),
            })
            .unwrap();
        assert_eq!(
            FileStore::new(&dir)
                .load()
                .unwrap()
                .framework_id
                .unwrap()
                .value,
            "next"
        );
        assert!(!dir.join(".framework-id.tmp").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_append_cut_by_a_crash_is_ignored_and_compacted_away() {
        let dir = temp_dir("cut");
        let mut store = FileStore::new(&dir);
        store.load().unwrap();
        store
            .record_launches(&[TaskRecord::launching(task("a"), None)])
            .unwrap();
        let mut journal = OpenOptions::new()
            .append(true)
            .open(dir.join(TASKS_FILE))
            .unwrap();
        journal.write_all(b"{\"launch\":\"b\",\"ag").unwrap();
        drop(journal);
        let loaded = FileStore::new(&dir).load().unwrap();
        assert_eq!(loaded.tasks.len(), 1);
        let text = fs::read_to_string(dir.join(TASKS_FILE)).unwrap();
        assert!(text.ends_with('\n') && !text.contains("\"b\""), "{text}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_line_or_id_is_a_typed_error_and_nothing_is_overwritten() {
        let dir = temp_dir("damaged");
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join(TASKS_FILE),
            b"{\"launch\":\"a\",\"at\":1}\nnot json\n",
        )
        .unwrap();
        let err = FileStore::new(&dir).load().unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { location, .. } if location.ends_with(":2")),
            "{err}"
        );
        assert!(fs::read_to_string(dir.join(TASKS_FILE))
            .unwrap()
            .contains("not json"));
        fs::remove_file(dir.join(TASKS_FILE)).unwrap();
        fs::write(dir.join(FRAMEWORK_ID_FILE), b"").unwrap();
        assert!(matches!(
            FileStore::new(&dir).load(),
            Err(StoreError::Corrupt { .. })
        ));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn clear_forgets_the_framework() {
        let dir = temp_dir("clear");
        let mut store = FileStore::new(&dir);
        store.load().unwrap();
        store
            .save_framework_id(&FrameworkID { value: "x".into() })
            .unwrap();
        store
            .record_launches(&[TaskRecord::launching(task("a"), None)])
            .unwrap();
        store.clear().unwrap();
        assert_eq!(
            FileStore::new(&dir).load().unwrap(),
            StoredFramework::default()
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
