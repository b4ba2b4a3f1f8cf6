//! A small HTTP client for the Streamable HTTP tests: real requests over loopback TCP
//! to a server started in the test, with helpers for the 2026-07-28 headers and for
//! reading SSE bodies.

use std::net::SocketAddr;
use std::time::Duration;

use boltmcp::server::Server;
use boltmcp::transport::http::{HttpConfig, MCP_PATH, McpHttpService, at_path, serve};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// How long one HTTP exchange may take before the test fails instead of hanging.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `server` over HTTP on a fresh loopback port (path `/mcp`).
pub async fn start(server: Server, config: HttpConfig) -> SocketAddr {
    start_service(server.http_service(config)).await
}

/// Serves an endpoint on a fresh loopback port (path `/mcp`).
pub async fn start_service(service: McpHttpService) -> SocketAddr {
    let (listener, addr) = bind().await;
    tokio::spawn(serve(listener, at_path(MCP_PATH, service)));
    addr
}

/// A listener on a fresh loopback port, and its address.
pub async fn bind() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    (listener, addr)
}

/// One complete answer.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body as text.
    pub body: String,
}

impl Reply {
    /// The body as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `data` of each SSE event that has any, parsed as JSON.
    pub fn events(&self) -> Vec<Value> {
        sse_events(&self.body)
            .into_iter()
            .filter(|(_, data)| !data.is_empty())
            .map(|(_, data)| serde_json::from_str(&data).expect("event data is JSON"))
            .collect()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The JSON-RPC message that answers, whether sent as JSON or as the last SSE event.
    pub fn response(&self) -> Value {
        match self.header("content-type") {
            Some(ct) if ct.starts_with("text/event-stream") => self
                .events()
                .into_iter()
                .rfind(|e| e.get("id").is_some() && e.get("method").is_none())
                .expect("a response event"),
            _ => self.json(),
        }
    }
}

/// Splits an SSE body into (id, data) per event.
pub fn sse_events(body: &str) -> Vec<(Option<String>, String)> {
    let mut events = Vec::new();
    for block in body.split("\n\n") {
        let (mut id, mut data, mut any) = (None, String::new(), false);
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                id = Some(v.trim().to_owned());
                any = true;
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.strip_prefix(' ').unwrap_or(v));
                any = true;
            }
        }
        if any {
            events.push((id, data));
        }
    }
    events
}

/// A streaming SSE body read as text, a frame at a time, each read failing the test
/// after five seconds instead of hanging it.
#[derive(Debug)]
pub struct Stream {
    body: Incoming,
    /// Everything read so far.
    pub text: String,
}

impl Stream {
    /// The body of `response`, nothing read yet.
    pub fn new(response: http::Response<Incoming>) -> Self {
        Stream {
            body: response.into_body(),
            text: String::new(),
        }
    }

    /// Reads one more frame; false at the end of the body.
    async fn read(&mut self) -> bool {
        let frame = tokio::time::timeout(Duration::from_secs(5), self.body.frame())
            .await
            .unwrap_or_else(|_| panic!("nothing more in time; read so far: {}", self.text));
        match frame {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    self.text
                        .push_str(std::str::from_utf8(&data).expect("a UTF-8 body"));
                }
                true
            }
            _ => false,
        }
    }

    /// Reads until `wanted` has been read.
    pub async fn read_until(&mut self, wanted: &str) {
        while !self.text.contains(wanted) {
            assert!(
                self.read().await,
                "the stream ended before {wanted:?}: {}",
                self.text
            );
        }
    }

    /// Reads to the end of the body.
    pub async fn read_to_end(&mut self) {
        while self.read().await {}
    }
}

/// A client of one endpoint.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: Client<HttpConnector, Full<Bytes>>,
    /// `http://127.0.0.1:PORT/mcp`.
    pub url: String,
}

