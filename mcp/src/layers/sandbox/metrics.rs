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

/// A counter per cause, beside one fixed label, registered when a cause first
/// happens (causes are few and fixed: the set stays small).
struct ByCause {
    recorder: SharedRecorder,
    name: &'static str,
    label: (&'static str, String),
    counters: Mutex<Vec<(&'static str, Counter)>>,
}

impl ByCause {
    fn new(recorder: SharedRecorder, name: &'static str, label: (&'static str, String)) -> Self {
        ByCause {
            recorder,
            name,
            label,
            counters: Mutex::new(Vec::new()),
        }
    }

    fn increment(&self, cause: &'static str) {
        let mut counters = lock(&self.counters);
        if let Some((_, counter)) = counters.iter().find(|(held, _)| *held == cause) {
            counter.increment(1);
            return;
        }
        let labels = [
            (self.label.0, self.label.1.clone()),
            ("cause", cause.to_owned()),
        ];
        let counter = with(&self.recorder, || metrics::counter!(self.name, &labels));
        counter.increment(1);
        counters.push((cause, counter));
    }
}

/// One sandboxed tool's series.
pub(crate) struct ToolMetrics {
    calls: Counter,
    wall: Histogram,
    cpu: Histogram,
    peak_rss: Gauge,
    peak_seen: Mutex<u64>,
    failures: ByCause,
}

impl std::fmt::Debug for ToolMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolMetrics")
            .field("tool", &self.failures.label.1)
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
            calls,
            wall,
            cpu,
            peak_rss,
            peak_seen: Mutex::new(0),
            failures: ByCause::new(recorder, "mcp_sandbox_failures_total", ("tool", tool)),
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
            self.failures.increment(failure.cause());
        }
    }
}

/// One pool's series.
pub(crate) struct PoolMetrics {
    started: Counter,
    replaced: ByCause,
}

impl std::fmt::Debug for PoolMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolMetrics")
            .field("policy", &self.replaced.label.1)
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
            started,
            replaced: ByCause::new(
                recorder,
                "mcp_sandbox_workers_replaced_total",
                ("policy", policy),
            ),
        }
    }

    pub(crate) fn started(&self) {
        self.started.increment(1);
    }

    pub(crate) fn replaced(&self, cause: &'static str) {
        self.replaced.increment(cause);
    }
}
