//! # boltmcp
//!
//! A Model Context Protocol SDK: write a plain function, put `#[tool]` on it, and
//! serve it to any MCP client of either protocol era — the 2026-07-28 stateless
//! revision and the `initialize` revisions 2024-11-05 … 2025-11-25 — from one handler.
//!
//! ```no_run
//! use boltmcp::prelude::*;
//!
//! /// Adds two numbers.
//! #[tool]
//! async fn add(a: f64, b: f64) -> f64 {
//!     a + b
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let server = Server::builder("calculator", "1.0.0").tool(add_tool()).build();
//!     boltmcp::transport::serve_stdio(server).await
//! }
//! ```
//!
//! The server is a tower `Service<McpRequest>`: [`server::Server::layer`] wraps it in
//! any tower layer.
//!
//! ## Features
//!
//! - `macros` (default): `#[tool]`, `#[resource]`, `#[prompt]`, `#[handlers]`.
//! - `http` (default): Streamable HTTP, the server's tower service on hyper and the
//!   client's transport. A binary that serves only stdio does not link it unless it
//!   calls it.
//! - `schema-validation`: `ToolDef::validate_arguments`, holding a runtime-defined
//!   tool's arguments to its `inputSchema` (the `jsonschema` crate).
#![forbid(unsafe_code)]

pub mod client;
pub mod layers;
pub mod protocol;
pub mod server;
pub mod transport;

mod sync;

#[cfg(feature = "macros")]
pub use boltmcp_macros::{handlers, prompt, resource, tool};
/// The `http` crate boltmcp's HTTP types come from (`HeaderMap` for a
/// [`HeaderProvider`](client::HeaderProvider), `StatusCode` of an
/// [`HttpError`](client::HttpError)), so no version skew is possible.
pub use http;

/// The names most servers need.
pub mod prelude {
    pub use crate::protocol::{CallToolResult, ContentBlock, LoggingLevel};
    pub use crate::server::{Claims, Context, Elicitation, Json, Principal, Server, ToolError};
    #[cfg(feature = "macros")]
    pub use boltmcp_macros::{handlers, prompt, resource, tool};
}

#[doc(hidden)]
pub mod __private {
    //! Re-exports for macro-generated code. Not a public API.
    pub use crate::server::__private::*;
    pub use schemars;
    pub use serde;
    pub use serde_json;
}
