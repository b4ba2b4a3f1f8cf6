//! [`Auth`]: the one auth configuration. The HTTP endpoint reads it to challenge and
//! to serve the RFC 9728 metadata; the MCP layer reads it to enforce scopes; both
//! authenticate through it, so a token is verified once and cached for both.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::cache::VerifiedCache;
use super::{TokenError, TokenVerifier};
use crate::server::Principal;

/// The largest `Authorization` header value accepted by default; a larger one is
/// refused before any parsing.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`
/// show a caller who lacks an item's scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unauthorized {
    /// Leave the item out of the list (the default): a caller sees only what it may use.
    #[default]
    Hide,
    /// List it; a call is refused with 403 and the scopes it needs.
    Show,
}

/// Who may call this server, and how they prove it. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub(crate) inner: Arc<AuthInner>,
}

pub(crate) struct AuthInner {
    verifier: Box<dyn TokenVerifier>,
    cache: VerifiedCache,
    pub(crate) resource: Option<String>,
    pub(crate) authorization_servers: Vec<String>,
    pub(crate) scopes_supported: Vec<String>,
    pub(crate) max_token_bytes: usize,
    pub(crate) unauthorized: Unauthorized,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("resource", &self.inner.resource)
            .field("authorization_servers", &self.inner.authorization_servers)
            .field("max_token_bytes", &self.inner.max_token_bytes)
            .field("unauthorized", &self.inner.unauthorized)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Starts a configuration that verifies tokens with `verifier` (a [`MultiAuth`](super::MultiAuth)
    /// for several).
    pub fn builder(verifier: impl TokenVerifier) -> AuthBuilder {
        AuthBuilder {
            verifier: Box::new(verifier),
            resource: None,
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            unauthorized: Unauthorized::Hide,
            cache_capacity: 10_000,
            cache_max_age: Duration::from_secs(300),
        }
    }

    /// Verifies `token` (through the cache) and vouches for its caller.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, TokenError> {
        let inner = &self.inner;
        if token.len() > inner.max_token_bytes {
            return Err(TokenError::invalid(
                "the token is larger than this server accepts",
            ));
        }
        let key = inner.cache.key(token);
        if let Some(principal) = inner.cache.get(&key) {
            return Ok(principal);
        }
        let principal = Principal::vouch(inner.verifier.verify(token).await?);
        inner.cache.insert(key, principal.clone());
        Ok(principal)
    }

    /// The canonical URI of the protected resource (the MCP endpoint), when configured.
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }
}

/// Builds an [`Auth`].
#[must_use = "a builder does nothing until .build()"]
pub struct AuthBuilder {
    verifier: Box<dyn TokenVerifier>,
    resource: Option<String>,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    max_token_bytes: usize,
    unauthorized: Unauthorized,
    cache_capacity: usize,
    cache_max_age: Duration,
}

impl fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthBuilder")
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl AuthBuilder {
    /// The canonical URI of this MCP endpoint (`https://mcp.example.com/mcp`): the
    /// `resource` of the RFC 9728 metadata, and the audience a JWT verifier expects by
    /// default (RFC 8707).
    pub fn resource(mut self, uri: impl Into<String>) -> Self {
        self.resource = Some(uri.into());
        self
    }

    /// An authorization server clients get tokens from (listed in the metadata; at
    /// least one is required to serve it).
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Scopes to advertise in `scopes_supported` besides those declared on the
    /// server's tools, resources and prompts.
    pub fn scopes_supported(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes_supported
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The largest `Authorization` header accepted (8 KiB by default).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// Whether lists hide what the caller may not use (the default) or show it.
    pub fn unauthorized(mut self, policy: Unauthorized) -> Self {
        self.unauthorized = policy;
        self
    }

    /// The cache of verified tokens: at most `capacity` tokens, each kept until it
    /// expires or for `max_age` (10,000 and 5 minutes by default; 0 turns it off).
    pub fn cache(mut self, capacity: usize, max_age: Duration) -> Self {
        self.cache_capacity = capacity;
        self.cache_max_age = max_age;
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> Auth {
        if let Some(resource) = &self.resource {
            self.verifier.adopt_resource(resource);
        }
        Auth {
            inner: Arc::new(AuthInner {
                verifier: self.verifier,
                cache: VerifiedCache::new(self.cache_capacity, self.cache_max_age),
                resource: self.resource,
                authorization_servers: self.authorization_servers,
                scopes_supported: self.scopes_supported,
                max_token_bytes: self.max_token_bytes,
                unauthorized: self.unauthorized,
            }),
        }
    }
}
