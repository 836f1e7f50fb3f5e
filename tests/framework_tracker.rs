//! The framework layer against the simulated master, in both encodings:
//! each task state change handed over once (re-delivered updates and
//! reconciliation answers that repeat the known state absorbed), unknown
//! tasks reported, offers of an earlier subscription refused locally, a
//! master that lost its state answered by reconciliation (each task LOST
//! once), and a changed framework id ending the framework with a typed
//! reason.

use std::thread;
use std::time::{Duration, Instant};

use mesos_http::call;
use mesos_http::framework::{
    Framework, FrameworkEnd, FrameworkError, FrameworkItem, MemoryStore, StoredFramework,
};
use mesos_http::recordio::encode_to_vec;
use mesos_http::v1::scheduler::event::{Type as EventType, Update};
use mesos_http::v1::scheduler::Event as WireEvent;
use mesos_http::v1::{self, FrameworkID, FrameworkInfo, TaskID, TaskState, TaskStatus};
use mesos_http::{Encoding, Scheduler};
use mesos_http_sim::{AgentSpec, Chunking, ReplayMaster, ScriptedTimeline, SimConfig, SimMaster};

const PATIENCE: Duration = Duration::from_secs(30);
const AGENT: &str = "tracker-agent";

fn config() -> SimConfig {
    SimConfig::fast(Duration::from_millis(200))
        .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id(AGENT))
}

fn info() -> FrameworkInfo {
    FrameworkInfo {
        user: "nobody".into(),
        name: "tracker-test".into(),
        failover_timeout: Some(3600.0),
        ..FrameworkInfo::default()
    }
}

fn connect(url: &str, encoding: Encoding, store: MemoryStore) -> Framework {
    let scheduler = Scheduler::builder(url)
        .encoding(encoding)
        .backoff(Duration::from_millis(20), Duration::from_millis(200));
    Framework::builder(scheduler, info())
        .store(store)
        .reconcile_backoff(Duration::from_millis(100), Duration::from_millis(800))
        .connect()
        .expect("connect")
}

/// What the application saw, one line per item.
#[derive(Default)]
struct Seen {
    lines: Vec<String>,
}

impl Seen {
    fn record(&mut self, item: &FrameworkItem) {
        let line = match item {
            FrameworkItem::Subscribed { resumed, .. } => format!("subscribed resumed={resumed}"),
            FrameworkItem::Task(change) => {
                format!("task {} {:?}", change.task_id().value, change.state())
            }
            FrameworkItem::UnknownTask(change) => {
                format!("unknown {} {:?}", change.task_id().value, change.state())
            }
            FrameworkItem::Terminated(end) => format!("terminated {end}"),
            FrameworkItem::Offers(_) => "offers".into(),
            other => format!("{other:?}").chars().take(40).collect(),
        };
        self.lines.push(line);
    }

    fn count(&self, line: &str) -> usize {
        self.lines.iter().filter(|l| *l == line).count()
    }
}

