//! The executor side of the C ABI from C: `ffi/examples/executor.c`
//! compiled with the strict flags, started by the simulated agent as a
//! task's custom executor (once directly, once under valgrind), and driven
//! by a library scheduler: RUNNING, MESSAGE echoed back, FINISHED, KILL,
//! then SHUTDOWN, after which the program exits by itself with status 0
//! (under valgrind: no errors, no leaks).

mod support;

use std::time::{Duration, Instant};

use mesos_http::event::Event;
use mesos_http::resources::scalar_resource;
use mesos_http::v1::{
    AgentID, CommandInfo, ExecutorID, ExecutorInfo, FrameworkInfo, TaskID, TaskInfo, TaskState,
};
use mesos_http::{call, Events, Item, Scheduler};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};
use support::{compile_c, root, valgrind};

const PATIENCE: Duration = Duration::from_secs(120);

fn next(events: &Events, what: &str, pick: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(Item::Event(received)) if pick(&received) => return received.into_event(),
            Ok(_) => {}
            Err(err) => panic!("waiting for {what}: {err:?}"),
        }
    }
}

fn task(id: &str, agent: &AgentID, command: &str, data: &[u8]) -> TaskInfo {
    TaskInfo {
        name: id.into(),
        task_id: TaskID { value: id.into() },
        agent_id: agent.clone(),
        resources: vec![scalar_resource("cpus", 0.1)],
        data: Some(data.to_vec()),
        executor: Some(ExecutorInfo {
            executor_id: ExecutorID {
                value: "c-executor".into(),
            },
            command: Some(CommandInfo {
                value: Some(command.into()),
                ..CommandInfo::default()
            }),
            ..ExecutorInfo::default()
        }),
        ..TaskInfo::default()
    }
}

/// Runs the whole flow with the executor started as `command`; returns the
/// executor's stderr from its sandbox.
fn run_flow(command: &str) -> String {
    let mut config = SimConfig::fast(Duration::from_secs(5));
    config.executor_shutdown_grace_period = Duration::from_secs(60);
    let master = SimMaster::start(config.with_agent(AgentSpec::local())).unwrap();
    let info = FrameworkInfo {
        user: "tester".into(),
        name: "c-executor".into(),
        ..FrameworkInfo::default()
    };
    let (scheduler, events) = Scheduler::builder(master.url().as_str())
        .framework(info)
        .connect()
        .unwrap();
    let offers = next(&events, "OFFERS", |e| e.offers().is_some());
    let offer = offers.offers().unwrap()[0].clone();
    let agent = offer.agent_id.clone();
    let tasks = [
        task("quick", &agent, command, b"finish"),
        task("slow", &agent, command, b"stay"),
    ];
    scheduler
        .accept([offer.id], [call::launch(tasks)], None)
        .unwrap();
    let mut states = Vec::new();
    while states.len() < 3 {
        let event = next(&events, "UPDATE", |e| e.task_status().is_some());
        let status = event.task_status().unwrap().clone();
        scheduler.acknowledge(&status).unwrap();
        states.push((status.task_id.value.clone(), status.state));
    }
    assert!(
        states.contains(&("quick".into(), TaskState::TASK_RUNNING)),
        "{states:?}"
    );
    assert!(
        states.contains(&("quick".into(), TaskState::TASK_FINISHED)),
        "{states:?}"
    );
    assert!(
        states.contains(&("slow".into(), TaskState::TASK_RUNNING)),
        "{states:?}"
    );

    let executor = ExecutorID {
        value: "c-executor".into(),
    };
    scheduler
        .message(agent.clone(), executor.clone(), b"ping\x00!".to_vec())
        .unwrap();
    match next(&events, "MESSAGE", |e| matches!(e, Event::Message(_))) {
        Event::Message(m) => assert_eq!(m.data, b"echo: ping\x00!"),
        other => panic!("{other:?}"),
    }
    scheduler
        .kill(
            TaskID {
                value: "slow".into(),
            },
            None,
            None,
        )
        .unwrap();
    let killed = next(&events, "TASK_KILLED", |e| e.task_status().is_some());
    let status = killed.task_status().unwrap().clone();
    assert_eq!(
        (status.task_id.value.as_str(), status.state),
        ("slow", TaskState::TASK_KILLED)
    );
    scheduler.acknowledge(&status).unwrap();

    scheduler.shutdown(executor, agent).unwrap();
    match next(&events, "FAILURE", |e| matches!(e, Event::Failure(_))) {
        Event::Failure(f) => assert_eq!(f.status, Some(0), "a clean exit by itself"),
        other => panic!("{other:?}"),
    }
    let sandbox = master
        .with_state(|v| v.task("quick").and_then(|t| t.sandbox))
        .expect("a sandbox");
    let stdout = std::fs::read_to_string(sandbox.join("stdout")).unwrap_or_default();
    assert!(
        stdout.contains("shutdown") && stdout.contains("exiting with 0"),
        "{stdout}"
    );
    std::fs::read_to_string(sandbox.join("stderr")).unwrap_or_default()
}

#[test]
fn executor_c_runs_tasks_relays_messages_and_shuts_down() {
    let program = compile_c(&root().join("examples/executor.c"), "executor");
    run_flow(program.to_str().unwrap());
}

#[test]
fn executor_c_is_clean_under_valgrind() {
    let program = compile_c(&root().join("examples/executor.c"), "executor-valgrind");
    let mut command = valgrind();
    command.arg(&program);
    let line: Vec<String> = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let stderr = run_flow(&line.join(" "));
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
}
