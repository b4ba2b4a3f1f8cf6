//! The legacy era: the `initialize` handshake and everything a 2025-11-25 client uses.

use boltmcp_tests::RawClient;
use serde_json::{Value, json};

use super::fixtures::server;

async fn ready() -> RawClient {
    let mut client = RawClient::connect(server());
    let init = client
        .initialize("2025-11-25", json!({ "elicitation": {} }))
        .await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    client
}

#[tokio::test]
async fn initialize_negotiates_every_legacy_version_and_offers_the_latest_otherwise() {
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let mut client = RawClient::connect(server());
        let init = client.initialize(version, json!({})).await;
        assert_eq!(init["result"]["protocolVersion"], version);
        assert_eq!(init["result"]["serverInfo"]["name"], "fixture");
        assert_eq!(init["result"]["instructions"], "Test fixture.");
        assert_eq!(init["result"]["capabilities"]["tools"]["listChanged"], true);
        assert!(
            init["result"].get("resultType").is_none(),
            "legacy results carry no resultType"
        );
    }
    let mut client = RawClient::connect(server());
    let init = client.initialize("1999-01-01", json!({})).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
}

#[tokio::test]
async fn requests_before_initialize_are_refused_except_ping() {
    let mut client = RawClient::connect(server());
    let ping = client.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));
    let early = client.request("tools/list", json!({})).await;
    assert_eq!(early["error"]["code"], -32602);
}

#[tokio::test]
async fn after_a_failed_initialize_requests_say_why_not_send_initialize_first() {
    let mut client = RawClient::connect(server());
    let failed = client
        .request(
            "initialize",
            json!({ "protocolVersion": 2025, "capabilities": {} }),
        )
        .await;
    assert_eq!(failed["error"]["code"], -32602, "{failed}");
    let later = client.request("tools/list", json!({})).await;
    let message = later["error"]["message"]
        .as_str()
        .expect("an error message");
    assert_eq!(later["error"]["code"], -32600, "{later}");
    assert!(
        message.contains("initialize failed") && message.contains("protocolVersion"),
        "the reason of the failure is repeated: {message}"
    );
    assert!(!message.contains("send initialize first"), "{message}");
    // A second, valid initialize succeeds and the session works.
    let init = client.initialize("2025-11-25", json!({})).await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    let list = client.request("tools/list", json!({})).await;
    assert!(list["result"]["tools"].is_array(), "{list}");
}

#[tokio::test]
async fn tools_list_and_call() {
    let mut client = ready().await;
    let list = client.request("tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "add",
            "fail",
            "panic",
            "slow",
            "progress",
            "confirm",
            "raw",
            "ask_model",
            "roots"
        ]
    );
    let call = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 2, "b": 3 } }),
        )
        .await;
    assert_eq!(
        call["result"]["structuredContent"],
        json!({ "result": 5.0 })
    );
    assert_eq!(call["result"]["content"][0]["text"], "{\"result\":5.0}");
    assert!(call["result"].get("resultType").is_none());
}

#[tokio::test]
async fn tool_failures_are_results_and_unknown_tools_are_errors() {
    let mut client = ready().await;
    let fail = client
        .request("tools/call", json!({ "name": "fail", "arguments": {} }))
        .await;
    assert_eq!(fail["result"]["isError"], true);
    assert_eq!(fail["result"]["content"][0]["text"], "it broke");
    let bad_args = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": "x" } }),
        )
        .await;
    assert_eq!(bad_args["result"]["isError"], true);
    assert!(
        bad_args["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("Invalid arguments")
    );
    let unknown = client
        .request("tools/call", json!({ "name": "nope", "arguments": {} }))
        .await;
    assert_eq!(unknown["error"]["code"], -32602);
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_the_server_goes_on() {
    let mut client = ready().await;
    let boom = client
        .request("tools/call", json!({ "name": "panic", "arguments": {} }))
        .await;
    assert_eq!(boom["result"]["isError"], true);
    assert!(
        boom["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .contains("handler exploded")
    );
    let after = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 1 } }),
        )
        .await;
    assert_eq!(after["result"]["structuredContent"]["result"], 2.0);
}