/// Runs the loop until `pick` returns something; every item is recorded.
fn until<T>(
    framework: &mut Framework,
    seen: &mut Seen,
    what: &str,
    mut pick: impl FnMut(&mut Framework, FrameworkItem) -> Option<T>,
) -> T {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match framework.next_timeout(Duration::from_millis(50)) {
            Ok(item) => {
                seen.record(&item);
                if let Some(found) = pick(framework, item) {
                    return found;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(_) => panic!("channel closed waiting for {what}: {:?}", seen.lines),
        }
    }
    panic!("no {what} within {PATIENCE:?}: {:?}", seen.lines)
}

/// Runs the loop until `done` holds for the framework (checked between items).
fn until_state(
    framework: &mut Framework,
    seen: &mut Seen,
    what: &str,
    done: impl Fn(&Framework) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    while !done(framework) {
        assert!(Instant::now() < deadline, "no {what}: {:?}", seen.lines);
        if let Ok(item) = framework.next_timeout(Duration::from_millis(50)) {
            seen.record(&item);
        }
    }
}

fn subscribed(framework: &mut Framework, seen: &mut Seen) -> (FrameworkID, bool) {
    until(framework, seen, "SUBSCRIBED", |_, item| match item {
        FrameworkItem::Subscribed {
            framework_id,
            resumed,
            ..
        } => Some((framework_id, resumed)),
        _ => None,
    })
}

/// Launches `ids` on the first offer; declines the rest.
fn launch(framework: &mut Framework, seen: &mut Seen, ids: &[&str]) {
    until(framework, seen, "an offer", |fw, item| {
        let FrameworkItem::Offers(offers) = item else {
            return None;
        };
        let mut offers = offers.into_iter();
        let offer = offers.next()?;
        let tasks = ids.iter().map(|id| task(id, &offer)).collect::<Vec<_>>();
        fw.accept([offer.id.clone()], [call::launch(tasks)], None)
            .expect("ACCEPT");
        fw.decline(offers.map(|o| o.id), None).expect("DECLINE");
        Some(())
    })
}

fn task(id: &str, offer: &v1::Offer) -> v1::TaskInfo {
    v1::TaskInfo {
        name: id.into(),
        task_id: TaskID { value: id.into() },
        agent_id: offer.agent_id.clone(),
        resources: "cpus:0.1;mem:16"
            .parse::<mesos_http::resources::Resources>()
            .unwrap()
            .into_vec(),
        command: Some(v1::CommandInfo {
            value: Some("true".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn running(framework: &mut Framework, seen: &mut Seen, id: &str) -> TaskStatus {
    until(framework, seen, "TASK_RUNNING", |_, item| match item {
        FrameworkItem::Task(change)
            if change.task_id().value == id && change.state() == TaskState::TASK_RUNNING =>
        {
            let status = change.status.clone();
            // At once, not queued: a test that closes next must not leave
            // the agent re-sending it.
            change.acknowledge().expect("ACKNOWLEDGE");
            Some(status)
        }
        _ => None,
    })
}

fn update_event(status: TaskStatus) -> WireEvent {
    WireEvent {
        r#type: Some(EventType::UPDATE),
        update: Some(Update { status }),
        ..WireEvent::default()
    }
}

/// An update about a task nobody launched; waiting for it proves every
/// event sent before it was handled.
fn stranger(name: &str) -> TaskStatus {
    TaskStatus {
        task_id: TaskID { value: name.into() },
        state: TaskState::TASK_RUNNING,
        agent_id: Some(v1::AgentID {
            value: AGENT.into(),
        }),
        ..TaskStatus::default()
    }
}

fn await_unknown(framework: &mut Framework, seen: &mut Seen, name: &str) {
    until(framework, seen, "the unknown task", |_, item| match item {
        FrameworkItem::UnknownTask(change) if change.task_id().value == name => Some(()),
        _ => None,
    })
}

fn both_encodings(test: impl Fn(Encoding)) {
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        test(encoding);
    }
}

#[test]
fn a_redelivered_update_and_a_repeating_reconciliation_answer_are_absorbed() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let mut fw = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        assert!(!subscribed(&mut fw, &mut seen).1, "a new framework");
        launch(&mut fw, &mut seen, &["t1"]);
        let first = running(&mut fw, &mut seen, "t1");
        assert!(first.uuid.is_some(), "the agent's update carries a uuid");

        sim.close_streams();
        assert!(subscribed(&mut fw, &mut seen).1, "resumed");
        // The round after re-subscription asks about t1; the master answers
        // TASK_RUNNING (the known state): absorbed, and the round completes.
        until_state(&mut fw, &mut seen, "a completed round", |fw| {
            fw.stats().reconciliation.rounds_completed >= 1
        });
        // The agent's update delivered again (its acknowledgement lost).
        sim.send_event(&update_event(first));
        sim.send_event(&update_event(stranger("marker")));
        await_unknown(&mut fw, &mut seen, "marker");

        assert_eq!(seen.count("task t1 TASK_RUNNING"), 1, "{:?}", seen.lines);
        let stats = fw.stats();
        assert!(stats.updates.repeats >= 1, "{stats:?}");
        assert!(stats.updates.duplicates >= 1, "{stats:?}");
        assert_eq!(stats.updates.unknown, 1, "{stats:?}");
        assert_eq!(stats.subscriptions, 2);
        fw.close();
    });
}

#[test]
fn an_offer_from_an_earlier_subscription_is_refused_without_a_request() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let mut fw = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        subscribed(&mut fw, &mut seen);
        let old = until(&mut fw, &mut seen, "an offer", |_, item| match item {
            FrameworkItem::Offers(mut offers) => offers.pop(),
            _ => None,
        });
        sim.close_streams();
        subscribed(&mut fw, &mut seen);
        let requests = sim.requests_received();
        let err = fw
            .accept([old.id.clone()], [call::launch([task("late", &old)])], None)
            .unwrap_err();
        assert!(
            matches!(&err, FrameworkError::StaleOffer(id) if *id == old.id),
            "{err}"
        );
        assert_eq!(sim.requests_received(), requests, "nothing was sent");
        assert_eq!(fw.task_state("late"), None, "nothing is tracked");
        assert_eq!(fw.stats().calls["ACCEPT"].refused_locally, 1);
        fw.close();
    });
}

