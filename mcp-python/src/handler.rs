//! Calling a Python handler (a tool's, a resource's or a prompt's) and reading how it
//! ended, the same way for the three kinds.
//!
//! The Python side's `invoke(payload, context, done)` takes the request's payload as
//! JSON text, the request's context when the handler declared one, and, for an
//! `async def` handler, a `done` callable. A plain handler runs on a handler thread
//! ([`executor`]) and returns its answer; an async one is started on the event loop's
//! own thread ([`event_loop`]) as a task, returns at once (the task's `cancel`), and
//! its answer comes through `done`, so no handler thread waits for it. If the request
//! is cancelled meanwhile, the task is cancelled.
//!
//! Answers are tagged text. Every kind shares these tags: `E` and a message (a
//! failure: an `isError` result for a tool), `P` and a JSON-RPC error's JSON (the
//! handler raised `MCPError`: the request is answered with that error), `I` (the
//! handler stopped at a question the client answers on the retry, 2026-07-28) and `K`
//! (the call went on as a task). Each kind reads its own tags for results.

use std::sync::{Arc, Mutex, PoisonError};

use boltmcp::protocol::ErrorObject;
use boltmcp::server::{Context, ToolError};
use pyo3::exceptions::{PyKeyboardInterrupt, PySystemExit};
use pyo3::prelude::*;
use tokio::sync::oneshot;

use crate::context::{NativeContext, Outcome};
use crate::{event_loop, executor};

/// A Python handler and how to call it.
#[derive(Debug)]
pub(crate) struct Handler {
    pub(crate) invoke: Py<PyAny>,
    /// Whether it takes the request's context.
    pub(crate) with_context: bool,
    /// Whether it is an `async def`: answered through `done`.
    pub(crate) is_async: bool,
}

/// Hands an async handler's answer back to the request waiting for it.
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeDone {
    answer: Mutex<Option<oneshot::Sender<String>>>,
}

#[pymethods]
impl NativeDone {
    /// Delivers the answer (once; later calls do nothing).
    fn __call__(&self, answer: String) {
        if let Some(sender) = self
            .answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = sender.send(answer);
        }
    }
}

/// Whether the request stopped waiting for an async handler, and how to cancel the
/// handler's task once it runs.
#[derive(Default)]
struct Cancel {
    cancelled: bool,
    canceller: Option<Py<PyAny>>,
}

/// Cancels an async handler's task when the request stops waiting for it (the client
/// cancelled, or the call timed out); one not started yet never starts.
struct CancelOnDrop {
    cancel: Arc<Mutex<Cancel>>,
    armed: bool,
}

impl CancelOnDrop {
    /// The answer came: nothing to cancel.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut cancel = self.cancel.lock().unwrap_or_else(PoisonError::into_inner);
        cancel.cancelled = true;
        if let Some(canceller) = cancel.canceller.take() {
            // `Task.cancel` belongs on the loop's thread.
            event_loop::submit(move |py| {
                let _ = canceller.call0(py);
            });
        }
    }
}

impl Handler {
    /// Calls the handler with `payload`: its tagged answer, with what the context
    /// recorded (a task started, a fatal error) taking precedence.
    pub(crate) async fn call(
        self: &Arc<Self>,
        payload: String,
        ctx: &Context,
    ) -> Result<String, ToolError> {
        let outcome = self.with_context.then(Outcome::default);
        let context = outcome.as_ref().map(|outcome| NativeContext {
            ctx: ctx.clone(),
            runtime: tokio::runtime::Handle::current(),
            outcome: outcome.clone(),
        });
        let handler = self.clone();
        let answer = if self.is_async {
            let (sender, answered) = oneshot::channel();
            let cancel = Arc::new(Mutex::new(Cancel::default()));
            let job_cancel = cancel.clone();
            let queued = event_loop::submit(move |py| {
                let done = NativeDone {
                    answer: Mutex::new(Some(sender)),
                };
                let Ok(done) = Py::new(py, done) else {
                    return; // the sender is dropped: the request hears so
                };
                if job_cancel
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .cancelled
                {
                    return;
                }
                let started = context
                    .map(|c| Py::new(py, c))
                    .transpose()
                    .and_then(|context| {
                        handler
                            .invoke
                            .call1(py, (payload, context, done.clone_ref(py)))
                    });
                match started {
                    Ok(canceller) if !canceller.is_none(py) => {
                        let mut cancel = job_cancel.lock().unwrap_or_else(PoisonError::into_inner);
                        if cancel.cancelled {
                            let _ = canceller.call0(py);
                        } else {
                            cancel.canceller = Some(canceller);
                        }
                    }
                    Ok(_) => {}
                    Err(err) => {
                        if stops_the_server(py, &err) {
                            crate::stop_serving();
                        }
                        done.get().__call__(format!("Ethe handler failed: {err}"));
                    }
                }
            });
            if !queued {
                return Err(ToolError::new("the event loop's queue could not be made"));
            }
            let guard = CancelOnDrop {
                cancel,
                armed: true,
            };
            let answer = answered
                .await
                .map_err(|_| ToolError::new("the handler ended without an answer"))?;
            guard.disarm();
            answer
        } else {
            call_python(move |py| {
                let context = context.map(|c| Py::new(py, c)).transpose()?;
                handler
                    .invoke
                    .call1(py, (payload, context))?
                    .extract::<String>(py)
            })
            .await?
        };
        match outcome.and_then(|outcome| outcome.take()) {
            Some(err) => Err(err),
            None => Ok(answer),
        }
    }
}

/// Runs a Python call on a handler thread; its value or why there is none. A
/// handler that raised `SystemExit` or `KeyboardInterrupt` stops the server.
pub(crate) async fn call_python<T: Send + 'static>(
    call: impl FnOnce(Python<'_>) -> PyResult<T> + Send + 'static,
) -> Result<T, ToolError> {
    let outcome = executor::run(move |py| {
        call(py).map_err(|err| (stops_the_server(py, &err), err.to_string()))
    })
    .await
    .ok_or_else(|| ToolError::new("the handler did not run"))?;
    outcome.map_err(|(stops, message)| {
        if stops {
            crate::stop_serving();
        }
        ToolError::new(format!("the handler failed: {message}"))
    })
}

/// Whether a handler's exception stops the server: `SystemExit` or
/// `KeyboardInterrupt`.
fn stops_the_server(py: Python<'_>, err: &PyErr) -> bool {
    err.is_instance_of::<PySystemExit>(py) || err.is_instance_of::<PyKeyboardInterrupt>(py)
}

/// The tags every kind of handler shares: `Some` with how the request ends, `None`
/// for a kind's own tags.
pub(crate) fn shared_tags(tag: char, body: &str) -> Option<ToolError> {
    match tag {
        'E' => Some(ToolError::new(body)),
        'P' => Some(ToolError::protocol(
            serde_json::from_str::<ErrorObject>(body)
                .unwrap_or_else(|err| ErrorObject::internal(format!("the handler's error: {err}"))),
        )),
        // Either way the runtime answers in place of this: with an
        // `InputRequiredResult`, or with the task it started.
        'I' => Some(ToolError::new(
            "the handler is waiting for the client's input",
        )),
        'K' => Some(ToolError::new("the call went on as a task")),
        _ => None,
    }
}

/// An answer split into its tag and its body (in place: the body keeps the answer's
/// allocation). An empty answer is an error without a message.
pub(crate) fn split(mut answer: String) -> (char, String) {
    if answer.is_empty() {
        return ('E', answer);
    }
    let tag = answer.remove(0);
    (tag, answer)
}
