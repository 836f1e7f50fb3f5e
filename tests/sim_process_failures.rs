//! Failures of processes around `sim-master`, and its failure commands.
//!
//! The `sim-master` process keeps a disconnected framework for its
//! `failover_timeout`, as a real master does: a scheduler *process* that is
//! SIGKILLed and started again with its framework id within the timeout gets
//! the same framework and its task back; once the timeout passes after the
//! next kill, the framework and its task are gone (the task's process is
//! killed) and the id is refused.
//!
//! The scheduler is this test binary run again as a child process: the
//! ignored test `scheduler_process` plays it, steered by environment
//! variables, and reports on stdout in lines starting with `@@`.

mod examples_support;
mod sim_support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crossbeam_channel::Receiver;
use mesos_http::codec::Encoding;
use mesos_http::v1::offer::operation::{self, Type as OpType};
use mesos_http::v1::offer::Operation;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::task_status::Reason;
use mesos_http::v1::value::{self, Scalar};
use mesos_http::v1::{CommandInfo, FrameworkID, Resource, TaskID, TaskInfo, TaskState};
use sim_support::*;

const ADDR_ENV: &str = "SIM_FAILOVER_ADDR";
const ID_ENV: &str = "SIM_FAILOVER_FRAMEWORK_ID";
/// Seconds the master keeps the framework after its scheduler goes.
const FAILOVER_TIMEOUT: f64 = 8.0;
const PATIENCE: Duration = Duration::from_secs(60);

