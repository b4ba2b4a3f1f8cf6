//! Connecting: the builder (who the client is, what it can answer, how long it waits),
//! the transports (a child process on stdio, an in-process server, any pipe pair), and
//! the era negotiation of 2026-07-28 `basic/versioning` §Backward Compatibility: probe
//! with `server/discover`; a discover result or a recognised modern error means the
//! 2026-07-28 era, anything else falls back to `initialize`.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};

use super::error::ClientError;
use super::handlers::{Handlers, asker};
use super::rpc::Rpc;
use super::{Client, ClientInner, Era, Link};
use crate::protocol::{
    CreateMessageRequestParams, CreateMessageResult, DiscoverResult, ElicitRequestParams,
    ElicitResult, ErrorObject, Implementation, InitializeResult, ListRootsResult, ProtocolVersion,
    code,
};
use crate::server::Server;

/// Which era the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EraChoice {
    /// Probe with `server/discover`, fall back to `initialize` (the default).
    #[default]
    Auto,
    /// Only the `initialize` handshake (2025-11-25 and older).
    Legacy,
    /// Only 2026-07-28: no fallback.
    Modern,
}

/// Sets up a [`Client`] before it connects.
#[derive(Clone)]
pub struct ClientBuilder {
    info: Implementation,
    handlers: Handlers,
    timeout: Option<Duration>,
    era: EraChoice,
    extra_capabilities: serde_json::Map<String, Value>,
    #[cfg(feature = "http")]
    http: super::http_options::HttpOptions,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("info", &self.info)
            .field("handlers", &self.handlers)
            .field("timeout", &self.timeout)
            .field("era", &self.era)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            info: Implementation {
                name: "boltmcp-client".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..Default::default()
            },
            handlers: Handlers::default(),
            timeout: Some(Duration::from_secs(60)),
            era: EraChoice::Auto,
            extra_capabilities: serde_json::Map::new(),
            #[cfg(feature = "http")]
            http: Default::default(),
        }
    }
}

/// How long the `server/discover` probe waits before taking the server for a legacy one.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

