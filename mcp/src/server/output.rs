//! What a tool handler may return, and how each becomes a `CallToolResult`.

use serde::Serialize;
use serde_json::Value;

use super::ToolError;
use crate::protocol::{CallToolResult, ContentBlock};

/// Converts a handler's return value into a tool result.
///
/// Implemented for text (`String`, `&'static str`), content blocks, a ready
/// `CallToolResult`, structured output ([`Json`]) and `Result`s of those: an `Err`
/// becomes a result with `isError: true` carrying the error's message, never a
/// JSON-RPC error, as the spec asks of tool execution failures.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an MCP tool",
    label = "return a String, a CallToolResult, Json<T> for structured output, or a Result of those",
    note = "`#[tool]` wraps other `Serialize + JsonSchema` types in `Json` for you"
)]
pub trait IntoCallToolResult {
    /// Performs the conversion.
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError>;
}

impl IntoCallToolResult for CallToolResult {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(self)
    }
}

impl IntoCallToolResult for String {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoCallToolResult for &'static str {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult::text(self))
    }
}

impl IntoCallToolResult for () {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult {
            content: Vec::new(),
            ..Default::default()
        })
    }
}

impl IntoCallToolResult for ContentBlock {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult {
            content: vec![self],
            ..Default::default()
        })
    }
}

impl IntoCallToolResult for Vec<ContentBlock> {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Ok(CallToolResult {
            content: self,
            ..Default::default()
        })
    }
}

impl IntoCallToolResult for ToolError {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        Err(self)
    }
}

impl<T: IntoCallToolResult, E: std::fmt::Display + 'static> IntoCallToolResult for Result<T, E> {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        match self {
            Ok(value) => value.into_call_tool_result(),
            Err(err) => error_result(err),
        }
    }
}

/// A tool's `Err`: an `isError` result with its message, unless it is a `ToolError`
/// carrying a JSON-RPC error the handler chose or a task's handle
/// ([`Context::as_task`](super::Context::as_task)), which are answered as such.
#[doc(hidden)]
pub fn error_result<E: std::fmt::Display + 'static>(err: E) -> Result<CallToolResult, ToolError> {
    let err = super::error::into_tool_error(err);
    // A JSON-RPC error the handler chose, or the handle of the task the call became,
    // is answered as itself.
    if err.as_protocol().is_some() || err.as_task_created().is_some() {
        return Err(err);
    }
    Ok(CallToolResult::error_text(err.message()))
}

/// Structured tool output: the value is sent as `structuredContent` and, for clients
/// that predate structured output, as its JSON text.
///
/// `structuredContent` must be an object; any other value is sent as `{"result": value}`,
/// which is also the shape `#[tool]` declares in the tool's `outputSchema`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoCallToolResult for Json<T> {
    fn into_call_tool_result(self) -> Result<CallToolResult, ToolError> {
        let value = serde_json::to_value(&self.0).map_err(ToolError::output)?;
        let wrap = !value.is_object();
        Ok(structured_result(value, wrap))
    }
}

/// What a synchronous tool produced: a finished result, or structured output already
/// serialised, which the fast path writes straight into the response with no
/// intermediate `serde_json::Value`.
#[doc(hidden)]
#[derive(Debug)]
pub enum SyncOutput {
    /// A finished result.
    Result(CallToolResult),
    /// The JSON text of `structuredContent` (already wrapped when the schema says so),
    /// in a buffer the fast path hands back with [`recycle`] once written out.
    Structured(Vec<u8>),
}

thread_local! {
    /// One serialisation buffer per thread, reused call after call.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Returns a buffer from [`SyncOutput::Structured`] for the next call to reuse.
pub(crate) fn recycle(mut buffer: Vec<u8>) {
    buffer.clear();
    SCRATCH.set(buffer);
}

impl SyncOutput {
    /// The same output as a `CallToolResult`, for the general path.
    pub(crate) fn into_result(self) -> CallToolResult {
        match self {
            SyncOutput::Result(result) => result,
            SyncOutput::Structured(json) => {
                // serde_json wrote it, so it is UTF-8 JSON.
                let json = String::from_utf8(json).unwrap_or_default();
                let value = serde_json::from_str(&json).unwrap_or(Value::Null);
                CallToolResult {
                    content: vec![ContentBlock::text(json)],
                    structured_content: Some(value),
                    ..Default::default()
                }
            }
        }
    }
}

#[derive(Serialize)]
struct Wrapped<'a, T> {
    result: &'a T,
}

/// Serialises structured output, as `{"result": …}` when `wrap`.
#[doc(hidden)]
pub fn structured_json<T: Serialize>(value: &T, wrap: bool) -> SyncOutput {
    let mut json = SCRATCH.take();
    json.clear();
    let written = if wrap {
        serde_json::to_writer(&mut json, &Wrapped { result: value })
    } else {
        serde_json::to_writer(&mut json, value)
    };
    match written {
        Ok(()) => SyncOutput::Structured(json),
        Err(err) => SyncOutput::Result(CallToolResult::error_text(format!(
            "the tool's output could not be serialised: {err}"
        ))),
    }
}

/// Builds a structured result, wrapping the value in `{"result": …}` when asked.
#[doc(hidden)]
pub fn structured_result(value: Value, wrap: bool) -> CallToolResult {
    let value = if wrap {
        serde_json::json!({ "result": value })
    } else {
        value
    };
    CallToolResult::structured(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn err_becomes_is_error_with_the_message() {
        let result: Result<String, &str> = Err("division by zero");
        let out = result.into_call_tool_result().expect("tool result");
        assert_eq!(out.is_error, Some(true));
        assert_eq!(out.content, vec![ContentBlock::text("division by zero")]);
    }

    #[test]
    fn json_wraps_scalars_but_not_objects() {
        let scalar = Json(8.0).into_call_tool_result().expect("ok");
        assert_eq!(
            scalar.structured_content,
            Some(serde_json::json!({"result": 8.0}))
        );
        let object = Json(serde_json::json!({"sum": 3}))
            .into_call_tool_result()
            .expect("ok");
        assert_eq!(
            object.structured_content,
            Some(serde_json::json!({"sum": 3}))
        );
    }
}
