//! The task table: each launched task's latest known state, and the verdict
//! on every status that arrives — a real change for the application, or
//! something to absorb (a duplicate, a stale update, a repeat of the known
//! state). Pure bookkeeping: no I/O, no clock but the one passed in.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::v1::{AgentID, TaskID, TaskState, TaskStatus};

/// What the tracker made of a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A real change: hand it to the application. `previous` is the state
    /// held before (`None`: launched, no update yet).
    Changed {
        /// The state held before this update.
        previous: Option<TaskState>,
    },
    /// The same update again (same uuid as the last one taken).
    Duplicate,
    /// Older (by timestamp) than the state held, or after a terminal state.
    Stale,
    /// The state held already (a reconciliation answer, typically).
    Repeat,
    /// A task the application never launched (or forgot long ago).
    Unknown,
}

/// One tracked task.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub agent_id: Option<AgentID>,
    pub state: Option<TaskState>,
    pub healthy: Option<bool>,
    pub timestamp: Option<f64>,
    pub last_uuid: Option<Vec<u8>>,
}

/// The task table.
#[derive(Debug)]
pub(crate) struct TaskTable {
    tasks: HashMap<String, Tracked>,
    /// Terminal tasks in the order they ended, to forget after the grace
    /// period without scanning the table.
    ended: VecDeque<(Instant, String)>,
    grace: Duration,
    /// Tasks per state (index: `TaskState.0`, for known states), kept as
    /// tasks change rather than recounted.
    counts: HashMap<Option<TaskState>, usize>,
}

impl TaskTable {
    pub fn new(grace: Duration) -> Self {
        TaskTable {
            tasks: HashMap::new(),
            ended: VecDeque::new(),
            grace,
            counts: HashMap::new(),
        }
    }

    fn count(&mut self, state: Option<TaskState>, delta: isize) {
        let entry = self.counts.entry(state).or_default();
        *entry = entry.saturating_add_signed(delta);
    }

    /// Starts tracking a launch (again, for a task id reused after its end).
    pub fn launch(&mut self, task_id: &TaskID, agent_id: Option<AgentID>) {
        let tracked = Tracked {
            agent_id,
            state: None,
            healthy: None,
            timestamp: None,
            last_uuid: None,
        };
        if let Some(old) = self.tasks.insert(task_id.value.clone(), tracked) {
            self.count(old.state, -1);
        }
        self.count(None, 1);
    }

    /// Restores a task from the store: ended ones as terminal (to absorb
    /// late copies of their last update), others as launched.
    pub fn restore(
        &mut self,
        task_id: &TaskID,
        agent_id: Option<AgentID>,
        ended: Option<TaskState>,
        now: Instant,
    ) {
        self.launch(task_id, agent_id);
        if let Some(state) = ended {
            if let Some(task) = self.tasks.get_mut(&task_id.value) {
                task.state = Some(state);
            }
            self.count(None, -1);
            self.count(Some(state), 1);
            self.ended.push_back((now, task_id.value.clone()));
        }
    }

    /// Stops tracking a launch that was never sent.
    pub fn untrack(&mut self, task_id: &TaskID) {
        if let Some(old) = self.tasks.remove(&task_id.value) {
            self.count(old.state, -1);
        }
    }

    pub fn get(&self, task_id: &str) -> Option<&Tracked> {
        self.tasks.get(task_id)
    }

    /// Judges `status` and, for a real change, takes it as the new state.
    pub fn observe(&mut self, status: &TaskStatus, now: Instant) -> Verdict {
        let Some(task) = self.tasks.get_mut(&status.task_id.value) else {
            return Verdict::Unknown;
        };
        if status.uuid.is_some() && status.uuid == task.last_uuid {
            return Verdict::Duplicate;
        }
        if task.state.is_some_and(TaskState::is_terminal) {
            // A terminal state is final: whatever follows is a late copy
            // or a master's guess about a task it no longer knows.
            return Verdict::Stale;
        }
        if let (Some(held), Some(new)) = (task.timestamp, status.timestamp) {
            if new < held {
                return Verdict::Stale;
            }
        }
        if task.agent_id.is_none() {
            task.agent_id.clone_from(&status.agent_id);
        }
        let health_changed = status.healthy.is_some() && status.healthy != task.healthy;
        if task.state == Some(status.state) && !health_changed {
            if status.uuid.is_some() {
                task.last_uuid.clone_from(&status.uuid);
            }
            return Verdict::Repeat;
        }
        let previous = task.state;
        task.state = Some(status.state);
        task.healthy = status.healthy.or(task.healthy);
        if status.timestamp.is_some() {
            task.timestamp = status.timestamp;
        }
        if status.uuid.is_some() {
            task.last_uuid.clone_from(&status.uuid);
        }
        let terminal = status.state.is_terminal();
        self.count(previous, -1);
        self.count(Some(status.state), 1);
        if terminal {
            self.ended.push_back((now, status.task_id.value.clone()));
        }
        Verdict::Changed { previous }
    }

