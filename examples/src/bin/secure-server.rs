//! Streamable HTTP behind bearer-token auth: `add` for anyone with a valid token,
//! `divide` with scope `math:write`, `whoami`, and `secrets://{name}` with scope
//! `secrets:read`. Over HTTP a missing token is 401 with the `WWW-Authenticate`
//! challenge, a missing scope 403, and the RFC 9728 metadata is served at
//! `/.well-known/oauth-protected-resource/mcp`. With `--metrics`, Prometheus metrics
//! (per tool: calls, `isError` results, errors, refusals by cause, latency) are
//! served at `/metrics`.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin secure-server -- 127.0.0.1:8000 --dev
//! ```
//!
//! `--dev` makes a secret, prints a token holding every scope and a curl line that
//! uses it. Otherwise give the keys: run with `--help` for the flags, each of which
//! can also come from the environment variable it names.

use std::net::SocketAddr;

use boltmcp::layers::metrics::Prometheus;
use boltmcp::server::Quota;
use boltmcp::transport::http::HttpConfig;
use boltmcp_examples::secure::{ALL_SCOPES, Settings, server};

const DEFAULT_ADDR: &str = "127.0.0.1:8000";

const HELP: &str = "\
usage: secure-server [ADDR] [FLAGS]      (ADDR defaults to 127.0.0.1:8000)

  --dev                          make a secret, print a token with every scope and a curl line
  --hs256-secret-file PATH       HS256 JWTs signed with this secret   (BOLTMCP_HS256_SECRET_FILE)
  --rs256-public-key PATH        RS256 JWTs verified with this PEM     (BOLTMCP_RS256_PUBLIC_KEY)
  --jwks-url URL                 JWTs verified with keys from a JWKS   (BOLTMCP_JWKS_URL)
  --issuer ISS                   the issuer JWTs must name             (BOLTMCP_ISSUER)
  --audience AUD                 the audience JWTs must name           (BOLTMCP_AUDIENCE)
                                 default: this server's http(s)://ADDR/mcp
  --bearer-token TOKEN:S1,S2     a static token and its scopes; repeatable
                                 (BOLTMCP_BEARER_TOKENS, entries separated by spaces)
  --authorization-server URL     named in the metadata document        (BOLTMCP_AUTHORIZATION_SERVER)
  --rate-limit QUOTA             each caller's quota: 10/s, 600/min burst 20 (BOLTMCP_RATE_LIMIT)
  --global-rate-limit QUOTA      the server's quota                    (BOLTMCP_GLOBAL_RATE_LIMIT)
  --metrics                      serve Prometheus metrics at GET /metrics, without auth (BOLTMCP_METRICS=1)
  --tls-cert PATH --tls-key PATH serve HTTPS with this PEM chain and key (BOLTMCP_TLS_CERT, BOLTMCP_TLS_KEY);
                                 the default audience becomes https://ADDR/mcp
";

