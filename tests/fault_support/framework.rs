//! The fault matrix's framework-layer cells: the same batch, run through
//! `mesos_http::framework::Framework` instead of the bare scheduler, so the
//! cells check the layer's own promises — each task's state change handed
//! over once, reconciliation that keeps asking, offers of an earlier
//! subscription refused locally, a restart from the stored state.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use mesos_http::call;
use mesos_http::framework::{Framework, FrameworkError, FrameworkItem, FrameworkStats};
use mesos_http::v1::{self, TaskState, TaskStatus};
use mesos_http::{ConnectionState, Encoding};

use super::{shape, Ctx, Phase, Row, CELL_PATIENCE, TASKS};

/// When a trigger fires.
type Condition = Box<dyn Fn(&FrameworkApp) -> bool>;
/// What it does then.
type Action = Box<dyn FnOnce(&mut FrameworkApp, &Ctx)>;

/// Something a cell does once `when` holds (checked between items).
pub struct Trigger {
    pub when: Condition,
    pub then: Action,
}

impl Trigger {
    pub fn new(
        when: impl Fn(&FrameworkApp) -> bool + 'static,
        then: impl FnOnce(&mut FrameworkApp, &Ctx) + 'static,
    ) -> Trigger {
        Trigger {
            when: Box::new(when),
            then: Box::new(then),
        }
    }
}

/// The batch on the framework layer.
pub struct FrameworkApp {
    pub framework: Framework,
    encoding: Encoding,
    framework_id: Option<v1::FrameworkID>,
    master: String,
    queue: VecDeque<String>,
    /// Every change handed over, per task.
    pub changes: BTreeMap<String, Vec<TaskState>>,
    pub ended: BTreeMap<String, TaskState>,
    running: BTreeSet<String>,
    /// The last update with a uuid that was handed over (to re-deliver).
    pub last_update: Option<TaskStatus>,
    seen: Vec<String>,
    early: Vec<String>,
    injected_at: Option<Instant>,
    recovered_at: Option<Instant>,
    /// Triggers still waiting, in order.
    pub triggers: VecDeque<Trigger>,
    /// Keep the next offer unused (for the stale-offer cell).
    pub keep_offer: bool,
    pub kept_offer: Option<v1::Offer>,
    /// Counters of the frameworks replaced so far (a restart).
    pub earlier_stats: Vec<FrameworkStats>,
    /// Terminal changes per task over every process (restored ends too).
    ends: BTreeMap<String, usize>,
    /// Subscribed now (no `Disconnected` since the last `Subscribed`).
    connected: bool,
}

impl FrameworkApp {
    pub fn new(framework: Framework, encoding: Encoding) -> FrameworkApp {
        let mut app = FrameworkApp {
            framework,
            encoding,
            framework_id: None,
            master: String::new(),
            queue: (0..TASKS).map(|i| format!("task-{i}")).collect(),
            changes: BTreeMap::new(),
            ended: BTreeMap::new(),
            running: BTreeSet::new(),
            last_update: None,
            seen: Vec::new(),
            early: Vec::new(),
            injected_at: None,
            recovered_at: None,
            triggers: VecDeque::new(),
            keep_offer: false,
            kept_offer: None,
            earlier_stats: Vec::new(),
            ends: BTreeMap::new(),
            connected: false,
        };
        app.take_restored();
        app
    }

    /// Replaces the framework (a restarted process with the same store).
    pub fn restart(&mut self, framework: Framework) {
        self.earlier_stats.push(self.framework.stats());
        self.framework.close();
        self.framework = framework;
        self.connected = false;
        // A new process learns every state afresh.
        self.changes.clear();
        self.take_restored();
    }

    /// What the store says an earlier process launched is not queued again.
    fn take_restored(&mut self) {
        for record in self.framework.restored().to_vec() {
            let id = record.task_id.value.clone();
            self.queue.retain(|q| *q != id);
            if let Some(state) = record.ended {
                if !self.ended.contains_key(&id) {
                    *self.ends.entry(id.clone()).or_default() += 1;
                }
                self.ended.entry(id).or_insert(state);
            }
        }
    }

