//! The 2026-07-28 request metadata headers: `MCP-Protocol-Version`, `Mcp-Method`,
//! `Mcp-Name` and a tool's `Mcp-Param-{Name}` must be present where required and
//! equal what the body says, or the request is refused with 400 and -32020
//! (2026-07-28 `basic/transports/streamable-http` §Request Metadata, §Server Validation).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use serde_json::Value;

use crate::protocol::ErrorObject;
use crate::server::{RequestCheck, Server, WireRequest};

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
    match value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        None => Ok(value.into()),
        Some(encoded) => STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(Into::into)
            .ok_or_else(|| {
                ErrorObject::header_mismatch(format!(
                    "the header value {value:?} is not valid base64 of UTF-8"
                ))
            }),
    }
}

/// Checks one 2026-07-28 request's headers against its body.
pub(crate) struct ModernHeaders<'a> {
    pub(crate) headers: &'a HeaderMap,
    pub(crate) server: &'a Server,
    /// Set when the check refused the request: its error travels with 400.
    pub(crate) refused: std::cell::Cell<bool>,
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
    fn check(&self, request: &WireRequest<'_>) -> Result<(), ErrorObject> {
        if REMOVED.contains(&request.method) {
            return Err(ErrorObject::method_not_found(request.method));
        }
        let checked = self.check_headers(request);
        self.refused.set(checked.is_err());
        checked
    }
}

impl ModernHeaders<'_> {
    /// The order follows 2026-07-28 `basic/transports/streamable-http` §Server
    /// Validation: the version header, the `_meta` stamp, their agreement, then the
    /// method and name headers.
    fn check_headers(&self, request: &WireRequest<'_>) -> Result<(), ErrorObject> {
        let headers = self.headers;
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
        let body_name = match request.method {
            "tools/call" | "prompts/get" => request.name,
            "resources/read" => request.uri,
            // SEP-2663: tasks are routed by their id.
            "tasks/get" | "tasks/update" | "tasks/cancel" => request.task_id,
            _ => return Ok(()),
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
            self.check_params(request)?;
        }
        Ok(())
    }

    /// `Mcp-Param-{Name}` for each parameter the tool's `inputSchema` marks with
    /// `x-mcp-header` (§Custom Headers from Tool Parameters).
    fn check_params(&self, request: &WireRequest<'_>) -> Result<(), ErrorObject> {
        let Some(tool) = request
            .name
            .and_then(|name| self.server.inner.registry.tools.get(name))
        else {
            return Ok(());
        };
        let mut marked = Vec::new();
        mirrored_params(&tool.tool().input_schema, &mut Vec::new(), &mut marked);
        if marked.is_empty() {
            return Ok(());
        }
        let arguments: Value = match request.arguments {
            Some(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            None => Value::Null,
        };
        for (path, header_name) in marked {
            let value = path
                .iter()
                .try_fold(&arguments, |at, key| at.get(key))
                .filter(|v| !v.is_null());
            let header = text(self.headers, &format!("{PARAM_PREFIX}{header_name}"))?;
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

/// The `x-mcp-header` names reachable from the schema root through `properties` alone.
fn mirrored_params(schema: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        path.push(key.clone());
        if let Some(name) = property.get("x-mcp-header").and_then(Value::as_str) {
            out.push((path.clone(), name.to_owned()));
        }
        mirrored_params(property, path, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_base64_sentinel_is_decoded_and_plain_values_kept() {
        assert_eq!(decode_value("us-west1").ok().as_deref(), Some("us-west1"));
        assert_eq!(
            decode_value("=?base64?SGVsbG8sIOS4lueVjA==?=")
                .ok()
                .as_deref(),
            Some("Hello, 世界")
        );
        assert!(decode_value("=?base64?***?=").is_err());
    }

    #[test]
    fn only_statically_reachable_marks_count() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "nested": {"type": "object", "properties": {"id": {"type": "integer", "x-mcp-header": "Id"}}},
            "list": {"type": "array", "items": {"x-mcp-header": "Nope"}}
        }});
        let mut out = Vec::new();
        mirrored_params(&schema, &mut Vec::new(), &mut out);
        out.sort();
        assert_eq!(
            out,
            vec![
                (vec!["nested".to_owned(), "id".to_owned()], "Id".to_owned()),
                (vec!["region".to_owned()], "Region".to_owned()),
            ]
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
