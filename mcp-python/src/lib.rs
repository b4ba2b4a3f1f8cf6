//! The native half of the `boltmcp` Python package: a server whose tools, resources
//! and prompts are Python callables, served by boltmcp's Rust runtime (parsing,
//! routing, both protocol eras, the transports, auth and rate limits), and a client.
//!
//! The Python half (`python/boltmcp/`) turns decorated functions into what this module
//! takes: a description (JSON Schemas computed once at decoration) and an `invoke`
//! callable that takes the request's payload as JSON text and answers in tagged text
//! ([`handler`]). A plain handler runs on one of a few handler threads
//! ([`executor`]), holding the GIL only while Python runs, so the thread that reads
//! requests (and cancellations) never waits for it; an `async def` one runs on the
//! package's event loop.

mod auth;
mod client;
mod context;
mod event_loop;
mod executor;
mod handler;
mod offerings;
mod sandbox;
mod tool;

use std::sync::{Mutex, PoisonError};

use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::protocol::{TaskSupport, Tool};
use boltmcp::server::{
    PromptDef, Quota, ResourceDef, ResourceTemplateDef, Server, ServerEvent, ToolDef,
};
use boltmcp::transport::http::HttpConfig;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use tokio::sync::Notify;

use handler::Handler;
use offerings::{Completer, ResourceOffering};

/// The Rust side's allocator: a request's buffers are allocated on a runtime thread
/// and freed on a handler thread (and back), which glibc's per-thread arenas pay
/// for in lock traffic; Python's own objects stay with Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets mimalloc's options for a small server, first in the module's init, before
/// anything is allocated (the first allocation reserves the first arena):
///
/// - an arena's memory is committed as it is used, not all at once: about 6 MiB less
///   resident;
/// - an arena reserves 32 MiB of address space, not 1 GiB: a sandbox worker runs
///   under an address-space limit (256 MiB by default), in which a 1 GiB
///   reservation leaves no room for a thread's stack.
///
/// The options' numbers are their places in `mimalloc.h`'s `mi_option_e`, the same
/// in its v2 and v3.
fn configure_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const ARENA_RESERVE_KIB: libmimalloc_sys::mi_option_t = 23;
    // SAFETY: sets two of mimalloc's documented options to documented values;
    // mimalloc reads them when it next reserves an arena.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(ARENA_RESERVE_KIB, 32 * 1024);
    }
}

/// Stops `run_stdio` or `run_http`: a handler raised `SystemExit` or
/// `KeyboardInterrupt`.
static STOP: Notify = Notify::const_new();

/// Asks the serving loop to stop cleanly. Only a server serving now hears it: a
/// handler reached in process (`connect_in_memory`) leaves nothing behind for a later
/// `run`.
pub(crate) fn stop_serving() {
    STOP.notify_waiters();
}

/// How a handler is called and the policies around it, as the Python side passes
/// them (JSON).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    with_context: bool,
    is_async: bool,
    /// Seconds, for tools.
    timeout: Option<f64>,
    max_concurrency: Option<u32>,
    /// `"10/s"`: the calls all callers together may make.
    rate_limit: Option<String>,
    scopes: Vec<String>,
    /// `"optional"` or `"required"`: the tool may (must) run as a task.
    task: Option<String>,
    /// Present when the tool runs in the sandbox: its settings over the server's.
    sandbox: Option<sandbox::PolicySettings>,
}

impl Options {
    fn parse(options: &str) -> PyResult<Self> {
        serde_json::from_str(options)
            .map_err(|err| PyValueError::new_err(format!("the options: {err}")))
    }

    /// What a resource or a prompt is registered with: its handler, the scopes it
    /// requires, and its argument completions.
    fn offering(
        invoke: Py<PyAny>,
        options: &str,
        completions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Handler, Vec<String>, Option<Completer>)> {
        let options = Options::parse(options)?;
        let completer = completions.map(Completer::from_python).transpose()?;
        let handler = options.handler(invoke);
        Ok((handler, options.scopes, completer))
    }

    fn handler(&self, invoke: Py<PyAny>) -> Handler {
        Handler {
            invoke,
            with_context: self.with_context,
            is_async: self.is_async,
        }
    }
}

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
    sandboxing: Mutex<sandbox::Sandboxing>,
}

/// Before `run`: what was registered so far; after: the running server.
enum State {
    Defining(Vec<Offered>),
    Running(Server),
}

