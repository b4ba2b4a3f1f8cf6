//! `initialize` (legacy), `server/discover` (2026-07-28), `logging/setLevel` and the
//! capabilities both advertise.

use serde_json::{Value, json};

use super::{finish, parse_params};
use crate::protocol::{
    CacheScope, ErrorObject, InitializeRequestParams, InitializeResult, LoggingLevel,
    ProtocolVersion, ResultType, SetLevelRequestParams,
};
use crate::server::builder::ServerInner;
use crate::server::request::McpRequest;
use crate::server::session::Negotiated;

/// 2025-11-25 `basic/lifecycle`: answer with the requested version when we speak it,
/// else with our latest legacy version and let the client decide.
pub(super) fn initialize(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let params: InitializeRequestParams = parse_params(req)?;
    let version = ProtocolVersion::parse(&params.protocol_version)
        .filter(|v| v.era() == crate::protocol::Era::Legacy)
        .unwrap_or(ProtocolVersion::LATEST_LEGACY);
    req.session.set_initializing(Negotiated {
        version,
        client_capabilities: params.capabilities.clone(),
        client_info: Some(params.client_info.clone()),
    });
    let result = InitializeResult {
        protocol_version: version.as_str().to_owned(),
        capabilities: server.registry.offered.capabilities(),
        server_info: server.info.clone(),
        instructions: server.instructions.clone(),
        ..Default::default()
    };
    serde_json::to_value(result).map_err(ErrorObject::internal)
}

/// 2026-07-28 `server/discover`: versions, capabilities, and a cacheable result.
pub(super) fn discover(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let mut capabilities = server.registry.offered.capabilities();
    if server.offers_tasks() {
        // SEP-2663: the extension is announced under `extensions`, not `tasks`.
        capabilities.extensions.get_or_insert_default().insert(
            crate::server::TASKS_EXTENSION.to_owned(),
            crate::protocol::JsonObject::new(),
        );
    }
    let result = crate::protocol::DiscoverResult {
        supported_versions: ProtocolVersion::ALL
            .iter()
            .map(|v| v.as_str().to_owned())
            .collect(),
        capabilities,
        instructions: server.instructions.clone(),
        ttl_ms: Some(server.config.discover_ttl.as_millis() as u64),
        cache_scope: Some(CacheScope::Public),
        ..Default::default()
    };
    finish(server, req.era(), &result, ResultType::Complete)
}

pub(super) fn set_level(req: &McpRequest) -> Result<Value, ErrorObject> {
    let params: SetLevelRequestParams = parse_params(req)?;
    let level: LoggingLevel = params.level;
    req.session.set_log_level(level);
    Ok(json!({}))
}
