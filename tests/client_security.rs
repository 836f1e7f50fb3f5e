//! Security against the simulated master: HTTP Basic authentication (401
//! without credentials, success with them) and HTTPS with rustls (a test CA
//! trusted explicitly is accepted, an unknown CA is refused).

mod client_support;
mod pki_support;

use std::time::Duration;

use client_support::*;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item, Termination};
use mesos_http_sim::{SimConfig, SimMaster};
use pki_support::*;

per_encoding!(
    subscription_without_credentials_is_refused_for_good,
    subscription_with_credentials_succeeds,
    https_with_the_test_ca_is_accepted,
    https_with_an_unknown_ca_is_refused,
    a_client_certificate_is_presented_when_the_master_asks,
    no_client_certificate_is_refused_by_a_master_that_asks,
);

fn auth_master() -> SimMaster {
    SimMaster::start(
        SimConfig::fast(Duration::from_millis(100)).with_basic_auth("alice", "wonderland"),
    )
    .unwrap()
}

fn subscription_without_credentials_is_refused_for_good(encoding: Encoding) {
    let master = auth_master();
    let (scheduler, events) = builder(&master.url(), encoding, "anonymous")
        .connect()
        .unwrap();
    let items = drain_until_closed(&events);
    let last = items.last().expect("a final item");
    match last {
        Item::Connection(ConnectionState::Terminated(Termination::Refused(
            Error::Unauthorized { challenge },
        ))) => assert_eq!(
            challenge.as_deref(),
            Some("Basic realm=\"mesos-master-scheduler\"")
        ),
        other => panic!("unexpected final item {other:?}"),
    }
    assert!(scheduler.is_closed());
    assert!(master.with_state(|s| s.frameworks().is_empty()));
}

fn subscription_with_credentials_succeeds(encoding: Encoding) {
    let master = auth_master();
    let (scheduler, events) = builder(&master.url(), encoding, "alice")
        .credentials("alice", "wonderland")
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    scheduler
        .revive(Vec::<String>::new())
        .expect("authenticated call");
    let principal = master.with_state(|s| s.framework(&framework_id).unwrap().principal);
    assert_eq!(principal.as_deref(), Some("alice"));
    // The secret never shows in Debug output.
    let shown = format!(
        "{scheduler:?} {:?}",
        builder(&master.url(), encoding, "x").credentials("alice", "wonderland")
    );
    assert!(!shown.contains("wonderland"), "{shown}");
}

fn tls_master(pki: &TestPki) -> SimMaster {
    SimMaster::start(SimConfig::fast(Duration::from_millis(100)).with_tls(pki.identity.clone()))
        .unwrap()
}

fn https_with_the_test_ca_is_accepted(encoding: Encoding) {
    let pki = test_pki();
    let master = tls_master(&pki);
    assert!(master.url().starts_with("https://"));
    let (scheduler, events) = builder(&master.url(), encoding, "tls")
        .ca_pem(pki.ca_pem.as_bytes())
        .connect()
        .unwrap();
    subscribed(&events);
    scheduler
        .revive(Vec::<String>::new())
        .expect("call over HTTPS");
}

fn https_with_an_unknown_ca_is_refused(encoding: Encoding) {
    let pki = test_pki();
    let other = test_pki();
    let master = tls_master(&pki);
    let (scheduler, events) = builder(&master.url(), encoding, "tls-unknown")
        .ca_pem(other.ca_pem.as_bytes())
        .max_certificate_failures(2)
        .connect()
        .unwrap();
    let items = drain_until_closed(&events);
    let rejections: Vec<&Disconnect> = items
        .iter()
        .filter_map(|item| match item {
            Item::Connection(ConnectionState::Disconnected(d)) => Some(d),
            Item::Connection(ConnectionState::Subscribed { .. }) => {
                panic!("subscribed through an untrusted CA")
            }
            _ => None,
        })
        .collect();
    // Two attempts allowed: the first is reported as a disconnection, the
    // second ends the subscription.
    assert_eq!(rejections.len(), 1, "{items:?}");
    match rejections[0] {
        Disconnect::CertificateRejected(err) => {
            assert!(matches!(err, Error::Tls { .. }), "{err:?}");
            assert!(err.is_certificate_rejected());
            assert_eq!(err.master(), Some(master.scheduler_url().as_str()));
            let source = std::error::Error::source(err).expect("the TLS cause is kept");
            assert!(!source.to_string().is_empty());
        }
        other => panic!("expected CertificateRejected, got {other:?}"),
    }
    match items.last() {
        Some(Item::Connection(ConnectionState::Terminated(Termination::CertificateRejected(
            err,
        )))) => assert!(err.is_certificate_rejected(), "{err:?}"),
        other => panic!("expected a CertificateRejected termination, got {other:?}"),
    }
    assert!(!scheduler.is_subscribed());
    assert!(scheduler.is_closed());
    assert!(master.with_state(|s| s.frameworks().is_empty()));
}

