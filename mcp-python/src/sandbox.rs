//! Sandboxed Python tools (`sandbox=True`, the `security` settings' `sandbox`): the
//! policies as the Python side gives them, and the two halves of a worker's life.
//!
//! A worker is the interpreter started again on the server's own script, through
//! `python -m boltmcp._worker` (which runs the script as `__main__`): the script
//! defines its tools as it always does, and when it reaches `run`, the server
//! confines the process and serves its sandboxed tools to the parent instead
//! ([`boltmcp::layers::sandbox::serve_worker`]). The parent's side is boltmcp's
//! [`Sandbox`], whose workers run that command line
//! ([`boltmcp::layers::sandbox::init_program`]).

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

#[cfg(target_os = "linux")]
use boltmcp::layers::sandbox::{Sandbox, SandboxPolicy, WorkerProgram};
use boltmcp::server::Server;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A policy as Python says it: what is given replaces the default's (or, for one
/// tool, the server's) value. Times are in seconds, sizes in bytes.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct PolicySettings {
    cpu_time: Option<f64>,
    wall_clock: Option<f64>,
    memory: Option<u64>,
    file_size: Option<u64>,
    open_files: Option<u64>,
    processes: Option<u32>,
    network: Option<bool>,
    read_only: Vec<PathBuf>,
    read_write: Vec<PathBuf>,
    env: Vec<String>,
    workers: Option<usize>,
    max_calls_per_worker: Option<u64>,
    max_worker_rss: Option<u64>,
}

impl PolicySettings {
    /// `policy` with these settings applied over it.
    #[cfg(target_os = "linux")]
    fn apply(&self, mut policy: SandboxPolicy) -> PyResult<SandboxPolicy> {
        if let Some(seconds) = self.cpu_time {
            policy = policy.cpu_time(crate::positive_seconds("sandbox cpu_time", seconds)?);
        }
        if let Some(seconds) = self.wall_clock {
            policy = policy.wall_clock(crate::positive_seconds("sandbox wall_clock", seconds)?);
        }
        if let Some(bytes) = self.memory {
            policy = policy.memory(bytes);
        }
        if let Some(bytes) = self.file_size {
            policy = policy.file_size(bytes);
        }
        if let Some(count) = self.open_files {
            policy = policy.open_files(count);
        }
        if let Some(count) = self.processes {
            policy = policy.processes(count.max(1));
        }
        if let Some(network) = self.network {
            policy.network = network;
        }
        for path in &self.read_only {
            policy = policy.read_only(path);
        }
        for path in &self.read_write {
            policy = policy.read_write(path);
        }
        for name in &self.env {
            policy = policy.env(name);
        }
        if let Some(count) = self.workers {
            policy = policy.workers(count.max(1));
        }
        if let Some(calls) = self.max_calls_per_worker {
            policy = policy.max_calls_per_worker(calls.max(1));
        }
        if let Some(bytes) = self.max_worker_rss {
            policy = policy.max_worker_rss(bytes);
        }
        Ok(policy)
    }
}

/// How the server's workers start and the policy of its sandboxed tools, as the
/// Python side gives them when the server first serves.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SandboxSettings {
    /// The interpreter and the arguments before the worker marker.
    program: Vec<String>,
    /// Environment variables every worker gets.
    env: HashMap<String, String>,
    /// The server's policy, over boltmcp's defaults.
    policy: PolicySettings,
}

impl SandboxSettings {
    /// Reads the settings from JSON text.
    pub(crate) fn parse(json: &str) -> PyResult<Self> {
        let settings: SandboxSettings = serde_json::from_str(json)
            .map_err(|err| PyValueError::new_err(format!("the sandbox settings: {err}")))?;
        if settings.program.is_empty() {
            return Err(PyValueError::new_err(
                "the sandbox settings name no worker program",
            ));
        }
        Ok(settings)
    }

