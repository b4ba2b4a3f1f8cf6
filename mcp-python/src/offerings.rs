//! Resources, resource templates and prompts whose handlers are Python callables
//! (see [`handler`](crate::handler)), and their argument completions.

use std::collections::BTreeMap;
use std::sync::Arc;

use boltmcp::protocol::{GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate};
use boltmcp::server::{
    IntoGetPromptResult, IntoReadResourceResult, PromptDef, PromptRequest, ResourceDef,
    ResourceRequest, ResourceTemplateDef, TargetMeta, ToolError,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::handler::{Handler, shared_tags, split};

/// A resource or a template (when the description has a `uriTemplate`), read by
/// `handler` with `{"uri": ..., "variables": {...}}`.
pub(crate) enum ResourceOffering {
    Fixed(ResourceDef),
    Template(ResourceTemplateDef),
}

/// Completions for arguments: fixed candidates per argument (matched by prefix, no
/// Python involved), or a Python callable `complete(argument, value) -> list[str]`.
#[derive(Debug)]
pub(crate) enum Completer {
    Fixed(BTreeMap<String, Vec<String>>),
    Python(Py<PyAny>),
}

impl Completer {
    /// The completer `completions` describes: a dict of candidate lists, or a callable.
    pub(crate) fn from_python(completions: &Bound<'_, PyAny>) -> PyResult<Self> {
        if completions.is_callable() {
            return Ok(Completer::Python(completions.clone().unbind()));
        }
        completions
            .extract::<BTreeMap<String, Vec<String>>>()
            .map(Completer::Fixed)
            .map_err(|_| {
                PyValueError::new_err(
                    "completions: give a dict of argument name to candidates, or complete(argument, value)",
                )
            })
    }

    fn complete(&self, argument: &str, value: &str) -> Vec<String> {
        match self {
            Completer::Fixed(candidates) => candidates
                .get(argument)
                .into_iter()
                .flatten()
                .filter(|candidate| candidate.starts_with(value))
                .cloned()
                .collect(),
            // A completion is a short, synchronous call: the runtime's thread takes
            // the GIL for it.
            Completer::Python(complete) => Python::attach(|py| {
                complete
                    .call1(py, (argument, value))
                    .and_then(|found| found.extract::<Vec<String>>(py))
                    .unwrap_or_default()
            }),
        }
    }
}

pub(crate) fn scoped(scopes: Vec<String>) -> TargetMeta {
    TargetMeta {
        scopes,
        ..TargetMeta::default()
    }
}

/// A resource (or template) described by `description` (JSON), read by `handler`.
pub(crate) fn resource(
    description: &str,
    handler: Handler,
    scopes: Vec<String>,
    completer: Option<Completer>,
) -> PyResult<ResourceOffering> {
    let description: Value = serde_json::from_str(description)
        .map_err(|err| PyValueError::new_err(format!("the resource's description: {err}")))?;
    let handler = Arc::new(handler);
    let reader = move |request: ResourceRequest| {
        let handler = handler.clone();
        async move {
            let payload = json!({"uri": request.uri, "variables": request.params}).to_string();
            read_resource_answer(handler.call(payload, &request.ctx).await?, &request.uri)
        }
    };
    if description.get("uriTemplate").is_none() {
        let resource: Resource = serde_json::from_value(description)
            .map_err(|err| PyValueError::new_err(format!("the resource's description: {err}")))?;
        return Ok(ResourceOffering::Fixed(
            ResourceDef::from_resource(resource, reader).with_meta(scoped(scopes)),
        ));
    }
    let template: ResourceTemplate = serde_json::from_value(description)
        .map_err(|err| PyValueError::new_err(format!("the template's description: {err}")))?;
    let mut def = ResourceTemplateDef::from_template(template, reader)
        .map_err(|err| PyValueError::new_err(err.to_string()))?
        .with_meta(scoped(scopes));
    if let Some(completer) = completer {
        def = def.completion(move |argument, value| completer.complete(argument, value));
    }
    Ok(ResourceOffering::Template(def))
}

/// A prompt described by `description` (JSON), got by `handler` with its arguments.
pub(crate) fn prompt(
    description: &str,
    handler: Handler,
    scopes: Vec<String>,
    completer: Option<Completer>,
) -> PyResult<PromptDef> {
    let prompt: Prompt = serde_json::from_str(description)
        .map_err(|err| PyValueError::new_err(format!("the prompt's description: {err}")))?;
    let handler = Arc::new(handler);
    let mut def = PromptDef::from_prompt(prompt, move |request: PromptRequest| {
        let handler = handler.clone();
        async move {
            let arguments = serde_json::to_string(&request.arguments).unwrap_or_default();
            read_prompt_answer(handler.call(arguments, &request.ctx).await?)
        }
    })
    .with_meta(scoped(scopes));
    if let Some(completer) = completer {
        def = def.completion(move |argument, value| completer.complete(argument, value));
    }
    Ok(def)
}

/// What a resource's handler answered: `T` and a text (in the declared MIME type),
/// `R` and a whole `ReadResourceResult`'s JSON, or one of the shared tags.
fn read_resource_answer(answer: String, uri: &str) -> Result<ReadResourceResult, ToolError> {
    let (tag, body) = split(answer);
    match tag {
        'T' => body.into_read_resource_result(uri, None),
        'R' => serde_json::from_str(&body)
            .map_err(|err| ToolError::new(format!("the resource's contents: {err}"))),
        other => Err(shared_tags(other, &body).unwrap_or_else(|| ToolError::new(body))),
    }
}

/// What a prompt's handler answered: `T` and the text of one user message, `R` and a
/// whole `GetPromptResult`'s JSON, or one of the shared tags.
fn read_prompt_answer(answer: String) -> Result<GetPromptResult, ToolError> {
    let (tag, body) = split(answer);
    match tag {
        'T' => body.into_get_prompt_result(),
        'R' => serde_json::from_str(&body)
            .map_err(|err| ToolError::new(format!("the prompt's messages: {err}"))),
        other => Err(shared_tags(other, &body).unwrap_or_else(|| ToolError::new(body))),
    }
}
