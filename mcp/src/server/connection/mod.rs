//! The protocol engine one connection runs, shared by every transport: it reads one
//! message, decides its era and version, resolves its target, sends it through the
//! tower stack, and turns the outcome into the response line. No IO happens here.

use std::borrow::Cow;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;
use tower::{BoxError, ServiceExt};

use super::builder::{Server, Stack};
use super::gate::GateRequest;
use super::observe::{RequestInfo, Watch};
use super::peer::{Outbox, Peer};
use super::refusal::{Failure, Refusal};
use super::registry::ServerEvent;
use super::request::{CallParts, Failed, McpRequest, RequestMeta};
use super::session::{Negotiated, Session};
use super::shutdown::ShutdownSignal;
use super::target::{Target, TargetKind, TargetMeta};
use super::tool::ToolDef;
use crate::protocol::jsonrpc::{parse_message, write_error, write_response};
use crate::protocol::{Era, ErrorObject, Incoming, Params, ProtocolVersion, RequestId};

mod fast_path;
mod peek;
mod span;

use peek::{Peek, WireMeta};

/// What the transport should do with one incoming message.
pub enum Dispatch {
    /// Nothing to answer (a notification or a response to us).
    None,
    /// Answer with this line now.
    Ready(Vec<u8>),
    /// Run this; it yields the response line, or `None` when the request was cancelled.
    Pending(PendingResponse),
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Dispatch::None => "Dispatch::None",
            Dispatch::Ready(_) => "Dispatch::Ready",
            Dispatch::Pending(_) => "Dispatch::Pending",
        })
    }
}

/// What a transport adds to one message's handling.
#[derive(Default)]
pub struct Scope<'a> {
    /// Where the messages a request causes (progress, logs, requests to the client)
    /// go, instead of the connection's own peer: an HTTP request's response stream.
    pub peer: Option<Peer>,
    /// A check the request must pass before it runs (HTTP: headers against body).
    pub check: Option<&'a dyn RequestCheck>,
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("peer", &self.peer)
            .field("check", &self.check.is_some())
            .finish()
    }
}

