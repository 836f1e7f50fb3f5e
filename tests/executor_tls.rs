//! The executor's TLS options, against a scripted agent behind TLS: the CA
//! it is given is what it trusts, and a bad PEM is a configuration error.

mod fake_peer_support;
mod pki_support;

use std::sync::Arc;
use std::time::Duration;

use fake_peer_support::*;
use mesos_http::executor::{ConnectionState, Event, Executor, Item, Termination};
use mesos_http::{Disconnect, Encoding, Error};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const PATIENCE: Duration = Duration::from_secs(30);

/// An agent behind TLS that opens a stream with SUBSCRIBED and holds it.
fn tls_agent(identity: &mesos_http_sim::TlsIdentity) -> FakePeer {
    let certs = identity
        .cert_chain_der
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.private_key_der.clone()));
    // The process's one provider (ring, the only one built in).
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    FakePeer::start_tls(Arc::new(config), |_, stream| {
        stream_head(stream, "application/json", "");
        let subscribed = Event::Subscribed(Box::default()).to_proto();
        record_chunk(stream, &Encoding::Json.encode(&subscribed));
        // Hold the stream until the executor leaves.
        let mut byte = [0u8; 1];
        let _ = stream.read(&mut byte);
        false
    })
}

#[test]
fn the_executor_trusts_the_ca_it_is_given() {
    let pki = pki_support::test_pki();
    let agent = tls_agent(&pki.identity);
    let url = agent.url("/api/v1/executor").replace("http://", "https://");
    let builder = || Executor::builder(&url, "fw", "ex").encoding(Encoding::Json);

    // The built-in roots do not know the test CA.
    let (_unverified, events) = builder().connect().unwrap();
    let first = events.recv_timeout(PATIENCE).expect("an item");
    match first {
        Item::Connection(ConnectionState::Disconnected(Disconnect::CertificateRejected(err)))
        | Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(err))) => {
            assert!(err.is_certificate_rejected(), "{err:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        events.recv_timeout(PATIENCE),
        Ok(Item::Connection(ConnectionState::Terminated(
            Termination::NotCheckpointing
        )))
    ));

    // Given the CA: subscribed.
    let (executor, events) = builder().ca_pem(pki.ca_pem.as_bytes()).connect().unwrap();
    loop {
        match events.recv_timeout(PATIENCE).expect("an item") {
            Item::Connection(ConnectionState::Subscribed { .. }) => break,
            Item::Connection(ConnectionState::Connected { agent }) => {
                assert!(agent.starts_with("https://"), "{agent}")
            }
            other => panic!("{other:?}"),
        }
    }
    executor.close();

    // A PEM without a certificate fails at connect, as for the scheduler.
    let err = builder()
        .ca_pem(b"no certificate here")
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let err = builder()
        .client_certificate_pem(b"none", b"none")
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
