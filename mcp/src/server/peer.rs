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

/// Where a connection's outgoing messages go. Cheap to clone.
#[derive(Clone)]
pub struct Peer {
    inner: Arc<PeerInner>,
}

struct PeerInner {
    out: mpsc::UnboundedSender<Vec<u8>>,
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
    pub fn new(out: mpsc::UnboundedSender<Vec<u8>>) -> Self {
        Peer {
            inner: Arc::new(PeerInner {
                out,
                pending: Mutex::new(HashMap::new()),
                next_id: AtomicI64::new(1),
            }),
        }
    }

    /// Queues one complete, newline-terminated message. False when the connection is gone.
    pub fn send_line(&self, line: Vec<u8>) -> bool {
        self.inner.out.send(line).is_ok()
    }

    /// True once the transport stopped taking messages.
    pub fn is_closed(&self) -> bool {
        self.inner.out.is_closed()
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
        let id = RequestId::Number(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
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
        self.inner
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
