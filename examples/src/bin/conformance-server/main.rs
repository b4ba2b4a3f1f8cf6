//! The conformance fixture: an ordinary boltmcp server that registers every tool,
//! resource and prompt the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`) calls by name, served over Streamable HTTP
//! at `http://127.0.0.1:PORT/mcp` for both protocol eras.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin conformance-server -- --port 3000
//! cargo run -p boltmcp-examples --bin conformance-server -- --port 3443 --tls-cert cert.pem --tls-key key.pem
//! npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3000/mcp
//! ```

mod catalog;
mod interactive;
mod mrtr;
mod tasks;

use std::net::SocketAddr;
use std::sync::OnceLock;

use boltmcp::server::{Server, ToolError};
use serde_json::Value;

/// The running server, for the tools that announce catalog changes.
static SERVER: OnceLock<Server> = OnceLock::new();

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A tiny WAV (PCM, 8 kHz, mono).
const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// Reads a fixed JSON shape into a protocol type.
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ToolError> {
    serde_json::from_value(value).map_err(ToolError::new)
}

fn main() -> std::io::Result<()> {
    boltmcp_examples::init_logging();
    let mut port: u16 = 3000;
    let (mut cert, mut key) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(value)) => {
                port = value.parse().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("--port {value}: not a port"),
                    )
                })?;
            }
            ("--tls-cert", Some(path)) => cert = Some(path),
            ("--tls-key", Some(path)) => key = Some(path),
            _ => {
                eprintln!("usage: conformance-server [--port N] [--tls-cert PATH --tls-key PATH]");
                std::process::exit(2);
            }
        }
    }
    let mut builder = Server::builder("boltmcp-conformance-server", env!("CARGO_PKG_VERSION"))
        .title("boltmcp conformance fixture")
        .instructions("Fixture server for the official MCP conformance suite.");
    for tool in catalog::tools()
        .into_iter()
        .chain(interactive::tools())
        .chain(mrtr::tools())
        .chain(tasks::tools())
    {
        builder = builder.tool(tool);
    }
    for resource in catalog::resources() {
        builder = builder.resource(resource);
    }
    builder = builder.resource(catalog::template());
    for prompt in catalog::prompts().into_iter().chain(mrtr::prompts()) {
        builder = builder.prompt(prompt);
    }
    let server = builder.build();
    let _ = SERVER.set(server.clone());
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tls = boltmcp_examples::server_tls(cert.as_deref(), key.as_deref()).unwrap_or_else(|e| {
        eprintln!("conformance-server: {e}");
        std::process::exit(2);
    });
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("conformance-server: serving MCP at {scheme}://{addr}/mcp");
    let config = boltmcp::transport::http::HttpConfig::default();
    boltmcp_examples::serve_http(server, addr, config, tls, std::future::pending::<()>())
}
