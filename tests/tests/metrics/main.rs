//! Metrics end to end: known traffic over real HTTP (behind auth, scopes and a rate
//! limit), then `GET /metrics` read line by line and every count checked exactly;
//! the fast path and the general one counted alike; a cancelled call counted once and
//! out of flight; labels bounded whatever the client names; `/metrics` behind the
//! Host check.

mod cancelled;
mod labels;

use std::time::Duration;

use boltmcp::layers::auth::{Auth, StaticTokens};
use boltmcp::layers::metrics::{CONTENT_TYPE, Prometheus};
use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::prelude::*;
use boltmcp::transport::http::{HttpConfig, serve};
use boltmcp_tests::http::{HttpClient, bind};
use http::Method;
use serde_json::json;

/// Adds two numbers (synchronous: the fast path).
#[tool]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Always fails.
#[tool]
fn fails() -> Result<String, String> {
    Err("no luck".into())
}

/// Panics.
#[tool]
fn panics() -> String {
    panic!("the handler panicked on purpose")
}

/// Waits a little (asynchronous: the general path).
#[tool]
async fn pause() -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    "paused".into()
}

/// Needs `math:write`.
#[tool(scopes = ["math:write"])]
fn write() -> String {
    "written".into()
}

/// Once a minute.
#[tool(rate_limit = "1/min")]
fn scarce() -> String {
    "granted".into()
}

/// Past its timeout on every call.
#[tool(timeout = "20ms")]
async fn late() -> String {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "too late".into()
}

/// The server every test here runs.
pub fn server() -> Server {
    Server::builder("metered", "1.0")
        .tool(add_tool())
        .tool(fails_tool())
        .tool(panics_tool())
        .tool(pause_tool())
        .tool(write_tool())
        .tool(scarce_tool())
        .tool(late_tool())
        .build()
        .gate(RateLimitLayer::builder().build())
}

/// The value of one sample in a Prometheus text exposition, by its name and labels
/// exactly as rendered; `None` when it is absent.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

