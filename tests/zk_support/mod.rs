//! A real ZooKeeper server for the tests, started from Debian's packages
//! (`zookeeper`/`libzookeeper-java`, pulled in by `zookeeperd`) on an
//! ephemeral loopback port with a throw-away data directory, and killed when
//! dropped; plus a registry that plays the masters' side of the election.
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mesos_http::v1::{Address, MasterInfo};
use mesos_http_sim::SimMaster;
use zookeeper::{Acl, CreateMode, WatchedEvent, ZkError, ZooKeeper};

/// The ZooKeeper jar Debian installs; its manifest names its dependencies.
const ZOOKEEPER_JAR: &str = "/usr/share/java/zookeeper.jar";
/// Silences SLF4J's "no binding" warning when present.
const SLF4J_NOP_JAR: &str = "/usr/share/java/slf4j-nop.jar";
const INSTALL_HINT: &str = "the ZooKeeper tests need a ZooKeeper server and a Java runtime: \
                            apt-get install zookeeperd";
/// Long enough for a JVM to start on a loaded 2-core machine.
const STARTUP_PATIENCE: Duration = Duration::from_secs(60);

static SERVERS: AtomicUsize = AtomicUsize::new(0);

/// One standalone ZooKeeper server process.
pub struct ZkServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().unwrap().port()
}

impl ZkServer {
    /// Starts a server on a free port and waits until it serves.
    pub fn start() -> ZkServer {
        Self::start_on(free_port())
    }

