//! Tasks on the simulated master: real processes on local agents, scripted
//! timelines, launch validation, reliable status updates with retries and
//! re-sends, reconciliation and kills, over raw HTTP in JSON and protobuf.

mod sim_support;

use std::fs;
use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::framework_info::capability::Type as Cap;
use mesos_http::v1::framework_info::Capability;
use mesos_http::v1::offer::operation::{self, Type as OpType};
use mesos_http::v1::offer::Operation;
use mesos_http::v1::scheduler::call::{self, Type as CallType};
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::{Call, Event};
use mesos_http::v1::task_status::{Reason, Source};
use mesos_http::v1::value::{self, Range, Ranges, Scalar};
use mesos_http::v1::{
    AgentID, CommandInfo, ExecutorID, ExecutorInfo, Offer, OperationID, OperationState, Resource,
    TaskGroupInfo, TaskID, TaskInfo, TaskState, TaskStatus,
};
use mesos_http_sim::{AgentSpec, ScriptStep, ScriptedTimeline, SimConfig, SimMaster};
use sim_support::*;

const WAIT: Duration = Duration::from_secs(15);

fn scalar(name: &str, v: f64) -> Resource {
    Resource {
        name: name.into(),
        r#type: value::Type::SCALAR,
        scalar: Some(Scalar { value: v }),
        ..Resource::default()
    }
}

fn task(id: &str, agent: &str, command: &str) -> TaskInfo {
    TaskInfo {
        name: id.into(),
        task_id: TaskID { value: id.into() },
        agent_id: AgentID {
            value: agent.into(),
        },
        resources: vec![scalar("cpus", 0.1), scalar("mem", 32.0)],
        command: Some(CommandInfo {
            value: Some(command.into()),
            shell: Some(true),
            ..CommandInfo::default()
        }),
        ..TaskInfo::default()
    }
}

fn launch(offer: &Offer, tasks: Vec<TaskInfo>) -> Call {
    Call {
        r#type: Some(CallType::ACCEPT),
        accept: Some(call::Accept {
            offer_ids: vec![offer.id.clone()],
            operations: vec![Operation {
                r#type: Some(OpType::LAUNCH),
                launch: Some(operation::Launch { task_infos: tasks }),
                ..Operation::default()
            }],
            filters: None,
        }),
        ..Call::default()
    }
}

/// A master with one scripted agent whose tasks run until killed.
fn scripted_master() -> SimMaster {
    SimMaster::start(
        SimConfig::fast(Duration::from_secs(5))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever())),
    )
    .unwrap()
}

/// Reads and acknowledges a fresh task's first two updates (STARTING, RUNNING).
fn ack_starting_and_running(s: &mut Subscribed) {
    for _ in 0..2 {
        let u = next_update(s);
        ack(s, &u);
    }
}

fn next_offer(s: &mut Subscribed) -> Offer {
    s.events
        .expect(EventType::OFFERS)
        .offers
        .unwrap()
        .offers
        .remove(0)
}

fn next_update(s: &mut Subscribed) -> TaskStatus {
    s.events.expect(EventType::UPDATE).update.unwrap().status
}

fn ack(s: &Subscribed, status: &TaskStatus) {
    let c = Call {
        r#type: Some(CallType::ACKNOWLEDGE),
        acknowledge: Some(call::Acknowledge {
            agent_id: status.agent_id.clone().unwrap(),
            task_id: status.task_id.clone(),
            uuid: status.uuid.clone().expect("uuid to acknowledge"),
        }),
        ..Call::default()
    };
    assert_eq!(s.call(c).code, 202);
}

/// Reads updates for `task`, acknowledging each, until a terminal one.
fn run_to_end(s: &mut Subscribed, task: &str) -> Vec<TaskStatus> {
    let mut seen = Vec::new();
    loop {
        let status = next_update(s);
        assert_eq!(status.task_id.value, task);
        ack(s, &status);
        let state = status.state;
        seen.push(status);
        if matches!(
            state,
            TaskState::TASK_FINISHED
                | TaskState::TASK_FAILED
                | TaskState::TASK_KILLED
                | TaskState::TASK_ERROR
        ) {
            return seen;
        }
    }
}

fn local_master() -> SimMaster {
    SimMaster::start(SimConfig::fast(Duration::from_secs(5)).with_agent(AgentSpec::local()))
        .unwrap()
}

fn states(updates: &[TaskStatus]) -> Vec<TaskState> {
    updates.iter().map(|u| u.state).collect()
}

