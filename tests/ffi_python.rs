//! The C ABI from another language: `examples/python/execute.py` drives the
//! cdylib through `ctypes` against a `sim-master` process.
#![cfg(all(feature = "ffi", feature = "sim"))]

mod ffi_support;

use std::process::Command;
use std::time::Duration;

use ffi_support::{root, run_with_deadline, shared_lib, SimMasterProcess};

const LIMIT: Duration = Duration::from_secs(120);

fn python() -> Command {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "python3 is required by the ctypes test of the C ABI");
    let mut command = Command::new("python3");
    command.arg(root().join("examples/python/execute.py"));
    command.arg("--lib").arg(shared_lib());
    command
}

#[test]
fn execute_py_runs_echo_hello_to_task_finished() {
    let master = SimMasterProcess::start();
    let finished = run_with_deadline(python().arg(master.url()), LIMIT);
    let stdout = &finished.stdout;
    assert!(
        finished.status.success(),
        "execute.py exited with {:?}\nstdout:\n{stdout}\nstderr:\n{}\nmaster log:\n{}",
        finished.status,
        finished.stderr,
        master.log_lines().join("\n")
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let position = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{stdout}"))
    };
    let subscribed = position("subscribed as framework ");
    let launched = position("launching hello-1 on agent ");
    let running = position("update: task hello-1 is TASK_RUNNING");
    let finished_line = position("update: task hello-1 is TASK_FINISHED");
    let teardown = position("teardown accepted");
    assert!(subscribed < launched && launched < running);
    assert!(running < finished_line && finished_line < teardown);
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
