//! The native half of `boltmcp.MCPClient`: boltmcp's Rust client (both eras, stdio,
//! Streamable HTTP, in-process), driven from Python.
//!
//! The connections live on one small multi-threaded runtime the module owns. A call
//! from the synchronous facade waits for its answer with the GIL released; one from
//! the async facade is spawned there and its `done` callback runs on a handler thread
//! ([`executor`](crate::executor)), which hands the answer to the caller's event loop.
//! The server's questions (elicitation, sampling, roots) and the progress and
//! notification callbacks run on the handler threads too, never on the runtime's.
//!
//! Answers cross as tagged text: `A` and the result's JSON, or `X` and an error's
//! JSON (`message`, `code`, `data`, `status`, `retry_after`), which the Python side
//! raises as `MCPError`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use boltmcp::client::{CallOptions, Client, ClientBuilder, ClientError, Era, EraChoice};
use boltmcp::protocol::{
    CreateMessageResult, ElicitResult, ErrorObject, ListRootsResult, LoggingLevel,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use crate::executor;

/// The runtime the client connections run on.
fn runtime() -> PyResult<&'static Runtime> {
    static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("boltmcp-client")
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
        .ok_or_else(|| PyRuntimeError::new_err("the client's runtime could not start"))
}

/// How to reach the server and who the client is, as `MCPClient` passes it (JSON).
#[derive(Debug, Default, serde::Deserialize)]
struct Connection {
    /// `stdio`, `http` or `memory`.
    transport: String,
    /// The command (stdio) or the URL (http).
    #[serde(default)]
    target: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    /// `auto`, `legacy` or `2026-07-28`.
    #[serde(default)]
    era: Option<String>,
    /// Each call's default timeout in seconds (`None`: 60 s; 0: none).
    #[serde(default)]
    timeout: Option<f64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

/// The Python callables that answer the server: each takes the request's params as
/// JSON text and returns the result's JSON text (or raises).
#[derive(Debug, Default)]
struct Answerers {
    elicit: Option<Arc<Py<PyAny>>>,
    sample: Option<Arc<Py<PyAny>>>,
    roots: Option<Arc<Py<PyAny>>>,
    notify: Option<Arc<Py<PyAny>>>,
}

/// A connected client.
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeClient {
    client: Mutex<Option<Client>>,
}

#[pymethods]
impl NativeClient {
    /// Connects (waiting, with the GIL released): `connection` is JSON; `server` is
    /// the `NativeServer` for an in-process connection.
    #[staticmethod]
    #[pyo3(signature = (connection, server = None, elicit = None, sample = None, roots = None, notify = None))]
    fn connect(
        py: Python<'_>,
        connection: &str,
        server: Option<&Bound<'_, crate::NativeServer>>,
        elicit: Option<Py<PyAny>>,
        sample: Option<Py<PyAny>>,
        roots: Option<Py<PyAny>>,
        notify: Option<Py<PyAny>>,
    ) -> PyResult<(String, Option<NativeClient>)> {
        let connection: Connection = serde_json::from_str(connection)
            .map_err(|err| PyValueError::new_err(format!("the connection: {err}")))?;
        let answerers = Answerers {
            elicit: elicit.map(Arc::new),
            sample: sample.map(Arc::new),
            roots: roots.map(Arc::new),
            notify: notify.map(Arc::new),
        };
        let builder = builder(&connection, answerers)?;
        let server = server.map(|server| server.get());
        let runtime = runtime()?;
        let connected = py.detach(|| {
            runtime.block_on(async move {
                match connection.transport.as_str() {
                    "stdio" => {
                        builder
                            .connect_stdio(&connection.target, &connection.args)
                            .await
                    }
                    "http" => builder.connect_http(&connection.target).await,
                    _ => match server {
                        Some(server) => match server.sandboxed(server.server()) {
                            Ok(served) => builder.connect_in_memory(served).await,
                            Err(err) => Err(ClientError::Unsupported(err.to_string())),
                        },
                        None => Err(ClientError::Unsupported("no server to connect to".into())),
                    },
                }
            })
        });
        Ok(match connected {
            Ok(client) => {
                let described = format!("A{}", describe(&client));
                let client = NativeClient {
                    client: Mutex::new(Some(client)),
                };
                (described, Some(client))
            }
            Err(err) => (failure(&err), None),
        })
    }

    /// Runs one request and waits for it with the GIL released: `A` and the
    /// result's JSON, or `X` and the error's.
    #[pyo3(signature = (method, params, timeout = None, progress = None))]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        params: &str,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let work = self.work(method, params, timeout, progress)?;
        let runtime = runtime()?;
        Ok(py.detach(|| runtime.block_on(work)))
    }

