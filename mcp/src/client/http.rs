//! The client's Streamable HTTP transport, both eras
//! (2025-11-25 `basic/transports` §Streamable HTTP; 2026-07-28
//! `basic/transports/streamable-http`).
//!
//! Each message is a POST. The answer is JSON or an SSE stream that may carry the
//! server's notifications and (legacy) requests before the response; a stream that
//! ends early is resumed with GET and `Last-Event-ID` after the server's `retry`. A
//! legacy session's id is sent back on every request, and a 404 for it starts a new
//! session and retries once. 2026-07-28 requests carry `Mcp-Method`, `Mcp-Name` and
//! the `Mcp-Param-*` headers the tool's schema asks for (§Request Metadata).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{
    HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri, header,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client as HyperClient;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::error::ClientError;
use super::handlers::Handlers;
use super::http_error::HttpError;
use super::http_options::{Attempt, Connector, Headers, HttpOptions, client_for, transport_error};
use super::sse::EventReader;
use crate::protocol::Tool;
use crate::protocol::header_values::{self, Mark};
use crate::sync::lock;
use crate::transport::http::headers::{METHOD, NAME, PARAM_PREFIX, PROTOCOL_VERSION, SESSION_ID};

const MAX_RESUMES: usize = 5;
/// The longest `retry` a server can make the client wait before it reconnects.
const MAX_RETRY_MS: u64 = 60_000;

#[derive(Debug, Default)]
struct LinkState {
    session: Option<String>,
    version: Option<String>,
    modern: bool,
    /// The `initialize` params, to open a new session when the server forgets ours.
    init: Option<Value>,
}

pub(crate) struct HttpLink {
    client: HyperClient<Connector, Full<Bytes>>,
    url: Uri,
    handlers: Arc<Handlers>,
    options: HttpOptions,
    next_id: AtomicI64,
    state: Mutex<LinkState>,
    /// Per tool, the argument paths mirrored into `Mcp-Param-{Name}` headers.
    tool_headers: Mutex<HashMap<String, Vec<Mark>>>,
    /// Requests whose answer is awaited on a stream, by id: an answer that arrives on
    /// another stream is handed over.
    answers: Mutex<HashMap<i64, oneshot::Sender<Result<Value, ClientError>>>>,
    /// Held while a new session replaces one the server dropped, so that calls that
    /// all got the 404 open one session between them, not one each.
    reopening: tokio::sync::Mutex<()>,
    this: Weak<HttpLink>,
}

