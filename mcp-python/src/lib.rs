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

mod executor;

use std::sync::{Arc, Mutex, PoisonError};

use boltmcp::protocol::{CallToolResult, Tool};
use boltmcp::server::{Server, TargetMeta, ToolDef, ToolError};
use boltmcp::transport::http::HttpConfig;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A server being defined, then served: tools may be added and removed before and
/// while it runs.
#[pyclass(module = "boltmcp._native")]
struct NativeServer {
    name: String,
    version: String,
    instructions: Option<String>,
    state: Mutex<State>,
}

/// Before `run`: the tools registered so far; after: the running server.
enum State {
    Defining(Vec<ToolDef>),
    Running(Server),
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
    fn server(&self) -> Server {
        let mut state = self.state();
        if let State::Defining(tools) = &mut *state {
            let mut builder = Server::builder(&self.name, &self.version);
            if let Some(instructions) = &self.instructions {
                builder = builder.instructions(instructions);
            }
            let server = builder.tools(std::mem::take(tools)).build();
            *state = State::Running(server);
        }
        match &*state {
            State::Running(server) => server.clone(),
            State::Defining(_) => unreachable!("built above"),
        }
    }
}

#[pymethods]
impl NativeServer {
    #[new]
    #[pyo3(signature = (name, version, instructions = None))]
    fn new(name: String, version: String, instructions: Option<String>) -> Self {
        NativeServer {
            name,
            version,
            instructions,
            state: Mutex::new(State::Defining(Vec::new())),
        }
    }

    /// Registers (or replaces) a tool: its protocol description as JSON text, and
    /// `invoke(arguments_json) -> result_json`.
    fn add_tool(&self, description: &str, invoke: Py<PyAny>) -> PyResult<()> {
        let tool: Tool = serde_json::from_str(description)
            .map_err(|err| PyValueError::new_err(format!("the tool's description: {err}")))?;
        let def = python_tool(tool, Arc::new(invoke));
        match &mut *self.state() {
            State::Defining(tools) => {
                tools.retain(|held| held.name() != def.name());
                tools.push(def);
            }
            State::Running(server) => server.add_tool(def),
        }
        Ok(())
    }

    /// Removes the tool `name`; whether it was there.
    fn remove_tool(&self, name: &str) -> bool {
        match &mut *self.state() {
            State::Defining(tools) => {
                let before = tools.len();
                tools.retain(|held| held.name() != name);
                tools.len() != before
            }
            State::Running(server) => server.remove_tool(name),
        }
    }

    /// Serves stdio until stdin closes or Ctrl-C, with the GIL released.
    fn run_stdio(&self, py: Python<'_>) -> PyResult<()> {
        let server = self.server();
        serve(py, async move {
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
        let server = self.server();
        serve(py, async move {
            server
                .serve_http_until(addr, HttpConfig::default(), ctrl_c())
                .await
        })
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

/// A tool whose handler is the Python callable `invoke`.
fn python_tool(tool: Tool, invoke: Arc<Py<PyAny>>) -> ToolDef {
    ToolDef::from_boxed(tool, TargetMeta::default(), move |call| {
        let invoke = invoke.clone();
        Box::pin(async move {
            let arguments = call.raw_arguments().to_owned();
            let answer = executor::run(move |py| -> PyResult<String> {
                invoke.call1(py, (arguments,))?.extract::<String>(py)
            })
            .await
            .ok_or_else(|| ToolError::new("the handler did not run"))?
            .map_err(|err| ToolError::new(format!("the handler failed: {err}")))?;
            read_answer(answer)
        })
    })
}

/// The result an `invoke` answered: `T` and a text, `S` and structured content's
/// JSON (also the text, for clients that ignore `structuredContent`), `E` and an
/// error's message, or `R` and a whole `CallToolResult`'s JSON.
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
        other => Err(ToolError::new(format!(
            "the handler's answer has no kind: {other:?}"
        ))),
    }
}

/// The native module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<NativeServer>()?;
    Ok(())
}
