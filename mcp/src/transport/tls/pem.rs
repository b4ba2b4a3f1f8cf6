//! Reading certificates and keys from PEM, with errors that name what was wrong.

use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The PEM held no `CERTIFICATE` block, or one that is not valid PEM.
    #[error("{what}: {detail}")]
    Certificates {
        /// Which input (a file name, or "certificate chain").
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The PEM held no private key (PKCS#8, PKCS#1 or SEC1), or one rustls cannot use.
    #[error("{what}: {detail}")]
    PrivateKey {
        /// Which input.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The pieces were read but rustls refused them together (a key that does not
    /// belong to the certificate, a root store it cannot use).
    #[error("TLS configuration refused: {0}")]
    Refused(String),
}

/// The `CERTIFICATE` blocks of `pem`, in order; at least one.
pub(super) fn certificates(
    pem: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let failed = |detail: String| TlsConfigError::Certificates {
        what: what.to_owned(),
        detail,
    };
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(format!("not valid PEM ({e})")))?;
    if chain.is_empty() {
        return Err(failed(
            "no \"-----BEGIN CERTIFICATE-----\" block found".into(),
        ));
    }
    Ok(chain)
}

/// The first private key in `pem`.
pub(super) fn private_key(
    pem: &[u8],
    what: &str,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| TlsConfigError::PrivateKey {
        what: what.to_owned(),
        detail: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no private key found (expected a PKCS#8, PKCS#1 or SEC1 PEM block)".into()
            }
            other => format!("not a valid private key ({other})"),
        },
    })
}

/// The bytes of `path`.
pub(super) fn read(path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|source| TlsConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

/// A root store holding every certificate in `pem`.
pub(super) fn root_store(pem: &[u8], what: &str) -> Result<rustls::RootCertStore, TlsConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in certificates(pem, what)? {
        roots
            .add(certificate)
            .map_err(|e| TlsConfigError::Certificates {
                what: what.to_owned(),
                detail: format!("not usable as a trust anchor ({e})"),
            })?;
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_garbage_inputs_say_what_is_missing() {
        let none = certificates(b"hello", "cert.pem").expect_err("no block");
        assert!(none.to_string().contains("cert.pem"), "{none}");
        assert!(none.to_string().contains("BEGIN CERTIFICATE"), "{none}");
        let key = private_key(b"", "key.pem").expect_err("no key");
        assert!(key.to_string().contains("no private key found"), "{key}");
        let missing = read(Path::new("/nonexistent/cert.pem")).expect_err("no file");
        assert!(
            missing.to_string().contains("/nonexistent/cert.pem"),
            "{missing}"
        );
    }
}
