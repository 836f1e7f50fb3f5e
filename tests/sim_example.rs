//! The `sim-master` example: first stdout line, a working endpoint, and exit
//! when stdin closes. (`cargo test --features sim` builds examples first.)
#![cfg(feature = "sim")]

mod sim_support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::scheduler::event::Type as EventType;
use sim_support::*;

fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    profile_dir.join("examples").join("sim-master")
}

#[test]
fn prints_its_address_serves_and_stops_when_stdin_closes() {
    let binary = example_binary();
    assert!(
        binary.exists(),
        "build the example first: {}",
        binary.display()
    );
    let mut child = Command::new(binary)
        .args([
            "--agents",
            "1",
            "--scripted-agents",
            "2",
            "--heartbeat-secs",
            "0.2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let port: u16 = first
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('\n'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = subscribe(addr, Encoding::Json, framework_info("example"));
    let offers = s.events.expect(EventType::OFFERS).offers.unwrap().offers;
    assert_eq!(offers.len(), 3);
    assert_eq!(
        s.events.next_event().unwrap().r#type(),
        EventType::HEARTBEAT
    );
    drop(child.stdin.take());
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("exits after stdin closes")
        .unwrap();
    assert!(status.success());
    let log: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    assert!(log.iter().any(|l| l.contains("subscribed")), "{log:?}");
}
