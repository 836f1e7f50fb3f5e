//! The C ABI from another language: `ffi/examples/execute.py` drives the
//! cdylib through `ctypes` against a `sim-master` process.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{root, run_with_deadline, shared_lib, SimMasterProcess};

const LIMIT: Duration = Duration::from_secs(120);

fn python() -> Command {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "python3 is required by the ctypes test of the C ABI");
    let mut command = Command::new("python3");
    command.arg(root().join("examples/execute.py"));
    command.arg("--lib").arg(shared_lib());
    command
}

#[test]
fn execute_py_runs_echo_hello_to_task_finished() {
    let master = SimMasterProcess::start();
    let finished = run_with_deadline(python().arg(master.url()), LIMIT);
    support::assert_flow_in_order(
        "execute.py",
        &finished,
        &master,
        &[
            "subscribed as framework ",
            "launching hello-1 on agent ",
            "update: task hello-1 is TASK_RUNNING",
            "update: task hello-1 is TASK_FINISHED",
            "teardown accepted",
        ],
    );
}

#[test]
fn execute_py_with_a_state_dir_runs_to_the_end_and_clears_it() {
    let master = SimMasterProcess::start();
    let dir = std::env::temp_dir().join(format!("mesos-http-py-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let finished = run_with_deadline(
        python().arg(master.url()).arg("--state-dir").arg(&dir),
        LIMIT,
    );
    support::assert_flow_in_order(
        "execute.py --state-dir",
        &finished,
        &master,
        &[
            "subscribed as framework ",
            "launching hello-1 on agent ",
            "update: task hello-1 is TASK_FINISHED",
            "teardown accepted",
        ],
    );
    assert!(dir.is_dir());
    assert!(
        !dir.join("framework-id").exists(),
        "TEARDOWN clears the store"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn execute_py_reports_the_library_error_message() {
    let finished = run_with_deadline(python().arg("file:///etc/mesos/master"), LIMIT);
    assert_eq!(finished.status.code(), Some(1), "{finished:?}");
    assert!(
        finished
            .stderr
            .contains("set_masters failed: MESOS_HTTP_RESULT_CONFIG: invalid configuration"),
        "{}",
        finished.stderr
    );
}
