//! The header and claims of a JWT read in one pass each, without building a JSON map:
//! only the members that choose the key (`alg`, `kid`) or that are checked (`sub`,
//! `iss`, `aud`, `exp`, `nbf` and the scope claim) are kept, borrowed from the decoded
//! text; every other member is still parsed, so a token whose JSON would not parse
//! as a map is refused here as before.
//!
//! The claims rules are jsonwebtoken's, restated: the required claims in order (`sub`,
//! `aud`, then `exp` and `iss` when configured), a malformed `exp` or `nbf`, `exp` and
//! `nbf` with the leeway, then the issuer and the audience (a string, or an array
//! naming at least one accepted value).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Algorithm, TokenError};

/// A member's value, as far as the checks need it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) enum Json<'a> {
    #[default]
    Absent,
    Null,
    Str(Cow<'a, str>),
    /// An array of strings only (possibly empty).
    Strs(Vec<Cow<'a, str>>),
    U64(u64),
    I64(i64),
    F64(f64),
    /// A boolean, an object, or an array holding anything but strings.
    Other,
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Json::Other)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::U64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(match u64::try_from(v) {
            Ok(v) => Json::U64(v),
            Err(_) => Json::I64(v),
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Json::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut strings = Vec::new();
        let mut only_strings = true;
        while let Some(item) = seq.next_element::<Json<'de>>()? {
            match item {
                Json::Str(s) if only_strings => strings.push(s),
                _ => only_strings = false,
            }
        }
        Ok(if only_strings {
            Json::Strs(strings)
        } else {
            Json::Other
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Json::Other)
    }
}

/// Any JSON value, parsed through the same path a `serde_json::Value` takes (so with
/// the same recursion limit and number range) and dropped without allocating.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// Reads the members of a JSON object named in `names` into `slots` (the same
/// length), skipping the others; a member named twice is an error.
struct Pick<'n, 's, 'a> {
    names: &'n [&'n str],
    slots: &'s mut [Json<'a>],
    /// Set when a member outside `names` is present.
    others: bool,
}

impl<'de> DeserializeSeed<'de> for &mut Pick<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Pick<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Json<'de>>()? {
            let Json::Str(key) = key else {
                return Err(de::Error::custom("a member name is a string"));
            };
            let mut value = None;
            for (name, slot) in self.names.iter().zip(self.slots.iter_mut()) {
                if *name != key {
                    continue;
                }
                if *slot != Json::Absent {
                    return Err(de::Error::custom("a member is named twice"));
                }
                let value = match &value {
                    Some(value) => value,
                    None => value.insert(map.next_value::<Json<'de>>()?),
                };
                *slot = value.clone();
            }
            if value.is_none() {
                self.others = true;
                map.next_value::<Skip>()?;
            }
        }
        Ok(())
    }
}

