//! What a framework must remember across its own restarts: the framework id
//! the master assigned (without it a restarted scheduler registers a new
//! framework and the old one's tasks are orphaned), and which tasks it may
//! have launched (recorded *before* the ACCEPT goes out, so that a crash
//! between the two leaves a record of a task that may exist).

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::v1::{AgentID, FrameworkID, TaskID, TaskState};

/// One task the framework launched (or was about to launch), as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// The task's id.
    pub task_id: TaskID,
    /// The agent it was launched on, when known.
    pub agent_id: Option<AgentID>,
    /// When the launch was recorded (wall clock: it must mean something
    /// after a restart).
    pub launched_at: SystemTime,
    /// Its terminal state, once one was handed to the application.
    pub ended: Option<TaskState>,
}

impl TaskRecord {
    /// A record of a launch happening now.
    pub fn launching(task_id: TaskID, agent_id: Option<AgentID>) -> Self {
        TaskRecord {
            task_id,
            agent_id,
            launched_at: SystemTime::now(),
            ended: None,
        }
    }

    /// Seconds since the Unix epoch of `launched_at` (0 before it).
    pub(crate) fn launched_secs(&self) -> f64 {
        self.launched_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    /// `launched_at` from seconds since the Unix epoch; garbage is the epoch.
    pub(crate) fn time_from_secs(secs: f64) -> SystemTime {
        Duration::try_from_secs_f64(secs)
            .ok()
            .and_then(|d| UNIX_EPOCH.checked_add(d))
            .unwrap_or(UNIX_EPOCH)
    }
}

/// Everything a store holds, as loaded at start-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredFramework {
    /// The framework id, once the master assigned one.
    pub framework_id: Option<FrameworkID>,
    /// Launch intents and their outcomes, one per task id (the latest
    /// record wins), in the order first recorded.
    pub tasks: Vec<TaskRecord>,
}

/// Durable memory of a framework. Each method returns only once what it
/// recorded would survive a crash of the process (and, for the built-in
/// stores, of the machine).
pub trait FrameworkStore: Send {
    /// Reads what was stored; an empty [`StoredFramework`] the first time.
    fn load(&mut self) -> Result<StoredFramework, StoreError>;
    /// Records the framework id (written on the first SUBSCRIBED).
    fn save_framework_id(&mut self, id: &FrameworkID) -> Result<(), StoreError>;
    /// Records launch intents, before the ACCEPT that launches them is sent.
    fn record_launches(&mut self, tasks: &[TaskRecord]) -> Result<(), StoreError>;
    /// Records a task's terminal state, before it is handed to the application.
    fn record_end(&mut self, task_id: &TaskID, state: TaskState) -> Result<(), StoreError>;
    /// Drops the records of these tasks (launches that were never sent, or
    /// tasks the application has no more use for).
    fn forget(&mut self, task_ids: &[TaskID]) -> Result<(), StoreError>;
    /// Drops everything: the framework is gone (torn down), and a new run
    /// must register a new one.
    fn clear(&mut self) -> Result<(), StoreError>;
}

/// A store that keeps everything in memory: for tests, and for frameworks
/// that hand durability to something else. Survives nothing.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    state: StoredFramework,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// A store holding `state`, as if a previous run had written it.
    pub fn with(state: StoredFramework) -> Self {
        MemoryStore { state }
    }
}

impl FrameworkStore for MemoryStore {
    fn load(&mut self) -> Result<StoredFramework, StoreError> {
        Ok(self.state.clone())
    }

    fn save_framework_id(&mut self, id: &FrameworkID) -> Result<(), StoreError> {
        self.state.framework_id = Some(id.clone());
        Ok(())
    }

    fn record_launches(&mut self, tasks: &[TaskRecord]) -> Result<(), StoreError> {
        for task in tasks {
            apply_launch(&mut self.state.tasks, task.clone());
        }
        Ok(())
    }

    fn record_end(&mut self, task_id: &TaskID, state: TaskState) -> Result<(), StoreError> {
        apply_end(&mut self.state.tasks, task_id, state);
        Ok(())
    }

    fn forget(&mut self, task_ids: &[TaskID]) -> Result<(), StoreError> {
        self.state.tasks.retain(|t| !task_ids.contains(&t.task_id));
        Ok(())
    }

    fn clear(&mut self) -> Result<(), StoreError> {
        self.state = StoredFramework::default();
        Ok(())
    }
}

/// A launch replaces an earlier record of the same task id (a relaunch).
pub(crate) fn apply_launch(tasks: &mut Vec<TaskRecord>, record: TaskRecord) {
    match tasks.iter_mut().find(|t| t.task_id == record.task_id) {
        Some(existing) => *existing = record,
        None => tasks.push(record),
    }
}

/// An end is recorded on the task's record (ignored for an unknown task).
pub(crate) fn apply_end(tasks: &mut [TaskRecord], task_id: &TaskID, state: TaskState) {
    if let Some(task) = tasks.iter_mut().find(|t| &t.task_id == task_id) {
        task.ended = Some(state);
    }
}

/// Why a store could not read or write.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The file system failed.
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// What was read is not what a store writes (a record was damaged, or
    /// another program wrote there). Nothing is overwritten.
    Corrupt {
        /// Where.
        location: String,
        /// What was wrong.
        detail: String,
    },
    /// The ZooKeeper ensemble failed or refused.
    ZooKeeper(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            StoreError::Corrupt { location, detail } => {
                write!(f, "corrupt framework store at {location}: {detail}")
            }
            StoreError::ZooKeeper(detail) => write!(f, "ZooKeeper store: {detail}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
