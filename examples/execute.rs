//! Runs one command as a Mesos task and follows it to the end, like Mesos's
//! own `mesos-execute`.
//!
//! ```text
//! cargo run --example execute -- --command 'echo hello'
//! ```
//!
//! With `--executor PATH` the task runs under a custom executor (such as
//! `examples/executor.rs`) instead of Mesos's command executor.
//!
//! Without `--master` it starts an embedded simulated master with one local
//! agent that runs the command as a real process, so it works on any machine.
//! The path through the scheduler API is the real one: SUBSCRIBE, OFFERS,
//! ACCEPT with a LAUNCH operation, UPDATEs (each acknowledged), TEARDOWN.
//!
//! Exit status: 0 when the task finished, the command's own exit status when
//! it failed with one (`exit 3` gives 3), 128 + signal when it was killed by
//! a signal, 130 after Ctrl-C, 1 for other failures, 2 for bad arguments.
//! `--help` lists every flag.

mod common;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, Receiver};
use mesos_http::call;
use mesos_http::event::Event;
use mesos_http::resources::Resources;
use mesos_http::v1::{self, TaskStatus};
use mesos_http::{ConnectionState, Item, Scheduler, Termination};
use mesos_http_sim::AgentSpec;

use common::cli::Flags;
use common::cluster::{Cluster, ClusterOptions};
use common::interrupt::interrupt_channel;
use common::report::{exit_code, now, show_file, status_line};
use common::tasks::{command_task, for_offer};

const USAGE: &str = "\
usage: execute (--command CMD | --task FILE) [--resources 'cpus:0.1;mem:32'] [--kill-after SECS] [flags]

Runs CMD (with sh -c) as one Mesos task and prints each state change.
The task id is the framework name (--name, default execute).

Task:
  --command CMD           the shell command to run
  --task FILE             run this TaskInfo instead (JSON, as mesos-execute's --task:
                          its agent_id is replaced by the offer's, its resources,
                          when it has some, are what the task needs)
  --resources TEXT        what the task needs, in Mesos syntax
                          (default 'cpus:0.1;mem:32'; e.g. 'cpus(web):1;ports:[8080-8080]')
  --kill-after SECS       kill the task this long after it was launched
  --executor PATH         run the task with this custom executor (a program
                          on the agent host, e.g. target/debug/examples/executor)
                          instead of the command executor; CMD goes in the
                          task's data
  --message TEXT          with --executor: send TEXT to the executor once the
                          task runs, and print what it sends back
  --framework-info FILE   subscribe with this FrameworkInfo (JSON) instead of one
                          built from --name, --role, --principal, --checkpoint...";

/// How long declined offers that do not fit stay away (the master re-offers
/// them afterwards, so the wait goes on).
const UNFIT_REFUSE_SECONDS: f64 = 5.0;
/// How long offers stay away once the task is launched.
const DONE_REFUSE_SECONDS: f64 = 3600.0;
/// How long to wait for the master to confirm TEARDOWN before leaving anyway.
const TEARDOWN_PATIENCE: Duration = Duration::from_secs(10);

struct Options {
    cluster: ClusterOptions,
    /// What to run: `--command`'s text, or a summary of `--task`'s.
    command: String,
    /// `--task`'s TaskInfo, launched with the offer's agent and resources.
    task: Option<v1::TaskInfo>,
    resources: Resources,
    kill_after: Option<Duration>,
    executor: Option<String>,
    message: Option<String>,
}