/// Parses the JSON object `json`, keeping the members named in `names`; true when it
/// has others too.
pub(super) fn pick<'a>(
    json: &'a [u8],
    names: &[&str],
    slots: &mut [Json<'a>],
) -> Result<bool, serde_json::Error> {
    let mut pick = Pick {
        names,
        slots,
        others: false,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    (&mut pick).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(pick.others)
}

/// What of a token's header chooses its key.
#[derive(Debug)]
pub(super) struct TokenHeader {
    pub(super) alg: Algorithm,
    pub(super) kid: Option<String>,
    /// Members besides `alg`, `kid` and a string `typ`: the header is then checked as
    /// jsonwebtoken's `Header` too before any key is tried.
    pub(super) unusual: bool,
}

impl TokenHeader {
    /// Reads the decoded header `json`.
    pub(super) fn parse(json: &[u8]) -> Result<Self, TokenError> {
        let mut slots = [Json::Absent, Json::Absent, Json::Absent];
        let others = pick(json, &["alg", "kid", "typ"], &mut slots)
            .map_err(|_| TokenError::invalid("malformed header"))?;
        let [alg, kid, typ] = slots;
        let alg = match alg {
            Json::Str(alg) => alg,
            _ => return Err(TokenError::invalid("no alg in the header")),
        };
        if alg.eq_ignore_ascii_case("none") {
            return Err(TokenError::invalid(
                "unsigned tokens (alg none) are refused",
            ));
        }
        let alg =
            Algorithm::from_str(&alg).map_err(|_| TokenError::invalid("unsupported algorithm"))?;
        let kid = match kid {
            Json::Absent => None,
            Json::Str(kid) => Some(kid.into_owned()),
            _ => return Err(TokenError::invalid("malformed kid")),
        };
        let unusual = others || !matches!(typ, Json::Absent | Json::Null | Json::Str(_));
        Ok(TokenHeader { alg, kid, unusual })
    }
}

/// An unusual header (see [`TokenHeader::unusual`]) passes jsonwebtoken's checks:
/// every member it knows well typed, `b64` a boolean and not false, and `crit`, if
/// present, naming `b64` alone with `b64` present (RFC 7515 §4.1.11, RFC 7797).
pub(super) fn unusual_header_passes(token: &str) -> bool {
    let Ok(header) = jsonwebtoken::decode_header(token) else {
        return false;
    };
    let Ok(b64) = header.extras.get::<bool>("b64") else {
        return false;
    };
    if b64 == Some(false) {
        return false;
    }
    match &header.crit {
        None => true,
        Some(crit) => !crit.is_empty() && crit.iter().all(|p| p == "b64") && b64.is_some(),
    }
}

/// A NumericDate as jsonwebtoken reads it for the checks: `Ok(None)` when absent or
/// null, an error when not a non-negative number below 2^64 (a fraction rounds).
pub(super) fn numeric(value: &Json<'_>) -> Result<Option<u64>, ()> {
    match value {
        Json::Absent | Json::Null => Ok(None),
        Json::U64(n) => Ok(Some(*n)),
        Json::F64(f) if f.is_finite() && *f >= 0.0 && *f < u64::MAX as f64 => {
            Ok(Some(f.round() as u64))
        }
        _ => Err(()),
    }
}

/// A string, or an array of strings, naming at least one of `accepted`; `Ok(None)`
/// when absent or null, an error when neither.
fn names_one_of(value: &Json<'_>, accepted: &[String]) -> Result<Option<bool>, ()> {
    match value {
        Json::Absent | Json::Null => Ok(None),
        Json::Str(s) => Ok(Some(accepted.iter().any(|a| a == s))),
        Json::Strs(items) => Ok(Some(items.iter().any(|s| accepted.iter().any(|a| a == s)))),
        _ => Err(()),
    }
}

/// What a token's claims must satisfy.
#[derive(Debug, Clone)]
pub(super) struct Rules {
    pub(super) issuers: Vec<String>,
    pub(super) audiences: Vec<String>,
    pub(super) leeway: u64,
    pub(super) require_exp: bool,
}

/// The checked claims of a token.
pub(super) struct Checked<'c, 'a> {
    pub(super) sub: &'c Json<'a>,
    pub(super) iss: &'c Json<'a>,
    pub(super) aud: &'c Json<'a>,
    pub(super) exp: &'c Json<'a>,
    pub(super) nbf: &'c Json<'a>,
}

impl Rules {
    /// Checks `claims` at `now` (seconds since the epoch).
    pub(super) fn check(&self, claims: &Checked<'_, '_>, now: u64) -> Result<(), TokenError> {
        let exp = numeric(claims.exp);
        let nbf = numeric(claims.nbf);
        let iss = names_one_of(claims.iss, &self.issuers);
        let aud = names_one_of(claims.aud, &self.audiences);
        let required = [
            ("sub", true, matches!(claims.sub, Json::Str(_))),
            ("aud", true, matches!(aud, Ok(Some(_)))),
            ("exp", self.require_exp, matches!(exp, Ok(Some(_)))),
            ("iss", !self.issuers.is_empty(), matches!(iss, Ok(Some(_)))),
        ];
        for (name, needed, present) in required {
            if needed && !present {
                return Err(TokenError::invalid(format!("no {name} claim")));
            }
        }
        let exp = exp.map_err(|()| TokenError::invalid("malformed exp claim"))?;
        let nbf = nbf.map_err(|()| TokenError::invalid("malformed nbf claim"))?;
        if exp.is_some_and(|exp| exp < now.saturating_sub(self.leeway)) {
            return Err(TokenError::invalid("expired"));
        }
        if nbf.is_some_and(|nbf| nbf > now.saturating_add(self.leeway)) {
            return Err(TokenError::invalid("not yet valid"));
        }
        if !self.issuers.is_empty() {
            match iss {
                Err(()) => return Err(TokenError::invalid("malformed iss claim")),
                Ok(Some(false)) => return Err(TokenError::invalid("wrong issuer")),
                _ => {}
            }
        }
        match aud {
            Err(()) => Err(TokenError::invalid("malformed aud claim")),
            Ok(Some(true)) => Ok(()),
            _ => Err(TokenError::invalid("wrong audience")),
        }
    }
}

#[cfg(test)]
#[path = "jwt_parts_tests.rs"]
mod tests;
