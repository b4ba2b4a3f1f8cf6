//! Checks on values the user wrote, made at compile time so mistakes surface where
//! they were typed: tool names, OAuth scopes, icon URIs and resource URI templates.

use quote::ToTokens;
use syn::LitStr;

use crate::ctxt::Ctxt;

/// Each scope is one OAuth scope token.
pub(crate) fn scopes(cx: &Ctxt, scopes: &[LitStr]) {
    for scope in scopes {
        let s = scope.value();
        if s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '\\')
        {
            cx.error_spanned_by(
                scope,
                "an OAuth scope is one non-empty word without spaces or quotes, such as \"math:write\"",
            );
        }
    }
}

/// Each icon is an http(s) URL or a `data:` URI.
pub(crate) fn icons(cx: &Ctxt, icons: &[LitStr]) {
    for icon in icons {
        let s = icon.value();
        let ok = ["https://", "http://", "data:"]
            .iter()
            .any(|p| s.starts_with(p));
        if !ok {
            cx.error_spanned_by(
                icon,
                "an icon is an https:// URL or a data: URI, such as \"https://example.com/icon.png\"",
            );
        }
    }
}

/// Checks a tool name against the spec's advice: 1–128 of `A-Z a-z 0-9 _ - .`.
pub(crate) fn tool_name(cx: &Ctxt, at: &dyn ToTokens, name: &str) {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        cx.error_spanned_by(
            at.to_token_stream(),
            format!(
                "`{name}` is not a valid tool name: use 1 to 128 ASCII letters, digits, `_`, `-` or `.`"
            ),
        );
    }
}

/// The variables of an RFC 6570 template as the runtime reads it (`{name}`, `{+name}`).
pub(crate) fn template_vars(uri: &str) -> Result<Vec<String>, &'static str> {
    let mut vars = Vec::new();
    let mut rest = uri;
    let mut last_was_var = false;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err("a `}` has no matching `{`");
        }
        if open > 0 {
            last_was_var = false;
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("a `{` is never closed")?;
        let name = after[..close].strip_prefix('+').unwrap_or(&after[..close]);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(
                "variable names are letters, digits and `_`, written `{name}` or `{+name}`",
            );
        }
        if last_was_var {
            return Err("two variables need literal text between them");
        }
        vars.push(name.to_owned());
        last_was_var = true;
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("a `}` has no matching `{`");
    }
    Ok(vars)
}
