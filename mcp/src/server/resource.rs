//! Resources and resource templates in their runtime form: a description plus an async
//! read handler. `#[resource("uri")]` generates exactly this.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::context::Context;
use super::target::TargetMeta;
use super::uri_template::{UriTemplate, UriTemplateError};
use super::{BoxFuture, Json, ToolError};
use crate::protocol::{
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate, TextResourceContents,
};

type ReadFn = dyn Fn(ResourceRequest) -> BoxFuture<'static, Result<ReadResourceResult, ToolError>>
    + Send
    + Sync;

/// One read of a resource: the concrete URI, the template's variables, the context.
#[derive(Debug)]
pub struct ResourceRequest {
    /// The request context.
    pub ctx: Context,
    /// The URI being read.
    pub uri: String,
    /// The values of the template's variables (empty for a static resource).
    pub params: BTreeMap<String, String>,
}

/// Converts a read handler's return value into a `resources/read` result.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an MCP resource",
    label = "return a String, ResourceContents, a ReadResourceResult, Json<T>, or a Result of those"
)]
pub trait IntoReadResourceResult {
    /// Performs the conversion for the resource at `uri` with the declared MIME type.
    fn into_read_resource_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError>;
}

impl IntoReadResourceResult for ReadResourceResult {
    fn into_read_resource_result(
        self,
        _: &str,
        _: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        Ok(self)
    }
}

impl IntoReadResourceResult for String {
    fn into_read_resource_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        let text = TextResourceContents {
            uri: uri.to_owned(),
            mime_type: Some(mime_type.unwrap_or("text/plain").to_owned()),
            text: self,
            ..Default::default()
        };
        ResourceContents::Text(text).into_read_resource_result(uri, mime_type)
    }
}

impl IntoReadResourceResult for &'static str {
    fn into_read_resource_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        self.to_owned().into_read_resource_result(uri, mime_type)
    }
}

impl IntoReadResourceResult for ResourceContents {
    fn into_read_resource_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        vec![self].into_read_resource_result(uri, mime)
    }
}

impl IntoReadResourceResult for Vec<ResourceContents> {
    fn into_read_resource_result(
        self,
        _: &str,
        _: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        Ok(ReadResourceResult {
            contents: self,
            ..Default::default()
        })
    }
}

impl<T: serde::Serialize> IntoReadResourceResult for Json<T> {
    fn into_read_resource_result(
        self,
        uri: &str,
        _: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        let text = serde_json::to_string(&self.0).map_err(ToolError::output)?;
        text.into_read_resource_result(uri, Some("application/json"))
    }
}

impl<T: IntoReadResourceResult, E: fmt::Display + 'static> IntoReadResourceResult for Result<T, E> {
    fn into_read_resource_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, ToolError> {
        match self {
            Ok(value) => value.into_read_resource_result(uri, mime_type),
            Err(err) => Err(super::error::into_tool_error(err)),
        }
    }
}

fn boxed_reader<F, Fut, R>(handler: F, mime: Option<String>) -> Arc<ReadFn>
where
    F: Fn(ResourceRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoReadResourceResult,
{
    Arc::new(move |req: ResourceRequest| -> BoxFuture<'static, _> {
        let uri = req.uri.clone();
        let mime = mime.clone();
        let fut = handler(req);
        Box::pin(async move { fut.await.into_read_resource_result(&uri, mime.as_deref()) })
    })
}

/// A static resource: one URI, one read handler.
#[derive(Clone)]
pub struct ResourceDef {
    pub(crate) resource: Arc<Resource>,
    pub(crate) meta: Arc<TargetMeta>,
    pub(crate) handler: Arc<ReadFn>,
}

impl fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDef")
            .field("uri", &self.resource.uri)
            .finish_non_exhaustive()
    }
}