/// The value of a `(method, target)` series of `name`.
pub fn value(text: &str, name: &str, method: &str, target: &str) -> f64 {
    let series = format!(r#"{name}{{method="{method}",target="{target}"}}"#);
    sample(text, &series).unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
}

const ALICE: &str = "alice-token-0123456789";
const WRITER: &str = "writer-token-0123456789";

async fn call(http: &HttpClient, token: &str, id: i64, name: &str) -> u16 {
    let bearer = format!("Bearer {token}");
    let reply = http
        .modern_with(
            &[("authorization", &bearer)],
            id,
            "tools/call",
            json!({"name": name, "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    reply.status.as_u16()
}

#[tokio::test]
async fn http_traffic_is_counted_exactly() {
    let tokens = StaticTokens::new()
        .token(ALICE, "alice", [] as [&str; 0])
        .token(WRITER, "writer", ["math:write"]);
    let auth = Auth::builder(tokens)
        .resource("http://127.0.0.1/mcp")
        .build();
    let prometheus = Prometheus::new();
    let config = HttpConfig::default().auth(auth).metrics(prometheus.clone());
    let service = server().http_service(config);
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, service.routes()));
    let http = HttpClient::new(addr);

    for id in 1..=3 {
        assert_eq!(call(&http, ALICE, id, "add").await, 200);
    }
    assert_eq!(call(&http, ALICE, 4, "fails").await, 200);
    assert_eq!(call(&http, ALICE, 5, "panics").await, 200);
    assert_eq!(call(&http, ALICE, 6, "pause").await, 200);
    assert_eq!(call(&http, ALICE, 7, "pause").await, 200);
    assert_eq!(call(&http, ALICE, 8, "write").await, 403);
    assert_eq!(call(&http, WRITER, 9, "write").await, 200);
    assert_eq!(call(&http, ALICE, 10, "scarce").await, 200);
    assert_eq!(call(&http, ALICE, 11, "scarce").await, 429);
    assert_eq!(call(&http, ALICE, 12, "late").await, 200);
    assert_eq!(call(&http, ALICE, 13, "nothing-1").await, 200);
    assert_eq!(call(&http, ALICE, 14, "nothing-2").await, 200);
    assert_eq!(call(&http, "wrong-token-0123456789", 15, "add").await, 401);
    let anonymous = http.modern(16, "tools/call", json!({"name": "add"})).await;
    assert_eq!(anonymous.status, 401);
    let bearer = format!("Bearer {ALICE}");
    let list = http
        .modern_with(&[("authorization", &bearer)], 17, "tools/list", json!({}))
        .await;
    assert_eq!(list.status, 200);

    let scrape = http
        .at(format!("http://{addr}/metrics"))
        .exchange(Method::GET, &[], "")
        .await;
    assert_eq!(scrape.status, 200);
    assert_eq!(scrape.header("content-type"), Some(CONTENT_TYPE));
    let text = scrape.body;
    let requests = |target| value(&text, "mcp_server_requests_total", "tools/call", target);
    let tool_errors = |target| value(&text, "mcp_server_tool_errors_total", "tools/call", target);
    assert_eq!(requests("add"), 3.0);
    assert_eq!(tool_errors("add"), 0.0);
    assert_eq!(requests("fails"), 1.0);
    assert_eq!(tool_errors("fails"), 1.0);
    assert_eq!(tool_errors("panics"), 1.0);
    assert_eq!(requests("pause"), 2.0);
    assert_eq!(tool_errors("late"), 1.0, "a timeout is an isError result");
    assert_eq!(requests("write"), 2.0);
    assert_eq!(requests("scarce"), 2.0);
    assert_eq!(requests("<unregistered>"), 2.0);
    assert_eq!(
        value(&text, "mcp_server_requests_total", "tools/list", ""),
        1.0
    );

    let refusals = |method: &str, target: &str, cause: &str| {
        let series = format!(
            r#"mcp_server_refusals_total{{method="{method}",target="{target}",cause="{cause}"}}"#
        );
        sample(&text, &series).unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(refusals("tools/call", "write", "scope"), 1.0);
    assert_eq!(refusals("tools/call", "scarce", "rate_limit"), 1.0);
    assert_eq!(
        refusals("", "", "auth"),
        2.0,
        "refused before the body was read"
    );
    assert_eq!(value(&text, "mcp_server_requests_total", "", ""), 2.0);
    assert_eq!(refusals("tools/call", "add", "rate_limit"), 0.0);

    let unknown =
        r#"mcp_server_errors_total{method="tools/call",target="<unregistered>",code="-32602"}"#;
    assert_eq!(sample(&text, unknown), Some(2.0));
    assert!(
        !text.contains("nothing-1"),
        "a client's name is never a label"
    );

    let histogram =
        r#"mcp_server_request_duration_seconds_count{method="tools/call",target="add"}"#;
    assert_eq!(sample(&text, histogram), Some(3.0));
    let slow_bucket = r#"mcp_server_request_duration_seconds_bucket{method="tools/call",target="pause",le="0.001"}"#;
    assert_eq!(sample(&text, slow_bucket), Some(0.0), "pause sleeps 5 ms");
    let pause_sum =
        r#"mcp_server_request_duration_seconds_sum{method="tools/call",target="pause"}"#;
    let pause_sum = sample(&text, pause_sum).expect("the sum of pause's durations");
    assert!(
        (0.010..1.0).contains(&pause_sum),
        "two calls of 5 ms: {pause_sum}"
    );
    for target in ["add", "fails", "pause", "late", "<unregistered>"] {
        let in_flight = value(&text, "mcp_server_requests_in_flight", "tools/call", target);
        assert_eq!(in_flight, 0.0, "{target}");
    }
    assert_eq!(prometheus.render().lines().count(), text.lines().count());
}

#[tokio::test]
async fn metrics_answer_get_alone_and_only_to_hosts_the_endpoint_serves() {
    let config = HttpConfig::default().metrics(Prometheus::new());
    let service = server().http_service(config);
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, service.routes()));
    let metrics = HttpClient::new(addr).at(format!("http://{addr}/metrics"));

    let post = metrics.exchange(Method::POST, &[], "").await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let rebound = metrics
        .exchange(Method::GET, &[("host", "attacker.example")], "")
        .await;
    assert_eq!(rebound.status, 403);
    let origin = metrics
        .exchange(Method::GET, &[("origin", "http://attacker.example")], "")
        .await;
    assert_eq!(origin.status, 403);
    assert_eq!(metrics.exchange(Method::GET, &[], "").await.status, 200);

    // Without `HttpConfig::metrics` there is no such path.
    let bare = server().http_service(HttpConfig::default());
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, bare.routes()));
    let missing = HttpClient::new(addr)
        .at(format!("http://{addr}/metrics"))
        .exchange(Method::GET, &[], "")
        .await;
    assert_eq!(missing.status, 404);
}