/// A process whose stdout lines are read by a thread.
struct Lines {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn spawn(command: &mut Command) -> Lines {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Lines {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The rest of the first line that contains `marker`, after it.
    fn after(&mut self, marker: &str) -> String {
        loop {
            let line = self.lines.recv_timeout(PATIENCE).unwrap_or_else(|e| {
                panic!(
                    "no line with {marker:?} ({e:?}); so far:\n{}",
                    self.seen.join("\n")
                )
            });
            self.seen.push(line.clone());
            if let Some(at) = line.find(marker) {
                return line[at + marker.len()..].trim().to_string();
            }
        }
    }
}

impl Drop for Lines {
    /// Closing stdin stops `sim-master` cleanly (its task processes are
    /// killed); anything still running after that is killed.
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..100 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This test binary as a scheduler process for the master at `addr`.
fn scheduler(addr: SocketAddr, framework_id: Option<&str>) -> Lines {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["scheduler_process", "--exact", "--ignored", "--nocapture"])
        .env(ADDR_ENV, addr.to_string())
        .env_remove(ID_ENV);
    if let Some(id) = framework_id {
        command.env(ID_ENV, id);
    }
    Lines::spawn(&mut command)
}

fn process_exists(pid: &str) -> bool {
    Command::new("kill")
        .args(["-0", pid])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn a_killed_scheduler_gets_its_framework_back_within_the_failover_timeout_and_not_after() {
    let mut master = Lines::spawn(Command::new(examples_support::sim_master()).args([
        // Stops when this test drops its stdin (see `Lines::drop`).
        "--exit-on-stdin-eof",
        "--agents",
        "1",
        "--heartbeat-secs",
        "0.5",
    ]));
    let port = master.after("listening on http://127.0.0.1:");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    let mut first = scheduler(addr, None);
    let framework_id = first.after("@@subscribed");
    let pid = first.after("@@running");
    assert!(process_exists(&pid));
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    master.after(&format!("framework {framework_id} disconnected"));

    let mut second = scheduler(addr, Some(&framework_id));
    assert_eq!(second.after("@@subscribed"), framework_id);
    assert_eq!(second.after("@@reconciled"), "sleeper TASK_RUNNING");
    assert!(process_exists(&pid), "the task runs on");
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    master.after(&format!("framework {framework_id} disconnected"));

    master.after(&format!(
        "framework {framework_id} failover timeout expired"
    ));
    master.after(&format!("framework {framework_id} removed"));
    assert!(
        !process_exists(&pid),
        "the task was killed with its framework"
    );
    let mut third = scheduler(addr, Some(&framework_id));
    assert_eq!(third.after("@@error"), "Framework has been removed");
}

fn scalar(name: &str, v: f64) -> Resource {
    Resource {
        name: name.into(),
        r#type: value::Type::SCALAR,
        scalar: Some(Scalar { value: v }),
        ..Resource::default()
    }
}

/// The scheduler process: subscribes (with the framework id from the
/// environment, if any); a new framework launches `sleep 600` and reports
/// its pid once RUNNING, a returning one reconciles and reports the answers.
/// Then it reads its stream until it is killed.
#[test]
#[ignore = "a child process of the test above, not a test"]
fn scheduler_process() {
    let addr: SocketAddr = std::env::var(ADDR_ENV)
        .expect("run by the failover test")
        .parse()
        .unwrap();
    let mut info = framework_info("failover");
    info.failover_timeout = Some(FAILOVER_TIMEOUT);
    info.id = std::env::var(ID_ENV)
        .ok()
        .map(|value| FrameworkID { value });
    let returning = info.id.is_some();
    let mut events = subscribe_with(addr, Encoding::Json, &subscribe_call(info), &[]);
    let first = events.next_event().expect("first event");
    if first.r#type() == EventType::ERROR {
        println!("@@error {}", first.error.unwrap().message);
        return;
    }
    let framework_id = first.subscribed.expect("SUBSCRIBED").framework_id.value;
    println!("@@subscribed {framework_id}");
    let stream_id = events.stream_id();
    let call = |mut call: Call| {
        call.framework_id = Some(FrameworkID {
            value: framework_id.clone(),
        });
        let response = post_call(addr, Encoding::Json, &call, Some(&stream_id));
        assert_eq!(response.code, 202, "{}", response.text());
    };
    if returning {
        call(Call {
            r#type: Some(CallType::RECONCILE),
            reconcile: Some(call::Reconcile::default()),
            ..Call::default()
        });
    } else {
        let offer = events
            .expect(EventType::OFFERS)
            .offers
            .unwrap()
            .offers
            .remove(0);
        let task = TaskInfo {
            name: "sleeper".into(),
            task_id: TaskID {
                value: "sleeper".into(),
            },
            agent_id: offer.agent_id.clone(),
            resources: vec![scalar("cpus", 0.1), scalar("mem", 32.0)],
            command: Some(CommandInfo {
                value: Some("sleep 600".into()),
                ..CommandInfo::default()
            }),
            ..TaskInfo::default()
        };
        call(Call {
            r#type: Some(CallType::ACCEPT),
            accept: Some(call::Accept {
                offer_ids: vec![offer.id.clone()],
                operations: vec![Operation {
                    r#type: Some(OpType::LAUNCH),
                    launch: Some(operation::Launch {
                        task_infos: vec![task],
                    }),
                    ..Operation::default()
                }],
                filters: None,
            }),
            ..Call::default()
        });
    }
    loop {
        let Ok(event) = events.next_event() else {
            return;
        };
        let Some(update) = event.update else {
            continue;
        };
        let status = update.status;
        if status.reason == Some(Reason::REASON_RECONCILIATION) {
            let state = status.state.name().unwrap_or("?");
            println!("@@reconciled {} {state}", status.task_id.value);
            continue;
        }
        if let Some(uuid) = status.uuid.clone() {
            call(Call {
                r#type: Some(CallType::ACKNOWLEDGE),
                acknowledge: Some(call::Acknowledge {
                    agent_id: status.agent_id.clone().unwrap(),
                    task_id: status.task_id.clone(),
                    uuid,
                }),
                ..Call::default()
            });
        }
        if status.state == TaskState::TASK_RUNNING && !returning {
            let pid = status.container_status.and_then(|c| c.executor_pid);
            println!("@@running {}", pid.expect("executor_pid"));
        }
    }
}

/// Sends one command line to `sim-master` and waits for its outcome.
fn command(master: &mut Lines, line: &str) -> String {
    use std::io::Write;
    let stdin = master.child.stdin.as_mut().unwrap();
    writeln!(stdin, "{line}").unwrap();
    stdin.flush().unwrap();
    master.after(&format!("command {line}:"))
}

fn reconcile_one(task: &str) -> Call {
    Call {
        r#type: Some(CallType::RECONCILE),
        reconcile: Some(call::Reconcile {
            tasks: vec![call::reconcile::Task {
                task_id: TaskID { value: task.into() },
                agent_id: None,
            }],
        }),
        ..Call::default()
    }
}

#[test]
fn failure_commands_on_stdin_partition_give_up_heal_and_restart() {
    let mut master = Lines::spawn(Command::new(examples_support::sim_master()).args([
        // Stops when this test drops its stdin (see `Lines::drop`).
        "--exit-on-stdin-eof",
        "--agents",
        "0",
        "--scripted-agents",
        "1",
        "--heartbeat-secs",
        "0.5",
    ]));
    let port = master.after("listening on http://127.0.0.1:");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut info = framework_info("commands");
    info.failover_timeout = Some(3600.0);
    let mut s = subscribe(addr, Encoding::Json, info.clone());
    let offer = s
        .events
        .expect(EventType::OFFERS)
        .offers
        .unwrap()
        .offers
        .remove(0);
    let agent = offer.agent_id.value.clone();
    let task = TaskInfo {
        name: "t".into(),
        task_id: TaskID { value: "t".into() },
        agent_id: offer.agent_id.clone(),
        resources: vec![scalar("cpus", 0.1)],
        command: Some(CommandInfo::default()),
        ..TaskInfo::default()
    };
    let accept = Call {
        r#type: Some(CallType::ACCEPT),
        accept: Some(call::Accept {
            offer_ids: vec![offer.id.clone()],
            operations: vec![Operation {
                r#type: Some(OpType::LAUNCH),
                launch: Some(operation::Launch {
                    task_infos: vec![task],
                }),
                ..Operation::default()
            }],
            filters: None,
        }),
        ..Call::default()
    };
    assert_eq!(s.call(accept).code, 202);
    let next_update =
        |s: &mut Subscribed| s.events.expect(EventType::UPDATE).update.unwrap().status;
    for _ in 0..2 {
        let status = next_update(&mut s);
        let ack = Call {
            r#type: Some(CallType::ACKNOWLEDGE),
            acknowledge: Some(call::Acknowledge {
                agent_id: offer.agent_id.clone(),
                task_id: status.task_id.clone(),
                uuid: status.uuid.unwrap(),
            }),
            ..Call::default()
        };
        assert_eq!(s.call(ack).code, 202);
    }

    assert_eq!(command(&mut master, "bogus"), "unknown command");
    assert_eq!(command(&mut master, "heal *"), "no agent changed");
    assert_eq!(
        command(&mut master, "partition *"),
        format!("done for {agent}")
    );
    assert_eq!(
        command(&mut master, &format!("unreachable {agent}")),
        format!("done for {agent}")
    );
    let lost = next_update(&mut s);
    assert_eq!((lost.state, lost.uuid), (TaskState::TASK_LOST, None));
    assert_eq!(command(&mut master, "heal *"), format!("done for {agent}"));
    assert_eq!(s.call(reconcile_one("t")).code, 202);
    assert_eq!(next_update(&mut s).state, TaskState::TASK_RUNNING);

    assert_eq!(command(&mut master, "restart"), "done");
    while s.events.next_event().is_ok() {}
    info.id = Some(FrameworkID {
        value: s.framework_id.clone(),
    });
    let mut s = subscribe(addr, Encoding::Json, info);
    assert_eq!(command(&mut master, "heal *"), format!("done for {agent}"));
    assert_eq!(s.call(reconcile_one("t")).code, 202);
    let again = next_update(&mut s);
    assert_eq!(
        (again.state, again.reason),
        (TaskState::TASK_RUNNING, Some(Reason::REASON_RECONCILIATION))
    );
}
