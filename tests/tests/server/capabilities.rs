//! Capabilities advertise what the server has, or what its builder declares it may
//! add while it runs, in both eras: a tools-only server offers no `resources`,
//! `prompts` or `completions`.

use boltmcp::server::{Offering, PromptDef, Server, ToolDef};
use boltmcp_tests::RawClient;
use serde_json::{Value, json};

fn tool() -> ToolDef {
    ToolDef::new("echo", json!({"type": "object"}), |_| async { "ok" })
}

async fn legacy_capabilities(server: Server) -> Value {
    let mut client = RawClient::connect(server);
    let init = client.initialize("2025-11-25", json!({})).await;
    init["result"]["capabilities"].clone()
}

async fn modern_capabilities(server: Server) -> Value {
    let mut client = RawClient::connect(server);
    let found = client.modern("server/discover", json!({})).await;
    found["result"]["capabilities"].clone()
}

#[tokio::test]
async fn a_tools_only_server_advertises_tools_and_logging_only() {
    let server = Server::builder("tools-only", "1").tool(tool()).build();
    let expected = json!({ "tools": { "listChanged": true }, "logging": {} });
    assert_eq!(legacy_capabilities(server.clone()).await, expected);
    assert_eq!(modern_capabilities(server).await, expected);
}

#[tokio::test]
async fn the_full_fixture_advertises_every_kind_it_has() {
    let caps = legacy_capabilities(super::fixtures::server()).await;
    assert_eq!(caps["tools"]["listChanged"], true);
    assert_eq!(
        caps["resources"],
        json!({ "listChanged": true, "subscribe": true })
    );
    assert_eq!(caps["prompts"]["listChanged"], true);
    assert_eq!(
        caps["completions"],
        json!({}),
        "the fixture's template completes"
    );
}

#[tokio::test]
async fn a_kind_declared_with_may_add_is_advertised_before_anything_is_added() {
    let server = Server::builder("dynamic", "1")
        .tool(tool())
        .may_add(Offering::Resources)
        .may_add(Offering::Prompts)
        .build();
    let caps = modern_capabilities(server).await;
    assert_eq!(caps["resources"]["listChanged"], true);
    assert_eq!(caps["prompts"]["listChanged"], true);
    assert!(caps.get("completions").is_none(), "{caps}");
}

#[tokio::test]
async fn a_kind_added_at_runtime_is_advertised_to_the_next_client() {
    let server = Server::builder("grows", "1").tool(tool()).build();
    assert!(
        legacy_capabilities(server.clone())
            .await
            .get("prompts")
            .is_none()
    );
    server.add_prompt(PromptDef::new("hello", Vec::new(), |_| async {
        "hi".to_owned()
    }));
    let caps = legacy_capabilities(server).await;
    assert_eq!(caps["prompts"]["listChanged"], true);
}
