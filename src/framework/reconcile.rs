//! When to ask the master about tasks, following the Mesos reconciliation
//! guide: after every SUBSCRIBED, ask about every open task by name, again
//! with truncated exponential backoff until each has had an update since
//! the round began; from time to time, ask about everything (implicit) to
//! learn of tasks the framework does not know; and ask about a task that
//! stays silent too long after its launch. Pure scheduling: the caller
//! sends the calls.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::v1::{AgentID, TaskID};

/// How reconciliation is paced.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileSettings {
    /// First wait before asking again about tasks that have not answered.
    pub initial_backoff: Duration,
    /// The longest wait between two asks of one round.
    pub max_backoff: Duration,
    /// Implicit reconciliation period (`None`: never).
    pub implicit_every: Option<Duration>,
    /// A task with no update this long after its launch is asked about.
    pub launch_watchdog: Duration,
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        ReconcileSettings {
            initial_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(120),
            implicit_every: Some(Duration::from_secs(15 * 60)),
            launch_watchdog: Duration::from_secs(60),
        }
    }
}

/// What to ask now.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Asks {
    /// Tasks to reconcile explicitly.
    pub explicit: Vec<(TaskID, Option<AgentID>)>,
    /// Whether to send an implicit reconciliation.
    pub implicit: bool,
    /// Whether `explicit` is the first ask of a new round.
    pub round_started: bool,
}

#[derive(Debug)]
struct Round {
    /// Tasks that have had no update since the round began.
    pending: HashSet<String>,
    agents: Vec<(TaskID, Option<AgentID>)>,
    next_at: Instant,
    delay: Duration,
    first: bool,
}

/// The reconciliation clock.
#[derive(Debug)]
pub(crate) struct Reconciler {
    settings: ReconcileSettings,
    round: Option<Round>,
    next_implicit: Option<Instant>,
    /// Launches in order, with when to check on them.
    watch: VecDeque<(Instant, TaskID)>,
    pub rounds_started: u64,
    pub rounds_completed: u64,
}

impl Reconciler {
    pub fn new(settings: ReconcileSettings) -> Self {
        Reconciler {
            settings,
            round: None,
            next_implicit: None,
            watch: VecDeque::new(),
            rounds_started: 0,
            rounds_completed: 0,
        }
    }

    /// A subscription began: a new round over `open` (replacing any round
    /// in progress), asked at once; the implicit clock restarts.
    pub fn subscribed(&mut self, open: Vec<(TaskID, Option<AgentID>)>, now: Instant) {
        self.next_implicit = self.settings.implicit_every.map(|every| now + every);
        if open.is_empty() {
            self.round = None;
            return;
        }
        self.rounds_started += 1;
        self.round = Some(Round {
            pending: open.iter().map(|(id, _)| id.value.clone()).collect(),
            agents: open,
            next_at: now,
            delay: self.settings.initial_backoff,
            first: true,
        });
    }

    /// The stream dropped: nothing can be asked until the next subscription.
    pub fn disconnected(&mut self) {
        self.round = None;
        self.next_implicit = None;
    }

    /// A task had an update (of any kind, absorbed or not).
    pub fn heard_from(&mut self, task_id: &str) {
        if let Some(round) = &mut self.round {
            if round.pending.remove(task_id) && round.pending.is_empty() {
                self.round = None;
                self.rounds_completed += 1;
            }
        }
    }

    /// A task was launched: check on it after the watchdog period.
    pub fn launched(&mut self, task_id: TaskID, now: Instant) {
        self.watch
            .push_back((now + self.settings.launch_watchdog, task_id));
    }

    /// The earliest time something is due.
    pub fn deadline(&self) -> Option<Instant> {
        let round = self.round.as_ref().map(|r| r.next_at);
        let watch = self.watch.front().map(|(at, _)| *at);
        [round, watch, self.next_implicit]
            .into_iter()
            .flatten()
            .min()
    }

