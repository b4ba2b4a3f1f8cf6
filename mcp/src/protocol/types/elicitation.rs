//! Elicitation: the server asks the user for input through the client, by form or by URL.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::{JsonObject, TaskMetadata};

/// Parameters for an `elicitation/create` request, by `mode`.
///
/// Serialised with an explicit `mode`; when deserialising, a missing `mode` means `form`
/// (the schema makes it optional there, and 2025-06-18 had no modes).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum ElicitRequestParams {
    /// `"form"`: collect non-sensitive data through a client-rendered form.
    Form(ElicitRequestFormParams),
    /// `"url"`: send the user to a URL for an out-of-band interaction.
    Url(ElicitRequestUrlParams),
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        let mut map = JsonObject::deserialize(deserializer)?;
        let form = match map.remove("mode") {
            None => true,
            Some(Value::String(m)) if m == "form" => true,
            Some(Value::String(m)) if m == "url" => false,
            Some(other) => {
                return Err(D::Error::custom(format_args!(
                    "unknown elicitation mode {other}, expected \"form\" or \"url\""
                )));
            }
        };
        let value = Value::Object(map);
        let params = if form {
            serde_json::from_value(value).map(ElicitRequestParams::Form)
        } else {
            serde_json::from_value(value).map(ElicitRequestParams::Url)
        };
        params.map_err(D::Error::custom)
    }
}

/// Parameters of a form-mode elicitation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// What information is requested, shown to the user.
    pub message: String,
    /// A flat JSON Schema (`type: "object"`, primitive properties only) for the answer.
    pub requested_schema: JsonObject,
    /// Requests task-augmented execution (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Request metadata (2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Parameters of a URL-mode elicitation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestUrlParams {
    /// Why the interaction is needed, shown to the user.
    pub message: String,
    /// The URL the user should navigate to.
    pub url: String,
    /// Server-unique id of this elicitation (required in 2025-11-25, absent in 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Requests task-augmented execution (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Request metadata (2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The client's response to an elicitation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted form data (accept in form mode only): strings, numbers, booleans
    /// or string arrays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<JsonObject>,
    /// Result metadata (2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The user's action in response to an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// The user submitted the form or confirmed.
    Accept,
    /// The user explicitly declined.
    Decline,
    /// The user dismissed without choosing.
    Cancel,
}

impl ElicitAction {
    /// The wire name: `accept`, `decline` or `cancel`.
    pub fn as_str(self) -> &'static str {
        match self {
            ElicitAction::Accept => "accept",
            ElicitAction::Decline => "decline",
            ElicitAction::Cancel => "cancel",
        }
    }
}

/// Parameters for `notifications/elicitation/complete` (2025-11-25): a URL-mode
/// elicitation finished.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitationCompleteNotificationParams {
    /// The id of the elicitation that completed.
    pub elicitation_id: String,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
