//! The auth check at the HTTP depth: the `Authorization` header read strictly, the
//! token verified (through the cache), and every failure a 401 or 400 with the
//! `WWW-Authenticate` challenge, before the request reaches the MCP stack.
//!
//! Only the header carries a token: one in the query string is refused, never read
//! (2025-11-25 `basic/authorization` §Token Requirements). Two `Authorization`
//! headers are refused. The scheme is matched case-insensitively (RFC 9110 §11.1),
//! and a value over the configured size is refused before it is parsed.

use http::header::AUTHORIZATION;
use http::request::Parts;

use super::{Auth, TokenError};
use crate::server::{Principal, Refusal, Server};

/// Authenticates one HTTP request to `server`: its principal, or the refusal to answer
/// with. A challenge hints at every scope the server declares.
pub(crate) async fn authenticate_http(
    auth: &Auth,
    server: &Server,
    parts: &Parts,
) -> Result<Principal, Refusal> {
    let hint = || auth.challenge(&auth.scopes_supported(server));
    if query_has_token(parts.uri.query()) {
        return Err(Refusal::invalid_request(
            "send the access token in the Authorization header, never in the URL",
            hint(),
        ));
    }
    let mut values = parts.headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(Refusal::unauthenticated(hint()));
    };
    if values.next().is_some() {
        return Err(Refusal::invalid_request(
            "the request has more than one Authorization header",
            hint(),
        ));
    }
    if value.len() > auth.inner.max_token_bytes + "Bearer ".len() {
        return Err(Refusal::invalid_token(
            "the token is larger than this server accepts",
            hint(),
        ));
    }
    let Some(token) = bearer_token(value.as_bytes()) else {
        return Err(Refusal::invalid_token(
            "the Authorization header is not a Bearer token",
            hint(),
        ));
    };
    auth.authenticate(token).await.map_err(|err| {
        let reason = match &err {
            TokenError::NotMine => "the token is not valid here".to_owned(),
            TokenError::Invalid(reason) => reason.clone(),
            TokenError::Unavailable(reason) => {
                format!("the token cannot be verified now: {reason}")
            }
        };
        tracing::debug!(%reason, "refused a bearer token");
        Refusal::invalid_token(reason, hint())
    })
}

/// The token of `Bearer <token>` (RFC 6750 §2.1: the b64token characters), with the
/// scheme in any case; `None` for any other shape.
pub(crate) fn bearer_token(value: &[u8]) -> Option<&str> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = rest.strip_prefix(b" ")?.trim_ascii();
    let b64token = |b: &u8| B64TOKEN[usize::from(*b)];
    let body = token
        .iter()
        .rposition(|b| *b != b'=')
        .map_or(&token[..0], |end| &token[..=end]);
    if body.is_empty() || !body.iter().all(b64token) {
        return None;
    }
    std::str::from_utf8(token).ok()
}

/// The b64token characters (RFC 6750 §2.1), by byte: one load per byte of a token
/// that is checked on every request.
const B64TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] =
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        byte += 1;
    }
    table
};

/// True when the query string carries an `access_token` (RFC 6750 §2.3's form).
fn query_has_token(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&').any(|pair| {
            pair.split('=')
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case("access_token"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_strict() {
        assert_eq!(
            bearer_token(b"Bearer abc.def-ghi_~+/="),
            Some("abc.def-ghi_~+/=")
        );
        assert_eq!(bearer_token(b"bearer abc"), Some("abc"));
        assert_eq!(bearer_token(b"BEARER abc"), Some("abc"));
        assert_eq!(bearer_token(b"Basic abc"), None);
        assert_eq!(bearer_token(b"Bearer"), None);
        assert_eq!(bearer_token(b"Bearer "), None);
        assert_eq!(bearer_token(b"Bearer a b"), None);
        assert_eq!(bearer_token(b"Bearer a\"b"), None);
        assert_eq!(bearer_token(b"Bearer =="), None);
        assert_eq!(bearer_token(b"Bearerabc"), None);
    }

    #[test]
    fn a_token_in_the_query_string_is_seen() {
        assert!(query_has_token(Some("access_token=x")));
        assert!(query_has_token(Some("a=1&ACCESS_TOKEN=x")));
        assert!(!query_has_token(Some("token=x")));
        assert!(!query_has_token(None));
    }
}
