//! `ClientError`: every way a call to a server can fail, each saying which.

use std::time::Duration;

use crate::protocol::ErrorObject;

/// Why a call to the server did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("the server answered with an error: {0}")]
    Rpc(ErrorObject),
    /// No answer came within the call's timeout; the server was told to cancel it.
    #[error("no answer from the server within {timeout:?}{detail}")]
    Timeout {
        /// The timeout that ran out.
        timeout: Duration,
        /// What else is known (lines the server wrote that were not JSON-RPC).
        detail: String,
    },
    /// The connection ended before the answer came (the server exited or hung up).
    #[error("the connection to the server is closed{0}")]
    Closed(String),
    /// The server's answer could not be read as the result the call expects.
    #[error("the server's answer is malformed: {0}")]
    Malformed(String),
    /// The server answered over HTTP with an error status and no JSON-RPC error.
    #[error("the server answered HTTP {status}: {body}")]
    Http {
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The call needs something the negotiated protocol version does not have.
    #[error("{0}")]
    Unsupported(String),
    /// Starting or talking to the server failed.
    #[error("I/O with the server failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ClientError {
    /// The JSON-RPC error, when the server sent one.
    pub fn rpc(&self) -> Option<&ErrorObject> {
        match self {
            ClientError::Rpc(err) => Some(err),
            _ => None,
        }
    }
}