impl std::fmt::Debug for HttpLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpLink")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl HttpLink {
    pub(crate) fn new(
        url: &str,
        handlers: Arc<Handlers>,
        options: HttpOptions,
    ) -> Result<Arc<Self>, ClientError> {
        let url: Uri = url
            .parse()
            .map_err(|e| ClientError::Unsupported(format!("not a URL: {url}: {e}")))?;
        let client = client_for(&url, &options)?;
        Ok(Arc::new_cyclic(|this| HttpLink {
            client,
            url,
            handlers,
            options,
            next_id: AtomicI64::new(1),
            state: Mutex::new(LinkState::default()),
            tool_headers: Mutex::new(HashMap::new()),
            answers: Mutex::new(HashMap::new()),
            reopening: tokio::sync::Mutex::new(()),
            this: this.clone(),
        }))
    }

    pub(crate) fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    /// Which era's headers the next requests carry, at which version.
    pub(crate) fn set_era(&self, modern: bool, version: Option<&str>) {
        let mut state = lock(&self.state);
        state.modern = modern;
        state.version = version.map(str::to_owned);
    }

    /// A fresh request id.
    pub(crate) fn reserve_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends request `id` and waits for its answer. Dropped before the answer, it
    /// tells a legacy server (a 2026-07-28 one sees its stream close).
    pub(crate) async fn request(
        &self,
        id: i64,
        method: &str,
        params: &Value,
    ) -> Result<Value, ClientError> {
        if method == "initialize" {
            lock(&self.state).init = Some(params.clone());
        }
        let mut guard = Abandon {
            link: self,
            id,
            armed: true,
        };
        let outcome = self.exchange(method, params, id).await;
        guard.armed = false;
        outcome
    }

    pub(crate) async fn notify(&self, method: &str, params: &Value) -> Result<(), ClientError> {
        let body = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        let response = self.post(Some(method), Some(params), &body).await?;
        if !response.status().is_success() {
            return Err(http_error(response).await);
        }
        Ok(())
    }

    async fn exchange(&self, method: &str, params: &Value, id: i64) -> Result<Value, ClientError> {
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let mut reopened = false;
        loop {
            let sent_in = lock(&self.state).session.clone();
            let response = self.post(Some(method), Some(params), &body).await?;
            let expired = response.status() == StatusCode::NOT_FOUND
                && method != "initialize"
                && sent_in.is_some();
            if expired {
                if reopened {
                    return Err(ClientError::Closed(
                        ": the server dropped the session again".into(),
                    ));
                }
                // 2025-11-25 §Session Management: a 404 for our session means start over.
                self.reopen(sent_in.as_deref()).await?;
                reopened = true;
                continue;
            }
            if method == "initialize"
                && let Some(session) = response
                    .headers()
                    .get(SESSION_ID)
                    .and_then(|v| v.to_str().ok())
            {
                lock(&self.state).session = Some(session.to_owned());
            }
            return self.answer(response, id).await;
        }
    }

    /// Replaces session `dropped` with a new one, unless another call already did,
    /// and listens on the new session's standalone stream.
    async fn reopen(&self, dropped: Option<&str>) -> Result<(), ClientError> {
        let _one_at_a_time = self.reopening.lock().await;
        if lock(&self.state).session.as_deref() != dropped {
            return Ok(());
        }
        self.reinitialize().await?;
        if let Some(link) = self.this.upgrade() {
            tokio::spawn(async move { link.listen_standalone().await });
        }
        Ok(())
    }

    async fn reinitialize(&self) -> Result<(), ClientError> {
        let params = {
            let mut state = lock(&self.state);
            state.session = None;
            state.init.clone()
        };
        let Some(params) = params else {
            return Err(ClientError::Closed(": the session expired".into()));
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": "initialize", "params": params });
        let response = self.post(Some("initialize"), Some(&params), &body).await?;
        if let Some(session) = response
            .headers()
            .get(SESSION_ID)
            .and_then(|v| v.to_str().ok())
        {
            lock(&self.state).session = Some(session.to_owned());
        }
        self.answer(response, id).await?;
        self.notify("notifications/initialized", &json!({})).await
    }

    /// Reads the answer to request `id`: JSON, or an SSE stream resumed as needed.
    async fn answer(&self, response: Response<Incoming>, id: i64) -> Result<Value, ClientError> {
        let status = response.status();
        if !status.is_success() {
            return Err(http_error(response).await);
        }
        let is_sse = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        if is_sse {
            return self
                .read_stream(EventReader::new(response.into_body()), id)
                .await;
        }
        let text = read_text(response).await;
        match serde_json::from_str::<Value>(&text) {
            Ok(message) if message.get("error").is_some() || message.get("result").is_some() => {
                outcome_of(&message)
            }
            _ => Err(ClientError::Malformed(format!(
                "HTTP {status} with neither a JSON-RPC response nor an event stream: {}",
                text.chars().take(200).collect::<String>()
            ))),
        }
    }

    async fn read_stream(&self, events: EventReader, id: i64) -> Result<Value, ClientError> {
        // The answer may also come on another of the session's streams (a server
        // that resumes onto whichever GET it has): wait for it there too.
        let (tx, mut elsewhere) = oneshot::channel();
        lock(&self.answers).insert(id, tx);
        let _forget = ForgetAnswer { link: self, id };
        let on_stream = self.read_own_stream(events, id);
        tokio::select! {
            answer = on_stream => answer,
            Ok(answer) = &mut elsewhere => answer,
        }
    }

    async fn read_own_stream(
        &self,
        mut events: EventReader,
        id: i64,
    ) -> Result<Value, ClientError> {
        let (mut cursor, mut retry, mut resumes) = (None::<String>, 1000u64, 0);
        loop {
            while let Some(event) = events.next().await {
                if let Some(at) = event.id {
                    cursor = Some(at);
                }
                if let Some(ms) = event.retry {
                    retry = ms;
                }
                if event.data.trim().is_empty() {
                    continue;
                }
                if let Some(answer) = self.dispatch(&event.data, Some(id)) {
                    return answer;
                }
            }
            // The stream ended without our answer: resume it, if the server let us.
            let Some(at) = cursor.clone() else {
                return Err(ClientError::Closed(
                    ": the response stream ended before the answer".into(),
                ));
            };
            resumes += 1;
            if resumes > MAX_RESUMES {
                return Err(ClientError::Closed(
                    ": the response stream kept ending before the answer".into(),
                ));
            }
            // As on the standalone stream: a server's `retry` is honoured up to a minute.
            tokio::time::sleep(Duration::from_millis(retry.min(MAX_RETRY_MS))).await;
            let response = self.get(Some(&at)).await?;
            if !response.status().is_success() {
                return Err(http_error(response).await);
            }
            events = EventReader::new(response.into_body());
        }
    }

    /// Handles one message from a stream; `Some` when it answers request `waiting`.
    fn dispatch(&self, data: &str, waiting: Option<i64>) -> Option<Result<Value, ClientError>> {
        let message: Value = match serde_json::from_str(data) {
            Ok(message) => message,
            Err(_) => {
                tracing::warn!(event = %data, "the server sent an event that is not JSON");
                return None;
            }
        };
        let method = message.get("method").and_then(Value::as_str);
        match (method, message.get("id")) {
            (Some(method), Some(id)) => {
                let (id, method) = (id.clone(), method.to_owned());
                let params = message.get("params").cloned().unwrap_or(Value::Null);
                if let Some(link) = self.this.upgrade() {
                    tokio::spawn(async move { link.answer_server(id, &method, params).await });
                }
                None
            }
            (Some(method), None) => {
                let params = message.get("params").cloned().unwrap_or(Value::Null);
                self.handlers.notification(method, params);
                None
            }
            (None, Some(id)) if waiting.is_some() && id.as_i64() == waiting => {
                Some(outcome_of(&message))
            }
            (None, Some(id)) => {
                let waiter = id.as_i64().and_then(|id| lock(&self.answers).remove(&id));
                match waiter {
                    Some(waiter) => {
                        let _ = waiter.send(outcome_of(&message));
                    }
                    None => {
                        tracing::warn!(event = %data, "the server answered a request that is not waiting")
                    }
                }
                None
            }
            _ => {
                tracing::warn!(event = %data, "the server sent a message that is neither a request, a notification nor a response");
                None
            }
        }
    }

    async fn answer_server(&self, id: Value, method: &str, params: Value) {
        let body = match self.handlers.server_request(method, params).await {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error }),
        };
        if let Err(err) = self.post(None, None, &body).await {
            tracing::warn!(%err, "could not send the answer to the server's request");
        }
    }

    /// Opens a legacy session's standalone stream and listens on it while the client
    /// lives; when the server closes it, comes back after the server's `retry` with
    /// `Last-Event-ID`, so nothing sent meanwhile is lost (2025-11-25 §Resumability).
    /// Returns once the first GET is answered, so the stream is in place before the
    /// client's first call.
    pub(crate) async fn listen_standalone(self: &Arc<Self>) {
        let Ok(Ok(first)) = tokio::time::timeout(Duration::from_secs(5), self.get(None)).await
        else {
            return;
        };
        if !first.status().is_success() {
            return; // 405: the server offers no such stream.
        }
        let link = Arc::downgrade(self);
        tokio::spawn(async move {
            let (mut cursor, mut retry) = (None::<String>, 1000u64);
            let mut events = EventReader::new(first.into_body());
            loop {
                while let Some(event) = events.next().await {
                    let Some(link) = link.upgrade() else { return };
                    if let Some(at) = event.id {
                        cursor = Some(at);
                    }
                    if let Some(ms) = event.retry {
                        retry = ms;
                    }
                    if !event.data.trim().is_empty() {
                        link.dispatch(&event.data, None);
                    }
                }
                tokio::time::sleep(Duration::from_millis(retry.clamp(100, MAX_RETRY_MS))).await;
                let Some(strong) = link.upgrade() else { return };
                let Ok(response) = strong.get(cursor.as_deref()).await else {
                    return;
                };
                if !response.status().is_success() {
                    return; // 404: the session is over.
                }
                events = EventReader::new(response.into_body());
            }
        });
    }

    async fn get(&self, last_event_id: Option<&str>) -> Result<Response<Incoming>, ClientError> {
        self.send(|| {
            let mut request = Request::builder()
                .method(Method::GET)
                .uri(self.url.clone())
                .header(header::ACCEPT, "text/event-stream");
            if let Some(at) = last_event_id {
                request = request.header("last-event-id", at);
            }
            let mut request = request
                .body(Full::new(Bytes::new()))
                .map_err(|e| ClientError::Malformed(e.to_string()))?;
            self.base_headers(request.headers_mut());
            Ok(request)
        })
        .await
    }

    /// Sends the request `make` builds, with the provided headers; after a 401, once
    /// more with headers the provider was told about it; after a 429 or 503, again
    /// as the retry policy allows.
    async fn send(
        &self,
        make: impl Fn() -> Result<Request<Full<Bytes>>, ClientError>,
    ) -> Result<Response<Incoming>, ClientError> {
        let started = Instant::now();
        let (mut attempt, mut refreshed, mut retries) = (Attempt::default(), false, 0);
        loop {
            let mut request = make()?;
            add_headers(
                self.options.headers.as_ref(),
                request.headers_mut(),
                attempt,
            )
            .await?;
            attempt = Attempt::default();
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| transport_error(&self.url, &e))?;
            let status = response.status();
            let provided = matches!(self.options.headers, Some(Headers::Provided(_)));
            if status == StatusCode::UNAUTHORIZED && provided && !refreshed {
                refreshed = true;
                attempt = Attempt::after_unauthorized(read_http_error(response).await);
                continue;
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE;
            if let Some(policy) = self
                .options
                .retries
                .filter(|p| retryable && retries < p.max_retries)
            {
                let refusal = read_http_error(response).await;
                let wait = policy.wait(retries, refusal.retry_after());
                if started.elapsed() + wait > policy.max_total {
                    return Err(ClientError::Http(Box::new(refusal)));
                }
                tokio::time::sleep(wait).await;
                retries += 1;
                continue;
            }
            return Ok(response);
        }
    }

    async fn post(
        &self,
        method: Option<&str>,
        params: Option<&Value>,
        body: &Value,
    ) -> Result<Response<Incoming>, ClientError> {
        let body = Bytes::from(body.to_string());
        self.send(|| {
            let mut request = Request::builder()
                .method(Method::POST)
                .uri(self.url.clone())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json, text/event-stream")
                .body(Full::new(body.clone()))
                .map_err(|e| ClientError::Malformed(e.to_string()))?;
            let headers = request.headers_mut();
            self.base_headers(headers);
            if lock(&self.state).modern
                && let Some(method) = method
            {
                self.metadata_headers(headers, method, params.unwrap_or(&Value::Null));
            }
            Ok(request)
        })
        .await
    }

    /// The version and session headers (the provider's come in [`send`](Self::send)).
    fn base_headers(&self, headers: &mut HeaderMap) {
        {
            let state = lock(&self.state);
            if let Some(version) = state
                .version
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(PROTOCOL_VERSION, version);
            }
            if let Some(session) = state
                .session
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(SESSION_ID, session);
            }
        }
    }

    /// `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` (2026-07-28 §Request Metadata).
    fn metadata_headers(&self, headers: &mut HeaderMap, method: &str, params: &Value) {
        if let Ok(value) = HeaderValue::from_str(method) {
            headers.insert(METHOD, value);
        }
        let name = header_values::name_member(method).and_then(|member| params.get(member));
        if let Some(value) = name
            .and_then(Value::as_str)
            .and_then(|n| HeaderValue::from_str(&header_values::encode(n)).ok())
        {
            headers.insert(NAME, value);
        }
        if method != "tools/call" {
            return;
        }
        let Some(tool) = params.get("name").and_then(Value::as_str) else {
            return;
        };
        let marks = lock(&self.tool_headers)
            .get(tool)
            .cloned()
            .unwrap_or_default();
        let arguments = params.get("arguments").unwrap_or(&Value::Null);
        for (path, header_name) in marks {
            let value = path.iter().try_fold(arguments, |at, key| at.get(key));
            let text = match value {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(format!("{PARAM_PREFIX}{header_name}").as_bytes()),
                HeaderValue::from_str(&header_values::encode(&text)),
            ) {
                headers.insert(name, value);
            }
        }
    }

    /// Whether a 2026-07-28 `tools/call` of `tool` would go out without knowing which
    /// `Mcp-Param-*` headers the tool's schema asks for (it was never listed).
    pub(crate) fn needs_tool_headers(&self, tool: &str) -> bool {
        lock(&self.state).modern && !lock(&self.tool_headers).contains_key(tool)
    }

    /// Keeps the tools whose `x-mcp-header` annotations are valid, remembering them;
    /// drops the others with a warning (2026-07-28 §Custom Headers from Tool Parameters).
    pub(crate) fn accept_tools(&self, tools: Vec<Tool>) -> Vec<Tool> {
        let mut kept = Vec::with_capacity(tools.len());
        let mut marks_by_tool = lock(&self.tool_headers);
        for tool in tools {
            match header_values::valid_marks(&tool.input_schema) {
                Ok(marks) => {
                    marks_by_tool.insert(tool.name.clone(), marks);
                    kept.push(tool);
                }
                Err(why) => {
                    tracing::warn!(tool = %tool.name, %why, "ignoring a tool with an invalid x-mcp-header")
                }
            }
        }
        kept
    }
}

