//! What every handler call shares: reading a 2026-07-28 retry's answers, running the
//! handler with panics caught, and ending the call early when the handler asked the
//! client something (`InputRequiredResult`) or hit a fatal protocol error (-32021).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use serde_json::{Value, json};

use crate::protocol::{
    Era, ErrorObject, InputRequiredResult, JsonObject, META_SERVER_INFO, ResultType,
};
use crate::server::builder::ServerInner;
use crate::server::context::{Context, InputRound};
use crate::server::input::{self, Binding};
use crate::server::request::McpResponse;
use crate::server::{BoxFuture, ToolError};

/// The members a 2026-07-28 retry adds to any request that may need input.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RetryParams {
    #[serde(default, rename = "requestState")]
    request_state: Option<String>,
    // A map, not raw JSON: serde cannot hand a flattened member over as `RawValue`.
    #[serde(default, rename = "inputResponses")]
    input_responses: Option<HashMap<String, Value>>,
}

impl RetryParams {
    /// The verified answers this retry brings (none on a first attempt).
    pub(crate) fn round(
        &self,
        server: &ServerInner,
        era: Era,
        binding: &Binding,
    ) -> Result<InputRound, ErrorObject> {
        let responses = self.input_responses.clone().map(Ok);
        input_round(
            server,
            era,
            || binding.clone(),
            self.request_state.as_deref(),
            responses,
        )
    }
}

/// How a handler run ended.
pub(crate) enum Outcome<T> {
    /// The handler returned.
    Returned(Result<T, ToolError>),
    /// The handler panicked, with this message.
    Panicked(String),
    /// The call ends with this response: an `InputRequiredResult` or a fatal error.
    Respond(McpResponse),
}

/// Runs a handler and applies the era's rules to how it ended.
pub(crate) async fn invoke<T>(
    server: &ServerInner,
    ctx: &Context,
    binding: impl FnOnce() -> Binding,
    handler: BoxFuture<'static, Result<T, ToolError>>,
) -> Outcome<T> {
    let outcome = AssertUnwindSafe(handler).catch_unwind().await;
    let round = &ctx.inner().input;
    if let Some(fatal) = round.take_fatal() {
        return Outcome::Respond(McpResponse::error(fatal));
    }
    if ctx.era() == Era::Modern {
        let asked = round.take_asked();
        if !asked.is_empty() {
            return Outcome::Respond(input_required(server, binding(), round, asked));
        }
    }
    match outcome {
        Ok(returned) => Outcome::Returned(returned),
        Err(panic) => Outcome::Panicked(panic_message(&panic)),
    }
}

pub(crate) fn invalid_state(err: impl std::fmt::Display) -> ErrorObject {
    ErrorObject::new(
        crate::protocol::code::INVALID_PARAMS,
        format!("Invalid or expired requestState: {err}"),
    )
    .with_data(json!({ "reason": "invalid_request_state" }))
}

/// Reads the answers a 2026-07-28 retry brings, verified against its `requestState`.
pub(crate) fn input_round(
    server: &ServerInner,
    era: Era,
    binding: impl FnOnce() -> Binding,
    state: Option<&str>,
    responses: Option<Result<HashMap<String, Value>, serde_json::Error>>,
) -> Result<InputRound, ErrorObject> {
    if era == Era::Legacy {
        return Ok(InputRound::default());
    }
    let responses = responses
        .transpose()
        .map_err(|e| ErrorObject::invalid_params(format!("inputResponses: {e}")))?;
    match (state, responses) {
        (None, None) => Ok(InputRound::default()),
        // Answers with no state to check them against are taken as what they are, the
        // client's word (which every answer is); the handler still reads each one by
        // the key it asks under, and refuses one that does not fit.
        (None, Some(responses)) => Ok(InputRound::with_answers(responses)),
        (Some(state), responses) => input::open(
            &server.state_key,
            state,
            &binding(),
            responses.unwrap_or_default(),
        )
        .map(InputRound::with_answers)
        .map_err(invalid_state),
    }
}

/// Ends a 2026-07-28 call whose handler asked questions with an `InputRequiredResult`.
fn input_required(
    server: &ServerInner,
    binding: Binding,
    round: &InputRound,
    asked: Vec<(String, Value)>,
) -> McpResponse {
    let keys = asked.iter().map(|(k, _)| k.clone()).collect();
    let state = input::seal(
        &server.state_key,
        binding,
        server.config.request_state_ttl,
        keys,
        round.answers.clone(),
    );
    let requests: JsonObject = asked.into_iter().collect();
    let result = InputRequiredResult {
        result_type: Some(ResultType::InputRequired),
        input_requests: Some(serde_json::from_value(Value::Object(requests)).unwrap_or_default()),
        request_state: Some(state),
        meta: Some(server_meta(server)),
        ..Default::default()
    };
    McpResponse::result(&result)
}

pub(crate) fn server_meta(server: &ServerInner) -> JsonObject {
    let mut meta = JsonObject::new();
    meta.insert(META_SERVER_INFO.to_owned(), server.info_json.clone());
    meta
}

/// The text of a panic payload, for the error result and the log.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}
