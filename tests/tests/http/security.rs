//! DNS-rebinding protection, size limits and malformed input over HTTP.

use boltmcp::transport::http::HttpConfig;
use http::{Method, StatusCode};
use serde_json::json;

use super::{client, client_with};
use boltmcp_tests::http::{HttpClient, Reply};

/// A 2026-07-28 `server/discover` with `extra` headers.
async fn discover(client: &HttpClient, extra: &[(&str, &str)]) -> Reply {
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "server/discover"),
    ];
    headers.extend_from_slice(extra);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    client.post(&headers, &body).await
}

#[tokio::test]
async fn a_foreign_origin_is_403_even_with_a_good_host() {
    let client = client().await;
    for origin in [
        "http://evil.example",
        "null",
        "https://localhost.evil.example",
    ] {
        let reply = client
            .post(
                &[("origin", origin)],
                &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin}");
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Origin"))
        );
    }
    let ok = discover(&client, &[("origin", "http://localhost:6274")]).await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "a loopback origin passes: {}",
        ok.body
    );
}

#[tokio::test]
async fn a_rebound_host_is_403_on_every_method() {
    let client = client().await;
    for method in [Method::POST, Method::GET, Method::DELETE] {
        let reply = client
            .exchange(
                method.clone(),
                &[
                    ("host", "attacker.example:80"),
                    ("content-type", "application/json"),
                ],
                "{}",
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method}");
    }
}

#[tokio::test]
async fn listed_origins_pass() {
    let client =
        client_with(HttpConfig::default().allow_origins(["https://app.example.com"])).await;
    let from_app = discover(&client, &[("origin", "https://app.example.com")]).await;
    assert_eq!(from_app.status, StatusCode::OK);
    let from_other = discover(&client, &[("origin", "https://other.example.com")]).await;
    assert_eq!(from_other.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_oversized_body_is_413_and_the_server_goes_on() {
    let client = client_with(HttpConfig::default().max_body_bytes(1024)).await;
    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(4096)}});
    let reply = client.post(&[], &big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(discover(&client, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_bodies_get_the_json_rpc_error_the_spec_names() {
    let client = client().await;
    let base = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    for (body, code) in [
        ("{not json", -32700),
        ("[]", -32600),
        ("42", -32600),
        ("\u{1}\u{2}", -32700),
    ] {
        let reply = client.exchange(Method::POST, &base, body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body:?}: {}",
            reply.body
        );
        assert_eq!(reply.json()["error"]["code"], code, "{body:?}");
        assert!(reply.json()["id"].is_null());
    }
}

#[tokio::test]
async fn the_wrong_content_type_is_415_and_an_unacceptable_accept_406() {
    let client = client().await;
    let reply = client
        .exchange(Method::POST, &[("content-type", "text/plain")], "{}")
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let reply = client
        .exchange(
            Method::POST,
            &[
                ("content-type", "application/json"),
                ("accept", "text/html"),
            ],
            "{}",
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_others_are_served() {
    let client = client().await;
    let reply = client
        .modern(1, "tools/call", json!({"name": "panic", "arguments": {}}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.json().get("error").is_some() || reply.json()["result"]["isError"] == true,
        "{}",
        reply.body
    );
    let reply = client
        .modern(
            2,
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await;
    assert_eq!(
        reply.json()["result"]["structuredContent"]["result"],
        json!(2.0)
    );
}
