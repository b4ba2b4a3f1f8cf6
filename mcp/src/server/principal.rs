//! Who is calling: the verified [`Principal`], and the `Claims<T>` extractor that hands
//! a handler its caller's token claims as a type of its own.
//!
//! A `Principal` is a proof, in the manner of rustls' `FinishedMessageVerified`: only
//! this crate's auth code constructs one, from what a registered verifier returned for
//! a token it checked (or from the identity a stdio server was started with). Nothing
//! a client sends and no extension a layer inserts can make one, so a handler, a layer
//! or the session table that finds a `Principal` knows a verifier vouched for it.
//! Sessions, `requestState` and tasks are bound to [`Principal::id`].

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

use super::{ClaimSet, Context, FromContext, ToolError};
use crate::protocol::JsonObject;

/// The verified caller of a request.
///
/// Find it with [`Context::principal`], as a `Principal` (or `Option<Principal>`)
/// parameter of a `#[tool]` function, or in a layer with
/// `req.extensions().get::<Principal>()`.
#[derive(Clone)]
pub struct Principal(Arc<Inner>);

struct Inner {
    subject: String,
    issuer: Option<String>,
    scopes: Vec<String>,
    claims: ClaimSet,
    expires_at: Option<SystemTime>,
    id: Arc<str>,
}

/// What a verifier learned from a token it accepted: the raw material of a
/// [`Principal`], which only the auth layer turns into one.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    /// The caller: a JWT's `sub`, a static token's configured name.
    pub subject: String,
    /// Who vouched for it: a JWT's `iss`, or the name of a static token set.
    pub issuer: Option<String>,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
    /// Every claim the token carried (for `Claims<T>`): a [`ClaimSet`], which derefs
    /// to a [`JsonObject`] and may read it from the token's text on first use.
    pub claims: ClaimSet,
    /// When the token stops being valid.
    pub expires_at: Option<SystemTime>,
}

impl Verified {
    /// A verified caller named `subject`, with `scopes`.
    pub fn new(
        subject: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Verified {
            subject: subject.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// Sets who vouched for the caller.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the token's claims.
    pub fn claims(mut self, claims: JsonObject) -> Self {
        self.claims = ClaimSet::from(claims);
        self
    }

    /// Sets when the token expires.
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
}

impl Principal {
    /// Vouches for what a verifier returned. Crate-private: this is the one place a
    /// `Principal` is made.
    #[cfg_attr(not(feature = "auth"), allow(dead_code))]
    pub(crate) fn vouch(verified: Verified) -> Self {
        let Verified {
            subject,
            issuer,
            mut scopes,
            claims,
            expires_at,
        } = verified;
        scopes.sort();
        scopes.dedup();
        // The issuer qualifies the subject: `alice` of one issuer is not `alice` of another.
        let id = format!("{}\u{1f}{subject}", issuer.as_deref().unwrap_or("")).into();
        Principal(Arc::new(Inner {
            subject,
            issuer,
            scopes,
            claims,
            expires_at,
            id,
        }))
    }

    /// The caller's name: a JWT's `sub`, a static token's configured name.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    /// Who vouched for the caller, when known.
    pub fn issuer(&self) -> Option<&str> {
        self.0.issuer.as_deref()
    }

    /// The scopes granted, sorted and without duplicates.
    pub fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    /// True when the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.0
            .scopes
            .binary_search_by(|s| s.as_str().cmp(scope))
            .is_ok()
    }

    /// Every claim the token carried (read into a map on the first call).
    pub fn claims(&self) -> &JsonObject {
        self.0.claims.as_map()
    }

    /// When the token stops being valid.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at
    }

    /// The identity state is bound to: the subject qualified by its issuer. Two
    /// principals with the same id are the same caller.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// [`id`](Self::id), shared: a key for per-caller state without a copy per request.
    #[cfg_attr(not(feature = "rate-limit"), allow(dead_code))]
    pub(crate) fn shared_id(&self) -> Arc<str> {
        self.0.id.clone()
    }
}

impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Principal {}

impl fmt::Debug for Principal {
    // The claims may hold personal data; the subject, issuer and scopes are enough to
    // tell callers apart in a log. A Principal never holds the token itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("subject", &self.0.subject)
            .field("issuer", &self.0.issuer)
            .field("scopes", &self.0.scopes)
            .finish_non_exhaustive()
    }
}

impl FromContext for Principal {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        ctx.principal()
            .cloned()
            .ok_or_else(|| ToolError::new("this tool needs an authenticated caller"))
    }
}

impl FromContext for Option<Principal> {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        Ok(ctx.principal().cloned())
    }
}

/// The caller's token claims, read into `T`: a `#[tool]` parameter
/// `Claims(claims): Claims<MyClaims>` gets them, and a call without a verified caller,
/// or whose claims do not fit `T`, fails with a tool error saying which.
#[derive(Debug, Clone)]
pub struct Claims<T>(pub T);

impl<T: DeserializeOwned> FromContext for Claims<T> {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        let principal = ctx
            .principal()
            .ok_or_else(|| ToolError::new("this tool needs an authenticated caller"))?;
        T::deserialize(serde::de::value::MapDeserializer::new(
            principal.claims().iter().map(|(k, v)| (k.as_str(), v)),
        ))
        .map(Claims)
        .map_err(|err: serde_json::Error| {
            ToolError::new(format!("the caller's token claims do not fit: {err}"))
        })
    }
}

impl<T: DeserializeOwned> FromContext for Option<Claims<T>> {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        match ctx.principal() {
            None => Ok(None),
            Some(_) => Claims::from_context(ctx).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_sorted_deduplicated_and_looked_up_exactly() {
        let principal =
            Principal::vouch(Verified::new("alice", ["b", "a", "b", "math:write"]).issuer("iss"));
        assert_eq!(principal.scopes(), ["a", "b", "math:write"]);
        assert!(principal.has_scope("math:write"));
        assert!(!principal.has_scope("math"));
        assert_eq!(principal.id(), "iss\u{1f}alice");
    }

    #[test]
    fn the_same_subject_of_another_issuer_is_another_caller() {
        let a = Principal::vouch(Verified::new("alice", ["x"]).issuer("one"));
        let b = Principal::vouch(Verified::new("alice", ["x"]).issuer("two"));
        assert_ne!(a, b);
    }

    #[test]
    fn debug_shows_no_claims() {
        let mut claims = JsonObject::new();
        claims.insert("email".into(), "alice@example.com".into());
        let principal = Principal::vouch(Verified::new("alice", ["x"]).claims(claims));
        let shown = format!("{principal:?}");
        assert!(
            shown.contains("alice") && !shown.contains("example.com"),
            "{shown}"
        );
    }
}
