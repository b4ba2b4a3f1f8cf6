//! Sandboxed tools: `fib` and `allocate` run in warm, confined worker processes,
//! `run` executes `sh -c` through `SandboxedCommand`, and `add` runs in the server's
//! own process beside them. Every way a sandboxed call can fail (its time, its CPU,
//! its memory, a forbidden system call, a crash) comes back as an `isError` result
//! naming the cause.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin sandbox-server                       # stdio
//! cargo run -p boltmcp-examples --bin sandbox-server -- --http 127.0.0.1:8000
//! cargo run -p boltmcp-examples --bin sandbox-server -- --http 127.0.0.1:8000 --metrics
//! ```
//!
//! With `--metrics` (HTTP only), Prometheus metrics are served at `/metrics`: the
//! server's per-tool series, and the sandbox's (calls, failures by cause, wall and
//! CPU time, peak memory, workers started and replaced).

use std::net::SocketAddr;

use boltmcp::layers::metrics::Prometheus;
use boltmcp::layers::sandbox::{self, Sandbox, SandboxPolicy};
use boltmcp::transport::http::HttpConfig;
use boltmcp_examples::sandboxed::server;

const USAGE: &str = "\
usage: sandbox-server [--http ADDR [--metrics]] [--max-worker-calls N] [--max-worker-rss-mib N]
  (stdio unless --http; a worker is replaced after N calls, or once it held N MiB)";

fn main() -> std::io::Result<()> {
    // First: in a worker process this never returns.
    sandbox::init(server);
    let usage = |problem: &str| -> ! {
        eprintln!("sandbox-server: {problem}\n{USAGE}");
        std::process::exit(2);
    };
    let mut http: Option<SocketAddr> = None;
    let mut metrics = false;
    let mut policy = SandboxPolicy::default();
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
            "--metrics" => metrics = true,
            "--max-worker-calls" | "--max-worker-rss-mib" => {
                let number: u64 = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| usage(&format!("{arg} needs a number")));
                policy = if arg == "--max-worker-calls" {
                    policy.max_calls_per_worker(number)
                } else {
                    policy.max_worker_rss(number * 1024 * 1024)
                };
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if metrics && http.is_none() {
        usage("--metrics needs --http");
    }
    boltmcp_examples::init_logging();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let prometheus = metrics.then(Prometheus::new);
        let mut sandbox = Sandbox::new().policy(policy);
        if let Some(prometheus) = &prometheus {
            sandbox = sandbox.metrics(prometheus.recorder());
        }
        let server = server().sandbox(sandbox)?;
        match http {
            Some(addr) => {
                let mut config = HttpConfig::default();
                if let Some(prometheus) = prometheus {
                    eprintln!("sandbox-server: metrics at http://{addr}/metrics");
                    config = config.metrics(prometheus);
                }
                eprintln!("sandbox-server: serving http://{addr}/mcp (Ctrl-C stops it)");
                let ctrl_c = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                server.serve_http_until(addr, config, ctrl_c).await
            }
            None => boltmcp::transport::serve_stdio(server).await,
        }
    })
}
