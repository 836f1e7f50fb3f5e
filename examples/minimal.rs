//! The smallest complete scheduler: subscribe, launch one task on the first
//! offer that fits, acknowledge its status updates, tear down when it ends.
//! It survives a dropped stream: the client re-subscribes by itself, calls
//! made in the gap wait for it, and a re-delivered update is printed once.
//!
//! ```text
//! cargo run --example minimal                          # embedded simulated master
//! cargo run --example minimal -- http://master:5050    # a real one
//! ```

use std::collections::HashSet;
use std::time::Duration;

use mesos_http::resources::Resources;
use mesos_http::v1::{CommandInfo, FrameworkInfo, TaskID, TaskInfo, TaskState};
use mesos_http::{call, ConnectionState, Event, Item, Scheduler};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The master from the command line, or a simulated one with a local agent.
    let sim; // keeps the simulated master running until the end of `main`
    let master = match std::env::args().nth(1) {
        Some(url) => url,
        None => {
            sim = SimMaster::start(SimConfig::default().with_agent(AgentSpec::local()))?;
            sim.url()
        }
    };

    let framework = FrameworkInfo {
        user: "nobody".into(),
        name: "minimal".into(),
        // With the default of 0 the master removes the framework and kills
        // its tasks as soon as the stream drops (one network blip); this
        // gives the client a week to re-subscribe with the same framework id.
        failover_timeout: Some(7.0 * 24.0 * 3600.0),
        ..Default::default()
    };
    let (scheduler, events) = Scheduler::builder(master)
        .framework(framework)
        // Calls made while the client re-subscribes after a dropped stream
        // wait up to a minute for it instead of failing with NotSubscribed.
        .subscription_wait(Duration::from_secs(60))
        .connect()?;
    let needs: Resources = "cpus:0.1;mem:32".parse()?;
    let mut launched = false;
    let mut finished = false;
    // The agent re-sends an update until it is acknowledged, so one may
    // arrive twice (e.g. across a reconnection): print each uuid once.
    let mut seen_updates = HashSet::new();

    for item in &events {
        let event = match item {
            Item::Event(event) => event,
            // The stream dropped: the client re-subscribes by itself.
            Item::Connection(ConnectionState::Disconnected(why)) => {
                eprintln!("disconnected ({why:?}); reconnecting");
                continue;
            }
            _ => continue,
        };
        match &*event {
            Event::Offers(offers) => {
                for offer in &offers.offers {
                    let fits = Resources::from(offer.resources.as_slice()).contains(&needs);
                    if launched || !fits {
                        scheduler.decline([offer.id.clone()], None)?;
                        continue;
                    }
                    let task = TaskInfo {
                        name: "hello".into(),
                        task_id: TaskID {
                            value: "hello".into(),
                        },
                        agent_id: offer.agent_id.clone(),
                        resources: needs.clone().into_vec(),
                        command: Some(CommandInfo {
                            value: Some("echo hello from Mesos".into()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    };
                    scheduler.accept([offer.id.clone()], [call::launch([task])], None)?;
                    launched = true;
                }
            }
            Event::Update(update) => {
                let status = &update.status;
                if seen_updates.insert(status.uuid.clone()) {
                    println!(
                        "task {}: {}",
                        status.task_id.value,
                        status.state.name().unwrap_or("?")
                    );
                }
                scheduler.acknowledge(status)?;
                if status.state.is_terminal() {
                    finished = status.state == TaskState::TASK_FINISHED;
                    scheduler.teardown()?; // also removes the framework's offers
                    break;
                }
            }
            _ => {}
        }
    }
    if !finished {
        return Err("the task did not finish".into());
    }
    Ok(())
}
