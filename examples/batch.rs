//! Runs many copies of a command across the offers of many agents, packing
//! as many tasks into each offer as its resources allow.
//!
//! ```text
//! cargo run --example batch -- --tasks 20 --command 'echo $MESOS_TASK_ID' --resources 'cpus:0.5;mem:64'
//! ```
//!
//! Without `--master` it starts an embedded simulated master with three
//! local agents (`--agents N`) and optionally scripted ones
//! (`--scripted-agents N`, whose tasks finish after a short pretend run).
//! A live line shows queued/running/finished/failed; a summary follows.
//! Exit status: 0 when every task finished, 1 otherwise, 130 after Ctrl-C,
//! 2 for bad arguments.
//!
//! With `--state-dir DIR` the framework id and every launch (recorded
//! before its ACCEPT goes out) are kept in DIR: killed at any point and
//! started again with the same DIR, the batch resumes the same framework,
//! reconciles the tasks it had launched, launches none of them twice and
//! finishes the rest. `--metrics` prints the framework's counters in the
//! Prometheus text format at the end.

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, Receiver};
use mesos_http::call;
use mesos_http::framework::{Framework, FrameworkEnd, FrameworkError, FrameworkItem, TaskChange};
use mesos_http::resources::Resources;
use mesos_http::v1::{self, TaskState};
use mesos_http::{ConnectionState, Event, Termination};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimMaster};

use common::cli::Flags;
use common::cluster::ClusterOptions;
use common::interrupt::interrupt_channel;
use common::progress::{Counts, Progress};
use common::report::status_line;
use common::tasks::{command_task, for_offer};

const USAGE: &str = "\
usage: batch [--tasks N] [--command CMD] [--resources TEXT] [flags]

Runs N copies of CMD (with sh -c) as Mesos tasks, several per offer.

Batch:
  --tasks N               how many tasks (default 10)
  --command CMD           the shell command of each task
                          (default 'echo task $MESOS_TASK_ID')
  --resources TEXT        what each task needs, in Mesos syntax
                          (default 'cpus:0.5;mem:64')
  --agents N              embedded master only: local agents running real
                          processes (default 3; each has cpus:2;mem:2048)
  --scripted-agents N     embedded master only: agents whose tasks pretend
                          to run for a moment, then finish (default 0)
  --state-dir DIR         keep the framework id and the launches in DIR and
                          resume from it (failover timeout: 1 day unless
                          --failover-timeout says otherwise)
  --metrics               print the framework's counters (Prometheus text
                          format) at the end";

/// Offers that cannot take a task come back after this long (or sooner,
/// once tasks on that agent end and free more resources).
const UNFIT_REFUSE_SECONDS: f64 = 5.0;
/// Once every task is launched, offers stay away this long.
const DONE_REFUSE_SECONDS: f64 = 3600.0;
/// How long to wait for the master to confirm TEARDOWN.
const TEARDOWN_PATIENCE: Duration = Duration::from_secs(10);

struct Options {
    cluster: ClusterOptions,
    tasks: usize,
    command: String,
    resources: Resources,
    local_agents: usize,
    scripted_agents: usize,
    state_dir: Option<std::path::PathBuf>,
    metrics: bool,
}

/// The failover timeout with a state dir, unless given: a day to come back.
const STATE_DIR_FAILOVER_SECONDS: f64 = 24.0 * 3600.0;

