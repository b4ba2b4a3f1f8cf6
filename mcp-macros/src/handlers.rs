//! `#[boltmcp::handlers]`: an inherent impl block whose `#[tool]`, `#[resource]` and
//! `#[prompt]` methods become an `impl Handlers`, bound to one shared `Arc<Self>`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Attribute, ImplItem, ItemImpl, Meta};

use crate::ctxt::Ctxt;
use crate::symbol::{PROMPT, RESOURCE, Symbol, TOOL};
use crate::{prompt, resource, tool};

/// Which marker a method carries, if any: `#[tool]`, `#[boltmcp::tool]`, ….
fn marker(attr: &Attribute) -> Option<Symbol> {
    let path = attr.path();
    let last = path.segments.last()?;
    let in_crate = path.segments.len() == 1
        || (path.segments.len() == 2 && path.segments[0].ident == "boltmcp");
    if !in_crate {
        return None;
    }
    [TOOL, RESOURCE, PROMPT]
        .into_iter()
        .find(|s| last.ident == *s)
}

/// The tokens inside a marker's parentheses (empty for a bare `#[tool]`).
fn marker_args(cx: &Ctxt, attr: &Attribute) -> TokenStream {
    match &attr.meta {
        Meta::Path(_) => TokenStream::new(),
        Meta::List(list) => list.tokens.clone(),
        Meta::NameValue(nv) => {
            cx.error_spanned_by(
                nv,
                "write the marker's options in parentheses, e.g. #[tool(name = \"add\")]",
            );
            TokenStream::new()
        }
    }
}

/// Expands `#[handlers]` on `item`.
pub(crate) fn expand(args: TokenStream, mut item: ItemImpl) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    if !args.is_empty() {
        cx.error_spanned_by(&args, "#[boltmcp::handlers] takes no arguments");
    }
    if let Some((_, path, _)) = &item.trait_ {
        cx.error_spanned_by(
            path,
            "#[boltmcp::handlers] goes on an inherent impl block (`impl MyServer { .. }`), \
             not on a trait impl",
        );
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        let example = match crate::params::last_segment(&item.self_ty) {
            Some(seg) => format!("`impl {}<MyItem> {{ .. }}`", seg.ident),
            None => "`impl MyServer { .. }`".to_owned(),
        };
        cx.error_spanned_by(
            &item.generics,
            format!(
                "#[boltmcp::handlers] cannot be used on a generic impl block: schemas are \
                 built once per process, so write the block for one concrete type, e.g. {example}"
            ),
        );
    }
    let mut tools = Vec::new();
    let mut resources = Vec::new();
    let mut templates = Vec::new();
    let mut prompts = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(f) = impl_item else { continue };
        let mut markers = Vec::new();
        f.attrs.retain(|a| match marker(a) {
            Some(kind) => {
                markers.push((kind, a.clone()));
                false
            }
            None => true,
        });
        let Some((kind, attr)) = markers.first() else {
            continue;
        };
        for (_, extra) in &markers[1..] {
            cx.error_spanned_by(
                extra,
                "a method is one of a tool, a resource or a prompt; keep only one of \
                 #[tool], #[resource] and #[prompt]",
            );
        }
        let args = marker_args(&cx, attr);
        if *kind == TOOL {
            tools.push(tool::analyze(&cx, args, &f.attrs, &mut f.sig, true));
        } else if *kind == RESOURCE {
            let anchor = attr.to_token_stream();
            let r = resource::analyze(&cx, args, anchor, &f.attrs, &mut f.sig, true);
            if r.is_template() {
                templates.push(r);
            } else {
                resources.push(r);
            }
        } else {
            prompts.push(prompt::analyze(&cx, args, &f.attrs, &mut f.sig, true));
        }
    }
    let self_ty = &item.self_ty;
    if let Err(err) = cx.check() {
        let stub = quote!(impl ::boltmcp::server::Handlers for #self_ty {});
        return Ok(crate::func::fallback(err, item.into_token_stream(), stub));
    }
    let tools = list(
        quote!(tools),
        quote!(::boltmcp::server::ToolDef),
        tools.iter().map(tool::Tool::method_def).collect(),
    );
    let resources = list(
        quote!(resources),
        quote!(::boltmcp::server::ResourceDef),
        resources
            .iter()
            .map(resource::Resource::method_def)
            .collect(),
    );
    let templates = list(
        quote!(resource_templates),
        quote!(::boltmcp::server::ResourceTemplateDef),
        templates
            .iter()
            .map(resource::Resource::method_def)
            .collect(),
    );
    let prompts = list(
        quote!(prompts),
        quote!(::boltmcp::server::PromptDef),
        prompts.iter().map(prompt::Prompt::method_def).collect(),
    );
    Ok(quote! {
        #item

        #[allow(clippy::needless_update)]
        impl ::boltmcp::server::Handlers for #self_ty {
            #tools
            #resources
            #templates
            #prompts
        }
    })
}

/// One `Handlers` method returning `defs`, or nothing (the trait's default) when empty.
fn list(method: TokenStream, ty: TokenStream, defs: Vec<TokenStream>) -> TokenStream {
    if defs.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn #method(self: &::std::sync::Arc<Self>) -> ::std::vec::Vec<#ty> {
            ::std::vec![#(#defs),*]
        }
    }
}