impl Drop for HttpLink {
    /// Ends a legacy session the client leaves (2025-11-25 §Session Management, 5).
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if lock(&self.state).session.is_none() {
            return;
        }
        let Ok(mut request) = Request::builder()
            .method(Method::DELETE)
            .uri(self.url.clone())
            .body(Full::new(Bytes::new()))
        else {
            return;
        };
        // The same headers as every request: the session id, the version, and what
        // the provider adds (a bearer token the server needs to accept the DELETE).
        self.base_headers(request.headers_mut());
        lock(&self.state).session = None;
        let client = self.client.clone();
        let provider = self.options.headers.clone();
        runtime.spawn(async move {
            if add_headers(provider.as_ref(), request.headers_mut(), Attempt::default())
                .await
                .is_ok()
            {
                let _ = client.request(request).await;
            }
        });
    }
}

/// Stops waiting for an answer elsewhere once the request is over.
struct ForgetAnswer<'a> {
    link: &'a HttpLink,
    id: i64,
}

impl Drop for ForgetAnswer<'_> {
    fn drop(&mut self) {
        lock(&self.link.answers).remove(&self.id);
    }
}

/// Tells a legacy server that a request was abandoned (a 2026-07-28 server learns it
/// from the closed stream).
struct Abandon<'a> {
    link: &'a HttpLink,
    id: i64,
    armed: bool,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if !self.armed || lock(&self.link.state).modern {
            return;
        }
        let (Some(link), Ok(runtime)) = (
            self.link.this.upgrade(),
            tokio::runtime::Handle::try_current(),
        ) else {
            return;
        };
        let id = self.id;
        runtime.spawn(async move {
            let params = json!({ "requestId": id, "reason": "the client stopped waiting" });
            let _ = link.notify("notifications/cancelled", &params).await;
        });
    }
}

