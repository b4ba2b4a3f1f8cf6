//! `Context`: what a handler can do besides compute — report progress, log, ask the
//! user (elicitation), ask the model (sampling), list the client's roots, notice
//! cancellation — written once and working in both eras.
//!
//! In the legacy era the questions are real server-to-client requests. In the
//! 2026-07-28 era they cannot be (the server never sends requests), so the first
//! unanswered question ends the call with an `InputRequiredResult`; the client answers
//! and retries the same call, the handler runs again, and this time the question
//! returns the answer found in `inputResponses` (2026-07-28 `basic/patterns/mrtr`).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::builder::ServerInner;
use super::peer::Peer;
use super::request::RequestMeta;
use super::session::Session;
use super::tasks::TaskEntry;
use crate::protocol::{
    ClientCapabilities, Era, ErrorObject, LoggingLevel, ProtocolVersion, RequestId,
};

/// The request context handed to every handler. Cheap to clone.
#[derive(Clone)]
pub struct Context {
    inner: Arc<ContextInner>,
}

pub(crate) struct ContextInner {
    pub(crate) id: RequestId,
    pub(crate) version: ProtocolVersion,
    pub(crate) meta: RequestMeta,
    pub(crate) peer: Peer,
    pub(crate) session: Arc<Session>,
    pub(crate) cancel: CancellationToken,
    pub(crate) extensions: http::Extensions,
    pub(crate) last_progress: Mutex<Option<f64>>,
    pub(crate) input: InputRound,
    pub(crate) server: Arc<ServerInner>,
    /// The task this context runs in, if the handler runs as one.
    pub(crate) task: Option<Arc<TaskEntry>>,
    /// The tool, prompt or resource the request targets.
    pub(crate) target: Option<super::Target>,
}

/// The modern era's questions and answers for one call.
#[derive(Debug, Default)]
pub(crate) struct InputRound {
    /// Answers already given, verified through `requestState`.
    pub(crate) answers: HashMap<String, Value>,
    pub(crate) next_key: AtomicUsize,
    /// Questions this run asked that have no answer yet: key → `{method, params}`.
    pub(crate) asked: Mutex<Vec<(String, Value)>>,
    /// A JSON-RPC error the call must end with (such as -32021), recorded here so a
    /// handler that folds the `ToolError` into its own error type cannot lose it.
    pub(crate) fatal: Mutex<Option<ErrorObject>>,
}

impl InputRound {
    pub(crate) fn with_answers(answers: HashMap<String, Value>) -> Self {
        InputRound {
            answers,
            ..Default::default()
        }
    }

    /// The round a task goes on with: the same answers, and unnamed questions keyed
    /// after the ones this round already numbered, so a task's first question can
    /// never pick up an answer the call was given to an earlier one.
    pub(crate) fn continued(&self) -> Self {
        InputRound {
            answers: self.answers.clone(),
            next_key: AtomicUsize::new(self.next_key.load(std::sync::atomic::Ordering::Relaxed)),
            ..Default::default()
        }
    }

    pub(crate) fn take_fatal(&self) -> Option<ErrorObject> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    pub(crate) fn take_asked(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.asked.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.inner.id)
            .field("version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

/// The user's answer to an elicitation.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicitation<T> {
    /// The user submitted the form.
    Accepted(T),
    /// The user explicitly declined.
    Declined,
    /// The user dismissed the request.
    Cancelled,
}

impl Context {
    pub(crate) fn from_inner(inner: ContextInner) -> Self {
        Context {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn inner(&self) -> &ContextInner {
        &self.inner
    }

    /// The JSON-RPC id of the request being handled.
    pub fn request_id(&self) -> &RequestId {
        &self.inner.id
    }

    /// The protocol revision the client speaks.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.inner.version
    }

    /// The era of the request.
    pub fn era(&self) -> Era {
        self.inner.version.era()
    }

    /// What the transport and the layers recorded: HTTP headers, verified claims, …
    pub fn extensions(&self) -> &http::Extensions {
        &self.inner.extensions
    }

    /// The tool, prompt, resource or template this request targets, with its
    /// declared metadata.
    pub fn target(&self) -> Option<&super::Target> {
        self.inner.target.as_ref()
    }

    /// The verified caller, when an auth layer vouched for one (see [`Principal`](super::Principal)).
    pub fn principal(&self) -> Option<&super::Principal> {
        self.inner.extensions.get::<super::Principal>()
    }

    /// True once the client cancelled the request.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// Completes when the client cancels the request.
    pub async fn cancelled(&self) {
        self.inner.cancel.cancelled().await;
    }

    /// The cancellation token of this request.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// The capabilities the client declared (at `initialize`, or in this request's `_meta`).
    pub fn client_capabilities(&self) -> ClientCapabilities {
        match self.era() {
            Era::Modern => self
                .inner
                .meta
                .client_capabilities
                .as_deref()
                .cloned()
                .unwrap_or_default(),
            Era::Legacy => self
                .inner
                .session
                .negotiated()
                .map(|n| n.client_capabilities)
                .unwrap_or_default(),
        }
    }

    /// Who the client says it is (at `initialize`, or in this request's `_meta`).
    pub fn client_info(&self) -> Option<crate::protocol::Implementation> {
        match self.era() {
            Era::Modern => self.inner.meta.client_info.as_deref().cloned(),
            Era::Legacy => self.inner.session.negotiated().and_then(|n| n.client_info),
        }
    }

    /// Reports progress, when the client asked for it with a progress token. Values that
    /// do not increase are dropped, as the spec requires progress to grow.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = &self.inner.meta.progress_token else {
            return;
        };
        {
            let mut last = self
                .inner
                .last_progress
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|l| progress <= l) {
                return;
            }
            *last = Some(progress);
        }
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        self.inner.peer.notify("notifications/progress", &params);
    }

    /// Whether the client asked for this request's progress (gave a token).
    #[cfg(all(feature = "sandbox", target_os = "linux"))]
    pub(crate) fn wants_progress(&self) -> bool {
        self.inner.meta.progress_token.is_some()
    }

    /// The minimum level the client wants to see, if it said.
    pub(crate) fn wanted_level(&self) -> Option<LoggingLevel> {
        match self.era() {
            Era::Modern => self.inner.meta.log_level,
            Era::Legacy => self.inner.session.log_level().or(Some(LoggingLevel::Info)),
        }
    }

    /// Sends a log message to the client, if the client asked for this level.
    pub fn log(&self, level: LoggingLevel, logger: Option<&str>, data: impl serde::Serialize) {
        let Some(min) = self.wanted_level() else {
            return;
        };
        if level < min {
            return;
        }
        let mut params = json!({ "level": level, "data": data });
        if let Some(logger) = logger {
            params["logger"] = json!(logger);
        }
        self.inner.peer.notify("notifications/message", &params);
    }

    /// Over a legacy HTTP session with resumable streams: closes the client's
    /// connection to this request's stream now, telling it to come back after
    /// `retry` with `Last-Event-ID`, while the handler goes on (SEP-1699, 2025-11-25
    /// `basic/transports` §Sending Messages to the Server). A server uses it to avoid
    /// holding connections open through long calls. False on any other transport,
    /// where nothing happens.
    pub fn disconnect_stream(&self, retry: std::time::Duration) -> bool {
        self.inner.peer.disconnect(retry)
    }

    /// Logs at `info`.
    pub fn info(&self, message: impl fmt::Display) {
        self.log(LoggingLevel::Info, None, message.to_string());
    }
}
