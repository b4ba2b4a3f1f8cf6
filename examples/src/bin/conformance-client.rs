//! The conformance client: what the official suite's client scenarios run
//! (`conformance client --command "conformance-client"`). It reads the scenario from
//! `MCP_CONFORMANCE_SCENARIO`, its inputs from `MCP_CONFORMANCE_CONTEXT`, the era from
//! `MCP_CONFORMANCE_PROTOCOL_VERSION`, and takes the server URL as its last argument.
//! It is an ordinary `boltmcp::client` program: connect, list, call.

use boltmcp::client::{Client, ClientError, EraChoice};
use boltmcp::protocol::{CreateMessageResult, ElicitRequestParams, ElicitResult, ListRootsResult};
use serde_json::{Map, Value, json};

/// Accepts an elicitation, filling each field from its default (SEP-1034).
async fn elicit(
    params: ElicitRequestParams,
) -> Result<ElicitResult, boltmcp::protocol::ErrorObject> {
    let request = serde_json::to_value(&params).unwrap_or_default();
    let mut content = Map::new();
    if let Some(properties) = request
        .pointer("/requestedSchema/properties")
        .and_then(Value::as_object)
    {
        for (name, schema) in properties {
            content.insert(name.clone(), boltmcp_examples::sample_value(schema));
        }
    }
    serde_json::from_value(json!({ "action": "accept", "content": content }))
        .map_err(boltmcp::protocol::ErrorObject::internal)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ClientError> {
    boltmcp_examples::init_logging();
    let Some(url) = std::env::args()
        .next_back()
        .filter(|a| a.starts_with("http"))
    else {
        eprintln!("usage: conformance-client URL   (MCP_CONFORMANCE_SCENARIO names the scenario)");
        std::process::exit(2);
    };
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context: Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let era = match std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION").as_deref() {
        Ok("2026-07-28") => EraChoice::Modern,
        _ => EraChoice::Legacy,
    };
    let client = Client::builder()
        .info("boltmcp-conformance-client", env!("CARGO_PKG_VERSION"))
        .era(era)
        .on_elicitation(elicit)
        .capability(
            "elicitation",
            json!({ "form": { "applyDefaults": true }, "applyDefaults": true }),
        )
        .on_sampling(|_| async {
            serde_json::from_value::<CreateMessageResult>(json!({
                "role": "assistant", "content": { "type": "text", "text": "a test answer" },
                "model": "test-model", "stopReason": "endTurn"
            }))
            .map_err(boltmcp::protocol::ErrorObject::internal)
        })
        .on_roots(|_| async {
            Ok(ListRootsResult {
                roots: Vec::new(),
                ..Default::default()
            })
        })
        .connect_http(&url)
        .await?;
    let tools = client.list_tools().await?;
    match scenario.as_str() {
        "initialize" | "request-metadata" | "json-schema-ref-no-deref" => {}
        "http-custom-headers" => {
            let calls = context
                .get("toolCalls")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for call in calls {
                let name = call.get("name").and_then(Value::as_str).unwrap_or_default();
                let arguments = call.get("arguments").cloned().unwrap_or(json!({}));
                client.call_tool(name, arguments).await?;
            }
        }
        "http-standard-headers" => {
            for tool in &tools {
                client
                    .call_tool(&tool.name, boltmcp_examples::arguments_for(tool))
                    .await?;
            }
            for resource in client.list_resources().await? {
                client.read_resource(&resource.uri).await?;
            }
            for prompt in client.list_prompts().await? {
                client.get_prompt(&prompt.name, json!({})).await?;
            }
        }
        // Every other scenario: call each tool the server offers, in order.
        _ => {
            for tool in &tools {
                let outcome = client
                    .call_tool(&tool.name, boltmcp_examples::arguments_for(tool))
                    .await;
                if let Err(err) = outcome {
                    eprintln!("conformance-client: {} failed: {err}", tool.name);
                }
            }
        }
    }
    Ok(())
}
