//! `mcp-load`: a protocol load generator for stdio MCP servers.
//!
//! Spawns each server, times spawn-to-`initialize`, then sends `tools/call`
//! requests for the tool `add` over raw newline-delimited JSON-RPC 2.0, either
//! strictly sequentially or with K requests in flight. Servers are visited in
//! turn within every run (A, B, C, A, B, C, ...) so machine noise hits all of
//! them alike; the report gives per-server medians over runs and every
//! server's calls/s relative to the first one.
//!
//! The load generator is single-threaded blocking IO (no async runtime), and
//! every wait is bounded by `poll(2)` with a per-response timeout. With
//! `--pin CORE` it pins itself before spawning anything, so each server
//! inherits that CPU affinity from the moment it is forked, threads included.

#[path = "mcp-load/cli.rs"]
mod cli;
#[path = "mcp-load/conn.rs"]
mod conn;
#[path = "mcp-load/load.rs"]
mod load;
#[path = "mcp-load/reply.rs"]
mod reply;
#[path = "mcp-load/report.rs"]
mod report;
#[path = "mcp-load/stats.rs"]
mod stats;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use nix::sched::{CpuSet, sched_setaffinity};
use nix::unistd::Pid;

use crate::cli::Args;
use crate::load::{RunConfig, run_once};
use crate::report::ServerRuns;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(err) => {
            eprintln!("mcp-load: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark; `Ok(false)` when some run failed or saw errors.
fn run(args: &Args) -> anyhow::Result<bool> {
    cli::check_unique_names(&args.servers)?;
    if let Some(core) = args.pin {
        pin_to(core)?;
    }
    let cfg = RunConfig {
        calls: args.calls,
        inflight: args.inflight,
        warmup: args.warmup,
        timeout: args.timeout(),
        show_stderr: args.server_stderr,
        call: format!(
            r#""name":{},"arguments":{}"#,
            serde_json::Value::from(args.tool.as_str()),
            args.arguments
        ),
    };
    let mut all: Vec<ServerRuns> = args
        .servers
        .iter()
        .map(|spec| ServerRuns {
            spec: spec.clone(),
            samples: Vec::new(),
            failures: Vec::new(),
        })
        .collect();

    for run in 1..=args.runs {
        for server in &mut all {
            let spec = &server.spec;
            match run_once(spec, &cfg) {
                Ok(sample) => {
                    eprintln!(
                        "run {run}/{}  {:<12} {:>9.0} calls/s  p50 {:>7.1} µs  p99 {:>7.1} µs  \
                         init {:>6.2} ms  rss {:>6} KiB  cpus {}  errors {}",
                        args.runs,
                        spec.name,
                        sample.calls_per_s,
                        sample.p50_us,
                        sample.p99_us,
                        sample.init_ms,
                        sample
                            .peak_rss_kib
                            .map_or("?".to_owned(), |k| k.to_string()),
                        sample.cpus_allowed.as_deref().unwrap_or("?"),
                        sample.errors,
                    );
                    if run == 1 {
                        eprintln!("        first response: {}", sample.first_response);
                    }
                    server.samples.push(sample);
                }
                Err(err) => {
                    eprintln!("run {run}/{}  {:<12} FAILED: {err:#}", args.runs, spec.name);
                    server.failures.push(format!("run {run}: {err:#}"));
                }
            }
        }
    }

    report::print(args, &all)?;
    Ok(all
        .iter()
        .all(|s| s.failures.is_empty() && s.samples.iter().all(|r| r.errors == 0)))
}

/// Pins the calling thread, and so every process spawned afterwards, to `core`.
fn pin_to(core: usize) -> anyhow::Result<()> {
    let mut set = CpuSet::new();
    set.set(core)
        .with_context(|| format!("CPU core {core} is out of range"))?;
    sched_setaffinity(Pid::from_raw(0), &set)
        .with_context(|| format!("pinning mcp-load to CPU core {core}"))?;
    Ok(())
}
