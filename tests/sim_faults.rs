//! Fault injection, TLS and leader changes on the simulated master, over raw HTTP.

mod sim_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use mesos_http::codec::Encoding;
use mesos_http::v1::scheduler::call::Type as CallType;
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::v1::scheduler::Event;
use mesos_http::v1::FrameworkID;
use mesos_http_sim::{SimConfig, SimGroup, SimMaster, TlsIdentity};
use sim_support::*;

const WAIT: Duration = Duration::from_secs(10);

fn master(heartbeat_ms: u64) -> SimMaster {
    SimMaster::start(SimConfig::fast(Duration::from_millis(heartbeat_ms))).unwrap()
}

#[test]
fn next_calls_fail_with_503_then_recover() {
    let m = master(1000);
    let s = subscribe(m.addr(), Encoding::Json, framework_info("503"));
    m.fail_next_calls(2);
    for _ in 0..2 {
        let r = s.call(bare(CallType::REVIVE));
        assert_eq!(r.status_line, "HTTP/1.1 503 Service Unavailable");
        assert_eq!(r.text(), "Master has not finished recovery");
    }
    assert_eq!(s.call(bare(CallType::REVIVE)).code, 202);
}

#[test]
fn delayed_and_connection_close_responses() {
    let m = master(1000);
    let s = subscribe(m.addr(), Encoding::Protobuf, framework_info("close"));
    m.delay_responses(Some(Duration::from_millis(30)));
    assert_eq!(s.call(bare(CallType::REVIVE)).code, 202);
    m.delay_responses(None);
    m.close_next_responses(1);
    let mut c = Client::connect(m.addr());
    let mut revive = bare(CallType::REVIVE);
    revive.framework_id = Some(FrameworkID {
        value: s.framework_id.clone(),
    });
    let body = Encoding::Protobuf.encode(&revive);
    let headers = [
        ("Content-Type", "application/x-protobuf"),
        ("Mesos-Stream-Id", s.stream_id.as_str()),
    ];
    // Two pipelined requests: the first answer says close, the second never comes.
    c.send("POST", "/api/v1/scheduler", &headers, &body);
    c.send("POST", "/api/v1/scheduler", &headers, &body);
    let r = c.read_response().unwrap();
    assert_eq!(r.code, 202);
    assert_eq!(r.header("Connection"), Some("close"));
    assert!(c.read_to_end().unwrap_or_default().is_empty());
    // Only one response carried it.
    assert!(s
        .call(bare(CallType::REVIVE))
        .header("Connection")
        .is_none());
}

