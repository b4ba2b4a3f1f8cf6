//! The client's end of one JSON-RPC connection over newline-delimited messages
//! (stdio, in-memory): numbered requests matched to their answers, the server's own
//! requests handed to the client's handlers, notifications to the listener.
//!
//! A call abandoned before its answer (dropped, or past its timeout) tells the server
//! with `notifications/cancelled` (2025-11-25 and 2026-07-28 `cancellation`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

use super::error::ClientError;
use super::handlers::Handlers;
use crate::protocol::jsonrpc::{parse_message, write_error, write_request, write_result};
use crate::protocol::{ErrorObject, Incoming, RequestId};
use crate::sync::lock;
use crate::transport::lines::{Line, LineReader};

type Reply = Result<Box<RawValue>, ErrorObject>;

/// The largest message the client reads from a server (a line, or an SSE event).
pub(crate) const MAX_MESSAGE: usize = 64 << 20;

pub(crate) struct Rpc {
    out: mpsc::UnboundedSender<Vec<u8>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
    /// Why the connection ended, once it has.
    closed: Mutex<Option<String>>,
    /// The last line the server wrote that was not JSON-RPC, and how many there were.
    garbage: Mutex<(usize, String)>,
    handlers: Arc<Handlers>,
}

impl std::fmt::Debug for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rpc").finish_non_exhaustive()
    }
}

impl Rpc {
    /// Starts the reader and writer tasks over `reader`/`writer`.
    pub(crate) fn start<R, W>(reader: R, writer: W, handlers: Arc<Handlers>) -> Arc<Rpc>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (out, rx) = mpsc::unbounded_channel();
        let rpc = Arc::new(Rpc {
            out,
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            closed: Mutex::new(None),
            garbage: Mutex::new((0, String::new())),
            handlers: handlers.clone(),
        });
        tokio::spawn(write_loop(writer, rx));
        tokio::spawn(read_loop(Arc::downgrade(&rpc), reader, handlers));
        rpc
    }

    /// The client's handlers.
    pub(crate) fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    /// A fresh request id.
    pub(crate) fn reserve_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends request `id` and waits for its answer. Dropped before the answer (a
    /// timeout, a caller that gave up), it tells the server.
    pub(crate) async fn request(
        &self,
        id: i64,
        method: &str,
        params: &Value,
    ) -> Result<Value, ClientError> {
        let id = RequestId::Number(id);
        let mut line = Vec::with_capacity(256);
        write_request(&mut line, Some(&id), method, params)
            .map_err(|e| ClientError::Malformed(format!("request params: {e}")))?;
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id.clone(), tx);
        let mut guard = Abandon {
            rpc: self,
            id: &id,
            armed: true,
        };
        if self.out.send(line).is_err() {
            return Err(self.closed_error());
        }
        let reply = rx.await;
        guard.armed = false;
        match reply {
            Ok(Ok(raw)) => {
                serde_json::from_str(raw.get()).map_err(|e| ClientError::Malformed(e.to_string()))
            }
            Ok(Err(error)) => Err(ClientError::Rpc(error)),
            Err(_) => Err(self.closed_error()),
        }
    }

    /// Sends a notification.
    pub(crate) fn notify(&self, method: &str, params: &Value) -> Result<(), ClientError> {
        let mut line = Vec::with_capacity(128);
        write_request(&mut line, None, method, params)
            .map_err(|e| ClientError::Malformed(format!("notification params: {e}")))?;
        self.out.send(line).map_err(|_| self.closed_error())
    }

    fn closed_error(&self) -> ClientError {
        let reason = lock(&self.closed).clone().unwrap_or_default();
        let garbage = self.garbage_detail();
        ClientError::Closed(format!("{reason}{garbage}"))
    }

    /// What else is known about the server, for an error: lines that were not JSON-RPC.
    pub(crate) fn garbage_detail(&self) -> String {
        let garbage = lock(&self.garbage);
        match garbage.0 {
            0 => String::new(),
            n => format!(
                " (the server also wrote {n} line(s) that are not JSON-RPC; the last: {:?})",
                garbage.1
            ),
        }
    }

    fn close(&self, reason: String) {
        lock(&self.closed).get_or_insert(reason);
        // Dropping the senders wakes every waiting call with "closed".
        lock(&self.pending).clear();
    }
}

