//! One measured session against one server: spawn, `initialize`, warmup, and
//! the timed `tools/call` loop with K requests in flight.

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::conn::{ServerProcess, proc_status};
use crate::reply::{Reply, classify};
use crate::stats;

/// Protocol version offered in `initialize`.
const PROTOCOL_VERSION: &str = "2025-06-18";
/// Id of the `initialize` request; tool calls count up from the next one.
const INIT_ID: u64 = 1;
/// How long a server gets to exit after its stdin is closed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// Settings shared by every run.
#[derive(Debug, Clone)]
pub(crate) struct RunConfig {
    pub(crate) calls: u64,
    pub(crate) inflight: u32,
    pub(crate) warmup: u64,
    pub(crate) timeout: Duration,
    pub(crate) show_stderr: bool,
    /// `"name":..,"arguments":..` of every measured call, as JSON text.
    pub(crate) call: String,
}

/// What one successful run measured.
#[derive(Debug, Clone)]
pub(crate) struct RunSample {
    pub(crate) calls_per_s: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) peak_rss_kib: Option<u64>,
    pub(crate) init_ms: f64,
    /// Responses that failed verification (bad JSON, unknown id, no `result`).
    pub(crate) errors: u64,
    pub(crate) cpus_allowed: Option<String>,
    /// The first measured response line, for eyeballing.
    pub(crate) first_response: String,
}

/// Spawns `spec`, measures it, and shuts it down. An `Err` is a failed run
/// (spawn failure, timeout, closed pipe, failed `initialize`).
pub(crate) fn run_once(
    spec: &crate::cli::ServerSpec,
    cfg: &RunConfig,
) -> anyhow::Result<RunSample> {
    let spawned_at = Instant::now();
    let mut server = ServerProcess::spawn(spec, cfg.show_stderr)?;
    match drive(&mut server, cfg, spawned_at) {
        Ok(mut sample) => {
            let status = proc_status(server.pid()).unwrap_or_default();
            sample.peak_rss_kib = status.vm_hwm_kib;
            sample.cpus_allowed = status.cpus_allowed;
            let (exit, killed) = server.shutdown(EXIT_GRACE);
            if killed {
                eprintln!(
                    "warning: {} did not exit within {EXIT_GRACE:?} of stdin closing; killed",
                    spec.name
                );
            } else if let Some(exit) = exit.filter(|exit| !exit.success()) {
                eprintln!("warning: {} exited with {exit}", spec.name);
            }
            Ok(sample)
        }
        Err(err) => {
            server.kill();
            Err(err)
        }
    }
}

fn drive(
    server: &mut ServerProcess,
    cfg: &RunConfig,
    spawned_at: Instant,
) -> anyhow::Result<RunSample> {
    let init = format!(
        concat!(
            r#"{{"jsonrpc":"2.0","id":{},"method":"initialize","params":{{"protocolVersion":"{}","#,
            r#""capabilities":{{}},"clientInfo":{{"name":"mcp-load","version":"{}"}}}}}}"#,
            "\n"
        ),
        INIT_ID,
        PROTOCOL_VERSION,
        env!("CARGO_PKG_VERSION")
    );
    server.send(init.as_bytes()).context("writing initialize")?;
    loop {
        let line = server
            .reader
            .next_line(Instant::now() + cfg.timeout)
            .context("waiting for the initialize response")?;
        match classify(line) {
            Reply::Notification => {}
            Reply::Ok(INIT_ID) => break,
            _ => bail!(
                "bad initialize response: {}",
                String::from_utf8_lossy(line)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ),
        }
    }
    let init_ms = spawned_at.elapsed().as_secs_f64() * 1e3;
    server
        .send(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .context("writing notifications/initialized")?;

    let inflight = cfg.inflight as usize;
    let warm = pump(
        server,
        INIT_ID + 1,
        cfg.warmup,
        inflight,
        cfg.timeout,
        &cfg.call,
    )
    .context("warmup")?;
    let timed = pump(
        server,
        INIT_ID + 1 + cfg.warmup,
        cfg.calls,
        inflight,
        cfg.timeout,
        &cfg.call,
    )
    .context("measured calls")?;
    let mut latencies = timed.latencies_ns;
    latencies.sort_unstable();
    Ok(RunSample {
        calls_per_s: cfg.calls as f64 / timed.elapsed.as_secs_f64(),
        p50_us: stats::percentile(&latencies, 0.50) / 1e3,
        p99_us: stats::percentile(&latencies, 0.99) / 1e3,
        peak_rss_kib: None,
        init_ms,
        errors: warm.errors + timed.errors,
        cpus_allowed: None,
        first_response: timed.first_response,
    })
}

struct Pumped {
    elapsed: Duration,
    latencies_ns: Vec<u64>,
    errors: u64,
    first_response: String,
}

/// Sends `count` `tools/call` requests with ids `first_id..`, keeping up to
/// `inflight` outstanding, and times each from its write to its response.
fn pump(
    server: &mut ServerProcess,
    first_id: u64,
    count: u64,
    inflight: usize,
    timeout: Duration,
    call: &str,
) -> anyhow::Result<Pumped> {
    let count = usize::try_from(count).context("too many calls")?;
    let mut sent_at: Vec<Option<Instant>> = vec![None; count];
    let mut latencies_ns = Vec::with_capacity(count);
    let mut out = Vec::with_capacity(inflight * 128);
    let (mut next, mut done, mut outstanding, mut errors) = (0usize, 0usize, 0usize, 0u64);
    let mut first_response = String::new();
    let start = Instant::now();
    let mut last = start;
    loop {
        // Refill only once every buffered response is handled, so requests
        // freed by one read go out together in a single write.
        if !server.reader.has_line() && next < count && outstanding < inflight {
            out.clear();
            let first = next;
            while outstanding < inflight && next < count {
                write_call(&mut out, first_id + next as u64, call);
                next += 1;
                outstanding += 1;
            }
            let now = Instant::now();
            sent_at[first..next].fill(Some(now));
            server.send(&out).context("writing tools/call")?;
        }
        if done == count {
            break;
        }
        let line = server
            .reader
            .next_line(Instant::now() + timeout)
            .with_context(|| format!("{done} of {count} responses received"))?;
        let now = Instant::now();
        let (id, ok) = match classify(line) {
            Reply::Ok(id) => (id, true),
            Reply::Failed(id) => (id, false),
            Reply::Notification => continue,
            Reply::Invalid => {
                errors += 1;
                continue;
            }
        };
        let slot = id
            .checked_sub(first_id)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| sent_at.get_mut(i))
            .and_then(Option::take);
        let Some(sent) = slot else {
            errors += 1; // unknown, unsent or duplicate id
            continue;
        };
        if first_response.is_empty() {
            first_response = String::from_utf8_lossy(line).chars().take(300).collect();
        }
        latencies_ns.push(u64::try_from((now - sent).as_nanos()).unwrap_or(u64::MAX));
        errors += u64::from(!ok);
        done += 1;
        outstanding -= 1;
        last = now;
    }
    Ok(Pumped {
        elapsed: last.duration_since(start).max(Duration::from_nanos(1)),
        latencies_ns,
        errors,
        first_response,
    })
}

fn write_call(out: &mut Vec<u8>, id: u64, call: &str) {
    // Writing into a Vec cannot fail.
    let _ = writeln!(
        out,
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{{call}}}}}"#
    );
}
