//! The wire format: the JSON-RPC envelope, MCP types for every revision, versions and errors.
//!
//! Nothing here does IO; the server, the client and the transports build on it.

pub mod error;
#[cfg(feature = "http")]
pub(crate) mod header_values;
pub mod jsonrpc;
pub mod params;
mod scan;
pub mod types;
pub mod version;

pub use error::{ErrorObject, code};
pub use jsonrpc::{Incoming, Malformed, RequestId};
pub use params::Params;
pub use types::*;
pub use version::{Era, ProtocolVersion};
