//! Shared by the C and Python tests of the C ABI: building the C libraries
//! and finding them where cargo says they are, compiling C, running a
//! `sim-master` process and running programs with a deadline.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::Duration;

/// This crate's directory (`ffi/`).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What one `cargo build` of the C libraries and the `sim-master` binary
/// produced, at the paths cargo itself reported.
struct Built {
    static_lib: PathBuf,
    shared_lib: PathBuf,
    sim_master: PathBuf,
}

/// Builds the C libraries (`libmesos_http_ffi.a` and `.so`) and the
/// `sim-master` binary (crate mesos-http-sim) once per test binary, with the same cargo, profile
/// and features as this test run (so cargo reuses what it already built),
/// and takes their paths from `--message-format=json` instead of guessing
/// file names under `target/`.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut features = vec!["mesos-http/zookeeper"];
        if cfg!(feature = "zookeeper") {
            features.push("mesos-http-ffi/zookeeper");
        }
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(root())
            .args(["build", "--message-format=json", "--quiet"])
            .args(["-p", "mesos-http-ffi", "-p", "mesos-http-sim", "--lib"])
            .args(["--bin", "sim-master"])
            .args(["--features", &features.join(",")]);
        if profile_dir().file_name().is_some_and(|p| p == "release") {
            cargo.arg("--release");
        }
        scrub_package_env(&mut cargo);
        let output = cargo.stderr(Stdio::inherit()).output().expect("cargo runs");
        assert!(
            output.status.success(),
            "building the C libraries and sim-master failed"
        );
        let mut static_lib = None;
        let mut shared_lib = None;
        let mut sim_master = None;
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["reason"] != "compiler-artifact" {
                continue;
            }
            match message["target"]["name"].as_str() {
                Some("mesos_http_ffi") => {
                    for file in message["filenames"].as_array().into_iter().flatten() {
                        let path = PathBuf::from(file.as_str().unwrap_or_default());
                        match path.extension().and_then(|e| e.to_str()) {
                            Some("a") => static_lib = Some(path),
                            Some("so") => shared_lib = Some(path),
                            _ => {}
                        }
                    }
                }
                Some("sim-master") => {
                    sim_master = message["executable"].as_str().map(PathBuf::from);
                }
                _ => {}
            }
        }
        Built {
            static_lib: static_lib.expect("cargo reported libmesos_http_ffi.a"),
            shared_lib: shared_lib.expect("cargo reported libmesos_http_ffi.so"),
            sim_master: sim_master.expect("cargo reported the sim-master executable"),
        }
    })
}

/// `<target>/<profile>`, from this test binary's path
/// (`<target>/<profile>/deps/<name>-<hash>`); only its name is used, to
/// build with the same profile.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in <target>/<profile>/deps")
        .to_path_buf()
}

/// Cargo gives a running test the package's own variables; a build script
/// that watches them (ring's does) would see a change and make this build
/// and the next `cargo test` recompile everything.
fn scrub_package_env(cargo: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_for_crates = key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_CFG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_MANIFEST_LINKS",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&key.as_ref());
        if set_for_crates {
            cargo.env_remove(key.as_ref());
        }
    }
}

/// The static library to link C programs against.
pub fn static_lib() -> PathBuf {
    built().static_lib.clone()
}

/// The shared library for `ctypes`.
pub fn shared_lib() -> PathBuf {
    built().shared_lib.clone()
}

/// The `sim-master` binary, built by the same `cargo build`.
pub fn sim_master_binary() -> PathBuf {
    built().sim_master.clone()
}

/// Scratch space under the target directory.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ffi");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The link flags the README and the header document for the static
/// library (older glibc needs them; newer ones have all three in libc).
pub const LINK_FLAGS: [&str; 3] = ["-lpthread", "-ldl", "-lm"];

/// Compiles one C file with the project's strict flags against the header
/// and the static library; returns the executable.
pub fn compile_c(source: &Path, name: &str) -> PathBuf {
    let output = scratch_dir().join(name);
    let result = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(root().join("include"))
        .arg(source)
        .arg(static_lib())
        .args(LINK_FLAGS)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("the system C compiler `cc` runs");
    assert!(
        result.status.success(),
        "cc failed on {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    output
}

/// A running `sim-master`; stopped (stdin closed, then killed if needed)
/// when dropped. Its stdout is drained into `log` so it never blocks.
pub struct SimMasterProcess {
    child: Option<Child>,
    url: String,
    log: mpsc::Receiver<String>,
}

impl SimMasterProcess {
    /// Starts one on an ephemeral port and waits for its first line.
    pub fn start() -> Self {
        let mut child = Command::new(sim_master_binary())
            // Stops when this test drops its stdin, or dies.
            .args(["--port", "0", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sim-master starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("sim-master prints its address");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from sim-master: {first:?}"))
            .trim()
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        SimMasterProcess {
            child: Some(child),
            url,
            log: rx,
        }
    }

    /// The master's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every line the master logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }
}

impl Drop for SimMasterProcess {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Closing stdin is the master's signal to stop.
        drop(child.stdin.take());
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        if rx.recv_timeout(Duration::from_secs(10)).is_err() {
            kill(pid);
            let _ = rx.recv_timeout(Duration::from_secs(10));
        }
    }
}

/// Sends SIGKILL to a process this test started, by its id.
fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// What a finished program left behind.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to completion, killing it after `limit`.
pub fn run_with_deadline(command: &mut Command, limit: Duration) -> Finished {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(limit) {
        Ok(status) => status.expect("waitable"),
        Err(_) => {
            kill(pid);
            let _ = rx.recv_timeout(Duration::from_secs(10));
            panic!(
                "{command:?} did not finish within {limit:?}; stdout so far:\n{}",
                out.join().unwrap_or_default()
            );
        }
    };
    Finished {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// A `http://127.0.0.1:PORT` where nothing listens (the port was just free).
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = listener.local_addr().expect("bound").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// `valgrind`, or a failure that says how to get it.
pub fn valgrind() -> Command {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "valgrind is required by the C ABI leak tests: install it (apt-get install valgrind); \
         .ci/run does"
    );
    let mut command = Command::new("valgrind");
    command.args([
        "--error-exitcode=99",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect",
        "--show-leak-kinds=definite,indirect",
    ]);
    command
}

/// Checks that an execute-flow program (C or Python) succeeded and printed a
/// line with each of `needles`, in that order, and no failed task state.
pub fn assert_flow_in_order(
    what: &str,
    finished: &Finished,
    master: &SimMasterProcess,
    needles: &[&str],
) {
    let stdout = &finished.stdout;
    assert!(
        finished.status.success(),
        "{what} exited with {:?}\nstdout:\n{stdout}\nstderr:\n{}\nmaster log:\n{}",
        finished.status,
        finished.stderr,
        master.log_lines().join("\n")
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let positions: Vec<usize> = needles
        .iter()
        .map(|needle| {
            lines
                .iter()
                .position(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{stdout}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{needles:?} out of order in:\n{stdout}"
    );
    assert!(
        !stdout.contains("TASK_FAILED") && !stdout.contains("TASK_ERROR"),
        "{stdout}"
    );
}
