//! The innermost service: a `match` on the method, then the handler.
//!
//! One router serves both eras; each handler reads the request's era to decide the
//! few things that differ (result fields, error codes, which methods exist).

pub(crate) mod call;
pub(crate) mod invoke;
mod lifecycle;
mod listen;
mod lists;
mod prompts;
mod resources;
pub(crate) mod tasks;

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::BoxFuture;
use super::builder::ServerInner;
use super::context::{Context, ContextInner, InputRound};
use super::request::{McpRequest, McpResponse};
use crate::protocol::{Era, ErrorObject, JsonObject, META_SERVER_INFO, ResultType};

/// Routes each request to its handler. Cloning is cheap.
#[derive(Clone)]
pub(crate) struct Router {
    server: Arc<ServerInner>,
}

impl Router {
    pub(crate) fn new(server: Arc<ServerInner>) -> Self {
        Router { server }
    }

    /// Serves a request without the `Service` machinery: no boxing, no readiness.
    pub(crate) async fn serve(&self, req: McpRequest) -> McpResponse {
        route(self.server.clone(), req).await
    }
}

impl tower::Service<McpRequest> for Router {
    type Response = McpResponse;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<McpResponse, Infallible>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: McpRequest) -> Self::Future {
        let server = self.server.clone();
        Box::pin(async move { Ok(route(server, req).await) })
    }
}

async fn route(server: Arc<ServerInner>, req: McpRequest) -> McpResponse {
    let era = req.era();
    match req.method() {
        "tools/call" => return call::call_tool(&server, req).await,
        "tasks/get" | "tasks/update" | "tasks/cancel" => return tasks::handle(&server, req),
        // Boxed so that these rarer, larger futures do not inflate every tools/call.
        "resources/read" => return Box::pin(resources::read(&server, req)).await,
        "prompts/get" => return Box::pin(prompts::get(&server, req)).await,
        _ => {}
    }
    let outcome = match (req.method(), era) {
        ("tools/list", _) => lists::list_tools(&server, &req),
        ("resources/list", _) => lists::list_resources(&server, &req),
        ("resources/templates/list", _) => lists::list_templates(&server, &req),
        ("prompts/list", _) => lists::list_prompts(&server, &req),
        ("completion/complete", _) => prompts::complete(&server, &req),
        ("initialize", Era::Legacy) => lifecycle::initialize(&server, &req),
        ("ping", Era::Legacy) => Ok(Value::Object(JsonObject::new())),
        ("logging/setLevel", Era::Legacy) => lifecycle::set_level(&req),
        ("resources/subscribe", Era::Legacy) => resources::subscribe(&req, true),
        ("resources/unsubscribe", Era::Legacy) => resources::subscribe(&req, false),
        ("server/discover", Era::Modern) => lifecycle::discover(&server, &req),
        ("subscriptions/listen", Era::Modern) => Box::pin(listen::listen(&server, req)).await,
        (method, _) => Err(ErrorObject::method_not_found(method)),
    };
    match outcome {
        Ok(result) => McpResponse::result(&result),
        Err(error) => McpResponse::error(error),
    }
}

/// Reads typed params; absent params read as `{}`. A mismatch names the member
/// (`protocolVersion: invalid type: integer, expected a string`), found by reading
/// the text a second time on the error path only.
pub(crate) fn parse_params<T: DeserializeOwned>(req: &McpRequest) -> Result<T, ErrorObject> {
    let text = req.params().map_or("{}", |p| p.get());
    serde_json::from_str(text).map_err(|err| {
        let mut de = serde_json::Deserializer::from_str(text);
        let message = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(located) if located.path().iter().next().is_some() => {
                format!("{}: {}", located.path(), without_position(located.inner()))
            }
            _ => without_position(&err),
        };
        ErrorObject::invalid_params(message)
    })
}

/// serde's message without its ` at line L column C`, a position in a text the
/// client may never have seen.
pub(crate) fn without_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

/// Serialises a typed result, stamping the 2026-07-28 fields every result carries:
/// `resultType` and `_meta["io.modelcontextprotocol/serverInfo"]`.
pub(crate) fn finish<T: serde::Serialize>(
    server: &ServerInner,
    era: Era,
    result: &T,
    result_type: ResultType,
) -> Result<Value, ErrorObject> {
    let mut value = serde_json::to_value(result).map_err(ErrorObject::internal)?;
    if era == Era::Modern
        && let Value::Object(obj) = &mut value
    {
        obj.insert(
            "resultType".into(),
            serde_json::to_value(result_type).unwrap_or(Value::Null),
        );
        let meta = obj
            .entry("_meta")
            .or_insert_with(|| Value::Object(JsonObject::new()));
        if let Value::Object(meta) = meta {
            meta.entry(META_SERVER_INFO)
                .or_insert_with(|| server.info_json.clone());
        }
    }
    Ok(value)
}

/// Builds the handler's `Context` from the request, moving its extensions in.
pub(crate) fn context(server: &Arc<ServerInner>, req: McpRequest, input: InputRound) -> Context {
    Context::from_inner(ContextInner {
        server: server.clone(),
        task: None,
        id: req.id,
        version: req.version,
        meta: req.meta,
        peer: req.peer,
        session: req.session,
        cancel: req.cancel,
        extensions: req.extensions,
        last_progress: Default::default(),
        input,
        target: req.target,
    })
}
