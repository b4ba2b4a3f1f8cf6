//! The JSON-RPC 2.0 envelope: request ids, and messages parsed lazily so that
//! `params` stay raw JSON until the handler that needs them parses them once.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A JSON-RPC request id: a string or an integer, never `null` in a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

/// Hand-written rather than `#[serde(untagged)]`, which buffers every id through
/// serde's `Content` on the hot path.
impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<RequestId, E> {
                i64::try_from(n)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("integer id out of range"))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(s.into()))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.into())
    }
}

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::error::ErrorObject;
use super::params::Params;
use super::scan::{Shape, decode_str, scan_message};

/// One incoming JSON-RPC message, borrowing from the line it was parsed from.
///
/// `params` and `result` stay raw: the handler that needs them parses them once.
#[derive(Debug)]
pub enum Incoming<'a> {
    /// A request: it expects a response with the same id.
    Request {
        /// The request id.
        id: RequestId,
        /// The method name.
        method: Cow<'a, str>,
        /// The params' members, if any, each still raw.
        params: Option<Params<'a>>,
    },
    /// A notification: no id, no response.
    Notification {
        /// The method name.
        method: Cow<'a, str>,
        /// The params' members, if any, each still raw.
        params: Option<Params<'a>>,
    },
    /// A successful response to a request this side sent.
    Response {
        /// The id of the request being answered.
        id: RequestId,
        /// The raw result.
        result: &'a RawValue,
    },
    /// An error response; `id` is `None` when the peer could not read our id.
    Error {
        /// The id of the request being answered, if known.
        id: Option<RequestId>,
        /// The error.
        error: ErrorObject,
    },
}

/// Why a line could not be read as a message, with the id to answer when one was readable.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The request id, when it could be read; the answer then carries it, else `null`.
    pub id: Option<RequestId>,
    /// The error to answer with: -32700 or -32600.
    pub error: ErrorObject,
}

fn read_id(text: &str) -> Option<RequestId> {
    if text.starts_with('"') {
        return decode_str(text).map(|s| RequestId::String(s.as_ref().into()));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(RequestId::Number)
}

/// Parses one message. Invalid JSON is -32700; valid JSON that is not a JSON-RPC
/// message (an array, a scalar, a missing method, a bad id) is -32600.
pub fn parse_message(text: &str) -> Result<Incoming<'_>, Malformed> {
    let request_error = |id: Option<RequestId>, detail: &str| Malformed {
        id,
        error: ErrorObject::invalid_request(detail),
    };
    let scanned = match scan_message(text) {
        Ok(scanned) => scanned,
        Err(Ok(Shape::Array)) => return Err(request_error(None, "batches are not supported")),
        Err(Ok(_)) => return Err(request_error(None, "a message must be a JSON object")),
        Err(Err(syntax)) => {
            return Err(Malformed {
                id: None,
                error: ErrorObject::parse_error(syntax),
            });
        }
    };
    let (mut jsonrpc, mut id, mut method, mut params, mut result, mut error) =
        (None, None, None, None, None, None);
    for (key, value) in &scanned.members {
        let slot = match key.as_ref() {
            "jsonrpc" => &mut jsonrpc,
            "id" => &mut id,
            "method" => &mut method,
            "params" => &mut params,
            "result" => &mut result,
            "error" => &mut error,
            _ => continue,
        };
        if slot.replace(*value).is_some() {
            return Err(request_error(None, &format!("duplicate member `{key}`")));
        }
    }
    let id = match id {
        None => None,
        Some(text) => match read_id(text) {
            Some(id) => Some(id),
            None => return Err(request_error(None, "id must be a string or an integer")),
        },
    };
    if jsonrpc.and_then(decode_str).as_deref() != Some("2.0") {
        return Err(request_error(id, "jsonrpc must be \"2.0\""));
    }
    if let Some(method) = method {
        let Some(method) = decode_str(method) else {
            return Err(request_error(id, "method must be a string"));
        };
        let params = match (params, scanned.params) {
            (None, _) => None,
            (Some(text), Some(members)) => Some(Params::new(members, text)),
            (Some(_), None) => {
                return Err(Malformed {
                    id,
                    error: ErrorObject::invalid_params("params must be an object"),
                });
            }
        };
        return Ok(match id {
            Some(id) => Incoming::Request { id, method, params },
            None => Incoming::Notification { method, params },
        });
    }
    if let Some(error) = error {
        let error = serde_json::from_str::<ErrorObject>(error)
            .map_err(|_| request_error(id.clone(), "malformed error object"))?;
        return Ok(Incoming::Error { id, error });
    }
    match (id, result.map(serde_json::from_str::<&RawValue>)) {
        (Some(id), Some(Ok(result))) => Ok(Incoming::Response { id, result }),
        (id, _) => Err(request_error(
            id,
            "a message needs a method, a result or an error",
        )),
    }
}

/// Appends a success response line (`\n`-terminated) to `out`.
pub fn write_response(out: &mut Vec<u8>, id: &RequestId, result: &RawValue) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    write_id(out, Some(id));
    out.extend_from_slice(b",\"result\":");
    out.extend_from_slice(result.get().as_bytes());
    out.extend_from_slice(b"}\n");
}

