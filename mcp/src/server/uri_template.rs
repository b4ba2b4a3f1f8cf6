//! RFC 6570 URI templates, as far as resource templates use them: `{var}` (one path
//! segment, percent-decoded) and `{+var}` (reserved expansion: may span `/`).

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Var { name: String, reserved: bool },
}

/// A parsed URI template that can match concrete URIs and extract their variables.
#[derive(Debug, Clone, PartialEq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

/// Why a template could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URI template {template:?}: {reason}")]
pub struct UriTemplateError {
    template: String,
    reason: &'static str,
}

impl UriTemplate {
    /// Parses `template`; variables are `{name}` or `{+name}`.
    pub fn parse(template: &str) -> Result<Self, UriTemplateError> {
        let err = |reason| UriTemplateError {
            template: template.to_owned(),
            reason,
        };
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| err("unclosed '{'"))?;
            let mut name = &after[..close];
            let reserved = name.starts_with('+');
            if reserved {
                name = &name[1..];
            }
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(err("variable names are letters, digits and '_'"));
            }
            if matches!(parts.last(), Some(Part::Var { .. })) {
                return Err(err("two variables need a literal between them"));
            }
            parts.push(Part::Var {
                name: name.to_owned(),
                reserved,
            });
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(err("unmatched '}'"));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(UriTemplate {
            source: template.to_owned(),
            parts,
        })
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Matches a concrete URI, returning the decoded variables.
    pub fn matches(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        let mut vars = BTreeMap::new();
        let mut rest = uri;
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                Part::Literal(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Var { name, reserved } => {
                    let end = match parts.peek() {
                        Some(Part::Literal(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let value = &rest[..end];
                    let stops = |c: char| !*reserved && matches!(c, '/' | '?' | '#');
                    if value.is_empty() || value.contains(stops) {
                        return None;
                    }
                    vars.insert(name.clone(), percent_decode(value)?);
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(vars)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_variables_match_one_segment() {
        let t = UriTemplate::parse("users://{id}/profile").expect("parses");
        let vars = t.matches("users://42/profile").expect("matches");
        assert_eq!(vars["id"], "42");
        assert!(t.matches("users://4/2/profile").is_none());
        assert!(t.matches("users:///profile").is_none());
        assert!(t.matches("users://42/profile/x").is_none());
    }

    #[test]
    fn reserved_variables_span_slashes_and_values_are_decoded() {
        let t = UriTemplate::parse("file:///{+path}").expect("parses");
        assert_eq!(
            t.matches("file:///a/b%20c.txt").expect("m")["path"],
            "a/b c.txt"
        );
        let t = UriTemplate::parse("test://template/{id}/data").expect("parses");
        assert_eq!(t.variables().collect::<Vec<_>>(), ["id"]);
        assert_eq!(
            t.matches("test://template/123/data").expect("m")["id"],
            "123"
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        for bad in ["a{", "a{}", "a{x}{y}", "a}b", "a{b c}"] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad}");
        }
    }
}
