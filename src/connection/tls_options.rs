//! The TLS options both builders offer (trusted CAs, a client identity),
//! collected as given and checked once at `connect()`, so that a bad PEM
//! surfaces there as a configuration error.

use std::path::Path;

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use crate::error::Error;

/// CAs to trust (replacing the built-in roots once any is given) and the
/// client certificate to present; problems are kept until [`TlsOptions::build`].
#[derive(Debug, Default)]
pub(crate) struct TlsOptions {
    roots: Vec<Result<Certificate<'static>, Error>>,
    client: Option<Result<ClientCert, Error>>,
}

impl TlsOptions {
    /// Trusts the certificates in `pem` (one or more).
    pub fn add_ca_pem(&mut self, pem: &[u8]) {
        let mut found = false;
        for item in ureq::tls::parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => {
                    found = true;
                    self.roots.push(Ok(cert));
                }
                Ok(_) => {}
                Err(err) => self
                    .roots
                    .push(Err(Error::config_with("bad CA PEM".into(), err))),
            }
        }
        if !found {
            self.roots
                .push(Err(Error::config("no certificate in the CA PEM".into())));
        }
    }

    /// [`TlsOptions::add_ca_pem`] from a file.
    pub fn add_ca_pem_file(&mut self, path: &Path) {
        match std::fs::read(path) {
            Ok(pem) => self.add_ca_pem(&pem),
            Err(err) => self.roots.push(Err(Error::config_with(
                format!("cannot read CA file {}", path.display()),
                err,
            ))),
        }
    }

    /// Presents this certificate chain and key (PEM).
    pub fn set_client_pem(&mut self, chain_pem: &[u8], key_pem: &[u8]) {
        self.client = Some(client_certificate(chain_pem, key_pem));
    }

    /// [`TlsOptions::set_client_pem`] from files.
    pub fn set_client_pem_files(&mut self, chain: &Path, key: &Path) {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|err| {
                Error::config_with(
                    format!("cannot read client certificate file {}", path.display()),
                    err,
                )
            })
        };
        self.client = Some(match (read(chain), read(key)) {
            (Ok(chain), Ok(key)) => client_certificate(&chain, &key),
            (Err(err), _) | (_, Err(err)) => Err(err),
        });
    }

    /// The TLS configuration, or the first problem with what was given.
    pub fn build(self) -> Result<TlsConfig, Error> {
        let roots = self.roots.into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut tls = TlsConfig::builder();
        if !roots.is_empty() {
            tls = tls.root_certs(RootCerts::new_with_certs(&roots));
        }
        if let Some(client) = self.client.transpose()? {
            tls = tls.client_cert(Some(client));
        }
        Ok(tls.build())
    }
}

/// A client certificate chain and key from PEM, every problem a
/// configuration error.
fn client_certificate(chain_pem: &[u8], key_pem: &[u8]) -> Result<ClientCert, Error> {
    let mut chain = Vec::new();
    for item in ureq::tls::parse_pem(chain_pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => chain.push(cert),
            Ok(_) => {}
            Err(err) => return Err(Error::config_with("bad client certificate PEM".into(), err)),
        }
    }
    if chain.is_empty() {
        return Err(Error::config(
            "no certificate in the client certificate PEM".into(),
        ));
    }
    let key = PrivateKey::from_pem(key_pem)
        .map_err(|err| Error::config_with("no usable private key in the key PEM".into(), err))?;
    Ok(ClientCert::new_with_certs(&chain, key))
}