    /// Starts one request and returns at once; `done(answer)` gets the tagged answer
    /// on a handler thread. The returned call can be cancelled: the request is then
    /// abandoned, and the server told so.
    #[pyo3(signature = (method, params, done, timeout = None, progress = None))]
    fn submit(
        &self,
        method: String,
        params: &str,
        done: Py<PyAny>,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<NativeCall> {
        let work = self.work(method, params, timeout, progress)?;
        let task = runtime()?.spawn(async move {
            let answer = work.await;
            executor::submit(move |py| {
                if let Err(err) = done.call1(py, (answer,)) {
                    err.print(py);
                }
            });
        });
        Ok(NativeCall {
            task: task.abort_handle(),
        })
    }

    /// Ends the connection (a stdio server is stopped); later requests fail.
    fn close(&self, py: Python<'_>) {
        let client = self
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // Dropped on the runtime: a stdio child is killed and reaped there.
        if let Ok(runtime) = runtime() {
            py.detach(|| runtime.block_on(async move { drop(client) }));
        }
    }
}

/// A request started by [`NativeClient::submit`].
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeCall {
    task: tokio::task::AbortHandle,
}

#[pymethods]
impl NativeCall {
    /// Abandons the request: its `done` is never called, and the server is told the
    /// request is cancelled.
    fn cancel(&self) {
        self.task.abort();
    }
}

impl NativeClient {
    /// The future of one request, ready to be awaited or spawned.
    fn work(
        &self,
        method: String,
        params: &str,
        timeout: Option<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<impl Future<Output = String> + Send + 'static> {
        let client = self
            .client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| PyRuntimeError::new_err("the client is closed"))?;
        let params: Value = serde_json::from_str(params)
            .map_err(|err| PyValueError::new_err(format!("the params: {err}")))?;
        let timeout = timeout.map(seconds).transpose()?;
        Ok(async move {
            match run(&client, &method, params, timeout, progress).await {
                Ok(value) => format!("A{value}"),
                Err(err) => failure(&err),
            }
        })
    }
}

/// One request by its method, through the client's typed calls where there is one.
async fn run(
    client: &Client,
    method: &str,
    mut params: Value,
    timeout: Option<Duration>,
    progress: Option<Py<PyAny>>,
) -> Result<Value, ClientError> {
    match method {
        "tools/call" => {
            let mut options = CallOptions::new();
            if let Some(limit) = timeout {
                options = options.timeout(limit);
            }
            let reporting = Arc::new(InFlight::default());
            if let Some(listener) = progress {
                let listener = Arc::new(listener);
                let reporting = reporting.clone();
                options = options.on_progress(move |report| {
                    let listener = listener.clone();
                    let queued = InFlight::begin(&reporting);
                    executor::submit(move |py| {
                        let called =
                            listener.call1(py, (report.progress, report.total, report.message));
                        if let Err(err) = called {
                            err.print(py);
                        }
                        drop(queued);
                    });
                });
            }
            let name = text(&params, "name");
            let arguments = take_arguments(&mut params);
            let result = client.call_tool_with(&name, arguments, options).await;
            // The reports came before the answer: the caller hears them all before it.
            reporting.settled().await;
            value(result)
        }
        "tools/list" => value(client.list_tools().await),
        "resources/list" => value(client.list_resources().await),
        "resources/templates/list" => value(client.list_resource_templates().await),
        "resources/read" => value(client.read_resource(&text(&params, "uri")).await),
        "resources/subscribe" => value(client.subscribe_resource(&text(&params, "uri")).await),
        "resources/unsubscribe" => value(client.unsubscribe_resource(&text(&params, "uri")).await),
        "prompts/list" => value(client.list_prompts().await),
        "prompts/get" => {
            let name = text(&params, "name");
            let arguments = take_arguments(&mut params);
            value(client.get_prompt(&name, arguments).await)
        }
        "completion/complete" => {
            let reference = params.get("ref").cloned().unwrap_or_default();
            value(
                client
                    .complete(
                        reference,
                        &text(&params, "argument"),
                        &text(&params, "value"),
                    )
                    .await,
            )
        }
        "ping" => value(client.ping().await),
        "logging/setLevel" => {
            let level: LoggingLevel = serde_json::from_value(json!(text(&params, "level")))
                .map_err(|e| ClientError::Malformed(format!("the log level: {e}")))?;
            value(client.set_log_level(level).await)
        }
        other => client.request(other, params).await,
    }
}

/// The params' string at `key` (empty when there is none).
fn text(params: &Value, key: &str) -> String {
    params
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The params' `arguments`, moved out (an empty object when there are none).
fn take_arguments(params: &mut Value) -> Value {
    params
        .get_mut("arguments")
        .map(Value::take)
        .unwrap_or_else(|| json!({}))
}

/// A typed result as JSON.
fn value<T: serde::Serialize>(result: Result<T, ClientError>) -> Result<Value, ClientError> {
    result.and_then(|r| serde_json::to_value(r).map_err(|e| ClientError::Malformed(e.to_string())))
}

/// A timeout in seconds as a duration; an error for what is not one.
fn seconds(value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| PyValueError::new_err(format!("timeout {value}: give seconds, 0 or more")))
}

