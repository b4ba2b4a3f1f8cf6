//! A request's context as Python handlers see it: progress reports, log messages,
//! cancellation, and the questions a handler asks the client (elicitation, sampling,
//! roots), through the same Rust `Context` the macros' handlers get.
//!
//! A question blocks the handler's thread, with the GIL released, until the client
//! answers (legacy era), or ends at once with [`INPUT_REQUIRED`] (2026-07-28, where
//! the runtime answers the call with an `InputRequiredResult` and the retry brings the
//! answer: 2026-07-28 `basic/patterns/mrtr`).

use boltmcp::protocol::{CreateMessageRequestParams, LoggingLevel};
use boltmcp::server::{Context, Elicitation, ToolError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::{Value, json};
use tokio::runtime::Handle;

/// The answer to a question when the runtime will ask the client for it (2026-07-28):
/// the handler must end; its call is answered with an `InputRequiredResult`.
const INPUT_REQUIRED: &str = "I";

/// The native half of `boltmcp.Context`.
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeContext {
    pub(crate) ctx: Context,
    /// The runtime serving the request: a question waits on it for its answer.
    pub(crate) runtime: Handle,
}

impl NativeContext {
    /// Waits for a question's answer with the GIL released: `A` and the answer's
    /// JSON, [`INPUT_REQUIRED`], or `E` and why there is none.
    fn ask<F>(&self, py: Python<'_>, question: F) -> String
    where
        F: Future<Output = Result<Value, ToolError>> + Send,
    {
        let answer = py.detach(|| self.runtime.block_on(question));
        match answer {
            Ok(value) => format!("A{value}"),
            Err(err) if err.is_input_required() => INPUT_REQUIRED.to_owned(),
            Err(err) => format!("E{err}"),
        }
    }
}

#[pymethods]
impl NativeContext {
    /// Reports progress, when the client asked for it (values that do not grow are
    /// dropped).
    #[pyo3(signature = (progress, total = None, message = None))]
    fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        self.ctx.progress(progress, total, message);
    }

    /// Sends a log message (`data` as JSON text) at `level`, if the client asked for
    /// that level.
    #[pyo3(signature = (level, data, logger = None))]
    fn log(&self, level: &str, data: &str, logger: Option<&str>) -> PyResult<()> {
        let level: LoggingLevel = serde_json::from_value(Value::from(level))
            .map_err(|_| PyValueError::new_err(format!("{level:?} is not a log level")))?;
        let data: Value = serde_json::from_str(data)
            .map_err(|err| PyValueError::new_err(format!("the log data: {err}")))?;
        self.ctx.log(level, logger, data);
        Ok(())
    }

    /// Whether the client cancelled the request.
    fn is_cancelled(&self) -> bool {
        self.ctx.is_cancelled()
    }

    /// The verified caller as JSON (`subject`, `scopes`, `issuer`, `claims`), or
    /// `None` when the server has no auth.
    fn principal(&self) -> Option<String> {
        let caller = self.ctx.principal()?;
        let described = json!({
            "subject": caller.subject(),
            "scopes": caller.scopes(),
            "issuer": caller.issuer(),
            "claims": caller.claims(),
        });
        Some(described.to_string())
    }

    /// Asks the user to fill in a form with this `requestedSchema` (JSON text):
    /// the `ElicitResult`'s JSON (`action`, `content`), tagged as [`Self::ask`] says.
    fn elicit(&self, py: Python<'_>, message: String, schema: &str) -> PyResult<String> {
        let schema: Value = serde_json::from_str(schema)
            .map_err(|err| PyValueError::new_err(format!("the requested schema: {err}")))?;
        let ctx = &self.ctx;
        Ok(self.ask(py, async move {
            Ok(match ctx.elicit_schema(message, schema).await? {
                Elicitation::Accepted(content) => json!({"action": "accept", "content": content}),
                Elicitation::Declined => json!({"action": "decline"}),
                Elicitation::Cancelled => json!({"action": "cancel"}),
            })
        }))
    }

    /// Asks the client's model for a completion (`params`: the
    /// `sampling/createMessage` parameters' JSON): the `CreateMessageResult`'s JSON.
    fn sample(&self, py: Python<'_>, params: &str) -> PyResult<String> {
        let params: CreateMessageRequestParams = serde_json::from_str(params)
            .map_err(|err| PyValueError::new_err(format!("the sampling request: {err}")))?;
        let ctx = &self.ctx;
        Ok(self.ask(py, async move {
            let result = ctx.sample(params).await?;
            serde_json::to_value(result).map_err(ToolError::new)
        }))
    }

    /// Asks the client for its roots: a JSON array of `Root`s.
    fn roots(&self, py: Python<'_>) -> String {
        let ctx = &self.ctx;
        self.ask(py, async move {
            let roots = ctx.roots().await?;
            serde_json::to_value(roots).map_err(ToolError::new)
        })
    }
}
