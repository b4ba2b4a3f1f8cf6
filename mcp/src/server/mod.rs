//! The server: its builder, the registries of tools, resources and prompts, the router
//! (a tower `Service<McpRequest>`), the handler `Context`, and the connection engine the
//! transports drive.

mod argument_errors;
#[cfg(feature = "schema-validation")]
mod argument_schema;
mod ask;
mod builder;
mod claim_set;
mod connection;
mod context;
mod error;
mod extract;
mod gate;
mod input;
mod observe;
mod offerings;
mod output;
mod peer;
mod policy;
mod principal;
mod prompt;
mod quota;
mod refusal;
mod registry;
mod request;
mod resource;
mod router;
pub(crate) mod sandboxed;
mod schema;
mod session;
mod shutdown;
mod target;
mod task_run;
pub(crate) mod tasks;
mod tool;
mod uri_template;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

#[cfg(feature = "schema-validation")]
pub use argument_schema::InvalidSchema;
pub use ask::Input;
pub use builder::{McpService, Server, ServerBuilder, ServerConfig};
pub use claim_set::ClaimSet;
#[cfg(feature = "metrics")]
pub(crate) use connection::KNOWN_METHODS;
pub use connection::{
    Answer, Connection, Dispatch, Handled, PendingResponse, RequestCheck, Scope, WireRequest,
};
pub use context::{Context, Elicitation};
pub use error::ToolError;
pub use extract::{Extension, FromContext};
pub use gate::{Gate, GateRequest};
pub use input::StateKey;
pub use observe::{Observation, Observer, Outcome, RequestInfo};
pub use offerings::Offering;
pub use output::{IntoCallToolResult, Json};
pub use peer::{Outbox, Peer};
pub use policy::{DEFAULT_MAX_QUEUED, TimeoutError, parse_timeout};
pub use principal::{Claims, Principal, Verified};
pub use prompt::{Completer, IntoGetPromptResult, PromptDef, PromptRequest};
pub use quota::{Quota, QuotaError};
pub use refusal::{
    Challenge, Failure, INSUFFICIENT_SCOPE, RATE_LIMITED, Refusal, RefusalKind, UNAUTHORIZED,
};
pub use registry::ServerEvent;
pub use request::{McpRequest, McpResponse, RequestMeta};
pub use resource::{
    AnyResource, IntoReadResourceResult, ResourceDef, ResourceRequest, ResourceTemplateDef,
};
pub use shutdown::ShutdownSignal;
pub use target::{ListFilter, Target, TargetKind, TargetMeta};
pub use tasks::{TASKS_EXTENSION, TaskConfig};
pub use tool::{ToolCall, ToolDef};
pub use uri_template::{UriTemplate, UriTemplateError};

/// A boxed, sendable future: the form every handler returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a `#[boltmcp::handlers]` impl block provides: its tools, resources and prompts,
/// bound to one shared instance of the type.
pub trait Handlers: Send + Sync + 'static {
    /// The tools.
    fn tools(self: &Arc<Self>) -> Vec<ToolDef> {
        Vec::new()
    }
    /// The static resources.
    fn resources(self: &Arc<Self>) -> Vec<ResourceDef> {
        Vec::new()
    }
    /// The resource templates.
    fn resource_templates(self: &Arc<Self>) -> Vec<ResourceTemplateDef> {
        Vec::new()
    }
    /// The prompts.
    fn prompts(self: &Arc<Self>) -> Vec<PromptDef> {
        Vec::new()
    }
}

#[doc(hidden)]
pub mod __private {
    //! Support for the code `#[tool]`, `#[resource]` and `#[prompt]` generate. Not a public API.
    pub use super::argument_errors::read_arguments;
    pub use super::output::{SyncOutput, error_result, structured_json, structured_result};
    pub use super::policy::parse_timeout_or_panic;
    pub use super::schema::{input_schema, output_schema};
}
