//! What the framework layer costs on top of the bare scheduler: the same
//! recorded stream of task updates (STARTING, RUNNING, FINISHED for each of
//! N tasks, each with a uuid) replayed to a client that drains it with
//! automatic acknowledgement — once through the bare event channel, once
//! through `Framework` tracking all N tasks. Each side runs in its own
//! process (this test binary run again), so its peak resident size is its
//! own.
//!
//! The always-on test runs 1,000 tasks and checks only that both sides see
//! every update. The full run (20,000 tasks, the load run's size) is
//! ignored by default and checks the budget — at most 10 % more wall time
//! and peak memory: `cargo test --release --all-features --test
//! load_tracker -- --ignored --nocapture twenty`.

use std::process::Command;
use std::time::{Duration, Instant};

use mesos_http::framework::{Framework, FrameworkItem};
use mesos_http::recordio::encode_to_vec;
use mesos_http::v1::scheduler::event::{Type as EventType, Update};
use mesos_http::v1::scheduler::Event as WireEvent;
use mesos_http::v1::{AgentID, FrameworkInfo, TaskID, TaskState, TaskStatus};
use mesos_http::{Encoding, Event, Item, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};

const FILE_ENV: &str = "MESOS_HTTP_TRACKER_LOAD_FILE";
const TASKS_ENV: &str = "MESOS_HTTP_TRACKER_LOAD_TASKS";
const MODE_ENV: &str = "MESOS_HTTP_TRACKER_LOAD_MODE";

fn task_id(i: usize) -> String {
    format!("load-{i}")
}

/// The recorded stream: three updates per task, in launch order.
fn stream(tasks: usize) -> Vec<u8> {
    let mut file = Vec::new();
    let states = [
        TaskState::TASK_STARTING,
        TaskState::TASK_RUNNING,
        TaskState::TASK_FINISHED,
    ];
    let mut n = 0u64;
    for (step, state) in states.into_iter().enumerate() {
        for i in 0..tasks {
            n += 1;
            let mut uuid = n.to_be_bytes().to_vec();
            uuid.extend_from_slice(&[0; 8]);
            let event = WireEvent {
                r#type: Some(EventType::UPDATE),
                update: Some(Update {
                    status: TaskStatus {
                        task_id: TaskID { value: task_id(i) },
                        state,
                        agent_id: Some(AgentID {
                            value: format!("agent-{}", i % 2000),
                        }),
                        timestamp: Some(1.0e9 + step as f64),
                        uuid: Some(uuid),
                        ..TaskStatus::default()
                    },
                }),
                ..WireEvent::default()
            };
            file.extend(encode_to_vec(&Encoding::Protobuf.encode(&event)));
        }
    }
    file
}

fn info() -> FrameworkInfo {
    FrameworkInfo {
        user: "nobody".into(),
        name: "load".into(),
        failover_timeout: Some(3600.0),
        ..FrameworkInfo::default()
    }
}

/// `VmHWM` of this process, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// One side, in a child process: prints `@@ <wall µs> <peak bytes> <finished>`.
#[test]
#[ignore = "a child process of the tests below, not a test"]
fn tracker_load_side() {
    let file = std::env::var(FILE_ENV).expect("run by the comparison tests");
    let tasks: usize = std::env::var(TASKS_ENV).unwrap().parse().unwrap();
    let mode = std::env::var(MODE_ENV).unwrap();
    let master = ReplayMaster::start(std::fs::read(file).unwrap(), Chunking::PerRecord, 0).unwrap();
    let builder = Scheduler::builder(master.url()).encoding(Encoding::Protobuf);
    let started = Instant::now();
    let mut finished = 0;
    if mode == "bare" {
        let (scheduler, events) = builder
            .framework(info())
            .auto_acknowledge(true)
            .connect()
            .unwrap();
        while finished < tasks {
            let item = events
                .recv_timeout(Duration::from_secs(60))
                .expect("an item");
            if let Item::Event(received) = item {
                if let Event::Update(update) = &*received {
                    if update.status.state.is_terminal() {
                        finished += 1;
                    }
                }
            }
        }
        scheduler.close();
    } else {
        let mut framework = Framework::builder(builder, info())
            .implicit_reconciliation(None)
            .connect()
            .unwrap();
        for i in 0..tasks {
            framework
                .track_launch(TaskID { value: task_id(i) }, None)
                .unwrap();
        }
        while finished < tasks {
            match framework
                .next_timeout(Duration::from_secs(60))
                .expect("an item")
            {
                FrameworkItem::Task(change) if change.is_terminal() => finished += 1,
                _ => {}
            }
        }
        framework.close();
    }
    let wall = started.elapsed();
    println!("@@ {} {} {finished}", wall.as_micros(), peak_rss());
}

struct Side {
    wall: Duration,
    peak: u64,
    finished: usize,
}

fn side(file: &std::path::Path, tasks: usize, mode: &str) -> Side {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["tracker_load_side", "--exact", "--ignored", "--nocapture"])
        .env(FILE_ENV, file)
        .env(TASKS_ENV, tasks.to_string())
        .env(MODE_ENV, mode)
        .output()
        .expect("run a side");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("@@ "))
        .unwrap_or_else(|| panic!("no figures from {mode}: {stdout}"));
    let numbers: Vec<u64> = line.split(' ').map(|n| n.parse().unwrap()).collect();
    Side {
        wall: Duration::from_micros(numbers[0]),
        peak: numbers[1],
        finished: numbers[2] as usize,
    }
}

fn compare(tasks: usize) -> (Side, Side) {
    let file = std::env::temp_dir().join(format!(
        "mesos-http-tracker-load-{}-{tasks}.rio",
        std::process::id()
    ));
    std::fs::write(&file, stream(tasks)).unwrap();
    let bare = side(&file, tasks, "bare");
    let tracked = side(&file, tasks, "framework");
    let _ = std::fs::remove_file(&file);
    for (name, s) in [("bare", &bare), ("framework", &tracked)] {
        println!(
            "{tasks} tasks, {name}: {:.3} s, peak RSS {:.1} MiB",
            s.wall.as_secs_f64(),
            s.peak as f64 / (1 << 20) as f64
        );
    }
    assert_eq!(bare.finished, tasks);
    assert_eq!(tracked.finished, tasks);
    (bare, tracked)
}

#[test]
fn both_sides_see_every_task_end() {
    compare(1_000);
}

#[test]
#[ignore = "the tracker's budget on the load run's size: 20,000 tasks (use --release)"]
fn twenty_thousand_tasks_cost_at_most_ten_percent_more() {
    let (bare, tracked) = compare(20_000);
    let time = tracked.wall.as_secs_f64() / bare.wall.as_secs_f64();
    let memory = tracked.peak as f64 / bare.peak as f64;
    println!("framework / bare: wall time {time:.3}x, peak memory {memory:.3}x");
    assert!(time <= 1.10, "wall time {time:.3}x");
    assert!(memory <= 1.10, "peak memory {memory:.3}x");
}
