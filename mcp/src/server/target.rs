//! What a request is aimed at (a tool, a prompt, a resource) and that target's declared
//! metadata, so a layer can decide per tool without parsing params itself.

use std::sync::Arc;

/// The kind of thing a request targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// `tools/call`.
    Tool,
    /// `prompts/get`.
    Prompt,
    /// `resources/read`, `resources/subscribe`, `resources/unsubscribe`.
    Resource,
}

/// Metadata a tool, prompt or resource declares for the layers in front of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetMeta {
    /// OAuth scopes the caller must hold.
    pub scopes: Vec<String>,
    /// Run the handler in the out-of-process sandbox.
    pub sandbox: bool,
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

    /// Tool, prompt or resource.
    pub fn kind(&self) -> TargetKind {
        self.kind
    }

    /// The tool or prompt name, or the resource URI.
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
