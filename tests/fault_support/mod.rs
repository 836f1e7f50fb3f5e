//! The application side of the fault matrix: a small batch scheduler that
//! launches a fixed set of short tasks, acknowledges every update,
//! reconciles after each re-subscription, and records what the client told
//! it; plus the matrix's plumbing (parallel cells, memory sampling, the
//! documented table in docs/testing.md).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mesos_http::call;
use mesos_http::event::Event;
use mesos_http::v1::{self, TaskState, TaskStatus};
use mesos_http::{ConnectionState, Encoding, Events, Item, Scheduler, SchedulerBuilder};
use mesos_http_sim::{ScriptedTimeline, SimConfig, SimMaster};

pub mod framework;

/// Tasks in each cell's batch.
pub const TASKS: usize = 8;
/// How long a cell may take before it counts as stuck.
pub const CELL_PATIENCE: Duration = Duration::from_secs(30);

/// What the scripted agents' tasks do: start, run briefly, finish.
pub fn timeline() -> ScriptedTimeline {
    ScriptedTimeline::finish_after(Duration::from_millis(400))
}

/// When the application hands control to the cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Once, when tasks are running: inject the fault.
    Inject,
    /// After the fault, for each `Disconnected` item.
    Disconnected,
    /// After the fault, when the subscription ended for good.
    Terminated,
    /// After the fault, for each `Subscribed` item.
    Subscribed,
}

/// The masters a cell used; the last one is current. Old ones stay (their
/// acknowledgement counts still count).
pub struct Ctx {
    pub sims: Vec<SimMaster>,
}

impl Ctx {
    pub fn new(sims: Vec<SimMaster>) -> Self {
        Ctx { sims }
    }

    pub fn current(&self) -> &SimMaster {
        self.sims.last().expect("a master")
    }

    /// ACKNOWLEDGE calls for `uuid` at any master the cell used.
    fn acks(&self, uuid: &[u8]) -> u32 {
        self.sims
            .iter()
            .map(|s| s.with_state(|v| v.acks_received(uuid)))
            .sum()
    }
}

/// Starts a master on a port that was just in use.
pub fn start_on_port(config: SimConfig) -> SimMaster {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match SimMaster::start(config.clone()) {
            Ok(sim) => return sim,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("cannot restart on port {}: {e}", config.port),
        }
    }
}

/// The batch application.
pub struct App {
    name: String,
    encoding: Encoding,
    scheduler: Scheduler,
    events: Events,
    framework_id: Option<v1::FrameworkID>,
    master: String,
    queue: VecDeque<String>,
    launched: BTreeMap<String, v1::AgentID>,
    terminal: BTreeMap<String, TaskState>,
    uuids: BTreeSet<Vec<u8>>,
    duplicates: u64,
    running: BTreeSet<String>,
    /// Connection items after the fault, consecutive repeats folded.
    seen: Vec<String>,
    /// Connection trouble before the fault (must stay empty).
    early: Vec<String>,
    injected_at: Option<Instant>,
    recovered_at: Option<Instant>,
    held: Vec<TaskStatus>,
    hold_until: Option<Instant>,
    terminated: bool,
    /// A master stopped for good during the cell.
    master_lost: bool,
    /// Connection items tolerated before the fault.
    tolerated_early: Vec<&'static str>,
    /// The batch is not over before this connection item was seen.
    awaiting: Option<&'static str>,
}

impl App {
    pub fn new(builder: SchedulerBuilder, encoding: Encoding) -> App {
        let (scheduler, events) = builder.connect().expect("connect");
        App {
            name: String::new(),
            encoding,
            scheduler,
            events,
            framework_id: None,
            master: String::new(),
            queue: (0..TASKS).map(|i| format!("task-{i}")).collect(),
            launched: BTreeMap::new(),
            terminal: BTreeMap::new(),
            uuids: BTreeSet::new(),
            duplicates: 0,
            running: BTreeSet::new(),
            seen: Vec::new(),
            early: Vec::new(),
            injected_at: None,
            recovered_at: None,
            held: Vec::new(),
            hold_until: None,
            terminated: false,
            master_lost: false,
            tolerated_early: Vec::new(),
            awaiting: None,
        }
    }

