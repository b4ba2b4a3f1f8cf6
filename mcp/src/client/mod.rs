//! The client: talk to any MCP server, of either era, over stdio or in process.
//!
//! ```no_run
//! # async fn demo() -> Result<(), boltmcp::client::ClientError> {
//! use boltmcp::client::Client;
//! let client = Client::connect_stdio("python", ["server.py"]).await?;
//! let result = client.call_tool("add", serde_json::json!({"a": 5, "b": 3})).await?;
//! # Ok(()) }
//! ```
//!
//! Connecting negotiates the era (a `server/discover` probe, then `initialize` if the
//! server is a legacy one). Calls then look the same in both: a 2026-07-28 request
//! carries the version, client info and capabilities in its `_meta`, and an
//! `InputRequiredResult` is answered by the client's handlers and retried with the
//! answers (2026-07-28 `basic/patterns/mrtr`); a legacy server asks the same handlers
//! with real requests instead.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

mod calls;
mod connect;
mod error;
mod handlers;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "http")]
mod http_error;
#[cfg(feature = "http")]
pub(crate) mod http_options;
mod rpc;
#[cfg(feature = "http")]
mod sse;

pub use calls::{CallOptions, Progress, Subscription};
pub use connect::{ClientBuilder, EraChoice};
pub use error::ClientError;
#[cfg(feature = "http")]
pub use http_error::{Challenge, HttpError};
#[cfg(feature = "http")]
pub use http_options::{Attempt, HeaderInjector, HeaderProvider, HeadersFuture, RetryPolicy};

use crate::protocol::{
    CallToolResult, ClientCapabilities, CompleteResult, GetPromptResult, Implementation,
    LoggingLevel, META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_LOG_LEVEL,
    META_PROTOCOL_VERSION, Prompt, ProtocolVersion, ReadResourceResult, Resource, ResourceTemplate,
    ServerCapabilities, Tool,
};
use crate::server::Server;
use rpc::Rpc;

/// How many input rounds one call may take before the client gives up.
const MAX_INPUT_ROUNDS: usize = 10;

/// The era the client and server settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// The `initialize` handshake, at this version.
    Legacy(ProtocolVersion),
    /// 2026-07-28: every request stands alone.
    Modern,
}

/// A connection to one MCP server. Cheap to clone; the connection (and a spawned
/// server process) ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

/// The connection under a client: newline-delimited pipes, or Streamable HTTP.
#[derive(Debug)]
enum Link {
    Lines(Arc<Rpc>),
    #[cfg(feature = "http")]
    Http(Arc<http::HttpLink>),
}

impl Link {
    fn reserve_id(&self) -> i64 {
        match self {
            Link::Lines(rpc) => rpc.reserve_id(),
            #[cfg(feature = "http")]
            Link::Http(link) => link.reserve_id(),
        }
    }

    async fn request(
        &self,
        method: &str,
        params: &Value,
        timeout: Option<Duration>,
    ) -> Result<Value, ClientError> {
        self.request_as(self.reserve_id(), method, params, timeout)
            .await
    }

    async fn request_as(
        &self,
        id: i64,
        method: &str,
        params: &Value,
        timeout: Option<Duration>,
    ) -> Result<Value, ClientError> {
        let answer = async {
            match self {
                Link::Lines(rpc) => rpc.request(id, method, params).await,
                #[cfg(feature = "http")]
                Link::Http(link) => link.request(id, method, params).await,
            }
        };
        let Some(limit) = timeout else {
            return answer.await;
        };
        // Running out drops the request, which tells the server to cancel it.
        tokio::time::timeout(limit, answer)
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Timeout {
                    timeout: limit,
                    detail: self.detail(),
                })
            })
    }

    /// What else is known about the server, for a timeout's message.
    fn detail(&self) -> String {
        match self {
            Link::Lines(rpc) => rpc.garbage_detail(),
            #[cfg(feature = "http")]
            Link::Http(_) => String::new(),
        }
    }

    async fn notify(&self, method: &str, params: &Value) -> Result<(), ClientError> {
        match self {
            Link::Lines(rpc) => rpc.notify(method, params),
            #[cfg(feature = "http")]
            Link::Http(link) => link.notify(method, params).await,
        }
    }

    fn handlers(&self) -> &handlers::Handlers {
        match self {
            Link::Lines(rpc) => rpc.handlers(),
            #[cfg(feature = "http")]
            Link::Http(link) => link.handlers(),
        }
    }

    /// Which era the next requests belong to (HTTP headers depend on it).
    fn set_era(&self, era: Era) {
        #[cfg(feature = "http")]
        if let Link::Http(link) = self {
            match era {
                Era::Modern => link.set_era(true, Some(ProtocolVersion::LATEST.as_str())),
                Era::Legacy(version) => link.set_era(false, Some(version.as_str())),
            }
        }
        let _ = era;
    }
}

