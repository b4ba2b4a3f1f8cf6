//! The live registries of tools, resources, templates and prompts.
//!
//! Reads are lock-free snapshots (`ArcSwap`): a `tools/call` looks its tool up without
//! taking a lock or cloning the list. Writes copy the map, swap it in and announce the
//! change, so registering at runtime emits the matching `list_changed`.

use std::sync::Arc;

use arc_swap::ArcSwap;
use indexmap::IndexMap;
use std::sync::{Mutex, PoisonError};

use tokio::sync::mpsc;

use super::offerings::{Offering, Offerings};
use super::prompt::PromptDef;
use super::resource::{ResourceDef, ResourceTemplateDef};
use super::tool::ToolDef;

/// A change the server announces to every connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// The tool list changed.
    ToolsChanged,
    /// The resource or template list changed.
    ResourcesChanged,
    /// The prompt list changed.
    PromptsChanged,
    /// The resource at this URI changed.
    ResourceUpdated(Arc<str>),
}

/// Names and URIs come from the server's own registrations, not from clients, so a
/// fast hasher is safe here: a client's lookups cannot make the table degrade.
type Listener = Box<dyn Fn(&ServerEvent) -> bool + Send + Sync>;

type Map<T> = IndexMap<Arc<str>, T, foldhash::fast::RandomState>;

/// A copy-on-write map keyed by name or URI, in registration order.
#[derive(Debug)]
pub(crate) struct Catalog<T> {
    items: ArcSwap<Map<T>>,
}

