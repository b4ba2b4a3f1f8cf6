//! Keys from a JSON Web Key Set URL ([`Jwks`]), for a [`JwtVerifier`](super::JwtVerifier).
//!
//! The set is fetched when first needed and kept for the `max-age` of its answer's
//! `Cache-Control` (bounded both ways). A token naming a `kid` the set lacks refetches
//! it, at most once per refresh interval, so rotated keys are picked up and made-up
//! kids cannot make the server hammer its issuer. While the endpoint fails, the last
//! good set stays in use; only a verifier that never got one refuses tokens as
//! [`TokenError::Unavailable`].
//!
//! Each key is pinned to its `alg`, or to the one its type implies (RSA: RS256, EC
//! P-256: ES256, P-384: ES384, OKP Ed25519: EdDSA). Symmetric (`oct`) keys and keys
//! for encryption are ignored: a secret published at a URL verifies nothing.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::Full;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use serde_json::Value;

use super::outbound::Outbound;
use super::{Algorithm, ConfigError, JwtKey, TokenError};
use crate::sync::lock;

/// How often, at most, an unknown `kid` (or a failing endpoint) triggers a fetch,
/// unless configured otherwise.
const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// How long a set is kept when its answer gives no `max-age`.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

/// The longest a set is kept, whatever its `max-age` says.
const MAX_AGE_CAP: Duration = Duration::from_secs(24 * 3600);

/// The most keys taken from one set.
const MAX_KEYS: usize = 100;

/// Until a first set arrives, a failed fetch is retried after at most this long.
const FIRST_FETCH_RETRY: Duration = Duration::from_secs(1);

/// A JSON Web Key Set at an `https://` (or loopback `http://`) URL, cached and refreshed: hand it to
/// [`JwtVerifierBuilder::jwks`](super::JwtVerifierBuilder::jwks).
///
/// Plain HTTP lets anyone on the path substitute keys: use it on loopback or a
/// trusted network until HTTPS is supported.
pub struct Jwks {
    http: Outbound,
    refresh_interval: Duration,
    default_max_age: Duration,
    state: Mutex<State>,
    /// Held while fetching, so that concurrent verifications share one fetch.
    fetching: tokio::sync::Mutex<()>,
}

/// What a verification needs of the set.
enum Need {
    /// A fetch, now.
    Fetch,
    /// Something a fetch under way may bring, though none may start now.
    Lacking,
    /// The set as it is.
    Nothing,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<[JwtKey]>>,
    fresh_until: Option<Instant>,
    last_attempt: Option<Instant>,
}

impl Jwks {
    /// The key set at `url`: `https://` (trusting the webpki roots unless
    /// [`tls`](Self::tls) says otherwise), or `http://` to a loopback address.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        super::jwt_key::ensure_crypto_provider();
        Ok(Jwks {
            http: Outbound::new(url, "JWKS")?,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            default_max_age: DEFAULT_MAX_AGE,
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// The least time between two fetches not due to expiry: one for an unknown
    /// `kid`, or a retry after a failure (30 s by default). Also the least time a set
    /// is kept, whatever its `max-age`.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// How long a set is kept when its answer has no `Cache-Control: max-age` (5
    /// minutes by default; at most 24 hours).
    pub fn default_max_age(mut self, max_age: Duration) -> Self {
        self.default_max_age = max_age;
        self
    }

    /// How long a fetch may take (5 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// Whom the `https://` fetch trusts (a private CA) and which client
    /// certificate it shows.
    pub fn tls(mut self, tls: crate::transport::tls::ClientTls) -> Result<Self, ConfigError> {
        self.http.set_tls(tls, "JWKS")?;
        Ok(self)
    }

    /// The current keys, fetched if the set is stale, missing, or (rate limits
    /// allowing) lacks `unknown_kid`.
    pub(crate) async fn keys(
        &self,
        unknown_kid: Option<&str>,
    ) -> Result<Arc<[JwtKey]>, TokenError> {
        let asked = Instant::now();
        match self.need(asked, unknown_kid) {
            Need::Fetch => self.refresh(asked).await,
            // A fetch already under way may bring what is lacking: wait for it.
            Need::Lacking => drop(self.fetching.lock().await),
            Need::Nothing => {}
        }
        lock(&self.state)
            .keys
            .clone()
            .ok_or_else(|| TokenError::unavailable("the JWKS could not be fetched"))
    }

    fn need(&self, now: Instant, unknown_kid: Option<&str>) -> Need {
        let state = lock(&self.state);
        let since_attempt = state
            .last_attempt
            .map(|at| now.saturating_duration_since(at));
        let Some(keys) = &state.keys else {
            let spacing = self.refresh_interval.min(FIRST_FETCH_RETRY);
            return match since_attempt.is_none_or(|since| since >= spacing) {
                true => Need::Fetch,
                false => Need::Lacking,
            };
        };
        let stale = state.fresh_until.is_none_or(|until| now >= until);
        let missing =
            unknown_kid.is_some_and(|kid| !keys.iter().any(|key| key.key_id() == Some(kid)));
        let spaced = since_attempt.is_none_or(|since| since >= self.refresh_interval);
        // A stale set is refetched on expiry; after a failed attempt, once per interval.
        if (stale && (state.fresh_until > state.last_attempt || spaced)) || (missing && spaced) {
            Need::Fetch
        } else if missing {
            Need::Lacking
        } else {
            Need::Nothing
        }
    }

    /// Fetches the set, unless another verification did while this one waited.
    async fn refresh(&self, asked: Instant) {
        let _one_at_a_time = self.fetching.lock().await;
        {
            let mut state = lock(&self.state);
            if state.last_attempt.is_some_and(|at| at >= asked) {
                return;
            }
            state.last_attempt = Some(Instant::now());
        }
        match self.fetch().await {
            Ok((keys, max_age)) => {
                tracing::debug!(url = %self.http.url(), keys = keys.len(), ?max_age, "fetched the JWKS");
                let mut state = lock(&self.state);
                state.keys = Some(keys);
                state.fresh_until = Some(Instant::now() + max_age);
            }
            Err(reason) => {
                tracing::warn!(url = %self.http.url(), %reason, "the JWKS could not be fetched; keeping the keys held");
            }
        }
    }

    async fn fetch(&self) -> Result<(Arc<[JwtKey]>, Duration), String> {
        let request = Request::builder()
            .method(Method::GET)
            .uri(self.http.url().clone())
            .header(header::ACCEPT, "application/json")
            .body(Full::new(Bytes::new()))
            .map_err(|err| format!("the request could not be built: {err}"))?;
        let answer = self.http.send(request).await?;
        if answer.status != StatusCode::OK {
            return Err(format!("the endpoint answered {}", answer.status));
        }
        let max_age = max_age(&answer.headers)
            .unwrap_or(self.default_max_age)
            .clamp(self.refresh_interval.min(MAX_AGE_CAP), MAX_AGE_CAP);
        let keys = parse_set(&answer.body)?;
        Ok((keys.into(), max_age))
    }
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = lock(&self.state).keys.as_ref().map_or(0, |keys| keys.len());
        f.debug_struct("Jwks")
            .field("url", &self.http.url())
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

/// The `max-age` of a `Cache-Control` header (`no-store` and `no-cache` count as 0).
fn max_age(headers: &http::HeaderMap) -> Option<Duration> {
    let mut found = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',').map(str::trim) {
            let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "no-store" | "no-cache" => return Some(Duration::ZERO),
                "max-age" if found.is_none() => {
                    found = argument
                        .trim()
                        .trim_matches('"')
                        .parse()
                        .ok()
                        .map(Duration::from_secs);
                }
                _ => {}
            }
        }
    }
    found
}

