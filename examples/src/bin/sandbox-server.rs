//! Sandboxed tools: `fib` and `allocate` run in warm, confined worker processes,
//! `run` executes `sh -c` through `SandboxedCommand`, and `add` runs in the server's
//! own process beside them. Every way a sandboxed call can fail (its time, its CPU,
//! its memory, a forbidden system call, a crash) comes back as an `isError` result
//! naming the cause.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin sandbox-server                       # stdio
//! cargo run -p boltmcp-examples --bin sandbox-server -- --http 127.0.0.1:8000
//! ```

use std::net::SocketAddr;

use boltmcp::layers::sandbox::{self, Sandbox};
use boltmcp::transport::http::HttpConfig;
use boltmcp_examples::sandboxed::server;

const USAGE: &str = "usage: sandbox-server [--http ADDR]   (stdio unless --http)";

fn main() -> std::io::Result<()> {
    // First: in a worker process this never returns.
    sandbox::init(server);
    let usage = |problem: &str| -> ! {
        eprintln!("sandbox-server: {problem}\n{USAGE}");
        std::process::exit(2);
    };
    let mut http: Option<SocketAddr> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--http" => {
                let addr = args
                    .next()
                    .unwrap_or_else(|| usage("--http needs an address"));
                http = Some(
                    addr.parse()
                        .unwrap_or_else(|err| usage(&format!("{addr}: {err}"))),
                );
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    boltmcp_examples::init_logging();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = server().sandbox(Sandbox::new())?;
        match http {
            Some(addr) => {
                eprintln!("sandbox-server: serving http://{addr}/mcp");
                server
                    .serve_http_until(addr, HttpConfig::default(), std::future::pending::<()>())
                    .await
            }
            None => boltmcp::transport::serve_stdio(server).await,
        }
    })
}