#[test]
fn local_agent_runs_echo_and_captures_stdout() {
    let m = local_master();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("echo"));
        let offer = next_offer(&mut s);
        let id = format!("echo-{encoding:?}");
        assert_eq!(
            s.call(launch(
                &offer,
                vec![task(&id, &offer.agent_id.value, "echo hello")]
            ))
            .code,
            202
        );
        let updates = run_to_end(&mut s, &id);
        assert_eq!(
            states(&updates),
            [
                TaskState::TASK_STARTING,
                TaskState::TASK_RUNNING,
                TaskState::TASK_FINISHED
            ]
        );
        let last = updates.last().unwrap();
        assert_eq!(
            last.message.as_deref(),
            Some("Command exited with status 0")
        );
        assert_eq!(last.source, Some(Source::SOURCE_EXECUTOR));
        assert_eq!(
            last.executor_id.as_ref().map(|e| e.value.as_str()),
            Some(id.as_str())
        );
        assert_eq!(last.uuid.as_ref().map(Vec::len), Some(16));
        let pid = last.container_status.as_ref().and_then(|c| c.executor_pid);
        assert!(pid.is_some_and(|p| p > 0));
        let sandbox = m.with_state(|v| v.task(&id).unwrap().sandbox.unwrap());
        assert_eq!(
            fs::read_to_string(sandbox.join("stdout")).unwrap(),
            "hello\n"
        );
        // Acknowledged terminal update: the master forgets the task.
        assert!(m.wait_for(|v| v.tasks().iter().all(|t| t.task_id != id), WAIT));
        assert!(m.with_state(|v| v.unacknowledged_updates().is_empty()));
    }
}

#[test]
fn local_agent_reports_exit_status() {
    let m = local_master();
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("exit"));
    let offer = next_offer(&mut s);
    let cmd = "echo failing >&2; exit 3";
    assert_eq!(
        s.call(launch(
            &offer,
            vec![task("t-fail", &offer.agent_id.value, cmd)]
        ))
        .code,
        202
    );
    let updates = run_to_end(&mut s, "t-fail");
    let last = updates.last().unwrap();
    assert_eq!(last.state, TaskState::TASK_FAILED);
    assert_eq!(
        last.message.as_deref(),
        Some("Command exited with status 3")
    );
    let sandbox = m.with_state(|v| v.task("t-fail").unwrap().sandbox.unwrap());
    assert_eq!(
        fs::read_to_string(sandbox.join("stderr")).unwrap(),
        "failing\n"
    );
}

#[test]
fn kill_terminates_the_process() {
    let m = local_master();
    for encoding in ENCODINGS {
        let mut info = framework_info("kill");
        info.capabilities = vec![Capability {
            r#type: Some(Cap::TASK_KILLING_STATE),
        }];
        let mut s = subscribe(m.addr(), encoding, info);
        let offer = next_offer(&mut s);
        let id = format!("sleeper-{encoding:?}");
        assert_eq!(
            s.call(launch(
                &offer,
                vec![task(&id, &offer.agent_id.value, "sleep 30")]
            ))
            .code,
            202
        );
        let starting = next_update(&mut s);
        ack(&s, &starting);
        let running = next_update(&mut s);
        assert_eq!(running.state, TaskState::TASK_RUNNING);
        ack(&s, &running);
        let kill = Call {
            r#type: Some(CallType::KILL),
            kill: Some(call::Kill {
                task_id: TaskID { value: id.clone() },
                ..Default::default()
            }),
            ..Call::default()
        };
        assert_eq!(s.call(kill).code, 202);
        let updates = run_to_end(&mut s, &id);
        assert_eq!(
            states(&updates),
            [TaskState::TASK_KILLING, TaskState::TASK_KILLED]
        );
        assert_eq!(
            updates[1].message.as_deref(),
            Some("Command terminated with signal Terminated")
        );
    }
}

#[test]
fn teardown_kills_running_tasks() {
    let m = local_master();
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("td"));
    let offer = next_offer(&mut s);
    assert_eq!(
        s.call(launch(
            &offer,
            vec![task("long", &offer.agent_id.value, "sleep 30")]
        ))
        .code,
        202
    );
    assert!(m.wait_for(
        |v| v.task_state("long") == Some(TaskState::TASK_RUNNING),
        WAIT
    ));
    assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    assert!(m.wait_for(
        |v| v.task_state("long") == Some(TaskState::TASK_KILLED),
        WAIT
    ));
    assert!(m.with_state(|v| v.tasks().is_empty()));
}

