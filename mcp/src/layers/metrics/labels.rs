//! Label values, bounded: whatever a client sends, the set of series stays a function
//! of the server's own definitions, never of the request.

use crate::server::{RefusalKind, Target};

/// How many `method` labels there are: the methods the spec defines, `other`, and
/// empty.
pub(super) const METHODS: usize = 21;

/// The `method` label, and its index below [`METHODS`]: a method the spec defines,
/// else `other`; empty when the request was refused before its body was read, or did
/// not parse. (A `match` on strings compares at most one candidate of the right
/// length, where a scan of a list compares one after another.)
pub(super) fn method(method: Option<&str>) -> (usize, &'static str) {
    let Some(method) = method else {
        return (20, "");
    };
    match method {
        "tools/call" => (0, "tools/call"),
        "tools/list" => (1, "tools/list"),
        "resources/read" => (2, "resources/read"),
        "resources/list" => (3, "resources/list"),
        "resources/templates/list" => (4, "resources/templates/list"),
        "resources/subscribe" => (5, "resources/subscribe"),
        "resources/unsubscribe" => (6, "resources/unsubscribe"),
        "prompts/get" => (7, "prompts/get"),
        "prompts/list" => (8, "prompts/list"),
        "completion/complete" => (9, "completion/complete"),
        "initialize" => (10, "initialize"),
        "ping" => (11, "ping"),
        "logging/setLevel" => (12, "logging/setLevel"),
        "server/discover" => (13, "server/discover"),
        "subscriptions/listen" => (14, "subscriptions/listen"),
        "tasks/get" => (15, "tasks/get"),
        "tasks/update" => (16, "tasks/update"),
        "tasks/cancel" => (17, "tasks/cancel"),
        "tasks/list" => (18, "tasks/list"),
        _ => (19, "other"),
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
