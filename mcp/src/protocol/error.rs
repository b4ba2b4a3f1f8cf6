//! JSON-RPC error objects and the one mapping from boltmcp's error kinds to wire codes.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON-RPC and MCP error codes, exactly as the specification names them.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i32 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i32 = -32600;
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// Legacy revisions: the requested resource does not exist.
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// Legacy 2025-11-25: the server needs the client to complete a URL elicitation first.
    pub const URL_ELICITATION_REQUIRED: i32 = -32042;
    /// 2026-07-28: an HTTP header disagrees with the request body.
    pub const HEADER_MISMATCH: i32 = -32020;
    /// 2026-07-28: the request needs a client capability the client did not declare.
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i32 = -32021;
    /// 2026-07-28: the requested protocol version is not supported.
    pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
}

/// A JSON-RPC error object: the `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code; see [`code`].
    pub code: i32,
    /// A short description of the error.
    pub message: String,
    /// Additional information, as the code's definition prescribes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with a code and message and no data.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32700: the message was not valid JSON.
    pub fn parse_error(detail: impl fmt::Display) -> Self {
        Self::new(code::PARSE_ERROR, format!("Parse error: {detail}"))
    }

    /// -32600: the message was JSON but not a valid JSON-RPC request.
    pub fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_REQUEST, format!("Invalid request: {detail}"))
    }

    /// -32601: no such method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }

    /// -32602: the params did not fit the method.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }

    /// -32603: the server failed.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::new(code::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }

    /// -32022 with `{supported, requested}`, as the 2026-07-28 versioning rules require.
    pub fn unsupported_version(requested: &str, supported: &[&str]) -> Self {
        Self::new(
            code::UNSUPPORTED_PROTOCOL_VERSION,
            format!("Unsupported protocol version: {requested}"),
        )
        .with_data(serde_json::json!({ "supported": supported, "requested": requested }))
    }

    /// -32021 with `{requiredCapabilities}`.
    pub fn missing_client_capability(required: Value) -> Self {
        Self::new(
            code::MISSING_REQUIRED_CLIENT_CAPABILITY,
            "Missing required client capability",
        )
        .with_data(serde_json::json!({ "requiredCapabilities": required }))
    }

    /// -32020: an HTTP header disagrees with the body.
    pub fn header_mismatch(detail: impl fmt::Display) -> Self {
        Self::new(code::HEADER_MISMATCH, format!("Header mismatch: {detail}"))
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constructor_uses_the_spec_code() {
        let cases = [
            (ErrorObject::parse_error("x"), -32700),
            (ErrorObject::invalid_request("x"), -32600),
            (ErrorObject::method_not_found("x"), -32601),
            (ErrorObject::invalid_params("x"), -32602),
            (ErrorObject::internal("x"), -32603),
            (ErrorObject::header_mismatch("x"), -32020),
            (ErrorObject::missing_client_capability(Value::Null), -32021),
            (
                ErrorObject::unsupported_version("1999-01-01", &["2026-07-28"]),
                -32022,
            ),
        ];
        for (err, code) in cases {
            assert_eq!(err.code, code, "{err}");
        }
    }

    #[test]
    fn unsupported_version_carries_supported_and_requested() {
        let err = ErrorObject::unsupported_version("1999-01-01", &["2026-07-28", "2025-11-25"]);
        let data = err.data.expect("data");
        assert_eq!(data["requested"], "1999-01-01");
        assert_eq!(data["supported"][1], "2025-11-25");
    }
}
