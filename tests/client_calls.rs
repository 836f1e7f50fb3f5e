//! Every call type through the handle, accepted by the simulated master, with
//! its effect checked in the master's state where it has one; local
//! validation; and many threads calling through one handle.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::call;
use mesos_http::error::InvalidCall;
use mesos_http::v1::scheduler::call::Type;
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::{self, TaskState};
use mesos_http::validation::ValidationError;
use mesos_http::{ConnectionState, Encoding, Error, Item, Termination};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};

per_encoding!(
    every_call_type_is_accepted,
    invalid_calls_fail_locally_with_the_masters_wording,
    many_threads_call_through_one_handle,
    calls_survive_connection_close_responses,
);

fn two_agent_master() -> SimMaster {
    SimMaster::start(
        SimConfig::fast(Duration::from_millis(200))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("agent-a"))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("agent-b")),
    )
    .unwrap()
}

fn id<T: Default>(make: impl FnOnce(&mut T)) -> T {
    let mut value = T::default();
    make(&mut value);
    value
}

fn every_call_type_is_accepted(encoding: Encoding) {
    let master = two_agent_master();
    let (scheduler, events) = builder(&master.url(), encoding, "all-calls")
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);

    // ACCEPT one offer with a LAUNCH, DECLINE the other.
    let offers = offers(&events, 2);
    let (first, second) = (&offers[0], &offers[1]);
    let task = small_task(first, "task-1");
    scheduler
        .accept([first.id.clone()], [call::launch([task])], None)
        .expect("ACCEPT");
    scheduler
        .decline([second.id.clone()], Some(call::refuse_seconds(0.0)))
        .expect("DECLINE");

    // ACKNOWLEDGE the updates that carry a uuid (the next one for a task
    // comes only after the previous one is acknowledged).
    let starting = update(&events, "task-1", TaskState::TASK_STARTING);
    scheduler
        .acknowledge(starting.task_status().unwrap())
        .expect("ACKNOWLEDGE");
    drop(starting);
    let running = update(&events, "task-1", TaskState::TASK_RUNNING);
    let status = running.task_status().unwrap().clone();
    assert!(status.uuid.is_some());
    scheduler.acknowledge(&status).expect("ACKNOWLEDGE");
    drop(running);
    sim_wait(&master, "RUNNING acknowledged", |s| {
        s.task("task-1")
            .is_some_and(|t| t.state == TaskState::TASK_RUNNING && t.unacknowledged == 0)
    });

    let agent = first.agent_id.clone();
    let exec = id(|e: &mut v1::ExecutorID| e.value = "exec-1".into());
    let fake_offer = id(|o: &mut v1::OfferID| o.value = "no-such-inverse-offer".into());
    scheduler
        .accept_inverse_offers([fake_offer.clone()], None)
        .expect("ACCEPT_INVERSE_OFFERS");
    scheduler
        .decline_inverse_offers([fake_offer], None)
        .expect("DECLINE_INVERSE_OFFERS");

    scheduler.suppress(Vec::<String>::new()).expect("SUPPRESS");
    sim_wait(&master, "suppressed", |s| {
        !s.framework(&framework_id)
            .unwrap()
            .suppressed_roles
            .is_empty()
    });
    scheduler.revive(Vec::<String>::new()).expect("REVIVE");
    sim_wait(&master, "revived", |s| {
        s.framework(&framework_id)
            .unwrap()
            .suppressed_roles
            .is_empty()
    });

    scheduler
        .message(agent.clone(), exec.clone(), b"hello executor".to_vec())
        .expect("MESSAGE");
    sim_wait(&master, "message stored", |s| {
        s.messages()
            .iter()
            .any(|(a, e, data)| a == &agent.value && e == "exec-1" && data == b"hello executor")
    });
    scheduler
        .request([v1::Request {
            agent_id: Some(agent.clone()),
            resources: Vec::new(),
        }])
        .expect("REQUEST");
    scheduler.shutdown(exec, agent.clone()).expect("SHUTDOWN");

    scheduler.reconcile(Vec::new()).expect("implicit RECONCILE");
    let task_id = id(|t: &mut v1::TaskID| t.value = "task-1".into());
    scheduler
        .reconcile([(task_id.clone(), Some(agent.clone()))])
        .expect("explicit RECONCILE");
    let answer = next_event(&events, "reconciliation answer", |e| {
        e.task_status().is_some_and(|s| {
            s.task_id.value == "task-1"
                && s.reason == Some(v1::task_status::Reason::REASON_RECONCILIATION)
        })
    });
    assert_eq!(
        answer.task_status().unwrap().uuid,
        None,
        "master answers carry no uuid"
    );
    // Acknowledging an update without uuid does nothing, successfully.
    scheduler
        .acknowledge(answer.task_status().unwrap())
        .expect("no-op acknowledge");
    drop(answer);

    scheduler
        .reconcile_operations(Vec::new())
        .expect("RECONCILE_OPERATIONS");
    let op_status = v1::OperationStatus {
        operation_id: Some(id(|o: &mut v1::OperationID| o.value = "op-1".into())),
        state: v1::OperationState::OPERATION_FINISHED,
        uuid: Some(v1::UUID {
            value: vec![
                0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef, 0x81, 0x23, 0x45, 0x67, 0x89, 0xab,
                0xcd, 0xef,
            ],
        }),
        agent_id: Some(agent.clone()),
        ..Default::default()
    };
    scheduler
        .acknowledge_operation_status(&op_status)
        .expect("ACKNOWLEDGE_OPERATION_STATUS");

    scheduler.kill(task_id, Some(agent), None).expect("KILL");
    let killed = update(&events, "task-1", TaskState::TASK_KILLED);
    scheduler
        .acknowledge(killed.task_status().unwrap())
        .expect("ACKNOWLEDGE killed");
    drop(killed);

    let mut info = framework("all-calls-renamed");
    info.id = Some(id(|f: &mut v1::FrameworkID| f.value = framework_id.clone()));
    scheduler
        .update_framework(info, Vec::new(), None)
        .expect("UPDATE_FRAMEWORK (200)");
    sim_wait(&master, "renamed", |s| {
        s.framework(&framework_id).unwrap().name == "all-calls-renamed"
    });

    // The raw call path, with the framework id filled in for us.
    scheduler
        .call(Call {
            r#type: Some(Type::REVIVE),
            ..Call::default()
        })
        .expect("raw REVIVE");

    scheduler.teardown().expect("TEARDOWN");
    let rest = drain_until_closed(&events);
    assert!(
        rest.iter().any(|item| matches!(
            item,
            Item::Connection(ConnectionState::Terminated(Termination::TornDown))
                | Item::Connection(ConnectionState::Terminated(Termination::ErrorEvent(_)))
        )),
        "no final item: {:?}",
        rest.iter().map(describe).collect::<Vec<_>>()
    );
    assert!(master.with_state(|s| s.is_removed(&framework_id)));
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::Closed)
    ));
}

