//! The HTTP requests verifiers make themselves (a JWKS download, an introspection
//! call): plain `http://` for now, each under a timeout, its answer's size capped.
//!
//! A failure is described in a short sentence for the server's log. It never quotes a
//! request body, which is where an introspected token travels.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::ConfigError;

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

/// A hyper client with a timeout.
pub(crate) struct Outbound {
    client: HyperClient<HttpConnector, Full<Bytes>>,
    pub(crate) timeout: Duration,
}

impl Outbound {
    pub(crate) fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(DEFAULT_TIMEOUT));
        Outbound {
            client: HyperClient::builder(TokioExecutor::new()).build(connector),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Sends `request` and reads the whole answer, within the timeout.
    pub(crate) async fn send(&self, request: Request<Full<Bytes>>) -> Result<Answer, String> {
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|err| format!("the request failed: {err}"))?;
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

/// Parses the `http://` URL of an endpoint (`what` names it in the error).
pub(crate) fn http_url(url: &str, what: &str) -> Result<Uri, ConfigError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| ConfigError::new(format!("the {what} URL does not parse")))?;
    if uri.scheme_str() != Some("http") || uri.authority().is_none() {
        return Err(ConfigError::new(format!(
            "the {what} URL must be an absolute http:// URL (https is not supported yet)"
        )));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_endpoints() {
        assert!(http_url("http://127.0.0.1:9/jwks.json", "JWKS").is_ok());
        for bad in [
            "https://as.example.com/jwks",
            "/jwks.json",
            "as.example.com",
            "ftp://x/",
        ] {
            let err = http_url(bad, "JWKS").expect_err(bad);
            assert!(err.to_string().contains("JWKS URL"), "{err}");
        }
    }
}
