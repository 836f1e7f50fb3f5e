//! The `batch` example with `--state-dir`, SIGKILLed mid-run and started
//! again against the same `sim-master` process: it resumes the same
//! framework, launches no task twice and finishes the rest, every task
//! ending exactly once. Both encodings.

mod examples_support;

use std::collections::BTreeMap;
use std::process::Command;

use examples_support::{Running, SimMasterProcess, TempDir};

const TASKS: usize = 12;

/// The task counts of every `launched N task(s) on agent A` line.
fn launched(lines: &str) -> usize {
    lines
        .lines()
        .filter(|l| l.contains("launched ") && l.contains(" task(s) on agent "))
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("count in {l:?}"))
        })
        .sum()
}

fn restart_mid_run(encoding: &str) {
    let master = SimMasterProcess::start(&["--agents", "2"]);
    let state = TempDir::new("batch-state");
    let tasks = TASKS.to_string();
    let args = [
        "--master",
        &master.url,
        "--state-dir",
        &state.arg(),
        "--tasks",
        &tasks,
        "--command",
        "echo ran $MESOS_TASK_ID; sleep 0.4",
        "--resources",
        "cpus:0.5;mem:32",
        "--encoding",
        encoding,
    ];
    let mut first = Running::start("batch", &args, &[]);
    let id_line = first.wait_for_line(&["framework "]);
    let framework = id_line.trim().to_string();
    let launch_line = first.wait_for_line(&["launched ", " task(s) on agent "]);
    let status = Command::new("kill")
        .args(["-KILL", &first.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let killed = first.finish();
    assert!(!killed.status.success(), "{killed}");
    assert!(launched(&killed.stdout) >= 1, "{launch_line}\n{killed}");

    let second = Running::start("batch", &args, &[]).finish();
    assert_eq!(second.code(), 0, "{second}");
    assert!(
        second.stdout.lines().any(|l| l.trim() == framework),
        "the same framework ({framework}) resumed:\n{second}"
    );
    assert_eq!(
        second
            .lines_with(&[
                &format!("summary: {TASKS} tasks"),
                &format!("{TASKS} finished, 0 failed")
            ])
            .len(),
        1,
        "{second}"
    );
    // A launch line may not have made it out before the kill (the ACCEPT
    // did): at most one line per task over both runs.
    assert!(
        launched(&killed.stdout) + launched(&second.stdout) <= TASKS,
        "no task launched twice:\n{killed}\n{second}"
    );
    // Each task ran exactly once: one sandbox with its output.
    let mut runs: BTreeMap<String, usize> = BTreeMap::new();
    for file in master.find_files("/executors/", "stdout") {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines() {
            if let Some(task) = line.strip_prefix("ran ") {
                *runs.entry(task.to_string()).or_default() += 1;
            }
        }
    }
    assert_eq!(runs.len(), TASKS, "{runs:?}");
    assert!(runs.values().all(|&n| n == 1), "{runs:?}");
    // TEARDOWN cleared the store: a new run starts a new framework.
    assert!(!state.path().join("framework-id").exists());
}

#[test]
fn sigkilled_and_restarted_with_its_state_dir_it_finishes_every_task_once_json() {
    restart_mid_run("json");
}

#[test]
fn sigkilled_and_restarted_with_its_state_dir_it_finishes_every_task_once_protobuf() {
    restart_mid_run("protobuf");
}

#[test]
fn metrics_print_the_framework_counters_in_prometheus_text() {
    let run = Running::start(
        "batch",
        &[
            "--tasks",
            "4",
            "--agents",
            "0",
            "--scripted-agents",
            "1",
            "--metrics",
        ],
        &[],
    )
    .finish();
    assert_eq!(run.code(), 0, "{run}");
    let value = |series: &str| -> f64 {
        run.stdout
            .lines()
            .find_map(|l| l.strip_prefix(series))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{run}"))
    };
    assert!(
        run.stdout
            .contains("# TYPE mesos_framework_updates_total counter"),
        "{run}"
    );
    // Each task's changes handed over: at least its end.
    assert!(value("mesos_framework_updates_total{verdict=\"delivered\"}") >= 4.0);
    assert_eq!(value("mesos_framework_subscriptions_total"), 1.0);
    assert!(value("mesos_framework_calls_total{type=\"ACCEPT\",outcome=\"ok\"}") >= 1.0);
    assert_eq!(value("mesos_framework_acknowledgements_pending"), 0.0);
}