/// The kinds of thing a server offers: with a name or URI, what one is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tool,
    Resource,
    Template,
    Prompt,
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
    fn key(&self) -> (Kind, &str) {
        match self {
            Offered::Tool(def) => (Kind::Tool, def.name()),
            Offered::Resource(def) => (Kind::Resource, def.uri()),
            Offered::Template(def) => (Kind::Template, def.uri_template()),
            Offered::Prompt(def) => (Kind::Prompt, def.name()),
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
        self.build(true)
    }

    /// The server, built on the first call; `gated` puts the rate-limit gate before
    /// it (a sandbox worker has none: its parent's gate already let the call in).
    fn build(&self, gated: bool) -> Server {
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
            let server = builder.build();
            *state = State::Running(if gated {
                server.gate(limits.build())
            } else {
                server
            });
        }
        match &*state {
            State::Running(server) => server.clone(),
            State::Defining(_) => unreachable!("built above"),
        }
    }

    /// `server` with its sandbox, once the Python side configured one (from a
    /// Tokio runtime, so that its workers start warming).
    pub(crate) fn sandboxed(&self, server: Server) -> std::io::Result<Server> {
        self.sandboxing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .install(server)
    }

    /// After serving: the sandbox's idle workers end now, with their scratch
    /// directories (the server itself may live as long as the interpreter).
    fn stop_sandbox_workers(&self) {
        #[cfg(target_os = "linux")]
        if let State::Running(server) = &*self.state() {
            server.stop_sandbox_workers();
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
    fn withdraw(&self, kind: Kind, name: &str) -> bool {
        match &mut *self.state() {
            State::Defining(all) => {
                let before = all.len();
                all.retain(|held| held.key() != (kind, name));
                all.len() != before
            }
            State::Running(server) => match kind {
                Kind::Tool => server.remove_tool(name),
                Kind::Resource => server.remove_resource(name),
                Kind::Template => server.remove_resource_template(name),
                Kind::Prompt => server.remove_prompt(name),
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
            sandboxing: Mutex::default(),
        })
    }

    /// Registers (or replaces) a tool: its protocol description as JSON text,
    /// `invoke` (see [`handler`]) and `options` (JSON: how `invoke` is called, and
    /// the per-tool policies `#[tool(...)]` declares: `timeout` in seconds,
    /// `max_concurrency`, `rate_limit`, `scopes`, `task`, and `sandbox`, the
    /// tool's sandbox settings over the server's when it runs in one).
    fn add_tool(&self, description: &str, invoke: Py<PyAny>, options: &str) -> PyResult<()> {
        let options = Options::parse(options)?;
        let tool: Tool = serde_json::from_str(description)
            .map_err(|err| PyValueError::new_err(format!("the tool's description: {err}")))?;
        let task = match options.task.as_deref() {
            None => TaskSupport::Forbidden,
            Some("optional") => TaskSupport::Optional,
            Some("required") => TaskSupport::Required,
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "task={other:?}: 'optional' or 'required'"
                )));
            }
        };
        let mut def = tool::python_tool(tool, options.handler(invoke), task);
        if let Some(seconds) = options.timeout {
            def = def.timeout(positive_seconds("timeout", seconds)?);
        }
        if let Some(max) = options.max_concurrency {
            def = def.max_concurrency(max, boltmcp::server::DEFAULT_MAX_QUEUED);
        }
        let mut meta = def.meta().clone();
        if let Some(rate_limit) = &options.rate_limit {
            meta.rate_limit = Some(quota(rate_limit)?);
        }
        meta.scopes = options.scopes;
        def = def.with_meta(meta);
        if let Some(settings) = options.sandbox {
            if matches!(*self.state(), State::Running(_)) {
                return Err(PyRuntimeError::new_err(format!(
                    "`{}`: a sandboxed tool is registered before the server runs; its \
                     workers know only the tools the script defines before reaching run()",
                    def.name()
                )));
            }
            self.sandboxing
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .tool(def.name(), settings);
            def = def.sandbox();
        }
        self.offer(Offered::Tool(def));
        Ok(())
    }

    /// How this server's sandbox workers start and the policy they run under (JSON:
    /// `program`, `env`, `policy`), given before the server first serves.
    fn configure_sandbox(&self, settings: &str) -> PyResult<()> {
        let settings = sandbox::SandboxSettings::parse(settings)?;
        self.sandboxing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .configure(settings);
        Ok(())
    }

    /// In a sandbox worker (`launch`: the arguments after the worker marker):
    /// confines this process, calls `ready`, and serves this server's sandboxed tools
    /// to the parent over stdio; never returns.
    fn serve_worker(&self, py: Python<'_>, launch: Vec<String>, ready: Py<PyAny>) -> PyResult<()> {
        sandbox::serve_worker(py, launch, ready, || self.build(false))
    }

    /// Removes the tool `name`; whether it was there.
    fn remove_tool(&self, name: &str) -> bool {
        self.withdraw(Kind::Tool, name)
    }

    /// Registers (or replaces) a resource, or a resource template when its
    /// description has a `uriTemplate`; `invoke` reads it. Only callers holding every
    /// one of the options' `scopes` may read it. A template's variables complete
    /// from `completions` (a dict of candidates, or `complete(variable, value)`).
    #[pyo3(signature = (description, invoke, options, completions = None))]
    fn add_resource(
        &self,
        description: &str,
        invoke: Py<PyAny>,
        options: &str,
        completions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (handler, scopes, completer) = Options::offering(invoke, options, completions)?;
        let offered = match offerings::resource(description, handler, scopes, completer)? {
            ResourceOffering::Fixed(def) => Offered::Resource(def),
            ResourceOffering::Template(def) => Offered::Template(def),
        };
        self.offer(offered);
        Ok(())
    }

    /// Registers (or replaces) a prompt; `invoke` gets it with its arguments. Only
    /// callers holding every one of the options' `scopes` may get it. Its arguments
    /// complete from `completions` (a dict of candidates, or `complete(argument,
    /// value)`).
    #[pyo3(signature = (description, invoke, options, completions = None))]
    fn add_prompt(
        &self,
        description: &str,
        invoke: Py<PyAny>,
        options: &str,
        completions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (handler, scopes, completer) = Options::offering(invoke, options, completions)?;
        let def = offerings::prompt(description, handler, scopes, completer)?;
        self.offer(Offered::Prompt(def));
        Ok(())
    }

    /// Tells listening clients that a list changed (`tools`, `resources` or
    /// `prompts`), or that the resource at `uri` did (`updated`).
    #[pyo3(signature = (what, uri = None))]
    fn announce(&self, what: &str, uri: Option<&str>) -> PyResult<()> {
        let event = match (what, uri) {
            ("tools", _) => ServerEvent::ToolsChanged,
            ("resources", _) => ServerEvent::ResourcesChanged,
            ("prompts", _) => ServerEvent::PromptsChanged,
            ("updated", Some(uri)) => ServerEvent::ResourceUpdated(uri.into()),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "nothing to announce as {what:?}"
                )));
            }
        };
        if let State::Running(server) = &*self.state() {
            server.announce(event);
        }
        Ok(())
    }

    /// Removes the resource at `uri`, or the template `uri` when it is one; whether
    /// it was there.
    fn remove_resource(&self, uri: &str) -> bool {
        let kind = if uri.contains('{') {
            Kind::Template
        } else {
            Kind::Resource
        };
        self.withdraw(kind, uri)
    }

    /// Removes the prompt `name`; whether it was there.
    fn remove_prompt(&self, name: &str) -> bool {
        self.withdraw(Kind::Prompt, name)
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
        let served = serve(py, 0, async move {
            server = self.sandboxed(server)?;
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
        });
        self.stop_sandbox_workers();
        served
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
        let served = serve(py, http_workers(), async move {
            let server = self.sandboxed(server)?;
            server.serve_http_until(addr, config, ctrl_c()).await
        });
        self.stop_sandbox_workers();
        served
    }
}

