//! Helpers for the tests that run the examples as processes: building an
//! example once, running it with a time limit, a separately started
//! `sim-master` process, and scratch directories.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};

/// Long enough for any run on a loaded 2-core machine, short enough that a
/// hang fails the test instead of stalling the suite.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The features to build with: exactly this test run's library features, so
/// that cargo stays on the artifacts it already has instead of compiling
/// the library once more with other features.
fn same_features(prefix: &str) -> String {
    let mut features = Vec::new();
    if cfg!(feature = "zookeeper") {
        features.push(format!("{prefix}zookeeper"));
    }
    features.join(",")
}

/// The compiled example `name`, built on first use (once per test binary).
///
/// `cargo test --test X` does not build examples, so the test builds the one
/// it runs, with the same cargo and profile, into the same target directory.
pub fn example(name: &str) -> PathBuf {
    built(name, &["--example", name], &same_features(""), "examples")
}

/// The `sim-master` binary of the `mesos-http-sim` crate, built on first use
/// (once per test binary) like [`example`].
pub fn sim_master() -> PathBuf {
    built(
        "sim-master",
        &["-p", "mesos-http-sim", "--bin", "sim-master"],
        &same_features("mesos-http/"),
        "",
    )
}

/// Builds a target with `target_args` and returns `<target>/<profile>/<dir>/<name>`.
fn built(name: &str, target_args: &[&str], features: &str, dir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    // This test binary is <target>/<profile>/deps/<name>-<hash>.
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary inside <target>/<profile>/deps");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "--quiet"])
        .args(target_args);
    if !features.is_empty() {
        cargo.args(["--features", features]);
    }
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        cargo.arg("--release");
    }
    // Cargo gives a running test the package's own variables; a build
    // script that watches them (ring's does) would see a change and make
    // this build and the next `cargo test` recompile everything.
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
    // Quiet unless it fails (warnings would clutter every test run).
    let output = cargo.output().expect("run cargo build");
    assert!(
        output.status.success(),
        "cargo build {target_args:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let path = profile_dir.join(dir).join(name);
    assert!(path.is_file(), "no binary at {}", path.display());
    built.insert(name.to_string(), path.clone());
    path
}

/// What a finished example printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// The exit code (panics, with the output, if a signal ended it).
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("ended by a signal: {self}"))
    }

    /// The stdout lines that contain every one of `parts`.
    pub fn lines_with(&self, parts: &[&str]) -> Vec<&str> {
        lines_with(&self.stdout, parts)
    }

    /// The one stdout line starting with `prefix`, without the prefix.
    pub fn value_after(&self, prefix: &str) -> &str {
        let found: Vec<&str> = self
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one line starting with {prefix:?} expected: {self}"
        );
        found[0]
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// The lines of `text` that contain every one of `parts`.
pub fn lines_with<'a>(text: &'a str, parts: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|line| parts.iter().all(|p| line.contains(p)))
        .collect()
}

/// Runs example `name` with `args` (and extra environment) to the end.
pub fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    Running::start(name, args, env).finish()
}

/// An example process whose stdout is read line by line while it runs.
pub struct Running {
    child: Child,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    /// Starts example `name`.
    pub fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(example(name));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove(SECRET_ENV);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start the example");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = crossbeam_channel::unbounded();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Running {
            child,
            lines,
            stdout: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// The process id (to send it signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads stdout until a line contains every one of `parts`; returns it.
    pub fn wait_for_line(&mut self, parts: &[&str]) -> String {
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if parts.iter().all(|p| line.contains(p)) {
                        return line;
                    }
                }
                Err(err) => {
                    self.kill();
                    panic!(
                        "no line with {parts:?} ({err:?}); stdout so far:\n{}",
                        self.stdout.join("\n")
                    );
                }
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -INT failed");
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the end (killing the process after [`PATIENCE`]).
    pub fn finish(self) -> Run {
        self.finish_within(PATIENCE)
    }

    /// Waits for the end, killing the process when no line came for `patience`.
    pub fn finish_within(mut self, patience: Duration) -> Run {
        loop {
            match self.lines.recv_timeout(patience) {
                Ok(line) => self.stdout.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    panic!(
                        "the example did not end; stdout:\n{}",
                        self.stdout.join("\n")
                    );
                }
            }
        }
        // Stdout is closed: the process has exited or is exiting.
        let status = self.child.wait().expect("wait for the example");
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        let mut stdout = self.stdout.join("\n");
        stdout.push('\n');
        Run {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// The secret's environment variable, removed from every run unless a test sets it.
pub const SECRET_ENV: &str = "MESOS_HTTP_SECRET";

/// A `sim-master` process, as a user would start it in another terminal.
pub struct SimMasterProcess {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its temp directory (the sandboxes of its local agents are under it).
    pub tmp: TempDir,
}

impl SimMasterProcess {
    /// Starts `sim-master` with `args`, its temp directory set to a fresh one.
    pub fn start(args: &[&str]) -> SimMasterProcess {
        let tmp = TempDir::new("sim-master");
        let mut child = Command::new(sim_master())
            // Stops when this test drops its stdin, or dies.
            .arg("--exit-on-stdin-eof")
            .args(args)
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sim-master");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("read sim-master's first line");
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        // Keep reading its log so that it never blocks on a full pipe.
        thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stdout.read_to_end(&mut sink);
        });
        SimMasterProcess {
            child: Some(child),
            stdin,
            url,
            tmp,
        }
    }

    /// The files named `name` under its temp directory whose path contains `part`.
    pub fn find_files(&self, part: &str, name: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        walk(self.tmp.path(), &mut |path| {
            if path.file_name().is_some_and(|n| n == name) && path.to_string_lossy().contains(part)
            {
                found.push(path.to_path_buf());
            }
        });
        found
    }
}

impl Drop for SimMasterProcess {
    fn drop(&mut self) {
        // Closing its stdin stops it; a waiter thread reports the exit.
        drop(self.stdin.take());
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id();
        let (tx, rx) = crossbeam_channel::bounded(1);
        thread::spawn(move || {
            let _ = child.wait();
            let _ = tx.send(());
        });
        if rx.recv_timeout(Duration::from_secs(10)).is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let _ = rx.recv_timeout(Duration::from_secs(10));
        }
    }
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, visit);
        } else {
            visit(&path);
        }
    }
}

/// A scratch directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory.
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "mesos-http-test-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Its path as text, for command lines.
    pub fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
