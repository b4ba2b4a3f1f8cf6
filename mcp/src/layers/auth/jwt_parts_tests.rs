//! Tests of the one-pass header and claims reading and of the claims rules.

use serde_json::json;

use super::*;

fn rules() -> Rules {
    Rules {
        issuers: vec!["https://as.example.com".into()],
        audiences: vec!["https://mcp.example.com/mcp".into()],
        leeway: 60,
        require_exp: true,
    }
}

/// Checks `claims` (a JSON object) at time 1000.
fn check(rules: &Rules, claims: serde_json::Value) -> Result<(), TokenError> {
    let text = claims.to_string();
    let mut slots = vec![Json::Absent; 5];
    pick(
        text.as_bytes(),
        &["sub", "iss", "aud", "exp", "nbf"],
        &mut slots,
    )
    .expect("an object");
    let [sub, iss, aud, exp, nbf] = &slots[..] else {
        unreachable!()
    };
    rules.check(
        &Checked {
            sub,
            iss,
            aud,
            exp,
            nbf,
        },
        1000,
    )
}

fn base() -> serde_json::Value {
    json!({ "sub": "alice", "iss": "https://as.example.com",
            "aud": "https://mcp.example.com/mcp", "exp": 2000 })
}

fn with(changes: serde_json::Value) -> serde_json::Value {
    let mut claims = base();
    for (name, value) in changes.as_object().expect("an object") {
        claims[name] = value.clone();
    }
    claims
}

fn reason(result: Result<(), TokenError>) -> String {
    match result {
        Err(TokenError::Invalid(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_audience_may_be_a_string_or_an_array_naming_it() {
    let rules = rules();
    assert!(check(&rules, base()).is_ok());
    let several =
        with(json!({ "aud": ["https://other.example.com", "https://mcp.example.com/mcp"] }));
    assert!(check(&rules, several).is_ok());
    for (aud, expected) in [
        (json!([]), "wrong audience"),
        (json!(["https://other.example.com"]), "wrong audience"),
        (json!("https://mcp.example.com/mcp/"), "wrong audience"),
        (json!(["https://mcp.example.com/mcp", 7]), "no aud claim"),
        (json!(7), "no aud claim"),
        (json!({ "x": 1 }), "no aud claim"),
        (json!(null), "no aud claim"),
    ] {
        assert_eq!(
            reason(check(&rules, with(json!({ "aud": aud.clone() })))),
            expected,
            "{aud}"
        );
    }
}

#[test]
fn exp_and_nbf_may_be_fractional_and_are_checked_with_the_leeway() {
    let rules = rules();
    assert!(check(&rules, with(json!({ "exp": 1500.5 }))).is_ok());
    assert!(
        check(&rules, with(json!({ "exp": 940.4 }))).is_ok(),
        "940 is within the leeway"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "exp": 939.4 })))),
        "expired"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "exp": 900 })))),
        "expired"
    );
    assert!(
        check(&rules, with(json!({ "nbf": 1060 }))).is_ok(),
        "within the leeway"
    );
    assert!(check(&rules, with(json!({ "nbf": 1059.6 }))).is_ok());
    assert_eq!(
        reason(check(&rules, with(json!({ "nbf": 1061 })))),
        "not yet valid"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "nbf": 1060.5 })))),
        "not yet valid"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "exp": -5 })))),
        "no exp claim"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "exp": "2000" })))),
        "no exp claim"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "nbf": -5 })))),
        "malformed nbf claim"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "nbf": "soon" })))),
        "malformed nbf claim"
    );
    assert!(check(&rules, with(json!({ "nbf": null }))).is_ok());

    let lenient = Rules {
        require_exp: false,
        ..rules.clone()
    };
    let mut endless = base();
    endless.as_object_mut().expect("an object").remove("exp");
    assert!(check(&lenient, endless).is_ok());
    assert_eq!(
        reason(check(&lenient, with(json!({ "exp": 1e30 })))),
        "malformed exp claim"
    );
    assert_eq!(
        reason(check(&lenient, with(json!({ "exp": 900 })))),
        "expired"
    );

    let strict = Rules { leeway: 0, ..rules };
    assert_eq!(
        reason(check(&strict, with(json!({ "exp": 999 })))),
        "expired"
    );
    assert!(check(&strict, with(json!({ "exp": 1000 }))).is_ok());
    assert_eq!(
        reason(check(&strict, with(json!({ "nbf": 1001 })))),
        "not yet valid"
    );
}

#[test]
fn the_issuer_and_subject_are_required_in_order() {
    let rules = rules();
    assert_eq!(
        reason(check(&rules, with(json!({ "sub": 5 })))),
        "no sub claim"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "sub": null, "aud": null })))),
        "no sub claim",
        "sub is checked first"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "iss": "https://evil" })))),
        "wrong issuer"
    );
    assert_eq!(
        reason(check(&rules, with(json!({ "iss": 1 })))),
        "no iss claim"
    );
    let anyone = Rules {
        issuers: Vec::new(),
        ..rules
    };
    assert!(
        check(&anyone, with(json!({ "iss": 1 }))).is_ok(),
        "iss unchecked"
    );
}

#[test]
fn members_are_read_once_each() {
    let mut slots = vec![Json::Absent; 2];
    let twice = br#"{"sub":"a","sub":"b"}"#;
    assert!(
        pick(twice, &["sub", "aud"], &mut slots).is_err(),
        "a duplicate is refused"
    );
    let mut slots = vec![Json::Absent; 2];
    let text = br#"{"sub":"a\u0062","aud":["x","y"],"other":{"deep":[1,2,{"z":null}]}}"#;
    assert_eq!(pick(text, &["sub", "aud"], &mut slots).ok(), Some(true));
    assert_eq!(slots[0], Json::Str("ab".into()));
    assert_eq!(slots[1], Json::Strs(vec!["x".into(), "y".into()]));
    for bad in [
        &b"[1]"[..],
        b"{\"a\":1e999}",
        b"{\"a\":1} x",
        b"{\"a\":\"\\uZZZZ\"}",
    ] {
        let mut slots = vec![Json::Absent; 1];
        assert!(pick(bad, &["sub"], &mut slots).is_err(), "{bad:?}");
    }
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
    let mut slots = vec![Json::Absent; 1];
    assert!(
        pick(deep.as_bytes(), &["sub"], &mut slots).is_err(),
        "too deep for a map"
    );
}

#[test]
fn an_unusual_header_is_held_to_jsonwebtoken_s_checks() {
    let header = |value: serde_json::Value| {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
        (
            TokenHeader::parse(value.to_string().as_bytes()),
            format!("{encoded}.e30.c2ln"),
        )
    };
    let (plain, _) = header(json!({ "alg": "HS256", "typ": "JWT", "kid": "k" }));
    assert!(!plain.expect("a header").unusual);
    for (value, passes) in [
        (json!({ "alg": "HS256", "typ": 5 }), false),
        (json!({ "alg": "HS256", "crit": ["exp"] }), false),
        (json!({ "alg": "HS256", "crit": [] }), false),
        (json!({ "alg": "HS256", "b64": false }), false),
        (
            json!({ "alg": "HS256", "b64": true, "crit": ["b64"] }),
            true,
        ),
        (json!({ "alg": "HS256", "cty": "JWT" }), true),
    ] {
        let (parsed, token) = header(value.clone());
        assert!(parsed.expect("a header").unusual, "{value}");
        assert_eq!(unusual_header_passes(&token), passes, "{value}");
    }
}
