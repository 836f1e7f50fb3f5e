//! How the examples print what happens: one line per task state change, and
//! the exit status a task's end maps to.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mesos_http::v1::{TaskState, TaskStatus};

use super::tasks::state_name;

/// `HH:MM:SS.mmm` (UTC) of a Unix time in seconds.
pub fn clock(unix_seconds: f64) -> String {
    let millis = (unix_seconds.max(0.0) * 1000.0) as u64;
    let of_day = millis % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        of_day / 3_600_000,
        of_day / 60_000 % 60,
        of_day / 1000 % 60,
        of_day % 1000
    )
}

/// The current time as [`clock`] prints it.
pub fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    clock(seconds)
}

/// One line for a status update: time (the agent's, else ours), task id,
/// state, agent, then the message and reason when there are any.
pub fn status_line(status: &TaskStatus) -> String {
    let time = status.timestamp.map(clock).unwrap_or_else(now);
    let agent = status
        .agent_id
        .as_ref()
        .map(|a| a.value.as_str())
        .unwrap_or("-");
    let mut line = format!(
        "{time}  task {}  {:<15} agent {agent}",
        status.task_id.value,
        state_name(status.state)
    );
    if let Some(message) = status.message.as_deref().filter(|m| !m.is_empty()) {
        line.push_str("  ");
        line.push_str(message);
    }
    if let Some(reason) = status.reason {
        line.push_str(&format!(" [{}]", reason.name().unwrap_or("unknown reason")));
    }
    line
}

/// The process exit status for a task that ended in `status`: 0 when it
/// finished, the command's own exit status when the executor reported one
/// (`Command exited with status 3` gives 3), 128 + the signal number when it
/// was killed by a signal (as shells do), else 1.
pub fn exit_code(status: &TaskStatus) -> u8 {
    if status.state == TaskState::TASK_FINISHED {
        return 0;
    }
    let message = status.message();
    if let Some(rest) = message.split("exited with status ").nth(1) {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(code) = digits.parse::<u8>() {
            return code.max(1);
        }
    }
    if let Some(name) = message.split("terminated with signal ").nth(1) {
        if let Some(number) = signal_number(name.trim()) {
            return 128 + number;
        }
    }
    1
}

/// The number of a signal from the name `strsignal` gives it.
fn signal_number(name: &str) -> Option<u8> {
    Some(match name {
        "Hangup" => 1,
        "Interrupt" => 2,
        "Quit" => 3,
        "Aborted" => 6,
        "Killed" => 9,
        "Segmentation fault" => 11,
        "Broken pipe" => 13,
        "Terminated" => 15,
        _ => return None,
    })
}

/// Prints a sandbox file's size and its last `max_lines` lines, indented.
pub fn show_file(sandbox: &Path, name: &str, max_lines: usize) {
    let path = sandbox.join(name);
    let lines = match std::fs::read(&path) {
        Ok(bytes) => {
            println!(
                "  {name} ({} bytes){}",
                bytes.len(),
                if bytes.is_empty() { "" } else { ":" }
            );
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        }
        Err(err) => {
            println!("  {name}: cannot read: {err}");
            return;
        }
    };
    let skipped = lines.len().saturating_sub(max_lines);
    if skipped > 0 {
        println!("    ... {skipped} earlier line(s)");
    }
    for line in &lines[skipped..] {
        println!("    {line}");
    }
}
