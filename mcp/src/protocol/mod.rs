//! The wire format: the JSON-RPC envelope, MCP types for every revision, versions and errors.
//!
//! Nothing here does IO; the server, the client and the transports build on it.

pub mod jsonrpc;
pub mod types;

pub use jsonrpc::RequestId;
pub use types::*;
