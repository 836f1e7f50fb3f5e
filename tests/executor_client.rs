//! The executor client (`mesos_http::executor`) against the simulated
//! agent over real HTTP, in both encodings: subscription and launch, KILL,
//! MESSAGE both ways, SHUTDOWN, updates lost with a dropped stream or an
//! agent restart re-sent on re-subscription and delivered exactly once,
//! the end of a non-checkpointing executor, and the typed environment errors.

mod executor_support;

use std::time::Duration;

use executor_support::*;
use mesos_http::event::Event;
use mesos_http::executor::env::{FRAMEWORK_ID, RECOVERY_TIMEOUT, SLAVE_PID};
use mesos_http::executor::{task_status, ConnectionState, EnvError, Executor, Item, Termination};
use mesos_http::v1::task_status::Source;
use mesos_http::v1::{AgentID, ExecutorID, TaskID, TaskState};
use mesos_http::{Disconnect, Encoding, Error};

fn task_id(id: &str) -> TaskID {
    TaskID { value: id.into() }
}

fn acknowledged(items: &mesos_http::executor::Events, uuid: &[u8]) {
    let event = next_executor_event(
        items,
        "ACKNOWLEDGED",
        |e| matches!(e, mesos_http::executor::Event::Acknowledged(a) if a.uuid == uuid),
    );
    assert!(matches!(
        event,
        mesos_http::executor::Event::Acknowledged(_)
    ));
}

