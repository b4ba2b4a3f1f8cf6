//! Tests of [`JwtVerifier`] and [`JwtKey`]: the attacks of RFC 8725 §2 by name, and
//! the claims checks.

use jsonwebtoken::Header;
use serde_json::json;

use super::*;
use crate::layers::auth::Algorithm;
use crate::layers::auth::test_support::{
    RSA, RSA_OTHER, TestKey, TestServer, hs256, json_response, now, secret_key, segment, sign_with,
};

const ISSUER: &str = "https://as.example.com";
const AUDIENCE: &str = "http://127.0.0.1:8000/mcp";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const OTHER_SECRET: &[u8] = b"fedcba9876543210fedcba9876543210";

fn claims() -> Value {
    json!({
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now() + 600,
        "scope": "tools:call math:write",
        "email": "alice@example.com",
    })
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().expect("an object") {
        match value {
            Value::Null => claims.as_object_mut().expect("an object").remove(name),
            value => claims
                .as_object_mut()
                .expect("an object")
                .insert(name.clone(), value.clone()),
        };
    }
    claims
}

fn builder() -> JwtVerifierBuilder {
    JwtVerifier::builder().issuer(ISSUER).audience(AUDIENCE)
}

fn hmac_verifier() -> JwtVerifier {
    builder()
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .build()
        .expect("a verifier")
}

async fn refusal(verifier: &JwtVerifier, token: &str) -> String {
    match verifier.verify(token).await {
        Err(TokenError::Invalid(reason)) => {
            assert!(!reason.contains(token), "the reason quotes the token");
            for part in token.split('.').filter(|part| part.len() > 8) {
                assert!(!reason.contains(part), "the reason quotes the token");
            }
            reason
        }
        other => panic!("expected an invalid token, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_token_gives_its_subject_issuer_scopes_claims_and_expiry() {
    let verifier = hmac_verifier();
    let exp = now() + 600;
    let token = hs256(SECRET, None, &with(claims(), json!({ "exp": exp })));
    let verified = verifier.verify(&token).await.expect("accepted");
    assert_eq!(verified.subject, "alice");
    assert_eq!(verified.issuer.as_deref(), Some(ISSUER));
    assert_eq!(verified.scopes, ["tools:call", "math:write"]);
    assert_eq!(verified.claims["email"], "alice@example.com");
    assert_eq!(verified.claims["aud"], AUDIENCE);
    assert_eq!(
        verified.expires_at,
        Some(UNIX_EPOCH + Duration::from_secs(exp))
    );
}

#[tokio::test]
async fn scopes_come_from_scope_scp_or_the_configured_claim() {
    let verifier = hmac_verifier();
    let scp = with(claims(), json!({ "scope": null, "scp": ["a", "b"] }));
    let verified = verifier.verify(&hs256(SECRET, None, &scp)).await;
    assert_eq!(verified.map(|v| v.scopes), Ok(vec!["a".into(), "b".into()]));

    let none = with(claims(), json!({ "scope": null }));
    let verified = verifier.verify(&hs256(SECRET, None, &none)).await;
    assert_eq!(verified.map(|v| v.scopes), Ok(vec![]));

    let bad = with(claims(), json!({ "scope": 42 }));
    let token = hs256(SECRET, None, &bad);
    assert_eq!(refusal(&verifier, &token).await, "malformed scope claim");
    let bad = with(claims(), json!({ "scope": null, "scp": ["a", 1] }));
    let token = hs256(SECRET, None, &bad);
    assert_eq!(refusal(&verifier, &token).await, "malformed scp claim");

    let verifier = builder()
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .scope_claim("permissions")
        .build()
        .expect("a verifier");
    let permissions = with(claims(), json!({ "permissions": ["read:all"] }));
    let verified = verifier.verify(&hs256(SECRET, None, &permissions)).await;
    assert_eq!(
        verified.map(|v| v.scopes),
        Ok(vec!["read:all".into()]),
        "only the configured claim is read"
    );
}

#[tokio::test]
async fn every_key_type_verifies_the_algorithms_it_allows() {
    let ec256 = TestKey::ec(Algorithm::ES256);
    let ec384 = TestKey::ec(Algorithm::ES384);
    let ed = TestKey::ed25519();
    let long_secret = [7u8; 64];
    let verifier = builder()
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem)
                .and_then(|key| key.allow(Algorithm::PS384))
                .expect("an RSA key")
                .kid("rsa"),
        )
        .key(
            JwtKey::ec_pem(Algorithm::ES256, &ec256.public_pem)
                .expect("a P-256 key")
                .kid("ec256"),
        )
        .key(
            JwtKey::ec_pem(Algorithm::ES384, &ec384.public_pem)
                .expect("a P-384 key")
                .kid("ec384"),
        )
        .key(
            JwtKey::ed_pem(&ed.public_pem)
                .expect("an Ed25519 key")
                .kid("ed"),
        )
        .key(
            JwtKey::hmac(Algorithm::HS512, long_secret)
                .and_then(|key| key.allow(Algorithm::HS384))
                .expect("an HMAC key")
                .kid("hs"),
        )
        .build()
        .expect("a verifier");
    let tokens = [
        RSA.sign_as(Algorithm::RS256, Some("rsa"), &claims()),
        RSA.sign_as(Algorithm::PS384, Some("rsa"), &claims()),
        ec256.sign(Some("ec256"), &claims()),
        ec384.sign(Some("ec384"), &claims()),
        ed.sign(Some("ed"), &claims()),
        // Without a kid, every key allowing the algorithm is tried.
        ed.sign(None, &claims()),
    ];
    for token in &tokens {
        let verified = verifier.verify(token).await;
        assert_eq!(verified.map(|v| v.subject), Ok("alice".to_owned()));
    }
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let mut header = Header::new(alg);
        header.kid = Some("hs".into());
        let token = sign_with(&header, &secret_key(&long_secret), &claims());
        assert!(verifier.verify(&token).await.is_ok(), "{alg:?}");
    }
}

