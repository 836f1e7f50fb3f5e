//! [`FrameworkBuilder`]: a [`SchedulerBuilder`] plus what the framework
//! layer needs — the FrameworkInfo (its id comes from the store), the store,
//! and the reconciliation pace.

use std::path::PathBuf;
use std::time::Duration;

use super::driver::Framework;
use super::file_store::FileStore;
use super::items::FrameworkError;
use super::reconcile::ReconcileSettings;
use super::store::{FrameworkStore, StoredFramework};
use crate::scheduler::SchedulerBuilder;
use crate::v1::FrameworkInfo;

/// Builds a [`Framework`]; start with [`Framework::builder`].
pub struct FrameworkBuilder {
    scheduler: SchedulerBuilder,
    info: FrameworkInfo,
    store: Option<Box<dyn FrameworkStore>>,
    settings: ReconcileSettings,
    forget_after: Duration,
}

impl std::fmt::Debug for FrameworkBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameworkBuilder")
            .field("scheduler", &self.scheduler)
            .field("framework", &self.info.name)
            .field("store", &self.store.is_some())
            .field("settings", &self.settings)
            .field("forget_after", &self.forget_after)
            .finish()
    }
}

impl FrameworkBuilder {
    pub(crate) fn new(scheduler: SchedulerBuilder, info: FrameworkInfo) -> Self {
        FrameworkBuilder {
            scheduler,
            info,
            store: None,
            settings: ReconcileSettings::default(),
            forget_after: Duration::from_secs(10 * 60),
        }
    }

    /// Keeps the framework id and launch intents in `store`. Requires a
    /// `failover_timeout` in the FrameworkInfo: with the default of 0 the
    /// master removes the framework (and kills its tasks) on the first
    /// disconnection, and a stored id would only ever name a dead framework.
    pub fn store(mut self, store: impl FrameworkStore + 'static) -> Self {
        self.store = Some(Box::new(store));
        self
    }

    /// [`FrameworkBuilder::store`] with a [`FileStore`] in `dir`.
    pub fn state_dir(self, dir: impl Into<PathBuf>) -> Self {
        self.store(FileStore::new(dir))
    }

    /// Backoff of explicit reconciliation within a round: first wait
    /// `initial` (default 5 s), doubling up to `max` (default 120 s).
    pub fn reconcile_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.initial_backoff = initial;
        self.settings.max_backoff = max.max(initial);
        self
    }

    /// Period of implicit reconciliation, which reports tasks the framework
    /// does not know (default 15 min; `None`: never).
    pub fn implicit_reconciliation(mut self, every: Option<Duration>) -> Self {
        self.settings.implicit_every = every;
        self
    }

    /// A task with no update this long after its launch is reconciled
    /// explicitly, and again each period while it stays silent (default
    /// 60 s).
    pub fn launch_watchdog(mut self, after: Duration) -> Self {
        self.settings.launch_watchdog = after;
        self
    }

    /// How long an ended task is remembered, to absorb late copies of its
    /// updates (default 10 min). Afterwards an update for it is reported as
    /// an unknown task.
    pub fn forget_ended_after(mut self, grace: Duration) -> Self {
        self.forget_after = grace;
        self
    }

    /// Loads the store, puts its framework id into the FrameworkInfo and
    /// connects (with automatic acknowledgement: the framework layer
    /// decides when each update is acknowledged). Returns at once, like
    /// [`SchedulerBuilder::connect`].
    pub fn connect(self) -> Result<Framework, FrameworkError> {
        let mut info = self.info;
        let mut store = self.store;
        let stored = match &mut store {
            Some(store) => {
                let failover = info
                    .failover_timeout
                    .is_some_and(|t| t.is_finite() && t > 0.0);
                if !failover {
                    return Err(FrameworkError::Config(
                        "a framework store needs FrameworkInfo.failover_timeout > 0: with the default of 0 the master removes the framework and kills its tasks on the first disconnection".into(),
                    ));
                }
                store.load()?
            }
            None => StoredFramework::default(),
        };
        let given = info.id.clone().filter(|id| !id.value.is_empty());
        let expected = match (given, stored.framework_id.clone()) {
            (Some(given), Some(stored)) if given != stored => {
                return Err(FrameworkError::Config(format!(
                    "FrameworkInfo.id {} differs from the stored framework id {}",
                    given.value, stored.value
                )))
            }
            (given, stored) => given.or(stored),
        };
        info.id.clone_from(&expected);
        let failover = info.failover_timeout.is_some_and(|t| t > 0.0);
        let (scheduler, events) = self
            .scheduler
            .framework(info)
            .auto_acknowledge(true)
            .connect()?;
        Ok(Framework::start(
            scheduler,
            events,
            store,
            stored.tasks,
            expected,
            failover,
            self.settings,
            self.forget_after,
        ))
    }
}
