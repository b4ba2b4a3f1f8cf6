//! Refusals: a request turned away by a layer, a transport check or a handler, and
//! the one place where each kind of failure is mapped to its JSON-RPC error and, over
//! HTTP, to its status and headers.
//!
//! A layer refuses by returning `Err` with a [`Refusal`] (boxed into tower's
//! `BoxError`), a handler with [`ToolError::refused`](super::ToolError::refused), and the
//! router with [`McpResponse::refused`](super::McpResponse::refused). The connection engine
//! reports every error it writes as a [`Failure`], so a transport that has more to
//! say than the line (HTTP: 401 with `WWW-Authenticate`, 403, 429 with `Retry-After`)
//! reads it from there and never parses the bytes it sends.
//!
//! The codes, documented in the README, sit in the JSON-RPC server range clear of the
//! ones in use (-32001 session not found, -32002 resource not found, -32020 … -32022
//! the 2026-07-28 header, capability and version errors, -32042 URL elicitation).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, StatusCode, header};
use serde_json::json;

use crate::protocol::error::code;
use crate::protocol::{Era, ErrorObject};

/// -32010: the request carries no valid credentials (HTTP 401).
pub const UNAUTHORIZED: i32 = -32010;
/// -32011: the caller lacks a scope the request needs (HTTP 403).
pub const INSUFFICIENT_SCOPE: i32 = -32011;
/// -32029: the caller exceeded a rate limit (HTTP 429).
pub const RATE_LIMITED: i32 = -32029;

/// What kind of refusal, deciding its code, its HTTP status and its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// No credentials were presented: 401 with a challenge and no `error`.
    Unauthenticated,
    /// The credentials are invalid, expired or for another audience: 401,
    /// `error="invalid_token"`.
    InvalidToken,
    /// The request is malformed as a request for credentials (a token in the query
    /// string, two `Authorization` headers): 400, `error="invalid_request"`.
    InvalidRequest,
    /// The caller lacks scopes: 403, `error="insufficient_scope"`.
    InsufficientScope,
    /// Too many requests: 429 with `Retry-After`.
    RateLimited,
    /// A request a transport's checks refuse before it runs (a header that disagrees
    /// with the body: 400; a method the era removed: 404), with the check's own
    /// JSON-RPC error and the status it names.
    Rejected,
}

/// A request refused, with everything each transport needs to say so.
#[derive(Clone, PartialEq)]
pub struct Refusal(Box<Inner>);

#[derive(Clone, PartialEq)]
struct Inner {
    kind: RefusalKind,
    status: StatusCode,
    error: ErrorObject,
    challenge: Option<Challenge>,
    retry_after: Option<Duration>,
}

/// The parameters of a `Bearer` challenge (RFC 6750 §3; 2025-11-25 and 2026-07-28
/// `basic/authorization`, Error Handling).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Challenge {
    /// Where the RFC 9728 Protected Resource Metadata is.
    pub resource_metadata: Option<String>,
    /// Every scope the operation needs, in one challenge (2026-07-28).
    pub scope: Vec<String>,
    /// A short human-readable reason. Characters RFC 6750 does not allow in it
    /// (quotes, backslashes, non-ASCII) are dropped when the header is written.
    pub description: Option<String>,
}

impl Refusal {
    fn new(kind: RefusalKind, error: ErrorObject) -> Self {
        let status = match kind {
            RefusalKind::Unauthenticated | RefusalKind::InvalidToken => StatusCode::UNAUTHORIZED,
            RefusalKind::InsufficientScope => StatusCode::FORBIDDEN,
            RefusalKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            RefusalKind::InvalidRequest | RefusalKind::Rejected => StatusCode::BAD_REQUEST,
        };
        Refusal(Box::new(Inner {
            kind,
            status,
            error,
            challenge: None,
            retry_after: None,
        }))
    }

    /// No credentials: 401 (-32010 elsewhere).
    pub fn unauthenticated(challenge: Challenge) -> Self {
        let data = json!({ "reason": "missing_token", "requiredScopes": challenge.scope });
        let error = ErrorObject::new(UNAUTHORIZED, "Unauthorized: no credentials were presented")
            .with_data(data);
        Refusal::new(RefusalKind::Unauthenticated, error).with_challenge(challenge)
    }