/// The parts of a request a transport may check before it runs, as read from the body.
#[derive(Debug)]
pub struct WireRequest<'a> {
    /// The JSON-RPC method.
    pub method: &'a str,
    /// `params.name`: the tool or prompt.
    pub name: Option<&'a str>,
    /// `params.uri`: the resource.
    pub uri: Option<&'a str>,
    /// `params.taskId`: the task (the tasks extension's methods).
    pub task_id: Option<&'a str>,
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`.
    pub protocol_version: Option<&'a str>,
    /// Whether `params._meta` has `io.modelcontextprotocol/clientCapabilities`.
    pub has_client_capabilities: bool,
    /// `params.arguments` as JSON text.
    pub arguments: Option<&'a str>,
}

/// A transport's check of a request against what it saw outside the body.
pub trait RequestCheck {
    /// `Err` answers the request with that refusal instead of running it.
    /// `extensions` are the request's, as the transport filled them (HTTP: its headers).
    fn check(
        &self,
        request: &WireRequest<'_>,
        extensions: &http::Extensions,
    ) -> Result<(), Refusal>;
}

/// One client's connection to a server.
#[derive(Debug)]
pub struct Connection {
    server: Server,
    session: Arc<Session>,
    peer: Peer,
    listener: Option<u64>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(listener) = self.listener {
            self.server.inner.registry.unlisten(listener);
        }
    }
}

/// A response that must wait: it yields the answer, or `None` when the request was
/// cancelled.
pub type PendingResponse = Pin<Box<dyn Future<Output = Option<Answer>> + Send>>;

/// One response line, and when it is an error, what failed: a transport that says more
/// than the line (HTTP: the status, `WWW-Authenticate`, `Retry-After`) reads it here.
#[derive(Debug)]
pub struct Answer {
    /// The response, serialised, without its newline.
    pub line: Vec<u8>,
    /// Set when the response is an error.
    pub failure: Option<Failure>,
}

/// What [`Connection::handle_scoped`] did with one message.
#[must_use = "a pending response must be driven to completion"]
pub struct Handled {
    /// The response that must wait, if any; what was answered at once is in `out`.
    pub pending: Option<PendingResponse>,
    /// When what was written to `out` is an error, what failed.
    pub failure: Option<Failure>,
}

impl std::fmt::Debug for Handled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handled")
            .field("pending", &self.pending.is_some())
            .field("failure", &self.failure)
            .finish()
    }
}

impl Handled {
    fn done() -> Self {
        Handled {
            pending: None,
            failure: None,
        }
    }

    fn failed(failure: Failure) -> Self {
        Handled {
            pending: None,
            failure: Some(failure),
        }
    }
}

/// Writes `error` as the answer to `id` and reports it.
fn refuse(out: &mut Vec<u8>, id: Option<&RequestId>, error: &ErrorObject) -> Handled {
    write_error(out, id, error);
    Handled::failed(Failure::error(error))
}

/// Writes a failed request's error as the answer to `id`, and says what failed: its
/// refusal when there is one (whose error it is), else the error.
fn write_failed(out: &mut Vec<u8>, id: Option<&RequestId>, (error, refusal): Failed) -> Failure {
    write_error(out, id, &error);
    match refusal {
        Some(refusal) => Failure::refused(refusal),
        None => Failure::error(&error),
    }
}

impl Connection {
    /// A connection whose outgoing lines go to `out`.
    ///
    /// The connection hears the server's changes (`list_changed`, resource updates)
    /// and forwards to a legacy client what it asked for, through `out` like any
    /// other message, so a transport has one queue to drain.
    pub fn new(server: Server, out: impl Outbox) -> Self {
        let session = Arc::new(Session::default());
        let peer = Peer::new(out);
        let (weak, listener_peer) = (Arc::downgrade(&session), peer.clone());
        let listener = server
            .inner
            .registry
            .listen(move |event| match weak.upgrade() {
                Some(session) => {
                    forward(&session, &listener_peer, event);
                    true
                }
                None => false,
            });
        Connection {
            server,
            session,
            peer,
            listener: Some(listener),
        }
    }

    /// A connection that serves requests but hears no server changes: one stateless
    /// HTTP request, whose changes (if it wants any) come through `subscriptions/listen`.
    pub fn detached(server: Server, out: impl Outbox) -> Self {
        Connection {
            server,
            session: Arc::new(Session::default()),
            peer: Peer::new(out),
            listener: None,
        }
    }

    /// Treats this connection as a legacy session that already completed `initialize`
    /// at `version`: a stateless HTTP deployment serves legacy requests this way,
    /// since no session remembers the handshake (2025-11-25 `basic/transports`
    /// §Protocol Version Header).
    pub fn assume_initialized(&self, version: ProtocolVersion) {
        self.session.set_initializing(Negotiated {
            version,
            client_capabilities: Default::default(),
            client_info: None,
        });
        self.session.mark_initialized();
    }

    /// The legacy version `initialize` settled on, if it ran.
    pub fn negotiated_version(&self) -> Option<ProtocolVersion> {
        self.session.legacy_version()
    }

    /// The peer this connection's own messages go to.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Requests still running.
    pub fn in_flight(&self) -> usize {
        self.session.in_flight()
    }

    /// Shares the transport's [`ShutdownSignal`]: when it is triggered, this
    /// connection's `subscriptions/listen` requests end with their final result. A
    /// connection without one gets its own, triggered by
    /// [`begin_shutdown`](Self::begin_shutdown). Call it before the first request.
    pub fn with_shutdown(self, signal: ShutdownSignal) -> Self {
        if !self.session.set_shutdown(signal) {
            tracing::warn!("with_shutdown called after the connection's signal was in use");
        }
        self
    }

    /// Begins a graceful shutdown: long-lived requests (`subscriptions/listen`) end
    /// with their final result; other requests run on. The transport then waits for
    /// them, or calls [`shutdown`](Self::shutdown) to cancel what is left.
    pub fn begin_shutdown(&self) {
        self.session.shutdown().trigger();
    }

    /// Cancels every request in flight and fails our pending requests: the peer is gone.
    pub fn shutdown(&self) {
        self.session.cancel_all();
        self.peer.fail_pending();
    }

    /// Handles one message: `text` is one line without its newline.
    pub fn handle(&self, text: &str, extensions: http::Extensions) -> Dispatch {
        let mut out = Vec::new();
        match self.handle_into(text, extensions, &mut out) {
            Some(pending) => Dispatch::Pending(pending),
            None if out.is_empty() => Dispatch::None,
            None => Dispatch::Ready(out),
        }
    }

    /// Handles one message, writing whatever is answered at once straight into `out`
    /// (no buffer of its own); a response that must wait comes back as a future.
    pub fn handle_into(
        &self,
        text: &str,
        extensions: http::Extensions,
        out: &mut Vec<u8>,
    ) -> Option<PendingResponse> {
        self.handle_scoped(text, extensions, out, Scope::default())
            .pending
    }

    /// As [`handle_into`](Self::handle_into), with what the transport adds: where the
    /// messages a request causes go, and a check of the request before it runs.
    pub fn handle_scoped(
        &self,
        text: &str,
        extensions: http::Extensions,
        out: &mut Vec<u8>,
        scope: Scope<'_>,
    ) -> Handled {
        match parse_message(text) {
            Err(bad) => {
                let handled = refuse(out, bad.id.as_ref(), &bad.error);
                self.observe_now(None, None, &handled);
                handled
            }
            Ok(Incoming::Response { id, result }) => {
                self.peer.complete(&id, Ok(result.to_owned()));
                Handled::done()
            }
            Ok(Incoming::Error {
                id: Some(id),
                error,
            }) => {
                self.peer.complete(&id, Err(error));
                Handled::done()
            }
            Ok(Incoming::Error { id: None, error }) => {
                tracing::warn!(%error, "the client reported an error it could not tie to a request");
                Handled::done()
            }
            Ok(Incoming::Notification { method, params }) => {
                self.on_notification(&method, params);
                Handled::done()
            }
            Ok(Incoming::Request { id, method, params }) => {
                self.on_request(id, &method, params, extensions, out, scope)
            }
        }
    }

    fn on_notification(&self, method: &str, params: Option<Params<'_>>) {
        match method {
            "notifications/initialized" => self.session.mark_initialized(),
            "notifications/cancelled" => {
                let id = params
                    .and_then(|p| p.get("requestId"))
                    .and_then(|raw| serde_json::from_str::<RequestId>(raw).ok());
                if let Some(id) = id {
                    self.session.cancel(&id);
                }
            }
            _ => {}
        }
    }

    /// Decides the request's revision: a 2026-07-28 `_meta` stamp, else the legacy
    /// session's negotiated version, else (for `initialize` and `ping`) legacy.
    fn version_of(&self, method: &str, meta: &WireMeta) -> Result<ProtocolVersion, ErrorObject> {
        if method == "initialize" {
            return Ok(ProtocolVersion::LATEST_LEGACY);
        }
        if let Some(requested) = &meta.protocol_version {
            return match ProtocolVersion::parse(requested) {
                Some(v) if v.era() == Era::Modern => {
                    if meta.client_capabilities.is_none() {
                        return Err(ErrorObject::invalid_params(
                            "params._meta is missing the required key io.modelcontextprotocol/clientCapabilities",
                        ));
                    }
                    Ok(v)
                }
                _ => match self.session.legacy_version() {
                    Some(v) => Ok(v),
                    None => {
                        let supported: Vec<&str> =
                            ProtocolVersion::ALL.iter().map(|v| v.as_str()).collect();
                        Err(ErrorObject::unsupported_version(requested, &supported))
                    }
                },
            };
        }
        if let Some(v) = self.session.legacy_version() {
            return Ok(v);
        }
        if method == "ping" {
            return Ok(ProtocolVersion::LATEST_LEGACY);
        }
        if let Some(reason) = self.session.initialize_failure() {
            return Err(ErrorObject::invalid_request(format!(
                "the session is not initialized: initialize failed ({reason}); send initialize again"
            )));
        }
        // 2026-07-28 `basic/index`: a request without the per-request fields is malformed.
        Err(ErrorObject::invalid_params(
            "params._meta is missing the required key io.modelcontextprotocol/protocolVersion \
             (or send initialize first to use a legacy revision)",
        ))
    }

    /// Tells the observer, if any, of a request answered before it was resolved.
    fn observe_now(&self, method: Option<&str>, era: Option<Era>, handled: &Handled) {
        let info = RequestInfo {
            method,
            target: None,
            era,
        };
        Watch::begin(self.server.observer.as_ref(), info).answered(handled.failure.as_ref(), false);
    }

    fn on_request(
        &self,
        id: RequestId,
        method: &str,
        params: Option<Params<'_>>,
        extensions: http::Extensions,
        out: &mut Vec<u8>,
        scope: Scope<'_>,
    ) -> Handled {
        let mut peek = match params.as_ref().map(Peek::from_params) {
            None => Peek::default(),
            Some(Ok(peek)) => peek,
            Some(Err(err)) => {
                let handled = refuse(out, Some(&id), &err);
                self.observe_now(Some(method), None, &handled);
                return handled;
            }
        };
        let wire = peek.meta.take().unwrap_or_default();
        if let Some(check) = scope.check {
            let request = WireRequest {
                method,
                name: peek.name.as_deref(),
                uri: peek.uri.as_deref(),
                task_id: peek.task_id.as_deref(),
                protocol_version: wire.protocol_version.as_deref(),
                has_client_capabilities: wire.client_capabilities.is_some(),
                arguments: peek.arguments,
            };
            if let Err(refusal) = check.check(&request, &extensions) {
                let failed = (refusal.error().clone(), Some(refusal));
                let handled = Handled::failed(write_failed(out, Some(&id), failed));
                self.observe_now(Some(method), None, &handled);
                return handled;
            }
        }
        let version = match self.version_of(method, &wire) {
            Ok(v) => v,
            Err(err) => {
                let handled = refuse(out, Some(&id), &err);
                self.observe_now(Some(method), None, &handled);
                return handled;
            }
        };
        let target_name = peek.name.as_deref().or(peek.uri.as_deref());
        let span = span::request_span(method, target_name, version.era(), &extensions);
        let _entered = span.enter();
        let mut extensions = extensions;
        let observer = self.server.observer.as_ref();
        let mut resolved = None;
        let mut watch = Watch::default();
        if !self.server.gates.is_empty() || observer.is_some() {
            let (target, tool) = self.resolve_target(method, &peek, params.as_ref());
            let info = RequestInfo {
                method: Some(method),
                target: target.as_ref(),
                era: Some(version.era()),
            };
            watch = Watch::begin(observer, info);
            let mut request = GateRequest {
                method,
                target: target.as_ref(),
                extensions: &mut extensions,
                input_retry: peek.request_state.is_some(),
            };
            for gate in self.server.gates.iter() {
                if let Err(refusal) = gate.admit(&mut request) {
                    let failed = (refusal.error().clone(), Some(refusal));
                    let failure = write_failed(out, Some(&id), failed);
                    watch.answered(Some(&failure), false);
                    return Handled::failed(failure);
                }
            }
            resolved = Some((target, tool));
        }
        if method == "tools/call"
            && let Some(answer) = self.try_sync_call(&id, version, &peek, out)
        {
            watch.answered(answer.failure.as_ref(), answer.tool_error);
            return Handled {
                pending: None,
                failure: answer.failure,
            };
        }
        let (target, tool) =
            resolved.unwrap_or_else(|| self.resolve_target(method, &peek, params.as_ref()));
        // tools/call is the hot path: hand the router what was just parsed instead of
        // letting it parse the params a second time.
        let call = match (method, &peek.name) {
            ("tools/call", Some(name)) => Some(CallParts {
                name: name.clone().into_owned(),
                arguments: peek.arguments.map(Box::from),
                request_state: peek.request_state.map(Cow::into_owned),
                tool,
                input_responses: peek.input_responses.map(Box::from),
            }),
            _ => None,
        };
        let cancel = CancellationToken::new();
        if !self.session.begin(&id, cancel.clone()) {
            let err = ErrorObject::invalid_request(format!("request id {id} is already in flight"));
            let handled = refuse(out, Some(&id), &err);
            watch.answered(handled.failure.as_ref(), false);
            return handled;
        }
        let req = McpRequest {
            id: id.clone(),
            method: intern(method),
            params: params.as_ref().map(Params::to_raw),
            version,
            meta: RequestMeta {
                progress_token: wire.progress_token,
                protocol_version: wire.protocol_version,
                client_capabilities: wire.client_capabilities,
                log_level: wire.log_level,
                client_info: wire.client_info,
            },
            target,
            call,
            peer: scope.peer.unwrap_or_else(|| self.peer.clone()),
            session: self.session.clone(),
            cancel: cancel.clone(),
            extensions,
        };
        let stack = self.server.stack.clone();
        let session = self.session.clone();
        let is_initialize = method == "initialize";
        let pending: PendingResponse = Box::pin(tracing::Instrument::instrument(
            async move {
                let call = AssertUnwindSafe(async move {
                    match stack {
                        Stack::Bare(router) => Ok(router.serve(req).await),
                        Stack::Layered(service) => service.oneshot(req).await,
                    }
                })
                .catch_unwind();
                let outcome = tokio::select! {
                    biased;
                    outcome = call => Some(outcome),
                    () = cancel.cancelled() => None,
                };
                session.finish(&id);
                // 2025-11-25 `basic/utilities/cancellation`: no response to a cancelled
                // request. A handler that watches `ctx.cancelled()` finishes on the very
                // poll that sees the cancellation, so its result is dropped here too.
                if cancel.is_cancelled() {
                    return None;
                }
                let outcome = outcome?;
                let mut line = Vec::with_capacity(256);
                let failed = match outcome {
                    Ok(Ok(response)) => match (response.is_tool_error(), response.into_outcome()) {
                        (tool_error, Ok(result)) => {
                            write_response(&mut line, &id, &result);
                            watch.answered(None, tool_error);
                            return Some(Answer {
                                line,
                                failure: None,
                            });
                        }
                        (_, Err(failed)) => failed,
                    },
                    Ok(Err(err)) => layer_error(err),
                    Err(_) => (ErrorObject::internal("the handler panicked"), None),
                };
                if is_initialize {
                    // Later requests say why, instead of "send initialize first".
                    session.set_initialize_failed(&failed.0.message);
                }
                let failure = write_failed(&mut line, Some(&id), failed);
                watch.answered(Some(&failure), false);
                Some(Answer {
                    line,
                    failure: Some(failure),
                })
            },
            span.clone(),
        ));
        Handled {
            pending: Some(pending),
            failure: None,
        }
    }

    /// What the request names, with its declared metadata, for the layers: the tool of
    /// a call or of a task, the prompt, the resource or the template a URI matches, the
    /// prompt or template a completion refers to.
    fn resolve_target(
        &self,
        method: &str,
        peek: &Peek<'_>,
        params: Option<&Params<'_>>,
    ) -> (Option<Target>, Option<ToolDef>) {
        let server = &self.server.inner;
        let registry = &server.registry;
        let (name, uri) = (peek.name.as_deref(), peek.uri.as_deref());
        // A registered target lends its key: no copy of the name per request.
        let target = |kind, name: &str, found: Option<(Arc<str>, Arc<TargetMeta>)>| match found {
            Some((key, meta)) => Target::new(kind, key, Some(meta)),
            None => Target::new(kind, name.into(), None),
        };
        if method == "tools/call" {
            let Some(name) = name else {
                return (None, None);
            };
            let found = registry.tools.get_entry(name);
            let meta = found.as_ref().map(|(k, t)| (k.clone(), t.meta.clone()));
            let tool = found.map(|(_, t)| t);
            return (Some(target(TargetKind::Tool, name, meta)), tool);
        }
        let resolved = match method {
            "prompts/get" => {
                name.map(|name| target(TargetKind::Prompt, name, self.prompt_entry(name)))
            }
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
                uri.map(|uri| match registry.resources.get_entry(uri) {
                    Some((key, resource)) => {
                        Target::new(TargetKind::Resource, key, Some(resource.meta))
                    }
                    None => match self.template_matching(uri) {
                        Some((key, meta)) => {
                            Target::new(TargetKind::ResourceTemplate, key, Some(meta))
                        }
                        None => Target::new(TargetKind::Resource, uri.into(), None),
                    },
                })
            }
            "completion/complete" => params.and_then(|p| self.completion_target(p)),
            "tasks/get" | "tasks/update" | "tasks/cancel" => peek
                .task_id
                .as_deref()
                .and_then(|id| server.tasks.get(id))
                .and_then(|task| task.target().cloned()),
            _ => None,
        };
        (resolved, None)
    }

    fn prompt_entry(&self, name: &str) -> Option<(Arc<str>, Arc<TargetMeta>)> {
        let found = self.server.inner.registry.prompts.get_entry(name);
        found.map(|(key, prompt)| (key, prompt.meta))
    }

    /// The template a concrete URI matches, by its `uriTemplate`.
    fn template_matching(&self, uri: &str) -> Option<(Arc<str>, Arc<TargetMeta>)> {
        let templates = self.server.inner.registry.templates.snapshot();
        templates
            .iter()
            .find(|(_, t)| t.matcher.matches(uri).is_some())
            .map(|(key, t)| (key.clone(), t.meta.clone()))
    }

    /// The prompt or template a `completion/complete` refers to (`params.ref`).
    fn completion_target(&self, params: &Params<'_>) -> Option<Target> {
        #[derive(serde::Deserialize)]
        struct Reference<'a> {
            #[serde(rename = "type", borrow)]
            kind: Cow<'a, str>,
            #[serde(default, borrow)]
            name: Option<Cow<'a, str>>,
            #[serde(default, borrow)]
            uri: Option<Cow<'a, str>>,
        }
        let raw = params.get("ref")?;
        let reference: Reference<'_> = serde_json::from_str(raw).ok()?;
        match (&*reference.kind, reference.name, reference.uri) {
            ("ref/prompt", Some(name), _) => Some(match self.prompt_entry(&name) {
                Some((key, meta)) => Target::new(TargetKind::Prompt, key, Some(meta)),
                None => Target::new(TargetKind::Prompt, name.into(), None),
            }),
            ("ref/resource", _, Some(uri)) => {
                let found = self.server.inner.registry.templates.get_entry(&uri);
                Some(match found {
                    Some((key, t)) => Target::new(TargetKind::ResourceTemplate, key, Some(t.meta)),
                    None => Target::new(TargetKind::ResourceTemplate, uri.into(), None),
                })
            }
            _ => None,
        }
    }
}

/// Forwards a server change to a legacy client that asked for it. (A 2026-07-28
/// client hears changes only through `subscriptions/listen`.)
fn forward(session: &Session, peer: &Peer, event: &ServerEvent) {
    if session.negotiated().is_none() {
        return;
    }
    let empty = serde_json::json!({});
    match event {
        ServerEvent::ToolsChanged => peer.notify("notifications/tools/list_changed", &empty),
        ServerEvent::PromptsChanged => peer.notify("notifications/prompts/list_changed", &empty),
        ServerEvent::ResourcesChanged => {
            peer.notify("notifications/resources/list_changed", &empty)
        }
        ServerEvent::ResourceUpdated(uri) if session.is_subscribed(uri) => peer.notify(
            "notifications/resources/updated",
            &serde_json::json!({ "uri": &**uri }),
        ),
        ServerEvent::ResourceUpdated(_) => false,
    };
}

/// The requests this server answers, as the spec names them.
pub(crate) const KNOWN_METHODS: [&str; 18] = [
    "tools/call",
    "tools/list",
    "resources/read",
    "resources/list",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/get",
    "prompts/list",
    "completion/complete",
    "initialize",
    "ping",
    "logging/setLevel",
    "server/discover",
    "subscriptions/listen",
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
];

/// The method name, without an allocation for the methods the spec defines.
fn intern(method: &str) -> Cow<'static, str> {
    match KNOWN_METHODS.iter().find(|known| **known == method) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(method.to_owned()),
    }
}

/// Maps an error from a layer (tower's timeout, load shedding, or ours) to JSON-RPC:
/// a [`Refusal`] keeps its mapping, an [`ErrorObject`] is sent as it is, anything else
/// is an internal error.
fn layer_error(err: BoxError) -> Failed {
    let err = match err.downcast::<Refusal>() {
        Ok(refusal) => return (refusal.error().clone(), Some(*refusal)),
        Err(err) => err,
    };
    match err.downcast::<ErrorObject>() {
        Ok(err) => (*err, None),
        Err(err) => (ErrorObject::internal(err), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    #[test]
    fn a_closed_connection_stops_listening_for_changes() {
        let server = Server::builder("t", "1").build();
        let (tx, _rx) = mpsc::unbounded_channel();
        let first = Connection::new(server.clone(), tx.clone());
        let second = Connection::new(server.clone(), tx);
        assert_eq!(server.inner.registry.listener_count(), 2);
        drop(first);
        assert_eq!(server.inner.registry.listener_count(), 1);
        drop(second);
        assert_eq!(server.inner.registry.listener_count(), 0);
    }
}
