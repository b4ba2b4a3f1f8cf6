//! The four list methods, with cursor pagination (2025-11-25 `server/utilities/pagination`):
//! the cursor is opaque to clients; an unreadable one is -32602.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use indexmap::IndexMap;
use serde_json::Value;

use super::{finish, parse_params};
use crate::protocol::{
    CacheScope, Era, ErrorObject, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ResultType,
};
use crate::server::builder::ServerInner;
use crate::server::request::McpRequest;
use crate::server::{ListFilter, TargetMeta};

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    text.strip_prefix("o:")?.parse().ok()
}

/// One page of `items` (those a layer's [`ListFilter`] admits) and the cursor of the
/// next page. `meta` reads an item's declared metadata.
fn page<T: Clone, U, S>(
    server: &ServerInner,
    req: &McpRequest,
    items: &IndexMap<Arc<str>, T, S>,
    meta: impl Fn(&T) -> &TargetMeta,
    project: impl Fn(&T) -> U,
) -> Result<(Vec<U>, Option<String>), ErrorObject> {
    let params: PaginatedRequestParams = parse_params(req)?;
    let visible: Vec<&T> = match req.extensions.get::<ListFilter>() {
        Some(filter) => items
            .values()
            .filter(|item| filter.admits(meta(item)))
            .collect(),
        None => items.values().collect(),
    };
    let start = match params.cursor.as_deref() {
        None => 0,
        Some(cursor) => decode_cursor(cursor)
            .filter(|&o| o <= visible.len())
            .ok_or_else(|| ErrorObject::invalid_params("unknown or expired cursor"))?,
    };
    let end = (start + server.config.page_size).min(visible.len());
    let page = visible[start..end]
        .iter()
        .map(|item| project(item))
        .collect();
    let next = (end < visible.len()).then(|| encode_cursor(end));
    Ok((page, next))
}

/// 2026-07-28 cache fields: a list filtered for its caller is private to it.
fn cache(server: &ServerInner, req: &McpRequest) -> (Option<u64>, Option<CacheScope>) {
    match req.era() {
        Era::Modern => (
            Some(server.config.list_ttl.as_millis() as u64),
            Some(match req.extensions.get::<ListFilter>() {
                Some(_) => CacheScope::Private,
                None => CacheScope::Public,
            }),
        ),
        Era::Legacy => (None, None),
    }
}

pub(super) fn list_tools(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let snapshot = server.registry.tools.snapshot();
    let (tools, next_cursor) = page(server, req, &snapshot, |t| &t.meta, |t| (*t.tool).clone())?;
    let (ttl_ms, cache_scope) = cache(server, req);
    let result = ListToolsResult {
        tools,
        next_cursor,
        ttl_ms,
        cache_scope,
        ..Default::default()
    };
    finish(server, req.era(), &result, ResultType::Complete)
}

pub(super) fn list_resources(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let snapshot = server.registry.resources.snapshot();
    let (resources, next_cursor) = page(
        server,
        req,
        &snapshot,
        |r| &r.meta,
        |r| (*r.resource).clone(),
    )?;
    let (ttl_ms, cache_scope) = cache(server, req);
    let result = ListResourcesResult {
        resources,
        next_cursor,
        ttl_ms,
        cache_scope,
        ..Default::default()
    };
    finish(server, req.era(), &result, ResultType::Complete)
}

pub(super) fn list_templates(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let snapshot = server.registry.templates.snapshot();
    let (resource_templates, next_cursor) = page(
        server,
        req,
        &snapshot,
        |t| &t.meta,
        |t| (*t.template).clone(),
    )?;
    let (ttl_ms, cache_scope) = cache(server, req);
    let result = ListResourceTemplatesResult {
        resource_templates,
        next_cursor,
        ttl_ms,
        cache_scope,
        ..Default::default()
    };
    finish(server, req.era(), &result, ResultType::Complete)
}

pub(super) fn list_prompts(server: &ServerInner, req: &McpRequest) -> Result<Value, ErrorObject> {
    let snapshot = server.registry.prompts.snapshot();
    let (prompts, next_cursor) =
        page(server, req, &snapshot, |p| &p.meta, |p| (*p.prompt).clone())?;
    let (ttl_ms, cache_scope) = cache(server, req);
    let result = ListPromptsResult {
        prompts,
        next_cursor,
        ttl_ms,
        cache_scope,
        ..Default::default()
    };
    finish(server, req.era(), &result, ResultType::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(200)), Some(200));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("x:1")), None);
    }
}
