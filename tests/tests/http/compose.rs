//! The endpoint among other tower and axum pieces: mounted in an axum `Router`, under
//! tower-http's CORS layer, and with the caller's address and headers visible to an
//! MCP-level layer.

use std::sync::{Arc, Mutex};

use boltmcp::server::McpRequest;
use boltmcp::transport::http::{HttpConfig, RemoteAddr, serve};
use boltmcp_tests::http::{HttpClient, bind};
use http::{HeaderMap, Method, StatusCode};
use serde_json::json;

use super::fixtures;

#[tokio::test]
async fn mounts_in_axum_next_to_other_routes_under_a_cors_layer() {
    let mcp = fixtures::server().http_service(HttpConfig::default());
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .route_service("/mcp", mcp)
        .layer(tower_http::cors::CorsLayer::permissive());
    let (listener, addr) = bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = HttpClient::new(addr);
    let reply = client
        .modern(
            1,
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json()["result"]["structuredContent"]["result"],
        json!(3.0)
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("*"),
        "the CORS layer ran"
    );
    let health = client.exchange(Method::GET, &[], "").await;
    assert_eq!(
        health.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "GET /mcp is the endpoint's answer"
    );
}

#[tokio::test]
async fn layers_see_the_callers_address_and_headers() {
    type Seen = Vec<(Option<RemoteAddr>, Option<String>)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let record = seen.clone();
    let server = fixtures::server().layer(tower::layer::layer_fn(move |inner| {
        let record = record.clone();
        tower::util::MapRequest::new(inner, move |request: McpRequest| {
            let addr = request.extensions().get::<RemoteAddr>().copied();
            let agent = request
                .extensions()
                .get::<HeaderMap>()
                .and_then(|h| h.get("x-tenant"))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            record.lock().expect("lock").push((addr, agent));
            request
        })
    }));
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, server.http_service(HttpConfig::default())));
    let client = HttpClient::new(addr);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 1, "b": 2},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let reply = client
        .post(
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "add"),
                ("x-tenant", "acme"),
            ],
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let seen = seen.lock().expect("lock");
    let (remote, tenant) = seen.last().expect("the layer ran");
    assert!(
        remote.is_some_and(|RemoteAddr(a)| a.ip().is_loopback()),
        "{remote:?}"
    );
    assert_eq!(tenant.as_deref(), Some("acme"));
}

#[tokio::test]
async fn tower_http_tracing_and_compression_wrap_the_endpoint() {
    let mcp = fixtures::server().http_service(HttpConfig::default());
    let stack = tower::ServiceBuilder::new()
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::compression::CompressionLayer::new())
        .service(mcp);
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, stack));
    let client = HttpClient::new(addr);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("accept-encoding", "gzip"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/list"),
    ];
    let response = client.send(Method::POST, &headers, &body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(&compressed[..2], &[0x1f, 0x8b], "a gzip stream");
}

/// Where an auth layer goes: in front of the endpoint, answering 401 with
/// `WWW-Authenticate` itself, next to the metadata route a client discovers it by.
#[tokio::test]
async fn an_http_layer_can_refuse_with_401_before_the_endpoint() {
    use axum::response::IntoResponse;
    let mcp = fixtures::server().http_service(HttpConfig::default());
    let app = axum::Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            axum::routing::get(|| async {
                axum::Json(json!({"resource": "http://127.0.0.1/mcp"}))
            }),
        )
        .route_service("/mcp", mcp)
        .layer(axum::middleware::from_fn(
            |request: axum::extract::Request, next: axum::middleware::Next| async move {
                let authorized = request.uri().path() != "/mcp"
                    || request
                        .headers()
                        .get("authorization")
                        .is_some_and(|v| v == "Bearer good");
                if !authorized {
                    return (
                        StatusCode::UNAUTHORIZED,
                        [(
                            "www-authenticate",
                            r#"Bearer resource_metadata="/.well-known/oauth-protected-resource""#,
                        )],
                    )
                        .into_response();
                }
                next.run(request).await
            },
        ));
    let (listener, addr) = bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = HttpClient::new(addr);
    let refused = client.modern(1, "tools/list", json!({})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer "))
    );
    let ok = client
        .post(
            &[("authorization", "Bearer good"), ("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")],
            &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}
