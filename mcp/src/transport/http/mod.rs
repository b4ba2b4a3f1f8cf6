//! Streamable HTTP, server side: the MCP endpoint as a `tower::Service<http::Request<B>>`.
//!
//! One endpoint serves both eras, decided per request:
//! - a POST carrying the 2026-07-28 headers (or `_meta` stamp) is stateless: its
//!   answer is one JSON document or an SSE stream of that request's own messages
//!   ending in its response, and closing the stream cancels it (`modern.rs`);
//! - `initialize`, and any request naming an `Mcp-Session-Id`, belong to the legacy
//!   era (2025-11-25 and older): sessions, the standalone GET stream, resumable
//!   streams and requests to the client (`legacy.rs`).
//!
//! Before either, `Host` and `Origin` are checked against DNS rebinding (`guard.rs`),
//! and the body is read up to a limit. The service composes with tower-http layers and
//! mounts in axum; [`serve`] runs it on hyper with `TCP_NODELAY` set, so no response
//! stalls on Nagle's algorithm.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use tower::BoxError;

use crate::protocol::ErrorObject;
use crate::protocol::jsonrpc::write_error;
use crate::server::{Failure, Server, ShutdownSignal};

mod body;
mod config;
mod event_store;
mod guard;
pub mod headers;
mod legacy;
#[cfg(feature = "metrics")]
mod metrics_endpoint;
mod modern;
#[cfg(feature = "auth")]
mod protected;
mod routes;
mod serve;
mod sessions;
mod sse;

pub use body::McpBody;
pub use config::{HostPolicy, HttpConfig};
pub use event_store::{EventPosition, EventStore, InMemoryEventStore};
#[cfg(feature = "metrics")]
pub use metrics_endpoint::METRICS_PATH;
#[cfg(feature = "auth")]
pub use protected::MetadataService;
pub use routes::Routes;
#[cfg(feature = "tls")]
pub use serve::serve_tls;
pub use serve::{HttpService, ResponseBody, serve, serve_with_shutdown};

use sessions::Sessions;

/// The address of the client that sent a request, put in the request's extensions
/// (and so in [`McpRequest`](crate::server::McpRequest)'s) by [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub SocketAddr);

/// The future of one answer from the endpoint.
pub type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<Response<McpBody>, Infallible>> + Send>>;

/// The MCP endpoint of one server. Cheap to clone: clones share sessions.
#[derive(Clone, Debug)]
pub struct McpHttpService {
    inner: Arc<Endpoint>,
}

#[derive(Debug)]
struct Endpoint {
    server: Server,
    config: HttpConfig,
    sessions: Sessions,
    shutdown: ShutdownSignal,
}

impl McpHttpService {
    /// The endpoint of `server`, set up by `config`.
    pub fn new(server: Server, config: HttpConfig) -> Self {
        #[cfg(feature = "auth")]
        let server = match &config.auth {
            Some(auth) => server.gate_first(auth.gate()),
            None => server,
        };
        #[cfg(feature = "metrics")]
        let server = match &config.metrics {
            Some(prometheus) => server.observe(prometheus.layer()),
            None => server,
        };
        let sessions = Sessions::new(
            config.idle_timeout,
            config.max_sessions,
            config.event_store.clone(),
        );
        McpHttpService {
            inner: Arc::new(Endpoint {
                server,
                config,
                sessions,
                shutdown: ShutdownSignal::new(),
            }),
        }
    }

    /// Ends the streams that would otherwise stay open forever, so that a graceful
    /// shutdown (hyper's, axum's) can finish: every `subscriptions/listen` sends its
    /// final result and ends (each request's connection shares the endpoint's
    /// [`ShutdownSignal`]), and every legacy session's standalone GET stream closes
    /// after telling its client when to come back (`retry`). Requests still running
    /// are left to finish; sessions stay valid. From now on a new GET stream is refused
    /// with 503 and a new listen ends right after its acknowledgement.
    /// [`Server::serve_http_until`] calls this when its signal completes.
    pub fn shutdown_streams(&self) {
        let endpoint = &self.inner;
        endpoint.shutdown.trigger();
        let retry = endpoint.config.retry_ms();
        for session in endpoint.sessions.all() {
            session.standalone.release_reader(retry);
        }
    }

    /// How many legacy sessions are open.
    pub fn session_count(&self) -> usize {
        self.inner.sessions.len()
    }

    /// Ends a legacy session, as if its client had sent DELETE: its requests are
    /// cancelled, its streams close, and its id is answered 404 from now on (the
    /// client then opens a new one). False when there was no such session.
    pub fn end_session(&self, id: &str) -> bool {
        self.inner.sessions.remove(id)
    }

    /// Ends every legacy session (on a deploy, say).
    pub fn end_all_sessions(&self) {
        for session in self.inner.sessions.all() {
            self.inner.sessions.remove(&session.id);
        }
    }
}

impl<B> tower::Service<Request<B>> for McpHttpService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<McpBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let endpoint = self.inner.clone();
        Box::pin(async move { Ok(endpoint.handle(request).await) })
    }
}

