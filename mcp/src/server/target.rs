//! What a request is aimed at (a tool, a prompt, a resource) and that target's declared
//! metadata, so a layer can decide per tool without parsing params itself.

use std::sync::Arc;

/// The kind of thing a request targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetKind {
    /// `tools/call`, and `tasks/*` for the tool a task runs.
    Tool,
    /// `prompts/get`, and `completion/complete` for a prompt's arguments.
    Prompt,
    /// `resources/read`, `resources/subscribe`, `resources/unsubscribe` of a registered
    /// resource (or of a URI nothing serves).
    Resource,
    /// The same for a URI a resource template matches (the target's name is the
    /// template's `uriTemplate`), and `completion/complete` for a template's variables.
    ResourceTemplate,
}

/// Metadata a tool, prompt or resource declares for the layers in front of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetMeta {
    /// OAuth scopes the caller must hold.
    pub scopes: Vec<String>,
    /// Run the handler in the out-of-process sandbox.
    pub sandbox: bool,
    /// The calls all callers together may make (per caller too, where the rate-limit
    /// layer is configured so): `#[tool(rate_limit = "10/s")]`.
    pub rate_limit: Option<super::Quota>,
    /// A tool's calls are cancelled past this (`#[tool(timeout = "5s")]`).
    pub timeout: Option<std::time::Duration>,
    /// At most this many of a tool's calls run at once (`#[tool(max_concurrency = 4)]`);
    /// up to [`DEFAULT_MAX_QUEUED`](super::DEFAULT_MAX_QUEUED) more wait.
    pub max_concurrency: Option<u32>,
}

/// The named target of a request, resolved once before the request enters the stack.
#[derive(Debug, Clone)]
pub struct Target {
    kind: TargetKind,
    name: Arc<str>,
    meta: Option<Arc<TargetMeta>>,
}

impl Target {
    pub(crate) fn new(kind: TargetKind, name: Arc<str>, meta: Option<Arc<TargetMeta>>) -> Self {
        Target { kind, name, meta }
    }

    /// Tool, prompt, resource or template.
    pub fn kind(&self) -> TargetKind {
        self.kind
    }

    /// The tool or prompt name, the resource URI, or the template's `uriTemplate`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The target's declared metadata; `None` when no such target is registered.
    pub fn meta(&self) -> Option<&TargetMeta> {
        self.meta.as_deref()
    }

    /// The scopes the target requires (empty when unknown or unrestricted).
    pub fn scopes(&self) -> &[String] {
        self.meta.as_deref().map_or(&[], |m| &m.scopes)
    }
}

/// A layer's say over what the list methods show: put in a request's extensions, it
/// keeps `tools/list`, `resources/list`, `resources/templates/list` and
/// `prompts/list` to the items whose declared metadata it admits (the auth layer uses
/// it to hide what the caller may not use). Pagination then walks the filtered list,
/// and 2026-07-28 marks the result `cacheScope: "private"`.
#[derive(Clone)]
pub struct ListFilter(Arc<dyn Fn(&TargetMeta) -> bool + Send + Sync>);

impl ListFilter {
    /// A filter admitting the items for which `admits` is true.
    pub fn new(admits: impl Fn(&TargetMeta) -> bool + Send + Sync + 'static) -> Self {
        ListFilter(Arc::new(admits))
    }

    /// True when the item with `meta` is listed.
    pub fn admits(&self, meta: &TargetMeta) -> bool {
        (self.0)(meta)
    }
}

impl std::fmt::Debug for ListFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListFilter")
    }
}