#[test]
fn implicit_reconciliation_reports_tasks_the_framework_does_not_know() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let mut first = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        let (id, _) = subscribed(&mut first, &mut seen);
        launch(&mut first, &mut seen, &["orphan"]);
        running(&mut first, &mut seen, "orphan");
        first.close();
        // The same framework, its launch records lost.
        let store = MemoryStore::with(StoredFramework {
            framework_id: Some(id),
            tasks: Vec::new(),
        });
        let scheduler = Scheduler::builder(sim.url()).encoding(encoding);
        let mut second = Framework::builder(scheduler, info())
            .store(store)
            .implicit_reconciliation(Some(Duration::from_millis(200)))
            .connect()
            .unwrap();
        assert!(subscribed(&mut second, &mut seen).1);
        until(
            &mut second,
            &mut seen,
            "the orphan reported",
            |_, item| match item {
                FrameworkItem::UnknownTask(change) if change.task_id().value == "orphan" => {
                    Some(())
                }
                _ => None,
            },
        );
        assert!(second.stats().reconciliation.implicit_calls >= 1);
        second.close();
    });
}

fn start_on_port(port: u16) -> SimMaster {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut config = config();
        config.port = port;
        match SimMaster::start(config) {
            Ok(sim) => return sim,
            Err(err) if Instant::now() < deadline => {
                let _ = err;
                thread::sleep(Duration::from_millis(20));
            }
            Err(err) => panic!("cannot restart on port {port}: {err}"),
        }
    }
}

#[test]
fn a_master_that_lost_its_state_reports_each_task_lost_once() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let port = sim.addr().port();
        let mut fw = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        subscribed(&mut fw, &mut seen);
        let ids = ["a", "b", "c"];
        launch(&mut fw, &mut seen, &ids);
        for id in ids {
            if fw.task_state(id) != Some(Some(TaskState::TASK_RUNNING)) {
                running(&mut fw, &mut seen, id);
            }
        }
        sim.stop();
        let restarted = start_on_port(port);
        assert!(subscribed(&mut fw, &mut seen).1);
        until_state(&mut fw, &mut seen, "every task LOST", |fw| {
            ids.iter()
                .all(|id| fw.task_state(id) == Some(Some(TaskState::TASK_LOST)))
        });
        // The master's answers again (a second round would bring them).
        for id in ids {
            let mut lost = stranger(id);
            lost.state = TaskState::TASK_LOST;
            restarted.send_event(&update_event(lost));
        }
        restarted.send_event(&update_event(stranger("marker")));
        await_unknown(&mut fw, &mut seen, "marker");
        for id in ids {
            assert_eq!(
                seen.count(&format!("task {id} TASK_LOST")),
                1,
                "{:?}",
                seen.lines
            );
        }
        fw.close();
    });
}

