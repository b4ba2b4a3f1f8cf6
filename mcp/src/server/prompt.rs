//! Prompts in their runtime form: a description with arguments plus an async handler.
//! `#[prompt]` generates exactly this.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::context::Context;
use super::target::TargetMeta;
use super::{BoxFuture, ToolError};
use crate::protocol::{ContentBlock, GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};

/// Completes an argument: `(argument name, partial value) -> candidates`.
pub type Completer = Arc<dyn Fn(&str, &str) -> Vec<String> + Send + Sync>;

type GetFn =
    dyn Fn(PromptRequest) -> BoxFuture<'static, Result<GetPromptResult, ToolError>> + Send + Sync;

/// One `prompts/get`: the arguments and the context.
#[derive(Debug)]
pub struct PromptRequest {
    /// The request context.
    pub ctx: Context,
    /// The arguments the client filled in.
    pub arguments: BTreeMap<String, String>,
}

impl PromptRequest {
    /// Deserialises the arguments into `T` (a struct of `String`/`Option<String>` fields).
    pub fn arguments<T: serde::de::DeserializeOwned>(&self) -> Result<T, ToolError> {
        let value = serde_json::to_value(&self.arguments).map_err(ToolError::invalid_arguments)?;
        serde_json::from_value(value).map_err(|err| {
            ToolError::invalid_arguments(super::argument_errors::serde_message(&err))
        })
    }
}

/// Converts a prompt handler's return value into a `prompts/get` result.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an MCP prompt",
    label = "return a String, PromptMessage(s), a GetPromptResult, or a Result of those"
)]
pub trait IntoGetPromptResult {
    /// Performs the conversion.
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError>;
}

impl IntoGetPromptResult for GetPromptResult {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        Ok(self)
    }
}

impl IntoGetPromptResult for Vec<PromptMessage> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        Ok(GetPromptResult {
            messages: self,
            ..Default::default()
        })
    }
}

impl IntoGetPromptResult for PromptMessage {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        vec![self].into_get_prompt_result()
    }
}

impl IntoGetPromptResult for String {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        PromptMessage {
            role: Role::User,
            content: ContentBlock::text(self),
            extra: Default::default(),
        }
        .into_get_prompt_result()
    }
}

impl<T: IntoGetPromptResult, E: fmt::Display + 'static> IntoGetPromptResult for Result<T, E> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, ToolError> {
        match self {
            Ok(value) => value.into_get_prompt_result(),
            Err(err) => Err(super::error::into_tool_error(err)),
        }
    }
}

/// A prompt ready to register.
#[derive(Clone)]
pub struct PromptDef {
    pub(crate) prompt: Arc<Prompt>,
    pub(crate) meta: Arc<TargetMeta>,
    pub(crate) handler: Arc<GetFn>,
    pub(crate) completer: Option<Completer>,
}

impl fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptDef")
            .field("name", &self.prompt.name)
            .finish_non_exhaustive()
    }
}

impl PromptDef {
    /// A prompt named `name` with the given arguments, produced by `handler`.
    pub fn new<F, Fut, R>(
        name: impl Into<String>,
        arguments: Vec<PromptArgument>,
        handler: F,
    ) -> Self
    where
        F: Fn(PromptRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoGetPromptResult,
    {
        let prompt = Prompt {
            name: name.into(),
            arguments: Some(arguments),
            ..Default::default()
        };
        Self::from_prompt(prompt, handler)
    }

    /// The prompt's name.
    pub fn name(&self) -> &str {
        &self.prompt.name
    }

    /// A prompt from a complete protocol description.
    pub fn from_prompt<F, Fut, R>(prompt: Prompt, handler: F) -> Self
    where
        F: Fn(PromptRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoGetPromptResult,
    {
        let handler = move |req: PromptRequest| -> BoxFuture<'static, _> {
            let fut = handler(req);
            Box::pin(async move { fut.await.into_get_prompt_result() })
        };
        PromptDef {
            prompt: Arc::new(prompt),
            meta: Arc::default(),
            handler: Arc::new(handler),
            completer: None,
        }
    }

    /// Declares the OAuth scopes a caller needs; the auth layer enforces them.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.meta).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.prompt).description = Some(description.into());
        self
    }

    /// Sets the display title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.prompt).title = Some(title.into());
        self
    }

    /// Answers `completion/complete` for this prompt's arguments.
    pub fn completion(
        mut self,
        complete: impl Fn(&str, &str) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        self.completer = Some(Arc::new(complete));
        self
    }

    /// Replaces the declared metadata.
    pub fn with_meta(mut self, meta: TargetMeta) -> Self {
        self.meta = Arc::new(meta);
        self
    }

    /// The protocol description.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    pub(crate) fn get(
        &self,
        req: PromptRequest,
    ) -> BoxFuture<'static, Result<GetPromptResult, ToolError>> {
        (self.handler)(req)
    }
}
