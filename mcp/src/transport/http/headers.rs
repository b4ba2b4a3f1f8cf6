//! The 2026-07-28 request metadata headers: `MCP-Protocol-Version`, `Mcp-Method`,
//! `Mcp-Name` and a tool's `Mcp-Param-{Name}` must be present where required and
//! equal what the body says, or the request is refused with 400 and -32020
//! (2026-07-28 `basic/transports/streamable-http` §Request Metadata, §Server Validation).

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::protocol::ErrorObject;
use crate::protocol::header_values;
use crate::server::{Refusal, RequestCheck, Server, WireRequest};

/// `MCP-Protocol-Version`.
pub const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// `Mcp-Method`.
pub const METHOD: &str = "mcp-method";
/// `Mcp-Name`.
pub const NAME: &str = "mcp-name";
/// `Mcp-Session-Id` (legacy sessions).
pub const SESSION_ID: &str = "mcp-session-id";
/// The prefix of a tool parameter mirrored into a header.
pub const PARAM_PREFIX: &str = "mcp-param-";

/// A header's value as text; `Err` for bytes outside visible ASCII, space and tab.
fn text<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, ErrorObject> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| {
            ErrorObject::header_mismatch(format!("the {name} header has invalid characters"))
        }),
    }
}

/// Decodes the `=?base64?…?=` sentinel form (§Value Encoding); other values are as is.
pub fn decode_value(value: &str) -> Result<std::borrow::Cow<'_, str>, ErrorObject> {
    header_values::decode(value).ok_or_else(|| {
        ErrorObject::header_mismatch(format!(
            "the header value {value:?} is not valid base64 of UTF-8"
        ))
    })
}

/// Checks one 2026-07-28 request's headers against its body.
/// Checks one 2026-07-28 request's headers (the `HeaderMap` in its extensions)
/// against its body.
pub(crate) struct ModernHeaders<'a> {
    pub(crate) server: &'a Server,
}

/// Methods 2026-07-28 removed: a request for one is answered like an unknown method
/// (2026-07-28 `changelog`; `basic/transports/streamable-http` §Protocol Version Header).
const REMOVED: [&str; 5] = [
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

impl RequestCheck for ModernHeaders<'_> {
    fn check(
        &self,
        request: &WireRequest<'_>,
        extensions: &http::Extensions,
    ) -> Result<(), Refusal> {
        if REMOVED.contains(&request.method) {
            return Err(Refusal::rejected(
                ErrorObject::method_not_found(request.method),
                StatusCode::NOT_FOUND,
            ));
        }
        let none = HeaderMap::new();
        let headers = extensions.get::<HeaderMap>().unwrap_or(&none);
        self.check_headers(request, headers)
            .map_err(|error| Refusal::rejected(error, StatusCode::BAD_REQUEST))
    }
}

