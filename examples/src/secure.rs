//! The `secure-server` example's tools and its auth configuration, read from flags or
//! the environment.
//!
//! Tools: `add` (no scope), `divide` (scope `math:write`, five calls a second),
//! `whoami` (the caller's subject and scopes), `slow` (cancelled past two seconds, two
//! at a time); resource template `secrets://{name}` (scope `secrets:read`).

use std::path::PathBuf;

use boltmcp::layers::auth::{Algorithm, Auth, Jwks, JwtKey, JwtVerifier, MultiAuth, StaticTokens};
use boltmcp::layers::rate_limit::RateLimitLayer;
use boltmcp::prelude::*;
use boltmcp::server::Quota;
use schemars::JsonSchema;
use serde::Serialize;

/// Adds two numbers.
///
/// a: the first addend
/// b: the second addend
#[tool(annotations(read_only, idempotent))]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Divides `a` by `b`. Needs the `math:write` scope; five calls a second in all.
///
/// a: the dividend
/// b: the divisor
#[tool(scopes = ["math:write"], rate_limit = "5/s")]
fn divide(a: f64, b: f64) -> Result<f64, String> {
    if b == 0.0 {
        Err("division by zero".into())
    } else {
        Ok(a / b)
    }
}

/// Who the server thinks is calling.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Caller {
    /// The token's subject.
    pub subject: String,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
}

/// Returns the caller's subject and scopes.
#[tool(annotations(read_only))]
fn whoami(principal: Principal) -> Caller {
    Caller {
        subject: principal.subject().to_owned(),
        scopes: principal.scopes().to_vec(),
    }
}

/// Waits `ms` milliseconds. Cancelled past two seconds; two calls at a time.
///
/// ms: how long to wait
#[tool(timeout = "2s", max_concurrency = 2)]
async fn slow(ms: u64) -> String {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    format!("waited {ms} ms")
}

/// A named secret. Needs the `secrets:read` scope.
///
/// name: which secret
#[resource("secrets://{name}", scopes = ["secrets:read"])]
fn secret(name: String) -> String {
    format!("the secret called {name}")
}

/// The server: its tools and the secrets template.
pub fn server() -> Server {
    Server::builder("secure-server", env!("CARGO_PKG_VERSION"))
        .tool(add_tool())
        .tool(divide_tool())
        .tool(whoami_tool())
        .tool(slow_tool())
        .resource(secret_resource())
        .build()
}

/// Every scope the server declares, for a development token.
pub const ALL_SCOPES: [&str; 2] = ["math:write", "secrets:read"];

/// How callers prove who they are, as the flags say.
#[derive(Debug, Default)]
pub struct Settings {
    /// A file holding the HS256 secret.
    pub hs256_secret_file: Option<PathBuf>,
    /// The HS256 secret itself (`--dev` makes one).
    pub hs256_secret: Option<Vec<u8>>,
    /// A PEM file with the RS256 public key.
    pub rs256_public_key: Option<PathBuf>,
    /// A JWKS URL.
    pub jwks_url: Option<String>,
    /// The issuer JWTs must name.
    pub issuer: Option<String>,
    /// The audience JWTs must name (default: the server's own `http://ADDR/mcp`).
    pub audience: Option<String>,
    /// Static tokens: `TOKEN:SCOPE,SCOPE`.
    pub bearer_tokens: Vec<String>,
    /// The authorization server named in the metadata document.
    pub authorization_server: Option<String>,
    /// Each caller's quota.
    pub rate_limit: Option<Quota>,
    /// The server's quota.
    pub global_rate_limit: Option<Quota>,
}

impl Settings {
    /// The rate limits: the flags' quotas, and the tools' own (`divide`'s 5/s).
    pub fn limits(&self) -> RateLimitLayer {
        let mut limits = RateLimitLayer::builder();
        if let Some(quota) = self.rate_limit {
            limits = limits.per_caller(quota);
        }
        if let Some(quota) = self.global_rate_limit {
            limits = limits.global(quota);
        }
        limits.build()
    }

    /// The auth configuration for a server whose endpoint is `resource`; an error
    /// names the flag to give.
    pub fn auth(&self, resource: &str) -> Result<Auth, String> {
        let mut verifiers = MultiAuth::new();
        let mut any = false;
        if !self.bearer_tokens.is_empty() {
            let mut tokens = StaticTokens::new();
            for (i, entry) in self.bearer_tokens.iter().enumerate() {
                let (token, scopes) = entry.split_once(':').unwrap_or((entry.as_str(), ""));
                if token.is_empty() {
                    return Err("--bearer-token needs TOKEN:SCOPE,SCOPE".into());
                }
                let scopes = scopes.split(',').filter(|s| !s.is_empty());
                tokens = tokens.token(token, format!("static-token-{}", i + 1), scopes);
            }
            verifiers = verifiers.with(tokens);
            any = true;
        }
        let mut jwt = JwtVerifier::builder().audience(self.audience.as_deref().unwrap_or(resource));
        let mut jwt_keys = false;
        let secret = match (&self.hs256_secret, &self.hs256_secret_file) {
            (Some(secret), _) => Some(secret.clone()),
            (None, Some(path)) => Some(read(path, "--hs256-secret-file")?),
            (None, None) => None,
        };
        if let Some(secret) = secret {
            let secret = trim_newline(secret);
            let key = JwtKey::hmac(Algorithm::HS256, &secret)
                .map_err(|e| format!("--hs256-secret-file: {e}"))?;
            jwt = jwt.key(key);
            jwt_keys = true;
        }
        if let Some(path) = &self.rs256_public_key {
            let pem = read(path, "--rs256-public-key")?;
            let key = JwtKey::rsa_pem(Algorithm::RS256, pem)
                .map_err(|e| format!("--rs256-public-key: {e}"))?;
            jwt = jwt.key(key);
            jwt_keys = true;
        }
        if let Some(url) = &self.jwks_url {
            let jwks = Jwks::new(url).map_err(|e| format!("--jwks-url: {e}"))?;
            jwt = jwt.jwks(jwks);
            jwt_keys = true;
        }
        if jwt_keys {
            let Some(issuer) = &self.issuer else {
                return Err("give --issuer ISS: JWTs are accepted only from a named issuer".into());
            };
            jwt = jwt.issuer(issuer);
            verifiers = verifiers.with(jwt.build().map_err(|e| e.to_string())?);
            any = true;
        }
        if !any {
            return Err(
                "give a way to verify tokens: --dev, --hs256-secret-file PATH, \
                        --rs256-public-key PATH, --jwks-url URL or --bearer-token TOKEN:SCOPES"
                    .into(),
            );
        }
        let mut auth = Auth::builder(verifiers).resource(resource);
        match self.authorization_server.as_ref().or(self.issuer.as_ref()) {
            Some(server) => auth = auth.authorization_server(server),
            None => eprintln!(
                "secure-server: no --authorization-server: the metadata document names none, \
                 so OAuth clients cannot find where to get a token (static tokens still work)"
            ),
        }
        Ok(auth.build())
    }
}

fn read(path: &PathBuf, flag: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{flag} {}: {e}", path.display()))
}

fn trim_newline(mut secret: Vec<u8>) -> Vec<u8> {
    while secret.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        secret.pop();
    }
    secret
}