#[test]
fn launch_validation_errors_carry_no_uuid() {
    let m = scripted_master();
    for encoding in ENCODINGS {
        let mut info = framework_info("invalid");
        info.capabilities = vec![Capability {
            r#type: Some(Cap::PARTITION_AWARE),
        }];
        let mut s = subscribe(m.addr(), encoding, info);
        let offer = next_offer(&mut s);
        let agent = offer.agent_id.value.clone();
        let mut big = task("big", &agent, "true");
        big.resources = vec![scalar("cpus", 64.0)];
        let mut both = task("both", &agent, "true");
        both.executor = Some(ExecutorInfo::default());
        let ok = task("ok", &agent, "true");
        let dup = task("ok", &agent, "true");
        assert_eq!(s.call(launch(&offer, vec![big, both, ok, dup])).code, 202);
        let mut errors = Vec::new();
        let mut ok_updates = Vec::new();
        while errors.len() < 3 || ok_updates.is_empty() {
            let status = next_update(&mut s);
            if status.state == TaskState::TASK_ERROR {
                errors.push(status);
            } else {
                ok_updates.push(status);
            }
        }
        for e in &errors {
            assert!(e.uuid.is_none(), "{e:?}");
            assert_eq!(e.source, Some(Source::SOURCE_MASTER));
            assert_eq!(e.reason, Some(Reason::REASON_TASK_INVALID));
        }
        let ids: Vec<&str> = errors.iter().map(|e| e.task_id.value.as_str()).collect();
        assert_eq!(ids, ["big", "both", "ok"]);
        assert_eq!(
            errors[2].message.as_deref(),
            Some("Task has duplicate ID: ok")
        );
        assert_eq!(ok_updates[0].state, TaskState::TASK_STARTING);
        assert!(ok_updates[0].uuid.is_some());
        // A used offer is invalid now: TASK_DROPPED (partition-aware) without uuid.
        assert_eq!(
            s.call(launch(&offer, vec![task("late", &agent, "true")]))
                .code,
            202
        );
        let dropped = s.events.until(|e| {
            e.update
                .as_ref()
                .is_some_and(|u| u.status.task_id.value == "late")
        });
        let status = dropped.last().unwrap().update.clone().unwrap().status;
        assert_eq!(status.state, TaskState::TASK_DROPPED);
        assert_eq!(status.reason, Some(Reason::REASON_INVALID_OFFERS));
        assert!(status.uuid.is_none());
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

#[test]
fn launch_group_and_resource_accounting_on_scripted_agents() {
    let m = scripted_master();
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("group"));
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    let mut with_port = task("g1", &agent, "true");
    with_port.resources.push(Resource {
        name: "ports".into(),
        r#type: value::Type::RANGES,
        ranges: Some(Ranges {
            range: vec![Range {
                begin: 31005,
                end: 31005,
            }],
        }),
        ..Resource::default()
    });
    let group = Call {
        r#type: Some(CallType::ACCEPT),
        accept: Some(call::Accept {
            offer_ids: vec![offer.id.clone()],
            operations: vec![Operation {
                r#type: Some(OpType::LAUNCH_GROUP),
                launch_group: Some(operation::LaunchGroup {
                    executor: ExecutorInfo {
                        executor_id: ExecutorID {
                            value: "default".into(),
                        },
                        resources: vec![scalar("cpus", 0.1), scalar("mem", 32.0)],
                        ..ExecutorInfo::default()
                    },
                    task_group: TaskGroupInfo {
                        tasks: vec![with_port, task("g2", &agent, "true")],
                    },
                }),
                ..Operation::default()
            }],
            filters: Some(mesos_http::v1::Filters {
                refuse_seconds: Some(0.0),
            }),
        }),
        ..Call::default()
    };
    assert_eq!(s.call(group).code, 202);
    // With `refuse_seconds: 0` the rest of the agent is offered again at
    // once, possibly before the updates: keep that offer when it comes.
    let mut running = Vec::new();
    let mut leftover = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while running.len() < 2 || leftover.is_none() {
        assert!(std::time::Instant::now() < deadline, "tasks did not start");
        let event = s.events.next_event().expect("event");
        if let Some(offers) = event.offers {
            leftover = Some(offers.offers[0].clone());
        } else if let Some(update) = event.update {
            let status = update.status;
            assert_eq!(status.executor_id.as_ref().unwrap().value, "default");
            ack(&s, &status);
            if status.state == TaskState::TASK_RUNNING {
                running.push(status.task_id.value);
            }
        }
    }
    running.sort();
    assert_eq!(running, ["g1", "g2"]);
    // The leftover offer holds what is left: 2 - 3 x 0.1 cpus, ports minus 31005.
    let offer = leftover.expect("an offer of what is left");
    let cpus = offer.resources.iter().find(|r| r.name == "cpus").unwrap();
    assert_eq!(cpus.scalar.as_ref().unwrap().value, 1.7);
    let ports = offer.resources.iter().find(|r| r.name == "ports").unwrap();
    let ranges: Vec<(u64, u64)> = ports
        .ranges
        .as_ref()
        .unwrap()
        .range
        .iter()
        .map(|r| (r.begin, r.end))
        .collect();
    assert_eq!(ranges, [(31000, 31004), (31006, 32000)]);
}

#[test]
fn unacknowledged_updates_are_retried_with_the_same_uuid() {
    let mut config = SimConfig::fast(Duration::from_secs(5)).with_agent(AgentSpec::scripted(
        ScriptedTimeline::finish_after(Duration::ZERO),
    ));
    config.status_update_retry_min = Duration::from_millis(100);
    let m = SimMaster::start(config).unwrap();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("retry"));
        let offer = next_offer(&mut s);
        let id = format!("r-{encoding:?}");
        assert_eq!(
            s.call(launch(&offer, vec![task(&id, &offer.agent_id.value, "x")]))
                .code,
            202
        );
        let first = next_update(&mut s);
        assert_eq!(first.state, TaskState::TASK_STARTING);
        // Not acknowledged: the same update comes again (twice), nothing else for this task.
        for _ in 0..2 {
            let again = next_update(&mut s);
            assert_eq!(again.uuid, first.uuid);
            assert_eq!(again.state, TaskState::TASK_STARTING);
        }
        m.with_state(|v| {
            let pending: Vec<_> = v
                .unacknowledged_updates()
                .into_iter()
                .filter(|u| u.task_id == id)
                .collect();
            assert_eq!(pending.len(), 3, "STARTING, RUNNING, FINISHED queued");
            assert!(pending[0].in_flight && pending[0].deliveries >= 3);
            assert!(!pending[1].in_flight);
        });
        // After the ACK the next update follows at once.
        ack(&s, &first);
        let running = next_update(&mut s);
        assert_eq!(running.state, TaskState::TASK_RUNNING);
        assert_ne!(running.uuid, first.uuid);
        ack(&s, &running);
        let finished = next_update(&mut s);
        assert_eq!(finished.state, TaskState::TASK_FINISHED);
        ack(&s, &finished);
        assert!(m.wait_for(|v| v.unacknowledged_updates().is_empty(), WAIT));
    }
}