#[derive(Debug)]
struct ClientInner {
    link: Link,
    /// Kept so that dropping the client kills the server it spawned.
    #[allow(dead_code)]
    child: Option<tokio::process::Child>,
    info: Implementation,
    capabilities: ClientCapabilities,
    timeout: Option<Duration>,
    era: Era,
    server_info: Implementation,
    server_capabilities: ServerCapabilities,
    instructions: Option<String>,
    /// 2026-07-28: the log level every request asks for (`set_log_level`).
    log_level: Mutex<Option<LoggingLevel>>,
}

impl ClientInner {
    /// Adds the 2026-07-28 per-request fields to `params._meta`.
    fn stamp(&self, mut params: Value) -> Value {
        if self.era != Era::Modern {
            return params;
        }
        if !params.is_object() {
            params = json!({});
        }
        let meta = params
            .as_object_mut()
            .map(|p| p.entry("_meta").or_insert_with(|| json!({})));
        if let Some(Value::Object(meta)) = meta {
            meta.insert(
                META_PROTOCOL_VERSION.into(),
                ProtocolVersion::LATEST.as_str().into(),
            );
            meta.insert(META_CLIENT_INFO.into(), json!(self.info));
            meta.insert(META_CLIENT_CAPABILITIES.into(), json!(self.capabilities));
            let level = *self
                .log_level
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(level) = level {
                meta.insert(META_LOG_LEVEL.into(), json!(level));
            }
        }
        params
    }
}

