//! The function a macro is attached to: the signature rules every handler follows, the
//! call expression (free function or method on the shared instance), and the output
//! emitted when the user's code has mistakes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{FnArg, Ident, Receiver, ReturnType, Signature, Type};

use crate::ctxt::Ctxt;
use crate::params::Param;

/// Where the handler lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A free function.
    Free,
    /// A method in a `#[handlers]` impl block; `true` when it takes `&self`.
    Method(bool),
}

/// Checks what every handler signature must satisfy; `what` names the macro, e.g. `#[tool]`.
pub(crate) fn check_signature(cx: &Ctxt, sig: &Signature, what: &str, noun: &str) {
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &sig.generics,
            format!(
                "{what} cannot be used on a generic function; {noun}s need concrete types, \
                 so remove the generic parameters"
            ),
        );
    }
    for input in &sig.inputs {
        if let FnArg::Typed(pt) = input
            && let Type::ImplTrait(t) = &*pt.ty
        {
            cx.error_spanned_by(
                t,
                format!("{what} cannot take `impl Trait` arguments; name a concrete type"),
            );
        }
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(
            unsafety,
            format!(
                "{what} cannot be used on an `unsafe fn`; clients call it, so make it safe \
                 and keep the unsafe block inside"
            ),
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(
            variadic,
            format!("{what} cannot be used on a variadic function"),
        );
    }
}

/// Checks the receiver for the place: none for a free function, `&self` (or none) in
/// a `#[handlers]` block.
pub(crate) fn check_receiver(cx: &Ctxt, receiver: Option<&Receiver>, place: Place, what: &str) {
    let Some(r) = receiver else { return };
    match place {
        Place::Free => cx.error_spanned_by(
            r,
            format!(
                "{what} on a method needs #[boltmcp::handlers] on its impl block: \
                 write `#[boltmcp::handlers] impl MyServer {{ {what} fn ... }}`"
            ),
        ),
        Place::Method(_) if r.reference.is_some() && r.mutability.is_some() => cx.error_spanned_by(
            r,
            "handler methods take `&self`, not `&mut self`: one instance is shared by \
                 concurrent calls, so keep mutable state in a Mutex or an atomic",
        ),
        Place::Method(_) if r.reference.is_none() || r.colon_token.is_some() => cx
            .error_spanned_by(
                r,
                "handler methods take `&self`: the instance is shared behind an `Arc`, \
                 so it cannot be moved into the call",
            ),
        Place::Method(_) => {}
    }
}

/// The return type, if any.
pub(crate) fn return_type(sig: &Signature) -> Option<&Type> {
    match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some(ty),
    }
}

