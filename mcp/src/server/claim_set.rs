//! [`ClaimSet`]: the claims of a verified token, kept as the JSON text they were
//! signed in and read into a map only when first asked for, so that verifying a token
//! costs no map a handler may never read.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use crate::protocol::JsonObject;

/// A token's claims: a [`JsonObject`] (it derefs to one), read from the token's text
/// on first use when a verifier kept the text.
#[derive(Clone, Default)]
pub struct ClaimSet {
    map: OnceLock<JsonObject>,
    /// The claims as JSON text, until the map is read from it.
    text: Option<Box<str>>,
}

impl ClaimSet {
    /// Claims kept as `text`, a JSON object the verifier has parsed already (so that
    /// reading it into a map cannot fail).
    #[cfg_attr(not(feature = "auth"), allow(dead_code))]
    pub(crate) fn from_text(text: String) -> Self {
        ClaimSet {
            map: OnceLock::new(),
            text: Some(text.into_boxed_str()),
        }
    }

    /// The claims as a map.
    pub fn as_map(&self) -> &JsonObject {
        self.map.get_or_init(|| {
            // The text parsed as a JSON object when the token was verified; an empty
            // map stands in should it ever not.
            self.text
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default()
        })
    }
}

impl From<JsonObject> for ClaimSet {
    fn from(map: JsonObject) -> Self {
        ClaimSet {
            map: OnceLock::from(map),
            text: None,
        }
    }
}

impl Deref for ClaimSet {
    type Target = JsonObject;

    fn deref(&self) -> &JsonObject {
        self.as_map()
    }
}

impl DerefMut for ClaimSet {
    fn deref_mut(&mut self) -> &mut JsonObject {
        if self.map.get().is_none() {
            let map = self.as_map().clone();
            self.map = OnceLock::from(map);
        }
        self.text = None;
        match self.map.get_mut() {
            Some(map) => map,
            None => unreachable!("the map was read just above"),
        }
    }
}

impl PartialEq for ClaimSet {
    fn eq(&self, other: &Self) -> bool {
        self.as_map() == other.as_map()
    }
}

impl fmt::Debug for ClaimSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_map().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_into_a_map_on_first_use() {
        let set = ClaimSet::from_text(r#"{"sub":"alice","n":[1,2]}"#.to_owned());
        assert!(set.map.get().is_none(), "not read yet");
        assert_eq!(set["sub"], "alice");
        assert_eq!(set.len(), 2);
        let mut map = JsonObject::new();
        map.insert("sub".into(), "alice".into());
        map.insert("n".into(), serde_json::json!([1, 2]));
        assert_eq!(set, ClaimSet::from(map));
        let mut changed = set.clone();
        changed.insert("email".into(), "a@example.com".into());
        assert_eq!(changed.len(), 3);
        assert_eq!(set.len(), 2);
        assert_eq!(ClaimSet::default().len(), 0);
    }
}
