//! The server is a tower service: tower's own layers work through it, and a layer sees
//! the method, the target and the target's declared metadata.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltmcp::server::{McpRequest, McpResponse, Server};
use boltmcp_tests::RawClient;
use serde_json::json;
use tower::ServiceExt;
use tower::limit::ConcurrencyLimitLayer;
use tower::timeout::TimeoutLayer;

use super::fixtures::{add, server};

#[tokio::test]
async fn tower_timeout_layer_answers_with_an_error_and_the_server_goes_on() {
    let server = server().layer(TimeoutLayer::new(Duration::from_millis(100)));
    let mut client = RawClient::connect(server);
    client.initialize("2025-11-25", json!({})).await;
    let slow = client
        .request("tools/call", json!({ "name": "slow", "arguments": {} }))
        .await;
    assert_eq!(slow["error"]["code"], -32603);
    assert!(
        slow["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("timed out")
    );
    let fast = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(fast["result"]["structuredContent"]["result"], 3.0);
}

#[tokio::test]
async fn tower_concurrency_limit_queues_the_second_call() {
    let server = server().layer(ConcurrencyLimitLayer::new(1));
    let mut client = RawClient::connect(server);
    client.initialize("2025-11-25", json!({})).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 1000, "method": "tools/call", "params": { "name": "slow", "arguments": {} } })).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 1001, "method": "tools/call", "params": { "name": "add", "arguments": { "a": 1, "b": 1 } } })).await;
    let waited = tokio::time::timeout(Duration::from_millis(300), client.recv()).await;
    assert!(
        waited.is_err(),
        "the second call waits while the only slot is taken"
    );
    client.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 1000 } })).await;
    let (resp, _) = client.response_to(&json!(1001)).await;
    assert_eq!(resp["result"]["structuredContent"]["result"], 2.0);
}

#[tokio::test]
async fn a_layer_sees_method_target_and_declared_scopes() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let server = Server::builder("scoped", "1")
        .tool(add().scopes(["math:write"]))
        .build()
        .layer(tower::layer::layer_fn(
            move |inner: boltmcp::server::McpService| {
                let record = record.clone();
                tower::service_fn(move |req: McpRequest| {
                    let target = req
                        .target()
                        .map(|t| (t.name().to_owned(), t.scopes().to_vec()));
                    record
                        .lock()
                        .expect("lock")
                        .push((req.method().to_owned(), target));
                    let denied = req.target().is_some_and(|t| !t.scopes().is_empty());
                    let inner = inner.clone();
                    async move {
                        if denied {
                            return Ok::<_, tower::BoxError>(McpResponse::error(
                                boltmcp::protocol::ErrorObject::new(-32001, "forbidden"),
                            ));
                        }
                        inner.oneshot(req).await
                    }
                })
            },
        ));
    let mut client = RawClient::connect(server);
    client.initialize("2025-11-25", json!({})).await;
    let denied = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 1 } }),
        )
        .await;
    assert_eq!(denied["error"]["message"], "forbidden");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen[0], ("initialize".to_owned(), None));
    assert_eq!(
        seen[1],
        (
            "tools/call".to_owned(),
            Some(("add".to_owned(), vec!["math:write".to_owned()]))
        )
    );
}

/// A server with tower's `TimeoutLayer` on a runtime that has no timer: it fails at
/// start with one error that says what to change, instead of answering every request
/// with a caught panic.
#[test]
fn a_runtime_without_the_time_driver_fails_at_start_not_per_request() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("runtime");
    let server = server().layer(TimeoutLayer::new(Duration::from_secs(30)));
    let (_client, server_end) = tokio::io::duplex(1024);
    let (reader, writer) = tokio::io::split(server_end);
    let err = runtime
        .block_on(boltmcp::transport::serve_io(
            server,
            reader,
            writer,
            Default::default(),
        ))
        .expect_err("refused at start");
    let message = err.to_string();
    assert!(
        message.contains("no time driver") && message.contains("enable_all()"),
        "{message}"
    );
}
