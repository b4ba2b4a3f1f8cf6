//! The plain fixtures: content types, errors, progress, resources, templates and
//! prompts, with the exact names and texts the suite checks.

use std::time::Duration;

use boltmcp::protocol::{
    CallToolResult, PromptArgument, PromptMessage, ReadResourceResult, ResourceContents,
};
use boltmcp::server::{
    PromptDef, PromptRequest, ResourceDef, ResourceRequest, ResourceTemplateDef, ServerEvent,
    ToolCall, ToolDef, ToolError,
};
use serde_json::{Value, json};

use super::{PNG, SERVER, WAV, from_json};

fn no_args() -> Value {
    json!({ "type": "object", "properties": {} })
}

fn fixed(name: &'static str, description: &'static str, result: Value) -> ToolDef {
    ToolDef::new(name, no_args(), move |_: ToolCall| {
        let result = result.clone();
        async move { from_json::<CallToolResult>(result) }
    })
    .description(description)
}

/// The tools with fixed answers, `test_simple_text` first (the suite calls the first
/// listed tool with no arguments).
pub(crate) fn tools() -> Vec<ToolDef> {
    let embedded = json!({ "type": "resource", "resource": {
        "uri": "test://embedded-resource", "mimeType": "text/plain",
        "text": "This is an embedded resource content." } });
    vec![
        fixed(
            "test_simple_text",
            "Returns a simple text response.",
            json!({
            "content": [{ "type": "text", "text": "This is a simple text response for testing." }] }),
        ),
        fixed(
            "test_image_content",
            "Returns an image.",
            json!({
            "content": [{ "type": "image", "data": PNG, "mimeType": "image/png" }] }),
        ),
        fixed(
            "test_audio_content",
            "Returns audio.",
            json!({
            "content": [{ "type": "audio", "data": WAV, "mimeType": "audio/wav" }] }),
        ),
        fixed(
            "test_embedded_resource",
            "Returns an embedded resource.",
            json!({ "content": [embedded] }),
        ),
        fixed(
            "test_multiple_content_types",
            "Returns text, an image and a resource.",
            json!({ "content": [
            { "type": "text", "text": "Multiple content types test:" },
            { "type": "image", "data": PNG, "mimeType": "image/png" },
            { "type": "resource", "resource": { "uri": "test://mixed-content-resource",
              "mimeType": "application/json", "text": "{\"test\":\"data\",\"value\":123}" } }
        ] }),
        ),
        fixed(
            "test_error_handling",
            "Always fails, as a tool error.",
            json!({ "isError": true,
            "content": [{ "type": "text", "text": "This tool intentionally returns an error for testing" }] }),
        ),
        ToolDef::new(
            "test_tool_with_logging",
            no_args(),
            |call: ToolCall| async move {
                for message in [
                    "Tool execution started",
                    "Tool processing data",
                    "Tool execution completed",
                ] {
                    call.ctx.info(message);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                "Tool with logging executed successfully"
            },
        )
        .description("Sends three log messages while it runs."),
        ToolDef::new(
            "test_tool_with_progress",
            no_args(),
            |call: ToolCall| async move {
                for progress in [0.0, 50.0, 100.0] {
                    call.ctx.progress(progress, Some(100.0), None);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                "Progress test completed"
            },
        )
        .description("Reports progress 0, 50 and 100 of 100."),
        ToolDef::new(
            "test_reconnection",
            no_args(),
            |call: ToolCall| async move {
                // Let go of the client's connection first; it comes back with
                // Last-Event-ID for the answer (SEP-1699).
                call.ctx.disconnect_stream(Duration::from_millis(500));
                tokio::time::sleep(Duration::from_millis(100)).await;
                "Reconnection test completed"
            },
        )
        .description("Closes its stream at once and answers on the resumed one."),
        ToolDef::new(
            "test_logging_tool",
            no_args(),
            |call: ToolCall| async move {
                call.ctx.info("test_logging_tool ran");
                "Logged (if the request asked for logs)"
            },
        )
        .description(
            "Logs one message, which a 2026-07-28 client hears only if it set a log level.",
        ),
        ToolDef::new("test_trigger_tool_change", no_args(), |_: ToolCall| async {
            if let Some(server) = SERVER.get() {
                server.announce(ServerEvent::ToolsChanged);
            }
            "tools/list_changed sent"
        })
        .description("Announces a tool list change to listening clients."),
        ToolDef::new(
            "test_trigger_prompt_change",
            no_args(),
            |_: ToolCall| async {
                if let Some(server) = SERVER.get() {
                    server.announce(ServerEvent::PromptsChanged);
                }
                "prompts/list_changed sent"
            },
        )
        .description("Announces a prompt list change to listening clients."),
        ToolDef::new(
            "json_schema_2020_12_tool",
            json_schema_2020_12(),
            |_: ToolCall| async { "JSON Schema 2020-12 tool called" },
        )
        .description("Tool with JSON Schema 2020-12 features"),
        ToolDef::new(
            "test_custom_header",
            json!({ "type": "object",
                "properties": { "value": { "type": "string", "x-mcp-header": "Value" } },
                "required": ["value"] }),
            |call: ToolCall| async move {
                #[derive(serde::Deserialize)]
                struct Args {
                    value: String,
                }
                let args: Args = call.arguments()?;
                Ok::<_, ToolError>(format!("value: {}", args.value))
            },
        )
        .description("Echoes `value`, which clients mirror into the Mcp-Param-Value header."),
    ]
}

/// The schema of `json_schema_2020_12_tool`, kept exactly as written.
fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": { "address": { "$anchor": "addressDef", "type": "object",
            "properties": { "street": { "type": "string" }, "city": { "type": "string" } } } },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": { "properties": { "contactMethod": { "const": "phone" } }, "required": ["contactMethod"] },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    })
}