    /// Starts a server on `port` and waits until it serves.
    pub fn start_on(port: u16) -> ZkServer {
        assert!(
            Path::new(ZOOKEEPER_JAR).exists(),
            "{ZOOKEEPER_JAR} is missing: {INSTALL_HINT}"
        );
        let dir = std::env::temp_dir().join(format!(
            "mesos-http-zk-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("data")).expect("create the ZooKeeper data dir");
        let log = fs::File::create(dir.join("server.log")).expect("create the server log");
        let mut classpath = ZOOKEEPER_JAR.to_string();
        if Path::new(SLF4J_NOP_JAR).exists() {
            classpath = format!("{classpath}:{SLF4J_NOP_JAR}");
        }
        let child = Command::new("java")
            .args([
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.admin.enableServer=false",
                "-Dzookeeper.4lw.commands.whitelist=mntr",
                "-cp",
                &classpath,
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                &port.to_string(),
            ])
            .arg(dir.join("data"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot run java ({err}): {INSTALL_HINT}"));
        let mut server = ZkServer { child, port, dir };
        server.wait_until_ok();
        server
    }

    fn wait_until_ok(&mut self) {
        let deadline = Instant::now() + STARTUP_PATIENCE;
        loop {
            if serving(self.port) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "ZooKeeper exited at startup ({status}): {}\n{INSTALL_HINT}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "ZooKeeper did not start serving within {STARTUP_PATIENCE:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's output so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for ZkServer {
    fn drop(&mut self) {
        // zookeeper 0.8 clients whose server vanishes spin until their
        // session times out, starving the other tests: give the clients of
        // this server (the detector closes its session once its scheduler is
        // gone) a moment to leave first.
        let deadline = Instant::now() + Duration::from_secs(5);
        while clients(self.port).is_some_and(|n| n > 0) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Sends a four-letter command; `None` if the server did not answer.
fn four_letters(port: u16, command: &[u8; 4]) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(command).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// Whether the server serves requests. (`ruok` says `imok` as soon as the
/// port is open, before the server accepts sessions; `mntr` tells.)
fn serving(port: u16) -> bool {
    four_letters(port, b"mntr").is_some_and(|stats| stats.contains("zk_server_state"))
}

/// How many clients are connected, not counting the asking connection.
fn clients(port: u16) -> Option<u64> {
    let stats = four_letters(port, b"mntr")?;
    let line = stats
        .lines()
        .find_map(|l| l.strip_prefix("zk_num_alive_connections"))?;
    Some(line.trim().parse::<u64>().ok()?.saturating_sub(1))
}

/// The masters' side: registers them under a group znode the way Mesos
/// masters do (ephemeral sequential `json.info_` znodes holding JSON
/// `MasterInfo`).
pub struct Registry {
    zk: ZooKeeper,
    group: String,
}

impl Registry {
    /// Connects to `server` and makes sure the group znode exists.
    pub fn connect(server: &ZkServer, group: &str) -> Registry {
        let zk = session(server);
        match zk.create(
            group,
            Vec::new(),
            Acl::open_unsafe().clone(),
            CreateMode::Persistent,
        ) {
            Ok(_) | Err(ZkError::NodeExists) => {}
            Err(err) => panic!("cannot create {group}: {err:?}"),
        }
        Registry {
            zk,
            group: group.to_string(),
        }
    }

    /// Connects without creating the group znode.
    pub fn connect_bare(server: &ZkServer, group: &str) -> Registry {
        let zk = session(server);
        Registry {
            zk,
            group: group.to_string(),
        }
    }

    /// Creates the group znode.
    pub fn create_group(&self) {
        self.zk
            .create(
                &self.group,
                Vec::new(),
                Acl::open_unsafe().clone(),
                CreateMode::Persistent,
            )
            .expect("create the group znode");
    }

    /// Registers `master` as a candidate; returns the znode's full path.
    pub fn register(&self, master: &SimMaster) -> String {
        let data = mesos_http::codec::json::encode(&master_info(master));
        self.zk
            .create(
                &format!("{}/json.info_", self.group),
                data,
                Acl::open_unsafe().clone(),
                CreateMode::EphemeralSequential,
            )
            .expect("register a master")
    }

    /// Registers arbitrary data under `label_` (for malformed memberships).
    pub fn register_raw(&self, label: &str, data: Vec<u8>) -> String {
        self.zk
            .create(
                &format!("{}/{label}_", self.group),
                data,
                Acl::open_unsafe().clone(),
                CreateMode::EphemeralSequential,
            )
            .expect("register a membership")
    }

    /// Removes a membership, as when its master loses its session.
    pub fn remove(&self, path: &str) {
        self.zk.delete(path, None).expect("delete a membership");
    }
}

/// A session that has answered a request: a server that just said `imok`
/// may still drop its first connections while it finishes starting.
fn session(server: &ZkServer) -> ZooKeeper {
    let deadline = Instant::now() + STARTUP_PATIENCE;
    loop {
        let zk = ZooKeeper::connect(
            &server.address(),
            Duration::from_secs(10),
            |_: WatchedEvent| {},
        )
        .expect("connect to ZooKeeper");
        match zk.exists("/", false) {
            Ok(_) => return zk,
            Err(err) if Instant::now() < deadline => {
                eprintln!("ZooKeeper not ready yet ({err:?}); retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!(
                "ZooKeeper never served a request: {err:?}\n{}",
                server.log()
            ),
        }
    }
}

/// The `MasterInfo` a master at 127.0.0.1 publishes. The hostname is
/// deliberately not resolvable: the client must use the IP, as Mesos does.
pub fn master_info(master: &SimMaster) -> MasterInfo {
    let port = master.addr().port();
    MasterInfo {
        id: master.master_id(),
        ip: u32::from_le_bytes([127, 0, 0, 1]),
        port: u32::from(port),
        pid: Some(format!("master@127.0.0.1:{port}")),
        hostname: Some("master.invalid".into()),
        version: Some("1.11.0".into()),
        address: Some(Address {
            hostname: Some("master.invalid".into()),
            ip: Some("127.0.0.1".into()),
            port: i32::from(port),
        }),
        ..MasterInfo::default()
    }
}

/// The sequence number ZooKeeper gave a membership path.
pub fn sequence(path: &str) -> u64 {
    let digits = path.rsplit('_').next().unwrap_or_default();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no sequence in {path}"))
}