struct Args {
    addr: SocketAddr,
    dev: bool,
    metrics: bool,
    settings: Settings,
    tls_cert: Option<String>,
    tls_key: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parse() -> Result<Args, String> {
    let mut settings = Settings {
        hs256_secret_file: env("BOLTMCP_HS256_SECRET_FILE").map(Into::into),
        rs256_public_key: env("BOLTMCP_RS256_PUBLIC_KEY").map(Into::into),
        jwks_url: env("BOLTMCP_JWKS_URL"),
        issuer: env("BOLTMCP_ISSUER"),
        audience: env("BOLTMCP_AUDIENCE"),
        bearer_tokens: env("BOLTMCP_BEARER_TOKENS")
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        authorization_server: env("BOLTMCP_AUTHORIZATION_SERVER"),
        rate_limit: env("BOLTMCP_RATE_LIMIT")
            .map(|q| quota("BOLTMCP_RATE_LIMIT", &q))
            .transpose()?,
        global_rate_limit: env("BOLTMCP_GLOBAL_RATE_LIMIT")
            .map(|q| quota("BOLTMCP_GLOBAL_RATE_LIMIT", &q))
            .transpose()?,
        ..Default::default()
    };
    let (mut addr, mut dev) = (DEFAULT_ADDR.to_owned(), false);
    let mut metrics = env("BOLTMCP_METRICS").is_some_and(|v| v != "0");
    let (mut tls_cert, mut tls_key) = (env("BOLTMCP_TLS_CERT"), env("BOLTMCP_TLS_KEY"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--help" | "-h" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            "--dev" => dev = true,
            "--metrics" => metrics = true,
            "--hs256-secret-file" => settings.hs256_secret_file = Some(value(&arg)?.into()),
            "--rs256-public-key" => settings.rs256_public_key = Some(value(&arg)?.into()),
            "--jwks-url" => settings.jwks_url = Some(value(&arg)?),
            "--issuer" => settings.issuer = Some(value(&arg)?),
            "--audience" => settings.audience = Some(value(&arg)?),
            "--bearer-token" => settings.bearer_tokens.push(value(&arg)?),
            "--authorization-server" => settings.authorization_server = Some(value(&arg)?),
            "--rate-limit" => settings.rate_limit = Some(quota(&arg, &value(&arg)?)?),
            "--global-rate-limit" => settings.global_rate_limit = Some(quota(&arg, &value(&arg)?)?),
            "--tls-cert" => tls_cert = Some(value(&arg)?),
            "--tls-key" => tls_key = Some(value(&arg)?),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            other => addr = other.to_owned(),
        }
    }
    let addr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    Ok(Args {
        addr,
        dev,
        metrics,
        settings,
        tls_cert,
        tls_key,
    })
}

fn quota(flag: &str, text: &str) -> Result<Quota, String> {
    Quota::parse(text).map_err(|e| format!("{flag} {text:?}: {e}"))
}

/// A random 32-byte secret, and a token signed with it holding every scope, issued in
/// the name of the server itself (`http://ADDR`).
fn dev_credentials(issuer: &str, audience: &str) -> Result<(Vec<u8>, String), String> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut secret = [0u8; 32];
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| "no randomness for a secret".to_owned())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({
        "iss": issuer, "aud": audience, "sub": "developer",
        "scope": ALL_SCOPES.join(" "), "iat": now, "exp": now + 24 * 3600,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(&secret).map_err(|e| e.to_string())?;
    let token = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
        .map_err(|e| e.to_string())?;
    Ok((secret.to_vec(), token))
}

fn curl_line(url: &str) -> String {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    format!(
        "curl -s {url} -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \
         -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' \
         -H 'Mcp-Method: tools/call' -H 'Mcp-Name: whoami' -d '{body}'"
    )
}

fn main() -> std::io::Result<()> {
    let fail = |message: String| -> ! {
        eprintln!("secure-server: {message}\n\n{HELP}");
        std::process::exit(2);
    };
    let Args {
        addr,
        dev,
        metrics,
        mut settings,
        tls_cert,
        tls_key,
    } = parse().unwrap_or_else(|e| fail(e));
    let tls = boltmcp_examples::server_tls(tls_cert.as_deref(), tls_key.as_deref())
        .unwrap_or_else(|e| fail(e));
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{addr}/mcp");
    if dev {
        let audience = settings.audience.clone().unwrap_or_else(|| url.clone());
        let issuer = settings
            .issuer
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{addr}"));
        let (secret, token) = dev_credentials(&issuer, &audience).unwrap_or_else(|e| fail(e));
        settings.hs256_secret = Some(secret);
        settings.issuer = Some(issuer);
        println!("TOKEN={token}");
        println!("{}", curl_line(&url));
    }
    let auth = settings.auth(&url).unwrap_or_else(|e| fail(e));
    let limits = settings.limits();
    boltmcp_examples::init_logging();
    eprintln!("secure-server: serving MCP at {url} (Ctrl-C stops it)");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let mut config = HttpConfig::default().auth(auth);
    if metrics {
        eprintln!("secure-server: metrics at {scheme}://{addr}/metrics");
        config = config.metrics(Prometheus::new());
    }
    boltmcp_examples::serve_http(server().gate(limits), addr, config, tls, ctrl_c)
}