fn parse_options() -> Result<Option<Options>, String> {
    let mut cluster = ClusterOptions::new("execute");
    let mut command = None;
    let mut task: Option<v1::TaskInfo> = None;
    let mut resources_text = "cpus:0.1;mem:32".to_string();
    let mut kill_after = None;
    let mut executor = None;
    let mut message = None;
    let mut flags = Flags::from_env();
    while let Some(flag) = flags.next_flag()? {
        if cluster.accept(&flag, &mut flags)? {
            continue;
        }
        match flag.as_str() {
            "help" => return Ok(None),
            "command" => command = Some(flags.value()?),
            "task" => task = Some(flags.json_file()?),
            "framework-info" => cluster.framework = Some(flags.json_file()?),
            "resources" => resources_text = flags.value()?,
            "kill-after" => kill_after = Some(Duration::from_secs_f64(flags.seconds()?)),
            "executor" => executor = Some(flags.value()?),
            "message" => message = Some(flags.value()?),
            other => return Err(format!("unknown flag --{other}")),
        }
    }
    let resources = match &task {
        Some(task) if !task.resources.is_empty() => Resources::from(task.resources.as_slice()),
        _ => Resources::parse(&resources_text)
            .map_err(|e| format!("--resources {resources_text:?}: {e}"))?,
    };
    let command = match (command, &task) {
        (Some(_), Some(_)) => return Err("--command and --task exclude each other".into()),
        (Some(command), None) => command,
        (None, Some(task)) => describe_task(task),
        (None, None) => return Err("--command is required (or --task FILE)".into()),
    };
    if message.is_some() && executor.is_none() {
        return Err("--message needs --executor".into());
    }
    Ok(Some(Options {
        cluster,
        command,
        task,
        resources,
        kill_after,
        executor,
        message,
    }))
}

/// What a `--task` file runs, for the progress lines.
fn describe_task(task: &v1::TaskInfo) -> String {
    match (&task.command, &task.container) {
        (Some(command), _) => command
            .value
            .clone()
            .unwrap_or_else(|| "(no command value)".into()),
        (None, Some(_)) => "(container task)".into(),
        (None, None) => "(task without a command)".into(),
    }
}

fn main() -> ExitCode {
    common::cli::run_main("execute", USAGE, parse_options, run)
}

/// Where the one task is in its life.
enum Phase {
    /// Waiting for an offer that fits.
    Waiting,
    /// Launched on an agent (offer's hostname kept for the sandbox hint).
    Launched {
        agent: v1::AgentID,
        hostname: String,
    },
    /// TEARDOWN was sent; waiting for the master to confirm.
    TearingDown,
}

struct Execute {
    options: Options,
    cluster: Cluster,
    task_id: String,
    phase: Phase,
    launched_at: Option<Instant>,
    suppressed: bool,
    interrupted: bool,
    final_status: Option<TaskStatus>,
    /// The uuids of the status updates shown (each is shown once).
    seen_updates: std::collections::HashSet<Vec<u8>>,
    teardown_deadline: Option<Instant>,
    /// Set when nothing more is worth waiting for.
    leave: bool,
}

fn run(options: Options) -> Result<u8, String> {
    let interrupts = interrupt_channel()?;
    let cluster = options.cluster.connect(vec![AgentSpec::local()])?;
    match &cluster.embedded {
        Some(sim) => println!(
            "started an embedded Mesos master at {} with one local agent (sandboxes under {})",
            sim.url(),
            sim.work_dir().display()
        ),
        None => println!("connecting to {}", cluster.master),
    }
    // The task id is the framework name, or the `--task` file's.
    let task_id = match &options.task {
        Some(task) => task.task_id.value.clone(),
        None => options.cluster.name.clone(),
    };
    let mut execute = Execute {
        options,
        cluster,
        task_id,
        phase: Phase::Waiting,
        launched_at: None,
        suppressed: false,
        interrupted: false,
        final_status: None,
        seen_updates: Default::default(),
        teardown_deadline: None,
        leave: false,
    };
    execute.run(&interrupts)
}

impl Execute {
    fn scheduler(&self) -> &Scheduler {
        &self.cluster.scheduler
    }

