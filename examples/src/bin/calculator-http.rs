//! The calculator's four tools (`boltmcp_examples::calculator`) over Streamable
//! HTTP, at `http://ADDR/mcp`, for clients of either protocol era.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin calculator-http -- 127.0.0.1:8000
//! ```
//!
//! The address defaults to 127.0.0.1:8000; the server checks `Host` and `Origin`
//! against loopback names unless configured otherwise (`HttpConfig`).
//!
//! One thread serves every connection here. The examples package leaves tokio's
//! `rt-multi-thread` off: cargo unifies features per package, and turning it on would
//! link the multi-threaded scheduler (and libm, for its statistics) into the stdio
//! `calculator` too, about 440 KiB more peak RSS. A server that wants every core
//! enables that feature and builds `Builder::new_multi_thread()`, as
//! `benches/src/bin/http-server.rs` does.

use std::net::SocketAddr;

use boltmcp::transport::http::HttpConfig;

const DEFAULT_ADDR: &str = "127.0.0.1:8000";

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = match args.as_slice() {
        [] => DEFAULT_ADDR,
        [addr] if !addr.starts_with('-') => addr.as_str(),
        _ => {
            eprintln!("usage: calculator-http [ADDR]   (default {DEFAULT_ADDR})");
            std::process::exit(2);
        }
    };
    let addr: SocketAddr = addr.parse().map_err(|err| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr}: {err}"))
    })?;
    boltmcp_examples::init_logging();
    eprintln!("calculator: serving MCP at http://{addr}/mcp (Ctrl-C stops it)");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("calculator: shutting down");
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(boltmcp_examples::calculator::server().serve_http_until(
            addr,
            HttpConfig::default(),
            ctrl_c,
        ))
}
