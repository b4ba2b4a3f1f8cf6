//! Request params read in one pass: every member kept as raw JSON, keyed by name.
//!
//! The envelope parser captures each member of `params` as a borrowed `RawValue`
//! while it reads the message, so the engine can pick out `name`, `uri`, `_meta`
//! and `arguments` without scanning the params a second time, and the handler
//! that needs a member parses just that member. The whole params object is
//! rebuilt from the members only when a handler asks for it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The members of a request's `params`, borrowed from the message text.
#[derive(Debug, Clone, Default)]
pub struct Params<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    not_object: bool,
}

impl<'a> Params<'a> {
    /// The raw value of member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Member `key` as a string, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        serde_json::from_str::<BorrowedStr<'a>>(raw.get())
            .ok()
            .map(|s| s.0)
    }

    /// True when `params` was not a JSON object.
    pub fn is_malformed(&self) -> bool {
        self.not_object
    }

    /// The members, in the order sent.
    pub fn members(&self) -> impl Iterator<Item = (&str, &'a RawValue)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The params object as one raw JSON value.
    pub fn to_raw(&self) -> Box<RawValue> {
        let mut text = String::with_capacity(
            2 + self
                .members
                .iter()
                .map(|(k, v)| k.len() + v.get().len() + 4)
                .sum::<usize>(),
        );
        text.push('{');
        for (i, (key, value)) in self.members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            // A key is a plain string: serialising it cannot fail.
            text.push_str(&serde_json::to_string(key.as_ref()).unwrap_or_default());
            text.push(':');
            text.push_str(value.get());
        }
        text.push('}');
        // Built from valid JSON members, so it is valid JSON.
        RawValue::from_string(text).unwrap_or_else(|_| empty_object())
    }
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| unreachable!("{{}} is valid JSON"))
}

/// A string that borrows from the input when it can (no escapes) and owns otherwise.
struct BorrowedStr<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for BorrowedStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = BorrowedStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(BorrowedStr(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Params<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ParamsVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ParamsVisitor<'a> {
            type Value = Params<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a params object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(BorrowedStr(key)) = map.next_key::<BorrowedStr<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key, value));
                }
                Ok(Params {
                    members,
                    not_object: false,
                })
            }
            fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(malformed())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(malformed())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(malformed())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(malformed())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(malformed())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(malformed())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(malformed())
            }
        }
        d.deserialize_any(ParamsVisitor(std::marker::PhantomData))
    }
}

fn malformed<'a>() -> Params<'a> {
    Params {
        members: Vec::new(),
        not_object: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_captured_raw_and_rebuilt_faithfully() {
        let text = r#"{"name":"add","arguments":{"a":1,"b":[2,3]},"_meta":{"progressToken":"p"},"k\"q":null}"#;
        let params: Params<'_> = serde_json::from_str(text).expect("params");
        assert_eq!(params.get_str("name").as_deref(), Some("add"));
        assert_eq!(
            params.get("arguments").map(RawValue::get),
            Some(r#"{"a":1,"b":[2,3]}"#)
        );
        assert!(params.get("missing").is_none());
        let rebuilt: serde_json::Value =
            serde_json::from_str(params.to_raw().get()).expect("valid JSON");
        let original: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(rebuilt, original);
    }

    #[test]
    fn escaped_strings_are_decoded_and_non_objects_are_flagged() {
        let params: Params<'_> = serde_json::from_str(r#"{"name":"a\"b"}"#).expect("params");
        assert_eq!(params.get_str("name").as_deref(), Some("a\"b"));
        for bad in ["[1]", "3", "\"x\"", "true", "null"] {
            let params: Params<'_> = serde_json::from_str(bad).expect("parses");
            assert!(params.is_malformed(), "{bad}");
        }
    }
}
