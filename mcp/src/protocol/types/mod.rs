//! MCP protocol data types, merged across revisions 2025-11-25 and 2026-07-28: one
//! Rust type per concept, with revision-specific fields optional.

mod common;
mod completion;
mod content;
mod elicitation;
mod input;
mod lifecycle;
mod logging;
mod notifications;
mod paging;
mod prompts;
mod resources;
mod roots;
mod sampling;
mod subscriptions;
mod tasks;
mod tools;

#[cfg(test)]
mod tests;

pub use common::*;
pub use completion::*;
pub use content::*;
pub use elicitation::*;
pub use input::*;
pub use lifecycle::*;
pub use logging::*;
pub use notifications::*;
pub use paging::*;
pub use prompts::*;
pub use resources::*;
pub use roots::*;
pub use sampling::*;
pub use subscriptions::*;
pub use tasks::*;
pub use tools::*;
