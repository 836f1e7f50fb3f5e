//! Runs a simulated Mesos master for any v1 scheduler client (curl, Python, C...).
//!
//! ```text
//! cargo run --features sim --example sim-master -- [--port N] [--agents N]
//!     [--scripted-agents N] [--heartbeat-secs S] [--auth principal:secret]
//! ```
//! The first stdout line is exactly `listening on http://127.0.0.1:PORT`; the
//! master then logs what happens. It stops when stdin closes; SIGINT and
//! SIGTERM end the process with their default action.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use mesos_http::sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};

/// Prints log records of the simulated master to stdout, one line each.
struct StdoutLogger;

impl log::Log for StdoutLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "{}", record.args());
            let _ = out.flush();
        }
    }

    fn flush(&self) {
        let _ = io::stdout().flush();
    }
}

static LOGGER: StdoutLogger = StdoutLogger;

fn usage() -> ExitCode {
    eprintln!(
        "usage: sim-master [--port N] [--agents N] [--scripted-agents N] [--heartbeat-secs S] [--auth principal:secret]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = SimConfig::default();
    let mut local_agents = 1usize;
    let mut scripted_agents = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            return usage();
        };
        let ok = match flag.as_str() {
            "--port" => value.parse().map(|p| config.port = p).is_ok(),
            "--agents" => value.parse().map(|n| local_agents = n).is_ok(),
            "--scripted-agents" => value.parse().map(|n| scripted_agents = n).is_ok(),
            "--heartbeat-secs" => value
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .filter(|d| !d.is_zero())
                .map(|d| config.heartbeat_interval = d)
                .is_some(),
            "--auth" => match value.split_once(':') {
                Some((p, s)) => {
                    config = config.with_basic_auth(p, s);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            return usage();
        }
    }
    for _ in 0..local_agents {
        config.agents.push(AgentSpec::local());
    }
    for _ in 0..scripted_agents {
        config
            .agents
            .push(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    }
    let master = match SimMaster::start(config) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("sim-master: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Nothing logs before a client connects, so the address line stays first.
    let _ = log::set_logger(&LOGGER).map(|()| log::set_max_level(log::LevelFilter::Info));
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "listening on {}", master.url());
        let _ = out.flush();
    }
    // Run until stdin reaches end-of-file (or fails).
    let mut sink = [0u8; 1024];
    let mut stdin = io::stdin();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    master.stop();
    ExitCode::SUCCESS
}
