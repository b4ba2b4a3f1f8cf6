//! Negotiation, every method, the handlers in both eras, timeouts and cancellation.

use std::sync::atomic::Ordering;
use std::time::Duration;

use boltmcp::client::{Client, ClientBuilder, ClientError, Era, EraChoice};
use boltmcp::protocol::{
    CreateMessageResult, ElicitResult, ListRootsResult, LoggingLevel, ProtocolVersion,
};
use serde_json::{Value, json};

use super::fixtures;

fn builder() -> ClientBuilder {
    Client::builder()
        .on_elicitation(|_| async {
            Ok(serde_json::from_value::<ElicitResult>(
                json!({"action": "accept", "content": {"ok": true}}),
            )
            .expect("an elicitation result"))
        })
        .on_sampling(|_| async {
            Ok(serde_json::from_value::<CreateMessageResult>(json!({
                "role": "assistant", "content": {"type": "text", "text": "4"}, "model": "m"
            }))
            .expect("a sampling result"))
        })
        .on_roots(|_| async {
            Ok(
                serde_json::from_value::<ListRootsResult>(json!({"roots": [{"uri": "file:///w"}]}))
                    .expect("roots"),
            )
        })
}

async fn both_eras() -> [Client; 2] {
    [
        builder()
            .connect_in_memory(fixtures::server())
            .await
            .expect("modern"),
        builder()
            .era(EraChoice::Legacy)
            .connect_in_memory(fixtures::server())
            .await
            .expect("legacy"),
    ]
}

#[tokio::test]
async fn auto_negotiation_finds_the_modern_era_and_the_pin_keeps_legacy() {
    let [modern, legacy] = both_eras().await;
    assert_eq!(modern.era(), Era::Modern);
    assert_eq!(legacy.era(), Era::Legacy(ProtocolVersion::V2025_11_25));
    for client in [&modern, &legacy] {
        assert_eq!(client.server_info().name, "fixture");
        assert_eq!(client.instructions(), Some("Test fixture."));
        assert!(client.server_capabilities().tools.is_some());
    }
}

#[tokio::test]
async fn tools_resources_prompts_and_completions_in_both_eras() {
    for client in both_eras().await {
        let tools = client.list_tools().await.expect("tools");
        assert!(tools.iter().any(|t| t.name == "add"));
        let sum: Value = client
            .call_tool_as("add", json!({"a": 2, "b": 3}))
            .await
            .expect("add");
        assert_eq!(sum, json!({"result": 5.0}));
        let failed = client.call_tool("fail", json!({})).await.expect("a result");
        assert_eq!(failed.is_error, Some(true));
        let unknown = client.call_tool("nope", json!({})).await;
        assert!(
            matches!(&unknown, Err(ClientError::Rpc(e)) if e.code == -32602),
            "{unknown:?}"
        );
        assert!(
            client
                .list_resources()
                .await
                .expect("resources")
                .iter()
                .any(|r| r.uri == "test://static")
        );
        assert_eq!(
            client
                .list_resource_templates()
                .await
                .expect("templates")
                .len(),
            1
        );
        let read = client.read_resource("test://items/7").await.expect("read");
        assert!(
            serde_json::to_string(&read.contents)
                .expect("json")
                .contains("item 7")
        );
        let prompt = client
            .get_prompt("greet", json!({"name": "Ada"}))
            .await
            .expect("prompt");
        assert!(
            serde_json::to_string(&prompt.messages)
                .expect("json")
                .contains("Hello, Ada!")
        );
        let done = client
            .complete(
                json!({"type": "ref/resource", "uri": "test://items/{id}"}),
                "id",
                "1",
            )
            .await
            .expect("complete");
        assert_eq!(done.completion.values, ["1", "10"]);
    }
}

#[tokio::test]
async fn the_handlers_answer_in_both_eras() {
    for client in both_eras().await {
        let era = client.era();
        let confirmed = client
            .call_tool("confirm", json!({}))
            .await
            .expect("confirm");
        assert_eq!(
            serde_json::to_value(&confirmed.content).expect("json")[0]["text"],
            "confirmed",
            "{era:?}"
        );
        let sampled = client
            .call_tool("ask_model", json!({}))
            .await
            .expect("sample");
        assert!(
            serde_json::to_string(&sampled.content)
                .expect("json")
                .contains("model m said"),
            "{era:?}"
        );
        let roots = client.call_tool("roots", json!({})).await.expect("roots");
        assert_eq!(
            serde_json::to_value(&roots.content).expect("json")[0]["text"],
            "file:///w",
            "{era:?}"
        );
        let secret = client.read_resource("test://secret").await.expect("secret");
        assert!(
            serde_json::to_string(&secret.contents)
                .expect("json")
                .contains("the secret"),
            "{era:?}"
        );
    }
}

