//! A 2026-07-28 POST: stateless, one request, one answer.
//!
//! The request runs on a connection of its own that hears no server changes. If the
//! handler answers before it sends anything else, the answer is one JSON document;
//! if it sends a notification first (progress, a log message, a subscription's
//! acknowledgement), the answer becomes an SSE stream that drives the handler as it is
//! read, so closing the stream cancels the request
//! (2026-07-28 `basic/transports/streamable-http` §Cancellation).

use std::future::poll_fn;
use std::task::Poll;

use http::{Response, StatusCode};
use tokio::sync::mpsc;

use super::body::McpBody;
use super::headers::ModernHeaders;
use super::{Endpoint, answer_response, sse_response, status_response};
use crate::protocol::Era;
use crate::server::{Answer, Connection, PendingResponse, Scope};

/// `extensions` hold the request's `HeaderMap`.
pub(super) async fn post(
    endpoint: &Endpoint,
    extensions: http::Extensions,
    text: &str,
) -> Response<McpBody> {
    let (tx, rx) = mpsc::unbounded_channel();
    let conn =
        Connection::detached(endpoint.server.clone(), tx).with_shutdown(endpoint.shutdown.clone());
    let check = ModernHeaders {
        server: &endpoint.server,
    };
    let mut out = Vec::new();
    let scope = Scope {
        peer: None,
        check: Some(&check),
    };
    let handled = conn.handle_scoped(text, extensions, &mut out, scope);
    match handled.pending {
        None if out.is_empty() => status_response(StatusCode::ACCEPTED),
        None => answer_response(out, handled.failure.as_ref(), Era::Modern),
        Some(pending) => answer(pending, rx, endpoint.config.keep_alive, Era::Modern).await,
    }
}

/// Waits for the handler's first output and answers accordingly: JSON for a response
/// that came alone, SSE once anything else came first.
pub(super) async fn answer(
    mut pending: PendingResponse,
    mut messages: mpsc::UnboundedReceiver<Vec<u8>>,
    keep_alive: Option<std::time::Duration>,
    era: Era,
) -> Response<McpBody> {
    enum First {
        Response(Option<Answer>),
        Message(Vec<u8>),
    }
    let first = poll_fn(|cx| {
        if let Poll::Ready(outcome) = pending.as_mut().poll(cx) {
            return Poll::Ready(First::Response(outcome));
        }
        match messages.poll_recv(cx) {
            Poll::Ready(Some(line)) => Poll::Ready(First::Message(line)),
            _ => Poll::Pending,
        }
    })
    .await;
    match first {
        First::Response(outcome) => {
            let mut earlier = Vec::new();
            while let Ok(line) = messages.try_recv() {
                earlier.push(line);
            }
            match outcome {
                Some(answer) if earlier.is_empty() => {
                    answer_response(answer.line, answer.failure.as_ref(), era)
                }
                Some(answer) => {
                    earlier.push(answer.line);
                    sse_response(McpBody::call(earlier, messages, None, None))
                }
                // Cancelled before it answered: the stream ends with nothing.
                None => sse_response(McpBody::call(earlier, messages, None, None)),
            }
        }
        First::Message(line) => sse_response(McpBody::call(
            vec![line],
            messages,
            Some(pending),
            keep_alive,
        )),
    }
}
