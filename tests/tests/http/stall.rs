//! No answer waits on Nagle's algorithm. A response written in more than one piece
//! (headers, then SSE events) on a socket without `TCP_NODELAY` waits for the
//! client's delayed ACK, about 40 ms each time; the server sets `TCP_NODELAY` on every
//! connection it accepts. Each mode runs sequential requests on one kept-alive
//! connection; a stall would make every one of them take 40 ms or more.

use std::time::{Duration, Instant};

use serde_json::json;

use super::fixtures;
use boltmcp::server::{ToolCall, ToolDef};
use boltmcp_tests::http::{HttpClient, Reply, start};

const ROUNDS: usize = 15;
/// Far above a loopback round trip, far below the 40 ms a stall costs.
const LIMIT: Duration = Duration::from_millis(25);

async fn median<F, Fut>(mut request: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Reply>,
{
    request().await; // open the connection
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let reply = request().await;
        times.push(start.elapsed());
        assert!(reply.status.is_success(), "{}", reply.body);
    }
    times.sort();
    times[ROUNDS / 2]
}

fn progress_body(id: i64) -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "tick", "arguments": {},
        "_meta": {"progressToken": 1, "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {}}}})
}

#[tokio::test]
async fn no_mode_stalls_on_delayed_acks() {
    // A tool whose stream is written in pieces with a pause between them: the case
    // Nagle's algorithm holds back.
    let server = fixtures::server();
    server.add_tool(ToolDef::new(
        "tick",
        json!({"type": "object"}),
        |call: ToolCall| async move {
            call.ctx.progress(1.0, None, None);
            tokio::time::sleep(Duration::from_millis(2)).await;
            call.ctx.progress(2.0, None, None);
            tokio::time::sleep(Duration::from_millis(2)).await;
            "done"
        },
    ));
    let client = HttpClient::new(start(server, Default::default()).await);
    let session = client.open_session("2025-11-25").await;
    let modern_headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "tick"),
    ];
    let progress = progress_body(2);
    let modes = [
        (
            "2026 JSON",
            median(|| {
                client.modern(
                    1,
                    "tools/call",
                    json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
                )
            })
            .await,
        ),
        (
            "2026 SSE",
            median(|| client.post(&modern_headers, &progress)).await,
        ),
        (
            "legacy JSON",
            median(|| {
                client.in_session(
                    &session,
                    3,
                    "tools/call",
                    json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
                )
            })
            .await,
        ),
        (
            "legacy SSE",
            median(|| {
                client.in_session(
                    &session,
                    4,
                    "tools/call",
                    json!({"name": "tick", "arguments": {}, "_meta": {"progressToken": 1}}),
                )
            })
            .await,
        ),
    ];
    for (mode, took) in modes {
        assert!(
            took < LIMIT,
            "{mode}: median {took:?} per request (a delayed-ACK stall costs ~40 ms)"
        );
    }
}
