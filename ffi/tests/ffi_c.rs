//! The C ABI from C: `ffi/examples/execute.c` and `ffi/tests/c/null_args.c`
//! compiled with the system compiler (`-std=c11 -Wall -Wextra -Werror`)
//! against the checked-in header and the staticlib, run against a
//! `sim-master` process, then again under valgrind with zero errors and
//! zero leaks.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{compile_c, refused_url, root, run_with_deadline, valgrind, SimMasterProcess};

const LIMIT: Duration = Duration::from_secs(120);
const VALGRIND_LIMIT: Duration = Duration::from_secs(600);

fn assert_execute_output(finished: &support::Finished, master: &SimMasterProcess) {
    support::assert_flow_in_order(
        "execute",
        finished,
        master,
        &[
            "subscribed as framework ",
            "launching hello-1 on agent ",
            "update: task hello-1 is TASK_FINISHED",
            "teardown accepted",
        ],
    );
}

#[test]
fn execute_c_runs_echo_hello_to_task_finished() {
    let program = compile_c(&root().join("examples/execute.c"), "execute");
    let master = SimMasterProcess::start();
    let finished = run_with_deadline(Command::new(&program).arg(master.url()), LIMIT);
    assert_execute_output(&finished, &master);
}

/// A fresh state directory for one run.
fn state_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mesos-http-ffi-state-{label}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn execute_c_with_a_state_dir_keeps_the_framework_until_teardown() {
    let program = compile_c(&root().join("examples/execute.c"), "execute-state");
    let master = SimMasterProcess::start();
    let dir = state_dir("run");
    let finished = run_with_deadline(Command::new(&program).arg(master.url()).arg(&dir), LIMIT);
    assert_execute_output(&finished, &master);
    // The store was opened there, and TEARDOWN cleared it: a next run
    // registers a new framework.
    assert!(dir.is_dir());
    assert!(!dir.join("framework-id").exists(), "{}", finished.stdout);
    assert!(!dir.join("tasks.jsonl").exists(), "{}", finished.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn execute_c_is_clean_under_valgrind() {
    let program = compile_c(&root().join("examples/execute.c"), "execute-valgrind");
    let master = SimMasterProcess::start();
    // With a state directory: the store's paths run under valgrind too.
    let dir = state_dir("valgrind");
    let finished = run_with_deadline(
        valgrind().arg(&program).arg(master.url()).arg(&dir),
        VALGRIND_LIMIT,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(
        finished.status.code(),
        Some(99),
        "valgrind found errors or leaks:\n{}",
        finished.stderr
    );
    assert!(
        finished.stderr.contains("ERROR SUMMARY: 0 errors"),
        "{}",
        finished.stderr
    );
    assert_execute_output(&finished, &master);
}

#[test]
fn execute_c_fails_on_bad_usage() {
    let program = compile_c(&root().join("examples/execute.c"), "execute-usage");
    let finished = run_with_deadline(&mut Command::new(&program), LIMIT);
    assert_eq!(finished.status.code(), Some(2));
    assert!(finished.stderr.contains("usage:"), "{}", finished.stderr);
    let finished = run_with_deadline(
        Command::new(&program).arg("file:///etc/mesos/master"),
        LIMIT,
    );
    assert_eq!(finished.status.code(), Some(1));
    assert!(
        finished
            .stderr
            .contains("set_masters failed: MESOS_HTTP_RESULT_CONFIG"),
        "{}",
        finished.stderr
    );
}

#[test]
fn null_and_bad_arguments_are_refused_cleanly() {
    let program = compile_c(&root().join("tests/c/null_args.c"), "null_args");
    let finished = run_with_deadline(Command::new(&program).arg(refused_url()), LIMIT);
    assert!(
        finished.status.success(),
        "null_args failed:\n{}{}",
        finished.stdout,
        finished.stderr
    );
    assert!(finished.stdout.starts_with("ok "), "{}", finished.stdout);
}

#[test]
fn null_and_bad_arguments_are_clean_under_valgrind() {
    let program = compile_c(&root().join("tests/c/null_args.c"), "null_args-valgrind");
    let finished = run_with_deadline(valgrind().arg(&program).arg(refused_url()), VALGRIND_LIMIT);
    assert!(
        finished.status.success(),
        "exit {:?}:\n{}{}",
        finished.status,
        finished.stdout,
        finished.stderr
    );
    assert!(
        finished.stderr.contains("ERROR SUMMARY: 0 errors"),
        "{}",
        finished.stderr
    );
}