    fn record(&mut self, shape: String) {
        if self.injected_at.is_none() {
            self.early.push(shape);
        } else if self.seen.last() != Some(&shape) {
            self.seen.push(shape);
        }
    }

    pub fn saw(&self, shape: &str) -> bool {
        self.seen.iter().any(|s| s.contains(shape))
    }

    pub fn note(&mut self, text: &str) {
        self.seen.push(text.to_string());
    }

    /// Runs the batch to the end; `hook` injects the fault.
    pub fn run(&mut self, ctx: &mut Ctx, mut hook: impl FnMut(Phase, &mut FrameworkApp, &mut Ctx)) {
        let deadline = Instant::now() + CELL_PATIENCE;
        loop {
            if self.done(ctx) {
                return;
            }
            assert!(Instant::now() < deadline, "stuck: {}", self.describe(ctx));
            if self.injected_at.is_none() && self.running.len() >= 2 {
                self.injected_at = Some(Instant::now());
                hook(Phase::Inject, self, ctx);
            }
            if self.triggers.front().is_some_and(|t| (t.when)(self)) {
                let trigger = self.triggers.pop_front().expect("front exists");
                (trigger.then)(self, ctx);
            }
            match self.framework.next_timeout(Duration::from_millis(10)) {
                Ok(item) => {
                    if let Some(phase) = self.on_item(item) {
                        hook(phase, self, ctx);
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    panic!("the framework ended: {}", self.describe(ctx))
                }
            }
        }
    }

    fn describe(&self, ctx: &Ctx) -> String {
        let pending = ctx.current().with_state(|s| s.unacknowledged_updates());
        format!(
            "changes {:?}, queue {:?}, seen {:?}, early {:?}, triggers left {}, stats {:?}, master pending {pending:?}",
            self.changes,
            self.queue,
            self.seen,
            self.early,
            self.triggers.len(),
            self.framework.stats(),
        )
    }

    fn done(&self, ctx: &Ctx) -> bool {
        if self.ended.len() < TASKS || !self.triggers.is_empty() {
            return false;
        }
        if !self.connected || self.kept_offer.is_some() {
            return false;
        }
        let id = self.framework_id.as_ref().map(|f| f.value.clone());
        ctx.current().with_state(|s| {
            !s.unacknowledged_updates()
                .iter()
                .any(|u| Some(&u.framework_id) == id.as_ref())
        })
    }

    fn on_item(&mut self, item: FrameworkItem) -> Option<Phase> {
        match item {
            FrameworkItem::Subscribed {
                framework_id,
                master,
                ..
            } => {
                if let Some(known) = &self.framework_id {
                    assert_eq!(known, &framework_id, "resumed with its framework id");
                }
                self.framework_id = Some(framework_id);
                self.master = master;
                self.connected = true;
                if self.injected_at.is_some() {
                    self.record("Subscribed".into());
                    self.recovered_at = Some(Instant::now());
                    return Some(Phase::Subscribed);
                }
                None
            }
            FrameworkItem::Connection(ConnectionState::Disconnected(why)) => {
                self.connected = false;
                self.record(shape(&format!("Disconnected({why:?})")));
                self.injected_at.map(|_| Phase::Disconnected)
            }
            FrameworkItem::Terminated(end) => {
                self.record(shape(&format!("Terminated({end:?})")));
                self.injected_at.map(|_| Phase::Terminated)
            }
            FrameworkItem::Offers(offers) => {
                self.on_offers(offers);
                None
            }
            FrameworkItem::Task(change) => {
                let id = change.task_id().value.clone();
                let state = change.state();
                if change.status.uuid.is_some() {
                    self.last_update = Some(change.status.clone());
                }
                self.changes.entry(id.clone()).or_default().push(state);
                if state == TaskState::TASK_RUNNING {
                    self.running.insert(id.clone());
                }
                if change.is_terminal() {
                    *self.ends.entry(id.clone()).or_default() += 1;
                    self.ended.entry(id).or_insert(state);
                }
                None
            }
            FrameworkItem::UnknownTask(change) => {
                panic!("no task is unknown in this batch: {:?}", change.status)
            }
            _ => None,
        }
    }

    fn on_offers(&mut self, offers: Vec<v1::Offer>) {
        for offer in offers {
            if self.keep_offer {
                self.keep_offer = false;
                self.kept_offer = Some(offer);
                continue;
            }
            let take = self.queue.len().min(2);
            if take == 0 {
                let _ = self
                    .framework
                    .decline([offer.id.clone()], Some(call::refuse_seconds(1.0)));
                continue;
            }
            let ids: Vec<String> = self.queue.drain(..take).collect();
            let tasks: Vec<v1::TaskInfo> = ids
                .iter()
                .map(|id| crate::client_support::small_task(&offer, id))
                .collect();
            if self
                .framework
                .accept([offer.id.clone()], [call::launch(tasks)], None)
                .is_err()
            {
                for id in ids.into_iter().rev() {
                    if self.framework.task_state(&id).is_none() {
                        self.queue.push_front(id);
                    }
                }
            }
        }
    }

    /// Tries the kept offer after a re-subscription: refused locally.
    pub fn accept_kept_offer(&mut self, ctx: &Ctx) {
        let offer = self.kept_offer.take().expect("an offer was kept");
        let requests = ctx.current().requests_received();
        let task = crate::client_support::small_task(&offer, "never");
        match self
            .framework
            .accept([offer.id.clone()], [call::launch([task])], None)
        {
            Err(FrameworkError::StaleOffer(id)) => assert_eq!(id, offer.id),
            other => panic!("a stale offer was not refused: {other:?}"),
        }
        assert_eq!(
            ctx.current().requests_received(),
            requests,
            "nothing was sent for the stale offer"
        );
        assert_eq!(self.framework.task_state("never"), None);
    }

    /// Every counter of this framework and the ones it replaced, summed.
    pub fn absorbed(&self) -> u64 {
        self.earlier_stats
            .iter()
            .chain(std::iter::once(&self.framework.stats()))
            .map(|s| s.updates.duplicates + s.updates.stale + s.updates.repeats)
            .sum()
    }

    /// Checks the layer's promises and closes the framework.
    pub fn finish(&mut self, ctx: &Ctx) -> Row {
        assert!(
            self.early.is_empty(),
            "trouble before the fault: {:?}",
            self.early
        );
        assert!(self.done(ctx), "not over: {}", self.describe(ctx));
        assert!(self.injected_at.is_some(), "the fault was never injected");
        for (id, states) in &self.changes {
            let ends = states.iter().filter(|s| s.is_terminal()).count();
            assert!(ends <= 1, "{id} ended more than once: {states:?}");
            assert!(
                states.windows(2).all(|w| w[0] != w[1]),
                "{id}: a change handed over twice: {states:?}"
            );
        }
        for id in (0..TASKS).map(|i| format!("task-{i}")) {
            assert!(self.ended.contains_key(&id), "{id} never ended");
            assert_eq!(
                self.ends.get(&id),
                Some(&1),
                "{id} ended once over every process"
            );
        }
        let stats = self.framework.stats();
        self.framework.close();
        Row {
            fault: String::new(),
            encoding: self.encoding,
            seen: self.seen.clone(),
            recovery: self
                .recovered_at
                .zip(self.injected_at)
                .map(|(r, i)| r.duration_since(i)),
            framework_id: self
                .framework_id
                .as_ref()
                .map(|f| f.value.clone())
                .unwrap_or_default(),
            master: self.master.clone(),
            duplicates: self.absorbed(),
            updates: stats.updates.delivered as usize,
            finished: self
                .ended
                .values()
                .filter(|s| **s == TaskState::TASK_FINISHED)
                .count(),
            lost: self
                .ended
                .values()
                .filter(|s| **s != TaskState::TASK_FINISHED)
                .count(),
            notes: Vec::new(),
        }
    }
}
