//! Who a per-caller limit counts against: the verified principal; without one, the
//! legacy session; without one, the peer's IP address; on a pipe (stdio, in memory),
//! the one client at the other end. Or whatever key a function of the request gives.

use std::net::IpAddr;
use std::sync::Arc;

use crate::server::{GateRequest, Principal};

/// The caller a budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallerKey {
    /// A verified principal, by its [`id`](crate::server::Principal::id): the subject
    /// qualified by its issuer.
    Principal(Arc<str>),
    /// A legacy HTTP session, by its id.
    Session(Arc<str>),
    /// An HTTP client without either, by its IP address (not its port: one client's
    /// connections share a budget).
    Peer(IpAddr),
    /// The client at the other end of a pipe (stdio, in memory).
    Pipe,
    /// A key from [`RateLimitBuilder::caller_key`](super::RateLimitBuilder::caller_key).
    Custom(Arc<str>),
}

impl std::fmt::Display for CallerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallerKey::Principal(_) => f.write_str("per caller"),
            CallerKey::Session(_) => f.write_str("per session"),
            CallerKey::Peer(_) => f.write_str("per client address"),
            CallerKey::Pipe => f.write_str("for this connection"),
            CallerKey::Custom(_) => f.write_str("per caller"),
        }
    }
}

/// A function that names the caller of a request; `None` falls back to the default.
pub type CallerKeyFn = Arc<dyn Fn(&GateRequest<'_>) -> Option<String> + Send + Sync>;

/// The caller of `request`, by the rules above.
pub(super) fn caller_of(request: &GateRequest<'_>, custom: Option<&CallerKeyFn>) -> CallerKey {
    if let Some(key) = custom.and_then(|key_of| key_of(request)) {
        return CallerKey::Custom(key.into());
    }
    let extensions = request.extensions();
    if let Some(principal) = extensions.get::<Principal>() {
        return CallerKey::Principal(principal.shared_id());
    }
    #[cfg(feature = "http")]
    {
        use crate::transport::http::RemoteAddr;
        use crate::transport::http::headers::SESSION_ID;
        if let Some(session) = extensions
            .get::<http::HeaderMap>()
            .and_then(|headers| headers.get(SESSION_ID))
            .and_then(|value| value.to_str().ok())
        {
            return CallerKey::Session(session.into());
        }
        if let Some(RemoteAddr(addr)) = extensions.get::<RemoteAddr>() {
            return CallerKey::Peer(addr.ip());
        }
    }
    CallerKey::Pipe
}
