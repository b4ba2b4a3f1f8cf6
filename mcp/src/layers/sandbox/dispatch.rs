//! [`Sandbox`]: the pools a server's sandboxed tools run in, and the path of one call
//! through them: lease a worker, run the call under the watchdog, give the worker
//! back, or bury it and say how it died.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::failure::Failure;
use super::metrics::{SharedRecorder, ToolMetrics};
use super::policy::SandboxPolicy;
use super::pool::{Lease, Pool};
use crate::protocol::{CallToolResult, code};
use crate::server::sandboxed::SandboxRunner;
use crate::server::{BoxFuture, Server, ToolCall, ToolError};
use crate::sync::lock;

/// The sandbox of a server: a default policy, policies for named tools, and where
/// its metrics go. Installed with [`Server::sandbox`].
///
/// ```no_run
/// # fn server() -> boltmcp::server::Server { boltmcp::server::Server::builder("render", "1.0").build() }
/// use boltmcp::layers::sandbox::{Sandbox, SandboxPolicy};
/// # async fn demo() -> Result<(), boltmcp::layers::sandbox::SandboxError> {
/// let sandbox = Sandbox::new()
///     .tool_policy("render", SandboxPolicy::default().memory(1 << 30).workers(4));
/// let server = server().sandbox(sandbox)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Sandbox {
    default: SandboxPolicy,
    per_tool: HashMap<String, SandboxPolicy>,
    recorder: SharedRecorder,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("default", &self.default)
            .field("per_tool", &self.per_tool)
            .finish_non_exhaustive()
    }
}

/// Why a sandbox could not be installed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// `init` was not called first in `main`: a worker started from this binary would
    /// run the server's `main` instead of serving its parent.
    #[error(
        "call boltmcp::layers::sandbox::init(make_server) first in main: without it, a worker \
         started from this binary runs main instead of serving the server"
    )]
    NotInitialised,
    /// The server already has a sandbox.
    #[error("the server already has a sandbox")]
    AlreadyInstalled,
}

impl From<SandboxError> for std::io::Error {
    fn from(err: SandboxError) -> Self {
        std::io::Error::other(err)
    }
}

impl Sandbox {
    /// A sandbox with the default [`SandboxPolicy`] for every sandboxed tool.
    pub fn new() -> Self {
        Self::default()
    }

    /// The policy of every sandboxed tool without one of its own.
    pub fn policy(mut self, policy: SandboxPolicy) -> Self {
        self.default = policy;
        self
    }

    /// The policy of the sandboxed tool `tool` (its own pool of workers).
    pub fn tool_policy(mut self, tool: impl Into<String>, policy: SandboxPolicy) -> Self {
        self.per_tool.insert(tool.into(), policy);
        self
    }

    /// Sends the sandbox's series to `recorder` (a
    /// [`Prometheus`](crate::layers::metrics::Prometheus)'s, say) instead of the
    /// `metrics` facade's global recorder.
    pub fn metrics(mut self, recorder: Arc<dyn ::metrics::Recorder + Send + Sync>) -> Self {
        self.recorder = Some(recorder);
        self
    }
}

impl Server {
    /// Runs this server's sandboxed tools (`#[tool(sandbox)]`, [`ToolDef::sandbox`](crate::server::ToolDef::sandbox))
    /// in `sandbox`'s workers; inside a Tokio runtime, the pools start warming at once.
    /// Fails unless [`init`](super::init) ran first in `main`.
    pub fn sandbox(self, sandbox: Sandbox) -> Result<Server, SandboxError> {
        if !super::entry::initialised() {
            return Err(SandboxError::NotInitialised);
        }
        let runner = Arc::new(Runner::new(sandbox));
        if tokio::runtime::Handle::try_current().is_ok() {
            runner.warm();
        }
        let runner: Arc<dyn SandboxRunner> = runner;
        self.inner
            .registry
            .sandbox
            .set(runner)
            .map_err(|_| SandboxError::AlreadyInstalled)?;
        Ok(self)
    }

    /// Ends the sandbox's idle workers now: each is killed and reaped, and its
    /// scratch directory removed. For a server that stops serving but lives on (an
    /// embedding's, whose server is dropped only when its interpreter exits, if
    /// ever); a later sandboxed call starts new workers.
    pub fn stop_sandbox_workers(&self) {
        if let Some(sandbox) = self.inner.registry.sandbox.get() {
            sandbox.stop_idle();
        }
    }
}

/// What a sandboxed call that asked the client a question is answered with.
const NO_QUESTIONS: &str = "a sandboxed tool cannot ask the client questions \
    (elicitation, sampling, roots): its worker has no line to the client; ask in an \
    unsandboxed tool and pass the answer as an argument";

/// An installed sandbox: its pools, one per distinct policy.
struct Runner {
    default: Arc<Pool>,
    per_tool: HashMap<String, Arc<Pool>>,
    recorder: SharedRecorder,
    tools: Mutex<HashMap<Arc<str>, Arc<ToolMetrics>>>,
    warmed: std::sync::Once,
}

impl Runner {
    fn new(sandbox: Sandbox) -> Self {
        let default = Pool::new(sandbox.default.clone(), "default", sandbox.recorder.clone());
        let mut pools: Vec<Arc<Pool>> = vec![default.clone()];
        let mut per_tool = HashMap::new();
        for (tool, policy) in sandbox.per_tool {
            let pool = match pools.iter().find(|pool| *pool.policy == policy) {
                Some(pool) => pool.clone(),
                None => {
                    let pool = Pool::new(policy, &tool, sandbox.recorder.clone());
                    pools.push(pool.clone());
                    pool
                }
            };
            per_tool.insert(tool, pool);
        }
        Runner {
            default,
            per_tool,
            recorder: sandbox.recorder,
            tools: Mutex::new(HashMap::new()),
            warmed: std::sync::Once::new(),
        }
    }

