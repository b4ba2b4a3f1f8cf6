//! Gates: checks that decide whether a request may run, before it runs, without
//! wrapping the request stack.
//!
//! A tower layer around the server sees every request, but it also turns the stack
//! from the bare router into a boxed service, and so takes every synchronous
//! `tools/call` off its fast path. A check that only admits or refuses (and records
//! what it learned in the request's extensions) needs none of that: a [`Gate`] runs in
//! the connection engine once the request's target is resolved, on the fast path and
//! the general one alike, and a refusal it returns keeps its mapping (HTTP status and
//! headers) like any other. The auth layer's scope checks run as one
//! ([`Auth::gate`](crate::layers::auth::Auth::gate)).

use super::{Refusal, Target};

/// A check every request passes before it runs.
pub trait Gate: Send + Sync + 'static {
    /// Admits `request` (recording what it learned in its extensions), or refuses it.
    fn admit(&self, request: &mut GateRequest<'_>) -> Result<(), Refusal>;
}

/// What a [`Gate`] sees of a request.
#[derive(Debug)]
pub struct GateRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) target: Option<&'a Target>,
    pub(crate) extensions: &'a mut http::Extensions,
    pub(crate) input_retry: bool,
}

impl GateRequest<'_> {
    /// The JSON-RPC method.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The tool, prompt, resource or template the request names, with its metadata.
    pub fn target(&self) -> Option<&Target> {
        self.target
    }

    /// Whether this is a 2026-07-28 retry answering an input request (it carries
    /// `requestState`): the same call as the one that asked, not a new one. The state
    /// is checked after the gates; a forged one is refused there, before any handler
    /// runs.
    pub fn is_input_retry(&self) -> bool {
        self.input_retry
    }

    /// What the transport and earlier gates recorded (the verified caller, the headers).
    pub fn extensions(&self) -> &http::Extensions {
        self.extensions
    }

    /// Mutable access, to record what this gate learned.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        self.extensions
    }
}
