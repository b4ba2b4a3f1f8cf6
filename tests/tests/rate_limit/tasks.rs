//! Tasks (the tasks extension): a limit applies when the task is created, and the
//! tool's timeout to the task's run.

use std::time::{Duration, Instant};

use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::protocol::TaskSupport;
use boltmcp::server::{Quota, Server, ToolCall, ToolDef, ToolError};
use boltmcp_tests::{RawClient, modern_params};
use serde_json::{Value, json};

const EXT: &str = "io.modelcontextprotocol/tasks";

fn server() -> Server {
    let sleepy = ToolDef::new(
        "sleepy",
        json!({"type": "object"}),
        |call: ToolCall| async move {
            let ms = call.arguments::<Value>()?["ms"].as_u64().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, ToolError>(format!("slept {ms} ms"))
        },
    )
    .task_support(TaskSupport::Optional)
    .timeout(Duration::from_millis(200));
    let limits = RateLimitLayer::builder()
        .tool("sleepy", Quota::parse("1/min").expect("a quota"))
        .build();
    Server::builder("tasks", "1")
        .tool(sleepy)
        .build()
        .gate(limits)
}

#[tokio::test]
async fn a_task_is_charged_when_created_and_its_run_times_out() {
    let mut client = RawClient::connect(server());
    let caps = json!({ "extensions": { EXT: {} } });
    let call = modern_params(
        json!({"name": "sleepy", "arguments": {"ms": 10_000}}),
        caps.clone(),
    );
    let created = client.request("tools/call", call.clone()).await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned();

    let refused = client.request("tools/call", call).await;
    assert_eq!(refused["error"]["code"], -32029, "{refused}");
    assert_eq!(refused["error"]["data"]["limit"], "1/min for tool sleepy");

    // Polling the task is not a call of the tool: never charged.
    let started = Instant::now();
    let done = loop {
        let got = client
            .request(
                "tasks/get",
                modern_params(json!({"taskId": id}), caps.clone()),
            )
            .await;
        assert!(got.get("error").is_none(), "{got}");
        if got["result"]["status"] != "working" {
            break got["result"].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the run outlived its timeout"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let text = done.to_string();
    assert!(
        text.contains("did not finish within its timeout of 200ms"),
        "{text}"
    );
}