    /// What is due at `now`. `silent(id)` says whether a launched task is
    /// still tracked without any update (only those are watched); its
    /// `Some(agent)` is the agent to name.
    pub fn due(
        &mut self,
        now: Instant,
        mut silent: impl FnMut(&TaskID) -> Option<Option<AgentID>>,
    ) -> Asks {
        let mut asks = Asks::default();
        if let Some(round) = &mut self.round {
            if round.next_at <= now {
                asks.round_started = round.first;
                round.first = false;
                round
                    .agents
                    .retain(|(id, _)| round.pending.contains(&id.value));
                asks.explicit.clone_from(&round.agents);
                round.next_at = now + round.delay;
                round.delay = (round.delay * 2).min(self.settings.max_backoff);
            }
        }
        while self.watch.front().is_some_and(|(at, _)| *at <= now) {
            let (_, task_id) = self.watch.pop_front().expect("front exists");
            let Some(agent) = silent(&task_id) else {
                continue; // heard from, or gone
            };
            let in_round = self
                .round
                .as_ref()
                .is_some_and(|r| r.pending.contains(&task_id.value));
            if !in_round {
                asks.explicit.push((task_id.clone(), agent));
            }
            self.watch
                .push_back((now + self.settings.launch_watchdog, task_id));
        }
        if let (Some(at), Some(every)) = (self.next_implicit, self.settings.implicit_every) {
            if at <= now {
                asks.implicit = true;
                self.next_implicit = Some(now + every);
            }
        }
        asks
    }

    /// Whether a round is in progress.
    pub fn in_round(&self) -> bool {
        self.round.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(v: &str) -> TaskID {
        TaskID { value: v.into() }
    }

    fn settings() -> ReconcileSettings {
        ReconcileSettings {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(4),
            implicit_every: Some(Duration::from_secs(100)),
            launch_watchdog: Duration::from_secs(10),
        }
    }

    #[test]
    fn a_round_asks_with_backoff_until_every_task_answered() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut r = Reconciler::new(settings());
        r.subscribed(vec![(id("a"), None), (id("b"), None)], t0);
        let first = r.due(t0, |_| None);
        assert!(first.round_started);
        assert_eq!(first.explicit.len(), 2);
        assert_eq!(r.deadline(), Some(at(1)));
        r.heard_from("a");
        let again = r.due(at(1), |_| None);
        assert_eq!(again.explicit, vec![(id("b"), None)]);
        // 1, then 2, then 4, then capped at 4.
        assert_eq!(r.deadline(), Some(at(3)));
        r.due(at(3), |_| None);
        assert_eq!(r.deadline(), Some(at(7)));
        r.due(at(7), |_| None);
        assert_eq!(r.deadline(), Some(at(11)));
        r.heard_from("b");
        assert!(!r.in_round());
        assert_eq!((r.rounds_started, r.rounds_completed), (1, 1));
    }

    #[test]
    fn a_new_subscription_restarts_the_round() {
        let t0 = Instant::now();
        let mut r = Reconciler::new(settings());
        r.subscribed(vec![(id("a"), None)], t0);
        r.due(t0, |_| None);
        r.disconnected();
        assert_eq!(r.deadline(), None);
        r.subscribed(vec![(id("a"), None), (id("c"), None)], t0);
        let asks = r.due(t0, |_| None);
        assert!(asks.round_started);
        assert_eq!(asks.explicit.len(), 2);
        assert_eq!(r.rounds_started, 2);
    }

    #[test]
    fn silent_launches_are_asked_about_and_implicit_comes_periodically() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut r = Reconciler::new(settings());
        r.subscribed(Vec::new(), t0);
        r.launched(id("quiet"), t0);
        r.launched(id("heard"), t0);
        let asks = r.due(at(10), |t| (t.value == "quiet").then_some(None));
        assert_eq!(asks.explicit, vec![(id("quiet"), None)]);
        assert!(!asks.implicit);
        // Still silent: asked again a period later.
        assert_eq!(r.deadline(), Some(at(20)));
        let asks = r.due(at(100), |_| None);
        assert!(asks.implicit);
        assert_eq!(r.deadline(), Some(at(200)));
    }
}
