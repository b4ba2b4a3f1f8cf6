//! `tools/call`: one lookup, the handler, and the era's rules for what comes back.
//!
//! An unknown tool is -32602 in both eras (2025-11-25 and 2026-07-28 `server/tools`,
//! "Error Handling"); arguments that do not fit and failures inside the tool are
//! `isError: true` results so the model can see and correct them; a panic is caught
//! and becomes such a result too, and the server goes on.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::context;
use super::invoke::{Outcome, input_round, invoke};
use crate::protocol::TaskSupport;
use crate::protocol::{CallToolResult, Era, ErrorObject, JsonObject, META_SERVER_INFO, ResultType};
use crate::server::builder::ServerInner;
use crate::server::input::Binding;
use crate::server::request::{CallParts, Failed, McpRequest, McpResponse};
use crate::server::task_run;
use crate::server::tasks::declares_tasks;
use crate::server::tasks::extension_required;
use crate::server::tool::ToolCall;
use crate::server::{Principal, ToolError};

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

impl From<CallParams> for CallParts {
    fn from(params: CallParams) -> Self {
        let text = |raw: Box<RawValue>| Box::<str>::from(raw.get());
        CallParts {
            name: params.name,
            arguments: params.arguments.map(text),
            request_state: params.request_state,
            input_responses: params.input_responses.map(text),
            tool: None,
        }
    }
}

/// How a tool's return (or panic) reaches the wire: the handler's own JSON-RPC error,
/// else an `isError` result; and in 2026-07-28 the fields every result carries.
pub(crate) fn settle(
    server: &ServerInner,
    era: Era,
    name: &str,
    returned: Result<Result<CallToolResult, ToolError>, String>,
) -> Result<CallToolResult, Failed> {
    let mut result = match returned {
        Ok(Ok(result)) => result,
        Ok(Err(err)) => match err.into_protocol() {
            Ok(failed) => return Err(failed),
            Err(message) => CallToolResult::error_text(message),
        },
        Err(what) => {
            tracing::error!(tool = %name, panic = %what, "tool handler panicked");
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
    Ok(result)
}

pub(super) async fn call_tool(server: &Arc<ServerInner>, mut req: McpRequest) -> McpResponse {
    let mut params: CallParts = match req.call.take() {
        Some(parts) => parts,
        None => match super::parse_params::<CallParams>(&req) {
            Ok(p) => p.into(),
            Err(err) => return McpResponse::error(err),
        },
    };
    let found = params.tool.take();
    let Some(tool) = found.or_else(|| server.registry.tools.get(&params.name)) else {
        return McpResponse::error(ErrorObject::invalid_params(format!(
            "Unknown tool: {}",
            params.name
        )));
    };
    let era = req.era();
    // Only a 2026-07-28 call can need its binding (to open or seal requestState);
    // keep what it needs without hashing anything on the common path.
    let modern = if era == Era::Modern {
        Some((
            params.arguments.clone(),
            req.extensions.get::<Principal>().cloned(),
        ))
    } else {
        None
    };
    let binding = || {
        let (args, caller) = match &modern {
            Some((args, caller)) => (args.as_deref(), caller.as_ref()),
            None => (None, None),
        };
        Binding::new("tools/call", &params.name, args).for_caller(caller)
    };
    let round = match input_round(
        server,
        era,
        binding,
        params.request_state.as_deref(),
        params.input_responses.as_deref().map(serde_json::from_str),
    ) {
        Ok(round) => round,
        Err(err) => return McpResponse::error(err),
    };
    req.params = None;
    let ctx = context(server, req, round);
    if era == Era::Modern && tool.task_support != TaskSupport::Forbidden {
        if declares_tasks(ctx.inner().meta.client_capabilities.as_deref()) {
            let arguments = params.arguments.take();
            let handler = tool.clone();
            let started = task_run::start(&ctx, params.name.clone(), move |task_ctx| {
                handler.call(ToolCall::new(task_ctx, arguments))
            });
            return match started {
                Ok(created) => McpResponse::result(&created),
                Err(error) => McpResponse::error(error),
            };
        }
        if tool.task_support == TaskSupport::Required {
            return McpResponse::error(extension_required());
        }
    }
    let call = ToolCall::new(ctx.clone(), params.arguments);
    let returned = match invoke(server, &ctx, binding, tool.call(call)).await {
        Outcome::Respond(response) => return response,
        Outcome::Returned(Err(err)) if err.as_task_created().is_some() => {
            let created = err.as_task_created().cloned().unwrap_or_default();
            return McpResponse::result(&created);
        }
        Outcome::Returned(returned) => Ok(returned),
        Outcome::Panicked(what) => Err(what),
    };
    match settle(server, era, &params.name, returned) {
        Ok(result) => McpResponse::tool_result(&result),
        Err(failed) => McpResponse::failed(failed),
    }
}