#[tokio::test]
async fn resources_templates_prompts_and_completion() {
    let mut client = ready().await;
    let read = client
        .request("resources/read", json!({ "uri": "test://static" }))
        .await;
    assert_eq!(read["result"]["contents"][0]["text"], "static text");
    assert_eq!(read["result"]["contents"][0]["mimeType"], "text/plain");
    let item = client
        .request("resources/read", json!({ "uri": "test://items/42" }))
        .await;
    assert_eq!(item["result"]["contents"][0]["text"], "item 42");
    let missing = client
        .request("resources/read", json!({ "uri": "test://missing" }))
        .await;
    assert_eq!(missing["error"]["code"], -32002);
    assert_eq!(missing["error"]["data"]["uri"], "test://missing");
    let templates = client.request("resources/templates/list", json!({})).await;
    assert_eq!(
        templates["result"]["resourceTemplates"][0]["uriTemplate"],
        "test://items/{id}"
    );
    let prompt = client
        .request(
            "prompts/get",
            json!({ "name": "greet", "arguments": { "name": "Ada" } }),
        )
        .await;
    assert_eq!(
        prompt["result"]["messages"][0]["content"]["text"],
        "Hello, Ada!"
    );
    let no_arg = client
        .request("prompts/get", json!({ "name": "greet" }))
        .await;
    assert_eq!(no_arg["error"]["code"], -32602);
    let done = client
        .request("completion/complete", json!({ "ref": { "type": "ref/resource", "uri": "test://items/{id}" }, "argument": { "name": "id", "value": "1" } }))
        .await;
    assert_eq!(done["result"]["completion"]["values"], json!(["1", "10"]));
}

#[tokio::test]
async fn progress_increases_and_logs_respect_set_level() {
    let mut client = ready().await;
    client
        .send(&json!({ "jsonrpc": "2.0", "id": 50, "method": "tools/call",
        "params": { "name": "progress", "arguments": {}, "_meta": { "progressToken": "p1" } } }))
        .await;
    let (resp, notes) = client.response_to(&json!(50)).await;
    assert_eq!(resp["result"]["content"][0]["text"], "ok");
    let progress: Vec<f64> = notes
        .iter()
        .filter(|n| n["method"] == "notifications/progress")
        .map(|n| {
            assert_eq!(n["params"]["progressToken"], "p1");
            n["params"]["progress"].as_f64().expect("f64")
        })
        .collect();
    assert_eq!(
        progress,
        [1.0, 2.0, 3.0],
        "non-increasing progress is dropped"
    );
    assert!(
        notes
            .iter()
            .any(|n| n["method"] == "notifications/message" && n["params"]["data"] == "done")
    );
    let set = client
        .request("logging/setLevel", json!({ "level": "error" }))
        .await;
    assert_eq!(set["result"], json!({}));
    client.send(&json!({ "jsonrpc": "2.0", "id": 51, "method": "tools/call", "params": { "name": "progress", "arguments": {} } })).await;
    let (_, notes) = client.response_to(&json!(51)).await;
    assert!(
        notes.is_empty(),
        "no progress token and level error: nothing but the response, got {notes:?}"
    );
}

#[tokio::test]
async fn cancellation_stops_the_handler_and_no_response_follows() {
    let mut client = ready().await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 60, "method": "tools/call", "params": { "name": "slow", "arguments": {} } })).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    client.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 60, "reason": "user" } })).await;
    // Give the handler time to see the cancellation and return, so a response it
    // wrongly sent would come before the next answer.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // The fixture watches `ctx.cancelled()` and returns "cancelled" at once: that
    // result must not be sent. Read every line, so a stray response is seen.
    client
        .send(&json!({ "jsonrpc": "2.0", "id": 61, "method": "ping" }))
        .await;
    let next = client.recv().await.expect("the ping's answer");
    assert_eq!(
        next,
        json!({ "jsonrpc": "2.0", "id": 61, "result": {} }),
        "the next message is the ping's answer, not the cancelled call's"
    );
}

