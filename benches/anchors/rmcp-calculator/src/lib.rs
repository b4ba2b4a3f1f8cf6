//! rmcp calculator: one tool, `add(a, b)`, the comparison anchor of boltmcp's
//! benchmarks; the tool and handler written the way rmcp's own examples are.
//!
//! Two binaries, as boltmcp's calculator has, so each links only the transport it
//! serves: `rmcp-calculator` (stdio, for `mcp-load` in benches/run-stdio.sh) and
//! `rmcp-calculator-http` (Streamable HTTP, for benches/run-http.sh).

use rmcp::{
    Json, ServerHandler,
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

/// The server: one tool, `add`.
#[derive(Debug, Clone)]
pub struct Calculator {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Calculator {
    /// A calculator with its tool router.
    pub fn new() -> Self {
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

impl Default for Calculator {
    fn default() -> Self {
        Self::new()
    }
}
