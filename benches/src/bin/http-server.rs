//! `http-server`: boltmcp's side of the HTTP benchmark (`benches/run-http.sh`).
//!
//! The calculator's `add` tool, served over Streamable HTTP at `/mcp` on a
//! multi-thread tokio runtime, with boltmcp's own `serve` (hyper, HTTP/1.1 and
//! HTTP/2 cleartext, `TCP_NODELAY` on every accepted socket).
//!
//! ```text
//! http-server --addr 127.0.0.1:PORT [--stateless]
//! ```
//!
//! Without `--stateless` legacy clients get sessions (`Mcp-Session-Id`), as with
//! `Server::serve_http`; with it every legacy request is served as if initialised.
//! 2026-07-28 requests are stateless in both modes.
//!
//! `--jwt-secret SECRET` requires an HS256 JWT on every request (issuer
//! `bench-issuer`, audience `http://ADDR/mcp`), verified through boltmcp's auth and
//! its cache of verified tokens; `--mint-token` prints such a token and exits.
//!
//! `--rate-limit QUOTA` puts the calculator behind rate limits per caller, on `add`
//! and global, each of QUOTA.
//!
//! `--metrics` records every request with the metrics layer into a Prometheus
//! recorder and serves it at `/metrics`.
//!
//! `--tls-self-signed` serves HTTPS (TLS 1.3 or 1.2 as the client offers, ALPN h2 and
//! http/1.1) with a certificate for `127.0.0.1` made at start: the HTTPS row.

use std::net::SocketAddr;

use anyhow::Context as _;
use boltmcp::prelude::*;
use boltmcp::transport::http::{HttpConfig, MCP_PATH, serve, serve_tls};
use boltmcp::transport::tls::ServerTls;
use clap::Parser;

/// Adds two numbers.
///
/// a: the first addend
/// b: the second addend
#[tool(annotations(read_only, idempotent))]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Command line of `http-server`.
#[derive(Debug, Parser)]
#[command(about = "boltmcp's calculator `add` over Streamable HTTP, for run-http.sh")]
struct Args {
    /// Address to listen on; keep it on loopback.
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Keep no legacy sessions.
    #[arg(long)]
    stateless: bool,
    /// Require HS256 JWTs signed with this secret (at least 32 bytes).
    #[arg(long)]
    jwt_secret: Option<String>,
    /// Print a token for `--jwt-secret` and `--addr`, valid for a day, and exit.
    #[arg(long, requires = "jwt_secret")]
    mint_token: bool,
    /// Serve HTTPS with a self-signed certificate for 127.0.0.1 made at start.
    #[arg(long)]
    tls_self_signed: bool,
    /// Rate limits per caller, on the `add` tool and global, each this quota
    /// (`1000000/s`: high enough never to refuse, to measure their cost).
    #[arg(long)]
    rate_limit: Option<String>,
    /// Record every request (metrics layer, Prometheus) and serve `/metrics`.
    #[arg(long)]
    metrics: bool,
}

fn self_signed() -> anyhow::Result<ServerTls> {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])?;
    Ok(ServerTls::from_pem(
        certified.cert.pem().as_bytes(),
        certified.signing_key.serialize_pem().as_bytes(),
    )?)
}

const ISSUER: &str = "bench-issuer";

fn auth(secret: &str, audience: &str) -> anyhow::Result<boltmcp::layers::auth::Auth> {
    use boltmcp::layers::auth::{Algorithm, Auth, JwtKey, JwtVerifier};
    let verifier = JwtVerifier::builder()
        .issuer(ISSUER)
        .audience(audience)
        .key(JwtKey::hmac(Algorithm::HS256, secret).map_err(|e| anyhow::anyhow!("{e}"))?)
        .build()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Auth::builder(verifier)
        .resource(audience)
        .authorization_server(ISSUER)
        .build())
}

fn mint(secret: &str, audience: &str) -> anyhow::Result<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let claims = serde_json::json!({ "iss": ISSUER, "aud": audience, "sub": "bench",
                                     "iat": now, "exp": now + 24 * 3600 });
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())?;
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &key,
    )?)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = Server::builder("calculator", env!("CARGO_PKG_VERSION"))
        .title("Calculator")
        .instructions("A calculator with one tool, add.")
        .tool(add_tool())
        .build();
    let audience = format!("http://{}{MCP_PATH}", args.addr);
    if args.mint_token {
        println!(
            "{}",
            mint(args.jwt_secret.as_deref().unwrap_or_default(), &audience)?
        );
        return Ok(());
    }
    let mut config = if args.stateless {
        HttpConfig::default().stateless()
    } else {
        HttpConfig::default()
    };
    if let Some(secret) = &args.jwt_secret {
        config = config.auth(auth(secret, &audience)?);
    }
    if args.metrics {
        config = config.metrics(boltmcp::layers::metrics::Prometheus::new());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let tls = args.tls_self_signed.then(self_signed).transpose()?;
    let server = match &args.rate_limit {
        Some(text) => {
            let quota = boltmcp::server::Quota::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?;
            server.gate(
                boltmcp::layers::rate_limit::RateLimitLayer::builder()
                    .per_caller(quota)
                    .tool("add", quota)
                    .global(quota)
                    .build(),
            )
        }
        None => server,
    };
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        eprintln!(
            "http-server: boltmcp at {}://{}{MCP_PATH} ({})",
            if tls.is_some() { "https" } else { "http" },
            listener.local_addr()?,
            if args.stateless {
                "stateless"
            } else {
                "sessions"
            }
        );
        let endpoint = server.http_service(config).routes();
        match tls {
            Some(tls) => serve_tls(listener, tls, endpoint, std::future::pending()).await,
            None => serve(listener, endpoint).await,
        }
        .context("serving")
    })
}
