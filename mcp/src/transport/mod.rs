//! Transports: how messages reach a server. stdio (newline-delimited JSON-RPC on a
//! child process's pipes), Streamable HTTP (over TLS with the `tls` feature), and an
//! in-memory duplex for tests.

#[cfg(feature = "http")]
pub mod http;
pub(crate) mod lines;
pub mod memory;
#[cfg(unix)]
mod pipe;
mod runtime;
pub mod stdio;
mod stdio_blocking;
#[cfg(feature = "tls")]
pub mod tls;

pub use stdio::{StdioOptions, serve_io, serve_stdio};
pub use stdio_blocking::serve_stdio_blocking;