    /// Invalid credentials: 401 `invalid_token` (-32010 elsewhere). `reason` reaches the
    /// client: it must not hold the token.
    pub fn invalid_token(reason: impl fmt::Display, mut challenge: Challenge) -> Self {
        let reason = reason.to_string();
        challenge.description.get_or_insert_with(|| reason.clone());
        let error = ErrorObject::new(UNAUTHORIZED, format!("Unauthorized: {reason}"))
            .with_data(json!({ "reason": "invalid_token" }));
        Refusal::new(RefusalKind::InvalidToken, error).with_challenge(challenge)
    }

    /// A malformed request for credentials: 400 `invalid_request` (-32600 elsewhere).
    pub fn invalid_request(reason: impl fmt::Display, mut challenge: Challenge) -> Self {
        let reason = reason.to_string();
        challenge.description.get_or_insert_with(|| reason.clone());
        let error =
            ErrorObject::invalid_request(reason).with_data(json!({ "reason": "invalid_request" }));
        Refusal::new(RefusalKind::InvalidRequest, error).with_challenge(challenge)
    }

    /// Missing scopes: 403 `insufficient_scope` (-32011 elsewhere), naming every scope
    /// the operation needs (`challenge.scope`) and, in `data`, those the caller lacks.
    pub fn insufficient_scope(missing: &[String], challenge: Challenge) -> Self {
        let message = format!(
            "Forbidden: this needs the scope{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        );
        let error = ErrorObject::new(INSUFFICIENT_SCOPE, message).with_data(json!({
            "reason": "insufficient_scope",
            "requiredScopes": challenge.scope,
            "missingScopes": missing,
        }));
        Refusal::new(RefusalKind::InsufficientScope, error).with_challenge(challenge)
    }

    /// Too many requests: 429 with `Retry-After` (-32029 elsewhere, with
    /// `data.retryAfterMs` and the limit that was hit).
    pub fn rate_limited(retry_after: Duration, limit: impl fmt::Display) -> Self {
        let limit = limit.to_string();
        let error = ErrorObject::new(RATE_LIMITED, format!("Too many requests: {limit}"))
            .with_data(json!({
                "retryAfterMs": u64::try_from(retry_after.as_millis()).unwrap_or(u64::MAX),
                "limit": limit,
            }));
        let mut refusal = Refusal::new(RefusalKind::RateLimited, error);
        refusal.0.retry_after = Some(retry_after);
        refusal
    }

    /// A request a transport check refuses with `error`, answered over HTTP with
    /// `status` (a 4xx; anything else is taken as 400).
    pub fn rejected(error: ErrorObject, status: StatusCode) -> Self {
        let status = if status.is_client_error() {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut refusal = Refusal::new(RefusalKind::Rejected, error);
        refusal.0.status = status;
        refusal
    }

    fn with_challenge(mut self, challenge: Challenge) -> Self {
        self.0.challenge = Some(challenge);
        self
    }

    /// The kind of refusal.
    pub fn kind(&self) -> RefusalKind {
        self.0.kind
    }

    /// The JSON-RPC error it is answered with.
    pub fn error(&self) -> &ErrorObject {
        &self.0.error
    }

    /// The challenge, for 401 and 403.
    pub fn challenge(&self) -> Option<&Challenge> {
        self.0.challenge.as_ref()
    }

    /// How long the caller should wait, for 429.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The HTTP status it is answered with.
    pub fn http_status(&self) -> StatusCode {
        self.0.status
    }

    /// The HTTP headers it is answered with: `WWW-Authenticate` for 401, 403 and a
    /// malformed request for credentials, `Retry-After` (whole seconds, rounded up)
    /// for 429.
    pub fn http_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut headers = Vec::new();
        if let Some(challenge) = &self.0.challenge {
            let error = match self.0.kind {
                RefusalKind::InvalidToken => Some("invalid_token"),
                RefusalKind::InsufficientScope => Some("insufficient_scope"),
                RefusalKind::InvalidRequest => Some("invalid_request"),
                _ => None,
            };
            if let Ok(value) = HeaderValue::from_str(&challenge.header_value(error)) {
                headers.push((header::WWW_AUTHENTICATE, value));
            }
        }
        if let Some(wait) = self.0.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.push((header::RETRY_AFTER, HeaderValue::from(seconds.max(1))));
        }
        headers
    }
}

