//! Verification of server lines: JSON-RPC 2.0 envelope, numeric id, and a
//! `result` that is not a tool error.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// A server line, as far as the load generator cares.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    /// A response with a `result` that is not a tool error.
    Ok(u64),
    /// A response with an `error`, a missing `result`, or `isError: true`.
    Failed(u64),
    /// A notification from the server (a `method` and no `id`).
    Notification,
    /// Not JSON, not JSON-RPC 2.0, a non-numeric id, or a server request.
    Invalid,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: Option<&'a str>,
    id: Option<serde_json::Value>,
    method: Option<IgnoredAny>,
    result: Option<ResultBody>,
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct ResultBody {
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

pub(crate) fn classify(line: &[u8]) -> Reply {
    let Ok(msg) = serde_json::from_slice::<Envelope<'_>>(line) else {
        return Reply::Invalid;
    };
    if msg.jsonrpc != Some("2.0") {
        return Reply::Invalid;
    }
    let id = msg.id.as_ref().and_then(serde_json::Value::as_u64);
    match (msg.method, id, msg.result, msg.error) {
        (Some(_), None, _, _) if msg.id.is_none() => Reply::Notification,
        (Some(_), _, _, _) | (None, None, _, _) => Reply::Invalid,
        (None, Some(id), Some(result), None) if result.is_error != Some(true) => Reply::Ok(id),
        (None, Some(id), _, _) => Reply::Failed(id),
    }
}

#[cfg(test)]
mod tests {
    use super::{Reply, classify};

    #[test]
    fn classifies_lines() {
        let ok = br#"{"jsonrpc":"2.0","id":7,"result":{"content":[],"isError":false}}"#;
        assert_eq!(classify(ok), Reply::Ok(7));
        let tool_err = br#"{"jsonrpc":"2.0","id":7,"result":{"isError":true}}"#;
        assert_eq!(classify(tool_err), Reply::Failed(7));
        let rpc_err = br#"{"jsonrpc":"2.0","id":8,"error":{"code":-32601,"message":"x"}}"#;
        assert_eq!(classify(rpc_err), Reply::Failed(8));
        let note = br#"{"jsonrpc":"2.0","method":"notifications/message","params":{}}"#;
        assert_eq!(classify(note), Reply::Notification);
        assert_eq!(
            classify(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            Reply::Invalid
        );
        assert_eq!(
            classify(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            Reply::Invalid
        );
        assert_eq!(
            classify(br#"{"jsonrpc":"1.0","id":1,"result":{}}"#),
            Reply::Invalid
        );
        assert_eq!(classify(b"not json"), Reply::Invalid);
    }
}
