//! A test bed for the executor side: a simulated master with one local
//! agent, a library scheduler subscribed to it, and helpers to launch a task
//! on a custom executor and to play that executor in-process with the
//! environment the agent gave the executor's process.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use mesos_http::event::Event;
use mesos_http::executor::{self, Executor};
use mesos_http::resources::scalar_resource;
use mesos_http::v1::{
    self, CommandInfo, ExecutorID, ExecutorInfo, FrameworkInfo, TaskID, TaskInfo,
};
use mesos_http::{call, Encoding, Events, Item, Received, Scheduler};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};

/// Long enough for any condition on a loaded 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A master, its one local agent and a subscribed scheduler.
pub struct Bed {
    pub master: SimMaster,
    pub scheduler: Scheduler,
    pub events: Events,
    pub agent_id: String,
    pub framework_id: String,
}

/// Starts the bed; `checkpoint` is the framework's (and so the executor's).
pub fn bed(encoding: Encoding, checkpoint: bool, config: SimConfig) -> Bed {
    let master = SimMaster::start(config.with_agent(AgentSpec::local())).expect("start");
    let info = FrameworkInfo {
        user: "tester".into(),
        name: "executor-tests".into(),
        checkpoint: Some(checkpoint),
        failover_timeout: Some(3600.0),
        // The executor, not the agent, decides whether a task is KILLING.
        capabilities: vec![v1::framework_info::Capability {
            r#type: Some(v1::framework_info::capability::Type::TASK_KILLING_STATE),
        }],
        ..FrameworkInfo::default()
    };
    let (scheduler, events) = Scheduler::builder(master.url().as_str())
        .framework(info)
        .encoding(encoding)
        .connect()
        .expect("connect the scheduler");
    let agent_id = master.with_state(|v| v.agents()[0].clone());
    let mut bed = Bed {
        master,
        scheduler,
        events,
        agent_id,
        framework_id: String::new(),
    };
    bed.framework_id = bed
        .scheduler_event("SUBSCRIBED", |e| matches!(e, Event::Subscribed(_)))
        .framework_id()
        .expect("framework id")
        .value
        .clone();
    bed
}

/// The fast test config: short retries, 2 s shutdown grace, 10 s recovery.
pub fn fast() -> SimConfig {
    SimConfig::fast(Duration::from_secs(5))
}

/// A task run by the custom executor `executor_id` whose command is `command`.
pub fn executor_task(task_id: &str, agent_id: &str, executor_id: &str, command: &str) -> TaskInfo {
    TaskInfo {
        name: task_id.into(),
        task_id: TaskID {
            value: task_id.into(),
        },
        agent_id: v1::AgentID {
            value: agent_id.into(),
        },
        resources: vec![scalar_resource("cpus", 0.1), scalar_resource("mem", 16.0)],
        executor: Some(ExecutorInfo {
            executor_id: ExecutorID {
                value: executor_id.into(),
            },
            command: Some(CommandInfo {
                value: Some(command.into()),
                // As the JSON mapping writes it back (a declared default).
                shell: Some(true),
                ..CommandInfo::default()
            }),
            resources: vec![scalar_resource("cpus", 0.1), scalar_resource("mem", 16.0)],
            ..ExecutorInfo::default()
        }),
        ..TaskInfo::default()
    }
}

impl Bed {
    /// The next scheduler event matching `pick`.
    pub fn scheduler_event(&self, what: &str, pick: impl Fn(&Event) -> bool) -> Received {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Item::Event(received)) if pick(&received) => return received,
                Ok(item) => seen.push(format!("{:?}", item.event().map(|e| e.kind()))),
                Err(err) => panic!("scheduler waiting for {what}: {err:?}; saw {seen:?}"),
            }
        }
    }

    /// The next task status from the scheduler's stream, acknowledged.
    pub fn next_update(&self, task_id: &str) -> v1::TaskStatus {
        let received = self.scheduler_event("UPDATE", |e| {
            e.task_status().is_some_and(|s| s.task_id.value == task_id)
        });
        let status = received.task_status().expect("status").clone();
        self.scheduler.acknowledge(&status).expect("acknowledge");
        status
    }

    /// Launches `task` on the first offer.
    pub fn launch(&self, task: TaskInfo) {
        let offers = self.scheduler_event("OFFERS", |e| e.offers().is_some());
        let offer = offers.offers().expect("offers")[0].clone();
        self.scheduler
            .accept(
                [offer.id],
                [call::launch([task])],
                Some(call::refuse_seconds(3600.0)),
            )
            .expect("accept");
    }

    /// Waits until the agent has started `executor_id`; its environment.
    pub fn executor_environment(&self, executor_id: &str) -> Vec<(String, String)> {
        assert!(
            self.master
                .wait_for(|v| v.executor(executor_id).is_some(), PATIENCE),
            "executor {executor_id} not started"
        );
        self.master
            .with_state(|v| v.executor(executor_id))
            .expect("executor")
            .environment
    }

    /// Launches a task on a placeholder executor process (`sleep`) and
    /// connects an in-process executor with the environment the agent gave
    /// that process; returns it once it got LAUNCH.
    pub fn in_process_executor(
        &self,
        encoding: Encoding,
        task_id: &str,
        executor_id: &str,
    ) -> (Executor, executor::Events) {
        self.launch(executor_task(
            task_id,
            &self.agent_id,
            executor_id,
            "sleep 600",
        ));
        let env = self.executor_environment(executor_id);
        let (exec, items) = Executor::from_vars(env)
            .expect("the agent's environment is complete")
            .encoding(encoding)
            .connect()
            .expect("connect the executor");
        let launch = next_executor_event(&items, "LAUNCH", |e| {
            matches!(e, executor::Event::Launch(_))
        });
        assert_eq!(launch.tasks()[0].task_id.value, task_id);
        (exec, items)
    }
}

/// The next item from an executor's channel matching `pick`.
pub fn next_executor_item(
    items: &executor::Events,
    what: &str,
    pick: impl Fn(&executor::Item) -> bool,
) -> executor::Item {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match items.recv_timeout(left) {
            Ok(item) if pick(&item) => return item,
            Ok(item) => seen.push(format!("{item:?}")),
            Err(err) => panic!("executor waiting for {what}: {err:?}; saw {seen:#?}"),
        }
    }
}

/// The next executor event matching `pick`.
pub fn next_executor_event(
    items: &executor::Events,
    what: &str,
    pick: impl Fn(&executor::Event) -> bool,
) -> executor::Event {
    match next_executor_item(items, what, |i| i.event().is_some_and(&pick)) {
        executor::Item::Event(event) => event,
        _ => unreachable!(),
    }
}

/// The live (not zombie) processes of process group `pgid`, read from
/// `/proc` (the sim starts every command as the leader of its own group).
pub fn live_in_group(pgid: u32) -> Vec<u32> {
    let mut live = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string() {
            live.push(pid);
        }
    }
    live
}
