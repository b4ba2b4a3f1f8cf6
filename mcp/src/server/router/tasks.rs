//! `tasks/get`, `tasks/update` and `tasks/cancel` of the tasks extension (SEP-2663).
//!
//! Only a 2026-07-28 client that declares `io.modelcontextprotocol/tasks` in this
//! request's capabilities may use them (-32021 otherwise, before the task is even
//! looked up); a legacy client has no such methods. `tasks/result` and `tasks/list`
//! were removed by the extension and are unknown methods here.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse_params;
use crate::protocol::{Era, ErrorObject, JsonObject};
use crate::server::builder::ServerInner;
use crate::server::request::{McpRequest, McpResponse};
use crate::server::tasks::{TaskEntry, declares_tasks, extension_required};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskParams {
    task_id: String,
    #[serde(default)]
    input_responses: Option<JsonObject>,
}

fn ack() -> Value {
    json!({ "resultType": "complete" })
}

pub(super) fn handle(server: &Arc<ServerInner>, req: McpRequest) -> McpResponse {
    if req.era() != Era::Modern {
        return McpResponse::error(ErrorObject::method_not_found(req.method()));
    }
    if !declares_tasks(req.meta.client_capabilities.as_deref()) {
        return McpResponse::error(extension_required());
    }
    let caller = req
        .extensions
        .get::<crate::server::Principal>()
        .map(|p| p.id());
    let outcome = parse_params::<TaskParams>(&req).and_then(|params| {
        // Another principal's task is answered as unknown: its existence is not theirs
        // to learn.
        let task =
            find(server, &params.task_id).and_then(|task| match task.belongs_to(caller) {
                true => Ok(task),
                false => Err(unknown(&params.task_id)),
            })?;
        Ok(match req.method() {
            "tasks/get" => task.detailed(),
            "tasks/update" => {
                task.answer(params.input_responses.unwrap_or_default());
                ack()
            }
            _ => {
                task.cancel();
                ack()
            }
        })
    });
    match outcome {
        Ok(result) => McpResponse::result(&result),
        Err(error) => McpResponse::error(error),
    }
}

fn find(server: &ServerInner, id: &str) -> Result<Arc<TaskEntry>, ErrorObject> {
    server.tasks.get(id).ok_or_else(|| unknown(id))
}

fn unknown(id: &str) -> ErrorObject {
    ErrorObject::invalid_params(format!("Unknown task: {id}")).with_data(json!({ "taskId": id }))
}
