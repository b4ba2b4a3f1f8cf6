//! The server's handle on one warm worker: its process, the client that talks to
//! the worker's engine over its pipes, and what the worker said on stderr.
//!
//! Parent and worker speak MCP itself (2026-07-28, stateless) through boltmcp's own
//! client and server engines: a call's progress and log notifications come back as
//! notifications and are passed on to the caller's [`Context`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::audit::Whose;
use super::failure::Failure;
use super::launcher::{self, Kind, Scratch};
use super::policy::SandboxPolicy;
use crate::client::{CallOptions, Client, ClientError, EraChoice};
use crate::protocol::{
    CallToolResult, LoggingLevel, META_LOG_LEVEL, META_PROGRESS_TOKEN, META_SERVER_INFO,
};
use crate::server::Context;
use crate::sync::lock;

/// The `_meta` key under which a worker reports what a call cost it.
pub(crate) const META_USAGE: &str = "dev.boltmcp/sandboxUsage";

/// How long a worker may take to confine itself and answer `server/discover`.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a worker's stderr is kept for saying why it died.
const STDERR_TAIL: usize = 4096;

/// The call a worker is serving, where its notifications go.
type Current = Arc<Mutex<Option<Context>>>;

/// What one call cost, as the worker measured it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub(crate) cpu: Duration,
    pub(crate) peak_rss: u64,
}

pub(crate) struct Worker {
    child: tokio::process::Child,
    pid: Pid,
    client: Client,
    scratch: Scratch,
    stderr: Arc<Mutex<String>>,
    current: Current,
    /// Calls served.
    pub(crate) calls: u64,
    /// The most resident memory the worker has held, in bytes.
    pub(crate) peak_rss: u64,
    /// Whether the process has been waited for.
    reaped: bool,
}

impl Drop for Worker {
    /// A worker dropped without [`Worker::end`] (its server shutting down) is killed
    /// and reaped here, at once: a zombie left to a system init that may never reap
    /// it would outlive the server.
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        kill_group(self.pid);
        if self.pid.as_raw() > 0 {
            let _ = nix::sys::wait::waitpid(self.pid, None);
        }
        self.scratch.remove();
    }
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("pid", &self.pid)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Starts a worker under `policy` and waits until it answers.
    pub(crate) async fn start(policy: &SandboxPolicy) -> Result<Worker, Failure> {
        let unavailable = |what: &str, err: &dyn std::fmt::Display| {
            Failure::Unavailable(format!("{what}: {err}"))
        };
        let (mut child, scratch) = launcher::start(Kind::Worker, policy)
            .await
            .map_err(|err| unavailable("starting a worker", &err))?;
        let pid = Pid::from_raw(
            child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .unwrap_or(0),
        );
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(out) = child.stderr.take() {
            tokio::spawn(keep_stderr(out, stderr.clone()));
        }
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            scratch.remove();
            return Err(Failure::Unavailable("the worker has no pipes".into()));
        };
        let current: Current = Arc::new(Mutex::new(None));
        let client = Client::builder()
            .era(EraChoice::Modern)
            .timeout(None)
            .on_notification(forward_notifications(current.clone()))
            .connect_io(stdout, stdin, None);
        let client = match tokio::time::timeout(START_TIMEOUT, client).await {
            Ok(Ok(client)) => client,
            outcome => {
                kill_group(pid);
                let status = child.wait().await;
                scratch.remove();
                let said = lock(&stderr).clone();
                let failure = status
                    .ok()
                    .and_then(|status| Failure::of_exit(status, &said, policy));
                return Err(match (failure, outcome) {
                    (Some(failure), _) => failure,
                    (None, Ok(Err(err))) => unavailable("the worker did not answer", &err),
                    (None, _) => Failure::Unavailable("the worker did not start in time".into()),
                });
            }
        };
        Ok(Worker {
            child,
            pid,
            client,
            scratch,
            stderr,
            current,
            calls: 0,
            peak_rss: 0,
            reaped: false,
        })
    }

    /// Whether the worker is still running.
    pub(crate) fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Runs `tool` with `arguments` (JSON text) in the worker, its notifications going
    /// to `ctx`. The result's usage report is taken out of its `_meta`.
    pub(crate) async fn call(
        &mut self,
        tool: &str,
        arguments: &str,
        ctx: &Context,
    ) -> Result<(CallToolResult, Usage), ClientError> {
        let arguments: Value = serde_json::from_str(arguments)
            .map_err(|err| ClientError::Malformed(format!("arguments: {err}")))?;
        *lock(&self.current) = Some(ctx.clone());
        let _done = ClearOnDrop(&self.current);
        self.calls += 1;
        let mut result = self
            .client
            .call_tool_with(tool, arguments, worker_call(ctx))
            .await?;
        let usage = take_usage(&mut result);
        self.peak_rss = self.peak_rss.max(usage.peak_rss);
        Ok((result, usage))
    }

    /// Kills the worker and everything it started (its process group).
    pub(crate) fn kill(&self) {
        kill_group(self.pid);
    }

    /// CPU time the worker has used, from `/proc` (for a call cut short before the
    /// worker could report it).
    pub(crate) fn cpu_used(&self) -> Duration {
        cpu_of(self.pid)
    }

    /// Ends the worker: kills it unless it already died, reaps it, removes its
    /// scratch directory, and says how it died if it died on its own.
    pub(crate) async fn end(mut self, policy: &SandboxPolicy) -> Option<Failure> {
        // A worker whose pipe closed is exiting: give it a moment to finish, so its
        // own cause of death is the one reported.
        let status = match tokio::time::timeout(Duration::from_millis(200), self.child.wait()).await
        {
            Ok(status) => status.ok(),
            Err(_) => {
                kill_group(self.pid);
                None
            }
        };
        let status = match status {
            Some(status) => Some(status),
            None => self.child.wait().await.ok(),
        };
        self.reaped = true;
        // Whatever it left running in its group goes with it.
        kill_group(self.pid);
        self.scratch.remove();
        let said = lock(&self.stderr).clone();
        let pid = self.pid.as_raw().unsigned_abs();
        status
            .and_then(|status| Failure::of_exit(status, &said, policy))
            .map(|failure| failure.named(Whose::Process(pid)))
    }
}

