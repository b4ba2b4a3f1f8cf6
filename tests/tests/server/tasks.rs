//! The tasks extension (SEP-2663) over the in-memory transport: who gets a task, the
//! shapes of the handle and of `tasks/get`, questions asked inside a task, updates,
//! cancellation, the -32021/-32602/-32601 answers, and `Context::as_task`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use boltmcp::protocol::TaskSupport;
use boltmcp::server::{Elicitation, Server, ToolCall, ToolDef, ToolError};
use boltmcp_tests::{RawClient, modern_params};
use serde_json::{Value, json};

const EXT: &str = "io.modelcontextprotocol/tasks";

fn with_ext() -> Value {
    json!({ "elicitation": {}, "extensions": { EXT: {} } })
}

struct Flags {
    dropped: Arc<AtomicBool>,
}

fn server() -> (Server, Flags) {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    let server = Server::builder("tasks", "1")
        .tool(
            ToolDef::new(
                "sleepy",
                json!({"type": "object"}),
                move |call: ToolCall| {
                    let flag = flag.clone();
                    async move {
                        struct Guard(Arc<AtomicBool>);
                        impl Drop for Guard {
                            fn drop(&mut self) {
                                self.0.store(true, Ordering::SeqCst);
                            }
                        }
                        let _guard = Guard(flag);
                        let ms: u64 = call.arguments::<Value>()?["ms"].as_u64().unwrap_or(0);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        Ok::<_, ToolError>(format!("slept {ms} ms"))
                    }
                },
            )
            .task_support(TaskSupport::Optional),
        )
        .tool(
            ToolDef::new(
                "ask",
                json!({"type": "object"}),
                |call: ToolCall| async move {
                    let form = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
                    let reply = call
                        .ctx
                        .input("confirm")
                        .elicit_schema("Sure?", form)
                        .await?;
                    Ok::<_, ToolError>(match reply {
                        Elicitation::Accepted(_) => "confirmed",
                        _ => "declined",
                    })
                },
            )
            .task_support(TaskSupport::Required),
        )
        .tool(ToolDef::new(
            "two_step",
            json!({"type": "object"}),
            |call: ToolCall| async move {
                let form = json!({"type": "object", "properties": {"name": {"type": "string"}}});
                let reply = call.ctx.input("who").elicit_schema("Who?", form).await?;
                let name = match reply {
                    Elicitation::Accepted(c) => c
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_owned(),
                    _ => "nobody".to_owned(),
                };
                call.ctx
                    .as_task(move |_| async move { format!("hello {name}") })
                    .await
            },
        ))
        .tool(ToolDef::new(
            "unnamed_twice",
            json!({"type": "object"}),
            |call: ToolCall| async move {
                let form = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
                call.ctx.elicit_schema("First?", form.clone()).await?;
                call.ctx
                    .as_task(move |ctx| async move {
                        match ctx.elicit_schema("Second?", form).await {
                            Ok(Elicitation::Accepted(c)) => format!("second: {}", Value::Object(c)),
                            _ => "second: no".to_owned(),
                        }
                    })
                    .await
            },
        ))
        .build();
    (server, Flags { dropped })
}

async fn call(client: &mut RawClient, name: &str, args: Value, caps: Value) -> Value {
    client
        .request(
            "tools/call",
            modern_params(json!({"name": name, "arguments": args}), caps),
        )
        .await
}

async fn task_op(client: &mut RawClient, method: &str, params: Value, caps: Value) -> Value {
    client.request(method, modern_params(params, caps)).await
}

