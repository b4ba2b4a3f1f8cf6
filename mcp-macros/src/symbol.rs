//! The words the macros understand: attribute names, and the keys inside them as
//! `syn::custom_keyword!`s plus the lists error messages offer as alternatives.

use std::fmt;

use syn::{Ident, Path};

/// An attribute or key name, compared against identifiers and paths.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

pub(crate) const TOOL: Symbol = Symbol("tool");
pub(crate) const RESOURCE: Symbol = Symbol("resource");
pub(crate) const PROMPT: Symbol = Symbol("prompt");
pub(crate) const ARG: Symbol = Symbol("arg");
pub(crate) const DOC: Symbol = Symbol("doc");

/// The keys `#[tool(..)]` accepts, in the order error messages list them.
pub(crate) const TOOL_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "scopes",
    "rate_limit",
    "timeout",
    "max_concurrency",
    "annotations",
    "icons",
    "sandbox",
];
/// The keys `#[resource("uri", ..)]` accepts after the URI.
pub(crate) const RESOURCE_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "mime_type",
    "scopes",
    "rate_limit",
    "icons",
];
/// The keys `#[prompt(..)]` accepts.
pub(crate) const PROMPT_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "scopes",
    "rate_limit",
    "icons",
];
/// The keys `annotations(..)` accepts.
pub(crate) const ANNOTATION_KEYS: &[&str] = &[
    "read_only",
    "destructive",
    "idempotent",
    "open_world",
    "title",
];
/// The keys `#[arg(..)]` accepts.
pub(crate) const ARG_KEYS: &[&str] = &["description", "default", "rename"];

/// Keywords, so the parsers can `lookahead1().peek(kw::name)`.
pub(crate) mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(title);
    syn::custom_keyword!(description);
    syn::custom_keyword!(scopes);
    syn::custom_keyword!(rate_limit);
    syn::custom_keyword!(timeout);
    syn::custom_keyword!(max_concurrency);
    syn::custom_keyword!(annotations);
    syn::custom_keyword!(icons);
    syn::custom_keyword!(sandbox);
    syn::custom_keyword!(mime_type);
    syn::custom_keyword!(read_only);
    syn::custom_keyword!(destructive);
    syn::custom_keyword!(idempotent);
    syn::custom_keyword!(open_world);
    syn::custom_keyword!(default);
    syn::custom_keyword!(rename);
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}
