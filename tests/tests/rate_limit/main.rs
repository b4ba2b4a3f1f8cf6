//! Rate limits end to end: two principals over real HTTP on their own budgets and a
//! global one (429 with `Retry-After`, honoured then served), the same refusal on a
//! pipe (-32029 with `data.retryAfterMs`), a tool's declared quota, and a
//! 2026-07-28 input retry that is not charged as a new call.

mod policies;
mod tasks;

use std::time::Duration;

use boltmcp::client::{Client, EraChoice};
use boltmcp::layers::auth::{Auth, StaticTokens};
use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::prelude::*;
use boltmcp::protocol::ElicitResult;
use boltmcp::server::Quota;
use boltmcp::transport::http::HttpConfig;
use boltmcp_tests::http::{HttpClient, Reply, start};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// Adds two numbers.
#[tool]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// A tool anyone may call once a minute.
#[tool(rate_limit = "1/min")]
fn scarce() -> String {
    "granted".into()
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Confirm {
    ok: bool,
}

/// Asks before answering; once a minute.
#[tool(rate_limit = "1/min")]
async fn careful(ctx: Context) -> Result<String, ToolError> {
    let answer = ctx.elicit::<Confirm>("sure?").await?;
    match answer {
        Elicitation::Accepted(confirm) => Ok(format!("ok: {}", confirm.ok)),
        _ => Ok("not confirmed".into()),
    }
}

/// Needs `vault:open`; once a minute.
#[tool(scopes = ["vault:open"], rate_limit = "1/min")]
fn vault() -> String {
    "opened".into()
}

fn server(limits: RateLimitLayer) -> Server {
    Server::builder("limited", "1.0")
        .tool(add_tool())
        .tool(scarce_tool())
        .tool(careful_tool())
        .tool(vault_tool())
        .build()
        .gate(limits)
}

fn quota(text: &str) -> Quota {
    Quota::parse(text).expect("a quota")
}

async fn call(http: &HttpClient, token: &str, id: i64) -> Reply {
    let bearer = format!("Bearer {token}");
    http.modern_with(
        &[("authorization", &bearer)],
        id,
        "tools/call",
        json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
    )
    .await
}

#[tokio::test]
async fn two_principals_have_their_own_budgets_and_share_the_global_one() {
    let limits = RateLimitLayer::builder()
        .per_caller(quota("2/s"))
        .global(quota("3/s"))
        .build();
    let tokens = StaticTokens::new()
        .token("alice-token-0123456789", "alice", [] as [&str; 0])
        .token("bob-token-0123456789", "bob", [] as [&str; 0]);
    let auth = Auth::builder(tokens)
        .resource("http://127.0.0.1/mcp")
        .build();
    let http = HttpClient::new(start(server(limits), HttpConfig::default().auth(auth)).await);
    let (alice, bob) = ("alice-token-0123456789", "bob-token-0123456789");

    assert_eq!(call(&http, alice, 1).await.status, 200);
    assert_eq!(call(&http, alice, 2).await.status, 200);
    let refused = call(&http, alice, 3).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("1"));
    let error = &refused.json()["error"];
    assert_eq!(error["code"], -32029);
    assert_eq!(error["data"]["limit"], "2/s per caller");

    // Alice's flood did not touch the global budget: Bob gets its last call...
    assert_eq!(call(&http, bob, 4).await.status, 200);
    // ...and then the global limit binds him too, though his own budget has room.
    let global = call(&http, bob, 5).await;
    assert_eq!(global.status, 429, "{}", global.body);
    assert_eq!(
        global.json()["error"]["data"]["limit"],
        "3/s for this server"
    );
    let wait: u64 = global
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");

    // Honoured, the wait is enough.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(call(&http, bob, 6).await.status, 200);

    // boltmcp's client reads the same refusal.
    let client = Client::builder()
        .headers(|headers| {
            headers.insert(
                "authorization",
                "Bearer alice-token-0123456789".parse().expect("value"),
            );
        })
        .connect_http(&http.url)
        .await
        .expect("connected");
    let mut limited = None;
    for _ in 0..5 {
        if let Err(err) = client.call_tool("add", json!({"a": 1, "b": 2})).await {
            limited = Some(err);
            break;
        }
    }
    let limited = limited.expect("refused within five calls");
    assert!(limited.is_rate_limited(), "{limited}");
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn a_caller_refused_for_its_scopes_spends_no_budget() {
    let tokens = StaticTokens::new()
        .token("guest-token-0123456789", "guest", [] as [&str; 0])
        .token("keeper-token-0123456789", "keeper", ["vault:open"]);
    let auth = Auth::builder(tokens)
        .resource("http://127.0.0.1/mcp")
        .build();
    let limits = RateLimitLayer::builder().build();
    let http = HttpClient::new(start(server(limits), HttpConfig::default().auth(auth)).await);
    let open = |token: &'static str, id| {
        let http = http.clone();
        async move {
            let bearer = format!("Bearer {token}");
            let params = json!({"name": "vault", "arguments": {}});
            let reply = http
                .modern_with(&[("authorization", &bearer)], id, "tools/call", params)
                .await;
            reply.status.as_u16()
        }
    };
    // The guest is refused by scope, again and again: the vault's 1/min is untouched.
    for id in 1..=3 {
        assert_eq!(open("guest-token-0123456789", id).await, 403);
    }
    assert_eq!(open("keeper-token-0123456789", 4).await, 200);
    assert_eq!(open("keeper-token-0123456789", 5).await, 429);
}

