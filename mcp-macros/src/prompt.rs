//! `#[prompt]`: a function becomes a `PromptDef`; its `String` parameters are required
//! arguments, its `Option<String>` parameters optional ones.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, ItemFn, LitStr, Signature};

use crate::attr::{self, PromptAttr};
use crate::ctxt::Ctxt;
use crate::docs::{self, Docs};
use crate::func::{self, Place};
use crate::params::{self, Kind, Param};

/// Everything read from one prompt function.
pub(crate) struct Prompt {
    attr: PromptAttr,
    sig: Signature,
    params: Vec<Param>,
    docs: Docs,
    place: Place,
}

/// Reads a prompt from its attribute arguments and function.
pub(crate) fn analyze(
    cx: &Ctxt,
    args: TokenStream,
    attrs: &[Attribute],
    sig: &mut Signature,
    in_handlers: bool,
) -> Prompt {
    let attr = attr::parse_prompt(cx, args);
    func::check_signature(cx, sig, "#[prompt]", "prompt");
    let (receiver, params) = params::parse(cx, sig);
    let place = if in_handlers {
        Place::Method(receiver.is_some())
    } else {
        Place::Free
    };
    func::check_receiver(cx, receiver.as_ref(), place, "#[prompt]");
    if func::return_type(sig).is_none() {
        cx.error_spanned_by(
            &sig.ident,
            "a prompt returns its messages; add a return type such as `-> String`",
        );
    }
    for p in &params {
        if p.kind != Kind::Argument {
            func::reject_arg_on_injected(cx, p);
            continue;
        }
        if !p.require_ident(cx, "#[prompt]") {
            continue;
        }
        params::reject_arg_keys(cx, p, &["description", "rename"], "a prompt argument");
        let optional = params::option_inner(&p.ty).is_some_and(params::is_string);
        if !params::is_string(&p.ty) && !optional {
            cx.error_spanned_by(
                &p.ty,
                "prompt arguments are strings: take `String` (required) or `Option<String>` \
                 (optional) and parse the value inside the function",
            );
        }
    }
    let names: Vec<String> = params
        .iter()
        .filter(|p| p.kind == Kind::Argument)
        .flat_map(Param::doc_names)
        .collect();
    Prompt {
        docs: docs::parse(attrs, &names),
        attr,
        sig: sig.clone(),
        params,
        place,
    }
}

/// `#[prompt]` on a free function: the function plus `NAME_prompt()`.
pub(crate) fn expand(args: TokenStream, mut item: ItemFn) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let prompt = analyze(&cx, args, &item.attrs, &mut item.sig, false);
    let def_fn = func::def_fn_name(&item.sig.ident, "prompt");
    let vis = &item.vis;
    if let Err(err) = cx.check() {
        let stub = quote! {
            #[allow(dead_code)]
            #vis fn #def_fn() -> ::boltmcp::server::PromptDef { ::core::unreachable!("only emitted beside a compile error") }
        };
        return Ok(func::fallback(err, item.into_token_stream(), stub));
    }
    let build = prompt.build();
    let doc = format!("The MCP prompt definition of [`{}`].", item.sig.ident);
    Ok(quote! {
        #item

        #[doc = #doc]
        // `TargetMeta { .., ..Default::default() }` stays valid as fields are added.
        #[allow(clippy::needless_update)]
        #vis fn #def_fn() -> ::boltmcp::server::PromptDef {
            static __DEF: ::std::sync::OnceLock<::boltmcp::server::PromptDef> =
                ::std::sync::OnceLock::new();
            ::core::clone::Clone::clone(__DEF.get_or_init(|| #build))
        }
    })
}

impl Prompt {
    /// A block producing this method's `PromptDef` inside `Handlers::prompts`.
    pub(crate) fn method_def(&self) -> TokenStream {
        self.build()
    }

    fn build(&self) -> TokenStream {
        let c = &self.attr.common;
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
        let icons = func::icons(c.icons.as_ref());
        let meta = func::target_meta(c, &crate::attr::ToolAttr::default());
        let arguments = self.arguments();
        let capture = func::capture(self.place);
        let handler = self.handler();
        quote! {{
            let __prompt = ::boltmcp::protocol::Prompt {
                name: ::std::string::String::from(#name),
                title: #title,
                description: #description,
                arguments: #arguments,
                icons: #icons,
                ..::core::default::Default::default()
            };
            #capture
            ::boltmcp::server::PromptDef::from_prompt(__prompt, #handler).with_meta(#meta)
        }}
    }

    fn arguments(&self) -> TokenStream {
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .filter(|p| p.kind == Kind::Argument)
            .map(|p| {
                let name = &p.name;
                let required = params::is_string(&p.ty);
                let description = func::opt_string(p.description(&self.docs).map(String::as_str));
                quote!(::boltmcp::protocol::PromptArgument {
                    name: ::std::string::String::from(#name),
                    description: #description,
                    required: ::core::option::Option::Some(#required),
                    ..::core::default::Default::default()
                })
            })
            .collect();
        if args.is_empty() {
            quote!(::core::option::Option::None)
        } else {
            quote!(::core::option::Option::Some(::std::vec![#(#args),*]))
        }
    }

    fn handler(&self) -> TokenStream {
        let ctx = quote!(__req.ctx);
        let mut takes = Vec::new();
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.kind != Kind::Argument {
                    return params::injected(p, &ctx);
                }
                let local = format_ident!("__arg{}", i);
                let name = &p.name;
                let take = quote!(__req.arguments.remove(#name));
                takes.push(if params::is_string(&p.ty) {
                    let missing = format!("missing required argument `{name}`");
                    quote! {
                        let #local = match #take {
                            ::core::option::Option::Some(__v) => __v,
                            ::core::option::Option::None => {
                                return ::core::result::Result::Err(
                                    ::boltmcp::server::ToolError::invalid_arguments(#missing),
                                );
                            }
                        };
                    }
                } else {
                    quote!(let #local = #take;)
                });
                quote!(#local)
            })
            .collect();
        let call = func::call(&self.sig, self.place, &args);
        let per_call = func::per_call(self.place);
        // Converted here, spanned on the return type, so a type that cannot be a
        // prompt's messages is reported once, at the user's type.
        let span = func::return_type(&self.sig).map_or_else(Span::call_site, Spanned::span);
        let convert = quote_spanned!(span=>
            ::boltmcp::server::IntoGetPromptResult::into_get_prompt_result(__out)
        );
        let rebind = (!takes.is_empty()).then(|| quote!(let mut __req = __req;));
        quote! {
            move |__req: ::boltmcp::server::PromptRequest| {
                #per_call
                async move {
                    #rebind
                    #(#takes)*
                    let __out = #call;
                    #convert
                }
            }
        }
    }
}