#[test]
fn pending_update_is_resent_at_once_on_resubscribe() {
    let mut config = SimConfig::fast(Duration::from_secs(5))
        .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    // Retries are far away, so only the re-subscription can explain a re-send.
    config.status_update_retry_min = Duration::from_secs(600);
    let m = SimMaster::start(config).unwrap();
    for encoding in ENCODINGS {
        let mut info = framework_info("resend");
        info.failover_timeout = Some(300.0);
        let mut s = subscribe(m.addr(), encoding, info.clone());
        let fid = s.framework_id.clone();
        let offer = next_offer(&mut s);
        let id = format!("f-{encoding:?}");
        assert_eq!(
            s.call(launch(&offer, vec![task(&id, &offer.agent_id.value, "x")]))
                .code,
            202
        );
        let starting = next_update(&mut s);
        drop(s);
        assert!(m.wait_for(|v| v.framework(&fid).is_some_and(|f| !f.connected), WAIT));
        info.id = Some(mesos_http::v1::FrameworkID { value: fid.clone() });
        let mut s = subscribe(m.addr(), encoding, info);
        let again = next_update(&mut s);
        assert_eq!(again.uuid, starting.uuid, "same update, same uuid");
        assert_eq!(again.state, TaskState::TASK_STARTING);
        ack(&s, &again);
        let running = next_update(&mut s);
        assert_eq!(running.state, TaskState::TASK_RUNNING);
        ack(&s, &running);
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

fn reconcile(tasks: &[(&str, Option<&str>)]) -> Call {
    Call {
        r#type: Some(CallType::RECONCILE),
        reconcile: Some(call::Reconcile {
            tasks: tasks
                .iter()
                .map(|(t, a)| call::reconcile::Task {
                    task_id: TaskID {
                        value: t.to_string(),
                    },
                    agent_id: a.map(|a| AgentID { value: a.into() }),
                })
                .collect(),
        }),
        ..Call::default()
    }
}

fn updates_for(s: &mut Subscribed, n: usize) -> Vec<TaskStatus> {
    (0..n).map(|_| next_update(s)).collect()
}

#[test]
fn reconciliation_and_kill_of_unknown_tasks() {
    let m = scripted_master();
    for (encoding, partition_aware) in [(Encoding::Json, true), (Encoding::Protobuf, false)] {
        let mut info = framework_info("rec");
        if partition_aware {
            info.capabilities = vec![Capability {
                r#type: Some(Cap::PARTITION_AWARE),
            }];
        }
        let mut s = subscribe(m.addr(), encoding, info);
        let offer = next_offer(&mut s);
        let agent = offer.agent_id.value.clone();
        let id = format!("run-{encoding:?}");
        assert_eq!(
            s.call(launch(&offer, vec![task(&id, &agent, "x")])).code,
            202
        );
        ack_starting_and_running(&mut s);
        assert!(m.wait_for(|v| v.unacknowledged_updates().is_empty(), WAIT));
        // Implicit: every known task, no uuid.
        assert_eq!(s.call(reconcile(&[])).code, 202);
        let implicit = next_update(&mut s);
        assert_eq!(implicit.task_id.value, id);
        assert_eq!(implicit.state, TaskState::TASK_RUNNING);
        assert_eq!(implicit.reason, Some(Reason::REASON_RECONCILIATION));
        assert_eq!(
            implicit.message.as_deref(),
            Some("Reconciliation: Latest task state")
        );
        assert!(implicit.uuid.is_none());
        // Explicit.
        let c = reconcile(&[
            (&id, Some(&agent)),
            ("nope", Some(&agent)),
            ("nope2", None),
            ("nope3", Some("no-agent")),
        ]);
        assert_eq!(s.call(c).code, 202);
        let answers = updates_for(&mut s, 4);
        let (gone, unknown) = if partition_aware {
            (TaskState::TASK_GONE, TaskState::TASK_UNKNOWN)
        } else {
            (TaskState::TASK_LOST, TaskState::TASK_LOST)
        };
        assert_eq!(
            states(&answers),
            [TaskState::TASK_RUNNING, gone, unknown, unknown]
        );
        assert_eq!(
            answers[1].message.as_deref(),
            Some("Reconciliation: Task is unknown to the agent")
        );
        assert_eq!(
            answers[2].message.as_deref(),
            Some("Reconciliation: Task is unknown")
        );
        assert!(answers[2].agent_id.is_none());
        assert_eq!(answers[3].agent_id.as_ref().unwrap().value, "no-agent");
        assert!(answers
            .iter()
            .all(|a| a.uuid.is_none() && a.source == Some(Source::SOURCE_MASTER)));
        // KILL of an unknown task is answered like an explicit reconciliation.
        let kill = Call {
            r#type: Some(CallType::KILL),
            kill: Some(call::Kill {
                task_id: TaskID {
                    value: "ghost".into(),
                },
                ..Default::default()
            }),
            ..Call::default()
        };
        assert_eq!(s.call(kill).code, 202);
        let ghost = next_update(&mut s);
        assert_eq!(
            (ghost.task_id.value.as_str(), ghost.state),
            ("ghost", unknown)
        );
        // RECONCILE_OPERATIONS: OPERATION_UNKNOWN, no uuid.
        let ro = Call {
            r#type: Some(CallType::RECONCILE_OPERATIONS),
            reconcile_operations: Some(call::ReconcileOperations {
                operations: vec![call::reconcile_operations::Operation {
                    operation_id: OperationID {
                        value: "op-x".into(),
                    },
                    agent_id: Some(AgentID {
                        value: agent.clone(),
                    }),
                    ..Default::default()
                }],
            }),
            ..Call::default()
        };
        assert_eq!(s.call(ro).code, 202);
        let e: Event = s.events.expect(EventType::UPDATE_OPERATION_STATUS);
        let status = e.update_operation_status.unwrap().status;
        assert_eq!(status.state, OperationState::OPERATION_UNKNOWN);
        assert_eq!(
            status.message.as_deref(),
            Some("Reconciliation: Operation is unknown")
        );
        assert!(status.uuid.is_none());
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

#[test]
fn scripted_timeline_and_scale() {
    let agents = 2000;
    let used = 100;
    let mut config = SimConfig::fast(Duration::from_secs(5));
    config.status_update_retry_min = Duration::from_secs(600);
    for _ in 0..agents {
        config = config.with_agent(AgentSpec::scripted(ScriptedTimeline {
            steps: vec![
                ScriptStep::new(Duration::ZERO, TaskState::TASK_RUNNING),
                ScriptStep {
                    after: Duration::from_millis(50),
                    state: TaskState::TASK_FINISHED,
                    message: Some("done".into()),
                },
            ],
        }));
    }
    let m = SimMaster::start(config).unwrap();
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("scale"));
    let mut offers = Vec::new();
    while offers.len() < agents {
        offers.extend(s.events.expect(EventType::OFFERS).offers.unwrap().offers);
    }
    let mut agent_ids: Vec<&str> = offers.iter().map(|o| o.agent_id.value.as_str()).collect();
    agent_ids.sort();
    agent_ids.dedup();
    assert_eq!(agent_ids.len(), agents, "one offer per agent");
    for (i, offer) in offers.iter().take(used).enumerate() {
        let tasks = (0..3)
            .map(|k| task(&format!("t{i}-{k}"), &offer.agent_id.value, "x"))
            .collect();
        assert_eq!(s.call(launch(offer, tasks)).code, 202);
    }
    let total = used * 3;
    let mut finished = std::collections::BTreeSet::new();
    while finished.len() < total {
        let status = next_update(&mut s);
        ack(&s, &status);
        if status.state == TaskState::TASK_FINISHED {
            assert_eq!(status.message.as_deref(), Some("done"));
            finished.insert(status.task_id.value);
        }
    }
    assert!(m.wait_for(
        |v| v.tasks().is_empty() && v.completed_tasks().len() == total,
        WAIT
    ));
}

#[test]
fn removing_an_agent_reports_its_tasks_lost() {
    let m = scripted_master();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("lost"));
        let offer = next_offer(&mut s);
        let agent = offer.agent_id.value.clone();
        let id = format!("on-removed-{encoding:?}");
        assert_eq!(
            s.call(launch(&offer, vec![task(&id, &agent, "x")])).code,
            202
        );
        ack_starting_and_running(&mut s);
        assert!(m.remove_agent(&agent));
        let lost = next_update(&mut s);
        assert_eq!(lost.task_id.value, id);
        assert_eq!(lost.state, TaskState::TASK_LOST);
        assert_eq!(lost.reason, Some(Reason::REASON_AGENT_REMOVED));
        assert!(lost.uuid.is_none());
        assert!(m.with_state(|v| v.tasks().is_empty() && v.agents().is_empty()));
        m.add_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()));
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

/// A task run by its own (custom) executor `executor`, whose command is `command`.
fn executor_task(id: &str, agent: &str, executor: &str, command: &str) -> TaskInfo {
    let mut t = task(id, agent, command);
    t.executor = Some(ExecutorInfo {
        executor_id: ExecutorID {
            value: executor.into(),
        },
        command: t.command.take(),
        ..ExecutorInfo::default()
    });
    t
}

fn shutdown(executor: &str, agent: &str) -> Call {
    Call {
        r#type: Some(CallType::SHUTDOWN),
        shutdown: Some(call::Shutdown {
            executor_id: ExecutorID {
                value: executor.into(),
            },
            agent_id: AgentID {
                value: agent.into(),
            },
        }),
        ..Call::default()
    }
}

/// The next event that is not a HEARTBEAT or OFFERS.
fn next_interesting(s: &mut Subscribed) -> Event {
    loop {
        let event = s.events.next_non_heartbeat();
        if event.r#type() != EventType::OFFERS {
            return event;
        }
    }
}