#[tokio::test]
async fn on_a_pipe_the_refusal_says_how_long_to_wait() {
    let limits = RateLimitLayer::builder().per_caller(quota("2/min")).build();
    let client = Client::builder()
        .connect_in_memory(server(limits))
        .await
        .expect("connected"); // server/discover spends one call
    client
        .call_tool("add", json!({"a": 1, "b": 2}))
        .await
        .expect("the second call");
    let error = client
        .call_tool("add", json!({"a": 1, "b": 2}))
        .await
        .expect_err("the third call");
    let rpc = error.rpc().expect("a JSON-RPC error");
    assert_eq!(rpc.code, -32029);
    let data = rpc.data.as_ref().expect("data");
    assert_eq!(data["limit"], "2/min for this connection");
    let wait = data["retryAfterMs"].as_u64().expect("retryAfterMs");
    assert!((1..=30_000).contains(&wait), "{wait} ms");
    assert!(error.is_rate_limited());
    assert_eq!(error.retry_after(), Some(Duration::from_millis(wait)));
}

#[tokio::test]
async fn a_declared_quota_limits_its_tool_alone() {
    let client = Client::builder()
        .connect_in_memory(server(RateLimitLayer::builder().build()))
        .await
        .expect("connected");
    let first = client.call_tool("scarce", json!({})).await.expect("first");
    assert_ne!(first.is_error, Some(true));
    let error = client
        .call_tool("scarce", json!({}))
        .await
        .expect_err("second");
    let rpc = error.rpc().expect("a JSON-RPC error");
    assert_eq!(rpc.code, -32029);
    assert_eq!(
        rpc.data.as_ref().expect("data")["limit"],
        "1/min for tool scarce"
    );
    for _ in 0..5 {
        client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await
            .expect("add is not limited");
    }
}

#[tokio::test]
async fn an_input_retry_is_the_same_call() {
    let client = Client::builder()
        .era(EraChoice::Modern)
        .on_elicitation(|_| async {
            Ok(serde_json::from_value::<ElicitResult>(
                json!({"action": "accept", "content": {"ok": true}}),
            )
            .expect("an elicitation result"))
        })
        .connect_in_memory(server(RateLimitLayer::builder().build()))
        .await
        .expect("connected");
    // One call in two rounds (the question, then the retry with the answer).
    let answered = client
        .call_tool("careful", json!({}))
        .await
        .expect("answered");
    let text = serde_json::to_value(&answered.content).expect("content");
    assert!(text.to_string().contains("ok: true"), "{text}");
    // A new call is charged.
    let error = client
        .call_tool("careful", json!({}))
        .await
        .expect_err("second");
    assert!(error.is_rate_limited(), "{error}");
}

#[test]
fn quota_strings_read_back() {
    let parsed: Vec<Value> = ["10/s", "600/min burst 20"]
        .iter()
        .map(|text| json!(quota(text).to_string()))
        .collect();
    assert_eq!(parsed, [json!("10/s"), json!("600/min burst 20")]);
}
