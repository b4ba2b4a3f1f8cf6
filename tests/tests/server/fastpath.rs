//! A plain synchronous tool on an unlayered server runs on the inline fast path; the
//! same tool behind a layer runs on the general path. The client must not be able to
//! tell them apart.

use boltmcp::prelude::*;
use boltmcp_tests::RawClient;
use serde_json::{Value, json};

/// Adds two numbers.
#[tool]
fn plus(a: f64, b: f64) -> f64 {
    a + b
}

/// Divides, refusing zero.
#[tool]
fn ratio(a: f64, b: f64) -> Result<f64, String> {
    if b == 0.0 {
        Err("division by zero".into())
    } else {
        Ok(a / b)
    }
}

/// Says hello.
#[tool]
fn hello(name: String) -> String {
    format!("hello {name}")
}

/// Always panics.
#[tool]
fn explode() -> String {
    panic!("sync handler exploded")
}

fn server() -> Server {
    Server::builder("fast", "1")
        .tool(plus_tool())
        .tool(ratio_tool())
        .tool(hello_tool())
        .tool(explode_tool())
        .build()
}

fn layered() -> Server {
    server().layer(tower::layer::util::Identity::new())
}

fn calls() -> Vec<Value> {
    vec![
        json!({ "name": "plus", "arguments": { "a": 2, "b": 3 } }),
        json!({ "name": "ratio", "arguments": { "a": 1, "b": 0 } }),
        json!({ "name": "ratio", "arguments": { "a": 1, "b": 4 } }),
        json!({ "name": "hello", "arguments": { "name": "a \"quoted\" name" } }),
        json!({ "name": "plus", "arguments": { "a": "x" } }),
        json!({ "name": "plus" }),
        json!({ "name": "explode", "arguments": {} }),
        json!({ "name": "missing", "arguments": {} }),
    ]
}

async fn run(server: Server, modern: bool) -> Vec<Value> {
    let mut client = RawClient::connect(server);
    if !modern {
        client.initialize("2025-11-25", json!({})).await;
    }
    let mut out = Vec::new();
    for call in calls() {
        let resp = if modern {
            client.modern("tools/call", call).await
        } else {
            client.request("tools/call", call).await
        };
        out.push(resp);
    }
    out
}

#[tokio::test]
async fn the_fast_path_answers_exactly_as_the_general_path() {
    for modern in [false, true] {
        let fast = run(server(), modern).await;
        let general = run(layered(), modern).await;
        assert_eq!(fast, general, "modern = {modern}");
    }
}

#[tokio::test]
async fn sync_tools_report_results_errors_and_panics() {
    let out = run(server(), false).await;
    assert_eq!(
        out[0]["result"]["structuredContent"],
        json!({ "result": 5.0 })
    );
    assert_eq!(out[0]["result"]["content"][0]["text"], "{\"result\":5.0}");
    assert_eq!(out[1]["result"]["isError"], true);
    assert_eq!(out[1]["result"]["content"][0]["text"], "division by zero");
    assert_eq!(out[2]["result"]["structuredContent"]["result"], 0.25);
    assert_eq!(
        out[3]["result"]["content"][0]["text"],
        "hello a \"quoted\" name"
    );
    assert_eq!(out[4]["result"]["isError"], true);
    assert_eq!(
        out[5]["result"]["isError"], true,
        "missing arguments are invalid arguments"
    );
    assert_eq!(out[6]["result"]["isError"], true);
    assert!(
        out[6]["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("sync handler exploded")
    );
    assert_eq!(out[7]["error"]["code"], -32602);
    let modern = run(server(), true).await;
    assert_eq!(modern[0]["result"]["resultType"], "complete");
    assert_eq!(
        modern[0]["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "fast"
    );
}
