//! The parts of a request the engine reads before routing it: the 2026-07-28 `_meta`
//! stamp, and the target (tool or prompt name, resource URI) with a call's arguments.

use std::borrow::Cow;

use serde::Deserialize;

use crate::protocol::{
    ClientCapabilities, ErrorObject, Implementation, LoggingLevel, Params, ProgressToken,
};

#[derive(Deserialize, Default)]
pub(super) struct WireMeta {
    #[serde(rename = "progressToken", default)]
    pub(super) progress_token: Option<ProgressToken>,
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    pub(super) protocol_version: Option<String>,
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
    pub(super) client_capabilities: Option<Box<ClientCapabilities>>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
    pub(super) log_level: Option<LoggingLevel>,
    #[serde(rename = "io.modelcontextprotocol/clientInfo", default)]
    pub(super) client_info: Option<Box<Implementation>>,
}

/// The parts of params the engine reads before routing: `_meta` and the target.
#[derive(Default)]
pub(super) struct Peek<'a> {
    pub(super) meta: Option<WireMeta>,
    pub(super) name: Option<Cow<'a, str>>,
    pub(super) uri: Option<Cow<'a, str>>,
    pub(super) arguments: Option<&'a str>,
    pub(super) request_state: Option<Cow<'a, str>>,
    pub(super) input_responses: Option<&'a str>,
    pub(super) task_id: Option<Cow<'a, str>>,
}

impl<'a> Peek<'a> {
    /// Picks the members out of params read in one pass; only `_meta` is parsed here.
    pub(super) fn from_params(params: &Params<'a>) -> Result<Self, ErrorObject> {
        let meta = match params.get("_meta") {
            Some(raw) => Some(
                serde_json::from_str(raw)
                    .map_err(|e| ErrorObject::invalid_params(format!("params._meta: {e}")))?,
            ),
            None => None,
        };
        Ok(Peek {
            meta,
            name: params.get_str("name"),
            uri: params.get_str("uri"),
            arguments: params.get("arguments"),
            request_state: params.get_str("requestState"),
            input_responses: params.get("inputResponses"),
            task_id: params.get_str("taskId"),
        })
    }
}