    fn run(&mut self, interrupts: &Receiver<()>) -> Result<u8, String> {
        let events = self.cluster.events.clone();
        loop {
            if self.leave {
                return Ok(self.outcome());
            }
            let kill_timer = match (self.options.kill_after, self.launched_at, &self.phase) {
                (Some(delay), Some(at), Phase::Launched { .. }) if !self.interrupted => {
                    after((at + delay).saturating_duration_since(Instant::now()))
                }
                _ => never(),
            };
            let teardown_timer = match self.teardown_deadline {
                Some(at) => after(at.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(events.receiver()) -> item => match item {
                    Ok(item) => {
                        if let Some(code) = self.on_item(item) {
                            return Ok(code);
                        }
                    }
                    Err(_) => return Ok(self.outcome()),
                },
                recv(interrupts) -> _ => {
                    if let Some(code) = self.on_interrupt() {
                        return Ok(code);
                    }
                }
                recv(kill_timer) -> _ => {
                    let secs = self.options.kill_after.unwrap_or_default().as_secs_f64();
                    println!("{}  --kill-after {secs}s elapsed: killing task {}", now(), self.task_id);
                    self.kill();
                    // Only once: the timer is off from now on.
                    self.options.kill_after = None;
                }
                recv(teardown_timer) -> _ => {
                    eprintln!("execute: the master did not confirm TEARDOWN; leaving anyway");
                    return Ok(self.outcome());
                }
            }
        }
    }

    /// The exit status once everything is over.
    fn outcome(&self) -> u8 {
        match &self.final_status {
            _ if self.interrupted => 130,
            Some(status) => exit_code(status),
            None => 1,
        }
    }

    /// Handles one item; `Some(code)` when the program should end.
    fn on_item(&mut self, item: Item) -> Option<u8> {
        match item {
            Item::Connection(state) => self.on_connection(state),
            Item::Event(received) => {
                // Acknowledgements are explicit here (see `on_update`), so
                // the event can simply be taken out.
                let event = received.into_event();
                self.on_event(event);
                None
            }
            Item::Undecodable { error, .. } => {
                eprintln!("execute: skipped an event that could not be decoded: {error}");
                None
            }
        }
    }

    fn on_connection(&mut self, state: ConnectionState) -> Option<u8> {
        match state {
            ConnectionState::Connected { master } => println!("{}  connected to {master}", now()),
            ConnectionState::Subscribed { framework_id, .. } => {
                println!("{}  subscribed as framework {}", now(), framework_id.value);
                match &self.phase {
                    Phase::Waiting => println!(
                        "{}  waiting for an offer with {} (role {})",
                        now(),
                        self.options.resources,
                        self.options.cluster.role
                    ),
                    // After a reconnection: ask where the task is now.
                    Phase::Launched { agent, .. } => {
                        let task = (task_id(&self.task_id), Some(agent.clone()));
                        if let Err(err) = self.scheduler().reconcile([task]) {
                            eprintln!("execute: reconciliation failed: {err}");
                        }
                    }
                    Phase::TearingDown => {}
                }
            }
            ConnectionState::Disconnected(why) => {
                println!("{}  disconnected ({why:?}); will reconnect", now())
            }
            ConnectionState::Reconnecting { delay, attempt } => {
                if attempt == 1 || attempt % 10 == 0 {
                    println!("{}  reconnecting in {delay:.1?} (attempt {attempt})", now());
                }
            }
            ConnectionState::Terminated(why) => {
                match why {
                    Termination::TornDown => println!("{}  framework torn down", now()),
                    Termination::ErrorEvent(message) => {
                        eprintln!("execute: the master ended the subscription: {message}")
                    }
                    Termination::Refused(err) => {
                        eprintln!("execute: the master refused the subscription: {err}")
                    }
                    other => eprintln!("execute: the subscription ended: {other:?}"),
                }
                return Some(self.outcome());
            }
            other => println!("{}  {other:?}", now()),
        }
        None
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Offers(offers) => self.on_offers(offers.offers),
            Event::Update(update) => self.on_update(update.status),
            Event::Failure(failure) => println!("{}  failure reported: {failure:?}", now()),
            Event::Message(message) => println!(
                "{}  message from executor {}: {}",
                now(),
                message.executor_id.value,
                String::from_utf8_lossy(&message.data)
            ),
            Event::Error(error) => eprintln!("execute: error from the master: {}", error.message),
            _ => {}
        }
    }

