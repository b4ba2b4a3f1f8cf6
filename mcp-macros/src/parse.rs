//! Parsing helpers the attribute parsers share: values that fail without stopping
//! the parse, duplicate keys, separators, and "did you mean" suggestions for unknown keys.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitBool, LitStr, Token, bracketed};

use crate::ctxt::Ctxt;

/// Reports `key` as unknown, suggesting the closest expected key.
pub(crate) fn unknown_key(cx: &Ctxt, key: &Ident, expected: &[&str]) {
    let name = key.unraw().to_string();
    let mut message = format!(
        "unknown key `{name}`; expected one of: {}",
        expected.join(", ")
    );
    if let Some(close) = closest(&name, expected) {
        message.push_str(&format!(" (did you mean `{close}`?)"));
    }
    cx.error_spanned_by(key, message);
}

fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Stores a value once; a second occurrence is reported at its key.
pub(crate) fn set_once<T>(cx: &Ctxt, slot: &mut Option<T>, key: &dyn ToTokens, value: T) {
    if slot.is_some() {
        let name = key.to_token_stream().to_string();
        cx.error_spanned_by(
            key.to_token_stream(),
            format!("duplicate key `{name}`; it was given earlier, so remove one of them"),
        );
    } else {
        *slot = Some(value);
    }
}

/// Runs `f` on the value after a key; a malformed value is recorded and skipped so
/// the following keys are still checked.
pub(crate) fn value<T>(
    cx: &Ctxt,
    input: ParseStream,
    f: impl FnOnce(ParseStream) -> syn::Result<T>,
) -> Option<T> {
    match f(input) {
        Ok(v) => Some(v),
        Err(err) => {
            cx.syn_error(err);
            skip_to_comma(input);
            None
        }
    }
}

/// Skips the rest of a malformed `key = value`.
pub(crate) fn skip_to_comma(input: ParseStream) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// After a `key = value`: a comma or the end.
pub(crate) fn separator(cx: &Ctxt, input: ParseStream) -> syn::Result<()> {
    if input.is_empty() {
        return Ok(());
    }
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        return Ok(());
    }
    let found = input.parse::<TokenTree>()?;
    cx.error_spanned_by(found, "expected `,` between keys");
    skip_to_comma(input);
    if !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

/// `= "text"`.
pub(crate) fn lit_str(input: ParseStream) -> syn::Result<LitStr> {
    input.parse::<Token![=]>()?;
    input.parse()
}

/// `= ["a", "b"]`, or a single `= "a"`.
pub(crate) fn lit_str_list(input: ParseStream) -> syn::Result<Vec<LitStr>> {
    input.parse::<Token![=]>()?;
    if input.peek(LitStr) {
        return Ok(vec![input.parse()?]);
    }
    let content;
    bracketed!(content in input);
    let list = content.parse_terminated(|i| i.parse::<LitStr>(), Token![,])?;
    Ok(list.into_iter().collect())
}

/// A bare flag (`read_only`) or `flag = true|false`.
pub(crate) fn flag(input: ParseStream) -> syn::Result<bool> {
    if !input.peek(Token![=]) {
        return Ok(true);
    }
    input.parse::<Token![=]>()?;
    if input.peek(LitBool) {
        return Ok(input.parse::<LitBool>()?.value);
    }
    let found = input.parse::<TokenTree>()?;
    Err(syn::Error::new_spanned(
        found,
        "expected `true` or `false` (or the bare flag, which means `true`)",
    ))
}

/// Parses `tokens` with `f`; a syntax error that stops parsing is recorded too.
pub(crate) fn run<T: Default>(
    cx: &Ctxt,
    tokens: TokenStream,
    f: impl FnOnce(ParseStream) -> syn::Result<T>,
) -> T {
    f.parse2(tokens).unwrap_or_else(|err| {
        cx.syn_error(err);
        T::default()
    })
}
