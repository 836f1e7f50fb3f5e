//! The minimal scheduler of the README's API tour, run as a process.

mod examples_support;

use examples_support::{run, SimMasterProcess};

#[test]
fn the_minimal_scheduler_runs_its_task_to_the_end() {
    let run = run("minimal", &[], &[]);
    assert_eq!(run.code(), 0, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "task hello: TASK_STARTING",
            "task hello: TASK_RUNNING",
            "task hello: TASK_FINISHED"
        ],
        "{run}"
    );
}

#[test]
fn the_minimal_scheduler_takes_a_master_address() {
    let master = SimMasterProcess::start(&["--agents", "1"]);
    let run = run("minimal", &[&master.url], &[]);
    assert_eq!(run.code(), 0, "{run}");
    assert_eq!(
        run.lines_with(&["task hello: TASK_FINISHED"]).len(),
        1,
        "{run}"
    );
    let outputs = master.find_files("/executors/hello/", "stdout");
    assert_eq!(outputs.len(), 1, "{run}");
    assert_eq!(
        std::fs::read_to_string(&outputs[0]).unwrap(),
        "hello from Mesos\n"
    );
}
