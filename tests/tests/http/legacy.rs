//! The legacy era over HTTP: sessions, the GET stream, SSE with resumption, requests
//! to the client answered by POST, DELETE, the idle timeout and the cap.

use std::time::Duration;

use boltmcp::transport::http::HttpConfig;
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;

use super::{client, client_with, fixtures};
use boltmcp_tests::http::{HttpClient, Stream, sse_events, start, start_service};

#[tokio::test]
async fn initialize_mints_a_session_that_later_requests_name() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    assert_eq!(session.len(), 32, "128 random bits, hex");
    assert!(session.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    let reply = client
        .in_session(
            &session,
            1,
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["result"]["structuredContent"]["result"],
        json!(3.0)
    );
    assert!(
        reply.json()["result"].get("resultType").is_none(),
        "no 2026 fields in the legacy era"
    );
}

#[tokio::test]
async fn a_request_without_a_session_is_400_and_an_unknown_session_404() {
    let client = client().await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let reply = client
        .post(&[("mcp-protocol-version", "2025-11-25")], &body)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let reply = client.post(&[("mcp-session-id", "feedface")], &body).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unsupported_protocol_version_header_is_400() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    let reply = client
        .post(
            &[
                ("mcp-session-id", &session),
                ("mcp-protocol-version", "1999-01-01"),
            ],
            &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delete_ends_the_session() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    let reply = client
        .exchange(Method::DELETE, &[("mcp-session-id", &session)], "")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = client.in_session(&session, 1, "ping", json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "a deleted session is gone"
    );
    let reply = client
        .exchange(Method::DELETE, &[("mcp-session-id", &session)], "")
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_get_stream_carries_list_changes_and_takes_one_reader() {
    let server = fixtures::server();
    let client = HttpClient::new(start(server.clone(), HttpConfig::default()).await);
    let session = client.open_session("2025-11-25").await;
    let headers = [
        ("mcp-session-id", session.as_str()),
        ("accept", "text/event-stream"),
    ];
    let response = client.send(Method::GET, &headers, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let second = client.exchange(Method::GET, &headers, "").await;
    assert_eq!(
        second.status,
        StatusCode::CONFLICT,
        "one standalone reader at a time"
    );
    server.remove_tool("fail");
    let mut stream = Stream::new(response);
    stream.read_until("notifications/tools/list_changed").await;
    let text = &stream.text;
    assert!(
        text.starts_with("id: 0-"),
        "standalone events carry resumable ids: {text}"
    );
}

#[tokio::test]
async fn progress_makes_a_primed_stream_whose_events_have_ids() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    let reply = client
        .in_session(
            &session,
            5,
            "tools/call",
            json!({"name": "progress", "arguments": {}, "_meta": {"progressToken": 1}}),
        )
        .await;
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    let events = sse_events(&reply.body);
    let (first_id, first_data) = &events[0];
    assert!(
        first_id.is_some() && first_data.is_empty(),
        "a priming event first: {:?}",
        events[0]
    );
    assert!(
        events.iter().all(|(id, _)| id.is_some()),
        "every event has an id"
    );
    let ids: std::collections::HashSet<_> = events.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids.len(), events.len(), "ids are unique");
    assert_eq!(reply.response()["result"]["content"][0]["text"], "ok");
}

#[tokio::test]
async fn an_older_client_gets_no_priming_event() {
    let client = client().await;
    let session = client.open_session("2025-06-18").await;
    let reply = client
        .post(&[("mcp-session-id", &session), ("mcp-protocol-version", "2025-06-18")],
            &json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "progress", "arguments": {}, "_meta": {"progressToken": 1}}}))
        .await;
    let events = sse_events(&reply.body);
    assert!(
        events.iter().all(|(_, data)| !data.is_empty()),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_dropped_stream_is_resumed_with_last_event_id() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    // `confirm` asks the client first, so the stream opens and then waits for us.
    let body = json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "confirm", "arguments": {}}});
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    let response = client.send(Method::POST, &headers, &body.to_string()).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.into_body();
    let mut text = String::new();
    let mut elicitation = None;
    while elicitation.is_none() {
        let frame = tokio::time::timeout(Duration::from_secs(5), stream.frame())
            .await
            .expect("in time")
            .expect("frame")
            .expect("ok");
        text.push_str(std::str::from_utf8(&frame.into_data().expect("data")).expect("utf-8"));
        elicitation = sse_events(&text)
            .into_iter()
            .find(|(_, data)| data.contains("elicitation/create"));
    }
    let (last_id, request) = elicitation.expect("found");
    let last_id = last_id.expect("an id");
    // The client loses the connection, then answers the request it did receive.
    drop(stream);
    let request: serde_json::Value = serde_json::from_str(&request).expect("json");
    let answer = client
        .post(&[("mcp-session-id", &session), ("mcp-protocol-version", "2025-11-25")],
            &json!({"jsonrpc": "2.0", "id": request["id"], "result": {"action": "accept", "content": {"ok": true}}}))
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    // The response went on without a reader; a GET with Last-Event-ID brings it back.
    let mut resumed = None;
    for _ in 0..50 {
        let reply = client
            .exchange(
                Method::GET,
                &[
                    ("mcp-session-id", &session),
                    ("accept", "text/event-stream"),
                    ("last-event-id", &last_id),
                ],
                "",
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        if reply.body.contains("\"id\":8") {
            resumed = Some(reply);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let resumed = resumed.expect("the response was replayed");
    assert_eq!(
        resumed.response()["result"]["content"][0]["text"],
        "confirmed"
    );
    assert!(
        !resumed.body.contains("elicitation/create"),
        "nothing before Last-Event-ID is replayed"
    );
}

#[tokio::test]
async fn idle_sessions_are_freed() {
    let service = fixtures::server()
        .http_service(HttpConfig::default().session_idle_timeout(Duration::from_millis(200)));
    let client = HttpClient::new(start_service(service.clone()).await);
    let session = client.open_session("2025-11-25").await;
    assert_eq!(service.session_count(), 1);
    let mut freed = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if service.session_count() == 0 {
            freed = true;
            break;
        }
    }
    assert!(freed, "the idle session was not freed");
    let reply = client.in_session(&session, 1, "ping", json!({})).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "a freed session is gone"
    );
}

