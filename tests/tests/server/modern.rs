//! The 2026-07-28 era: stateless stamped requests, discover, input-required round
//! trips and subscriptions.

use boltmcp_tests::{RawClient, modern_params};
use serde_json::json;

use super::fixtures::server;

#[tokio::test]
async fn discover_lists_versions_capabilities_and_cache_fields() {
    let mut client = RawClient::connect(server());
    let found = client.modern("server/discover", json!({})).await;
    let result = &found["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(
        result["supportedVersions"]
            .as_array()
            .expect("versions")
            .contains(&json!("2026-07-28"))
    );
    assert!(
        result["supportedVersions"]
            .as_array()
            .expect("versions")
            .contains(&json!("2025-11-25"))
    );
    assert_eq!(result["capabilities"]["tools"]["listChanged"], true);
    assert!(result["ttlMs"].is_u64());
    assert_eq!(result["cacheScope"], "public");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "fixture"
    );
}

#[tokio::test]
async fn every_result_carries_result_type_and_lists_carry_cache_fields() {
    let mut client = RawClient::connect(server());
    for method in [
        "tools/list",
        "resources/list",
        "resources/templates/list",
        "prompts/list",
    ] {
        let list = client.modern(method, json!({})).await;
        assert_eq!(list["result"]["resultType"], "complete", "{method}");
        assert!(list["result"]["ttlMs"].is_u64(), "{method}");
        assert_eq!(list["result"]["cacheScope"], "public", "{method}");
    }
    let call = client
        .modern(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(call["result"]["resultType"], "complete");
    assert_eq!(call["result"]["structuredContent"]["result"], 3.0);
    assert_eq!(
        call["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["version"],
        "1.0.0"
    );
    let read = client
        .modern("resources/read", json!({ "uri": "test://static" }))
        .await;
    assert_eq!(read["result"]["cacheScope"], "private");
    let missing = client
        .modern("resources/read", json!({ "uri": "test://missing" }))
        .await;
    assert_eq!(
        missing["error"]["code"], -32602,
        "2026-07-28 forbids -32002"
    );
}

#[tokio::test]
async fn unsupported_versions_and_missing_stamps_get_the_spec_errors() {
    let mut client = RawClient::connect(server());
    let old = client
        .request("tools/list", json!({ "_meta": { "io.modelcontextprotocol/protocolVersion": "1999-01-01", "io.modelcontextprotocol/clientCapabilities": {} } }))
        .await;
    assert_eq!(old["error"]["code"], -32022);
    assert_eq!(old["error"]["data"]["requested"], "1999-01-01");
    assert!(
        old["error"]["data"]["supported"]
            .as_array()
            .expect("supported")
            .contains(&json!("2026-07-28"))
    );
    let unstamped = client.request("tools/list", json!({})).await;
    assert_eq!(unstamped["error"]["code"], -32602);
    let no_caps = client
        .request(
            "tools/list",
            json!({ "_meta": { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } }),
        )
        .await;
    assert_eq!(no_caps["error"]["code"], -32602);
}

#[tokio::test]
async fn removed_methods_do_not_exist_in_the_modern_era() {
    let mut client = RawClient::connect(server());
    for method in ["ping", "logging/setLevel", "resources/subscribe"] {
        let resp = client.modern(method, json!({})).await;
        assert_eq!(resp["error"]["code"], -32601, "{method}");
    }
}

#[tokio::test]
async fn input_required_round_trip_resumes_the_handler() {
    let mut client = RawClient::connect(server());
    let caps = json!({ "elicitation": { "form": {} } });
    let first = client
        .request(
            "tools/call",
            modern_params(json!({ "name": "confirm", "arguments": {} }), caps.clone()),
        )
        .await;
    let result = &first["result"];
    assert_eq!(result["resultType"], "input_required");
    let (key, ask) = result["inputRequests"]
        .as_object()
        .expect("inputRequests")
        .iter()
        .next()
        .expect("one request");
    assert_eq!(ask["method"], "elicitation/create");
    assert_eq!(ask["params"]["message"], "Proceed?");
    let state = result["requestState"].as_str().expect("state").to_owned();
    let retry = json!({ "name": "confirm", "arguments": {}, "requestState": state,
        "inputResponses": { key: { "action": "accept", "content": { "ok": true } } } });
    let done = client
        .request("tools/call", modern_params(retry, caps.clone()))
        .await;
    assert_eq!(done["result"]["resultType"], "complete");
    assert_eq!(done["result"]["content"][0]["text"], "confirmed");

    let mut forged = state.clone();
    forged.insert(
        2,
        if forged.as_bytes()[2] == b'A' {
            'B'
        } else {
            'A'
        },
    );
    let tampered = json!({ "name": "confirm", "arguments": {}, "requestState": forged,
        "inputResponses": { key: { "action": "accept", "content": { "ok": true } } } });
    let refused = client
        .request("tools/call", modern_params(tampered, caps.clone()))
        .await;
    assert_eq!(refused["error"]["code"], -32602);
    assert_eq!(refused["error"]["data"]["reason"], "invalid_request_state");
    let replayed = json!({ "name": "add", "arguments": { "a": 1, "b": 1 }, "requestState": state });
    let refused = client
        .request("tools/call", modern_params(replayed, caps))
        .await;
    assert_eq!(
        refused["error"]["code"], -32602,
        "a state is bound to its own call"
    );
}

#[tokio::test]
async fn a_missing_client_capability_is_32021() {
    let mut client = RawClient::connect(server());
    let resp = client
        .modern("tools/call", json!({ "name": "confirm", "arguments": {} }))
        .await;
    assert_eq!(resp["error"]["code"], -32021);
    assert_eq!(
        resp["error"]["data"]["requiredCapabilities"],
        json!({ "elicitation": { "form": {} } })
    );
    // A client that supports only URL-mode elicitation is not sent a form
    // (`client/elicitation` §Capabilities).
    let url_only = modern_params(
        json!({ "name": "confirm", "arguments": {} }),
        json!({ "elicitation": { "url": {} } }),
    );
    let resp = client.request("tools/call", url_only).await;
    assert_eq!(resp["error"]["code"], -32021, "{resp}");
}

#[tokio::test]
async fn subscriptions_listen_acknowledges_then_tags_changes_until_cancelled() {
    let server = server();
    let mut client = RawClient::connect(server.clone());
    let params = modern_params(
        json!({ "notifications": { "toolsListChanged": true, "resourceSubscriptions": ["test://static"] } }),
        json!({}),
    );
    client.send(&json!({ "jsonrpc": "2.0", "id": "listen-1", "method": "subscriptions/listen", "params": params })).await;
    let ack = client.recv().await.expect("ack");
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "listen-1"
    );
    assert_eq!(
        ack["params"]["notifications"],
        json!({ "toolsListChanged": true, "resourceSubscriptions": ["test://static"] })
    );
    server.remove_prompt("greet");
    server.remove_tool("raw");
    server.notify_resource_updated("test://static");
    let changed = client.recv().await.expect("tools changed");
    assert_eq!(
        changed["method"], "notifications/tools/list_changed",
        "prompts were not asked for"
    );
    assert_eq!(
        changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        "listen-1"
    );
    let updated = client.recv().await.expect("updated");
    assert_eq!(updated["params"]["uri"], "test://static");
    client.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": "listen-1" } })).await;
    let ping = client.modern("tools/list", json!({})).await;
    assert_eq!(
        ping["result"]["resultType"], "complete",
        "nothing more arrives for the cancelled stream"
    );
}

#[tokio::test]
async fn one_connection_serves_both_eras() {
    let mut client = RawClient::connect(server());
    let modern = client.modern("tools/list", json!({})).await;
    assert_eq!(modern["result"]["resultType"], "complete");
    client.initialize("2025-06-18", json!({})).await;
    let legacy = client.request("tools/list", json!({})).await;
    assert!(legacy["result"].get("resultType").is_none());
    let modern_again = client.modern("tools/list", json!({})).await;
    assert_eq!(modern_again["result"]["resultType"], "complete");
}

#[tokio::test]
async fn sampling_and_roots_round_trip_through_input_required() {
    let mut client = RawClient::connect(server());
    let caps = json!({ "sampling": {}, "roots": {} });
    let first = client
        .request(
            "tools/call",
            modern_params(
                json!({ "name": "ask_model", "arguments": {} }),
                caps.clone(),
            ),
        )
        .await;
    assert_eq!(first["result"]["resultType"], "input_required");
    let (key, ask) = first["result"]["inputRequests"]
        .as_object()
        .expect("requests")
        .iter()
        .next()
        .expect("one");
    assert_eq!(ask["method"], "sampling/createMessage");
    let retry = json!({ "name": "ask_model", "arguments": {}, "requestState": first["result"]["requestState"],
        "inputResponses": { key: { "role": "assistant", "model": "m2", "content": { "type": "text", "text": "4" } } } });
    let done = client
        .request("tools/call", modern_params(retry, caps.clone()))
        .await;
    assert!(
        done["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .starts_with("model m2 said")
    );

    let first = client
        .request(
            "tools/call",
            modern_params(json!({ "name": "roots", "arguments": {} }), caps.clone()),
        )
        .await;
    let (key, ask) = first["result"]["inputRequests"]
        .as_object()
        .expect("requests")
        .iter()
        .next()
        .expect("one");
    assert_eq!(ask["method"], "roots/list");
    let retry = json!({ "name": "roots", "arguments": {}, "requestState": first["result"]["requestState"],
        "inputResponses": { key: { "roots": [{ "uri": "file:///w" }] } } });
    let done = client
        .request("tools/call", modern_params(retry, caps))
        .await;
    assert_eq!(done["result"]["content"][0]["text"], "file:///w");
}

#[tokio::test]
async fn a_retry_without_answers_is_asked_again_and_answers_that_do_not_fit_are_refused() {
    let mut client = RawClient::connect(server());
    let caps = json!({ "elicitation": {} });
    let first = client
        .request(
            "tools/call",
            modern_params(json!({ "name": "confirm", "arguments": {} }), caps.clone()),
        )
        .await;
    let state = first["result"]["requestState"].clone();
    let again = client
        .request(
            "tools/call",
            modern_params(
                json!({ "name": "confirm", "arguments": {}, "requestState": state }),
                caps.clone(),
            ),
        )
        .await;
    assert_eq!(again["result"]["resultType"], "input_required");
    // An answer to a question never asked is ignored (`basic/patterns/mrtr`, Error
    // Handling), so the real question is asked again.
    let foreign = json!({ "name": "confirm", "arguments": {}, "requestState": state, "inputResponses": { "input-7": { "action": "accept" } } });
    let ignored = client
        .request("tools/call", modern_params(foreign, caps.clone()))
        .await;
    assert_eq!(
        ignored["result"]["resultType"], "input_required",
        "{ignored}"
    );
    assert!(
        ignored["result"]["inputRequests"].get("input-0").is_some(),
        "{ignored}"
    );
    // Without state an answer is read by its key, and one that does not fit the form
    // (no `ok`) is the retry's error, not the tool's.
    let stateless = json!({ "name": "confirm", "arguments": {}, "inputResponses": { "input-0": { "action": "accept" } } });
    let refused = client
        .request("tools/call", modern_params(stateless, caps))
        .await;
    assert_eq!(refused["error"]["code"], -32602);
}

#[tokio::test]
async fn log_notifications_follow_the_request_log_level() {
    let mut client = RawClient::connect(server());
    let mut params = modern_params(json!({ "name": "progress", "arguments": {} }), json!({}));
    params["_meta"]["io.modelcontextprotocol/logLevel"] = json!("info");
    params["_meta"]["progressToken"] = json!("t");
    client
        .send(&json!({ "jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": params }))
        .await;
    let (resp, notes) = client.response_to(&json!(5)).await;
    assert_eq!(resp["result"]["resultType"], "complete");
    assert!(notes.iter().any(|n| n["method"] == "notifications/message"));
    assert_eq!(
        notes
            .iter()
            .filter(|n| n["method"] == "notifications/progress")
            .count(),
        3
    );
    let quiet = client
        .modern("tools/call", json!({ "name": "progress", "arguments": {} }))
        .await;
    assert_eq!(
        quiet["result"]["resultType"], "complete",
        "no logLevel: no log notifications came first"
    );
}

#[tokio::test]
async fn a_resource_read_resumes_through_input_required_too() {
    let mut client = RawClient::connect(server());
    let caps = json!({ "elicitation": {} });
    let first = client
        .request(
            "resources/read",
            modern_params(json!({ "uri": "test://secret" }), caps.clone()),
        )
        .await;
    assert_eq!(first["result"]["resultType"], "input_required");
    let (key, _) = first["result"]["inputRequests"]
        .as_object()
        .expect("requests")
        .iter()
        .next()
        .expect("one");
    let retry = json!({ "uri": "test://secret", "requestState": first["result"]["requestState"],
        "inputResponses": { key: { "action": "accept", "content": { "ok": true } } } });
    let done = client
        .request("resources/read", modern_params(retry, caps.clone()))
        .await;
    assert_eq!(done["result"]["contents"][0]["text"], "the secret");
    let elsewhere =
        json!({ "uri": "test://static", "requestState": first["result"]["requestState"] });
    let refused = client
        .request("resources/read", modern_params(elsewhere, caps))
        .await;
    assert_eq!(
        refused["error"]["code"], -32602,
        "a state is bound to its URI"
    );
}

#[tokio::test]
async fn a_cancelled_call_gets_no_response_even_when_its_handler_returns() {
    let mut client = RawClient::connect(server());
    let call = modern_params(json!({ "name": "slow", "arguments": {} }), json!({}));
    client
        .send(&json!({ "jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": call }))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    client.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 9 } })).await;
    // Give the handler time to see the cancellation and return, so a response it
    // wrongly sent would come before the next answer.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let ping = modern_params(json!({}), json!({}));
    client
        .send(&json!({ "jsonrpc": "2.0", "id": 10, "method": "tools/list", "params": ping }))
        .await;
    let next = client.recv().await.expect("the list's answer");
    assert_eq!(
        next["id"], 10,
        "the slow tool returns \"cancelled\" when cancelled, and that result must not be sent: {next}"
    );
}