impl<T: Clone> Catalog<T> {
    fn new() -> Self {
        Catalog {
            items: ArcSwap::from_pointee(Map::default()),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<T> {
        self.items.load().get(key).cloned()
    }

    /// The entry and its key, so callers can share the key instead of copying the name.
    pub(crate) fn get_entry(&self, key: &str) -> Option<(Arc<str>, T)> {
        self.items
            .load()
            .get_key_value(key)
            .map(|(k, v)| (k.clone(), v.clone()))
    }

    pub(crate) fn snapshot(&self) -> Arc<Map<T>> {
        self.items.load_full()
    }

    fn insert(&self, key: Arc<str>, value: T) {
        self.items.rcu(|map| {
            let mut map = Map::clone(map);
            map.insert(key.clone(), value.clone());
            map
        });
    }

    fn remove(&self, key: &str) -> bool {
        let mut removed = false;
        self.items.rcu(|map| {
            let mut map = Map::clone(map);
            removed = map.shift_remove(key).is_some();
            map
        });
        removed
    }
}

impl Catalog<ToolDef> {
    /// The synchronous handler of a tool, without cloning the definition.
    pub(crate) fn sync_handler(
        &self,
        name: &str,
        era: crate::protocol::Era,
    ) -> Option<std::sync::Arc<super::tool::SyncToolFn>> {
        self.items
            .load()
            .get(name)
            // A 2026-07-28 call of a tool that may run as a task goes the general way,
            // which decides between a task, -32021 and an answer in place.
            .filter(|t| {
                era != crate::protocol::Era::Modern
                    || t.task_support == crate::protocol::TaskSupport::Forbidden
            })
            .and_then(|t| t.sync.clone())
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("tools", &self.tools)
            .field("resources", &self.resources)
            .field("templates", &self.templates)
            .field("prompts", &self.prompts)
            .finish_non_exhaustive()
    }
}

/// Everything a server offers, shared by all its connections.
pub(crate) struct Registry {
    pub(crate) tools: Catalog<ToolDef>,
    pub(crate) resources: Catalog<ResourceDef>,
    pub(crate) templates: Catalog<ResourceTemplateDef>,
    pub(crate) prompts: Catalog<PromptDef>,
    /// The kinds the capabilities advertise.
    pub(crate) offered: Offerings,
    /// Everyone who hears changes: connections (which forward them to legacy clients
    /// through their own outgoing queue) and `subscriptions/listen` streams. A
    /// listener that returns `false` has gone away and is forgotten.
    listeners: Mutex<Vec<(u64, Listener)>>,
    next_listener: std::sync::atomic::AtomicU64,
    /// The sandbox sandboxed tools' calls go to, once the server has one.
    pub(crate) sandbox: super::sandboxed::SandboxSlot,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Registry {
            tools: Catalog::new(),
            resources: Catalog::new(),
            templates: Catalog::new(),
            prompts: Catalog::new(),
            offered: Offerings::default(),
            listeners: Mutex::new(Vec::new()),
            next_listener: std::sync::atomic::AtomicU64::new(1),
            sandbox: Default::default(),
        }
    }

    /// Calls `listener` with every change until it returns `false` or is removed with
    /// [`Self::unlisten`] and the id this returns.
    pub(crate) fn listen(
        &self,
        listener: impl Fn(&ServerEvent) -> bool + Send + Sync + 'static,
    ) -> u64 {
        let id = self
            .next_listener
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.listeners().push((id, Box::new(listener)));
        id
    }

    #[cfg(test)]
    pub(crate) fn listener_count(&self) -> usize {
        self.listeners().len()
    }

    /// Removes a listener, as a connection does when it closes.
    pub(crate) fn unlisten(&self, id: u64) {
        self.listeners().retain(|(listener, _)| *listener != id);
    }

    /// A queue of every change, until the receiver is dropped.
    pub(crate) fn subscribe(&self) -> mpsc::UnboundedReceiver<ServerEvent> {
        let (tx, rx) = mpsc::unbounded_channel();
        // Dropped by its first announcement after the receiver is gone.
        self.listen(move |event| tx.send(event.clone()).is_ok());
        rx
    }

    /// Tells every live listener; listeners that went away are forgotten.
    pub(crate) fn announce(&self, event: ServerEvent) {
        self.listeners().retain(|(_, listener)| listener(&event));
    }

    fn listeners(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Listener)>> {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn add_tool(&self, def: ToolDef) {
        let def = super::sandboxed::prepare(def, &self.sandbox);
        self.offered.mark(Offering::Tools);
        self.tools.insert(def.tool.name.as_str().into(), def);
        self.announce(ServerEvent::ToolsChanged);
    }

    pub(crate) fn remove_tool(&self, name: &str) -> bool {
        let removed = self.tools.remove(name);
        if removed {
            self.announce(ServerEvent::ToolsChanged);
        }
        removed
    }

    pub(crate) fn add_resource(&self, def: ResourceDef) {
        self.offered.mark(Offering::Resources);
        self.resources.insert(def.resource.uri.as_str().into(), def);
        self.announce(ServerEvent::ResourcesChanged);
    }

    pub(crate) fn remove_resource(&self, uri: &str) -> bool {
        let removed = self.resources.remove(uri);
        if removed {
            self.announce(ServerEvent::ResourcesChanged);
        }
        removed
    }

    pub(crate) fn add_template(&self, def: ResourceTemplateDef) {
        self.offered.mark(Offering::Resources);
        if def.completer.is_some() {
            self.offered.mark(Offering::Completions);
        }
        self.templates
            .insert(def.template.uri_template.as_str().into(), def);
        self.announce(ServerEvent::ResourcesChanged);
    }

    pub(crate) fn remove_template(&self, uri_template: &str) -> bool {
        let removed = self.templates.remove(uri_template);
        if removed {
            self.announce(ServerEvent::ResourcesChanged);
        }
        removed
    }

    pub(crate) fn add_prompt(&self, def: PromptDef) {
        self.offered.mark(Offering::Prompts);
        if def.completer.is_some() {
            self.offered.mark(Offering::Completions);
        }
        self.prompts.insert(def.prompt.name.as_str().into(), def);
        self.announce(ServerEvent::PromptsChanged);
    }

    pub(crate) fn remove_prompt(&self, name: &str) -> bool {
        let removed = self.prompts.remove(name);
        if removed {
            self.announce(ServerEvent::PromptsChanged);
        }
        removed
    }
}
