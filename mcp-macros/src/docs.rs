//! Doc comments: the item's description, and the per-parameter lines (`a: …`,
//! `- a: …`, ``* `a` - …``, or an `# Arguments` section) that describe its arguments.

use std::collections::BTreeMap;

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

use crate::symbol::DOC;

/// A doc comment split into the item's description and its parameters' descriptions.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Docs {
    pub(crate) description: Option<String>,
    pub(crate) params: BTreeMap<String, String>,
}

/// The text of the `#[doc = "…"]` attributes, one entry per line, common indent removed.
pub(crate) fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if let Meta::NameValue(nv) = &attr.meta
            && nv.path == DOC
            && let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
        {
            lines.extend(s.value().split('\n').map(str::to_owned));
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .into_iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end().to_owned())
        .collect()
}

/// Joins lines into a description: surrounding blank lines dropped, runs of blank
/// lines collapsed to one; `None` when nothing is left.
pub(crate) fn join(lines: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        if line.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    (!out.is_empty()).then_some(out)
}

/// Splits the doc comment in `attrs`; only names in `params` count as parameters.
pub(crate) fn parse(attrs: &[Attribute], params: &[String]) -> Docs {
    let mut kept: Vec<String> = Vec::new();
    let mut described = BTreeMap::new();
    // The parameter whose description an indented line continues.
    let mut current: Option<String> = None;
    // Inside an `# Arguments` section: where its heading sits in `kept`, and whether
    // any of its lines were not about a parameter.
    let mut section: Option<(usize, bool)> = None;
    for line in doc_lines(attrs) {
        if let Some(title) = heading(&line) {
            drop_empty_section(&mut kept, section.take());
            current = None;
            if is_arguments_heading(title) {
                section = Some((kept.len(), false));
            }
            kept.push(line);
            continue;
        }
        let indented = line.starts_with(char::is_whitespace);
        if let Some(name) = &current
            && indented
            && !line.trim().is_empty()
        {
            let text: &mut String = described.entry(name.clone()).or_default();
            text.push(' ');
            text.push_str(line.trim());
            continue;
        }
        current = None;
        if !indented && let Some((name, text)) = param_line(&line, params, section.is_some()) {
            described.insert(name.clone(), text);
            current = Some(name);
            continue;
        }
        if let Some((_, other)) = &mut section
            && !line.trim().is_empty()
        {
            *other = true;
        }
        kept.push(line);
    }
    drop_empty_section(&mut kept, section);
    Docs {
        description: join(&kept),
        params: described,
    }
}

/// Removes an `# Arguments` heading whose lines all went to parameters.
fn drop_empty_section(kept: &mut Vec<String>, section: Option<(usize, bool)>) {
    if let Some((at, false)) = section {
        kept.remove(at);
    }
}

fn heading(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?;
    let rest = rest.trim_start_matches('#');
    rest.starts_with(' ').then(|| rest.trim())
}

fn is_arguments_heading(title: &str) -> bool {
    let title = title.trim_end_matches(':').to_ascii_lowercase();
    matches!(
        title.as_str(),
        "arguments" | "args" | "parameters" | "params"
    )
}

/// `name: text`, `- name: text`, ``* `name` - text`` (a dash only in a list item).
fn param_line(line: &str, params: &[String], in_section: bool) -> Option<(String, String)> {
    let (item, rest) = match line.strip_prefix(['-', '*', '+']) {
        Some(rest) if rest.starts_with(' ') => (true, rest.trim_start()),
        _ => (false, line),
    };
    let (name, rest) = if let Some(quoted) = rest.strip_prefix('`') {
        let end = quoted.find('`')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (&rest[..end], &rest[end..])
    };
    let name = name.strip_prefix("r#").unwrap_or(name);
    if !params.iter().any(|p| p == name) {
        return None;
    }
    let rest = rest.trim_start();
    let text = if let Some(text) = rest.strip_prefix(':') {
        text
    } else if item || in_section {
        rest.strip_prefix(['-', '—', '–'])?
    } else {
        return None;
    };
    Some((name.to_owned(), text.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str, params: &[&str]) -> Docs {
        let attrs: Vec<Attribute> = text
            .lines()
            .map(|l| {
                let l = if l.is_empty() {
                    String::new()
                } else {
                    format!(" {l}")
                };
                syn::parse_quote!(#[doc = #l])
            })
            .collect();
        let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
        parse(&attrs, &params)
    }

    #[test]
    fn plain_lines_describe_parameters_and_leave_the_description() {
        let d = docs(
            "Adds two numbers.\n\na: The first.\nb: The second.",
            &["a", "b"],
        );
        assert_eq!(d.description.as_deref(), Some("Adds two numbers."));
        assert_eq!(d.params["a"], "The first.");
        assert_eq!(d.params["b"], "The second.");
    }

    #[test]
    fn an_arguments_section_is_removed_when_it_only_describes_parameters() {
        let text = "Divides.\n\n# Arguments\n\n* `a` - The dividend,\n  a number.\n- b: The divisor.\n\n# Errors\n\nWhen b is zero.";
        let d = docs(text, &["a", "b"]);
        assert_eq!(
            d.description.as_deref(),
            Some("Divides.\n\n# Errors\n\nWhen b is zero.")
        );
        assert_eq!(d.params["a"], "The dividend, a number.");
        assert_eq!(d.params["b"], "The divisor.");
    }

    #[test]
    fn lines_about_unknown_names_stay_in_the_description() {
        let d = docs("Note: careful.\nx - not a list item", &["x"]);
        assert_eq!(
            d.description.as_deref(),
            Some("Note: careful.\nx - not a list item")
        );
        assert!(d.params.is_empty());
    }
}