impl ModernHeaders<'_> {
    /// The order follows 2026-07-28 `basic/transports/streamable-http` §Server
    /// Validation: the version header, the `_meta` stamp, their agreement, then the
    /// method and name headers.
    fn check_headers(
        &self,
        request: &WireRequest<'_>,
        headers: &HeaderMap,
    ) -> Result<(), ErrorObject> {
        let Some(version) = text(headers, PROTOCOL_VERSION)?.map(str::trim) else {
            return Err(ErrorObject::header_mismatch(
                "the MCP-Protocol-Version header is required",
            ));
        };
        // 2026-07-28 `basic/index` §_meta: both keys are required on every request.
        if request.protocol_version.is_none() {
            return Err(ErrorObject::invalid_params(
                "params._meta is missing the required key io.modelcontextprotocol/protocolVersion",
            ));
        }
        if !request.has_client_capabilities {
            return Err(ErrorObject::invalid_params(
                "params._meta is missing the required key io.modelcontextprotocol/clientCapabilities",
            ));
        }
        if request.protocol_version != Some(version) {
            return Err(ErrorObject::header_mismatch(format!(
                "MCP-Protocol-Version header value '{version}' does not match body value '{}'",
                request.protocol_version.unwrap_or("(none)")
            )));
        }
        match text(headers, METHOD)?.map(str::trim) {
            None => {
                return Err(ErrorObject::header_mismatch(
                    "the Mcp-Method header is required",
                ));
            }
            Some(method) if method != request.method => {
                return Err(ErrorObject::header_mismatch(format!(
                    "Mcp-Method header value '{method}' does not match body value '{}'",
                    request.method
                )));
            }
            Some(_) => {}
        }
        let body_name = match header_values::name_member(request.method) {
            Some("uri") => request.uri,
            Some("taskId") => request.task_id,
            Some(_) => request.name,
            None => return Ok(()),
        };
        let Some(header) = text(headers, NAME)?.map(str::trim) else {
            return Err(ErrorObject::header_mismatch(
                "the Mcp-Name header is required",
            ));
        };
        let decoded = decode_value(header)?;
        if Some(&*decoded) != body_name {
            return Err(ErrorObject::header_mismatch(format!(
                "Mcp-Name header value '{decoded}' does not match body value '{}'",
                body_name.unwrap_or("(none)")
            )));
        }
        if request.method == "tools/call" {
            self.check_params(request, headers)?;
        }
        Ok(())
    }

    /// `Mcp-Param-{Name}` for each parameter the tool's `inputSchema` marks with
    /// `x-mcp-header` (§Custom Headers from Tool Parameters).
    fn check_params(
        &self,
        request: &WireRequest<'_>,
        headers: &HeaderMap,
    ) -> Result<(), ErrorObject> {
        let Some(tool) = request
            .name
            .and_then(|name| self.server.inner.registry.tools.get(name))
        else {
            return Ok(());
        };
        let marked = &tool.header_marks;
        if marked.is_empty() {
            return Ok(());
        }
        let arguments: Value = match request.arguments {
            Some(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            None => Value::Null,
        };
        for (path, header_name) in marked.iter() {
            let value = path
                .iter()
                .try_fold(&arguments, |at, key| at.get(key))
                .filter(|v| !v.is_null());
            let header = text(headers, &format!("{PARAM_PREFIX}{header_name}"))?;
            match (value, header) {
                (None, None) => {}
                (Some(_), None) => {
                    return Err(ErrorObject::header_mismatch(format!(
                        "the Mcp-Param-{header_name} header is required: the body has the value"
                    )));
                }
                (None, Some(_)) => {
                    return Err(ErrorObject::header_mismatch(format!(
                        "Mcp-Param-{header_name} is present but the body has no value"
                    )));
                }
                (Some(value), Some(header)) => {
                    let decoded = decode_value(header)?;
                    if !same_value(value, &decoded) {
                        return Err(ErrorObject::header_mismatch(format!(
                            "Mcp-Param-{header_name} header value '{decoded}' does not match body value '{value}'"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The header form of a primitive value equals `header`; integers compare numerically.
fn same_value(value: &Value, header: &str) -> bool {
    match value {
        Value::String(s) => s == header,
        Value::Bool(b) => header == if *b { "true" } else { "false" },
        Value::Number(n) => match (n.as_f64(), header.trim().parse::<f64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bad_base64_value_is_a_header_mismatch() {
        assert_eq!(decode_value("us-west1").ok().as_deref(), Some("us-west1"));
        assert_eq!(
            decode_value("=?base64?***?=").map_err(|e| e.code),
            Err(-32020)
        );
    }

    #[test]
    fn values_compare_as_their_header_form() {
        assert!(same_value(&json!(42), "42"));
        assert!(same_value(&json!(42), "42.0"));
        assert!(same_value(&json!(true), "true"));
        assert!(!same_value(&json!(true), "True"));
        assert!(same_value(&json!("a b"), "a b"));
        assert!(!same_value(&json!(1), "2"));
    }
}
