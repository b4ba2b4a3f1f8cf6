//! rmcp calculator: one tool, `add(a, b)`, the comparison anchor of boltmcp's
//! benchmarks; the tool and handler written the way rmcp's own examples are.
//!
//! ```text
//! rmcp-calculator                                 stdio (mcp-load, run-stdio.sh)
//! rmcp-calculator --http 127.0.0.1:PORT [--stateless]    Streamable HTTP at /mcp
//! ```
//!
//! Without arguments it serves rmcp's non-blocking stdio transport
//! (`rmcp::transport::stdio_pipes`). With `--http` it serves rmcp's
//! `StreamableHttpService` at `/mcp` on hyper (HTTP/1.1 and HTTP/2 cleartext), the
//! same accept loop boltmcp's `serve` uses, `TCP_NODELAY` set on every accepted
//! socket: rmcp's examples leave it off, and then a response written in two pieces
//! waits on the client's delayed ACK (about 40 ms per request on Linux). In session
//! mode (the default) that is rmcp's default config, legacy sessions in a
//! `LocalSessionManager`, SSE responses; `--stateless` turns legacy sessions off
//! and asks for JSON responses.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rmcp::{
    Json, ServerHandler, ServiceExt as _,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    },
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tower_service::Service as _;

/// Arguments of `add`.
#[derive(Debug, Deserialize, JsonSchema)]
struct AddRequest {
    /// Left operand.
    a: f64,
    /// Right operand.
    b: f64,
}

/// Structured result of `add`.
#[derive(Debug, Serialize, JsonSchema)]
struct AddResult {
    /// `a + b`.
    result: f64,
}

#[derive(Debug, Clone)]
struct Calculator {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Calculator {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add two numbers")]
    fn add(&self, Parameters(AddRequest { a, b }): Parameters<AddRequest>) -> Json<AddResult> {
        Json(AddResult { result: a + b })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions("A calculator with one tool, add.")
    }
}

const USAGE: &str =
    "usage: rmcp-calculator [--http 127.0.0.1:PORT [--stateless]]   (stdio without arguments)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {
            let service = Calculator::new()
                .serve(rmcp::transport::stdio_pipes())
                .await?;
            service.waiting().await?;
            Ok(())
        }
        [flag, addr] if flag == "--http" => serve_http(addr.parse()?, false).await,
        [flag, addr, mode] if flag == "--http" && mode == "--stateless" => {
            serve_http(addr.parse()?, true).await
        }
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
