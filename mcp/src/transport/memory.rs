//! An in-memory duplex transport: a server and a client in one process, for tests.

use tokio::io::{DuplexStream, split};
use tokio::task::JoinHandle;

use super::stdio::{StdioOptions, serve_io};
use crate::server::Server;

/// Starts `server` on one end of an in-memory pipe and returns the other end, which
/// speaks newline-delimited JSON-RPC exactly as a stdio child would.
pub fn serve_in_memory(server: Server) -> (DuplexStream, JoinHandle<std::io::Result<()>>) {
    serve_in_memory_with(server, StdioOptions::default())
}

/// As [`serve_in_memory`], with options.
pub fn serve_in_memory_with(
    server: Server,
    options: StdioOptions,
) -> (DuplexStream, JoinHandle<std::io::Result<()>>) {
    let (client, server_end) = tokio::io::duplex(1 << 20);
    let handle = tokio::spawn(async move {
        let (reader, writer) = split(server_end);
        serve_io(server, reader, writer, options).await
    });
    (client, handle)
}
