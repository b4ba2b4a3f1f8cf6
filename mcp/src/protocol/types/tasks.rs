//! Tasks (2025-11-25): durable, pollable execution of task-augmented requests.

use serde::{Deserialize, Serialize};

use super::JsonObject;

/// `_meta` key associating a message with a task ([`RelatedTaskMetadata`]).
pub const META_RELATED_TASK: &str = "io.modelcontextprotocol/related-task";

/// The state of a task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task identifier.
    pub task_id: String,
    /// Current task state.
    pub status: TaskStatus,
    /// Human-readable message describing the current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 time of the last update.
    pub last_updated_at: String,
    /// Retention from creation in milliseconds; `null` (always serialised) means unlimited.
    #[serde(default)]
    pub ttl: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Metadata, when the task is sent as a result or notification params.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The status of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// In progress.
    #[default]
    Working,
    /// Waiting for input from the requestor.
    InputRequired,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Failed,
    /// Cancelled before finishing.
    Cancelled,
}

/// The response to `tasks/get`: the task's state.
pub type GetTaskResult = Task;
/// The response to `tasks/cancel`: the task's state.
pub type CancelTaskResult = Task;
/// Parameters for `notifications/tasks/status`: the task's new state.
pub type TaskStatusNotificationParams = Task;
/// The response to `tasks/result`: the original request's result, e.g. a `CallToolResult`.
pub type GetTaskPayloadResult = JsonObject;

/// Requests task-augmented execution, in a request's `task` field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskMetadata {
    /// Requested retention from creation, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Associates a message with a task, under `_meta` key [`META_RELATED_TASK`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task this message belongs to.
    pub task_id: String,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The response to a task-augmented request: the created task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateTaskResult {
    /// The created task.
    pub task: Task,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Parameters for `tasks/get`, `tasks/result` and `tasks/cancel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskRequestParams {
    /// The task identifier.
    pub task_id: String,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Parameters for `tasks/result`.
pub type GetTaskPayloadRequestParams = GetTaskRequestParams;
/// Parameters for `tasks/cancel`.
pub type CancelTaskRequestParams = GetTaskRequestParams;

/// The response to `tasks/list`; paginated.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// The tasks.
    pub tasks: Vec<Task>,
    /// Cursor for the next page, if there may be more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The client's `tasks` capability.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientTasksCapability {
    /// Present if the client supports `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// Present if the client supports `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// Task-augmentable requests: `{"sampling": {"createMessage": {}}, "elicitation": {"create": {}}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The server's `tasks` capability.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServerTasksCapability {
    /// Present if the server supports `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// Present if the server supports `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// Task-augmentable requests: `{"tools": {"call": {}}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
