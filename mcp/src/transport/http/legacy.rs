//! The legacy era over HTTP (2025-11-25 `basic/transports` §Streamable HTTP):
//! `initialize` opens a session named by `Mcp-Session-Id`; later POSTs, the GET
//! stream and DELETE name it. Without sessions ([`HttpConfig::stateless`]) each
//! request is served on its own as if the handshake had happened.
//!
//! [`HttpConfig::stateless`]: super::HttpConfig::stateless

use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use tokio::sync::mpsc;

use super::body::McpBody;
use super::event_store::EventPosition;
use super::headers::{PROTOCOL_VERSION, SESSION_ID};
use super::sessions::{HttpSession, NoSession};
use super::sse::{Decision, EventStream, StreamOutbox};
use super::{
    Endpoint, answer_response, error_response, is_initialize, json_response, method_not_allowed,
    modern, sse_response, status_response,
};
use crate::protocol::jsonrpc::{parse_message, write_error};
use crate::protocol::{Era, ErrorObject, ProtocolVersion};
use crate::server::{Connection, Principal, Scope};

/// The `MCP-Protocol-Version` of a legacy request: absent means 2025-03-26; a value
/// this server does not speak is refused with 400 (§Protocol Version Header).
fn header_version(headers: &HeaderMap) -> Result<Option<ProtocolVersion>, ErrorObject> {
    let Some(value) = headers.get(PROTOCOL_VERSION) else {
        return Ok(None);
    };
    match value.to_str().ok().and_then(ProtocolVersion::parse) {
        Some(version) if version.era() == Era::Legacy => Ok(Some(version)),
        _ => Err(ErrorObject::invalid_request(format!(
            "Bad Request: unsupported MCP-Protocol-Version {:?}",
            String::from_utf8_lossy(value.as_bytes())
        ))),
    }
}

/// The verified caller's principal id, which a session is bound to.
pub(super) fn caller(extensions: &http::Extensions) -> Option<&str> {
    extensions.get::<Principal>().map(Principal::id)
}

fn session_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(SESSION_ID).and_then(|v| v.to_str().ok())
}

fn no_session() -> Response<McpBody> {
    error_response(
        StatusCode::NOT_FOUND,
        &ErrorObject::new(-32001, "Session not found: start a new one with initialize"),
    )
}

fn with_session_id(mut response: Response<McpBody>, id: &str) -> Response<McpBody> {
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(SESSION_ID, value);
    }
    response
}

/// `extensions` hold the request's `HeaderMap`.
pub(super) async fn post(
    endpoint: &Endpoint,
    extensions: http::Extensions,
    text: &str,
) -> Response<McpBody> {
    let none = HeaderMap::new();
    let headers = extensions.get::<HeaderMap>().unwrap_or(&none);
    let version = match header_version(headers) {
        Ok(version) => version,
        Err(refused) => return error_response(StatusCode::BAD_REQUEST, &refused),
    };
    if !endpoint.config.stateful {
        return stateless(endpoint, version, extensions, text).await;
    }
    let session = match session_header(headers) {
        Some(id) => match endpoint.sessions.get(id, caller(&extensions)) {
            Some(session) => session,
            None => return no_session(),
        },
        None if is_initialize(text) => return initialize(endpoint, extensions, text).await,
        None => {
            // A body that is no JSON-RPC message at all gets the error that says so.
            if let Err(bad) = parse_message(text) {
                let mut line = Vec::new();
                write_error(&mut line, bad.id.as_ref(), &bad.error);
                return json_response(StatusCode::BAD_REQUEST, line);
            }
            return error_response(
                StatusCode::BAD_REQUEST,
                &ErrorObject::invalid_request(
                    "Bad Request: the Mcp-Session-Id header is required (send initialize first)",
                ),
            );
        }
    };
    in_session(endpoint, &session, extensions, text).await
}

/// `initialize` without a session: opens one, kept only if the handshake succeeds.
async fn initialize(
    endpoint: &Endpoint,
    extensions: http::Extensions,
    text: &str,
) -> Response<McpBody> {
    let owner = caller(&extensions).map(Arc::from);
    let session = match endpoint.sessions.create(&endpoint.server, owner) {
        Ok(session) => session,
        Err(why) => {
            let message = match why {
                NoSession::AtCapacity => {
                    "Service Unavailable: the server has as many sessions as it keeps"
                }
                NoSession::NoRandomness => "Service Unavailable: no randomness for a session id",
            };
            let mut response = error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &ErrorObject::internal(message),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return response;
        }
    };
    let response = in_session(endpoint, &session, extensions, text).await;
    if session.conn.negotiated_version().is_none() {
        endpoint.sessions.remove(&session.id);
        return response;
    }
    with_session_id(response, &session.id)
}

