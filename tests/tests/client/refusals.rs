//! HTTP refusals reach the caller with their meaning: a scripted server answers
//! `server/discover` with 401, 403, 429 and 503, and the client reports each with its
//! status and headers, never falling back to `initialize`; a header provider
//! refreshes its token once after a 401; retries honour `Retry-After`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltmcp::client::{Attempt, Client, Era, RetryPolicy};
use boltmcp::transport::http::{HttpConfig, MCP_PATH, McpBody, at_path, serve};
use boltmcp_tests::http::bind;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::Value;

use super::fixtures;

/// What a script answers instead of the real endpoint, given the request's method
/// (JSON-RPC) and headers; `None` lets the fixture server answer.
type Script = Arc<dyn Fn(&str, &HeaderMap) -> Option<Response<McpBody>> + Send + Sync>;

/// The fixture server behind `script`; the methods every POST carried, in order.
async fn start_scripted(script: Script) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let (listener, addr) = bind().await;
    let methods = Arc::new(Mutex::new(Vec::new()));
    let seen = methods.clone();
    let endpoint = at_path(
        MCP_PATH,
        fixtures::server().http_service(HttpConfig::default()),
    );
    let service = tower::service_fn(move |request: Request<Incoming>| {
        let (script, seen, mut endpoint) = (script.clone(), seen.clone(), endpoint.clone());
        async move {
            let (parts, body) = request.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let method = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|m| m.get("method").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            seen.lock().expect("lock").push(method.clone());
            if let Some(answer) = script(&method, &parts.headers) {
                return Ok::<_, Infallible>(answer);
            }
            let request = Request::from_parts(parts, http_body_util::Full::new(bytes));
            tower::Service::call(&mut endpoint, request).await
        }
    });
    tokio::spawn(serve(listener, service));
    (addr, methods)
}

fn answer(status: StatusCode, headers: &[(&str, &str)], body: &str) -> Response<McpBody> {
    let mut response = Response::new(McpBody::full(body.to_owned()));
    *response.status_mut() = status;
    for (name, value) in headers {
        response.headers_mut().insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value.parse().expect("value"),
        );
    }
    response
}

const METADATA: &str = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp";

#[tokio::test]
async fn discover_refusals_are_reported_never_taken_for_a_legacy_server() {
    let cases: Vec<(StatusCode, Vec<(&str, String)>)> = vec![
        (
            StatusCode::UNAUTHORIZED,
            vec![(
                "www-authenticate",
                format!(r#"Bearer resource_metadata="{METADATA}", scope="math:read""#),
            )],
        ),
        (
            StatusCode::FORBIDDEN,
            vec![(
                "www-authenticate",
                format!(
                    r#"Bearer error="insufficient_scope", scope="math:read math:write", resource_metadata="{METADATA}""#
                ),
            )],
        ),
        (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("retry-after", "7".into())],
        ),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            vec![("retry-after", "2".into())],
        ),
    ];
    for (status, headers) in cases {
        let script: Script = Arc::new(move |_, _| {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            Some(answer(status, &pairs, ""))
        });
        let (addr, methods) = start_scripted(script).await;
        let error = Client::builder()
            .connect_http(&format!("http://{addr}/mcp"))
            .await
            .expect_err("refused");
        assert_eq!(error.status(), Some(status), "{error}");
        match status.as_u16() {
            401 => {
                assert!(error.is_unauthorized());
                let challenge = error
                    .http()
                    .and_then(|h| h.challenge())
                    .expect("a challenge");
                assert_eq!(challenge.resource_metadata(), Some(METADATA));
                assert_eq!(challenge.scopes(), ["math:read"]);
            }
            403 => {
                assert!(error.is_forbidden() && !error.is_unauthorized());
                assert_eq!(error.required_scopes(), ["math:read", "math:write"]);
            }
            429 => {
                assert!(error.is_rate_limited());
                assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
            }
            _ => assert_eq!(error.retry_after(), Some(Duration::from_secs(2))),
        }
        let methods = methods.lock().expect("lock").clone();
        assert_eq!(
            methods,
            ["server/discover"],
            "no initialize after a {status}"
        );
    }
}

#[tokio::test]
async fn a_400_without_a_modern_error_means_a_legacy_server() {
    // What the official SDKs' session servers answer a request without a session.
    let script: Script = Arc::new(|method, _| {
        (method == "server/discover").then(|| {
            answer(
                StatusCode::BAD_REQUEST,
                &[("content-type", "application/json")],
                r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad Request: Mcp-Session-Id header is required"}}"#,
            )
        })
    });
    let (addr, methods) = start_scripted(script).await;
    let client = Client::builder()
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("fell back");
    assert!(matches!(client.era(), Era::Legacy(_)));
    let methods = methods.lock().expect("lock").clone();
    assert_eq!(methods[..2], ["server/discover", "initialize"]);
}

#[tokio::test]
async fn the_header_provider_refreshes_once_after_a_401() {
    let script: Script = Arc::new(|_, headers| {
        let token = headers.get("authorization").and_then(|v| v.to_str().ok());
        (token != Some("Bearer fresh")).then(|| {
            answer(
                StatusCode::UNAUTHORIZED,
                &[("www-authenticate", r#"Bearer error="invalid_token""#)],
                "",
            )
        })
    });
    let (addr, _) = start_scripted(script).await;
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counted = refreshes.clone();
    let client = Client::builder()
        .header_provider(move |attempt: Attempt| {
            let refreshes = counted.clone();
            async move {
                let token = match attempt.unauthorized() {
                    Some(refusal) => {
                        let reason = refusal.challenge().and_then(|c| c.error());
                        assert_eq!(reason, Some("invalid_token"));
                        refreshes.fetch_add(1, Ordering::SeqCst);
                        "fresh"
                    }
                    // A cached token that the server no longer takes, until refreshed.
                    None if refreshes.load(Ordering::SeqCst) == 0 => "stale",
                    None => "fresh",
                };
                let mut headers = HeaderMap::new();
                headers.insert(
                    "authorization",
                    format!("Bearer {token}").parse().expect("value"),
                );
                Ok(headers)
            }
        })
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("connected after one refresh");
    assert_eq!(client.era(), Era::Modern);
    client.list_tools().await.expect("tools");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);

    // A provider whose refreshed token is refused too gets no third attempt.
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let error = Client::builder()
        .header_provider(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(HeaderMap::new()) }
        })
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect_err("refused twice");
    assert!(error.is_unauthorized());
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_honour_retry_after_within_their_caps() {
    let refusals = Arc::new(AtomicUsize::new(0));
    let counted = refusals.clone();
    let script: Script = Arc::new(move |_, _| {
        (counted.fetch_add(1, Ordering::SeqCst) < 2)
            .then(|| answer(StatusCode::TOO_MANY_REQUESTS, &[("retry-after", "0")], ""))
    });
    let (addr, _) = start_scripted(script).await;
    let client = Client::builder()
        .retries(RetryPolicy::new(3, Duration::from_secs(5)))
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("connected on the third attempt");
    client.list_tools().await.expect("tools");

    // A wait longer than the policy's total is not started: the refusal comes back.
    let script: Script = Arc::new(|_, _| {
        Some(answer(
            StatusCode::SERVICE_UNAVAILABLE,
            &[("retry-after", "60")],
            "",
        ))
    });
    let (addr, methods) = start_scripted(script).await;
    let started = std::time::Instant::now();
    let error = Client::builder()
        .retries(RetryPolicy::new(3, Duration::from_secs(5)))
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect_err("unavailable");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(methods.lock().expect("lock").len(), 1);
}
