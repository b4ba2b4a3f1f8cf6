//! The native half of the `boltmcp` Python package: a server whose tools are Python
//! callables, served by boltmcp's Rust runtime (parsing, routing, both protocol eras,
//! the transports).
//!
//! The Python half (`python/boltmcp/`) turns decorated functions into what this module
//! takes: a name, JSON Schemas computed once at decoration, and an `invoke(arguments)`
//! callable that takes the arguments' JSON text and returns the answer (see
//! [`read_answer`]).
//! A call runs `invoke` on one of a few handler threads ([`executor`]), holding the
//! GIL only while Python runs, so the thread that reads requests (and cancellations)
//! never waits for it.

mod auth;
mod client;
mod context;
mod executor;

use std::sync::{Arc, Mutex, PoisonError};

use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::protocol::{
    CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool,
};
use boltmcp::server::{
    IntoGetPromptResult, IntoReadResourceResult, PromptDef, PromptRequest, Quota, ResourceDef,
    ResourceRequest, ResourceTemplateDef, Server, TargetMeta, ToolDef, ToolError,
};
use boltmcp::transport::http::HttpConfig;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A server being defined, then served: tools may be added and removed before and
/// while it runs.
#[pyclass(module = "boltmcp._native", frozen)]
pub(crate) struct NativeServer {
    name: String,
    version: String,
    instructions: Option<String>,
    /// Every caller's own budget (the `security` settings' `rate_limit`).
    per_caller: Option<Quota>,
    /// Who may call (the `security` settings' `auth`).
    auth: Option<auth::AuthSettings>,
    state: Mutex<State>,
}

/// Before `run`: what was registered so far; after: the running server.
enum State {
    Defining(Vec<Offered>),
    Running(Server),
}

/// One thing a server offers, as registered.
enum Offered {
    Tool(ToolDef),
    Resource(ResourceDef),
    Template(ResourceTemplateDef),
    Prompt(PromptDef),
}

impl Offered {
    /// What it is and what it is called: a later registration of the same replaces it.
    fn key(&self) -> (u8, &str) {
        match self {
            Offered::Tool(def) => (0, def.name()),
            Offered::Resource(def) => (1, def.uri()),
            Offered::Template(def) => (2, def.uri_template()),
            Offered::Prompt(def) => (3, def.name()),
        }
    }
}

impl std::fmt::Debug for NativeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeServer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl NativeServer {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The server to serve: built from the registered tools on the first run.
    pub(crate) fn server(&self) -> Server {
        let mut state = self.state();
        if let State::Defining(tools) = &mut *state {
            let mut builder = Server::builder(&self.name, &self.version);
            if let Some(instructions) = &self.instructions {
                builder = builder.instructions(instructions);
            }
            for offered in std::mem::take(tools) {
                builder = match offered {
                    Offered::Tool(def) => builder.tool(def),
                    Offered::Resource(def) => builder.resource(def),
                    Offered::Template(def) => builder.resource_template(def),
                    Offered::Prompt(def) => builder.prompt(def),
                };
            }
            // The rate-limit gate is always there: a tool's own `rate_limit` needs it,
            // and tools may be added while the server runs.
            let mut limits = RateLimitLayer::builder();
            if let Some(quota) = self.per_caller {
                limits = limits.per_caller(quota);
            }
            *state = State::Running(builder.build().gate(limits.build()));
        }
        match &*state {
            State::Running(server) => server.clone(),
            State::Defining(_) => unreachable!("built above"),
        }
    }

    /// Registers `offered`, replacing what has its kind and name: kept for the build
    /// before `run`, added to the running server after (clients hear `list_changed`).
    fn offer(&self, offered: Offered) {
        match &mut *self.state() {
            State::Defining(all) => {
                all.retain(|held| held.key() != offered.key());
                all.push(offered);
            }
            State::Running(server) => match offered {
                Offered::Tool(def) => server.add_tool(def),
                Offered::Resource(def) => server.add_resource(def),
                Offered::Template(def) => server.add_resource_template(def),
                Offered::Prompt(def) => server.add_prompt(def),
            },
        }
    }

