//! The tasks-extension fixtures (SEP-2663): tools that run as tasks for clients that
//! declare `io.modelcontextprotocol/tasks`, and one that asks first and then goes on
//! as a task.

use std::time::Duration;

use boltmcp::protocol::{ErrorObject, TaskSupport};
use boltmcp::server::{Elicitation, ToolCall, ToolDef, ToolError};
use serde_json::{Value, json};

fn confirm_form() -> Value {
    json!({ "type": "object", "properties": { "confirm": { "type": "boolean" } }, "required": ["confirm"] })
}

fn accepted(reply: &Elicitation<boltmcp::protocol::JsonObject>) -> bool {
    matches!(reply, Elicitation::Accepted(_))
}

pub(crate) fn tools() -> Vec<ToolDef> {
    vec![
        ToolDef::new(
            "greet",
            json!({ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }),
            |call: ToolCall| async move {
                #[derive(serde::Deserialize)]
                struct Args {
                    name: String,
                }
                let args: Args = call.arguments()?;
                Ok::<_, ToolError>(format!("Hello, {}!", args.name))
            },
        )
        .description("Greets by name, at once (never a task)."),
        ToolDef::new(
            "slow_compute",
            json!({ "type": "object", "properties": {
                "seconds": { "type": "number" }, "label": { "type": "string" } } }),
            |call: ToolCall| async move {
                #[derive(serde::Deserialize)]
                struct Args {
                    #[serde(default)]
                    seconds: f64,
                    #[serde(default)]
                    label: String,
                }
                let args: Args = call.arguments()?;
                tokio::time::sleep(Duration::from_secs_f64(args.seconds.clamp(0.0, 3600.0))).await;
                Ok::<_, ToolError>(format!("slow_compute({}) done after {}s", args.label, args.seconds))
            },
        )
        .task_support(TaskSupport::Optional)
        .description("Sleeps `seconds`, then answers; a task for clients that take one."),
        ToolDef::new("failing_job", json!({ "type": "object" }), |_: ToolCall| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Err::<String, _>(ToolError::new("failing_job failed, as it always does"))
        })
        .task_support(TaskSupport::Required)
        .description("Always fails as a tool error; only runs as a task."),
        ToolDef::new("protocol_error_job", json!({ "type": "object" }), |_: ToolCall| async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Err::<String, _>(ToolError::protocol(ErrorObject::internal("protocol_error_job broke")))
        })
        .task_support(TaskSupport::Optional)
        .description("Always fails with a JSON-RPC error."),
        ToolDef::new(
            "confirm_delete",
            json!({ "type": "object", "properties": { "filename": { "type": "string" } } }),
            |call: ToolCall| async move {
                #[derive(serde::Deserialize)]
                struct Args {
                    #[serde(default)]
                    filename: String,
                }
                let args: Args = call.arguments()?;
                let reply = call
                    .ctx
                    .input("confirm")
                    .elicit_schema(format!("Delete {}?", args.filename), confirm_form())
                    .await?;
                Ok::<_, ToolError>(match accepted(&reply) {
                    true => format!("Deleted {}", args.filename),
                    false => format!("Kept {}", args.filename),
                })
            },
        )
        .task_support(TaskSupport::Required)
        .description("Asks for confirmation from inside a task, then answers."),
        ToolDef::new("multi_input", json!({ "type": "object" }), |call: ToolCall| async move {
            let form = json!({ "type": "object", "properties": { "value": { "type": "string" } } });
            let (a, b) = tokio::join!(
                call.ctx.input("input-a").elicit_schema("First value?", form.clone()),
                call.ctx.input("input-b").elicit_schema("Second value?", form.clone()),
            );
            let (a, b) = (a?, b?);
            Ok::<_, ToolError>(format!("answered: {} and {}", accepted(&a), accepted(&b)))
        })
        .task_support(TaskSupport::Required)
        .description("Asks two questions at once from inside a task."),
        ToolDef::new("test_tool_with_task", json!({ "type": "object" }), |call: ToolCall| async move {
            let form = json!({ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] });
            let reply = call.ctx.input("user_name").elicit_schema("What is your name?", form).await?;
            let name = match reply {
                Elicitation::Accepted(content) => content.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                _ => "stranger".to_owned(),
            };
            call.ctx
                .as_task(move |_| async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    format!("Hello, {name}! (async)")
                })
                .await
        })
        .description("Asks a name in the call itself, then finishes as a task."),
    ]
}
