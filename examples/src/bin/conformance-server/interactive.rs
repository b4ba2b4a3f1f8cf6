//! Tools that ask the client something: sampling and elicitation (real requests in
//! the legacy era, input requests in 2026-07-28), the elicitation schema shapes of
//! SEP-1034 and SEP-1330, and the 2026-07-28 capability diagnostics.

use boltmcp::protocol::{CreateMessageRequestParams, ErrorObject};
use boltmcp::server::{Elicitation, ToolCall, ToolDef, ToolError};
use serde_json::{Value, json};

use super::from_json;

fn string_arg(name: &str) -> Value {
    json!({ "type": "object", "properties": { name: { "type": "string" } }, "required": [name] })
}

fn answer(action: Elicitation<boltmcp::protocol::JsonObject>) -> String {
    match action {
        Elicitation::Accepted(content) => {
            format!("action=accept, content={}", Value::Object(content))
        }
        Elicitation::Declined => "action=decline".to_owned(),
        Elicitation::Cancelled => "action=cancel".to_owned(),
    }
}

pub(crate) fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new("test_sampling", string_arg("prompt"), |call: ToolCall| async move {
            #[derive(serde::Deserialize)]
            struct Args {
                prompt: String,
            }
            let args: Args = call.arguments()?;
            let params: CreateMessageRequestParams = from_json(json!({
                "messages": [{ "role": "user", "content": { "type": "text", "text": args.prompt } }],
                "maxTokens": 100
            }))?;
            let reply = call.ctx.sample(params).await?;
            let text = serde_json::to_value(&reply.content)
                .ok()
                .and_then(|c| c.get("text").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default();
            Ok::<_, ToolError>(format!("LLM response: {text}"))
        })
        .description("Asks the client's model to answer `prompt`."),
        ToolDef::new("test_elicitation", string_arg("message"), |call: ToolCall| async move {
            #[derive(serde::Deserialize)]
            struct Args {
                message: String,
            }
            let args: Args = call.arguments()?;
            let schema = json!({ "type": "object", "properties": {
                "username": { "type": "string", "description": "User's response" },
                "email": { "type": "string", "description": "User's email address" }
            }, "required": ["username", "email"] });
            let reply = call.ctx.elicit_schema(args.message, schema).await?;
            Ok::<_, ToolError>(format!("User response: {}", answer(reply)))
        })
        .description("Asks the user for a username and an email address."),
        ToolDef::new("test_elicitation_sep1034_defaults", json!({ "type": "object" }), |call: ToolCall| async move {
            let schema = json!({ "type": "object", "properties": {
                "name": { "type": "string", "description": "User name", "default": "John Doe" },
                "age": { "type": "integer", "description": "User age", "default": 30 },
                "score": { "type": "number", "description": "User score", "default": 95.5 },
                "status": { "type": "string", "description": "User status",
                    "enum": ["active", "inactive", "pending"], "default": "active" },
                "verified": { "type": "boolean", "description": "Verification status", "default": true }
            }, "required": [] });
            let reply = call
                .ctx
                .elicit_schema("Please review and update the form fields with defaults", schema)
                .await?;
            Ok::<_, ToolError>(format!("Elicitation completed: {}", answer(reply)))
        })
        .description("Asks for a form whose fields have defaults (SEP-1034)."),
        ToolDef::new("test_elicitation_sep1330_enums", json!({ "type": "object" }), |call: ToolCall| async move {
            let options = |values: [&str; 3], titles: [&str; 3]| -> Vec<Value> {
                values.iter().zip(titles).map(|(v, t)| json!({ "const": v, "title": t })).collect()
            };
            let schema = json!({ "type": "object", "properties": {
                "untitledSingle": { "type": "string", "enum": ["option1", "option2", "option3"] },
                "titledSingle": { "type": "string",
                    "oneOf": options(["value1", "value2", "value3"], ["First Option", "Second Option", "Third Option"]) },
                "legacyEnum": { "type": "string", "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"] },
                "untitledMulti": { "type": "array", "minItems": 1, "maxItems": 3,
                    "items": { "type": "string", "enum": ["option1", "option2", "option3"] } },
                "titledMulti": { "type": "array", "minItems": 1, "maxItems": 3,
                    "items": { "anyOf": options(["value1", "value2", "value3"], ["First Choice", "Second Choice", "Third Choice"]) } }
            }, "required": [] });
            let reply = call.ctx.elicit_schema("Please choose from the options", schema).await?;
            Ok::<_, ToolError>(format!("Elicitation completed: {}", answer(reply)))
        })
        .description("Asks for a form with every enum shape (SEP-1330)."),
        ToolDef::new("test_missing_capability", json!({ "type": "object" }), |call: ToolCall| async move {
            if call.ctx.client_capabilities().sampling.is_none() {
                return Err(ToolError::protocol(ErrorObject::missing_client_capability(
                    json!({ "sampling": {} }),
                )));
            }
            Ok("Success")
        })
        .description("Needs the client's sampling capability, and says so when it is missing."),
        ToolDef::new("test_streaming_elicitation", json!({ "type": "object" }), |call: ToolCall| async move {
            let schema = json!({ "type": "object", "properties": { "ok": { "type": "boolean" } }, "required": ["ok"] });
            let reply = call.ctx.input("confirm").elicit_schema("Continue?", schema).await?;
            Ok::<_, ToolError>(format!("Elicitation completed: {}", answer(reply)))
        })
        .description("Asks a question mid-call: an input request in 2026-07-28, never a request on the stream."),
    ]
}
