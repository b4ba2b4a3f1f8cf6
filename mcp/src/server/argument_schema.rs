//! Checking a tool's arguments against its declared `inputSchema` before the handler
//! runs (feature `schema-validation`, opt-in per tool with
//! [`ToolDef::validate_arguments`](super::ToolDef::validate_arguments)).
//!
//! Macro tools need none of this: their arguments are read by serde into the
//! function's own types, which is the check. A tool defined at runtime from a JSON
//! Schema (a proxy, the Python front end, a plugin) has no types, so the schema is
//! compiled here once, at registration, and every call is held to it. A mismatch is a
//! tool execution error (`isError: true`) that tells the model what to fix, not a
//! protocol error (2025-11-25 §Tools, Error Handling: input validation errors).
//!
//! The validator is the `jsonschema` crate with its default features off: a `$ref` to
//! another document is never fetched over the network or read from disk.

use std::fmt::Write as _;

use serde_json::Value;

use super::ToolError;

/// How many schema violations one error message lists; the rest are counted.
const LISTED_VIOLATIONS: usize = 5;

/// A tool's `inputSchema`, compiled once.
pub(crate) struct ArgumentSchema {
    validator: jsonschema::Validator,
}

/// The tool's `inputSchema` is not a JSON Schema the validator can compile: an unknown
/// draft, a malformed keyword, or a `$ref` to another document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tool `{tool}`: inputSchema cannot be compiled for validation: {reason}")]
pub struct InvalidSchema {
    tool: String,
    reason: String,
}

impl ArgumentSchema {
    /// Compiles `schema` (JSON Schema 2020-12 unless its `$schema` says otherwise).
    pub(crate) fn compile(tool: &str, schema: &Value) -> Result<Self, InvalidSchema> {
        jsonschema::validator_for(schema)
            .map(|validator| ArgumentSchema { validator })
            .map_err(|err| InvalidSchema {
                tool: tool.to_owned(),
                reason: err.to_string(),
            })
    }

    /// Checks the raw `arguments` text; the error lists what is wrong and where.
    pub(crate) fn check(&self, arguments: &str) -> Result<(), ToolError> {
        let value: Value = serde_json::from_str(arguments).map_err(ToolError::invalid_arguments)?;
        let mut violations = self.validator.iter_errors(&value).peekable();
        if violations.peek().is_none() {
            return Ok(());
        }
        let mut message = String::new();
        let mut count = 0;
        for violation in violations {
            count += 1;
            if count > LISTED_VIOLATIONS {
                continue;
            }
            if count > 1 {
                message.push_str("; ");
            }
            let at = violation.instance_path.to_string();
            let at = if at.is_empty() { "/" } else { at.as_str() };
            let _ = write!(message, "at {at}: {violation}");
        }
        if count > LISTED_VIOLATIONS {
            let _ = write!(message, "; and {} more", count - LISTED_VIOLATIONS);
        }
        Err(ToolError::invalid_arguments(message))
    }
}
