//! `Server` and its builder: who the server is, what it offers, and the tower stack
//! every request goes through.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tower::util::BoxCloneSyncService;
use tower::{BoxError, Layer, Service, ServiceExt};

use super::input::StateKey;
use super::prompt::PromptDef;
use super::registry::{Registry, ServerEvent};
use super::request::{McpRequest, McpResponse};
use super::resource::{ResourceDef, ResourceTemplateDef};
use super::router::Router;
use super::tool::ToolDef;
use crate::protocol::{Icon, Implementation};

/// The type-erased tower stack that serves requests.
pub type McpService = BoxCloneSyncService<McpRequest, McpResponse, BoxError>;

/// Tunables with production defaults.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Items per page of every list method.
    pub page_size: usize,
    /// `ttlMs` on 2026-07-28 list results (0: clients re-fetch every time).
    pub list_ttl: Duration,
    /// `ttlMs` on 2026-07-28 `resources/read` results.
    pub read_ttl: Duration,
    /// `ttlMs` on `server/discover`.
    pub discover_ttl: Duration,
    /// How long an input-required `requestState` stays valid.
    pub request_state_ttl: Duration,
    /// Largest message a transport accepts, in bytes.
    pub max_message_size: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            page_size: 100,
            list_ttl: Duration::ZERO,
            read_ttl: Duration::ZERO,
            discover_ttl: Duration::ZERO,
            request_state_ttl: Duration::from_secs(600),
            max_message_size: 4 * 1024 * 1024,
        }
    }
}

pub(crate) struct ServerInner {
    pub(crate) info: Implementation,
    /// `info` as JSON, computed once for the `_meta` of every 2026-07-28 result.
    pub(crate) info_json: serde_json::Value,
    /// The same, serialised, for results written without a `Value`.
    pub(crate) info_text: String,
    pub(crate) instructions: Option<String>,
    pub(crate) config: ServerConfig,
    pub(crate) registry: Registry,
    pub(crate) state_key: StateKey,
    pub(crate) tasks: super::tasks::TaskStore,
    /// Advertise the tasks extension even when no tool declares task support (for
    /// handlers that call `Context::as_task`).
    pub(crate) tasks_declared: bool,
}

impl ServerInner {
    /// Whether `server/discover` advertises `io.modelcontextprotocol/tasks`.
    pub(crate) fn offers_tasks(&self) -> bool {
        self.tasks_declared
            || self
                .registry
                .tools
                .snapshot()
                .values()
                .any(|tool| tool.task_support != crate::protocol::TaskSupport::Forbidden)
    }
}

/// The request stack: the bare router until a layer is added, so an unlayered
/// server pays for no boxing or dynamic dispatch per request.
#[derive(Clone)]
pub(crate) enum Stack {
    Bare(Router),
    Layered(McpService),
}

impl Stack {
    fn boxed(self) -> McpService {
        match self {
            Stack::Bare(router) => BoxCloneSyncService::new(router.map_err(BoxError::from)),
            Stack::Layered(service) => service,
        }
    }
}