/// Tells the server a request was abandoned, unless its answer came.
struct Abandon<'a> {
    rpc: &'a Rpc,
    id: &'a RequestId,
    armed: bool,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if lock(&self.rpc.pending).remove(self.id).is_some() && self.armed {
            let _ = self.rpc.notify(
                "notifications/cancelled",
                &json!({ "requestId": self.id, "reason": "the client stopped waiting" }),
            );
        }
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    while let Some(line) = rx.recv().await {
        if writer.write_all(&line).await.is_err() {
            return;
        }
        // Write whatever else is queued before the flush.
        while let Ok(line) = rx.try_recv() {
            if writer.write_all(&line).await.is_err() {
                return;
            }
        }
        if writer.flush().await.is_err() {
            return;
        }
    }
}

async fn read_loop<R: AsyncRead + Unpin>(
    rpc: std::sync::Weak<Rpc>,
    reader: R,
    handlers: Arc<Handlers>,
) {
    let mut lines = LineReader::new(BufReader::with_capacity(64 * 1024, reader), MAX_MESSAGE);
    let reason = loop {
        let line = match lines.next().await {
            Ok(Line::Complete(line)) => line,
            Ok(Line::Oversized) => {
                tracing::warn!(
                    "the server sent a message larger than {MAX_MESSAGE} bytes; skipped"
                );
                continue;
            }
            Ok(Line::Eof) => break ": the server ended the stream".to_owned(),
            Err(err) => break format!(": reading from the server failed: {err}"),
        };
        let Some(rpc) = rpc.upgrade() else { return };
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            continue;
        }
        match parse_message(&text) {
            Ok(Incoming::Response { id, result }) => deliver(&rpc, &id, Ok(result.to_owned())),
            Ok(Incoming::Error {
                id: Some(id),
                error,
            }) => deliver(&rpc, &id, Err(error)),
            Ok(Incoming::Error { id: None, error }) => {
                tracing::warn!(%error, "the server reported an error tied to no request");
            }
            Ok(Incoming::Notification { method, params }) => {
                let params = params.map(|p| value_of(&p)).unwrap_or(Value::Null);
                handlers.notification(&method, params);
            }
            Ok(Incoming::Request { id, method, params }) => {
                let params = params.map(|p| value_of(&p)).unwrap_or(Value::Null);
                let (handlers, rpc) = (handlers.clone(), rpc.clone());
                let method = method.into_owned();
                tokio::spawn(async move {
                    let answer = handlers.server_request(&method, params).await;
                    let mut line = Vec::with_capacity(256);
                    let written = match &answer {
                        Ok(result) => write_result(&mut line, &id, result),
                        Err(error) => {
                            write_error(&mut line, Some(&id), error);
                            Ok(())
                        }
                    };
                    if let Err(err) = written {
                        write_error(&mut line, Some(&id), &ErrorObject::internal(err));
                    }
                    let _ = rpc.out.send(line);
                });
            }
            Err(_) => {
                tracing::warn!(line = %text, "the server wrote a line that is not JSON-RPC");
                let mut garbage = lock(&rpc.garbage);
                garbage.0 += 1;
                garbage.1 = text.chars().take(200).collect();
            }
        }
    };
    if let Some(rpc) = rpc.upgrade() {
        rpc.close(reason);
    }
}

fn deliver(rpc: &Rpc, id: &RequestId, reply: Reply) {
    match lock(&rpc.pending).remove(id) {
        Some(tx) => {
            let _ = tx.send(reply);
        }
        None => {
            tracing::warn!(%id, "the server answered a request that is not waiting (never sent, or abandoned)")
        }
    }
}

fn value_of(params: &crate::protocol::Params<'_>) -> Value {
    serde_json::from_str(params.text()).unwrap_or(Value::Null)
}