/// The builder for `connection`, with the Python answerers installed.
fn builder(connection: &Connection, answerers: Answerers) -> PyResult<ClientBuilder> {
    let mut builder = Client::builder();
    if let (Some(name), Some(version)) = (&connection.name, &connection.version) {
        builder = builder.info(name, version);
    }
    builder = builder.era(match connection.era.as_deref() {
        None | Some("auto") => EraChoice::Auto,
        Some("legacy") => EraChoice::Legacy,
        Some("2026-07-28" | "modern") => EraChoice::Modern,
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "mode {other:?}: 'auto', 'legacy' or '2026-07-28'"
            )));
        }
    });
    if let Some(limit) = connection.timeout {
        builder = builder.timeout((limit > 0.0).then(|| seconds(limit)).transpose()?);
    }
    if !connection.headers.is_empty() {
        let mut headers = http::HeaderMap::new();
        for (name, value) in &connection.headers {
            let name = http::HeaderName::try_from(name.as_str())
                .map_err(|err| PyValueError::new_err(format!("header {name:?}: {err}")))?;
            let value = http::HeaderValue::try_from(value.as_str())
                .map_err(|err| PyValueError::new_err(format!("header {name}: {err}")))?;
            headers.insert(name, value);
        }
        builder = builder.headers(move |out| out.extend(headers.clone()));
    }
    if let Some(elicit) = answerers.elicit {
        builder = builder.on_elicitation(move |params| {
            ask::<ElicitResult>(elicit.clone(), serde_json::to_string(&params))
        });
    }
    if let Some(sample) = answerers.sample {
        builder = builder.on_sampling(move |params| {
            ask::<CreateMessageResult>(sample.clone(), serde_json::to_string(&params))
        });
    }
    if let Some(roots) = answerers.roots {
        builder = builder.on_roots(move |params| {
            ask::<ListRootsResult>(roots.clone(), serde_json::to_string(&params))
        });
    }
    if let Some(notify) = answerers.notify {
        builder = builder.on_notification(move |method, params| {
            let (notify, method, params) = (notify.clone(), method.to_owned(), params.to_string());
            executor::submit(move |py| {
                if let Err(err) = notify.call1(py, (method, params)) {
                    err.print(py);
                }
            });
        });
    }
    Ok(builder)
}

/// Asks a Python answerer on a handler thread: its JSON answer read as `T`, or the
/// JSON-RPC error the server is given.
async fn ask<T: DeserializeOwned>(
    answerer: Arc<Py<PyAny>>,
    params: serde_json::Result<String>,
) -> Result<T, ErrorObject> {
    let params = params.map_err(ErrorObject::internal)?;
    let answer = executor::run(move |py| answerer.call1(py, (params,))?.extract::<String>(py))
        .await
        .ok_or_else(|| ErrorObject::internal("the client's handler did not run"))?
        .map_err(|err| ErrorObject::internal(format!("the client's handler failed: {err}")))?;
    serde_json::from_str(&answer)
        .map_err(|err| ErrorObject::internal(format!("the client's answer: {err}")))
}

/// What the client learned at connection: the era, the server, its capabilities.
fn describe(client: &Client) -> Value {
    json!({
        "era": match client.era() {
            Era::Modern => "2026-07-28".to_owned(),
            Era::Legacy(version) => version.as_str().to_owned(),
        },
        "server_info": client.server_info(),
        "capabilities": client.server_capabilities(),
        "instructions": client.instructions(),
    })
}

/// An error as the Python side raises it.
fn failure(err: &ClientError) -> String {
    let rpc = err.rpc();
    let described = json!({
        "message": err.to_string(),
        "code": rpc.map(|e| e.code),
        "data": rpc.and_then(|e| e.data.clone()),
        "status": err.status().map(|s| s.as_u16()),
        "retry_after": err.retry_after().map(|d| d.as_secs_f64()),
    });
    format!("X{described}")
}

/// Callbacks queued for a handler thread and not yet run.
#[derive(Debug, Default)]
struct InFlight {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

/// One queued callback: counted until it is dropped, run or not.
struct Queued(Arc<InFlight>);

impl Drop for Queued {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl InFlight {
    fn begin(this: &Arc<InFlight>) -> Queued {
        this.count.fetch_add(1, Ordering::AcqRel);
        Queued(this.clone())
    }

    /// Completes once every queued callback has run (or was dropped unrun, as at
    /// the interpreter's exit).
    async fn settled(&self) {
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.count.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}