#[tokio::test]
async fn alg_none_is_refused_however_it_is_spelled() {
    let verifier = hmac_verifier();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let unsigned = format!(
            "{}.{}.",
            segment(&json!({ "alg": alg, "typ": "JWT" })),
            segment(&claims())
        );
        let reason = refusal(&verifier, &unsigned).await;
        assert_eq!(reason, "unsigned tokens (alg none) are refused");
        // A signature appended changes nothing.
        let signed = format!("{unsigned}c2lnbmF0dXJl");
        assert_eq!(refusal(&verifier, &signed).await, reason);
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_rsa_public_key_is_refused() {
    // The classic confusion: the attacker uses the server's public key, which they
    // know, as an HMAC secret. The RSA key allows RS256 only.
    let verifier = builder()
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem)
                .expect("a key")
                .kid("k1"),
        )
        .build()
        .expect("a verifier");
    let public = RSA.public_pem.as_bytes();
    for kid in [Some("k1"), None] {
        let forged = hs256(public, kid, &claims());
        assert_eq!(
            refusal(&verifier, &forged).await,
            "the algorithm is not allowed for the key"
        );
    }
    // The genuine article passes.
    let genuine = RSA.sign(Some("k1"), &claims());
    assert!(verifier.verify(&genuine).await.is_ok());
}

#[tokio::test]
async fn a_well_signed_token_with_an_algorithm_its_key_does_not_allow_is_refused() {
    let verifier = builder()
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem)
                .expect("a key")
                .kid("k1"),
        )
        .key(
            JwtKey::hmac(Algorithm::HS512, [9u8; 64])
                .expect("a key")
                .kid("h"),
        )
        .build()
        .expect("a verifier");
    let pss = RSA.sign_as(Algorithm::PS256, Some("k1"), &claims());
    assert_eq!(
        refusal(&verifier, &pss).await,
        "the algorithm is not allowed for the key"
    );
    // Signed with the right secret, but as HS256 where the key says HS512.
    let weaker = hs256(&[9u8; 64], Some("h"), &claims());
    assert_eq!(
        refusal(&verifier, &weaker).await,
        "the algorithm is not allowed for the key"
    );
}

