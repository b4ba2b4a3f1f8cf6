//! `#[resource("uri")]`: a function becomes a `ResourceDef`, or a `ResourceTemplateDef`
//! when the URI holds `{variables}`, each filled from the parameter of the same name.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, ItemFn, LitStr, Signature};

use crate::attr::{self, ResourceAttr};
use crate::check;
use crate::ctxt::Ctxt;
use crate::docs::{self, Docs};
use crate::func::{self, Place};
use crate::params::{self, Kind, Param};

/// Everything read from one resource function.
pub(crate) struct Resource {
    attr: ResourceAttr,
    sig: Signature,
    params: Vec<Param>,
    docs: Docs,
    place: Place,
    /// `Some` for a template: its variable names.
    vars: Option<Vec<String>>,
}

/// Checks the URI; `Some(vars)` for a template, `Some(None)` for a malformed one.
fn check_uri(cx: &Ctxt, lit: &LitStr) -> Option<Option<Vec<String>>> {
    let uri = lit.value();
    if !uri.contains(':') || uri.chars().any(char::is_whitespace) {
        cx.error_spanned_by(
            lit,
            "a resource URI needs a scheme and no spaces, e.g. \"config://app\" or \"users://{id}\"",
        );
    }
    if !uri.contains(['{', '}']) {
        return None;
    }
    match check::template_vars(&uri) {
        Ok(vars) => Some(Some(vars)),
        Err(reason) => {
            cx.error_spanned_by(lit, format!("invalid URI template: {reason}"));
            Some(None)
        }
    }
}

/// Reads a resource from its attribute arguments and function.
pub(crate) fn analyze(
    cx: &Ctxt,
    args: TokenStream,
    anchor: TokenStream,
    attrs: &[Attribute],
    sig: &mut Signature,
    in_handlers: bool,
) -> Resource {
    let attr = attr::parse_resource(cx, args, anchor);
    func::check_signature(cx, sig, "#[resource]", "resource");
    let (receiver, params) = params::parse(cx, sig);
    let place = if in_handlers {
        Place::Method(receiver.is_some())
    } else {
        Place::Free
    };
    func::check_receiver(cx, receiver.as_ref(), place, "#[resource]");
    let checked = attr.uri.as_ref().and_then(|lit| check_uri(cx, lit));
    if func::return_type(sig).is_none() {
        cx.error_spanned_by(
            &sig.ident,
            "a resource returns its contents; add a return type such as `-> String`",
        );
    }
    // A malformed template was reported already; its parameters are not checked.
    if checked != Some(None) {
        let vars = checked.as_ref().and_then(Option::as_deref);
        check_params(cx, &attr, &params, vars);
    }
    let vars = checked.map(Option::unwrap_or_default);
    Resource {
        docs: docs::parse(attrs, &[]),
        attr,
        sig: sig.clone(),
        params,
        place,
        vars,
    }
}

fn check_params(cx: &Ctxt, attr: &ResourceAttr, params: &[Param], vars: Option<&[String]>) {
    for p in params {
        if p.kind != Kind::Argument {
            func::reject_arg_on_injected(cx, p);
            continue;
        }
        if !p.require_ident(cx, "#[resource]") {
            continue;
        }
        params::reject_arg_keys(cx, p, &["rename"], "a template variable");
        let uri = attr.uri.as_ref().map(LitStr::value).unwrap_or_default();
        match vars {
            None if attr.uri.is_some() => cx.error_spanned_by(
                &p.tokens,
                format!(
                    "a static resource takes no arguments; to read `{}` from the URI, make it \
                     a template variable, e.g. \"{}/{{{}}}\"",
                    p.name,
                    uri.trim_end_matches('/'),
                    p.name
                ),
            ),
            Some(vars) if !vars.contains(&p.name) => cx.error_spanned_by(
                &p.tokens,
                format!(
                    "`{}` is not a variable of the URI template \"{uri}\"; a resource's \
                     parameters are its template variables (plus `Context`)",
                    p.name
                ),
            ),
            _ => {}
        }
    }
    let (Some(vars), Some(lit)) = (vars, &attr.uri) else {
        return;
    };
    for var in vars {
        if !params
            .iter()
            .any(|p| p.kind == Kind::Argument && &p.name == var)
        {
            cx.error_spanned_by(
                lit,
                format!(
                    "the template variable `{{{var}}}` has no parameter; add `{var}: String` \
                     (or any `FromStr` type) to the function"
                ),
            );
        }
    }
}

/// `#[resource]` on a free function: the function plus `NAME_resource()`.
pub(crate) fn expand(args: TokenStream, mut item: ItemFn) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let res = analyze(
        &cx,
        args,
        TokenStream::new(),
        &item.attrs,
        &mut item.sig,
        false,
    );
    let def_fn = func::def_fn_name(&item.sig.ident, "resource");
    let vis = &item.vis;
    let def_ty = res.def_type();
    if let Err(err) = cx.check() {
        let stub = quote! {
            #[allow(dead_code)]
            #vis fn #def_fn() -> #def_ty { ::core::unreachable!("only emitted beside a compile error") }
        };
        return Ok(func::fallback(err, item.into_token_stream(), stub));
    }
    let build = res.build();
    let doc = format!("The MCP resource definition of [`{}`].", item.sig.ident);
    Ok(quote! {
        #item

        #[doc = #doc]
        // `TargetMeta { .., ..Default::default() }` stays valid as fields are added.
        #[allow(clippy::needless_update)]
        #vis fn #def_fn() -> #def_ty {
            static __DEF: ::std::sync::OnceLock<#def_ty> = ::std::sync::OnceLock::new();
            ::core::clone::Clone::clone(__DEF.get_or_init(|| #build))
        }
    })
}