fn invalid_calls_fail_locally_with_the_masters_wording(encoding: Encoding) {
    let master = sim(Duration::from_millis(200));
    let (scheduler, events) = builder(&master.url(), encoding, "invalid")
        .connect()
        .unwrap();
    subscribed(&events);

    let bad_uuid = v1::TaskStatus {
        task_id: id(|t: &mut v1::TaskID| t.value = "t".into()),
        agent_id: Some(id(|a: &mut v1::AgentID| a.value = "a".into())),
        uuid: Some(vec![1, 2, 3]),
        ..Default::default()
    };
    let err = scheduler.acknowledge(&bad_uuid).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid(InvalidCall::Scheduler(ValidationError::InvalidUuid))
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Failed to validate scheduler::Call: Not a valid UUID"
    );

    let err = scheduler
        .call(Call {
            r#type: Some(Type::DECLINE),
            ..Call::default()
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid(InvalidCall::Scheduler(ValidationError::MissingField(
                "decline"
            )))
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Failed to validate scheduler::Call: Expecting 'decline' to be present"
    );
    match scheduler.call(call::subscribe(framework("again"))) {
        Err(Error::Invalid(InvalidCall::Client(detail))) => assert_eq!(
            detail,
            "SUBSCRIBE is sent by the client itself; configure it on the builder"
        ),
        other => panic!("SUBSCRIBE through call(): {other:?}"),
    }
    // Still subscribed: nothing reached the master.
    assert!(scheduler.is_subscribed());
}

fn many_threads_call_through_one_handle(encoding: Encoding) {
    let master = sim(Duration::from_millis(200));
    let (scheduler, events) = builder(&master.url(), encoding, "threads")
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let scheduler = scheduler.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let agent = id(|a: &mut v1::AgentID| a.value = format!("agent-{t}"));
                    let exec = id(|e: &mut v1::ExecutorID| e.value = format!("exec-{i}"));
                    scheduler
                        .message(agent, exec, format!("{t}/{i}").into_bytes())
                        .expect("MESSAGE from a thread");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let messages = master.with_state(|s| s.messages());
    assert_eq!(messages.len(), 80);
    for t in 0..8 {
        for i in 0..10 {
            let data = format!("{t}/{i}").into_bytes();
            assert!(
                messages.iter().any(|(_, _, d)| *d == data),
                "missing {t}/{i}"
            );
        }
    }
    assert!(master.with_state(|s| s.framework(&framework_id).unwrap().connected));
}

fn calls_survive_connection_close_responses(encoding: Encoding) {
    let master = sim(Duration::from_millis(200));
    let (scheduler, events) = builder(&master.url(), encoding, "conn-close")
        .connect()
        .unwrap();
    subscribed(&events);
    master.close_next_responses(3);
    for i in 0..6 {
        scheduler
            .revive(Vec::<String>::new())
            .unwrap_or_else(|e| panic!("call {i} after Connection: close: {e}"));
    }
    assert!(scheduler.is_subscribed());
}