#[tokio::test]
async fn elicitation_is_a_real_server_to_client_request() {
    let mut client = ready().await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 70, "method": "tools/call", "params": { "name": "confirm", "arguments": {} } })).await;
    let ask = client.recv().await.expect("elicitation request");
    assert_eq!(ask["method"], "elicitation/create");
    assert_eq!(
        ask["params"]["requestedSchema"]["properties"]["ok"]["type"],
        "boolean"
    );
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "result": { "action": "accept", "content": { "ok": true } } })).await;
    let (resp, _) = client.response_to(&json!(70)).await;
    assert_eq!(resp["result"]["content"][0]["text"], "confirmed");
}

#[tokio::test]
async fn subscribe_and_list_changed_reach_the_client() {
    let server = server();
    let mut client = RawClient::connect(server.clone());
    client.initialize("2025-11-25", json!({})).await;
    let sub = client
        .request("resources/subscribe", json!({ "uri": "test://static" }))
        .await;
    assert_eq!(sub["result"], json!({}));
    server.notify_resource_updated("test://static");
    server.notify_resource_updated("test://other");
    server.remove_tool("raw");
    let first = client.recv().await.expect("updated");
    assert_eq!(
        first,
        json!({ "jsonrpc": "2.0", "method": "notifications/resources/updated", "params": { "uri": "test://static" } })
    );
    let second = client.recv().await.expect("list_changed");
    assert_eq!(second["method"], "notifications/tools/list_changed");
    let list = client.request("tools/list", json!({})).await;
    assert!(
        !list["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .any(|t| t["name"] == "raw")
    );
}

#[tokio::test]
async fn pagination_walks_every_list_and_refuses_bad_cursors() {
    let mut client = RawClient::connect(super::fixtures::server_with_page_size(3));
    client.initialize("2025-11-25", json!({})).await;
    let mut names = Vec::new();
    let mut cursor: Option<Value> = None;
    loop {
        let params = cursor.take().map_or(json!({}), |c| json!({ "cursor": c }));
        let page = client.request("tools/list", params).await;
        names.extend(
            page["result"]["tools"]
                .as_array()
                .expect("tools")
                .iter()
                .map(|t| t["name"].clone()),
        );
        match page["result"].get("nextCursor") {
            Some(next) => cursor = Some(next.clone()),
            None => break,
        }
    }
    assert_eq!(names.len(), 9);
    let bad = client
        .request("tools/list", json!({ "cursor": "garbage" }))
        .await;
    assert_eq!(bad["error"]["code"], -32602);
}

#[tokio::test]
async fn sampling_and_roots_are_real_requests_and_need_the_capability() {
    let mut client = RawClient::connect(server());
    client
        .initialize("2025-11-25", json!({ "sampling": {}, "roots": {} }))
        .await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 80, "method": "tools/call", "params": { "name": "ask_model", "arguments": {} } })).await;
    let ask = client.recv().await.expect("sampling request");
    assert_eq!(ask["method"], "sampling/createMessage");
    assert_eq!(ask["params"]["maxTokens"], 10);
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "result": { "role": "assistant", "model": "m1", "content": { "type": "text", "text": "4" } } })).await;
    let (resp, _) = client.response_to(&json!(80)).await;
    assert!(
        resp["result"]["content"][0]["text"]
            .as_str()
            .expect("text")
            .starts_with("model m1 said")
    );

    client.send(&json!({ "jsonrpc": "2.0", "id": 81, "method": "tools/call", "params": { "name": "roots", "arguments": {} } })).await;
    let ask = client.recv().await.expect("roots request");
    assert_eq!(ask["method"], "roots/list");
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "result": { "roots": [{ "uri": "file:///a" }, { "uri": "file:///b" }] } })).await;
    let (resp, _) = client.response_to(&json!(81)).await;
    assert_eq!(resp["result"]["content"][0]["text"], "file:///a,file:///b");

    client.send(&json!({ "jsonrpc": "2.0", "id": 82, "method": "tools/call", "params": { "name": "roots", "arguments": {} } })).await;
    let ask = client.recv().await.expect("roots request");
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "error": { "code": -32603, "message": "no roots today" } })).await;
    let (resp, _) = client.response_to(&json!(82)).await;
    assert_eq!(
        resp["result"]["isError"], true,
        "a failed client answer is a tool error, not a hang"
    );

    let mut bare = RawClient::connect(server());
    bare.initialize("2025-11-25", json!({})).await;
    let refused = bare
        .request(
            "tools/call",
            json!({ "name": "ask_model", "arguments": {} }),
        )
        .await;
    assert_eq!(refused["result"]["isError"], true);
}