/// One member of a key set, as far as choosing and pinning it goes.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

/// The usable keys of a JWK set document; one that has none is a failed fetch.
fn parse_set(body: &[u8]) -> Result<Vec<JwtKey>, String> {
    #[derive(Deserialize)]
    struct Set {
        keys: Vec<Value>,
    }
    let set: Set = serde_json::from_slice(body).map_err(|_| "the answer is not a JWK set")?;
    let keys: Vec<JwtKey> = set
        .keys
        .into_iter()
        .filter_map(|key| serde_json::from_value::<RawJwk>(key).ok())
        .filter_map(|key| signing_key(&key))
        .take(MAX_KEYS)
        .collect();
    if keys.is_empty() {
        return Err("the JWK set holds no usable signing key".to_owned());
    }
    Ok(keys)
}

/// The key `raw` describes, pinned to its algorithm, or `None` if it is not a public
/// signing key this crate can use.
fn signing_key(raw: &RawJwk) -> Option<JwtKey> {
    if raw.usage.as_deref().is_some_and(|usage| usage != "sig") {
        return None;
    }
    if let Some(ops) = &raw.key_ops
        && !ops.iter().any(|op| op == "verify")
    {
        return None;
    }
    let declared = match raw.alg.as_deref() {
        Some(alg) => Some(alg.parse::<Algorithm>().ok()?),
        None => None,
    };
    let (alg, key) = match (raw.kty.as_str(), raw.crv.as_deref()) {
        ("RSA", _) => (
            declared.unwrap_or(Algorithm::RS256),
            DecodingKey::from_rsa_components(raw.n.as_deref()?, raw.e.as_deref()?).ok()?,
        ),
        ("EC", Some(crv @ ("P-256" | "P-384"))) => {
            let implied = if crv == "P-256" {
                Algorithm::ES256
            } else {
                Algorithm::ES384
            };
            (
                declared.unwrap_or(implied),
                DecodingKey::from_ec_components(raw.x.as_deref()?, raw.y.as_deref()?).ok()?,
            )
        }
        ("OKP", Some("Ed25519")) => (
            declared.unwrap_or(Algorithm::EdDSA),
            DecodingKey::from_ed_components(raw.x.as_deref()?).ok()?,
        ),
        // `oct` (a shared secret) and anything else.
        _ => return None,
    };
    // `JwtKey::new` refuses an algorithm of another family, a curve that does not
    // suit it, and a short RSA modulus.
    let key = JwtKey::new(alg, key).ok()?;
    Some(match &raw.kid {
        Some(kid) => key.kid(kid.clone()),
        None => key,
    })
}

#[cfg(test)]
#[path = "jwks_tests.rs"]
mod tests;
