//! Label values, bounded: whatever a client sends, the set of series stays a function
//! of the server's own definitions, never of the request.

use crate::server::{KNOWN_METHODS, RefusalKind, Target};

/// The index of the `other` method label; the empty one follows it.
const OTHER: usize = KNOWN_METHODS.len();

/// How many `method` labels there are: the methods the server answers, `other`, and
/// empty.
pub(super) const METHODS: usize = OTHER + 2;

/// The `method` label, and its index below [`METHODS`]: a method the server answers,
/// else `other`; empty when the request was refused before its body was read, or did
/// not parse.
pub(super) fn method(method: Option<&str>) -> (usize, &'static str) {
    let Some(method) = method else {
        return (OTHER + 1, "");
    };
    match KNOWN_METHODS.iter().position(|known| *known == method) {
        Some(at) => (at, KNOWN_METHODS[at]),
        None => (OTHER, "other"),
    }
}

/// The `target` label of a target nothing is registered under: a client may name
/// anything, and its names must not become series.
pub const UNREGISTERED: &str = "<unregistered>";

/// The `target` label of a registered target past the cap on series.
pub const OVERFLOW: &str = "<overflow>";

/// The `target` label: the registered name (a tool's, a prompt's, a resource's URI, a
/// template's URI template), [`UNREGISTERED`], or empty for a request without one.
pub(super) fn target(target: Option<&Target>) -> &str {
    match target {
        None => "",
        Some(target) if target.meta().is_some() => target.name(),
        Some(_) => UNREGISTERED,
    }
}

/// The `code` label of a JSON-RPC error: codes in the range JSON-RPC reserves
/// (-32768 to -32000, where the spec's and MCP's codes live) as themselves, any other
/// as `other`.
pub(super) fn code(code: i32) -> Option<i32> {
    (-32768..=-32000).contains(&code).then_some(code)
}

/// The `cause` label of a refusal.
pub(super) fn cause(kind: RefusalKind) -> usize {
    match kind {
        RefusalKind::InsufficientScope => SCOPE,
        RefusalKind::RateLimited => RATE_LIMIT,
        _ => AUTH,
    }
}

pub(super) const AUTH: usize = 0;
pub(super) const SCOPE: usize = 1;
pub(super) const RATE_LIMIT: usize = 2;
/// The `cause` label values, by the indices [`cause`] returns.
pub(super) const CAUSES: [&str; 3] = ["auth", "scope", "rate_limit"];