#[tokio::test]
async fn legacy_only_methods_work_in_legacy_and_are_refused_in_modern() {
    let [modern, legacy] = both_eras().await;
    legacy.ping().await.expect("ping");
    assert!(matches!(
        modern.ping().await,
        Err(ClientError::Unsupported(_))
    ));
}

/// A server whose `chatty` tool logs once at `info` and once at `debug`.
fn chatty_server() -> boltmcp::server::Server {
    let server = fixtures::server();
    server.add_tool(boltmcp::server::ToolDef::new(
        "chatty",
        json!({"type": "object"}),
        |call: boltmcp::server::ToolCall| async move {
            call.ctx.log(LoggingLevel::Info, None, "at info");
            call.ctx.log(LoggingLevel::Debug, None, "at debug");
            "said"
        },
    ));
    server
}

/// The log messages heard during one call of `chatty`.
async fn logs_of_a_call(
    client: &Client,
    heard: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
) -> Vec<Value> {
    client.call_tool("chatty", json!({})).await.expect("chatty");
    // A call's logs come before its response; a moment more catches any stray one.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut logs = Vec::new();
    while let Ok(data) = heard.try_recv() {
        logs.push(data);
    }
    logs
}

#[tokio::test]
async fn set_log_level_asks_for_logs_in_both_eras() {
    for (era, unasked) in [
        // 2026-07-28 `server/utilities/logging`: no logs for a request that does not ask.
        (EraChoice::Modern, vec![]),
        // Legacy: the server's default level until `logging/setLevel`.
        (EraChoice::Legacy, vec![json!("at info")]),
    ] {
        let (sender, mut heard) = tokio::sync::mpsc::unbounded_channel();
        let client = builder()
            .era(era)
            .on_notification(move |method, params| {
                if method == "notifications/message" {
                    let _ = sender.send(params["data"].clone());
                }
            })
            .connect_in_memory(chatty_server())
            .await
            .expect("connect");
        assert_eq!(
            logs_of_a_call(&client, &mut heard).await,
            unasked,
            "{era:?}"
        );
        client
            .set_log_level(LoggingLevel::Debug)
            .await
            .expect("set level");
        assert_eq!(
            logs_of_a_call(&client, &mut heard).await,
            [json!("at info"), json!("at debug")],
            "{era:?}"
        );
        client
            .set_log_level(LoggingLevel::Warning)
            .await
            .expect("set level");
        assert_eq!(
            logs_of_a_call(&client, &mut heard).await,
            Vec::<Value>::new(),
            "{era:?}"
        );
    }
}

#[tokio::test]
async fn a_call_past_its_timeout_fails_and_the_server_is_told() {
    let (stuck, cancelled) = fixtures::stuck_tool();
    let server = fixtures::server();
    server.add_tool(stuck);
    for era in [EraChoice::Auto, EraChoice::Legacy] {
        cancelled.store(false, Ordering::SeqCst);
        let client = builder()
            .era(era)
            .timeout(Some(Duration::from_millis(100)))
            .connect_in_memory(server.clone())
            .await
            .expect("connect");
        let outcome = client.call_tool("stuck", json!({})).await;
        assert!(
            matches!(outcome, Err(ClientError::Timeout { .. })),
            "{outcome:?}"
        );
        assert!(
            fixtures::raised(&cancelled).await,
            "{era:?}: the server never heard notifications/cancelled"
        );
        // The connection goes on.
        assert!(
            client
                .call_tool("add", json!({"a": 1, "b": 1}))
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn dropping_a_call_cancels_it_on_the_server() {
    let (stuck, cancelled) = fixtures::stuck_tool();
    let server = fixtures::server();
    server.add_tool(stuck);
    let client = builder().connect_in_memory(server).await.expect("connect");
    let call = client.call_tool("stuck", json!({}));
    assert!(
        tokio::time::timeout(Duration::from_millis(50), call)
            .await
            .is_err(),
        "still running"
    );
    assert!(
        fixtures::raised(&cancelled).await,
        "dropping the call did not cancel it on the server"
    );
}
