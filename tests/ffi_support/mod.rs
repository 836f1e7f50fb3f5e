//! Shared by the C and Python tests of the C ABI: finding the libraries this
//! `cargo test` run built, compiling C, running a `sim-master` process and
//! running programs with a deadline.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::Duration;

/// The crate root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>/deps`, where cargo put the test binary and, because the
/// crate is also a cdylib/staticlib, the unhashed `libmesos_http.{a,so}`
/// built with this run's features.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    exe.parent()
        .expect("test binaries live in deps/")
        .to_path_buf()
}

/// A library artifact of this run, checked to exist.
fn artifact(name: &str) -> PathBuf {
    let path = deps_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `cargo test --features ffi,sim` (or --all-features), \
         which builds the crate's staticlib and cdylib",
        path.display()
    );
    path
}

/// The static library to link C programs against.
pub fn static_lib() -> PathBuf {
    artifact("libmesos_http.a")
}

/// The shared library for `ctypes`.
pub fn shared_lib() -> PathBuf {
    artifact("libmesos_http.so")
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
        .arg(root().join("src/ffi"))
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

/// The `sim-master` example. `cargo test --all-features` (what CI runs)
/// builds it next to this test as `examples/sim_master-HASH`; that binary is
/// used when it is newer than the library (so built from the same sources)
/// and answers like sim-master (not a test harness, which `cargo test
/// --example sim-master` would build). Otherwise cargo builds it into its
/// own target directory under `target/`, so the build never waits on or
/// disturbs the artifacts of the `cargo test` run itself.
pub fn sim_master_binary() -> PathBuf {
    static FOUND: OnceLock<PathBuf> = OnceLock::new();
    FOUND
        .get_or_init(|| built_beside().unwrap_or_else(build_separately))
        .clone()
}

fn built_beside() -> Option<PathBuf> {
    let deps = deps_dir();
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let lib_time = modified(&deps.join("libmesos_http.rlib"))?;
    let examples = std::fs::read_dir(deps.parent()?.join("examples")).ok()?;
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = examples
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("sim_master-") && !name.contains('.')
        })
        .filter_map(|path| modified(&path).map(|time| (time, path)))
        .filter(|(time, _)| *time >= lib_time)
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .map(|(_, path)| path)
        .find(|path| {
            // sim-master answers an incomplete flag with its usage on stderr.
            Command::new(path)
                .arg("--port")
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|out| String::from_utf8_lossy(&out.stderr).contains("usage: sim-master"))
        })
}

fn build_separately() -> PathBuf {
    let target_dir = deps_dir()
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .join("ffi-sim-master");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--example",
            "sim-master",
            "--features",
            "sim",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(root())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the sim-master example failed");
    target_dir.join("debug/examples/sim-master")
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
            .args(["--port", "0"])
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