#[tokio::test]
async fn a_kid_chooses_among_configured_keys_only() {
    let verifier = builder()
        .key(
            JwtKey::hmac(Algorithm::HS256, SECRET)
                .expect("a key")
                .kid("k1"),
        )
        .key(
            JwtKey::hmac(Algorithm::HS256, OTHER_SECRET)
                .expect("a key")
                .kid("k2"),
        )
        .build()
        .expect("a verifier");
    let right = hs256(OTHER_SECRET, Some("k2"), &claims());
    assert!(verifier.verify(&right).await.is_ok());
    let no_kid = hs256(OTHER_SECRET, None, &claims());
    assert!(verifier.verify(&no_kid).await.is_ok(), "every key is tried");
    let wrong_kid = hs256(OTHER_SECRET, Some("k1"), &claims());
    assert_eq!(refusal(&verifier, &wrong_kid).await, "bad signature");
    for kid in [
        "k3",
        "../../../../dev/null",
        "/etc/passwd",
        "' OR '1'='1' --",
        "k1\u{0}",
        "",
    ] {
        let token = hs256(SECRET, Some(kid), &claims());
        let reason = refusal(&verifier, &token).await;
        assert_eq!(reason, "unknown key id", "kid {kid:?}");
    }
    let numeric_kid = format!(
        "{}.{}.c2ln",
        segment(&json!({ "alg": "HS256", "kid": 7 })),
        segment(&claims())
    );
    assert_eq!(refusal(&verifier, &numeric_kid).await, "malformed kid");
}

#[tokio::test]
async fn jku_x5u_and_embedded_jwk_headers_are_never_followed() {
    // The attacker serves their own key set and points the token at it.
    let attacker_set = json!({ "keys": [RSA_OTHER.jwk("evil", true)] });
    let server = TestServer::start(move |_| json_response(200, &[], &attacker_set)).await;
    let verifier = builder()
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem)
                .expect("a key")
                .kid("k1"),
        )
        .build()
        .expect("a verifier");
    let attacker = RSA_OTHER.encoding();

    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("evil".into());
    header.jku = Some(server.url("/jwks.json"));
    header.x5u = Some(server.url("/cert.pem"));
    let token = sign_with(&header, &attacker, &claims());
    assert_eq!(refusal(&verifier, &token).await, "unknown key id");

    // The same, claiming the server's own kid.
    header.kid = Some("k1".into());
    let token = sign_with(&header, &attacker, &claims());
    assert_eq!(refusal(&verifier, &token).await, "bad signature");

    // A key embedded in the header is not a key the server trusts.
    let mut header = Header::new(Algorithm::RS256);
    header.jwk = Some(serde_json::from_value(RSA_OTHER.jwk("evil", true)).expect("a JWK"));
    let token = sign_with(&header, &attacker, &claims());
    assert_eq!(refusal(&verifier, &token).await, "bad signature");

    tokio::task::yield_now().await;
    assert_eq!(
        server.hits(),
        0,
        "the server named in the token was contacted"
    );
}

#[tokio::test]
async fn a_tampered_payload_or_signature_is_refused() {
    let verifier = builder()
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .key(JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem).expect("a key"))
        .build()
        .expect("a verifier");
    for token in [hs256(SECRET, None, &claims()), RSA.sign(None, &claims())] {
        assert!(verifier.verify(&token).await.is_ok());
        let parts: Vec<&str> = token.split('.').collect();

        let admin = with(claims(), json!({ "sub": "admin" }));
        let tampered = format!("{}.{}.{}", parts[0], segment(&admin), parts[2]);
        assert_eq!(refusal(&verifier, &tampered).await, "bad signature");

        let mut signature = parts[2].as_bytes().to_vec();
        signature[4] = if signature[4] == b'A' { b'B' } else { b'A' };
        let signature = String::from_utf8(signature).expect("ASCII");
        let tampered = format!("{}.{}.{signature}", parts[0], parts[1]);
        assert_eq!(refusal(&verifier, &tampered).await, "bad signature");

        let stripped = format!("{}.{}.", parts[0], parts[1]);
        assert!(verifier.verify(&stripped).await.is_err());
    }
}