fn subscribe_and_launch(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let task = executor_task("t1", &bed.agent_id, "e1", "sleep 600");
    bed.launch(task.clone());
    let env = bed.executor_environment("e1");
    let value = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(value("MESOS_FRAMEWORK_ID"), Some(bed.framework_id.clone()));
    assert_eq!(value("MESOS_EXECUTOR_ID").as_deref(), Some("e1"));
    assert_eq!(value("MESOS_CHECKPOINT").as_deref(), Some("0"));
    assert_eq!(
        value("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD").as_deref(),
        Some("2secs")
    );
    assert_eq!(
        value("MESOS_RECOVERY_TIMEOUT"),
        None,
        "only when checkpointing"
    );

    let (exec, items) = Executor::from_vars(env)
        .unwrap()
        .encoding(encoding)
        .connect()
        .unwrap();
    assert!(exec.agent_url().ends_with("/slave(1)/api/v1/executor"));
    let state = next_executor_item(&items, "Subscribed", |i| {
        matches!(i, Item::Connection(ConnectionState::Subscribed { .. }))
    });
    match state {
        Item::Connection(ConnectionState::Subscribed {
            agent_id,
            resent_tasks,
            resent_updates,
        }) => {
            assert_eq!(agent_id.value, bed.agent_id);
            assert_eq!((resent_tasks, resent_updates), (0, 0));
        }
        other => panic!("{other:?}"),
    }
    match next_executor_event(&items, "SUBSCRIBED", |e| e.kind().0 == 1) {
        mesos_http::executor::Event::Subscribed(s) => {
            assert_eq!(s.executor_info.executor_id.value, "e1");
            assert_eq!(
                s.framework_info.id.as_ref().unwrap().value,
                bed.framework_id
            );
            assert!(s.container_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    let launch = next_executor_event(&items, "LAUNCH", |e| e.kind().0 == 2);
    assert_eq!(launch.tasks(), std::slice::from_ref(&task));
    assert_eq!(exec.unacknowledged_tasks(), std::slice::from_ref(&task));

    let uuid = exec
        .update(task_status(&task.task_id, TaskState::TASK_RUNNING))
        .unwrap();
    let running = bed.next_update("t1");
    assert_eq!(running.state, TaskState::TASK_RUNNING);
    assert_eq!(running.uuid.as_deref(), Some(uuid.as_slice()));
    assert_eq!(running.source, Some(Source::SOURCE_EXECUTOR));
    assert_eq!(running.executor_id.as_ref().unwrap().value, "e1");
    assert_eq!(running.agent_id.as_ref().unwrap().value, bed.agent_id);
    acknowledged(&items, &uuid);
    assert!(exec.unacknowledged_updates().is_empty());
    assert!(
        exec.unacknowledged_tasks().is_empty(),
        "acknowledged with its update"
    );

    let uuid = exec
        .update(task_status(&task.task_id, TaskState::TASK_FINISHED))
        .unwrap();
    assert_eq!(bed.next_update("t1").state, TaskState::TASK_FINISHED);
    acknowledged(&items, &uuid);
    assert!(bed.master.wait_for(
        |v| v.task_state("t1") == Some(TaskState::TASK_FINISHED) && v.tasks().is_empty(),
        PATIENCE
    ));
    exec.heartbeat().unwrap();
}

fn kill(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, items) = bed.in_process_executor(encoding, "victim", "killer");
    let uuid = exec
        .update(task_status(&task_id("victim"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("victim").state, TaskState::TASK_RUNNING);
    acknowledged(&items, &uuid);

    // The framework declares TASK_KILLING_STATE, but a custom executor
    // decides itself whether to report TASK_KILLING: this one does not, so
    // the next update after the KILL is its TASK_KILLED (the agent sends
    // no TASK_KILLING of its own).
    bed.scheduler.kill(task_id("victim"), None, None).unwrap();
    match next_executor_event(&items, "KILL", |e| e.kind().0 == 3) {
        mesos_http::executor::Event::Kill(kill) => assert_eq!(kill.task_id.value, "victim"),
        other => panic!("{other:?}"),
    }
    exec.update(task_status(&task_id("victim"), TaskState::TASK_KILLED))
        .unwrap();
    let killed = bed.next_update("victim");
    assert_eq!(killed.state, TaskState::TASK_KILLED);
    assert_eq!(killed.source, Some(Source::SOURCE_EXECUTOR));
    assert!(killed.container_status.is_some(), "{killed:?}");
}

fn message_both_ways(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, items) = bed.in_process_executor(encoding, "chatty", "talker");
    let data = vec![0u8, 1, 2, 255, b'h', b'i'];
    bed.scheduler
        .message(
            AgentID {
                value: bed.agent_id.clone(),
            },
            ExecutorID {
                value: "talker".into(),
            },
            data.clone(),
        )
        .unwrap();
    match next_executor_event(&items, "MESSAGE", |e| e.kind().0 == 5) {
        mesos_http::executor::Event::Message(m) => assert_eq!(m.data, data),
        other => panic!("{other:?}"),
    }
    exec.message(b"pong\x00\xff".to_vec()).unwrap();
    let received = bed.scheduler_event("MESSAGE", |e| matches!(e, Event::Message(_)));
    match &*received {
        Event::Message(m) => {
            assert_eq!(m.data, b"pong\x00\xff");
            assert_eq!(m.executor_id.value, "talker");
            assert_eq!(m.agent_id.value, bed.agent_id);
        }
        other => panic!("{other:?}"),
    }
}

fn shutdown_then_exit_within_the_grace_period(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, items) = bed.in_process_executor(encoding, "doomed", "quitter");
    let pid = bed
        .master
        .with_state(|v| v.executor("quitter").unwrap().pid);
    let uuid = exec
        .update(task_status(&task_id("doomed"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("doomed").state, TaskState::TASK_RUNNING);
    acknowledged(&items, &uuid);

    bed.scheduler
        .shutdown(
            ExecutorID {
                value: "quitter".into(),
            },
            AgentID {
                value: bed.agent_id.clone(),
            },
        )
        .unwrap();
    next_executor_event(&items, "SHUTDOWN", |e| {
        matches!(e, mesos_http::executor::Event::Shutdown)
    });
    // Kill the task, report it, and end "the process" (the agent watches
    // the placeholder it started) well within the 2 s grace period.
    exec.update(task_status(&task_id("doomed"), TaskState::TASK_KILLED))
        .unwrap();
    assert_eq!(bed.next_update("doomed").state, TaskState::TASK_KILLED);
    // The shell the agent started runs `sleep 600` as a child in its group.
    let left_behind: Vec<u32> = live_in_group(pid)
        .into_iter()
        .filter(|&p| p != pid)
        .collect();
    assert!(!left_behind.is_empty(), "no child in group {pid}");
    std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    let failure = bed.scheduler_event("FAILURE", |e| matches!(e, Event::Failure(_)));
    // As a real agent destroys the container: nothing the executor started
    // outlives it (the group is killed when its leader is reaped, before the
    // FAILURE; a moment more for the kernel to finish the kill).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !live_in_group(pid).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(live_in_group(pid), Vec::<u32>::new(), "left in group {pid}");
    match &*failure {
        Event::Failure(f) => {
            assert_eq!(f.executor_id.as_ref().unwrap().value, "quitter");
            // SIGTERM (ours), not the agent's SIGKILL after the grace period.
            assert_eq!(f.status, Some(15));
        }
        other => panic!("{other:?}"),
    }
    // The stream ends with the process: after SHUTDOWN that is final.
    let last = next_executor_item(&items, "Terminated", |i| {
        matches!(i, Item::Connection(ConnectionState::Terminated(_)))
    });
    assert!(matches!(
        last,
        Item::Connection(ConnectionState::Terminated(Termination::Shutdown))
    ));
}

fn an_executor_ignoring_shutdown_is_killed_after_the_grace_period(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, items) = bed.in_process_executor(encoding, "stubborn", "ignorer");
    exec.update(task_status(&task_id("stubborn"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("stubborn").state, TaskState::TASK_RUNNING);
    let sent = std::time::Instant::now();
    bed.scheduler
        .shutdown(
            ExecutorID {
                value: "ignorer".into(),
            },
            AgentID {
                value: bed.agent_id.clone(),
            },
        )
        .unwrap();
    next_executor_event(&items, "SHUTDOWN", |e| e.kind().0 == 7);
    let failure = bed.scheduler_event("FAILURE", |e| matches!(e, Event::Failure(_)));
    match &*failure {
        Event::Failure(f) => assert_eq!(f.status, Some(9), "SIGKILL"),
        other => panic!("{other:?}"),
    }
    assert!(
        sent.elapsed() >= Duration::from_secs(2),
        "not before the grace period"
    );
    let failed = bed.next_update("stubborn");
    assert_eq!(failed.state, TaskState::TASK_FAILED);
    assert_eq!(failed.message.as_deref(), Some("Executor terminated"));
    assert_eq!(failed.source, Some(Source::SOURCE_AGENT));
}

/// An UPDATE the agent answers but loses (dropping the stream): the
/// executor re-sends it in SUBSCRIBE; the scheduler gets it exactly once.
fn a_lost_update_is_resent_and_delivered_once(encoding: Encoding) {
    let bed = bed(encoding, true, fast());
    let (exec, items) = bed.in_process_executor(encoding, "sturdy", "resender");
    let running = exec
        .update(task_status(&task_id("sturdy"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("sturdy").state, TaskState::TASK_RUNNING);
    acknowledged(&items, &running);

    bed.master.lose_next_executor_updates(1);
    let finished = exec
        .update(task_status(&task_id("sturdy"), TaskState::TASK_FINISHED))
        .unwrap();
    next_executor_item(&items, "Disconnected", |i| {
        matches!(i, Item::Connection(ConnectionState::Disconnected(_)))
    });
    match next_executor_item(&items, "Subscribed again", |i| {
        matches!(i, Item::Connection(ConnectionState::Subscribed { .. }))
    }) {
        Item::Connection(ConnectionState::Subscribed {
            resent_tasks,
            resent_updates,
            ..
        }) => {
            assert_eq!(
                (resent_tasks, resent_updates),
                (0, 1),
                "the lost update, re-sent"
            )
        }
        other => panic!("{other:?}"),
    }
    acknowledged(&items, &finished);
    assert!(exec.unacknowledged_updates().is_empty());
    let status = bed.next_update("sturdy");
    assert_eq!(status.state, TaskState::TASK_FINISHED);
    assert_eq!(status.uuid.as_deref(), Some(finished.as_slice()));
    assert_finished_once(&bed, "sturdy", "resender", 2);
}

/// The agent restarts while an update is on its way: the executor keeps
/// it, re-subscribes within the recovery timeout and re-sends it.
fn an_update_during_an_agent_restart_is_resent_once(encoding: Encoding) {
    let bed = bed(encoding, true, fast());
    let (exec, items) = bed.in_process_executor(encoding, "patient", "survivor");
    exec.update(task_status(&task_id("patient"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("patient").state, TaskState::TASK_RUNNING);

    assert!(bed
        .master
        .restart_agent(&bed.agent_id, Duration::from_millis(600)));
    next_executor_item(&items, "Disconnected", |i| {
        matches!(i, Item::Connection(ConnectionState::Disconnected(_)))
    });
    // Sent while the agent is down: kept for the next SUBSCRIBE.
    let finished = exec
        .update(task_status(&task_id("patient"), TaskState::TASK_FINISHED))
        .unwrap();
    assert_eq!(exec.unacknowledged_updates().len(), 1);
    let reconnecting = std::cell::Cell::new(0);
    let subscribed = next_executor_item(&items, "Subscribed again", |i| {
        if let Item::Connection(ConnectionState::Reconnecting { delay, .. }) = i {
            assert!(
                *delay <= Duration::from_millis(100),
                "within the backoff max"
            );
            reconnecting.set(reconnecting.get() + 1);
        }
        matches!(i, Item::Connection(ConnectionState::Subscribed { .. }))
    });
    let Item::Connection(ConnectionState::Subscribed { resent_updates, .. }) = subscribed else {
        unreachable!("picked a Subscribed item")
    };
    assert_eq!(
        resent_updates, 1,
        "the update sent while the agent was down"
    );
    assert!(
        reconnecting.get() >= 1,
        "re-subscribed after a backoff, not on the old stream"
    );
    acknowledged(&items, &finished);
    let status = bed.next_update("patient");
    assert_eq!(status.state, TaskState::TASK_FINISHED);
    assert_eq!(status.uuid.as_deref(), Some(finished.as_slice()));
    assert_finished_once(&bed, "patient", "survivor", 2);
}

/// The task finished, acknowledged, and no second FINISHED is in flight;
/// the agent saw `expected` distinct updates.
fn assert_finished_once(bed: &Bed, task: &str, executor: &str, expected: usize) {
    assert!(bed.master.wait_for(
        |v| v.task_state(task) == Some(TaskState::TASK_FINISHED) && v.tasks().is_empty(),
        PATIENCE
    ));
    // The master holds no update any more, so it retries none. What it
    // sent before travels the stream ahead of the answer to a
    // reconciliation asked now: a duplicate would show before it.
    let marker = TaskID {
        value: format!("{task}-marker"),
    };
    bed.scheduler
        .reconcile([(marker.clone(), None)])
        .expect("reconcile");
    loop {
        let item = bed
            .events
            .recv_timeout(PATIENCE)
            .expect("the reconciliation answer");
        if let Some(status) = item.event().and_then(|e| e.task_status()) {
            if status.task_id == marker {
                break;
            }
            panic!("a second update reached the scheduler: {status:?}");
        }
    }
    let received = bed
        .master
        .with_state(|v| v.executor(executor).map(|e| e.updates_received));
    assert!(received.unwrap_or(0) as usize >= expected);
}

fn a_non_checkpointing_executor_terminates_on_disconnect(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, items) = bed.in_process_executor(encoding, "fragile", "once");
    assert!(!exec.checkpoint());
    bed.master.close_executor_streams();
    let item = next_executor_item(&items, "Disconnected", |i| {
        matches!(i, Item::Connection(ConnectionState::Disconnected(_)))
    });
    assert!(matches!(
        item,
        Item::Connection(ConnectionState::Disconnected(
            Disconnect::StreamEnded { .. }
        ))
    ));
    let mut rest = Vec::new();
    while let Ok(item) = items.recv_timeout(PATIENCE) {
        rest.push(item);
    }
    assert!(
        matches!(
            rest.as_slice(),
            [Item::Connection(ConnectionState::Terminated(
                Termination::NotCheckpointing
            ))]
        ),
        "{rest:?}"
    );
    assert!(exec.is_closed());
    assert!(matches!(
        exec.update(task_status(&task_id("fragile"), TaskState::TASK_FAILED)),
        Err(Error::Closed)
    ));
}

fn a_checkpointing_executor_gives_up_after_the_recovery_timeout(encoding: Encoding) {
    let bed = bed(encoding, true, fast());
    bed.launch(executor_task(
        "t",
        &bed.agent_id,
        "giver-upper",
        "sleep 600",
    ));
    let env = bed.executor_environment("giver-upper");
    let (_exec, items) = Executor::from_vars(env)
        .unwrap()
        .encoding(encoding)
        .recovery_timeout(Duration::from_millis(400))
        .connect()
        .unwrap();
    next_executor_event(&items, "LAUNCH", |e| e.kind().0 == 2);
    assert!(bed
        .master
        .restart_agent(&bed.agent_id, Duration::from_secs(5)));
    let last = next_executor_item(&items, "Terminated", |i| {
        matches!(i, Item::Connection(ConnectionState::Terminated(_)))
    });
    assert!(
        matches!(
            last,
            Item::Connection(ConnectionState::Terminated(Termination::RecoveryTimeout(t)))
                if t == Duration::from_millis(400)
        ),
        "{last:?}"
    );
}

mesos_http_per_encoding! {
    subscribe_and_launch,
    kill,
    message_both_ways,
    shutdown_then_exit_within_the_grace_period,
    an_executor_ignoring_shutdown_is_killed_after_the_grace_period,
    a_lost_update_is_resent_and_delivered_once,
    an_update_during_an_agent_restart_is_resent_once,
    a_non_checkpointing_executor_terminates_on_disconnect,
    a_checkpointing_executor_gives_up_after_the_recovery_timeout,
    close_ends_a_call_waiting_for_an_answer,
}

/// `close()` ends a call in flight on another thread at once, as `Closed`,
/// although the agent never answers it.
fn close_ends_a_call_waiting_for_an_answer(encoding: Encoding) {
    let bed = bed(encoding, false, fast());
    let (exec, _items) = bed.in_process_executor(encoding, "t-hang", "e-hang");
    bed.master.hang_requests(true);
    let caller = exec.clone();
    let call = std::thread::spawn(move || caller.message(b"anyone?".to_vec()));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !call.is_finished(),
        "the call should be waiting for its answer"
    );
    let closing = std::time::Instant::now();
    exec.close();
    let result = call.join().unwrap();
    assert!(
        closing.elapsed() < Duration::from_secs(1),
        "{:?}",
        closing.elapsed()
    );
    assert!(matches!(result, Err(Error::Closed)), "{result:?}");
    bed.master.hang_requests(false);
}

/// One `#[test]` per encoding for each body.
#[macro_export]
macro_rules! mesos_http_per_encoding {
    ($($name:ident),* $(,)?) => {
        mod protobuf {
            $( #[test] fn $name() { super::$name(mesos_http::Encoding::Protobuf) } )*
        }
        mod json {
            $( #[test] fn $name() { super::$name(mesos_http::Encoding::Json) } )*
        }
    };
}

fn complete_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("MESOS_FRAMEWORK_ID", "f-1"),
        ("MESOS_EXECUTOR_ID", "e-1"),
        ("MESOS_SLAVE_PID", "slave(1)@10.1.2.3:5051"),
        ("MESOS_AGENT_ENDPOINT", "10.1.2.3:5051"),
        ("MESOS_CHECKPOINT", "1"),
        ("MESOS_RECOVERY_TIMEOUT", "15mins"),
        ("MESOS_SUBSCRIPTION_BACKOFF_MAX", "2secs"),
        ("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5secs"),
    ]
}

fn without(name: &str) -> Vec<(&'static str, &'static str)> {
    complete_env()
        .into_iter()
        .filter(|(k, _)| *k != name)
        .collect()
}

#[test]
fn a_bad_environment_gives_a_typed_error_naming_the_variable() {
    let err = Executor::from_vars(without(FRAMEWORK_ID)).unwrap_err();
    assert_eq!(
        err,
        EnvError::Missing {
            variable: FRAMEWORK_ID
        }
    );
    assert!(err.to_string().contains("MESOS_FRAMEWORK_ID"), "{err}");

    let mut env = complete_env();
    env.push(("MESOS_RECOVERY_TIMEOUT", "15 minutes"));
    let err = Executor::from_vars(env).unwrap_err();
    assert_eq!(err.variable(), RECOVERY_TIMEOUT);
    assert!(matches!(err, EnvError::Malformed { ref value, .. } if value == "15 minutes"));

    let err = Executor::from_vars(without(RECOVERY_TIMEOUT)).unwrap_err();
    assert_eq!(
        err,
        EnvError::Missing {
            variable: RECOVERY_TIMEOUT
        },
        "needed when checkpointing"
    );

    let mut env = complete_env();
    env.push(("MESOS_SLAVE_PID", "10.1.2.3:5051"));
    assert_eq!(Executor::from_vars(env).unwrap_err().variable(), SLAVE_PID);

    let env: Vec<_> = complete_env()
        .into_iter()
        .filter(|(k, _)| !k.contains("PID") && !k.contains("ENDPOINT"))
        .collect();
    assert_eq!(
        Executor::from_vars(env).unwrap_err(),
        EnvError::Missing {
            variable: SLAVE_PID
        }
    );

    let mut env = complete_env();
    env.push(("MESOS_CHECKPOINT", "yes"));
    assert_eq!(
        Executor::from_vars(env).unwrap_err().variable(),
        "MESOS_CHECKPOINT"
    );
}

#[test]
fn a_complete_environment_configures_the_executor() {
    // Not checkpointing: recovery variables are not needed. The agent is a
    // port this test bound and closed again: nothing listens there.
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let endpoint = format!("127.0.0.1:{closed_port}");
    let env = vec![
        ("MESOS_FRAMEWORK_ID", "f-1"),
        ("MESOS_EXECUTOR_ID", "e-1"),
        ("MESOS_AGENT_ENDPOINT", endpoint.as_str()),
        ("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "3secs"),
    ];
    let (exec, items) = Executor::from_vars(env).unwrap().connect().unwrap();
    assert_eq!(
        exec.agent_url(),
        format!("http://{endpoint}/api/v1/executor")
    );
    assert_eq!(exec.framework_id().unwrap().value, "f-1");
    assert_eq!(exec.executor_id().value, "e-1");
    assert_eq!(exec.shutdown_grace_period(), Duration::from_secs(3));
    assert!(!exec.checkpoint());
    // Nobody listens there: a non-checkpointing executor gives up at once.
    let mut seen = Vec::new();
    while let Ok(item) = items.recv_timeout(PATIENCE) {
        seen.push(item);
    }
    assert!(
        matches!(
            seen.as_slice(),
            [
                Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(_))),
                Item::Connection(ConnectionState::Terminated(Termination::NotCheckpointing))
            ]
        ),
        "{seen:?}"
    );
}

/// TEARDOWN shuts the framework's executors down (HttpFaultToleranceTest
/// .SchedulerExit): the executor receives SHUTDOWN.
#[test]
fn teardown_sends_shutdown_to_the_frameworks_executors() {
    let bed = bed(Encoding::Protobuf, false, fast());
    let (exec, items) = bed.in_process_executor(Encoding::Protobuf, "bye", "teardown-victim");
    exec.update(task_status(&task_id("bye"), TaskState::TASK_RUNNING))
        .unwrap();
    assert_eq!(bed.next_update("bye").state, TaskState::TASK_RUNNING);
    bed.scheduler.teardown().unwrap();
    next_executor_event(&items, "SHUTDOWN", |e| {
        matches!(e, mesos_http::executor::Event::Shutdown)
    });
    assert!(bed.master.wait_for(
        |v| v
            .executor("teardown-victim")
            .is_some_and(|e| e.shutting_down),
        PATIENCE
    ));
}

/// LAUNCH_GROUP on a custom executor with a command: the executor gets one
/// LAUNCH_GROUP event with every task, and reports each.
#[test]
fn a_task_group_reaches_the_executor_as_one_launch_group() {
    use mesos_http::v1::{CommandInfo, TaskGroupInfo, TaskInfo};
    let bed = bed(Encoding::Json, false, fast());
    let offers = bed.scheduler_event("OFFERS", |e| e.offers().is_some());
    let offer = offers.offers().unwrap()[0].clone();
    let template = executor_task("unused", &bed.agent_id, "grouper", "sleep 600");
    let member = |id: &str| TaskInfo {
        name: id.into(),
        task_id: task_id(id),
        agent_id: offer.agent_id.clone(),
        resources: template.resources.clone(),
        command: Some(CommandInfo {
            value: Some("true".into()),
            shell: Some(true),
            ..CommandInfo::default()
        }),
        ..TaskInfo::default()
    };
    let group = mesos_http::call::launch_group(
        template.executor.clone().unwrap(),
        TaskGroupInfo {
            tasks: vec![member("g1"), member("g2")],
        },
    );
    bed.scheduler.accept([offer.id], [group], None).unwrap();
    let env = bed.executor_environment("grouper");
    let (exec, items) = Executor::from_vars(env).unwrap().connect().unwrap();
    let launch = next_executor_event(&items, "LAUNCH_GROUP", |e| {
        matches!(e, mesos_http::executor::Event::LaunchGroup(_))
    });
    let ids: Vec<&str> = launch
        .tasks()
        .iter()
        .map(|t| t.task_id.value.as_str())
        .collect();
    assert_eq!(ids, ["g1", "g2"]);
    assert_eq!(exec.unacknowledged_tasks().len(), 2);
    for id in ["g1", "g2"] {
        exec.update(task_status(&task_id(id), TaskState::TASK_RUNNING))
            .unwrap();
        assert_eq!(bed.next_update(id).state, TaskState::TASK_RUNNING);
    }
}