fn parse_options() -> Result<Option<Options>, String> {
    let mut options = Options {
        cluster: ClusterOptions::new("batch"),
        tasks: 10,
        command: "echo task $MESOS_TASK_ID".to_string(),
        resources: Resources::new(),
        local_agents: 3,
        scripted_agents: 0,
        state_dir: None,
        metrics: false,
    };
    let mut resources_text = "cpus:0.5;mem:64".to_string();
    let mut flags = Flags::from_env();
    while let Some(flag) = flags.next_flag()? {
        if options.cluster.accept(&flag, &mut flags)? {
            continue;
        }
        match flag.as_str() {
            "help" => return Ok(None),
            "tasks" => options.tasks = flags.parsed()?,
            "command" => options.command = flags.value()?,
            "resources" => resources_text = flags.value()?,
            "agents" => options.local_agents = flags.parsed()?,
            "scripted-agents" => options.scripted_agents = flags.parsed()?,
            "state-dir" => options.state_dir = Some(flags.value()?.into()),
            "metrics" => options.metrics = true,
            other => return Err(format!("unknown flag --{other}")),
        }
    }
    options.resources = Resources::parse(&resources_text)
        .map_err(|e| format!("--resources {resources_text:?}: {e}"))?;
    if options.resources.is_empty() {
        return Err("--resources must ask for something (e.g. 'cpus:0.1')".into());
    }
    if options.state_dir.is_some() && options.cluster.failover_timeout.is_none() {
        options.cluster.failover_timeout = Some(STATE_DIR_FAILOVER_SECONDS);
    }
    if options.cluster.master.is_none() && options.local_agents + options.scripted_agents == 0 {
        return Err("the embedded master needs at least one agent".into());
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    common::cli::run_main("batch", USAGE, parse_options, run)
}

/// One task of the batch.
struct Task {
    id: String,
    /// The agent it was launched on.
    agent: Option<v1::AgentID>,
    /// Its final state, once it ended (only the state: a batch of 20,000
    /// tasks need not keep 20,000 full statuses).
    ended: Option<TaskState>,
}

struct Batch {
    options: Options,
    framework: Framework,
    /// The embedded master, when one was started (kept alive while this lives).
    _embedded: Option<SimMaster>,
    tasks: Vec<Task>,
    /// Indices into `tasks` not launched yet, in order.
    queue: VecDeque<usize>,
    by_id: BTreeMap<String, usize>,
    progress: Progress,
    suppressed: bool,
    interrupted: bool,
    tearing_down: Option<Instant>,
    /// Set when nothing more is worth waiting for.
    leave: bool,
    started: Instant,
    /// Kept as tasks change, not recounted per event: with 20,000 tasks a
    /// scan of every task per event made this loop the bottleneck.
    tally: Tally,
}

/// Running totals behind [`Counts`].
#[derive(Default)]
struct Tally {
    launched: usize,
    launched_and_ended: usize,
    finished: usize,
    failed: usize,
}

fn run(options: Options) -> Result<u8, String> {
    let interrupts = interrupt_channel()?;
    let mut agents = vec![AgentSpec::local(); options.local_agents];
    let scripted = ScriptedTimeline::finish_after(Duration::from_millis(200));
    agents.extend(vec![AgentSpec::scripted(scripted); options.scripted_agents]);
    let (builder, master, embedded) = options.cluster.prepare(agents)?;
    match &embedded {
        Some(sim) => println!(
            "started an embedded Mesos master at {} with {} local and {} scripted agent(s)",
            sim.url(),
            options.local_agents,
            options.scripted_agents
        ),
        None => println!("connecting to {master}"),
    }
    let mut framework = Framework::builder(builder, options.cluster.framework_info());
    if let Some(dir) = &options.state_dir {
        framework = framework.state_dir(dir);
    }
    let framework = framework.connect().map_err(|e| e.to_string())?;
    let mut tasks: Vec<Task> = (0..options.tasks)
        .map(|i| Task {
            id: format!("{}-{}", options.cluster.name, i + 1),
            agent: None,
            ended: None,
        })
        .collect();
    let by_id: BTreeMap<String, usize> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect();
    // What a previous run with this state dir launched: not launched again.
    let mut tally = Tally::default();
    for record in framework.restored() {
        let Some(&index) = by_id.get(&record.task_id.value) else {
            continue;
        };
        let task = &mut tasks[index];
        task.agent = record.agent_id.clone().or(Some(v1::AgentID::default()));
        tally.launched += 1;
        if let Some(state) = record.ended {
            task.ended = Some(state);
            tally.launched_and_ended += 1;
            if state == TaskState::TASK_FINISHED {
                tally.finished += 1;
            } else {
                tally.failed += 1;
            }
        }
    }
    if tally.launched > 0 {
        println!(
            "resuming: {} task(s) launched before, {} of them ended",
            tally.launched, tally.launched_and_ended
        );
    }
    let queue = (0..tasks.len())
        .filter(|&i| tasks[i].agent.is_none())
        .collect();
    let mut batch = Batch {
        queue,
        tasks,
        by_id,
        options,
        framework,
        _embedded: embedded,
        progress: Progress::new(),
        suppressed: false,
        interrupted: false,
        tearing_down: None,
        leave: false,
        started: Instant::now(),
        tally,
    };
    if batch.tasks.is_empty() || batch.all_ended() {
        batch.teardown();
    }
    batch.run(&interrupts)
}

impl Batch {
    fn run(&mut self, interrupts: &Receiver<()>) -> Result<u8, String> {
        let events = self.framework.receiver().clone();
        loop {
            if self.leave {
                return Ok(self.finish());
            }
            let teardown_timer = match self.tearing_down {
                Some(at) => {
                    after((at + TEARDOWN_PATIENCE).saturating_duration_since(Instant::now()))
                }
                None => never(),
            };
            // Reconciliation's next step.
            let tick = match self.framework.deadline() {
                Some(at) => after(at.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(events) -> item => match item {
                    Ok(item) => {
                        if let Some(item) = self.framework.handle(item) {
                            if self.on_item(item) {
                                return Ok(self.finish());
                            }
                        }
                    }
                    Err(_) => return Ok(self.finish()),
                },
                recv(tick) -> _ => self.framework.tick(),
                recv(interrupts) -> _ => {
                    if self.tearing_down.is_some() {
                        return Ok(self.finish());
                    }
                    self.interrupted = true;
                    self.progress.log("interrupted: tearing down the framework (its tasks are killed)");
                    self.teardown();
                }
                recv(teardown_timer) -> _ => {
                    self.progress.log("the master did not confirm TEARDOWN; leaving anyway");
                    return Ok(self.finish());
                }
            }
        }
    }

    fn all_ended(&self) -> bool {
        self.tally.finished + self.tally.failed == self.tasks.len()
    }

    fn counts(&self) -> Counts {
        Counts {
            queued: self.queue.len(),
            running: self.tally.launched - self.tally.launched_and_ended,
            finished: self.tally.finished,
            failed: self.tally.failed,
        }
    }

    /// Handles one item; `true` when the program should end.
    fn on_item(&mut self, item: FrameworkItem) -> bool {
        match item {
            FrameworkItem::Subscribed {
                framework_id,
                master,
                resumed,
            } => {
                // Scripts (and the restart test) read this line.
                println!("framework {}", framework_id.value);
                self.progress.log(&format!(
                    "subscribed to {master} as framework {}{}",
                    framework_id.value,
                    if resumed { " (resumed)" } else { "" }
                ));
            }
            FrameworkItem::Offers(offers) => self.on_offers(offers),
            FrameworkItem::Task(change) => self.on_update(change),
            FrameworkItem::UnknownTask(change) => self.on_unknown(change),
            FrameworkItem::Connection(ConnectionState::Disconnected(why)) => self
                .progress
                .log(&format!("disconnected ({why:?}); will reconnect")),
            FrameworkItem::Event(received) => match &*received {
                Event::Error(error) => self
                    .progress
                    .log(&format!("error from the master: {}", error.message)),
                Event::Failure(failure) => {
                    self.progress.log(&format!("failure reported: {failure:?}"))
                }
                _ => {}
            },
            FrameworkItem::Terminated(why) => {
                match why {
                    FrameworkEnd::Subscription(Termination::TornDown) => {}
                    other => self.progress.log(&format!("the framework ended: {other}")),
                }
                return true;
            }
            _ => {}
        }
        self.progress.update(self.counts());
        false
    }

    /// A task this run does not know: one of the batch's own (launched by a
    /// run whose records were lost) is adopted; anything else is killed.
    fn on_unknown(&mut self, change: TaskChange) {
        let id = change.task_id().clone();
        let agent = change.status.agent_id.clone();
        let ours = self
            .by_id
            .get(&id.value)
            .copied()
            .filter(|&i| self.tasks[i].agent.is_none() && self.tasks[i].ended.is_none());
        match ours {
            Some(index) if !change.is_terminal() => {
                self.progress
                    .log(&format!("adopting task {} found running", id.value));
                self.queue.retain(|&i| i != index);
                self.tasks[index].agent = agent.clone().or(Some(v1::AgentID::default()));
                self.tally.launched += 1;
                if let Err(err) = self.framework.track_launch(id, agent) {
                    self.progress
                        .log(&format!("cannot record the adoption: {err}"));
                }
            }
            _ if !change.is_terminal() => {
                self.progress
                    .log(&format!("killing unknown task {}", id.value));
                if let Err(err) = self.framework.kill(id, agent) {
                    self.progress.log(&format!("KILL failed: {err}"));
                }
            }
            _ => {}
        }
    }

    fn on_offers(&mut self, offers: Vec<v1::Offer>) {
        if self.tearing_down.is_some() {
            return; // TEARDOWN removes the framework's offers.
        }
        let (mut unfit, mut done) = (Vec::new(), Vec::new());
        for offer in offers {
            if self.queue.is_empty() {
                done.push(offer.id.clone());
                continue;
            }
            let wanted = for_offer(&self.options.resources, &offer);
            let mut available = Resources::from(offer.resources.as_slice());
            let mut launch = Vec::new();
            while !self.queue.is_empty() && available.contains(&wanted) {
                available -= &wanted;
                if let Some(index) = self.queue.pop_front() {
                    launch.push(index);
                }
            }
            if launch.is_empty() {
                unfit.push(offer.id.clone());
                continue;
            }
            let infos: Vec<v1::TaskInfo> = launch
                .iter()
                .map(|&i| {
                    command_task(
                        &self.tasks[i].id,
                        &offer,
                        wanted.clone(),
                        &self.options.command,
                    )
                })
                .collect();
            let filters = Some(call::refuse_seconds(UNFIT_REFUSE_SECONDS));
            match self
                .framework
                .accept([offer.id.clone()], [call::launch(infos)], filters)
            {
                Ok(()) => {
                    self.progress.log(&format!(
                        "launched {} task(s) on agent {} ({}), {} left in the offer",
                        launch.len(),
                        offer.agent_id.value,
                        offer.hostname,
                        if available.is_empty() {
                            "nothing".to_string()
                        } else {
                            available.to_string()
                        }
                    ));
                    for &i in &launch {
                        let task = &mut self.tasks[i];
                        if task.agent.is_none() && task.ended.is_none() {
                            self.tally.launched += 1;
                        }
                        task.agent = Some(offer.agent_id.clone());
                    }
                }
                Err(err @ (FrameworkError::StaleOffer(_) | FrameworkError::Store(_))) => {
                    self.progress.log(&format!(
                        "ACCEPT not sent: {err}; the tasks wait for another offer"
                    ));
                    for &i in launch.iter().rev() {
                        self.queue.push_front(i);
                    }
                }
                Err(err) => {
                    // The framework forgets launches that certainly did not
                    // happen; the others are reconciled, so they are not
                    // launched again under the same id.
                    let sent = launch
                        .iter()
                        .any(|&i| self.framework.task_state(&self.tasks[i].id).is_some());
                    self.progress.log(&format!(
                        "ACCEPT failed: {err}; {}",
                        if sent {
                            "reconciliation will tell whether the tasks run"
                        } else {
                            "the tasks wait for another offer"
                        }
                    ));
                    for &i in launch.iter().rev() {
                        if sent {
                            self.tasks[i].agent = Some(offer.agent_id.clone());
                            self.tally.launched += 1;
                        } else {
                            self.queue.push_front(i);
                        }
                    }
                }
            }
        }
        self.decline(unfit, UNFIT_REFUSE_SECONDS);
        self.decline(done, DONE_REFUSE_SECONDS);
        if self.queue.is_empty() && !self.suppressed {
            // Every task is launched: no more offers needed.
            self.suppressed = self
                .framework
                .scheduler()
                .suppress(Vec::<String>::new())
                .is_ok();
        }
    }

    /// Declines offers in one call (an OFFERS event from a large cluster
    /// may carry thousands).
    fn decline(&mut self, offers: Vec<v1::OfferID>, refuse_seconds: f64) {
        if offers.is_empty() {
            return;
        }
        let filters = Some(call::refuse_seconds(refuse_seconds));
        if let Err(err) = self.framework.decline(offers, filters) {
            eprintln!("batch: DECLINE failed: {err}");
        }
    }

    fn on_update(&mut self, change: TaskChange) {
        if self.tearing_down.is_some() {
            return; // The framework is going away with its tasks.
        }
        let Some(&index) = self.by_id.get(&change.task_id().value) else {
            return;
        };
        if change.launch_unknown_to_master() && self.tasks[index].ended.is_none() {
            // Recorded by a run that died before its ACCEPT went out: the
            // task never existed, so it is launched again.
            self.progress.log(&format!(
                "task {} never reached the master; queued again",
                change.task_id().value
            ));
            let id = change.task_id().clone();
            drop(change);
            if let Err(err) = self.framework.forget(&[id]) {
                self.progress
                    .log(&format!("cannot update the state dir: {err}"));
            }
            self.tasks[index].agent = None;
            self.tally.launched -= 1;
            self.queue.push_back(index);
            if self.suppressed {
                self.suppressed = self.framework.scheduler().revive_all().is_err();
            }
            return;
        }
        let terminal = change.is_terminal();
        let status = change.status.clone();
        // Blocking: every update is acknowledged before the TEARDOWN that
        // follows the last one (queued acknowledgements would be dropped
        // with the framework).
        if let Err(err) = change.acknowledge() {
            self.progress.log(&format!(
                "ACKNOWLEDGE failed: {err} (the update will be re-sent)"
            ));
        }
        let task = &mut self.tasks[index];
        if task.ended.is_some() || !terminal {
            return;
        }
        if status.state != TaskState::TASK_FINISHED {
            self.progress.log(&status_line(&status));
        }
        if status.state == TaskState::TASK_FINISHED {
            self.tally.finished += 1;
        } else {
            self.tally.failed += 1;
        }
        if task.agent.is_some() {
            self.tally.launched_and_ended += 1;
        }
        task.ended = Some(status.state);
        let counts = self.counts();
        if self.all_ended() && self.tearing_down.is_none() {
            self.progress.update(counts);
            self.teardown();
        }
    }

    fn teardown(&mut self) {
        match self.framework.teardown() {
            Ok(()) => self.tearing_down = Some(Instant::now()),
            Err(err) => {
                self.progress.log(&format!("TEARDOWN failed: {err}"));
                // Nothing will confirm it: leave at once.
                self.leave = true;
            }
        }
    }

    /// Prints the summary; returns the exit status.
    fn finish(&mut self) -> u8 {
        let counts = self.counts();
        self.progress.update(counts);
        self.progress.finish();
        let agents: BTreeMap<&str, usize> = self
            .tasks
            .iter()
            .filter_map(|t| t.agent.as_ref())
            .fold(BTreeMap::new(), |mut map, agent| {
                *map.entry(agent.value.as_str()).or_default() += 1;
                map
            });
        println!(
            "summary: {} tasks in {:.1}s: {} finished, {} failed, {} not run; {} agent(s) used",
            self.tasks.len(),
            self.started.elapsed().as_secs_f64(),
            counts.finished,
            counts.failed,
            counts.queued + counts.running,
            agents.len()
        );
        for (agent, n) in &agents {
            println!("  agent {agent}: {n} task(s)");
        }
        if self.options.metrics {
            print!("{}", self.framework.stats().to_prometheus());
        }
        if self.interrupted {
            130
        } else if counts.finished == self.tasks.len() {
            0
        } else {
            1
        }
    }
}