/// A JSON-RPC response's outcome: its result, or its error.
fn outcome_of(message: &Value) -> Result<Value, ClientError> {
    match message.get("error") {
        Some(error) => Err(serde_json::from_value(error.clone())
            .map(ClientError::Rpc)
            .unwrap_or_else(|e| ClientError::Malformed(format!("error object: {e}")))),
        None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
    }
}

/// Adds the fixed or provided headers.
async fn add_headers(
    source: Option<&Headers>,
    headers: &mut HeaderMap,
    attempt: Attempt,
) -> Result<(), ClientError> {
    match source {
        None => {}
        Some(Headers::Fixed(inject)) => inject(headers),
        Some(Headers::Provided(provide)) => {
            let provided = provide(attempt).await?;
            for name in provided.keys() {
                headers.remove(name);
            }
            headers.extend(provided);
        }
    }
    Ok(())
}

/// A non-2xx answer, as the error that keeps its status and headers.
async fn http_error(response: Response<Incoming>) -> ClientError {
    ClientError::Http(Box::new(read_http_error(response).await))
}

async fn read_http_error(response: Response<Incoming>) -> HttpError {
    let (parts, body) = response.into_parts();
    let text = match body.collect().await {
        Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    HttpError::new(parts.status, &parts.headers, &text)
}

async fn read_text(response: Response<Incoming>) -> String {
    match response.into_body().collect().await {
        Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
        Err(_) => String::new(),
    }
}
