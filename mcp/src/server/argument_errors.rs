//! Explaining arguments that do not fit a tool, in the words of its `inputSchema`.
//!
//! A model reads an invalid-arguments result to correct its next call, so the message
//! names the argument and what was expected (`missing required argument "b"
//! (number)`, `argument "a": expected a number, got "x"`) instead of serde's
//! `missing field b at line 1 column 7`, whose positions point into a JSON text the
//! model never saw. This runs only after deserialisation has failed: the schema is
//! walked on the error path, never on a call that succeeds.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ToolError;
use super::router::without_position;

/// Reads a tool's `arguments` text into its parameters type `T`; when they do not fit,
/// the error says which argument is wrong and what `T`'s schema expected.
pub fn read_arguments<T: DeserializeOwned + JsonSchema>(raw: &str) -> Result<T, ToolError> {
    serde_json::from_str(raw).map_err(|err| {
        let schema = super::schema::input_schema::<T>();
        ToolError::invalid_arguments(explain(raw, &schema, &err))
    })
}

/// The message for `raw` arguments that failed to deserialise with `err`, checked
/// against `schema`; serde's own message, without its positions, when the schema walk
/// finds nothing more precise.
pub(crate) fn explain(raw: &str, schema: &Value, err: &serde_json::Error) -> String {
    let Ok(value) = serde_json::from_str::<Value>(raw) else {
        return format!(
            "the arguments are not valid JSON: {}",
            without_position(err)
        );
    };
    let walk = Walk { root: schema };
    match walk.check(&value, schema, "", 0) {
        Some(problem) => problem,
        None => serde_message(err),
    }
}

/// How deep the walk follows nested objects, arrays and `$ref`s before it gives up.
const MAX_DEPTH: usize = 32;

struct Walk<'a> {
    root: &'a Value,
}

impl<'a> Walk<'a> {
    /// The first problem with `value` under `schema`, at `path` (empty for the
    /// arguments object itself).
    fn check(&self, value: &Value, schema: &'a Value, path: &str, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let schema = self.resolve(schema, depth)?;
        let Value::Object(keywords) = schema else {
            return None;
        };
        if let Some(branches) = keywords
            .get("anyOf")
            .or_else(|| keywords.get("oneOf"))
            .and_then(Value::as_array)
        {
            let mut problems = Vec::with_capacity(branches.len());
            for branch in branches {
                match self.check(value, branch, path, depth + 1) {
                    None => {
                        problems.clear();
                        break;
                    }
                    Some(problem) => problems.push((branch, problem)),
                }
            }
            if !problems.is_empty() {
                // The branch whose type the value has says the most (a `Point` missing
                // `y`, not "expected an object or null").
                let mut typed = problems.into_iter().filter(|(branch, _)| {
                    self.resolve(branch, depth)
                        .and_then(|b| b.get("type"))
                        .is_none_or(|types| fits_type(value, types))
                });
                return match (typed.next(), typed.next()) {
                    (Some((_, problem)), None) => Some(problem),
                    _ => Some(format!(
                        "{}expected {}, got {}",
                        subject(path),
                        self.describe(schema, depth),
                        shown(value)
                    )),
                };
            }
        }
        if let Some(allowed) = keywords.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            return Some(format!(
                "{}expected {}, got {}",
                subject(path),
                self.describe(schema, depth),
                shown(value)
            ));
        }
        if let Some(allowed) = keywords.get("const")
            && allowed != value
        {
            return Some(format!(
                "{}expected {}, got {}",
                subject(path),
                shown(allowed),
                shown(value)
            ));
        }
        if let Some(types) = keywords.get("type")
            && !fits_type(value, types)
        {
            if path.is_empty() {
                return Some(format!(
                    "the arguments must be a JSON object, got {}",
                    shown(value)
                ));
            }
            return Some(format!(
                "{}expected {}, got {}",
                subject(path),
                self.describe(schema, depth),
                shown(value)
            ));
        }
        if let Some(number) = value.as_f64() {
            return range_problem(number, keywords, path);
        }
        match value {
            Value::Object(members) => self.check_object(members, keywords, path, depth),
            Value::Array(items) => {
                let item_schema = keywords.get("items")?;
                items.iter().enumerate().find_map(|(i, item)| {
                    self.check(item, item_schema, &format!("{path}[{i}]"), depth + 1)
                })
            }
            _ => None,
        }
    }

    fn check_object(
        &self,
        members: &Map<String, Value>,
        keywords: &'a Map<String, Value>,
        path: &str,
        depth: usize,
    ) -> Option<String> {
        let properties = keywords.get("properties").and_then(Value::as_object);
        let required = keywords.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if !members.contains_key(name) {
                let expected = properties
                    .and_then(|p| p.get(name))
                    .map(|s| format!(" ({})", self.describe(s, depth)))
                    .unwrap_or_default();
                return Some(format!(
                    "missing required argument \"{}\"{expected}",
                    joined(path, name)
                ));
            }
        }
        if let Some(properties) = properties {
            for (name, value) in members {
                if let Some(schema) = properties.get(name)
                    && let Some(problem) = self.check(value, schema, &joined(path, name), depth + 1)
                {
                    return Some(problem);
                }
            }
        }
        if keywords.get("additionalProperties") == Some(&Value::Bool(false)) {
            let known = |name: &str| properties.is_some_and(|p| p.contains_key(name));
            if let Some(name) = members.keys().find(|name| !known(name)) {
                return Some(format!("unknown argument \"{}\"", joined(path, name)));
            }
        }
        None
    }

    /// Follows a local `$ref` (`#/$defs/Name`), the only kind schemars writes.
    fn resolve(&self, schema: &'a Value, depth: usize) -> Option<&'a Value> {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return Some(schema);
        };
        let target = self.root.pointer(reference.strip_prefix('#')?)?;
        if depth > MAX_DEPTH {
            return None;
        }
        self.resolve(target, depth + 1)
    }

    /// What a schema asks for, as a model would read it: `a number`, `a string or
    /// null`, `one of "c", "f"`.
    fn describe(&self, schema: &'a Value, depth: usize) -> String {
        let Some(schema) = self.resolve(schema, depth) else {
            return "a value".to_owned();
        };
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            let listed: Vec<String> = allowed.iter().map(shown).collect();
            return format!("one of {}", listed.join(", "));
        }
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
            && depth < MAX_DEPTH
        {
            let described: Vec<String> = branches
                .iter()
                .map(|b| self.describe(b, depth + 1))
                .collect();
            return described.join(" or ");
        }
        match schema.get("type") {
            Some(Value::String(name)) => type_name(name).to_owned(),
            Some(Value::Array(names)) => {
                let names: Vec<&str> = names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(type_name)
                    .collect();
                names.join(" or ")
            }
            _ => "a value".to_owned(),
        }
    }
}

