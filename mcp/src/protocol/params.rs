//! Request params read in one pass: every member kept as its JSON text, keyed by name.
//!
//! The message scanner splits `params` into members while it validates the message,
//! so the engine picks out `name`, `uri`, `_meta` and `arguments` without scanning the
//! params again, and the handler that needs a member parses just that member. The
//! whole object's text is kept too, for handlers that want the params as one value.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::scan::{Members, decode_str};

/// The members of a request's `params`, borrowed from the message text. Every value
/// is valid JSON: the scanner checked it.
#[derive(Debug, Clone, Default)]
pub struct Params<'a> {
    members: Members<'a>,
    /// The whole object's text, exactly as sent.
    text: &'a str,
}

impl<'a> Params<'a> {
    pub(crate) fn new(members: Members<'a>, text: &'a str) -> Self {
        Params { members, text }
    }

    /// The JSON text of member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Member `key` as a string, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<Cow<'a, str>> {
        decode_str(self.get(key)?)
    }

    /// The members, in the order sent, each as JSON text.
    pub fn members(&self) -> impl Iterator<Item = (&str, &'a str)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The params object's JSON text, exactly as sent.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The params object as one raw JSON value.
    pub fn to_raw(&self) -> Box<RawValue> {
        // The scanner validated this text; `{}` is the impossible fallback.
        serde_json::from_str(self.text)
            .or_else(|_| RawValue::from_string("{}".to_owned()))
            .unwrap_or_else(|_| unreachable!("`{{}}` is valid JSON"))
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::jsonrpc::{Incoming, parse_message};

    fn params_of(text: &str) -> super::Params<'_> {
        match parse_message(text).expect("valid") {
            Incoming::Request { params, .. } => params.expect("params"),
            other => panic!("not a request: {other:?}"),
        }
    }

    #[test]
    fn members_are_captured_raw_and_rebuilt_faithfully() {
        let text = r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":"add","arguments":{"a":1,"b":[2,3]},"_meta":{"progressToken":"p"},"k\"q":null}}"#;
        let params = params_of(text);
        assert_eq!(params.get_str("name").as_deref(), Some("add"));
        assert_eq!(params.get("arguments"), Some(r#"{"a":1,"b":[2,3]}"#));
        assert!(params.get("missing").is_none());
        let rebuilt: serde_json::Value =
            serde_json::from_str(params.to_raw().get()).expect("valid JSON");
        let original: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(rebuilt, original["params"]);
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let params = params_of(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":"a\"b"}}"#);
        assert_eq!(params.get_str("name").as_deref(), Some("a\"b"));
    }
}
