//! Subscriptions (2026-07-28): `subscriptions/listen` opens a long-lived notification
//! stream, filtered by opt-in notification types.

use serde::{Deserialize, Serialize};

use super::{JsonObject, META_SUBSCRIPTION_ID, ResultType};
use crate::protocol::RequestId;

/// Parameters for a `subscriptions/listen` request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SubscriptionsListenRequestParams {
    /// The notification types the client opts in to on this stream.
    pub notifications: SubscriptionFilter,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The set of opt-in notification types of a subscription.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// Receive `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// Receive `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// Receive `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// Receive `notifications/resources/updated` for these URIs (replaces `resources/subscribe`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The response to `subscriptions/listen`, sent only when the server ends the stream.
///
/// Its `_meta` must carry [`META_SUBSCRIPTION_ID`]; see [`SubscriptionsListenResult::new`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenResult {
    /// How to parse this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Result metadata, including the subscription id.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl SubscriptionsListenResult {
    /// A complete result closing the subscription opened by request `subscription_id`.
    pub fn new(subscription_id: &RequestId) -> Self {
        let mut meta = JsonObject::new();
        let id = serde_json::to_value(subscription_id).unwrap_or_default();
        meta.insert(META_SUBSCRIPTION_ID.to_owned(), id);
        SubscriptionsListenResult {
            result_type: Some(ResultType::Complete),
            meta: Some(meta),
            extra: JsonObject::new(),
        }
    }
}

/// Parameters for `notifications/subscriptions/acknowledged`: what the server agreed to send.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SubscriptionsAcknowledgedNotificationParams {
    /// The subset of requested notification types the server will honour.
    pub notifications: SubscriptionFilter,
    /// Notification metadata, including the subscription id.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
