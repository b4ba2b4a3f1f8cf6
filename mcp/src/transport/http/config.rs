//! How the MCP endpoint behaves: who may call it (Host and Origin), how much it reads,
//! whether it keeps legacy sessions, and for how long.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::event_store::{EventStore, InMemoryEventStore};

/// Which `Host` (or, from a browser, `Origin`) names the endpoint answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPolicy {
    /// `localhost`, `127.0.0.1` and `[::1]`, on any port: the safe default of a local
    /// server, which defeats DNS rebinding.
    Loopback,
    /// Exactly these names (hosts without port; origins as `scheme://host[:port]`),
    /// compared without regard to case, plus the loopback names.
    List(Vec<String>),
    /// Anything. Only behind a proxy that checks it instead.
    Any,
}

/// The settings of the Streamable HTTP endpoint.
#[derive(Clone)]
pub struct HttpConfig {
    pub(crate) hosts: HostPolicy,
    pub(crate) origins: HostPolicy,
    pub(crate) max_body_bytes: usize,
    pub(crate) stateful: bool,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_sessions: usize,
    pub(crate) event_store: Option<Arc<dyn EventStore>>,
    pub(crate) keep_alive: Option<Duration>,
    pub(crate) retry: Duration,
    #[cfg(feature = "auth")]
    pub(crate) auth: Option<crate::layers::auth::Auth>,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::transport::tls::ServerTls>,
    #[cfg(feature = "metrics")]
    pub(crate) metrics: Option<crate::layers::metrics::Prometheus>,
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("hosts", &self.hosts)
            .field("origins", &self.origins)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("stateful", &self.stateful)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_sessions", &self.max_sessions)
            .field("event_store", &self.event_store.is_some())
            .field("keep_alive", &self.keep_alive)
            .field("retry", &self.retry)
            .field("tls", &self.has_tls())
            .finish_non_exhaustive()
    }
}

impl Default for HttpConfig {
    /// Loopback hosts and origins only, 4 MiB bodies, legacy sessions on (at most
    /// 50,000, freed after 30 idle minutes) with an in-memory event store, and a
    /// keep-alive comment every 15 seconds on quiet streams, and a 3-second reconnection
    /// delay announced on resumable streams.
    fn default() -> Self {
        HttpConfig {
            hosts: HostPolicy::Loopback,
            origins: HostPolicy::Loopback,
            max_body_bytes: 4 << 20,
            stateful: true,
            idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 50_000,
            event_store: Some(Arc::new(InMemoryEventStore::default())),
            keep_alive: Some(Duration::from_secs(15)),
            retry: Duration::from_secs(3),
            #[cfg(feature = "auth")]
            auth: None,
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "metrics")]
            metrics: None,
        }
    }
}

impl HttpConfig {
    fn has_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    /// The defaults; see [`Default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires a bearer token on every request, verified by `auth`: a request
    /// without a valid one is answered 401 with the `WWW-Authenticate` challenge
    /// before it reaches the MCP stack; the verified [`Principal`](crate::server::Principal)
    /// reaches layers and handlers, and legacy sessions are bound to it. The server is
    /// also given `auth`'s gate ([`Auth::gate`](crate::layers::auth::Auth::gate)),
    /// which enforces each target's scopes with 403 before any other gate runs (a
    /// caller refused for its scopes spends no rate-limit budget), and [`Server::serve_http`](crate::server::Server::serve_http)
    /// serves the RFC 9728 metadata beside the endpoint.
    #[cfg(feature = "auth")]
    pub fn auth(mut self, auth: crate::layers::auth::Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Serves HTTPS with `tls` from [`Server::serve_http_with`](crate::server::Server::serve_http_with)
    /// and [`serve_http_until`](crate::server::Server::serve_http_until). The Host and
    /// Origin checks stay as configured: allow the names in the certificate.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::transport::tls::ServerTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Also answer to these host names (`mcp.example.com`, no port).
    pub fn allow_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts = HostPolicy::List(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the host policy outright ([`HostPolicy::Any`] turns the check off).
    pub fn host_policy(mut self, policy: HostPolicy) -> Self {
        self.hosts = policy;
        self
    }

    /// Also accept browser requests from these origins (`https://app.example.com`).
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.origins = HostPolicy::List(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the origin policy outright.
    pub fn origin_policy(mut self, policy: HostPolicy) -> Self {
        self.origins = policy;
        self
    }

    /// The largest request body read; a larger one is answered 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Keep no legacy sessions: every request stands alone, so any replica behind a
    /// load balancer can answer it. Legacy clients are served as already initialised;
    /// GET and DELETE are answered 405, and requests to the client are unavailable.
    pub fn stateless(mut self) -> Self {
        self.stateful = false;
        self
    }

    /// How long a legacy session may stay unused (no request, no open stream) before
    /// it is freed.
    pub fn session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The most legacy sessions kept at once; past it `initialize` is answered 503.
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max;
        self
    }

    /// Where SSE events are kept for clients that reconnect; `None` makes streams
    /// unresumable (no event ids are sent).
    pub fn event_store(mut self, store: Option<Arc<dyn EventStore>>) -> Self {
        self.event_store = store;
        self
    }

    /// The reconnection delay (`retry`) a resumable stream announces.
    pub fn retry(mut self, delay: Duration) -> Self {
        self.retry = delay;
        self
    }

    /// The `retry` field's value: the delay in milliseconds.
    pub(crate) fn retry_ms(&self) -> u64 {
        self.retry.as_millis().try_into().unwrap_or(u64::MAX)
    }

    /// How often a quiet SSE stream sends a comment to stay open; `None` sends none.
    pub fn keep_alive(mut self, every: Option<Duration>) -> Self {
        self.keep_alive = every;
        self
    }
}
