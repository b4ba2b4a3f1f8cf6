//! rmcp's calculator (`rmcp_calculator::Calculator`) on rmcp's
//! `StreamableHttpService` at `/mcp`: the anchor of benches/run-http.sh.
//!
//! ```text
//! rmcp-calculator-http 127.0.0.1:PORT [--stateless]
//! ```
//!
//! It serves on hyper (HTTP/1.1 and HTTP/2 cleartext), the same accept loop
//! boltmcp's `serve` uses, `TCP_NODELAY` set on every accepted socket: rmcp's
//! examples leave it off, and then a response written in two pieces waits on the
//! client's delayed ACK (about 40 ms per request on Linux). In session mode (the
//! default) that is rmcp's default config, legacy sessions in a
//! `LocalSessionManager`, SSE responses; `--stateless` turns legacy sessions off and
//! asks for JSON responses.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use rmcp_calculator::Calculator;
use tower_service::Service as _;

const USAGE: &str = "usage: rmcp-calculator-http 127.0.0.1:PORT [--stateless]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [addr] => serve_http(addr.parse()?, false).await,
        [addr, mode] if mode == "--stateless" => serve_http(addr.parse()?, true).await,
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Serves `StreamableHttpService` at `/mcp` on `addr` until the process ends.
async fn serve_http(addr: SocketAddr, stateless: bool) -> anyhow::Result<()> {
    let config = if stateless {
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
    } else {
        StreamableHttpServerConfig::default()
    };
    let service = StreamableHttpService::new(
        || Ok(Calculator::new()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!(
        "rmcp-calculator: rmcp at http://{}/mcp ({})",
        listener.local_addr()?,
        if stateless { "stateless" } else { "sessions" }
    );
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                eprintln!("rmcp-calculator: accept failed: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                continue;
            }
        };
        stream.set_nodelay(true)?;
        let service = service.clone();
        let hyper_service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut service = service.clone();
            async move {
                if request.uri().path() != "/mcp" {
                    return Ok(Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body(Full::new(Bytes::new()).boxed())
                        .expect("a valid response"));
                }
                service.call(request).await
            }
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), hyper_service)
            .into_owned();
        tokio::spawn(async move {
            // A client that hangs up mid-request ends its connection with an error;
            // nothing to report (boltmcp's serve logs it at debug level only).
            let _ = connection.await;
        });
    }
}
