//! The arguments of `#[tool(..)]`, `#[resource(..)]` and `#[prompt(..)]`: parsed with
//! keywords and lookahead, duplicates refused, and every mistake recorded, not just the first.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Ident, LitStr, parenthesized};

use crate::check;
use crate::ctxt::Ctxt;
use crate::parse::{
    flag, lit_str, lit_str_list, run, separator, set_once, skip_to_comma, unknown_key, value,
};
use crate::symbol::{self, kw};

/// Keys every kind shares.
#[derive(Default)]
pub(crate) struct Common {
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) scopes: Option<Vec<LitStr>>,
    pub(crate) rate_limit: Option<LitStr>,
    pub(crate) icons: Option<Vec<LitStr>>,
}

/// `#[tool(..)]`.
#[derive(Default)]
pub(crate) struct ToolAttr {
    pub(crate) common: Common,
    pub(crate) annotations: Option<Annotations>,
    pub(crate) sandbox: bool,
    pub(crate) timeout: Option<LitStr>,
    pub(crate) max_concurrency: Option<syn::LitInt>,
}

/// `annotations(read_only, destructive = false, title = "..")`.
#[derive(Default)]
pub(crate) struct Annotations {
    pub(crate) read_only: Option<bool>,
    pub(crate) destructive: Option<bool>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) open_world: Option<bool>,
    pub(crate) title: Option<LitStr>,
}

/// `#[resource("uri", ..)]`.
#[derive(Default)]
pub(crate) struct ResourceAttr {
    pub(crate) uri: Option<LitStr>,
    pub(crate) common: Common,
    pub(crate) mime_type: Option<LitStr>,
}

/// `#[prompt(..)]`.
#[derive(Default)]
pub(crate) struct PromptAttr {
    pub(crate) common: Common,
}

/// One key at the head of `key = value`, recognised by lookahead.
enum Key {
    Name(kw::name),
    Title(kw::title),
    Description(kw::description),
    Scopes(kw::scopes),
    RateLimit(kw::rate_limit),
    Timeout(kw::timeout),
    MaxConcurrency(kw::max_concurrency),
    Annotations(kw::annotations),
    Icons(kw::icons),
    Sandbox(kw::sandbox),
    MimeType(kw::mime_type),
    Unknown(Ident),
}

fn parse_key(input: ParseStream, expected: &[&str]) -> syn::Result<Key> {
    let la = input.lookahead1();
    if la.peek(kw::name) {
        input.parse().map(Key::Name)
    } else if la.peek(kw::title) {
        input.parse().map(Key::Title)
    } else if la.peek(kw::description) {
        input.parse().map(Key::Description)
    } else if la.peek(kw::scopes) {
        input.parse().map(Key::Scopes)
    } else if la.peek(kw::rate_limit) {
        input.parse().map(Key::RateLimit)
    } else if la.peek(kw::timeout) {
        input.parse().map(Key::Timeout)
    } else if la.peek(kw::max_concurrency) {
        input.parse().map(Key::MaxConcurrency)
    } else if la.peek(kw::annotations) {
        input.parse().map(Key::Annotations)
    } else if la.peek(kw::icons) {
        input.parse().map(Key::Icons)
    } else if la.peek(kw::sandbox) {
        input.parse().map(Key::Sandbox)
    } else if la.peek(kw::mime_type) {
        input.parse().map(Key::MimeType)
    } else if input.peek(Ident::peek_any) {
        input.call(Ident::parse_any).map(Key::Unknown)
    } else {
        let found = input.fork().parse::<TokenTree>()?;
        Err(syn::Error::new_spanned(
            found,
            format!("expected a key, one of: {}", expected.join(", ")),
        ))
    }
}

/// Handles a key every kind shares; false when `key` is not one of them.
fn common_key(cx: &Ctxt, input: ParseStream, key: &Key, c: &mut Common) -> bool {
    match key {
        Key::Name(k) => {
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut c.name, k, v);
            }
        }
        Key::Title(k) => {
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut c.title, k, v);
            }
        }
        Key::Description(k) => {
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut c.description, k, v);
            }
        }
        Key::Scopes(k) => {
            if let Some(v) = value(cx, input, lit_str_list) {
                check::scopes(cx, &v);
                set_once(cx, &mut c.scopes, k, v);
            }
        }
        Key::RateLimit(k) => {
            if let Some(v) = value(cx, input, lit_str) {
                set_once(cx, &mut c.rate_limit, k, v);
            }
        }
        Key::Icons(k) => {
            if let Some(v) = value(cx, input, lit_str_list) {
                check::icons(cx, &v);
                set_once(cx, &mut c.icons, k, v);
            }
        }
        _ => return false,
    }
    true
}

/// Parses the arguments of `#[tool(..)]`.
pub(crate) fn parse_tool(cx: &Ctxt, tokens: TokenStream) -> ToolAttr {
    run(cx, tokens, |input| {
        let mut out = ToolAttr::default();
        let mut sandbox = None;
        while !input.is_empty() {
            let key = parse_key(input, symbol::TOOL_KEYS)?;
            if !common_key(cx, input, &key, &mut out.common) {
                match key {
                    Key::Annotations(k) => {
                        if let Some(v) = value(cx, input, |i| annotations(cx, i)) {
                            set_once(cx, &mut out.annotations, &k, v);
                        }
                    }
                    Key::Sandbox(k) => {
                        if let Some(v) = value(cx, input, flag) {
                            set_once(cx, &mut sandbox, &k, v);
                        }
                    }
                    Key::Timeout(k) => {
                        if let Some(v) = value(cx, input, lit_str) {
                            set_once(cx, &mut out.timeout, &k, v);
                        }
                    }
                    Key::MaxConcurrency(k) => {
                        if let Some(v) = value(cx, input, |i| positive_int(cx, i)) {
                            set_once(cx, &mut out.max_concurrency, &k, v);
                        }
                    }
                    other => unknown(cx, input, other, symbol::TOOL_KEYS),
                }
            }
            separator(cx, input)?;
        }
        out.sandbox = sandbox.unwrap_or(false);
        Ok(out)
    })
}

