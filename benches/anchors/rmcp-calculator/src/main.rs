//! rmcp calculator: one tool, `add(a, b)`, served over rmcp's non-blocking
//! stdio transport (`rmcp::transport::stdio_pipes`). The comparison anchor for
//! boltmcp's `mcp-load` benchmarks; written the way rmcp's own examples are.

use rmcp::{
    Json, ServerHandler, ServiceExt as _,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Arguments of `add`.
#[derive(Debug, Deserialize, JsonSchema)]
struct AddRequest {
    /// Left operand.
    a: f64,
    /// Right operand.
    b: f64,
}

/// Structured result of `add`.
#[derive(Debug, Serialize, JsonSchema)]
struct AddResult {
    /// `a + b`.
    result: f64,
}

#[derive(Debug, Clone)]
struct Calculator {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Calculator {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add two numbers")]
    fn add(&self, Parameters(AddRequest { a, b }): Parameters<AddRequest>) -> Json<AddResult> {
        Json(AddResult { result: a + b })
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions("A calculator with one tool, add.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let service = Calculator::new()
        .serve(rmcp::transport::stdio_pipes())
        .await?;
    service.waiting().await?;
    Ok(())
}
