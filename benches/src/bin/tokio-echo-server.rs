//! The floor of an async stdio server: tokio's current-thread runtime and non-blocking
//! pipes, answering each line with a canned response and doing nothing else. Compared
//! with `echo-server` (blocking std IO) it shows what the runtime's reactor costs per
//! round trip, before any MCP work.

use std::io;
use std::os::fd::AsFd;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::pipe;

/// The request id as JSON text, found without parsing the line.
fn id_of(line: &str) -> Option<&str> {
    let start = line.find("\"id\":")? + 5;
    let rest = &line[start..];
    let end = rest.find([',', '}'])?;
    Some(rest[..end].trim())
}

fn main() -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let stdin = std::fs::File::from(io::stdin().as_fd().try_clone_to_owned()?);
        let stdout = std::fs::File::from(io::stdout().as_fd().try_clone_to_owned()?);
        let mut reader = BufReader::new(pipe::Receiver::from_file(stdin)?);
        let mut writer = pipe::Sender::from_file(stdout)?;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let Some(id) = id_of(&line) else { continue };
            let out = if line.contains("\"initialize\"") {
                format!(
                    "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{{}},\"serverInfo\":{{\"name\":\"tokio-echo\",\"version\":\"1\"}}}}}}\n"
                )
            } else {
                format!(
                    "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"3\"}}],\"structuredContent\":{{\"result\":3}},\"isError\":false}}}}\n"
                )
            };
            writer.write_all(out.as_bytes()).await?;
        }
    })
}