fn process_exists(pid: u32) -> bool {
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn shutdown_of_a_custom_executor_whose_task_finished_reports_failure() {
    // SchedulerTest.ShutdownExecutor: the executor outlives its finished
    // task; SHUTDOWN ends it and the framework gets a FAILURE naming it.
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5)).with_agent(
        AgentSpec::scripted(ScriptedTimeline::finish_after(Duration::ZERO)),
    ))
    .unwrap();
    for encoding in ENCODINGS {
        let mut s = subscribe(m.addr(), encoding, framework_info("shutdown"));
        let offer = next_offer(&mut s);
        let agent = offer.agent_id.value.clone();
        let id = format!("custom-{encoding:?}");
        let t = executor_task(&id, &agent, "exec-1", "x");
        assert_eq!(s.call(launch(&offer, vec![t])).code, 202);
        let updates = run_to_end(&mut s, &id);
        assert_eq!(updates.last().unwrap().state, TaskState::TASK_FINISHED);
        assert_eq!(
            updates.last().unwrap().executor_id.as_ref().unwrap().value,
            "exec-1"
        );

        assert_eq!(s.call(shutdown("exec-1", &agent)).code, 202);
        let event = next_interesting(&mut s);
        assert_eq!(event.r#type(), EventType::FAILURE, "{event:?}");
        let failure = event.failure.unwrap();
        assert_eq!(failure.agent_id.unwrap().value, agent);
        assert_eq!(failure.executor_id.unwrap().value, "exec-1");
        assert_eq!(failure.status, Some(0), "exited cleanly");

        // The executor is gone: a second SHUTDOWN is ignored like any
        // unknown executor (the next event is the reconciliation answer).
        assert_eq!(s.call(shutdown("exec-1", &agent)).code, 202);
        assert_eq!(s.call(reconcile(&[("nope", None)])).code, 202);
        let event = next_interesting(&mut s);
        assert_eq!(event.r#type(), EventType::UPDATE, "{event:?}");
        assert_eq!(event.update.unwrap().status.task_id.value, "nope");
        assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
    }
}

#[test]
fn shutdown_of_an_executor_that_ignores_it_ends_in_a_kill_after_the_grace_period() {
    // On a local agent a custom executor is a real process expected to
    // speak the executor API; `sleep 30` never does, so its task never
    // leaves STAGING. SHUTDOWN gives it the grace period (2 s with the fast
    // config), then the agent kills it: a FAILURE names the executor with
    // SIGKILL's wait status, then the agent itself fails the task.
    let m = local_master();
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("shutdown-local"));
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    let t = executor_task("long", &agent, "exec-long", "sleep 30");
    assert_eq!(s.call(launch(&offer, vec![t])).code, 202);
    assert!(m.wait_for(|v| v.executor("exec-long").is_some(), WAIT));
    let pid = m.with_state(|v| v.executor("exec-long").unwrap().pid);
    assert!(process_exists(pid));
    assert_eq!(
        m.with_state(|v| v.task_state("long")),
        Some(TaskState::TASK_STAGING)
    );

    assert_eq!(s.call(shutdown("exec-long", &agent)).code, 202);
    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::FAILURE, "{event:?}");
    let failure = event.failure.unwrap();
    assert_eq!(failure.agent_id.unwrap().value, agent);
    assert_eq!(failure.executor_id.unwrap().value, "exec-long");
    // The raw wait status of a process ended by SIGKILL.
    assert_eq!(failure.status, Some(9));
    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::UPDATE, "{event:?}");
    let failed = event.update.unwrap().status;
    assert_eq!(failed.task_id.value, "long");
    assert_agent_says_executor_terminated(&failed, &agent, "exec-long");
    ack(&s, &failed);
    assert!(!process_exists(pid), "the executor's process is gone");
}