impl Endpoint {
    async fn handle<B>(&self, request: Request<B>) -> Response<McpBody>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        if let Err(refusal) = guard::check(
            &self.config.hosts,
            &self.config.origins,
            &parts.uri,
            &parts.headers,
        ) {
            let what = match refusal {
                guard::Refusal::Host => "the Host header names a host this server does not serve",
                guard::Refusal::Origin => {
                    "the Origin header names an origin this server does not accept"
                }
            };
            tracing::debug!(what, "refused a request (DNS rebinding protection)");
            return error_response(
                StatusCode::FORBIDDEN,
                &ErrorObject::invalid_request(format!("Forbidden: {what}")),
            );
        }
        #[cfg(feature = "auth")]
        let parts = match self.authenticate(parts).await {
            Ok(parts) => parts,
            Err(refused) => return refused,
        };
        let caller = || legacy::caller(&parts.extensions);
        match parts.method {
            Method::POST => {}
            Method::GET => return legacy::get(self, &parts.headers, caller()),
            Method::DELETE => return legacy::delete(self, &parts.headers, caller()),
            _ => return method_not_allowed(),
        }
        if let Some(refused) = check_post_headers(&parts.headers) {
            return refused;
        }
        let bytes = match Limited::new(body, self.config.max_body_bytes)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                return error_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &ErrorObject::invalid_request(format!(
                        "the request body is larger than the limit of {} bytes",
                        self.config.max_body_bytes
                    )),
                );
            }
            Err(err) => {
                tracing::debug!(%err, "the request body could not be read");
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &ErrorObject::invalid_request("the request body could not be read"),
                );
            }
        };
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &ErrorObject::parse_error("the body is not UTF-8"),
                );
            }
        };
        let mut extensions = parts.extensions;
        let headers = parts.headers;
        let era = Era::of_post(&headers, text);
        tracing::debug!(?era, bytes = text.len(), "MCP POST");
        // Layers and checks read the headers from here; no copy is kept elsewhere.
        extensions.insert(headers);
        match era {
            Era::Modern => modern::post(self, extensions, text).await,
            Era::Legacy => legacy::post(self, extensions, text).await,
        }
    }
}

#[cfg(feature = "auth")]
impl Endpoint {
    /// With auth configured, every request (GET and DELETE included) carries its token
    /// (2025-11-25 `basic/authorization` §Token Requirements): the verified caller is
    /// recorded in the request's extensions, or the refusal is the answer.
    async fn authenticate(
        &self,
        mut parts: http::request::Parts,
    ) -> Result<http::request::Parts, Response<McpBody>> {
        let Some(auth) = &self.config.auth else {
            return Ok(parts);
        };
        match crate::layers::auth::authenticate_http(auth, &self.server, &parts).await {
            Ok(principal) => {
                parts.extensions.insert(principal);
                Ok(parts)
            }
            Err(refusal) => {
                self.server.observe_refused(&refusal);
                Err(refusal_response(&refusal))
            }
        }
    }
}

/// Which era a POST belongs to (2026-07-28 `basic/versioning` §Backward Compatibility).
#[derive(Debug, PartialEq, Eq)]
enum Era {
    Modern,
    Legacy,
}

impl Era {
    fn of_post(headers: &HeaderMap, body: &str) -> Era {
        if headers.contains_key(headers::SESSION_ID) {
            return Era::Legacy;
        }
        match headers
            .get(headers::PROTOCOL_VERSION)
            .map(HeaderValue::as_bytes)
        {
            // A legacy version names the legacy era; anything else that is present is
            // the modern era's to accept or refuse with -32022.
            Some(version) => {
                let legacy = crate::protocol::ProtocolVersion::ALL.iter().any(|v| {
                    v.era() == crate::protocol::Era::Legacy && v.as_str().as_bytes() == version
                });
                if legacy { Era::Legacy } else { Era::Modern }
            }
            // No header: a body stamped with the modern `_meta` is a modern request
            // missing its header (refused with -32020); anything else is legacy.
            None if body.contains("io.modelcontextprotocol/protocolVersion")
                && !is_initialize(body) =>
            {
                Era::Modern
            }
            None => Era::Legacy,
        }
    }
}

/// True when the body is an `initialize` request. Read on the paths without a
/// session, where it decides whether one is opened.
fn is_initialize(body: &str) -> bool {
    matches!(
        crate::protocol::jsonrpc::parse_message(body),
        Ok(crate::protocol::Incoming::Request { method, .. }) if method == "initialize"
    )
}

