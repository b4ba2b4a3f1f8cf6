//! The one rule the registry keeps for `#[tool(sandbox)]`: a sandboxed tool never
//! runs in the server's process. On registration its handlers are replaced by one
//! that hands the call to the server's sandbox, or, when the server has none, answers
//! with an `isError` result saying so. Only in a sandbox worker itself does the
//! tool keep its own handler (wrapped to account for each call there).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::tool::{ToolCall, ToolDef};
use super::{BoxFuture, ToolError};
use crate::protocol::CallToolResult;

/// Runs sandboxed tools' calls out of process: what a server's sandbox implements.
pub(crate) trait SandboxRunner: Send + Sync + 'static {
    /// Runs a call of `tool`, whose own timeout is `timeout`.
    fn run(
        &self,
        tool: Arc<str>,
        timeout: Option<Duration>,
        call: ToolCall,
    ) -> BoxFuture<'static, Result<CallToolResult, ToolError>>;

    /// Ends the idle workers now.
    #[cfg(all(feature = "sandbox", target_os = "linux"))]
    fn stop_idle(&self);
}

/// Where a server's sandbox goes once it has one; shared by every handler the
/// registry made for a sandboxed tool.
pub(crate) type SandboxSlot = Arc<OnceLock<Arc<dyn SandboxRunner>>>;

/// `def` as the registry keeps it: unchanged unless it is sandboxed.
pub(crate) fn prepare(def: ToolDef, slot: &SandboxSlot) -> ToolDef {
    if !def.meta.sandbox {
        return def;
    }
    #[cfg(all(feature = "sandbox", target_os = "linux"))]
    if let Some(state) = crate::layers::sandbox::worker_state() {
        return crate::layers::sandbox::in_worker(def, state);
    }
    let name: Arc<str> = def.tool.name.as_str().into();
    let timeout = def.meta.timeout;
    let slot = slot.clone();
    let mut def = def;
    def.sync = None;
    def.blocking = None;
    def.handler = Arc::new(move |call: ToolCall| match slot.get() {
        Some(sandbox) => sandbox.run(name.clone(), timeout, call),
        None => {
            let refused = ToolError::new(no_sandbox(&name));
            Box::pin(async move { Err(refused) })
        }
    });
    def
}

fn no_sandbox(tool: &str) -> String {
    if cfg!(all(feature = "sandbox", target_os = "linux")) {
        format!(
            "`{tool}` runs only in a sandbox, and this server has none: \
             give it one with `Server::sandbox`"
        )
    } else {
        format!(
            "`{tool}` runs only in a sandbox, and this build has none: \
             enable boltmcp's `sandbox` feature (Linux)"
        )
    }
}
