//! The `sim-master` binary (crate mesos-http-sim): its two stdout lines, a
//! working endpoint, running until a signal (or, if asked, until stdin
//! closes), a clean stop on SIGTERM / SIGINT (task processes killed, temp
//! work dir removed, status 0), task processes that die with it even when
//! it is SIGKILLed, and `--help`.

mod examples_support;
mod sim_support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::offer::operation::{self, Type as OpType};
use mesos_http::v1::offer::Operation;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::value::{self, Scalar};
use mesos_http::v1::{CommandInfo, Resource, TaskID, TaskInfo, TaskState};
use sim_support::*;

#[test]
fn prints_its_address_serves_and_stops_when_stdin_closes_if_asked_to() {
    let binary = examples_support::sim_master();
    let mut child = Command::new(binary)
        .args([
            "--exit-on-stdin-eof",
            "--agents",
            "1",
            "--scripted-agents",
            "2",
            "--heartbeat-secs",
            "0.2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let port: u16 = first
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('\n'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = subscribe(addr, Encoding::Json, framework_info("example"));
    let offers = s.events.expect(EventType::OFFERS).offers.unwrap().offers;
    assert_eq!(offers.len(), 3);
    assert_eq!(
        s.events.next_event().unwrap().r#type(),
        EventType::HEARTBEAT
    );
    drop(child.stdin.take());
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        // `wait` would close stdin first, racing the signal under test with
        // an end-of-stdin stop: keep it open until the process has exited.
        let stdin = child.stdin.take();
        let _ = tx.send(child.wait());
        drop(stdin);
    });
    let status = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("exits after stdin closes")
        .unwrap();
    assert!(status.success());
    let log: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    assert!(log.iter().any(|l| l.contains("subscribed")), "{log:?}");
}

/// A running `sim-master` with its stdin kept open (so only a signal stops it).
struct Started {
    child: Child,
    addr: SocketAddr,
    work_dir: PathBuf,
    /// Its stdout lines after the first two, read by a thread (so that the
    /// pipe never fills up and a missing line fails instead of hanging).
    lines: crossbeam_channel::Receiver<String>,
}

fn start(args: &[&str]) -> Started {
    let mut child = Command::new(examples_support::sim_master())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, lines) = crossbeam_channel::unbounded();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next_line = || {
        lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a line from sim-master")
    };
    let first = next_line();
    let port: u16 = first
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let second = next_line();
    let work_dir = second
        .strip_prefix("work dir: ")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("unexpected second line {second:?}"));
    Started {
        child,
        addr: ([127, 0, 0, 1], port).into(),
        work_dir,
        lines,
    }
}

fn scalar(name: &str, v: f64) -> Resource {
    Resource {
        name: name.into(),
        r#type: value::Type::SCALAR,
        scalar: Some(Scalar { value: v }),
        ..Resource::default()
    }
}

/// Subscribes, launches `sleep 30` on the local agent and returns the pid
/// of its process once it runs (and the subscription, to keep it open).
fn launch_sleeper(addr: SocketAddr) -> (u32, Subscribed) {
    launch_command(addr, "sleep 30")
}

/// Subscribes, launches `command` on the local agent and returns the pid
/// of its process once it runs (and the subscription, to keep it open).
fn launch_command(addr: SocketAddr, command: &str) -> (u32, Subscribed) {
    let mut s = subscribe(addr, Encoding::Json, framework_info("signals"));
    let offer = s
        .events
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
            value: Some(command.into()),
            ..CommandInfo::default()
        }),
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
    loop {
        let status = s.events.expect(EventType::UPDATE).update.unwrap().status;
        // The next update is only sent once this one is acknowledged.
        let ack = Call {
            r#type: Some(CallType::ACKNOWLEDGE),
            acknowledge: Some(call::Acknowledge {
                agent_id: offer.agent_id.clone(),
                task_id: status.task_id.clone(),
                uuid: status.uuid.clone().expect("uuid"),
            }),
            ..Call::default()
        };
        assert_eq!(s.call(ack).code, 202);
        if status.state == TaskState::TASK_RUNNING {
            let pid = status
                .container_status
                .and_then(|c| c.executor_pid)
                .expect("executor_pid");
            return (pid, s);
        }
        assert!(!status.state.is_terminal(), "{status:?}");
    }
}

fn process_exists(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} {pid}");
}

