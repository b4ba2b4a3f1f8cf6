//! The `tracing` span each request runs in: `mcp_request` at DEBUG under the target
//! `boltmcp::request`, with the method, the target's name, the era, the legacy session
//! and the verified caller's subject. Never a token, never the arguments. With no
//! subscriber listening at that level the span is disabled and costs one check.

use crate::protocol::Era;
use crate::server::Principal;

/// The span of one request.
pub(super) fn request_span(
    method: &str,
    target: Option<&str>,
    era: Era,
    extensions: &http::Extensions,
) -> tracing::Span {
    let span = tracing::debug_span!(
        target: "boltmcp::request",
        "mcp_request",
        method,
        target = tracing::field::Empty,
        era = ?era,
        session = tracing::field::Empty,
        principal = tracing::field::Empty,
    );
    if span.is_disabled() {
        return span;
    }
    if let Some(target) = target {
        span.record("target", target);
    }
    if let Some(principal) = extensions.get::<Principal>() {
        span.record("principal", principal.subject());
    }
    if let Some(session) = extensions
        .get::<http::HeaderMap>()
        .and_then(|headers| headers.get("mcp-session-id"))
        .and_then(|value| value.to_str().ok())
    {
        span.record("session", session);
    }
    span
}
