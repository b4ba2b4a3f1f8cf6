//! What a server advertises in `initialize` and `server/discover`: the kinds of things
//! it has (tools, resources, prompts, completions), so a client never lists an empty
//! registry or offers a resource picker with nothing in it.
//!
//! A kind is offered once something of it is registered, at build or at runtime, or
//! when the builder declares that the server may add it later
//! ([`ServerBuilder::may_add`](super::ServerBuilder::may_add)). Once offered, a kind
//! stays offered: a client told about it keeps hearing its `list_changed`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::protocol::{
    JsonObject, PromptsCapability, ResourcesCapability, ServerCapabilities, ToolsCapability,
};

/// A kind of thing a server may offer, for [`ServerBuilder::may_add`](super::ServerBuilder::may_add).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Offering {
    /// Tools (`tools/list`, `tools/call`).
    Tools,
    /// Resources and resource templates (`resources/*`).
    Resources,
    /// Prompts (`prompts/list`, `prompts/get`).
    Prompts,
    /// Argument completion for prompts and resource templates (`completion/complete`).
    Completions,
}

/// Which kinds are offered; set once, never cleared.
#[derive(Debug, Default)]
pub(crate) struct Offerings {
    flags: [AtomicBool; 4],
}

impl Offerings {
    pub(crate) fn mark(&self, offering: Offering) {
        self.flags[offering as usize].store(true, Ordering::Relaxed);
    }

    pub(crate) fn has(&self, offering: Offering) -> bool {
        self.flags[offering as usize].load(Ordering::Relaxed)
    }

    /// The capabilities both eras advertise. Every offered list may change while the
    /// server runs (runtime registration), so each says `listChanged`.
    pub(crate) fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities {
            tools: self.has(Offering::Tools).then(|| ToolsCapability {
                list_changed: Some(true),
                ..Default::default()
            }),
            resources: self.has(Offering::Resources).then(|| ResourcesCapability {
                list_changed: Some(true),
                subscribe: Some(true),
                ..Default::default()
            }),
            prompts: self.has(Offering::Prompts).then(|| PromptsCapability {
                list_changed: Some(true),
                ..Default::default()
            }),
            completions: self.has(Offering::Completions).then(JsonObject::new),
            // Any handler may log through its `Context`.
            logging: Some(JsonObject::new()),
            ..Default::default()
        }
    }
}
