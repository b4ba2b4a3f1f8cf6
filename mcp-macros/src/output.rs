//! What a tool returns, read from its signature: a value `IntoCallToolResult` converts
//! (text, content, `Json`, a ready result), or structured output with an `outputSchema`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

use crate::params::{last_ident_is, last_segment, type_args};

/// How a tool's return value becomes a `CallToolResult`.
pub(crate) enum Output<'a> {
    /// Through `IntoCallToolResult` (no return type, text, content blocks, `Json<T>`,
    /// `CallToolResult`, or a `Result` of those).
    Convert(Option<&'a Type>),
    /// Serialised as `structuredContent` and declared as `outputSchema`: `T`, or the
    /// `T` of `result` (a `Result<T, E>`, whose `E` is `error`).
    Structured {
        value: &'a Type,
        result: Option<&'a Type>,
        error: Option<&'a Type>,
    },
}

/// Classifies a return type by its syntax.
pub(crate) fn classify(ret: Option<&Type>) -> Output<'_> {
    let Some(ty) = ret else {
        return Output::Convert(None);
    };
    if last_ident_is(ty, "Result")
        && let [ok, rest @ ..] = type_args(ty).as_slice()
    {
        if converts(ok) {
            return Output::Convert(Some(ty));
        }
        return Output::Structured {
            value: ok,
            result: Some(ty),
            error: rest.first().copied(),
        };
    }
    if converts(ty) {
        Output::Convert(Some(ty))
    } else {
        Output::Structured {
            value: ty,
            result: None,
            error: None,
        }
    }
}

/// True for the types `IntoCallToolResult` is meant for.
fn converts(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Reference(r) => last_ident_is(&r.elem, "str"),
        Type::ImplTrait(_) | Type::Never(_) => true,
        Type::Group(g) => converts(&g.elem),
        Type::Paren(p) => converts(&p.elem),
        _ => {
            let Some(seg) = last_segment(ty) else {
                return false;
            };
            let name = seg.ident.to_string();
            match name.as_str() {
                "String" | "CallToolResult" | "ContentBlock" | "Json" | "ToolError" => true,
                "Vec" => {
                    matches!(type_args(ty).as_slice(), [t] if last_ident_is(t, "ContentBlock"))
                }
                _ => false,
            }
        }
    }
}

impl Output<'_> {
    /// The value type of `outputSchema`, if any.
    pub(crate) fn schema_type(&self) -> Option<&Type> {
        match self {
            Output::Structured { value, .. } => Some(value),
            Output::Convert(_) => None,
        }
    }

    /// Converts `__out` into `Result<CallToolResult, ToolError>`; `__wrap` is in scope.
    pub(crate) fn convert(&self) -> TokenStream {
        match self {
            Output::Convert(ty) => {
                let span = ty.map_or_else(proc_macro2::Span::call_site, |t| t.span());
                quote_spanned!(span=>
                    ::boltmcp::server::IntoCallToolResult::into_call_tool_result(__out)
                )
            }
            Output::Structured {
                value,
                result: None,
                ..
            } => structured(value, quote!(__out)),
            Output::Structured {
                value,
                result: Some(result),
                error,
            } => {
                let ok = structured(value, quote!(__v));
                let span = error.map_or_else(|| result.span(), |e| e.span());
                let error = quote_spanned!(span=> ::boltmcp::__private::error_result(__e));
                quote! {
                    match __out {
                        ::core::result::Result::Ok(__v) => #ok,
                        ::core::result::Result::Err(__e) => #error,
                    }
                }
            }
        }
    }
}

impl Output<'_> {
    /// Converts `__out` into `Result<SyncOutput, ToolError>` for the synchronous form:
    /// structured output is serialised once, straight to JSON text.
    pub(crate) fn convert_sync(&self) -> TokenStream {
        let json = |ty: &Type, value: TokenStream| {
            quote_spanned!(ty.span()=>
                ::core::result::Result::Ok(::boltmcp::__private::structured_json::<#ty>(&#value, __wrap))
            )
        };
        match self {
            Output::Convert(_) => {
                let convert = self.convert();
                quote!((#convert).map(::boltmcp::__private::SyncOutput::Result))
            }
            Output::Structured {
                value,
                result: None,
                ..
            } => json(value, quote!(__out)),
            Output::Structured {
                value,
                result: Some(result),
                error,
            } => {
                let ok = json(value, quote!(__v));
                let span = error.map_or_else(|| result.span(), |e| e.span());
                let error = quote_spanned!(span=> ::boltmcp::__private::error_result(__e));
                quote! {
                    match __out {
                        ::core::result::Result::Ok(__v) => #ok,
                        ::core::result::Result::Err(__e) => {
                            (#error).map(::boltmcp::__private::SyncOutput::Result)
                        }
                    }
                }
            }
        }
    }
}

/// `structuredContent` from `value` (of type `ty`), wrapped as the schema says.
fn structured(ty: &Type, value: TokenStream) -> TokenStream {
    let to_value = quote_spanned!(ty.span()=>
        ::boltmcp::__private::serde_json::to_value::<#ty>(#value)
    );
    quote! {
        match #to_value {
            ::core::result::Result::Ok(__json) => ::core::result::Result::Ok(
                ::boltmcp::__private::structured_result(__json, __wrap),
            ),
            ::core::result::Result::Err(__e) => ::core::result::Result::Ok(
                ::boltmcp::protocol::CallToolResult::error_text(::std::format!(
                    "the tool's output could not be serialised: {__e}"
                )),
            ),
        }
    }
}
