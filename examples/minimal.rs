//! The smallest complete scheduler: subscribe, launch one task on the first
//! offer that fits, acknowledge its status updates, tear down when it ends.
//!
//! ```text
//! cargo run --example minimal                          # embedded simulated master
//! cargo run --example minimal -- http://master:5050    # a real one
//! ```

use mesos_http::event::Event;
use mesos_http::resources::Resources;
use mesos_http::sim::{AgentSpec, SimConfig, SimMaster};
use mesos_http::v1::{CommandInfo, FrameworkInfo, TaskID, TaskInfo, TaskState};
use mesos_http::{call, Item, Scheduler};

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
        ..Default::default()
    };
    let (scheduler, events) = Scheduler::builder(master).framework(framework).connect()?;
    let needs: Resources = "cpus:0.1;mem:32".parse()?;
    let mut launched = false;
    let mut finished = false;

    for item in &events {
        let Item::Event(event) = item else {
            continue; // connection changes; the client reconnects by itself
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
                println!(
                    "task {}: {}",
                    status.task_id.value,
                    status.state.name().unwrap_or("?")
                );
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