    /// Replaces the client (after the old one ended for good), subscribing
    /// again with the framework id the first one was given.
    pub fn reconnect(&mut self, builder: SchedulerBuilder) {
        let mut info = crate::client_support::framework("fault-matrix");
        info.id = self.framework_id.clone();
        let (scheduler, events) = builder.framework(info).connect().expect("reconnect");
        self.scheduler = scheduler;
        self.events = events;
        self.terminated = false;
    }

    /// `master` stopped for good: updates it sent whose acknowledgement it
    /// never got can no longer be acknowledged anywhere (the next master
    /// knows nothing of them); reconciliation reports their tasks instead.
    pub fn master_gone(&mut self) {
        self.master_lost = true;
    }

    /// Updates still owed an acknowledgement: every one received, except,
    /// after a master was lost with its state, those the current master
    /// does not know (they died with the old one).
    fn unacknowledged(&self, ctx: &Ctx) -> Vec<Vec<u8>> {
        let known: BTreeSet<Vec<u8>> = ctx.current().with_state(|s| {
            s.unacknowledged_updates()
                .into_iter()
                .map(|u| u.uuid)
                .collect()
        });
        self.uuids
            .iter()
            .filter(|uuid| ctx.acks(uuid) == 0)
            .filter(|uuid| !self.master_lost || known.contains(*uuid))
            .cloned()
            .collect()
    }

    /// Keeps the batch going until this connection item was seen (for
    /// faults slower than the batch).
    pub fn await_item(&mut self, shape: &'static str) {
        self.awaiting = Some(shape);
    }

    /// Tolerates this connection item before the fault (a known issue).
    pub fn tolerate_early(&mut self, shape: &'static str) {
        self.tolerated_early.push(shape);
    }

    /// Stops reading events for `how_long` (the channel fills up).
    pub fn pause(&mut self, how_long: Duration) {
        thread::sleep(how_long);
    }

    /// Keeps every acknowledgement back for `how_long`.
    pub fn hold_acknowledgements(&mut self, how_long: Duration) {
        self.hold_until = Some(Instant::now() + how_long);
    }

    /// Whether a connection item with this shape was seen after the fault.
    pub fn saw(&self, shape: &str) -> bool {
        self.seen.iter().any(|s| s.contains(shape))
    }

    /// Adds a note to what the application saw.
    pub fn note(&mut self, text: &str) {
        self.seen.push(text.to_string());
    }