/// 415 for a body that is not JSON, 406 for a client that takes neither JSON nor SSE.
fn check_post_headers(headers: &HeaderMap) -> Option<Response<McpBody>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Some(error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &ErrorObject::invalid_request(
                "Unsupported Media Type: the body must be Content-Type: application/json",
            ),
        ));
    }
    if let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) {
        let takes = |ty: &str| {
            accept.split(',').any(|part| {
                let part = part.split(';').next().unwrap_or("").trim();
                part.eq_ignore_ascii_case(ty) || part == "*/*"
            })
        };
        if !takes("application/json") && !takes("text/event-stream") {
            return Some(error_response(
                StatusCode::NOT_ACCEPTABLE,
                &ErrorObject::invalid_request(
                    "Not Acceptable: the client must accept application/json and text/event-stream",
                ),
            ));
        }
    }
    None
}

/// A JSON-RPC error with no id, as the body of an HTTP error.
fn error_response(status: StatusCode, error: &ErrorObject) -> Response<McpBody> {
    let mut line = Vec::with_capacity(128);
    write_error(&mut line, None, error);
    json_response(status, line)
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<McpBody> {
    let mut response = Response::new(McpBody::full(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn sse_response(body: McpBody) -> Response<McpBody> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // 2026-07-28 `basic/transports/streamable-http` §Receiving Messages: keep proxies
    // from buffering the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn status_response(status: StatusCode) -> Response<McpBody> {
    let mut response = Response::new(McpBody::empty());
    *response.status_mut() = status;
    response
}

fn method_not_allowed() -> Response<McpBody> {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &ErrorObject::invalid_request("Method Not Allowed"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST, DELETE"));
    response
}

/// A refusal before the MCP stack: its JSON-RPC error (no id), status and headers.
#[cfg_attr(not(feature = "auth"), allow(dead_code))]
fn refusal_response(refusal: &crate::server::Refusal) -> Response<McpBody> {
    let mut response = error_response(refusal.http_status(), refusal.error());
    for (name, value) in refusal.http_headers() {
        response.headers_mut().append(name, value);
    }
    response
}

/// A JSON answer, with the status and headers of what failed, if anything.
fn answer_response(
    line: Vec<u8>,
    failure: Option<&Failure>,
    era: crate::protocol::Era,
) -> Response<McpBody> {
    let status = failure.map_or(StatusCode::OK, |f| f.http_status(era));
    let mut response = json_response(status, line);
    for (name, value) in failure.map(Failure::http_headers).unwrap_or_default() {
        response.headers_mut().append(name, value);
    }
    response
}

impl Server {
    /// This server's Streamable HTTP endpoint, to mount in axum or serve with [`serve`].
    pub fn http_service(&self, config: HttpConfig) -> McpHttpService {
        McpHttpService::new(self.clone(), config)
    }

    /// Serves this server over Streamable HTTP at `addr` (path `/mcp`), with the
    /// default [`HttpConfig`], until the process ends (HTTPS when the config has
    /// [`HttpConfig::tls`]). Bind to `127.0.0.1` unless the
    /// server is meant to be reached from elsewhere.
    pub async fn serve_http(self, addr: SocketAddr) -> std::io::Result<()> {
        self.serve_http_with(addr, HttpConfig::default()).await
    }

    /// As [`serve_http`](Self::serve_http), with a config.
    pub async fn serve_http_with(
        self,
        addr: SocketAddr,
        config: HttpConfig,
    ) -> std::io::Result<()> {
        self.serve_http_until(addr, config, std::future::pending::<()>())
            .await
    }

    /// As [`serve_http_with`](Self::serve_http_with), until `shutdown` completes
    /// (`tokio::signal::ctrl_c()`, say; its output is ignored); then it stops
    /// accepting connections, ends the long-lived streams
    /// ([`McpHttpService::shutdown_streams`]), waits for the requests still running,
    /// and returns.
    pub async fn serve_http_until(
        self,
        addr: SocketAddr,
        config: HttpConfig,
        shutdown: impl Future,
    ) -> std::io::Result<()> {
        super::runtime::require_drivers(true)?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let service = self.http_service(config);
        let streams = service.clone();
        let shutdown = async move {
            let _ = shutdown.await;
            streams.shutdown_streams();
        };
        #[cfg(feature = "tls")]
        let tls = service.inner.config.tls.clone();
        let routes = service.routes();
        #[cfg(feature = "tls")]
        if let Some(tls) = tls {
            return serve_tls(listener, tls, routes, shutdown).await;
        }
        serve_with_shutdown(listener, routes, shutdown).await
    }
}

/// The path [`Server::serve_http`] serves the endpoint at.
pub const MCP_PATH: &str = "/mcp";

/// `service` at `path` alone; every other path is answered 404.
pub fn at_path<S, B>(
    path: &'static str,
    service: S,
) -> impl tower::Service<
    Request<B>,
    Response = Response<McpBody>,
    Error = Infallible,
    Future = ResponseFuture,
> + Clone
+ Send
+ 'static
where
    S: tower::Service<Request<B>, Response = Response<McpBody>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    tower::service_fn(move |request: Request<B>| {
        let mut service = service.clone();
        Box::pin(async move {
            if request.uri().path() != path {
                return Ok(status_response(StatusCode::NOT_FOUND));
            }
            std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
            service.call(request).await
        }) as ResponseFuture
    })
}