/// An MCP server: cheap to clone, shared by all its connections and transports.
#[derive(Clone)]
pub struct Server {
    pub(crate) inner: Arc<ServerInner>,
    pub(crate) stack: Stack,
    /// Checks every request passes before it runs, in order.
    pub(crate) gates: Arc<[Arc<dyn super::Gate>]>,
    /// Told how every request begins and ends (metrics).
    pub(crate) observer: Option<Arc<dyn super::Observer>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.inner.info.name)
            .field("version", &self.inner.info.version)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts building a server called `name`, version `version`.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ServerBuilder {
        ServerBuilder {
            info: Implementation {
                name: name.into(),
                version: version.into(),
                ..Default::default()
            },
            instructions: None,
            config: ServerConfig::default(),
            state_key: None,
            tools: Vec::new(),
            resources: Vec::new(),
            templates: Vec::new(),
            prompts: Vec::new(),
            tasks: None,
            may_add: Vec::new(),
        }
    }

    /// Who this server says it is.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// Wraps the request stack in `layer`: tower's own (timeout, concurrency limit,
    /// load shedding) or boltmcp's (auth, rate limits, sandbox).
    pub fn layer<L>(self, layer: L) -> Server
    where
        L: Layer<McpService>,
        L::Service: Service<McpRequest, Response = McpResponse> + Clone + Send + Sync + 'static,
        <L::Service as Service<McpRequest>>::Error: Into<BoxError>,
        <L::Service as Service<McpRequest>>::Future: Send + 'static,
    {
        let service = layer.layer(self.stack.boxed()).map_err(Into::into);
        Server {
            inner: self.inner,
            stack: Stack::Layered(BoxCloneSyncService::new(service)),
            gates: self.gates,
            observer: self.observer,
        }
    }

    /// Adds a [`Gate`](super::Gate): a check every request passes before it runs,
    /// after the gates added before it. Unlike a layer, a gate keeps synchronous tool
    /// calls on their fast path.
    pub fn gate(self, gate: impl super::Gate) -> Server {
        let mut gates: Vec<Arc<dyn super::Gate>> = self.gates.iter().cloned().collect();
        gates.push(Arc::new(gate));
        Server {
            gates: gates.into(),
            ..self
        }
    }

    /// Puts `gate` before every gate already added: the auth check's scope gate, so
    /// that a caller refused for its scopes spends no rate-limit budget.
    #[cfg_attr(not(feature = "auth"), allow(dead_code))]
    pub(crate) fn gate_first(self, gate: impl super::Gate) -> Server {
        let first: Arc<dyn super::Gate> = Arc::new(gate);
        let gates = std::iter::once(first).chain(self.gates.iter().cloned());
        Server {
            gates: gates.collect(),
            ..self
        }
    }

    /// Adds an [`Observer`](super::Observer): told how every request begins and
    /// ends, on every path (refusals, the fast path, cancellations included). A second
    /// observer is told after the first.
    pub fn observe(self, observer: impl super::Observer) -> Server {
        let added: Arc<dyn super::Observer> = Arc::new(observer);
        let observer = match self.observer {
            Some(first) => Arc::new(super::observe::Both(first, added)),
            None => added,
        };
        Server {
            observer: Some(observer),
            ..self
        }
    }

    /// Tells the observer of a request refused before the engine read it (the HTTP
    /// transport's auth check).
    #[cfg_attr(not(feature = "auth"), allow(dead_code))]
    pub(crate) fn observe_refused(&self, refusal: &super::Refusal) {
        let unread = super::RequestInfo::default();
        super::observe::Watch::begin(self.observer.as_ref(), unread)
            .finish(super::Outcome::Refused(refusal.kind()));
    }

    /// The request stack, for transports.
    pub fn service(&self) -> McpService {
        self.stack.clone().boxed()
    }

    /// Adds or replaces a tool while the server runs; clients hear `tools/list_changed`.
    pub fn add_tool(&self, tool: ToolDef) {
        self.inner.registry.add_tool(tool);
    }

    /// Removes a tool; true if it existed.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.inner.registry.remove_tool(name)
    }

    /// Adds or replaces a resource.
    pub fn add_resource(&self, resource: ResourceDef) {
        self.inner.registry.add_resource(resource);
    }

    /// Removes a resource; true if it existed.
    pub fn remove_resource(&self, uri: &str) -> bool {
        self.inner.registry.remove_resource(uri)
    }

    /// Adds or replaces a resource template.
    pub fn add_resource_template(&self, template: ResourceTemplateDef) {
        self.inner.registry.add_template(template);
    }

    /// Removes a resource template; true if it existed.
    pub fn remove_resource_template(&self, uri_template: &str) -> bool {
        self.inner.registry.remove_template(uri_template)
    }

    /// Adds or replaces a prompt.
    pub fn add_prompt(&self, prompt: PromptDef) {
        self.inner.registry.add_prompt(prompt);
    }

    /// Removes a prompt; true if it existed.
    pub fn remove_prompt(&self, name: &str) -> bool {
        self.inner.registry.remove_prompt(name)
    }

    /// Tells listening clients that something changed without changing the catalogs
    /// here: a tool's behaviour, a prompt another process serves.
    pub fn announce(&self, event: ServerEvent) {
        self.inner.registry.announce(event);
    }

    /// Tells subscribed clients that the resource at `uri` changed.
    pub fn notify_resource_updated(&self, uri: &str) {
        self.inner
            .registry
            .announce(ServerEvent::ResourceUpdated(uri.into()));
    }

    /// Every scope a registered tool, resource, template or prompt declares, sorted,
    /// each once (for the `scopes_supported` of the auth metadata).
    pub fn declared_scopes(&self) -> Vec<String> {
        let registry = &self.inner.registry;
        let mut scopes: Vec<String> = Vec::new();
        let mut add = |meta: &super::TargetMeta| scopes.extend(meta.scopes.iter().cloned());
        registry
            .tools
            .snapshot()
            .values()
            .for_each(|t| add(&t.meta));
        registry
            .resources
            .snapshot()
            .values()
            .for_each(|r| add(&r.meta));
        registry
            .templates
            .snapshot()
            .values()
            .for_each(|t| add(&t.meta));
        registry
            .prompts
            .snapshot()
            .values()
            .for_each(|p| add(&p.meta));
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// The names of the registered tools, in registration order.
    pub fn tool_names(&self) -> Vec<String> {
        self.inner
            .registry
            .tools
            .snapshot()
            .keys()
            .map(|k| k.to_string())
            .collect()
    }
}