#[tokio::test]
async fn exp_and_nbf_are_checked_with_the_leeway() {
    let verifier = hmac_verifier();
    let check = |claims: Value| {
        let verifier = &verifier;
        async move { verifier.verify(&hs256(SECRET, None, &claims)).await }
    };
    let expired = with(claims(), json!({ "exp": now() - 120 }));
    assert_eq!(check(expired).await, Err(TokenError::invalid("expired")));
    let skewed = with(claims(), json!({ "exp": now() - 30 }));
    assert!(
        check(skewed.clone()).await.is_ok(),
        "within the 60 s leeway"
    );
    let early = with(claims(), json!({ "nbf": now() + 300 }));
    assert_eq!(
        check(early).await,
        Err(TokenError::invalid("not yet valid"))
    );
    let nearly = with(claims(), json!({ "nbf": now() + 30 }));
    assert!(check(nearly).await.is_ok());
    let endless = with(claims(), json!({ "exp": null }));
    assert_eq!(
        check(endless.clone()).await,
        Err(TokenError::invalid("no exp claim"))
    );
    let garbled = with(claims(), json!({ "exp": "tomorrow" }));
    assert!(check(garbled.clone()).await.is_err());

    let strict = builder()
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .leeway(Duration::ZERO)
        .build()
        .expect("a verifier");
    let token = hs256(SECRET, None, &skewed);
    assert_eq!(refusal(&strict, &token).await, "expired");

    let lenient = builder()
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .allow_missing_exp()
        .build()
        .expect("a verifier");
    let verified = lenient.verify(&hs256(SECRET, None, &endless)).await;
    assert_eq!(verified.map(|v| v.expires_at), Ok(None));
    let expired = hs256(SECRET, None, &with(claims(), json!({ "exp": now() - 120 })));
    assert_eq!(
        refusal(&lenient, &expired).await,
        "expired",
        "a present exp is still checked"
    );
    let token = hs256(SECRET, None, &garbled);
    assert_eq!(refusal(&lenient, &token).await, "malformed exp claim");
}

#[tokio::test]
async fn issuer_audience_and_subject_are_required_and_checked() {
    let verifier = hmac_verifier();
    let cases = [
        (json!({ "iss": "https://evil.example.com" }), "wrong issuer"),
        (json!({ "iss": null }), "no iss claim"),
        (
            json!({ "aud": "https://other.example.com/mcp" }),
            "wrong audience",
        ),
        (
            json!({ "aud": ["https://other.example.com/mcp"] }),
            "wrong audience",
        ),
        (json!({ "aud": null }), "no aud claim"),
        (json!({ "sub": null }), "no sub claim"),
        (json!({ "sub": "" }), "no sub claim"),
    ];
    for (change, expected) in cases {
        let token = hs256(SECRET, None, &with(claims(), change.clone()));
        assert_eq!(refusal(&verifier, &token).await, expected, "{change}");
    }
    let several = with(
        claims(),
        json!({ "aud": ["https://other.example.com", AUDIENCE] }),
    );
    assert!(
        verifier
            .verify(&hs256(SECRET, None, &several))
            .await
            .is_ok()
    );

    let no_issuer = JwtVerifier::builder()
        .audience(AUDIENCE)
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key"))
        .build()
        .expect("a verifier");
    let anyone = hs256(SECRET, None, &with(claims(), json!({ "iss": null })));
    assert!(
        no_issuer.verify(&anyone).await.is_ok(),
        "iss is optional when no issuer is configured"
    );
}

#[tokio::test]
async fn a_token_not_shaped_like_a_jwt_is_not_mine() {
    let verifier = hmac_verifier();
    for token in [
        "",
        "opaque-access-token",
        "a.b",
        "a.b.c.d",
        "a b.c.d",
        "abc.def.ghi=",
        ".payload.sig",
        "head..sig",
        "eyJ+.eyJ/.sig",
    ] {
        assert_eq!(
            verifier.verify(token).await,
            Err(TokenError::NotMine),
            "{token:?}"
        );
    }
    assert_eq!(refusal(&verifier, "abc.def.ghi").await, "malformed header");
    let no_alg = format!(
        "{}.{}.c2ln",
        segment(&json!({ "typ": "JWT" })),
        segment(&claims())
    );
    assert_eq!(refusal(&verifier, &no_alg).await, "no alg in the header");
    let odd_alg = format!(
        "{}.{}.c2ln",
        segment(&json!({ "alg": "HS1" })),
        segment(&claims())
    );
    assert_eq!(refusal(&verifier, &odd_alg).await, "unsupported algorithm");
    let header = segment(&json!({ "alg": "HS256" }));
    let garbage = format!("{header}.bm90IGpzb24.c2ln");
    assert!(verifier.verify(&garbage).await.is_err());
}