#[test]
fn shutdown_of_a_command_executor_kills_the_task_without_failure() {
    // The agent never reports command executors' exits to the master.
    let m = scripted_master();
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("cmd"));
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    assert_eq!(
        s.call(launch(&offer, vec![task("cmd-task", &agent, "x")]))
            .code,
        202
    );
    ack_starting_and_running(&mut s);
    // The command executor's id is the task id.
    assert_eq!(s.call(shutdown("cmd-task", &agent)).code, 202);
    let event = next_interesting(&mut s);
    let killed = event.update.expect("an UPDATE").status;
    assert_eq!(killed.state, TaskState::TASK_KILLED);
    ack(&s, &killed);
    assert_eq!(s.call(reconcile(&[("probe", None)])).code, 202);
    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::UPDATE, "no FAILURE: {event:?}");
    assert_eq!(event.update.unwrap().status.task_id.value, "probe");
}

#[test]
fn agent_removal_sends_every_connected_framework_a_failure_for_the_agent() {
    let m = scripted_master();
    let mut with_task = subscribe(m.addr(), Encoding::Json, framework_info("has-task"));
    let offer = next_offer(&mut with_task);
    let agent = offer.agent_id.value.clone();
    assert_eq!(
        with_task
            .call(launch(&offer, vec![task("doomed", &agent, "x")]))
            .code,
        202
    );
    ack_starting_and_running(&mut with_task);
    let mut bystander = subscribe(m.addr(), Encoding::Protobuf, framework_info("bystander"));
    assert!(m.wait_for(|v| v.frameworks().len() == 2, WAIT));

    assert!(m.remove_agent(&agent));
    // The framework with a task there: its task is lost first, then the agent.
    let event = next_interesting(&mut with_task);
    let lost = event.update.expect("an UPDATE").status;
    assert_eq!(lost.state, TaskState::TASK_LOST);
    let event = next_interesting(&mut with_task);
    assert_eq!(event.r#type(), EventType::FAILURE, "{event:?}");
    let failure = event.failure.unwrap();
    assert_eq!(failure.agent_id.unwrap().value, agent);
    assert_eq!(failure.executor_id, None);
    assert_eq!(failure.status, None);
    // Every connected framework hears of the lost agent.
    let failure = bystander.events.expect(EventType::FAILURE).failure.unwrap();
    assert_eq!(failure.agent_id.unwrap().value, agent);
    assert_eq!(failure.executor_id, None);
    assert_eq!(failure.status, None);
}

/// A real agent's own update for a task whose custom executor terminated
/// (as a Mesos 1.12 agent writes it): TASK_FAILED, "Executor terminated",
/// REASON_EXECUTOR_TERMINATED, SOURCE_AGENT, with the agent's and the
/// executor's ids and no container status.
fn assert_agent_says_executor_terminated(status: &TaskStatus, agent: &str, executor: &str) {
    assert_eq!(status.state, TaskState::TASK_FAILED, "{status:?}");
    assert_eq!(status.message.as_deref(), Some("Executor terminated"));
    assert_eq!(status.reason, Some(Reason::REASON_EXECUTOR_TERMINATED));
    assert_eq!(status.source, Some(Source::SOURCE_AGENT));
    assert_eq!(status.agent_id.as_ref().unwrap().value, agent);
    assert_eq!(status.executor_id.as_ref().unwrap().value, executor);
    assert_eq!(status.container_status, None);
    assert!(status.uuid.is_some(), "reliable: acknowledged by uuid");
}

fn kill_call(task: &str) -> Call {
    Call {
        r#type: Some(CallType::KILL),
        kill: Some(call::Kill {
            task_id: TaskID { value: task.into() },
            ..Default::default()
        }),
        ..Call::default()
    }
}

#[test]
fn a_task_killed_before_its_executor_subscribed_is_killed_by_the_agent() {
    // `sleep 30` never subscribes as an executor, so the task never reaches
    // it: the agent reports the kill itself (SOURCE_AGENT), and sends no
    // TASK_KILLING although the framework understands it.
    let m = local_master();
    let mut info = framework_info("kill-undelivered");
    info.capabilities = vec![Capability {
        r#type: Some(Cap::TASK_KILLING_STATE),
    }];
    let mut s = subscribe(m.addr(), Encoding::Json, info);
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    let t = executor_task("undelivered", &agent, "exec-undelivered", "sleep 30");
    assert_eq!(s.call(launch(&offer, vec![t])).code, 202);
    assert!(m.wait_for(|v| v.executor("exec-undelivered").is_some(), WAIT));

    assert_eq!(s.call(kill_call("undelivered")).code, 202);
    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::UPDATE, "{event:?}");
    let killed = event.update.unwrap().status;
    assert_eq!(killed.task_id.value, "undelivered");
    assert_eq!(killed.state, TaskState::TASK_KILLED);
    assert_eq!(
        killed.message.as_deref(),
        Some("Killed before delivery to the executor")
    );
    assert_eq!(
        killed.reason,
        Some(Reason::REASON_TASK_KILLED_DURING_LAUNCH)
    );
    assert_eq!(killed.source, Some(Source::SOURCE_AGENT));
    assert_eq!(killed.executor_id.unwrap().value, "exec-undelivered");
    assert_eq!(killed.container_status, None);
    assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
}

