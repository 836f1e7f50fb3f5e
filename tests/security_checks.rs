//! Security properties checked over whole runs rather than one call:
//! credentials never reach a log line (a capturing logger at trace level
//! over subscriptions, calls, reconnections, refusals and redirects),
//! `Debug` output or an error's text; no `Authorization` header goes to a
//! host outside the configured masters when a master redirects there; TLS
//! verification cannot be switched off by a bad CA file, an empty PEM or a
//! certificate for another name.

mod client_support;
mod fault_support;
mod pki_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Mutex, Once};
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Item, Scheduler};
use mesos_http_sim::{SimConfig, SimGroup, SimMaster};
use pki_support::{pki_for, test_pki, TestPki};

const PRINCIPAL: &str = "alice";
const SECRET: &str = "s3cr3t-Wonderland-7f1c";

/// Every log record of the process, at every level.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        LINES.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

fn capture_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        log::set_logger(&Capture).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// The forms a secret could leak in: itself, and the Basic header value.
fn secret_forms() -> Vec<String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{PRINCIPAL}:{SECRET}"));
    vec![SECRET.to_string(), basic]
}

fn assert_clean(what: &str, text: &str) {
    for form in secret_forms() {
        assert!(!text.contains(&form), "{what} shows the secret: {text}");
    }
}

#[test]
fn credentials_never_appear_in_logs_debug_or_errors() {
    capture_logs();
    let mut shown = Vec::new();
    for encoding in ENCODINGS {
        let master = SimMaster::start(
            SimConfig::fast(Duration::from_millis(50)).with_basic_auth(PRINCIPAL, SECRET),
        )
        .unwrap();
        let builder = builder(&master.url(), encoding, "secure").credentials(PRINCIPAL, SECRET);
        shown.push(format!("{builder:?}"));
        let (scheduler, events) = builder.connect().unwrap();
        shown.push(format!("{scheduler:?}"));
        let (framework_id, _) = subscribed(&events);
        scheduler.revive(Vec::<String>::new()).unwrap();
        // A reconnection, then a rotated secret: calls are refused (their
        // error text) and so is the re-subscription, for good.
        master.close_streams();
        let (again, _) = subscribed(&events);
        assert_eq!(again, framework_id);
        master.set_credentials(vec![(PRINCIPAL.into(), "another".into())]);
        let call = scheduler.revive(Vec::<String>::new()).unwrap_err();
        shown.push(format!("{call:?} {call}"));
        master.close_streams();
        for item in drain_until_closed(&events) {
            if let Item::Connection(state) = &item {
                shown.push(format!("{state:?}"));
                if let ConnectionState::Disconnected(Disconnect::Failed(e)) = state {
                    shown.push(e.to_string());
                }
            }
        }
        shown.push(format!("{scheduler:?}"));
    }
    // A redirect between two masters with credentials configured.
    let group = SimGroup::start(
        2,
        SimConfig::fast(Duration::from_millis(50)).with_basic_auth(PRINCIPAL, SECRET),
    )
    .unwrap();
    group.set_leader(Some(1));
    let (scheduler, events) = builder(&group.master(0).url(), Encoding::Json, "redirected")
        .credentials(PRINCIPAL, SECRET)
        .connect()
        .unwrap();
    subscribed(&events);
    scheduler.revive(Vec::<String>::new()).unwrap();
    scheduler.close();

    let lines = LINES.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.starts_with("TRACE")),
        "the run logged at trace level"
    );
    assert!(
        lines.iter().any(|l| l.contains("subscribing at")),
        "the client's own lines were captured"
    );
    for line in &lines {
        assert_clean("a log line", line);
    }
    for text in &shown {
        assert_clean("Debug or error text", text);
    }
}

/// A plain TCP server that records each request's head and answers 503.
fn capturing_server() -> (u16, std::sync::Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = std::sync::Arc::new(Mutex::new(Vec::new()));
    let store = std::sync::Arc::clone(&heads);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            // A connection closed before sending anything carries nothing.
            if !head.is_empty() {
                store.lock().unwrap().push(head);
            }
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, heads)
}

#[test]
fn no_authorization_on_a_redirect_outside_the_configured_masters() {
    for encoding in ENCODINGS {
        let master = SimMaster::start(
            SimConfig::fast(Duration::from_millis(50)).with_basic_auth(PRINCIPAL, SECRET),
        )
        .unwrap();
        let (port, heads) = capturing_server();
        // Same machine, another host name: not a configured master.
        master.redirect_to(Some(&format!("//localhost:{port}/master/api/v1/scheduler")));
        let (scheduler, _events) = builder(&master.url(), encoding, "redirect")
            .credentials(PRINCIPAL, SECRET)
            .connect()
            .unwrap();
        let deadline = std::time::Instant::now() + PATIENCE;
        while heads.lock().unwrap().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the redirect was never followed"
            );
            thread::sleep(Duration::from_millis(10));
        }
        scheduler.close();
        // The configured master got the credentials (it answers 401 otherwise).
        assert!(master.requests_received() >= 1);
        for head in heads.lock().unwrap().iter() {
            assert!(head.starts_with("POST /master/api/v1/scheduler"), "{head}");
            assert!(
                !head.to_ascii_lowercase().contains("authorization:"),
                "credentials sent to an unconfigured host: {head}"
            );
            assert_clean("the redirected request", head);
        }
    }
}

/// The first `Disconnected` reason, failing if the client ever subscribes.
fn refused(scheduler: &Scheduler, events: &mesos_http::Events) -> String {
    let reason = wait_for(events, "a refused handshake", |item| match item {
        Item::Connection(ConnectionState::Disconnected(d)) => Some(format!("{d:?}")),
        Item::Connection(ConnectionState::Subscribed { .. }) => {
            panic!("subscribed without a verified certificate")
        }
        _ => None,
    });
    assert!(!scheduler.is_subscribed());
    reason
}

#[test]
fn tls_verification_cannot_be_disabled_by_accident() {
    let pki = test_pki();
    let master =
        SimMaster::start(SimConfig::fast(Duration::from_millis(50)).with_tls(pki.identity.clone()))
            .unwrap();

    // A CA file that does not exist, or holds no certificate, is an error at
    // connect: never a silent fallback to no verification.
    let missing = builder(&master.url(), Encoding::Json, "tls")
        .ca_pem_file("/nonexistent/ca.pem")
        .connect();
    assert!(missing.is_err(), "a missing CA file is refused");
    let empty = builder(&master.url(), Encoding::Json, "tls")
        .ca_pem(b"not a certificate")
        .connect();
    assert!(empty.is_err(), "a PEM without certificates is refused");

    // Without the test CA, the built-in roots do not trust the master.
    let (scheduler, events) = builder(&master.url(), Encoding::Json, "tls")
        .connect()
        .unwrap();
    let reason = refused(&scheduler, &events);
    assert!(reason.contains("Tls"), "{reason}");
    scheduler.close();
    assert!(master.with_state(|s| s.frameworks().is_empty()));

    // A certificate from a trusted CA but for another name is refused too.
    let TestPki {
        ca_pem: ca,
        identity,
    } = pki_for("master.example.org");
    let other =
        SimMaster::start(SimConfig::fast(Duration::from_millis(50)).with_tls(identity)).unwrap();
    let (scheduler, events) = builder(&other.url(), Encoding::Json, "tls-name")
        .ca_pem(ca.as_bytes())
        .connect()
        .unwrap();
    let reason = refused(&scheduler, &events);
    assert!(reason.contains("Tls"), "{reason}");
    scheduler.close();
    assert!(other.with_state(|s| s.frameworks().is_empty()));
}