/// Appends a success response line serialising `result` straight into `out`, with no
/// intermediate buffer. On a serialisation error `out` is left as it was.
pub fn write_result<T: Serialize>(
    out: &mut Vec<u8>,
    id: &RequestId,
    result: &T,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    write_id(out, Some(id));
    out.extend_from_slice(b",\"result\":");
    if let Err(err) = serde_json::to_writer(&mut *out, result) {
        out.truncate(start);
        return Err(err);
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// Appends a success response line whose result `write` appends to `out` itself.
/// On a failure `out` is left as it was plus an internal-error response.
pub fn write_result_with(
    out: &mut Vec<u8>,
    id: &RequestId,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) {
    let start = out.len();
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    write_id(out, Some(id));
    out.extend_from_slice(b",\"result\":");
    match write(out) {
        Ok(()) => out.extend_from_slice(b"}\n"),
        Err(err) => {
            out.truncate(start);
            write_error(out, Some(id), &ErrorObject::internal(err));
        }
    }
}

/// Appends an error response line to `out`; `id: None` writes `"id":null`.
pub fn write_error(out: &mut Vec<u8>, id: Option<&RequestId>, error: &ErrorObject) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    write_id(out, id);
    out.extend_from_slice(b",\"error\":");
    // An ErrorObject holds only strings, integers and JSON values: it always serialises.
    let _ = serde_json::to_writer(&mut *out, error);
    out.extend_from_slice(b"}\n");
}

/// Appends a request or notification line to `out`.
pub fn write_request<P: Serialize>(
    out: &mut Vec<u8>,
    id: Option<&RequestId>,
    method: &str,
    params: &P,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",");
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        write_id(out, Some(id));
        out.push(b',');
    }
    out.extend_from_slice(b"\"method\":");
    serde_json::to_writer(&mut *out, method)?;
    out.extend_from_slice(b",\"params\":");
    if let Err(err) = serde_json::to_writer(&mut *out, params) {
        out.truncate(start);
        return Err(err);
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn write_id(out: &mut Vec<u8>, id: Option<&RequestId>) {
    match id {
        None => out.extend_from_slice(b"null"),
        Some(RequestId::Number(n)) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Some(RequestId::String(s)) => {
            let _ = serde_json::to_writer(&mut *out, &**s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::error::code;

    fn malformed(text: &str) -> Malformed {
        parse_message(text).expect_err("should be malformed")
    }

    #[test]
    fn request_keeps_params_raw() {
        let msg = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add"}}"#;
        match parse_message(msg).expect("valid") {
            Incoming::Request { id, method, params } => {
                assert_eq!(id, RequestId::Number(7));
                assert_eq!(method, "tools/call");
                let params = params.expect("params");
                assert_eq!(params.get_str("name").as_deref(), Some("add"));
                assert_eq!(params.to_raw().get(), r#"{"name":"add"}"#);
            }
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn notification_has_no_id_and_string_ids_survive() {
        let n = parse_message(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        assert!(matches!(n, Ok(Incoming::Notification { .. })));
        let r = parse_message(r#"{"jsonrpc":"2.0","id":"a\"b","method":"ping"}"#);
        assert!(
            matches!(r, Ok(Incoming::Request { id: RequestId::String(s), .. }) if &*s == "a\"b")
        );
    }

    #[test]
    fn responses_and_errors_are_told_apart() {
        let r = parse_message(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        assert!(matches!(r, Ok(Incoming::Response { .. })));
        let e = parse_message(r#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}"#);
        assert!(matches!(e, Ok(Incoming::Error { error, .. }) if error.code == -1));
    }

    #[test]
    fn bad_input_gets_the_spec_codes() {
        assert_eq!(malformed("{not json").error.code, code::PARSE_ERROR);
        assert_eq!(malformed("\u{1}\u{2}garbage").error.code, code::PARSE_ERROR);
        assert_eq!(malformed("42").error.code, code::INVALID_REQUEST);
        assert_eq!(malformed("[]").error.code, code::INVALID_REQUEST);
        assert_eq!(
            malformed(r#"{"jsonrpc":"2.0","id":1}"#).error.code,
            code::INVALID_REQUEST
        );
        let no_version = malformed(r#"{"id":3,"method":"ping"}"#);
        assert_eq!(no_version.error.code, code::INVALID_REQUEST);
        assert_eq!(no_version.id, Some(RequestId::Number(3)));
        let bad_id = malformed(r#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#);
        assert_eq!(
            (bad_id.id, bad_id.error.code),
            (None, code::INVALID_REQUEST)
        );
        let null_id = malformed(r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#);
        assert_eq!(null_id.error.code, code::INVALID_REQUEST);
        let array_params = malformed(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#);
        assert_eq!(array_params.error.code, code::INVALID_PARAMS);
    }

    #[test]
    fn writers_emit_one_line_each() {
        let mut out = Vec::new();
        let raw = RawValue::from_string("{\"a\":1}".into()).expect("raw");
        write_response(&mut out, &RequestId::from("x"), &raw);
        write_error(&mut out, None, &ErrorObject::parse_error("eof"));
        write_request(
            &mut out,
            None,
            "notifications/progress",
            &serde_json::json!({"p":1}),
        )
        .expect("serialises");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], r#"{"jsonrpc":"2.0","id":"x","result":{"a":1}}"#);
        assert!(lines[1].starts_with(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700"#));
        assert_eq!(
            lines[2],
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"p":1}}"#
        );
    }
}