    /// Removes what has this kind and name; whether there was one.
    fn withdraw(&self, kind: u8, name: &str) -> bool {
        match &mut *self.state() {
            State::Defining(all) => {
                let before = all.len();
                all.retain(|held| held.key() != (kind, name));
                all.len() != before
            }
            State::Running(server) => match kind {
                0 => server.remove_tool(name),
                1 => server.remove_resource(name),
                2 => server.remove_resource_template(name),
                _ => server.remove_prompt(name),
            },
        }
    }
}

#[pymethods]
impl NativeServer {
    #[new]
    #[pyo3(signature = (name, version, instructions = None, rate_limit = None, auth = None))]
    fn new(
        name: String,
        version: String,
        instructions: Option<String>,
        rate_limit: Option<&str>,
        auth: Option<&str>,
    ) -> PyResult<Self> {
        Ok(NativeServer {
            name,
            version,
            instructions,
            per_caller: rate_limit.map(quota).transpose()?,
            auth: auth.map(auth::AuthSettings::parse).transpose()?,
            state: Mutex::new(State::Defining(Vec::new())),
        })
    }

    /// Registers (or replaces) a tool: its protocol description as JSON text, and
    /// `invoke(arguments_json) -> answer`, or `invoke(arguments_json, context)` when
    /// `with_context`.
    ///
    /// `timeout` (seconds), `max_concurrency`, `rate_limit` (`"10/s"`) and `scopes`
    /// are the same per-tool policies `#[tool(...)]` declares.
    #[pyo3(signature = (description, invoke, with_context = false, timeout = None, max_concurrency = None, rate_limit = None, scopes = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn add_tool(
        &self,
        description: &str,
        invoke: Py<PyAny>,
        with_context: bool,
        timeout: Option<f64>,
        max_concurrency: Option<u32>,
        rate_limit: Option<&str>,
        scopes: Vec<String>,
    ) -> PyResult<()> {
        let tool: Tool = serde_json::from_str(description)
            .map_err(|err| PyValueError::new_err(format!("the tool's description: {err}")))?;
        let mut def = python_tool(tool, Arc::new(invoke), with_context);
        if let Some(seconds) = timeout {
            let limit = std::time::Duration::try_from_secs_f64(seconds)
                .ok()
                .filter(|limit| !limit.is_zero())
                .ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "timeout {seconds}: give a positive number of seconds"
                    ))
                })?;
            def = def.timeout(limit);
        }
        if let Some(max) = max_concurrency {
            def = def.max_concurrency(max, boltmcp::server::DEFAULT_MAX_QUEUED);
        }
        let mut meta = def.meta().clone();
        if let Some(rate_limit) = rate_limit {
            meta.rate_limit = Some(quota(rate_limit)?);
        }
        meta.scopes = scopes;
        def = def.with_meta(meta);
        self.offer(Offered::Tool(def));
        Ok(())
    }

    /// Removes the tool `name`; whether it was there.
    fn remove_tool(&self, name: &str) -> bool {
        self.withdraw(0, name)
    }

    /// Registers (or replaces) a resource, or a resource template when its
    /// description has a `uriTemplate`: `read(uri, variables_json) -> answer`. Only
    /// callers holding every one of `scopes` may read it.
    #[pyo3(signature = (description, read, scopes = Vec::new()))]
    fn add_resource(
        &self,
        description: &str,
        read: Py<PyAny>,
        scopes: Vec<String>,
    ) -> PyResult<()> {
        let description: serde_json::Value = serde_json::from_str(description)
            .map_err(|err| PyValueError::new_err(format!("the resource's description: {err}")))?;
        let read = Arc::new(read);
        let reader = move |request: ResourceRequest| {
            let read = read.clone();
            async move {
                let variables = serde_json::to_string(&request.params).unwrap_or_default();
                let uri = request.uri.clone();
                let answer =
                    call_python(move |py| read.call1(py, (uri, variables))?.extract::<String>(py))
                        .await?;
                read_resource_answer(answer, &request.uri)
            }
        };
        let offering = if description.get("uriTemplate").is_some() {
            let template: ResourceTemplate =
                serde_json::from_value(description).map_err(|err| {
                    PyValueError::new_err(format!("the template's description: {err}"))
                })?;
            Offered::Template(
                ResourceTemplateDef::from_template(template, reader)
                    .map_err(|err| PyValueError::new_err(err.to_string()))?
                    .with_meta(scoped(scopes)),
            )
        } else {
            let resource: Resource = serde_json::from_value(description).map_err(|err| {
                PyValueError::new_err(format!("the resource's description: {err}"))
            })?;
            Offered::Resource(
                ResourceDef::from_resource(resource, reader).with_meta(scoped(scopes)),
            )
        };
        self.offer(offering);
        Ok(())
    }

    /// Registers (or replaces) a prompt: `get(arguments_json) -> answer`. Only
    /// callers holding every one of `scopes` may get it.
    #[pyo3(signature = (description, get, scopes = Vec::new()))]
    fn add_prompt(&self, description: &str, get: Py<PyAny>, scopes: Vec<String>) -> PyResult<()> {
        let prompt: Prompt = serde_json::from_str(description)
            .map_err(|err| PyValueError::new_err(format!("the prompt's description: {err}")))?;
        let get = Arc::new(get);
        let def = PromptDef::from_prompt(prompt, move |request: PromptRequest| {
            let get = get.clone();
            async move {
                let arguments = serde_json::to_string(&request.arguments).unwrap_or_default();
                let answer =
                    call_python(move |py| get.call1(py, (arguments,))?.extract::<String>(py))
                        .await?;
                read_prompt_answer(answer)
            }
        })
        .with_meta(scoped(scopes));
        self.offer(Offered::Prompt(def));
        Ok(())
    }

    /// Removes the resource at `uri`, or the template `uri` when it is one; whether
    /// it was there.
    fn remove_resource(&self, uri: &str) -> bool {
        self.withdraw(if uri.contains('{') { 2 } else { 1 }, uri)
    }

    /// Removes the prompt `name`; whether it was there.
    fn remove_prompt(&self, name: &str) -> bool {
        self.withdraw(3, name)
    }

    /// Serves stdio until stdin closes or Ctrl-C, with the GIL released. With
    /// `auth`, the caller is the token in `BOLTMCP_TOKEN`, verified at start.
    fn run_stdio(&self, py: Python<'_>) -> PyResult<()> {
        let mut server = self.server();
        let auth = self
            .auth
            .as_ref()
            .map(|settings| settings.build("stdio"))
            .transpose()?;
        serve(py, async move {
            if let Some(auth) = auth {
                let gate = match auth::stdio_identity(&auth).await? {
                    Some(caller) => auth.gate().with_identity(caller),
                    None => auth.gate(),
                };
                server = server.gate(gate);
            }
            tokio::select! {
                served = boltmcp::transport::serve_stdio(server) => served,
                () = ctrl_c() => Ok(()),
            }
        })
    }

    /// Serves Streamable HTTP at `http://HOST:PORT/mcp` until Ctrl-C, with the GIL
    /// released. Loopback by default; the Host and Origin checks follow the address.
    fn run_http(&self, py: Python<'_>, host: &str, port: u16) -> PyResult<()> {
        let addr: std::net::SocketAddr = format!("{host}:{port}")
            .parse()
            .or_else(|_| format!("[{host}]:{port}").parse())
            .map_err(|err| PyValueError::new_err(format!("{host}:{port}: {err}")))?;
        let mut config = HttpConfig::default();
        if let Some(settings) = &self.auth {
            let endpoint = format!("http://{addr}/mcp");
            config = config.auth(settings.build(&endpoint)?);
        }
        let server = self.server();
        serve(py, async move {
            server.serve_http_until(addr, config, ctrl_c()).await
        })
    }
}

