//! Failures a framework must survive, on the simulated master: an agent cut
//! off by a network partition (updates held, then flowing on heal), an agent
//! the master gives up on (TASK_LOST / TASK_UNREACHABLE), and a master
//! restart that loses every framework and task until agents re-register.
//! Absence of an event is shown by ordering: the stream is FIFO, so an
//! answer that arrives first proves that nothing was sent before it.

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
use mesos_http::v1::scheduler::Call;
use mesos_http::v1::task_status::{Reason, Source};
use mesos_http::v1::value::{self, Scalar};
use mesos_http::v1::{
    AgentID, CommandInfo, FrameworkID, Offer, Resource, TaskID, TaskInfo, TaskState, TaskStatus,
};
use mesos_http_sim::{AgentLink, AgentSpec, ScriptedTimeline, SimConfig, SimMaster};
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

fn task(id: &str, offer: &Offer, command: &str) -> TaskInfo {
    TaskInfo {
        name: id.into(),
        task_id: TaskID { value: id.into() },
        agent_id: offer.agent_id.clone(),
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

fn offers(s: &mut Subscribed) -> Vec<Offer> {
    s.events.expect(EventType::OFFERS).offers.unwrap().offers
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

/// Reads and acknowledges a fresh task's first two updates (STARTING, RUNNING).
fn ack_starting_and_running(s: &mut Subscribed) {
    for expected in [TaskState::TASK_STARTING, TaskState::TASK_RUNNING] {
        let u = next_update(s);
        assert_eq!(u.state, expected, "{u:?}");
        ack(s, &u);
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

fn kill(task_id: &str) -> Call {
    Call {
        r#type: Some(CallType::KILL),
        kill: Some(call::Kill {
            task_id: TaskID {
                value: task_id.into(),
            },
            ..call::Kill::default()
        }),
        ..Call::default()
    }
}

/// A master's own answer: reason, source, no uuid.
fn assert_master_answer(status: &TaskStatus, task: &str, state: TaskState, reason: Reason) {
    assert_eq!(status.task_id.value, task, "{status:?}");
    assert_eq!(status.state, state, "{status:?}");
    assert_eq!(status.reason, Some(reason), "{status:?}");
    assert_eq!(status.source, Some(Source::SOURCE_MASTER), "{status:?}");
    assert_eq!(status.uuid, None, "master answers need no ACK: {status:?}");
}

fn with_capability(name: &str, capability: Option<Cap>) -> mesos_http::v1::FrameworkInfo {
    let mut info = framework_info(name);
    info.capabilities = capability
        .map(|c| Capability { r#type: Some(c) })
        .into_iter()
        .collect();
    info
}

/// One scripted agent `a` whose tasks run until killed, and a framework
/// (partition-aware or not) with task `t` RUNNING and acknowledged there.
fn running_task(partition_aware: bool) -> (SimMaster, Subscribed) {
    let master = SimMaster::start(
        SimConfig::fast(Duration::from_secs(5))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("a")),
    )
    .unwrap();
    let capability = partition_aware.then_some(Cap::PARTITION_AWARE);
    let mut s = subscribe(
        master.addr(),
        Encoding::Json,
        with_capability("partition", capability),
    );
    let offer = offers(&mut s).remove(0);
    assert_eq!(
        s.call(launch(&offer, vec![task("t", &offer, "x")])).code,
        202
    );
    ack_starting_and_running(&mut s);
    (master, s)
}

#[test]
fn a_partitioned_agent_holds_its_updates_and_sends_them_when_healed() {
    let master = SimMaster::start(
        SimConfig::fast(Duration::from_secs(5)).with_agent(AgentSpec::local().with_id("a")),
    )
    .unwrap();
    let mut s = subscribe(master.addr(), Encoding::Json, framework_info("partition"));
    let offer = offers(&mut s).remove(0);
    // The task ends when the test creates `release` in its sandbox.
    let waits = "while [ ! -e release ]; do sleep 0.02; done";
    assert_eq!(
        s.call(launch(&offer, vec![task("t", &offer, waits)])).code,
        202
    );
    ack_starting_and_running(&mut s);

    assert!(master.partition_agent("a"));
    assert!(!master.partition_agent("a"), "already partitioned");
    assert!(!master.partition_agent("nope"));
    master.with_state(|v| assert_eq!(v.agent_link("a"), Some(AgentLink::Disconnected)));
    let sandbox = master.with_state(|v| v.task("t").unwrap().sandbox.unwrap());
    fs::write(sandbox.join("release"), b"").unwrap();
    // The agent has the update; it is held there, never sent.
    assert!(master.wait_for(
        |v| v.unacknowledged_updates().iter().any(|u| u.task_id == "t"
            && u.state == TaskState::TASK_FINISHED
            && u.in_flight
            && u.deliveries == 0),
        WAIT
    ));
    // The master answers from what it last heard.
    assert_eq!(s.call(reconcile(&[("t", Some("a"))])).code, 202);
    let answer = next_update(&mut s);
    assert_master_answer(
        &answer,
        "t",
        TaskState::TASK_RUNNING,
        Reason::REASON_RECONCILIATION,
    );
    assert_eq!(s.call(reconcile(&[])).code, 202);
    assert_eq!(next_update(&mut s).state, TaskState::TASK_RUNNING);

    assert!(master.heal_agent("a"));
    assert!(!master.heal_agent("a"), "already registered");
    master.with_state(|v| assert_eq!(v.agent_link("a"), Some(AgentLink::Registered)));
    let finished = next_update(&mut s);
    assert_eq!(finished.state, TaskState::TASK_FINISHED);
    assert_eq!(finished.source, Some(Source::SOURCE_EXECUTOR));
    assert!(
        finished.uuid.is_some(),
        "the agent's own update: {finished:?}"
    );
    assert_eq!(s.call(reconcile(&[("t", Some("a"))])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t",
        TaskState::TASK_FINISHED,
        Reason::REASON_RECONCILIATION,
    );
    ack(&s, &finished);
    assert!(master.wait_for(|v| v.tasks().is_empty(), WAIT));
}

#[test]
fn a_kill_during_a_partition_waits_for_the_agent() {
    let (master, mut s) = running_task(false);
    assert!(master.partition_agent("a"));
    assert_eq!(s.call(kill("t")).code, 202);
    // Had the kill gone through, TASK_KILLED would come before this answer.
    assert_eq!(s.call(reconcile(&[("t", Some("a"))])).code, 202);
    assert_eq!(next_update(&mut s).state, TaskState::TASK_RUNNING);
    assert_eq!(
        master.with_state(|v| v.task_state("t")),
        Some(TaskState::TASK_RUNNING)
    );
    assert!(master.heal_agent("a"));
    let killed = next_update(&mut s);
    assert_eq!(killed.state, TaskState::TASK_KILLED, "{killed:?}");
    assert!(killed.uuid.is_some());
}

#[test]
fn an_unreachable_agent_s_tasks_are_lost_until_it_re_registers() {
    let (master, mut s) = running_task(false);
    assert!(
        !master.mark_agent_unreachable("a"),
        "a registered agent is not given up"
    );
    assert!(master.partition_agent("a"));
    assert!(master.mark_agent_unreachable("a"));
    master.with_state(|v| assert_eq!(v.agent_link("a"), Some(AgentLink::Unreachable)));
    let lost = next_update(&mut s);
    assert_master_answer(
        &lost,
        "t",
        TaskState::TASK_LOST,
        Reason::REASON_AGENT_REMOVED,
    );
    let failure = s.events.expect(EventType::FAILURE).failure.unwrap();
    assert_eq!(failure.agent_id.unwrap().value, "a");
    // Explicit, then implicit reconciliation: lost, for reconciliation.
    assert_eq!(s.call(reconcile(&[("t", Some("a"))])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t",
        TaskState::TASK_LOST,
        Reason::REASON_RECONCILIATION,
    );
    assert_eq!(s.call(reconcile(&[])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t",
        TaskState::TASK_LOST,
        Reason::REASON_RECONCILIATION,
    );
    // It was running all along: after re-registration it is again.
    assert!(master.heal_agent("a"));
    assert_eq!(s.call(reconcile(&[("t", Some("a"))])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t",
        TaskState::TASK_RUNNING,
        Reason::REASON_RECONCILIATION,
    );
}

#[test]
fn a_partition_aware_framework_sees_unreachable_instead_of_lost() {
    let (master, mut s) = running_task(true);
    assert!(master.partition_agent("a"));
    assert!(master.mark_agent_unreachable("a"));
    assert_master_answer(
        &next_update(&mut s),
        "t",
        TaskState::TASK_UNREACHABLE,
        Reason::REASON_AGENT_REMOVED,
    );
    assert_eq!(
        s.call(reconcile(&[
            ("t", Some("a")),
            ("never-launched", Some("a"))
        ]))
        .code,
        202
    );
    for task in ["t", "never-launched"] {
        assert_master_answer(
            &next_update(&mut s),
            task,
            TaskState::TASK_UNREACHABLE,
            Reason::REASON_RECONCILIATION,
        );
    }
}

#[test]
fn a_master_restart_forgets_frameworks_and_tasks_until_agents_re_register() {
    let master = SimMaster::start(
        SimConfig::fast(Duration::from_secs(5))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("a"))
            .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("b")),
    )
    .unwrap();
    let mut info = framework_info("restart");
    info.failover_timeout = Some(3600.0);
    let mut s = subscribe(master.addr(), Encoding::Json, info.clone());
    let framework_id = s.framework_id.clone();
    let old_master_id = master.master_id();
    let mut offered = Vec::new();
    while offered.len() < 2 {
        offered.extend(offers(&mut s));
    }
    for offer in &offered {
        let id = format!("t-{}", offer.agent_id.value);
        assert_eq!(s.call(launch(offer, vec![task(&id, offer, "x")])).code, 202);
    }
    // Every update acknowledged but t-a's RUNNING, which stays pending.
    let mut unacked = None;
    while unacked.is_none() || master.with_state(|v| v.unacknowledged_updates().len()) > 1 {
        let u = next_update(&mut s);
        if u.task_id.value == "t-a" && u.state == TaskState::TASK_RUNNING {
            unacked = Some(u);
        } else {
            ack(&s, &u);
        }
    }
    let unacked = unacked.unwrap();

    master.restart_losing_state();
    let end = loop {
        if let Err(end) = s.events.next_event() {
            break end;
        }
    };
    assert!(
        matches!(end, StreamEnd::Io(_)),
        "connection dropped: {end:?}"
    );
    assert_ne!(
        master.master_id(),
        old_master_id,
        "a restarted master has a new id"
    );
    master.with_state(|v| {
        assert!(v.frameworks().is_empty());
        assert_eq!(v.agent_link("a"), Some(AgentLink::Recovered));
        assert_eq!(v.agent_link("b"), Some(AgentLink::Recovered));
    });
    let refused = s.call(reconcile(&[]));
    assert_eq!(
        (refused.code, refused.text()),
        (400, "Framework cannot be found".to_string())
    );

    // The old id is accepted by the new master.
    info.id = Some(FrameworkID {
        value: framework_id.clone(),
    });
    let mut s = subscribe(master.addr(), Encoding::Json, info);
    assert_eq!(s.framework_id, framework_id);
    // Naming agents that have not re-registered: no answer. Unknown tasks
    // without an agent id, and the implicit reconciliation of an empty
    // master, give what comes next.
    assert_eq!(
        s.call(reconcile(&[("t-a", Some("a")), ("t-b", Some("b"))]))
            .code,
        202
    );
    assert_eq!(s.call(reconcile(&[])).code, 202);
    assert_eq!(s.call(reconcile(&[("t-a", None)])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t-a",
        TaskState::TASK_LOST,
        Reason::REASON_RECONCILIATION,
    );

    // Agent a re-registers: its task is back, its pending update comes
    // again with the same uuid.
    assert!(master.heal_agent("a"));
    let again = next_update(&mut s);
    assert_eq!(
        (again.task_id.value.as_str(), again.state, &again.uuid),
        ("t-a", TaskState::TASK_RUNNING, &unacked.uuid)
    );
    ack(&s, &again);
    assert_eq!(s.call(reconcile(&[("t-a", Some("a"))])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t-a",
        TaskState::TASK_RUNNING,
        Reason::REASON_RECONCILIATION,
    );

    // Agent b never does: once given up, the master tells only of the
    // agent (it knew none of its tasks), and its task is lost.
    assert!(master.mark_agent_unreachable("b"));
    let before_failure = s.events.until(|e| e.r#type() == EventType::FAILURE);
    assert!(
        before_failure
            .iter()
            .all(|e| e.r#type() != EventType::UPDATE),
        "{before_failure:?}"
    );
    assert_eq!(s.call(reconcile(&[("t-b", Some("b"))])).code, 202);
    assert_master_answer(
        &next_update(&mut s),
        "t-b",
        TaskState::TASK_LOST,
        Reason::REASON_RECONCILIATION,
    );
    // Implicitly: only what the master knows again, t-a.
    assert_eq!(s.call(reconcile(&[])).code, 202);
    assert_eq!(s.call(reconcile(&[("x", None)])).code, 202);
    let answers: Vec<(String, TaskState)> = (0..2)
        .map(|_| next_update(&mut s))
        .map(|u| (u.task_id.value, u.state))
        .collect();
    assert_eq!(
        answers,
        [
            ("t-a".to_string(), TaskState::TASK_RUNNING),
            ("x".to_string(), TaskState::TASK_LOST)
        ]
    );
}