    /// Records how workers start, then the sandbox with the server's policy and each
    /// of `tools`' own settings over it.
    #[cfg(target_os = "linux")]
    fn sandbox(&self, tools: &HashMap<String, PolicySettings>) -> PyResult<Sandbox> {
        let mut words = self.program.iter();
        let mut program = WorkerProgram::new(words.next().map_or("", String::as_str));
        for word in words {
            program = program.arg(word);
        }
        for (name, value) in &self.env {
            program = program.env(name, value);
        }
        boltmcp::layers::sandbox::init_program(program).map_err(|err| {
            PyValueError::new_err(format!(
                "{err}: every server of a process starts its workers the same way"
            ))
        })?;
        let default = self.policy.apply(SandboxPolicy::default())?;
        let mut sandbox = Sandbox::new().policy(default.clone());
        for (tool, settings) in tools {
            sandbox = sandbox.tool_policy(tool, settings.apply(default.clone())?);
        }
        Ok(sandbox)
    }
}

/// What a server knows of its sandbox: how its workers start (once the Python side
/// said so), the sandboxed tools' own settings, and whether it is installed.
#[derive(Debug, Default)]
pub(crate) struct Sandboxing {
    settings: Option<SandboxSettings>,
    tools: HashMap<String, PolicySettings>,
    installed: bool,
}

impl Sandboxing {
    /// Takes the settings (before the server first serves).
    pub(crate) fn configure(&mut self, settings: SandboxSettings) {
        if !self.installed {
            self.settings = Some(settings);
        }
    }

    /// Records that `tool` is sandboxed, under `settings` over the server's policy
    /// (before the server runs: its workers know only the tools defined by then).
    pub(crate) fn tool(&mut self, tool: &str, settings: PolicySettings) {
        self.tools.insert(tool.to_owned(), settings);
    }

    /// `server` with its sandbox, installed on the first call (in a Tokio runtime,
    /// where its workers start warming at once); unchanged without settings.
    #[cfg(target_os = "linux")]
    pub(crate) fn install(&mut self, server: Server) -> io::Result<Server> {
        let Some(settings) = self.settings.as_ref().filter(|_| !self.installed) else {
            return Ok(server);
        };
        let sandbox = settings
            .sandbox(&self.tools)
            .map_err(|err| io::Error::other(err.to_string()))?;
        self.installed = true;
        Ok(server.sandbox(sandbox)?)
    }

    /// Sandboxed tools need Linux's confinement.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn install(&mut self, server: Server) -> io::Result<Server> {
        match self.settings {
            Some(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "sandboxed tools run only on Linux",
            )),
            None => Ok(server),
        }
    }
}

/// In a worker: confines this process and serves the server `make_server` builds
/// (after `ready`, the Python side's start of what must not exist before
/// confinement) to the parent; never returns.
#[cfg(target_os = "linux")]
pub(crate) fn serve_worker(
    py: Python<'_>,
    launch: Vec<String>,
    ready: Py<PyAny>,
    make_server: impl FnOnce() -> Server + Send,
) -> PyResult<()> {
    let args = launch.into_iter().map(std::ffi::OsString::from).collect();
    py.detach(move || -> PyResult<()> {
        boltmcp::layers::sandbox::serve_worker(args, move || {
            Python::attach(|py| {
                if let Err(err) = ready.call0(py) {
                    err.print(py);
                    // Without its event loop, the worker would take calls it never answers.
                    std::process::exit(1);
                }
            });
            make_server()
        })
    })
}

/// Sandboxed tools need Linux's confinement.
#[cfg(not(target_os = "linux"))]
pub(crate) fn serve_worker(
    _py: Python<'_>,
    _launch: Vec<String>,
    _ready: Py<PyAny>,
    _make_server: impl FnOnce() -> Server + Send,
) -> PyResult<()> {
    Err(pyo3::exceptions::PyRuntimeError::new_err(
        "sandboxed tools run only on Linux",
    ))
}
