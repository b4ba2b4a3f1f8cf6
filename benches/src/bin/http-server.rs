//! `http-server`: boltmcp's side of the HTTP benchmark (`benches/run-http.sh`).
//!
//! The calculator's `add` tool, served over Streamable HTTP at `/mcp` on a
//! multi-thread tokio runtime, with boltmcp's own `serve` (hyper, HTTP/1.1 and
//! HTTP/2 cleartext, `TCP_NODELAY` on every accepted socket).
//!
//! ```text
//! http-server --addr 127.0.0.1:PORT [--stateless]
//! ```
//!
//! Without `--stateless` legacy clients get sessions (`Mcp-Session-Id`), as with
//! `Server::serve_http`; with it every legacy request is served as if initialised.
//! 2026-07-28 requests are stateless in both modes.

use std::net::SocketAddr;

use anyhow::Context as _;
use boltmcp::prelude::*;
use boltmcp::transport::http::{HttpConfig, MCP_PATH, at_path, serve};
use clap::Parser;

/// Adds two numbers.
///
/// a: the first addend
/// b: the second addend
#[tool(annotations(read_only, idempotent))]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Command line of `http-server`.
#[derive(Debug, Parser)]
#[command(about = "boltmcp's calculator `add` over Streamable HTTP, for run-http.sh")]
struct Args {
    /// Address to listen on; keep it on loopback.
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Keep no legacy sessions.
    #[arg(long)]
    stateless: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = Server::builder("calculator", env!("CARGO_PKG_VERSION"))
        .title("Calculator")
        .instructions("A calculator with one tool, add.")
        .tool(add_tool())
        .build();
    let config = if args.stateless {
        HttpConfig::default().stateless()
    } else {
        HttpConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        eprintln!(
            "http-server: boltmcp at http://{}{MCP_PATH} ({})",
            listener.local_addr()?,
            if args.stateless {
                "stateless"
            } else {
                "sessions"
            }
        );
        serve(listener, at_path(MCP_PATH, server.http_service(config)))
            .await
            .context("serving")
    })
}
