//! Tools in their one runtime form: a protocol [`Tool`] description plus an async handler.
//!
//! `#[tool]` generates exactly this; Python handlers and proxies build it by hand.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::context::Context;
use super::output::{IntoCallToolResult, SyncOutput};
use super::target::TargetMeta;
use super::{BoxFuture, ToolError};
#[cfg(feature = "http")]
use crate::protocol::header_values::{self, Mark};
use crate::protocol::{CallToolResult, Icon, JsonObject, TaskSupport, Tool, ToolAnnotations};

type ToolHandlerFn =
    dyn Fn(ToolCall) -> BoxFuture<'static, Result<CallToolResult, ToolError>> + Send + Sync;

/// A handler that needs no context and never waits: it takes the raw arguments text.
pub(crate) type SyncToolFn = dyn Fn(&str) -> Result<SyncOutput, ToolError> + Send + Sync;

/// A tool ready to register: its description, its declared metadata and its handler.
///
/// Cloning is cheap (reference counted), so a definition can be built once per process.
#[derive(Clone)]
pub struct ToolDef {
    pub(crate) tool: Arc<Tool>,
    pub(crate) meta: Arc<TargetMeta>,
    pub(crate) handler: Arc<ToolHandlerFn>,
    /// The same handler in synchronous form, when the tool has one: an unlayered
    /// server then answers without building a context, a future or a task.
    pub(crate) sync: Option<Arc<SyncToolFn>>,
    /// The synchronous handler of a tool with a policy: run on the blocking pool,
    /// so its timeout can answer while it runs.
    pub(crate) blocking: Option<Arc<SyncToolFn>>,
    /// Timeout and concurrency cap, from the metadata.
    pub(crate) policy: Option<Arc<super::policy::Policy>>,
    /// Whether a 2026-07-28 client that declared the tasks extension gets a task.
    pub(crate) task_support: TaskSupport,
    /// The parameters `inputSchema` marks with `x-mcp-header`, read once here so the
    /// 2026-07-28 HTTP check of every call does not walk the schema again.
    #[cfg(feature = "http")]
    pub(crate) header_marks: Arc<[Mark]>,
}

impl fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.tool.name)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// One invocation of a tool: the caller's arguments and the request's [`Context`].
#[derive(Debug)]
pub struct ToolCall {
    /// The request context: progress, logging, elicitation, cancellation, extensions.
    pub ctx: Context,
    arguments: Option<Box<str>>,
}

impl ToolCall {
    pub(crate) fn new(ctx: Context, arguments: Option<Box<str>>) -> Self {
        ToolCall { ctx, arguments }
    }

    /// The raw JSON text of the `arguments` object (`{}` when the caller sent none).
    pub fn raw_arguments(&self) -> &str {
        self.arguments.as_deref().unwrap_or("{}")
    }

    /// Deserialises the arguments into `T`; a mismatch is an invalid-arguments tool error.
    pub fn arguments<T: DeserializeOwned>(&self) -> Result<T, ToolError> {
        serde_json::from_str(self.raw_arguments()).map_err(|err| {
            ToolError::invalid_arguments(super::argument_errors::serde_message(&err))
        })
    }

    /// The arguments as a JSON object.
    pub fn arguments_object(&self) -> Result<JsonObject, ToolError> {
        self.arguments()
    }
}

impl ToolDef {
    /// A tool named `name` whose arguments follow `input_schema` (a JSON Schema object),
    /// handled by `handler`. The handler may return anything that converts into a
    /// [`CallToolResult`]: a `String`, a `CallToolResult`, a [`Json`](super::Json)
    /// value, or a `Result` of those.
    pub fn new<F, Fut, R>(name: impl Into<String>, input_schema: Value, handler: F) -> Self
    where
        F: Fn(ToolCall) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoCallToolResult,
    {
        let tool = Tool {
            name: name.into(),
            input_schema: Arc::new(input_schema),
            ..Default::default()
        };
        Self::from_tool(tool, handler)
    }

