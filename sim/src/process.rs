//! Real child processes for local agents: a task's command runs in its own
//! process group with stdout/stderr in the sandbox, and is stopped with
//! SIGTERM (then SIGKILL) sent to the whole group. Every group is watched by
//! the [`reaper`](crate::reaper), so none outlives the master.

use std::fs::{self, File};
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use mesos_http::v1::CommandInfo;

/// Starts `command` in `sandbox` (created if needed) with the given environment.
pub fn spawn(command: &CommandInfo, sandbox: &Path, env: &[(String, String)]) -> io::Result<Child> {
    fs::create_dir_all(sandbox)?;
    let stdout = File::create(sandbox.join("stdout"))?;
    let stderr = File::create(sandbox.join("stderr"))?;
    let value = command.value.clone().unwrap_or_default();
    let mut cmd = if command.shell.unwrap_or(true) {
        let mut c = Command::new("sh");
        c.arg("-c").arg(&value);
        c
    } else {
        if value.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty command"));
        }
        let mut c = Command::new(&value);
        // argv[0] is the first argument, as with execvp in the command executor.
        c.args(command.arguments.iter().skip(1));
        c
    };
    cmd.current_dir(sandbox)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    for variable in command.environment.iter().flat_map(|e| e.variables.iter()) {
        if let Some(v) = &variable.value {
            cmd.env(&variable.name, v);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn()?;
    crate::reaper::watch(child.id());
    Ok(child)
}

/// Sends `signal` (`libc::SIGTERM`, `libc::SIGKILL`) to the process group
/// led by `pid`. A group that is already gone is no error.
pub fn signal_group(pid: u32, signal: libc::c_int) {
    let Ok(pgid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: killpg takes two integers and touches no memory of ours; the
    // group is one this master started (its leader's pid, not yet
    // forgotten), and a failure (ESRCH) only means it is gone.
    unsafe {
        libc::killpg(pgid, signal);
    }
}

/// Kills what is left of `child`'s group, reaps `child` and tells the
/// reaper the group is gone. Called once its owner is done with it.
pub fn finish_group(child: &mut Child) {
    signal_group(child.id(), libc::SIGKILL);
    let _ = child.kill();
    let _ = child.wait();
    crate::reaper::forget(child.id());
}

/// The name libc's `strsignal` gives common signals.
pub fn signal_name(signal: i32) -> String {
    match signal {
        1 => "Hangup".to_string(),
        2 => "Interrupt".to_string(),
        3 => "Quit".to_string(),
        6 => "Aborted".to_string(),
        9 => "Killed".to_string(),
        11 => "Segmentation fault".to_string(),
        13 => "Broken pipe".to_string(),
        15 => "Terminated".to_string(),
        n => format!("Unknown signal {n}"),
    }
}

/// The command executor's wording for how a command ended:
/// `Command exited with status N` or `Command terminated with signal NAME`.
pub fn describe_exit(status: ExitStatus) -> (Option<i32>, String) {
    match (status.code(), status.signal()) {
        (Some(code), _) => (Some(code), format!("Command exited with status {code}")),
        (None, Some(signal)) => (
            None,
            format!("Command terminated with signal {}", signal_name(signal)),
        ),
        (None, None) => (None, "Command exited".to_string()),
    }
}