impl Challenge {
    /// The `WWW-Authenticate` value: `Bearer` then the parameters, each quoted.
    fn header_value(&self, error: Option<&str>) -> String {
        let mut params: Vec<String> = Vec::new();
        if let Some(error) = error {
            params.push(format!("error=\"{error}\""));
        }
        if !self.scope.is_empty() {
            params.push(format!("scope=\"{}\"", token_chars(&self.scope.join(" "))));
        }
        if let Some(url) = &self.resource_metadata {
            params.push(format!("resource_metadata=\"{}\"", token_chars(url)));
        }
        if let Some(description) = &self.description
            && error.is_some()
        {
            params.push(format!(
                "error_description=\"{}\"",
                token_chars(description)
            ));
        }
        if params.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer {}", params.join(", "))
        }
    }
}

/// Keeps the characters RFC 6750 §3 allows in a quoted attribute value (%x20-21 /
/// %x23-5B / %x5D-7E: printable ASCII without `"` and `\`), so no value can break out
/// of its quotes or inject a header.
fn token_chars(value: &str) -> String {
    value
        .chars()
        .filter(|c| matches!(*c, ' ' | '!' | '#'..='[' | ']'..='~'))
        .collect()
}

impl fmt::Debug for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refusal")
            .field("kind", &self.0.kind)
            .field("code", &self.0.error.code)
            .field("message", &self.0.error.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.error, f)
    }
}

impl std::error::Error for Refusal {}

/// Why a request was answered with an error, as the engine reports it to transports.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    code: i32,
    refusal: Option<Arc<Refusal>>,
}

impl Failure {
    pub(crate) fn error(error: &ErrorObject) -> Self {
        Failure {
            code: error.code,
            refusal: None,
        }
    }

    pub(crate) fn refused(refusal: Refusal) -> Self {
        Failure {
            code: refusal.0.error.code,
            refusal: Some(Arc::new(refusal)),
        }
    }

