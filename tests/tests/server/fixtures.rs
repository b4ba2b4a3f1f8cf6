//! A server built with the runtime form only (no macros), used across these tests.

use std::time::Duration;

use boltmcp::protocol::{CallToolResult, PromptArgument};
use boltmcp::server::{
    Elicitation, PromptDef, ResourceDef, ResourceTemplateDef, Server, ToolCall, ToolDef, ToolError,
};
use serde_json::json;

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Confirm {
    pub(crate) ok: bool,
}

pub(crate) fn add() -> ToolDef {
    let schema = json!({
        "type": "object",
        "properties": { "a": { "type": "number" }, "b": { "type": "number" } },
        "required": ["a", "b"]
    });
    ToolDef::new("add", schema, |call: ToolCall| async move {
        #[derive(serde::Deserialize)]
        struct Args {
            a: f64,
            b: f64,
        }
        let args: Args = call.arguments()?;
        Ok::<_, ToolError>(boltmcp::server::Json(args.a + args.b))
    })
    .description("Adds two numbers.")
}

pub(crate) fn server() -> Server {
    server_with_page_size(100)
}

pub(crate) fn server_with_page_size(page_size: usize) -> Server {
    let object = json!({ "type": "object" });
    Server::builder("fixture", "1.0.0")
        .instructions("Test fixture.")
        .page_size(page_size)
        .tool(add())
        .tool(ToolDef::new("fail", object.clone(), |_| async {
            Err::<String, _>("it broke")
        }))
        .tool(ToolDef::new("panic", object.clone(), |_| async {
            if true {
                panic!("handler exploded");
            }
            "unreachable"
        }))
        .tool(ToolDef::new(
            "slow",
            object.clone(),
            |call: ToolCall| async move {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(30)) => "finished".to_owned(),
                    () = call.ctx.cancelled() => "cancelled".to_owned(),
                }
            },
        ))
        .tool(ToolDef::new(
            "progress",
            object.clone(),
            |call: ToolCall| async move {
                for i in 1..=3 {
                    call.ctx.progress(f64::from(i), Some(3.0), Some("working"));
                    call.ctx.progress(0.5, None, None);
                }
                call.ctx.info("done");
                "ok"
            },
        ))
        .tool(ToolDef::new(
            "confirm",
            object.clone(),
            |call: ToolCall| async move {
                match call.ctx.elicit::<Confirm>("Proceed?").await? {
                    Elicitation::Accepted(Confirm { ok: true }) => {
                        Ok::<_, ToolError>("confirmed".to_owned())
                    }
                    Elicitation::Accepted(_) => Ok("refused".to_owned()),
                    Elicitation::Declined | Elicitation::Cancelled => Ok("declined".to_owned()),
                }
            },
        ))
        .tool(ToolDef::new("raw", object.clone(), |_| async {
            CallToolResult::text("raw")
        }))
        .tool(ToolDef::new(
            "ask_model",
            object.clone(),
            |call: ToolCall| async move {
                let params = serde_json::from_value(json!({
                    "messages": [{ "role": "user", "content": { "type": "text", "text": "2+2?" } }],
                    "maxTokens": 10
                }))
                .map_err(ToolError::new)?;
                let answer = call.ctx.sample(params).await?;
                let content = serde_json::to_string(&answer.content).map_err(ToolError::new)?;
                Ok::<_, ToolError>(format!("model {} said {content}", answer.model))
            },
        ))
        .tool(ToolDef::new("roots", object, |call: ToolCall| async move {
            let roots = call.ctx.roots().await?;
            let uris: Vec<String> = roots.iter().map(|r| r.uri.clone()).collect();
            Ok::<_, ToolError>(uris.join(","))
        }))
        .resource(ResourceDef::new(
            "test://secret",
            "secret",
            |req: boltmcp::server::ResourceRequest| async move {
                match req.ctx.elicit::<Confirm>("Reveal?").await? {
                    Elicitation::Accepted(Confirm { ok: true }) => {
                        Ok::<_, ToolError>("the secret".to_owned())
                    }
                    _ => Ok("withheld".to_owned()),
                }
            },
        ))
        .resource(
            ResourceDef::new("test://static", "static", |_| async { "static text" })
                .mime_type("text/plain"),
        )
        .resource(
            ResourceTemplateDef::new(
                "test://items/{id}",
                "item",
                |req: boltmcp::server::ResourceRequest| async move {
                    format!("item {}", req.params["id"])
                },
            )
            .expect("valid template")
            .completion(|_, value| {
                ["1", "10", "2"]
                    .iter()
                    .filter(|c| c.starts_with(value))
                    .map(|c| c.to_string())
                    .collect()
            }),
        )
        .prompt(
            PromptDef::new(
                "greet",
                vec![PromptArgument {
                    name: "name".into(),
                    required: Some(true),
                    ..Default::default()
                }],
                |req: boltmcp::server::PromptRequest| async move {
                    format!("Hello, {}!", req.arguments["name"])
                },
            )
            .description("Greets someone."),
        )
        .build()
}

/// A tool that waits until its call is cancelled, and the flag it raises then.
// Used by the client tests, which include this file too.
#[allow(dead_code)]
pub(crate) fn stuck_tool() -> (ToolDef, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = cancelled.clone();
    let tool = ToolDef::new("stuck", json!({"type": "object"}), move |call: ToolCall| {
        let flag = flag.clone();
        async move {
            call.ctx.cancelled().await;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            "cancelled"
        }
    });
    (tool, cancelled)
}

/// Waits up to two seconds for `flag`; true when it was raised.
#[allow(dead_code)]
pub(crate) async fn raised(flag: &std::sync::atomic::AtomicBool) -> bool {
    for _ in 0..200 {
        if flag.load(std::sync::atomic::Ordering::SeqCst) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
