//! The calculator's four tools (`boltmcp_examples::calculator`) over Streamable
//! HTTP, at `http://ADDR/mcp`, for clients of either protocol era.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin calculator-http -- 127.0.0.1:8000
//! cargo run -p boltmcp-examples --bin calculator-http -- 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem
//! ```
//!
//! With `--tls-cert` and `--tls-key` (PEM) it serves HTTPS at `https://ADDR/mcp`,
//! and picks up a renewed certificate within 30 seconds.
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
const USAGE: &str =
    "usage: calculator-http [ADDR] [--tls-cert PATH --tls-key PATH]   (default 127.0.0.1:8000)";

fn main() -> std::io::Result<()> {
    let usage = |problem: &str| -> ! {
        eprintln!("calculator-http: {problem}\n{USAGE}");
        std::process::exit(2);
    };
    let (mut addr, mut cert, mut key) = (DEFAULT_ADDR.to_owned(), None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tls-cert" => {
                cert = Some(
                    args.next()
                        .unwrap_or_else(|| usage("--tls-cert needs a path")),
                )
            }
            "--tls-key" => {
                key = Some(
                    args.next()
                        .unwrap_or_else(|| usage("--tls-key needs a path")),
                )
            }
            flag if flag.starts_with('-') => usage(&format!("unknown flag {flag}")),
            other => addr = other.to_owned(),
        }
    }
    let addr: SocketAddr = addr.parse().map_err(|err| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr}: {err}"))
    })?;
    let tls =
        boltmcp_examples::server_tls(cert.as_deref(), key.as_deref()).unwrap_or_else(|e| usage(&e));
    boltmcp_examples::init_logging();
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("calculator: serving MCP at {scheme}://{addr}/mcp (Ctrl-C stops it)");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("calculator: shutting down");
    };
    boltmcp_examples::serve_http(
        boltmcp_examples::calculator::server(),
        addr,
        HttpConfig::default(),
        tls,
        ctrl_c,
    )
}
