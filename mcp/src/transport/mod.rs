//! Transports: how messages reach a server. stdio (newline-delimited JSON-RPC on a
//! child process's pipes), Streamable HTTP, and an in-memory duplex for tests.

#[cfg(feature = "http")]
pub mod http;
pub(crate) mod lines;
pub mod memory;
#[cfg(unix)]
mod pipe;
mod runtime;
pub mod stdio;
mod stdio_blocking;

pub use stdio::{StdioOptions, serve_io, serve_stdio};
pub use stdio_blocking::serve_stdio_blocking;
