//! Shared support for boltmcp's integration tests: a client that speaks raw
//! newline-delimited JSON-RPC to an in-memory server, and helpers that build stamped
//! 2026-07-28 requests.

use std::time::Duration;

pub mod http;
pub mod pki;

use boltmcp::server::Server;
use boltmcp::transport::memory::serve_in_memory;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// How long a test waits for one line before failing instead of hanging.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(10);

/// A raw JSON-RPC peer on the client end of an in-memory connection.
#[derive(Debug)]
pub struct RawClient {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
    next_id: i64,
}

impl RawClient {
    /// Starts `server` in memory and connects to it.
    pub fn connect(server: Server) -> Self {
        let (stream, _task) = serve_in_memory(server);
        let (reader, writer) = tokio::io::split(stream);
        RawClient {
            reader: BufReader::new(reader),
            writer,
            next_id: 1,
        }
    }

    /// Sends raw text plus a newline.
    pub async fn send_raw(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).await.expect("write");
        self.writer.write_all(b"\n").await.expect("write");
        self.writer.flush().await.expect("flush");
    }

    /// Sends one JSON message.
    pub async fn send(&mut self, message: &Value) {
        self.send_raw(&message.to_string()).await;
    }

    /// Closes the client's writing half (EOF for the server).
    pub async fn close(&mut self) {
        self.writer.shutdown().await.expect("shutdown");
    }

    /// The next line from the server, parsed; `None` at EOF.
    pub async fn recv(&mut self) -> Option<Value> {
        let mut line = String::new();
        let n = tokio::time::timeout(LINE_TIMEOUT, self.reader.read_line(&mut line))
            .await
            .expect("the server answered within the timeout")
            .expect("read");
        if n == 0 {
            return None;
        }
        Some(
            serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("server sent invalid JSON {line:?}: {e}")),
        )
    }

    /// Receives until the response with `id`, returning it and the notifications before it.
    pub async fn response_to(&mut self, id: &Value) -> (Value, Vec<Value>) {
        let mut notes = Vec::new();
        loop {
            let msg = self.recv().await.expect("a response before EOF");
            if msg.get("id") == Some(id) && msg.get("method").is_none() {
                return (msg, notes);
            }
            notes.push(msg);
        }
    }

    /// Sends a request with a fresh integer id and returns its response.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        self.response_to(&json!(id)).await.0
    }

    /// Performs the legacy handshake at `version`.
    pub async fn initialize(&mut self, version: &str, capabilities: Value) -> Value {
        let init = self
            .request(
                "initialize",
                json!({ "protocolVersion": version, "capabilities": capabilities,
                        "clientInfo": { "name": "test", "version": "0" } }),
            )
            .await;
        self.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        init
    }

    /// Sends a 2026-07-28 request: `params` gains the required `_meta` stamp.
    pub async fn modern(&mut self, method: &str, params: Value) -> Value {
        self.request(method, modern_params(params, json!({}))).await
    }
}

/// Adds the 2026-07-28 per-request `_meta` (version and the given client capabilities).
pub fn modern_params(mut params: Value, capabilities: Value) -> Value {
    let meta = params
        .as_object_mut()
        .expect("params are an object")
        .entry("_meta")
        .or_insert_with(|| json!({}));
    meta["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
    meta["io.modelcontextprotocol/clientCapabilities"] = capabilities;
    meta["io.modelcontextprotocol/clientInfo"] = json!({ "name": "test", "version": "0" });
    params
}
