//! The `execute` example run as a process, as a newcomer would run it: on the
//! embedded simulated master and on a separately started `sim-master`.

mod examples_support;
mod pki_support;

use std::path::PathBuf;

use examples_support::{lines_with, run, Run, Running, SimMasterProcess, TempDir, SECRET_ENV};

fn execute(args: &[&str]) -> Run {
    run("execute", args, &[])
}

/// The one status line for `state` (task `execute`, the default name).
fn state_line<'a>(run: &'a Run, state: &str) -> &'a str {
    let lines = run.lines_with(&["task execute", state]);
    assert_eq!(lines.len(), 1, "one {state} line expected: {run}");
    lines[0]
}

/// The sandbox directory the embedded run printed.
fn local_sandbox(run: &Run) -> PathBuf {
    PathBuf::from(run.value_after("sandbox: "))
}

#[test]
fn echo_hello_finishes_and_its_output_is_in_the_sandbox() {
    let work = TempDir::new("execute-hello");
    let run = execute(&["--command", "echo hello", "--work-dir", &work.arg()]);
    assert_eq!(run.code(), 0, "{run}");

    // Each state change on its own line, in order, naming task, state and agent.
    let states: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("task execute  TASK_"))
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(
        states,
        ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"],
        "{run}"
    );
    let finished = state_line(&run, "TASK_FINISHED");
    assert!(finished.contains("agent "), "{finished}");
    assert!(
        finished.contains("Command exited with status 0"),
        "{finished}"
    );

    let sandbox = local_sandbox(&run);
    assert!(sandbox.starts_with(work.path()), "{run}");
    assert_eq!(
        std::fs::read_to_string(sandbox.join("stdout")).unwrap(),
        "hello\n"
    );
    assert_eq!(run.lines_with(&["stdout (6 bytes):"]).len(), 1, "{run}");
    assert!(
        run.stdout.contains("\n    hello\n"),
        "the output is shown: {run}"
    );

    // The framework goes away at the end.
    let torn = run.lines_with(&["framework torn down"]);
    assert_eq!(torn.len(), 1, "{run}");
    assert_eq!(run.stderr, "", "no complaints on the way: {run}");
}

#[test]
fn a_failing_command_gives_its_exit_status_over_json() {
    let work = TempDir::new("execute-exit3");
    let run = execute(&[
        "--command",
        "echo oops >&2; exit 3",
        "--encoding",
        "json",
        "--work-dir",
        &work.arg(),
    ]);
    assert_eq!(run.code(), 3, "{run}");
    let failed = state_line(&run, "TASK_FAILED");
    assert!(failed.contains("Command exited with status 3"), "{failed}");
    assert!(run.lines_with(&["TASK_FINISHED"]).is_empty(), "{run}");
    let sandbox = local_sandbox(&run);
    assert_eq!(
        std::fs::read_to_string(sandbox.join("stderr")).unwrap(),
        "oops\n"
    );
}

#[test]
fn kill_after_kills_the_task() {
    let work = TempDir::new("execute-kill");
    let run = execute(&[
        "--command",
        "sleep 30",
        "--kill-after",
        "0.5",
        "--work-dir",
        &work.arg(),
    ]);
    state_line(&run, "TASK_KILLED");
    // SIGTERM, as a shell reports it: 128 + 15.
    assert_eq!(run.code(), 143, "{run}");
    assert_eq!(
        run.lines_with(&["--kill-after 0.5s elapsed"]).len(),
        1,
        "{run}"
    );
}

#[test]
fn ctrl_c_kills_the_task_and_tears_the_framework_down() {
    let work = TempDir::new("execute-ctrlc");
    let work_arg = work.arg();
    let mut running = Running::start(
        "execute",
        &["--command", "sleep 30", "--work-dir", &work_arg],
        &[],
    );
    running.wait_for_line(&["task execute", "TASK_RUNNING"]);
    running.interrupt();
    let run = running.finish();
    assert_eq!(run.code(), 130, "{run}");
    assert_eq!(
        run.lines_with(&["interrupted: killing task execute"]).len(),
        1,
        "{run}"
    );
    state_line(&run, "TASK_KILLED");
    assert_eq!(run.lines_with(&["framework torn down"]).len(), 1, "{run}");
}

#[test]
fn waits_for_an_offer_that_fits_and_says_so() {
    let work = TempDir::new("execute-wait");
    let work_arg = work.arg();
    // The local agent has 2 cpus: this never fits.
    let mut running = Running::start(
        "execute",
        &[
            "--command",
            "true",
            "--resources",
            "cpus:4;mem:32",
            "--work-dir",
            &work_arg,
        ],
        &[],
    );
    running.wait_for_line(&["waiting for an offer with cpus:4; mem:32"]);
    let declined = running.wait_for_line(&["does not fit", "declined, still waiting"]);
    assert!(
        declined.contains("cpus:2"),
        "the offer's resources are shown: {declined}"
    );
    running.interrupt();
    let run = running.finish();
    assert_eq!(run.code(), 130, "{run}");
    assert!(run.lines_with(&["launching"]).is_empty(), "{run}");
    assert_eq!(run.lines_with(&["framework torn down"]).len(), 1, "{run}");
}

