//! Typed extractors: handler parameters filled from the request rather than from the
//! client's arguments (`Context`, and `Extension<T>` for what a layer recorded).

use super::{Context, ToolError};

/// A handler parameter taken from the request context instead of the arguments.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from the request context",
    label = "only Context and Extension<T> are filled from the request"
)]
pub trait FromContext: Sized {
    /// Extracts the value, or fails the call with a clear error.
    fn from_context(ctx: &Context) -> Result<Self, ToolError>;
}

impl FromContext for Context {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        Ok(ctx.clone())
    }
}

/// A value a transport or layer put in the request's extensions (the caller's
/// verified claims, the HTTP headers). Missing means the call fails with a clear error.
#[derive(Debug, Clone)]
pub struct Extension<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromContext for Extension<T> {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        ctx.extensions()
            .get::<T>()
            .cloned()
            .map(Extension)
            .ok_or_else(|| {
                ToolError::new(format!(
                    "missing request extension {}",
                    std::any::type_name::<T>()
                ))
            })
    }
}

impl<T: Clone + Send + Sync + 'static> FromContext for Option<Extension<T>> {
    fn from_context(ctx: &Context) -> Result<Self, ToolError> {
        Ok(ctx.extensions().get::<T>().cloned().map(Extension))
    }
}