    fn on_offers(&mut self, offers: Vec<v1::Offer>) {
        if matches!(self.phase, Phase::TearingDown) {
            return; // TEARDOWN removes the framework's offers.
        }
        for offer in offers {
            if !matches!(self.phase, Phase::Waiting) || self.interrupted {
                self.decline(&offer, DONE_REFUSE_SECONDS);
                continue;
            }
            let wanted = for_offer(&self.options.resources, &offer);
            let available = Resources::from(offer.resources.as_slice());
            if !available.contains(&wanted) {
                println!(
                    "{}  offer from agent {} ({available}) does not fit {}; declined, still waiting",
                    now(),
                    offer.hostname,
                    self.options.resources,
                );
                self.decline(&offer, UNFIT_REFUSE_SECONDS);
                continue;
            }
            self.launch(&offer, wanted);
        }
        if !matches!(self.phase, Phase::Waiting) && !self.suppressed {
            // No more offers needed.
            self.suppressed = self.scheduler().suppress(Vec::<String>::new()).is_ok();
        }
    }

    fn launch(&mut self, offer: &v1::Offer, wanted: Resources) {
        let mut task = match &self.options.task {
            Some(template) => v1::TaskInfo {
                agent_id: offer.agent_id.clone(),
                resources: wanted.into_vec(),
                ..template.clone()
            },
            None => command_task(&self.task_id, offer, wanted, &self.options.command),
        };
        if let Some(path) = &self.options.executor {
            // A custom executor runs the task: the command travels as data
            // (a task has a CommandInfo or an ExecutorInfo, never both).
            task.data = task
                .command
                .take()
                .and_then(|c| c.value)
                .map(String::into_bytes);
            task.executor = Some(custom_executor(&self.executor_id(), path));
        }
        println!(
            "{}  launching task {} on agent {} ({}): {}",
            now(),
            self.task_id,
            offer.agent_id.value,
            offer.hostname,
            self.options.command
        );
        let result = self.scheduler().accept(
            [offer.id.clone()],
            [call::launch([task])],
            Some(call::refuse_seconds(DONE_REFUSE_SECONDS)),
        );
        match result {
            Ok(()) => {
                self.launched_at = Some(Instant::now());
                self.phase = Phase::Launched {
                    agent: offer.agent_id.clone(),
                    hostname: offer.hostname.clone(),
                };
            }
            // The offer may have been rescinded meanwhile: wait for the next.
            Err(err) => eprintln!("execute: ACCEPT failed: {err}; waiting for another offer"),
        }
    }

    fn decline(&self, offer: &v1::Offer, refuse_seconds: f64) {
        let filters = Some(call::refuse_seconds(refuse_seconds));
        if let Err(err) = self.scheduler().decline([offer.id.clone()], filters) {
            eprintln!("execute: DECLINE failed: {err}");
        }
    }

    fn on_update(&mut self, status: TaskStatus) {
        // The agent re-sends an update until it is acknowledged (an
        // acknowledgement lost in a master failover means the same update
        // arrives again, with the same uuid): show each update once by its
        // uuid, but acknowledge every copy (below).
        let first_copy = match &status.uuid {
            Some(uuid) => self.seen_updates.insert(uuid.clone()),
            None => true, // No uuid: nothing to acknowledge or dedupe by.
        };
        if first_copy {
            println!("{}", status_line(&status));
        }
        if status.state == v1::TaskState::TASK_RUNNING {
            self.send_message(&status);
        }
        if matches!(self.phase, Phase::TearingDown) {
            return; // Nothing left to acknowledge to.
        }
        if let Err(err) = self.scheduler().acknowledge(&status) {
            // The agent re-sends unacknowledged updates; nothing is lost.
            eprintln!("execute: ACKNOWLEDGE failed: {err}");
        }
        if status.task_id.value != self.task_id || !status.state.is_terminal() {
            return;
        }
        if self.final_status.is_some() {
            return; // A repeated terminal update.
        }
        self.show_sandbox(&status);
        self.final_status = Some(status);
        self.teardown();
    }

    /// The custom executor's id: the task id with `-executor`.
    fn executor_id(&self) -> String {
        format!("{}-executor", self.task_id)
    }

