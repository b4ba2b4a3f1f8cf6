//! The HTTP requests verifiers make themselves (a JWKS download, an introspection
//! call): over `https://` with the client's TLS (the webpki roots, or the
//! [`ClientTls`] given), or plain `http://` to a loopback address only, since keys or
//! token verdicts fetched in clear text over a network could be forged by anyone on
//! the path. Each request runs under a timeout, its answer's size capped.
//!
//! A failure is described in a short sentence for the server's log. It never quotes a
//! request body, which is where an introspected token travels.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;

use super::ConfigError;
use crate::client::http_options::{Connector, HttpOptions, client_for, transport_error};
use crate::transport::tls::ClientTls;

/// How long a request may take, connection included, unless configured otherwise.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest answer read; a larger one is a failure.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// An answer read whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A hyper client for one endpoint, with a timeout.
pub(crate) struct Outbound {
    url: Uri,
    client: HyperClient<Connector, Full<Bytes>>,
    pub(crate) timeout: Duration,
}

impl Outbound {
    /// A client for the absolute `https://` (or loopback `http://`) URL `url`;
    /// `what` names the endpoint in errors.
    pub(crate) fn new(url: &str, what: &str) -> Result<Self, ConfigError> {
        let url: Uri = url
            .parse()
            .map_err(|_| ConfigError::new(format!("the {what} URL does not parse")))?;
        if url.authority().is_none() {
            return Err(ConfigError::new(format!(
                "the {what} URL must be absolute (https://host/path)"
            )));
        }
        let client = Self::client(&url, what, None)?;
        Ok(Outbound {
            url,
            client,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Trusts and presents what `tls` says (a private CA, a client certificate).
    pub(crate) fn set_tls(&mut self, tls: ClientTls, what: &str) -> Result<(), ConfigError> {
        self.client = Self::client(&self.url, what, Some(tls))?;
        Ok(())
    }

    fn client(
        url: &Uri,
        what: &str,
        tls: Option<ClientTls>,
    ) -> Result<HyperClient<Connector, Full<Bytes>>, ConfigError> {
        let options = HttpOptions {
            tls,
            ..Default::default()
        };
        client_for(url, &options).map_err(|e| ConfigError::new(format!("the {what} URL: {e}")))
    }

    /// The endpoint.
    pub(crate) fn url(&self) -> &Uri {
        &self.url
    }

    /// Sends `request` and reads the whole answer, within the timeout.
    pub(crate) async fn send(&self, request: Request<Full<Bytes>>) -> Result<Answer, String> {
        let exchange = async {
            let response = self.client.request(request).await.map_err(|err| {
                format!("the request failed: {}", transport_error(&self.url, &err))
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|_| "the answer could not be read, or is over 1 MiB".to_owned())?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| format!("no answer within {:?}", self.timeout))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        for good in [
            "http://127.0.0.1:9/jwks.json",
            "http://localhost/jwks",
            "https://as.example.com/.well-known/jwks.json",
        ] {
            assert!(Outbound::new(good, "JWKS").is_ok(), "{good}");
        }
        for bad in [
            "http://as.example.com/jwks",
            "/jwks.json",
            "as.example.com",
            "ftp://x/",
        ] {
            let err = Outbound::new(bad, "JWKS").err().expect(bad);
            assert!(err.to_string().contains("JWKS URL"), "{err}");
        }
    }
}
