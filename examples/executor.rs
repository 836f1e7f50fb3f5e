//! A custom Mesos executor: runs each task's command as a child process,
//! reports TASK_RUNNING and then how it ended, kills tasks on KILL, echoes
//! every MESSAGE back to the scheduler, and exits on SHUTDOWN.
//!
//! It is started by an agent, never by hand: the agent passes everything in
//! its environment (`MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`,
//! `MESOS_SLAVE_PID`, `MESOS_CHECKPOINT`, ...), which
//! `Executor::from_env()` reads. It works under a real Mesos agent and
//! under the simulated one (`cargo run --example execute -- --executor
//! target/debug/examples/executor --command 'echo hi'`).
//!
//! What a task runs: its `command` (tasks of a LAUNCH_GROUP carry one), else
//! its `data` as a shell command (tasks given to a custom executor cannot
//! carry a command), else it sleeps until killed.
//!
//! Output goes to stdout/stderr, which the agent keeps in the sandbox.
//! Exit status: 0 after SHUTDOWN, 1 when the agent connection ended for
//! good, 2 when the environment is not an agent's.

use std::collections::BTreeMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, unbounded, Receiver, Sender};
use mesos_http::executor::{task_status, ConnectionState, Event, Executor, Item};
use mesos_http::v1::framework_info::capability::Type as Capability;
use mesos_http::v1::{TaskID, TaskInfo, TaskState, TaskStatus};

/// How long a killed task gets between SIGTERM and SIGKILL when its kill
/// policy does not say.
const DEFAULT_KILL_GRACE: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let builder = match Executor::from_env() {
        Ok(builder) => builder,
        Err(err) => {
            eprintln!("executor: {err} (this program is started by a Mesos agent)");
            return ExitCode::from(2);
        }
    };
    let (executor, events) = match builder.connect() {
        Ok(pair) => pair,
        Err(err) => {
            eprintln!("executor: {err}");
            return ExitCode::from(2);
        }
    };
    println!(
        "executor {} of framework {} at {}",
        executor.executor_id().value,
        executor
            .framework_id()
            .map(|id| id.value)
            .unwrap_or_default(),
        executor.agent_url()
    );
    let (exits, exited) = unbounded();
    let mut state = State {
        executor,
        tasks: BTreeMap::new(),
        exits,
        shutdown_by: None,
        killing_state: false,
    };
    ExitCode::from(state.run(&events, &exited))
}

/// A running task: its child process and, once killed, when to escalate.
struct Running {
    child_pid: u32,
    kill_at: Option<Instant>,
    killed: bool,
}

struct State {
    executor: Executor,
    tasks: BTreeMap<String, Running>,
    /// Where watcher threads report a child's end: (task id, exit status).
    exits: Sender<(String, ExitStatus)>,
    /// After SHUTDOWN: leave at this instant at the latest.
    shutdown_by: Option<Instant>,
    /// The framework understands TASK_KILLING (from SUBSCRIBED).
    killing_state: bool,
}