fn annotations(cx: &Ctxt, input: ParseStream) -> syn::Result<Annotations> {
    let content;
    parenthesized!(content in input);
    let mut out = Annotations::default();
    while !content.is_empty() {
        let la = content.lookahead1();
        if la.peek(kw::read_only) {
            let k: kw::read_only = content.parse()?;
            if let Some(v) = value(cx, &content, flag) {
                set_once(cx, &mut out.read_only, &k, v);
            }
        } else if la.peek(kw::destructive) {
            let k: kw::destructive = content.parse()?;
            if let Some(v) = value(cx, &content, flag) {
                set_once(cx, &mut out.destructive, &k, v);
            }
        } else if la.peek(kw::idempotent) {
            let k: kw::idempotent = content.parse()?;
            if let Some(v) = value(cx, &content, flag) {
                set_once(cx, &mut out.idempotent, &k, v);
            }
        } else if la.peek(kw::open_world) {
            let k: kw::open_world = content.parse()?;
            if let Some(v) = value(cx, &content, flag) {
                set_once(cx, &mut out.open_world, &k, v);
            }
        } else if la.peek(kw::title) {
            let k: kw::title = content.parse()?;
            if let Some(v) = value(cx, &content, lit_str) {
                set_once(cx, &mut out.title, &k, v);
            }
        } else if content.peek(Ident::peek_any) {
            let key = content.call(Ident::parse_any)?;
            unknown_key(cx, &key, symbol::ANNOTATION_KEYS);
            skip_to_comma(&content);
        } else {
            return Err(la.error());
        }
        separator(cx, &content)?;
    }
    Ok(out)
}

/// A whole number from 1 to 4294967295, as `max_concurrency` takes.
fn positive_int(cx: &Ctxt, input: ParseStream) -> syn::Result<syn::LitInt> {
    input.parse::<syn::Token![=]>()?;
    if !input.peek(syn::LitInt) {
        let found = input.fork().parse::<TokenTree>()?;
        return Err(syn::Error::new_spanned(
            found,
            "expected a number of calls, as in `max_concurrency = 4`",
        ));
    }
    let lit = input.parse::<syn::LitInt>()?;
    match lit.base10_parse::<u32>() {
        Ok(n) if n > 0 => {}
        _ => cx.error_spanned_by(
            &lit,
            "`max_concurrency` takes a number of calls from 1 to 4294967295, as in `max_concurrency = 4`",
        ),
    }
    Ok(lit)
}

/// A key this attribute does not take: reported, and its value skipped.
fn unknown(cx: &Ctxt, input: ParseStream, key: Key, expected: &[&str]) {
    let ident = match key {
        Key::Unknown(ident) => ident,
        Key::Name(k) => Ident::new("name", k.span),
        Key::Title(k) => Ident::new("title", k.span),
        Key::Description(k) => Ident::new("description", k.span),
        Key::Scopes(k) => Ident::new("scopes", k.span),
        Key::RateLimit(k) => Ident::new("rate_limit", k.span),
        Key::Timeout(k) => Ident::new("timeout", k.span),
        Key::MaxConcurrency(k) => Ident::new("max_concurrency", k.span),
        Key::Annotations(k) => Ident::new("annotations", k.span),
        Key::Icons(k) => Ident::new("icons", k.span),
        Key::Sandbox(k) => Ident::new("sandbox", k.span),
        Key::MimeType(k) => Ident::new("mime_type", k.span),
    };
    unknown_key(cx, &ident, expected);
    skip_to_comma(input);
}

/// Parses the arguments of `#[resource("uri", ..)]`; `anchor` is where a missing URI
/// is reported.
pub(crate) fn parse_resource(cx: &Ctxt, tokens: TokenStream, anchor: TokenStream) -> ResourceAttr {
    run(cx, tokens, |input| {
        let mut out = ResourceAttr::default();
        if input.peek(LitStr) {
            out.uri = Some(input.parse()?);
            separator(cx, input)?;
        } else {
            let at = input
                .fork()
                .parse::<TokenTree>()
                .map_or(anchor, ToTokens::into_token_stream);
            cx.error_spanned_by(
                at,
                "#[resource] needs the resource's URI first, e.g. #[resource(\"config://app\")] \
                 or a template such as #[resource(\"users://{id}\")]",
            );
        }
        while !input.is_empty() {
            let key = parse_key(input, symbol::RESOURCE_KEYS)?;
            if !common_key(cx, input, &key, &mut out.common) {
                match key {
                    Key::MimeType(k) => {
                        if let Some(v) = value(cx, input, lit_str) {
                            set_once(cx, &mut out.mime_type, &k, v);
                        }
                    }
                    other => unknown(cx, input, other, symbol::RESOURCE_KEYS),
                }
            }
            separator(cx, input)?;
        }
        Ok(out)
    })
}

/// Parses the arguments of `#[prompt(..)]`.
pub(crate) fn parse_prompt(cx: &Ctxt, tokens: TokenStream) -> PromptAttr {
    run(cx, tokens, |input| {
        let mut out = PromptAttr::default();
        while !input.is_empty() {
            let key = parse_key(input, symbol::PROMPT_KEYS)?;
            if !common_key(cx, input, &key, &mut out.common) {
                unknown(cx, input, key, symbol::PROMPT_KEYS);
            }
            separator(cx, input)?;
        }
        Ok(out)
    })
}