async fn in_session(
    endpoint: &Endpoint,
    session: &Arc<HttpSession>,
    extensions: http::Extensions,
    text: &str,
) -> Response<McpBody> {
    let number = session.next_stream();
    let priming = session
        .conn
        .negotiated_version()
        .filter(|v| *v >= ProtocolVersion::V2025_11_25)
        .map(|_| endpoint.config.retry_ms());
    let (stream, decision) = EventStream::for_request(
        session.id.clone(),
        number,
        endpoint.sessions.store().cloned(),
        priming,
    );
    let stream = Arc::new(stream);
    let scope = Scope {
        peer: Some(session.conn.peer().redirect(StreamOutbox(stream.clone()))),
        check: None,
    };
    let mut out = Vec::new();
    let handled = session
        .conn
        .handle_scoped(text, extensions, &mut out, scope);
    let Some(pending) = handled.pending else {
        return match out.is_empty() {
            true => status_response(StatusCode::ACCEPTED),
            false => answer_response(out, handled.failure.as_ref(), Era::Legacy),
        };
    };
    // The handler outlives its client's connection: a legacy client that loses a
    // stream may come back for it with Last-Event-ID.
    let (owner, running) = (session.clone(), stream.clone());
    tokio::spawn(async move {
        let outcome = pending.await;
        running.finish(outcome);
        owner.untrack(running.number());
    });
    match decision.await {
        Ok(Decision::Json(answer)) => {
            answer_response(answer.line, answer.failure.as_ref(), Era::Legacy)
        }
        Ok(Decision::Sse(frames)) => {
            session.track(&stream);
            sse_response(McpBody::frames(
                Vec::new(),
                Some(frames),
                endpoint.config.keep_alive,
            ))
        }
        Ok(Decision::Nothing) | Err(_) => sse_response(McpBody::frames(Vec::new(), None, None)),
    }
}

/// A legacy request with no session to keep: served on a connection of its own that
/// takes the handshake as done, at the version the header names.
async fn stateless(
    endpoint: &Endpoint,
    version: Option<ProtocolVersion>,
    extensions: http::Extensions,
    text: &str,
) -> Response<McpBody> {
    let (tx, rx) = mpsc::unbounded_channel();
    let conn = Connection::detached(endpoint.server.clone(), tx);
    // An `initialize` here still negotiates as usual; it just is not remembered.
    conn.assume_initialized(version.unwrap_or(ProtocolVersion::V2025_03_26));
    let mut out = Vec::new();
    let handled = conn.handle_scoped(text, extensions, &mut out, Scope::default());
    match handled.pending {
        None if out.is_empty() => status_response(StatusCode::ACCEPTED),
        None => answer_response(out, handled.failure.as_ref(), Era::Legacy),
        Some(pending) => modern::answer(pending, rx, endpoint.config.keep_alive, Era::Legacy).await,
    }
}

/// GET: the session's standalone stream, or the rest of a stream named by
/// `Last-Event-ID`.
pub(super) fn get(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    caller: Option<&str>,
) -> Response<McpBody> {
    if !endpoint.config.stateful {
        return method_not_allowed();
    }
    let Some(id) = session_header(headers) else {
        // No session: there is no stream to give (and 2026-07-28 clients get 405).
        return method_not_allowed();
    };
    if let Err(refused) = header_version(headers) {
        return error_response(StatusCode::BAD_REQUEST, &refused);
    }
    let accepts_sse = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream") || accept.contains("*/*"));
    if !accepts_sse {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            &ErrorObject::invalid_request(
                "Not Acceptable: the client must accept text/event-stream",
            ),
        );
    }
    let Some(session) = endpoint.sessions.get(id, caller) else {
        return no_session();
    };
    if endpoint.shutdown.is_triggered() {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &ErrorObject::internal("the server is shutting down; no new streams"),
        );
    }
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(EventPosition::parse);
    let attached = match resume {
        Some(at) => match session.stream(at.stream) {
            Some(stream) => stream.attach(at.seq),
            // A stream that already ended: what the store kept of it, and no more.
            None => Some(super::sse::Attached {
                replay: endpoint
                    .sessions
                    .store()
                    .map(|store| store.replay(&session.id, at.stream, at.seq, u64::MAX))
                    .unwrap_or_default(),
                live: None,
            }),
        },
        None => {
            let attached = session.standalone.attach(u64::MAX);
            // A shutdown that began between the check above and this attach released
            // the readers before this one existed: let this one go too.
            if endpoint.shutdown.is_triggered() {
                session
                    .standalone
                    .release_reader(endpoint.config.retry_ms());
            }
            attached
        }
    };
    match attached {
        Some(attached) => with_session_id(
            sse_response(McpBody::frames(
                attached.replay,
                attached.live,
                endpoint.config.keep_alive,
            )),
            &session.id,
        ),
        None => error_response(
            StatusCode::CONFLICT,
            &ErrorObject::invalid_request("Conflict: this session's stream already has a reader"),
        ),
    }
}

/// DELETE: ends the session it names.
pub(super) fn delete(
    endpoint: &Endpoint,
    headers: &HeaderMap,
    caller: Option<&str>,
) -> Response<McpBody> {
    if !endpoint.config.stateful {
        return method_not_allowed();
    }
    let Some(id) = session_header(headers) else {
        return method_not_allowed();
    };
    match endpoint.sessions.remove_for(id, caller) {
        true => status_response(StatusCode::OK),
        false => no_session(),
    }
}
