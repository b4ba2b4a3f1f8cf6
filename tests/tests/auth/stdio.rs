//! Scopes on a connection with no HTTP: the server runs as the identity it was started
//! with (a token from the environment, verified once), and a refusal is a JSON-RPC
//! error whose message names the missing scopes and whose `data` lists them.

use boltmcp_tests::{RawClient, modern_params};
use serde_json::json;

use super::support::{self, OPS_TOKEN, claims, hs256};

/// A connection to the fixture running as `token`'s caller, through the auth gate.
/// (The requestState and task tests below use the same check as a tower layer.)
async fn connect_as(token: &str) -> RawClient {
    let auth = support::auth();
    let identity = auth
        .authenticate(token)
        .await
        .expect("the identity verifies");
    RawClient::connect(support::server().gate(auth.gate().with_identity(identity)))
}

/// A connection to `server` running as `subject` (no scopes), through the auth check
/// as a tower layer.
async fn layered_as(server: &boltmcp::server::Server, subject: &str) -> RawClient {
    let auth = support::auth();
    let identity = auth
        .authenticate(&hs256(&claims(subject, "")))
        .await
        .expect("the identity verifies");
    RawClient::connect(server.clone().layer(auth.layer().with_identity(identity)))
}

#[tokio::test]
async fn a_missing_scope_is_a_json_rpc_error_naming_it() {
    let mut client = connect_as(&hs256(&claims("bob", "math:read"))).await;
    let refused = client
        .modern(
            "tools/call",
            json!({ "name": "divide", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    let error = &refused["error"];
    assert_eq!(error["code"], -32011, "{refused}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("math:write")
    );
    assert_eq!(error["data"]["requiredScopes"], json!(["math:write"]));
    assert_eq!(error["data"]["missingScopes"], json!(["math:write"]));
    let added = client
        .modern(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(added["result"]["structuredContent"]["result"], 3.0);
    let secret = client
        .modern("resources/read", json!({ "uri": "secrets://x" }))
        .await;
    assert_eq!(
        secret["error"]["code"], -32011,
        "a template's scope holds: {secret}"
    );
}

#[tokio::test]
async fn lists_hide_what_the_caller_may_not_use() {
    let mut reader = connect_as(&hs256(&claims("bob", "math:read"))).await;
    let tools = reader.modern("tools/list", json!({})).await;
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"add") && !names.contains(&"divide"),
        "{names:?}"
    );
    assert_eq!(tools["result"]["cacheScope"], "private");
    let templates = reader.modern("resources/templates/list", json!({})).await;
    assert_eq!(templates["result"]["resourceTemplates"], json!([]));
    let mut ops = connect_as(OPS_TOKEN).await;
    let tools = ops.modern("tools/list", json!({})).await;
    assert!(
        tools["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .any(|t| t["name"] == "divide")
    );
}

#[tokio::test]
async fn the_identity_reaches_handlers_and_legacy_sessions_work() {
    let mut client = connect_as(OPS_TOKEN).await;
    client.initialize("2025-11-25", json!({})).await;
    let who = client
        .request("tools/call", json!({ "name": "whoami", "arguments": {} }))
        .await;
    assert_eq!(who["result"]["structuredContent"]["subject"], "ops");
    let divided = client
        .request(
            "tools/call",
            json!({ "name": "divide", "arguments": { "a": 1, "b": 4 } }),
        )
        .await;
    assert_eq!(divided["result"]["structuredContent"]["result"], 0.25);
}

#[tokio::test]
async fn a_request_state_replayed_by_another_caller_is_refused() {
    let server = support::server();
    let caps = json!({ "elicitation": {} });
    let call = json!({ "name": "confirm", "arguments": {} });
    let mut as_alice = layered_as(&server, "alice").await;
    let asked = as_alice
        .request("tools/call", modern_params(call.clone(), caps.clone()))
        .await;
    let state = asked["result"]["requestState"].clone();
    let key = asked["result"]["inputRequests"]
        .as_object()
        .and_then(|r| r.keys().next().cloned())
        .expect("a question");
    let retry = json!({ "name": "confirm", "arguments": {}, "requestState": state,
                        "inputResponses": { key: { "action": "accept", "content": { "ok": true } } } });
    let mut as_mallory = layered_as(&server, "mallory").await;
    let replayed = as_mallory
        .request("tools/call", modern_params(retry.clone(), caps.clone()))
        .await;
    assert_eq!(replayed["error"]["code"], -32602, "{replayed}");
    assert_eq!(replayed["error"]["data"]["reason"], "invalid_request_state");
    let resumed = as_alice
        .request("tools/call", modern_params(retry, caps))
        .await;
    assert_eq!(
        resumed["result"]["content"][0]["text"], "confirmed",
        "{resumed}"
    );
}

#[tokio::test]
async fn another_principals_task_is_unknown_to_them() {
    let server = support::server();
    let caps = json!({ "extensions": { "io.modelcontextprotocol/tasks": {} } });
    let mut as_alice = layered_as(&server, "alice").await;
    let created = as_alice
        .request(
            "tools/call",
            modern_params(
                json!({ "name": "slow_task", "arguments": {} }),
                caps.clone(),
            ),
        )
        .await;
    let task_id = created["result"]["task"]["taskId"]
        .as_str()
        .or_else(|| created["result"]["taskId"].as_str())
        .unwrap_or_else(|| panic!("a task: {created}"))
        .to_owned();
    let mut as_mallory = layered_as(&server, "mallory").await;
    for method in ["tasks/get", "tasks/cancel"] {
        let refused = as_mallory
            .request(
                method,
                modern_params(json!({ "taskId": task_id }), caps.clone()),
            )
            .await;
        assert_eq!(refused["error"]["code"], -32602, "{method}: {refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Unknown task")
        );
    }
    let own = as_alice
        .request(
            "tasks/get",
            modern_params(json!({ "taskId": task_id }), caps.clone()),
        )
        .await;
    assert_eq!(own["result"]["status"], "working", "{own}");
    let cancelled = as_alice
        .request(
            "tasks/cancel",
            modern_params(json!({ "taskId": task_id }), caps),
        )
        .await;
    assert!(cancelled.get("result").is_some(), "{cancelled}");
}

#[tokio::test]
async fn with_unauthorized_show_lists_keep_everything_and_a_call_is_refused() {
    let auth = support::auth_builder()
        .unauthorized(boltmcp::layers::auth::Unauthorized::Show)
        .build();
    let identity = auth
        .authenticate(&hs256(&claims("bob", "math:read")))
        .await
        .expect("bob");
    let mut client =
        RawClient::connect(support::server().gate(auth.gate().with_identity(identity)));
    let tools = client.modern("tools/list", json!({})).await;
    assert!(
        tools["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .any(|t| t["name"] == "divide"),
        "{tools}"
    );
    assert_eq!(tools["result"]["cacheScope"], "public");
    let refused = client
        .modern(
            "tools/call",
            json!({ "name": "divide", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(refused["error"]["code"], -32011, "{refused}");
}