#[test]
fn runs_against_a_separately_started_sim_master() {
    let master = SimMasterProcess::start(&["--agents", "1"]);
    let run = execute(&[
        "--master",
        &master.url,
        "--command",
        "echo hello",
        "--name",
        "remote",
    ]);
    assert_eq!(run.code(), 0, "{run}");
    let finished = run.lines_with(&["task remote", "TASK_FINISHED"]);
    assert_eq!(finished.len(), 1, "{run}");

    // No local sandbox to show: the hint names the agent's sandbox path.
    let hint = run.value_after("sandbox: ");
    let start = hint.find(".../frameworks/").expect("a sandbox path") + 3;
    let relative = hint[start..].split(' ').next().unwrap();
    let files = master.find_files(relative, "stdout");
    assert_eq!(
        files.len(),
        1,
        "{relative} under {:?}: {run}",
        master.tmp.path()
    );
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), "hello\n");

    let run = execute(&[
        "--master",
        &master.url,
        "--command",
        "exit 3",
        "--encoding",
        "json",
    ]);
    assert_eq!(run.code(), 3, "{run}");
    state_line(&run, "TASK_FAILED");
}

#[test]
fn authenticates_with_principal_and_secret() {
    let master = SimMasterProcess::start(&["--agents", "1", "--auth", "ops:s3cret"]);

    let with_env = run(
        "execute",
        &[
            "--master",
            &master.url,
            "--command",
            "true",
            "--principal",
            "ops",
        ],
        &[(SECRET_ENV, "s3cret")],
    );
    assert_eq!(with_env.code(), 0, "{with_env}");
    assert_eq!(
        lines_with(&with_env.stdout, &["TASK_FINISHED"]).len(),
        1,
        "{with_env}"
    );

    let wrong = execute(&[
        "--master",
        &master.url,
        "--command",
        "true",
        "--principal",
        "ops",
        "--secret",
        "nope",
    ]);
    assert_eq!(wrong.code(), 1, "{wrong}");
    assert!(wrong.stderr.contains("refused the subscription"), "{wrong}");
    assert!(wrong.stderr.contains("401"), "{wrong}");
}

#[test]
fn embedded_master_with_credentials_role_checkpoint_and_failover_timeout() {
    let work = TempDir::new("execute-auth");
    let run = execute(&[
        "--command",
        "true",
        "--principal",
        "me",
        "--secret",
        "pw",
        "--checkpoint",
        "--failover-timeout",
        "60",
        "--role",
        "dev",
        "--work-dir",
        &work.arg(),
    ]);
    assert_eq!(run.code(), 0, "{run}");
    assert!(
        run.lines_with(&["waiting for an offer", "(role dev)"])
            .len()
            == 1,
        "{run}"
    );
    state_line(&run, "TASK_FINISHED");
}

#[test]
fn help_and_bad_arguments() {
    let help = execute(&["--help"]);
    assert_eq!(help.code(), 0, "{help}");
    for flag in [
        "--command",
        "--resources",
        "--kill-after",
        "--master",
        "--encoding",
        "--ca-cert",
    ] {
        assert!(
            help.stdout.contains(flag),
            "{flag} missing from the usage: {help}"
        );
    }

    let missing = execute(&[]);
    assert_eq!(missing.code(), 2, "{missing}");
    assert!(
        missing.stderr.contains("--command is required"),
        "{missing}"
    );

    let bad = execute(&["--command", "true", "--resources", "cpus:lots"]);
    assert_eq!(bad.code(), 2, "{bad}");
    assert!(bad.stderr.contains("--resources"), "{bad}");

    let unknown = execute(&["--command", "true", "--bogus"]);
    assert_eq!(unknown.code(), 2, "{unknown}");
    assert!(unknown.stderr.contains("unknown flag --bogus"), "{unknown}");

    let encoding = execute(&["--command", "true", "--encoding", "xml"]);
    assert_eq!(encoding.code(), 2, "{encoding}");
}

#[test]
fn trusts_the_ca_given_with_ca_cert_for_https() {
    use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};

    let pki_support::TestPki { ca_pem, identity } = pki_support::test_pki();
    let work = TempDir::new("execute-tls");
    let ca_file = work.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let config = SimConfig {
        work_dir: Some(work.path().join("agents")),
        ..SimConfig::default()
    };
    let master =
        SimMaster::start(config.with_agent(AgentSpec::local()).with_tls(identity)).unwrap();
    assert!(master.url().starts_with("https://"));

    let run = execute(&[
        "--master",
        &master.url(),
        "--ca-cert",
        &ca_file.display().to_string(),
        "--command",
        "echo over tls",
    ]);
    assert_eq!(run.code(), 0, "{run}");
    state_line(&run, "TASK_FINISHED");
}

