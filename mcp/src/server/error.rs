//! `ToolError`: how a handler says it failed, and how that failure reaches the wire.

use std::fmt;

use super::refusal::Refusal;
use super::request::Failed;
use crate::protocol::ErrorObject;

#[derive(Debug)]
enum Kind {
    /// The tool ran and failed: an `isError: true` result.
    Failed,
    /// The arguments did not fit the schema: also an `isError: true` result, so the
    /// model can correct itself (2025-11-25 `server/tools`, "Error Handling").
    InvalidArguments,
    /// The output could not be serialised.
    Output,
    /// A JSON-RPC error chosen by the handler.
    Protocol(ErrorObject),
    /// A refusal, answered over HTTP with its own status and headers.
    Refused(Box<Refusal>),
    /// 2026-07-28: the handler asked the client something; the call ends with an
    /// `InputRequiredResult` and resumes when the client retries with the answers.
    InputRequired,
    /// The call goes on as a task; the client is answered with this `CreateTaskResult`.
    TaskCreated(serde_json::Value),
}

/// An error from a tool, prompt or resource handler.
///
/// Any `std::error::Error` converts into it with `?`. Like `anyhow::Error` it does not
/// itself implement `std::error::Error`, which is what makes that conversion possible.
pub struct ToolError {
    kind: Kind,
    message: String,
}

impl ToolError {
    /// A failure with this message; the client sees it as an `isError` result.
    pub fn new(message: impl fmt::Display) -> Self {
        ToolError {
            kind: Kind::Failed,
            message: message.to_string(),
        }
    }

    /// The arguments could not be read as the tool's parameters.
    pub fn invalid_arguments(err: impl fmt::Display) -> Self {
        ToolError {
            kind: Kind::InvalidArguments,
            message: format!("Invalid arguments: {err}"),
        }
    }

    /// The handler's output could not be serialised.
    pub(crate) fn output(err: impl fmt::Display) -> Self {
        ToolError {
            kind: Kind::Output,
            message: format!("Output could not be serialised: {err}"),
        }
    }

    /// Answer the request with this JSON-RPC error instead of a result.
    pub fn protocol(error: ErrorObject) -> Self {
        ToolError {
            message: error.message.clone(),
            kind: Kind::Protocol(error),
        }
    }

    /// Refuse the request: answered with the refusal's JSON-RPC error, and over HTTP
    /// with its status and headers (401, 403, 429).
    pub fn refused(refusal: Refusal) -> Self {
        ToolError {
            message: refusal.error().message.clone(),
            kind: Kind::Refused(Box::new(refusal)),
        }
    }

    pub(crate) fn input_required() -> Self {
        ToolError {
            kind: Kind::InputRequired,
            message: "input required from the client".to_owned(),
        }
    }

    pub(crate) fn task_created(created: serde_json::Value) -> Self {
        ToolError {
            kind: Kind::TaskCreated(created),
            message: "the call continues as a task".to_owned(),
        }
    }

    /// The `CreateTaskResult` when the call went on as a task.
    pub(crate) fn as_task_created(&self) -> Option<&serde_json::Value> {
        match &self.kind {
            Kind::TaskCreated(created) => Some(created),
            _ => None,
        }
    }

    /// True when the call is waiting for the client's answers (2026-07-28 only).
    pub fn is_input_required(&self) -> bool {
        matches!(self.kind, Kind::InputRequired)
    }

    /// The message the client will see.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True when the arguments did not fit the tool's parameters.
    pub fn is_invalid_arguments(&self) -> bool {
        matches!(self.kind, Kind::InvalidArguments)
    }

    /// The JSON-RPC error to answer with, when the handler chose one.
    pub fn as_protocol(&self) -> Option<&ErrorObject> {
        match &self.kind {
            Kind::Protocol(err) => Some(err),
            Kind::Refused(refusal) => Some(refusal.error()),
            _ => None,
        }
    }

    /// The JSON-RPC error (and refusal) the handler chose; else the message.
    pub(crate) fn into_protocol(self) -> Result<Failed, String> {
        match self.kind {
            Kind::Protocol(err) => Ok((err, None)),
            Kind::Refused(refusal) => Ok((refusal.error().clone(), Some(*refusal))),
            _ => Err(self.message),
        }
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns a handler's error into a `ToolError`, keeping it whole when it already is one
/// (so `ToolError::protocol` and `ToolError::invalid_arguments` keep their meaning
/// through a `Result<_, ToolError>`), else taking its message.
pub(crate) fn into_tool_error<E: fmt::Display + 'static>(err: E) -> ToolError {
    let mut slot = Some(err);
    if let Some(tool) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<ToolError>>()
        && let Some(tool) = tool.take()
    {
        return tool;
    }
    match slot {
        Some(err) => ToolError::new(err),
        None => ToolError::new("error"),
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ToolError {
    fn from(err: E) -> Self {
        ToolError::new(err)
    }
}
