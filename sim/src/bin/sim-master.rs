//! Runs a simulated Mesos master for any v1 scheduler client (curl, Python, C...).
//!
//! ```text
//! cargo run -p mesos-http-sim --bin sim-master -- [--port N] [--agents N]
//!     [--scripted-agents N] [--heartbeat-secs S] [--auth principal:secret]
//!     [--work-dir DIR] [--exit-on-stdin-eof]
//! cargo run -p mesos-http-sim --bin sim-master -- --replay FILE [--chunk BYTES] [--port N]
//! cargo run -p mesos-http-sim --bin sim-master -- --help
//! ```
//! With `--replay`, no cluster is simulated: after SUBSCRIBED the RecordIO
//! `FILE` is streamed to the first subscriber as fast as the socket takes it
//! (one record per HTTP chunk, or `BYTES`-sized chunks), every other call is
//! answered 202 at once and counted, and the counts are printed on exit
//! (`calls: N`, then one `TYPE: N` line per call type).
//! The first stdout line is exactly `listening on http://127.0.0.1:PORT`, the
//! second `work dir: PATH` (where local agents put their sandboxes: `DIR`, or
//! a fresh temp directory); the master then logs what happens.
//!
//! It runs until SIGINT, SIGTERM or SIGHUP (with `--exit-on-stdin-eof`, also
//! until stdin closes), and always stops the same way: task processes are
//! killed, the temp work dir (not a `--work-dir`) is removed, and the exit
//! status is 0. Task processes die with it even when it is SIGKILLed.
//!
//! Lines on stdin inject failures (`AGENT` is an agent id, or `*` for every
//! agent; each command logs `command <line>: <outcome>`):
//! `partition AGENT` (a network partition: its updates are held),
//! `unreachable AGENT` (the master gives it up: its tasks are reported lost),
//! `heal AGENT` (it re-registers: held updates flow), and `restart` (the
//! master restarts losing its in-memory state; agents wait for `heal`).
//! See `SimMaster::partition_agent` and the methods after it.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use mesos_http_sim::{AgentSpec, Chunking, ReplayMaster, ScriptedTimeline, SimConfig, SimMaster};

/// Prints log records of the simulated master to stdout, one line each.
struct StdoutLogger;

impl log::Log for StdoutLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            // READY is read under the stdout lock that the address lines are
            // written under, so a record never comes before them and none
            // made after them is lost.
            let mut out = io::stdout().lock();
            if READY.load(Ordering::Acquire) {
                let _ = writeln!(out, "{}", record.args());
                let _ = out.flush();
            }
        }
    }

    fn flush(&self) {
        let _ = io::stdout().flush();
    }
}

static LOGGER: StdoutLogger = StdoutLogger;
/// Set once the address lines are out; records before that are dropped.
static READY: AtomicBool = AtomicBool::new(false);

const USAGE: &str =
    "usage: sim-master [--port N] [--agents N] [--scripted-agents N] [--heartbeat-secs S]
                  [--auth principal:secret] [--work-dir DIR] [--exit-on-stdin-eof]
       sim-master --replay FILE [--chunk BYTES] [--port N] [--exit-on-stdin-eof]
       sim-master --help";

const HELP: &str = "A simulated Mesos master with local agents on 127.0.0.1, for any v1
scheduler or executor client.

  --port N               listen on port N (0, the default: any free port)
  --agents N             local agents, running tasks as real processes (1)
  --scripted-agents N    agents whose tasks run forever without processes (0)
  --heartbeat-secs S     seconds between HEARTBEAT events
  --auth P:S             require HTTP Basic credentials principal P, secret S
  --work-dir DIR         where agents put sandboxes (kept; default: a fresh
                         temp directory, removed on exit)
  --replay FILE          stream the RecordIO FILE to the first subscriber
                         instead of simulating a cluster
  --chunk BYTES          with --replay: HTTP chunks of BYTES, not per record
  --exit-on-stdin-eof    also stop when stdin reaches end-of-file

The first line is `listening on http://127.0.0.1:PORT`, the second `work dir:
PATH` (with --replay: what is replayed); then what happens is logged.

It runs until SIGINT (Ctrl-C), SIGTERM or SIGHUP (so `sim-master &` in a
script keeps running until `kill %1`), or with --exit-on-stdin-eof until its
stdin closes, and stops the same way each time: task processes are killed,
the temp work dir is removed, exit status 0. Task processes die with it even
if it is killed with SIGKILL.";

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// What the command line asks for.
struct Options {
    config: SimConfig,
    local_agents: usize,
    scripted_agents: usize,
    replay: Option<PathBuf>,
    chunking: Chunking,
    exit_on_stdin_eof: bool,
}

/// The parsed command line, or the exit code to leave with (`--help`, or a
/// usage error).
fn parse_args() -> Result<Options, ExitCode> {
    let mut options = Options {
        config: SimConfig::default(),
        local_agents: 1,
        scripted_agents: 0,
        replay: None,
        chunking: Chunking::PerRecord,
        exit_on_stdin_eof: false,
    };
    let config = &mut options.config;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}\n\n{HELP}");
                return Err(ExitCode::SUCCESS);
            }
            "--exit-on-stdin-eof" => {
                options.exit_on_stdin_eof = true;
                continue;
            }
            _ => {}
        }
        let Some(value) = args.next() else {
            return Err(usage());
        };
        let ok = match flag.as_str() {
            "--port" => value.parse().map(|p| config.port = p).is_ok(),
            "--agents" => value.parse().map(|n| options.local_agents = n).is_ok(),
            "--scripted-agents" => value.parse().map(|n| options.scripted_agents = n).is_ok(),
            "--heartbeat-secs" => value
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .filter(|d| !d.is_zero())
                .map(|d| config.heartbeat_interval = d)
                .is_some(),
            "--replay" => {
                options.replay = Some(PathBuf::from(value));
                true
            }
            "--chunk" => value
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .map(|n| options.chunking = Chunking::Bytes(n))
                .is_some(),
            "--work-dir" => {
                config.work_dir = Some(PathBuf::from(value));
                true
            }
            "--auth" => match value.split_once(':') {
                Some((p, s)) => {
                    *config = std::mem::take(config).with_basic_auth(p, s);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            return Err(usage());
        }
    }
    Ok(options)
}