    fn warm(&self) {
        self.warmed.call_once(|| {
            let mut seen: Vec<*const Pool> = Vec::new();
            for pool in std::iter::once(&self.default).chain(self.per_tool.values()) {
                if !seen.contains(&Arc::as_ptr(pool)) {
                    seen.push(Arc::as_ptr(pool));
                    pool.warm();
                }
            }
        });
    }

    fn pool(&self, tool: &str) -> Arc<Pool> {
        self.per_tool.get(tool).unwrap_or(&self.default).clone()
    }

    fn metrics(&self, tool: &Arc<str>) -> Arc<ToolMetrics> {
        lock(&self.tools)
            .entry(tool.clone())
            .or_insert_with(|| Arc::new(ToolMetrics::new(self.recorder.clone(), tool)))
            .clone()
    }
}

impl SandboxRunner for Runner {
    fn stop_idle(&self) {
        for pool in std::iter::once(&self.default).chain(self.per_tool.values()) {
            pool.stop_idle();
        }
    }

    fn run(
        &self,
        tool: Arc<str>,
        timeout: Option<Duration>,
        call: ToolCall,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>> {
        self.warm();
        let pool = self.pool(&tool);
        let metrics = self.metrics(&tool);
        Box::pin(run_call(pool, metrics, tool, timeout, call))
    }
}

async fn run_call(
    pool: Arc<Pool>,
    metrics: Arc<ToolMetrics>,
    tool: Arc<str>,
    timeout: Option<Duration>,
    call: ToolCall,
) -> Result<CallToolResult, ToolError> {
    let started = Instant::now();
    let limit = timeout.map_or(pool.policy.wall_clock, |own| {
        own.min(pool.policy.wall_clock)
    });
    let lease = match pool.lease().await {
        Ok(lease) => lease,
        Err(failure) => {
            metrics.call(started.elapsed(), Duration::ZERO, 0, Some(&failure));
            return Err(ToolError::new(failure));
        }
    };
    let mut watch = Watch {
        pool: pool.clone(),
        metrics: metrics.clone(),
        lease: Some(lease),
        started,
        limit,
    };
    let running = Instant::now();
    let outcome = {
        let Some(lease) = watch.lease.as_mut() else {
            return Err(ToolError::new(Failure::Unavailable("no worker".into())));
        };
        tokio::time::timeout(
            limit,
            lease.worker.call(&tool, call.raw_arguments(), &call.ctx),
        )
        .await
    };
    let Some(lease) = watch.lease.take() else {
        return Err(ToolError::new(Failure::Unavailable("no worker".into())));
    };
    match outcome {
        Ok(Ok((result, usage))) => {
            metrics.call(started.elapsed(), usage.cpu, lease.worker.peak_rss, None);
            pool.give_back(lease);
            Ok(result)
        }
        // The worker's engine refused the request (unknown tool, bad params): it is
        // well, and the caller hears the same error; but a question to the client
        // (which the worker's link to the server cannot carry) is named as such, not
        // blamed on the caller's capabilities.
        Ok(Err(err)) if err.rpc().is_some() => {
            metrics.call(
                started.elapsed(),
                Duration::ZERO,
                lease.worker.peak_rss,
                None,
            );
            pool.give_back(lease);
            Err(match err.rpc() {
                Some(rpc) if rpc.code == code::MISSING_REQUIRED_CLIENT_CAPABILITY => {
                    ToolError::new(NO_QUESTIONS)
                }
                Some(rpc) => ToolError::protocol(rpc.clone()),
                None => ToolError::new(err),
            })
        }
        Ok(Err(_closed)) => {
            let cpu = lease.worker.cpu_used();
            let failure = pool.bury(lease).await.unwrap_or_else(|| {
                Failure::Unavailable("the worker stopped answering mid-call".into())
            });
            metrics.call(started.elapsed(), cpu, 0, Some(&failure));
            Err(ToolError::new(failure))
        }
        Err(_elapsed) => {
            let cpu = lease.worker.cpu_used();
            lease.worker.kill();
            // Killed for its time: whatever signal it shows is ours.
            let _ = pool.bury(lease).await;
            let failure = Failure::TimedOut(limit);
            metrics.call(running.elapsed(), cpu, 0, Some(&failure));
            Err(ToolError::new(failure))
        }
    }
}

/// A call's lease while the call runs: if the call is dropped (the client cancelled
/// it, or the tool's own timeout passed), its worker is killed and replaced.
struct Watch {
    pool: Arc<Pool>,
    metrics: Arc<ToolMetrics>,
    lease: Option<Lease>,
    started: Instant,
    limit: Duration,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let Some(lease) = self.lease.take() else {
            return;
        };
        let elapsed = self.started.elapsed();
        // The tool's own timeout, timed from a moment earlier, may be what dropped us.
        let failure = if elapsed.as_secs_f64() >= self.limit.as_secs_f64() * 0.95 {
            Failure::TimedOut(self.limit)
        } else {
            Failure::Cancelled
        };
        lease.worker.kill();
        self.metrics
            .call(elapsed, lease.worker.cpu_used(), 0, Some(&failure));
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = pool.bury(lease).await;
            });
        }
    }
}
