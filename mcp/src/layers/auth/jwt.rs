//! JWT bearer tokens: [`JwtVerifier`], checking them against keys configured by hand
//! ([`JwtKey`]) or fetched from a key set URL ([`Jwks`]), and reading the caller from
//! their claims.
//!
//! Every key pins the algorithms it verifies, so a token cannot choose how it is
//! checked: `alg: none` is never accepted, and an RSA public key never doubles as an
//! HMAC secret. A token's `kid` only chooses among the configured keys; its `jku`,
//! `x5u`, `x5c` and `jwk` headers are never followed. The audience is required
//! (RFC 8707); issuer, `exp` and `nbf` are checked with a leeway for clock skew.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::jwt_key::ensure_crypto_provider;
use super::jwt_parts::{Checked, Json, Rules, TokenHeader, pick, unusual_header_passes};
use super::{ConfigError, Jwks, JwtKey, TokenError, TokenVerifier};
use crate::protocol::JsonObject;
use crate::server::{BoxFuture, ClaimSet, Verified};

/// The clock skew allowed on `exp` and `nbf` unless configured otherwise.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The largest leeway a verifier accepts.
const MAX_LEEWAY: Duration = Duration::from_secs(3600);

/// Verifies JWT bearer tokens: the signature with a configured key that allows the
/// token's algorithm, then the issuer, audience, `exp` and `nbf`.
///
/// The caller is the `sub` claim (required), its scopes the `scope` claim
/// (space-separated) or `scp` (an array), its issuer `iss`, and every claim is kept for
/// [`Claims<T>`](crate::server::Claims).
///
/// A token that is not shaped like a JWT is [`TokenError::NotMine`], so a
/// [`MultiAuth`](super::MultiAuth) can try it as something else; a JWT that fails is
/// [`TokenError::Invalid`] with a short reason.
///
/// ```
/// # use boltmcp::layers::auth::{Algorithm, JwtKey, JwtVerifier};
/// # fn main() -> Result<(), boltmcp::layers::auth::ConfigError> {
/// let verifier = JwtVerifier::builder()
///     .issuer("https://as.example.com")
///     .audience("https://mcp.example.com/mcp")
///     .key(JwtKey::hmac(Algorithm::HS256, b"a secret of at least thirty-two bytes")?)
///     .build()?;
/// # let _ = verifier; Ok(()) }
/// ```
pub struct JwtVerifier {
    keys: Vec<JwtKey>,
    jwks: Option<Jwks>,
    rules: Rules,
    /// The rules with the resource's URI as the audience, for a verifier built
    /// without one ([`TokenVerifier::adopt_resource`]).
    adopted: std::sync::OnceLock<Rules>,
    scope_claims: Vec<String>,
}

impl JwtVerifier {
    /// Starts a verifier; at least one key (or a JWKS) is required, and an audience
    /// (its own, or the resource of the `Auth` it is given to).
    pub fn builder() -> JwtVerifierBuilder {
        JwtVerifierBuilder {
            keys: Vec::new(),
            jwks: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            scope_claims: vec!["scope".into(), "scp".into()],
        }
    }

    async fn check(&self, token: &str) -> Result<Verified, TokenError> {
        if !jwt_shaped(token) {
            return Err(TokenError::NotMine);
        }
        let malformed = || TokenError::invalid("malformed header");
        let encoded = token.split('.').next().ok_or_else(malformed)?;
        let mut buffer = [0u8; 512];
        let json = decode_into(encoded, &mut buffer).ok_or_else(malformed)?;
        let header = TokenHeader::parse(&json)?;
        let mut tried = false;
        if let Ok(keys) = select(self.keys.iter(), &header) {
            tried = true;
            if let Some(settled) = self.try_keys(&keys, token, &header) {
                return settled;
            }
        }
        // The key set is consulted only when the fixed keys did not settle it, and
        // refetched for an unknown kid only when no fixed key holds that kid.
        let set = match &self.jwks {
            Some(jwks) => {
                let kid = header
                    .kid
                    .as_deref()
                    .filter(|kid| !self.keys.iter().any(|key| key.key_id() == Some(kid)));
                match jwks.keys(kid).await {
                    Ok(set) => Some(set),
                    Err(err) if !tried => return Err(err),
                    Err(_) => None,
                }
            }
            None => None,
        };
        if let Some(set) = &set
            && let Ok(keys) = select(set.iter(), &header)
        {
            tried = true;
            if let Some(settled) = self.try_keys(&keys, token, &header) {
                return settled;
            }
        }
        if tried {
            return Err(TokenError::invalid("bad signature"));
        }
        let every_key = self
            .keys
            .iter()
            .chain(set.iter().flat_map(|set| set.iter()));
        match select(every_key, &header) {
            Err(refusal) => Err(refusal),
            Ok(_) => Err(TokenError::invalid("bad signature")),
        }
    }

