//! `ClientError`: every way a call to a server can fail, each saying which, with
//! predicates that read the same over HTTP (a status and its headers) and over stdio
//! (the refusal codes of [`Refusal`](crate::server::Refusal)).

use std::time::Duration;

#[cfg(feature = "http")]
use super::http_error::HttpError;
use crate::protocol::ErrorObject;
use crate::server::{INSUFFICIENT_SCOPE, RATE_LIMITED, UNAUTHORIZED};

/// Why a call to the server did not produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("the server answered with an error: {0}")]
    Rpc(ErrorObject),
    /// No answer came within the call's timeout; the server was told to cancel it.
    #[error("no answer from the server within {timeout:?}{detail}")]
    Timeout {
        /// The timeout that ran out.
        timeout: Duration,
        /// What else is known (lines the server wrote that were not JSON-RPC).
        detail: String,
    },
    /// The connection ended before the answer came (the server exited or hung up).
    #[error("the connection to the server is closed{0}")]
    Closed(String),
    /// The server's answer could not be read as the result the call expects.
    #[error("the server's answer is malformed: {0}")]
    Malformed(String),
    /// The server answered over HTTP with a status other than 2xx: the status, the
    /// challenge, `Retry-After`, and the JSON-RPC error of the body if it had one.
    #[cfg(feature = "http")]
    #[error("{0}")]
    Http(Box<HttpError>),
    /// The TLS connection to `host` failed, for the reason given.
    #[cfg(feature = "tls")]
    #[error("TLS with {host} failed: {problem}")]
    Tls {
        /// The host dialled.
        host: String,
        /// Why.
        problem: crate::transport::tls::TlsProblem,
    },
    /// The call needs something the negotiated protocol version does not have.
    #[error("{0}")]
    Unsupported(String),
    /// Starting or talking to the server failed.
    #[error("I/O with the server failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    /// The JSON-RPC error, when the server sent one (in a 2xx answer or not).
    pub fn rpc(&self) -> Option<&ErrorObject> {
        match self {
            ClientError::Rpc(err) => Some(err),
            #[cfg(feature = "http")]
            ClientError::Http(http) => http.rpc(),
            _ => None,
        }
    }

    /// The HTTP refusal, when the server answered with a non-2xx status.
    #[cfg(feature = "http")]
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            ClientError::Http(http) => Some(http),
            _ => None,
        }
    }

    /// The HTTP status of a non-2xx answer.
    #[cfg(feature = "http")]
    pub fn status(&self) -> Option<http::StatusCode> {
        self.http().map(HttpError::status)
    }

    /// The caller is not authenticated: HTTP 401, or the -32010 refusal elsewhere.
    pub fn is_unauthorized(&self) -> bool {
        self.is_status(401) || self.has_code(UNAUTHORIZED)
    }

    /// The caller may not do this: HTTP 403, or the -32011 `insufficient_scope`
    /// refusal elsewhere. [`required_scopes`](Self::required_scopes) says what it needs.
    pub fn is_forbidden(&self) -> bool {
        self.is_status(403) || self.has_code(INSUFFICIENT_SCOPE)
    }

    /// The scopes an `insufficient_scope` refusal asks for: the challenge's `scope`
    /// over HTTP, `data.requiredScopes` elsewhere. Empty for any other error.
    pub fn required_scopes(&self) -> Vec<String> {
        #[cfg(feature = "http")]
        if let Some(challenge) = self.http().and_then(HttpError::challenge)
            && challenge.error() == Some("insufficient_scope")
        {
            return challenge.scopes().into_iter().map(str::to_owned).collect();
        }
        self.rpc()
            .filter(|e| e.code == INSUFFICIENT_SCOPE)
            .and_then(|e| e.data.as_ref()?.get("requiredScopes")?.as_array().cloned())
            .map(|scopes| {
                scopes
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The server is limiting the caller's rate: HTTP 429, or the -32029 refusal.
    pub fn is_rate_limited(&self) -> bool {
        self.is_status(429) || self.has_code(RATE_LIMITED)
    }

    /// How long the server asked the client to wait: `Retry-After` over HTTP (on a
    /// 429 or 503), `data.retryAfterMs` of a -32029 refusal elsewhere.
    pub fn retry_after(&self) -> Option<Duration> {
        #[cfg(feature = "http")]
        if let Some(wait) = self.http().and_then(HttpError::retry_after) {
            return Some(wait);
        }
        self.rpc()
            .filter(|e| e.code == RATE_LIMITED)
            .and_then(|e| e.data.as_ref()?.get("retryAfterMs")?.as_u64())
            .map(Duration::from_millis)
    }

    /// HTTP 404: no endpoint at this URL, or (legacy era) a session the server forgot.
    pub fn is_not_found(&self) -> bool {
        self.is_status(404)
    }

    fn is_status(&self, status: u16) -> bool {
        #[cfg(feature = "http")]
        return self.status().is_some_and(|s| s.as_u16() == status);
        #[cfg(not(feature = "http"))]
        {
            let _ = status;
            false
        }
    }

    fn has_code(&self, code: i32) -> bool {
        self.rpc().is_some_and(|e| e.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Challenge as ServerChallenge, Refusal};

    #[test]
    fn refusals_over_stdio_answer_the_same_predicates() {
        let scope = Refusal::insufficient_scope(
            &["math:write".into()],
            ServerChallenge {
                scope: vec!["math:read".into(), "math:write".into()],
                ..Default::default()
            },
        );
        let error = ClientError::Rpc(scope.error().clone());
        assert!(error.is_forbidden() && !error.is_unauthorized());
        assert_eq!(error.required_scopes(), ["math:read", "math:write"]);

        let limited = Refusal::rate_limited(Duration::from_millis(1500), "10/s for add");
        let error = ClientError::Rpc(limited.error().clone());
        assert!(error.is_rate_limited());
        assert_eq!(error.retry_after(), Some(Duration::from_millis(1500)));
        assert!(!error.is_not_found());
    }
}
