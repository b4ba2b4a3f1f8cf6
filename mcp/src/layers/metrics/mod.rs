//! Metrics (feature `metrics`): every request a server answers, per method and per
//! target, through the [`metrics`] facade, and a Prometheus text exposition of them.
//!
//! - [`MetricsLayer`]: the [`Observer`](crate::server::Observer) that records, installed
//!   with [`Server::observe`](crate::server::Server::observe). It sees what a tower
//!   layer cannot: refusals by the auth check and by gates, synchronous tools on their
//!   fast path, requests the client abandoned.
//! - [`Prometheus`]: a `metrics-exporter-prometheus` recorder; `HttpConfig::metrics`
//!   records a server into it and serves it at `GET /metrics`, and
//!   [`Prometheus::render`] gives the text to users who mount their own.
//!
//! The series, each labelled `method` and `target` (bounded: see [`MetricsLayer`]):
//!
//! | name | kind | what |
//! |---|---|---|
//! | `mcp_server_requests_total` | counter | requests answered or abandoned |
//! | `mcp_server_tool_errors_total` | counter | `tools/call` results with `isError` (failed, panicked, timed out) |
//! | `mcp_server_errors_total` | counter | JSON-RPC errors, labelled `code` (reserved codes, else `other`) |
//! | `mcp_server_refusals_total` | counter | refused before running, labelled `cause`: `auth`, `scope`, `rate_limit` |
//! | `mcp_server_cancelled_total` | counter | cancelled by the client, or the client went away |
//! | `mcp_server_requests_in_flight` | gauge | running now |
//! | `mcp_server_request_duration_seconds` | histogram | arrival to answer (not for cancelled requests) |
//!
//! A request refused by the HTTP auth check, before its body is read, has
//! `method=""` and `target=""`.

mod labels;
mod layer;
mod prometheus;
mod series;
mod tally;

pub use labels::{OVERFLOW, UNREGISTERED};
pub use layer::{DEFAULT_MAX_SERIES, MetricsLayer};
pub use metrics_exporter_prometheus::PrometheusBuilder;
pub use prometheus::{CONTENT_TYPE, DURATION_BUCKETS, MetricsService, Prometheus};

/// The series' names.
pub mod names {
    /// Requests answered or abandoned.
    pub const REQUESTS: &str = "mcp_server_requests_total";
    /// `tools/call` results with `isError`.
    pub const TOOL_ERRORS: &str = "mcp_server_tool_errors_total";
    /// JSON-RPC errors, by `code`.
    pub const ERRORS: &str = "mcp_server_errors_total";
    /// Refusals, by `cause`.
    pub const REFUSALS: &str = "mcp_server_refusals_total";
    /// Requests cancelled or abandoned.
    pub const CANCELLED: &str = "mcp_server_cancelled_total";
    /// Requests running now.
    pub const IN_FLIGHT: &str = "mcp_server_requests_in_flight";
    /// Time from arrival to answer, in seconds.
    pub const DURATION: &str = "mcp_server_request_duration_seconds";
}
