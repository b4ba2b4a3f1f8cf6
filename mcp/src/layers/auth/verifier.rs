//! The verifier seam: [`TokenVerifier`], what one returns, how a verifier's
//! configuration can be wrong ([`ConfigError`]), and [`MultiAuth`], several tried in order.

use std::fmt;
use std::sync::Arc;

use crate::server::{BoxFuture, Verified};

/// Checks a bearer token and says who it belongs to. Implement it for a token scheme
/// the crate does not ship; the auth layer turns what it returns into a
/// [`Principal`](crate::server::Principal).
///
/// `token` is a secret: an implementation must not log it, put it in an error message,
/// or send it anywhere but to the party that issued it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a token verifier",
    label = "implement boltmcp::layers::auth::TokenVerifier for it"
)]
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the credentials of `Authorization: Bearer <token>`).
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>>;

    /// Told the canonical URI of the protected resource when the [`Auth`](super::Auth)
    /// holding this verifier is built with one: a verifier without an audience of its
    /// own takes it (RFC 8707: by default, tokens must be minted for this server).
    fn adopt_resource(&self, resource: &str) {
        let _ = resource;
    }
}

impl<V: TokenVerifier + ?Sized> TokenVerifier for Arc<V> {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        (**self).verify(token)
    }

    fn adopt_resource(&self, resource: &str) {
        (**self).adopt_resource(resource)
    }
}

impl<V: TokenVerifier + ?Sized> TokenVerifier for Box<V> {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        (**self).verify(token)
    }

    fn adopt_resource(&self, resource: &str) {
        (**self).adopt_resource(resource)
    }
}

/// Why a token was not accepted. The message is for the server's log and for the
/// `error_description` of the challenge: it never contains the token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a token this verifier knows how to check (another verifier may).
    NotMine,
    /// A token of this verifier's kind that is not valid: a bad signature, expired,
    /// not yet valid, for another audience or issuer.
    Invalid(String),
    /// The token could not be checked right now (the JWKS or introspection endpoint is
    /// down, with nothing cached): the caller is refused, and may retry.
    Unavailable(String),
}

impl TokenError {
    /// An invalid token, for this reason.
    pub fn invalid(reason: impl Into<String>) -> Self {
        TokenError::Invalid(reason.into())
    }

    /// A token that cannot be checked now, for this reason.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        TokenError::Unavailable(reason.into())
    }

    /// How much this error says: a more specific one wins when several verifiers fail.
    fn weight(&self) -> u8 {
        match self {
            TokenError::NotMine => 0,
            TokenError::Unavailable(_) => 1,
            TokenError::Invalid(_) => 2,
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::NotMine => f.write_str("the token is not recognised"),
            TokenError::Invalid(reason) => write!(f, "the token is invalid: {reason}"),
            TokenError::Unavailable(reason) => {
                write!(f, "the token cannot be verified now: {reason}")
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// Why a verifier could not be configured: a key that does not parse or does not fit
/// its algorithm, a missing audience, a URL this crate cannot fetch. Raised when the
/// server is set up, never per request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ConfigError {
    reason: String,
}

impl ConfigError {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        ConfigError {
            reason: reason.into(),
        }
    }
}

/// Several verifiers tried in order, the first that accepts the token winning: an
/// operator's static token next to users' JWTs, say. When all refuse, the most specific
/// refusal is reported (an invalid JWT says more than "not a static token").
#[derive(Default)]
pub struct MultiAuth {
    verifiers: Vec<Box<dyn TokenVerifier>>,
}

impl MultiAuth {
    /// No verifiers yet: every token is refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a verifier, tried after those added before it.
    pub fn with(mut self, verifier: impl TokenVerifier) -> Self {
        self.verifiers.push(Box::new(verifier));
        self
    }
}

impl fmt::Debug for MultiAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiAuth")
            .field("verifiers", &self.verifiers.len())
            .finish()
    }
}

impl TokenVerifier for MultiAuth {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        Box::pin(async move {
            let mut refusal = TokenError::NotMine;
            for verifier in &self.verifiers {
                match verifier.verify(token).await {
                    Ok(verified) => return Ok(verified),
                    Err(err) if err.weight() > refusal.weight() => refusal = err,
                    Err(_) => {}
                }
            }
            Err(refusal)
        })
    }

    fn adopt_resource(&self, resource: &str) {
        for verifier in &self.verifiers {
            verifier.adopt_resource(resource);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<Verified, TokenError>);

    impl TokenVerifier for Fixed {
        fn verify<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
            Box::pin(std::future::ready(self.0.clone()))
        }
    }

    #[tokio::test]
    async fn the_first_acceptance_wins_and_the_most_specific_refusal_is_kept() {
        let multi = MultiAuth::new()
            .with(Fixed(Err(TokenError::NotMine)))
            .with(Fixed(Err(TokenError::invalid("expired"))))
            .with(Fixed(Err(TokenError::unavailable("jwks down"))));
        assert_eq!(multi.verify("t").await, Err(TokenError::invalid("expired")));
        let multi = multi.with(Fixed(Ok(Verified::new("ops", ["admin"]))));
        assert_eq!(multi.verify("t").await.map(|v| v.subject), Ok("ops".into()));
        assert_eq!(MultiAuth::new().verify("t").await, Err(TokenError::NotMine));
    }
}
