//! What the sandbox reports through the `metrics` facade, per sandboxed tool and per
//! pool: calls, failures by cause, wall and CPU time, peak resident memory, workers
//! started and replaced. Handles are registered once per tool or pool, with the
//! recorder given to [`Sandbox::metrics`](super::Sandbox::metrics), else the
//! facade's global one.
//!
//! | series | labels |
//! |---|---|
//! | `mcp_sandbox_calls_total` | `tool` |
//! | `mcp_sandbox_failures_total` | `tool`, `cause` (`timeout`, `cpu`, `memory`, `seccomp`, `file_size`, `signal`, `exit`, `cancelled`, `unavailable`) |
//! | `mcp_sandbox_wall_seconds` (histogram) | `tool` |
//! | `mcp_sandbox_cpu_seconds` (histogram) | `tool` |
//! | `mcp_sandbox_peak_rss_bytes` (gauge: the most any call's worker held) | `tool` |
//! | `mcp_sandbox_workers_started_total` | `policy` |
//! | `mcp_sandbox_workers_replaced_total` | `policy`, `cause` |

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Recorder};

use super::failure::Failure;
use crate::sync::lock;

/// The recorder the sandbox's series go to; `None`: the global one.
pub(crate) type SharedRecorder = Option<Arc<dyn Recorder + Send + Sync>>;

fn with<T>(recorder: &SharedRecorder, register: impl FnOnce() -> T) -> T {
    match recorder {
        Some(recorder) => metrics::with_local_recorder(recorder.as_ref(), register),
        None => register(),
    }
}

/// One sandboxed tool's series.
pub(crate) struct ToolMetrics {
    recorder: SharedRecorder,
    tool: String,
    calls: Counter,
    wall: Histogram,
    cpu: Histogram,
    peak_rss: Gauge,
    peak_seen: Mutex<u64>,
    failures: Mutex<Vec<(&'static str, Counter)>>,
}

impl std::fmt::Debug for ToolMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolMetrics")
            .field("tool", &self.tool)
            .finish_non_exhaustive()
    }
}

impl ToolMetrics {
    pub(crate) fn new(recorder: SharedRecorder, tool: &str) -> Self {
        let tool = tool.to_owned();
        let (calls, wall, cpu, peak_rss) = with(&recorder, || {
            let label = [("tool", tool.clone())];
            (
                metrics::counter!("mcp_sandbox_calls_total", &label),
                metrics::histogram!("mcp_sandbox_wall_seconds", &label),
                metrics::histogram!("mcp_sandbox_cpu_seconds", &label),
                metrics::gauge!("mcp_sandbox_peak_rss_bytes", &label),
            )
        });
        ToolMetrics {
            recorder,
            tool,
            calls,
            wall,
            cpu,
            peak_rss,
            peak_seen: Mutex::new(0),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// One call ran: its wall and CPU time, its worker's peak memory, and how it
    /// failed, if it did.
    pub(crate) fn call(
        &self,
        wall: Duration,
        cpu: Duration,
        peak_rss: u64,
        failure: Option<&Failure>,
    ) {
        self.calls.increment(1);
        self.wall.record(wall.as_secs_f64());
        self.cpu.record(cpu.as_secs_f64());
        {
            let mut seen = lock(&self.peak_seen);
            if peak_rss > *seen {
                *seen = peak_rss;
                self.peak_rss.set(peak_rss as f64);
            }
        }
        if let Some(failure) = failure {
            self.failure(failure.cause());
        }
    }

    fn failure(&self, cause: &'static str) {
        let mut failures = lock(&self.failures);
        if let Some((_, counter)) = failures.iter().find(|(held, _)| *held == cause) {
            counter.increment(1);
            return;
        }
        let counter = with(&self.recorder, || {
            metrics::counter!(
                "mcp_sandbox_failures_total",
                "tool" => self.tool.clone(),
                "cause" => cause
            )
        });
        counter.increment(1);
        failures.push((cause, counter));
    }
}

/// One pool's series.
pub(crate) struct PoolMetrics {
    recorder: SharedRecorder,
    policy: String,
    started: Counter,
    replaced: Mutex<Vec<(&'static str, Counter)>>,
}

impl std::fmt::Debug for PoolMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolMetrics")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl PoolMetrics {
    pub(crate) fn new(recorder: SharedRecorder, policy: &str) -> Self {
        let policy = policy.to_owned();
        let started = with(
            &recorder,
            || metrics::counter!("mcp_sandbox_workers_started_total", "policy" => policy.clone()),
        );
        PoolMetrics {
            recorder,
            policy,
            started,
            replaced: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn started(&self) {
        self.started.increment(1);
    }

    pub(crate) fn replaced(&self, cause: &'static str) {
        let mut replaced = lock(&self.replaced);
        if let Some((_, counter)) = replaced.iter().find(|(held, _)| *held == cause) {
            counter.increment(1);
            return;
        }
        let counter = with(&self.recorder, || {
            metrics::counter!(
                "mcp_sandbox_workers_replaced_total",
                "policy" => self.policy.clone(),
                "cause" => cause
            )
        });
        counter.increment(1);
        replaced.push((cause, counter));
    }
}