impl Resource {
    /// True for a URI template.
    pub(crate) fn is_template(&self) -> bool {
        self.vars.is_some()
    }

    fn def_type(&self) -> TokenStream {
        if self.is_template() {
            quote!(::boltmcp::server::ResourceTemplateDef)
        } else {
            quote!(::boltmcp::server::ResourceDef)
        }
    }

    /// A block producing this method's definition inside `Handlers::resources` or
    /// `Handlers::resource_templates`; the description is computed once per process.
    pub(crate) fn method_def(&self) -> TokenStream {
        self.build()
    }

    /// The expression building the definition.
    fn build(&self) -> TokenStream {
        let c = &self.attr.common;
        let uri = self
            .attr
            .uri
            .as_ref()
            .map(LitStr::value)
            .unwrap_or_default();
        let name = c
            .name
            .as_ref()
            .map_or_else(|| self.sig.ident.unraw().to_string(), LitStr::value);
        let title = func::opt_string(c.title.as_ref().map(LitStr::value).as_deref());
        let description = c
            .description
            .as_ref()
            .map(LitStr::value)
            .or_else(|| self.docs.description.clone());
        let description = func::opt_string(description.as_deref());
        let mime = func::opt_string(self.attr.mime_type.as_ref().map(LitStr::value).as_deref());
        let icons = func::icons(c.icons.as_ref());
        let meta = func::target_meta(c, &crate::attr::ToolAttr::default());
        let handler = self.handler();
        let capture = func::capture(self.place);
        if self.is_template() {
            quote! {{
                let __template = ::boltmcp::protocol::ResourceTemplate {
                    uri_template: ::std::string::String::from(#uri),
                    name: ::std::string::String::from(#name),
                    title: #title,
                    description: #description,
                    mime_type: #mime,
                    icons: #icons,
                    ..::core::default::Default::default()
                };
                #capture
                ::boltmcp::server::ResourceTemplateDef::from_template(__template, #handler)
                    .expect("#[resource] checked this URI template at compile time")
                    .with_meta(#meta)
            }}
        } else {
            quote! {{
                let __resource = ::boltmcp::protocol::Resource {
                    uri: ::std::string::String::from(#uri),
                    name: ::std::string::String::from(#name),
                    title: #title,
                    description: #description,
                    mime_type: #mime,
                    icons: #icons,
                    ..::core::default::Default::default()
                };
                #capture
                ::boltmcp::server::ResourceDef::from_resource(__resource, #handler)
                    .with_meta(#meta)
            }}
        }
    }

    fn handler(&self) -> TokenStream {
        let ctx = quote!(__req.ctx);
        let mut vars = Vec::new();
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.kind != Kind::Argument {
                    return params::injected(p, &ctx);
                }
                let local = quote::format_ident!("__var{}", i);
                vars.push(variable(&local, p));
                quote!(#local)
            })
            .collect();
        let call = func::call(&self.sig, self.place, &args);
        let per_call = func::per_call(self.place);
        let mime = func::opt_str(self.attr.mime_type.as_ref().map(LitStr::value).as_deref());
        // Converted here, spanned on the return type, so a type that cannot be a
        // resource's contents is reported once, at the user's type.
        let span = func::return_type(&self.sig).map_or_else(Span::call_site, Spanned::span);
        let convert = quote_spanned!(span=>
            ::boltmcp::server::IntoReadResourceResult::into_read_resource_result(
                __out, &__req.uri, #mime,
            )
        );
        let rebind = (!vars.is_empty()).then(|| quote!(let mut __req = __req;));
        quote! {
            move |__req: ::boltmcp::server::ResourceRequest| {
                #per_call
                async move {
                    #rebind
                    #(#vars)*
                    let __out = #call;
                    #convert
                }
            }
        }
    }
}

/// Takes template variable `p` out of `__req.params` into `local`, parsed to its type.
fn variable(local: &syn::Ident, p: &Param) -> TokenStream {
    let name = &p.name;
    let ty = &p.ty;
    let missing = format!("the URI has no value for the template variable `{name}`");
    let raw = quote! {
        match __req.params.remove(#name) {
            ::core::option::Option::Some(__v) => __v,
            ::core::option::Option::None => {
                return ::core::result::Result::Err(::boltmcp::server::ToolError::invalid_arguments(#missing));
            }
        }
    };
    if params::is_string(ty) {
        return quote!(let #local: #ty = #raw;);
    }
    let bad = format!("`{{}}` is not a valid value for `{name}`");
    let parse = quote::quote_spanned!(syn::spanned::Spanned::span(ty)=>
        <#ty as ::core::str::FromStr>::from_str(&__raw)
    );
    quote! {
        let __raw: ::std::string::String = #raw;
        let #local: #ty = match #parse {
            ::core::result::Result::Ok(__v) => __v,
            ::core::result::Result::Err(_) => {
                return ::core::result::Result::Err(::boltmcp::server::ToolError::invalid_arguments(
                    ::std::format!(#bad, __raw),
                ));
            }
        };
    }
}