impl State {
    fn run(&mut self, events: &Receiver<Item>, exited: &Receiver<(String, ExitStatus)>) -> u8 {
        loop {
            if self.shutdown_by.is_some() && self.tasks.is_empty() {
                // Give the agent a moment to take the last updates.
                self.wait_for_acknowledgements(events);
                println!("all tasks ended after SHUTDOWN: exiting");
                return 0;
            }
            let escalate = match self.tasks.values().filter_map(|t| t.kill_at).min() {
                Some(at) => after(at.saturating_duration_since(Instant::now())),
                None => never(),
            };
            let deadline = match self.shutdown_by {
                Some(at) => after(at.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(events) -> item => match item {
                    Ok(item) => {
                        if let Some(code) = self.on_item(item) {
                            return code;
                        }
                    }
                    Err(_) => return 1,
                },
                recv(exited) -> exit => {
                    if let Ok((task_id, status)) = exit {
                        self.on_exit(&task_id, status);
                    }
                }
                recv(escalate) -> _ => self.escalate(),
                recv(deadline) -> _ => {
                    eprintln!("shutdown grace period nearly over: exiting");
                    return 0;
                }
            }
        }
    }

    fn on_item(&mut self, item: Item) -> Option<u8> {
        match item {
            Item::Event(event) => self.on_event(event),
            Item::Connection(ConnectionState::Terminated(why)) => {
                eprintln!("agent connection ended for good: {why:?}");
                for task in self.tasks.values() {
                    signal_group(task.child_pid, "KILL");
                }
                return Some(if self.shutdown_by.is_some() { 0 } else { 1 });
            }
            Item::Connection(state) => println!("connection: {state:?}"),
            Item::Undecodable { error, .. } => eprintln!("skipped an undecodable event: {error}"),
        }
        None
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Subscribed(subscribed) => {
                println!("subscribed on agent {}", subscribed.agent_info.hostname);
                self.killing_state = subscribed
                    .framework_info
                    .capabilities
                    .iter()
                    .any(|c| c.r#type == Some(Capability::TASK_KILLING_STATE));
            }
            Event::Launch(launch) => self.launch(&launch.task),
            Event::LaunchGroup(group) => {
                for task in &group.task_group.tasks {
                    self.launch(task);
                }
            }
            Event::Kill(kill) => {
                let grace = kill
                    .kill_policy
                    .and_then(|p| p.grace_period)
                    .map(|d| Duration::from_nanos(d.nanoseconds.max(0) as u64))
                    .unwrap_or(DEFAULT_KILL_GRACE);
                self.kill(&kill.task_id.value, grace);
            }
            Event::Message(message) => {
                println!(
                    "message from the scheduler: {:?}",
                    String::from_utf8_lossy(&message.data)
                );
                let mut echo = b"echo: ".to_vec();
                echo.extend_from_slice(&message.data);
                if let Err(err) = self.executor.message(echo) {
                    eprintln!("could not relay the message: {err}");
                }
            }
            Event::Shutdown => {
                // Leave a margin before the agent kills us.
                let grace = self.executor.shutdown_grace_period();
                self.shutdown_by = Some(Instant::now() + grace.mul_f64(0.8));
                println!("SHUTDOWN: killing {} task(s)", self.tasks.len());
                let ids: Vec<String> = self.tasks.keys().cloned().collect();
                for id in ids {
                    self.kill(&id, grace / 4);
                }
            }
            Event::Error(error) => eprintln!("error from the agent: {}", error.message),
            Event::Acknowledged(_) | Event::Heartbeat => {}
            other => println!("ignoring {:?}", other.kind()),
        }
    }

    fn launch(&mut self, task: &TaskInfo) {
        let id = task.task_id.clone();
        match spawn(task) {
            Ok(child) => {
                println!("task {}: started (pid {})", id.value, child.id());
                self.tasks.insert(
                    id.value.clone(),
                    Running {
                        child_pid: child.id(),
                        kill_at: None,
                        killed: false,
                    },
                );
                self.update(task_status(&id, TaskState::TASK_RUNNING));
                let exits = self.exits.clone();
                let task_id = id.value.clone();
                thread::spawn(move || watch(child, task_id, exits));
            }
            Err(err) => {
                let mut status = task_status(&id, TaskState::TASK_FAILED);
                status.message = Some(format!("Failed to start the command: {err}"));
                self.update(status);
            }
        }
    }

    fn kill(&mut self, task_id: &str, grace: Duration) {
        let Some(task) = self.tasks.get_mut(task_id) else {
            // Unknown (or already ended): say so, as the command executor does.
            let id = TaskID {
                value: task_id.to_string(),
            };
            let mut status = task_status(&id, TaskState::TASK_LOST);
            status.message = Some("Unknown task".to_string());
            self.update(status);
            return;
        };
        if task.killed {
            return;
        }
        task.killed = true;
        task.kill_at = Some(Instant::now() + grace);
        println!("task {task_id}: killing (SIGTERM, SIGKILL after {grace:?})");
        signal_group(task.child_pid, "TERM");
        if self.killing_state {
            let id = TaskID {
                value: task_id.to_string(),
            };
            self.update(task_status(&id, TaskState::TASK_KILLING));
        }
    }

    fn escalate(&mut self) {
        let now = Instant::now();
        for task in self.tasks.values_mut() {
            if task.kill_at.is_some_and(|at| now >= at) {
                signal_group(task.child_pid, "KILL");
                task.kill_at = None;
            }
        }
    }

    fn on_exit(&mut self, task_id: &str, exit: ExitStatus) {
        let Some(task) = self.tasks.remove(task_id) else {
            return;
        };
        let id = TaskID {
            value: task_id.to_string(),
        };
        // Worded as Mesos's command executor words it.
        let message = match (exit.code(), exit.signal()) {
            (Some(code), _) => format!("Command exited with status {code}"),
            (None, Some(signal)) => {
                format!("Command terminated with signal {}", signal_name(signal))
            }
            (None, None) => "Command ended".to_string(),
        };
        let state = match exit.code() {
            _ if task.killed => TaskState::TASK_KILLED,
            Some(0) => TaskState::TASK_FINISHED,
            _ => TaskState::TASK_FAILED,
        };
        println!("task {task_id}: {message}");
        let mut status = task_status(&id, state);
        status.message = Some(message);
        self.update(status);
    }

    fn update(&self, status: TaskStatus) {
        let state = status.state;
        // Kept and re-sent by the library until the agent acknowledges it.
        if let Err(err) = self.executor.update(status) {
            eprintln!("update {state:?} refused: {err}");
        }
    }

    /// Waits (briefly) until the agent has acknowledged every update.
    fn wait_for_acknowledgements(&self, events: &Receiver<Item>) {
        let until = self
            .shutdown_by
            .unwrap_or_else(Instant::now)
            .min(Instant::now() + Duration::from_secs(2));
        while !self.executor.unacknowledged_updates().is_empty() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || events.recv_timeout(left).is_err() {
                return;
            }
        }
    }
}

