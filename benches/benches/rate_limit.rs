//! Micro benchmarks of the rate-limit and metrics layers: one keyed limiter check (a
//! caller's budget in `LocalBudgets`), and the cost of the whole gate, and of the gate
//! with the metrics layer (recording into a Prometheus recorder), on a `tools/call`
//! through the connection engine (the same call with and without them).
//!
//! `cargo bench -p boltmcp-benches --bench rate_limit`

use std::hint::black_box;
use std::time::Duration;

use boltmcp::layers::metrics::Prometheus;
use boltmcp::layers::rate_limit::{BudgetKey, Budgets, CallerKey, LocalBudgets, RateLimitLayer};
use boltmcp::server::{Quota, Server};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use support::{add, connection, drive};

const CALL: &str = r#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#;

/// A quota no benchmark run can spend.
fn plenty() -> Quota {
    Quota::new(u32::MAX, Duration::from_secs(1))
}

fn benches(c: &mut Criterion) {
    let budgets = LocalBudgets::new(100_000);
    let callers: Vec<CallerKey> = (0..1000)
        .map(|i| CallerKey::Custom(format!("caller-{i}").into()))
        .collect();
    let mut next = 0;
    c.bench_function("rate_limit/keyed check", |b| {
        b.iter(|| {
            next = (next + 1) % callers.len();
            black_box(budgets.spend(&BudgetKey::Caller(&callers[next]), plenty()))
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let bare = connection(Server::builder("bench", "1").tool(add()).build());
    let limits = RateLimitLayer::builder()
        .per_caller(plenty())
        .tool("add", plenty())
        .global(plenty())
        .build();
    let limited = connection(
        Server::builder("bench", "1")
            .tool(add())
            .build()
            .gate(limits.clone()),
    );
    let prometheus = Prometheus::new();
    let observed = connection(
        Server::builder("bench", "1")
            .tool(add())
            .build()
            .observe(prometheus.layer()),
    );
    let metered = connection(
        Server::builder("bench", "1")
            .tool(add())
            .build()
            .gate(limits)
            .observe(prometheus.layer()),
    );
    c.bench_function("rate_limit/tools_call bare", |b| {
        b.iter(|| black_box(drive(&bare, black_box(CALL))))
    });
    c.bench_function("rate_limit/tools_call through the layer", |b| {
        b.iter(|| black_box(drive(&limited, black_box(CALL))))
    });
    c.bench_function("rate_limit/tools_call through metrics alone", |b| {
        b.iter(|| black_box(drive(&observed, black_box(CALL))))
    });
    c.bench_function("rate_limit/tools_call through the layer and metrics", |b| {
        b.iter(|| black_box(drive(&metered, black_box(CALL))))
    });
}

criterion_group!(rate_limit, benches);
criterion_main!(rate_limit);