    /// Runs the batch to the end; `hook` injects and clears the fault.
    pub fn run(&mut self, ctx: &mut Ctx, mut hook: impl FnMut(Phase, &mut App, &mut Ctx)) {
        let deadline = Instant::now() + CELL_PATIENCE;
        loop {
            if self.done(ctx) {
                return;
            }
            assert!(Instant::now() < deadline, "stuck: {}", self.describe(ctx));
            if self.hold_until.is_some_and(|t| Instant::now() >= t) {
                self.hold_until = None;
                for status in std::mem::take(&mut self.held) {
                    let _ = self.scheduler.acknowledge(&status);
                }
            }
            if self.injected_at.is_none() && self.running.len() >= 2 {
                self.injected_at = Some(Instant::now());
                hook(Phase::Inject, self, ctx);
            }
            match self.events.recv_timeout(Duration::from_millis(10)) {
                Ok(item) => {
                    if let Some(phase) = self.on_item(item) {
                        hook(phase, self, ctx);
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    assert!(
                        self.terminated,
                        "the event channel closed without Terminated"
                    );
                    panic!(
                        "the subscription ended and nobody reconnected: {}",
                        self.describe(ctx)
                    );
                }
            }
        }
    }

    fn describe(&self, ctx: &Ctx) -> String {
        let pending = ctx.current().with_state(|s| s.unacknowledged_updates());
        format!(
            "{} launched, {} terminal {:?}, queue {:?}, seen {:?}, early {:?}, master pending {:?}",
            self.launched.len(),
            self.terminal.len(),
            self.terminal,
            self.queue,
            self.seen,
            self.early,
            pending
        )
    }

    fn done(&self, ctx: &Ctx) -> bool {
        if self.terminal.len() < TASKS || !self.held.is_empty() {
            return false;
        }
        if self.awaiting.is_some_and(|shape| !self.saw(shape)) {
            return false;
        }
        if !self.unacknowledged(ctx).is_empty() {
            return false;
        }
        let id = self.framework_id.as_ref().map(|f| f.value.clone());
        ctx.current().with_state(|s| {
            !s.unacknowledged_updates()
                .iter()
                .any(|u| Some(&u.framework_id) == id.as_ref())
        })
    }

    fn record(&mut self, shape: String) {
        if self.injected_at.is_none() {
            if !self.tolerated_early.iter().any(|t| shape == *t) {
                self.early.push(shape);
            }
        } else if self.seen.last() != Some(&shape) {
            self.seen.push(shape);
        }
    }

    fn on_item(&mut self, item: Item) -> Option<Phase> {
        match item {
            Item::Connection(ConnectionState::Subscribed {
                framework_id,
                master,
                ..
            }) => {
                if let Some(known) = &self.framework_id {
                    assert_eq!(known, &framework_id, "re-subscribed with its framework id");
                }
                self.framework_id = Some(framework_id);
                self.master = master;
                self.reconcile();
                if self.injected_at.is_some() {
                    self.record("Subscribed".into());
                    // Recovery ends with the last re-subscription.
                    self.recovered_at = Some(Instant::now());
                    return Some(Phase::Subscribed);
                }
                None
            }
            Item::Connection(ConnectionState::Disconnected(why)) => {
                self.record(shape(&format!("Disconnected({why:?})")));
                self.injected_at.map(|_| Phase::Disconnected)
            }
            Item::Connection(ConnectionState::Terminated(why)) => {
                self.terminated = true;
                self.record(shape(&format!("Terminated({why:?})")));
                self.injected_at.map(|_| Phase::Terminated)
            }
            Item::Connection(_) => None,
            Item::Undecodable { .. } => {
                self.record("Undecodable".into());
                None
            }
            Item::Event(received) => {
                match received.into_event() {
                    Event::Offers(offers) => self.on_offers(offers.offers),
                    Event::Update(update) => self.on_update(update.status),
                    _ => {}
                }
                None
            }
        }
    }

    /// Asks for the state of every launched task that has not ended: after
    /// a master lost its state, this is how the application learns that
    /// they are gone.
    fn reconcile(&self) {
        let open: Vec<(v1::TaskID, Option<v1::AgentID>)> = self
            .launched
            .iter()
            .filter(|(id, _)| !self.terminal.contains_key(*id))
            .map(|(id, agent)| (v1::TaskID { value: id.clone() }, Some(agent.clone())))
            .collect();
        if !open.is_empty() {
            let _ = self.scheduler.reconcile(open);
        }
    }

    fn on_offers(&mut self, offers: Vec<v1::Offer>) {
        for offer in offers {
            let take = self.queue.len().min(2);
            if take == 0 {
                let _ = self
                    .scheduler
                    .decline([offer.id.clone()], Some(call::refuse_seconds(1.0)));
                continue;
            }
            let ids: Vec<String> = self.queue.drain(..take).collect();
            let tasks: Vec<v1::TaskInfo> = ids
                .iter()
                .map(|id| crate::client_support::small_task(&offer, id))
                .collect();
            match self
                .scheduler
                .accept([offer.id.clone()], [call::launch(tasks)], None)
            {
                Ok(()) => {
                    for id in ids {
                        self.launched.insert(id, offer.agent_id.clone());
                    }
                }
                Err(_) => {
                    for id in ids.into_iter().rev() {
                        self.queue.push_front(id);
                    }
                }
            }
        }
    }

    fn on_update(&mut self, status: TaskStatus) {
        if let Some(uuid) = &status.uuid {
            if !self.uuids.insert(uuid.clone()) {
                self.duplicates += 1;
            }
        }
        let id = status.task_id.value.clone();
        if status.state == TaskState::TASK_RUNNING {
            self.running.insert(id.clone());
        }
        // TASK_UNKNOWN answers a reconciliation for a task the master has
        // never heard of: for the batch, it is over.
        if status.state.is_terminal() || status.state == TaskState::TASK_UNKNOWN {
            self.terminal.entry(id).or_insert(status.state);
        }
        if self.hold_until.is_some() {
            self.held.push(status);
        } else {
            if let Err(e) = self.scheduler.acknowledge(&status) {
                if std::env::var_os("FM_DEBUG").is_some() {
                    eprintln!("ack failed: {e:?}");
                }
            }
        }
    }

    /// Checks the end state and closes the client.
    pub fn finish(&mut self, ctx: &Ctx) -> Row {
        assert!(
            self.early.is_empty(),
            "connection trouble before the fault: {:?}",
            self.early
        );
        assert!(self.injected_at.is_some(), "the fault was never injected");
        for id in (0..TASKS).map(|i| format!("task-{i}")) {
            assert!(self.terminal.contains_key(&id), "{id} never ended");
        }
        let owed = self.unacknowledged(ctx);
        assert!(owed.is_empty(), "updates never acknowledged: {owed:02x?}");
        self.scheduler.close();
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
            duplicates: self.duplicates,
            updates: self.uuids.len(),
            finished: self
                .terminal
                .values()
                .filter(|s| **s == TaskState::TASK_FINISHED)
                .count(),
            lost: self
                .terminal
                .values()
                .filter(|s| **s != TaskState::TASK_FINISHED)
                .count(),
            notes: Vec::new(),
        }
    }
}

