//! `ToolDef::validate_arguments` (feature `schema-validation`): a runtime tool's
//! arguments are held to its `inputSchema` before the handler runs; a mismatch is an
//! `isError` result that names each violation, in both eras and on both call paths.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use boltmcp::prelude::*;
use boltmcp::server::{ToolCall, ToolDef};
use boltmcp_tests::RawClient;
use serde_json::{Value, json};

fn forecast_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": { "type": "string", "minLength": 1 },
            "days": { "type": "integer", "minimum": 1, "maximum": 14 }
        },
        "required": ["city"],
        "additionalProperties": false
    })
}

/// A server with `forecast` (validated, counting its calls) and `echo` (a `#[tool]`
/// function on the synchronous fast path, validated too).
fn server(calls: Arc<AtomicUsize>) -> Server {
    let forecast = ToolDef::new("forecast", forecast_schema(), move |call: ToolCall| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            format!("sunny: {}", call.raw_arguments())
        }
    })
    .validate_arguments()
    .expect("a valid schema");
    Server::builder("validation", "1")
        .tool(forecast)
        .tool(echo_tool().validate_arguments().expect("a valid schema"))
        .build()
}

/// Returns `n`.
#[tool]
fn echo(n: i64) -> i64 {
    n
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

async fn call(client: &mut RawClient, modern: bool, name: &str, arguments: Value) -> Value {
    let params = json!({ "name": name, "arguments": arguments });
    let response = if modern {
        client.modern("tools/call", params).await
    } else {
        client.request("tools/call", params).await
    };
    response["result"].clone()
}

#[tokio::test]
async fn arguments_that_break_the_schema_never_reach_the_handler() {
    for modern in [false, true] {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut client = RawClient::connect(server(calls.clone()));
        if !modern {
            client.initialize("2025-11-25", json!({})).await;
        }

        let ok = call(
            &mut client,
            modern,
            "forecast",
            json!({"city": "Oslo", "days": 3}),
        )
        .await;
        assert_ne!(ok["isError"], json!(true), "{ok}");
        assert!(text(&ok).starts_with("sunny"), "{ok}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let missing = call(&mut client, modern, "forecast", json!({"days": 3})).await;
        assert_eq!(missing["isError"], json!(true), "{missing}");
        assert!(
            text(&missing).contains("\"city\" is a required property"),
            "{missing}"
        );

        let out_of_range = call(
            &mut client,
            modern,
            "forecast",
            json!({"city": "Oslo", "days": 30}),
        )
        .await;
        assert_eq!(out_of_range["isError"], json!(true));
        assert!(
            text(&out_of_range).contains("at /days: 30 is greater than the maximum of 14"),
            "{out_of_range}"
        );

        let extra = call(
            &mut client,
            modern,
            "forecast",
            json!({"city": "Oslo", "units": "C"}),
        )
        .await;
        assert_eq!(extra["isError"], json!(true));
        assert!(text(&extra).contains("units"), "{extra}");

        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "no invalid call reached the handler"
        );
    }
}

#[tokio::test]
async fn the_synchronous_fast_path_is_validated_too() {
    let mut client = RawClient::connect(server(Arc::default()));
    client.initialize("2025-11-25", json!({})).await;
    let good = call(&mut client, false, "echo", json!({"n": 7})).await;
    assert_eq!(good["structuredContent"]["result"], json!(7), "{good}");
    // serde alone would also refuse 1.5, but in its own words; these are the schema's.
    let bad = call(&mut client, false, "echo", json!({"n": 1.5})).await;
    assert_eq!(bad["isError"], json!(true));
    assert!(
        text(&bad).contains("at /n: 1.5 is not of type \"integer\""),
        "{bad}"
    );
}

#[tokio::test]
async fn many_violations_are_listed_up_to_five_then_counted() {
    let schema = json!({
        "type": "object",
        "properties": { "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"},
                        "d": {"type": "string"}, "e": {"type": "string"}, "f": {"type": "string"},
                        "g": {"type": "string"} }
    });
    let tool = ToolDef::new("seven", schema, |_call: ToolCall| async { "ran" })
        .validate_arguments()
        .expect("a valid schema");
    let mut client = RawClient::connect(Server::builder("v", "1").tool(tool).build());
    client.initialize("2025-11-25", json!({})).await;
    let result = call(
        &mut client,
        false,
        "seven",
        json!({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1}),
    )
    .await;
    assert_eq!(result["isError"], json!(true));
    let message = text(&result);
    assert_eq!(message.matches("is not of type").count(), 5, "{message}");
    assert!(message.ends_with("and 2 more"), "{message}");
}

#[test]
fn a_schema_that_cannot_be_compiled_is_refused_at_registration() {
    let broken = ToolDef::new("broken", json!({"type": 12}), |_call: ToolCall| async {
        ""
    })
    .validate_arguments()
    .expect_err("`type: 12` is not a schema");
    assert!(broken.to_string().contains("tool `broken`"), "{broken}");

    // A `$ref` to another document is never fetched (no network, no files).
    let remote = ToolDef::new(
        "remote",
        json!({"$ref": "http://127.0.0.1:9/schema.json"}),
        |_call: ToolCall| async { "" },
    )
    .validate_arguments();
    assert!(remote.is_err(), "a remote $ref must not compile");
}
