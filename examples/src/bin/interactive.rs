//! Progress, elicitation and cancellation, written once and working in both protocol
//! eras: a legacy client gets real `elicitation/create` requests, a 2026-07-28 client an
//! `InputRequiredResult` it answers by retrying the call.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin interactive
//! ```

use std::time::Duration;

use boltmcp::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Counts to `steps`, reporting progress; stops early when the client cancels.
///
/// steps: how many 100 ms steps to take
#[tool]
async fn long_task(ctx: Context, steps: u32) -> String {
    for step in 1..=steps {
        tokio::select! {
            () = ctx.cancelled() => return format!("cancelled after {} steps", step - 1),
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        ctx.progress(f64::from(step), Some(f64::from(steps)), Some("counting"));
    }
    format!("done after {steps} steps")
}

/// The form the user fills in.
#[derive(Debug, Deserialize, JsonSchema)]
struct Confirmation {
    /// Really delete?
    confirm: bool,
}

/// Pretends to delete a file, after asking the user.
///
/// path: the file to delete
#[tool(annotations(destructive))]
async fn delete_file(ctx: Context, path: String) -> Result<String, ToolError> {
    match ctx
        .elicit::<Confirmation>(format!("Delete {path}?"))
        .await?
    {
        Elicitation::Accepted(Confirmation { confirm: true }) => Ok(format!("deleted {path}")),
        _ => Ok(format!("kept {path}")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let server = Server::builder("interactive", env!("CARGO_PKG_VERSION"))
        .tool(long_task_tool())
        .tool(delete_file_tool())
        .build();
    boltmcp::transport::serve_stdio(server).await
}
