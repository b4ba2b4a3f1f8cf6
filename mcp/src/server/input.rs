//! The integrity-protected `requestState` of 2026-07-28 input-required round trips.
//!
//! The server keeps nothing between rounds: the answers gathered so far travel to the
//! client and back inside `requestState`, sealed with HMAC-SHA256 under a server key
//! and bound to the request (method, target name, canonical arguments) and an expiry,
//! so a client can neither forge answers nor replay a state against another call
//! (2026-07-28 `basic/patterns/mrtr`, "Request State").

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key that seals `requestState`. Give every replica of a scaled-out server the
/// same key so any of them can resume a call another one started.
#[derive(Clone)]
pub struct StateKey(hmac::Key);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey(..)")
    }
}

impl StateKey {
    /// A key from secret bytes (at least 32 are recommended).
    pub fn from_secret(secret: &[u8]) -> Self {
        StateKey(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// A fresh random key for this process.
    pub fn random() -> Self {
        let rng = ring::rand::SystemRandom::new();
        match hmac::Key::generate(hmac::HMAC_SHA256, &rng) {
            Ok(key) => StateKey(key),
            // The system RNG failing is not recoverable in a meaningful way; a key
            // derived from the time and address space would be guessable, so refuse.
            Err(_) => panic!("the system random number generator is unavailable"),
        }
    }
}

/// What a call is: its method, its target and its arguments, canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Binding {
    #[serde(rename = "m")]
    pub(crate) method: String,
    #[serde(rename = "n")]
    pub(crate) name: String,
    #[serde(rename = "a")]
    pub(crate) arguments: String,
    /// A digest of the verified caller's [`Principal::id`](super::Principal::id)
    /// (empty without one): a state replayed by another caller is refused.
    #[serde(rename = "p", default)]
    pub(crate) caller: String,
}

impl Binding {
    /// Arguments are compared in canonical form (sorted keys, no whitespace), so a
    /// client that re-serialises them differently still resumes its own call.
    pub(crate) fn new(method: &str, name: &str, raw_arguments: Option<&str>) -> Self {
        let canonical = raw_arguments
            .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
            .map(|v| v.to_string())
            .unwrap_or_else(|| "{}".to_owned());
        let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
        Binding {
            method: method.to_owned(),
            name: name.to_owned(),
            arguments: URL_SAFE_NO_PAD.encode(digest.as_ref()),
            caller: String::new(),
        }
    }

    /// Binds the state to the request's verified caller, if it has one.
    pub(crate) fn for_caller(mut self, principal: Option<&super::Principal>) -> Self {
        if let Some(principal) = principal {
            let digest = ring::digest::digest(&ring::digest::SHA256, principal.id().as_bytes());
            self.caller = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]);
        }
        self
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    v: u8,
    #[serde(flatten)]
    binding: Binding,
    /// Expiry, seconds since the epoch.
    e: u64,
    /// Keys asked in the round this state closes.
    k: Vec<String>,
    /// Answers gathered in earlier rounds.
    r: HashMap<String, Value>,
}

/// Why a `requestState` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StateError {
    #[error("requestState is malformed")]
    Malformed,
    #[error("requestState failed its integrity check")]
    BadSignature,
    #[error("requestState has expired")]
    Expired,
    #[error("requestState belongs to a different request")]
    WrongRequest,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seals the answers so far plus the keys now being asked.
pub(crate) fn seal(
    key: &StateKey,
    binding: Binding,
    ttl: Duration,
    asked: Vec<String>,
    answers: HashMap<String, Value>,
) -> String {
    let payload = Payload {
        v: 1,
        binding,
        e: now() + ttl.as_secs().max(1),
        k: asked,
        r: answers,
    };
    // A payload of strings and JSON values always serialises.
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let body = URL_SAFE_NO_PAD.encode(body);
    let tag = hmac::sign(&key.0, body.as_bytes());
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Verifies a state and merges the client's new answers into the sealed ones.
pub(crate) fn open(
    key: &StateKey,
    state: &str,
    expected: &Binding,
    new_answers: HashMap<String, Value>,
) -> Result<HashMap<String, Value>, StateError> {
    let (body, tag) = state.split_once('.').ok_or(StateError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| StateError::Malformed)?;
    hmac::verify(&key.0, body.as_bytes(), &tag).map_err(|_| StateError::BadSignature)?;
    let body = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| StateError::Malformed)?;
    let payload: Payload = serde_json::from_slice(&body).map_err(|_| StateError::Malformed)?;
    if payload.e < now() {
        return Err(StateError::Expired);
    }
    if &payload.binding != expected {
        return Err(StateError::WrongRequest);
    }
    // 2026-07-28 `basic/utilities/mrtr` §Error Handling: information the server did
    // not ask for SHOULD be ignored. Never merged, it cannot pre-answer a later question.
    let mut answers = payload.r;
    for (k, v) in new_answers {
        if payload.k.contains(&k) {
            answers.insert(k, v);
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding() -> Binding {
        Binding::new("tools/call", "confirm", Some(r#"{"b":1, "a":2}"#))
    }

    #[test]
    fn a_sealed_state_opens_and_merges_answers() {
        let key = StateKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let earlier = HashMap::from([("input-0".to_owned(), serde_json::json!({"x": 1}))]);
        let state = seal(
            &key,
            binding(),
            Duration::from_secs(60),
            vec!["input-1".into()],
            earlier,
        );
        let reordered = Binding::new("tools/call", "confirm", Some(r#"{"a":2,"b":1}"#));
        let new = HashMap::from([("input-1".to_owned(), serde_json::json!({"y": 2}))]);
        let answers = open(&key, &state, &reordered, new).expect("opens");
        assert_eq!(answers.len(), 2);
    }

    #[test]
    fn tampering_forgery_and_misuse_are_refused() {
        let key = StateKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let state = seal(
            &key,
            binding(),
            Duration::from_secs(60),
            vec!["input-0".into()],
            HashMap::new(),
        );
        let mut flipped = state.clone().into_bytes();
        flipped[3] ^= 1;
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert_eq!(
            open(&key, &flipped, &binding(), HashMap::new()),
            Err(StateError::BadSignature)
        );
        let other = StateKey::from_secret(b"another key entirely, 32 bytes!!");
        assert_eq!(
            open(&other, &state, &binding(), HashMap::new()),
            Err(StateError::BadSignature)
        );
        assert_eq!(
            open(&key, "garbage", &binding(), HashMap::new()),
            Err(StateError::Malformed)
        );
        let elsewhere = Binding::new("tools/call", "delete_everything", None);
        assert_eq!(
            open(&key, &state, &elsewhere, HashMap::new()),
            Err(StateError::WrongRequest)
        );
        let unasked = HashMap::from([("input-9".to_owned(), Value::Null)]);
        assert_eq!(
            open(&key, &state, &binding(), unasked),
            Ok(HashMap::new()),
            "an answer to a question never asked is ignored, not merged"
        );
    }

    #[test]
    fn an_expired_state_is_refused() {
        let key = StateKey::random();
        let mut state_payload = Payload {
            v: 1,
            binding: binding(),
            e: 1,
            k: vec![],
            r: HashMap::new(),
        };
        state_payload.e = 1;
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&state_payload).expect("json"));
        let tag = hmac::sign(&key.0, body.as_bytes());
        let state = format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        assert_eq!(
            open(&key, &state, &binding(), HashMap::new()),
            Err(StateError::Expired)
        );
    }
}
