//! `resources/read` and the legacy `resources/subscribe` / `resources/unsubscribe`.
//!
//! A missing resource is -32002 with `{uri}` in the legacy era and -32602 in
//! 2026-07-28, which forbids -32002 (2026-07-28 `basic/index`, "Error Codes").

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::invoke::{Outcome, RetryParams, invoke};
use super::{context, finish, parse_params};
use crate::protocol::{CacheScope, Era, ErrorObject, ResultType, SubscribeRequestParams, code};
use crate::server::ToolError;
use crate::server::builder::ServerInner;
use crate::server::input::Binding;
use crate::server::request::{McpRequest, McpResponse};
use crate::server::resource::ResourceRequest;

#[derive(Deserialize)]
struct ReadParams {
    uri: String,
    #[serde(flatten)]
    retry: RetryParams,
}

pub(crate) fn not_found(era: Era, uri: &str) -> ErrorObject {
    let code = match era {
        Era::Legacy => code::RESOURCE_NOT_FOUND,
        Era::Modern => code::INVALID_PARAMS,
    };
    ErrorObject::new(code, format!("Resource not found: {uri}")).with_data(json!({ "uri": uri }))
}

/// A handler failure on a read or a prompt: the handler's own JSON-RPC error, -32602
/// for arguments (or template variables) that do not fit, else -32603.
pub(crate) fn handler_error(err: ToolError) -> McpResponse {
    if err.is_invalid_arguments() {
        return McpResponse::error(ErrorObject::new(code::INVALID_PARAMS, err.message()));
    }
    match err.into_protocol() {
        Ok(failed) => McpResponse::failed(failed),
        Err(message) => McpResponse::error(ErrorObject::internal(message)),
    }
}

pub(super) async fn read(server: &Arc<ServerInner>, req: McpRequest) -> McpResponse {
    let era = req.era();
    let params: ReadParams = match parse_params(&req) {
        Ok(p) => p,
        Err(err) => return McpResponse::error(err),
    };
    let (handler, vars) = if let Some(def) = server.registry.resources.get(&params.uri) {
        (def.handler.clone(), Default::default())
    } else {
        let templates = server.registry.templates.snapshot();
        let found = templates.values().find_map(|t| {
            t.matcher
                .matches(&params.uri)
                .map(|vars| (t.handler.clone(), vars))
        });
        match found {
            Some(found) => found,
            None => return McpResponse::error(not_found(era, &params.uri)),
        }
    };
    let binding = Binding::new("resources/read", &params.uri, None)
        .for_caller(req.extensions.get::<crate::server::Principal>());
    let round = match params.retry.round(server, era, &binding) {
        Ok(round) => round,
        Err(err) => return McpResponse::error(err),
    };
    let ctx = context(server, req, round);
    let request = ResourceRequest {
        ctx: ctx.clone(),
        uri: params.uri.clone(),
        params: vars,
    };
    let mut result = match invoke(server, &ctx, || binding, handler(request)).await {
        Outcome::Respond(response) => return response,
        Outcome::Returned(Ok(result)) => result,
        Outcome::Returned(Err(err)) => return handler_error(err),
        Outcome::Panicked(what) => return McpResponse::error(ErrorObject::internal(what)),
    };
    if era == Era::Modern {
        result.ttl_ms = Some(server.config.read_ttl.as_millis() as u64);
        result.cache_scope = Some(CacheScope::Private);
    }
    match finish(server, era, &result, ResultType::Complete) {
        Ok(value) => McpResponse::result(&value),
        Err(err) => McpResponse::error(err),
    }
}

/// 2025-11-25 `server/resources`, "Subscriptions": the session remembers the URI and
/// forwards `notifications/resources/updated` for it.
pub(super) fn subscribe(req: &McpRequest, on: bool) -> Result<Value, ErrorObject> {
    let params: SubscribeRequestParams = parse_params(req)?;
    if on {
        req.session.subscribe(&params.uri);
    } else {
        req.session.unsubscribe(&params.uri);
    }
    Ok(json!({}))
}