fn fits_type(value: &Value, types: &Value) -> bool {
    let fits = |name: &str| match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        _ => true,
    };
    match types {
        Value::String(name) => fits(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(fits),
        _ => true,
    }
}

fn range_problem(number: f64, keywords: &Map<String, Value>, path: &str) -> Option<String> {
    let bound = |key: &str| keywords.get(key).and_then(Value::as_f64);
    let problem = if let Some(min) = bound("minimum").filter(|min| number < *min) {
        format!("at least {min}")
    } else if let Some(max) = bound("maximum").filter(|max| number > *max) {
        format!("at most {max}")
    } else if let Some(min) = bound("exclusiveMinimum").filter(|min| number <= *min) {
        format!("greater than {min}")
    } else if let Some(max) = bound("exclusiveMaximum").filter(|max| number >= *max) {
        format!("less than {max}")
    } else {
        return None;
    };
    Some(format!("{}expected {problem}, got {number}", subject(path)))
}

fn type_name(name: &str) -> &'static str {
    match name {
        "null" => "null",
        "boolean" => "a boolean",
        "string" => "a string",
        "array" => "an array",
        "object" => "an object",
        "number" => "a number",
        "integer" => "an integer",
        _ => "a value",
    }
}

fn subject(path: &str) -> String {
    format!("argument \"{path}\": ")
}

fn joined(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A value as the message shows it: short values whole, long ones cut.
fn shown(value: &Value) -> String {
    const MAX: usize = 40;
    match value {
        Value::Object(_) => "an object".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        other => {
            let text = other.to_string();
            if text.len() <= MAX {
                return text;
            }
            let mut cut = MAX;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}…", &text[..cut])
        }
    }
}

/// serde's message in MCP terms, for what the schema walk could not pin down.
pub(crate) fn serde_message(err: &serde_json::Error) -> String {
    let message = without_position(err);
    match message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        Some(name) => format!("missing required argument \"{name}\""),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Point {
        x: f64,
        y: f64,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    #[allow(dead_code)]
    enum Unit {
        C,
        F,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        a: f64,
        b: f64,
        steps: Option<u32>,
        unit: Option<Unit>,
        at: Option<Point>,
        tags: Option<Vec<String>>,
    }

    fn message(args: Value) -> String {
        read_arguments::<Args>(&args.to_string())
            .expect_err("the arguments do not fit")
            .message()
            .to_owned()
    }

    #[test]
    fn names_a_missing_argument_and_its_type() {
        assert_eq!(
            message(json!({ "a": 1 })),
            r#"Invalid arguments: missing required argument "b" (a number)"#
        );
    }

    #[test]
    fn names_an_argument_of_the_wrong_type_and_what_it_got() {
        assert_eq!(
            message(json!({ "a": "x", "b": 2 })),
            r#"Invalid arguments: argument "a": expected a number, got "x""#
        );
        assert_eq!(
            message(json!({ "a": 1, "b": 2, "steps": 1.5 })),
            r#"Invalid arguments: argument "steps": expected an integer or null, got 1.5"#
        );
    }

    #[test]
    fn explains_ranges_enums_nesting_and_arrays() {
        assert_eq!(
            message(json!({ "a": 1, "b": 2, "steps": -1 })),
            r#"Invalid arguments: argument "steps": expected at least 0, got -1"#
        );
        assert_eq!(
            message(json!({ "a": 1, "b": 2, "unit": "k" })),
            r#"Invalid arguments: argument "unit": expected one of "c", "f", got "k""#
        );
        assert_eq!(
            message(json!({ "a": 1, "b": 2, "at": { "x": 1 } })),
            r#"Invalid arguments: missing required argument "at.y" (a number)"#
        );
        assert_eq!(
            message(json!({ "a": 1, "b": 2, "tags": ["ok", 7] })),
            r#"Invalid arguments: argument "tags[1]": expected a string, got 7"#
        );
    }

    #[test]
    fn arguments_that_are_not_an_object_or_not_json_say_so() {
        assert_eq!(
            message(json!([1, 2])),
            "Invalid arguments: the arguments must be a JSON object, got an array"
        );
        let err = read_arguments::<Args>("{\"a\": ").expect_err("not JSON");
        assert!(
            err.message()
                .starts_with("Invalid arguments: the arguments are not valid JSON: ")
                && !err.message().contains("line"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn no_message_carries_a_position_into_the_json_text() {
        for args in [
            json!({}),
            json!({ "a": true, "b": null }),
            json!({ "a": 1, "b": 2, "at": 3 }),
        ] {
            let text = message(args);
            assert!(!text.contains("line") && !text.contains("column"), "{text}");
        }
    }
}