/// The runtime threads serving HTTP: `BOLTMCP_HTTP_WORKERS` (0: the calling thread
/// alone), or one per core up to 4.
fn http_workers() -> usize {
    std::env::var("BOLTMCP_HTTP_WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n <= 256)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get().min(4)))
}

/// Runs `serving` with the GIL released: on this thread alone (stdio: one peer, one
/// stream), or with `workers` more threads (HTTP: many connections, whose parsing and
/// answering then spread over the cores while Python runs handlers).
fn serve<F>(py: Python<'_>, workers: usize, serving: F) -> PyResult<()>
where
    F: std::future::Future<Output = std::io::Result<()>> + Send,
{
    py.detach(move || {
        let runtime = if workers == 0 {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("boltmcp-http")
                .enable_all()
                .build()?
        };
        runtime.block_on(serving)
    })
    .map_err(|err| PyRuntimeError::new_err(err.to_string()))
}

/// Completes at Ctrl-C (SIGINT), or when a handler raised `SystemExit` or
/// `KeyboardInterrupt`: the server stops cleanly and `run` returns. (While
/// the runtime serves, this handler is the process's, not Python's.)
async fn ctrl_c() {
    let signal = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = signal => {}
        () = STOP.notified() => {}
    }
}

/// `seconds` as a duration, for the setting `name`; refused unless it is positive.
pub(crate) fn positive_seconds(name: &str, seconds: f64) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|limit| !limit.is_zero())
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{name} {seconds}: give a positive number of seconds"
            ))
        })
}

/// A quota as people say it (`"10/s"`, `"100/minute"`, `"600/min burst 20"`).
fn quota(text: &str) -> PyResult<Quota> {
    Quota::parse(text).map_err(|err| PyValueError::new_err(format!("rate limit {text:?}: {err}")))
}

/// The native module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    configure_allocator();
    module.add_class::<NativeServer>()?;
    module.add_class::<context::NativeContext>()?;
    module.add_class::<client::NativeClient>()?;
    module.add_class::<client::NativeCall>()?;
    module.add_class::<handler::NativeDone>()?;
    module.add_function(wrap_pyfunction!(auth::sign_hs256, module)?)?;
    module.add_function(wrap_pyfunction!(event_loop::async_queue_fd, module)?)?;
    module.add_function(wrap_pyfunction!(event_loop::drain_async, module)?)?;
    module.add_function(wrap_pyfunction!(executor::close, module)?)?;
    #[cfg(target_os = "linux")]
    module.add(
        "SANDBOX_WORKER_MARKER",
        boltmcp::layers::sandbox::WORKER_MARKER,
    )?;
    Ok(())
}
