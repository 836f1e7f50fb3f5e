//! Flow of events to the application: a slow consumer makes the reader wait
//! (nothing is dropped, the watchdog does not fire), unacknowledged updates
//! come back after a reconnection, and automatic acknowledgement happens
//! only when the application releases the event.

mod client_support;

use std::time::Duration;

use client_support::*;
use mesos_http::call;
use mesos_http::event::Event;
use mesos_http::v1::{self, TaskState};
use mesos_http::{ConnectionState, Encoding, Item};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};

per_encoding!(
    a_slow_consumer_loses_nothing,
    unacknowledged_updates_come_back_after_reconnection,
    auto_acknowledgement_waits_for_the_release,
);

fn a_slow_consumer_loses_nothing(encoding: Encoding) {
    let heartbeat = Duration::from_millis(20);
    let master = sim(heartbeat);
    let (scheduler, events) = builder(&master.url(), encoding, "slow")
        .event_capacity(1)
        .missed_heartbeats(3)
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);

    // One RECONCILE for many unknown tasks: one TASK_LOST update each, several
    // megabytes in all, more than the socket buffers hold.
    let padding = "x".repeat(1000);
    let ids: Vec<String> = (0..4000)
        .map(|i| format!("task-{i:05}-{padding}"))
        .collect();
    let before = master.with_state(|s| s.events_sent(&framework_id));
    scheduler
        .reconcile(
            ids.iter()
                .map(|id| (v1::TaskID { value: id.clone() }, None)),
        )
        .unwrap();
    let target = before + ids.len() as u64;
    sim_wait(&master, "all answers queued", |s| {
        s.events_sent(&framework_id) >= target
    });
    // Be a slow application for several watchdog budgets: the reader must
    // wait for us, not take the silence for a dead master.
    std::thread::sleep(heartbeat * 10);

    let mut next = 0;
    while next < ids.len() {
        let item = events.recv_timeout(PATIENCE).expect("an item");
        match &item {
            Item::Event(event) => {
                if let Event::Update(update) = &**event {
                    assert_eq!(
                        update.status.task_id.value, ids[next],
                        "in order, none lost"
                    );
                    assert_eq!(update.status.state, TaskState::TASK_LOST);
                    next += 1;
                }
            }
            Item::Connection(ConnectionState::Disconnected(reason)) => {
                panic!("disconnected while the application was slow: {reason:?}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(master.with_state(|s| s.framework(&framework_id).unwrap().subscriptions) == 1);
}

fn agent_master(retry: Duration) -> SimMaster {
    let mut config = SimConfig::fast(Duration::from_millis(50))
        .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("agent-1"));
    config.status_update_retry_min = retry;
    config.status_update_retry_max = retry;
    SimMaster::start(config).unwrap()
}

fn launch(scheduler: &mesos_http::Scheduler, events: &mesos_http::Events, task_id: &str) {
    let offer = offers(events, 1).remove(0);
    let task = small_task(&offer, task_id);
    scheduler
        .accept([offer.id.clone()], [call::launch([task])], None)
        .unwrap();
}

fn unacknowledged_updates_come_back_after_reconnection(encoding: Encoding) {
    // No timed retries: only the re-subscription can bring the update back.
    let master = agent_master(Duration::from_secs(3600));
    let (scheduler, events) = builder(&master.url(), encoding, "redelivery")
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    launch(&scheduler, &events, "t1");
    let first = update(&events, "t1", TaskState::TASK_STARTING);
    let uuid = first
        .task_status()
        .unwrap()
        .uuid
        .clone()
        .expect("a reliable update");
    drop(first); // not acknowledged

    master.close_streams();
    let (again, _) = subscribed(&events);
    assert_eq!(again, framework_id);
    let second = update(&events, "t1", TaskState::TASK_STARTING);
    assert_eq!(
        second.task_status().unwrap().uuid.as_ref(),
        Some(&uuid),
        "the same update"
    );
    scheduler
        .acknowledge(second.task_status().unwrap())
        .unwrap();
    drop(second);
    let running = update(&events, "t1", TaskState::TASK_RUNNING);
    scheduler
        .acknowledge(running.task_status().unwrap())
        .unwrap();
}

fn auto_acknowledgement_waits_for_the_release(encoding: Encoding) {
    let master = agent_master(Duration::from_secs(3600));
    let (scheduler, events) = builder(&master.url(), encoding, "auto-ack")
        .auto_acknowledge(true)
        .connect()
        .unwrap();
    subscribed(&events);
    launch(&scheduler, &events, "t1");
    let starting = update(&events, "t1", TaskState::TASK_STARTING);
    assert!(starting.will_acknowledge());
    // Heartbeats keep coming while we hold the update; it stays unacknowledged.
    for _ in 0..3 {
        next_event(&events, "HEARTBEAT", |e| matches!(e, Event::Heartbeat));
    }
    master.with_state(|s| {
        let pending = s.unacknowledged_updates();
        assert!(
            pending
                .iter()
                .any(|u| u.task_id == "t1" && u.state == TaskState::TASK_STARTING),
            "acknowledged before the event was released: {pending:?}"
        );
    });
    drop(starting);
    sim_wait(&master, "STARTING acknowledged", |s| {
        !s.unacknowledged_updates()
            .iter()
            .any(|u| u.task_id == "t1" && u.state == TaskState::TASK_STARTING)
    });
    // The next update comes only because the first was acknowledged; taking
    // the event out cancels its automatic acknowledgement.
    let running = update(&events, "t1", TaskState::TASK_RUNNING);
    let event = running.into_event();
    for _ in 0..3 {
        next_event(&events, "HEARTBEAT", |e| matches!(e, Event::Heartbeat));
    }
    assert!(master.with_state(|s| s
        .unacknowledged_updates()
        .iter()
        .any(|u| u.task_id == "t1" && u.state == TaskState::TASK_RUNNING)));
    scheduler.acknowledge(event.task_status().unwrap()).unwrap();
    sim_wait(&master, "RUNNING acknowledged", |s| {
        s.unacknowledged_updates().is_empty()
    });
}
