//! Per-call options (progress, timeout), lists as streams, and subscriptions in both
//! eras.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltmcp::client::{CallOptions, Client, ClientError, EraChoice, Progress};
use boltmcp::transport::http::HttpConfig;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::fixtures;

#[tokio::test]
async fn progress_reports_reach_the_call_that_asked_for_them() {
    for era in [EraChoice::Auto, EraChoice::Legacy] {
        let client = Client::builder()
            .era(era)
            .connect_in_memory(fixtures::server())
            .await
            .expect("connect");
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let record = seen.clone();
        let options = CallOptions::new().on_progress(move |p| record.lock().expect("lock").push(p));
        let result = client
            .call_tool_with("progress", json!({}), options)
            .await
            .expect("call");
        assert_eq!(
            serde_json::to_value(&result.content).expect("json")[0]["text"],
            "ok"
        );
        let seen = seen.lock().expect("lock");
        let steps: Vec<f64> = seen.iter().map(|p| p.progress).collect();
        assert_eq!(steps, [1.0, 2.0, 3.0], "{era:?}");
        assert_eq!(seen[0].total, Some(3.0));
        assert_eq!(seen[0].message.as_deref(), Some("working"));
    }
}

#[tokio::test]
async fn one_call_can_have_its_own_timeout() {
    let client = Client::connect_in_memory(fixtures::server())
        .await
        .expect("connect");
    let options = CallOptions::new().timeout(Duration::from_millis(50));
    let started = std::time::Instant::now();
    let outcome = client.call_tool_with("slow", json!({}), options).await;
    assert!(
        matches!(outcome, Err(ClientError::Timeout { .. })),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_tools_stream_reads_every_page() {
    let client = Client::connect_in_memory(fixtures::server_with_page_size(2))
        .await
        .expect("connect");
    let streamed: Vec<String> = client
        .tools_stream()
        .map(|tool| tool.expect("a tool").name)
        .collect()
        .await;
    let listed: Vec<String> = client
        .list_tools()
        .await
        .expect("tools")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(streamed.len() > 2, "several pages: {streamed:?}");
    assert_eq!(streamed, listed);
}

#[tokio::test]
async fn legacy_subscriptions_deliver_resource_updates() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Value)>();
    let server = fixtures::server();
    let client = Client::builder()
        .era(EraChoice::Legacy)
        .on_notification(move |method, params| {
            let _ = tx.send((method.to_owned(), params));
        })
        .connect_in_memory(server.clone())
        .await
        .expect("connect");
    client
        .subscribe_resource("test://static")
        .await
        .expect("subscribe");
    server.notify_resource_updated("test://static");
    let (method, params) = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let note = rx.recv().await.expect("a notification");
            if note.0 == "notifications/resources/updated" {
                return note;
            }
        }
    })
    .await
    .expect("in time");
    assert_eq!(method, "notifications/resources/updated");
    assert_eq!(params["uri"], "test://static");
    client
        .unsubscribe_resource("test://static")
        .await
        .expect("unsubscribe");
}

#[tokio::test]
async fn modern_listen_streams_the_changes_asked_for() {
    let server = fixtures::server();
    let client = Client::connect_in_memory(server.clone())
        .await
        .expect("connect");
    let mut subscription = client
        .listen(json!({ "toolsListChanged": true }))
        .await
        .expect("listen");
    assert_eq!(
        subscription.honoured(),
        &json!({ "toolsListChanged": true })
    );
    server.remove_tool("fail");
    let (method, _) = tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("in time")
        .expect("a change");
    assert_eq!(method, "notifications/tools/list_changed");
    let legacy = Client::builder()
        .era(EraChoice::Legacy)
        .connect_in_memory(server)
        .await
        .expect("connect");
    assert!(matches!(
        legacy.listen(json!({})).await,
        Err(ClientError::Unsupported(_))
    ));
}

#[tokio::test]
async fn a_subscription_the_server_ends_ends_for_the_client_too() {
    let service = fixtures::server().http_service(HttpConfig::default());
    let addr = boltmcp_tests::http::start_service(service.clone()).await;
    let client = Client::builder()
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("connect");
    let mut subscription = client
        .listen(json!({ "toolsListChanged": true }))
        .await
        .expect("listen");
    // The server shuts down gracefully: the listen gets its final result.
    service.shutdown_streams();
    let next = tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("the subscription ended instead of waiting forever");
    assert_eq!(next, None, "no change, just the end");
}

#[tokio::test]
async fn a_refused_listen_reports_the_servers_error_at_once() {
    let client = Client::connect_in_memory(fixtures::server())
        .await
        .expect("connect");
    // `notifications` must be an object: the server answers -32602 and acknowledges
    // nothing, and the client says so instead of waiting out its timeout.
    let refused = tokio::time::timeout(Duration::from_secs(5), client.listen(json!(5)))
        .await
        .expect("an answer in time");
    match refused {
        Err(ClientError::Rpc(error)) => assert_eq!(error.code, -32602, "{error:?}"),
        other => panic!("expected the server's -32602, got {other:?}"),
    }
}
