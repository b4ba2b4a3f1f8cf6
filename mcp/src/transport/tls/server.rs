//! The server side: a certificate chain and key from PEM, held where every new
//! handshake reads it, so [`ServerTls::reload`] swaps it without a restart and without
//! touching the connections already open; optionally a client-certificate check.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls::pki_types::CertificateDer;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;

use super::pem::{self, TlsConfigError};

/// The certificates a client showed in the handshake (leaf first), put in each
/// request's extensions by the HTTPS server when the client sent any.
#[derive(Debug, Clone)]
pub struct PeerCertificates(pub Arc<Vec<CertificateDer<'static>>>);

/// The HTTPS side of the server: what it presents, whom it asks for a certificate.
/// Cheap to clone; clones share the certificate, so a reload reaches them all.
#[derive(Clone)]
pub struct ServerTls {
    current: Arc<CurrentCert>,
    config: Arc<rustls::ServerConfig>,
    files: Option<Arc<(PathBuf, PathBuf)>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("files", &self.files)
            .field("alpn", &self.config.alpn_protocols)
            .finish_non_exhaustive()
    }
}

/// The certificate every new handshake presents.
#[derive(Debug)]
struct CurrentCert(ArcSwap<CertifiedKey>);

impl ResolvesServerCert for CurrentCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.load_full())
    }
}

impl ServerTls {
    /// Reads the certificate chain (leaf first) and the private key from PEM files.
    /// [`reload`](Self::reload) reads them again.
    pub fn from_pem_files(
        cert_chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, TlsConfigError> {
        let (cert_chain, key) = (cert_chain.as_ref(), key.as_ref());
        let certified = certified_key_from_files(cert_chain, key)?;
        let mut tls = Self::with_certified(certified)?;
        tls.files = Some(Arc::new((cert_chain.to_owned(), key.to_owned())));
        Ok(tls)
    }

    /// A certificate chain (leaf first) and private key given as PEM text.
    pub fn from_pem(cert_chain: &[u8], key: &[u8]) -> Result<Self, TlsConfigError> {
        let certified = certified_key(cert_chain, key, "certificate chain", "private key")?;
        Self::with_certified(certified)
    }

    /// Asks every client for a certificate signed by one of the CAs in `roots_pem`,
    /// and refuses the handshake of a client without one (mutual TLS). The chain a
    /// client showed reaches the service as [`PeerCertificates`].
    pub fn require_client_certificates(self, roots_pem: &[u8]) -> Result<Self, TlsConfigError> {
        let roots = pem::root_store(roots_pem, "client CA certificates")?;
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), super::provider())
                .build()
                .map_err(|e| TlsConfigError::Refused(format!("client CA certificates: {e}")))?;
        let config = server_config(self.current.clone(), Some(verifier))?;
        Ok(ServerTls {
            config: Arc::new(config),
            ..self
        })
    }

    /// Reads the PEM files given to [`from_pem_files`](Self::from_pem_files) again
    /// and presents the new certificate from the next handshake on. On any error the
    /// old certificate stays. A `ServerTls` made from PEM text has no files: use
    /// [`replace`](Self::replace).
    pub fn reload(&self) -> Result<(), TlsConfigError> {
        let Some(files) = &self.files else {
            return Err(TlsConfigError::Refused(
                "this ServerTls was made from PEM text, not files: call replace()".into(),
            ));
        };
        let certified = certified_key_from_files(&files.0, &files.1)?;
        self.current.0.store(Arc::new(certified));
        Ok(())
    }

    /// Presents this certificate chain and key from the next handshake on.
    pub fn replace(&self, cert_chain: &[u8], key: &[u8]) -> Result<(), TlsConfigError> {
        let certified = certified_key(cert_chain, key, "certificate chain", "private key")?;
        self.current.0.store(Arc::new(certified));
        Ok(())
    }

    /// Checks the PEM files every `period` and reloads them when either changed
    /// (a renewal by certbot, a Kubernetes secret update). A failed reload is logged
    /// and the old certificate stays. The task ends when every clone of this
    /// `ServerTls` is gone; abort the handle to end it sooner. Needs a tokio runtime.
    pub fn watch(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let current: Weak<CurrentCert> = Arc::downgrade(&self.current);
        let files = self.files.clone();
        tokio::spawn(async move {
            let Some(files) = files else { return };
            let mut seen = modified(&files);
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(current) = current.upgrade() else {
                    return;
                };
                let now = modified(&files);
                if now == seen {
                    continue;
                }
                match certified_key_from_files(&files.0, &files.1) {
                    Ok(certified) => {
                        current.0.store(Arc::new(certified));
                        seen = now;
                        tracing::info!(cert = %files.0.display(), "TLS certificate reloaded");
                    }
                    // A half-written pair: try again at the next tick.
                    Err(err) => tracing::warn!(%err, "TLS certificate not reloaded"),
                }
            }
        })
    }

    /// The leaf certificate presented now (DER), to check what a reload installed.
    pub fn leaf_certificate(&self) -> Option<CertificateDer<'static>> {
        self.current.0.load().cert.first().cloned()
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }

    fn with_certified(certified: CertifiedKey) -> Result<Self, TlsConfigError> {
        let current = Arc::new(CurrentCert(ArcSwap::from_pointee(certified)));
        let config = server_config(current.clone(), None)?;
        Ok(ServerTls {
            current,
            config: Arc::new(config),
            files: None,
        })
    }
}