#[test]
fn closing_streams_between_records_disconnects_frameworks() {
    let m = master(1000);
    let mut info = framework_info("abort");
    info.failover_timeout = Some(60.0);
    let mut s = subscribe(m.addr(), Encoding::Json, info);
    m.close_streams();
    match s.events.next_record() {
        Err(StreamEnd::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
        other => panic!("expected EOF without the last chunk, got {other:?}"),
    }
    let fid = s.framework_id.clone();
    assert!(m.wait_for(|v| v.framework(&fid).is_some_and(|f| !f.connected), WAIT));
}

#[test]
fn cutting_a_record_in_half() {
    let m = master(50);
    let mut s = subscribe(m.addr(), Encoding::Protobuf, framework_info("cut"));
    m.cut_streams_mid_record();
    // The next record (a heartbeat) is cut short: the chunk never completes.
    match s.events.client.next_chunk() {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
        Ok(chunk) => panic!("expected a truncated chunk, got {chunk:?}"),
    }
}

#[test]
fn stalled_heartbeats_keep_the_connection_open() {
    let m = master(50);
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("stall"));
    assert_eq!(
        s.events.next_event().unwrap().r#type(),
        EventType::HEARTBEAT
    );
    m.stall_heartbeats(true);
    // Drain a heartbeat that may already be queued, then expect silence.
    s.events.client.set_timeout(Duration::from_millis(400));
    let mut silent = false;
    for _ in 0..3 {
        match s.events.next_event() {
            Ok(e) => assert_eq!(e.r#type(), EventType::HEARTBEAT),
            Err(StreamEnd::Io(e)) => {
                assert!(
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ),
                    "{e:?}"
                );
                silent = true;
                break;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(silent, "heartbeats kept coming");
    assert!(m.with_state(|v| v.framework(&s.framework_id).unwrap().connected));
    m.stall_heartbeats(false);
    s.events.client.set_timeout(Duration::from_secs(10));
    assert_eq!(
        s.events.next_event().unwrap().r#type(),
        EventType::HEARTBEAT
    );
}

#[test]
fn garbage_header_and_oversized_record() {
    let m = master(60_000);
    let mut s = subscribe(m.addr(), Encoding::Json, framework_info("garbage"));
    m.send_garbage_record_header();
    let chunk = s.events.client.next_chunk().unwrap().unwrap();
    assert_eq!(chunk, b"not-a-length\n{}");
    let len = 3_000_000u64;
    m.send_oversized_record(len);
    let chunk = s.events.client.next_chunk().unwrap().unwrap();
    let header = format!("{len}\n");
    assert!(chunk.starts_with(header.as_bytes()));
    assert_eq!(chunk.len() as u64, header.len() as u64 + len);
}

#[test]
fn tls_with_a_given_certificate() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_der = certified.cert.der().to_vec();
    let identity = TlsIdentity {
        cert_chain_der: vec![cert_der.clone()],
        private_key_der: certified.signing_key.serialize_der(),
    };
    let m = SimMaster::start(SimConfig::fast(Duration::from_secs(5)).with_tls(identity)).unwrap();
    assert!(m.url().starts_with("https://127.0.0.1:"));
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(cert_der))
        .unwrap();
    // The process's provider (the simulated master installed it).
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(m.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let body = Encoding::Json.encode(&subscribe_call(framework_info("tls")));
    let request = format!(
        "POST /api/v1/scheduler HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    tls.write_all(request.as_bytes()).unwrap();
    tls.write_all(&body).unwrap();
    let mut reader = BufReader::new(tls);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 200 OK\r\n");
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
    }
    line.clear();
    reader.read_line(&mut line).unwrap();
    let size = usize::from_str_radix(line.trim(), 16).unwrap();
    let mut chunk = vec![0; size + 2];
    reader.read_exact(&mut chunk).unwrap();
    let newline = chunk.iter().position(|b| *b == b'\n').unwrap();
    let event: Event = Encoding::Json.decode(&chunk[newline + 1..size]).unwrap();
    assert_eq!(event.r#type(), EventType::SUBSCRIBED);
}

#[test]
fn followers_redirect_and_leadership_moves() {
    let group = SimGroup::start(3, SimConfig::fast(Duration::from_secs(5))).unwrap();
    let (m0, m1, m2) = (group.master(0), group.master(1), group.master(2));
    assert_eq!(group.leader(), Some(0));
    let body = Encoding::Json.encode(&subscribe_call(framework_info("redir")));
    let json = ("Content-Type", "application/json");
    for (path, suffix) in [
        ("/api/v1/scheduler", "/master/api/v1/scheduler"),
        ("/master/api/v1/scheduler", "/master/api/v1/scheduler"),
        ("/api/v1/scheduler?x=1", "/master/api/v1/scheduler?x=1"),
    ] {
        let r = post_raw(m1.addr(), path, &[json], &body);
        assert_eq!(r.status_line, "HTTP/1.1 307 Temporary Redirect");
        assert_eq!(r.header_names(), ["Date", "Location", "Content-Length"]);
        assert_eq!(
            r.header("Location"),
            Some(format!("//127.0.0.1:{}{suffix}", m0.addr().port()).as_str())
        );
        assert!(r.body.is_empty());
    }
    // The redirect comes before the method check.
    let r = Client::connect(m2.addr()).request("GET", "/api/v1/scheduler", &[], b"");
    assert_eq!(r.code, 307);

    let mut info = framework_info("moving");
    info.failover_timeout = Some(60.0);
    let mut s = subscribe(m0.addr(), Encoding::Protobuf, info.clone());
    let fid = s.framework_id.clone();
    group.set_leader(Some(1));
    assert!(
        matches!(s.events.next_record(), Err(StreamEnd::Io(_))),
        "old leader's stream closes"
    );
    let r = post_raw(m0.addr(), "/api/v1/scheduler", &[json], &body);
    assert_eq!(
        r.header("Location"),
        Some(format!("//127.0.0.1:{}/master/api/v1/scheduler", m1.addr().port()).as_str())
    );
    info.id = Some(FrameworkID { value: fid.clone() });
    let mut events = subscribe_with(m1.addr(), Encoding::Protobuf, &subscribe_call(info), &[]);
    let subscribed = events.next_event().unwrap().subscribed.unwrap();
    assert_eq!(subscribed.framework_id.value, fid);
    assert_eq!(subscribed.master_info.unwrap().id, m1.master_id());
    assert!(m1.wait_for(
        |v| v
            .framework(&fid)
            .is_some_and(|f| f.connected && f.subscriptions == 2),
        WAIT
    ));

    group.set_leader(None);
    for m in [&m0, &m1, &m2] {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[json], &body);
        assert_eq!(r.status_line, "HTTP/1.1 503 Service Unavailable");
        assert_eq!(r.text(), "No leader elected");
    }
}

#[test]
fn an_injected_redirect_answers_every_request_even_from_the_leader() {
    let group = SimGroup::start(2, SimConfig::fast(Duration::from_secs(5))).unwrap();
    let (m0, m1) = (group.master(0), group.master(1));
    let body = Encoding::Json.encode(&subscribe_call(framework_info("forced")));
    let json = ("Content-Type", "application/json");
    assert_eq!(
        m1.redirect_location(),
        format!("//127.0.0.1:{}/master/api/v1/scheduler", m1.addr().port())
    );
    // The leader says the follower leads; the follower says the leader does.
    m0.redirect_to(Some(&m1.redirect_location()));
    let before = (m0.requests_received(), m1.requests_received());
    for (m, location) in [(&m0, m1.redirect_location()), (&m1, m0.redirect_location())] {
        let r = post_raw(m.addr(), "/api/v1/scheduler", &[json], &body);
        assert_eq!(r.status_line, "HTTP/1.1 307 Temporary Redirect");
        assert_eq!(r.header_names(), ["Date", "Location", "Content-Length"]);
        assert_eq!(r.header("Location"), Some(location.as_str()));
        assert!(r.body.is_empty());
    }
    // Any Location, verbatim.
    m1.redirect_to(Some("http://elsewhere:5050/x"));
    let r = post_raw(m1.addr(), "/api/v1/scheduler", &[json], &body);
    assert_eq!(r.header("Location"), Some("http://elsewhere:5050/x"));
    assert_eq!(
        (m0.requests_received(), m1.requests_received()),
        (before.0 + 1, before.1 + 2)
    );
    // Cleared: the leader serves again and nobody subscribed meanwhile.
    assert!(m0.with_state(|v| v.frameworks().is_empty()));
    m0.redirect_to(None);
    let s = subscribe(m0.addr(), Encoding::Json, framework_info("forced"));
    assert!(!s.framework_id.is_empty());
}

#[test]
fn leadership_can_move_without_closing_streams() {
    let group = SimGroup::start(2, SimConfig::fast(Duration::from_millis(50))).unwrap();
    let (m0, m1) = (group.master(0), group.master(1));
    let mut s = subscribe(m0.addr(), Encoding::Json, framework_info("partitioned"));
    group.set_leader_keeping_streams(Some(1));
    assert_eq!(group.leader(), Some(1));
    // The old leader's stream keeps delivering.
    assert_eq!(
        s.events.expect(EventType::HEARTBEAT).r#type(),
        EventType::HEARTBEAT
    );
    // Its calls are redirected; the new leader accepts the open stream's id.
    let r = s.call(bare(CallType::REVIVE));
    assert_eq!(r.code, 307);
    assert_eq!(r.header("Location"), Some(m1.redirect_location().as_str()));
    let mut revive = bare(CallType::REVIVE);
    revive.framework_id = Some(FrameworkID {
        value: s.framework_id.clone(),
    });
    let r = post_call(m1.addr(), Encoding::Json, &revive, Some(&s.stream_id));
    assert_eq!(r.code, 202, "{}", r.text());
}
