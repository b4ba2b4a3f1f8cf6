//! RFC 7662 token introspection ([`Introspection`]): the authorization server is asked
//! whether a token is active and whose it is.
//!
//! The token is POSTed as a form, with HTTP Basic client authentication (RFC 6749
//! §2.3.1). Positive answers are cached under a keyed digest of the token until the
//! token expires, within a bound, so a caller's repeat requests do not each cost a
//! round trip; a revoked token is therefore refused at the latest `max_age` later.

use std::fmt;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::Full;
use serde_json::Value;

use super::cache::VerifiedCache;
use super::jwt::{DEFAULT_LEEWAY, scopes, unix_time};
use super::outbound::Outbound;
use super::{ConfigError, TokenError, TokenVerifier};
use crate::protocol::JsonObject;
use crate::server::{BoxFuture, Verified};

/// How many active tokens are cached, unless configured otherwise.
const CACHE_CAPACITY: usize = 10_000;

/// How long an active token is trusted without asking again, at most, unless
/// configured otherwise.
const CACHE_MAX_AGE: Duration = Duration::from_secs(300);

/// Verifies opaque (or any) bearer tokens by asking the authorization server's RFC 7662
/// introspection endpoint.
///
/// The caller is the answer's `sub`, or its `client_id` for a token issued to a client
/// acting for itself; scopes are `scope`; every member of the answer is kept as a
/// claim. An inactive token is [`TokenError::Invalid`]; an endpoint that cannot be
/// reached, or refuses this server's credentials, is [`TokenError::Unavailable`].
///
/// ```
/// # use boltmcp::layers::auth::Introspection;
/// # fn main() -> Result<(), boltmcp::layers::auth::ConfigError> {
/// let verifier = Introspection::new("http://127.0.0.1:9000/introspect")?
///     .client_credentials("mcp-server", "client secret")
///     .audience("http://127.0.0.1:8000/mcp");
/// # let _ = verifier; Ok(()) }
/// ```
///
/// Plain HTTP exposes every token checked to whoever is on the path: use it on
/// loopback or a trusted network until HTTPS is supported.
pub struct Introspection {
    http: Outbound,
    client_id: Option<String>,
    /// `Basic …`: holds the client secret.
    authorization: Option<String>,
    audiences: Vec<String>,
    issuer: Option<String>,
    cache: VerifiedCache<Verified>,
}

impl Introspection {
    /// Introspects at `endpoint`: `https://` (trusting the webpki roots unless
    /// [`tls`](Self::tls) says otherwise), or `http://` to a loopback address.
    pub fn new(endpoint: &str) -> Result<Self, ConfigError> {
        Ok(Introspection {
            http: Outbound::new(endpoint, "introspection endpoint")?,
            client_id: None,
            authorization: None,
            audiences: Vec::new(),
            issuer: None,
            cache: VerifiedCache::new(CACHE_CAPACITY, CACHE_MAX_AGE),
        })
    }

    /// Authenticates this server to the endpoint as client `id` with `secret` (HTTP
    /// Basic).
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl AsRef<str>) -> Self {
        let id = id.into();
        let mut credentials = String::new();
        form_encode(&id, &mut credentials);
        credentials.push(':');
        form_encode(secret.as_ref(), &mut credentials);
        self.authorization = Some(format!("Basic {}", STANDARD.encode(credentials)));
        self.client_id = Some(id);
        self
    }

    /// Accepts only tokens whose `aud` names `audience` (call again to accept several);
    /// an answer without `aud` is then refused. Without any, `aud` is not checked.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts only tokens whose `iss` is `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// How long a call to the endpoint may take (5 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// Whom the `https://` call trusts (a private CA) and which client
    /// certificate it shows.
    pub fn tls(mut self, tls: crate::transport::tls::ClientTls) -> Result<Self, ConfigError> {
        self.http.set_tls(tls, "introspection endpoint")?;
        Ok(self)
    }

    /// The cache of active tokens: at most `capacity`, each kept until it expires or
    /// for `max_age` (10,000 and 5 minutes by default; a capacity of 0 turns it off).
    pub fn cache(mut self, capacity: usize, max_age: Duration) -> Self {
        self.cache = VerifiedCache::new(capacity, max_age);
        self
    }

    async fn check(&self, token: &str) -> Result<Verified, TokenError> {
        let key = self.cache.key(token);
        if let Some(verified) = self.cache.get(&key) {
            return Ok(verified);
        }
        let answer = self.introspect(token).await?;
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(TokenError::invalid("inactive"));
        }
        let verified = self.verified(answer)?;
        self.cache.insert(key, verified.clone());
        Ok(verified)
    }

    /// Asks the endpoint about `token`.
    async fn introspect(&self, token: &str) -> Result<JsonObject, TokenError> {
        let mut form = String::with_capacity(token.len() + 40);
        form.push_str("token=");
        form_encode(token, &mut form);
        form.push_str("&token_type_hint=access_token");
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.http.url().clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(authorization) = &self.authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let unavailable = |reason: String| {
            tracing::warn!(endpoint = %self.http.url(), %reason, "token introspection failed");
            TokenError::unavailable("the introspection endpoint cannot be used")
        };
        let request = request
            .body(Full::new(Bytes::from(form)))
            .map_err(|_| unavailable("the request could not be built".to_owned()))?;
        let answer = self.http.send(request).await.map_err(unavailable)?;
        if answer.status != StatusCode::OK {
            return Err(unavailable(format!(
                "the endpoint answered {}",
                answer.status
            )));
        }
        serde_json::from_slice(&answer.body)
            .map_err(|_| unavailable("the answer is not a JSON object".to_owned()))
    }

    /// The caller an active token's introspection answer describes.
    fn verified(&self, answer: JsonObject) -> Result<Verified, TokenError> {
        let expires_at = answer.get("exp").and_then(unix_time);
        if let Some(expires_at) = expires_at
            && expires_at
                .checked_add(DEFAULT_LEEWAY)
                .is_some_and(|end| end < SystemTime::now())
        {
            return Err(TokenError::invalid("expired"));
        }
        if !self.audiences.is_empty() {
            let named = |aud: &Value| {
                aud.as_str()
                    .is_some_and(|aud| self.audiences.iter().any(|ours| ours == aud))
            };
            let ours = match answer.get("aud") {
                Some(Value::Array(auds)) => auds.iter().any(named),
                Some(aud) => named(aud),
                None => false,
            };
            if !ours {
                return Err(TokenError::invalid("wrong audience"));
            }
        }
        let issuer = answer.get("iss").and_then(Value::as_str).map(str::to_owned);
        if self.issuer.is_some() && issuer != self.issuer {
            return Err(TokenError::invalid("wrong issuer"));
        }
        let subject = ["sub", "client_id"]
            .iter()
            .find_map(|name| answer.get(*name).and_then(Value::as_str))
            .filter(|subject| !subject.is_empty())
            .ok_or_else(|| TokenError::invalid("no sub or client_id in the answer"))?
            .to_owned();
        let scopes = scopes(&answer, &["scope".to_owned()])?;
        let mut verified = Verified::new(subject, scopes);
        verified.issuer = issuer;
        verified.expires_at = expires_at;
        Ok(verified.claims(answer))
    }
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.http.url())
            .field("client_id", &self.client_id)
            .field("audiences", &self.audiences)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier for Introspection {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        Box::pin(self.check(token))
    }
}

/// Appends `value` encoded as `application/x-www-form-urlencoded` does.
fn form_encode(value: &str, out: &mut String) {
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
#[path = "introspection_tests.rs"]
mod tests;