impl Client {
    /// A builder, for handlers, timeouts or a pinned era.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Spawns `command args` and connects to it over stdio, with the defaults.
    pub async fn connect_stdio<I, S>(command: &str, args: I) -> Result<Client, ClientError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        ClientBuilder::default().connect_stdio(command, args).await
    }

    /// Connects to `server` in this process, with the defaults.
    pub async fn connect_in_memory(server: Server) -> Result<Client, ClientError> {
        ClientBuilder::default().connect_in_memory(server).await
    }

    /// The era settled on at connection.
    pub fn era(&self) -> Era {
        self.inner.era
    }

    /// Who the server says it is.
    pub fn server_info(&self) -> &Implementation {
        &self.inner.server_info
    }

    /// What the server says it can do.
    pub fn server_capabilities(&self) -> &ServerCapabilities {
        &self.inner.server_capabilities
    }

    /// The server's instructions for the model, if it gave any.
    pub fn instructions(&self) -> Option<&str> {
        self.inner.instructions.as_deref()
    }

    /// Sends any request and returns its raw result; 2026-07-28 fields are added.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let params = self.inner.stamp(params);
        self.inner
            .link
            .request(method, &params, self.inner.timeout)
            .await
    }

    /// A request whose result may be an `InputRequiredResult`: the handlers answer
    /// it and the request is retried with the answers and the state, until it ends.
    async fn request_with_input(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        self.request_with_input_timeout(method, params, self.inner.timeout)
            .await
    }

    async fn request_with_input_timeout(
        &self,
        method: &str,
        params: Value,
        timeout: Option<Duration>,
    ) -> Result<Value, ClientError> {
        let mut params = params;
        for _ in 0..MAX_INPUT_ROUNDS {
            let stamped = self.inner.stamp(params.clone());
            let result = self.inner.link.request(method, &stamped, timeout).await?;
            if result.get("resultType").and_then(Value::as_str) != Some("input_required") {
                return Ok(result);
            }
            let mut answers = Map::new();
            if let Some(Value::Object(requests)) = result.get("inputRequests") {
                for (key, request) in requests {
                    let method = request
                        .get("method")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let asked = request.get("params").cloned().unwrap_or(Value::Null);
                    let answer = self
                        .inner
                        .rpc_handlers()
                        .server_request(method, asked)
                        .await
                        .map_err(ClientError::Rpc)?;
                    answers.insert(key.clone(), answer);
                }
            }
            if let Some(object) = params.as_object_mut() {
                object.insert("inputResponses".into(), Value::Object(answers));
                match result.get("requestState") {
                    Some(state) => object.insert("requestState".into(), state.clone()),
                    None => object.remove("requestState"),
                };
            }
        }
        Err(ClientError::Unsupported(format!(
            "{method} still needed input after {MAX_INPUT_ROUNDS} rounds"
        )))
    }

    async fn typed<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, ClientError> {
        let raw = self.request(method, params).await?;
        serde_json::from_value(raw).map_err(|e| ClientError::Malformed(format!("{method}: {e}")))
    }

    /// One page of a list method: its items, and the cursor of the next page if there
    /// is one (a server that hands back the same cursor is taken to be done).
    async fn page<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
        cursor: Option<&str>,
    ) -> Result<(Vec<T>, Option<String>), ClientError> {
        let params = match cursor {
            Some(cursor) => json!({ "cursor": cursor }),
            None => json!({}),
        };
        let mut page = self.request(method, params).await?;
        let batch = page
            .get_mut(key)
            .map(Value::take)
            .unwrap_or(Value::Array(Vec::new()));
        let batch: Vec<T> = serde_json::from_value(batch)
            .map_err(|e| ClientError::Malformed(format!("{method}: {e}")))?;
        let next = page
            .get("nextCursor")
            .and_then(Value::as_str)
            .filter(|next| Some(*next) != cursor)
            .map(str::to_owned);
        Ok((batch, next))
    }

    /// One page of tools. Over HTTP, a tool whose `x-mcp-header` annotations are
    /// invalid is left out (2026-07-28 `basic/transports/streamable-http`).
    async fn tools_page(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<Tool>, Option<String>), ClientError> {
        let (tools, next) = self.page("tools/list", "tools", cursor).await?;
        let tools = match &self.inner.link {
            #[cfg(feature = "http")]
            Link::Http(link) => link.accept_tools(tools),
            _ => tools,
        };
        Ok((tools, next))
    }

    /// Every page of a list method, in order.
    async fn list_all<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
    ) -> Result<Vec<T>, ClientError> {
        let (mut items, mut cursor) = self.page(method, key, None).await?;
        while let Some(at) = cursor {
            let (batch, next) = self.page(method, key, Some(&at)).await?;
            items.extend(batch);
            cursor = next;
        }
        Ok(items)
    }

    /// Every tool, all pages (over HTTP without the ones whose `x-mcp-header`
    /// annotations are invalid).
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        futures_util::TryStreamExt::try_collect(self.tools_stream()).await
    }

    /// Over 2026-07-28 HTTP, lists the tools once if `name` was never listed, so its
    /// call carries the `Mcp-Param-*` headers its schema asks for (a server refuses
    /// the call without them, -32020). A failed listing leaves the call to say so.
    pub(crate) async fn learn_tool_headers(&self, name: &str) {
        #[cfg(feature = "http")]
        if let Link::Http(link) = &self.inner.link
            && link.needs_tool_headers(name)
        {
            let _ = self.list_tools().await;
        }
        #[cfg(not(feature = "http"))]
        let _ = name;
    }

    /// Calls a tool. A tool that failed is still `Ok`, with `is_error` set.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<CallToolResult, ClientError> {
        self.call_tool_with(name, arguments, CallOptions::new())
            .await
    }

    /// Calls a tool and reads its `structuredContent` as `T`; a failed tool is an error.
    pub async fn call_tool_as<T: DeserializeOwned>(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<T, ClientError> {
        let result = self.call_tool(name, arguments).await?;
        if result.is_error == Some(true) {
            let text = serde_json::to_string(&result.content).unwrap_or_default();
            return Err(ClientError::Malformed(format!(
                "the tool {name} failed: {text}"
            )));
        }
        let structured = result.structured_content.ok_or_else(|| {
            ClientError::Malformed(format!("the tool {name} returned no structuredContent"))
        })?;
        serde_json::from_value(structured)
            .map_err(|e| ClientError::Malformed(format!("{name}: {e}")))
    }

    /// Every resource, all pages.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ClientError> {
        self.list_all("resources/list", "resources").await
    }

    /// Every resource template, all pages.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ClientError> {
        self.list_all("resources/templates/list", "resourceTemplates")
            .await
    }

    /// Reads a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ClientError> {
        let raw = self
            .request_with_input("resources/read", json!({ "uri": uri }))
            .await?;
        serde_json::from_value(raw)
            .map_err(|e| ClientError::Malformed(format!("resources/read: {e}")))
    }

    /// Every prompt, all pages.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, ClientError> {
        self.list_all("prompts/list", "prompts").await
    }

    /// Gets a prompt with its arguments filled in.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<GetPromptResult, ClientError> {
        let raw = self
            .request_with_input(
                "prompts/get",
                json!({ "name": name, "arguments": arguments }),
            )
            .await?;
        serde_json::from_value(raw).map_err(|e| ClientError::Malformed(format!("prompts/get: {e}")))
    }

    /// Completes an argument of a prompt (`reference` = `{"type": "ref/prompt", "name": …}`)
    /// or of a resource template.
    pub async fn complete(
        &self,
        reference: Value,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, ClientError> {
        self.typed(
            "completion/complete",
            json!({ "ref": reference, "argument": { "name": argument, "value": value } }),
        )
        .await
    }

    /// Legacy `ping`.
    pub async fn ping(&self) -> Result<(), ClientError> {
        self.legacy_only("ping")?;
        self.request("ping", json!({})).await.map(drop)
    }

    /// Asks the server for log messages at `level` and above, in either era. Legacy:
    /// `logging/setLevel`. 2026-07-28 has no such request: a request asks for the logs
    /// of its own handling in its `_meta` (`server/utilities/logging` §Per-request log
    /// level), so every later request of this client carries
    /// `io.modelcontextprotocol/logLevel`.
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), ClientError> {
        if self.inner.era == Era::Modern {
            *self
                .inner
                .log_level
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(level);
            return Ok(());
        }
        self.request("logging/setLevel", json!({ "level": level }))
            .await
            .map(drop)
    }

    fn legacy_only(&self, method: &str) -> Result<(), ClientError> {
        match self.inner.era {
            Era::Legacy(_) => Ok(()),
            Era::Modern => Err(ClientError::Unsupported(format!(
                "{method} does not exist in 2026-07-28"
            ))),
        }
    }
}

impl ClientInner {
    fn rpc_handlers(&self) -> &handlers::Handlers {
        self.link.handlers()
    }
}
