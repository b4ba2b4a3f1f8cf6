//! The parameters of a handler function: which are injected from the request
//! (`Context`, `Extension<T>`) and which are arguments, with their `#[arg(..)]` options.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{
    Attribute, Expr, FnArg, GenericArgument, Ident, LitStr, Pat, PathArguments, Receiver,
    Signature, Token, Type, TypePath,
};

use crate::ctxt::Ctxt;
use crate::docs;
use crate::parse::{self, lit_str, set_once, skip_to_comma, value};
use crate::symbol::{self, ARG, DOC, kw};

/// How a parameter is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// From the client's arguments (or a template variable).
    Argument,
    /// `&Context`: a reference to the request's context.
    ContextRef,
    /// `Context`, `Extension<T>`, `Principal`, `Claims<T>` (the last three also in an
    /// `Option`): through `FromContext`.
    Extracted,
}

/// One typed parameter.
pub(crate) struct Param {
    /// The binding as written (`None` for a pattern that is not a plain name).
    pub(crate) ident: Option<Ident>,
    /// The name on the wire: `#[arg(rename)]`, else the identifier without `r#`.
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) kind: Kind,
    /// True for a `_` pattern.
    wildcard: bool,
    /// The parameter as written, for error spans.
    pub(crate) tokens: TokenStream,
    pub(crate) arg: ArgAttr,
}

/// `#[arg(description = "..", default = EXPR, rename = "..")]` and `#[doc]` on a parameter.
#[derive(Default)]
pub(crate) struct ArgAttr {
    /// The whole `#[arg]`/`#[doc]` attributes, for "not allowed here" errors.
    pub(crate) attrs: Vec<Attribute>,
    /// `#[arg(description = "..")]`, else the parameter's own doc comment.
    pub(crate) description: Option<String>,
    description_lit: Option<LitStr>,
    /// `Some(None)` for a bare `default` (the type's `Default`).
    pub(crate) default: Option<(kw::default, Option<Expr>)>,
    pub(crate) rename: Option<LitStr>,
}

/// The receiver and typed parameters of `sig`, with `#[arg]` and `#[doc]` removed from
/// the signature so the function still compiles as written.
pub(crate) fn parse(cx: &Ctxt, sig: &mut Signature) -> (Option<Receiver>, Vec<Param>) {
    let mut receiver = None;
    let mut params = Vec::new();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(r) => receiver = Some(r.clone()),
            FnArg::Typed(pt) => {
                let arg = take_arg_attrs(cx, &mut pt.attrs);
                let ident = match &*pt.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        Some(p.ident.clone())
                    }
                    _ => None,
                };
                let name = match (&arg.rename, &ident) {
                    (Some(rename), _) => rename.value(),
                    (None, Some(ident)) => ident.unraw().to_string(),
                    (None, None) => String::new(),
                };
                params.push(Param {
                    ident,
                    name,
                    ty: (*pt.ty).clone(),
                    kind: kind(&pt.ty),
                    wildcard: matches!(&*pt.pat, Pat::Wild(_)),
                    tokens: pt.to_token_stream(),
                    arg,
                });
            }
        }
    }
    (receiver, params)
}

impl Param {
    /// The names a doc line may use for this parameter: the Rust name and the wire name.
    pub(crate) fn doc_names(&self) -> Vec<String> {
        let mut names = vec![self.name.clone()];
        if let Some(ident) = &self.ident {
            let rust = ident.unraw().to_string();
            if rust != self.name {
                names.push(rust);
            }
        }
        names
    }

    /// This parameter's description: `#[arg(description)]`/`#[doc]`, else a doc line.
    pub(crate) fn description<'a>(&'a self, docs: &'a docs::Docs) -> Option<&'a String> {
        self.arg.description.as_ref().or_else(|| {
            self.doc_names()
                .iter()
                .find_map(|name| docs.params.get(name))
        })
    }

    /// The identifier of an argument; reports a pattern that is not a plain name.
    pub(crate) fn require_ident(&self, cx: &Ctxt, what: &str) -> bool {
        if self.ident.is_some() {
            return true;
        }
        if self.wildcard {
            cx.error_spanned_by(
                &self.tokens,
                format!(
                    "{what} parameters need a name, not `_`: the name is what the client \
                     sends, e.g. `count: u32`"
                ),
            );
            return false;
        }
        cx.error_spanned_by(
            &self.tokens,
            format!(
                "{what} parameters must be plain names like `a: f64`, because each name \
                 becomes the argument's name; destructure inside the function body instead"
            ),
        );
        false
    }
}

/// Parameter types filled from the request context rather than the arguments.
const EXTRACTED: [&str; 4] = ["Context", "Extension", "Principal", "Claims"];
/// The same, accepted inside `Option<..>` (absent rather than failing the call).
const OPTIONAL_EXTRACTED: [&str; 3] = ["Extension", "Principal", "Claims"];