/// `name(args..)` or `Self::name(&*__this, args..)`, awaited when async.
pub(crate) fn call(sig: &Signature, place: Place, args: &[TokenStream]) -> TokenStream {
    let ident = &sig.ident;
    let call = match place {
        Place::Free => quote!(#ident(#(#args),*)),
        Place::Method(true) => quote!(Self::#ident(&*__this, #(#args),*)),
        Place::Method(false) => quote!(Self::#ident(#(#args),*)),
    };
    if sig.asyncness.is_some() {
        quote!(#call.await)
    } else {
        call
    }
}

/// Before a handler closure: the shared instance it captures.
pub(crate) fn capture(place: Place) -> TokenStream {
    match place {
        Place::Method(true) => quote!(let __this = ::std::sync::Arc::clone(self);),
        _ => TokenStream::new(),
    }
}

/// At the start of each call: a clone of the captured instance for the call's future.
pub(crate) fn per_call(place: Place) -> TokenStream {
    match place {
        Place::Method(true) => quote!(let __this = ::std::sync::Arc::clone(&__this);),
        _ => TokenStream::new(),
    }
}

/// The name of the generated definition function: `add` → `add_tool`.
pub(crate) fn def_fn_name(ident: &Ident, suffix: &str) -> Ident {
    format_ident!("{}_{}", ident.unraw(), suffix, span = ident.span())
}

/// `Some(String::from(..))` or `None` for an optional string field.
pub(crate) fn opt_string(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(::std::string::String::from(#v))),
        None => quote!(::core::option::Option::None),
    }
}

/// `Some("..")` or `None` for an optional `&'static str`.
pub(crate) fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Some(vec![Icon { src, mime_type }, ..])` or `None`.
pub(crate) fn icons(icons: Option<&Vec<syn::LitStr>>) -> TokenStream {
    let Some(icons) = icons else {
        return quote!(::core::option::Option::None);
    };
    let icons = icons.iter().map(|src| {
        let mime = opt_string(icon_mime(&src.value()));
        quote!(::boltmcp::protocol::Icon {
            src: ::std::string::String::from(#src),
            mime_type: #mime,
            ..::core::default::Default::default()
        })
    });
    quote!(::core::option::Option::Some(::std::vec![#(#icons),*]))
}

fn icon_mime(src: &str) -> Option<&'static str> {
    let path = src
        .split(['?', '#'])
        .next()
        .unwrap_or(src)
        .to_ascii_lowercase();
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

/// `TargetMeta { scopes, rate_limit, sandbox, timeout, max_concurrency }` with only
/// what was declared (`tool` holds the tool-only keys; default for other kinds).
pub(crate) fn target_meta(
    common: &crate::attr::Common,
    tool: &crate::attr::ToolAttr,
) -> TokenStream {
    let scopes = common
        .scopes
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| quote!(scopes: ::std::vec![#(::std::string::String::from(#s)),*],));
    let rate_limit = common.rate_limit.as_ref().map(|text| {
        let quota = checked_quota(text);
        quote!(rate_limit: ::core::option::Option::Some(#quota),)
    });
    let sandbox = tool.sandbox.then(|| quote!(sandbox: true,));
    let timeout = tool.timeout.as_ref().map(|text| {
        let limit = quote_spanned! {text.span()=>
            {
                const TIMEOUT: ::core::time::Duration =
                    ::boltmcp::__private::parse_timeout_or_panic(#text);
                TIMEOUT
            }
        };
        quote!(timeout: ::core::option::Option::Some(#limit),)
    });
    let max_concurrency = tool
        .max_concurrency
        .as_ref()
        .map(|n| quote!(max_concurrency: ::core::option::Option::Some(#n),));
    quote!(::boltmcp::server::TargetMeta {
        #scopes
        #rate_limit
        #sandbox
        #timeout
        #max_concurrency
        ..::core::default::Default::default()
    })
}

/// The quota `text` names, parsed while the user's crate compiles: by the runtime's
/// own `const fn` parser in a `const` item spanned on the string, so a bad quota is
/// an error at the string that says what to write instead.
fn checked_quota(text: &syn::LitStr) -> TokenStream {
    quote_spanned! {text.span()=>
        {
            // An item, not an inline `const` block: items are evaluated by `cargo check` too.
            const QUOTA: ::boltmcp::server::Quota = ::boltmcp::server::Quota::parse_or_panic(#text);
            QUOTA
        }
    }
}

/// Injected parameters never carry `#[arg]`: reports one that does.
pub(crate) fn reject_arg_on_injected(cx: &Ctxt, param: &Param) {
    if let Some(attr) = param.arg.attrs.first() {
        let what = match &param.ident {
            Some(ident) => format!("`{ident}`"),
            None => "this parameter".to_owned(),
        };
        cx.error_spanned_by(
            attr,
            format!(
                "{what} is filled from the request context, not from the client's \
                 arguments; remove this attribute"
            ),
        );
    }
}

/// What an attribute macro emits when the user's code has mistakes: the errors, the
/// item as written (so its uses still resolve), and `stub` standing in for the
/// generated items.
pub(crate) fn fallback(err: syn::Error, item: TokenStream, stub: TokenStream) -> TokenStream {
    let err = err.into_compile_error();
    quote!(#err #item #stub)
}
