//! What the rate-limit gate and the metrics layer add to one `tools/call` through the
//! connection engine, measured as a paired difference: the bare server and each
//! configuration run in alternation, 150 short rounds each, and the minimum round of
//! each is compared. On a shared, noisy machine a slow spell hits whichever variant
//! happens to run and is discarded by the minimum, where separate criterion runs minutes
//! apart differ by more than the cost being measured.
//!
//! `cargo bench -p boltmcp-benches --bench overhead`

use std::hint::black_box;
use std::time::{Duration, Instant};

use boltmcp::layers::metrics::Prometheus;
use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::server::{Connection, Quota, Server};

#[path = "support/mod.rs"]
mod support;
use support::{add, connection, drive};

const CALL: &str = r#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#;
const ROUNDS: usize = 150;
const CALLS_PER_ROUND: u32 = 10_000;

/// Nanoseconds per call over one round.
fn round(conn: &Connection) -> f64 {
    let started = Instant::now();
    for _ in 0..CALLS_PER_ROUND {
        black_box(drive(conn, black_box(CALL)));
    }
    started.elapsed().as_nanos() as f64 / f64::from(CALLS_PER_ROUND)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let plenty = Quota::new(u32::MAX, Duration::from_secs(1));
    let limits = || {
        RateLimitLayer::builder()
            .per_caller(plenty)
            .tool("add", plenty)
            .global(plenty)
            .build()
    };
    let bare = || Server::builder("bench", "1").tool(add()).build();
    let prometheus = Prometheus::new();
    let variants = [
        ("bare", connection(bare())),
        (
            "rate limits (per caller, per tool, global)",
            connection(bare().gate(limits())),
        ),
        (
            "metrics (Prometheus)",
            connection(bare().observe(prometheus.layer())),
        ),
        (
            "rate limits and metrics",
            connection(bare().gate(limits()).observe(prometheus.layer())),
        ),
    ];
    let mut best = [f64::MAX; 4];
    for _ in 0..ROUNDS {
        for (at, (_, conn)) in variants.iter().enumerate() {
            best[at] = best[at].min(round(conn));
        }
    }
    println!("tools/call through the engine, best of {ROUNDS} rounds of {CALLS_PER_ROUND}:");
    for (at, (name, _)) in variants.iter().enumerate() {
        let added = best[at] - best[0];
        match at {
            0 => println!("  {name:<45} {:>7.0} ns", best[at]),
            _ => println!("  {name:<45} {:>7.0} ns  (+{added:.0} ns)", best[at]),
        }
    }
}
