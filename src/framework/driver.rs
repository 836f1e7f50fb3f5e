//! [`Framework`]: the loop that turns the scheduler's items into what the
//! application acts on — one item per real task state change, unknown
//! tasks, offers valid on the current subscription — while reconciling on
//! its own between items.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::builder::FrameworkBuilder;
use super::items::{FrameworkEnd, FrameworkError, FrameworkItem, TaskChange};
use super::reconcile::{ReconcileSettings, Reconciler};
use super::stats::{AckGuard, AckMeter, Counters, FrameworkStats, ReconcileCounts};
use super::store::{FrameworkStore, TaskRecord};
use super::tracker::{TaskTable, Verdict};

use crate::error::Error;
use crate::event::Event;
use crate::scheduler::{Events, Scheduler, SchedulerBuilder};
use crate::v1::offer::operation::Type as OperationType;
use crate::v1::{self, AgentID, FrameworkID, FrameworkInfo, OfferID, TaskID};
use crate::{ConnectionState, Item, Received};

/// A scheduler with a durable framework id, automatic reconciliation and
/// exactly-once task state changes. Owned by the thread that runs the
/// loop: iterate (`while let Some(item) = framework.next()`) (or the `select!`-friendly
/// [`Framework::receiver`], [`Framework::handle`], [`Framework::deadline`]
/// and [`Framework::tick`]) and act on the items; the other methods send
/// calls. [`Framework::scheduler`] is the underlying handle, for calls this
/// layer does not wrap and for other threads.
pub struct Framework {
    scheduler: Scheduler,
    events: Events,
    store: Option<Box<dyn FrameworkStore>>,
    /// The id this framework must keep (from the store, the given
    /// FrameworkInfo, or the first SUBSCRIBED).
    expected_id: Option<FrameworkID>,
    /// Whether a failover timeout is set (a changed id is then a loss).
    failover: bool,
    table: TaskTable,
    reconciler: Reconciler,
    /// Offers outstanding on the current subscription.
    offers: HashSet<String>,
    counters: Counters,
    meter: Arc<AckMeter>,
    restored: Vec<TaskRecord>,
    /// The terminal item was handed over: nothing follows.
    ended: bool,
}

