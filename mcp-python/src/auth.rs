//! The `security` settings' `auth`: who may call, checked by the same Rust auth layer
//! as a Rust server's (static bearer tokens, JWTs signed with a secret or a public key,
//! or keys from a JWKS).
//!
//! Over HTTP the endpoint authenticates each request (401 with the challenge before
//! the MCP stack, 403 for a missing scope) and serves the RFC 9728 metadata. On stdio,
//! where credentials come from the environment (2025-11-25 `basic/authorization`
//! §Protocol Requirements), the token in `BOLTMCP_TOKEN` is verified once at start;
//! without one, the server runs with no caller, so scoped tools are hidden and refused.

use std::collections::BTreeMap;

use boltmcp::layers::auth::{Algorithm, Auth, Jwks, JwtKey, JwtVerifier, MultiAuth, StaticTokens};
use boltmcp::server::Principal;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::Deserialize;

/// The environment variable a stdio server's token comes from.
pub(crate) const TOKEN_VARIABLE: &str = "BOLTMCP_TOKEN";

/// The `auth` settings, as `MCPServer` passes them on (JSON).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthSettings {
    /// JWTs: a key (or a JWKS), and the issuer and audience they must name.
    jwt: Option<JwtSettings>,
    /// Static tokens and the scopes each grants.
    #[serde(default)]
    tokens: BTreeMap<String, Vec<String>>,
    /// This server's endpoint as clients know it (default: `http://HOST:PORT/mcp`).
    resource: Option<String>,
    /// The authorization server named in the metadata document (default: the issuer).
    authorization_server: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JwtSettings {
    secret: Option<String>,
    public_key: Option<String>,
    jwks_url: Option<String>,
    algorithm: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl AuthSettings {
    /// Reads the settings' JSON; an error names what to write instead.
    pub(crate) fn parse(json: &str) -> PyResult<Self> {
        let settings: AuthSettings = serde_json::from_str(json)
            .map_err(|err| PyValueError::new_err(format!("security['auth']: {err}")))?;
        if settings.jwt.is_none() && settings.tokens.is_empty() {
            return Err(PyValueError::new_err(
                "security['auth'] needs a way to verify tokens: 'jwt' \
                 ({'secret' or 'public_key' or 'jwks_url', 'issuer', 'audience'}) or 'tokens'",
            ));
        }
        // Checked now, so a mistake shows at construction rather than at `run`.
        settings.build("http://127.0.0.1/mcp")?;
        Ok(settings)
    }

    /// The auth configuration for a server whose endpoint is `endpoint` (the
    /// resource and the JWT audience unless the settings name them).
    pub(crate) fn build(&self, endpoint: &str) -> PyResult<Auth> {
        let invalid = |what: &str, err: &dyn std::fmt::Display| {
            PyValueError::new_err(format!("security['auth']{what}: {err}"))
        };
        let resource = self.resource.as_deref().unwrap_or(endpoint);
        let mut verifiers = MultiAuth::new();
        if !self.tokens.is_empty() {
            let mut tokens = StaticTokens::new();
            for (index, (token, scopes)) in self.tokens.iter().enumerate() {
                tokens = tokens.token(token, format!("static-token-{}", index + 1), scopes);
            }
            verifiers = verifiers.with(tokens);
        }
        if let Some(jwt) = &self.jwt {
            let mut builder =
                JwtVerifier::builder().audience(jwt.audience.as_deref().unwrap_or(resource));
            let Some(issuer) = &jwt.issuer else {
                return Err(invalid(
                    "['jwt']",
                    &"give 'issuer': JWTs are accepted only from a named issuer",
                ));
            };
            builder = builder.issuer(issuer);
            let algorithm = |default: Algorithm| -> PyResult<Algorithm> {
                match &jwt.algorithm {
                    None => Ok(default),
                    Some(name) => name
                        .parse()
                        .map_err(|err| invalid("['jwt']['algorithm']", &err)),
                }
            };
            let mut keys = 0;
            if let Some(secret) = &jwt.secret {
                let key = JwtKey::hmac(algorithm(Algorithm::HS256)?, secret.as_bytes())
                    .map_err(|err| invalid("['jwt']['secret']", &err))?;
                builder = builder.key(key);
                keys += 1;
            }
            if let Some(pem) = &jwt.public_key {
                let key = public_key(algorithm(Algorithm::RS256)?, pem.as_bytes())
                    .map_err(|err| invalid("['jwt']['public_key']", &err))?;
                builder = builder.key(key);
                keys += 1;
            }
            if let Some(url) = &jwt.jwks_url {
                let jwks = Jwks::new(url).map_err(|err| invalid("['jwt']['jwks_url']", &err))?;
                builder = builder.jwks(jwks);
                keys += 1;
            }
            if keys == 0 {
                return Err(invalid(
                    "['jwt']",
                    &"give the key: 'secret', 'public_key' (PEM) or 'jwks_url'",
                ));
            }
            verifiers = verifiers.with(builder.build().map_err(|err| invalid("['jwt']", &err))?);
        }
        let mut auth = Auth::builder(verifiers).resource(resource);
        let issuer = self.jwt.as_ref().and_then(|jwt| jwt.issuer.as_ref());
        if let Some(server) = self.authorization_server.as_ref().or(issuer) {
            auth = auth.authorization_server(server);
        }
        Ok(auth.build())
    }
}

/// A public key in PEM for `algorithm`'s family.
fn public_key(algorithm: Algorithm, pem: &[u8]) -> Result<JwtKey, String> {
    use Algorithm::{ES256, ES384, EdDSA};
    let key = match algorithm {
        ES256 | ES384 => JwtKey::ec_pem(algorithm, pem),
        EdDSA => JwtKey::ed_pem(pem),
        _ => JwtKey::rsa_pem(algorithm, pem),
    };
    key.map_err(|err| err.to_string())
}

/// A stdio server's caller: the token in [`TOKEN_VARIABLE`] verified, or none when
/// it is not set. A token that does not verify stops the start.
pub(crate) async fn stdio_identity(auth: &Auth) -> std::io::Result<Option<Principal>> {
    let Some(token) = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    auth.authenticate(&token).await.map(Some).map_err(|err| {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{TOKEN_VARIABLE}: the token is not accepted: {err}"),
        )
    })
}

/// Signs a development token with an HS256 `secret`: `claims` is the JWT's payload as
/// JSON. For tests and `--dev` modes; production tokens come from an authorization
/// server.
#[pyfunction]
pub(crate) fn sign_hs256(secret: &str, claims: &str) -> PyResult<String> {
    let claims: serde_json::Value = serde_json::from_str(claims)
        .map_err(|err| PyValueError::new_err(format!("the claims: {err}")))?;
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())
        .map_err(|err| PyValueError::new_err(err.to_string()))?;
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
        .map_err(|err| PyValueError::new_err(err.to_string()))
}
