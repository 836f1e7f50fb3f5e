//! Runs a simulated Mesos master for any v1 scheduler client (curl, Python, C...).
//!
//! ```text
//! cargo run -p mesos-http-sim --bin sim-master -- [--port N] [--agents N]
//!     [--scripted-agents N] [--heartbeat-secs S] [--auth principal:secret]
//!     [--work-dir DIR]
//! cargo run -p mesos-http-sim --bin sim-master -- --replay FILE [--chunk BYTES] [--port N]
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
//! It stops when stdin closes or on SIGINT, SIGTERM or SIGHUP, and always
//! the same way: task processes are killed, the temp work dir (not a
//! `--work-dir`) is removed, and the exit status is 0.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

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

fn usage() -> ExitCode {
    eprintln!(
        "usage: sim-master [--port N] [--agents N] [--scripted-agents N] [--heartbeat-secs S] [--auth principal:secret] [--work-dir DIR]\n       sim-master --replay FILE [--chunk BYTES] [--port N]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut config = SimConfig::default();
    let mut local_agents = 1usize;
    let mut scripted_agents = 0usize;
    let mut replay: Option<PathBuf> = None;
    let mut chunking = Chunking::PerRecord;
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
            "--replay" => {
                replay = Some(PathBuf::from(value));
                true
            }
            "--chunk" => value
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .map(|n| chunking = Chunking::Bytes(n))
                .is_some(),
            "--work-dir" => {
                config.work_dir = Some(PathBuf::from(value));
                true
            }
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
    if let Some(file) = replay {
        return run_replay(&file, chunking, config.port);
    }
    for _ in 0..local_agents {
        config.agents.push(AgentSpec::local());
    }
    for _ in 0..scripted_agents {
        config
            .agents
            .push(AgentSpec::scripted(ScriptedTimeline::run_forever()));
    }
    // Installed before the master starts, so that no signal can arrive
    // while task processes exist but nobody would stop them.
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<&'static str>(2);
    let signal_tx = stop_tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = signal_tx.try_send("signal");
    }) {
        eprintln!("sim-master: cannot handle signals: {e}");
        return ExitCode::FAILURE;
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
    // Stdin reaching end-of-file (or failing) also stops the master.
    let spawned = thread::Builder::new()
        .name("stdin".to_string())
        .spawn(move || {
            let mut sink = [0u8; 1024];
            let mut stdin = io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = stop_tx.try_send("end of stdin");
        });
    if let Err(e) = spawned {
        eprintln!("sim-master: cannot watch stdin: {e}");
        master.stop();
        return ExitCode::FAILURE;
    }
    let why = stop_rx.recv().unwrap_or("no stop source left");
    log::info!("stopping ({why})");
    master.stop();
    ExitCode::SUCCESS
}

/// Waits for stdin to close or a signal, then stops.
fn wait_for_stop() -> &'static str {
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<&'static str>(2);
    let signal_tx = stop_tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = signal_tx.try_send("signal");
    }) {
        eprintln!("sim-master: cannot handle signals: {e}");
        return "no signal handler";
    }
    let _ = thread::Builder::new()
        .name("stdin".to_string())
        .spawn(move || {
            let mut sink = [0u8; 1024];
            let mut stdin = io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = stop_tx.try_send("end of stdin");
        });
    stop_rx.recv().unwrap_or("no stop source left")
}

/// `--replay FILE`: the replay master until stdin closes or a signal; prints
/// the counts of calls on exit.
fn run_replay(file: &std::path::Path, chunking: Chunking, port: u16) -> ExitCode {
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
    let why = wait_for_stop();
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
