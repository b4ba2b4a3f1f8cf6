//! JSON Schemas for tool inputs and outputs, generated with schemars. The macros call
//! these once per process and keep the result.

use schemars::JsonSchema;
use serde_json::{Value, json};

fn generate<T: JsonSchema>() -> Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    if let Some(obj) = schema.as_object_mut() {
        // The generated type's name means nothing to a client; 2020-12 is the default dialect.
        obj.remove("title");
        obj.remove("$schema");
    }
    schema
}

/// The `inputSchema` of a tool whose arguments deserialise into `T` (an object schema).
pub fn input_schema<T: JsonSchema>() -> Value {
    let mut schema = generate::<T>();
    if let Some(obj) = schema.as_object_mut() {
        obj.entry("type").or_insert_with(|| json!("object"));
        obj.entry("properties").or_insert_with(|| json!({}));
    }
    schema
}

/// The `outputSchema` of a tool returning `T`, and whether values must be wrapped as
/// `{"result": value}` because `T` is not an object (`structuredContent` must be one).
pub fn output_schema<T: JsonSchema>() -> (Value, bool) {
    let schema = generate::<T>();
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
    if is_object {
        return (schema, false);
    }
    let mut inner = schema;
    let defs = inner.as_object_mut().and_then(|o| o.remove("$defs"));
    let mut wrapped = json!({
        "type": "object",
        "properties": { "result": inner },
        "required": ["result"],
    });
    if let Some(defs) = defs {
        wrapped["$defs"] = defs;
    }
    (wrapped, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// The first number.
        a: f64,
        b: Option<f64>,
    }

    #[test]
    fn input_schema_is_an_untitled_object_with_descriptions() {
        let schema = input_schema::<Args>();
        assert_eq!(schema["type"], "object");
        assert_eq!(
            schema["properties"]["a"]["description"],
            "The first number."
        );
        assert_eq!(schema["required"], json!(["a"]));
        assert!(schema.get("title").is_none());
    }

    #[test]
    fn scalar_outputs_are_wrapped_and_objects_are_not() {
        let (schema, wrap) = output_schema::<f64>();
        assert!(wrap);
        assert_eq!(schema["properties"]["result"]["type"], "number");
        let (_, wrap) = output_schema::<std::collections::BTreeMap<String, i32>>();
        assert!(!wrap);
    }
}
