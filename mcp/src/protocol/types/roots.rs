//! Roots: the directories and files a client exposes, answered to `roots/list`.

use serde::{Deserialize, Serialize};

use super::JsonObject;

/// A root directory or file that the server can operate on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Root {
    /// The root's URI; currently always `file://…`.
    pub uri: String,
    /// A human-readable name for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Root metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The client's response to `roots/list`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ListRootsResult {
    /// The roots.
    pub roots: Vec<Root>,
    /// Result metadata (2025-11-25).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
