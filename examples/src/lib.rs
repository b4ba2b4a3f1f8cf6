//! Shared bits of the boltmcp examples.

pub mod calculator;
pub mod sandboxed;
pub mod secure;

/// The server's TLS from `--tls-cert PATH` and `--tls-key PATH` (PEM): both or
/// neither. The files are checked for changes every 30 seconds once serving, so a
/// renewed certificate is picked up without a restart.
pub fn server_tls(
    cert: Option<&str>,
    key: Option<&str>,
) -> Result<Option<boltmcp::transport::tls::ServerTls>, String> {
    match (cert, key) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => boltmcp::transport::tls::ServerTls::from_pem_files(cert, key)
            .map(Some)
            .map_err(|e| e.to_string()),
        _ => Err("--tls-cert and --tls-key go together".into()),
    }
}

/// How often the examples check their certificate files for a renewal.
pub const TLS_RELOAD_PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `server` over Streamable HTTP at `addr` on a one-thread runtime until
/// `shutdown` completes: HTTPS when `tls` is given, its files checked for a renewal
/// every [`TLS_RELOAD_PERIOD`].
pub fn serve_http(
    server: boltmcp::server::Server,
    addr: std::net::SocketAddr,
    config: boltmcp::transport::http::HttpConfig,
    tls: Option<boltmcp::transport::tls::ServerTls>,
    shutdown: impl std::future::Future,
) -> std::io::Result<()> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let config = match tls {
                Some(tls) => {
                    // The watcher outlives its handle: it ends with the last ServerTls.
                    let _watching = tls.watch(TLS_RELOAD_PERIOD);
                    config.tls(tls)
                }
                None => config,
            };
            server.serve_http_until(addr, config, shutdown).await
        })
}

/// Sends diagnostics to stderr (stdout is the stdio transport), filtered by
/// `RUST_LOG`, in colour only on a terminal.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// A value that fits a JSON Schema property: its default, else its first enum value,
/// else something of its type. For clients that exercise servers they do not know.
pub fn sample_value(schema: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Value, json};
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => json!("test"),
    }
}

/// Arguments for a tool: every property its input schema declares, by [`sample_value`].
pub fn arguments_for(tool: &boltmcp::protocol::Tool) -> serde_json::Value {
    let mut args = serde_json::Map::new();
    if let Some(properties) = tool
        .input_schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
    {
        for (name, schema) in properties {
            args.insert(name.clone(), sample_value(schema));
        }
    }
    serde_json::Value::Object(args)
}