impl HttpClient {
    /// A client of the endpoint at `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        HttpClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
            url: format!("http://{addr}/mcp"),
        }
    }

    /// The same client, sending to `url` instead (a query string added, say).
    pub fn at(&self, url: String) -> Self {
        HttpClient {
            client: self.client.clone(),
            url,
        }
    }

    /// Sends a request and returns the response with its body still streaming.
    pub async fn send(
        &self,
        method: Method,
        headers: &[(&str, &str)],
        body: &str,
    ) -> http::Response<Incoming> {
        let mut request = Request::builder().method(method).uri(&self.url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        tokio::time::timeout(HTTP_TIMEOUT, self.client.request(request))
            .await
            .expect("no answer in time")
            .expect("request failed")
    }

    /// Sends a request and reads the whole answer.
    pub async fn exchange(&self, method: Method, headers: &[(&str, &str)], body: &str) -> Reply {
        let response = self.send(method, headers, body).await;
        let (parts, body) = response.into_parts();
        let bytes = tokio::time::timeout(HTTP_TIMEOUT, body.collect())
            .await
            .expect("the body did not end in time")
            .expect("body")
            .to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
        }
    }

    /// POSTs JSON with the usual `Accept` plus `headers`.
    pub async fn post(&self, headers: &[(&str, &str)], body: &Value) -> Reply {
        let mut all = vec![
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        all.extend_from_slice(headers);
        self.exchange(Method::POST, &all, &body.to_string()).await
    }

    /// A 2026-07-28 request with matching headers and `_meta`.
    pub async fn modern(&self, id: i64, method: &str, params: Value) -> Reply {
        self.modern_with(&[], id, method, params).await
    }

    /// As [`modern`](Self::modern), with `extra` headers (an `Authorization`, say).
    pub async fn modern_with(
        &self,
        extra: &[(&str, &str)],
        id: i64,
        method: &str,
        mut params: Value,
    ) -> Reply {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
            "io.modelcontextprotocol/clientInfo": {"name": "http-test", "version": "1"},
        });
        let name = params
            .get("name")
            .or_else(|| params.get("uri"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut headers = vec![
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", method),
        ];
        if let Some(name) = &name {
            headers.push(("mcp-name", name));
        }
        headers.extend_from_slice(extra);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.post(&headers, &body).await
    }

    /// Opens a 2026-07-28 `subscriptions/listen` with request id `id` for
    /// `notifications` (a filter, e.g. `{"toolsListChanged": true}`): its SSE stream.
    pub async fn listen(&self, id: i64, notifications: Value) -> Stream {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "subscriptions/listen", "params": {
            "notifications": notifications,
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                      "io.modelcontextprotocol/clientCapabilities": {}}}});
        let response = self
            .send(
                Method::POST,
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json, text/event-stream"),
                    ("mcp-protocol-version", "2026-07-28"),
                    ("mcp-method", "subscriptions/listen"),
                ],
                &body.to_string(),
            )
            .await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream::new(response)
    }

    /// Opens a legacy session: `initialize` then `notifications/initialized`. Returns
    /// the session id.
    pub async fn open_session(&self, version: &str) -> String {
        let init = self
            .post(
                &[],
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": version,
                    "capabilities": {"elicitation": {}},
                    "clientInfo": {"name": "http-test", "version": "1"},
                }}),
            )
            .await;
        assert_eq!(init.status, StatusCode::OK, "{}", init.body);
        let session = init
            .header("mcp-session-id")
            .expect("a session id")
            .to_owned();
        let done = self
            .post(
                &[
                    ("mcp-session-id", &session),
                    ("mcp-protocol-version", version),
                ],
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
        assert_eq!(done.status, StatusCode::ACCEPTED);
        session
    }

    /// A request in a legacy session.
    pub async fn in_session(&self, session: &str, id: i64, method: &str, params: Value) -> Reply {
        self.post(
            &[
                ("mcp-session-id", session),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await
    }
}
