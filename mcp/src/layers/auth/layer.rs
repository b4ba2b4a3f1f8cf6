//! The auth layer at the MCP-request depth: it enforces the scopes each target
//! declares, hides from the list methods what the caller may not use, and on stdio
//! vouches for the identity the server was started with.
//!
//! Over HTTP the endpoint authenticates first (401 before the MCP stack) and this
//! layer sees the [`Principal`] it put in the request. On stdio, where credentials come
//! from the environment (2025-11-25 `basic/authorization` §Protocol Requirements),
//! the identity is verified once at start ([`Auth::authenticate`]) and given to
//! [`AuthLayer::with_identity`].

use std::task::{Context as TaskContext, Poll};

use futures_util::future::{Either, Ready, ready};
use tower::{BoxError, Layer, Service};

use super::{Auth, Unauthorized};
use crate::server::{ListFilter, McpRequest, McpResponse, Principal, Refusal};

const LISTS: [&str; 4] = [
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
];

/// Enforces declared scopes; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct AuthLayer {
    auth: Auth,
    identity: Option<Principal>,
}

impl AuthLayer {
    pub(crate) fn new(auth: Auth) -> Self {
        AuthLayer {
            auth,
            identity: None,
        }
    }

    /// Every request that carries no verified caller of its own runs as `identity`:
    /// a stdio server's, verified once at start.
    pub fn with_identity(mut self, identity: Principal) -> Self {
        self.identity = Some(identity);
        self
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            auth: self.auth.clone(),
            identity: self.identity.clone(),
        }
    }
}

/// The service [`AuthLayer`] makes.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    auth: Auth,
    identity: Option<Principal>,
}

impl<S> Service<McpRequest> for AuthService<S>
where
    S: Service<McpRequest, Response = McpResponse>,
    S::Error: Into<BoxError>,
{
    type Response = McpResponse;
    type Error = BoxError;
    type Future = Either<
        futures_util::future::MapErr<S::Future, fn(S::Error) -> BoxError>,
        Ready<Result<McpResponse, BoxError>>,
    >;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: McpRequest) -> Self::Future {
        use futures_util::TryFutureExt;
        if req.extensions().get::<Principal>().is_none()
            && let Some(identity) = &self.identity
        {
            req.extensions_mut().insert(identity.clone());
        }
        if let Err(refusal) = self.admit(&req) {
            return Either::Right(ready(Err(Box::new(refusal))));
        }
        if self.auth.inner.unauthorized == Unauthorized::Hide && LISTS.contains(&req.method()) {
            let principal = req.extensions().get::<Principal>().cloned();
            req.extensions_mut().insert(ListFilter::new(move |meta| {
                allowed(principal.as_ref(), &meta.scopes)
            }));
        }
        Either::Left(
            self.inner
                .call(req)
                .map_err(Into::into as fn(S::Error) -> BoxError),
        )
    }
}

impl<S> AuthService<S> {
    /// Refuses a request whose target needs scopes the caller lacks: every scope the
    /// target declares is named in one challenge (2026-07-28 `basic/authorization`,
    /// Runtime Insufficient Scope Errors).
    fn admit(&self, req: &McpRequest) -> Result<(), Refusal> {
        let required = req.target().map_or(&[][..], |t| t.scopes());
        if required.is_empty() {
            return Ok(());
        }
        let challenge = self.auth.challenge(required);
        match req.extensions().get::<Principal>() {
            None => Err(Refusal::unauthenticated(challenge)),
            Some(principal) => {
                let missing: Vec<String> = required
                    .iter()
                    .filter(|scope| !principal.has_scope(scope))
                    .cloned()
                    .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(Refusal::insufficient_scope(&missing, challenge))
                }
            }
        }
    }
}

fn allowed(principal: Option<&Principal>, required: &[String]) -> bool {
    required.is_empty() || principal.is_some_and(|p| required.iter().all(|s| p.has_scope(s)))
}

impl Auth {
    /// The layer that enforces declared scopes at the MCP-request depth, on any
    /// transport. [`HttpConfig::auth`](crate::transport::http::HttpConfig::auth) adds it
    /// to an HTTP endpoint by itself; add it to a stdio server with
    /// `server.layer(auth.layer().with_identity(principal))`.
    pub fn layer(&self) -> AuthLayer {
        AuthLayer::new(self.clone())
    }
}
