//! A request's context as Python handlers see it: progress reports, log messages,
//! cancellation, the questions a handler asks the client (elicitation, sampling,
//! roots), and going on as a task, through the same Rust `Context` the macros'
//! handlers get.
//!
//! Questions block the handler's thread, with the GIL released, until the client
//! answers (legacy era), or end at once with [`INPUT_REQUIRED`] (2026-07-28, where the
//! runtime answers the call with an `InputRequiredResult` and the retry brings the
//! answers: 2026-07-28 `basic/patterns/mrtr`). Questions asked together travel in one
//! round.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use boltmcp::protocol::{CreateMessageRequestParams, LoggingLevel};
use boltmcp::server::{Context, Elicitation, ToolError};
use futures_util::future::join_all;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::{Value, json};
use tokio::runtime::Handle;

use crate::handler::call_python;

/// The answer to questions the runtime will ask the client for (2026-07-28): the
/// handler must end; its call is answered with an `InputRequiredResult`.
const INPUT_REQUIRED: &str = "I";

/// How the request ends regardless of what the handler returns: a task was started
/// in its place, or a question failed fatally. Shared with the caller of the handler.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome(Arc<Mutex<Option<ToolError>>>);

impl Outcome {
    fn set(&self, err: ToolError) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(err);
    }

    pub(crate) fn take(&self) -> Option<ToolError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The native half of `boltmcp.Context`.
#[pyclass(module = "boltmcp._native", frozen)]
#[derive(Debug)]
pub(crate) struct NativeContext {
    pub(crate) ctx: Context,
    /// The runtime serving the request: a question waits on it for its answer.
    pub(crate) runtime: Handle,
    pub(crate) outcome: Outcome,
}

/// One question, as the Python side describes it.
#[derive(Debug, serde::Deserialize)]
struct Question {
    /// `elicit`, `sample` or `roots`.
    kind: String,
    /// The 2026-07-28 input key (generated when absent).
    key: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    schema: Value,
    #[serde(default)]
    params: Value,
}

impl Question {
    async fn ask(self, ctx: &Context) -> Result<Value, ToolError> {
        let Some(key) = self.key.clone() else {
            return ask_unkeyed(self, ctx).await;
        };
        let input = ctx.input(&key);
        match self.kind.as_str() {
            "elicit" => input
                .elicit_schema(self.message, self.schema)
                .await
                .map(elicited),
            "sample" => {
                let params: CreateMessageRequestParams = sampling(self.params)?;
                let result = input.sample(params).await?;
                serde_json::to_value(result).map_err(ToolError::new)
            }
            _ => {
                let roots = input.roots().await?;
                serde_json::to_value(roots).map_err(ToolError::new)
            }
        }
    }
}

async fn ask_unkeyed(question: Question, ctx: &Context) -> Result<Value, ToolError> {
    match question.kind.as_str() {
        "elicit" => ctx
            .elicit_schema(question.message, question.schema)
            .await
            .map(elicited),
        "sample" => {
            let result = ctx.sample(sampling(question.params)?).await?;
            serde_json::to_value(result).map_err(ToolError::new)
        }
        _ => serde_json::to_value(ctx.roots().await?).map_err(ToolError::new),
    }
}

fn sampling(params: Value) -> Result<CreateMessageRequestParams, ToolError> {
    serde_json::from_value(params)
        .map_err(|err| ToolError::new(format!("the sampling request: {err}")))
}

fn elicited(answer: Elicitation<boltmcp::protocol::JsonObject>) -> Value {
    match answer {
        Elicitation::Accepted(content) => json!({"action": "accept", "content": content}),
        Elicitation::Declined => json!({"action": "decline"}),
        Elicitation::Cancelled => json!({"action": "cancel"}),
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

    /// The client's capabilities, as JSON.
    fn client_capabilities(&self) -> String {
        serde_json::to_string(&self.ctx.client_capabilities()).unwrap_or_else(|_| "{}".into())
    }

    /// Over Streamable HTTP, lets go of the request's stream now (the client comes
    /// back after `retry_ms` for the rest); whether there was one to let go of.
    fn close_stream(&self, retry_ms: u64) -> bool {
        self.ctx.disconnect_stream(Duration::from_millis(retry_ms))
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

    /// Asks the client `questions` (a JSON array), all in one round: `A` and a JSON
    /// array of their answers, [`INPUT_REQUIRED`], or `E` and why there are none.
    fn ask(&self, py: Python<'_>, questions: &str) -> PyResult<String> {
        let questions: Vec<Question> = serde_json::from_str(questions)
            .map_err(|err| PyValueError::new_err(format!("the questions: {err}")))?;
        let ctx = &self.ctx;
        let answers = py.detach(|| {
            self.runtime
                .block_on(join_all(questions.into_iter().map(|q| q.ask(ctx))))
        });
        let mut values = Vec::with_capacity(answers.len());
        let mut failure = None;
        for answer in answers {
            match answer {
                Ok(value) => values.push(value),
                Err(err) if err.is_input_required() => return Ok(INPUT_REQUIRED.to_owned()),
                Err(err) => failure = failure.or(Some(err)),
            }
        }
        Ok(match failure {
            None => format!("A{}", Value::Array(values)),
            Some(err) => format!("E{err}"),
        })
    }

    /// Goes on with `work(context)` as a task when the client can take one: `K` (the
    /// handler must end; the call is answered with the task), or, when it cannot, the
    /// tagged answer `work` gave, run now.
    fn as_task(&self, py: Python<'_>, work: Py<PyAny>) -> String {
        let runtime = self.runtime.clone();
        let started = py.detach(|| {
            self.runtime
                .block_on(self.ctx.as_task(move |ctx| async move {
                    let context = NativeContext {
                        ctx,
                        runtime,
                        outcome: Outcome::default(),
                    };
                    let answer = call_python(move |py| {
                        work.call1(py, (Py::new(py, context)?,))?
                            .extract::<String>(py)
                    })
                    .await?;
                    crate::tool::read_answer(answer)
                }))
        });
        match started {
            Ok(finished) => match finished {
                Ok(result) => format!("R{}", serde_json::to_string(&result).unwrap_or_default()),
                Err(err) => format!("E{err}"),
            },
            Err(err) => {
                self.outcome.set(err);
                "K".to_owned()
            }
        }
    }
}
