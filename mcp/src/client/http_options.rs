//! How the HTTP client connects and what it adds to each request: which URLs it
//! dials (nothing downgrades `https://`; `http://` only to loopback unless allowed),
//! whom it trusts over TLS, the headers a token provider adds (told about a 401 so
//! it can refresh once), and the optional retries of a 429 or 503.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::ClientError;
use super::http_error::HttpError;

/// Adds headers to every request (a fixed bearer token, a tenant id).
pub type HeaderInjector = Arc<dyn Fn(&mut HeaderMap) + Send + Sync>;

/// The future a [`HeaderProvider`] returns: the headers to add, or why the request
/// cannot be sent.
pub type HeadersFuture = Pin<Box<dyn Future<Output = Result<HeaderMap, ClientError>> + Send>>;

/// Gives the headers of each request, asynchronously (a token from a cache that may
/// need refreshing). Told through [`Attempt`] when the server refused the previous
/// attempt with 401, it may refresh its token: the request is sent once more.
pub type HeaderProvider = Arc<dyn Fn(Attempt) -> HeadersFuture + Send + Sync>;

/// What a [`HeaderProvider`] is told about the request it adds headers to.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    unauthorized: Option<Arc<HttpError>>,
}

impl Attempt {
    pub(crate) fn after_unauthorized(refusal: HttpError) -> Self {
        Attempt {
            unauthorized: Some(Arc::new(refusal)),
        }
    }

    /// The 401 the server answered the previous attempt of this request with (its
    /// challenge says why: `error="invalid_token"`, an expired token, say). `None` on
    /// a first attempt. A request is retried once after a 401, never more.
    pub fn unauthorized(&self) -> Option<&HttpError> {
        self.unauthorized.as_deref()
    }
}

/// Retries of requests the server refused with 429 or 503, waiting what its
/// `Retry-After` says (or, without one, 0.5 s doubling each time), capped in count
/// and in total time. A wait that would pass the total is not started: the refusal
/// is returned. Off unless set with [`ClientBuilder::retries`](super::ClientBuilder::retries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times one request is sent again, at most.
    pub max_retries: u32,
    /// How long one request may take with every wait, at most.
    pub max_total: Duration,
}

impl RetryPolicy {
    /// At most `max_retries` retries within `max_total`.
    pub fn new(max_retries: u32, max_total: Duration) -> Self {
        RetryPolicy {
            max_retries,
            max_total,
        }
    }

    /// How long to wait before retry number `retry` (0-based), given the server's
    /// `Retry-After`.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        retry_after
            .unwrap_or_else(|| Duration::from_millis(500u64.saturating_mul(1 << retry.min(16))))
    }
}

impl Default for RetryPolicy {
    /// Three retries within 30 seconds.
    fn default() -> Self {
        RetryPolicy::new(3, Duration::from_secs(30))
    }
}

/// Where the request headers come from.
#[derive(Clone)]
pub(crate) enum Headers {
    Fixed(HeaderInjector),
    Provided(HeaderProvider),
}

/// The HTTP settings of a [`ClientBuilder`](super::ClientBuilder).
#[derive(Clone, Default)]
pub(crate) struct HttpOptions {
    pub(crate) headers: Option<Headers>,
    pub(crate) allow_plain_http: bool,
    pub(crate) retries: Option<RetryPolicy>,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::transport::tls::ClientTls>,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("HttpOptions");
        out.field("headers", &self.headers.is_some())
            .field("allow_plain_http", &self.allow_plain_http)
            .field("retries", &self.retries);
        #[cfg(feature = "tls")]
        out.field("tls", &self.tls);
        out.finish()
    }
}

#[cfg(feature = "tls")]
pub(crate) type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "tls"))]
pub(crate) type Connector = HttpConnector;

/// The hyper client for `url`, once the URL passes the scheme rules.
pub(crate) fn client_for(
    url: &Uri,
    options: &HttpOptions,
) -> Result<HyperClient<Connector, Full<Bytes>>, ClientError> {
    let host = url.host().unwrap_or_default();
    match url.scheme_str() {
        Some("https") if cfg!(feature = "tls") => {}
        Some("https") => {
            return Err(ClientError::Unsupported(format!(
                "{url}: https:// needs boltmcp's `tls` feature"
            )));
        }
        Some("http") if options.allow_plain_http || is_loopback(host) => {}
        Some("http") => {
            return Err(ClientError::Unsupported(format!(
                "{url}: http:// to {host} would send every message and token in clear text; \
                 use https://, or allow it with ClientBuilder::allow_plain_http()"
            )));
        }
        _ => {
            return Err(ClientError::Unsupported(format!(
                "{url}: only https:// and http:// URLs are supported"
            )));
        }
    }
    let mut http = HttpConnector::new();
    // A request written in pieces must not wait on delayed ACKs.
    http.set_nodelay(true);
    #[cfg(feature = "tls")]
    let connector = {
        http.enforce_http(false);
        let tls = options.tls.clone().unwrap_or_default();
        let config = tls
            .rustls_config()
            .map_err(|e| ClientError::Unsupported(format!("TLS configuration: {e}")))?;
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http();
        if tls.offers_h2() {
            builder.enable_all_versions().wrap_connector(http)
        } else {
            builder.enable_http1().wrap_connector(http)
        }
    };
    #[cfg(not(feature = "tls"))]
    let connector = http;
    Ok(HyperClient::builder(TokioExecutor::new()).build(connector))
}

/// `localhost`, `127.0.0.0/8` and `::1`: plain HTTP never leaves the machine.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A transport failure in words: TLS problems by name and host, anything else with
/// its whole chain of causes (hyper's own message is only "client error (Connect)").
pub(crate) fn transport_error(url: &Uri, error: &(dyn std::error::Error + 'static)) -> ClientError {
    #[cfg(feature = "tls")]
    if let Some(problem) = crate::transport::tls::classify(error) {
        return ClientError::Tls {
            host: url.host().unwrap_or_default().to_owned(),
            problem,
        };
    }
    let _ = url;
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(err) = next {
        text.push_str(": ");
        text.push_str(&err.to_string());
        next = err.source();
    }
    ClientError::Closed(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        let options = HttpOptions::default();
        for url in [
            "http://127.0.0.1:1/mcp",
            "http://localhost/mcp",
            "http://[::1]:8/mcp",
        ] {
            assert!(
                client_for(&url.parse().expect("url"), &options).is_ok(),
                "{url}"
            );
        }
        let remote: Uri = "http://mcp.example.com/mcp".parse().expect("url");
        let refused = client_for(&remote, &options).expect_err("clear text");
        assert!(
            refused.to_string().contains("allow_plain_http"),
            "{refused}"
        );
        let allowed = HttpOptions {
            allow_plain_http: true,
            ..Default::default()
        };
        assert!(client_for(&remote, &allowed).is_ok());
        let ftp: Uri = "ftp://127.0.0.1/mcp".parse().expect("url");
        assert!(client_for(&ftp, &options).is_err());
    }

    #[test]
    fn waits_follow_retry_after_or_double() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(policy.wait(0, None), Duration::from_millis(500));
        assert_eq!(policy.wait(2, None), Duration::from_secs(2));
    }
}
