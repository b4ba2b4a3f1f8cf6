//! Graceful shutdown with streams open: a 2026-07-28 `subscriptions/listen` and a
//! legacy session's standalone GET stream never end on their own, so without
//! `shutdown_streams` hyper's graceful shutdown would wait for them forever. With it,
//! the listen ends with its final result (`SubscriptionsListenResult`), the GET stream
//! closes after a `retry`, a call still running finishes with its result, and then the
//! server returns.

use std::time::Duration;

use boltmcp::transport::http::{HttpConfig, MCP_PATH, at_path, serve_with_shutdown};
use boltmcp_tests::http::{HttpClient, Stream, bind, sse_events};
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::fixtures;

#[tokio::test]
async fn open_streams_end_cleanly_and_the_server_returns() {
    let service =
        fixtures::server().http_service(HttpConfig::default().retry(Duration::from_millis(700)));
    let streams = service.clone();
    let (listener, addr) = bind().await;
    let (trigger, triggered) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_with_shutdown(
        listener,
        at_path(MCP_PATH, service),
        async move {
            let _ = triggered.await;
            streams.shutdown_streams();
        },
    ));
    // Separate clients: each stream holds a connection of its own.
    let (listen_client, get_client) = (HttpClient::new(addr), HttpClient::new(addr));

    let mut listen = listen_client
        .listen(9, json!({"toolsListChanged": true}))
        .await;
    listen
        .read_until("notifications/subscriptions/acknowledged")
        .await;

    let session = get_client.open_session("2025-11-25").await;
    let session_headers = [
        ("accept", "text/event-stream"),
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    let standalone = get_client.send(Method::GET, &session_headers, "").await;
    assert_eq!(standalone.status(), StatusCode::OK);
    let mut standalone = Stream::new(standalone);

    trigger.send(()).expect("the server is running");

    listen.read_to_end().await;
    let last = sse_events(&listen.text)
        .into_iter()
        .filter_map(|(_, data)| serde_json::from_str::<Value>(&data).ok())
        .next_back()
        .expect("events on the listen stream");
    assert_eq!(
        last["id"],
        json!(9),
        "the listen's own response: {}",
        listen.text
    );
    assert_eq!(last["result"]["resultType"], "complete", "{last}");
    assert_eq!(
        last["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        json!(9),
        "{last}"
    );

    standalone.read_to_end().await;
    assert!(
        standalone.text.contains("retry: 700"),
        "the client is told when to come back: {:?}",
        standalone.text
    );

    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve_with_shutdown returned once the streams ended")
        .expect("no panic")
        .expect("no IO error");
}

#[tokio::test]
async fn after_the_trigger_new_streams_are_refused_or_end_at_once() {
    let server = fixtures::server();
    let service = server.http_service(HttpConfig::default());
    let addr = boltmcp_tests::http::start_service(service.clone()).await;
    let client = HttpClient::new(addr);
    let session = client.open_session("2025-11-25").await;
    service.shutdown_streams();

    let get = client
        .exchange(
            Method::GET,
            &[
                ("accept", "text/event-stream"),
                ("mcp-session-id", session.as_str()),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            "",
        )
        .await;
    assert_eq!(get.status, StatusCode::SERVICE_UNAVAILABLE, "{}", get.body);

    // The session itself still answers calls.
    let call = client
        .in_session(
            &session,
            3,
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    assert_eq!(call.status, StatusCode::OK);
    assert!(call.body.contains("\"result\""), "{}", call.body);

    // A new listen is acknowledged and then ends with its final result.
    let mut listen = client.listen(9, json!({"toolsListChanged": true})).await;
    listen.read_to_end().await;
    let text = &listen.text;
    assert!(
        text.contains("notifications/subscriptions/acknowledged"),
        "{text}"
    );
    assert!(text.contains("\"resultType\":\"complete\""), "{text}");
}

#[tokio::test]
async fn serve_http_until_returns_when_its_signal_fires_with_a_listen_open() {
    // `serve_http_until` binds the address itself: take a free loopback port first.
    let addr = bind().await.1;
    let (trigger, triggered) = tokio::sync::oneshot::channel::<()>();
    // Any future will do as the signal; this one's output is a `Result`, as
    // `tokio::signal::ctrl_c()`'s is.
    let server =
        tokio::spawn(fixtures::server().serve_http_until(addr, HttpConfig::default(), triggered));
    let client = HttpClient::new(addr);
    let mut listen = loop {
        // The server may not be listening yet.
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break client.listen(4, json!({"toolsListChanged": true})).await;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    listen
        .read_until("notifications/subscriptions/acknowledged")
        .await;
    trigger.send(()).expect("the server is running");
    listen.read_to_end().await;
    assert!(
        listen.text.contains("\"resultType\":\"complete\""),
        "{}",
        listen.text
    );
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve_http_until returned")
        .expect("no panic")
        .expect("no IO error");
}

#[tokio::test]
async fn a_call_running_at_the_trigger_finishes_before_the_server_returns() {
    use std::sync::Arc;

    use boltmcp::server::{Server, ToolCall, ToolDef};
    use tokio::sync::Notify;

    let (started, gate) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let (tool_started, tool_gate) = (started.clone(), gate.clone());
    let tool = ToolDef::new("gate", json!({"type": "object"}), move |_call: ToolCall| {
        let (started, gate) = (tool_started.clone(), tool_gate.clone());
        async move {
            started.notify_one();
            gate.notified().await;
            "released"
        }
    });
    let service = Server::builder("gated", "1")
        .tool(tool)
        .build()
        .http_service(HttpConfig::default());
    let streams = service.clone();
    let (listener, addr) = bind().await;
    let (trigger, triggered) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_with_shutdown(
        listener,
        at_path(MCP_PATH, service),
        async move {
            let _ = triggered.await;
            streams.shutdown_streams();
        },
    ));
    let client = HttpClient::new(addr);
    let call = tokio::spawn(async move {
        client
            .modern(1, "tools/call", json!({"name": "gate", "arguments": {}}))
            .await
    });
    started.notified().await;
    trigger.send(()).expect("the server is running");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !server.is_finished(),
        "the server waits for the running call"
    );
    gate.notify_one();
    let reply = call.await.expect("the call's task");
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("released"), "{}", reply.body);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve_with_shutdown returned after the call")
        .expect("no panic")
        .expect("no IO error");
}
