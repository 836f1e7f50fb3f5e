//! The smallest complete scheduler: subscribe, launch one task on the first
//! offer that fits, print each change of its state once, tear down when it
//! ends. The framework layer does the rest: updates are acknowledged once
//! the loop is done with them, a dropped stream is re-subscribed, the task
//! is reconciled after every re-subscription, and a re-delivered update or a
//! reconciliation answer that repeats the known state is absorbed.
//!
//! ```text
//! cargo run --example minimal                          # embedded simulated master
//! cargo run --example minimal -- http://master:5050    # a real one
//! ```

use std::time::Duration;

use mesos_http::framework::{Framework, FrameworkItem};
use mesos_http::resources::Resources;
use mesos_http::v1::{CommandInfo, FrameworkInfo, TaskID, TaskInfo, TaskState};
use mesos_http::{call, Scheduler};
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

    let info = FrameworkInfo {
        user: "nobody".into(),
        name: "minimal".into(),
        // With the default of 0 the master removes the framework and kills
        // its tasks as soon as the stream drops (one network blip); this
        // gives the client a week to re-subscribe with the same framework id.
        failover_timeout: Some(7.0 * 24.0 * 3600.0),
        ..Default::default()
    };
    // Calls made while the client re-subscribes after a dropped stream wait
    // up to a minute for it instead of failing with NotSubscribed.
    let scheduler = Scheduler::builder(master).subscription_wait(Duration::from_secs(60));
    let mut framework = Framework::builder(scheduler, info).connect()?;
    let needs: Resources = "cpus:0.1;mem:32".parse()?;
    let mut launched = false;
    let mut finished = false;

    while let Some(item) = framework.next() {
        match item {
            FrameworkItem::Offers(offers) => {
                for offer in offers {
                    let fits = Resources::from(offer.resources.as_slice()).contains(&needs);
                    if launched || !fits {
                        framework.decline([offer.id], None)?;
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
                    // Tracked (and reconciled) from here on.
                    framework.accept([offer.id], [call::launch([task])], None)?;
                    launched = true;
                }
            }
            // One item per real change of a task's state.
            FrameworkItem::Task(change) => {
                println!(
                    "task {}: {}",
                    change.task_id().value,
                    change.state().name().unwrap_or("?")
                );
                if change.is_terminal() {
                    finished = change.state() == TaskState::TASK_FINISHED;
                    change.acknowledge()?; // before TEARDOWN removes the framework
                    framework.teardown()?; // also removes the framework's offers
                    break;
                }
            }
            FrameworkItem::Terminated(why) => return Err(why.to_string().into()),
            _ => {}
        }
    }
    if !finished {
        return Err("the task did not finish".into());
    }
    Ok(())
}