#[test]
fn an_executor_that_cannot_be_started_fails_its_task_from_the_agent() {
    // No shell and no such program: the agent cannot launch the container.
    let m = local_master();
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("no-executor"));
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    let mut t = executor_task("orphan", &agent, "exec-missing", "/nonexistent/executor");
    let command = t.executor.as_mut().unwrap().command.as_mut().unwrap();
    command.shell = Some(false);
    assert_eq!(s.call(launch(&offer, vec![t])).code, 202);

    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::UPDATE, "{event:?}");
    let failed = event.update.unwrap().status;
    assert_eq!(failed.task_id.value, "orphan");
    assert_eq!(failed.state, TaskState::TASK_FAILED);
    let message = failed.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("Failed to launch container: "),
        "{failed:?}"
    );
    assert_eq!(failed.reason, Some(Reason::REASON_CONTAINER_LAUNCH_FAILED));
    assert_eq!(failed.source, Some(Source::SOURCE_AGENT));
    assert_eq!(failed.container_status, None);
    ack(&s, &failed);
    assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
}

#[test]
fn a_crashed_custom_executor_is_reported_as_a_real_agent_does() {
    // As in a real agent's capture: the executor SIGKILLed from outside;
    // FAILURE (wait status 9) first, then the agent's TASK_FAILED.
    let m = local_master();
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("crash"));
    let offer = next_offer(&mut s);
    let agent = offer.agent_id.value.clone();
    let t = executor_task("crash-exec", &agent, "exec-crash", "sleep 30");
    assert_eq!(s.call(launch(&offer, vec![t])).code, 202);
    assert!(m.wait_for(|v| v.executor("exec-crash").is_some(), WAIT));
    let pid = m.with_state(|v| v.executor("exec-crash").unwrap().pid);
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::FAILURE, "{event:?}");
    let failure = event.failure.unwrap();
    assert_eq!(failure.executor_id.unwrap().value, "exec-crash");
    assert_eq!(failure.status, Some(9));
    let event = next_interesting(&mut s);
    assert_eq!(event.r#type(), EventType::UPDATE, "{event:?}");
    let failed = event.update.unwrap().status;
    assert_eq!(failed.task_id.value, "crash-exec");
    assert_agent_says_executor_terminated(&failed, &agent, "exec-crash");
    ack(&s, &failed);
    assert_eq!(s.call(bare(CallType::TEARDOWN)).code, 202);
}