    /// The JSON-RPC code of the error.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The refusal, when a layer, check or handler refused the request.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_deref()
    }

    /// The HTTP status of the response: a refusal's own, else 400 for a malformed
    /// message in both eras, and in 2026-07-28 400 for the header, version and
    /// capability errors and 404 for an unknown method (`basic/transports/streamable-http`
    /// §Request Metadata); every other error travels with 200.
    pub fn http_status(&self, era: Era) -> StatusCode {
        if let Some(refusal) = &self.refusal {
            return refusal.http_status();
        }
        let modern = era == Era::Modern;
        match self.code {
            code::PARSE_ERROR | code::INVALID_REQUEST => StatusCode::BAD_REQUEST,
            code::HEADER_MISMATCH
            | code::UNSUPPORTED_PROTOCOL_VERSION
            | code::MISSING_REQUIRED_CLIENT_CAPABILITY
                if modern =>
            {
                StatusCode::BAD_REQUEST
            }
            code::METHOD_NOT_FOUND if modern => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        }
    }

    /// The HTTP headers the response carries besides its content type.
    pub fn http_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        self.refusal
            .as_deref()
            .map(Refusal::http_headers)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(scope: &[&str]) -> Challenge {
        Challenge {
            resource_metadata: Some(
                "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp".into(),
            ),
            scope: scope.iter().map(|s| s.to_string()).collect(),
            description: None,
        }
    }

    fn www_authenticate(refusal: &Refusal) -> String {
        refusal
            .http_headers()
            .into_iter()
            .find(|(name, _)| name == header::WWW_AUTHENTICATE)
            .and_then(|(_, value)| value.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    #[test]
    fn every_kind_maps_to_its_code_status_and_headers() {
        let none = Refusal::unauthenticated(challenge(&["math:read"]));
        assert_eq!(
            (none.error().code, none.http_status()),
            (-32010, StatusCode::UNAUTHORIZED)
        );
        assert_eq!(
            www_authenticate(&none),
            "Bearer scope=\"math:read\", resource_metadata=\"http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp\""
        );
        let invalid = Refusal::invalid_token("the token has expired", challenge(&[]));
        assert_eq!(invalid.http_status(), StatusCode::UNAUTHORIZED);
        assert!(www_authenticate(&invalid).starts_with("Bearer error=\"invalid_token\", "));
        assert!(
            www_authenticate(&invalid).ends_with("error_description=\"the token has expired\"")
        );
        let scope = Refusal::insufficient_scope(
            &["math:write".into()],
            challenge(&["math:read", "math:write"]),
        );
        assert_eq!(
            (scope.error().code, scope.http_status()),
            (-32011, StatusCode::FORBIDDEN)
        );
        assert!(www_authenticate(&scope).starts_with(
            "Bearer error=\"insufficient_scope\", scope=\"math:read math:write\", resource_metadata="
        ));
        assert_eq!(
            scope.error().data.as_ref().expect("data")["missingScopes"],
            json!(["math:write"])
        );
        let query = Refusal::invalid_request("no tokens in the query", Challenge::default());
        assert_eq!(
            (query.error().code, query.http_status()),
            (-32600, StatusCode::BAD_REQUEST)
        );
        let limited = Refusal::rate_limited(Duration::from_millis(1500), "10/s per caller");
        assert_eq!(
            (limited.error().code, limited.http_status()),
            (-32029, StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(
            limited.http_headers(),
            [(header::RETRY_AFTER, HeaderValue::from(2u64))]
        );
        assert_eq!(
            limited.error().data.as_ref().expect("data")["retryAfterMs"],
            1500
        );
        let bad = Refusal::rejected(ErrorObject::header_mismatch("x"), StatusCode::BAD_REQUEST);
        assert_eq!(
            (bad.error().code, bad.http_status()),
            (-32020, StatusCode::BAD_REQUEST)
        );
        assert!(bad.http_headers().is_empty());
        let gone = Refusal::rejected(ErrorObject::method_not_found("ping"), StatusCode::NOT_FOUND);
        assert_eq!(gone.http_status(), StatusCode::NOT_FOUND);
        let odd = Refusal::rejected(ErrorObject::internal("x"), StatusCode::OK);
        assert_eq!(
            odd.http_status(),
            StatusCode::BAD_REQUEST,
            "a refusal is never a 200"
        );
    }

    #[test]
    fn challenge_values_cannot_break_out_of_their_quotes() {
        let mut evil = challenge(&["a\"b"]);
        evil.description = Some("bad \"token\"\r\nSet-Cookie: x=1 \\ é".into());
        let refusal = Refusal::invalid_token("x", evil);
        let value = www_authenticate(&refusal);
        assert!(value.contains("scope=\"ab\""), "{value}");
        assert!(
            value.contains("error_description=\"bad tokenSet-Cookie: x=1  \""),
            "{value}"
        );
    }

    #[test]
    fn plain_errors_keep_the_status_each_era_gives_them() {
        let not_found = Failure::error(&ErrorObject::method_not_found("x"));
        assert_eq!(not_found.http_status(Era::Modern), StatusCode::NOT_FOUND);
        assert_eq!(not_found.http_status(Era::Legacy), StatusCode::OK);
        let parse = Failure::error(&ErrorObject::parse_error("x"));
        assert_eq!(parse.http_status(Era::Legacy), StatusCode::BAD_REQUEST);
        let internal = Failure::error(&ErrorObject::internal("x"));
        assert_eq!(internal.http_status(Era::Modern), StatusCode::OK);
        let refused = Failure::refused(Refusal::insufficient_scope(&[], Challenge::default()));
        assert_eq!(refused.http_status(Era::Legacy), StatusCode::FORBIDDEN);
    }
}