/// Collects a server's identity, configuration and offerings.
#[derive(Debug)]
#[must_use = "a builder does nothing until .build()"]
pub struct ServerBuilder {
    info: Implementation,
    instructions: Option<String>,
    config: ServerConfig,
    state_key: Option<StateKey>,
    tools: Vec<ToolDef>,
    resources: Vec<ResourceDef>,
    templates: Vec<ResourceTemplateDef>,
    prompts: Vec<PromptDef>,
    tasks: Option<super::tasks::TaskConfig>,
    may_add: Vec<super::Offering>,
}

impl ServerBuilder {
    /// Offers the tasks extension (`io.modelcontextprotocol/tasks`) to 2026-07-28
    /// clients, with these retention and polling settings. Registering a tool with
    /// [`ToolDef::task_support`] offers it too, with the defaults.
    pub fn tasks(mut self, config: super::tasks::TaskConfig) -> Self {
        self.tasks = Some(config);
        self
    }

    /// A display title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.info.title = Some(title.into());
        self
    }

    /// A description of the server.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.info.description = Some(description.into());
        self
    }

    /// Icons for the server.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.info.icons = Some(icons);
        self
    }

    /// Instructions for the model on how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Replaces the configuration.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Items per page of every list method.
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.config.page_size = page_size.max(1);
        self
    }

    /// The key that seals `requestState`; share it between replicas. Random by default.
    pub fn request_state_key(mut self, key: StateKey) -> Self {
        self.state_key = Some(key);
        self
    }

    /// Registers a tool (from `#[tool]`'s `NAME_tool()` or built by hand).
    pub fn tool(mut self, tool: ToolDef) -> Self {
        self.tools.push(tool);
        self
    }

    /// Registers several tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = ToolDef>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Registers a resource or a resource template.
    pub fn resource(mut self, resource: impl Into<super::AnyResource>) -> Self {
        match resource.into() {
            super::AnyResource::Static(def) => self.resources.push(def),
            super::AnyResource::Template(def) => self.templates.push(def),
        }
        self
    }

    /// Registers a resource template.
    pub fn resource_template(mut self, template: ResourceTemplateDef) -> Self {
        self.templates.push(template);
        self
    }

    /// Registers a prompt.
    pub fn prompt(mut self, prompt: PromptDef) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// Declares that the server may add this kind of thing while it runs, so its
    /// capability is advertised from the first `initialize` or `server/discover` even
    /// while nothing of the kind is registered. Without it, a server advertises only
    /// what it has (a tools-only server advertises no `resources` or `prompts`).
    pub fn may_add(mut self, offering: super::Offering) -> Self {
        self.may_add.push(offering);
        self
    }

    /// Registers everything a `#[boltmcp::handlers]` impl block provides.
    pub fn handlers<H: super::Handlers>(mut self, handlers: Arc<H>) -> Self {
        self.tools.extend(handlers.tools());
        self.resources.extend(handlers.resources());
        self.templates.extend(handlers.resource_templates());
        self.prompts.extend(handlers.prompts());
        self
    }

    /// Finishes the server.
    pub fn build(self) -> Server {
        let registry = Registry::new();
        for offering in self.may_add {
            registry.offered.mark(offering);
        }
        for tool in self.tools {
            registry.add_tool(tool);
        }
        for resource in self.resources {
            registry.add_resource(resource);
        }
        for template in self.templates {
            registry.add_template(template);
        }
        for prompt in self.prompts {
            registry.add_prompt(prompt);
        }
        let info_json = serde_json::to_value(&self.info).unwrap_or_default();
        let info_text = info_json.to_string();
        let inner = Arc::new(ServerInner {
            info: self.info,
            info_json,
            info_text,
            instructions: self.instructions,
            config: self.config,
            registry,
            state_key: self.state_key.unwrap_or_else(StateKey::random),
            tasks: super::tasks::TaskStore::new(self.tasks.unwrap_or_default()),
            tasks_declared: self.tasks.is_some(),
        });
        let router = Router::new(inner.clone());
        Server {
            inner,
            stack: Stack::Bare(router),
            gates: Arc::from(Vec::new()),
            observer: None,
        }
    }
}
