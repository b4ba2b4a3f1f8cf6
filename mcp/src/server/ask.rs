//! Questions a handler asks the client: elicitation, sampling, roots.
//!
//! In the legacy era each is a real server-to-client request. In 2026-07-28 each is an
//! entry of the call's `InputRequiredResult`, keyed so the retry's `inputResponses`
//! can answer it (2026-07-28 `basic/patterns/mrtr`). Keys are `input-0`, `input-1`, …
//! in the order asked, or the caller's own through [`Context::input`]. Questions asked
//! together (`tokio::join!`) travel in one round.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::ToolError;
use super::context::{Context, Elicitation};
use crate::protocol::{
    CreateMessageRequestParams, CreateMessageResult, ElicitResult, Era, ErrorObject, JsonObject,
    ListRootsResult, Root,
};

/// Questions to the client under a key the handler chose (see [`Context::input`]).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    ctx: &'a Context,
    key: &'a str,
}

impl Context {
    /// Asks the user to fill in a form shaped like `T` (a flat struct of strings,
    /// numbers, booleans and enums).
    pub async fn elicit<T: JsonSchema + DeserializeOwned>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, ToolError> {
        self.elicit_with(None, message.into()).await
    }

    /// Asks the user to fill in a form with this `requestedSchema`, written by hand
    /// (titled enums, defaults, multi-select); the answer comes back as JSON.
    pub async fn elicit_schema(
        &self,
        message: impl Into<String>,
        requested_schema: Value,
    ) -> Result<Elicitation<JsonObject>, ToolError> {
        self.elicit_schema_with(None, message.into(), requested_schema)
            .await
    }