#[test]
fn a_changed_framework_id_with_a_failover_timeout_ends_with_the_typed_reason() {
    both_encodings(|encoding| {
        // A master that does not know the stored framework and assigns its
        // own id (the replay master always answers `replay-framework`).
        let heartbeat = WireEvent {
            r#type: Some(EventType::HEARTBEAT),
            ..WireEvent::default()
        };
        let file = encode_to_vec(&encoding.encode(&heartbeat));
        let master = ReplayMaster::start(file, Chunking::PerRecord, 0).unwrap();
        let stored = FrameworkID {
            value: "stored-framework".into(),
        };
        let store = MemoryStore::with(StoredFramework {
            framework_id: Some(stored.clone()),
            tasks: Vec::new(),
        });
        let mut fw = connect(&master.url(), encoding, store);
        let mut seen = Seen::default();
        let end = until(&mut fw, &mut seen, "the end", |_, item| match item {
            FrameworkItem::Terminated(end) => Some(end),
            _ => None,
        });
        match end {
            FrameworkEnd::FrameworkLost {
                stored: s,
                assigned,
            } => {
                assert_eq!(s, stored);
                assert_eq!(assigned.value, "replay-framework");
            }
            other => panic!("{other:?}"),
        }
        assert!(fw.next().is_none(), "nothing after the end");
        assert!(fw.scheduler().is_closed());
    });
}

#[test]
fn a_store_without_a_failover_timeout_is_a_configuration_error() {
    let scheduler = Scheduler::builder("http://127.0.0.1:1");
    let info = FrameworkInfo {
        failover_timeout: None,
        ..info()
    };
    let err = Framework::builder(scheduler, info)
        .store(MemoryStore::new())
        .connect()
        .unwrap_err();
    assert!(matches!(err, FrameworkError::Config(_)), "{err}");
}

#[test]
fn reconciliation_keeps_asking_about_a_partitioned_agent_until_it_answers() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let mut fw = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        subscribed(&mut fw, &mut seen);
        launch(&mut fw, &mut seen, &["t1"]);
        running(&mut fw, &mut seen, "t1");
        // The master restarts; the agent has not re-registered: explicit
        // reconciliation naming it gets no answer.
        sim.restart_losing_state();
        assert!(subscribed(&mut fw, &mut seen).1);
        until_state(&mut fw, &mut seen, "three unanswered asks", |fw| {
            fw.stats().reconciliation.explicit_calls >= 3
        });
        let stats = fw.stats();
        assert_eq!(stats.reconciliation.rounds_completed, 0, "{stats:?}");
        assert!(stats.reconciliation.in_round);
        assert!(sim.heal_agent(AGENT));
        until_state(&mut fw, &mut seen, "the round completed", |fw| {
            fw.stats().reconciliation.rounds_completed >= 1
        });
        assert_eq!(seen.count("task t1 TASK_RUNNING"), 1, "{:?}", seen.lines);
        assert_eq!(fw.task_state("t1"), Some(Some(TaskState::TASK_RUNNING)));
        fw.close();
    });
}

#[test]
fn an_agent_given_up_after_a_master_restart_reports_its_tasks_lost_once() {
    both_encodings(|encoding| {
        let sim = SimMaster::start(config()).unwrap();
        let mut fw = connect(&sim.url(), encoding, MemoryStore::new());
        let mut seen = Seen::default();
        subscribed(&mut fw, &mut seen);
        launch(&mut fw, &mut seen, &["t1", "t2"]);
        for id in ["t1", "t2"] {
            if fw.task_state(id) != Some(Some(TaskState::TASK_RUNNING)) {
                running(&mut fw, &mut seen, id);
            }
        }
        sim.restart_losing_state();
        assert!(subscribed(&mut fw, &mut seen).1);
        until_state(&mut fw, &mut seen, "an unanswered ask", |fw| {
            fw.stats().reconciliation.explicit_calls >= 2
        });
        assert!(sim.mark_agent_unreachable(AGENT));
        until_state(&mut fw, &mut seen, "both tasks LOST", |fw| {
            ["t1", "t2"]
                .iter()
                .all(|id| fw.task_state(id) == Some(Some(TaskState::TASK_LOST)))
        });
        // Later rounds or retries may answer again: still once each.
        sim.close_streams();
        subscribed(&mut fw, &mut seen);
        sim.send_event(&update_event(stranger("marker")));
        await_unknown(&mut fw, &mut seen, "marker");
        for id in ["t1", "t2"] {
            assert_eq!(
                seen.count(&format!("task {id} TASK_LOST")),
                1,
                "{:?}",
                seen.lines
            );
        }
        fw.close();
    });
}
