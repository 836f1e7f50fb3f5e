//! The custom executor example (`examples/executor.rs`) as a real process
//! started by the simulated agent: through `execute --executor` as a
//! newcomer would run it, and driven by a library scheduler for KILL and
//! SHUTDOWN within the grace period.

mod examples_support;
mod executor_support;

use std::time::Duration;

use examples_support::{example, run, Run, TempDir};
use executor_support::{bed, executor_task, fast, PATIENCE};
use mesos_http::event::Event;
use mesos_http::v1::{AgentID, ExecutorID, TaskID, TaskState};
use mesos_http::Encoding;

fn execute_with_executor(command: &str, extra: &[&str]) -> Run {
    let work = TempDir::new("executor-example");
    let executor = example("executor");
    let executor = executor.to_str().expect("a UTF-8 path");
    let work_dir = work.arg();
    let mut args = vec![
        "--executor",
        executor,
        "--command",
        command,
        "--work-dir",
        &work_dir,
    ];
    args.extend_from_slice(extra);
    run("execute", &args, &[])
}

#[test]
fn the_executor_runs_the_command_and_relays_a_message() {
    // The task outlives the message's round trip (the framework is torn
    // down, and its executor with it, as soon as the task ends).
    let run = execute_with_executor("sleep 2; echo hello from the task", &["--message", "ping"]);
    assert_eq!(run.code(), 0, "{run}");
    assert_eq!(
        run.lines_with(&["task execute", "TASK_RUNNING"]).len(),
        1,
        "{run}"
    );
    let finished = run.lines_with(&["task execute", "TASK_FINISHED"]);
    assert_eq!(finished.len(), 1, "{run}");
    assert!(
        finished[0].contains("Command exited with status 0"),
        "{run}"
    );
    assert_eq!(
        run.lines_with(&["message from executor execute-executor: echo: ping"])
            .len(),
        1,
        "{run}"
    );
    // The executor's own output is in its sandbox, with the task's.
    assert_eq!(
        run.lines_with(&["    hello from the task"]).len(),
        1,
        "{run}"
    );
    assert_eq!(
        run.lines_with(&["    subscribed on agent"]).len(),
        1,
        "{run}"
    );
}

#[test]
fn a_failing_command_gives_its_exit_status() {
    let run = execute_with_executor("exit 3", &[]);
    assert_eq!(run.code(), 3, "{run}");
    let failed = run.lines_with(&["task execute", "TASK_FAILED"]);
    assert_eq!(failed.len(), 1, "{run}");
    assert!(failed[0].contains("Command exited with status 3"), "{run}");
}

#[test]
fn kill_after_ends_the_task_with_sigterm() {
    let run = execute_with_executor("sleep 60", &["--kill-after", "0.5"]);
    // `execute` declares TASK_KILLING_STATE: the executor reports
    // TASK_KILLING, and the agent adds none of its own.
    assert_eq!(
        run.lines_with(&["task execute", "TASK_KILLING"]).len(),
        1,
        "{run}"
    );
    let killed = run.lines_with(&["task execute", "TASK_KILLED"]);
    assert_eq!(killed.len(), 1, "{run}");
    assert!(
        killed[0].contains("Command terminated with signal Terminated"),
        "{run}"
    );
    assert_eq!(run.code(), 128 + 15, "{run}");
}

fn executor_path() -> String {
    example("executor")
        .to_str()
        .expect("a UTF-8 path")
        .to_string()
}

/// SHUTDOWN: the executor kills its task, reports TASK_KILLED and exits by
/// itself well within the grace period (FAILURE with a clean exit status).
fn shutdown_within_the_grace_period(encoding: Encoding) {
    let bed = bed(encoding, true, fast());
    let mut task = executor_task("served", &bed.agent_id, "example", &executor_path());
    task.data = Some(b"sleep 60".to_vec());
    bed.launch(task);
    assert_eq!(bed.next_update("served").state, TaskState::TASK_RUNNING);
    let sent = std::time::Instant::now();
    bed.scheduler
        .shutdown(
            ExecutorID {
                value: "example".into(),
            },
            AgentID {
                value: bed.agent_id.clone(),
            },
        )
        .unwrap();
    // The framework declares TASK_KILLING_STATE: the executor says
    // TASK_KILLING first (once: the agent adds none of its own).
    assert_eq!(bed.next_update("served").state, TaskState::TASK_KILLING);
    let killed = bed.next_update("served");
    assert_eq!(killed.state, TaskState::TASK_KILLED);
    let failure = bed.scheduler_event("FAILURE", |e| matches!(e, Event::Failure(_)));
    match &*failure {
        Event::Failure(f) => {
            assert_eq!(f.executor_id.as_ref().unwrap().value, "example");
            assert_eq!(f.status, Some(0), "exited by itself, not killed");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "within the grace period"
    );
}

/// KILL through the scheduler API reaches the executor as KILL.
fn kill_through_the_scheduler(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let mut task = executor_task("target", &bed.agent_id, "example", &executor_path());
    task.data = Some(b"sleep 60".to_vec());
    bed.launch(task);
    assert_eq!(bed.next_update("target").state, TaskState::TASK_RUNNING);
    bed.scheduler
        .kill(
            TaskID {
                value: "target".into(),
            },
            None,
            None,
        )
        .unwrap();
    // The executor's own TASK_KILLING (the framework declares
    // TASK_KILLING_STATE), once: the agent adds none of its own.
    let killing = bed.next_update("target");
    assert_eq!(killing.state, TaskState::TASK_KILLING, "{killing:?}");
    assert_eq!(
        killing.source,
        Some(mesos_http::v1::task_status::Source::SOURCE_EXECUTOR)
    );
    let killed = bed.next_update("target");
    assert_eq!(killed.state, TaskState::TASK_KILLED, "{killed:?}");
    assert!(bed.master.wait_for(
        |v| v.task_state("target") == Some(TaskState::TASK_KILLED),
        PATIENCE
    ));
}

mod protobuf {
    #[test]
    fn shutdown_within_the_grace_period() {
        super::shutdown_within_the_grace_period(mesos_http::Encoding::Protobuf)
    }
    #[test]
    fn kill_through_the_scheduler() {
        super::kill_through_the_scheduler(mesos_http::Encoding::Protobuf)
    }
}

mod json {
    #[test]
    fn shutdown_within_the_grace_period() {
        super::shutdown_within_the_grace_period(mesos_http::Encoding::Json)
    }
    #[test]
    fn kill_through_the_scheduler() {
        super::kill_through_the_scheduler(mesos_http::Encoding::Json)
    }
}
