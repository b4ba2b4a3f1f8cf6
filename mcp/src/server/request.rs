//! `McpRequest` and `McpResponse`: what flows through the server's tower stack.
//!
//! A transport builds the request with the method, the raw params, the era, the
//! request's `_meta`, and `http::Extensions` where it and the layers record what they
//! learned (HTTP headers, the caller's claims, the peer address).

use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio_util::sync::CancellationToken;

use super::peer::Peer;
use super::refusal::Refusal;
use super::session::Session;
use super::target::Target;
use crate::protocol::{
    ClientCapabilities, Era, ErrorObject, LoggingLevel, ProgressToken, ProtocolVersion, RequestId,
};

/// The `_meta` of a request, read once by the transport.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Where progress notifications for this request go, if the client wants them.
    pub progress_token: Option<ProgressToken>,
    /// 2026-07-28: `io.modelcontextprotocol/protocolVersion`.
    pub protocol_version: Option<String>,
    /// 2026-07-28: `io.modelcontextprotocol/clientCapabilities`.
    pub client_capabilities: Option<Box<ClientCapabilities>>,
    /// 2026-07-28: `io.modelcontextprotocol/logLevel`.
    pub log_level: Option<LoggingLevel>,
    /// 2026-07-28: `io.modelcontextprotocol/clientInfo`.
    pub client_info: Option<Box<crate::protocol::Implementation>>,
}

/// The params of a `tools/call`, read once by the engine.
#[derive(Debug)]
pub(crate) struct CallParts {
    pub(crate) name: String,
    pub(crate) arguments: Option<Box<str>>,
    pub(crate) request_state: Option<String>,
    pub(crate) input_responses: Option<Box<str>>,
    /// The tool, looked up once by the engine when it resolved the target.
    pub(crate) tool: Option<super::tool::ToolDef>,
}

/// One MCP request on its way through the server's tower stack to the router.
#[derive(Debug)]
pub struct McpRequest {
    pub(crate) id: RequestId,
    pub(crate) method: std::borrow::Cow<'static, str>,
    pub(crate) params: Option<Box<RawValue>>,
    pub(crate) version: ProtocolVersion,
    pub(crate) meta: RequestMeta,
    pub(crate) target: Option<Target>,
    pub(crate) call: Option<CallParts>,
    pub(crate) peer: Peer,
    pub(crate) session: Arc<Session>,
    pub(crate) cancel: CancellationToken,
    pub(crate) extensions: http::Extensions,
}

impl McpRequest {
    /// The JSON-RPC id.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The method, e.g. `tools/call`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The raw params as sent.
    pub fn params(&self) -> Option<&RawValue> {
        self.params.as_deref()
    }

    /// The protocol revision this request is spoken in.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The era of this request.
    pub fn era(&self) -> Era {
        self.version.era()
    }

    /// The request's `_meta`.
    pub fn meta(&self) -> &RequestMeta {
        &self.meta
    }

    /// The tool, prompt or resource this request targets, with its declared metadata.
    pub fn target(&self) -> Option<&Target> {
        self.target.as_ref()
    }

    /// Fires when the client cancels the request or disconnects.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// What the transport and earlier layers recorded about this request.
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// Mutable access, for layers that add what they learned (verified claims, say).
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }
}

/// A failed request: its JSON-RPC error, and the refusal behind it, if any.
pub(crate) type Failed = (ErrorObject, Option<Refusal>);

/// The outcome of one request: a serialised result or a JSON-RPC error, and for a
/// refused request the [`Refusal`] that says how each transport answers it.
#[derive(Debug)]
pub struct McpResponse {
    body: Result<Box<RawValue>, ErrorObject>,
    refusal: Option<Box<Refusal>>,
    /// A `tools/call` result with `isError`, for observers (metrics).
    tool_error: bool,
    extensions: http::Extensions,
}

impl McpResponse {
    /// A successful result, serialised now.
    pub fn result<T: Serialize>(result: &T) -> Self {
        match serde_json::value::to_raw_value(result) {
            Ok(raw) => Self::raw(raw),
            Err(err) => Self::error(ErrorObject::internal(format!(
                "result did not serialise: {err}"
            ))),
        }
    }

    /// A `tools/call` result, serialised now; one with `isError` is counted as a
    /// tool error by observers ([`is_tool_error`](Self::is_tool_error)).
    pub fn tool_result(result: &crate::protocol::CallToolResult) -> Self {
        let mut response = Self::result(result);
        response.tool_error = result.is_error == Some(true) && !response.is_error();
        response
    }

    /// True for a `tools/call` result with `isError` made by
    /// [`tool_result`](Self::tool_result).
    pub fn is_tool_error(&self) -> bool {
        self.tool_error
    }

    /// A result that is already JSON.
    pub fn raw(result: Box<RawValue>) -> Self {
        McpResponse {
            body: Ok(result),
            refusal: None,
            tool_error: false,
            extensions: http::Extensions::new(),
        }
    }

    /// A JSON-RPC error response.
    pub fn error(error: ErrorObject) -> Self {
        McpResponse {
            body: Err(error),
            refusal: None,
            tool_error: false,
            extensions: http::Extensions::new(),
        }
    }

    /// A refusal: its JSON-RPC error, and over HTTP its status and headers.
    pub fn refused(refusal: Refusal) -> Self {
        McpResponse {
            body: Err(refusal.error().clone()),
            refusal: Some(Box::new(refusal)),
            tool_error: false,
            extensions: http::Extensions::new(),
        }
    }

    /// The refusal, when the request was refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        self.refusal.as_deref()
    }

    /// The response to a failed request: a refusal when there is one, else the error.
    pub(crate) fn failed((error, refusal): Failed) -> Self {
        match refusal {
            Some(refusal) => McpResponse::refused(refusal),
            None => McpResponse::error(error),
        }
    }

    /// The result, or the error and the refusal behind it.
    pub(crate) fn into_outcome(self) -> Result<Box<RawValue>, Failed> {
        match self.body {
            Ok(result) => Ok(result),
            Err(error) => Err((error, self.refusal.map(|r| *r))),
        }
    }

    /// The result or the error.
    pub fn body(&self) -> Result<&RawValue, &ErrorObject> {
        self.body.as_deref()
    }

    /// Consumes the response into its result or error.
    pub fn into_body(self) -> Result<Box<RawValue>, ErrorObject> {
        self.body
    }

    /// True for an error response.
    pub fn is_error(&self) -> bool {
        self.body.is_err()
    }

    /// What layers attach for the transport, such as an HTTP status or a challenge header.
    pub fn extensions(&self) -> &http::Extensions {
        &self.extensions
    }

    /// Mutable access to the extensions.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.extensions
    }
}
