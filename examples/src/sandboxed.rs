//! The sandbox example's tools: `run` (a shell command through `SandboxedCommand`),
//! `fib`, `allocate` and `connect` (native tools in sandboxed workers), and `add`,
//! unsandboxed, beside them.

use boltmcp::layers::sandbox::{Failure, SandboxedCommand};
use boltmcp::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

/// What `run` reports: the command's output and exit code.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunOutput {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Its exit code.
    pub exit_code: i32,
}

/// Runs `sh -c command` in a sandbox: no network, a read-only filesystem but for
/// its scratch directory, 256 MiB of address space, 2 s of CPU, 5 s of wall clock,
/// 64 open files and a few processes.
///
/// command: The shell command.
/// stdin: What the command reads on standard input.
#[tool]
pub async fn run(command: String, stdin: Option<String>) -> Result<Json<RunOutput>, ToolError> {
    let output = SandboxedCommand::new("sh")
        .arg("-c")
        .arg(&command)
        .stdin(stdin.unwrap_or_default())
        .run()
        .await
        .map_err(|failure: Failure| ToolError::new(failure))?;
    let exit_code = output.exit_code.unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // The shell says 128 + N when its last command died of signal N.
    if let Some(failure) = output.shell_failure() {
        return Err(ToolError::new(format!("{failure} ({})", stderr.trim_end())));
    }
    if exit_code != 0 {
        return Err(ToolError::new(format!(
            "exit status {exit_code}: {}",
            stderr.trim_end()
        )));
    }
    Ok(Json(RunOutput {
        stdout,
        stderr,
        exit_code,
    }))
}

/// The `n`th Fibonacci number, by the naive exponential recursion, on purpose: a
/// large `n` burns CPU until the sandbox stops it. Reports its progress and logs
/// what it computes, from inside its worker.
///
/// n: Which Fibonacci number.
#[tool(sandbox)]
pub async fn fib(ctx: &Context, n: u64) -> u64 {
    fn naive(n: u64) -> u64 {
        if n < 2 {
            n
        } else {
            naive(n - 1).wrapping_add(naive(n - 2))
        }
    }
    ctx.progress(0.0, Some(1.0), Some("computing"));
    ctx.log(
        LoggingLevel::Info,
        Some("fib"),
        format!("computing fib({n})"),
    );
    let answer = naive(n);
    ctx.progress(1.0, Some(1.0), Some("done"));
    answer
}

/// Allocates `mib` MiB and touches every page of it, in a sandbox.
///
/// mib: How many MiB.
#[tool(sandbox)]
pub fn allocate(mib: u64) -> String {
    let bytes = usize::try_from(mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
    let mut block = vec![0u8; bytes];
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    format!(
        "allocated and touched {mib} MiB ({} pages)",
        block.len().div_ceil(4096)
    )
}

/// Opens a TCP connection to `address` from a sandboxed worker. The default policy
/// has no network: seccomp kills the worker at its `socket` call, and the call
/// answers so.
///
/// address: Where to connect, `host:port`.
#[tool(sandbox)]
pub fn connect(address: String) -> Result<String, ToolError> {
    std::net::TcpStream::connect(&address)
        .map(|_| format!("connected to {address}"))
        .map_err(|err| ToolError::new(format!("{address}: {err}")))
}

/// Adds two numbers, in the server's own process.
#[tool]
pub fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// The server, as both the server process and its workers build it.
pub fn server() -> Server {
    Server::builder("sandbox-example", env!("CARGO_PKG_VERSION"))
        .tool(run_tool())
        .tool(fib_tool())
        .tool(allocate_tool())
        .tool(connect_tool())
        .tool(add_tool())
        .build()
}
