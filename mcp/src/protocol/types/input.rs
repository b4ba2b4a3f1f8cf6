//! Multi-round-trip input (2026-07-28): a server answers with an `InputRequiredResult`
//! holding input requests; the client retries with the matching input responses.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, JsonObject,
    ListRootsResult, RequestParams, ResultType,
};

/// A server-initiated request the client must fulfil: `{"method": …, "params": …}`.
#[derive(Debug, Clone, PartialEq)]
pub enum InputRequest {
    /// `sampling/createMessage`: sample the client's LLM.
    CreateMessage(Box<CreateMessageRequestParams>),
    /// `roots/list`: list the client's roots; `params` is optional.
    ListRoots(Option<RequestParams>),
    /// `elicitation/create`: ask the user for input.
    Elicit(ElicitRequestParams),
}

impl InputRequest {
    /// The JSON-RPC method name of this request.
    pub fn method(&self) -> &'static str {
        match self {
            InputRequest::CreateMessage(_) => "sampling/createMessage",
            InputRequest::ListRoots(_) => "roots/list",
            InputRequest::Elicit(_) => "elicitation/create",
        }
    }
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("method", self.method())?;
        match self {
            InputRequest::CreateMessage(p) => map.serialize_entry("params", p)?,
            InputRequest::ListRoots(Some(p)) => map.serialize_entry("params", p)?,
            InputRequest::ListRoots(None) => {}
            InputRequest::Elicit(p) => map.serialize_entry("params", p)?,
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            method: String,
            #[serde(default)]
            params: Option<serde_json::Value>,
        }
        let Raw { method, params } = Raw::deserialize(deserializer)?;
        let required =
            |p: Option<serde_json::Value>| p.ok_or_else(|| D::Error::missing_field("params"));
        match method.as_str() {
            "sampling/createMessage" => serde_json::from_value(required(params)?)
                .map(InputRequest::CreateMessage)
                .map_err(D::Error::custom),
            "roots/list" => serde_json::from_value(params.unwrap_or_default())
                .map(InputRequest::ListRoots)
                .map_err(D::Error::custom),
            "elicitation/create" => serde_json::from_value(required(params)?)
                .map(InputRequest::Elicit)
                .map_err(D::Error::custom),
            other => Err(D::Error::unknown_variant(
                other,
                &["sampling/createMessage", "roots/list", "elicitation/create"],
            )),
        }
    }
}

impl From<CreateMessageRequestParams> for InputRequest {
    fn from(params: CreateMessageRequestParams) -> Self {
        InputRequest::CreateMessage(Box::new(params))
    }
}

impl From<ElicitRequestParams> for InputRequest {
    fn from(params: ElicitRequestParams) -> Self {
        InputRequest::Elicit(params)
    }
}

/// Server-assigned keys to the input requests the client must fulfil.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's result for one [`InputRequest`].
///
/// Serialised untagged. Deserialised by the keys present: an object with `action` is an
/// [`ElicitResult`], otherwise one with `roots` is a [`ListRootsResult`], otherwise it must
/// be a [`CreateMessageResult`] (which requires `model`, `role` and `content`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum InputResponse {
    /// Answer to `sampling/createMessage`.
    CreateMessage(Box<CreateMessageResult>),
    /// Answer to `roots/list`.
    ListRoots(ListRootsResult),
    /// Answer to `elicitation/create`.
    Elicit(ElicitResult),
}

impl<'de> Deserialize<'de> for InputResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = JsonObject::deserialize(deserializer)?;
        let is_elicit = map.contains_key("action");
        let is_roots = map.contains_key("roots");
        let value = serde_json::Value::Object(map);
        let response = if is_elicit {
            serde_json::from_value(value).map(InputResponse::Elicit)
        } else if is_roots {
            serde_json::from_value(value).map(InputResponse::ListRoots)
        } else {
            serde_json::from_value(value).map(InputResponse::CreateMessage)
        };
        response.map_err(D::Error::custom)
    }
}

/// The client's responses, keyed like the [`InputRequests`] they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// A result saying more input is needed before the request can complete (2026-07-28).
///
/// At least one of `input_requests` or `request_state` must be present. `Default` sets
/// `result_type` to [`ResultType::InputRequired`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// Always `input_required` for this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Requests the client must fulfil before retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque state the client must echo back on retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Default for InputRequiredResult {
    fn default() -> Self {
        InputRequiredResult {
            result_type: Some(ResultType::InputRequired),
            input_requests: None,
            request_state: None,
            meta: None,
            extra: JsonObject::new(),
        }
    }
}

/// Common params of a request retried with input responses (2026-07-28).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputResponseRequestParams {
    /// The client's answers to the previous `InputRequiredResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// Opaque state echoed from the previous `InputRequiredResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Fields this crate does not know, passed through untouched.
    #[serde(flatten)]
    pub extra: JsonObject,
}