/// Target metadata that requires `scopes`.
fn scoped(scopes: Vec<String>) -> TargetMeta {
    TargetMeta {
        scopes,
        ..TargetMeta::default()
    }
}

/// Runs `serving` on a one-thread runtime, with the GIL released.
fn serve<F>(py: Python<'_>, serving: F) -> PyResult<()>
where
    F: std::future::Future<Output = std::io::Result<()>> + Send,
{
    py.detach(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(serving)
    })
    .map_err(|err| PyRuntimeError::new_err(err.to_string()))
}

/// Completes at Ctrl-C (SIGINT): the server stops cleanly and `run` returns. (While
/// the runtime serves, this handler is the process's, not Python's.)
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A tool whose handler is the Python callable `invoke`; given the request's
/// context too when `with_context`.
fn python_tool(tool: Tool, invoke: Arc<Py<PyAny>>, with_context: bool) -> ToolDef {
    ToolDef::from_boxed(tool, TargetMeta::default(), move |call| {
        let invoke = invoke.clone();
        Box::pin(async move {
            let arguments = call.raw_arguments().to_owned();
            let ctx = with_context.then(|| call.ctx.clone());
            let runtime = tokio::runtime::Handle::current();
            let answer = call_python(move |py| {
                let answer = match ctx {
                    Some(ctx) => {
                        let ctx = Py::new(py, context::NativeContext { ctx, runtime })?;
                        invoke.call1(py, (arguments, ctx))?
                    }
                    None => invoke.call1(py, (arguments,))?,
                };
                answer.extract::<String>(py)
            })
            .await?;
            read_answer(answer)
        })
    })
}