/// The leading identifiers of a `Debug` text: `Disconnected(Failed(
/// Unavailable { body: ".." }))` → `Disconnected(Failed(Unavailable))`,
/// `Disconnected(HeartbeatTimeout(150ms))` → `Disconnected(HeartbeatTimeout)`.
pub fn shape(debug: &str) -> String {
    let mut names = Vec::new();
    let mut rest = debug;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 || !rest.starts_with(|c: char| c.is_ascii_uppercase()) {
            break;
        }
        names.push(&rest[..end]);
        rest = &rest[end..];
        match rest.strip_prefix('(') {
            Some(inner) => rest = inner,
            None => break,
        }
    }
    let mut out = names.join("(");
    out.push_str(&")".repeat(names.len().saturating_sub(1)));
    out
}

/// One cell's result.
#[derive(Debug)]
pub struct Row {
    pub fault: String,
    pub encoding: Encoding,
    pub seen: Vec<String>,
    pub recovery: Option<Duration>,
    pub framework_id: String,
    pub master: String,
    pub duplicates: u64,
    pub updates: usize,
    pub finished: usize,
    pub lost: usize,
    pub notes: Vec<String>,
}

impl Row {
    /// Checks that the application saw these connection items in this
    /// order (each a prefix of a seen shape); an empty list means it saw no
    /// disconnection at all.
    pub fn expect(self, shapes: &[&str]) -> Row {
        if shapes.is_empty() {
            assert!(
                !self
                    .seen
                    .iter()
                    .any(|s| s.starts_with("Disconnected") || s.starts_with("Terminated")),
                "expected no disconnection, saw {:?}",
                self.seen
            );
            return self;
        }
        let mut next = 0;
        for seen in &self.seen {
            if next < shapes.len() && seen.starts_with(shapes[next]) {
                next += 1;
            }
        }
        assert_eq!(
            next,
            shapes.len(),
            "expected {shapes:?} in order, saw {:?}",
            self.seen
        );
        self
    }

    /// Adds what the cell established besides the connection items.
    pub fn note(mut self, text: &str) -> Row {
        self.notes.push(text.to_string());
        self
    }

