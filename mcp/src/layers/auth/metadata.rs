//! RFC 9728 Protected Resource Metadata: the document that tells a client which
//! authorization servers issue tokens for this endpoint and which scopes exist, and
//! the challenge that points at it.
//!
//! The document is served at the path-inserted well-known URI of the endpoint
//! (`/.well-known/oauth-protected-resource/mcp` for `/mcp`) and at the root one, the
//! two places clients look (2025-11-25 `basic/authorization` §Protected Resource
//! Metadata Discovery Requirements). `scopes_supported` gathers every scope the
//! server's tools, resources, templates and prompts declare; `offline_access` is never
//! advertised (2026-07-28 `basic/authorization` §Refresh Tokens).

use serde_json::{Value, json};

use super::Auth;
use crate::server::{Challenge, Server};

/// The root well-known path of the metadata document.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

impl Auth {
    /// A challenge naming `scope`, pointing at the metadata document when the
    /// resource URI is configured.
    pub fn challenge(&self, scope: &[String]) -> Challenge {
        Challenge {
            resource_metadata: self.inner.resource.as_deref().and_then(metadata_url),
            scope: scope
                .iter()
                .filter(|s| *s != "offline_access")
                .cloned()
                .collect(),
            description: None,
        }
    }

    /// Every scope `server` declares plus those configured, without `offline_access`.
    pub fn scopes_supported(&self, server: &Server) -> Vec<String> {
        let mut scopes: Vec<String> = server
            .declared_scopes()
            .into_iter()
            .chain(self.inner.scopes_supported.iter().cloned())
            .filter(|s| s != "offline_access")
            .collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// The metadata document for `server`, whose endpoint is `resource` (the
    /// configured resource URI wins when set).
    pub fn metadata_document(&self, server: &Server, resource: &str) -> Value {
        let inner = &self.inner;
        let scopes = self.scopes_supported(server);
        json!({
            "resource": inner.resource.as_deref().unwrap_or(resource),
            "authorization_servers": inner.authorization_servers,
            "scopes_supported": scopes,
            "bearer_methods_supported": ["header"],
        })
    }
}

/// The path-inserted metadata URL of a resource URI (RFC 9728 §3.1): the well-known
/// segment goes between the authority and the path, without a trailing slash.
pub(crate) fn metadata_url(resource: &str) -> Option<String> {
    let uri: http::Uri = resource.parse().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?;
    let path = uri.path().trim_end_matches('/');
    Some(format!("{scheme}://{authority}{WELL_KNOWN}{path}"))
}

/// The metadata path for an endpoint at `endpoint_path` (`/mcp` gives
/// `/.well-known/oauth-protected-resource/mcp`).
pub(crate) fn metadata_path(endpoint_path: &str) -> String {
    format!("{WELL_KNOWN}{}", endpoint_path.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_url_inserts_the_well_known_segment_before_the_path() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp").as_deref(),
            Some("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8000/public/mcp/").as_deref(),
            Some("http://127.0.0.1:8000/.well-known/oauth-protected-resource/public/mcp")
        );
        assert_eq!(
            metadata_url("https://mcp.example.com").as_deref(),
            Some("https://mcp.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(metadata_url("mcp.example.com"), None, "no scheme");
        assert_eq!(
            metadata_path("/mcp"),
            "/.well-known/oauth-protected-resource/mcp"
        );
    }
}
