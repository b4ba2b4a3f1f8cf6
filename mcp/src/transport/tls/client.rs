//! The client side: whom the client trusts and what it shows, and what a failed
//! handshake means, said in words.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, CertificateError};

use super::pem::{self, TlsConfigError};

/// How the client checks servers' certificates and which one it presents.
///
/// The default trusts the webpki roots (Mozilla's CA list, built in) and presents
/// none. ALPN offers `h2` and `http/1.1`; the server picks.
#[derive(Clone, Default)]
pub struct ClientTls {
    platform_roots: bool,
    only_given_roots: bool,
    roots: Vec<CertificateDer<'static>>,
    identity: Option<Arc<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>>,
    http1_only: bool,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("platform_roots", &self.platform_roots)
            .field("only_given_roots", &self.only_given_roots)
            .field("extra_roots", &self.roots.len())
            .field("client_certificate", &self.identity.is_some())
            .field("http1_only", &self.http1_only)
            .finish()
    }
}

impl ClientTls {
    /// Trusts the webpki roots.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts the platform's roots (the system store: `/etc/ssl/certs`, the macOS
    /// keychain, the Windows store) instead of the built-in webpki roots.
    pub fn platform_roots(mut self) -> Self {
        self.platform_roots = true;
        self
    }

    /// Also trusts the CA certificates in `pem` (a private CA beside the public ones).
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, TlsConfigError> {
        self.roots
            .extend(pem::certificates(pem, "CA certificates")?);
        Ok(self)
    }

    /// Trusts only the CA certificates in `pem`: no public root is trusted.
    pub fn only_roots_pem(self, pem: &[u8]) -> Result<Self, TlsConfigError> {
        let mut tls = self.add_root_pem(pem)?;
        tls.only_given_roots = true;
        Ok(tls)
    }

    /// Presents this certificate chain (leaf first) and key to servers that ask for
    /// one (mutual TLS).
    pub fn client_certificate_pem(
        mut self,
        cert_chain: &[u8],
        key: &[u8],
    ) -> Result<Self, TlsConfigError> {
        let chain = pem::certificates(cert_chain, "client certificate chain")?;
        let key = pem::private_key(key, "client private key")?;
        self.identity = Some(Arc::new((chain, key)));
        Ok(self)
    }

    /// Offers only `http/1.1` in ALPN (for servers or proxies whose HTTP/2 misbehaves).
    pub fn http1_only(mut self) -> Self {
        self.http1_only = true;
        self
    }

    pub(crate) fn offers_h2(&self) -> bool {
        !self.http1_only
    }

    /// The rustls configuration this describes (ALPN is set by the connector).
    pub(crate) fn rustls_config(&self) -> Result<rustls::ClientConfig, TlsConfigError> {
        let mut roots = rustls::RootCertStore::empty();
        if !self.only_given_roots {
            if self.platform_roots {
                let found = rustls_native_certs::load_native_certs();
                if found.certs.is_empty() {
                    let why = found
                        .errors
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    return Err(TlsConfigError::Certificates {
                        what: "platform roots".into(),
                        detail: format!("none found {why}"),
                    });
                }
                let (_added, _unusable) = roots.add_parsable_certificates(found.certs);
            } else {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
        }
        for root in &self.roots {
            roots
                .add(root.clone())
                .map_err(|e| TlsConfigError::Certificates {
                    what: "CA certificates".into(),
                    detail: format!("not usable as a trust anchor ({e})"),
                })?;
        }
        let builder = rustls::ClientConfig::builder_with_provider(super::provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsConfigError::Refused(e.to_string()))?
            .with_root_certificates(roots);
        match &self.identity {
            Some(identity) => builder
                .with_client_auth_cert(identity.0.clone(), identity.1.clone_key())
                .map_err(|e| TlsConfigError::Refused(format!("client certificate: {e}"))),
            None => Ok(builder.with_no_client_auth()),
        }
    }
}

/// Why a TLS connection to a server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The server's certificate is not signed by a CA the client trusts.
    UntrustedIssuer,
    /// The server's certificate is not for the host name the client dialled.
    NameMismatch,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is not valid yet.
    NotYetValid,
    /// The server's certificate was revoked.
    Revoked,
    /// The server refused the client's certificate, or wanted one it did not send.
    ClientCertificateRefused(String),
    /// Anything else the handshake reported.
    Other(String),
}

impl std::fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsProblem::UntrustedIssuer => {
                f.write_str("its certificate is not signed by a trusted authority (unknown issuer)")
            }
            TlsProblem::NameMismatch => {
                f.write_str("its certificate is not valid for this host name")
            }
            TlsProblem::Expired => f.write_str("its certificate has expired"),
            TlsProblem::NotYetValid => f.write_str("its certificate is not valid yet"),
            TlsProblem::Revoked => f.write_str("its certificate was revoked"),
            TlsProblem::ClientCertificateRefused(alert) => write!(
                f,
                "it refused the client certificate, or required one and none was sent ({alert})"
            ),
            TlsProblem::Other(why) => f.write_str(why),
        }
    }
}

/// The TLS problem in `error`'s source chain, if it is a TLS failure.
pub(crate) fn classify(error: &(dyn std::error::Error + 'static)) -> Option<TlsProblem> {
    let mut next = Some(error);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(problem(tls));
        }
        // `io::Error::source` skips the error it wraps (often another io::Error, then
        // rustls's): step into it instead.
        let io = err.downcast_ref::<std::io::Error>();
        // An alert after the handshake (TLS 1.3 servers check the client's
        // certificate then) reaches the reader as text only.
        if let Some(alert) = io
            .and_then(|io| io.get_ref())
            .map(ToString::to_string)
            .and_then(|text| {
                text.strip_prefix("received fatal alert: ")
                    .map(str::to_owned)
            })
        {
            return Some(alert_problem(&alert));
        }
        next = match io {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

fn problem(error: &rustls::Error) -> TlsProblem {
    match error {
        rustls::Error::InvalidCertificate(certificate) => match certificate {
            CertificateError::UnknownIssuer => TlsProblem::UntrustedIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsProblem::NameMismatch
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                TlsProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                TlsProblem::NotYetValid
            }
            CertificateError::Revoked => TlsProblem::Revoked,
            other => TlsProblem::Other(format!("its certificate is invalid: {other:?}")),
        },
        rustls::Error::AlertReceived(alert) => alert_problem(&format!("{alert:?}")),
        other => TlsProblem::Other(other.to_string()),
    }
}

/// An alert from the server, by its name as rustls writes it.
fn alert_problem(alert: &str) -> TlsProblem {
    let about_our_certificate = [
        AlertDescription::CertificateRequired,
        AlertDescription::BadCertificate,
        AlertDescription::UnknownCA,
        AlertDescription::CertificateUnknown,
        AlertDescription::CertificateExpired,
        AlertDescription::AccessDenied,
    ]
    .iter()
    .any(|known| format!("{known:?}") == alert);
    if about_our_certificate {
        TlsProblem::ClientCertificateRefused(alert.to_owned())
    } else {
        TlsProblem::Other(format!("the server sent the alert {alert}"))
    }
}
