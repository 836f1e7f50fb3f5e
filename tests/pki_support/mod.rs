//! Test certificates made with rcgen: a fresh CA per call, a server
//! identity for the simulated master's HTTPS, a client certificate for
//! mutual TLS. One place, so every TLS test makes them the same way.
#![allow(dead_code)]

use mesos_http_sim::TlsIdentity;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair,
};

/// A fresh self-signed CA: its certificate and the issuer that signs with it.
pub fn new_ca() -> (Certificate, Issuer<'static, KeyPair>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    (ca_cert, Issuer::new(ca_params, ca_key))
}

/// A CA and a server certificate signed by it.
pub struct TestPki {
    pub ca_pem: String,
    pub identity: TlsIdentity,
}

/// A CA and a server certificate for `name` (a host name or IP) signed by it.
pub fn pki_for(name: &str) -> TestPki {
    let (ca_cert, issuer) = new_ca();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![name.to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    TestPki {
        ca_pem: ca_cert.pem(),
        identity: TlsIdentity {
            cert_chain_der: vec![leaf.der().to_vec()],
            private_key_der: leaf_key.serialize_der(),
        },
    }
}

/// A CA and a certificate for 127.0.0.1, where the simulated master listens.
pub fn test_pki() -> TestPki {
    pki_for("127.0.0.1")
}

/// A client certificate (PEM chain, PEM key) signed by a client CA, and
/// that CA (DER) for the master to trust.
pub struct ClientPki {
    pub chain_pem: String,
    pub key_pem: String,
    pub ca_der: Vec<u8>,
}

pub fn client_pki() -> ClientPki {
    let (ca_cert, issuer) = new_ca();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["framework.example".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();
    ClientPki {
        chain_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        ca_der: ca_cert.der().to_vec(),
    }
}