#[test]
fn a_task_info_file_runs_as_given() {
    // A TaskInfo as mesos-execute's --task takes it (agent_id left for the
    // offer to fill in), read with the model's serde impl; plus a whole
    // FrameworkInfo from a file.
    let work = TempDir::new("execute-task-file");
    let task = work.path().join("task.json");
    std::fs::write(
        &task,
        r#"{
  "name": "from-file",
  "task_id": {"value": "file-task"},
  "agent_id": {"value": ""},
  "resources": [
    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.2}},
    {"name": "mem", "type": "SCALAR", "scalar": {"value": "16"}}
  ],
  "command": {"value": "echo from a task file", "shell": "true"},
  "labels": {"labels": [{"key": "origin", "value": "json"}]}
}"#,
    )
    .unwrap();
    let framework = work.path().join("framework.json");
    std::fs::write(
        &framework,
        r#"{"user": "nobody", "name": "framework-from-file", "roles": ["*"],
            "capabilities": [{"type": "MULTI_ROLE"}]}"#,
    )
    .unwrap();
    let run = execute(&[
        "--task",
        &task.display().to_string(),
        "--framework-info",
        &framework.display().to_string(),
        "--encoding",
        "json",
        "--work-dir",
        &work.arg(),
    ]);
    assert_eq!(run.code(), 0, "{run}");
    let launch = run.lines_with(&["launching task file-task", "echo from a task file"]);
    assert_eq!(launch.len(), 1, "{run}");
    let finished = run.lines_with(&["task file-task", "TASK_FINISHED"]);
    assert_eq!(finished.len(), 1, "{run}");
    let sandbox = local_sandbox(&run);
    assert_eq!(
        std::fs::read_to_string(sandbox.join("stdout")).unwrap(),
        "from a task file\n"
    );

    // A file the master would refuse is refused with the master's words.
    std::fs::write(&task, r#"{"name": "x", "task_id": {}}"#).unwrap();
    let run = execute(&["--task", &task.display().to_string()]);
    assert_eq!(run.code(), 2, "{run}");
    assert!(
        run.stderr
            .contains("Missing required fields: agent_id, task_id.value"),
        "{run}"
    );
}

/// The agent re-sends a status update until it is acknowledged, so a
/// framework can see the same update (same uuid) twice, e.g. after a master
/// failover. `execute` prints each update once, and acknowledges every copy.
/// The replay master streams each update twice, in both encodings.
#[test]
fn a_redelivered_update_is_printed_once_and_acknowledged_each_time() {
    use mesos_http::codec::Encoding;
    use mesos_http::recordio;
    use mesos_http::v1::scheduler::event::{Type as EventType, Update};
    use mesos_http::v1::scheduler::Event;
    use mesos_http::v1::{AgentID, TaskID, TaskState, TaskStatus};
    use mesos_http_sim::{Chunking, ReplayMaster};

    // A valid version-4 UUID made of one repeated byte.
    let uuid = |b: u8| {
        let mut bytes = [b; 16];
        bytes[6] = 0x40 | (b & 0x0f);
        bytes[8] = 0x80 | (b & 0x3f);
        bytes.to_vec()
    };
    let update = |state: TaskState, n: u8| Event {
        r#type: Some(EventType::UPDATE),
        update: Some(Update {
            status: TaskStatus {
                task_id: TaskID {
                    value: "execute".into(),
                },
                state,
                agent_id: Some(AgentID {
                    value: "agent-1".into(),
                }),
                uuid: Some(uuid(n)),
                ..TaskStatus::default()
            },
        }),
        ..Event::default()
    };
    for (encoding, flag) in [(Encoding::Json, "json"), (Encoding::Protobuf, "protobuf")] {
        let mut file = Vec::new();
        for event in [
            update(TaskState::TASK_RUNNING, 1),
            update(TaskState::TASK_RUNNING, 1),
            update(TaskState::TASK_FINISHED, 2),
            update(TaskState::TASK_FINISHED, 2),
        ] {
            recordio::encode(&encoding.encode(&event), &mut file);
        }
        let master = ReplayMaster::start(file, Chunking::PerRecord, 0).unwrap();
        let run = execute(&[
            "--master",
            &master.url(),
            "--encoding",
            flag,
            "--command",
            "true",
        ]);
        state_line(&run, "TASK_RUNNING");
        state_line(&run, "TASK_FINISHED");
        let acked = master.acknowledged_uuids();
        assert_eq!(
            acked.iter().filter(|u| **u == uuid(1)).count(),
            2,
            "every copy acknowledged ({flag}): {acked:?}\n{run}"
        );
    }
}