impl ResourceDef {
    /// A resource at `uri` called `name`, read by `handler`.
    pub fn new<F, Fut, R>(uri: impl Into<String>, name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(ResourceRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoReadResourceResult,
    {
        let resource = Resource {
            uri: uri.into(),
            name: name.into(),
            ..Default::default()
        };
        Self::from_resource(resource, handler)
    }

    /// The resource's URI.
    pub fn uri(&self) -> &str {
        &self.resource.uri
    }

    /// A resource from a complete protocol description.
    pub fn from_resource<F, Fut, R>(resource: Resource, handler: F) -> Self
    where
        F: Fn(ResourceRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoReadResourceResult,
    {
        let handler = boxed_reader(handler, resource.mime_type.clone());
        ResourceDef {
            resource: Arc::new(resource),
            meta: Arc::default(),
            handler,
        }
    }

    /// Declares the OAuth scopes a caller needs; the auth layer enforces them.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.meta).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.resource).description = Some(description.into());
        self
    }

    /// Sets the MIME type, used for plain-text and JSON bodies too.
    pub fn mime_type(self, mime_type: impl Into<String>) -> Self {
        let mime = mime_type.into();
        let mut def = self;
        Arc::make_mut(&mut def.resource).mime_type = Some(mime);
        def
    }

    /// Sets the display title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.resource).title = Some(title.into());
        self
    }

    /// Replaces the declared metadata.
    pub fn with_meta(mut self, meta: TargetMeta) -> Self {
        self.meta = Arc::new(meta);
        self
    }

    /// The protocol description.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }
}

/// A family of resources addressed by an RFC 6570 template such as `users://{id}`.
#[derive(Clone)]
pub struct ResourceTemplateDef {
    pub(crate) template: Arc<ResourceTemplate>,
    pub(crate) matcher: Arc<UriTemplate>,
    pub(crate) meta: Arc<TargetMeta>,
    pub(crate) handler: Arc<ReadFn>,
    pub(crate) completer: Option<super::prompt::Completer>,
}

impl fmt::Debug for ResourceTemplateDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceTemplateDef")
            .field("uri_template", &self.template.uri_template)
            .finish_non_exhaustive()
    }
}

impl ResourceTemplateDef {
    /// A template such as `users://{id}` called `name`, read by `handler`.
    pub fn new<F, Fut, R>(
        uri_template: impl Into<String>,
        name: impl Into<String>,
        handler: F,
    ) -> Result<Self, UriTemplateError>
    where
        F: Fn(ResourceRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoReadResourceResult,
    {
        let template = ResourceTemplate {
            uri_template: uri_template.into(),
            name: name.into(),
            ..Default::default()
        };
        Self::from_template(template, handler)
    }

    /// The template, as registered (`users://{id}`).
    pub fn uri_template(&self) -> &str {
        &self.template.uri_template
    }

    /// A template from a complete protocol description.
    pub fn from_template<F, Fut, R>(
        template: ResourceTemplate,
        handler: F,
    ) -> Result<Self, UriTemplateError>
    where
        F: Fn(ResourceRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
        R: IntoReadResourceResult,
    {
        let matcher = UriTemplate::parse(&template.uri_template)?;
        let handler = boxed_reader(handler, template.mime_type.clone());
        Ok(ResourceTemplateDef {
            template: Arc::new(template),
            matcher: Arc::new(matcher),
            meta: Arc::default(),
            handler,
            completer: None,
        })
    }

    /// Declares the OAuth scopes a caller needs; the auth layer enforces them.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.meta).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.template).description = Some(description.into());
        self
    }

    /// Sets the MIME type.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.template).mime_type = Some(mime_type.into());
        self
    }

    /// Answers `completion/complete` for this template's variables:
    /// `complete(variable, partial_value)` returns the candidates.
    pub fn completion(
        mut self,
        complete: impl Fn(&str, &str) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        self.completer = Some(Arc::new(complete));
        self
    }

    /// Replaces the declared metadata.
    pub fn with_meta(mut self, meta: TargetMeta) -> Self {
        self.meta = Arc::new(meta);
        self
    }

    /// The protocol description.
    pub fn template(&self) -> &ResourceTemplate {
        &self.template
    }
}

/// Either kind of resource, so `ServerBuilder::resource` takes both.
#[derive(Debug, Clone)]
pub enum AnyResource {
    /// One fixed URI.
    Static(ResourceDef),
    /// A URI template.
    Template(ResourceTemplateDef),
}

impl From<ResourceDef> for AnyResource {
    fn from(def: ResourceDef) -> Self {
        AnyResource::Static(def)
    }
}

impl From<ResourceTemplateDef> for AnyResource {
    fn from(def: ResourceTemplateDef) -> Self {
        AnyResource::Template(def)
    }
}
