//! `#[tool]`: a function becomes a `ToolDef` — a hidden arguments struct whose schema
//! schemars builds once per process, and a handler that deserialises, calls, converts.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, ItemFn, Signature};

use crate::attr::{self, ToolAttr};
use crate::check;
use crate::ctxt::Ctxt;
use crate::docs::{self, Docs};
use crate::func::{self, Place};
use crate::output::{self, Output};
use crate::params::{self, Kind, Param};

/// Everything read from one tool function.
pub(crate) struct Tool {
    attr: ToolAttr,
    sig: Signature,
    params: Vec<Param>,
    docs: Docs,
    place: Place,
}

/// Reads a tool from its attribute arguments and function; `sig` loses its `#[arg]`s.
pub(crate) fn analyze(
    cx: &Ctxt,
    args: TokenStream,
    attrs: &[Attribute],
    sig: &mut Signature,
    in_handlers: bool,
) -> Tool {
    let attr = attr::parse_tool(cx, args);
    match &attr.common.name {
        Some(lit) => check::tool_name(cx, lit, &lit.value()),
        None => check::tool_name(cx, &sig.ident, &sig.ident.unraw().to_string()),
    }
    func::check_signature(cx, sig, "#[tool]", "tool");
    let (receiver, params) = params::parse(cx, sig);
    let place = match (in_handlers, &receiver) {
        (false, _) => Place::Free,
        (true, r) => Place::Method(r.is_some()),
    };
    func::check_receiver(cx, receiver.as_ref(), place, "#[tool]");
    for p in &params {
        check_param(cx, p, in_handlers);
    }
    let names: Vec<String> = params
        .iter()
        .filter(|p| p.kind == Kind::Argument)
        .flat_map(Param::doc_names)
        .collect();
    Tool {
        docs: docs::parse(attrs, &names),
        attr,
        sig: sig.clone(),
        params,
        place,
    }
}

fn check_param(cx: &Ctxt, p: &Param, in_handlers: bool) {
    if p.kind != Kind::Argument {
        func::reject_arg_on_injected(cx, p);
        return;
    }
    if !p.require_ident(cx, "#[tool]") {
        return;
    }
    if let syn::Type::Reference(r) = &p.ty {
        let owned = if params::last_ident_is(&r.elem, "str") {
            "`String`".to_owned()
        } else {
            format!("`{}`", r.elem.to_token_stream())
        };
        cx.error_spanned_by(
            &p.ty,
            format!("tool arguments are deserialised into owned values; take {owned} instead"),
        );
    } else if in_handlers && params::mentions_self(p.ty.to_token_stream()) {
        cx.error_spanned_by(
            &p.ty,
            "write the type's name instead of `Self` in a tool argument's type",
        );
    }
}

/// `#[tool]` on a free function: the function plus `NAME_tool()`.
pub(crate) fn expand(args: TokenStream, mut item: ItemFn) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let tool = analyze(&cx, args, &item.attrs, &mut item.sig, false);
    let def_fn = func::def_fn_name(&item.sig.ident, "tool");
    let vis = &item.vis;
    if let Err(err) = cx.check() {
        let stub = quote! {
            #[allow(dead_code)]
            #vis fn #def_fn() -> ::boltmcp::server::ToolDef { ::core::unreachable!("only emitted beside a compile error") }
        };
        return Ok(func::fallback(err, item.into_token_stream(), stub));
    }
    let (items, build, handler) = tool.parts();
    let ctor = tool.constructor();
    let doc = format!("The MCP tool definition of [`{}`].", item.sig.ident);
    Ok(quote! {
        #item

        #[doc = #doc]
        // `TargetMeta { .., ..Default::default() }` stays valid as fields are added.
        #[allow(clippy::needless_update)]
        #vis fn #def_fn() -> ::boltmcp::server::ToolDef {
            #items
            static __DEF: ::std::sync::OnceLock<::boltmcp::server::ToolDef> =
                ::std::sync::OnceLock::new();
            ::core::clone::Clone::clone(__DEF.get_or_init(|| {
                let (__tool, __meta, __wrap) = #build;
                #ctor(__tool, __meta, #handler)
            }))
        }
    })
}

