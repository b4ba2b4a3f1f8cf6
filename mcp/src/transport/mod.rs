//! Transports: how messages reach a server. stdio (newline-delimited JSON-RPC on a
//! child process's pipes) and an in-memory duplex for tests; Streamable HTTP comes next.

mod lines;
pub mod memory;
#[cfg(unix)]
mod pipe;
pub mod stdio;

pub use stdio::{StdioOptions, serve_io, serve_stdio};
