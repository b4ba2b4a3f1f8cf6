//! What a handler's error becomes on the wire: a `ToolError` keeps its meaning through
//! a `Result`, whichever path the call takes.

use boltmcp::prelude::*;
use boltmcp::protocol::ErrorObject;
use boltmcp_tests::RawClient;
use serde_json::json;

/// Refuses with a JSON-RPC error of its choosing.
#[tool]
fn strict(n: i64) -> Result<i64, ToolError> {
    if n < 0 {
        return Err(ToolError::protocol(ErrorObject::new(
            -31999,
            "negative input",
        )));
    }
    Ok(n)
}

/// The same, asynchronously.
#[tool]
async fn strict_async(n: i64) -> Result<String, ToolError> {
    if n < 0 {
        return Err(ToolError::protocol(ErrorObject::new(
            -31999,
            "negative input",
        )));
    }
    Err(ToolError::new("plain failure"))
}

/// One user by numeric id.
#[resource("users://{id}")]
fn user(id: u64) -> String {
    format!("user {id}")
}

fn server() -> Server {
    Server::builder("errors", "1")
        .tool(strict_tool())
        .tool(strict_async_tool())
        .resource(user_resource())
        .build()
}

#[tokio::test]
async fn a_chosen_json_rpc_error_is_answered_as_such_on_both_paths() {
    for layered in [false, true] {
        let server = if layered {
            server().layer(tower::layer::util::Identity::new())
        } else {
            server()
        };
        let mut client = RawClient::connect(server);
        client.initialize("2025-11-25", json!({})).await;
        let sync = client
            .request(
                "tools/call",
                json!({ "name": "strict", "arguments": { "n": -1 } }),
            )
            .await;
        assert_eq!(sync["error"]["code"], -31999, "layered = {layered}");
        assert_eq!(sync["error"]["message"], "negative input");
        let fine = client
            .request(
                "tools/call",
                json!({ "name": "strict", "arguments": { "n": 4 } }),
            )
            .await;
        assert_eq!(fine["result"]["structuredContent"]["result"], 4);
        let async_err = client
            .request(
                "tools/call",
                json!({ "name": "strict_async", "arguments": { "n": -1 } }),
            )
            .await;
        assert_eq!(async_err["error"]["code"], -31999);
        let plain = client
            .request(
                "tools/call",
                json!({ "name": "strict_async", "arguments": { "n": 1 } }),
            )
            .await;
        assert_eq!(plain["result"]["isError"], true);
        assert_eq!(plain["result"]["content"][0]["text"], "plain failure");
    }
}

#[tokio::test]
async fn a_template_variable_that_does_not_parse_is_invalid_params() {
    let mut client = RawClient::connect(server());
    client.initialize("2025-11-25", json!({})).await;
    let ok = client
        .request("resources/read", json!({ "uri": "users://7" }))
        .await;
    assert_eq!(ok["result"]["contents"][0]["text"], "user 7");
    let bad = client
        .request("resources/read", json!({ "uri": "users://abc" }))
        .await;
    assert_eq!(bad["error"]["code"], -32602);
    assert!(
        bad["error"]["message"]
            .as_str()
            .expect("message")
            .contains("`abc` is not a valid value for `id`")
    );
    let modern = client
        .modern("resources/read", json!({ "uri": "users://abc" }))
        .await;
    assert_eq!(modern["error"]["code"], -32602);
}
