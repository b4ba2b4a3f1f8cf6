//! What the engine micro benchmarks share: the `add` tool in its general (future)
//! form, a connection past the legacy handshake, and driving one line through it as
//! the stdio transport does.

use std::task::{Context, Poll, Waker};

use boltmcp::server::{Connection, Dispatch, Json, Server, ToolCall, ToolDef};
use serde_json::json;

/// `add`, answered through a future (not the synchronous fast path).
pub(crate) fn add() -> ToolDef {
    let schema = json!({ "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } } });
    ToolDef::new("add", schema, |call: ToolCall| {
        #[derive(serde::Deserialize)]
        struct Args {
            a: f64,
            b: f64,
        }
        std::future::ready(call.arguments::<Args>().map(|a| Json(a.a + a.b)))
    })
}

/// Handles one line and polls its future once, as the stdio transport does.
pub(crate) fn drive(conn: &Connection, line: &str) -> usize {
    match conn.handle(line, http::Extensions::new()) {
        Dispatch::Ready(out) => out.len(),
        Dispatch::None => 0,
        Dispatch::Pending(mut fut) => {
            match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(out) => out.map_or(0, |o| o.line.len()),
                Poll::Pending => panic!("a synchronous tool completes on the first poll"),
            }
        }
    }
}

/// A connection to `server` that has completed `initialize` (2025-11-25). Needs a
/// tokio runtime entered.
pub(crate) fn connection(server: Server) -> Connection {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let conn = Connection::new(server, tx);
    drive(
        &conn,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}"#,
    );
    drive(
        &conn,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    conn
}