fn server_config(
    current: Arc<CurrentCert>,
    verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
) -> Result<rustls::ServerConfig, TlsConfigError> {
    let builder = rustls::ServerConfig::builder_with_provider(server_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsConfigError::Refused(e.to_string()))?;
    let builder = match verifier {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(current);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.ignore_client_order = true;
    Ok(config)
}

/// The provider with the server's own cipher-suite preference: AES-128-GCM first
/// (as strong as needed, and cheaper per record than AES-256-GCM for both peers),
/// then AES-256-GCM, then ChaCha20-Poly1305; TLS 1.3 suites before TLS 1.2 ones.
fn server_provider() -> Arc<rustls::crypto::CryptoProvider> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    let rank = |suite: &rustls::SupportedCipherSuite| {
        let name = format!("{:?}", suite.suite());
        let version = if name.starts_with("TLS13_") { 0 } else { 1 };
        let cipher = if name.contains("AES_128_GCM") {
            0
        } else if name.contains("AES_256_GCM") {
            1
        } else {
            2
        };
        (version, cipher)
    };
    provider.cipher_suites.sort_by_key(rank);
    Arc::new(provider)
}

fn certified_key_from_files(cert_chain: &Path, key: &Path) -> Result<CertifiedKey, TlsConfigError> {
    certified_key(
        &pem::read(cert_chain)?,
        &pem::read(key)?,
        &cert_chain.display().to_string(),
        &key.display().to_string(),
    )
}

/// The chain and key, checked to belong together.
fn certified_key(
    cert_chain: &[u8],
    key: &[u8],
    chain_name: &str,
    key_name: &str,
) -> Result<CertifiedKey, TlsConfigError> {
    let chain = pem::certificates(cert_chain, chain_name)?;
    let key = pem::private_key(key, key_name)?;
    let signing_key = super::provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| TlsConfigError::PrivateKey {
            what: key_name.to_owned(),
            detail: format!("not usable for TLS ({e})"),
        })?;
    let certified = CertifiedKey::new(chain, signing_key);
    certified.keys_match().map_err(|e| {
        TlsConfigError::Refused(format!(
            "the key in {key_name} does not belong to the leaf certificate of {chain_name} ({e})"
        ))
    })?;
    Ok(certified)
}

fn modified(files: &(PathBuf, PathBuf)) -> (Option<SystemTime>, Option<SystemTime>) {
    let at = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    (at(&files.0), at(&files.1))
}