    /// Forgets terminal tasks whose grace period is over; returns how many.
    pub fn forget_ended(&mut self, now: Instant) -> usize {
        let mut forgotten = 0;
        while let Some((at, _)) = self.ended.front() {
            if now.duration_since(*at) < self.grace {
                break;
            }
            let (_, id) = self.ended.pop_front().expect("front exists");
            // A task id reused after its end is live again: keep it.
            if let Some(task) = self.tasks.get(&id) {
                if task.state.is_some_and(TaskState::is_terminal) {
                    let state = task.state;
                    self.tasks.remove(&id);
                    self.count(state, -1);
                    forgotten += 1;
                }
            }
        }
        forgotten
    }

    /// When the next terminal task is due to be forgotten.
    pub fn next_forget(&self) -> Option<Instant> {
        self.ended.front().map(|(at, _)| *at + self.grace)
    }

    /// Every task not in a terminal state, with its agent.
    pub fn open_tasks(&self) -> Vec<(TaskID, Option<AgentID>)> {
        self.tasks
            .iter()
            .filter(|(_, t)| !t.state.is_some_and(TaskState::is_terminal))
            .map(|(id, t)| (TaskID { value: id.clone() }, t.agent_id.clone()))
            .collect()
    }

    /// How many tasks are tracked.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Tasks per state (`None`: launched, no update yet), zero counts left out.
    pub fn counts(&self) -> Vec<(Option<TaskState>, usize)> {
        let mut counts: Vec<_> = self
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (*s, *n))
            .collect();
        counts.sort_by_key(|(s, _)| s.map(|s| s.0));
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(task: &str, state: TaskState, uuid: Option<u8>, timestamp: f64) -> TaskStatus {
        TaskStatus {
            task_id: TaskID { value: task.into() },
            state,
            uuid: uuid.map(|u| vec![u; 16]),
            timestamp: Some(timestamp),
            agent_id: Some(AgentID { value: "ag".into() }),
            ..TaskStatus::default()
        }
    }

    fn table() -> TaskTable {
        let mut table = TaskTable::new(Duration::from_secs(60));
        table.launch(&TaskID { value: "t".into() }, None);
        table
    }

    #[test]
    fn each_real_change_once_and_everything_else_absorbed() {
        let now = Instant::now();
        let mut table = table();
        let running = status("t", TaskState::TASK_RUNNING, Some(1), 10.0);
        assert_eq!(
            table.observe(&running, now),
            Verdict::Changed { previous: None }
        );
        assert_eq!(table.observe(&running, now), Verdict::Duplicate);
        // A reconciliation answer (no uuid) with the known state.
        assert_eq!(
            table.observe(&status("t", TaskState::TASK_RUNNING, None, 11.0), now),
            Verdict::Repeat
        );
        // An older update arriving late.
        assert_eq!(
            table.observe(&status("t", TaskState::TASK_STARTING, Some(2), 5.0), now),
            Verdict::Stale
        );
        let finished = status("t", TaskState::TASK_FINISHED, Some(3), 12.0);
        assert_eq!(
            table.observe(&finished, now),
            Verdict::Changed {
                previous: Some(TaskState::TASK_RUNNING)
            }
        );
        // After the end: a master that lost the task says LOST; absorbed.
        assert_eq!(
            table.observe(&status("t", TaskState::TASK_LOST, None, 20.0), now),
            Verdict::Stale
        );
        assert_eq!(
            table.observe(&status("other", TaskState::TASK_RUNNING, None, 1.0), now),
            Verdict::Unknown
        );
        assert_eq!(table.agent_of("t"), Some("ag"));
    }

    #[test]
    fn a_health_change_is_a_change() {
        let now = Instant::now();
        let mut table = table();
        let mut running = status("t", TaskState::TASK_RUNNING, Some(1), 1.0);
        table.observe(&running, now);
        running.uuid = Some(vec![2; 16]);
        running.healthy = Some(false);
        assert!(matches!(
            table.observe(&running, now),
            Verdict::Changed { .. }
        ));
    }

    #[test]
    fn terminal_tasks_are_forgotten_after_the_grace_period() {
        let start = Instant::now();
        let mut table = table();
        table.observe(&status("t", TaskState::TASK_FAILED, Some(1), 1.0), start);
        assert_eq!(table.forget_ended(start + Duration::from_secs(59)), 0);
        assert_eq!(table.next_forget(), Some(start + Duration::from_secs(60)));
        assert_eq!(table.forget_ended(start + Duration::from_secs(60)), 1);
        assert_eq!(table.len(), 0);
        assert!(table.counts().is_empty());
    }

    #[test]
    fn counts_follow_the_states() {
        let now = Instant::now();
        let mut table = table();
        table.launch(&TaskID { value: "u".into() }, None);
        table.observe(&status("t", TaskState::TASK_RUNNING, Some(1), 1.0), now);
        assert_eq!(
            table.counts(),
            [(None, 1), (Some(TaskState::TASK_RUNNING), 1)]
        );
        assert_eq!(table.open_tasks().len(), 2);
    }

    impl TaskTable {
        fn agent_of(&self, id: &str) -> Option<&str> {
            self.get(id)?.agent_id.as_ref().map(|a| a.value.as_str())
        }
    }
}