#[tokio::test]
async fn the_session_cap_is_answered_503() {
    let client = client_with(HttpConfig::default().max_sessions(2)).await;
    client.open_session("2025-11-25").await;
    let second = client.open_session("2025-11-25").await;
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}});
    let reply = client.post(&[], &init).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.header("retry-after").is_some());
    client
        .exchange(Method::DELETE, &[("mcp-session-id", &second)], "")
        .await;
    assert_eq!(
        client.post(&[], &init).await.status,
        StatusCode::OK,
        "room again after a DELETE"
    );
}

#[tokio::test]
async fn stateless_mode_serves_legacy_calls_without_sessions() {
    let client = client_with(HttpConfig::default().stateless()).await;
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}});
    let reply = client.post(&[], &init).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("mcp-session-id").is_none());
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 2}}});
    let reply = client
        .post(&[("mcp-protocol-version", "2025-11-25")], &call)
        .await;
    assert_eq!(
        reply.json()["result"]["structuredContent"]["result"],
        json!(4.0),
        "{}",
        reply.body
    );
    let get = client
        .exchange(
            Method::GET,
            &[("accept", "text/event-stream"), ("mcp-session-id", "x")],
            "",
        )
        .await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_cancelled_call_gets_no_response_on_its_stream() {
    let client = client().await;
    let session = client.open_session("2025-11-25").await;
    let call = {
        let (client, session) = (client.clone(), session.clone());
        tokio::spawn(async move {
            client
                .in_session(
                    &session,
                    5,
                    "tools/call",
                    json!({"name": "slow", "arguments": {}}),
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cancelled = client
        .post(
            &[
                ("mcp-session-id", &session),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::ACCEPTED);
    let reply = call.await.expect("the call's exchange");
    // The fixture returns "cancelled" as soon as it sees the cancellation; that
    // result must not reach the client (2025-11-25 `basic/utilities/cancellation`).
    assert!(
        !reply.body.contains("\"result\"") && !reply.body.contains("\"error\""),
        "no response to a cancelled request: {} {}",
        reply.status,
        reply.body
    );
}
