//! Running a call as a task: the handler goes on in the background under a context
//! of its own, and the client is answered at once with the task's handle
//! (SEP-2663). A tool does it by declaring [`ToolDef::task_support`], or a handler
//! mid-way by calling [`Context::as_task`] (after a synchronous input round, say).
//!
//! [`ToolDef::task_support`]: super::ToolDef::task_support

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use serde_json::Value;

use super::ToolError;
use super::context::{Context, ContextInner};
use super::output::IntoCallToolResult;
use super::router::call::settle;
use super::router::invoke::panic_message;
use super::tasks::declares_tasks;
use crate::protocol::{CallToolResult, Era, ErrorObject};

/// Starts `work` as a task of the server `ctx` belongs to, and returns the
/// `CreateTaskResult` to answer with. The task is stored before this returns.
pub(crate) fn start<F, Fut>(ctx: &Context, name: String, work: F) -> Result<Value, ErrorObject>
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
{
    let inner = ctx.inner();
    let server = inner.server.clone();
    let target = inner.target.clone();
    let owner = inner
        .extensions
        .get::<super::Principal>()
        .map(|p| std::sync::Arc::<str>::from(p.id()));
    let task = server.tasks.create(target.clone(), owner)?;
    let task_ctx = Context::from_inner(ContextInner {
        id: inner.id.clone(),
        version: inner.version,
        meta: inner.meta.clone(),
        peer: inner.peer.clone(),
        session: inner.session.clone(),
        cancel: task.cancellation().clone(),
        extensions: inner.extensions.clone(),
        last_progress: Default::default(),
        input: inner.input.continued(),
        server: server.clone(),
        task: Some(task.clone()),
        target,
    });
    let kept = task_ctx.clone();
    let running = work(task_ctx);
    let created = task.created();
    tokio::spawn(async move {
        let cancelled = task.cancellation().clone();
        let outcome = tokio::select! {
            outcome = AssertUnwindSafe(running).catch_unwind() => outcome,
            // `tasks/cancel` already recorded the status; the work just stops.
            () = cancelled.cancelled() => return,
        };
        // As for a call: an error the round recorded (-32021, a malformed answer)
        // wins over whatever the handler made of it.
        let settled = match kept.inner().input.take_fatal() {
            Some(fatal) => Err(fatal),
            None => settle(
                &server,
                Era::Modern,
                &name,
                outcome.map_err(|panic| panic_message(&panic)),
            )
            .map_err(|(error, _)| error)
            .and_then(|result| serde_json::to_value(result).map_err(ErrorObject::internal)),
        };
        task.finish(settled);
    });
    Ok(created)
}

impl Context {
    /// Goes on with `work` as a task when the client can take one (a 2026-07-28
    /// client that declared `io.modelcontextprotocol/tasks`): the call is answered at
    /// once with the task's handle, and `work`'s outcome becomes the task's result.
    /// Otherwise `work` runs now and its output is returned. Return what this returns
    /// from the handler:
    ///
    /// ```ignore
    /// let name = ctx.input("user_name").elicit::<Name>("Who?").await?; // asked first
    /// ctx.as_task(move |ctx| async move { long_job(ctx, name).await }).await
    /// ```
    pub async fn as_task<F, Fut, R>(&self, work: F) -> Result<R, ToolError>
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoCallToolResult + Send + 'static,
    {
        let inner = self.inner();
        let can_task = inner.task.is_none()
            && self.era() == Era::Modern
            && declares_tasks(inner.meta.client_capabilities.as_deref());
        if !can_task {
            return Ok(work(self.clone()).await);
        }
        let created = start(self, "task".to_owned(), move |ctx| {
            let running = work(ctx);
            async move { running.await.into_call_tool_result() }
        })
        .map_err(ToolError::protocol)?;
        Err(ToolError::task_created(created))
    }
}
