//! 2026-07-28 over HTTP: stateless POSTs, the header rules, streams per request.

use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::json;

use super::{client, fixtures};

#[tokio::test]
async fn a_call_is_answered_with_one_json_document_and_no_session() {
    let client = client().await;
    let reply = client
        .modern(
            1,
            "tools/call",
            json!({"name": "add", "arguments": {"a": 2, "b": 3}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(
        reply.header("mcp-session-id").is_none(),
        "2026-07-28 has no sessions"
    );
    let body = reply.json();
    assert_eq!(body["result"]["structuredContent"]["result"], json!(5.0));
    assert_eq!(body["result"]["resultType"], "complete");
}

#[tokio::test]
async fn server_discover_works_over_http() {
    let reply = client().await.modern(1, "server/discover", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(
        reply.json()["result"]["supportedVersions"]
            .as_array()
            .is_some_and(|v| !v.is_empty()),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn headers_that_disagree_with_the_body_are_400_header_mismatch() {
    let client = client().await;
    let body = |name: &str| {
        json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": name, "arguments": {"a": 1, "b": 1},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    };
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "name differs",
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "subtract"),
            ],
        ),
        (
            "method differs",
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/list"),
                ("mcp-name", "add"),
            ],
        ),
        (
            "no Mcp-Method",
            vec![("mcp-protocol-version", "2026-07-28"), ("mcp-name", "add")],
        ),
        (
            "no Mcp-Name",
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
            ],
        ),
        (
            "no version header",
            vec![("mcp-method", "tools/call"), ("mcp-name", "add")],
        ),
        (
            "bad base64",
            vec![
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "=?base64?!!!?="),
            ],
        ),
    ];
    for (case, headers) in cases {
        let reply = client.post(&headers, &body("add")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{case}: {}",
            reply.body
        );
        assert_eq!(
            reply.json()["error"]["code"],
            -32020,
            "{case}: {}",
            reply.body
        );
        assert_eq!(reply.json()["id"], 7, "{case}");
    }
    // The base64 form of the right name is the right name.
    let encoded = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "=?base64?YWRk?="),
    ];
    let reply = client.post(&encoded, &body("add")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_version_header_unlike_the_meta_stamp_is_refused() {
    let client = client().await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let reply = client
        .post(
            &[
                ("mcp-protocol-version", "2099-01-01"),
                ("mcp-method", "tools/list"),
            ],
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], -32020);
}

#[tokio::test]
async fn an_unknown_version_is_400_with_the_supported_list() {
    let client = client().await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let reply = client
        .post(
            &[
                ("mcp-protocol-version", "2099-01-01"),
                ("mcp-method", "tools/list"),
            ],
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let error = &reply.json()["error"];
    assert_eq!(error["code"], -32022);
    assert!(
        error["data"]["supported"]
            .as_array()
            .is_some_and(|v| v.contains(&json!("2026-07-28")))
    );
}

#[tokio::test]
async fn an_unknown_method_is_404_with_method_not_found() {
    let reply = client().await.modern(1, "nothing/here", json!({})).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["code"], -32601);
}

#[tokio::test]
async fn get_and_delete_without_a_session_are_405() {
    let client = client().await;
    for method in [Method::GET, Method::DELETE] {
        let reply = client
            .exchange(
                method.clone(),
                &[
                    ("mcp-protocol-version", "2026-07-28"),
                    ("accept", "text/event-stream"),
                ],
                "",
            )
            .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn progress_turns_the_answer_into_a_stream_ending_in_the_response() {
    let client = client().await;
    let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "progress", "arguments": {},
        "_meta": {"progressToken": "p", "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {}}}});
    let reply = client
        .post(
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "progress"),
            ],
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("x-accel-buffering"), Some("no"));
    let events = reply.events();
    let progress = events
        .iter()
        .filter(|e| e["method"] == "notifications/progress")
        .count();
    assert_eq!(
        progress, 3,
        "the non-increasing reports are dropped: {}",
        reply.body
    );
    let last = events.last().expect("events");
    assert_eq!(last["id"], 3, "the response comes last");
    assert_eq!(last["result"]["content"][0]["text"], "ok");
    assert!(events.iter().all(|e| e.get("id").is_none() || e["id"] == 3));
}

#[tokio::test]
async fn elicitation_is_an_input_required_result_and_the_retry_completes() {
    let client = client().await;
    let first = client
        .modern(1, "tools/call", json!({"name": "confirm", "arguments": {}}))
        .await;
    let result = &first.json()["result"];
    assert_eq!(result["resultType"], "input_required", "{}", first.body);
    let (key, _) = result["inputRequests"]
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("one input request");
    let retry = client
        .modern(
            2,
            "tools/call",
            json!({
                "name": "confirm", "arguments": {},
                "requestState": result["requestState"],
                "inputResponses": {key.clone(): {"action": "accept", "content": {"ok": true}}},
            }),
        )
        .await;
    assert_eq!(
        retry.json()["result"]["content"][0]["text"],
        "confirmed",
        "{}",
        retry.body
    );
}

#[tokio::test]
async fn closing_a_stream_cancels_its_request() {
    let (started, mut started_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ended, mut ended_rx) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let tool = boltmcp::server::ToolDef::new(
        "wait",
        json!({"type": "object"}),
        move |call: boltmcp::server::ToolCall| {
            let (started, ended) = (started.clone(), ended.clone());
            async move {
                struct Report(tokio::sync::mpsc::UnboundedSender<&'static str>);
                impl Drop for Report {
                    fn drop(&mut self) {
                        let _ = self.0.send("dropped");
                    }
                }
                let _report = Report(ended);
                call.ctx.progress(1.0, None, Some("started"));
                let _ = started.send(());
                tokio::time::sleep(Duration::from_secs(60)).await;
                "finished"
            }
        },
    );
    let server = fixtures::server();
    server.add_tool(tool);
    let addr = boltmcp_tests::http::start(server, Default::default()).await;
    let client = boltmcp_tests::http::HttpClient::new(addr);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "wait", "arguments": {},
        "_meta": {"progressToken": 1, "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let response = client
        .send(
            Method::POST,
            &[
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "wait"),
            ],
            &body.to_string(),
        )
        .await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    tokio::time::timeout(Duration::from_secs(5), started_rx.recv())
        .await
        .expect("the tool started");
    drop(response);
    let why = tokio::time::timeout(Duration::from_secs(5), ended_rx.recv())
        .await
        .expect("the handler was dropped");
    assert_eq!(why, Some("dropped"));
}

#[tokio::test]
async fn subscriptions_listen_streams_changes_until_closed() {
    let server = fixtures::server();
    let addr = boltmcp_tests::http::start(server.clone(), Default::default()).await;
    let client = boltmcp_tests::http::HttpClient::new(addr);
    let mut listen = client.listen(9, json!({"toolsListChanged": true})).await;
    listen
        .read_until("notifications/subscriptions/acknowledged")
        .await;
    server.remove_tool("fail");
    listen.read_until("notifications/tools/list_changed").await;
    let change = &listen.text;
    assert!(
        change.contains("\"io.modelcontextprotocol/subscriptionId\":9"),
        "{change}"
    );
}
