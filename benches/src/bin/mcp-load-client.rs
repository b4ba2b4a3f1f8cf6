//! `mcp-load-client`: the load generator's client mode. It drives a stdio server
//! through `boltmcp::client` (spawn, negotiate, `call_tool("add")`) instead of raw
//! JSON-RPC lines, so the client's own cost per call can be read next to
//! `mcp-load`'s figures for the same server: the difference is what the client adds
//! (building the request, the id table, the `_meta` stamp, reading the result into
//! `CallToolResult`).
//!
//! ```text
//! mcp-load-client [--calls N] [--inflight K] [--runs R] [--warmup W] -- SERVER ARGS...
//! ```

use std::time::{Duration, Instant};

use anyhow::Context as _;
use boltmcp::client::Client;
use clap::Parser;
use serde_json::json;

#[derive(Parser, Debug)]
struct Args {
    /// Timed calls per run.
    #[arg(long, default_value_t = 20_000)]
    calls: usize,
    /// Calls in flight at once (1: strictly sequential).
    #[arg(long, default_value_t = 1)]
    inflight: usize,
    /// Runs (a fresh server each); the median run is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Untimed calls before each run.
    #[arg(long, default_value_t = 1000)]
    warmup: usize,
    /// The server command and its arguments.
    #[arg(last = true, required = true)]
    server: Vec<String>,
}

struct Run {
    calls_per_sec: f64,
    p50: Duration,
    p99: Duration,
}

async fn one_run(args: &Args) -> anyhow::Result<Run> {
    let (program, rest) = args.server.split_first().context("no server command")?;
    let client = Client::connect_stdio(program, rest)
        .await
        .context("connect")?;
    let call = |client: Client| async move {
        let started = Instant::now();
        let result = client.call_tool("add", json!({"a": 1, "b": 2})).await?;
        anyhow::ensure!(result.is_error != Some(true), "the call failed: {result:?}");
        anyhow::Ok(started.elapsed())
    };
    for _ in 0..args.warmup {
        call(client.clone()).await?;
    }
    let mut latencies = Vec::with_capacity(args.calls);
    let started = Instant::now();
    let per_worker = args.calls / args.inflight.max(1);
    let workers: Vec<_> = (0..args.inflight.max(1))
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(per_worker);
                for _ in 0..per_worker {
                    mine.push(call(client.clone()).await?);
                }
                anyhow::Ok(mine)
            })
        })
        .collect();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(Run {
        calls_per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut runs = Vec::with_capacity(args.runs);
    for _ in 0..args.runs.max(1) {
        runs.push(one_run(&args).await?);
    }
    runs.sort_by(|a, b| a.calls_per_sec.total_cmp(&b.calls_per_sec));
    let median = &runs[runs.len() / 2];
    println!(
        "via boltmcp::client ({} in flight): {:.0} calls/s, p50 {:.1} µs, p99 {:.1} µs, {:.2} µs per call",
        args.inflight.max(1),
        median.calls_per_sec,
        median.p50.as_secs_f64() * 1e6,
        median.p99.as_secs_f64() * 1e6,
        1e6 / median.calls_per_sec
    );
    Ok(())
}
