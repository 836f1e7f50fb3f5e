//! The master's operator event stream (`SUBSCRIBE` on `/api/v1`): a
//! chunked RecordIO body of `mesos.v1.master.Event`, as the captured master
//! writes it: SUBSCRIBED with the whole state and the heartbeat interval, a
//! HEARTBEAT at once and then every interval, and the changes in between.
//!
//! Changes are found by comparing snapshots of the cluster after every state
//! change (the cluster's condition variable) rather than by hooks in the
//! cluster's code: TASK_ADDED, TASK_UPDATED (a task's latest status
//! changed), FRAMEWORK_ADDED, FRAMEWORK_REMOVED, AGENT_ADDED and
//! AGENT_REMOVED. A change undone between two snapshots is not seen.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use mesos_http::codec::Encoding;
use mesos_http::v1::master::event::{self, Type};
use mesos_http::v1::master::Event;
use mesos_http::v1::{AgentID, FrameworkID, FrameworkInfo, TaskStatus};

use super::super::cluster::{Cluster, Shared};
use super::super::http::response::{record_chunk, stream_head, write_now};
use super::state;

/// What the stream has told its subscriber so far.
#[derive(Default)]
struct Seen {
    /// Tasks by (framework id, task id), with their latest status.
    tasks: BTreeMap<(String, String), Option<TaskStatus>>,
    /// Frameworks by id.
    frameworks: BTreeMap<String, FrameworkInfo>,
    /// Agent ids.
    agents: Vec<String>,
}

impl Seen {
    fn of(cluster: &Cluster) -> Seen {
        Seen {
            tasks: cluster
                .tasks
                .iter()
                .map(|(key, task)| (key.clone(), task.latest.clone()))
                .collect(),
            frameworks: cluster
                .frameworks
                .iter()
                .map(|(id, f)| (id.clone(), f.info.clone()))
                .collect(),
            agents: cluster.agents.keys().cloned().collect(),
        }
    }
}

fn of_type(kind: Type) -> Event {
    Event {
        r#type: Some(kind),
        ..Event::default()
    }
}

/// The events that take a subscriber from `seen` to `cluster`.
fn changes(seen: &Seen, cluster: &Cluster) -> Vec<Event> {
    let mut out = Vec::new();
    for id in cluster.agents.keys().filter(|id| !seen.agents.contains(id)) {
        let agents = state::agents(cluster).agents;
        if let Some(agent) = agents
            .into_iter()
            .find(|a| a.agent_info.id.as_ref().is_some_and(|i| &i.value == id))
        {
            out.push(Event {
                agent_added: Some(event::AgentAdded { agent }),
                ..of_type(Type::AGENT_ADDED)
            });
        }
    }
    for (id, _) in cluster
        .frameworks
        .iter()
        .filter(|(id, _)| !seen.frameworks.contains_key(*id))
    {
        let frameworks = state::frameworks(cluster, None).frameworks;
        if let Some(framework) = frameworks
            .into_iter()
            .find(|f| f.framework_info.id.as_ref().is_some_and(|i| &i.value == id))
        {
            out.push(Event {
                framework_added: Some(event::FrameworkAdded { framework }),
                ..of_type(Type::FRAMEWORK_ADDED)
            });
        }
    }
    for (key, task) in &cluster.tasks {
        match seen.tasks.get(key) {
            None => out.push(Event {
                task_added: Some(event::TaskAdded {
                    task: state::task(task),
                }),
                ..of_type(Type::TASK_ADDED)
            }),
            Some(latest) if *latest != task.latest => {
                out.extend(task.latest.clone().map(|status| updated(&key.0, status)))
            }
            Some(_) => {}
        }
    }
    // A task gone from the live set since the last look: its last status
    // is in the completed tasks.
    for (key, latest) in seen
        .tasks
        .iter()
        .filter(|(k, _)| !cluster.tasks.contains_key(*k))
    {
        let done = cluster
            .completed_tasks
            .iter()
            .rev()
            .find(|t| t.framework_id == key.0 && t.task_id == key.1);
        if let Some(status) = done.and_then(|t| t.latest.clone()) {
            if Some(&status) != latest.as_ref() {
                out.push(updated(&key.0, status));
            }
        }
    }
    let removed = seen
        .frameworks
        .iter()
        .filter(|(id, _)| !cluster.frameworks.contains_key(*id))
        .map(|(_, info)| info);
    for info in removed {
        out.push(Event {
            framework_removed: Some(event::FrameworkRemoved {
                framework_info: info.clone(),
            }),
            ..of_type(Type::FRAMEWORK_REMOVED)
        });
    }
    for id in seen
        .agents
        .iter()
        .filter(|id| !cluster.agents.contains_key(*id))
    {
        out.push(Event {
            agent_removed: Some(event::AgentRemoved {
                agent_id: AgentID { value: id.clone() },
            }),
            ..of_type(Type::AGENT_REMOVED)
        });
    }
    out
}

fn updated(framework_id: &str, status: TaskStatus) -> Event {
    Event {
        task_updated: Some(event::TaskUpdated {
            framework_id: FrameworkID {
                value: framework_id.to_string(),
            },
            state: status.state,
            status,
        }),
        ..of_type(Type::TASK_UPDATED)
    }
}

fn send<W: Write + ?Sized>(conn: &mut W, encoding: Encoding, event: &Event) -> io::Result<()> {
    write_now(conn, &record_chunk(&encoding.encode(event)))
}

/// Writes the stream head and then events until the subscriber goes away or
/// the simulation stops (the connection is closed after).
pub fn run<W: Write + ?Sized>(
    shared: &Shared,
    conn: &mut W,
    encoding: Encoding,
    connection_close: bool,
) -> io::Result<()> {
    write_now(
        conn,
        &stream_head(None, encoding.content_type(), connection_close),
    )?;
    let (subscribed, mut seen, interval) = {
        let cluster = shared.lock();
        let interval = cluster.timing.heartbeat;
        let subscribed = Event {
            subscribed: Some(event::Subscribed {
                get_state: Some(state::state(&cluster)),
                heartbeat_interval_seconds: Some(interval.as_secs_f64()),
            }),
            ..of_type(Type::SUBSCRIBED)
        };
        (subscribed, Seen::of(&cluster), interval)
    };
    send(conn, encoding, &subscribed)?;
    send(conn, encoding, &of_type(Type::HEARTBEAT))?;
    let mut next_heartbeat = Instant::now() + interval;
    // The stop flag is looked at least this often.
    let poll = Duration::from_millis(100);
    loop {
        let events = {
            let mut cluster = shared.lock();
            let wait = next_heartbeat
                .saturating_duration_since(Instant::now())
                .min(poll);
            cluster = match shared.changed.wait_timeout(cluster, wait) {
                Ok((c, _)) => c,
                Err(p) => p.into_inner().0,
            };
            let events = changes(&seen, &cluster);
            seen = Seen::of(&cluster);
            events
        };
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        for e in &events {
            send(conn, encoding, e)?;
        }
        if Instant::now() >= next_heartbeat {
            send(conn, encoding, &of_type(Type::HEARTBEAT))?;
            next_heartbeat += interval;
        }
    }
}
