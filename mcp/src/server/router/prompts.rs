//! `prompts/get` and `completion/complete`.

use std::sync::Arc;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::invoke::{Outcome, RetryParams, invoke};
use super::resources::handler_error;
use super::{context, finish, parse_params};
use crate::protocol::{ErrorObject, ResultType};
use crate::server::builder::ServerInner;
use crate::server::input::Binding;
use crate::server::prompt::PromptRequest;
use crate::server::request::{McpRequest, McpResponse};

#[derive(Deserialize)]
struct GetParams {
    name: String,
    #[serde(default)]
    arguments: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    retry: RetryParams,
}

pub(super) async fn get(server: &Arc<ServerInner>, req: McpRequest) -> McpResponse {
    let era = req.era();
    let params: GetParams = match parse_params(&req) {
        Ok(p) => p,
        Err(err) => return McpResponse::error(err),
    };
    let Some(prompt) = server.registry.prompts.get(&params.name) else {
        return McpResponse::error(ErrorObject::invalid_params(format!(
            "Unknown prompt: {}",
            params.name
        )));
    };
    let arguments = params.arguments.unwrap_or_default();
    let missing: Vec<&str> = prompt
        .prompt
        .arguments
        .iter()
        .flatten()
        .filter(|a| a.required == Some(true) && !arguments.contains_key(&a.name))
        .map(|a| a.name.as_str())
        .collect();
    if !missing.is_empty() {
        return McpResponse::error(ErrorObject::invalid_params(format!(
            "Missing required arguments: {}",
            missing.join(", ")
        )));
    }
    let args_json = serde_json::to_string(&arguments).unwrap_or_default();
    let binding = Binding::new("prompts/get", &params.name, Some(&args_json))
        .for_caller(req.extensions.get::<crate::server::Principal>());
    let round = match params.retry.round(server, era, &binding) {
        Ok(round) => round,
        Err(err) => return McpResponse::error(err),
    };
    let ctx = context(server, req, round);
    let request = PromptRequest {
        ctx: ctx.clone(),
        arguments,
    };
    let result = match invoke(server, &ctx, || binding, prompt.get(request)).await {
        Outcome::Respond(response) => return response,
        Outcome::Returned(Ok(result)) => result,
        Outcome::Returned(Err(err)) => return handler_error(err),
        Outcome::Panicked(what) => return McpResponse::error(ErrorObject::internal(what)),
    };
    match finish(server, era, &result, ResultType::Complete) {
        Ok(value) => McpResponse::result(&value),
        Err(err) => McpResponse::error(err),
    }
}

#[derive(Deserialize)]
struct CompleteParams {
    #[serde(rename = "ref")]
    reference: Value,
    argument: CompleteArgument,
}

#[derive(Deserialize)]
struct CompleteArgument {
    name: String,
    value: String,
}

/// 2025-11-25 `server/utilities/completion`: at most 100 values, with `total` and
/// `hasMore` telling the client there were more.
pub(super) fn complete(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let params: CompleteParams = parse_params(req)?;
    let kind = params
        .reference
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let completer = match kind {
        "ref/prompt" => {
            let name = params
                .reference
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let prompt =
                server.registry.prompts.get(name).ok_or_else(|| {
                    ErrorObject::invalid_params(format!("Unknown prompt: {name}"))
                })?;
            prompt.completer.clone()
        }
        "ref/resource" => {
            let uri = params
                .reference
                .get("uri")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let template = server.registry.templates.get(uri).ok_or_else(|| {
                ErrorObject::invalid_params(format!("Unknown resource template: {uri}"))
            })?;
            template.completer.clone()
        }
        other => {
            return Err(ErrorObject::invalid_params(format!(
                "Unknown reference type: {other:?}"
            )));
        }
    };
    let mut values = completer
        .map(|c| c(&params.argument.name, &params.argument.value))
        .unwrap_or_default();
    let total = values.len();
    values.truncate(100);
    let result =
        json!({ "completion": { "values": values, "total": total, "hasMore": total > 100 } });
    finish(server, req.era(), &result, ResultType::Complete)
}
