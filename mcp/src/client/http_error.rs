//! What an HTTP refusal said, kept for the caller: the status, the
//! `WWW-Authenticate` challenge read into its parameters (RFC 9110 §11.6.1, RFC 6750
//! §3), `Retry-After` (RFC 9110 §10.2.3), the JSON-RPC error in the body if any.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode, header};

use crate::protocol::ErrorObject;

/// A non-2xx answer from the server, with what it said.
#[derive(Debug, Clone)]
pub struct HttpError {
    status: StatusCode,
    challenges: Vec<Challenge>,
    retry_after: Option<Duration>,
    body: String,
    rpc: Option<ErrorObject>,
}

impl HttpError {
    /// Reads what matters from an answer's status, headers and body.
    pub(crate) fn new(status: StatusCode, headers: &HeaderMap, body: &str) -> Self {
        let challenges = headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Challenge::parse_all)
            .collect();
        let retry_after = headers
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let rpc = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|message| message.get("error").cloned())
            .and_then(|error| serde_json::from_value(error).ok());
        HttpError {
            status,
            challenges,
            retry_after,
            body: body.chars().take(500).collect(),
            rpc,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Bearer` challenge of `WWW-Authenticate`, or the first one of another scheme.
    pub fn challenge(&self) -> Option<&Challenge> {
        self.challenges
            .iter()
            .find(|c| c.scheme.eq_ignore_ascii_case("bearer"))
            .or_else(|| self.challenges.first())
    }

    /// Every challenge of `WWW-Authenticate`, in order.
    pub fn challenges(&self) -> &[Challenge] {
        &self.challenges
    }

    /// How long the server asked the client to wait (`Retry-After`, as seconds or as
    /// a date).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The JSON-RPC error in the body, when there was one.
    pub fn rpc(&self) -> Option<&ErrorObject> {
        self.rpc.as_ref()
    }

    /// The start of the body (500 characters at most).
    pub fn body(&self) -> &str {
        &self.body
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the server answered HTTP {}", self.status)?;
        if let Some(rpc) = &self.rpc {
            write!(f, " with error {}: {}", rpc.code, rpc.message)?;
        } else if !self.body.is_empty() {
            write!(f, ": {}", self.body)?;
        }
        if let Some(error) = self.challenge().and_then(|c| c.param("error")) {
            write!(f, " ({error})")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {}s", wait.as_secs_f64().ceil())?;
        }
        Ok(())
    }
}

/// One challenge of a `WWW-Authenticate` header: `Bearer error="invalid_token",
/// scope="a b", resource_metadata="https://…"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// The scheme (`Bearer`), as sent.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// A parameter's value (names compare without regard to case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `error` parameter: `invalid_token`, `insufficient_scope`, `invalid_request`.
    pub fn error(&self) -> Option<&str> {
        self.param("error")
    }

    /// The scopes of the `scope` parameter.
    pub fn scopes(&self) -> Vec<&str> {
        self.param("scope")
            .map(|s| s.split_ascii_whitespace().collect())
            .unwrap_or_default()
    }

    /// Where the RFC 9728 Protected Resource Metadata is (`resource_metadata`).
    pub fn resource_metadata(&self) -> Option<&str> {
        self.param("resource_metadata")
    }

    /// Every challenge in one header value. Challenges are separated by commas too,
    /// so a new one starts at a token followed by a space and not by `=`.
    pub fn parse_all(value: &str) -> Vec<Challenge> {
        let mut challenges: Vec<Challenge> = Vec::new();
        let mut rest = value.trim_start();
        while !rest.is_empty() {
            let (word, after) = take_token(rest);
            if word.is_empty() {
                // Not a token: skip one character (a stray comma, say) and go on.
                rest = skip_one(rest);
                continue;
            }
            let after_ws = after.trim_start();
            if let Some(value_text) = after_ws.strip_prefix('=')
                && let Some(current) = challenges.last_mut()
            {
                let (value, next) = take_value(value_text.trim_start());
                current.params.push((word.to_owned(), value));
                rest = next.trim_start().trim_start_matches(',').trim_start();
                continue;
            }
            // A scheme; an optional token68 (`Basic abc==`) is kept as no parameter.
            challenges.push(Challenge {
                scheme: word.to_owned(),
                params: Vec::new(),
            });
            rest = after_ws.trim_start_matches(',').trim_start();
        }
        challenges
    }
}

fn take_token(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)))
        .unwrap_or(text.len());
    text.split_at(end)
}

fn skip_one(text: &str) -> &str {
    let mut chars = text.chars();
    chars.next();
    chars.as_str().trim_start()
}

/// A token or a quoted string (with `\` escapes), and what follows it.
fn take_value(text: &str) -> (String, &str) {
    let Some(quoted) = text.strip_prefix('"') else {
        let (token, rest) = take_token(text);
        return (token.to_owned(), rest);
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '"' => return (value, &quoted[at + 1..]),
            c => value.push(c),
        }
    }
    (value, "")
}

/// `Retry-After` as delay-seconds or an HTTP-date (a date in the past: no wait).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_bearer_challenge_with_quoted_and_bare_values() {
        let all = Challenge::parse_all(
            r#"Bearer error="insufficient_scope", scope="math:read math:write", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", realm=mcp"#,
        );
        assert_eq!(all.len(), 1);
        let bearer = &all[0];
        assert_eq!(bearer.scheme(), "Bearer");
        assert_eq!(bearer.error(), Some("insufficient_scope"));
        assert_eq!(bearer.scopes(), ["math:read", "math:write"]);
        assert_eq!(
            bearer.resource_metadata(),
            Some("http://h/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(bearer.param("REALM"), Some("mcp"));
    }

    #[test]
    fn splits_several_challenges_and_keeps_escapes() {
        let all = Challenge::parse_all(
            r#"Basic realm="a \"b\"", Bearer error="invalid_token", Newauth token68=="#,
        );
        let schemes: Vec<_> = all.iter().map(Challenge::scheme).collect();
        assert_eq!(schemes, ["Basic", "Bearer", "Newauth"]);
        assert_eq!(all[0].param("realm"), Some(r#"a "b""#));
        assert_eq!(all[1].error(), Some("invalid_token"));
        assert!(Challenge::parse_all("").is_empty());
        assert_eq!(Challenge::parse_all("Bearer")[0].scheme(), "Bearer");
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn keeps_status_headers_and_the_rpc_error() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, "3".parse().expect("value"));
        let body =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32029,"message":"Too many requests"}}"#;
        let error = HttpError::new(StatusCode::TOO_MANY_REQUESTS, &headers, body);
        assert_eq!(error.status(), 429);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(error.rpc().map(|e| e.code), Some(-32029));
        assert_eq!(
            error.to_string(),
            "the server answered HTTP 429 Too Many Requests with error -32029: Too many requests; retry after 3s"
        );
    }
}
