//! The `batch` example run as a process: many tasks packed into the offers
//! of several agents, on the embedded master and on a `sim-master` process.

mod examples_support;

use examples_support::{run, Run, SimMasterProcess, TempDir};

fn batch(args: &[&str]) -> Run {
    run("batch", args, &[])
}

/// The task counts of every `launched N task(s) on agent A` line, with A.
fn launches(run: &Run) -> Vec<(usize, String)> {
    run.lines_with(&["launched ", " task(s) on agent "])
        .iter()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let count = words[1]
                .parse()
                .unwrap_or_else(|_| panic!("count in {line:?}"));
            (count, words[5].to_string())
        })
        .collect()
}

/// The last progress line (not a TTY: one line per change).
fn last_progress(run: &Run) -> &str {
    run.stdout
        .lines()
        .rfind(|l| l.starts_with("queued "))
        .unwrap_or_else(|| panic!("no progress line: {run}"))
}

#[test]
fn twenty_tasks_on_three_local_agents_all_finish() {
    let work = TempDir::new("batch-local");
    let run = batch(&[
        "--tasks",
        "20",
        "--command",
        "echo $MESOS_TASK_ID",
        "--resources",
        "cpus:0.5;mem:64",
        "--work-dir",
        &work.arg(),
    ]);
    assert_eq!(run.code(), 0, "{run}");
    assert!(
        run.lines_with(&["summary: 20 tasks", "20 finished, 0 failed, 0 not run"])
            .len()
            == 1,
        "{run}"
    );
    assert_eq!(
        last_progress(&run),
        "queued 0  running 0  finished 20  failed 0"
    );
    assert_eq!(run.stderr, "", "no complaints on the way: {run}");

    // Packing: an agent has cpus:2, so an offer takes at most 4 tasks of
    // cpus:0.5, and a fresh one does take more than one.
    let launches = launches(&run);
    assert_eq!(launches.iter().map(|(n, _)| n).sum::<usize>(), 20, "{run}");
    assert!(launches.iter().all(|(n, _)| (1..=4).contains(n)), "{run}");
    assert!(launches.iter().any(|(n, _)| *n == 4), "{run}");

    // Every task really ran: its id is in its own sandbox's stdout.
    let mut outputs = Vec::new();
    collect_named(work.path(), "stdout", &mut outputs);
    let mut ids: Vec<String> = outputs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap().trim().to_string())
        .collect();
    ids.sort_by_key(|id| id.trim_start_matches("batch-").parse::<u32>().unwrap_or(0));
    let expected: Vec<String> = (1..=20).map(|i| format!("batch-{i}")).collect();
    assert_eq!(ids, expected);
}

#[test]
fn a_progress_line_per_change_without_a_terminal() {
    let work = TempDir::new("batch-progress");
    let run = batch(&["--tasks", "3", "--agents", "1", "--work-dir", &work.arg()]);
    assert_eq!(run.code(), 0, "{run}");
    assert!(
        !run.stdout.contains('\r'),
        "no redrawing into a pipe: {run}"
    );
    let progress: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("queued "))
        .collect();
    assert_eq!(
        progress.first(),
        Some(&"queued 3  running 0  finished 0  failed 0"),
        "{run}"
    );
    // Consecutive lines differ (a line per change, not per event).
    assert!(progress.windows(2).all(|w| w[0] != w[1]), "{run}");
    assert_eq!(
        progress.last(),
        Some(&"queued 0  running 0  finished 3  failed 0"),
        "{run}"
    );
}

#[test]
fn failed_tasks_are_counted_and_reported() {
    let work = TempDir::new("batch-fail");
    let run = batch(&[
        "--tasks",
        "5",
        "--command",
        "exit 7",
        "--agents",
        "2",
        "--work-dir",
        &work.arg(),
    ]);
    assert_eq!(run.code(), 1, "{run}");
    assert_eq!(
        run.lines_with(&["summary: 5 tasks", "0 finished, 5 failed"])
            .len(),
        1,
        "{run}"
    );
    assert_eq!(
        run.lines_with(&["TASK_FAILED", "Command exited with status 7"])
            .len(),
        5,
        "{run}"
    );
}

#[test]
fn scripted_agents_take_many_tasks() {
    let run = batch(&["--tasks", "40", "--agents", "0", "--scripted-agents", "3"]);
    assert_eq!(run.code(), 0, "{run}");
    assert_eq!(
        run.lines_with(&["summary: 40 tasks", "40 finished, 0 failed"])
            .len(),
        1,
        "{run}"
    );
    assert!(
        launches(&run).iter().all(|(n, _)| (1..=4).contains(n)),
        "{run}"
    );
}

#[test]
fn runs_against_a_separately_started_sim_master() {
    let master = SimMasterProcess::start(&["--agents", "3"]);
    let run = batch(&[
        "--master",
        &master.url,
        "--tasks",
        "20",
        "--command",
        "true",
        "--resources",
        "cpus:0.25;mem:32",
        "--encoding",
        "json",
    ]);
    assert_eq!(run.code(), 0, "{run}");
    assert_eq!(
        run.lines_with(&["summary: 20 tasks", "20 finished, 0 failed"])
            .len(),
        1,
        "{run}"
    );
    // cpus:2 per agent: up to 8 tasks of cpus:0.25 per offer.
    assert!(
        launches(&run).iter().all(|(n, _)| (1..=8).contains(n)),
        "{run}"
    );
    assert!(launches(&run).iter().any(|(n, _)| *n > 1), "{run}");
}

#[test]
fn help_and_bad_arguments() {
    let help = batch(&["--help"]);
    assert_eq!(help.code(), 0, "{help}");
    for flag in [
        "--tasks",
        "--agents",
        "--scripted-agents",
        "--resources",
        "--master",
    ] {
        assert!(
            help.stdout.contains(flag),
            "{flag} missing from the usage: {help}"
        );
    }
    let bad = batch(&["--tasks", "many"]);
    assert_eq!(bad.code(), 2, "{bad}");
    assert!(bad.stderr.contains("--tasks"), "{bad}");
    let no_agents = batch(&["--agents", "0"]);
    assert_eq!(no_agents.code(), 2, "{no_agents}");
}

fn collect_named(dir: &std::path::Path, name: &str, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_named(&path, name, out);
        } else if path.file_name().is_some_and(|n| n == name) {
            out.push(path);
        }
    }
}
