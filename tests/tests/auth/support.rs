//! The secured fixture server, its keys, and tokens signed with them.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use boltmcp::layers::auth::{
    Algorithm, Auth, AuthBuilder, JwtKey, JwtVerifier, MultiAuth, StaticTokens,
};
use boltmcp::prelude::*;
use boltmcp::protocol::TaskSupport;
use boltmcp::server::{ToolCall, ToolDef};
use jsonwebtoken::{EncodingKey, Header};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub(crate) const ISSUER: &str = "https://as.example.com";
pub(crate) const AUDIENCE: &str = "http://127.0.0.1/mcp";
pub(crate) const HS_SECRET: &[u8] = b"an HS256 secret of at least 32 bytes!!";
pub(crate) const OPS_TOKEN: &str = "ops-static-token-0123456789";

/// An RSA key pair made at test time: the private half signs, the public is configured.
pub(crate) struct RsaKey {
    pub(crate) private_pem: String,
    pub(crate) public_pem: String,
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn rsa() -> RsaKey {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
    let private: Pkcs8V1Der<'_> = pair.as_der().expect("PKCS#8");
    let public: PublicKeyX509Der<'_> = pair.public_key().as_der().expect("SPKI");
    RsaKey {
        private_pem: pem("PRIVATE KEY", private.as_ref()),
        public_pem: pem("PUBLIC KEY", public.as_ref()),
    }
}

/// The server's RSA key, and an attacker's.
pub(crate) static RSA: LazyLock<RsaKey> = LazyLock::new(rsa);
pub(crate) static ATTACKER: LazyLock<RsaKey> = LazyLock::new(rsa);

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Valid claims for `sub` with `scope`.
pub(crate) fn claims(sub: &str, scope: &str) -> Value {
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "scope": scope,
            "exp": now() + 600, "iat": now() })
}

pub(crate) fn sign(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    jsonwebtoken::encode(header, claims, key).expect("the token signs")
}

/// An HS256 token for `claims`.
pub(crate) fn hs256(claims: &Value) -> String {
    let key = EncodingKey::from_secret(HS_SECRET).expect("a secret");
    sign(&Header::new(Algorithm::HS256), &key, claims)
}

/// An RS256 token for `claims`, signed with `key`, naming `kid`.
pub(crate) fn rs256(key: &RsaKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let key = EncodingKey::from_rsa_pem(key.private_pem.as_bytes()).expect("a private key");
    sign(&header, &key, claims)
}

/// A JWT segment from JSON.
pub(crate) fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Who is calling, as the `whoami` tool reports it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Caller {
    subject: String,
    scopes: Vec<String>,
}

/// Adds two numbers.
#[tool]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Divides `a` by `b`; needs `math:write`.
#[tool(scopes = ["math:write"])]
fn divide(a: f64, b: f64) -> Result<f64, String> {
    if b == 0.0 {
        Err("division by zero".into())
    } else {
        Ok(a / b)
    }
}

/// The caller's subject and scopes.
#[tool]
fn whoami(principal: Principal) -> Caller {
    Caller {
        subject: principal.subject().to_owned(),
        scopes: principal.scopes().to_vec(),
    }
}

/// A secret, by name; needs `secrets:read`.
#[resource("secrets://{name}", scopes = ["secrets:read"])]
fn secret(name: String) -> String {
    format!("the secret {name}")
}

/// The fixture: `add` (open), `divide` (math:write), `whoami`, the template
/// `secrets://{name}` (secrets:read), `confirm` (asks the client), `slow_task` (a task).
pub(crate) fn server() -> Server {
    #[derive(Deserialize, JsonSchema)]
    struct Confirm {
        ok: bool,
    }
    let object = json!({ "type": "object" });
    Server::builder("secure", "1")
        .tool(add_tool())
        .tool(divide_tool())
        .tool(whoami_tool())
        .resource(secret_resource())
        .tool(ToolDef::new(
            "confirm",
            object.clone(),
            |call: ToolCall| async move {
                match call.ctx.elicit::<Confirm>("Proceed?").await? {
                    Elicitation::Accepted(Confirm { ok: true }) => Ok::<_, ToolError>("confirmed"),
                    _ => Ok("not confirmed"),
                }
            },
        ))
        .tool(
            ToolDef::new("slow_task", object, |call: ToolCall| async move {
                call.ctx.cancelled().await;
                "cancelled"
            })
            .task_support(TaskSupport::Optional),
        )
        .build()
}

/// The verifiers: an operator's static token, and JWTs signed with the HS256 secret
/// or the RSA key (kid `rs1`).
pub(crate) fn auth() -> Auth {
    auth_builder().build()
}

/// [`auth`], before it is built.
pub(crate) fn auth_builder() -> AuthBuilder {
    let jwt = JwtVerifier::builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .key(JwtKey::hmac(Algorithm::HS256, HS_SECRET).expect("an HS256 key"))
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, RSA.public_pem.as_bytes())
                .expect("an RS256 key")
                .kid("rs1"),
        )
        .build()
        .expect("a JWT verifier");
    let statics = StaticTokens::new().token(OPS_TOKEN, "ops", ["math:write", "secrets:read"]);
    Auth::builder(MultiAuth::new().with(statics).with(jwt))
        .resource(AUDIENCE)
        .authorization_server(ISSUER)
}