fn contents(value: Value) -> Result<ResourceContents, ToolError> {
    from_json(value)
}

/// The static resources, the readable text one first.
pub(crate) fn resources() -> Vec<ResourceDef> {
    vec![
        ResourceDef::new(
            "test://static-text",
            "Static Text Resource",
            |_: ResourceRequest| async {
                contents(
                    json!({ "uri": "test://static-text", "mimeType": "text/plain",
                "text": "This is the content of the static text resource." }),
                )
            },
        )
        .mime_type("text/plain")
        .description("A static text resource."),
        ResourceDef::new(
            "test://static-binary",
            "Static Binary Resource",
            |_: ResourceRequest| async {
                contents(
                    json!({ "uri": "test://static-binary", "mimeType": "image/png", "blob": PNG }),
                )
            },
        )
        .mime_type("image/png")
        .description("A static binary resource (a PNG image)."),
        ResourceDef::new(
            "test://watched-resource",
            "Watched Resource",
            |_: ResourceRequest| async { "Watched resource content" },
        )
        .mime_type("text/plain")
        .description("A resource clients can subscribe to."),
    ]
}

/// `test://template/{id}/data`.
pub(crate) fn template() -> ResourceTemplateDef {
    ResourceTemplateDef::new(
        "test://template/{id}/data",
        "Dynamic Resource",
        |req: ResourceRequest| async move {
            let id = req.params.get("id").cloned().unwrap_or_default();
            let text =
                json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") })
                    .to_string();
            from_json::<ReadResourceResult>(json!({ "contents": [
            { "uri": req.uri, "mimeType": "application/json", "text": text } ] }))
        },
    )
    .map(|t| {
        t.mime_type("application/json")
            .description("A resource template with an id.")
    })
    .unwrap_or_else(|err| panic!("the fixture's template is valid: {err}"))
}

fn argument(name: &str) -> PromptArgument {
    PromptArgument {
        name: name.into(),
        required: Some(true),
        ..Default::default()
    }
}

fn messages(value: Value) -> Result<Vec<PromptMessage>, ToolError> {
    from_json(value)
}

pub(crate) fn prompts() -> Vec<PromptDef> {
    vec![
        PromptDef::new("test_simple_prompt", vec![], |_: PromptRequest| async {
            messages(json!([{ "role": "user", "content": { "type": "text", "text": "This is a simple prompt for testing." } }]))
        })
        .description("A prompt without arguments."),
        PromptDef::new("test_prompt_with_arguments", vec![argument("arg1"), argument("arg2")], |req: PromptRequest| async move {
            let (a, b) = (req.arguments.get("arg1").cloned().unwrap_or_default(), req.arguments.get("arg2").cloned().unwrap_or_default());
            messages(json!([{ "role": "user", "content": { "type": "text",
                "text": format!("Prompt with arguments: arg1='{a}', arg2='{b}'") } }]))
        })
        .description("A prompt with two required arguments.")
        .completion(|argument, value| {
            let options: &[&str] = match argument {
                "arg1" => &["test1", "test2", "testValue1"],
                _ => &["value1", "value2", "testValue2"],
            };
            options.iter().filter(|o| o.starts_with(value)).map(|o| o.to_string()).collect()
        }),
        PromptDef::new("test_prompt_with_embedded_resource", vec![argument("resourceUri")], |req: PromptRequest| async move {
            let uri = req.arguments.get("resourceUri").cloned().unwrap_or_default();
            messages(json!([
                { "role": "user", "content": { "type": "resource", "resource": {
                    "uri": uri, "mimeType": "text/plain", "text": "Embedded resource content for testing." } } },
                { "role": "user", "content": { "type": "text", "text": "Please process the embedded resource above." } }
            ]))
        })
        .description("A prompt holding an embedded resource."),
        PromptDef::new("test_prompt_with_image", vec![], |_: PromptRequest| async {
            messages(json!([
                { "role": "user", "content": { "type": "image", "data": PNG, "mimeType": "image/png" } },
                { "role": "user", "content": { "type": "text", "text": "Please analyze the image above." } }
            ]))
        })
        .description("A prompt holding an image."),
    ]
}
