//! Command-line arguments of `mcp-load`.

use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;

/// Most requests kept outstanding at once. Every outstanding request is at
/// most ~120 bytes, so 256 of them stay far below the 64 KiB pipe buffer and
/// a write to the server's stdin can never block behind an unread response.
pub(crate) const MAX_INFLIGHT: u32 = 256;

/// Load generator for stdio MCP servers: spawns each server, initializes it,
/// and times `tools/call` round trips of one tool (`add` unless told) over raw
/// newline-delimited JSON-RPC 2.0.
#[derive(Debug, Parser)]
#[command(name = "mcp-load", version)]
pub(crate) struct Args {
    /// Measured `tools/call` requests per server and run.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) calls: u64,

    /// Requests kept in flight (1 = strictly sequential).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INFLIGHT)))]
    pub(crate) inflight: u32,

    /// Runs; each run visits every server once, in the order given.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) runs: u32,

    /// Pin the load generator, and through inheritance every server it
    /// spawns, to this CPU core.
    #[arg(long, value_name = "CORE")]
    pub(crate) pin: Option<usize>,

    /// Unmeasured `tools/call` requests sent after `initialize`, per run.
    #[arg(long, default_value_t = 1_000)]
    pub(crate) warmup: u64,

    /// Longest wait for any single response before the run is failed.
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) timeout_ms: u64,

    /// The tool every measured request calls.
    #[arg(long, default_value = "add")]
    pub(crate) tool: String,

    /// Its arguments, a JSON object.
    #[arg(long, default_value = r#"{"a":1,"b":2}"#, value_parser = parse_arguments)]
    pub(crate) arguments: String,

    /// Print one JSON document on stdout instead of the table.
    #[arg(long)]
    pub(crate) json: bool,

    /// Let servers write to this terminal's stderr (default: /dev/null).
    #[arg(long)]
    pub(crate) server_stderr: bool,

    /// A server to measure, as NAME=COMMAND; COMMAND is split on whitespace.
    /// The first server is the reference for the printed ratios.
    #[arg(long = "server", value_name = "NAME=COMMAND", required = true, value_parser = parse_server)]
    pub(crate) servers: Vec<ServerSpec>,
}

impl Args {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

fn parse_arguments(text: &str) -> Result<String, String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(text.to_owned()),
        Ok(_) => Err("the arguments must be a JSON object".into()),
        Err(err) => Err(format!("the arguments are not JSON: {err}")),
    }
}

/// One server under test.
#[derive(Debug, Clone)]
pub(crate) struct ServerSpec {
    pub(crate) name: String,
    pub(crate) program: String,
    pub(crate) args: Vec<String>,
}

impl ServerSpec {
    /// The command line as given, re-joined with single spaces.
    pub(crate) fn command_line(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn parse_server(raw: &str) -> anyhow::Result<ServerSpec> {
    let (name, command) = raw
        .split_once('=')
        .context("expected NAME=COMMAND, e.g. rmcp=target/anchors/release/rmcp-calculator")?;
    let name = name.trim();
    if name.is_empty() {
        bail!("server name before '=' is empty");
    }
    let mut words = command.split_whitespace().map(str::to_owned);
    let Some(program) = words.next() else {
        bail!("command for server {name:?} is empty");
    };
    Ok(ServerSpec {
        name: name.to_owned(),
        program,
        args: words.collect(),
    })
}

/// Rejects duplicate server names, which would make the report ambiguous.
pub(crate) fn check_unique_names(servers: &[ServerSpec]) -> anyhow::Result<()> {
    for (i, server) in servers.iter().enumerate() {
        if servers[..i].iter().any(|other| other.name == server.name) {
            bail!("server name {:?} given twice", server.name);
        }
    }
    Ok(())
}
