//! The 2026-07-28 multi round-trip fixtures (SEP-2322): tools and a prompt that ask
//! the client questions under the input keys the suite answers.

use boltmcp::protocol::{CreateMessageRequestParams, JsonObject, PromptMessage};
use boltmcp::server::{
    Context, Elicitation, PromptDef, PromptRequest, ToolCall, ToolDef, ToolError,
};
use serde_json::{Value, json};

use super::from_json;

fn form(property: &str, kind: &str) -> Value {
    json!({ "type": "object", "properties": { property: { "type": kind } }, "required": [property] })
}

/// The accepted form's `field` as text, or what the user did instead.
fn field(reply: Elicitation<JsonObject>, field: &str) -> String {
    match reply {
        Elicitation::Accepted(content) => match content.get(field) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        },
        Elicitation::Declined => "(declined)".to_owned(),
        Elicitation::Cancelled => "(cancelled)".to_owned(),
    }
}

fn question(text: &str, max_tokens: u32) -> Result<CreateMessageRequestParams, ToolError> {
    from_json(json!({
        "messages": [{ "role": "user", "content": { "type": "text", "text": text } }],
        "maxTokens": max_tokens
    }))
}

fn sampled_text(reply: &boltmcp::protocol::CreateMessageResult) -> String {
    serde_json::to_value(&reply.content)
        .ok()
        .and_then(|c| c.get("text").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

async fn ask_name(ctx: &Context) -> Result<String, ToolError> {
    let reply = ctx
        .input("user_name")
        .elicit_schema("What is your name?", form("name", "string"))
        .await?;
    Ok(field(reply, "name"))
}

fn tool<F, Fut>(name: &'static str, description: &'static str, run: F) -> ToolDef
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, ToolError>> + Send + 'static,
{
    ToolDef::new(name, json!({ "type": "object" }), move |call: ToolCall| {
        run(call.ctx)
    })
    .description(description)
}

pub(crate) fn tools() -> Vec<ToolDef> {
    vec![
        tool(
            "test_input_required_result_elicitation",
            "Asks the user's name, then greets them.",
            |ctx| async move { Ok(format!("Hello, {}!", ask_name(&ctx).await?)) },
        ),
        tool(
            "test_input_required_result_sampling",
            "Asks the client's model a question.",
            |ctx| async move {
                let reply = ctx
                    .input("capital_question")
                    .sample(question("What is the capital of France?", 100)?)
                    .await?;
                Ok(format!("The model said: {}", sampled_text(&reply)))
            },
        ),
        tool(
            "test_input_required_result_list_roots",
            "Asks the client for its roots.",
            |ctx| async move {
                let roots = ctx.input("client_roots").roots().await?;
                Ok(format!("Found {} root(s)", roots.len()))
            },
        ),
        tool(
            "test_input_required_result_request_state",
            "Asks for confirmation, carrying state across the round.",
            |ctx| async move {
                let reply = ctx
                    .input("confirm")
                    .elicit_schema("Please confirm", form("ok", "boolean"))
                    .await?;
                Ok(format!("state-ok: confirmed={}", field(reply, "ok")))
            },
        ),
        tool(
            "test_input_required_result_multiple_inputs",
            "Asks three things at once.",
            |ctx| async move {
                let (name, greeting, roots) = tokio::join!(
                    ask_name(&ctx),
                    ctx.input("greeting")
                        .sample(question("Generate a greeting", 50)?),
                    ctx.input("client_roots").roots(),
                );
                let (name, greeting, roots) = (name?, greeting?, roots?);
                Ok(format!(
                    "{} {name}; {} root(s)",
                    sampled_text(&greeting),
                    roots.len()
                ))
            },
        ),
        tool(
            "test_input_required_result_multi_round",
            "Asks two questions, one round each.",
            |ctx| async move {
                let name = ctx
                    .input("step1")
                    .elicit_schema("Step 1: What is your name?", form("name", "string"))
                    .await?;
                let color = ctx
                    .input("step2")
                    .elicit_schema(
                        "Step 2: What is your favorite color?",
                        form("color", "string"),
                    )
                    .await?;
                Ok(format!(
                    "{} likes {}",
                    field(name, "name"),
                    field(color, "color")
                ))
            },
        ),
        tool(
            "test_input_required_result_tampered_state",
            "Asks for confirmation; tampered requestState is refused.",
            |ctx| async move {
                let reply = ctx
                    .input("confirm")
                    .elicit_schema("Please confirm", form("ok", "boolean"))
                    .await?;
                Ok(format!("confirmed={}", field(reply, "ok")))
            },
        ),
        tool(
            "test_input_required_result_capabilities",
            "Asks only what the client declared it can answer.",
            |ctx| async move {
                let caps = ctx.client_capabilities();
                let mut said = Vec::new();
                if caps.elicitation.is_some() {
                    said.push(ask_name(&ctx).await?);
                }
                if caps.sampling.is_some() {
                    let reply = ctx
                        .input("sample_request")
                        .sample(question("Say hello", 20)?)
                        .await?;
                    said.push(sampled_text(&reply));
                }
                if caps.roots.is_some() {
                    said.push(format!(
                        "{} root(s)",
                        ctx.input("roots_request").roots().await?.len()
                    ));
                }
                Ok(said.join("; "))
            },
        ),
    ]
}

pub(crate) fn prompts() -> Vec<PromptDef> {
    vec![
        PromptDef::new(
            "test_input_required_result_prompt",
            vec![],
            |req: PromptRequest| async move {
                let reply = req
                    .ctx
                    .input("user_context")
                    .elicit_schema(
                        "What context should the prompt use?",
                        form("context", "string"),
                    )
                    .await?;
                let text = format!("Use this context: {}", field(reply, "context"));
                from_json::<Vec<PromptMessage>>(
                    json!([{ "role": "user", "content": { "type": "text", "text": text } }]),
                )
            },
        )
        .description("A prompt that asks the user for context first."),
    ]
}
