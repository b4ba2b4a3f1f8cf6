//! Tower layers at the MCP-request level: what a server puts in front of its router to
//! decide who may call what. Each sits behind a cargo feature, so a server that needs
//! none links none.

#[cfg(feature = "auth")]
pub mod auth;

#[cfg(feature = "rate-limit")]
pub mod rate_limit;

#[cfg(feature = "metrics")]
pub mod metrics;

#[cfg(all(feature = "sandbox", target_os = "linux"))]
pub mod sandbox;
