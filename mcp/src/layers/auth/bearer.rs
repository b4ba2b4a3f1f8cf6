//! Static bearer tokens: an operator's or a service's fixed secret, each with its
//! caller's name and scopes.
//!
//! Tokens are kept only as SHA-256 digests, and a presented token is compared with
//! every configured digest in constant time (`subtle`), so neither the timing nor a
//! memory dump of the server gives a token away.

use std::fmt;

use ring::digest::{SHA256, digest};
use subtle::ConstantTimeEq;

use super::{TokenError, TokenVerifier};
use crate::server::{BoxFuture, Verified};

/// The issuer static-token principals carry.
pub const STATIC_ISSUER: &str = "boltmcp:static-token";

/// A set of fixed bearer tokens.
#[derive(Default)]
pub struct StaticTokens {
    entries: Vec<Entry>,
}

struct Entry {
    digest: [u8; 32],
    subject: String,
    scopes: Vec<String>,
}

impl StaticTokens {
    /// No tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts `token` as the caller `subject`, granted `scopes`.
    pub fn token(
        mut self,
        token: impl AsRef<[u8]>,
        subject: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.entries.push(Entry {
            digest: sha256(token.as_ref()),
            subject: subject.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// How many tokens are configured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no token is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

impl fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subjects: Vec<&str> = self.entries.iter().map(|e| e.subject.as_str()).collect();
        f.debug_struct("StaticTokens")
            .field("subjects", &subjects)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier for StaticTokens {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Verified, TokenError>> {
        let presented = sha256(token.as_bytes());
        // Every entry is compared, whichever matches, so the time taken does not say which.
        let mut found = None;
        for entry in &self.entries {
            if bool::from(entry.digest.ct_eq(&presented)) {
                found = Some(entry);
            }
        }
        let verified = match found {
            Some(entry) => Ok(
                Verified::new(entry.subject.clone(), entry.scopes.clone()).issuer(STATIC_ISSUER)
            ),
            None => Err(TokenError::NotMine),
        };
        Box::pin(std::future::ready(verified))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_configured_token_names_its_caller_and_others_are_not_mine() {
        let tokens = StaticTokens::new()
            .token("s3cret-ops", "ops", ["admin", "math:write"])
            .token("s3cret-ci", "ci", ["math:read"]);
        let ops = tokens.verify("s3cret-ops").await.expect("accepted");
        assert_eq!(ops.subject, "ops");
        assert_eq!(ops.scopes, ["admin", "math:write"]);
        assert_eq!(ops.issuer.as_deref(), Some(STATIC_ISSUER));
        assert_eq!(tokens.verify("s3cret-op").await, Err(TokenError::NotMine));
        assert_eq!(tokens.verify("").await, Err(TokenError::NotMine));
    }

    #[test]
    fn debug_shows_subjects_never_tokens() {
        let tokens = StaticTokens::new().token("s3cret-ops", "ops", ["admin"]);
        let shown = format!("{tokens:?}");
        assert!(
            shown.contains("ops") && !shown.contains("s3cret"),
            "{shown}"
        );
    }
}
