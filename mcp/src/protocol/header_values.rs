//! What 2026-07-28 mirrors from a request body into HTTP headers, read the same way by
//! the server that checks the headers and the client that writes them
//! (2026-07-28 `basic/transports/streamable-http` §Custom Headers from Tool Parameters,
//! §Value Encoding).

use std::borrow::Cow;
use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// An argument path (a chain of `properties` keys) and the `Mcp-Param-{Name}` it is
/// mirrored into.
pub(crate) type Mark = (Vec<String>, String);

/// A header value as is, or as `=?base64?…?=` when it is not plain visible ASCII
/// without edge whitespace, or looks like the sentinel itself.
pub(crate) fn encode(value: &str) -> String {
    let plain = value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && value.trim() == value
        && !(value.starts_with("=?base64?") && value.ends_with("?="));
    if plain {
        value.to_owned()
    } else {
        format!("=?base64?{}?=", STANDARD.encode(value))
    }
}

/// A header value with the `=?base64?…?=` form decoded; `None` when that form holds
/// no base64 of UTF-8.
pub(crate) fn decode(value: &str) -> Option<Cow<'_, str>> {
    match value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        None => Some(value.into()),
        Some(encoded) => STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(Into::into),
    }
}

/// The `x-mcp-header` marks reachable from the schema root through `properties`
/// alone, each with the property that carries it.
fn walk<'s>(schema: &'s Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'s Value)>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        path.push(key.clone());
        if property.get("x-mcp-header").is_some() {
            out.push((path.clone(), property));
        }
        walk(property, path, out);
        path.pop();
    }
}

/// The params member `Mcp-Name` mirrors for `method`, if the method has one
/// (2026-07-28 `basic/transports/streamable-http` §Standard Headers; SEP-2663 adds
/// the task methods, routed by their id).
pub(crate) fn name_member(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        "tasks/get" | "tasks/update" | "tasks/cancel" => Some("taskId"),
        _ => None,
    }
}

/// The marks a server checks: every statically reachable string-named one.
pub(crate) fn marks(schema: &Value) -> Vec<Mark> {
    let mut found = Vec::new();
    walk(schema, &mut Vec::new(), &mut found);
    found
        .into_iter()
        .filter_map(|(path, property)| {
            let name = property.get("x-mcp-header")?.as_str()?;
            Some((path, name.to_owned()))
        })
        .collect()
}

/// The marks of a schema, or why they make the tool invalid: each must sit on a
/// property reachable through `properties` alone, of type string, integer or
/// boolean, with a token name unique regardless of case.
pub(crate) fn valid_marks(schema: &Value) -> Result<Vec<Mark>, String> {
    let mut found = Vec::new();
    walk(schema, &mut Vec::new(), &mut found);
    if count(schema) != found.len() {
        return Err("x-mcp-header on a property not reachable through `properties` alone".into());
    }
    let mut seen = HashSet::new();
    let mut marks = Vec::with_capacity(found.len());
    for (path, property) in found {
        let name = property
            .get("x-mcp-header")
            .and_then(Value::as_str)
            .ok_or("x-mcp-header is not a string")?;
        match property.get("type").and_then(Value::as_str) {
            Some("string" | "integer" | "boolean") => {}
            other => {
                return Err(format!(
                    "x-mcp-header {name:?} is on a property of type {other:?}"
                ));
            }
        }
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(format!("x-mcp-header {name:?} is not an HTTP token"));
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(format!("x-mcp-header {name:?} is used twice"));
        }
        marks.push((path, name.to_owned()));
    }
    Ok(marks)
}

/// Every `x-mcp-header` anywhere in the schema.
fn count(value: &Value) -> usize {
    match value {
        Value::Object(map) => {
            usize::from(map.contains_key("x-mcp-header")) + map.values().map(count).sum::<usize>()
        }
        Value::Array(items) => items.iter().map(count).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_encoded_only_when_they_must_be() {
        assert_eq!(encode("us-west1"), "us-west1");
        assert_eq!(encode("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
        assert_eq!(encode(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(encode("line1\nline2"), "=?base64?bGluZTEKbGluZTI=?=");
        assert_eq!(
            encode("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn the_base64_sentinel_is_decoded_and_plain_values_kept() {
        assert_eq!(decode("us-west1").as_deref(), Some("us-west1"));
        assert_eq!(
            decode("=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界")
        );
        assert!(decode("=?base64?***?=").is_none());
        for value in ["us-west1", "Hello, 世界", " padded ", "=?base64?literal?="] {
            assert_eq!(decode(&encode(value)).as_deref(), Some(value), "round trip");
        }
    }

    #[test]
    fn only_statically_reachable_marks_count() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "nested": {"type": "object", "properties": {"id": {"type": "integer", "x-mcp-header": "Id"}}},
            "list": {"type": "array", "items": {"x-mcp-header": "Nope"}}
        }});
        let mut out = marks(&schema);
        out.sort();
        assert_eq!(
            out,
            vec![
                (vec!["nested".to_owned(), "id".to_owned()], "Id".to_owned()),
                (vec!["region".to_owned()], "Region".to_owned()),
            ]
        );
    }

    #[test]
    fn invalid_marks_are_refused() {
        let ok = json!({"properties": {"region": {"type": "string", "x-mcp-header": "Region"}}});
        assert_eq!(valid_marks(&ok).map(|m| m.len()), Ok(1));
        for bad in [
            json!({"properties": {"a": {"type": "string", "x-mcp-header": ""}}}),
            json!({"properties": {"a": {"type": "object", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "number", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A"}, "b": {"type": "string", "x-mcp-header": "a"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "has space"}}}),
            json!({"properties": {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}}}),
        ] {
            assert!(valid_marks(&bad).is_err(), "{bad}");
        }
    }
}