struct ClearOnDrop<'a>(&'a Current);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        *lock(self.0) = None;
    }
}

fn kill_group(pid: Pid) {
    if pid.as_raw() > 0 {
        // ESRCH: nothing left to kill.
        let _ = killpg(pid, Signal::SIGKILL);
    }
}

/// User plus system CPU time of `pid`, from `/proc/<pid>/stat` (zero if unreadable).
fn cpu_of(pid: Pid) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&at| fields.get(at)?.parse::<u64>().ok())
        .sum();
    // USER_HZ is 100 on every Linux architecture boltmcp builds for.
    Duration::from_millis(ticks * 10)
}

/// What a request to a worker carries in `_meta`: a progress token when the caller
/// asked for progress, and the caller's log level, so the worker sends only what
/// will reach the client.
fn worker_call(ctx: &Context) -> CallOptions {
    let mut options = CallOptions::new().no_timeout();
    if ctx.wants_progress() {
        options = options.meta(META_PROGRESS_TOKEN, json!("sandbox"));
    }
    if let Some(level) = ctx.wanted_level() {
        options = options.meta(META_LOG_LEVEL, json!(level));
    }
    options
}

/// Takes the worker's usage report out of `result`, with what the worker's engine
/// added for its own 2026-07-28 caller (the server's engine adds its own for the
/// server's caller).
fn take_usage(result: &mut CallToolResult) -> Usage {
    result.result_type = None;
    let report = result.meta.as_mut().and_then(|meta| {
        meta.remove(META_SERVER_INFO);
        meta.remove(META_USAGE)
    });
    if result.meta.as_ref().is_some_and(|meta| meta.is_empty()) {
        result.meta = None;
    }
    let Some(report) = report else {
        return Usage::default();
    };
    Usage {
        cpu: Duration::from_micros(report.get("cpuMicros").and_then(Value::as_u64).unwrap_or(0)),
        peak_rss: report
            .get("peakRssBytes")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    }
}

fn forward_notifications(current: Current) -> impl Fn(&str, Value) + Send + Sync + 'static {
    move |method, params| {
        let Some(ctx) = lock(&current).clone() else {
            return;
        };
        match method {
            "notifications/progress" => ctx.progress(
                params
                    .get("progress")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0),
                params.get("total").and_then(Value::as_f64),
                params.get("message").and_then(Value::as_str),
            ),
            "notifications/message" => {
                let level = params
                    .get("level")
                    .and_then(|level| serde_json::from_value(level.clone()).ok())
                    .unwrap_or(LoggingLevel::Info);
                let logger = params.get("logger").and_then(Value::as_str);
                ctx.log(
                    level,
                    logger,
                    params.get("data").cloned().unwrap_or(Value::Null),
                );
            }
            _ => {}
        }
    }
}

/// Keeps the last of what a worker writes on stderr, and logs its warnings once per
/// server process.
async fn keep_stderr(out: tokio::process::ChildStderr, tail: Arc<Mutex<String>>) {
    static WARNED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut lines = BufReader::new(out).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(warning) = line.strip_prefix("boltmcp sandbox: warning: ") {
            let warned = WARNED.get_or_init(Default::default);
            if lock(warned).insert(warning.to_owned()) {
                tracing::warn!("sandbox: {warning}");
            }
        } else {
            tracing::debug!(target: "boltmcp::sandbox::stderr", "{line}");
        }
        let mut tail = lock(&tail);
        tail.push_str(&line);
        tail.push('\n');
        if tail.len() > STDERR_TAIL {
            let cut = tail.len() - STDERR_TAIL;
            let cut = (cut..tail.len())
                .find(|&at| tail.is_char_boundary(at))
                .unwrap_or(cut);
            tail.drain(..cut);
        }
    }
}