    /// Checks `token` with each of `keys` until one signed it, then its claims: `None`
    /// if none did.
    fn try_keys(
        &self,
        keys: &[&JwtKey],
        token: &str,
        header: &TokenHeader,
    ) -> Option<Result<Verified, TokenError>> {
        let malformed = || Some(Err(TokenError::invalid("malformed token")));
        if header.unusual && !unusual_header_passes(token) {
            return malformed();
        }
        let (message, signature) = token.rsplit_once('.')?;
        // Large enough for an RSA-8192 signature without a heap allocation.
        let mut buffer = [0u8; 1024];
        let Some(signature) = decode_into(signature, &mut buffer) else {
            return malformed();
        };
        for key in keys {
            // Another key of the same id or algorithm may have signed it.
            if key.verifies(header.alg, message.as_bytes(), &signature) {
                let payload = message.split_once('.').map_or("", |(_, payload)| payload);
                return Some(self.accept(payload));
            }
        }
        None
    }

    /// The caller the signed, base64url-encoded `payload` describes, once its claims
    /// pass the rules.
    fn accept(&self, payload: &str) -> Result<Verified, TokenError> {
        let malformed = || TokenError::invalid("malformed token");
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
        // The claims read, on the stack for the usual two scope claims.
        let mut names: [&str; 8] = ["sub", "iss", "aud", "exp", "nbf", "", "", ""];
        let mut slots: [Json<'_>; 8] = Default::default();
        let (mut more_names, mut more_slots) = (Vec::new(), Vec::new());
        let count = 5 + self.scope_claims.len();
        let (names, slots) = if count <= names.len() {
            for (slot, claim) in names[5..].iter_mut().zip(&self.scope_claims) {
                *slot = claim.as_str();
            }
            (&names[..count], &mut slots[..count])
        } else {
            more_names.extend_from_slice(&names[..5]);
            more_names.extend(self.scope_claims.iter().map(String::as_str));
            more_slots.resize(count, Json::Absent);
            (&more_names[..], &mut more_slots[..])
        };
        pick(&json, names, slots).map_err(|_| malformed())?;
        let (spec, scope_slots) = slots.split_at(5);
        let [sub, iss, aud, exp, nbf] = spec else {
            return Err(malformed());
        };
        let checked = Checked {
            sub,
            iss,
            aud,
            exp,
            nbf,
        };
        let rules = self.adopted.get().unwrap_or(&self.rules);
        if rules.audiences.is_empty() {
            return Err(TokenError::invalid(
                "this server accepts no token audience: configure one",
            ));
        }
        rules.check(&checked, now_seconds())?;
        let subject = match sub {
            Json::Str(sub) if !sub.is_empty() => sub.clone().into_owned(),
            _ => return Err(TokenError::invalid("no sub claim")),
        };
        let scopes = match self
            .scope_claims
            .iter()
            .zip(scope_slots)
            .find(|(_, v)| **v != Json::Absent)
        {
            None => Vec::new(),
            Some((_, Json::Str(scopes))) => scopes.split_whitespace().map(str::to_owned).collect(),
            Some((_, Json::Strs(items))) => items.iter().map(|s| s.clone().into_owned()).collect(),
            Some((name, _)) => return Err(TokenError::invalid(format!("malformed {name} claim"))),
        };
        let mut verified = Verified::new(subject, scopes);
        if let Json::Str(iss) = iss {
            verified.issuer = Some(iss.clone().into_owned());
        }
        verified.expires_at = match exp {
            Json::U64(secs) => UNIX_EPOCH.checked_add(Duration::from_secs(*secs)),
            Json::F64(secs) if *secs >= 0.0 => {
                UNIX_EPOCH.checked_add(Duration::from_secs(*secs as u64))
            }
            _ => None,
        };
        // `pick` parsed every member through the path a map takes, so the text reads
        // into one when a handler first asks for the claims.
        let text = String::from_utf8(json).map_err(|_| malformed())?;
        verified.claims = ClaimSet::from_text(text);
        Ok(verified)
    }
}

/// `encoded` (base64url, no padding) decoded into `buffer`, or onto the heap when it
/// does not fit; `None` when it is not base64url.
fn decode_into<'b>(encoded: &str, buffer: &'b mut [u8]) -> Option<std::borrow::Cow<'b, [u8]>> {
    if base64::decoded_len_estimate(encoded.len()) <= buffer.len() {
        let written = URL_SAFE_NO_PAD.decode_slice(encoded, buffer).ok()?;
        return Some(std::borrow::Cow::Borrowed(&buffer[..written]));
    }
    URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .map(std::borrow::Cow::Owned)
}

/// Seconds since the epoch now.
fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("keys", &self.keys)
            .field("jwks", &self.jwks)
            .field("issuers", &self.rules.issuers)
            .field("audiences", &self.rules.audiences)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        Box::pin(self.check(token))
    }

    fn adopt_resource(&self, resource: &str) {
        if self.rules.audiences.is_empty() {
            let mut rules = self.rules.clone();
            rules.audiences = vec![resource.to_owned()];
            let _ = self.adopted.set(rules);
        }
    }
}