impl ClientBuilder {
    /// The name and version the client gives the server.
    pub fn info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.info.name = name.into();
        self.info.version = version.into();
        self
    }

    /// How long each call waits for its answer (60 s by default; `None`: forever).
    /// A call that runs out is cancelled on the server.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Pins the era instead of negotiating it.
    pub fn era(mut self, era: EraChoice) -> Self {
        self.era = era;
        self
    }

    /// Answers the server's elicitation requests (and declares the capability).
    pub fn on_elicitation<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, ErrorObject>> + Send + 'static,
    {
        self.handlers.elicitation = Some(asker(handler));
        self
    }

    /// Answers the server's sampling requests (and declares the capability).
    pub fn on_sampling<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, ErrorObject>> + Send + 'static,
    {
        self.handlers.sampling = Some(asker(handler));
        self
    }

    /// Answers the server's `roots/list` (and declares the capability).
    pub fn on_roots<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ListRootsResult, ErrorObject>> + Send + 'static,
    {
        self.handlers.roots = Some(asker(handler));
        self
    }

    /// Declares a capability beyond what the handlers imply (`"elicitation"`,
    /// `{"form": {"applyDefaults": true}}`, say); the value is merged over theirs.
    pub fn capability(mut self, name: &str, value: Value) -> Self {
        self.extra_capabilities.insert(name.to_owned(), value);
        self
    }

    /// Hears every notification the server sends (`method`, `params`).
    pub fn on_notification(
        mut self,
        listener: impl Fn(&str, Value) + Send + Sync + 'static,
    ) -> Self {
        self.handlers.notifications = Some(Arc::new(listener));
        self
    }

    /// Spawns `command` with `args` and talks to it on its stdin and stdout. Its stderr
    /// goes to the log; it is killed when the client is dropped.
    pub async fn connect_stdio<I, S>(self, command: &str, args: I) -> Result<Client, ClientError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut child = tokio::process::Command::new(command)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ClientError::Closed(": the child has no stdio pipes".into()));
        };
        if let Some(stderr) = child.stderr.take() {
            let name = command.to_owned();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::info!(target: "boltmcp::client::stderr", server = %name, "{line}");
                }
            });
        }
        self.connect_io(stdout, stdin, Some(child)).await
    }

    /// Adds headers to every HTTP request: a fixed bearer token, a tenant id.
    #[cfg(feature = "http")]
    pub fn headers(
        mut self,
        inject: impl Fn(&mut http::HeaderMap) + Send + Sync + 'static,
    ) -> Self {
        self.http.headers = Some(super::http_options::Headers::Fixed(Arc::new(inject)));
        self
    }

    /// Asks `provider` for the headers of every HTTP request (a token from a cache
    /// that refreshes it). When the server answers 401, the provider is called again
    /// with the refusal in [`Attempt::unauthorized`](super::Attempt::unauthorized) and
    /// the request is sent once more; a second 401 is the caller's error. Replaces
    /// [`headers`](Self::headers).
    #[cfg(feature = "http")]
    pub fn header_provider<F, Fut>(mut self, provider: F) -> Self
    where
        F: Fn(super::Attempt) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<http::HeaderMap, ClientError>> + Send + 'static,
    {
        let provider: super::HeaderProvider = Arc::new(move |attempt| Box::pin(provider(attempt)));
        self.http.headers = Some(super::http_options::Headers::Provided(provider));
        self
    }

    /// Retries HTTP requests the server refused with 429 or 503, honouring
    /// `Retry-After` within `policy`'s count and total time. Off by default: a
    /// refusal reaches the caller at once, with
    /// [`retry_after`](ClientError::retry_after).
    #[cfg(feature = "http")]
    pub fn retries(mut self, policy: super::RetryPolicy) -> Self {
        self.http.retries = Some(policy);
        self
    }

    /// Allows `http://` URLs to hosts other than loopback. Everything, tokens
    /// included, then crosses the network in clear text: for a private network or a
    /// proxy that adds TLS, never the internet.
    #[cfg(feature = "http")]
    pub fn allow_plain_http(mut self) -> Self {
        self.http.allow_plain_http = true;
        self
    }

    /// Whom `https://` connections trust and which client certificate they show
    /// (by default: the webpki roots, no certificate).
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::transport::tls::ClientTls) -> Self {
        self.http.tls = Some(tls);
        self
    }

    /// Connects to the Streamable HTTP endpoint at `url`: `https://host/mcp`, or
    /// `http://` to a loopback address (other hosts need
    /// [`allow_plain_http`](Self::allow_plain_http)). `https://` needs the `tls`
    /// feature; nothing falls back to `http://`.
    #[cfg(feature = "http")]
    pub async fn connect_http(self, url: &str) -> Result<Client, ClientError> {
        let link =
            super::http::HttpLink::new(url, Arc::new(self.handlers.clone()), self.http.clone())?;
        let client = self.connect_link(Link::Http(link.clone()), None).await?;
        if matches!(client.era(), Era::Legacy(_)) {
            link.listen_standalone().await;
        }
        Ok(client)
    }

    /// Connects to `server` in this process, over an in-memory pipe.
    pub async fn connect_in_memory(self, server: Server) -> Result<Client, ClientError> {
        let (stream, _task) = crate::transport::memory::serve_in_memory(server);
        let (reader, writer) = tokio::io::split(stream);
        self.connect_io(reader, writer, None).await
    }

    /// Connects over any pair of pipes speaking newline-delimited JSON-RPC.
    pub async fn connect_io<R, W>(
        self,
        reader: R,
        writer: W,
        child: Option<tokio::process::Child>,
    ) -> Result<Client, ClientError>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let rpc = Rpc::start(reader, writer, Arc::new(self.handlers.clone()));
        self.connect_link(Link::Lines(rpc), child).await
    }

    async fn connect_link(
        self,
        link: Link,
        child: Option<tokio::process::Child>,
    ) -> Result<Client, ClientError> {
        let mut capabilities =
            serde_json::to_value(self.handlers.capabilities()).unwrap_or_default();
        for (name, value) in &self.extra_capabilities {
            capabilities[name] = value.clone();
        }
        let capabilities = serde_json::from_value(capabilities)
            .map_err(|e| ClientError::Unsupported(format!("capabilities: {e}")))?;
        let mut inner = ClientInner {
            link,
            child,
            info: self.info,
            capabilities,
            timeout: self.timeout,
            era: Era::Legacy(ProtocolVersion::LATEST_LEGACY),
            server_info: Implementation::default(),
            server_capabilities: Default::default(),
            instructions: None,
            log_level: Default::default(),
        };
        match self.era {
            EraChoice::Legacy => initialize(&mut inner).await?,
            EraChoice::Modern => discover_modern(&mut inner).await?,
            EraChoice::Auto => match discover_modern(&mut inner).await {
                Ok(()) => {}
                // A recognised 2026-07-28 error is a modern server refusing us: no fallback.
                Err(modern) if modern.rpc().is_some_and(is_modern_error) => return Err(modern),
                Err(old) if means_legacy_server(&old) => initialize(&mut inner).await?,
                Err(other) => return Err(other),
            },
        }
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

/// Whether the probe's failure marks a legacy server (2026-07-28 `basic/versioning`
/// §Backward Compatibility): on stdio any error that is not a recognised modern one;
/// over HTTP a `400` whose body is not one (`transports/streamable-http`
/// §Backward Compatibility), or a 2xx answer that is not a discover result. A 401,
/// 403, 429, 5xx or any other status is the caller's error, never a reason to
/// fall back.
fn means_legacy_server(error: &ClientError) -> bool {
    match error {
        ClientError::Rpc(_) | ClientError::Timeout { .. } | ClientError::Malformed(_) => true,
        #[cfg(feature = "http")]
        ClientError::Http(refusal) => refusal.status() == http::StatusCode::BAD_REQUEST,
        _ => false,
    }
}

fn is_modern_error(error: &ErrorObject) -> bool {
    [
        code::HEADER_MISMATCH,
        code::MISSING_REQUIRED_CLIENT_CAPABILITY,
        code::UNSUPPORTED_PROTOCOL_VERSION,
    ]
    .contains(&error.code)
}

/// `server/discover`; an -32022 that lists our version after all is tried once more
/// (the server may have refused the probe for another reason first).
async fn discover_modern(inner: &mut ClientInner) -> Result<(), ClientError> {
    let first = discover(inner).await;
    let lists_ours = first
        .as_ref()
        .err()
        .and_then(ClientError::rpc)
        .filter(|e| e.code == code::UNSUPPORTED_PROTOCOL_VERSION)
        .and_then(|e| e.data.as_ref()?.get("supported")?.as_array())
        .is_some_and(|v| {
            v.iter()
                .any(|s| s.as_str() == Some(ProtocolVersion::LATEST.as_str()))
        });
    if lists_ours {
        return discover(inner).await;
    }
    first
}

async fn discover(inner: &mut ClientInner) -> Result<(), ClientError> {
    inner.era = Era::Modern;
    inner.link.set_era(Era::Modern);
    let params = inner.stamp(json!({}));
    let raw = inner
        .link
        .request("server/discover", &params, Some(PROBE_TIMEOUT))
        .await?;
    let result: DiscoverResult = serde_json::from_value(raw.clone())
        .map_err(|e| ClientError::Malformed(format!("server/discover: {e}")))?;
    if !result
        .supported_versions
        .iter()
        .any(|v| v == ProtocolVersion::LATEST.as_str())
    {
        return Err(ClientError::Malformed(format!(
            "the server supports {:?}, not {}",
            result.supported_versions,
            ProtocolVersion::LATEST.as_str()
        )));
    }
    inner.server_capabilities = result.capabilities;
    inner.instructions = result.instructions;
    if let Some(info) = raw
        .pointer("/_meta/io.modelcontextprotocol~1serverInfo")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
    {
        inner.server_info = info;
    }
    Ok(())
}

async fn initialize(inner: &mut ClientInner) -> Result<(), ClientError> {
    inner.era = Era::Legacy(ProtocolVersion::LATEST_LEGACY);
    #[cfg(feature = "http")]
    if let Link::Http(link) = &inner.link {
        // The handshake itself carries no version header.
        link.set_era(false, None);
    }
    let params = json!({
        "protocolVersion": ProtocolVersion::LATEST_LEGACY.as_str(),
        "capabilities": inner.capabilities,
        "clientInfo": inner.info,
    });
    let raw = inner
        .link
        .request("initialize", &params, inner.timeout)
        .await?;
    let result: InitializeResult = serde_json::from_value(raw)
        .map_err(|e| ClientError::Malformed(format!("initialize: {e}")))?;
    let version = ProtocolVersion::parse(&result.protocol_version)
        .filter(|v| v.era() == crate::protocol::Era::Legacy)
        .ok_or_else(|| {
            ClientError::Unsupported(format!(
                "the server chose protocol version {}, which this client does not speak",
                result.protocol_version
            ))
        })?;
    inner.era = Era::Legacy(version);
    inner.link.set_era(inner.era);
    inner.server_info = result.server_info;
    inner.server_capabilities = result.capabilities;
    inner.instructions = result.instructions;
    inner
        .link
        .notify("notifications/initialized", &json!({}))
        .await?;
    Ok(())
}
