//! HTTPS for the simulated master: a rustls server config from a DER identity.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use super::config::TlsIdentity;

/// The process's rustls provider: the one the application installed (or an
/// earlier call did), else the one this crate's rustls features name
/// (*ring*), installed as the process default, the way ureq's clients find
/// theirs. (`rustls::crypto::ring::default_provider` itself is deprecated.)
/// Panics, as rustls does, if none is installed and the build enables more
/// than one provider.
fn provider() -> Arc<CryptoProvider> {
    match CryptoProvider::get_default() {
        Some(installed) => installed.clone(),
        None => ServerConfig::builder().crypto_provider().clone(),
    }
}

/// Builds the server config (TLS 1.2 and 1.3); with `client_ca` (DER),
/// clients must present a certificate it signed.
pub fn server_config(
    identity: &TlsIdentity,
    client_ca: Option<&[u8]>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = provider();
    let certs: Vec<CertificateDer<'static>> = identity
        .cert_chain_der
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.private_key_der.clone()));
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(CertificateDer::from(ca.to_vec()))?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder.with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}