fn kind(ty: &Type) -> Kind {
    match ty {
        Type::Reference(r) if r.mutability.is_none() && last_ident_is(&r.elem, "Context") => {
            Kind::ContextRef
        }
        Type::Paren(p) => kind(&p.elem),
        Type::Group(g) => kind(&g.elem),
        _ if EXTRACTED.iter().any(|name| last_ident_is(ty, name)) => Kind::Extracted,
        _ => match option_inner(ty) {
            Some(inner)
                if OPTIONAL_EXTRACTED
                    .iter()
                    .any(|name| last_ident_is(inner, name)) =>
            {
                Kind::Extracted
            }
            _ => Kind::Argument,
        },
    }
}

/// The last path segment of a plain path type.
pub(crate) fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(TypePath { qself: None, path }) => path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

pub(crate) fn last_ident_is(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name)
}

/// The type arguments of the last path segment (`T, E` in `Result<T, E>`).
pub(crate) fn type_args(ty: &Type) -> Vec<&Type> {
    let Some(seg) = last_segment(ty) else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// `T` when `ty` is `Option<T>`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    if !last_ident_is(ty, "Option") {
        return None;
    }
    match type_args(ty).as_slice() {
        [inner] => Some(inner),
        _ => None,
    }
}

/// True when `ty` is `String` (by last segment).
pub(crate) fn is_string(ty: &Type) -> bool {
    last_ident_is(ty, "String") && type_args(ty).is_empty()
}

/// True when the tokens of `ty` mention `Self` (not nameable in a nested item).
pub(crate) fn mentions_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == "Self",
        proc_macro2::TokenTree::Group(g) => mentions_self(g.stream()),
        _ => false,
    })
}

fn is_arg_attr(attr: &Attribute) -> bool {
    attr.path() == ARG || attr.path() == DOC
}

/// Removes `#[arg(..)]` and `#[doc]` from a parameter's attributes and parses them.
fn take_arg_attrs(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> ArgAttr {
    let mut out = ArgAttr::default();
    let (mine, others): (Vec<_>, Vec<_>) = attrs.drain(..).partition(is_arg_attr);
    *attrs = others;
    let docs = docs::join(&docs::doc_lines(&mine));
    for attr in &mine {
        if attr.path() != ARG {
            continue;
        }
        match &attr.meta {
            syn::Meta::List(list) => {
                let parsed = list.parse_args_with(|input: ParseStream| {
                    parse_arg_keys(cx, input, &mut out);
                    Ok(())
                });
                if let Err(err) = parsed {
                    cx.syn_error(err);
                }
            }
            _ => cx.error_spanned_by(
                attr,
                "#[arg] needs keys, e.g. #[arg(description = \"...\")] or #[arg(default = 1)]",
            ),
        }
    }
    out.description = out.description_lit.as_ref().map(LitStr::value).or(docs);
    out.attrs = mine;
    out
}

fn parse_arg_keys(cx: &Ctxt, input: ParseStream, out: &mut ArgAttr) {
    while !input.is_empty() {
        let la = input.lookahead1();
        if la.peek(kw::description) {
            let Ok(k) = input.parse::<kw::description>() else {
                return;
            };
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut out.description_lit, &k, v);
            }
        } else if la.peek(kw::default) {
            let Ok(k) = input.parse::<kw::default>() else {
                return;
            };
            let expr = value(cx, input, |i| {
                if i.peek(Token![=]) {
                    i.parse::<Token![=]>()?;
                    i.parse::<Expr>().map(Some)
                } else {
                    Ok(None)
                }
            });
            if let Some(expr) = expr {
                set_once(cx, &mut out.default, &k, (k, expr));
            }
        } else if la.peek(kw::rename) {
            let Ok(k) = input.parse::<kw::rename>() else {
                return;
            };
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut out.rename, &k, v);
            }
        } else if let Ok(key) = input.call(Ident::parse_any) {
            parse::unknown_key(cx, &key, symbol::ARG_KEYS);
            skip_to_comma(input);
        } else {
            cx.syn_error(la.error());
            return;
        }
        if parse::separator(cx, input).is_err() {
            return;
        }
    }
}

/// Reports `#[arg]` options that `what` does not use; `allowed` lists the ones it does.
pub(crate) fn reject_arg_keys(cx: &Ctxt, param: &Param, allowed: &[&str], what: &str) {
    let a = &param.arg;
    if let Some((k, _)) = &a.default
        && !allowed.contains(&"default")
    {
        cx.error_spanned_by(k, format!("{what} has no default; remove `default`"));
    }
    if let Some(r) = &a.rename
        && !allowed.contains(&"rename")
    {
        cx.error_spanned_by(r, format!("{what} cannot be renamed; remove `rename`"));
    }
    if a.description.is_some() && !allowed.contains(&"description") {
        let at = a
            .attrs
            .first()
            .map(ToTokens::to_token_stream)
            .unwrap_or_default();
        cx.error_spanned_by(at, format!("{what} takes no description; remove it"));
    }
}

/// The expression passed for an injected parameter, given the request's context.
pub(crate) fn injected(param: &Param, ctx: &TokenStream) -> TokenStream {
    let ty = &param.ty;
    match param.kind {
        Kind::ContextRef => quote!(&#ctx),
        _ => quote!(<#ty as ::boltmcp::server::FromContext>::from_context(&#ctx)?),
    }
}