    /// `--message`: once, to the custom executor of the running task.
    fn send_message(&mut self, status: &TaskStatus) {
        let (Some(text), Some(agent)) = (self.options.message.take(), status.agent_id.clone())
        else {
            return;
        };
        let executor = v1::ExecutorID {
            value: self.executor_id(),
        };
        println!("{}  sending {text:?} to executor {}", now(), executor.value);
        if let Err(err) = self.scheduler().message(agent, executor, text.into_bytes()) {
            eprintln!("execute: MESSAGE failed: {err}");
        }
    }

    fn on_interrupt(&mut self) -> Option<u8> {
        let first = !self.interrupted;
        self.interrupted = true;
        match self.phase {
            Phase::Launched { .. } if first => {
                println!(
                    "{}  interrupted: killing task {} (Ctrl-C again to tear down at once)",
                    now(),
                    self.task_id
                );
                self.kill();
                None
            }
            Phase::TearingDown => {
                println!("{}  interrupted again: leaving", now());
                Some(130)
            }
            _ => {
                println!("{}  interrupted: tearing down the framework", now());
                self.teardown();
                None
            }
        }
    }

    fn kill(&self) {
        let Phase::Launched { agent, .. } = &self.phase else {
            return;
        };
        if let Err(err) = self
            .scheduler()
            .kill(task_id(&self.task_id), Some(agent.clone()), None)
        {
            eprintln!("execute: KILL failed: {err}");
        }
    }

    /// Removes the framework (and with it anything still running); the
    /// stream then ends with `Termination::TornDown`.
    fn teardown(&mut self) {
        self.phase = Phase::TearingDown;
        match self.scheduler().teardown() {
            Ok(()) => {
                println!("{}  tearing down the framework", now());
                self.teardown_deadline = Some(Instant::now() + TEARDOWN_PATIENCE);
            }
            Err(err) => {
                eprintln!("execute: TEARDOWN failed: {err}");
                // No confirmation will come; leave at once.
                self.leave = true;
            }
        }
    }

    /// Says where the task's stdout and stderr are.
    fn show_sandbox(&self, status: &TaskStatus) {
        if let Some(sim) = &self.cluster.embedded {
            let sandbox = sim.with_state(|s| s.task(&self.task_id).and_then(|t| t.sandbox));
            if let Some(dir) = sandbox {
                println!("sandbox: {}", dir.display());
                show_file(&dir, "stdout", 10);
                show_file(&dir, "stderr", 10);
            }
            return;
        }
        // A real agent keeps the sandbox under its work directory.
        let (Some(framework), Some(executor)) =
            (self.scheduler().framework_id(), &status.executor_id)
        else {
            return;
        };
        let container = status
            .container_status
            .as_ref()
            .and_then(|c| c.container_id.as_ref())
            .map_or("latest", |c| c.value.as_str());
        let host = match &self.phase {
            Phase::Launched { hostname, .. } => hostname.as_str(),
            _ => "the agent",
        };
        let agent = status.agent_id.as_ref().map_or("?", |a| a.value.as_str());
        println!(
            "sandbox: on {host} (agent {agent}), in the agent's work directory: \
             .../frameworks/{}/executors/{}/runs/{container}/ (files stdout, stderr)",
            framework.value, executor.value
        );
    }
}

/// An ExecutorInfo that runs the program at `path` (no shell).
fn custom_executor(id: &str, path: &str) -> v1::ExecutorInfo {
    v1::ExecutorInfo {
        r#type: Some(v1::executor_info::Type::CUSTOM),
        executor_id: v1::ExecutorID {
            value: id.to_string(),
        },
        name: Some(format!("mesos-http example executor ({path})")),
        command: Some(v1::CommandInfo {
            shell: Some(false),
            value: Some(path.to_string()),
            arguments: vec![path.to_string()],
            ..v1::CommandInfo::default()
        }),
        ..v1::ExecutorInfo::default()
    }
}

fn task_id(value: &str) -> v1::TaskID {
    v1::TaskID {
        value: value.to_string(),
    }
}
