//! Server-side auth (feature `auth`): who may call, and what.
//!
//! - Verifiers check a bearer token and say who it belongs to: static tokens
//!   ([`StaticTokens`]), JWT with pinned keys ([`JwtVerifier`], [`JwtKey`]) or keys
//!   from a JWKS URL ([`Jwks`]), RFC 7662 introspection ([`Introspection`]), several
//!   in order ([`MultiAuth`]), or your own ([`TokenVerifier`]).
//! - [`Auth`] runs them through a cache of verified tokens and vouches for the caller
//!   with a [`Principal`](crate::server::Principal), which handlers, layers, sessions,
//!   `requestState` and tasks see and are bound to.
//! - Scopes declared on tools, resources, templates and prompts are enforced per
//!   request; over HTTP a refusal is a 401 or 403 with the `WWW-Authenticate`
//!   challenge the spec names, and RFC 9728 metadata tells clients where to get a
//!   token (2025-11-25 `basic/authorization`, 2026-07-28 `basic/authorization/`).

mod bearer;
mod cache;
mod config;
mod http;
mod introspection;
mod jwks;
mod jwt;
mod jwt_key;
mod jwt_parts;
mod layer;
mod metadata;
mod outbound;
#[cfg(test)]
mod test_support;
mod verifier;

pub use bearer::{STATIC_ISSUER, StaticTokens};
pub use config::{Auth, AuthBuilder, DEFAULT_MAX_TOKEN_BYTES, Unauthorized};
pub(crate) use http::authenticate_http;
pub use introspection::Introspection;
pub use jwks::Jwks;
pub use jwt::{DEFAULT_LEEWAY, JwtVerifier, JwtVerifierBuilder};
pub use jwt_key::{Algorithm, JwtKey};
pub use layer::{AuthGate, AuthLayer, AuthService};
pub use metadata::WELL_KNOWN;
pub(crate) use metadata::metadata_path;
pub use verifier::{ConfigError, MultiAuth, TokenError, TokenVerifier};