/// Starts what `task` runs, in its own process group.
fn spawn(task: &TaskInfo) -> std::io::Result<Child> {
    let mut command = match (&task.command, &task.data) {
        (Some(info), _) if info.value.is_some() => {
            let value = info.value.clone().unwrap_or_default();
            if info.shell.unwrap_or(true) {
                let mut c = Command::new("sh");
                c.arg("-c").arg(value);
                c
            } else {
                let mut c = Command::new(value);
                c.args(info.arguments.iter().skip(1));
                c
            }
        }
        (_, Some(data)) if !data.is_empty() => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(String::from_utf8_lossy(data).into_owned());
            c
        }
        _ => {
            let mut c = Command::new("sleep");
            c.arg("infinity");
            c
        }
    };
    command
        .stdin(Stdio::null())
        .env("MESOS_TASK_ID", &task.task_id.value)
        .process_group(0)
        .spawn()
}

/// Waits for the child on its own thread and reports its end.
fn watch(mut child: Child, task_id: String, exits: Sender<(String, ExitStatus)>) {
    if let Ok(status) = child.wait() {
        let _ = exits.send((task_id, status));
    }
}

/// The name `strsignal` gives the signals a task usually ends with.
fn signal_name(signal: i32) -> String {
    match signal {
        1 => "Hangup".into(),
        2 => "Interrupt".into(),
        6 => "Aborted".into(),
        9 => "Killed".into(),
        11 => "Segmentation fault".into(),
        15 => "Terminated".into(),
        other => format!("signal {other}"),
    }
}

/// Sends `signal` to the process group led by `pid`.
fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stderr(Stdio::null())
        .status();
}