fn mutual_tls_master(pki: &TestPki, clients: &ClientPki) -> SimMaster {
    SimMaster::start(
        SimConfig::fast(Duration::from_millis(100))
            .with_tls(pki.identity.clone())
            .with_client_certificates(clients.ca_der.clone()),
    )
    .unwrap()
}

fn a_client_certificate_is_presented_when_the_master_asks(encoding: Encoding) {
    let pki = test_pki();
    let clients = client_pki();
    let master = mutual_tls_master(&pki, &clients);
    let (scheduler, events) = builder(&master.url(), encoding, "mtls")
        .ca_pem(pki.ca_pem.as_bytes())
        .client_certificate_pem(clients.chain_pem.as_bytes(), clients.key_pem.as_bytes())
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    scheduler
        .revive(Vec::<String>::new())
        .expect("a call over mutual TLS");
    assert!(master.with_state(|s| s.framework(&framework_id).unwrap().connected));
}

fn no_client_certificate_is_refused_by_a_master_that_asks(encoding: Encoding) {
    let pki = test_pki();
    let clients = client_pki();
    let master = mutual_tls_master(&pki, &clients);
    // A certificate from another CA is no better than none.
    let stranger = client_pki();
    for builder in [
        builder(&master.url(), encoding, "mtls-none").ca_pem(pki.ca_pem.as_bytes()),
        builder(&master.url(), encoding, "mtls-stranger")
            .ca_pem(pki.ca_pem.as_bytes())
            .client_certificate_pem(stranger.chain_pem.as_bytes(), stranger.key_pem.as_bytes()),
    ] {
        let (scheduler, events) = builder.max_attempts(2).connect().unwrap();
        let items = drain_until_closed(&events);
        assert!(
            !items
                .iter()
                .any(|i| matches!(i, Item::Connection(ConnectionState::Subscribed { .. }))),
            "{items:?}"
        );
        match items.last() {
            Some(Item::Connection(ConnectionState::Terminated(Termination::GaveUp {
                masters,
                last,
            }))) => {
                assert_eq!(masters, &vec![master.scheduler_url()]);
                // The master's TLS refusal, named for that master (not a
                // timeout, not a rejected server certificate).
                match last.as_ref() {
                    Disconnect::Failed(err @ (Error::Tls { .. } | Error::Connection { .. })) => {
                        assert_eq!(err.master(), Some(master.scheduler_url().as_str()));
                        assert!(!err.is_certificate_rejected(), "{err:?}");
                    }
                    other => panic!("expected the TLS refusal, got {other:?}"),
                }
            }
            other => panic!("expected the client to give up, got {other:?}"),
        }
        assert!(!scheduler.is_subscribed());
    }
    assert!(master.with_state(|s| s.frameworks().is_empty()));
}

#[test]
fn a_bad_client_certificate_is_a_configuration_error() {
    let clients = client_pki();
    let cases: [(&[u8], &[u8]); 3] = [
        (b"not a pem", clients.key_pem.as_bytes()),
        (clients.chain_pem.as_bytes(), b"no key here"),
        (clients.key_pem.as_bytes(), clients.key_pem.as_bytes()),
    ];
    for (chain, key) in cases {
        let result = builder("https://127.0.0.1:1", Encoding::Json, "mtls-bad")
            .client_certificate_pem(chain, key)
            .connect();
        assert!(
            matches!(result, Err(Error::Config(_))),
            "{:?}",
            result.map(|_| ())
        );
    }
    let missing = builder("https://127.0.0.1:1", Encoding::Json, "mtls-file")
        .client_certificate_pem_files("/nonexistent/chain.pem", "/nonexistent/key.pem")
        .connect();
    match missing {
        Err(Error::Config(config)) => {
            assert!(
                config.detail().contains("/nonexistent/chain.pem"),
                "{config}"
            );
            // The I/O error itself is kept, not only its text.
            let io = std::error::Error::source(&config)
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .expect("the io::Error is the source");
            assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}