    fn result(&self) -> String {
        let seen = if self.seen.is_empty() {
            "no disconnection".to_string()
        } else {
            self.seen
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        let outcome = if self.lost > 0 {
            "tasks the lost master ran reconciled as `TASK_LOST`, the others finished"
        } else {
            "all finished"
        };
        let notes: String = self.notes.iter().map(|n| format!("; {n}")).collect();
        format!("{seen}{notes}; {TASKS}/{TASKS} tasks ended ({outcome}), every update acknowledged")
    }

    fn recovery_text(&self) -> String {
        match self.recovery {
            Some(d) => format!("{:.2} s", d.as_secs_f64()),
            None => "—".to_string(),
        }
    }
}

/// Runs `f` over `jobs` on `workers` threads; every job runs even when
/// others fail, then all failures are reported together.
pub fn run_in_parallel<J: Sync, R: Send>(
    jobs: &[J],
    workers: usize,
    f: impl Fn(&J) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, String>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(index) else { break };
                let result = catch_unwind(AssertUnwindSafe(|| f(job))).map_err(|panic| {
                    panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                });
                results.lock().unwrap()[index] = Some(result);
            });
        }
    });
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (index, result) in results.into_inner().unwrap().into_iter().enumerate() {
        match result.expect("every job ran") {
            Ok(row) => rows.push(row),
            Err(message) => failures.push(format!("job {index}: {message}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    rows
}

/// Resident memory of this process, sampled every few milliseconds.
pub struct MemorySampler {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<Peak>,
}

/// The baseline and the highest resident size seen.
#[derive(Debug, Clone, Copy)]
pub struct Peak {
    pub baseline: u64,
    pub peak: u64,
}

impl Peak {
    pub fn growth_bytes(&self) -> u64 {
        self.peak.saturating_sub(self.baseline)
    }
}

/// `VmRSS` of this process in bytes.
pub fn resident_bytes() -> u64 {
    status_field("VmRSS:")
}

/// A `kB` field of `/proc/self/status`, in bytes.
pub fn status_field(name: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

impl MemorySampler {
    pub fn start() -> MemorySampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let baseline = resident_bytes();
        let thread = thread::spawn(move || {
            let mut peak = baseline;
            while !flag.load(Ordering::SeqCst) {
                peak = peak.max(resident_bytes());
                thread::sleep(Duration::from_millis(5));
            }
            Peak { baseline, peak }
        });
        MemorySampler { stop, thread }
    }

    pub fn stop(self) -> Peak {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("sampler")
    }
}

const TABLE_START: &str = "<!-- fault-matrix:start -->";
const TABLE_END: &str = "<!-- fault-matrix:end -->";

pub fn render_table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("| fault | encoding | what the application saw | recovery |\n");
    out.push_str("|---|---|---|---:|\n");
    for row in rows {
        let encoding = match row.encoding {
            Encoding::Json => "JSON",
            Encoding::Protobuf => "protobuf",
        };
        let _ = writeln!(
            out,
            "| {} | {encoding} | {} | {} |",
            row.fault,
            row.result(),
            row.recovery_text()
        );
    }
    out
}

/// Writes a test's output under the target directory.
pub fn write_output(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Every column but the last (the measured time).
fn without_times(table: &str) -> Vec<String> {
    table
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
            cells[..cells.len().saturating_sub(1)].join(" | ")
        })
        .collect()
}

/// The documented table (docs/testing.md, "Fault matrix") must be this one
/// (times aside); with `MESOS_HTTP_BLESS=1` that file is rewritten instead.
pub fn compare_with_documented_table(table: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/testing.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (Some(start), Some(end)) = (doc.find(TABLE_START), doc.find(TABLE_END)) else {
        panic!("docs/testing.md has no {TABLE_START} ... {TABLE_END} section");
    };
    let current = &doc[start + TABLE_START.len()..end];
    if std::env::var_os("MESOS_HTTP_BLESS").is_some() {
        let updated = format!("{}{TABLE_START}\n{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        without_times(current.trim()),
        without_times(table.trim()),
        "docs/testing.md's fault matrix is stale: run MESOS_HTTP_BLESS=1 cargo test --all-features --test fault_matrix"
    );
}