async fn wait_for(client: &mut RawClient, id: &str, status: &str) -> Value {
    for _ in 0..200 {
        let got = task_op(client, "tasks/get", json!({"taskId": id}), with_ext()).await;
        let now = got["result"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if now == status {
            return got["result"].clone();
        }
        assert!(
            !matches!(now.as_str(), "completed" | "failed" | "cancelled") || now == status,
            "{got}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("task {id} never reached {status}");
}

#[tokio::test]
async fn discover_offers_the_extension_under_extensions() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    let found = task_op(&mut client, "server/discover", json!({}), json!({})).await;
    let caps = &found["result"]["capabilities"];
    assert_eq!(caps["extensions"][EXT], json!({}), "{found}");
    assert!(caps.get("tasks").is_none(), "not the 2025-11-25 slot");
}

#[tokio::test]
async fn a_declaring_client_gets_a_flat_handle_and_polls_the_result() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    let created = call(&mut client, "sleepy", json!({"ms": 20}), with_ext()).await;
    let handle = &created["result"];
    assert_eq!(handle["resultType"], "task", "{created}");
    assert_eq!(handle["status"], "working");
    for key in ["createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"] {
        assert!(handle.get(key).is_some(), "{key} missing: {handle}");
    }
    for key in [
        "task",
        "ttl",
        "pollInterval",
        "result",
        "error",
        "inputRequests",
        "requestState",
    ] {
        assert!(handle.get(key).is_none(), "{key} present: {handle}");
    }
    assert!(
        handle["createdAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
    );
    let id = handle["taskId"].as_str().expect("an id").to_owned();
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["result"]["content"][0]["text"], "slept 20 ms");
    let again = task_op(
        &mut client,
        "tasks/cancel",
        json!({"taskId": id}),
        with_ext(),
    )
    .await;
    assert_eq!(
        again["result"],
        json!({"resultType": "complete"}),
        "cancel is idempotent"
    );
    assert_eq!(
        wait_for(&mut client, &id, "completed").await["status"],
        "completed"
    );
}

#[tokio::test]
async fn others_get_the_result_at_once_or_minus_32021() {
    let (server, _) = server();
    let mut client = RawClient::connect(server.clone());
    let sync = call(&mut client, "sleepy", json!({"ms": 1}), json!({})).await;
    assert_eq!(sync["result"]["resultType"], "complete");
    assert_eq!(sync["result"]["content"][0]["text"], "slept 1 ms");
    let refused = call(&mut client, "ask", json!({}), json!({"elicitation": {}})).await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
    assert_eq!(
        refused["error"]["data"]["requiredCapabilities"]["extensions"][EXT],
        json!({})
    );
    // A legacy client has no tasks: the tool simply runs.
    let mut legacy = RawClient::connect(server);
    legacy.initialize("2025-11-25", json!({})).await;
    let answered = legacy
        .request(
            "tools/call",
            json!({"name": "sleepy", "arguments": {"ms": 1}}),
        )
        .await;
    assert_eq!(answered["result"]["content"][0]["text"], "slept 1 ms");
}

#[tokio::test]
async fn the_task_methods_need_the_extension_and_a_known_id() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let refused = task_op(
            &mut client,
            method,
            json!({"taskId": "x", "inputResponses": {}}),
            json!({}),
        )
        .await;
        assert_eq!(refused["error"]["code"], -32021, "{method}: {refused}");
    }
    let unknown = task_op(
        &mut client,
        "tasks/get",
        json!({"taskId": "nope"}),
        with_ext(),
    )
    .await;
    assert_eq!(unknown["error"]["code"], -32602);
    for removed in ["tasks/result", "tasks/list"] {
        let gone = task_op(&mut client, removed, json!({"taskId": "x"}), with_ext()).await;
        assert_eq!(gone["error"]["code"], -32601, "{removed}");
    }
}

#[tokio::test]
async fn a_question_inside_a_task_waits_for_tasks_update() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    let created = call(&mut client, "ask", json!({}), with_ext()).await;
    let id = created["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned();
    let parked = wait_for(&mut client, &id, "input_required").await;
    assert_eq!(
        parked["inputRequests"]["confirm"]["method"], "elicitation/create",
        "{parked}"
    );
    let stray = task_op(
        &mut client,
        "tasks/update",
        json!({"taskId": id, "inputResponses": {"other": {}}}),
        with_ext(),
    )
    .await;
    assert_eq!(stray["result"], json!({"resultType": "complete"}));
    assert_eq!(
        wait_for(&mut client, &id, "input_required").await["status"],
        "input_required"
    );
    let answer = json!({"taskId": id, "inputResponses": {"confirm": {"action": "accept", "content": {"ok": true}}}});
    let ack = task_op(&mut client, "tasks/update", answer, with_ext()).await;
    assert_eq!(ack["result"], json!({"resultType": "complete"}));
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "confirmed");
}