impl std::fmt::Debug for Framework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framework")
            .field("scheduler", &self.scheduler)
            .field("tasks", &self.table.len())
            .field("offers", &self.offers.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Framework {
    /// Starts configuring a framework: `scheduler` carries the connection
    /// settings (its FrameworkInfo, if any, is replaced by `info`).
    pub fn builder(scheduler: SchedulerBuilder, info: FrameworkInfo) -> FrameworkBuilder {
        FrameworkBuilder::new(scheduler, info)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        scheduler: Scheduler,
        events: Events,
        store: Option<Box<dyn FrameworkStore>>,
        restored: Vec<TaskRecord>,
        expected_id: Option<FrameworkID>,
        failover: bool,
        settings: ReconcileSettings,
        forget_after: Duration,
    ) -> Self {
        let now = Instant::now();
        let mut table = TaskTable::new(forget_after);
        for record in &restored {
            table.restore(&record.task_id, record.agent_id.clone(), record.ended, now);
        }
        Framework {
            scheduler,
            events,
            store,
            expected_id,
            failover,
            table,
            reconciler: Reconciler::new(settings),
            offers: HashSet::new(),
            counters: Counters::default(),
            meter: Arc::new(AckMeter::default()),
            restored,
            ended: false,
        }
    }

    /// The scheduler handle (clone it for other threads).
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// What the store held when the framework started: tasks a previous run
    /// launched (or was about to), with the end of those whose end it was
    /// handed. The ones not ended are being reconciled.
    pub fn restored(&self) -> &[TaskRecord] {
        &self.restored
    }

    /// The next item within `timeout`; reconciles while it waits.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<FrameworkItem, RecvTimeoutError> {
        let end = Instant::now() + timeout;
        loop {
            if self.ended {
                return Err(RecvTimeoutError::Disconnected);
            }
            self.tick();
            let until = self.deadline().map_or(end, |d| d.min(end));
            match self.events.recv_deadline(until) {
                Ok(item) => {
                    if let Some(item) = self.handle(item) {
                        return Ok(item);
                    }
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() < end => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// The scheduler's item channel, for `select!`: pass what it yields to
    /// [`Framework::handle`], and call [`Framework::tick`] at
    /// [`Framework::deadline`].
    pub fn receiver(&self) -> &Receiver<Item> {
        self.events.receiver()
    }

    /// When [`Framework::tick`] has something to do next (`None`: nothing
    /// scheduled).
    pub fn deadline(&self) -> Option<Instant> {
        [self.reconciler.deadline(), self.table.next_forget()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Sends what reconciliation has due and forgets ended tasks past their
    /// grace period. Cheap when nothing is due.
    pub fn tick(&mut self) {
        let now = Instant::now();
        if self.deadline().is_none_or(|d| d > now) {
            return;
        }
        self.table.forget_ended(now);
        let table = &self.table;
        let asks = self.reconciler.due(now, |id| {
            table
                .get(&id.value)
                .filter(|t| t.state.is_none())
                .map(|t| t.agent_id.clone())
        });
        if !asks.explicit.is_empty() {
            let count = asks.explicit.len() as u64;
            let result = self.scheduler.reconcile(asks.explicit);
            if let Err(err) = &result {
                log::info!(
                    "explicit reconciliation of {count} task(s) failed ({err}); asked again later"
                );
            }
            self.counters.call("RECONCILE", result.is_ok());
            self.counters.stats.reconciliation.explicit_calls += 1;
            self.counters.stats.reconciliation.tasks_asked += count;
        }
        if asks.implicit {
            let result = self.scheduler.reconcile(Vec::new());
            if let Err(err) = &result {
                log::info!("implicit reconciliation failed: {err}");
            }
            self.counters.call("RECONCILE", result.is_ok());
            self.counters.stats.reconciliation.implicit_calls += 1;
        }
    }

    /// Takes one item from the scheduler's channel; returns what the
    /// application should see of it (absorbed items give `None`).
    pub fn handle(&mut self, item: Item) -> Option<FrameworkItem> {
        if self.ended {
            return None;
        }
        match item {
            Item::Connection(ConnectionState::Subscribed {
                master,
                framework_id,
                ..
            }) => self.on_subscribed(master, framework_id),
            Item::Connection(ConnectionState::Terminated(why)) => {
                self.ended = true;
                Some(FrameworkItem::Terminated(FrameworkEnd::Subscription(why)))
            }
            Item::Connection(ConnectionState::Disconnected(why)) => {
                self.counters.disconnect(&why);
                self.reconciler.disconnected();
                Some(FrameworkItem::Connection(ConnectionState::Disconnected(
                    why,
                )))
            }
            Item::Connection(other) => Some(FrameworkItem::Connection(other)),
            Item::Event(received) => self.on_event(received),
            other => Some(FrameworkItem::Other(other)),
        }
    }

    fn on_subscribed(
        &mut self,
        master: String,
        framework_id: FrameworkID,
    ) -> Option<FrameworkItem> {
        self.counters.stats.subscriptions += 1;
        let resumed = self.expected_id.is_some();
        match &self.expected_id {
            Some(expected) if *expected != framework_id && self.failover => {
                log::error!(
                    "framework {} is lost: the master assigned {}",
                    expected.value,
                    framework_id.value
                );
                let end = FrameworkEnd::FrameworkLost {
                    stored: expected.clone(),
                    assigned: framework_id,
                };
                return Some(self.end(end));
            }
            Some(_) => {}
            None => {
                if let Some(store) = &mut self.store {
                    if let Err(err) = store.save_framework_id(&framework_id) {
                        log::error!("cannot store framework id {}: {err}", framework_id.value);
                        return Some(self.end(FrameworkEnd::Store(err)));
                    }
                }
            }
        }
        self.expected_id = Some(framework_id.clone());
        // Offers of the previous subscription are void.
        self.offers.clear();
        self.reconciler
            .subscribed(self.table.open_tasks(), Instant::now());
        Some(FrameworkItem::Subscribed {
            framework_id,
            master,
            resumed,
        })
    }

    fn end(&mut self, end: FrameworkEnd) -> FrameworkItem {
        self.ended = true;
        self.scheduler.close();
        FrameworkItem::Terminated(end)
    }

    fn on_event(&mut self, received: Received) -> Option<FrameworkItem> {
        self.counters.event(&received);
        match &*received {
            Event::Offers(_) => {
                let Event::Offers(offers) = received.into_event() else {
                    unreachable!("matched above")
                };
                for offer in &offers.offers {
                    self.offers.insert(offer.id.value.clone());
                }
                Some(FrameworkItem::Offers(offers.offers))
            }
            Event::Rescind(rescind) => {
                let offer_id = rescind.offer_id.clone();
                self.offers.remove(&offer_id.value);
                Some(FrameworkItem::Rescinded(offer_id))
            }
            Event::Update(update) => {
                let status = update.status.clone();
                self.on_update(status, received)
            }
            // SUBSCRIBED came as a connection state; heartbeats only count.
            Event::Subscribed(_) | Event::Heartbeat => None,
            _ => Some(FrameworkItem::Event(received)),
        }
    }

    fn on_update(&mut self, status: v1::TaskStatus, received: Received) -> Option<FrameworkItem> {
        let now = Instant::now();
        let verdict = self.table.observe(&status, now);
        self.reconciler.heard_from(&status.task_id.value);
        let updates = &mut self.counters.stats.updates;
        match verdict {
            Verdict::Changed { previous } => {
                updates.delivered += 1;
                if status.state.is_terminal() {
                    if let Some(store) = &mut self.store {
                        if let Err(err) = store.record_end(&status.task_id, status.state) {
                            log::error!(
                                "cannot store the end of task {}: {err}",
                                status.task_id.value
                            );
                        }
                    }
                }
                let ack = AckGuard::hold(received, &self.meter, now);
                Some(FrameworkItem::Task(TaskChange {
                    status,
                    previous,
                    ack,
                }))
            }
            Verdict::Unknown => {
                updates.unknown += 1;
                let ack = AckGuard::hold(received, &self.meter, now);
                Some(FrameworkItem::UnknownTask(TaskChange {
                    status,
                    previous: None,
                    ack,
                }))
            }
            absorbed => {
                match absorbed {
                    Verdict::Duplicate => updates.duplicates += 1,
                    Verdict::Stale => updates.stale += 1,
                    _ => updates.repeats += 1,
                }
                log::debug!(
                    "absorbed {absorbed:?} update of task {}: {:?}",
                    status.task_id.value,
                    status.state
                );
                AckGuard::release(received, &self.meter, now);
                None
            }
        }
    }

    /// ACCEPT: uses offers of the current subscription. The tasks of LAUNCH
    /// and LAUNCH_GROUP operations are recorded in the store before the
    /// call goes out and tracked from then on. An offer that is not
    /// outstanding (from before a re-subscription, rescinded, already used)
    /// fails with [`FrameworkError::StaleOffer`] without a request. When the
    /// call fails in a way that means nothing was launched (not subscribed,
    /// invalid, refused), the launches are forgotten again; after a network
    /// failure they stay tracked (the master may have them) and
    /// reconciliation finds out.
    pub fn accept(
        &mut self,
        offer_ids: impl IntoIterator<Item = OfferID>,
        operations: impl IntoIterator<Item = v1::offer::Operation>,
        filters: Option<v1::Filters>,
    ) -> Result<(), FrameworkError> {
        let offer_ids: Vec<OfferID> = offer_ids.into_iter().collect();
        if let Some(stale) = offer_ids.iter().find(|id| !self.offers.contains(&id.value)) {
            self.counters.refused("ACCEPT");
            return Err(FrameworkError::StaleOffer(stale.clone()));
        }
        let operations: Vec<v1::offer::Operation> = operations.into_iter().collect();
        let launches: Vec<TaskRecord> = operations
            .iter()
            .flat_map(launched_tasks)
            .map(|task| TaskRecord::launching(task.task_id.clone(), Some(task.agent_id.clone())))
            .collect();
        self.record_launches(&launches)?;
        for id in &offer_ids {
            self.offers.remove(&id.value);
        }
        let result = self.scheduler.accept(offer_ids, operations, filters);
        self.counters.call("ACCEPT", result.is_ok());
        if let Err(err) = result {
            if nothing_sent(&err) {
                self.unrecord_launches(&launches);
            }
            return Err(err.into());
        }
        Ok(())
    }

    /// DECLINE: returns offers. Offers that are no longer outstanding are
    /// left out (declining them would mean nothing); no request at all when
    /// none is.
    pub fn decline(
        &mut self,
        offer_ids: impl IntoIterator<Item = OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), FrameworkError> {
        let offer_ids: Vec<OfferID> = offer_ids
            .into_iter()
            .filter(|id| self.offers.remove(&id.value))
            .collect();
        if offer_ids.is_empty() {
            return Ok(());
        }
        let result = self.scheduler.decline(offer_ids, filters);
        self.counters.call("DECLINE", result.is_ok());
        result.map_err(Into::into)
    }

    /// Tracks (and records in the store) a task launched some other way, or
    /// adopts an unknown one.
    pub fn track_launch(
        &mut self,
        task_id: TaskID,
        agent_id: Option<AgentID>,
    ) -> Result<(), FrameworkError> {
        self.record_launches(&[TaskRecord::launching(task_id, agent_id)])
    }

    /// KILL: kills a task; the agent is the tracked one when not given.
    pub fn kill(
        &mut self,
        task_id: TaskID,
        agent_id: Option<AgentID>,
    ) -> Result<(), FrameworkError> {
        let agent_id = agent_id.or_else(|| {
            self.table
                .get(&task_id.value)
                .and_then(|t| t.agent_id.clone())
        });
        let result = self.scheduler.kill(task_id, agent_id, None);
        self.counters.call("KILL", result.is_ok());
        result.map_err(Into::into)
    }

    /// TEARDOWN: removes the framework and kills its tasks; on success the
    /// store is cleared (the next run registers a new framework).
    pub fn teardown(&mut self) -> Result<(), FrameworkError> {
        let result = self.scheduler.teardown();
        self.counters.call("TEARDOWN", result.is_ok());
        result?;
        if let Some(store) = &mut self.store {
            store.clear()?;
        }
        Ok(())
    }

    /// Drops the store's records of these tasks (ended tasks whose outcome
    /// the application has kept elsewhere).
    pub fn forget(&mut self, task_ids: &[TaskID]) -> Result<(), FrameworkError> {
        if let Some(store) = &mut self.store {
            store.forget(task_ids)?;
        }
        Ok(())
    }

    /// The latest state handed over for a tracked task (`Some(None)`:
    /// launched, no update yet; `None`: not tracked).
    pub fn task_state(&self, task_id: &str) -> Option<Option<v1::TaskState>> {
        self.table.get(task_id).map(|t| t.state)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> FrameworkStats {
        let mut stats = self.counters.stats.clone();
        stats.acks = self.meter.snapshot();
        stats.channel_depth = self.events.len();
        stats.tasks = self.table.counts();
        stats.reconciliation = ReconcileCounts {
            rounds_started: self.reconciler.rounds_started,
            rounds_completed: self.reconciler.rounds_completed,
            in_round: self.reconciler.in_round(),
            ..stats.reconciliation
        };
        stats
    }

    /// Closes the scheduler (see [`Scheduler::close`]): the framework stays
    /// registered until its failover timeout, and the store keeps its id.
    pub fn close(&self) {
        self.scheduler.close();
    }

    fn record_launches(&mut self, launches: &[TaskRecord]) -> Result<(), FrameworkError> {
        if launches.is_empty() {
            return Ok(());
        }
        if let Some(store) = &mut self.store {
            store.record_launches(launches)?;
        }
        let now = Instant::now();
        for record in launches {
            self.table.launch(&record.task_id, record.agent_id.clone());
            self.reconciler.launched(record.task_id.clone(), now);
        }
        Ok(())
    }

    fn unrecord_launches(&mut self, launches: &[TaskRecord]) {
        let ids: Vec<TaskID> = launches.iter().map(|t| t.task_id.clone()).collect();
        for id in &ids {
            self.table.untrack(id);
        }
        if let Some(store) = &mut self.store {
            if let Err(err) = store.forget(&ids) {
                log::warn!("cannot forget launches that were not sent: {err}");
            }
        }
    }
}

/// The tasks a LAUNCH or LAUNCH_GROUP operation starts.
fn launched_tasks(op: &v1::offer::Operation) -> Vec<&v1::TaskInfo> {
    match op.r#type {
        Some(OperationType::LAUNCH) => op
            .launch
            .as_ref()
            .map(|l| l.task_infos.iter().collect())
            .unwrap_or_default(),
        Some(OperationType::LAUNCH_GROUP) => op
            .launch_group
            .as_ref()
            .map(|g| g.task_group.tasks.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Whether a failed call certainly launched nothing (it was not sent, or
/// the master refused it whole).
fn nothing_sent(err: &Error) -> bool {
    matches!(
        err,
        Error::NotSubscribed
            | Error::Closed
            | Error::Invalid(_)
            | Error::Rejected { .. }
            | Error::Unauthorized { .. }
            | Error::Config(_)
    )
}

/// The items, blocking; reconciles while it waits. Ends after the
/// terminal item (or when the channel closes). Use `while let Some(item) =
/// framework.next()` to keep calling the framework's methods in the loop.
impl Iterator for Framework {
    type Item = FrameworkItem;

    fn next(&mut self) -> Option<FrameworkItem> {
        loop {
            match self.next_timeout(Duration::from_secs(3600)) {
                Ok(item) => return Some(item),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}
