//! Logging: the 2025-11-25 `logging/setLevel` request and the `notifications/message`
//! notification.

use serde::{Deserialize, Serialize};

use super::{JsonObject, LoggingLevel};

/// Parameters for a `logging/setLevel` request (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetLevelRequestParams {
    /// The minimum level the client wants to receive.
    pub level: LoggingLevel,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Parameters for a `notifications/message` notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggingMessageNotificationParams {
    /// The severity of this message.
    pub level: LoggingLevel,
    /// The name of the logger issuing this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    /// The data to log: a string, an object, any JSON value.
    pub data: serde_json::Value,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