    /// A tool from a complete protocol description, as a proxy forwards one.
    pub fn from_tool<F, Fut, R>(tool: Tool, handler: F) -> Self
    where
        F: Fn(ToolCall) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoCallToolResult,
    {
        let handler =
            move |call: ToolCall| -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
                let fut = handler(call);
                Box::pin(async move { fut.await.into_call_tool_result() })
            };
        Self::assemble(tool, TargetMeta::default(), Arc::new(handler), None)
    }

    /// A tool whose handler already produces boxed futures; the macros use this form.
    #[doc(hidden)]
    pub fn from_boxed(
        tool: Tool,
        meta: TargetMeta,
        handler: impl Fn(ToolCall) -> BoxFuture<'static, Result<CallToolResult, ToolError>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self::assemble(tool, meta, Arc::new(handler), None)
    }

    /// A tool whose handler needs no context and never waits, given the raw arguments
    /// text (`{}` when the client sent none); the macros use this form for plain
    /// synchronous functions.
    #[doc(hidden)]
    pub fn from_sync(
        tool: Tool,
        meta: TargetMeta,
        handler: impl Fn(&str) -> Result<SyncOutput, ToolError> + Send + Sync + 'static,
    ) -> Self {
        let sync: Arc<SyncToolFn> = Arc::new(handler);
        let for_async = sync.clone();
        let handler =
            move |call: ToolCall| -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
                let handler = for_async.clone();
                // Run inside the future, where the router's panic guard is.
                Box::pin(async move { handler(call.raw_arguments()).map(SyncOutput::into_result) })
            };
        Self::assemble(tool, meta, Arc::new(handler), Some(sync))
    }

    fn assemble(
        tool: Tool,
        meta: TargetMeta,
        handler: Arc<ToolHandlerFn>,
        sync: Option<Arc<SyncToolFn>>,
    ) -> Self {
        ToolDef {
            #[cfg(feature = "http")]
            header_marks: header_values::marks(&tool.input_schema).into(),
            tool: Arc::new(tool),
            meta: Arc::new(meta),
            handler,
            sync,
            blocking: None,
            policy: None,
            task_support: TaskSupport::Forbidden,
        }
        .with_policy()
    }

    /// Builds the policy the metadata declares; a tool with one leaves the fast path.
    fn with_policy(mut self) -> Self {
        let (timeout, max) = (self.meta.timeout, self.meta.max_concurrency);
        if timeout.is_none() && max.is_none() {
            self.policy = None;
            if let Some(blocking) = self.blocking.take() {
                self.sync = Some(blocking);
            }
            return self;
        }
        if let Some(sync) = self.sync.take() {
            self.blocking = Some(sync);
        }
        let slots = max.map(|max| {
            let queued = self
                .policy
                .as_ref()
                .and_then(|p| p.slots.as_ref().map(|s| s.max_queued()));
            super::policy::Slots::new(max as usize, queued.unwrap_or(super::DEFAULT_MAX_QUEUED))
        });
        self.policy = Some(Arc::new(super::policy::Policy { timeout, slots }));
        self
    }

    /// Cancels a call still running after `limit` and answers it with an `isError`
    /// result saying so. An async handler is dropped at its next `.await`; a
    /// synchronous one runs on the blocking pool, where it cannot be interrupted: its
    /// call is answered on time and its result discarded.
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        Arc::make_mut(&mut self.meta).timeout = Some(limit);
        self.with_policy()
    }

    /// Runs at most `max` calls at once; up to `max_queued` more wait for a slot, in
    /// order, and a call beyond those is answered at once with an `isError` result
    /// saying the tool is busy.
    pub fn max_concurrency(mut self, max: u32, max_queued: usize) -> Self {
        Arc::make_mut(&mut self.meta).max_concurrency = Some(max.max(1));
        self.policy = Some(Arc::new(super::policy::Policy {
            timeout: None,
            slots: Some(super::policy::Slots::new(max as usize, max_queued)),
        }));
        self.with_policy()
    }

    /// Runs every call of the tool out of the server's process, in a worker of the
    /// server's sandbox (feature `sandbox`, see `boltmcp::layers::sandbox`); a
    /// server without one answers its calls with an `isError` result, never runs
    /// them in process. `#[tool(sandbox)]` declares the same.
    pub fn sandbox(mut self) -> Self {
        Arc::make_mut(&mut self.meta).sandbox = true;
        self
    }

    /// Runs the tool as a task (the tasks extension, SEP-2663) for 2026-07-28 clients
    /// that declare `io.modelcontextprotocol/tasks`: `Optional` runs others at once,
    /// `Required` refuses them with -32021. Legacy clients always get the result at
    /// once. The default is `Forbidden`: never a task.
    pub fn task_support(mut self, support: TaskSupport) -> Self {
        self.task_support = support;
        self
    }

    /// The protocol description clients see in `tools/list`.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.tool.name
    }

    /// The metadata layers read: scopes and the like.
    pub fn meta(&self) -> &TargetMeta {
        &self.meta
    }

    fn tool_mut(&mut self) -> &mut Tool {
        Arc::make_mut(&mut self.tool)
    }

    /// Sets the human-readable description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.tool_mut().description = Some(description.into());
        self
    }

    /// Sets the display title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.tool_mut().title = Some(title.into());
        self
    }

    /// Declares the JSON Schema of the tool's structured output.
    pub fn output_schema(mut self, schema: Value) -> Self {
        self.tool_mut().output_schema = Some(Arc::new(schema));
        self
    }

    /// Sets the behaviour hints (read-only, destructive, idempotent, open-world).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.tool_mut().annotations = Some(annotations);
        self
    }

    /// Sets the icons.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.tool_mut().icons = Some(icons);
        self
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

    /// Holds every call's arguments to the declared `inputSchema` before the handler
    /// runs (feature `schema-validation`). Arguments that do not match become an
    /// `isError: true` result naming each violation and where it is, and the handler
    /// is not called. Fails when the schema cannot be compiled (a malformed keyword,
    /// or a `$ref` to another document: none is ever fetched).
    ///
    /// For tools defined at runtime from a JSON Schema; `#[tool]` functions are
    /// already checked by serde against their own parameter types.
    #[cfg(feature = "schema-validation")]
    pub fn validate_arguments(mut self) -> Result<Self, super::InvalidSchema> {
        let schema = Arc::new(super::argument_schema::ArgumentSchema::compile(
            &self.tool.name,
            &self.tool.input_schema,
        )?);
        let handler = self.handler.clone();
        let checked = schema.clone();
        self.handler = Arc::new(move |call: ToolCall| {
            let (handler, checked) = (handler.clone(), checked.clone());
            // Checked inside the future, where the router's panic guard is.
            Box::pin(async move {
                checked.check(call.raw_arguments())?;
                handler(call).await
            })
        });
        if let Some(sync) = self.sync.take() {
            self.sync = Some(Arc::new(move |arguments: &str| {
                schema.check(arguments)?;
                sync(arguments)
            }));
        }
        Ok(self)
    }

    /// Replaces the declared metadata (and the policy it declares).
    pub fn with_meta(mut self, meta: TargetMeta) -> Self {
        self.meta = Arc::new(meta);
        self.with_policy()
    }

    pub(crate) fn call(
        &self,
        call: ToolCall,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
        let Some(policy) = self.policy.clone() else {
            return (self.handler)(call);
        };
        let tool = self.tool.clone();
        // Lazy: a handler's future does nothing until polled, and the blocking form
        // starts only once it holds a slot.
        let run: BoxFuture<'static, Result<CallToolResult, ToolError>> = match &self.blocking {
            Some(sync) => {
                let sync = sync.clone();
                Box::pin(async move {
                    let arguments = call.raw_arguments().to_owned();
                    match tokio::task::spawn_blocking(move || sync(&arguments)).await {
                        Ok(outcome) => outcome.map(super::output::SyncOutput::into_result),
                        Err(join) if join.is_panic() => {
                            std::panic::resume_unwind(join.into_panic())
                        }
                        Err(_) => Err(ToolError::new("the call was cancelled")),
                    }
                })
            }
            None => (self.handler)(call),
        };
        Box::pin(async move {
            let _slot = match &policy.slots {
                Some(slots) => Some(slots.acquire(&tool.name).await?),
                None => None,
            };
            match policy.timeout {
                Some(limit) => tokio::time::timeout(limit, run)
                    .await
                    .unwrap_or_else(|_| Err(super::policy::timed_out(&tool.name, limit))),
                None => run.await,
            }
        })
    }
}
