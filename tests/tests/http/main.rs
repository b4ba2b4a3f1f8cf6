//! Streamable HTTP, end to end over loopback TCP: both eras on one endpoint, sessions,
//! streams and resumption, the security checks, and composition with axum and tower-http.

#[path = "../server/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

mod compose;
mod legacy;
mod modern;
mod security;
mod shutdown;
mod stall;

use boltmcp::transport::http::HttpConfig;
use boltmcp_tests::http::{HttpClient, start};

/// The fixture server over HTTP with `config`, and a client of it.
async fn client_with(config: HttpConfig) -> HttpClient {
    HttpClient::new(start(fixtures::server(), config).await)
}

async fn client() -> HttpClient {
    client_with(HttpConfig::default()).await
}
