//! `http-sessions`: what one idle legacy Streamable HTTP session costs a server, in
//! resident memory.
//!
//! Opens `--concurrency` keep-alive HTTP/1.1 connections to the endpoint, sets up
//! `--warmup` sessions on them (so lazily built state, thread stacks, allocator
//! arenas and the connections themselves are part of the baseline), reads the
//! server's `VmRSS` from `/proc/PID/status`, sets up `--sessions` more, reads `VmRSS`
//! again and prints the growth divided by the number of new sessions. A session is
//! set up the way a client does it: `initialize` (its `Mcp-Session-Id` taken from the
//! response), then `notifications/initialized` carrying that id. The sessions are
//! then left idle; the connections stay open until after the second reading.
//!
//! ```text
//! http-sessions --url http://127.0.0.1:PORT/mcp --pid PID [--sessions 10000]
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use clap::Parser;
use http::{HeaderValue, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"http-sessions","version":"0.1.0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
const PROTOCOL_VERSION: &str = "2025-11-25";

/// Command line of `http-sessions`.
#[derive(Debug, Parser)]
#[command(about = "Resident memory per idle legacy MCP session of an HTTP server")]
struct Args {
    /// The MCP endpoint, `http://127.0.0.1:PORT/mcp` (plain HTTP on loopback).
    #[arg(long)]
    url: String,
    /// The server's process id, whose `VmRSS` is read.
    #[arg(long)]
    pid: u32,
    /// Sessions measured.
    #[arg(long, default_value_t = 10_000)]
    sessions: usize,
    /// Sessions set up before the first reading.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Pause before each reading, for the server to finish its background work.
    #[arg(long, default_value_t = 500)]
    settle_ms: u64,
    /// A name for the report line.
    #[arg(long, default_value = "server")]
    name: String,
}

/// `host:port` and path of a plain `http://` URL.
fn split_url(url: &str) -> anyhow::Result<(String, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    ensure!(!authority.is_empty(), "{url}: no host");
    Ok((authority.to_owned(), path.to_owned()))
}

/// The process's resident set size, in KiB.
fn vm_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .with_context(|| format!("no VmRSS in {path}"))?;
    line.trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("parsing {line:?}"))
}

/// One keep-alive connection's request side.
struct Conn {
    send: SendRequest<Full<Bytes>>,
    authority: String,
    path: String,
}

impl Conn {
    async fn open(authority: &str, path: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(authority)
            .await
            .with_context(|| format!("connecting to {authority}"))?;
        stream.set_nodelay(true)?;
        let (send, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                eprintln!("http-sessions: connection ended: {err}");
            }
        });
        Ok(Conn {
            send,
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }

    /// POSTs `body` and reads the whole response.
    async fn post(
        &mut self,
        body: &'static str,
        session: Option<&HeaderValue>,
    ) -> anyhow::Result<(StatusCode, Option<HeaderValue>, Bytes)> {
        let mut request = Request::post(self.path.as_str())
            .header(http::header::HOST, self.authority.as_str())
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::ACCEPT, "application/json, text/event-stream");
        if let Some(id) = session {
            request = request
                .header("mcp-session-id", id)
                .header("mcp-protocol-version", PROTOCOL_VERSION);
        }
        let request = request.body(Full::new(Bytes::from_static(body.as_bytes())))?;
        self.send.ready().await.context("connection closed")?;
        let response = self.send.send_request(request).await?;
        let status = response.status();
        let id = response.headers().get("mcp-session-id").cloned();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, id, body))
    }

    /// Sets up one session: `initialize`, then `notifications/initialized`.
    async fn open_session(&mut self) -> anyhow::Result<()> {
        let (status, id, body) = self.post(INITIALIZE, None).await?;
        let text = String::from_utf8_lossy(&body);
        if status != StatusCode::OK || !text.contains("\"result\"") {
            bail!("initialize answered {status}: {text}");
        }
        let id = id.context("initialize answered without Mcp-Session-Id")?;
        let (status, _, body) = self.post(INITIALIZED, Some(&id)).await?;
        if !status.is_success() {
            bail!(
                "notifications/initialized answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(())
    }
}

/// Sets up `total` sessions spread over `conns`, one request in flight on each.
async fn open_sessions(conns: Vec<Conn>, total: usize) -> anyhow::Result<Vec<Conn>> {
    let n = conns.len();
    let mut tasks = Vec::with_capacity(n);
    for (i, mut conn) in conns.into_iter().enumerate() {
        let share = total / n + usize::from(i < total % n);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                conn.open_session().await?;
            }
            anyhow::Ok(conn)
        }));
    }
    let mut conns = Vec::with_capacity(n);
    for task in tasks {
        conns.push(task.await??);
    }
    Ok(conns)
}

async fn run(args: Args) -> anyhow::Result<()> {
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    ensure!(args.sessions > 0, "--sessions must be at least 1");
    let (authority, path) = split_url(&args.url)?;
    let settle = Duration::from_millis(args.settle_ms);
    let mut conns = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        conns.push(Conn::open(&authority, &path).await?);
    }
    let conns = open_sessions(conns, args.warmup).await?;
    tokio::time::sleep(settle).await;
    let before = vm_rss_kib(args.pid)?;

    let start = Instant::now();
    let conns = open_sessions(conns, args.sessions).await?;
    let took = start.elapsed();
    tokio::time::sleep(settle).await;
    let after = vm_rss_kib(args.pid)?;
    drop(conns);

    let growth = after.saturating_sub(before) * 1024;
    println!(
        "{:<10} {} sessions in {:.2} s  VmRSS {} -> {} KiB  {:.0} bytes/session",
        args.name,
        args.sessions,
        took.as_secs_f64(),
        before,
        after,
        growth as f64 / args.sessions as f64,
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn splits_urls() {
        let (authority, path) = split_url("http://127.0.0.1:8080/mcp").expect("valid");
        assert_eq!(
            (authority.as_str(), path.as_str()),
            ("127.0.0.1:8080", "/mcp")
        );
        let (authority, path) = split_url("http://127.0.0.1:9").expect("valid");
        assert_eq!((authority.as_str(), path.as_str()), ("127.0.0.1:9", "/"));
        assert!(split_url("https://x/mcp").is_err());
    }
}