#[tokio::test]
async fn without_an_audience_the_resource_is_the_audience() {
    let key = || JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key");
    let bare = JwtVerifier::builder()
        .issuer(ISSUER)
        .key(key())
        .build()
        .expect("an audience can come from the resource");
    let token = hs256(SECRET, None, &claims());
    assert!(refusal(&bare, &token).await.contains("no token audience"));
    let auth = crate::layers::auth::Auth::builder(bare)
        .resource(AUDIENCE)
        .build();
    assert!(auth.authenticate(&token).await.is_ok());
    let elsewhere = hs256(
        SECRET,
        None,
        &with(claims(), json!({"aud": "https://other.example/mcp"})),
    );
    assert!(auth.authenticate(&elsewhere).await.is_err());
    // An audience of its own stays: the resource does not replace it.
    let own = JwtVerifier::builder()
        .issuer(ISSUER)
        .audience("https://other.example/mcp")
        .key(key())
        .build()
        .expect("a verifier");
    let auth = crate::layers::auth::Auth::builder(own)
        .resource(AUDIENCE)
        .build();
    assert!(auth.authenticate(&token).await.is_err());
    assert!(auth.authenticate(&elsewhere).await.is_ok());
}

#[test]
fn a_verifier_needs_a_key() {
    let key = || JwtKey::hmac(Algorithm::HS256, SECRET).expect("a key");
    let err = JwtVerifier::builder()
        .audience(AUDIENCE)
        .build()
        .expect_err("no key");
    assert!(err.to_string().contains("a key or a JWKS"), "{err}");
    let err = builder()
        .key(key())
        .leeway(Duration::from_secs(7200))
        .build()
        .expect_err("too lenient");
    assert!(err.to_string().contains("leeway"), "{err}");
}

#[test]
fn keys_are_checked_against_their_algorithms_when_configured() {
    let err = |result: Result<JwtKey, ConfigError>| result.expect_err("refused").to_string();
    assert!(err(JwtKey::hmac(Algorithm::HS256, b"short")).contains("at least 32 bytes"));
    assert!(err(JwtKey::hmac(Algorithm::HS512, SECRET)).contains("at least 64 bytes"));
    assert!(err(JwtKey::hmac(Algorithm::HS256, b"")).contains("empty"));
    assert!(err(JwtKey::hmac(Algorithm::RS256, SECRET)).contains("HMAC"));
    assert!(err(JwtKey::rsa_pem(Algorithm::RS256, &RSA.private_pem)).contains("private key"));
    assert!(err(JwtKey::rsa_pem(Algorithm::HS256, &RSA.public_pem)).contains("HS256"));
    assert!(err(JwtKey::rsa_pem(Algorithm::ES256, &RSA.public_pem)).contains("ES256"));
    assert!(err(JwtKey::rsa_pem(Algorithm::RS256, "not a pem")).contains("PUBLIC KEY"));
    let p256 = TestKey::ec(Algorithm::ES256);
    assert!(err(JwtKey::ec_pem(Algorithm::ES384, &p256.public_pem)).contains("curve"));
    assert!(err(JwtKey::rsa_pem(Algorithm::RS256, &p256.public_pem)).contains("parse"));
    assert!(err(JwtKey::ed_pem(&p256.public_pem)).contains("parse"));
    let es256 = JwtKey::ec_pem(Algorithm::ES256, &p256.public_pem).expect("a key");
    assert!(err(es256.allow(Algorithm::ES384)).contains("curve"));
    let rsa = JwtKey::rsa_pem(Algorithm::RS256, &RSA.public_pem).expect("a key");
    assert!(err(rsa.clone().allow(Algorithm::HS256)).contains("RSA"));
    let both = rsa.allow(Algorithm::PS256).expect("PS256 suits an RSA key");
    assert_eq!(both.algorithms(), [Algorithm::RS256, Algorithm::PS256]);
}

#[test]
fn debug_shows_key_ids_never_key_material() {
    let verifier = builder()
        .key(
            JwtKey::hmac(Algorithm::HS256, SECRET)
                .expect("a key")
                .kid("k1"),
        )
        .build()
        .expect("a verifier");
    let shown = format!("{verifier:?}");
    assert!(shown.contains("k1") && shown.contains(AUDIENCE), "{shown}");
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(!shown.contains(&format!("{:?}", &SECRET[..8])), "{shown}");
}
