//! Tools whose handlers are Python callables (see [`handler`](crate::handler)), with
//! the per-tool policies `#[tool(...)]` declares.

use std::sync::Arc;

use boltmcp::protocol::{CallToolResult, TaskSupport, Tool};
use boltmcp::server::{TargetMeta, ToolDef, ToolError};

use crate::handler::{Handler, shared_tags, split};

/// A tool whose handler is `handler`.
pub(crate) fn python_tool(tool: Tool, handler: Handler, task: TaskSupport) -> ToolDef {
    let handler = Arc::new(handler);
    ToolDef::from_boxed(tool, TargetMeta::default(), move |call| {
        let handler = handler.clone();
        Box::pin(async move {
            let arguments = call.raw_arguments().to_owned();
            read_answer(handler.call(arguments, &call.ctx).await?)
        })
    })
    .task_support(task)
}

/// The result a tool's handler answered: `T` and a text, `S` and structured
/// content's JSON (also the text, for clients that ignore `structuredContent`), `R`
/// and a whole `CallToolResult`'s JSON, `E` and an error's message (an `isError`
/// result), or one of the shared tags.
pub(crate) fn read_answer(answer: String) -> Result<CallToolResult, ToolError> {
    let malformed = |err: serde_json::Error| ToolError::new(format!("the handler's result: {err}"));
    let (tag, body) = split(answer);
    match tag {
        'T' => Ok(CallToolResult::text(body)),
        'E' => Ok(CallToolResult::error_text(body)),
        'S' => {
            let structured = serde_json::from_str(&body).map_err(malformed)?;
            Ok(CallToolResult {
                structured_content: Some(structured),
                ..CallToolResult::text(body)
            })
        }
        'R' => serde_json::from_str(&body).map_err(malformed),
        other => Err(shared_tags(other, &body).unwrap_or_else(|| {
            ToolError::new(format!("the handler's answer has no kind: {other:?}"))
        })),
    }
}
