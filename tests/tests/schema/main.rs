//! Everything the server emits validates against the official JSON Schema of the era it
//! is speaking (`../shared/spec/<version>/schema.json`): every result kind, the error
//! responses, the notifications and the server-to-client requests.

#[path = "../server/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;

use boltmcp_tests::{RawClient, modern_params};
use serde_json::{Value, json};

struct Spec {
    defs: Value,
    version: &'static str,
}

impl Spec {
    fn load(version: &'static str) -> Spec {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../shared/spec/{version}/schema.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).expect("schema JSON");
        Spec {
            defs: schema["$defs"].clone(),
            version,
        }
    }

    /// Asserts `instance` is a valid `definition` of this revision.
    fn check(&self, definition: &str, instance: &Value) {
        assert!(
            self.defs.get(definition).is_some(),
            "{} has no {definition}",
            self.version
        );
        let schema = json!({ "$defs": self.defs, "$ref": format!("#/$defs/{definition}") });
        let validator = jsonschema::draft202012::new(&schema).expect("the spec schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{} {definition} invalid: {errors:#?}\n{instance:#}",
            self.version
        );
    }
}

#[tokio::test]
async fn legacy_2025_11_25_output_matches_its_schema() {
    let spec = Spec::load("2025-11-25");
    let server = fixtures::server();
    let mut client = RawClient::connect(server.clone());
    let init = client
        .initialize("2025-11-25", json!({ "elicitation": {} }))
        .await;
    spec.check("JSONRPCResultResponse", &init);
    spec.check("InitializeResult", &init["result"]);
    spec.check(
        "EmptyResult",
        &client.request("ping", json!({})).await["result"],
    );
    spec.check(
        "ListToolsResult",
        &client.request("tools/list", json!({})).await["result"],
    );
    let call = client
        .request(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    spec.check("CallToolResult", &call["result"]);
    spec.check(
        "CallToolResult",
        &client
            .request("tools/call", json!({ "name": "fail", "arguments": {} }))
            .await["result"],
    );
    spec.check(
        "ListResourcesResult",
        &client.request("resources/list", json!({})).await["result"],
    );
    spec.check(
        "ListResourceTemplatesResult",
        &client.request("resources/templates/list", json!({})).await["result"],
    );
    spec.check(
        "ReadResourceResult",
        &client
            .request("resources/read", json!({ "uri": "test://items/1" }))
            .await["result"],
    );
    spec.check(
        "ListPromptsResult",
        &client.request("prompts/list", json!({})).await["result"],
    );
    spec.check(
        "GetPromptResult",
        &client
            .request(
                "prompts/get",
                json!({ "name": "greet", "arguments": { "name": "x" } }),
            )
            .await["result"],
    );
    let complete = client
        .request("completion/complete", json!({ "ref": { "type": "ref/resource", "uri": "test://items/{id}" }, "argument": { "name": "id", "value": "" } }))
        .await;
    spec.check("CompleteResult", &complete["result"]);
    spec.check(
        "EmptyResult",
        &client
            .request("logging/setLevel", json!({ "level": "debug" }))
            .await["result"],
    );
    spec.check(
        "EmptyResult",
        &client
            .request("resources/subscribe", json!({ "uri": "test://static" }))
            .await["result"],
    );
    spec.check(
        "JSONRPCErrorResponse",
        &client.request("no/such", json!({})).await,
    );
    spec.check(
        "JSONRPCErrorResponse",
        &client
            .request("resources/read", json!({ "uri": "x://missing" }))
            .await,
    );

    client
        .send(&json!({ "jsonrpc": "2.0", "id": 90, "method": "tools/call",
        "params": { "name": "progress", "arguments": {}, "_meta": { "progressToken": 5 } } }))
        .await;
    let (resp, notes) = client.response_to(&json!(90)).await;
    spec.check("CallToolResult", &resp["result"]);
    for note in &notes {
        match note["method"].as_str() {
            Some("notifications/progress") => spec.check("ProgressNotification", note),
            Some("notifications/message") => spec.check("LoggingMessageNotification", note),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(notes.len() >= 4);
    server.notify_resource_updated("test://static");
    spec.check(
        "ResourceUpdatedNotification",
        &client.recv().await.expect("updated"),
    );
    server.remove_tool("raw");
    spec.check(
        "ToolListChangedNotification",
        &client.recv().await.expect("changed"),
    );

    client.send(&json!({ "jsonrpc": "2.0", "id": 91, "method": "tools/call", "params": { "name": "confirm", "arguments": {} } })).await;
    let ask = client.recv().await.expect("elicitation");
    spec.check("ElicitRequest", &ask);
    spec.check("JSONRPCRequest", &ask);

    let mut capable = RawClient::connect(fixtures::server());
    capable
        .initialize("2025-11-25", json!({ "sampling": {}, "roots": {} }))
        .await;
    capable.send(&json!({ "jsonrpc": "2.0", "id": 92, "method": "tools/call", "params": { "name": "ask_model", "arguments": {} } })).await;
    spec.check(
        "CreateMessageRequest",
        &capable.recv().await.expect("sampling request"),
    );
    capable.send(&json!({ "jsonrpc": "2.0", "id": 93, "method": "tools/call", "params": { "name": "roots", "arguments": {} } })).await;
    spec.check(
        "ListRootsRequest",
        &capable.recv().await.expect("roots request"),
    );
}

#[tokio::test]
async fn modern_2026_07_28_output_matches_its_schema() {
    let spec = Spec::load("2026-07-28");
    let server = fixtures::server();
    let mut client = RawClient::connect(server.clone());
    spec.check(
        "DiscoverResult",
        &client.modern("server/discover", json!({})).await["result"],
    );
    spec.check(
        "ListToolsResult",
        &client.modern("tools/list", json!({})).await["result"],
    );
    let call = client
        .modern(
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    spec.check("CallToolResultResponse", &call);
    spec.check("CallToolResult", &call["result"]);
    spec.check(
        "ListResourcesResult",
        &client.modern("resources/list", json!({})).await["result"],
    );
    spec.check(
        "ListResourceTemplatesResult",
        &client.modern("resources/templates/list", json!({})).await["result"],
    );
    spec.check(
        "ReadResourceResult",
        &client
            .modern("resources/read", json!({ "uri": "test://static" }))
            .await["result"],
    );
    spec.check(
        "ListPromptsResult",
        &client.modern("prompts/list", json!({})).await["result"],
    );
    spec.check(
        "GetPromptResult",
        &client
            .modern(
                "prompts/get",
                json!({ "name": "greet", "arguments": { "name": "x" } }),
            )
            .await["result"],
    );
    let complete = client
        .modern("completion/complete", json!({ "ref": { "type": "ref/resource", "uri": "test://items/{id}" }, "argument": { "name": "id", "value": "1" } }))
        .await;
    spec.check("CompleteResult", &complete["result"]);

    let caps = json!({ "elicitation": { "form": {} } });
    let asked = client
        .request(
            "tools/call",
            modern_params(json!({ "name": "confirm", "arguments": {} }), caps),
        )
        .await;
    spec.check("InputRequiredResult", &asked["result"]);
    spec.check("CallToolResultResponse", &asked);

    let unsupported = client
        .request("tools/list", json!({ "_meta": { "io.modelcontextprotocol/protocolVersion": "1999-01-01", "io.modelcontextprotocol/clientCapabilities": {} } }))
        .await;
    spec.check("UnsupportedProtocolVersionError", &unsupported);
    let missing = client
        .modern("tools/call", json!({ "name": "confirm", "arguments": {} }))
        .await;
    spec.check("MissingRequiredClientCapabilityError", &missing);
    spec.check(
        "JSONRPCErrorResponse",
        &client
            .modern("resources/read", json!({ "uri": "x://missing" }))
            .await,
    );
    spec.check(
        "InvalidParamsError",
        &client
            .modern("resources/read", json!({ "uri": "x://missing" }))
            .await["error"],
    );
    spec.check(
        "MethodNotFoundError",
        &client.modern("no/such", json!({})).await["error"],
    );

    let params = modern_params(
        json!({ "notifications": { "toolsListChanged": true, "resourceSubscriptions": ["test://static"] } }),
        json!({}),
    );
    client.send(&json!({ "jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen", "params": params })).await;
    spec.check(
        "SubscriptionsAcknowledgedNotification",
        &client.recv().await.expect("ack"),
    );
    server.remove_tool("raw");
    spec.check(
        "ToolListChangedNotification",
        &client.recv().await.expect("changed"),
    );
    server.notify_resource_updated("test://static");
    spec.check(
        "ResourceUpdatedNotification",
        &client.recv().await.expect("updated"),
    );
}

/// The listen's final result, sent when its transport shuts down: here the end of
/// the client's input, after which the server still writes what it has to say.
#[tokio::test]
async fn the_final_listen_result_matches_its_schema() {
    let spec = Spec::load("2026-07-28");
    let mut client = RawClient::connect(fixtures::server());
    let params = modern_params(
        json!({ "notifications": { "toolsListChanged": true } }),
        json!({}),
    );
    client.send(&json!({ "jsonrpc": "2.0", "id": 8, "method": "subscriptions/listen", "params": params })).await;
    spec.check(
        "SubscriptionsAcknowledgedNotification",
        &client.recv().await.expect("ack"),
    );
    client.close().await;
    let (response, _) = client.response_to(&json!(8)).await;
    spec.check("SubscriptionsListenResultResponse", &response);
    spec.check("SubscriptionsListenResult", &response["result"]);
}