/// Waits for the process to exit, failing the test if it does not.
fn wait_exit(mut child: Child) -> ExitStatus {
    let pid = child.id();
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        // `wait` would close stdin first, racing the signal under test with
        // an end-of-stdin stop: keep it open until the process has exited.
        let stdin = child.stdin.take();
        let _ = tx.send(child.wait());
        drop(stdin);
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(status) => status.unwrap(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("sim-master did not exit after the signal");
        }
    }
}

fn sandbox_exists(work_dir: &Path) -> bool {
    fn walk(dir: &Path) -> bool {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let path = e.path();
                e.file_name() == "stdout" || (path.is_dir() && walk(&path))
            })
        })
    }
    walk(work_dir)
}

#[test]
fn sigterm_kills_the_tasks_removes_the_temp_work_dir_and_exits_0() {
    let started = start(&["--agents", "1", "--heartbeat-secs", "0.2"]);
    assert!(started.work_dir.is_dir(), "{:?}", started.work_dir);
    let (task_pid, _subscription) = launch_sleeper(started.addr);
    assert!(process_exists(task_pid));
    assert!(sandbox_exists(&started.work_dir));

    signal(started.child.id(), "TERM");
    let Started {
        child,
        work_dir,
        lines,
        ..
    } = started;
    let status = wait_exit(child);
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(!process_exists(task_pid), "the task process is gone");
    assert!(!work_dir.exists(), "{work_dir:?} removed");
    let log: Vec<String> = lines.iter().collect();
    assert!(log.iter().any(|l| l == "stopping (signal)"), "{log:?}");
}

#[test]
fn sigint_with_a_given_work_dir_keeps_it() {
    let dir = std::env::temp_dir().join(format!("mesos-sim-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.display().to_string();
    let started = start(&["--agents", "1", "--work-dir", &dir_arg]);
    assert_eq!(started.work_dir, dir);
    let (task_pid, _subscription) = launch_sleeper(started.addr);
    assert!(sandbox_exists(&dir), "sandboxes go under --work-dir");

    signal(started.child.id(), "INT");
    let status = wait_exit(started.child);
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(!process_exists(task_pid), "the task process is gone");
    assert!(sandbox_exists(&dir), "a given work dir is left alone");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether `pid` is gone: no such process, or one that has exited and only
/// waits to be reaped (a zombie runs nothing).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) STATE ...`: comm may hold spaces and parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// The first file named `name` under `dir`.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if entry.file_name() == name {
            return Some(path);
        }
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        }
    }
    None
}

#[test]
fn task_processes_die_with_a_master_killed_by_sigkill() {
    // The task's shell (its process group's leader) and a grandchild that
    // it starts in the background: neither may outlive the master, which
    // gets no chance to clean up.
    let started = start(&["--agents", "1"]);
    let command = "sleep 30 & echo $! > grandchild.pid; wait";
    let (task_pid, _subscription) = launch_command(started.addr, command);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let grandchild: u32 = loop {
        let written = find_file(&started.work_dir, "grandchild.pid")
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|pid| pid.trim().parse().ok());
        if let Some(pid) = written {
            break pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the task writes its grandchild's pid"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!gone(task_pid) && !gone(grandchild));

    signal(started.child.id(), "KILL");
    let status = wait_exit(started.child);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !(gone(task_pid) && gone(grandchild)) {
        assert!(
            std::time::Instant::now() < deadline,
            "task processes outlived their master: {task_pid} gone {}, {grandchild} gone {}",
            gone(task_pid),
            gone(grandchild)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&started.work_dir);
}

#[test]
fn runs_on_after_stdin_closes_until_a_signal() {
    // `sim-master &` in a script: stdin is at end-of-file from the start.
    let mut child = Command::new(examples_support::sim_master())
        .args(["--agents", "1", "--heartbeat-secs", "0.2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let port: u16 = first
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('\n'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // Still serving a subscription through several heartbeats.
    let mut s = subscribe(addr, Encoding::Json, framework_info("background"));
    s.events.expect(EventType::OFFERS);
    for _ in 0..3 {
        assert_eq!(
            s.events.next_event().unwrap().r#type(),
            EventType::HEARTBEAT
        );
    }
    signal(child.id(), "TERM");
    let status = wait_exit(child);
    assert_eq!(status.code(), Some(0), "{status:?}");
    let log: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    assert!(log.iter().any(|l| l == "stopping (signal)"), "{log:?}");
}

#[test]
fn help_says_how_it_stops() {
    let output = Command::new(examples_support::sim_master())
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8_lossy(&output.stdout);
    for part in ["SIGTERM", "SIGINT", "--exit-on-stdin-eof", "SIGKILL"] {
        assert!(help.contains(part), "--help names {part}: {help}");
    }
}