    /// Asks the client's model for a completion.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ToolError> {
        self.sample_with(None, params).await
    }

    /// Asks the client for its roots.
    pub async fn roots(&self) -> Result<Vec<Root>, ToolError> {
        self.roots_with(None).await
    }

    /// Questions whose 2026-07-28 input key is `key` (`"user_name"`) instead of a
    /// generated one: for servers whose clients expect particular keys. In the legacy
    /// era the key is not used.
    pub fn input<'a>(&'a self, key: &'a str) -> Input<'a> {
        Input { ctx: self, key }
    }

    async fn elicit_with<T: JsonSchema + DeserializeOwned>(
        &self,
        key: Option<&str>,
        message: String,
    ) -> Result<Elicitation<T>, ToolError> {
        let schema = elicitation_schema::<T>();
        match self.elicit_schema_with(key, message, schema).await? {
            Elicitation::Accepted(content) => self
                .read_answer("elicitation", Value::Object(content))
                .map(Elicitation::Accepted),
            Elicitation::Declined => Ok(Elicitation::Declined),
            Elicitation::Cancelled => Ok(Elicitation::Cancelled),
        }
    }

    async fn elicit_schema_with(
        &self,
        key: Option<&str>,
        message: String,
        schema: Value,
    ) -> Result<Elicitation<JsonObject>, ToolError> {
        // `client/elicitation` §Capabilities (2025-11-25 and 2026-07-28): an empty
        // `elicitation` object means form mode only; a client that lists modes without
        // `form` must not be sent a form.
        let form = match &self.client_capabilities().elicitation {
            Some(modes) => modes.form.is_some() || modes.url.is_none(),
            None => false,
        };
        if !form {
            return Err(self.missing_capability(json!({ "elicitation": { "form": {} } })));
        }
        let params = json!({ "mode": "form", "message": message, "requestedSchema": schema });
        let answer = self.ask(key, "elicitation/create", params).await?;
        let result: ElicitResult = self.read_answer("elicitation", answer)?;
        Ok(match result.action.as_str() {
            "accept" => Elicitation::Accepted(result.content.unwrap_or_default()),
            "decline" => Elicitation::Declined,
            _ => Elicitation::Cancelled,
        })
    }

    async fn sample_with(
        &self,
        key: Option<&str>,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ToolError> {
        let Some(sampling) = self.client_capabilities().sampling else {
            return Err(self.missing_capability(json!({ "sampling": {} })));
        };
        // `client/sampling` §Tools in Sampling: no tool-enabled request to a client
        // that did not declare `sampling.tools`.
        if (params.tools.is_some() || params.tool_choice.is_some()) && sampling.tools.is_none() {
            return Err(self.missing_capability(json!({ "sampling": { "tools": {} } })));
        }
        let params = serde_json::to_value(params).map_err(ToolError::new)?;
        let answer = self.ask(key, "sampling/createMessage", params).await?;
        self.read_answer("sampling", answer)
    }

    async fn roots_with(&self, key: Option<&str>) -> Result<Vec<Root>, ToolError> {
        if self.client_capabilities().roots.is_none() {
            return Err(self.missing_capability(json!({ "roots": {} })));
        }
        let answer = self.ask(key, "roots/list", json!({})).await?;
        let result: ListRootsResult = self.read_answer("roots", answer)?;
        Ok(result.roots)
    }

    /// Reads the client's answer. A malformed answer to a 2026-07-28 input request is
    /// the retry's fault, answered with -32602 rather than a tool result.
    fn read_answer<T: DeserializeOwned>(&self, what: &str, answer: Value) -> Result<T, ToolError> {
        serde_json::from_value(answer).map_err(|e| {
            let message = format!("the client's {what} answer is malformed: {e}");
            match self.era() {
                Era::Modern => self.fatal(ErrorObject::invalid_params(message)),
                Era::Legacy => ToolError::new(message),
            }
        })
    }

    fn missing_capability(&self, required: Value) -> ToolError {
        match self.era() {
            Era::Modern => self.fatal(ErrorObject::missing_client_capability(required)),
            Era::Legacy => ToolError::new(format!(
                "the client did not declare the capability this tool needs: {required}"
            )),
        }
    }

    /// Ends the call with a JSON-RPC error, recorded where a handler that folds the
    /// `ToolError` into its own error type cannot lose it.
    fn fatal(&self, error: ErrorObject) -> ToolError {
        *self
            .inner()
            .input
            .fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
        ToolError::protocol(error)
    }

    /// One question to the client, in whichever way the era allows.
    async fn ask(
        &self,
        key: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, ToolError> {
        let inner = self.inner();
        if let Some(task) = &inner.task {
            // Inside a task a question parks it in `input_required` until `tasks/update`.
            let key = self.input_key(key);
            if let Some(answer) = inner.input.answers.get(&key) {
                return Ok(answer.clone());
            }
            let request = json!({ "method": method, "params": params });
            return task
                .ask(key, request)
                .await
                .ok_or_else(|| ToolError::new("the task was cancelled"));
        }
        match self.era() {
            Era::Legacy => {
                let raw = inner
                    .peer
                    .request(method, &params, &inner.cancel)
                    .await
                    .map_err(|e| ToolError::new(format!("{method} failed: {}", e.message)))?;
                serde_json::from_str(raw.get()).map_err(ToolError::new)
            }
            Era::Modern => {
                let round = &inner.input;
                let key = self.input_key(key);
                if let Some(answer) = round.answers.get(&key) {
                    return Ok(answer.clone());
                }
                round
                    .asked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((key, json!({ "method": method, "params": params })));
                Err(ToolError::input_required())
            }
        }
    }
}

impl Context {
    /// The caller's key, or the next generated one.
    fn input_key(&self, key: Option<&str>) -> String {
        match key {
            Some(key) => key.to_owned(),
            None => format!(
                "input-{}",
                self.inner().input.next_key.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }
}

impl Input<'_> {
    /// [`Context::elicit`] under this key.
    pub async fn elicit<T: JsonSchema + DeserializeOwned>(
        self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, ToolError> {
        self.ctx.elicit_with(Some(self.key), message.into()).await
    }

    /// [`Context::elicit_schema`] under this key.
    pub async fn elicit_schema(
        self,
        message: impl Into<String>,
        requested_schema: Value,
    ) -> Result<Elicitation<JsonObject>, ToolError> {
        self.ctx
            .elicit_schema_with(Some(self.key), message.into(), requested_schema)
            .await
    }

    /// [`Context::sample`] under this key.
    pub async fn sample(
        self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ToolError> {
        self.ctx.sample_with(Some(self.key), params).await
    }

    /// [`Context::roots`] under this key.
    pub async fn roots(self) -> Result<Vec<Root>, ToolError> {
        self.ctx.roots_with(Some(self.key)).await
    }
}

/// The requested schema of an elicitation: the flat object schema of `T`, without
/// the `$schema` and `title` keys clients do not expect there.
fn elicitation_schema<T: JsonSchema>() -> Value {
    let mut schema = schemars::SchemaGenerator::default()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
    }
    schema
}