#[tokio::test]
async fn runtime_registration_announces_every_list() {
    let server = server();
    let mut client = RawClient::connect(server.clone());
    client.initialize("2025-11-25", json!({})).await;
    server.add_tool(super::fixtures::add().description("replaced"));
    server.add_resource(boltmcp::server::ResourceDef::new(
        "test://new",
        "new",
        |_| async { "fresh" },
    ));
    server.remove_prompt("greet");
    let methods: Vec<Value> = [
        client.recv().await,
        client.recv().await,
        client.recv().await,
    ]
    .into_iter()
    .map(|m| m.expect("note")["method"].clone())
    .collect();
    assert_eq!(
        methods,
        [
            "notifications/tools/list_changed",
            "notifications/resources/list_changed",
            "notifications/prompts/list_changed"
        ]
    );
    let read = client
        .request("resources/read", json!({ "uri": "test://new" }))
        .await;
    assert_eq!(read["result"]["contents"][0]["text"], "fresh");
    let tools = client.request("tools/list", json!({})).await;
    assert_eq!(tools["result"]["tools"][0]["description"], "replaced");
}

/// The legacy side of the README's table of elicitation failures: each is an
/// `isError` result the model can read (2025-11-25 defines no error code for them).
#[tokio::test]
async fn elicitation_failures_are_tool_errors_in_the_legacy_era() {
    let mut client = ready().await;
    // A malformed answer: `accept` without the form's `ok`.
    client.send(&json!({ "jsonrpc": "2.0", "id": 90, "method": "tools/call", "params": { "name": "confirm", "arguments": {} } })).await;
    let ask = client.recv().await.expect("elicitation request");
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "result": { "action": "accept", "content": {} } })).await;
    let (resp, _) = client.response_to(&json!(90)).await;
    assert_eq!(resp["result"]["isError"], true, "{resp}");
    // The client refuses with a JSON-RPC error.
    client.send(&json!({ "jsonrpc": "2.0", "id": 91, "method": "tools/call", "params": { "name": "confirm", "arguments": {} } })).await;
    let ask = client.recv().await.expect("elicitation request");
    client.send(&json!({ "jsonrpc": "2.0", "id": ask["id"], "error": { "code": -1, "message": "the user said no" } })).await;
    let (resp, _) = client.response_to(&json!(91)).await;
    assert_eq!(resp["result"]["isError"], true, "{resp}");
    // A client with URL-mode elicitation only is never sent a form.
    let mut url_only = RawClient::connect(server());
    url_only
        .initialize("2025-11-25", json!({ "elicitation": { "url": {} } }))
        .await;
    url_only.send(&json!({ "jsonrpc": "2.0", "id": 92, "method": "tools/call", "params": { "name": "confirm", "arguments": {} } })).await;
    let next = url_only.recv().await.expect("the call's answer");
    assert_eq!(next["id"], 92, "no elicitation/create was sent: {next}");
    assert_eq!(next["result"]["isError"], true, "{next}");
}