impl Tool {
    /// A block producing this method's `ToolDef` inside `Handlers::tools`.
    pub(crate) fn method_def(&self) -> TokenStream {
        let (items, build, handler) = self.parts();
        let ctor = self.constructor();
        let capture = func::capture(self.place);
        quote! {{
            #items
            static __DATA: ::std::sync::OnceLock<(
                ::boltmcp::protocol::Tool,
                ::boltmcp::server::TargetMeta,
                bool,
            )> = ::std::sync::OnceLock::new();
            let (__tool, __meta, __wrap) = __DATA.get_or_init(|| #build);
            let __wrap = *__wrap;
            #capture
            #ctor(
                ::core::clone::Clone::clone(__tool),
                ::core::clone::Clone::clone(__meta),
                #handler,
            )
        }}
    }

    /// The hidden items, the expression building `(Tool, TargetMeta, wrap)`, and the
    /// handler closure (which uses `__wrap`, and `__this` in a method).
    fn parts(&self) -> (TokenStream, TokenStream, TokenStream) {
        let output = output::classify(func::return_type(&self.sig));
        let items = self.args_items();
        let build = self.build(&output);
        let handler = self.handler(&output);
        (items, build, handler)
    }

    fn args(&self) -> impl Iterator<Item = (usize, &Param)> {
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == Kind::Argument)
    }

    /// The arguments struct and its helper functions. Each argument is deserialised and
    /// described through a function spanned on its type, so a type that is not
    /// `Deserialize` or `JsonSchema` is reported once per trait, at the user's type.
    fn args_items(&self) -> TokenStream {
        let mut fields = Vec::new();
        let mut helpers = Vec::new();
        for (i, p) in self.args() {
            let ident = &p.ident;
            let ty = &p.ty;
            let doc = p.description(&self.docs).map(|d| quote!(#[doc = #d]));
            let rename = p.arg.rename.as_ref().map(|r| quote!(#[serde(rename = #r)]));
            let default = match &p.arg.default {
                Some((_, Some(expr))) => {
                    let f = format_ident!("__boltmcp_default_{}", i);
                    let path = f.to_string();
                    helpers.push(quote!(fn #f() -> #ty { #expr }));
                    Some(quote!(#[serde(default = #path)]))
                }
                Some((_, None)) => Some(quote!(#[serde(default)])),
                // Optional, and without a `"default": null` in the schema.
                None => params::option_inner(ty).map(|_| {
                    quote!(#[serde(default, skip_serializing_if = "::core::option::Option::is_none")])
                }),
            };
            let de = format_ident!("__boltmcp_de_{}", i);
            let schema = format_ident!("__boltmcp_schema_{}", i);
            let (de_path, schema_path) = (de.to_string(), schema.to_string());
            helpers.push(quote_spanned! {ty.span()=>
                fn #de<'de, D>(deserializer: D) -> ::core::result::Result<#ty, D::Error>
                where
                    D: ::boltmcp::__private::serde::Deserializer<'de>,
                {
                    <#ty as ::boltmcp::__private::serde::Deserialize<'de>>::deserialize(deserializer)
                }
                fn #schema(
                    generator: &mut ::boltmcp::__private::schemars::SchemaGenerator,
                ) -> ::boltmcp::__private::schemars::Schema {
                    generator.subschema_for::<#ty>()
                }
            });
            fields.push(quote! {
                #doc
                #rename
                #default
                #[serde(deserialize_with = #de_path)]
                #[schemars(schema_with = #schema_path)]
                #ident: #ty
            });
        }
        quote! {
            #[derive(
                ::boltmcp::__private::serde::Deserialize,
                ::boltmcp::__private::schemars::JsonSchema,
            )]
            #[serde(crate = "::boltmcp::__private::serde")]
            #[schemars(crate = "::boltmcp::__private::schemars")]
            struct __BoltmcpArgs { #(#fields,)* }
            #(#helpers)*
        }
    }

    fn build(&self, output: &Output) -> TokenStream {
        let c = &self.attr.common;
        let name = c
            .name
            .as_ref()
            .map_or_else(|| self.sig.ident.unraw().to_string(), syn::LitStr::value);
        let title = func::opt_string(c.title.as_ref().map(syn::LitStr::value).as_deref());
        let description = c
            .description
            .as_ref()
            .map(syn::LitStr::value)
            .or_else(|| self.docs.description.clone());
        let description = func::opt_string(description.as_deref());
        let icons = func::icons(c.icons.as_ref());
        let annotations = self.annotations();
        let meta = func::target_meta(c, &self.attr);
        let (output_schema, wrap) = match output.schema_type() {
            Some(ty) => (
                quote!(::core::option::Option::Some(::std::sync::Arc::new(
                    __schema
                ))),
                quote_spanned!(ty.span()=>
                    let (__schema, __wrap) = ::boltmcp::__private::output_schema::<#ty>();
                ),
            ),
            None => (
                quote!(::core::option::Option::None),
                quote!(let __wrap = false;),
            ),
        };
        quote! {{
            #wrap
            let __tool = ::boltmcp::protocol::Tool {
                name: ::std::string::String::from(#name),
                title: #title,
                description: #description,
                input_schema: ::std::sync::Arc::new(
                    ::boltmcp::__private::input_schema::<__BoltmcpArgs>(),
                ),
                output_schema: #output_schema,
                annotations: #annotations,
                icons: #icons,
                ..::core::default::Default::default()
            };
            (__tool, #meta, __wrap)
        }}
    }

    fn annotations(&self) -> TokenStream {
        let Some(a) = &self.attr.annotations else {
            return quote!(::core::option::Option::None);
        };
        let hint = |v: Option<bool>| match v {
            Some(b) => quote!(::core::option::Option::Some(#b)),
            None => quote!(::core::option::Option::None),
        };
        let (read_only, destructive) = (hint(a.read_only), hint(a.destructive));
        let (idempotent, open_world) = (hint(a.idempotent), hint(a.open_world));
        let title = func::opt_string(a.title.as_ref().map(syn::LitStr::value).as_deref());
        quote!(::core::option::Option::Some(::boltmcp::protocol::ToolAnnotations {
            title: #title,
            read_only_hint: #read_only,
            destructive_hint: #destructive,
            idempotent_hint: #idempotent,
            open_world_hint: #open_world,
            ..::core::default::Default::default()
        }))
    }

    /// A plain synchronous function (no `async`, nothing injected) gets the
    /// synchronous form, which an unlayered server runs without a future or a context.
    fn is_plain_sync(&self) -> bool {
        self.sig.asyncness.is_none() && self.params.iter().all(|p| p.kind == Kind::Argument)
    }

    fn constructor(&self) -> TokenStream {
        if self.is_plain_sync() {
            quote!(::boltmcp::server::ToolDef::from_sync)
        } else {
            quote!(::boltmcp::server::ToolDef::from_boxed)
        }
    }

    fn handler(&self, output: &Output) -> TokenStream {
        let ctx = quote!(__call.ctx);
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .map(|p| match (&p.kind, &p.ident) {
                (Kind::Argument, Some(ident)) => quote!(__args.#ident),
                _ => params::injected(p, &ctx),
            })
            .collect();
        let call = func::call(&self.sig, self.place, &args);
        let convert = output.convert();
        let per_call = func::per_call(self.place);
        if self.is_plain_sync() {
            let convert = output.convert_sync();
            return quote! {
                move |__raw: &str| -> ::core::result::Result<
                    ::boltmcp::__private::SyncOutput,
                    ::boltmcp::server::ToolError,
                > {
                    let __args: __BoltmcpArgs = ::boltmcp::__private::read_arguments(__raw)?;
                    let __out = #call;
                    #convert
                }
            };
        }
        quote! {
            move |__call: ::boltmcp::server::ToolCall| -> ::boltmcp::server::BoxFuture<
                'static,
                ::core::result::Result<
                    ::boltmcp::protocol::CallToolResult,
                    ::boltmcp::server::ToolError,
                >,
            > {
                #per_call
                ::std::boxed::Box::pin(async move {
                    let __args: __BoltmcpArgs =
                        ::boltmcp::__private::read_arguments(__call.raw_arguments())?;
                    let __out = #call;
                    #convert
                })
            }
        }
    }
}
