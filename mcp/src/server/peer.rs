//! The other end of a connection, as the server sees it: a sink of outgoing lines
//! (responses, notifications, server-to-client requests) and the table of
//! server-to-client requests still waiting for their answer.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::protocol::jsonrpc::write_request;
use crate::protocol::{ErrorObject, RequestId};

type Reply = Result<Box<RawValue>, ErrorObject>;

/// Where outgoing messages go: a stdio writer's queue, an HTTP response stream, or
/// the standalone stream of an HTTP session.
///
/// Each item is one complete JSON-RPC message ending in a newline.
pub trait Outbox: Send + Sync + 'static {
    /// Queues one message. False when nobody will ever read it.
    fn send(&self, line: Vec<u8>) -> bool;
    /// True once the reading side is gone.
    fn is_closed(&self) -> bool;

    /// Closes the client's connection without ending the stream, so the client
    /// reconnects after `retry` and picks up where it left off. False where the
    /// transport cannot (the default).
    fn disconnect(&self, retry: std::time::Duration) -> bool {
        let _ = retry;
        false
    }
}

impl Outbox for mpsc::UnboundedSender<Vec<u8>> {
    fn send(&self, line: Vec<u8>) -> bool {
        mpsc::UnboundedSender::send(self, line).is_ok()
    }

    fn is_closed(&self) -> bool {
        mpsc::UnboundedSender::is_closed(self)
    }
}

/// Where a connection's outgoing messages go. Cheap to clone.
///
/// A peer can be [redirected](Peer::redirect): over HTTP the messages a request causes
/// travel on that request's own response stream, while the answers the client sends
/// back still reach the one table of requests waiting for them.
#[derive(Clone)]
pub struct Peer {
    out: Arc<dyn Outbox>,
    shared: Arc<PeerShared>,
}

struct PeerShared {
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer").finish_non_exhaustive()
    }
}

impl Peer {
    /// A peer whose outgoing lines are delivered to `out`, one complete line per item.
    pub fn new(out: impl Outbox) -> Self {
        Peer {
            out: Arc::new(out),
            shared: Arc::new(PeerShared {
                pending: Mutex::new(HashMap::new()),
                next_id: AtomicI64::new(1),
            }),
        }
    }

    /// The same peer, whose outgoing messages go to `out` instead; answers to its
    /// requests are still matched in the shared table.
    pub fn redirect(&self, out: impl Outbox) -> Self {
        Peer {
            out: Arc::new(out),
            shared: self.shared.clone(),
        }
    }

    /// Queues one complete, newline-terminated message. False when the connection is gone.
    pub fn send_line(&self, line: Vec<u8>) -> bool {
        self.out.send(line)
    }

    /// True once the transport stopped taking messages.
    pub fn is_closed(&self) -> bool {
        self.out.is_closed()
    }

    /// See [`Outbox::disconnect`].
    pub fn disconnect(&self, retry: std::time::Duration) -> bool {
        self.out.disconnect(retry)
    }

    /// Sends a notification.
    pub fn notify<P: Serialize>(&self, method: &str, params: &P) -> bool {
        let mut line = Vec::with_capacity(128);
        match write_request(&mut line, None, method, params) {
            Ok(()) => self.send_line(line),
            Err(err) => {
                tracing::warn!(%method, %err, "notification params did not serialise");
                false
            }
        }
    }

    /// Sends a request and waits for the answer, or for `cancel`.
    pub async fn request<P: Serialize>(
        &self,
        method: &str,
        params: &P,
        cancel: &CancellationToken,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let id = RequestId::Number(self.shared.next_id.fetch_add(1, Ordering::Relaxed));
        let mut line = Vec::with_capacity(256);
        write_request(&mut line, Some(&id), method, params)
            .map_err(|err| ErrorObject::internal(format!("request params: {err}")))?;
        let (tx, rx) = oneshot::channel();
        self.pending().insert(id.clone(), tx);
        let _forget = ForgetOnDrop {
            peer: self,
            id: &id,
        };
        if !self.send_line(line) {
            return Err(ErrorObject::internal("the connection is closed"));
        }
        tokio::select! {
            reply = rx => reply.unwrap_or_else(|_| Err(ErrorObject::internal("the connection closed before the client answered"))),
            () = cancel.cancelled() => Err(ErrorObject::internal("the request was cancelled")),
        }
    }

    /// Delivers the answer to one of our requests; false when no such request is waiting.
    pub fn complete(&self, id: &RequestId, reply: Result<Box<RawValue>, ErrorObject>) -> bool {
        match self.pending().remove(id) {
            Some(tx) => tx.send(reply).is_ok(),
            None => false,
        }
    }

    /// Fails every request still waiting: the connection is closing.
    pub fn fail_pending(&self) {
        self.pending().clear();
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<Reply>>> {
        // A poisoned map is still a valid map: a panic cannot leave it half-updated.
        self.shared
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct ForgetOnDrop<'a> {
    peer: &'a Peer,
    id: &'a RequestId,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.peer.pending().remove(self.id);
    }
}
