//! Observers: what the engine reports about each request, for metrics and audit.
//!
//! A tower layer sees only the requests that reach the stack, and only as a
//! `McpResponse`: a refusal by a [`Gate`](super::Gate) or by the HTTP transport's
//! auth check never gets there, and a synchronous tool on its fast path never runs
//! through the stack at all. An [`Observer`] is told by the connection engine itself,
//! on every path: when a request begins, and how it ended ([`Outcome`]), including
//! the requests refused before they ran and those the client cancelled or walked
//! away from. The metrics layer is one
//! ([`MetricsLayer`](crate::layers::metrics::MetricsLayer)).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Failure, RefusalKind, Target};
use crate::protocol::Era;

/// Watches requests: installed with [`Server::observe`](super::Server::observe).
pub trait Observer: Send + Sync + 'static {
    /// A request has begun. The observation is [finished](Observation::finish) with
    /// its outcome, exactly once, when it is answered or abandoned.
    ///
    /// The engine keeps what this returns while the request runs; an observer that
    /// keeps one shared object per kind of request (a metrics series) hands out
    /// clones of it, so observing costs no allocation per request.
    fn begin(&self, request: &RequestInfo<'_>) -> Arc<dyn Observation>;
}

/// Where one request's end is reported.
pub trait Observation: Send + Sync {
    /// How the request ended, and how long after it began.
    fn finish(&self, outcome: Outcome, elapsed: Duration);
}

/// What an [`Observer`] is told about a request as it begins.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestInfo<'a> {
    /// The JSON-RPC method; `None` when the request was refused before its body was
    /// read (the HTTP transport's auth check), or when the message did not parse.
    pub method: Option<&'a str>,
    /// The tool, prompt, resource or template it names. Its
    /// [`meta`](Target::meta) is `None` when nothing by that name is registered.
    pub target: Option<&'a Target>,
    /// The era, once it is known.
    pub era: Option<Era>,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Answered with a result (for `tools/call`, one without `isError`).
    Result,
    /// A `tools/call` answered with an `isError` result: the tool failed, panicked,
    /// or ran past its timeout.
    ToolError,
    /// Answered with this JSON-RPC error.
    Error {
        /// The error's code.
        code: i32,
    },
    /// Refused before it ran: by auth, a scope check or a rate limit.
    Refused(RefusalKind),
    /// Not answered: the client cancelled it or went away.
    Cancelled,
}

impl Outcome {
    /// The outcome of an error answer: a refusal by auth, scope or rate limit is
    /// [`Refused`](Outcome::Refused); any other error is [`Error`](Outcome::Error).
    pub fn of_failure(failure: &Failure) -> Outcome {
        match failure.refusal().map(|refusal| refusal.kind()) {
            Some(RefusalKind::Rejected) | None => Outcome::Error {
                code: failure.code(),
            },
            Some(kind) => Outcome::Refused(kind),
        }
    }
}

/// Two observers as one: [`Server::observe`](super::Server::observe) chains them.
pub(crate) struct Both(pub(crate) Arc<dyn Observer>, pub(crate) Arc<dyn Observer>);

impl Observer for Both {
    fn begin(&self, request: &RequestInfo<'_>) -> Arc<dyn Observation> {
        Arc::new(BothObserving(self.0.begin(request), self.1.begin(request)))
    }
}

struct BothObserving(Arc<dyn Observation>, Arc<dyn Observation>);

impl Observation for BothObserving {
    fn finish(&self, outcome: Outcome, elapsed: Duration) {
        self.0.finish(outcome, elapsed);
        self.1.finish(outcome, elapsed);
    }
}

/// An observation the engine holds while a request runs: finished with its outcome,
/// or as [`Outcome::Cancelled`] when it is dropped unfinished (the request's future
/// was dropped because the client went away).
#[derive(Default)]
pub(crate) struct Watch(Option<(Arc<dyn Observation>, Instant)>);

impl Watch {
    /// Begins observing a request, when there is an observer.
    pub(crate) fn begin(observer: Option<&Arc<dyn Observer>>, request: RequestInfo<'_>) -> Self {
        Watch(observer.map(|observer| (observer.begin(&request), Instant::now())))
    }

    /// Finishes the observation with `outcome`.
    pub(crate) fn finish(mut self, outcome: Outcome) {
        if let Some((observation, started)) = self.0.take() {
            observation.finish(outcome, started.elapsed());
        }
    }

    /// Finishes it with the outcome of an answer that failed as `failure` says, or
    /// succeeded (with `isError` when `tool_error`).
    pub(crate) fn answered(self, failure: Option<&Failure>, tool_error: bool) {
        self.finish(match failure {
            Some(failure) => Outcome::of_failure(failure),
            None if tool_error => Outcome::ToolError,
            None => Outcome::Result,
        });
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some((observation, started)) = self.0.take() {
            observation.finish(Outcome::Cancelled, started.elapsed());
        }
    }
}
