//! TLS for Streamable HTTP, on both sides: rustls with the aws-lc-rs provider (the
//! crypto backend the JWT verifiers use too), TLS 1.3 and 1.2, ALPN `h2` and
//! `http/1.1`.
//!
//! - [`ServerTls`]: the server's certificate chain and key from PEM, swapped in place
//!   by [`ServerTls::reload`] (or a watcher) without dropping a connection, and
//!   optionally a client-certificate check (mutual TLS). Given to
//!   [`HttpConfig::tls`](crate::transport::http::HttpConfig::tls) or to
//!   [`serve_tls`](crate::transport::http::serve_tls).
//! - [`ClientTls`]: whom the client trusts (the webpki roots by default, the
//!   platform's, or a private CA) and the certificate it shows, given to
//!   [`ClientBuilder::tls`](crate::client::ClientBuilder::tls).
//!
//! Every configuration error says which file or which part was wrong; a failed
//! handshake in the client becomes [`ClientError::Tls`](crate::client::ClientError::Tls)
//! naming the host and the reason (untrusted issuer, name mismatch, expired).

mod client;
mod pem;
mod server;

pub use client::{ClientTls, TlsProblem};
pub use pem::TlsConfigError;
pub use server::{PeerCertificates, ServerTls};

pub(crate) use client::classify;

/// The one crypto provider every TLS configuration here is built on.
fn provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}