/// A quota as people say it (`"10/s"`, `"100/minute"`, `"600/min burst 20"`).
fn quota(text: &str) -> PyResult<Quota> {
    Quota::parse(text).map_err(|err| PyValueError::new_err(format!("rate limit {text:?}: {err}")))
}

/// Runs a Python callable's call on a handler thread; its answer or why there is none.
async fn call_python(
    call: impl FnOnce(Python<'_>) -> PyResult<String> + Send + 'static,
) -> Result<String, ToolError> {
    executor::run(call)
        .await
        .ok_or_else(|| ToolError::new("the handler did not run"))?
        .map_err(|err| ToolError::new(format!("the handler failed: {err}")))
}

/// What a resource's `read` answered: `T` and a text (in the declared MIME type),
/// `R` and a whole `ReadResourceResult`'s JSON, or `E` and an error's message.
fn read_resource_answer(mut answer: String, uri: &str) -> Result<ReadResourceResult, ToolError> {
    let tag = answer.chars().next().unwrap_or('E');
    let body = answer.split_off(tag.len_utf8().min(answer.len()));
    match tag {
        'T' => body.into_read_resource_result(uri, None),
        'R' => serde_json::from_str(&body)
            .map_err(|err| ToolError::new(format!("the resource's contents: {err}"))),
        _ => Err(ToolError::new(body)),
    }
}

/// What a prompt's `get` answered: `T` and the text of one user message, `R` and a
/// whole `GetPromptResult`'s JSON, or `E` and an error's message.
fn read_prompt_answer(mut answer: String) -> Result<GetPromptResult, ToolError> {
    let tag = answer.chars().next().unwrap_or('E');
    let body = answer.split_off(tag.len_utf8().min(answer.len()));
    match tag {
        'T' => body.into_get_prompt_result(),
        'R' => serde_json::from_str(&body)
            .map_err(|err| ToolError::new(format!("the prompt's messages: {err}"))),
        _ => Err(ToolError::new(body)),
    }
}

/// The result an `invoke` answered: `T` and a text, `S` and structured content's
/// JSON (also the text, for clients that ignore `structuredContent`), `E` and an
/// error's message, `R` and a whole `CallToolResult`'s JSON, or `I` when the handler
/// stopped to wait for the client's input.
fn read_answer(mut answer: String) -> Result<CallToolResult, ToolError> {
    let malformed = |err: serde_json::Error| ToolError::new(format!("the handler's result: {err}"));
    let Some(tag) = answer.chars().next() else {
        return Err(ToolError::new("the handler answered nothing"));
    };
    let body = answer.split_off(tag.len_utf8());
    match tag {
        'T' => Ok(CallToolResult::text(body)),
        'E' => Ok(CallToolResult::error_text(body)),
        'S' => {
            let structured = serde_json::from_str(&body).map_err(malformed)?;
            Ok(CallToolResult {
                structured_content: Some(structured),
                ..CallToolResult::text(body)
            })
        }
        'R' => serde_json::from_str(&body).map_err(malformed),
        // The handler asked the client a question in 2026-07-28: the runtime answers
        // the call with an `InputRequiredResult` in place of this.
        'I' => Err(ToolError::new(
            "the handler is waiting for the client's input",
        )),
        other => Err(ToolError::new(format!(
            "the handler's answer has no kind: {other:?}"
        ))),
    }
}

/// The native module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<NativeServer>()?;
    module.add_class::<context::NativeContext>()?;
    module.add_class::<client::NativeClient>()?;
    module.add_class::<client::NativeCall>()?;
    module.add_function(wrap_pyfunction!(auth::sign_hs256, module)?)?;
    Ok(())
}
