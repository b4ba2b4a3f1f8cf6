//! The auth check at the MCP-request depth: it enforces the scopes each target
//! declares, hides from the list methods what the caller may not use, and on stdio
//! vouches for the identity the server was started with.
//!
//! It comes in two forms with one behaviour: a [`Gate`] ([`Auth::gate`], which
//! [`HttpConfig::auth`](crate::transport::http::HttpConfig::auth) installs), which keeps
//! synchronous tool calls on their fast path, and a tower layer ([`Auth::layer`]) for
//! stacks composed with tower. Over HTTP the endpoint authenticates first (401 before
//! the MCP stack) and the check sees the [`Principal`] it recorded. On stdio, where
//! credentials come from the environment (2025-11-25 `basic/authorization` §Protocol
//! Requirements), the identity is verified once at start ([`Auth::authenticate`]) and
//! given to `with_identity`.

use std::task::{Context as TaskContext, Poll};

use futures_util::future::{Either, Ready, ready};
use tower::{BoxError, Layer, Service};

use super::{Auth, Unauthorized};
use crate::server::{
    Gate, GateRequest, ListFilter, McpRequest, McpResponse, Principal, Refusal, Target,
};

const LISTS: [&str; 4] = [
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
];

/// What both forms share: the configuration and the identity of a stdio server.
#[derive(Clone, Debug)]
struct Keeper {
    auth: Auth,
    identity: Option<Principal>,
}

impl Keeper {
    /// Admits a request to `target`, recording the identity and the list filter.
    fn admit(
        &self,
        method: &str,
        target: Option<&Target>,
        extensions: &mut http::Extensions,
    ) -> Result<(), Refusal> {
        if extensions.get::<Principal>().is_none()
            && let Some(identity) = &self.identity
        {
            extensions.insert(identity.clone());
        }
        let principal = extensions.get::<Principal>();
        let required = target.map_or(&[][..], |t| t.scopes());
        if !required.is_empty() {
            // Every scope the target declares, named in one challenge (2026-07-28
            // `basic/authorization`, Runtime Insufficient Scope Errors).
            let challenge = self.auth.challenge(required);
            let Some(principal) = principal else {
                return Err(Refusal::unauthenticated(challenge));
            };
            let missing: Vec<String> = required
                .iter()
                .filter(|scope| !principal.has_scope(scope))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(Refusal::insufficient_scope(&missing, challenge));
            }
        }
        if self.auth.inner.unauthorized == Unauthorized::Hide && LISTS.contains(&method) {
            let principal = principal.cloned();
            extensions.insert(ListFilter::new(move |meta| {
                allowed(principal.as_ref(), &meta.scopes)
            }));
        }
        Ok(())
    }
}

fn allowed(principal: Option<&Principal>, required: &[String]) -> bool {
    required.is_empty() || principal.is_some_and(|p| required.iter().all(|s| p.has_scope(s)))
}

/// The auth check at the MCP-request depth as a [`Gate`] (it keeps synchronous tool
/// calls on their fast path): the scopes each target declares are enforced, lists hide
/// what the caller may not use, and a stdio server's identity is vouched for.
#[derive(Clone, Debug)]
pub struct AuthGate(Keeper);

impl AuthGate {
    /// Every request that carries no verified caller of its own runs as `identity`:
    /// a stdio server's, verified once at start.
    pub fn with_identity(mut self, identity: Principal) -> Self {
        self.0.identity = Some(identity);
        self
    }
}

impl Gate for AuthGate {
    fn admit(&self, request: &mut GateRequest<'_>) -> Result<(), Refusal> {
        self.0
            .admit(request.method, request.target, request.extensions)
    }
}

/// The same check as [`AuthGate`], as a tower layer for stacks composed with tower.
#[derive(Clone, Debug)]
pub struct AuthLayer(Keeper);

impl AuthLayer {
    /// Every request that carries no verified caller of its own runs as `identity`:
    /// a stdio server's, verified once at start.
    pub fn with_identity(mut self, identity: Principal) -> Self {
        self.0.identity = Some(identity);
        self
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            keeper: self.0.clone(),
        }
    }
}

/// The service [`AuthLayer`] makes.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    keeper: Keeper,
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
        if let Err(refusal) =
            self.keeper
                .admit(&req.method, req.target.as_ref(), &mut req.extensions)
        {
            return Either::Right(ready(Err(Box::new(refusal))));
        }
        Either::Left(
            self.inner
                .call(req)
                .map_err(Into::into as fn(S::Error) -> BoxError),
        )
    }
}

impl Auth {
    fn keeper(&self) -> Keeper {
        Keeper {
            auth: self.clone(),
            identity: None,
        }
    }

    /// The check as a [`Gate`], which keeps synchronous tool calls on their fast path:
    /// [`HttpConfig::auth`](crate::transport::http::HttpConfig::auth) installs it; on
    /// stdio, `server.gate(auth.gate().with_identity(principal))`.
    pub fn gate(&self) -> AuthGate {
        AuthGate(self.keeper())
    }

    /// The same check as a tower layer, for stacks composed with tower:
    /// `server.layer(auth.layer().with_identity(principal))`.
    pub fn layer(&self) -> AuthLayer {
        AuthLayer(self.keeper())
    }
}
