//! Micro benchmarks of the request path without IO: parsing one envelope, and one
//! whole `tools/call` through the connection engine, the tower stack and a tool.
//!
//! `cargo bench -p boltmcp-benches --bench dispatch`

#![allow(unsafe_code)] // the counting allocator below; nothing else

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use boltmcp::protocol::jsonrpc::parse_message;
use boltmcp::server::{Dispatch, Server, ToolError};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use support::{add, connection, drive};

const CALL: &str = r#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#;
const MODERN_CALL: &str = r#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;

/// Counts allocations so the hot path's allocation budget is visible and stays put.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) one call of `f` makes, averaged over many calls.
fn allocations_per_call(mut f: impl FnMut()) -> f64 {
    const N: usize = 10_000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..N {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / N as f64
}

fn benches(c: &mut Criterion) {
    let _: Option<ToolError> = None;
    c.bench_function("parse_envelope", |b| {
        b.iter(|| black_box(parse_message(black_box(CALL)).is_ok()))
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let conn = connection(Server::builder("bench", "1").tool(add()).build());
    if let Dispatch::Pending(fut) = conn.handle(CALL, http::Extensions::new()) {
        println!("tools/call future: {} bytes", std::mem::size_of_val(&*fut));
    }
    for (name, line) in [("legacy", CALL), ("modern", MODERN_CALL)] {
        let per_call = allocations_per_call(|| {
            black_box(drive(&conn, line));
        });
        println!("allocations per tools/call ({name}): {per_call:.1}");
    }
    c.bench_function("tools_call_legacy", |b| {
        b.iter(|| black_box(drive(&conn, black_box(CALL))))
    });
    c.bench_function("tools_call_modern", |b| {
        b.iter(|| black_box(drive(&conn, black_box(MODERN_CALL))))
    });
}

criterion_group!(dispatch, benches);
criterion_main!(dispatch);