#[tokio::test]
async fn cancelling_a_running_task_stops_its_handler() {
    let (server, flags) = server();
    let mut client = RawClient::connect(server);
    let created = call(&mut client, "sleepy", json!({"ms": 60_000}), with_ext()).await;
    let id = created["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned();
    let ack = task_op(
        &mut client,
        "tasks/cancel",
        json!({"taskId": id}),
        with_ext(),
    )
    .await;
    assert_eq!(ack["result"], json!({"resultType": "complete"}));
    let cancelled = wait_for(&mut client, &id, "cancelled").await;
    assert!(cancelled.get("result").is_none());
    for _ in 0..200 {
        if flags.dropped.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the cancelled handler was never dropped");
}

#[tokio::test]
async fn as_task_goes_async_after_a_synchronous_round() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    let first = call(&mut client, "two_step", json!({}), with_ext()).await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let retry = modern_params(
        json!({"name": "two_step", "arguments": {}, "requestState": first["result"]["requestState"],
               "inputResponses": {"who": {"action": "accept", "content": {"name": "Ada"}}}}),
        with_ext(),
    );
    let created = client.request("tools/call", retry.clone()).await;
    assert_eq!(created["result"]["resultType"], "task", "{created}");
    let id = created["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(
        wait_for(&mut client, &id, "completed").await["result"]["content"][0]["text"],
        "hello Ada"
    );
    // Without the extension the same call finishes in place.
    let mut plain = retry;
    plain["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({"elicitation": {}});
    let inline = client.request("tools/call", plain).await;
    assert_eq!(
        inline["result"]["content"][0]["text"], "hello Ada",
        "{inline}"
    );
}

#[tokio::test]
async fn a_task_asks_its_own_questions_not_the_calls_earlier_ones() {
    let (server, _) = server();
    let mut client = RawClient::connect(server);
    let first = call(&mut client, "unnamed_twice", json!({}), with_ext()).await;
    assert_eq!(first["result"]["resultType"], "input_required", "{first}");
    let retry = modern_params(
        json!({"name": "unnamed_twice", "arguments": {}, "requestState": first["result"]["requestState"],
               "inputResponses": {"input-0": {"action": "accept", "content": {"ok": false}}}}),
        with_ext(),
    );
    let created = client.request("tools/call", retry).await;
    let id = created["result"]["taskId"]
        .as_str()
        .unwrap_or_else(|| panic!("a task: {created}"))
        .to_owned();
    // The task's unnamed question is a new one (input-1), not answered by input-0.
    let parked = wait_for(&mut client, &id, "input_required").await;
    assert_eq!(
        parked["inputRequests"]["input-1"]["method"], "elicitation/create",
        "{parked}"
    );
    let answer = json!({"taskId": id, "inputResponses": {"input-1": {"action": "accept", "content": {"ok": true}}}});
    task_op(&mut client, "tasks/update", answer, with_ext()).await;
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(
        done["result"]["content"][0]["text"], "second: {\"ok\":true}",
        "{done}"
    );
}

/// Doubles `n`.
#[boltmcp::tool]
fn double(n: i64) -> i64 {
    n * 2
}

/// A synchronous `#[tool]` keeps its fast path for legacy clients when it opts into
/// tasks, and a 2026-07-28 call still gets the task rules (-32021 without the
/// extension, a task with it), which the fast path alone would skip.
#[tokio::test]
async fn a_synchronous_task_tool_follows_the_task_rules_in_2026_and_runs_inline_in_legacy() {
    let server = Server::builder("sync-tasks", "1")
        .tool(double_tool().task_support(TaskSupport::Required))
        .build();
    let mut client = RawClient::connect(server.clone());
    let refused = call(&mut client, "double", json!({"n": 2}), json!({})).await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
    let created = call(&mut client, "double", json!({"n": 2}), with_ext()).await;
    let id = created["result"]["taskId"]
        .as_str()
        .unwrap_or_else(|| panic!("a task: {created}"))
        .to_owned();
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(done["result"]["structuredContent"]["result"], 4, "{done}");

    let mut legacy = RawClient::connect(server);
    legacy.initialize("2025-11-25", json!({})).await;
    let answered = legacy
        .request(
            "tools/call",
            json!({"name": "double", "arguments": {"n": 3}}),
        )
        .await;
    assert_eq!(
        answered["result"]["structuredContent"]["result"], 6,
        "{answered}"
    );
}