/// Builds a [`JwtVerifier`].
#[must_use = "a builder does nothing until .build()"]
pub struct JwtVerifierBuilder {
    keys: Vec<JwtKey>,
    jwks: Option<Jwks>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: Duration,
    require_exp: bool,
    scope_claims: Vec<String>,
}

impl fmt::Debug for JwtVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifierBuilder")
            .field("keys", &self.keys)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

impl JwtVerifierBuilder {
    /// Adds a key tokens may be signed with.
    pub fn key(mut self, key: JwtKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds the keys of a JSON Web Key Set fetched from a URL, kept fresh; the keys
    /// added with [`key`](Self::key) are tried first.
    pub fn jwks(mut self, jwks: Jwks) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// Accepts tokens whose `iss` is `issuer` (call again to accept several); a token
    /// without `iss` is then refused. Without any, `iss` is not checked.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens whose `aud` names `audience`, this server's canonical URI
    /// (RFC 8707; call again to accept several). Without one, the verifier takes the
    /// resource of the [`Auth`](super::Auth) it is given to
    /// ([`AuthBuilder::resource`](super::AuthBuilder::resource)), and refuses every
    /// token until it has one: a token minted for another service is never usable
    /// here.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// The clock skew allowed on `exp` and `nbf`: 60 s by default, at most an hour.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Accepts tokens without `exp` (when present it is still checked).
    pub fn allow_missing_exp(mut self) -> Self {
        self.require_exp = false;
        self
    }

    /// Reads scopes from claim `name` instead of `scope` or `scp`: a space-separated
    /// string or an array of strings.
    pub fn scope_claim(mut self, name: impl Into<String>) -> Self {
        self.scope_claims = vec![name.into()];
        self
    }

    /// Finishes the verifier, or says what is missing.
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        ensure_crypto_provider();
        if self.keys.is_empty() && self.jwks.is_none() {
            return Err(ConfigError::new("a JWT verifier needs a key or a JWKS"));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::new("the leeway cannot exceed an hour"));
        }
        Ok(JwtVerifier {
            keys: self.keys,
            jwks: self.jwks,
            rules: Rules {
                issuers: self.issuers,
                audiences: self.audiences,
                leeway: self.leeway.as_secs(),
                require_exp: self.require_exp,
            },
            adopted: std::sync::OnceLock::new(),
            scope_claims: self.scope_claims,
        })
    }
}

/// Three base64url segments, the first two non-empty (an unsigned token's third is
/// empty: that is still a JWT, refused as one).
fn jwt_shaped(token: &str) -> bool {
    // One pass: two dots, a non-empty header and payload, base64url everywhere else.
    let (mut dots, mut segment_len) = (0, 0);
    for &byte in token.as_bytes() {
        if byte == b'.' {
            if segment_len == 0 || dots == 2 {
                return false;
            }
            dots += 1;
            segment_len = 0;
        } else if BASE64URL[usize::from(byte)] {
            segment_len += 1;
        } else {
            return false;
        }
    }
    dots == 2
}

/// Which bytes base64url uses.
const BASE64URL: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        byte += 1;
    }
    table
};

/// The keys that may have signed a token with `header`: those of its `kid` (or all,
/// without one) that allow its algorithm.
fn select<'k>(
    keys: impl Iterator<Item = &'k JwtKey>,
    header: &TokenHeader,
) -> Result<Vec<&'k JwtKey>, TokenError> {
    let mut kid_known = false;
    let mut chosen = Vec::new();
    for key in keys {
        if let Some(kid) = &header.kid {
            if key.key_id() != Some(kid.as_str()) {
                continue;
            }
            kid_known = true;
        }
        if key.allows(header.alg) {
            chosen.push(key);
        }
    }
    if chosen.is_empty() {
        return Err(TokenError::invalid(if header.kid.is_some() && !kid_known {
            "unknown key id"
        } else {
            "the algorithm is not allowed for the key"
        }));
    }
    Ok(chosen)
}

/// The scopes in the first of `names` present: a space-separated string or an array
/// of strings.
pub(crate) fn scopes(claims: &JsonObject, names: &[String]) -> Result<Vec<String>, TokenError> {
    let Some((name, value)) = names
        .iter()
        .find_map(|name| claims.get(name).map(|value| (name, value)))
    else {
        return Ok(Vec::new());
    };
    match value {
        Value::String(scopes) => Ok(scopes.split_whitespace().map(str::to_owned).collect()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| TokenError::invalid(format!("malformed {name} claim"))),
        _ => Err(TokenError::invalid(format!("malformed {name} claim"))),
    }
}

/// A NumericDate claim (seconds since the epoch) as a time, if it is one.
pub(crate) fn unix_time(value: &Value) -> Option<SystemTime> {
    let seconds = match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))?,
        _ => return None,
    };
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