/// Installs what stops the master on a signal (SIGINT, SIGTERM, SIGHUP);
/// the receiver yields why it stops, and the sender is for the end of stdin
/// (with `--exit-on-stdin-eof`).
fn stop_sources() -> Result<(Sender<&'static str>, Receiver<&'static str>), String> {
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<&'static str>(2);
    let signal_tx = stop_tx.clone();
    ctrlc::set_handler(move || {
        let _ = signal_tx.try_send("signal");
    })
    .map_err(|e| format!("cannot handle signals: {e}"))?;
    Ok((stop_tx, stop_rx))
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(code) => return code,
    };
    // Installed before the master starts, so that no signal can arrive
    // while task processes exist but nobody would stop them.
    let (stop_tx, stop) = match stop_sources() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("sim-master: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(file) = &options.replay {
        if let Err(e) = watch_stdin(stop_tx, options.exit_on_stdin_eof, |_| {}) {
            eprintln!("sim-master: {e}");
            return ExitCode::FAILURE;
        }
        return run_replay(file, options.chunking, options.config.port, &stop);
    }
    let mut config = options.config;
    for _ in 0..options.local_agents {
        config.agents.push(AgentSpec::local());
    }
    for _ in 0..options.scripted_agents {
        config
            .agents
            .push(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    }
    // Installed before the master starts so that no record made after the
    // address lines (a client may connect at once) is missed.
    let _ = log::set_logger(&LOGGER).map(|()| log::set_max_level(log::LevelFilter::Info));
    let master = match SimMaster::start(config) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("sim-master: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Read before taking the stdout lock: these take the cluster lock, under
    // which the master logs (to stdout) once a client is connected.
    let (url, work_dir) = (master.url(), master.work_dir());
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "listening on {url}");
        let _ = writeln!(out, "work dir: {}", work_dir.display());
        let _ = out.flush();
        READY.store(true, Ordering::Release);
    }
    // Stdin carries failure commands.
    let commanded = master.clone();
    let read = watch_stdin(stop_tx, options.exit_on_stdin_eof, move |line| {
        let outcome = run_command(&commanded, line);
        log::info!("command {line}: {outcome}");
    });
    if let Err(e) = read {
        eprintln!("sim-master: {e}");
        master.stop();
        return ExitCode::FAILURE;
    }
    let why = stop.recv().unwrap_or("no stop source left");
    log::info!("stopping ({why})");
    master.stop();
    ExitCode::SUCCESS
}

/// Runs one failure command from stdin; says what came of it.
fn run_command(master: &SimMaster, line: &str) -> String {
    let mut words = line.split_whitespace();
    let (Some(command), target) = (words.next(), words.next()) else {
        return "empty".to_string();
    };
    if words.next().is_some() {
        return "too many words".to_string();
    }
    let agents = match target {
        Some("*") => master.with_state(|v| v.agents()),
        Some(agent) => vec![agent.to_string()],
        None => Vec::new(),
    };
    let knob: fn(&SimMaster, &str) -> bool = match (command, target) {
        ("restart", None) => {
            master.restart_losing_state();
            return "done".to_string();
        }
        ("partition", Some(_)) => SimMaster::partition_agent,
        ("unreachable", Some(_)) => SimMaster::mark_agent_unreachable,
        ("heal", Some(_)) => SimMaster::heal_agent,
        _ => return "unknown command".to_string(),
    };
    let changed: Vec<String> = agents.into_iter().filter(|a| knob(master, a)).collect();
    if changed.is_empty() {
        "no agent changed".to_string()
    } else {
        format!("done for {}", changed.join(", "))
    }
}

/// Reads stdin line by line on a thread of its own, handing each non-empty
/// line to `on_line`; at its end, stops the master if `exit_on_eof`.
fn watch_stdin(
    stop_tx: Sender<&'static str>,
    exit_on_eof: bool,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> Result<(), String> {
    thread::Builder::new()
        .name("stdin".to_string())
        .spawn(move || {
            for line in io::stdin().lock().lines().map_while(Result::ok) {
                if !line.trim().is_empty() {
                    on_line(line.trim());
                }
            }
            if exit_on_eof {
                let _ = stop_tx.try_send("end of stdin");
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot watch stdin: {e}"))
}

/// `--replay FILE`: the replay master until a stop source fires; prints the
/// counts of calls on exit.
fn run_replay(
    file: &std::path::Path,
    chunking: Chunking,
    port: u16,
    stop: &Receiver<&'static str>,
) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sim-master: cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let master = match ReplayMaster::start(bytes, chunking, port) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("sim-master: cannot replay {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "listening on {}", master.url());
        let _ = writeln!(
            out,
            "replaying {} records of {} ({:?})",
            master.records(),
            file.display(),
            master.encoding()
        );
        let _ = out.flush();
    }
    let why = stop.recv().unwrap_or("no stop source left");
    let counts = master.stop();
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "stopping ({why})");
    let _ = writeln!(out, "calls: {}", counts.calls);
    for (kind, n) in &counts.by_type {
        let _ = writeln!(out, "{kind}: {n}");
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}
