//! `tools/call`: one lookup, the handler, and the era's rules for what comes back.
//!
//! An unknown tool is -32602 in both eras (2025-11-25 and 2026-07-28 `server/tools`,
//! "Error Handling"); arguments that do not fit and failures inside the tool are
//! `isError: true` results so the model can see and correct them; a panic is caught
//! and becomes such a result too, and the server goes on.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::context;
use crate::protocol::{
    CallToolResult, Era, ErrorObject, InputRequiredResult, JsonObject, META_SERVER_INFO, ResultType,
};
use crate::server::builder::ServerInner;
use crate::server::context::InputRound;
use crate::server::input::{self, Binding};
use crate::server::request::{CallParts, McpRequest, McpResponse};
use crate::server::tool::ToolCall;

#[derive(Deserialize)]
struct CallParams {
    name: String,
    #[serde(default)]
    arguments: Option<Box<RawValue>>,
    #[serde(default, rename = "requestState")]
    request_state: Option<String>,
    #[serde(default, rename = "inputResponses")]
    input_responses: Option<Box<RawValue>>,
}

impl From<CallParts> for CallParams {
    fn from(parts: CallParts) -> Self {
        CallParams {
            name: parts.name,
            arguments: parts.arguments,
            request_state: parts.request_state,
            input_responses: parts.input_responses,
        }
    }
}

pub(crate) fn invalid_state(err: impl std::fmt::Display) -> ErrorObject {
    ErrorObject::new(
        crate::protocol::code::INVALID_PARAMS,
        format!("Invalid or expired requestState: {err}"),
    )
    .with_data(json!({ "reason": "invalid_request_state" }))
}

/// Reads the answers a 2026-07-28 retry brings, verified against its `requestState`.
pub(crate) fn input_round(
    server: &ServerInner,
    era: Era,
    binding: impl FnOnce() -> Binding,
    state: Option<&str>,
    responses: Option<&RawValue>,
) -> Result<InputRound, ErrorObject> {
    if era == Era::Legacy {
        return Ok(InputRound::default());
    }
    let responses = responses
        .map(|raw| serde_json::from_str::<HashMap<String, Value>>(raw.get()))
        .transpose()
        .map_err(|e| ErrorObject::invalid_params(format!("inputResponses: {e}")))?;
    match (state, responses) {
        (None, None) => Ok(InputRound::default()),
        (None, Some(_)) => Err(invalid_state(
            "inputResponses were sent without requestState",
        )),
        (Some(state), responses) => input::open(
            &server.state_key,
            state,
            &binding(),
            responses.unwrap_or_default(),
        )
        .map(InputRound::with_answers)
        .map_err(invalid_state),
    }
}

/// Ends a 2026-07-28 call whose handler asked questions with an `InputRequiredResult`.
pub(crate) fn input_required(
    server: &ServerInner,
    binding: Binding,
    round: &InputRound,
    asked: Vec<(String, Value)>,
) -> McpResponse {
    let keys = asked.iter().map(|(k, _)| k.clone()).collect();
    let state = input::seal(
        &server.state_key,
        binding,
        server.config.request_state_ttl,
        keys,
        round.answers.clone(),
    );
    let requests: JsonObject = asked.into_iter().collect();
    let result = InputRequiredResult {
        result_type: Some(ResultType::InputRequired),
        input_requests: Some(serde_json::from_value(Value::Object(requests)).unwrap_or_default()),
        request_state: Some(state),
        meta: Some(server_meta(server)),
        ..Default::default()
    };
    McpResponse::result(&result)
}

pub(crate) fn server_meta(server: &ServerInner) -> JsonObject {
    let mut meta = JsonObject::new();
    meta.insert(META_SERVER_INFO.to_owned(), server.info_json.clone());
    meta
}

pub(super) async fn call_tool(server: &ServerInner, mut req: McpRequest) -> McpResponse {
    let params: CallParams = match req.call.take() {
        Some(parts) => parts.into(),
        None => match super::parse_params(&req) {
            Ok(p) => p,
            Err(err) => return McpResponse::error(err),
        },
    };
    let Some(tool) = server.registry.tools.get(&params.name) else {
        return McpResponse::error(ErrorObject::invalid_params(format!(
            "Unknown tool: {}",
            params.name
        )));
    };
    let era = req.era();
    // Only a 2026-07-28 call can need its binding (to open or seal requestState);
    // keep what it needs without hashing anything on the common path.
    let modern_args = if era == Era::Modern {
        Some(params.arguments.clone())
    } else {
        None
    };
    let binding = || {
        let args = modern_args
            .as_ref()
            .and_then(|a| a.as_deref())
            .map(RawValue::get);
        Binding::new("tools/call", &params.name, args)
    };
    let round = match input_round(
        server,
        era,
        binding,
        params.request_state.as_deref(),
        params.input_responses.as_deref(),
    ) {
        Ok(round) => round,
        Err(err) => return McpResponse::error(err),
    };
    req.params = None;
    let ctx = context(req, round);
    let call = ToolCall::new(ctx.clone(), params.arguments);
    let outcome = AssertUnwindSafe(tool.call(call)).catch_unwind().await;
    if let Some(fatal) = ctx.inner().input.take_fatal() {
        return McpResponse::error(fatal);
    }
    if era == Era::Modern {
        let asked = ctx.inner().input.take_asked();
        if !asked.is_empty() {
            return input_required(server, binding(), &ctx.inner().input, asked);
        }
    }
    let mut result = match outcome {
        Ok(Ok(result)) => result,
        Ok(Err(err)) => match err.into_protocol() {
            Ok(protocol) => return McpResponse::error(protocol),
            Err(message) => CallToolResult::error_text(message),
        },
        Err(panic) => {
            let what = panic_message(&panic);
            tracing::error!(tool = %params.name, panic = %what, "tool handler panicked");
            CallToolResult::error_text(format!("The tool failed unexpectedly: {what}"))
        }
    };
    if era == Era::Modern {
        result.result_type = Some(ResultType::Complete);
        result
            .meta
            .get_or_insert_with(JsonObject::new)
            .insert(META_SERVER_INFO.to_owned(), server.info_json.clone());
    }
    McpResponse::result(&result)
}

/// The text of a panic payload, for the error result and the log.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}
